//! Simulated Tasmota devices: configured by a set-up Backlog, connected through the TLS front,
//! publishing LWT, INFO, discovery (`config` and `sensors`), STATE and SENSOR, and obeying
//! commands (Power, Dimmer, HsbColor, CT, State, Status) as the firmware does, with its payload
//! shapes.
//!
//! Each device runs the code path a microcontroller runs: iot-tls's async `embedded-io` driver
//! (`iot_tls::asynch`), the pure-Rust crypto provider, a capped TLS record buffer and
//! fixed-size session buffers, with its own reconnect loop. Only the transport is the host's: a
//! tokio socket seen through `embedded-io-adapters`, where a firmware has its network stack's
//! socket (embassy-net's `TcpSocket` implements the same traits).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use embedded_io_adapters::tokio_1::FromTokio;
use iot_tls::asynch::Client;
use iot_tls::codec::{Message, Qos, Subscription};
use iot_tls::connection::Connection;
use iot_tls::crypto::{EntropyError, EntropySource, RustCrypto};
use iot_tls::session::{Buffers, Config, DisconnectReason, Event, Session};
use iot_tls::tls::{Alpn, RecordBuffer, RecordPolicy, TlsConfig, TrustAnchors};
use serde_json::{Value, json};
use tasmota_proto::{
    BacklogEntries, Command, CommandPayload, DeviceTopics, DiscoveryKind, DiscoveryTopic, HsbPart,
    IncomingCommand, Level, Mac, PowerAction, Prefix, StateText,
};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::Error;

/// The largest TLS record a device accepts: the front's certificate chain and the demo's
/// commands fit; a larger record ends the connection with `TlsError::RecordTooLarge`.
const RECORD_CAP: usize = 6 * 1024;
/// The session's receive buffer: the largest MQTT packet a device takes in (commands).
const SESSION_RX: usize = 2 * 1024;
/// The session's request store: what a device has queued and not yet had acknowledged (the
/// announcement after connecting is the most, about 3 KB).
const SESSION_STORE: usize = 8 * 1024;
/// Requests in flight at once.
const SLOTS: usize = 16;

/// The device's random source: the operating system's, where a chip reads its TRNG.
struct OsEntropy;

impl EntropySource for OsEntropy {
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
        getrandom::fill(dest).map_err(|_| EntropyError)
    }
}

static CRYPTO: RustCrypto = RustCrypto::new(&OsEntropy);

/// The device's transport: a TCP socket as `embedded-io-async` Read and Write.
type Transport = FromTokio<TcpStream>;

/// What a simulated device is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    /// A smart plug with an energy monitor (ENERGY telemetry).
    Plug,
    /// A dimmable light (one channel).
    Light,
    /// An RGBCCT light (five channels, SetOption37 unlinked off) on an ESP32 with an SHT3X
    /// temperature and humidity sensor: a light and two sensors in one device.
    ColorLight,
}

impl DeviceKind {
    /// Whether it is a light, dimmable or coloured.
    pub const fn is_light(self) -> bool {
        matches!(self, Self::Light | Self::ColorLight)
    }
}

/// A simulated device's identity.
#[derive(Clone, Debug)]
pub struct DeviceSpec {
    /// What it is.
    pub kind: DeviceKind,
    /// Its MAC address, which names its topic (`tasmota_` and the last six digits).
    pub mac: &'static str,
    /// Its friendly name.
    pub name: &'static str,
    /// Its module name, as INFO1 reports it.
    pub module: &'static str,
}

impl DeviceSpec {
    /// The device topic, `tasmota_XXXXXX` as the firmware derives it from the MAC.
    pub fn topic(&self) -> String {
        format!("tasmota_{}", &self.mac[6..])
    }
}

/// The MQTT settings a set-up Backlog gave a device.
#[derive(Clone)]
pub struct MqttSetup {
    /// `MqttHost`: the AWS IoT endpoint.
    pub host: String,
    /// `MqttPort`.
    pub port: u16,
    /// `MqttUser`: the custom-authorizer user name.
    pub user: String,
    /// `MqttPassword`.
    pub password: String,
    /// `SetOption3`: MQTT enabled.
    pub mqtt_enabled: bool,
    /// `SetOption103`: TLS enabled.
    pub tls: bool,
}

impl std::fmt::Debug for MqttSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MqttSetup")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &"***")
            .field("mqtt_enabled", &self.mqtt_enabled)
            .field("tls", &self.tls)
            .finish()
    }
}

impl MqttSetup {
    /// Reads a console line `Backlog <commands>` (or just the commands) with tasmota-proto,
    /// as the firmware runs it.
    ///
    /// # Errors
    ///
    /// [`Error::Tasmota`] for a command the firmware would reject, [`Error::Setup`] when a
    /// setting the demo needs is missing (host, user, password) or TLS or MQTT is off.
    pub fn from_backlog(line: &str) -> Result<Self, Error> {
        let line = line.trim();
        let commands = match line.split_once(char::is_whitespace) {
            Some((name, rest)) if name.eq_ignore_ascii_case("backlog") => rest,
            _ => line,
        };
        let mut setup = Self {
            host: String::new(),
            port: 1883,
            user: String::new(),
            password: String::new(),
            mqtt_enabled: false,
            tls: false,
        };
        for command in BacklogEntries::new(commands).commands() {
            let command = command.map_err(tasmota_proto::Error::from)?;
            match command
                .to_command(&StateText::DEFAULT)
                .map_err(tasmota_proto::Error::from)?
            {
                Command::SetOption { number: 3, value } => setup.mqtt_enabled = value == 1,
                Command::SetOption { number: 103, value } => setup.tls = value == 1,
                Command::MqttHost(host) => host.clone_into(&mut setup.host),
                Command::MqttPort(port) => setup.port = port,
                Command::MqttUser(user) => user.clone_into(&mut setup.user),
                Command::MqttPassword(password) => {
                    setup.password = password.expose().to_cow().into_owned();
                }
                other => tracing::debug!(command = %other, "set-up: not an MQTT setting"),
            }
        }
        let checks = [
            ("MqttHost", setup.host.is_empty(), "is missing"),
            ("MqttUser", setup.user.is_empty(), "is missing"),
            ("MqttPassword", setup.password.is_empty(), "is missing"),
            ("SetOption3", !setup.mqtt_enabled, "must be 1 (MQTT on)"),
            ("SetOption103", !setup.tls, "must be 1 (TLS on)"),
        ];
        if let Some((setting, _, problem)) = checks.into_iter().find(|check| check.1) {
            return Err(Error::Setup { setting, problem });
        }
        Ok(setup)
    }
}

/// Something done to a device by hand, not over MQTT.
#[derive(Debug)]
enum Local {
    Button,
    Load(f64),
    Temperature(f64),
    /// Disconnect cleanly, then say so.
    Disconnect(oneshot::Sender<()>),
}

/// A running simulated device.
pub struct Device {
    spec: DeviceSpec,
    local: mpsc::Sender<Local>,
    task: JoinHandle<()>,
}

/// What a device connects with.
struct Link {
    tls: TlsConfig,
    front: SocketAddr,
    client_id: String,
    user: String,
    password: String,
    lwt_topic: String,
    command_filter: String,
}

impl Device {
    /// Starts the device: it connects to `front` as if it were `setup.host:setup.port` (the
    /// demo's name resolution), trusting `anchors`.
    ///
    /// # Errors
    ///
    /// [`Error::IotTls`] when the TLS settings are refused, [`Error::Tasmota`] for a topic
    /// the firmware could not build.
    pub fn start(
        spec: DeviceSpec,
        setup: &MqttSetup,
        front: SocketAddr,
        anchors: TrustAnchors,
        tele_period: Duration,
    ) -> Result<Self, Error> {
        let topic = spec.topic();
        let topics = DeviceTopics::new("%prefix%/%topic%/", &topic)?;
        let tls = TlsConfig::builder(&setup.host, anchors)
            .alpn(Alpn::for_aws(setup.port, false))
            .provider(Arc::new(CRYPTO.provider()))
            .build()
            .map_err(iot_tls::Error::from)?;
        let link = Link {
            tls,
            front,
            client_id: format!("DVES_{}", &spec.mac[6..]),
            user: setup.user.clone(),
            password: setup.password.clone(),
            lwt_topic: topics.lwt_topic()?.as_str().to_owned(),
            command_filter: topics.command_topic("#")?.as_str().to_owned(),
        };
        tracing::info!(device = %topic, name = spec.name, host = %setup.host, port = setup.port, via = %front, "device: connecting with iot-tls's embedded driver (SNI {}, ALPN mqtt, pure-Rust crypto)", setup.host);
        let (local, local_rx) = mpsc::channel(16);
        let state = Simulation {
            spec: spec.clone(),
            topic,
            started: Instant::now(),
            clock: tokio::time::Instant::now(),
            power: false,
            dimmer: 100,
            hsb: (0, 0),
            ct: 153,
            white_mode: true,
            load: 0.0,
            total_kwh: 12.345,
            celsius: 21.4,
            humidity: 45.2,
        };
        let task = tokio::spawn(state.run(link, local_rx, tele_period));
        Ok(Self { spec, local, task })
    }

    /// The device's identity.
    pub fn spec(&self) -> &DeviceSpec {
        &self.spec
    }

    /// Disconnects from the broker cleanly (so the broker drops the will).
    pub async fn disconnect(&self) {
        let (done, disconnected) = oneshot::channel();
        if self.local.send(Local::Disconnect(done)).await.is_ok() {
            let _ = disconnected.await;
        }
    }

    /// Someone presses the device's button: it toggles its power, as the firmware does.
    pub async fn press_button(&self) {
        let _ = self.local.send(Local::Button).await;
    }

    /// Something drawing `watts` is plugged into the plug (ignored by other devices); the plug
    /// publishes SENSOR at once, as it does on a large change.
    pub async fn set_load(&self, watts: f64) {
        let _ = self.local.send(Local::Load(watts)).await;
    }

    /// The room's temperature becomes `celsius` (ignored by devices without a sensor); the
    /// device publishes SENSOR at once, as at its next TelePeriod.
    pub async fn set_temperature(&self, celsius: f64) {
        let _ = self.local.send(Local::Temperature(celsius)).await;
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Simulation {
    spec: DeviceSpec,
    topic: String,
    started: Instant,
    /// The driver's clock starts here.
    clock: tokio::time::Instant,
    power: bool,
    dimmer: u8,
    /// Hue and saturation of the colour channels (coloured lights).
    hsb: (u16, u8),
    /// Colour temperature in mireds, 153..=500 (coloured lights).
    ct: u16,
    /// The white channels are lit rather than the colour ones (coloured lights).
    white_mode: bool,
    load: f64,
    total_kwh: f64,
    celsius: f64,
    humidity: f64,
}

/// What a device keeps of an [`Event`] (which borrows the session's buffer) to act on once the
/// driver's poll has returned.
enum Inbound {
    Connected,
    Command { topic: String, payload: Vec<u8> },
    Disconnected(DisconnectReason),
}

impl Inbound {
    fn from_event(event: Event<'_>) -> Option<Self> {
        match event {
            Event::Connected { .. } => Some(Self::Connected),
            Event::Message(publish) => Some(Self::Command {
                topic: publish.topic.to_owned(),
                payload: publish.payload.to_vec(),
            }),
            Event::Disconnected(reason) => Some(Self::Disconnected(reason)),
            _ => None,
        }
    }
}

/// The device's session, where it queues what it publishes.
type Outbox<'b> = Session<'b, SLOTS>;

impl Simulation {
    /// The device's life: connect, run the connection, reconnect after the session's backoff,
    /// until asked to disconnect.
    async fn run(mut self, link: Link, mut local: mpsc::Receiver<Local>, tele_period: Duration) {
        let (mut rx, mut store) = (vec![0u8; SESSION_RX], vec![0u8; SESSION_STORE]);
        let mut tx = vec![0u8; link.tls.max_outgoing_record()];
        let will = Message::new(&link.lwt_topic, b"Offline").with_qos(Qos::AtLeastOnce);
        let config = Config::new(&link.client_id)
            .with_limits(iot_tls::aws::LIMITS)
            .with_username(&link.user)
            .with_password(link.password.as_bytes())
            .with_keep_alive(60)
            .with_will(will);
        let connection =
            Session::new(config, Buffers::new(&mut rx, &mut store)).and_then(|session| {
                let records = RecordBuffer::new(RecordPolicy::Cap(RECORD_CAP));
                Connection::tls(session, &link.tls, records, &mut tx)
            });
        let mut client: Client<'_, Transport, SLOTS> = match connection {
            Ok(connection) => Client::new(connection),
            Err(error) => {
                tracing::error!(device = %self.topic, %error, "device: cannot set up its connection");
                return;
            }
        };
        let filter = [Subscription::new(&link.command_filter, Qos::AtLeastOnce)];
        if let Err(error) = client.session_mut().subscribe(&filter) {
            tracing::error!(device = %self.topic, error = %error.error(), "device: cannot subscribe");
            return;
        }
        let mut tele = tokio::time::interval(tele_period);
        tele.tick().await;
        let mut disconnected: Option<oneshot::Sender<()>> = None;
        loop {
            match TcpStream::connect(link.front).await {
                Ok(socket) => {
                    let _ = socket.set_nodelay(true);
                    if let Err(error) = client.connect(since(self.clock), FromTokio::new(socket)) {
                        tracing::warn!(device = %self.topic, %error, "device: cannot connect");
                    }
                }
                Err(error) => {
                    tracing::warn!(device = %self.topic, %error, "device: cannot reach the broker");
                }
            }
            self.serve(&mut client, &mut local, &mut tele, &mut disconnected)
                .await;
            let _ = client.take_transport();
            if let Some(done) = disconnected.take() {
                let _ = done.send(());
                return;
            }
            let delay = client.session().reconnect_delay(rand_u32());
            tracing::info!(device = %self.topic, ?delay, "device: reconnecting");
            tokio::time::sleep(delay).await;
        }
    }

    /// Runs one connection until it ends: the driver's poll, its timer, the hand-made actions
    /// and telemetry, and the events the poll collected.
    async fn serve(
        &mut self,
        client: &mut Client<'_, Transport, SLOTS>,
        local: &mut mpsc::Receiver<Local>,
        tele: &mut tokio::time::Interval,
        disconnected: &mut Option<oneshot::Sender<()>>,
    ) {
        let start = self.clock;
        let now = || since(start);
        // The events of a poll, acted on once it has returned (they borrow the session). A
        // mutex, not a `RefCell`, because the task's future must be `Send`; it is never contended.
        let inbox = Mutex::new(Vec::new());
        let take = || std::mem::take(&mut *inbox.lock().unwrap_or_else(PoisonError::into_inner));
        let mut on_event = |event: Event<'_>| {
            let mut inbox = inbox.lock().unwrap_or_else(PoisonError::into_inner);
            inbox.extend(Inbound::from_event(event));
        };
        loop {
            let due = client
                .poll_timeout()
                .map_or(start + Duration::from_hours(1), |due| {
                    start + Duration::from_millis(due.as_millis())
                });
            let open = tokio::select! {
                open = client.poll(now, &mut on_event) => open,
                () = tokio::time::sleep_until(due) => {
                    client.handle_timeout(now());
                    Ok(true)
                }
                Some(action) = local.recv(), if disconnected.is_none() => {
                    if let Local::Disconnect(done) = action {
                        client.session_mut().disconnect();
                        *disconnected = Some(done);
                    } else if let Err(error) = self.on_local(client.session_mut(), &action) {
                        tracing::warn!(device = %self.topic, %error, "device: cannot publish");
                    }
                    Ok(true)
                }
                _ = tele.tick() => {
                    if let Err(error) = self.telemetry(client.session_mut()) {
                        tracing::warn!(device = %self.topic, %error, "device: cannot publish");
                    }
                    Ok(true)
                }
            };
            for inbound in take() {
                if let Err(error) = self.on_inbound(client.session_mut(), inbound) {
                    tracing::warn!(device = %self.topic, %error, "device: cannot publish");
                }
            }
            match open {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    tracing::warn!(device = %self.topic, %error, "device: connection failed");
                    break;
                }
            }
        }
    }

    fn topics(&self) -> Result<DeviceTopics<'_>, Error> {
        Ok(DeviceTopics::new("%prefix%/%topic%/", &self.topic)?)
    }

    fn publish(
        &self,
        out: &mut Outbox<'_>,
        prefix: Prefix,
        subtopic: &str,
        payload: &str,
    ) -> Result<(), Error> {
        let topic = self.topics()?.topic(prefix, subtopic)?;
        send(out, topic.as_str(), payload)
    }

    fn on_inbound(&mut self, out: &mut Outbox<'_>, inbound: Inbound) -> Result<(), Error> {
        match inbound {
            Inbound::Connected => self.announce(out),
            Inbound::Command { topic, payload } => self.on_command(out, &topic, &payload),
            Inbound::Disconnected(reason) => {
                if reason == DisconnectReason::Requested {
                    tracing::info!(device = %self.topic, "device: disconnected");
                } else {
                    tracing::warn!(device = %self.topic, %reason, "device: disconnected");
                }
                Ok(())
            }
        }
    }

    /// What the firmware publishes after connecting.
    fn announce(&self, out: &mut Outbox<'_>) -> Result<(), Error> {
        let mac = Mac::parse(self.spec.mac).map_err(tasmota_proto::Error::from)?;
        let short = &self.spec.mac[6..];
        tracing::info!(device = %self.topic, name = self.spec.name, "device: connected; publishing LWT, INFO, discovery, STATE, SENSOR");
        self.publish(out, Prefix::Tele, "LWT", "Online")?;
        let info1 = json!({"Info1": {"Module": self.spec.module, "Version": FIRMWARE,
            "FallbackTopic": format!("cmnd/DVES_{short}_fb/"), "GroupTopic": "cmnd/tasmotas/"}});
        let info2 = json!({"Info2": {"WebServerMode": "Admin",
            "Hostname": format!("tasmota-{short}-1234"), "IPAddress": "192.168.1.50"}});
        let info3 = json!({"Info3": {"RestartReason": "Software/System restart", "BootCount": 7}});
        for (subtopic, payload) in [("INFO1", info1), ("INFO2", info2), ("INFO3", info3)] {
            self.publish(out, Prefix::Tele, subtopic, &payload.to_string())?;
        }
        let config = DiscoveryTopic::build(mac, DiscoveryKind::Config);
        send(out, config.as_str(), &self.discovery_config().to_string())?;
        let sensors = DiscoveryTopic::build(mac, DiscoveryKind::Sensors);
        let announced = format!(r#"{{"sn":{},"ver":1}}"#, self.sensors());
        send(out, sensors.as_str(), &announced)?;
        self.telemetry(out)
    }

    fn discovery_config(&self) -> Value {
        let short = &self.spec.mac[6..];
        // Relay 1 is a plain relay (1) or a light (2); `lt_st` is the light's channel count.
        let (relay, light_subtype) = match self.spec.kind {
            DeviceKind::Plug => (1, 0),
            DeviceKind::Light => (2, 1),
            DeviceKind::ColorLight => (2, 5),
        };
        let mut relays = vec![0; 8];
        relays[0] = relay;
        let switch_modes = vec![-1; 8];
        let buttons = vec![0; 8];
        json!({
            "ip": "192.168.1.50", "dn": self.spec.name, "fn": [self.spec.name, null, null, null, null, null, null, null],
            "hn": format!("tasmota-{short}-1234"), "mac": self.spec.mac, "md": self.spec.module,
            "ty": 0, "if": 0, "ofln": "Offline", "onln": "Online", "state": ["OFF", "ON", "TOGGLE", "HOLD"],
            "sw": FIRMWARE.trim_end_matches("(tasmota)"), "t": self.topic, "ft": "%prefix%/%topic%/", "tp": ["cmnd", "stat", "tele"],
            "rl": relays, "swc": switch_modes, "swn": [null, null, null, null, null, null, null, null],
            "btn": buttons, "so": {"4": 0, "11": 0, "13": 0, "17": 0, "20": 0, "30": 0, "68": 0, "73": 0, "82": 0, "114": 0, "117": 0},
            "lk": 1, "lt_st": light_subtype, "sho": [], "sht": [], "ver": 1
        })
    }

    fn on_off(on: bool) -> &'static str {
        if on { "ON" } else { "OFF" }
    }

    /// The device's clock: the demo's devices all boot at 2026-12-07T02:00:00 local time.
    fn time(&self) -> String {
        let s = self.started.elapsed().as_secs() + 2 * 3600;
        format!(
            "2026-12-{:02}T{:02}:{:02}:{:02}",
            7 + s / 86_400,
            s / 3600 % 24,
            s / 60 % 60,
            s % 60
        )
    }

    /// What STATE (and `StatusSTS`) holds.
    fn state(&self) -> Value {
        let uptime = self.started.elapsed().as_secs();
        let mut state = json!({
            "Time": self.time(),
            "Uptime": format!("0T{:02}:{:02}:{:02}", uptime / 3600, uptime / 60 % 60, uptime % 60),
            "UptimeSec": uptime, "Heap": 25, "SleepMode": "Dynamic", "Sleep": 50, "LoadAvg": 19,
            "MqttCount": 1, "POWER": Self::on_off(self.power),
            "Wifi": {"AP": 1, "SSId": "home", "BSSId": "30:B5:C2:5D:70:72", "Channel": 11,
                     "Mode": "11n", "RSSI": 78, "Signal": -61, "LinkCount": 1, "Downtime": "0T00:00:03"},
        });
        if let (Some(state), Value::Object(light)) = (state.as_object_mut(), self.light()) {
            state.extend(light);
        }
        state
    }

    /// The light's fields of STATE and of a light command's RESULT (`Null` for a plug).
    fn light(&self) -> Value {
        match self.spec.kind {
            DeviceKind::Plug => Value::Null,
            DeviceKind::Light => {
                json!({"Dimmer": self.dimmer, "Fade": "OFF", "Speed": 1, "LedTable": "ON"})
            }
            DeviceKind::ColorLight => {
                let level = |percent: u32| (percent * 255 + 50) / 100;
                let dimmer = u32::from(self.dimmer);
                let (rgb, white) = if self.white_mode {
                    // The white channels share the dimmer by colour temperature (153 cold ..= 500 warm).
                    let warm = (u32::from(self.ct) - 153) * dimmer / 347;
                    ([0; 3], [level(dimmer - warm), level(warm)])
                } else {
                    (hsv_rgb(self.hsb.0, self.hsb.1, self.dimmer), [0, 0])
                };
                let channels = [rgb[0], rgb[1], rgb[2], white[0], white[1]];
                let color = channels.iter().fold(String::new(), |mut hex, c| {
                    let _ = write!(hex, "{c:02X}");
                    hex
                });
                let percent: Vec<u32> = channels.iter().map(|c| (c * 100 + 127) / 255).collect();
                json!({
                    "Dimmer": self.dimmer, "Color": color,
                    "HSBColor": format!("{},{},{}", self.hsb.0, self.hsb.1, if self.white_mode { 0 } else { self.dimmer }),
                    "White": if self.white_mode { self.dimmer } else { 0 }, "CT": self.ct,
                    "Channel": percent, "Scheme": 0, "Fade": "OFF", "Speed": 1, "LedTable": "ON"
                })
            }
        }
    }

    /// What SENSOR (and `StatusSNS`, and the `sensors` discovery message) holds, written
    /// member by member in the firmware's order, which names the sensor entities' order.
    fn sensors(&self) -> String {
        let time = self.time();
        match self.spec.kind {
            DeviceKind::Plug => {
                let power = if self.power { self.load } else { 0.0 };
                let current = (power / 230.0 * 1000.0).round() / 1000.0;
                let factor = if power > 0.0 { 0.99 } else { 0.0 };
                format!(
                    r#"{{"Time":"{time}","ENERGY":{{"TotalStartTime":"2026-01-01T00:00:00","Total":{},"Yesterday":0.412,"Today":0.128,"Power":{},"ApparentPower":{},"ReactivePower":{},"Factor":{factor},"Voltage":230,"Current":{current}}}}}"#,
                    self.total_kwh,
                    power.round(),
                    (power * 1.01).round(),
                    (power * 0.05).round(),
                )
            }
            DeviceKind::ColorLight => {
                // The Magnus formula, as the firmware computes the dew point.
                let gamma =
                    (self.humidity / 100.0).ln() + 17.62 * self.celsius / (243.12 + self.celsius);
                let dew_point = (243.12 * gamma / (17.62 - gamma) * 10.0).round() / 10.0;
                format!(
                    r#"{{"Time":"{time}","SHT3X":{{"Temperature":{},"Humidity":{},"DewPoint":{dew_point}}},"TempUnit":"C"}}"#,
                    self.celsius, self.humidity
                )
            }
            DeviceKind::Light => format!(r#"{{"Time":"{time}"}}"#),
        }
    }

    fn telemetry(&self, out: &mut Outbox<'_>) -> Result<(), Error> {
        self.publish(out, Prefix::Tele, "STATE", &self.state().to_string())?;
        if self.spec.kind != DeviceKind::Light {
            self.publish(out, Prefix::Tele, "SENSOR", &self.sensors())?;
        }
        Ok(())
    }

    fn on_local(&mut self, out: &mut Outbox<'_>, action: &Local) -> Result<(), Error> {
        match action {
            Local::Button => {
                self.power = !self.power;
                tracing::info!(device = %self.topic, power = Self::on_off(self.power), "device: button pressed");
                self.report_power(out)?;
                if self.spec.kind == DeviceKind::Plug {
                    self.telemetry(out)?;
                }
                Ok(())
            }
            &Local::Load(watts) if self.spec.kind == DeviceKind::Plug => {
                self.load = watts;
                tracing::info!(device = %self.topic, watts, "device: load changed");
                self.telemetry(out)
            }
            &Local::Temperature(celsius) if self.spec.kind == DeviceKind::ColorLight => {
                self.celsius = celsius;
                tracing::info!(device = %self.topic, celsius, "device: temperature changed");
                self.telemetry(out)
            }
            Local::Load(_) | Local::Temperature(_) | Local::Disconnect(_) => Ok(()),
        }
    }

    /// After a power change: RESULT, then the plain `stat/<t>/POWER`.
    fn report_power(&self, out: &mut Outbox<'_>) -> Result<(), Error> {
        let result = json!({"POWER": Self::on_off(self.power)});
        self.publish(out, Prefix::Stat, "RESULT", &result.to_string())?;
        self.publish(out, Prefix::Stat, "POWER", Self::on_off(self.power))
    }

    /// After a light command: RESULT with the power and every light field.
    fn report_light(&self, out: &mut Outbox<'_>) -> Result<(), Error> {
        let mut result = json!({"POWER": Self::on_off(self.power)});
        if let (Some(result), Value::Object(light)) = (result.as_object_mut(), self.light()) {
            result.extend(light);
        }
        self.publish(out, Prefix::Stat, "RESULT", &result.to_string())
    }

    fn on_command(
        &mut self,
        out: &mut Outbox<'_>,
        topic: &str,
        payload: &[u8],
    ) -> Result<(), Error> {
        let topics = self.topics()?;
        let parsed = topics.parse(topic)?;
        if parsed.prefix != Some(Prefix::Cmnd) {
            return Ok(());
        }
        let subtopic = parsed.subtopic.to_owned();
        let command =
            IncomingCommand::parse(&subtopic, payload).map_err(tasmota_proto::Error::from)?;
        if command.name.eq_ignore_ascii_case("backlog") {
            if let CommandPayload::Text(list) = command.payload {
                for entry in BacklogEntries::new(list).commands() {
                    let entry = entry.map_err(tasmota_proto::Error::from)?;
                    // NoDelay only shortens the wait before the next command.
                    if !entry.name.eq_ignore_ascii_case("NoDelay") {
                        self.obey(out, &entry)?;
                    }
                }
            }
            return Ok(());
        }
        self.obey(out, &command)
    }

    fn obey(&mut self, out: &mut Outbox<'_>, command: &IncomingCommand<'_>) -> Result<(), Error> {
        tracing::info!(device = %self.topic, command = command.name, payload = ?command.payload, "device: command");
        let typed = match command.to_command(&StateText::DEFAULT) {
            Ok(typed) => typed,
            Err(error) => {
                let reply = json!({"Command": "Error", "Error": error.to_string()});
                return self.publish(out, Prefix::Stat, "RESULT", &reply.to_string());
            }
        };
        let light = self.spec.kind.is_light();
        let color = self.spec.kind == DeviceKind::ColorLight;
        match typed {
            Command::Power {
                action,
                index: None | Some(1),
            } => {
                match action {
                    PowerAction::On => self.power = true,
                    PowerAction::Off => self.power = false,
                    PowerAction::Toggle => self.power = !self.power,
                    _ => {}
                }
                self.report_power(out)?;
                if self.spec.kind == DeviceKind::Plug {
                    self.telemetry(out)?;
                }
                Ok(())
            }
            Command::Dimmer { level, .. } if light => {
                self.dimmer = match level {
                    Level::Set(value) => value.min(100),
                    Level::Increase => self.dimmer.saturating_add(10).min(100),
                    Level::Decrease => self.dimmer.saturating_sub(10),
                };
                self.power = self.dimmer > 0;
                self.report_light(out)
            }
            Command::HsbColorPart(part) if color => {
                match part {
                    HsbPart::Hue(hue) => self.hsb.0 = hue % 360,
                    HsbPart::Saturation(saturation) => self.hsb.1 = saturation.min(100),
                    HsbPart::Brightness(brightness) => self.dimmer = brightness.min(100),
                }
                self.white_mode = false;
                self.power = true;
                self.report_light(out)
            }
            Command::Ct(mireds) if color => {
                self.ct = mireds.clamp(153, 500);
                self.white_mode = true;
                self.power = true;
                self.report_light(out)
            }
            Command::State => self.publish(out, Prefix::Stat, "RESULT", &self.state().to_string()),
            Command::Status(Some(n)) => self.status(out, n),
            _ => self.publish(
                out,
                Prefix::Stat,
                "RESULT",
                &json!({"Command": "Unknown"}).to_string(),
            ),
        }
    }

    /// The answer to `Status <n>` on `stat/<t>/STATUS<n>`, for the queries a hub polls.
    fn status(&self, out: &mut Outbox<'_>, n: u8) -> Result<(), Error> {
        let uptime = self.started.elapsed().as_secs();
        let payload = match n {
            1 => json!({"StatusPRM": {"Baudrate": 115_200, "SerialConfig": "8N1",
                "GroupTopic": "tasmotas", "OtaUrl": "http://ota.tasmota.com/tasmota/release/tasmota.bin.gz",
                "RestartReason": "Software/System restart", "Uptime": format!("0T{:02}:{:02}:{:02}", uptime / 3600, uptime / 60 % 60, uptime % 60),
                "StartupUTC": "2026-12-07T01:00:00", "Sleep": 50, "CfgHolder": 4617, "BootCount": 7,
                "BCResetTime": "2026-01-01T00:00:00", "SaveCount": 31, "SaveAddress": "F5000"}}),
            2 => json!({"StatusFWR": {"Version": FIRMWARE, "BuildDateTime": "2026-11-20T10:09:47",
                "Boot": 31, "Core": "2_7_8", "SDK": "2.2.2-dev(38a443e)", "CpuFrequency": 80,
                "Hardware": "ESP8266EX", "CR": "378/699"}}),
            10 => {
                let payload = format!(r#"{{"StatusSNS":{}}}"#, self.sensors());
                return self.publish(out, Prefix::Stat, "STATUS10", &payload);
            }
            11 => json!({"StatusSTS": self.state()}),
            _ => {
                let reply = json!({"Command": "Unknown"});
                return self.publish(out, Prefix::Stat, "RESULT", &reply.to_string());
            }
        };
        self.publish(
            out,
            Prefix::Stat,
            &format!("STATUS{n}"),
            &payload.to_string(),
        )
    }
}

/// The firmware version the devices report.
const FIRMWARE: &str = "14.3.0(tasmota)";

/// The 0..=255 RGB channels of hue (0..360), saturation and value (0..=100).
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "each channel is clamped into 0..=255 first"
)]
fn hsv_rgb(hue: u16, saturation: u8, value: u8) -> [u32; 3] {
    let sector = f64::from(hue % 360) / 60.0;
    let value = f64::from(value) / 100.0;
    let chroma = value * f64::from(saturation) / 100.0;
    let second = chroma * (1.0 - (sector % 2.0 - 1.0).abs());
    let (red, green, blue) = match hue % 360 / 60 {
        0 => (chroma, second, 0.0),
        1 => (second, chroma, 0.0),
        2 => (0.0, chroma, second),
        3 => (0.0, second, chroma),
        4 => (second, 0.0, chroma),
        _ => (chroma, 0.0, second),
    };
    let base = value - chroma;
    [red, green, blue].map(|channel| ((channel + base) * 255.0).round().clamp(0.0, 255.0) as u32)
}

/// Queues a QoS 1 message in the session; it goes out at the driver's next poll.
fn send(out: &mut Outbox<'_>, topic: &str, payload: &str) -> Result<(), Error> {
    tracing::debug!(%topic, %payload, "device: publish");
    out.publish(Message::new(topic, payload.as_bytes()).with_qos(Qos::AtLeastOnce))
        .map_err(iot_tls::Error::from)?;
    Ok(())
}

/// A random number for the reconnect backoff's jitter.
fn rand_u32() -> u32 {
    let mut bytes = [0; 4];
    // Without randomness the jitter is merely zero.
    let _ = getrandom::fill(&mut bytes);
    u32::from_le_bytes(bytes)
}

/// The driver's time: milliseconds since `clock`.
fn since(clock: tokio::time::Instant) -> iot_tls::Instant {
    iot_tls::Instant::from_millis(clock.elapsed().as_millis().try_into().unwrap_or(u64::MAX))
}

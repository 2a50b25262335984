//! Simulated Tasmota devices: configured by a set-up Backlog, connected with iot-tls's client
//! through the TLS front, publishing LWT, INFO, discovery, STATE and SENSOR, and obeying
//! commands as the firmware does.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use iot_tls::codec::Qos;
use iot_tls::session::DisconnectReason;
use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
use iot_tls::tokio::{Client, Event, Events, Message, Options};
use serde_json::{Value, json};
use tasmota_proto::{
    BacklogEntries, Command, CommandPayload, DeviceTopics, DiscoveryKind, DiscoveryTopic,
    IncomingCommand, Level, Mac, PowerAction, Prefix, StateText,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::Error;

/// What a simulated device is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    /// A smart plug with an energy monitor (ENERGY telemetry).
    Plug,
    /// A dimmable light (one channel).
    Light,
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
#[derive(Clone, Copy, Debug)]
enum Local {
    Button,
    Load(f64),
}

/// A running simulated device.
pub struct Device {
    spec: DeviceSpec,
    client: Client,
    local: mpsc::Sender<Local>,
    task: JoinHandle<()>,
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
        let client_id = format!("DVES_{}", &spec.mac[6..]);
        let tls = TlsConfig::builder(&setup.host, anchors)
            .alpn(Alpn::for_aws(setup.port, false))
            .build()
            .map_err(iot_tls::Error::from)?;
        let will = Message::new(topics.lwt_topic()?.as_str(), "Offline").with_qos(Qos::AtLeastOnce);
        let options = Options::new(front.ip().to_string(), front.port(), &client_id)
            .with_tls(tls)
            .with_limits(iot_tls::aws::LIMITS)
            .with_credentials(setup.user.clone(), setup.password.as_bytes())
            .with_keep_alive(60)
            .with_will(will);
        tracing::info!(device = %topic, name = spec.name, host = %setup.host, port = setup.port, via = %front, "device: connecting with iot-tls (SNI {}, ALPN mqtt)", setup.host);
        let (client, events) = Client::spawn(options)?;
        client.subscribe(&[(topics.command_topic("#")?.as_str(), Qos::AtLeastOnce)])?;
        let (local, local_rx) = mpsc::channel(16);
        let state = Simulation {
            spec: spec.clone(),
            topic,
            client: client.clone(),
            started: Instant::now(),
            power: false,
            dimmer: 100,
            load: 0.0,
            total_kwh: 12.345,
        };
        let task = tokio::spawn(state.run(events, local_rx, tele_period));
        Ok(Self {
            spec,
            client,
            local,
            task,
        })
    }

    /// The device's identity.
    pub fn spec(&self) -> &DeviceSpec {
        &self.spec
    }

    /// Disconnects from the broker cleanly (so the broker drops the will).
    pub async fn disconnect(&self) {
        self.client.disconnect().await;
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
}

impl Drop for Device {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Simulation {
    spec: DeviceSpec,
    topic: String,
    client: Client,
    started: Instant,
    power: bool,
    dimmer: u8,
    load: f64,
    total_kwh: f64,
}

impl Simulation {
    async fn run(
        mut self,
        mut events: Events,
        mut local: mpsc::Receiver<Local>,
        tele_period: Duration,
    ) {
        let mut tele = tokio::time::interval(tele_period);
        tele.tick().await;
        loop {
            let result = tokio::select! {
                event = events.recv() => match event {
                    Some(event) => self.on_event(event),
                    None => return,
                },
                Some(action) = local.recv() => self.on_local(action),
                _ = tele.tick() => self.telemetry(),
            };
            if let Err(error) = result {
                tracing::warn!(device = %self.topic, %error, "device: cannot publish");
            }
        }
    }

    fn topics(&self) -> Result<DeviceTopics<'_>, Error> {
        Ok(DeviceTopics::new("%prefix%/%topic%/", &self.topic)?)
    }

    fn publish(&self, prefix: Prefix, subtopic: &str, payload: String) -> Result<(), Error> {
        let topic = self.topics()?.topic(prefix, subtopic)?;
        tracing::debug!(%topic, %payload, "device: publish");
        self.client
            .publish(Message::new(topic.as_str(), payload).with_qos(Qos::AtLeastOnce))?;
        Ok(())
    }

    fn on_event(&mut self, event: Event) -> Result<(), Error> {
        match event {
            Event::Connected { .. } => self.announce(),
            Event::Message(message) => self.on_command(&message),
            Event::Disconnected { reason, error, .. } => {
                if reason == DisconnectReason::Requested {
                    tracing::info!(device = %self.topic, "device: disconnected");
                } else {
                    tracing::warn!(device = %self.topic, %reason, ?error, "device: disconnected");
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// What the firmware publishes after connecting.
    fn announce(&self) -> Result<(), Error> {
        let mac = Mac::parse(self.spec.mac).map_err(tasmota_proto::Error::from)?;
        let short = &self.spec.mac[6..];
        tracing::info!(device = %self.topic, name = self.spec.name, "device: connected; publishing LWT, INFO, discovery, STATE, SENSOR");
        self.publish(Prefix::Tele, "LWT", "Online".to_owned())?;
        let info1 = json!({"Info1": {"Module": self.spec.module, "Version": "14.3.0(tasmota)",
            "FallbackTopic": format!("cmnd/DVES_{short}_fb/"), "GroupTopic": "cmnd/tasmotas/"}});
        let info2 = json!({"Info2": {"WebServerMode": "Admin",
            "Hostname": format!("tasmota-{short}-1234"), "IPAddress": "192.168.1.50"}});
        let info3 = json!({"Info3": {"RestartReason": "Software/System restart", "BootCount": 7}});
        for (subtopic, payload) in [("INFO1", info1), ("INFO2", info2), ("INFO3", info3)] {
            self.publish(Prefix::Tele, subtopic, payload.to_string())?;
        }
        let discovery = DiscoveryTopic::build(mac, DiscoveryKind::Config);
        self.client.publish(
            Message::new(discovery.as_str(), self.discovery_config().to_string())
                .with_qos(Qos::AtLeastOnce),
        )?;
        self.telemetry()
    }

    fn discovery_config(&self) -> Value {
        let short = &self.spec.mac[6..];
        let (relay, light_subtype) = match self.spec.kind {
            DeviceKind::Plug => (1, 0),
            DeviceKind::Light => (2, 1),
        };
        let mut relays = vec![0; 8];
        relays[0] = relay;
        let switch_modes = vec![-1; 8];
        let buttons = vec![0; 8];
        json!({
            "ip": "192.168.1.50", "dn": self.spec.name, "fn": [self.spec.name, null, null, null, null, null, null, null],
            "hn": format!("tasmota-{short}-1234"), "mac": self.spec.mac, "md": self.spec.module,
            "ty": 0, "if": 0, "ofln": "Offline", "onln": "Online", "state": ["OFF", "ON", "TOGGLE", "HOLD"],
            "sw": "14.3.0", "t": self.topic, "ft": "%prefix%/%topic%/", "tp": ["cmnd", "stat", "tele"],
            "rl": relays, "swc": switch_modes, "swn": [null, null, null, null, null, null, null, null],
            "btn": buttons, "so": {"4": 0, "11": 0, "13": 0, "17": 0, "20": 0, "30": 0, "68": 0, "73": 0, "82": 0, "114": 0, "117": 0},
            "lk": 0, "lt_st": light_subtype, "sho": [], "ver": 1
        })
    }

    fn on_off(on: bool) -> &'static str {
        if on { "ON" } else { "OFF" }
    }

    fn telemetry(&self) -> Result<(), Error> {
        let uptime = self.started.elapsed().as_secs();
        let mut state = json!({
            "Uptime": format!("0T{:02}:{:02}:{:02}", uptime / 3600, uptime / 60 % 60, uptime % 60),
            "UptimeSec": uptime, "Heap": 25, "SleepMode": "Dynamic", "Sleep": 50, "LoadAvg": 19,
            "MqttCount": 1, "POWER": Self::on_off(self.power),
            "Wifi": {"AP": 1, "SSId": "home", "RSSI": 78, "Signal": -61, "LinkCount": 1},
        });
        if self.spec.kind == DeviceKind::Light {
            state["Dimmer"] = json!(self.dimmer);
            state["Fade"] = json!("OFF");
        }
        self.publish(Prefix::Tele, "STATE", state.to_string())?;
        if self.spec.kind == DeviceKind::Plug {
            let power = if self.power { self.load } else { 0.0 };
            let current = (power / 230.0 * 1000.0).round() / 1000.0;
            let sensor = json!({"ENERGY": {
                "TotalStartTime": "2026-01-01T00:00:00", "Total": self.total_kwh,
                "Yesterday": 0.412, "Today": 0.128, "Power": power.round(),
                "ApparentPower": (power * 1.01).round(), "ReactivePower": (power * 0.05).round(),
                "Factor": if power > 0.0 { 0.99 } else { 0.0 }, "Voltage": 230, "Current": current,
            }});
            self.publish(Prefix::Tele, "SENSOR", sensor.to_string())?;
        }
        Ok(())
    }

    fn on_local(&mut self, action: Local) -> Result<(), Error> {
        match action {
            Local::Button => {
                self.power = !self.power;
                tracing::info!(device = %self.topic, power = Self::on_off(self.power), "device: button pressed");
                self.report_power()?;
                if self.spec.kind == DeviceKind::Plug {
                    self.telemetry()?;
                }
                Ok(())
            }
            Local::Load(watts) if self.spec.kind == DeviceKind::Plug => {
                self.load = watts;
                tracing::info!(device = %self.topic, watts, "device: load changed");
                self.telemetry()
            }
            Local::Load(_) => Ok(()),
        }
    }

    fn report_power(&self) -> Result<(), Error> {
        let mut result = json!({"POWER": Self::on_off(self.power)});
        if self.spec.kind == DeviceKind::Light {
            result["Dimmer"] = json!(self.dimmer);
        }
        self.publish(Prefix::Stat, "RESULT", result.to_string())?;
        self.publish(Prefix::Stat, "POWER", Self::on_off(self.power).to_owned())
    }

    fn on_command(&mut self, message: &Message) -> Result<(), Error> {
        let topics = self.topics()?;
        let parsed = topics.parse(&message.topic)?;
        if parsed.prefix != Some(Prefix::Cmnd) {
            return Ok(());
        }
        let subtopic = parsed.subtopic.to_owned();
        let command = IncomingCommand::parse(&subtopic, &message.payload)
            .map_err(tasmota_proto::Error::from)?;
        if command.name.eq_ignore_ascii_case("backlog") {
            if let CommandPayload::Text(list) = command.payload {
                for entry in BacklogEntries::new(list).commands() {
                    let entry = entry.map_err(tasmota_proto::Error::from)?;
                    self.obey(&entry)?;
                }
            }
            return Ok(());
        }
        self.obey(&command)
    }

    fn obey(&mut self, command: &IncomingCommand<'_>) -> Result<(), Error> {
        tracing::info!(device = %self.topic, command = command.name, payload = ?command.payload, "device: command");
        let typed = match command.to_command(&StateText::DEFAULT) {
            Ok(typed) => typed,
            Err(error) => {
                let reply = json!({"Command": "Error", "Error": error.to_string()});
                return self.publish(Prefix::Stat, "RESULT", reply.to_string());
            }
        };
        match typed {
            Command::Power { action, .. } => {
                match action {
                    PowerAction::On => self.power = true,
                    PowerAction::Off => self.power = false,
                    PowerAction::Toggle => self.power = !self.power,
                    _ => {}
                }
                self.report_power()?;
                if self.spec.kind == DeviceKind::Plug {
                    self.telemetry()?;
                }
                Ok(())
            }
            Command::Dimmer { level, .. } if self.spec.kind == DeviceKind::Light => {
                self.dimmer = match level {
                    Level::Set(value) => value.min(100),
                    Level::Increase => self.dimmer.saturating_add(10).min(100),
                    Level::Decrease => self.dimmer.saturating_sub(10),
                };
                self.power = self.dimmer > 0;
                self.report_power()
            }
            Command::State => self.telemetry(),
            _ => self.publish(
                Prefix::Stat,
                "RESULT",
                json!({"Command": "Unknown"}).to_string(),
            ),
        }
    }
}

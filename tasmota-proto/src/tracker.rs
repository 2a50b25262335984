//! Entity states kept from a device's messages ([`Tracker`](crate::Tracker)).

use alloc::borrow::ToOwned;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::backlog::Backlog;
use crate::color::{Color, ColorFormat};
use crate::command::{Command, CommandMessage, HsbPart, Level, Tilt};
use crate::entity::{
    Device, Entity, EntityKind, LightConfig, LightKind, Segment, ShutterConfig, StatusSensor,
    Trigger,
};
use crate::error::{CommandError, Error};
use crate::json::Value;
use crate::message::Message;
use crate::power::{PowerAction, PowerState};
use crate::response::{CommandResult, Lwt};
use crate::status::Status;
use crate::telemetry::{Light, Measure, Sensor, Shutter, State};
use crate::text::Str;

/// The most trigger events kept until [`Tracker::poll_change`] takes them.
pub const MAX_EVENTS: usize = 32;

/// A light's state. Brightness, white and the HSB parts are in Tasmota's 0..=100.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LightState {
    /// On or off.
    pub on: Option<bool>,
    /// Brightness.
    pub brightness: Option<u8>,
    /// The RGB colour (the first three channels of `Color`).
    pub rgb: Option<[u8; 3]>,
    /// Hue (0..=360) and saturation.
    pub hs: Option<(u16, u8)>,
    /// Colour temperature, mireds.
    pub ct: Option<u16>,
    /// White channel.
    pub white: Option<u8>,
    /// Scheme (effect) number: 0 Solid, 1 Wake up, 2 Cycle up, 3 Cycle down, 4 Random.
    pub scheme: Option<u8>,
}

/// A shutter's state, as a hub shows it: inversion and tilt scaling applied.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub struct ShutterState {
    /// 0 closed ..= 100 open.
    pub position: Option<u8>,
    /// 1 opening, -1 closing, 0 stopped.
    pub direction: Option<i8>,
    /// Tilt, 0..=100 of the configured range.
    pub tilt: Option<f64>,
}

/// A sensor's value.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SensorValue {
    /// A number.
    Number(f64),
    /// Text (an SSID, a firmware version, a wind direction `WSW`).
    Text(String),
    /// Seconds since the device restarted (the last-restart sensor: the restart time is
    /// now minus this; the tracker has no clock).
    Uptime(u64),
}

/// An entity's state.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum EntityState {
    /// Nothing received yet.
    Unknown,
    /// A relay.
    Relay {
        /// On or off.
        on: bool,
    },
    /// A light.
    Light(LightState),
    /// A shutter.
    Shutter(ShutterState),
    /// The fan: speed 0 (off) ..= 3.
    Fan {
        /// The speed.
        speed: u8,
    },
    /// A binary sensor.
    BinarySensor {
        /// On (closed, motion) or off.
        on: bool,
    },
    /// A sensor or diagnostic sensor.
    Sensor(SensorValue),
}

/// What changed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Change<'t> {
    /// The device went online or offline (LWT). On online, send
    /// [`Tracker::poll_commands`].
    Availability {
        /// Online.
        online: bool,
    },
    /// An entity has a new state.
    State {
        /// The entity.
        entity: &'t Entity,
        /// Its state.
        state: &'t EntityState,
    },
    /// A button or switch trigger fired.
    Trigger(&'t Trigger),
}

/// What a hub asks an entity to do.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Request {
    /// Switch a relay, or a light without other changes.
    Power(bool),
    /// Change a light.
    Light(LightRequest),
    /// Open a shutter.
    Open,
    /// Close a shutter.
    Close,
    /// Stop a shutter.
    Stop,
    /// Move a shutter to 0 (closed) ..= 100 (open).
    Position(u8),
    /// Open a shutter's tilt.
    TiltOpen,
    /// Close a shutter's tilt.
    TiltClose,
    /// Tilt to 0..=100 of the configured range.
    Tilt(u8),
    /// Set the fan's speed, 0 (off) ..= 3.
    FanSpeed(u8),
}

impl Request {
    /// Switch a light on, to be refined with the `with_*` methods.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub const fn light_on() -> LightRequest {
        LightRequest {
            on: true,
            brightness: None,
            rgb: None,
            hs: None,
            ct: None,
            scheme: None,
            white: None,
            transition: None,
        }
    }
}

impl From<LightRequest> for Request {
    fn from(r: LightRequest) -> Self {
        Self::Light(r)
    }
}

/// A change to a light, as Home Assistant's `light.turn_on` and `turn_off` carry it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct LightRequest {
    /// On or off.
    pub on: bool,
    /// Brightness, 0..=100.
    pub brightness: Option<u8>,
    /// RGB colour.
    pub rgb: Option<[u8; 3]>,
    /// Hue and saturation.
    pub hs: Option<(u16, u8)>,
    /// Colour temperature, mireds.
    pub ct: Option<u16>,
    /// Scheme.
    pub scheme: Option<u8>,
    /// White channel, 0..=100.
    pub white: Option<u8>,
    /// Transition, seconds (0 switches fading off).
    pub transition: Option<f64>,
}

impl LightRequest {
    /// Off.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!tasmota_proto::LightRequest::off().on);
    /// ```
    pub const fn off() -> Self {
        let mut r = Request::light_on();
        r.on = false;
        r
    }

    /// With a brightness.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    #[must_use]
    pub const fn with_brightness(mut self, b: u8) -> Self {
        self.brightness = Some(b);
        self
    }

    /// With an RGB colour.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Request::light_on().with_rgb([1, 2, 3]).rgb, Some([1, 2, 3]));
    /// ```
    #[must_use]
    pub const fn with_rgb(mut self, rgb: [u8; 3]) -> Self {
        self.rgb = Some(rgb);
        self
    }

    /// With hue and saturation.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Request::light_on().with_hs(0, 100).hs, Some((0, 100)));
    /// ```
    #[must_use]
    pub const fn with_hs(mut self, hue: u16, saturation: u8) -> Self {
        self.hs = Some((hue, saturation));
        self
    }

    /// With a colour temperature in mireds.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    #[must_use]
    pub const fn with_ct(mut self, mireds: u16) -> Self {
        self.ct = Some(mireds);
        self
    }

    /// With a scheme (effect).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Request::light_on().with_scheme(4).scheme, Some(4));
    /// ```
    #[must_use]
    pub const fn with_scheme(mut self, scheme: u8) -> Self {
        self.scheme = Some(scheme);
        self
    }

    /// With a white level.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Request::light_on().with_white(50).white, Some(50));
    /// ```
    #[must_use]
    pub const fn with_white(mut self, white: u8) -> Self {
        self.white = Some(white);
        self
    }

    /// With a transition in seconds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Request::light_on().with_transition(2.0).transition, Some(2.0));
    /// ```
    #[must_use]
    pub const fn with_transition(mut self, seconds: f64) -> Self {
        self.transition = Some(seconds);
        self
    }
}

/// Keeping each entity's state: a sans-IO state machine fed with a device's decoded messages.
///
/// | call | what it does |
/// |---|---|
/// | [`Tracker::handle`] | applies one decoded message (RESULT, STATE, SENSOR, STATUS 0–13, `POWER<n>`, LWT, SetOption4 replies) |
/// | [`Tracker::poll_change`] | the next [`Change`]: an entity's new state, availability, or a trigger |
/// | [`Tracker::command`] | the message that carries out a [`Request`] on an entity |
/// | [`Tracker::poll_commands`] | what to send on (re)connect (and when a [`Change::Availability`] says online) |
///
/// Memory is bounded by the [`Device`]: one state per entity (the device's own bounds,
/// [`MAX_RELAYS`](crate::MAX_RELAYS) and the others, cap the entities), one pending-change
/// flag per entity, and at most [`MAX_EVENTS`] undelivered trigger events (older ones are
/// counted in [`Tracker::dropped_events`], never silently lost). A state change overwrites the
/// pending one of the same entity, so a slow consumer sees the latest state. Applying a
/// message that carries only power, dimmer or colour state does not allocate.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Change, Decoder, Device, EntityState, Message, Request, Tracker};
/// # let config = br#"{"mac":"00000049A3BC","t":"tasmota_49A3BC","ft":"%topic%/%prefix%/","dn":"Desk","fn":["Desk",null],
/// #   "rl":[2,0,0,0,0,0,0,0],"swc":[-1,-1,-1,-1,-1,-1,-1,-1],"btn":[0,0,0,0],"lt_st":5,"lk":1,
/// #   "so":{"4":0,"11":0,"13":0,"17":0,"20":0,"30":0,"68":0,"73":0,"82":0,"114":0,"117":0}}"#;
/// let decoder = Decoder::new().with_full_topic(tasmota_proto::FullTopic::new("%topic%/%prefix%/")?);
/// let Message::DiscoveryConfig(c) = decoder.decode("tasmota/discovery/00000049A3BC/config", config)?.message else { panic!() };
/// let mut tracker = Tracker::new(Device::from_config(&c));
///
/// let m = decoder.decode("tasmota_49A3BC/tele/STATE", br#"{"POWER":"ON","Dimmer":40,"CT":300}"#)?;
/// tracker.handle(&m.message);
/// let Some(Change::State { entity, state: EntityState::Light(l) }) = tracker.poll_change() else { panic!() };
/// assert_eq!((entity.unique_id.as_str(), l.on, l.brightness, l.ct), ("00000049A3BC_light_light_0", Some(true), Some(40), Some(300)));
///
/// let cmd = tracker.command(0, Request::light_on().with_brightness(75).with_ct(200))?;
/// assert_eq!(cmd.topic(), "tasmota_49A3BC/cmnd/Backlog");
/// assert_eq!(cmd.payload(), "NoDelay;Dimmer 75;NoDelay;CT 200");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Tracker {
    device: Device,
    states: Vec<EntityState>,
    pending: Vec<bool>,
    next: usize,
    online: Option<bool>,
    availability_pending: bool,
    events: VecDeque<usize>,
    dropped_events: u64,
}

impl Tracker {
    /// A tracker for the device, every state unknown but the IP sensor's, which discovery
    /// gives.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub fn new(device: Device) -> Self {
        let n = device.entities.len();
        let mut states = alloc::vec![EntityState::Unknown; n];
        // The IP comes with discovery: known from the start, not a change.
        if let Some(ip) = &device.ip {
            for (e, s) in device.entities.iter().zip(&mut states) {
                if e.kind == EntityKind::Status(StatusSensor::Ip) {
                    *s = EntityState::Sensor(SensorValue::Text(ip.clone()));
                }
            }
        }
        Self {
            states,
            pending: alloc::vec![false; n],
            next: 0,
            online: None,
            availability_pending: false,
            events: VecDeque::with_capacity(MAX_EVENTS),
            dropped_events: 0,
            device,
        }
    }

    /// The device.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub const fn device(&self) -> &Device {
        &self.device
    }

    /// The state of entity `i` (an index into [`Device::entities`]).
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub fn state(&self, i: usize) -> Option<&EntityState> {
        self.states.get(i)
    }

    /// Whether the device is available: from its LWT, always for deep-sleep devices, `None`
    /// before the first LWT.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub const fn available(&self) -> Option<bool> {
        if self.device.availability.deep_sleep {
            return Some(true);
        }
        self.online
    }

    /// Trigger events dropped because more than [`MAX_EVENTS`] were waiting.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub const fn dropped_events(&self) -> u64 {
        self.dropped_events
    }

    /// Applies one of the device's messages; the changes are then taken with
    /// [`Tracker::poll_change`]. Returns whether anything changed.
    ///
    /// Decode the device's messages with its texts ([`Device::state_text`],
    /// [`Device::lwt_text`]) so custom StateText and LWT texts are understood.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub fn handle(&mut self, message: &Message<'_>) -> bool {
        // Changes come out in entity order from the first entity after each message.
        self.next = 0;
        let before = self.pending_count();
        match message {
            Message::Lwt(l) => {
                let online = match l {
                    Lwt::Online => true,
                    Lwt::Offline => false,
                    Lwt::Other(_) => return false,
                };
                if !self.device.availability.deep_sleep && self.online != Some(online) {
                    self.online = Some(online);
                    self.availability_pending = true;
                    return true;
                }
                return false;
            }
            Message::State(s) => self.apply_state(s),
            Message::Result(r) => self.apply_result(r),
            Message::Sensor(s) => self.apply_sensor(s),
            Message::Status(s) => self.apply_status(s),
            Message::Power { index, state } => {
                let n = index.unwrap_or(1);
                self.apply_power(|i| (i == n).then_some(*state));
            }
            _ => {}
        }
        self.pending_count() != before
    }

    fn pending_count(&self) -> usize {
        self.pending.iter().filter(|p| **p).count()
            + self.events.len()
            + usize::from(self.availability_pending)
    }

    /// The next change, availability first, then triggers in order, then entity states in
    /// entity order.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub fn poll_change(&mut self) -> Option<Change<'_>> {
        if core::mem::take(&mut self.availability_pending) {
            return Some(Change::Availability {
                online: self.online.unwrap_or(false),
            });
        }
        if let Some(t) = self.events.pop_front() {
            return self.device.triggers.get(t).map(Change::Trigger);
        }
        let n = self.pending.len();
        for k in 0..n {
            let i = (self.next + k) % n;
            if core::mem::take(&mut self.pending[i]) {
                self.next = (i + 1) % n;
                return Some(Change::State {
                    entity: &self.device.entities[i],
                    state: &self.states[i],
                });
            }
        }
        None
    }

    fn set(&mut self, i: usize, state: EntityState) {
        if self.states[i] != state {
            self.states[i] = state;
            self.pending[i] = true;
        }
    }

    fn fire(&mut self, source: crate::entity::TriggerSource, index: u8, event: Str<'_>) {
        let found = self
            .device
            .triggers
            .iter()
            .position(|t| t.source == source && t.index == index && event == t.event.as_str());
        if let Some(t) = found {
            if self.events.len() == MAX_EVENTS {
                self.events.pop_front();
                self.dropped_events += 1;
            }
            self.events.push_back(t);
        }
    }

    fn apply_power<'p>(&mut self, power: impl Fn(u8) -> Option<PowerState<'p>>) {
        for i in 0..self.device.entities.len() {
            let relay = match &self.device.entities[i].kind {
                EntityKind::Relay { relay, .. } => *relay,
                EntityKind::Light(l) => l.relay,
                _ => continue,
            };
            let on = match power(relay + 1) {
                Some(PowerState::On) => true,
                Some(PowerState::Off) => false,
                _ => continue,
            };
            let next = match &self.states[i] {
                EntityState::Light(l) => EntityState::Light(LightState { on: Some(on), ..*l }),
                _ if matches!(self.device.entities[i].kind, EntityKind::Light(_)) => {
                    EntityState::Light(LightState {
                        on: Some(on),
                        ..LightState::default()
                    })
                }
                _ => EntityState::Relay { on },
            };
            self.set(i, next);
        }
    }

    fn apply_light(&mut self, light: &Light) {
        if light.is_empty() {
            return;
        }
        for i in 0..self.device.entities.len() {
            let EntityKind::Light(cfg) = &self.device.entities[i].kind else {
                continue;
            };
            let mut s = match &self.states[i] {
                EntityState::Light(l) => *l,
                _ => LightState::default(),
            };
            if cfg.kind != LightKind::OnOff {
                if let Some(b) = brightness(cfg, light) {
                    s.brightness = Some(b);
                }
                if let Some(c) = light.color
                    && let [r, g, b, ..] = *c.channels()
                {
                    s.rgb = Some([r, g, b]);
                }
                if let Some(h) = light.hsb {
                    s.hs = Some((h.hue(), h.saturation()));
                }
                s.ct = light.ct.or(s.ct);
                s.scheme = light.scheme.or(s.scheme);
                s.white = light.white.or(s.white);
            }
            self.set(i, EntityState::Light(s));
        }
    }

    fn apply_fan(&mut self, speed: Option<u8>) {
        let Some(speed) = speed.filter(|s| *s <= 3) else {
            return;
        };
        if let Some(i) = self
            .device
            .entities
            .iter()
            .position(|e| e.kind == EntityKind::Fan)
        {
            self.set(i, EntityState::Fan { speed });
        }
    }

    fn apply_shutters(&mut self, shutters: &[Shutter]) {
        for sh in shutters {
            let found =
                self.device.entities.iter().position(
                    |e| matches!(&e.kind, EntityKind::Shutter(c) if c.index + 1 == sh.index),
                );
            let Some(i) = found else { continue };
            let EntityKind::Shutter(cfg) = self.device.entities[i].kind else {
                continue;
            };
            let mut s = match &self.states[i] {
                EntityState::Shutter(s) => *s,
                _ => ShutterState::default(),
            };
            if let Some(p) = sh.position {
                s.position = Some(if cfg.inverted {
                    100u8.saturating_sub(p)
                } else {
                    p
                });
            }
            if let Some(d) = sh.direction {
                s.direction = Some(if cfg.inverted { d.saturating_neg() } else { d });
            }
            if let Some(t) = sh.tilt {
                let (min, max) = (cfg.tilt[0], cfg.tilt[1]);
                if max != min {
                    s.tilt = Some(f64::from(i32::from(t) - min) * 100.0 / f64::from(max - min));
                }
            }
            self.set(i, EntityState::Shutter(s));
        }
    }

    fn apply_switch(&mut self, index: Option<u8>, key: Option<Str<'_>>, state: PowerState<'_>) {
        let on = match state {
            PowerState::On => true,
            PowerState::Off => false,
            _ => return,
        };
        for i in 0..self.device.entities.len() {
            let EntityKind::BinarySensor(b) = &self.device.entities[i].kind else {
                continue;
            };
            let hit = match (index, key) {
                (Some(n), _) => {
                    b.key == alloc::format!("Switch{n}")
                        || (b.index + 1 == n && b.key.starts_with("Switch"))
                }
                (None, Some(k)) => k == b.key.as_str(),
                (None, None) => false,
            };
            if hit {
                self.set(i, EntityState::BinarySensor { on });
            }
        }
    }

    fn apply_status_value(&mut self, which: StatusSensor, value: SensorValue) {
        let found = self
            .device
            .entities
            .iter()
            .position(|e| e.kind == EntityKind::Status(which));
        if let Some(i) = found {
            self.set(i, EntityState::Sensor(value));
        }
    }

    fn apply_state(&mut self, s: &State<'_>) {
        self.apply_power(|n| s.power(n));
        self.apply_light(&s.light);
        self.apply_fan(s.fan_speed);
        if let Some(w) = &s.wifi {
            if let Some(r) = w.rssi {
                self.apply_status_value(StatusSensor::Rssi, SensorValue::Number(f64::from(r)));
            }
            if let Some(sig) = w.signal {
                self.apply_status_value(StatusSensor::Signal, SensorValue::Number(sig));
            }
            if let Some(l) = w.link_count {
                self.apply_status_value(StatusSensor::LinkCount, SensorValue::Number(f64::from(l)));
            }
            if let Some(ssid) = w.ssid {
                self.apply_status_value(
                    StatusSensor::Ssid,
                    SensorValue::Text(ssid.to_cow().into_owned()),
                );
            }
        }
        if let Some(m) = s.mqtt_count {
            self.apply_status_value(StatusSensor::MqttCount, SensorValue::Number(f64::from(m)));
        }
        if let Some(b) = s.battery_percentage {
            self.apply_status_value(
                StatusSensor::BatteryPercentage,
                SensorValue::Number(f64::from(b)),
            );
        }
        self.apply_switch_keys(&s.other);
    }

    fn apply_result(&mut self, r: &CommandResult<'_>) {
        self.apply_power(|n| r.power(n));
        self.apply_light(&r.light);
        self.apply_fan(r.fan_speed);
        self.apply_shutters(&r.shutters);
        for sw in &r.switches {
            self.apply_switch(Some(sw.index), None, sw.state);
            if let PowerState::Toggle | PowerState::Hold = sw.state {
                let event = match sw.state {
                    PowerState::Toggle => self.device.state_text[2].clone(),
                    _ => self.device.state_text[3].clone(),
                };
                self.fire(
                    crate::entity::TriggerSource::Switch,
                    sw.index - 1,
                    Str::new(&event),
                );
            }
        }
        for b in &r.buttons {
            let text = b.action.text();
            self.fire(
                crate::entity::TriggerSource::Button,
                b.index.saturating_sub(1),
                text,
            );
        }
        // Switches named with SwitchText report under their name.
        for (k, v) in &r.other {
            let Some(action) = v.get("Action").and_then(Value::as_str) else {
                continue;
            };
            let texts = self.device.state_text();
            let state = texts.classify(action);
            self.apply_switch(None, Some(*k), state);
            let named = self
                .device
                .triggers
                .iter()
                .find(|t| *k == t.key.as_str() && action == t.event.as_str())
                .map(|t| (t.source, t.index));
            if let Some((src, idx)) = named {
                self.fire(src, idx, action);
            }
        }
    }

    fn apply_switch_keys(&mut self, members: &[(Str<'_>, Value<'_>)]) {
        for (k, v) in members {
            if let Some(s) = v.as_str() {
                let state = self.device.state_text().classify(s);
                self.apply_switch(None, Some(*k), state);
            }
        }
    }

    fn apply_sensor(&mut self, s: &Sensor<'_>) {
        for sw in &s.switches {
            self.apply_switch(Some(sw.index), None, sw.state);
        }
        self.apply_switch_keys(&s.other);
        self.apply_shutters(&s.shutters);
        for i in 0..self.device.entities.len() {
            let EntityKind::Sensor(cfg) = &self.device.entities[i].kind else {
                continue;
            };
            if let Some(v) = sensor_value(s, &cfg.path) {
                self.set(i, EntityState::Sensor(v));
            }
        }
    }

    fn apply_status(&mut self, s: &Status<'_>) {
        if let Some(sns) = &s.sensor {
            self.apply_sensor(sns);
        }
        if let Some(sts) = &s.state {
            self.apply_state(sts);
            if let Some(up) = sts.uptime_sec {
                self.apply_status_value(StatusSensor::LastRestartTime, SensorValue::Uptime(up));
            }
        }
        if let Some(r) = s.parameters.as_ref().and_then(|p| p.restart_reason) {
            self.apply_status_value(
                StatusSensor::RestartReason,
                SensorValue::Text(r.to_cow().into_owned()),
            );
        }
        if let Some(v) = s.firmware.as_ref().and_then(|f| f.version) {
            self.apply_status_value(StatusSensor::Version, SensorValue::Text(v.raw().to_owned()));
        }
    }

    /// The message that carries out `request` on entity `i`: one command, or one Backlog
    /// with `NoDelay` between commands where Home Assistant sends several.
    ///
    /// # Errors
    ///
    /// [`Error::Command`] when the entity does not exist or cannot do it
    /// ([`CommandError::InvalidValue`]), or a value is out of range; [`Error::Topic`] when the
    /// device's topics are not usable.
    ///
    /// # Examples
    ///
    /// See [`Tracker`].
    pub fn command(&self, i: usize, request: impl Into<Request>) -> Result<CommandMessage, Error> {
        let request = &request.into();
        let topics = self.device.topics()?;
        let unsupported = |reason| {
            Error::Command(CommandError::InvalidValue {
                what: "request",
                reason,
            })
        };
        let entity = self
            .device
            .entities
            .get(i)
            .ok_or_else(|| unsupported("there is no such entity"))?;
        let power = |relay: u8, on: bool| Command::Power {
            index: Some(relay + 1),
            action: if on {
                PowerAction::On
            } else {
                PowerAction::Off
            },
        };
        let one = |c: Command<'_>| topics.command(&c);
        match (&entity.kind, request) {
            (EntityKind::Relay { relay, .. }, Request::Power(on))
            | (EntityKind::Relay { relay, .. }, Request::Light(LightRequest { on, .. })) => {
                one(power(*relay, *on))
            }
            (EntityKind::Light(cfg), Request::Power(on)) => {
                let mut r = Request::light_on();
                r.on = *on;
                topics.backlog(&self.light_backlog(i, cfg, &r)?)
            }
            (EntityKind::Light(cfg), Request::Light(r)) => {
                topics.backlog(&self.light_backlog(i, cfg, r)?)
            }
            (EntityKind::Shutter(cfg), r) => {
                one(shutter_command(cfg, r)
                    .ok_or_else(|| unsupported("a shutter cannot do this"))?)
            }
            (EntityKind::Fan, Request::FanSpeed(s)) => one(Command::FanSpeed(Level::Set(*s))),
            (EntityKind::Fan, Request::Power(on)) => {
                one(Command::FanSpeed(Level::Set(if *on { 2 } else { 0 })))
            }
            _ => Err(unsupported("the entity cannot do this")),
        }
    }

    fn light_backlog(
        &self,
        i: usize,
        cfg: &LightConfig,
        r: &LightRequest,
    ) -> Result<Backlog, Error> {
        let mut b = Backlog::new();
        let idx = cfg.relay + 1;
        let power = Command::Power {
            index: Some(idx),
            action: if r.on {
                PowerAction::On
            } else {
                PowerAction::Off
            },
        };
        if cfg.supports_transition()
            && let Some(t) = r.transition
        {
            b.push_no_delay(&Command::Fade {
                index: Some(2),
                on: t > 0.0,
            })?;
            if t > 0.0 {
                let speed = self.speed(i, cfg, r, t);
                b.push_no_delay(&Command::Speed {
                    index: Some(2),
                    value: speed,
                })?;
            }
        }
        let mut line = PayloadLine::new();
        match r.brightness {
            Some(level) if cfg.by_channel => {
                b.push_no_delay(&Command::Channel {
                    index: idx,
                    value: level,
                })?;
            }
            Some(level) => {
                let (name, index) = crate::extract::split_index(&cfg.dimmer_command);
                debug_assert_eq!(name, "Dimmer");
                b.push_no_delay(&Command::Dimmer {
                    index,
                    level: Level::Set(level),
                })?;
            }
            None => {
                b.push_no_delay(&power)?;
            }
        }
        if let Some([r0, g0, b0]) = r.rgb {
            if cfg.color_suffix.is_empty() {
                b.push_no_delay(&Command::Color {
                    index: Some(2),
                    color: Color::rgb(r0, g0, b0),
                    format: ColorFormat::Decimal,
                })?;
            } else {
                let payload = line.format(format_args!("{r0},{g0},{b0}{}", cfg.color_suffix))?;
                b.push_no_delay(&Command::Raw {
                    name: "Color",
                    index: Some(2),
                    payload,
                })?;
            }
        }
        if let Some((h, s)) = r.hs {
            b.push_no_delay(&Command::HsbColorPart(HsbPart::Hue(h)))?;
            b.push_no_delay(&Command::HsbColorPart(HsbPart::Saturation(s)))?;
        }
        if let Some(ct) = r.ct {
            b.push_no_delay(&Command::Ct(ct))?;
        }
        if let Some(scheme) = r.scheme {
            b.push_no_delay(&Command::Scheme(scheme))?;
        }
        if let Some(w) = r.white {
            b.push_no_delay(&Command::White(w))?;
        }
        if cfg.not_power_linked && r.brightness.is_some() {
            b.push_no_delay(&power)?;
        }
        Ok(b)
    }

    /// Tasmota's `Speed` (half-seconds for a full fade, 1..=40) for a transition of `t`
    /// seconds, scaled to the channel that changes most (hatasmota's calculation).
    fn speed(&self, i: usize, cfg: &LightConfig, r: &LightRequest, t: f64) -> u8 {
        let speed = if cfg.fade_fixed_duration {
            round(t * 2.0)
        } else {
            let cur = match &self.states[i] {
                EntityState::Light(l) => *l,
                _ => LightState::default(),
            };
            let old = f64::from(cur.brightness.unwrap_or(100));
            let now_b = if cur.on == Some(true) { old } else { 0.0 };
            let target_b = r.brightness.map_or(if r.on { old } else { 0.0 }, f64::from);
            let mut current: [f64; 4] = [0.0; 4];
            let mut target: [f64; 4] = [0.0; 4];
            let mut n = 0;
            let rank = cfg.kind;
            if matches!(rank, LightKind::Rgb | LightKind::Rgbw | LightKind::Rgbcw)
                && let Some(c) = cur.rgb
            {
                let goal = r
                    .rgb
                    .or_else(|| r.hs.map(|(h, s)| hs_to_rgb(h, s)))
                    .unwrap_or(c);
                for (now, to) in c.iter().zip(goal) {
                    current[n] = f64::from(*now) / 255.0;
                    target[n] = f64::from(to) / 255.0;
                    n += 1;
                }
            }
            if rank != LightKind::OnOff
                && rank != LightKind::Dimmer
                && let Some(ct) = cur.ct.filter(|c| *c != 0)
            {
                let (min, max) = cfg.ct_range;
                let range = f64::from(max - min);
                current[n] = (f64::from(ct) - f64::from(min)) / range;
                target[n] = (f64::from(r.ct.unwrap_or(ct)) - f64::from(min)) / range;
                n += 1;
            }
            for k in 0..n {
                current[k] *= now_b / 100.0;
                target[k] *= target_b / 100.0;
            }
            if n == 0 {
                current[0] = now_b / 100.0;
                target[0] = target_b / 100.0;
                n = 1;
            }
            let delta = (0..n)
                .map(|k| (current[k] - target[k]).abs())
                .fold(0.0, f64::max);
            if delta == 0.0 {
                0
            } else {
                round(t * 2.0 / delta)
            }
        };
        u8::try_from(speed.clamp(1, 40)).unwrap_or(40)
    }

    /// The commands to send when the device comes online or the hub (re)connects, one per
    /// `Status` or `State` query its entities need (Home Assistant's polls, deduplicated):
    /// `State` for relays, lights and the fan, `Status 10` for sensors, binary sensors and
    /// shutters, `Status 1`, `2` and `11` for the diagnostic sensors.
    ///
    /// # Errors
    ///
    /// [`Error::Topic`] when the device's topics are not usable.
    ///
    /// # Examples
    ///
    /// ```
    /// # let c = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/","rl":[1]}"#, &Default::default())?.value;
    /// let t = tasmota_proto::Tracker::new(tasmota_proto::Device::from_config(&c));
    /// let polls: Vec<String> = t.poll_commands()?.iter().map(|m| format!("{} {}", m.topic(), m.payload())).collect();
    /// assert_eq!(polls, ["cmnd/t/State ", "cmnd/t/Status 1", "cmnd/t/Status 2", "cmnd/t/Status 11"]);
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn poll_commands(&self) -> Result<Vec<CommandMessage>, Error> {
        let mut state = false;
        let mut status = [false; 12];
        for e in &self.device.entities {
            match &e.kind {
                EntityKind::Relay { .. } | EntityKind::Light(_) | EntityKind::Fan => state = true,
                EntityKind::Shutter(_) | EntityKind::Sensor(_) => status[10] = true,
                EntityKind::BinarySensor(b) => status[10] |= !b.mode.is_motion(),
                EntityKind::Status(s) => {
                    if let Some(n) = s.status() {
                        status[usize::from(n)] = true;
                    }
                }
            }
        }
        let topics = self.device.topics()?;
        let mut out = Vec::new();
        if state {
            out.push(topics.command(&Command::State)?);
        }
        for n in (0u8..12).filter(|n| status[usize::from(*n)]) {
            out.push(topics.command(&Command::Status(Some(n)))?);
        }
        Ok(out)
    }
}

/// A small text buffer for a command argument built with `format_args!`.
struct PayloadLine(crate::fixed::FixedStr<32>);

impl PayloadLine {
    const fn new() -> Self {
        Self(crate::fixed::FixedStr::new())
    }

    fn clear(&mut self) {
        self.0 = crate::fixed::FixedStr::new();
    }

    fn format(&mut self, args: core::fmt::Arguments<'_>) -> Result<&str, CommandError> {
        use core::fmt::Write;
        self.clear();
        self.0
            .write_fmt(args)
            .map_err(|_| CommandError::InvalidValue {
                what: "argument",
                reason: "longer than 32 bytes",
            })?;
        Ok(self.0.as_str())
    }
}

fn round(x: f64) -> i64 {
    // `round` is not in core; the values are small and non-negative.
    #[expect(clippy::cast_possible_truncation, reason = "speeds are far below 2^63")]
    let r = (x + 0.5) as i64;
    r
}

/// HSV (value 1) to RGB, as Python's `colorsys` with truncation to 0..=255.
#[expect(
    clippy::many_single_char_names,
    reason = "the textbook names of the HSV formula"
)]
fn hs_to_rgb(h: u16, s: u8) -> [u8; 3] {
    let h = f64::from(h % 360) / 60.0;
    let s = f64::from(s.min(100)) / 100.0;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "0..6"
    )]
    let sector = h as u8;
    let f = h - f64::from(sector);
    let (p, q, t) = (1.0 - s, 1.0 - s * f, 1.0 - s * (1.0 - f));
    let (r, g, b) = match sector {
        0 => (1.0, t, p),
        1 => (q, 1.0, p),
        2 => (p, 1.0, t),
        3 => (p, q, 1.0),
        4 => (t, p, 1.0),
        _ => (1.0, p, q),
    };
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "0..=255"
    )]
    let c = |x: f64| (x * 255.0) as u8;
    [c(r), c(g), c(b)]
}

fn brightness(cfg: &LightConfig, light: &Light) -> Option<u8> {
    let (name, index) = crate::extract::split_index(&cfg.dimmer_state);
    match (name, index) {
        ("Dimmer", None) => light.dimmer,
        ("Dimmer", Some(n)) => light
            .dimmers
            .iter()
            .rev()
            .find(|(i, _)| *i == n)
            .map(|(_, v)| *v),
        ("Channel", Some(n)) => light
            .channels
            .iter()
            .rev()
            .find(|(i, _)| *i == n)
            .map(|(_, v)| *v),
        _ => None,
    }
}

fn shutter_command(cfg: &ShutterConfig, r: &Request) -> Option<Command<'static>> {
    let index = Some(cfg.index + 1);
    Some(match *r {
        Request::Open => Command::ShutterOpen(index),
        Request::Close => Command::ShutterClose(index),
        Request::Stop => Command::ShutterStop(index),
        Request::Power(on) => {
            if on {
                Command::ShutterOpen(index)
            } else {
                Command::ShutterClose(index)
            }
        }
        Request::Position(p) => Command::ShutterPosition {
            index,
            position: if cfg.inverted {
                100u8.saturating_sub(p.min(100))
            } else {
                p.min(100)
            },
        },
        Request::TiltOpen => Command::ShutterTilt {
            index,
            tilt: Tilt::Open,
        },
        Request::TiltClose => Command::ShutterTilt {
            index,
            tilt: Tilt::Close,
        },
        Request::Tilt(t) if cfg.supports_tilt() => {
            let (min, max) = (cfg.tilt[0], cfg.tilt[1]);
            let angle =
                round_signed(f64::from(min) + f64::from(t.min(100)) * f64::from(max - min) / 100.0);
            Command::ShutterTilt {
                index,
                tilt: Tilt::Angle(i8::try_from(angle.clamp(-90, 90)).ok()?),
            }
        }
        _ => return None,
    })
}

fn round_signed(x: f64) -> i64 {
    if x >= 0.0 { round(x) } else { -round(-x) }
}

/// The quantities a climate [`Reading`](crate::Reading) types.
const CLIMATE: [&str; 8] = [
    "Temperature",
    "Humidity",
    "DewPoint",
    "Pressure",
    "SeaPressure",
    "Illuminance",
    "Gas",
    "CarbonDioxide",
];

/// The value at a sensor entity's path in a decoded SENSOR (or StatusSNS).
fn sensor_value(s: &Sensor<'_>, path: &[Segment]) -> Option<SensorValue> {
    let [Segment::Key(sensor), Segment::Key(q), rest @ ..] = path else {
        return None;
    };
    let from_measure = |m: &Measure<'_>| -> Option<f64> {
        match (m, rest) {
            (Measure::Single(v), []) => Some(*v),
            (Measure::Channels(c), [Segment::Index(i)]) => c.get(*i).copied().flatten(),
            (Measure::Phases(p), [Segment::Key(k)]) => p
                .iter()
                .find(|(pk, _)| *pk == k.as_str())
                .and_then(|(_, v)| *v),
            _ => None,
        }
    };
    let number = |v: Option<f64>| v.map(SensorValue::Number);
    match sensor.as_str() {
        "ENERGY" => {
            let e = s.energy.as_ref()?;
            if q == "TotalStartTime" {
                let t = e.total_start_time?;
                return Some(SensorValue::Text(alloc::format!("{t}")));
            }
            match e.measure(q) {
                Some(m) => number(from_measure(m)),
                None => tree_value(&e.other, q, rest),
            }
        }
        "ANALOG" => {
            let a = s.analog.iter().rev().find(|a| a.name == q.as_str())?;
            match rest {
                [] => number(a.value),
                [Segment::Key(k)] => number(
                    a.fields
                        .iter()
                        .find(|(fk, _)| *fk == k.as_str())
                        .and_then(|(_, v)| *v),
                ),
                _ => None,
            }
        }
        "COUNTER" => {
            let (_, n) = crate::extract::split_index(q);
            number(
                s.counters
                    .iter()
                    .rev()
                    .find(|(i, _)| Some(*i) == n)
                    .map(|(_, v)| *v),
            )
        }
        _ => {
            // An indexed quantity is the reading at that array position.
            let position = match rest {
                [Segment::Index(i)] => Some(*i),
                _ => None,
            };
            let found = s
                .readings
                .iter()
                .rev()
                .find(|r| r.name == sensor.as_str() && r.position == position);
            if let Some(r) = found {
                if q == "Id" {
                    return r.id.map(|i| SensorValue::Text(i.to_cow().into_owned()));
                }
                if CLIMATE.contains(&q.as_str()) {
                    let whole = rest.is_empty() || position.is_some();
                    return r.quantity(q).filter(|_| whole).map(SensorValue::Number);
                }
                return tree_value(&r.other, q, rest);
            }
            if let Some(n) = sensor
                .strip_prefix("Shutter")
                .and_then(|n| n.parse::<u8>().ok())
            {
                let sh = s.shutters.iter().rev().find(|x| x.index == n)?;
                return number(match q.as_str() {
                    "Position" => sh.position.map(f64::from),
                    "Direction" => sh.direction.map(f64::from),
                    "Target" => sh.target.map(f64::from),
                    "Tilt" => sh.tilt.map(f64::from),
                    _ => None,
                });
            }
            let (_, v) = s.other.iter().rev().find(|(k, _)| *k == sensor.as_str())?;
            let members = v.as_object()?;
            tree_value(members, q, rest)
        }
    }
}

fn tree_value(
    members: &[(Str<'_>, Value<'_>)],
    key: &str,
    rest: &[Segment],
) -> Option<SensorValue> {
    let mut v = &members.iter().rev().find(|(k, _)| *k == key)?.1;
    for seg in rest {
        v = match seg {
            Segment::Key(k) => v.get(k)?,
            Segment::Index(i) => v.as_array()?.get(*i)?,
        };
    }
    match v {
        Value::Number(n) if n.is_finite() => Some(SensorValue::Number(n.as_f64())),
        Value::String(s) => {
            let t = s.to_cow();
            Some(match t.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => SensorValue::Number(f),
                _ => SensorValue::Text(t.into_owned()),
            })
        }
        Value::Bool(b) => Some(SensorValue::Number(if *b { 1.0 } else { 0.0 })),
        _ => None,
    }
}

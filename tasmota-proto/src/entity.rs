//! Devices and their entities from discovery messages ([`Device`](crate::Device)).

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::discovery::{DiscoveryConfig, LightSubtype, RelayType};
use crate::error::{Error, TopicError};
use crate::extract::DecodeOptions;
use crate::json::{self, Mode, Value};
use crate::message::Decoder;
use crate::power::StateText;
use crate::response::LwtText;
use crate::topic::{DeviceTopics, FullTopic, Mac, Prefixes};

/// The most relays a device announces (ESP32 builds send 28 slots; the firmware's
/// `MAX_RELAYS_SET` is 32).
pub const MAX_RELAYS: usize = 32;
/// The most switches a device announces.
pub const MAX_SWITCHES: usize = 32;
/// The most buttons a device announces.
pub const MAX_BUTTONS: usize = 32;
/// The most shutters (the firmware's `MAX_SHUTTERS_ESP32`; hatasmota keeps 16 too).
pub const MAX_SHUTTERS: usize = 16;
/// The most sensor values kept from a `sensors` discovery message.
pub const MAX_SENSORS: usize = 128;

/// One step of a sensor's path in the SENSOR payload: a key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An object key.
    Key(String),
    /// An array index (an indexed sensor such as `TotalTariff[1]`).
    Index(usize),
}

impl core::fmt::Display for Segment {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Key(k) => f.write_str(k),
            Self::Index(i) => write!(f, "{i}"),
        }
    }
}

/// Which colour controls a light has.
///
/// # Examples
///
/// See [`Device`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent capabilities, as Alexa's interfaces are"
)]
pub struct ColorModes {
    /// Brightness (`Dimmer`, `Dimmer<n>` or `Channel<n>`).
    pub brightness: bool,
    /// Hue and saturation (`HSBColor`, `Color`).
    pub color: bool,
    /// Colour temperature (`CT`).
    pub color_temperature: bool,
    /// A separate white channel (`White`).
    pub white: bool,
}

/// The kind of light after the device's options are applied (hatasmota's light type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LightKind {
    /// On and off only.
    OnOff,
    /// One dimmable channel.
    Dimmer,
    /// Cold and warm white.
    ColdWarm,
    /// RGB.
    Rgb,
    /// RGB and white.
    Rgbw,
    /// RGB and cold and warm white.
    Rgbcw,
}

impl LightKind {
    /// The colour controls of this kind.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = tasmota_proto::LightKind::Rgbw.modes();
    /// assert!(m.color && m.white && !m.color_temperature);
    /// ```
    pub const fn modes(self) -> ColorModes {
        let rank = self.rank();
        ColorModes {
            brightness: rank >= 1,
            color: rank >= 3,
            color_temperature: matches!(self, Self::ColdWarm | Self::Rgbcw),
            white: matches!(self, Self::Rgbw),
        }
    }

    const fn rank(self) -> u8 {
        match self {
            Self::OnOff => 0,
            Self::Dimmer => 1,
            Self::ColdWarm => 2,
            Self::Rgb => 3,
            Self::Rgbw => 4,
            Self::Rgbcw => 5,
        }
    }

    const fn from_subtype(st: LightSubtype) -> Self {
        match st {
            LightSubtype::Single => Self::Dimmer,
            LightSubtype::ColdWarm => Self::ColdWarm,
            LightSubtype::Rgb => Self::Rgb,
            LightSubtype::Rgbw => Self::Rgbw,
            LightSubtype::Rgbcw => Self::Rgbcw,
            LightSubtype::None | LightSubtype::Other(_) => Self::OnOff,
        }
    }
}

/// A light's configuration: what it can do and which commands drive it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one per SetOption the discovery message announces"
)]
pub struct LightConfig {
    /// The relay (0-based) it belongs to; `Power<relay+1>` switches it.
    pub relay: u8,
    /// Its kind.
    pub kind: LightKind,
    /// Its colour controls.
    pub modes: ColorModes,
    /// The coldest and warmest colour temperature, in mireds (153..=500, or 200..=380 with
    /// SetOption82).
    pub ct_range: (u16, u16),
    /// The key that reports its brightness: `Dimmer`, `Dimmer1`/`Dimmer2` (split RGB and
    /// white, `lk` 0), `Dimmer3` is the command on Tuya dimmers, `Channel<n>` with
    /// SetOption68.
    pub dimmer_state: String,
    /// The command that sets its brightness.
    pub dimmer_command: String,
    /// Brightness is set with `Channel<n>` (SetOption68 multi-channel PWM).
    pub by_channel: bool,
    /// Appended to `Color2` (`=` keeps the white channels of a split light).
    pub color_suffix: &'static str,
    /// SetOption20: changing dimmer or colour does not switch the light on, so `Power` is sent
    /// after them.
    pub not_power_linked: bool,
    /// SetOption117: fades run for a fixed time rather than at a fixed rate.
    pub fade_fixed_duration: bool,
    /// A TuyaMCU dimmer (no transitions).
    pub tuya: bool,
    /// SetOption17: colours are reported as decimal `r,g,b` rather than hex.
    pub decimal_color: bool,
}

impl LightConfig {
    /// Whether `Fade` and `Speed` transitions apply.
    ///
    /// # Examples
    ///
    /// See [`Device`].
    pub const fn supports_transition(&self) -> bool {
        !matches!(self.kind, LightKind::OnOff) && !self.tuya
    }
}

/// A shutter's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShutterConfig {
    /// The shutter number, 0-based; commands use `index + 1`.
    pub index: u8,
    /// `sho` bit 0: positions are reported and sent as `100 - position`.
    pub inverted: bool,
    /// `sht`: the tilt's minimum, maximum and duration; tilt is supported when the duration
    /// is non-zero and the range is not empty.
    pub tilt: [i32; 3],
}

impl ShutterConfig {
    /// Whether the shutter tilts.
    ///
    /// # Examples
    ///
    /// See [`Device`].
    pub const fn supports_tilt(&self) -> bool {
        self.tilt[2] != 0 && self.tilt[0] != self.tilt[1]
    }
}

/// A switch's configured mode (SwitchMode 0..=16), which decides whether it is a binary
/// sensor and which triggers it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SwitchMode(pub i8);

/// What a switch trigger or a switch-mode entry fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerType {
    /// A short press.
    ShortPress,
    /// A double press.
    DoublePress,
    /// A triple press.
    TriplePress,
    /// Four presses.
    QuadruplePress,
    /// Five presses.
    QuintuplePress,
    /// A long press (hold).
    LongPress,
}

impl SwitchMode {
    /// Whether a switch in this mode is a binary sensor.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::SwitchMode;
    /// assert!(SwitchMode(1).is_binary_sensor() && !SwitchMode(0).is_binary_sensor());
    /// ```
    pub const fn is_binary_sensor(self) -> bool {
        matches!(self.0, 1..=6 | 9 | 10 | 13..=16)
    }

    /// Whether this is a PIR mode (13, 14): the firmware sends only ON, the sensor turns off
    /// after a second.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::SwitchMode(13).is_motion());
    /// ```
    pub const fn is_motion(self) -> bool {
        matches!(self.0, 13 | 14)
    }

    /// The trigger on the TOGGLE action and on the HOLD action.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{SwitchMode, TriggerType};
    /// assert_eq!(SwitchMode(5).triggers(), (Some(TriggerType::ShortPress), Some(TriggerType::LongPress)));
    /// ```
    pub const fn triggers(self) -> (Option<TriggerType>, Option<TriggerType>) {
        let toggle = match self.0 {
            0 | 3..=8 | 11 | 12 => Some(TriggerType::ShortPress),
            _ => None,
        };
        let hold = match self.0 {
            5 | 6 => Some(TriggerType::LongPress),
            8..=10 => Some(TriggerType::DoublePress),
            _ => None,
        };
        (toggle, hold)
    }
}

/// A binary sensor made from a switch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BinarySensorConfig {
    /// The switch number, 0-based.
    pub index: u8,
    /// Its mode.
    pub mode: SwitchMode,
    /// The key its state comes under (`swn`, SwitchText; `Switch<n>` by default).
    pub key: String,
    /// Seconds after which it turns off by itself (PIR modes).
    pub off_delay: Option<u8>,
}

/// A sensor value announced in the `sensors` discovery message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SensorConfig {
    /// Where the value is in SENSOR (and under `StatusSNS` in STATUS 10).
    pub path: Vec<Segment>,
    /// The quantity (`Temperature`, `Power`, `Energy_other` for the AS3935/LD2410 `Energy`).
    pub quantity: String,
    /// The unit; for temperatures, pressures and speeds the `TempUnit` (`C`, `F`),
    /// `PressureUnit` or `SpeedUnit` the device sends.
    pub unit: Option<String>,
    /// The index of an array-valued quantity.
    pub index: Option<usize>,
    /// The key of the time since which a total counts (`TotalStartTime` beside `Total`).
    pub last_reset: Option<Vec<Segment>>,
}

/// A diagnostic sensor from STATE and STATUS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusSensor {
    /// IP address (from discovery).
    Ip,
    /// The last restart time: now minus `UptimeSec` (STATUS 11).
    LastRestartTime,
    /// Wi-Fi link count.
    LinkCount,
    /// MQTT connection count.
    MqttCount,
    /// Restart reason (STATUS 1).
    RestartReason,
    /// Wi-Fi RSSI, %.
    Rssi,
    /// Wi-Fi signal, dBm.
    Signal,
    /// Wi-Fi SSID.
    Ssid,
    /// Firmware version (STATUS 2).
    Version,
    /// Battery level, % (`bat` 1).
    BatteryPercentage,
}

impl StatusSensor {
    const ALL: [Self; 9] = [
        Self::Ip,
        Self::LastRestartTime,
        Self::LinkCount,
        Self::MqttCount,
        Self::RestartReason,
        Self::Rssi,
        Self::Signal,
        Self::Ssid,
        Self::Version,
    ];

    /// hatasmota's name, which ends the unique id.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::StatusSensor::Rssi.key(), "status_rssi");
    /// ```
    pub const fn key(self) -> &'static str {
        match self {
            Self::Ip => "status_ip",
            Self::LastRestartTime => "last_restart_time",
            Self::LinkCount => "status_link_count",
            Self::MqttCount => "status_mqtt_count",
            Self::RestartReason => "status_restart_reason",
            Self::Rssi => "status_rssi",
            Self::Signal => "status_signal",
            Self::Ssid => "status_ssid",
            Self::Version => "status_version",
            Self::BatteryPercentage => "status_battery_percentage",
        }
    }

    /// The display name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::StatusSensor::Version.name(), "Firmware Version");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ip => "IP",
            Self::LastRestartTime => "Last Restart Time",
            Self::LinkCount => "WiFi Connect Count",
            Self::MqttCount => "MQTT Connect Count",
            Self::RestartReason => "Restart Reason",
            Self::Rssi => "RSSI",
            Self::Signal => "Signal",
            Self::Ssid => "SSID",
            Self::Version => "Firmware Version",
            Self::BatteryPercentage => "Battery Level",
        }
    }

    /// The unit.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::StatusSensor::Signal.unit(), Some("dBm"));
    /// ```
    pub const fn unit(self) -> Option<&'static str> {
        match self {
            Self::Rssi | Self::BatteryPercentage => Some("%"),
            Self::Signal => Some("dBm"),
            _ => None,
        }
    }

    /// The `Status <n>` that reports it (`None` for the IP, which comes from discovery).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::StatusSensor::RestartReason.status(), Some(1));
    /// ```
    pub const fn status(self) -> Option<u8> {
        match self {
            Self::Ip => None,
            Self::RestartReason => Some(1),
            Self::Version => Some(2),
            _ => Some(11),
        }
    }
}

/// What an entity is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntityKind {
    /// A relay switched with `Power<relay+1>`: a switch, or a light without dimming
    /// (SetOption30, the iFan's light relay).
    Relay {
        /// The relay, 0-based.
        relay: u8,
        /// Announced as a light rather than a switch.
        as_light: bool,
    },
    /// A light.
    Light(LightConfig),
    /// A shutter (cover).
    Shutter(ShutterConfig),
    /// The iFan's fan: off and speeds 1..=3 with `FanSpeed`.
    Fan,
    /// A binary sensor from a switch.
    BinarySensor(BinarySensorConfig),
    /// A sensor value.
    Sensor(SensorConfig),
    /// A diagnostic sensor.
    Status(StatusSensor),
}

impl EntityKind {
    /// hatasmota's platform and endpoint names, which the unique id is made of.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::EntityKind;
    /// assert_eq!(EntityKind::Fan.platform(), ("fan", "fan"));
    /// ```
    pub const fn platform(&self) -> (&'static str, &'static str) {
        match self {
            Self::Relay {
                as_light: false, ..
            } => ("switch", "relay"),
            Self::Relay { as_light: true, .. } => ("light", "relay"),
            Self::Light(_) => ("light", "light"),
            Self::Shutter(_) => ("cover", "shutter"),
            Self::Fan => ("fan", "fan"),
            Self::BinarySensor(_) => ("binary_sensor", "switch"),
            Self::Sensor(_) => ("sensor", "sensor"),
            Self::Status(_) => ("status_sensor", "status_sensor"),
        }
    }
}

/// One entity of a device.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entity {
    /// Stable across restarts and rediscovery: `<MAC>_<platform>_<endpoint>_<index>`, as
    /// Home Assistant's.
    pub unique_id: String,
    /// The display name; `None` when the entity takes the device's name.
    pub name: Option<String>,
    /// What it is.
    pub kind: EntityKind,
}

/// Where a trigger comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerSource {
    /// A button (SetOption73 and `btn`).
    Button,
    /// A switch (SetOption114 and `swc`).
    Switch,
}

/// A device trigger: a button press or a switch action a hub can automate on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Trigger {
    /// `<MAC>_<button|switch>_<n>_<event>`, as Home Assistant's.
    pub id: String,
    /// Button or switch.
    pub source: TriggerSource,
    /// The button or switch number, 0-based.
    pub index: u8,
    /// The `Action` text that fires it (`SINGLE`, `DOUBLE`, ... for buttons; the device's
    /// TOGGLE or HOLD text for switches).
    pub event: String,
    /// What a user sees.
    pub kind: TriggerType,
    /// The key the action comes under (`Button<n>`, or the switch's name).
    pub key: String,
}

impl Trigger {
    fn new(
        mac: &str,
        source: TriggerSource,
        i: usize,
        event: &str,
        kind: TriggerType,
        key: &str,
    ) -> Self {
        let what = match source {
            TriggerSource::Button => "button",
            TriggerSource::Switch => "switch",
        };
        Self {
            id: format!("{mac}_{what}_{}_{event}", i + 1),
            source,
            index: idx8(i),
            event: event.to_owned(),
            kind,
            key: key.to_owned(),
        }
    }
}

/// How a hub knows the device is reachable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Availability {
    /// The LWT text for online.
    pub online: String,
    /// The LWT text for offline.
    pub offline: String,
    /// Deep sleep is configured (`dslp`): the device is offline between wake-ups, so
    /// availability is not tracked and it is always taken as available.
    pub deep_sleep: bool,
}

/// The camera's HTTP endpoints (ESP32-CAM, `cam` 1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Camera {
    /// `http://<ip>/snapshot.jpg`.
    pub snapshot_url: String,
    /// `http://<ip>:81/cam.mjpeg`, the MJPEG stream.
    pub stream_url: String,
}

/// What a device *is*: its entities, derived from its discovery messages as Home Assistant's
/// `tasmota` integration (hatasmota) derives them, with the same unique ids.
///
/// [`Device::from_config`] reads a `tasmota/discovery/<MAC>/config` message and
/// [`Device::set_sensors`] the matching `sensors` message; the result lists the device's
/// [`Entity`]s (relays as switches or lights, lights with their colour modes, shutters, the
/// iFan fan, binary sensors from switches, sensors with quantity and unit, diagnostic status
/// sensors), its [`Trigger`]s (buttons and switches), its [`Availability`] and its camera. The
/// types own their data, so a hub keeps them after the payloads are gone; nothing here does
/// I/O. [`Tracker`](crate::Tracker) keeps each entity's state and builds its commands.
///
/// The types describe capabilities, not a particular hub: a light says which colour modes it
/// has and its colour-temperature range, a shutter whether it tilts and is inverted, a binary
/// sensor its switch mode (motion for the PIR modes), a relay whether the device meters energy
/// ([`Device::meters_energy`]). A mapping to another ecosystem (Alexa endpoints, their
/// interfaces and display categories, directives to commands, changes to ChangeReports) is
/// written on top of [`Entity`], [`EntityKind`] and [`Change`](crate::Change) without
/// touching this crate.
///
/// Differences from hatasmota, on purpose: discovery from 8.x firmware, which hatasmota's
/// schema rejects, is accepted (missing keys take the firmware's defaults); an unknown switch
/// mode gives no binary sensor instead of an exception; a shutter relay without its pair
/// disables shutters as hatasmota does, and says so in [`Device::notes`].
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Decoder, Device, EntityKind, Message};
/// let config = br#"{"ip":"192.168.1.9","dn":"Desk","fn":["Desk lamp",null],"hn":"desk","mac":"00000049A3BC",
///   "md":"Generic","ty":0,"if":0,"ofln":"Offline","onln":"Online","state":["OFF","ON","TOGGLE","HOLD"],
///   "sw":"9.4.0","t":"tasmota_49A3BC","ft":"%prefix%/%topic%/","tp":["cmnd","stat","tele"],
///   "rl":[2,1,0,0,0,0,0,0],"swc":[1,-1,-1,-1,-1,-1,-1,-1],"swn":[null,null,null,null,null,null,null,null],
///   "btn":[0,0,0,0],"so":{"4":0,"11":0,"13":0,"17":0,"20":0,"30":0,"68":0,"73":0,"82":0,"114":0,"117":0},
///   "lk":1,"lt_st":5,"sho":[],"ver":1}"#;
/// let m = Decoder::new().decode("tasmota/discovery/00000049A3BC/config", config)?;
/// let Message::DiscoveryConfig(c) = m.message else { panic!() };
/// let device = Device::from_config(&c);
/// let ids: Vec<&str> = device.entities.iter().map(|e| e.unique_id.as_str()).collect();
/// assert!(ids.contains(&"00000049A3BC_light_light_0"));
/// assert!(ids.contains(&"00000049A3BC_switch_relay_1"));
/// assert!(ids.contains(&"00000049A3BC_binary_sensor_switch_0"));
/// let EntityKind::Light(light) = &device.entity("00000049A3BC_light_light_0").unwrap().kind else { panic!() };
/// assert!(light.modes.color && light.modes.color_temperature);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Device {
    /// The MAC, which every unique id starts with.
    pub mac: Mac,
    /// `dn`, the device name.
    pub name: Option<String>,
    /// `md`, the module or template.
    pub model: Option<String>,
    /// `sw`, the firmware version (for update checks).
    pub firmware: Option<String>,
    /// `ip`.
    pub ip: Option<String>,
    /// `t`, the Topic.
    pub topic: String,
    /// `ft`, the FullTopic.
    pub full_topic: String,
    /// `hn`, the hostname.
    pub hostname: Option<String>,
    /// `tp`, the prefixes.
    pub prefixes: [String; 3],
    /// `state`: the OFF, ON, TOGGLE and HOLD texts.
    pub state_text: [String; 4],
    /// Replies come on `stat/<t>/<COMMAND>` (SetOption4).
    pub replies_per_command: bool,
    /// Availability.
    pub availability: Availability,
    /// The entities, relays first, in hatasmota's order.
    pub entities: Vec<Entity>,
    /// The active triggers.
    pub triggers: Vec<Trigger>,
    /// The camera, on ESP32-CAM devices.
    pub camera: Option<Camera>,
    /// What the discovery messages announced that is not represented, and why (beyond the
    /// bounds, an unpaired shutter relay, a switch mode out of range).
    pub notes: Vec<String>,
}

impl Device {
    /// The device described by a `config` discovery message.
    ///
    /// # Examples
    ///
    /// See [`Device`].
    #[expect(
        clippy::too_many_lines,
        reason = "one block per entity kind, in hatasmota's order"
    )]
    pub fn from_config(c: &DiscoveryConfig<'_>) -> Self {
        let so = |n| c.set_option(n).unwrap_or(0);
        let mut notes = Vec::new();
        let relays = bounded(&c.relays, MAX_RELAYS, "relays", &mut notes);
        let switch_modes = bounded(&c.switch_modes, MAX_SWITCHES, "switches", &mut notes);
        let buttons = bounded(&c.buttons, MAX_BUTTONS, "buttons", &mut notes);
        let mac = c.mac.to_hex();
        let mut d = Self {
            mac: c.mac,
            name: c.device_name.map(|s| s.to_cow().into_owned()),
            model: c.module.map(|s| s.to_cow().into_owned()),
            firmware: c.software.map(|v| v.raw().to_owned()),
            ip: c.ip.map(|s| s.to_cow().into_owned()),
            topic: c.topic.to_owned(),
            full_topic: c.full_topic.to_owned(),
            hostname: c.hostname.map(ToOwned::to_owned),
            prefixes: c.prefixes.map(ToOwned::to_owned),
            state_text: c.state.map(ToOwned::to_owned),
            replies_per_command: c.replies_per_command(),
            availability: Availability {
                online: c.online.to_owned(),
                offline: c.offline.to_owned(),
                deep_sleep: c.deep_sleep == Some(true),
            },
            entities: Vec::new(),
            triggers: Vec::new(),
            camera: None,
            notes,
        };
        let friendly = |platform: &str, idx: usize| -> Option<String> {
            match c.friendly_names.get(idx).copied().flatten() {
                None => Some(format!("{platform} {}", idx + 1)),
                Some(n) if idx == 0 && Some(n) == c.device_name => None,
                Some(n) => Some(n.to_cow().into_owned()),
            }
        };
        let push = |d: &mut Self, kind: EntityKind, idx: &dyn core::fmt::Display, name| {
            let (platform, endpoint) = kind.platform();
            d.entities.push(Entity {
                unique_id: format!("{mac}_{platform}_{endpoint}_{idx}"),
                name,
                kind,
            });
        };
        let ifan = c.ifan == Some(true);
        let force_light = so(30) == 1;
        let mut types: Vec<RelayType> = relays.to_vec();
        if ifan && types.first() == Some(&RelayType::Light) {
            // The iFan's light is a plain relay shown as a light.
            types[0] = RelayType::Relay;
        }
        // Switches (relays), then lights, then relays as lights, in hatasmota's order.
        for (i, t) in relays.iter().enumerate() {
            if *t == RelayType::Relay && !force_light {
                let kind = EntityKind::Relay {
                    relay: idx8(i),
                    as_light: false,
                };
                push(&mut d, kind, &i, friendly("switch", i));
            }
        }
        let first_light = relays.iter().position(|t| *t == RelayType::Light);
        for (i, t) in types.iter().enumerate() {
            if *t == RelayType::Light {
                let cfg = light(c, i, first_light.unwrap_or(0));
                push(&mut d, EntityKind::Light(cfg), &i, friendly("light", i));
            }
        }
        for (i, t) in types.iter().enumerate() {
            if *t == RelayType::Relay && (force_light || (ifan && i == 0)) {
                let kind = EntityKind::Relay {
                    relay: idx8(i),
                    as_light: true,
                };
                push(&mut d, kind, &i, friendly("light", i));
            }
        }
        for n in 0..shutter_pairs(relays, &mut d.notes) {
            let cfg = ShutterConfig {
                index: idx8(n),
                inverted: c.shutter_options.get(n).is_some_and(|o| o & 1 != 0),
                tilt: c.shutter_tilt.get(n).copied().unwrap_or([0; 3]),
            };
            push(
                &mut d,
                EntityKind::Shutter(cfg),
                &n,
                Some(format!("cover {}", n + 1)),
            );
        }
        if ifan {
            push(&mut d, EntityKind::Fan, &"ifan", None);
        }
        for (i, &m) in switch_modes.iter().enumerate() {
            let mode = SwitchMode(m);
            if !(-1..=16).contains(&m) {
                d.notes
                    .push(format!("switch {}: unknown switch mode {m}", i + 1));
                continue;
            }
            let swn = c.switch_names.get(i).copied().flatten();
            let key = swn.map_or_else(|| format!("Switch{}", i + 1), |s| s.to_cow().into_owned());
            for (event, kind) in [
                (&d.state_text[2], mode.triggers().0),
                (&d.state_text[3], mode.triggers().1),
            ] {
                if let Some(kind) = kind {
                    let t = Trigger::new(&mac, TriggerSource::Switch, i, event, kind, &key);
                    d.triggers.push(t);
                }
            }
            if mode.is_binary_sensor() {
                let name = swn.map_or_else(
                    || format!("binary_sensor {}", i + 1),
                    |s| s.to_cow().into_owned(),
                );
                let cfg = BinarySensorConfig {
                    index: idx8(i),
                    mode,
                    key,
                    off_delay: mode.is_motion().then_some(1),
                };
                push(&mut d, EntityKind::BinarySensor(cfg), &i, Some(name));
            }
        }
        if so(73) == 1 {
            let table: &[(&str, TriggerType)] = if so(13) == 1 {
                &[("SINGLE", TriggerType::ShortPress)]
            } else if so(11) == 1 {
                &BUTTON_SWAPPED
            } else {
                &BUTTON_NORMAL
            };
            for (i, _) in buttons.iter().enumerate().filter(|(_, b)| **b) {
                let key = format!("Button{}", i + 1);
                for &(event, kind) in table {
                    let t = Trigger::new(&mac, TriggerSource::Button, i, event, kind, &key);
                    d.triggers.push(t);
                }
            }
        }
        let battery = c.battery == Some(true);
        for s in StatusSensor::ALL
            .into_iter()
            .chain(battery.then_some(StatusSensor::BatteryPercentage))
        {
            push(
                &mut d,
                EntityKind::Status(s),
                &s.key(),
                Some(s.name().to_owned()),
            );
        }
        let cam = c.other.iter().find(|(k, _)| *k == "cam").map(|(_, v)| v);
        if let (Some(v), Some(ip)) = (cam, &d.ip)
            && v.as_f64() == Some(1.0)
        {
            d.camera = Some(Camera {
                snapshot_url: format!("http://{ip}/snapshot.jpg"),
                stream_url: format!("http://{ip}:81/cam.mjpeg"),
            });
        }
        d
    }

    /// Replaces the sensor entities with those of a `sensors` discovery message
    /// (`{"sn":{...},"ver":1}`), read leniently.
    ///
    /// Every numeric or text value under a sensor object becomes a sensor: simple
    /// (`DHT11.Temperature`), indexed from an array (`ENERGY.TotalTariff.1`) or nested
    /// (`TX23.Speed.Act`). `Time`, `PN532` and `RDM6300`, and top-level values that are not
    /// objects (`TempUnit`, `Switch1`), are not sensors.
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not JSON or has no `sn` object.
    ///
    /// # Examples
    ///
    /// ```
    /// # let c = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/"}"#, &Default::default())?.value;
    /// use tasmota_proto::{Device, EntityKind};
    /// let mut d = Device::from_config(&c);
    /// d.set_sensors(br#"{"sn":{"Time":"2021-01-01T00:00:00","AM2301":{"Temperature":21.5,"Humidity":40},
    ///     "ENERGY":{"TotalTariff":[1.5,2.5]},"TempUnit":"F"},"ver":1}"#)?;
    /// let EntityKind::Sensor(t) = &d.entity("00000049A3BC_sensor_sensor_AM2301_Temperature").unwrap().kind else { panic!() };
    /// assert_eq!(t.unit.as_deref(), Some("F"));
    /// assert!(d.entity("00000049A3BC_sensor_sensor_ENERGY_TotalTariff_1").is_some());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    #[expect(
        clippy::too_many_lines,
        reason = "the three sensor shapes, one after the other"
    )]
    pub fn set_sensors(&mut self, payload: &[u8]) -> Result<(), Error> {
        let parsed = json::parse(payload, Mode::Lenient)?;
        let sn = parsed
            .value
            .get("sn")
            .and_then(Value::as_object)
            .ok_or_else(|| {
                Error::Payload(json::Issue {
                    kind: json::IssueKind::MissingField { field: "sn" },
                    offset: None,
                    path: json::Path::ROOT.key("sn").render(),
                })
            })?;
        self.entities
            .retain(|e| !matches!(e.kind, EntityKind::Sensor(_)));
        let unit_of = |key: &str| {
            sn.iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| v.as_str())
                .map(|s| s.to_cow().into_owned())
        };
        let temp = unit_of("TempUnit");
        let pressure = unit_of("PressureUnit");
        let speed = unit_of("SpeedUnit");
        let mac = self.mac.to_hex();
        let mut count = 0usize;
        for (sensor, value) in sn {
            let sensor = sensor.to_cow();
            if ["Time", "PN532", "RDM6300"].contains(&sensor.as_ref()) {
                continue;
            }
            let Some(members) = value.as_object() else {
                continue;
            };
            for (sub, v) in members {
                let sub = sub.to_cow();
                let base = [
                    Segment::Key(sensor.clone().into_owned()),
                    Segment::Key(sub.clone().into_owned()),
                ];
                let mut leaves: Vec<(Vec<Segment>, String, Option<usize>)> = Vec::new();
                let quantity = |inner: Option<&str>| -> String {
                    if ["AS3935", "LD2410"].contains(&sensor.as_ref()) && sub == "Energy" {
                        return "Energy_other".to_owned();
                    }
                    if let Some(i) = inner
                        && unit(i).is_some()
                    {
                        return i.to_owned();
                    }
                    if sensor == "ANALOG" && sub.ends_with(|c: char| c.is_ascii_digit()) {
                        return sub[..sub.len() - 1].to_owned();
                    }
                    sub.clone().into_owned()
                };
                match v {
                    Value::Object(inner) => {
                        for (k, _) in inner {
                            let k = k.to_cow();
                            let mut path = base.to_vec();
                            path.push(Segment::Key(k.clone().into_owned()));
                            leaves.push((path, quantity(Some(&k)), None));
                        }
                    }
                    Value::Array(items) => {
                        for i in 0..items.len() {
                            let mut path = base.to_vec();
                            path.push(Segment::Index(i));
                            leaves.push((path, quantity(None), Some(i)));
                        }
                    }
                    _ => leaves.push((base.to_vec(), quantity(None), None)),
                }
                for (path, quantity, index) in leaves {
                    count += 1;
                    if count > MAX_SENSORS {
                        continue;
                    }
                    let unit = match quantity.as_str() {
                        "Temperature" | "DewPoint" => temp.clone(),
                        "Pressure" | "SeaPressure" => pressure.clone(),
                        "Speed" => speed.clone(),
                        q => unit(q).map(ToOwned::to_owned),
                    };
                    // hatasmota's parent path: the sensor for simple and indexed values, the
                    // sensor and the object for nested ones.
                    let parent = if matches!(v, Value::Object(_)) { 2 } else { 1 };
                    let last_reset = (quantity == "Total").then(|| {
                        let mut p = path[..parent].to_vec();
                        p.push(Segment::Key("TotalStartTime".to_owned()));
                        p
                    });
                    let id = join(&path, "_");
                    let name = join(&path, " ");
                    self.entities.push(Entity {
                        unique_id: format!("{mac}_sensor_sensor_{id}"),
                        name: Some(name),
                        kind: EntityKind::Sensor(SensorConfig {
                            path,
                            quantity,
                            unit,
                            index,
                            last_reset,
                        }),
                    });
                }
            }
        }
        if count > MAX_SENSORS {
            self.notes.push(format!(
                "sensors: {count} values announced, the first {MAX_SENSORS} kept"
            ));
        }
        Ok(())
    }

    /// The entity with this unique id.
    ///
    /// # Examples
    ///
    /// See [`Device`].
    pub fn entity(&self, unique_id: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.unique_id == unique_id)
    }

    /// Whether the device meters energy (its sensors include `ENERGY`): a relay on such a
    /// device is a smart plug rather than a plain switch.
    ///
    /// # Examples
    ///
    /// ```
    /// # let c = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/"}"#, &Default::default())?.value;
    /// let mut d = tasmota_proto::Device::from_config(&c);
    /// assert!(!d.meters_energy());
    /// d.set_sensors(br#"{"sn":{"ENERGY":{"Power":5}},"ver":1}"#)?;
    /// assert!(d.meters_energy());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn meters_energy(&self) -> bool {
        self.entities.iter().any(|e| {
            matches!(&e.kind, EntityKind::Sensor(s) if s.path.first() == Some(&Segment::Key("ENERGY".into())))
        })
    }

    /// The device's topics, to build its commands and subscriptions.
    ///
    /// # Errors
    ///
    /// [`TopicError`] when the announced Topic, FullTopic or prefixes are not usable.
    ///
    /// # Examples
    ///
    /// ```
    /// # let c = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"lamp","ft":"%prefix%/%topic%/"}"#, &Default::default())?.value;
    /// let d = tasmota_proto::Device::from_config(&c);
    /// assert_eq!(d.topics()?.command_topic("Power1")?, "cmnd/lamp/Power1");
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn topics(&self) -> Result<DeviceTopics<'_>, TopicError> {
        let [cmnd, stat, tele] = &self.prefixes;
        let mut t = DeviceTopics::new(&self.full_topic, &self.topic)?
            .with_prefixes(Prefixes::new(cmnd, stat, tele)?)
            .with_mac(self.mac);
        if let Some(h) = self.hostname.as_deref().filter(|h| !h.is_empty()) {
            t = t.with_hostname(h)?;
        }
        Ok(t)
    }

    /// A decoder for this device's messages: its FullTopic, prefixes, StateText and LWT
    /// texts, lenient mode.
    ///
    /// # Errors
    ///
    /// [`TopicError`] when the announced FullTopic or prefixes are not usable.
    ///
    /// # Examples
    ///
    /// ```
    /// # let c = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"lamp","ft":"%topic%/%prefix%/","state":["AUS","AN","UM","HALT"]}"#, &Default::default())?.value;
    /// use tasmota_proto::{Message, PowerState};
    /// let d = tasmota_proto::Device::from_config(&c);
    /// let m = d.decoder()?.decode("lamp/stat/POWER", b"AN")?;
    /// assert!(matches!(m.message, Message::Power { state: PowerState::On, .. }));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn decoder(&self) -> Result<Decoder<'_>, TopicError> {
        let [cmnd, stat, tele] = &self.prefixes;
        let options = DecodeOptions::new()
            .with_state_text(self.state_text())
            .with_lwt_text(self.lwt_text());
        Ok(Decoder::new()
            .with_full_topic(FullTopic::new(&self.full_topic)?)
            .with_prefixes(Prefixes::new(cmnd, stat, tele)?)
            .with_options(options))
    }

    /// The device's StateText.
    ///
    /// # Examples
    ///
    /// ```
    /// # let c = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/"}"#, &Default::default())?.value;
    /// assert_eq!(tasmota_proto::Device::from_config(&c).state_text().on(), "ON");
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn state_text(&self) -> StateText<'_> {
        let [off, on, toggle, hold] = &self.state_text;
        StateText::new(off, on, toggle, hold)
    }

    /// The device's LWT texts.
    ///
    /// # Examples
    ///
    /// ```
    /// # let c = tasmota_proto::DiscoveryConfig::parse(br#"{"mac":"00000049A3BC","t":"t","ft":"%prefix%/%topic%/"}"#, &Default::default())?.value;
    /// assert_eq!(tasmota_proto::Device::from_config(&c).lwt_text().online(), "Online");
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn lwt_text(&self) -> LwtText<'_> {
        LwtText::new(&self.availability.online, &self.availability.offline)
    }
}

const BUTTON_NORMAL: [(&str, TriggerType); 6] = [
    ("SINGLE", TriggerType::ShortPress),
    ("DOUBLE", TriggerType::DoublePress),
    ("TRIPLE", TriggerType::TriplePress),
    ("QUAD", TriggerType::QuadruplePress),
    ("PENTA", TriggerType::QuintuplePress),
    ("HOLD", TriggerType::LongPress),
];

const BUTTON_SWAPPED: [(&str, TriggerType); 6] = [
    ("SINGLE", TriggerType::DoublePress),
    ("DOUBLE", TriggerType::ShortPress),
    ("TRIPLE", TriggerType::TriplePress),
    ("QUAD", TriggerType::QuadruplePress),
    ("PENTA", TriggerType::QuintuplePress),
    ("HOLD", TriggerType::LongPress),
];

/// The unit of each quantity whose unit is fixed (the dynamic ones follow `TempUnit`,
/// `PressureUnit` and `SpeedUnit`).
const UNITS: [(&str, &str); 46] = [
    ("Ambient", "lux"),
    ("Battery", "%"),
    ("CCT", "K"),
    ("CF1", "µg/m³"),
    ("CF10", "µg/m³"),
    ("CF2.5", "µg/m³"),
    ("CarbonDioxide", "ppm"),
    ("Blue", "B"),
    ("Green", "G"),
    ("Red", "R"),
    ("CurrentNeutral", "A"),
    ("Current", "A"),
    ("Distance", "cm"),
    ("eCO2", "ppm"),
    ("Energy", "kWh"),
    ("ExportActive", "kWh"),
    ("ExportReactive", "kVArh"),
    ("ExportTariff", "kWh"),
    ("ImportActive", "kWh"),
    ("ImportReactive", "kVArh"),
    ("Today", "kWh"),
    ("TotalTariff", "kWh"),
    ("Total", "kWh"),
    ("Yesterday", "kWh"),
    ("Frequency", "Hz"),
    ("Humidity", "%"),
    ("Illuminance", "lux"),
    ("Moisture", "%"),
    ("PB0.3", "ppd"),
    ("PB0.5", "ppd"),
    ("PB1", "ppd"),
    ("PB10", "ppd"),
    ("PB2.5", "ppd"),
    ("PB5", "ppd"),
    ("PhaseAngle", "°"),
    ("PM1", "µg/m³"),
    ("PM10", "µg/m³"),
    ("PM2.5", "µg/m³"),
    ("Power", "W"),
    ("ActivePower", "W"),
    ("ApparentPower", "VA"),
    ("ReactivePower", "VAr"),
    ("Proximity", " "),
    ("TVOC", "ppb"),
    ("Voltage", "V"),
    ("Weight", "kg"),
];

/// Quantities with a known meaning but no unit.
const UNITLESS: [&str; 2] = ["TotalStartTime", "Factor"];

/// The fixed unit of a quantity; `Some("")` for the known unitless ones.
fn unit(quantity: &str) -> Option<&'static str> {
    UNITS
        .iter()
        .find(|(q, _)| *q == quantity)
        .map(|(_, u)| *u)
        .or_else(|| UNITLESS.contains(&quantity).then_some(""))
        .filter(|u| !u.is_empty())
}

fn join(path: &[Segment], sep: &str) -> String {
    let mut s = String::new();
    for (i, seg) in path.iter().enumerate() {
        if i > 0 {
            s.push_str(sep);
        }
        let _ = write!(s, "{seg}");
    }
    s
}

/// Keeps at most `max` entries, noting the rest.
fn bounded<'s, T>(items: &'s [T], max: usize, what: &str, notes: &mut Vec<String>) -> &'s [T] {
    if items.len() > max {
        notes.push(format!(
            "{what}: {} announced, the first {max} kept",
            items.len()
        ));
        return &items[..max];
    }
    items
}

/// A relay, switch or button index: the bounds keep it below 256.
fn idx8(i: usize) -> u8 {
    u8::try_from(i).unwrap_or(u8::MAX)
}

/// The number of shutter pairs, at most [`MAX_SHUTTERS`]; none when a shutter relay
/// lacks its pair (as hatasmota, which logs it and gives up on all shutters).
fn shutter_pairs(relays: &[RelayType], notes: &mut Vec<String>) -> usize {
    let mut out = 0;
    let mut i = 0;
    while i < relays.len() {
        if relays[i] == RelayType::Shutter {
            if relays.get(i + 1) == Some(&RelayType::Shutter) {
                out += 1;
                i += 2;
                continue;
            }
            notes.push(format!(
                "relay {} is a shutter relay but relay {} is not: no shutters",
                i + 1,
                i + 2
            ));
            return 0;
        }
        i += 1;
    }
    if out > MAX_SHUTTERS {
        notes.push(format!(
            "shutters: {out} pairs announced, the first {MAX_SHUTTERS} kept"
        ));
        out = MAX_SHUTTERS;
    }
    out
}

fn light(c: &DiscoveryConfig<'_>, idx: usize, first_light: usize) -> LightConfig {
    let so = |n| c.set_option(n).unwrap_or(0);
    let subtype = c.light_subtype.unwrap_or(LightSubtype::None);
    let mut kind = LightKind::from_subtype(subtype);
    let tuya = c.tuya == Some(true);
    let mut dimmer_command = String::from(if tuya { "Dimmer3" } else { "Dimmer" });
    let mut dimmer_state = String::from("Dimmer");
    let mut by_channel = false;
    let mut color_suffix = "";
    let linked = c.light_linked != Some(false);
    if so(68) == 1 {
        dimmer_state = format!("Channel{}", idx + 1);
        by_channel = true;
        kind = LightKind::Dimmer;
    } else if !linked && matches!(subtype, LightSubtype::Rgbw | LightSubtype::Rgbcw) {
        let dimmer = match idx.saturating_sub(first_light) {
            0 => {
                kind = LightKind::Rgb;
                color_suffix = "=";
                Some(1)
            }
            1 => {
                kind = if subtype == LightSubtype::Rgbw {
                    LightKind::Dimmer
                } else {
                    LightKind::ColdWarm
                };
                Some(2)
            }
            _ => None,
        };
        // hatasmota leaves a third light of a split device at the first's command.
        let n = dimmer.unwrap_or(1);
        dimmer_command = format!("Dimmer{n}");
        dimmer_state.clone_from(&dimmer_command);
    }
    let ct_range = if so(82) == 1 { (200, 380) } else { (153, 500) };
    LightConfig {
        relay: idx8(idx),
        kind,
        modes: kind.modes(),
        ct_range,
        dimmer_state,
        dimmer_command,
        by_channel,
        color_suffix,
        not_power_linked: so(20) == 1,
        fade_fixed_duration: so(117) == 1,
        tuya,
        decimal_color: so(17) == 1,
    }
}

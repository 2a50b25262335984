//! Typed commands, their encoding to topic and payload, and the parsing of received commands.
//!
//! A command travels as `<cmnd topic>/<Name><index>` with the parameter as payload. Encoding
//! writes into inline buffers ([`CommandMessage`]), so it never allocates; it checks the limits
//! the firmware enforces (command names of at most [`MAX_COMMAND_LEN`] bytes, topics of at most
//! [`MAX_TOPIC_LEN`](crate::topic::MAX_TOPIC_LEN), the MQTT buffer of [`MQTT_MAX_PACKET_SIZE`])
//! and the documented parameter ranges. [`IncomingCommand`] parses the other direction, as a
//! device or a broker-side tool sees it.

use core::fmt::{self, Write as _};

use crate::color::{Color, ColorFormat, Hsb};
use crate::error::{CommandError, Error};
use crate::fixed::FixedStr;
use crate::power::{PowerAction, StateText};
use crate::text::Secret;
use crate::topic::{DeviceTopics, FullTopic, TopicBuf};

/// `CMDSZ`, the firmware's command-name buffer size, C string terminator included.
pub const CMDSZ: usize = 24;
/// The longest command name, index digits included: [`CMDSZ`] minus the terminator.
pub const MAX_COMMAND_LEN: usize = CMDSZ - 1;
/// The most commands one Backlog holds.
pub const MAX_BACKLOG: usize = 30;
/// The firmware's default MQTT buffer (`MQTT_MAX_PACKET_SIZE`, 1200 bytes since 8.1.0.8): the
/// whole PUBLISH packet, header and topic included, must fit.
pub const MQTT_MAX_PACKET_SIZE: usize = 1200;
/// Commands whose index is above this take a binary payload (current firmware; older firmware
/// used 199).
pub const BINARY_INDEX: u32 = 299;

/// A command payload built by this crate, stored inline.
pub type PayloadBuf = FixedStr<MQTT_MAX_PACKET_SIZE>;
/// A command name with its index, stored inline.
pub type CommandName = FixedStr<MAX_COMMAND_LEN>;

/// A relative or absolute level, as `Dimmer` and `FanSpeed` take.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Command, Level};
/// assert_eq!(Command::Dimmer { index: None, level: Level::Increase }.to_string(), "Dimmer +");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// An absolute value.
    Set(u8),
    /// One step up (`+`).
    Increase,
    /// One step down (`-`).
    Decrease,
}

/// One part of `HSBColor` (`HSBColor1` hue, `HSBColor2` saturation, `HSBColor3` brightness).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Command, HsbPart};
/// assert_eq!(Command::HsbColorPart(HsbPart::Saturation(100)).to_string(), "HsbColor2 100");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HsbPart {
    /// Hue, 0..=360.
    Hue(u16),
    /// Saturation, 0..=100.
    Saturation(u8),
    /// Brightness, 0..=100.
    Brightness(u8),
}

/// A shutter tilt request.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Command, Tilt};
/// assert_eq!(Command::ShutterTilt { index: Some(1), tilt: Tilt::Angle(-45) }.to_string(), "ShutterTilt1 -45");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tilt {
    /// `OPEN`.
    Open,
    /// `CLOSE`.
    Close,
    /// An angle in -90..=90 degrees.
    Angle(i8),
}

/// What `Restart` does.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Command, RestartMode};
/// assert_eq!(Command::Restart(RestartMode::Restart).to_string(), "Restart 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestartMode {
    /// `1`: save settings and restart.
    Restart = 1,
    /// `2`: halt until a power cycle.
    Halt = 2,
    /// `3`: restart into the safeboot partition (ESP32).
    Safeboot = 3,
    /// `9`: save settings and go into deep sleep until reset.
    DeepSleep = 9,
    /// `99`: restart without saving settings.
    Force = 99,
}

/// A command a hub sends to a Tasmota device.
///
/// Index fields are the digits after the name (`Power2`); `None` omits them, which the
/// firmware treats as index 1. [`Command::Query`] reads a value (empty payload) and
/// [`Command::Raw`] sends any other command. Encode with [`DeviceTopics::command`] or collect
/// several in a [`Backlog`](crate::Backlog). `Display` gives the console form, with secrets
/// replaced by `***`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Command, DeviceTopics, PowerAction};
///
/// let dev = DeviceTopics::new("%topic%/%prefix%/", "tasmota_49A3BC")?;
/// let msg = dev.command(&Command::Power { index: Some(1), action: PowerAction::On })?;
/// assert_eq!((msg.topic(), msg.payload()), ("tasmota_49A3BC/cmnd/Power1", "ON"));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `Power<x> <action>`; index 0 is `Power0`, all outputs (0..=32).
    Power {
        /// Output number.
        index: Option<u8>,
        /// What to do.
        action: PowerAction,
    },
    /// `Dimmer<x> <0..100|+|->`; `Dimmer3` sets both lights of a split or Tuya device (0..=4).
    Dimmer {
        /// Light number.
        index: Option<u8>,
        /// Brightness in percent, or a step.
        level: Level,
    },
    /// `Color<x> <colour>` (index 1..=6).
    Color {
        /// Colour variant.
        index: Option<u8>,
        /// The colour.
        color: Color,
        /// Hex or decimal form.
        format: ColorFormat,
    },
    /// `HsbColor <h>,<s>,<b>`.
    HsbColor(Hsb),
    /// `HsbColor1 <hue>`, `HsbColor2 <saturation>` or `HsbColor3 <brightness>`.
    HsbColorPart(HsbPart),
    /// `CT <153..500>` (mireds).
    Ct(u16),
    /// `White <0..100>`.
    White(u8),
    /// `Channel<x> <0..100>` (index 1..=32).
    Channel {
        /// Channel number.
        index: u8,
        /// Level in percent.
        value: u8,
    },
    /// `Scheme <n>`.
    Scheme(u8),
    /// `Fade<x> <0|1>` (index 0..=2; `Fade2` changes it for the next command only).
    Fade {
        /// Variant.
        index: Option<u8>,
        /// Whether to fade.
        on: bool,
    },
    /// `Speed<x> <1..40>` (index 0..=2; `Speed2` for the next command only).
    Speed {
        /// Variant.
        index: Option<u8>,
        /// Fade speed, in half seconds.
        value: u8,
    },
    /// `FanSpeed <0..3|+|->`.
    FanSpeed(Level),
    /// `ShutterOpen<x>` (index 1..=16).
    ShutterOpen(Option<u8>),
    /// `ShutterClose<x>`.
    ShutterClose(Option<u8>),
    /// `ShutterStop<x>`.
    ShutterStop(Option<u8>),
    /// `ShutterToggle<x>`.
    ShutterToggle(Option<u8>),
    /// `ShutterPosition<x> <0..100>`.
    ShutterPosition {
        /// Shutter number.
        index: Option<u8>,
        /// Position in percent (0 closed).
        position: u8,
    },
    /// `ShutterTilt<x> <OPEN|CLOSE|-90..90>`.
    ShutterTilt {
        /// Shutter number.
        index: Option<u8>,
        /// The tilt.
        tilt: Tilt,
    },
    /// `Status <0..13>`; `None` sends `Status` with an empty payload (the abbreviated status).
    Status(Option<u8>),
    /// `State` (the device answers with its STATE on stat).
    State,
    /// `SetOption<n> <value>` (n 0..=177).
    SetOption {
        /// Option number.
        number: u16,
        /// Value, 0/1 for flags.
        value: u32,
    },
    /// `MqttHost <host>`.
    MqttHost(&'a str),
    /// `MqttPort <1..32766>` (1 resets to 1883).
    MqttPort(u16),
    /// `MqttUser <user>`.
    MqttUser(&'a str),
    /// `MqttPassword <password>` (at least 5 characters).
    MqttPassword(Secret<'a>),
    /// `Topic <topic>`.
    Topic(&'a str),
    /// `GroupTopic<x> <topic>` (index 1..=4).
    GroupTopic {
        /// Group number.
        index: Option<u8>,
        /// The group topic.
        topic: &'a str,
    },
    /// `FullTopic <template>`.
    FullTopic(&'a str),
    /// `TelePeriod <0|1|10..3600>` (0 disables, 1 resets to 300).
    TelePeriod(u16),
    /// `Restart <mode>`.
    Restart(RestartMode),
    /// `<Name><index>` with an empty payload: asks for the current value.
    Query {
        /// Command name, `[A-Za-z0-9_]`.
        name: &'a str,
        /// Index digits.
        index: Option<u32>,
    },
    /// Any command, `<name><index> <payload>`.
    Raw {
        /// Command name, `[A-Za-z0-9_]`.
        name: &'a str,
        /// Index digits.
        index: Option<u32>,
        /// The parameter, sent as is.
        payload: &'a str,
    },
}

fn range(what: &'static str, value: i64, min: i64, max: i64) -> Result<(), CommandError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(CommandError::OutOfRange {
            what,
            value,
            min,
            max,
        })
    }
}

fn opt_range(
    what: &'static str,
    index: Option<u8>,
    min: i64,
    max: i64,
) -> Result<(), CommandError> {
    index.map_or(Ok(()), |i| range(what, i64::from(i), min, max))
}

fn level(what: &'static str, l: Level, max: u8) -> Result<(), CommandError> {
    match l {
        Level::Set(v) => range(what, i64::from(v), 0, i64::from(max)),
        Level::Increase | Level::Decrease => Ok(()),
    }
}

/// Checks a text parameter: not empty (that would be a query), no leading whitespace (the
/// firmware strips it) and no control characters.
fn text(what: &'static str, v: &str) -> Result<(), CommandError> {
    let reason = if v.is_empty() {
        "is empty, which the firmware reads as a query"
    } else if v.starts_with(char::is_whitespace) {
        "starts with whitespace, which the firmware strips"
    } else if v.chars().any(char::is_control) {
        "contains a control character"
    } else {
        return Ok(());
    };
    Err(CommandError::InvalidValue { what, reason })
}

/// Checks a Topic or GroupTopic value: a text parameter without the characters the firmware
/// replaces (`MakeValidMqtt`).
fn topic_name(what: &'static str, v: &str) -> Result<(), CommandError> {
    text(what, v)?;
    if v.contains(['+', '#', ' ']) {
        return Err(CommandError::InvalidValue {
            what,
            reason: "contains +, # or a space, which the firmware replaces with _",
        });
    }
    Ok(())
}

/// Checks a command name: `[A-Za-z0-9_]`, not empty.
pub(crate) fn check_name(name: &str) -> Result<(), CommandError> {
    if name.is_empty() {
        return Err(CommandError::EmptyName);
    }
    if name.len() > 1 && name.starts_with('_') {
        return Err(CommandError::LeadingUnderscore);
    }
    match name
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_'))
    {
        Some((offset, ch)) => Err(CommandError::InvalidName { ch, offset }),
        None => Ok(()),
    }
}

impl Command<'_> {
    /// The command name without index, as this crate writes it.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::Command;
    /// assert_eq!(Command::State.base_name(), "State");
    /// ```
    pub fn base_name(&self) -> &str {
        match self {
            Self::Power { .. } => "Power",
            Self::Dimmer { .. } => "Dimmer",
            Self::Color { .. } => "Color",
            Self::HsbColor(_) | Self::HsbColorPart(_) => "HsbColor",
            Self::Ct(_) => "CT",
            Self::White(_) => "White",
            Self::Channel { .. } => "Channel",
            Self::Scheme(_) => "Scheme",
            Self::Fade { .. } => "Fade",
            Self::Speed { .. } => "Speed",
            Self::FanSpeed(_) => "FanSpeed",
            Self::ShutterOpen(_) => "ShutterOpen",
            Self::ShutterClose(_) => "ShutterClose",
            Self::ShutterStop(_) => "ShutterStop",
            Self::ShutterToggle(_) => "ShutterToggle",
            Self::ShutterPosition { .. } => "ShutterPosition",
            Self::ShutterTilt { .. } => "ShutterTilt",
            Self::Status(_) => "Status",
            Self::State => "State",
            Self::SetOption { .. } => "SetOption",
            Self::MqttHost(_) => "MqttHost",
            Self::MqttPort(_) => "MqttPort",
            Self::MqttUser(_) => "MqttUser",
            Self::MqttPassword(_) => "MqttPassword",
            Self::Topic(_) => "Topic",
            Self::GroupTopic { .. } => "GroupTopic",
            Self::FullTopic(_) => "FullTopic",
            Self::TelePeriod(_) => "TelePeriod",
            Self::Restart(_) => "Restart",
            Self::Query { name, .. } | Self::Raw { name, .. } => name,
        }
    }

    fn index(&self) -> Option<u32> {
        match *self {
            Self::Power { index, .. }
            | Self::Dimmer { index, .. }
            | Self::Color { index, .. }
            | Self::Fade { index, .. }
            | Self::Speed { index, .. }
            | Self::ShutterOpen(index)
            | Self::ShutterClose(index)
            | Self::ShutterStop(index)
            | Self::ShutterToggle(index)
            | Self::ShutterPosition { index, .. }
            | Self::ShutterTilt { index, .. }
            | Self::GroupTopic { index, .. } => index.map(u32::from),
            Self::HsbColorPart(p) => Some(match p {
                HsbPart::Hue(_) => 1,
                HsbPart::Saturation(_) => 2,
                HsbPart::Brightness(_) => 3,
            }),
            Self::Channel { index, .. } => Some(u32::from(index)),
            Self::SetOption { number, .. } => Some(u32::from(number)),
            Self::Query { index, .. } | Self::Raw { index, .. } => index,
            _ => None,
        }
    }

    /// Whether the payload carries a secret (`MqttPassword`).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Command, Secret};
    /// assert!(Command::MqttPassword(Secret::new("hunter22")).is_secret());
    /// ```
    pub const fn is_secret(&self) -> bool {
        matches!(self, Self::MqttPassword(_))
    }

    /// Checks the command against the firmware's rules: name syntax and length, index and
    /// value ranges, text parameters the firmware would strip or misread.
    ///
    /// # Errors
    ///
    /// The [`CommandError`] describing the first problem.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Command, CommandError};
    /// assert!(Command::Ct(300).validate().is_ok());
    /// assert_eq!(
    ///     Command::Ct(100).validate(),
    ///     Err(CommandError::OutOfRange { what: "CT", value: 100, min: 153, max: 500 }),
    /// );
    /// ```
    pub fn validate(&self) -> Result<(), CommandError> {
        match *self {
            Self::Power { index, .. } => opt_range("Power index", index, 0, 32),
            Self::Dimmer { index, level: l } => {
                opt_range("Dimmer index", index, 0, 4)?;
                level("Dimmer", l, 100)
            }
            Self::Color { index, .. } => opt_range("Color index", index, 1, 6),
            Self::HsbColorPart(p) => match p {
                HsbPart::Hue(h) => range("HsbColor1", i64::from(h), 0, 360),
                HsbPart::Saturation(v) => range("HsbColor2", i64::from(v), 0, 100),
                HsbPart::Brightness(v) => range("HsbColor3", i64::from(v), 0, 100),
            },
            Self::Ct(v) => range("CT", i64::from(v), 153, 500),
            Self::White(v) => range("White", i64::from(v), 0, 100),
            Self::Channel { index, value } => {
                range("Channel index", i64::from(index), 1, 32)?;
                range("Channel", i64::from(value), 0, 100)
            }
            Self::HsbColor(_) | Self::Scheme(_) | Self::State | Self::Restart(_) => Ok(()),
            Self::Fade { index, .. } => opt_range("Fade index", index, 0, 2),
            Self::Speed { index, value } => {
                opt_range("Speed index", index, 0, 2)?;
                range("Speed", i64::from(value), 1, 40)
            }
            Self::FanSpeed(l) => level("FanSpeed", l, 3),
            Self::ShutterOpen(i)
            | Self::ShutterClose(i)
            | Self::ShutterStop(i)
            | Self::ShutterToggle(i) => opt_range("shutter index", i, 1, 16),
            Self::ShutterPosition { index, position } => {
                opt_range("shutter index", index, 1, 16)?;
                range("ShutterPosition", i64::from(position), 0, 100)
            }
            Self::ShutterTilt { index, tilt } => {
                opt_range("shutter index", index, 1, 16)?;
                match tilt {
                    Tilt::Angle(a) => range("ShutterTilt", i64::from(a), -90, 90),
                    Tilt::Open | Tilt::Close => Ok(()),
                }
            }
            Self::Status(n) => opt_range("Status", n, 0, 13),
            Self::SetOption { number, .. } => range("SetOption number", i64::from(number), 0, 177),
            Self::MqttHost(v) => text("MqttHost", v),
            Self::MqttPort(p) => range("MqttPort", i64::from(p), 1, 32766),
            Self::MqttUser(v) => text("MqttUser", v),
            Self::MqttPassword(s) => {
                let pw = s.expose();
                let v = pw.raw();
                text("MqttPassword", v)?;
                if pw.chars().count() < 5 {
                    return Err(CommandError::InvalidValue {
                        what: "MqttPassword",
                        reason: "the firmware needs at least 5 characters",
                    });
                }
                Ok(())
            }
            Self::Topic(v) => topic_name("Topic", v),
            Self::GroupTopic { index, topic } => {
                opt_range("GroupTopic index", index, 1, 4)?;
                topic_name("GroupTopic", topic)
            }
            Self::FullTopic(v) => {
                text("FullTopic", v)?;
                FullTopic::new(v).map(|_| ()).map_err(|_| CommandError::InvalidValue {
                    what: "FullTopic",
                    reason: "not a valid template (at most 100 bytes, no + or control characters)",
                })
            }
            Self::TelePeriod(v) => match v {
                0 | 1 | 10..=3600 => Ok(()),
                _ => Err(CommandError::OutOfRange {
                    what: "TelePeriod",
                    value: i64::from(v),
                    min: 10,
                    max: 3600,
                }),
            },
            Self::Query { name, .. } => check_name(name).and_then(|()| self.name().map(|_| ())),
            Self::Raw { name, payload, .. } => {
                check_name(name)?;
                self.name()?;
                if payload.starts_with(char::is_whitespace) {
                    return Err(CommandError::InvalidValue {
                        what: "payload",
                        reason: "starts with whitespace, which the firmware strips",
                    });
                }
                Ok(())
            }
        }
    }

    /// The command name with its index (`Power1`, `SetOption19`).
    ///
    /// # Errors
    ///
    /// [`CommandError::NameTooLong`] above [`MAX_COMMAND_LEN`] bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::Command;
    /// let c = Command::SetOption { number: 19, value: 0 };
    /// assert_eq!(c.name()?, "SetOption19");
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn name(&self) -> Result<CommandName, CommandError> {
        let mut n = FixedStr::<64>::new();
        let base = self.base_name();
        // A 64-byte buffer takes any name up to 53 bytes; longer ones are too long anyway.
        if n.push_str(base).is_err() {
            return Err(CommandError::NameTooLong {
                len: base.len(),
                max: MAX_COMMAND_LEN,
            });
        }
        if let Some(i) = self.index() {
            let _ = write!(n, "{i}");
        }
        CommandName::try_from_str(&n).map_err(|e| CommandError::NameTooLong {
            len: e.needed,
            max: MAX_COMMAND_LEN,
        })
    }

    /// Writes the payload, secrets included.
    fn write_payload(&self, w: &mut dyn fmt::Write) -> fmt::Result {
        match *self {
            Self::Power { action, .. } => w.write_str(action.as_str()),
            Self::Dimmer { level: l, .. } | Self::FanSpeed(l) => match l {
                Level::Set(v) => write!(w, "{v}"),
                Level::Increase => w.write_str("+"),
                Level::Decrease => w.write_str("-"),
            },
            Self::Color { color, format, .. } => write!(w, "{}", color.display(format)),
            Self::HsbColor(hsb) => write!(w, "{hsb}"),
            Self::HsbColorPart(HsbPart::Hue(v))
            | Self::Ct(v)
            | Self::TelePeriod(v)
            | Self::MqttPort(v) => {
                write!(w, "{v}")
            }
            Self::HsbColorPart(HsbPart::Saturation(v) | HsbPart::Brightness(v))
            | Self::White(v)
            | Self::Channel { value: v, .. }
            | Self::Scheme(v)
            | Self::Speed { value: v, .. }
            | Self::ShutterPosition { position: v, .. } => write!(w, "{v}"),
            Self::Fade { on, .. } => w.write_str(if on { "1" } else { "0" }),
            Self::ShutterOpen(_)
            | Self::ShutterClose(_)
            | Self::ShutterStop(_)
            | Self::ShutterToggle(_)
            | Self::State
            | Self::Status(None)
            | Self::Query { .. } => Ok(()),
            Self::ShutterTilt { tilt, .. } => match tilt {
                Tilt::Open => w.write_str("OPEN"),
                Tilt::Close => w.write_str("CLOSE"),
                Tilt::Angle(a) => write!(w, "{a}"),
            },
            Self::Status(Some(n)) => write!(w, "{n}"),
            Self::SetOption { value, .. } => write!(w, "{value}"),
            Self::MqttHost(v)
            | Self::MqttUser(v)
            | Self::Topic(v)
            | Self::GroupTopic { topic: v, .. }
            | Self::FullTopic(v)
            | Self::Raw { payload: v, .. } => w.write_str(v),
            Self::MqttPassword(s) => write!(w, "{}", s.expose()),
            Self::Restart(m) => write!(w, "{}", m as u8),
        }
    }

    /// Writes the console form, `<name> <payload>`, secrets included.
    pub(crate) fn write_line(&self, w: &mut dyn fmt::Write) -> Result<(), CommandError> {
        let name = self.name()?;
        w.write_str(&name).map_err(|_| too_large(name.len()))?;
        let mut payload = PayloadBuf::new();
        self.write_payload(&mut payload)
            .map_err(|_| too_large(MQTT_MAX_PACKET_SIZE + 1))?;
        if !payload.is_empty() {
            w.write_char(' ')
                .and_then(|()| w.write_str(&payload))
                .map_err(|_| too_large(name.len() + 1 + payload.len()))?;
        }
        Ok(())
    }

    /// Encodes the payload into an inline buffer, secrets included.
    ///
    /// # Errors
    ///
    /// What [`Command::validate`] reports, or [`CommandError::TooLarge`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Color, ColorFormat, Command};
    /// let c = Command::Color { index: None, color: Color::rgb(255, 128, 0), format: ColorFormat::Decimal };
    /// assert_eq!(c.payload()?, "255,128,0");
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn payload(&self) -> Result<PayloadBuf, CommandError> {
        self.validate()?;
        let mut p = PayloadBuf::new();
        self.write_payload(&mut p)
            .map_err(|_| too_large(MQTT_MAX_PACKET_SIZE + 1))?;
        Ok(p)
    }
}

fn too_large(len: usize) -> CommandError {
    CommandError::TooLarge {
        len,
        max: MQTT_MAX_PACKET_SIZE,
    }
}

impl fmt::Display for Command<'_> {
    /// The console form, `Power1 ON`, with `MqttPassword`'s value shown as `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_secret() {
            return write!(f, "{} ***", self.base_name());
        }
        self.write_line(f).map_err(|_| fmt::Error)
    }
}

/// An encoded command: the topic and payload to publish, built without allocating.
///
/// Its `Debug` output hides the payload when it carries a secret.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Command, DeviceTopics, Secret};
/// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?;
/// let msg = dev.command(&Command::MqttPassword(Secret::new("hunter22")))?;
/// assert_eq!(msg.payload(), "hunter22");
/// assert!(!format!("{msg:?}").contains("hunter22"));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Clone)]
pub struct CommandMessage {
    topic: TopicBuf,
    payload: PayloadBuf,
    secret: bool,
}

impl CommandMessage {
    /// The topic to publish to.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Command, DeviceTopics};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?;
    /// assert_eq!(dev.command(&Command::State)?.topic(), "cmnd/t/State");
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn topic(&self) -> &str {
        &self.topic
    }

    /// The payload to publish.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Command, DeviceTopics};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?;
    /// assert_eq!(dev.command(&Command::Status(Some(10)))?.payload(), "10");
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn payload(&self) -> &str {
        &self.payload
    }

    /// Whether the payload carries a secret; keep such messages out of logs.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Command, DeviceTopics};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?;
    /// assert!(!dev.command(&Command::State)?.contains_secret());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub const fn contains_secret(&self) -> bool {
        self.secret
    }

    pub(crate) fn new(
        topic: TopicBuf,
        payload: &PayloadBuf,
        secret: bool,
    ) -> Result<Self, CommandError> {
        // Fixed header (1) + remaining length (2 for 128..16383 bytes; conservative below)
        // + topic length (2) + topic + payload, QoS 0.
        let packet = 5 + topic.len() + payload.len();
        if packet > MQTT_MAX_PACKET_SIZE {
            return Err(too_large(packet));
        }
        Ok(Self {
            topic,
            payload: *payload,
            secret,
        })
    }
}

impl fmt::Debug for CommandMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let payload: &dyn fmt::Debug = if self.secret { &"***" } else { &self.payload };
        f.debug_struct("CommandMessage")
            .field("topic", &self.topic)
            .field("payload", payload)
            .finish()
    }
}

impl DeviceTopics<'_> {
    /// Encodes `command` for this device: `<cmnd topic>/<Name><index>` and its payload.
    ///
    /// # Errors
    ///
    /// [`Error::Command`] for what [`Command::validate`] reports or a message that does not
    /// fit the device's MQTT buffer; [`Error::Topic`] when the topic cannot be built.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Command, DeviceTopics, Level};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "tasmota_switch")?;
    /// let msg = dev.command(&Command::Dimmer { index: Some(3), level: Level::Set(75) })?;
    /// assert_eq!((msg.topic(), msg.payload()), ("cmnd/tasmota_switch/Dimmer3", "75"));
    /// assert!(dev.command(&Command::Dimmer { index: None, level: Level::Set(101) }).is_err());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn command(&self, command: &Command<'_>) -> Result<CommandMessage, Error> {
        let payload = command.payload()?;
        let topic = self.command_topic(&command.name()?)?;
        Ok(CommandMessage::new(topic, &payload, command.is_secret())?)
    }

    /// Encodes `command` on `<cmnd topic>/_<Name><index>`: the firmware runs it but publishes
    /// no reply (rules still see it; `Status` replies anyway).
    ///
    /// # Errors
    ///
    /// As [`DeviceTopics::command`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Command, DeviceTopics, IncomingCommand, PowerAction};
    /// let dev = DeviceTopics::new("%prefix%/%topic%/", "t")?;
    /// let msg = dev.silent_command(&Command::Power { index: Some(1), action: PowerAction::Off })?;
    /// assert_eq!((msg.topic(), msg.payload()), ("cmnd/t/_Power1", "OFF"));
    /// let back = IncomingCommand::parse("_Power1", b"OFF")?;
    /// assert!(back.silent && back.is("Power"));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn silent_command(&self, command: &Command<'_>) -> Result<CommandMessage, Error> {
        let payload = command.payload()?;
        let mut subtopic = FixedStr::<{ MAX_COMMAND_LEN + 1 }>::new();
        // `name` is at most MAX_COMMAND_LEN bytes, so both pushes fit.
        let _ = subtopic.push('_');
        let _ = subtopic.push_str(&command.name()?);
        let topic = self.command_topic(&subtopic)?;
        Ok(CommandMessage::new(topic, &payload, command.is_secret())?)
    }
}

/// The payload of a received command.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{CommandPayload, IncomingCommand};
/// let c = IncomingCommand::parse("Power1", b" ?")?;
/// assert_eq!(c.payload, CommandPayload::Query);
/// # Ok::<(), tasmota_proto::CommandError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandPayload<'a> {
    /// Empty or `?`: report the current value.
    Query,
    /// Text, leading whitespace removed.
    Text(&'a str),
    /// Bytes, for an index above [`BINARY_INDEX`], or a payload that is not UTF-8.
    Binary(&'a [u8]),
}

/// A command as the firmware reads it (`CommandHandler`): the last topic level gives the name
/// and trailing index digits, a leading `_` suppresses the reply, the payload is trimmed and `?`
/// means a query.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Command, CommandPayload, IncomingCommand, PowerAction, StateText};
///
/// let c = IncomingCommand::parse("POWER2", b"toggle")?;
/// assert_eq!((c.name, c.index, c.payload), ("POWER", Some(2), CommandPayload::Text("toggle")));
/// assert_eq!(
///     c.to_command(&StateText::DEFAULT)?,
///     Command::Power { index: Some(2), action: PowerAction::Toggle },
/// );
/// let so = IncomingCommand::parse("SO19", b"1")?.to_command(&StateText::DEFAULT)?;
/// assert_eq!(so, Command::SetOption { number: 19, value: 1 });
/// # Ok::<(), tasmota_proto::CommandError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncomingCommand<'a> {
    /// The name as received, without index digits or a leading `_`.
    pub name: &'a str,
    /// The index digits, if any (the firmware defaults to 1).
    pub index: Option<u32>,
    /// A leading `_`: the firmware runs the command but publishes no reply.
    pub silent: bool,
    /// The parameter.
    pub payload: CommandPayload<'a>,
}

impl<'a> IncomingCommand<'a> {
    /// Parses the command in a topic's last level and its payload.
    ///
    /// # Errors
    ///
    /// [`CommandError::EmptyName`] when the level is empty or only digits.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{CommandPayload, IncomingCommand};
    /// let c = IncomingCommand::parse("_Dimmer", b"50")?;
    /// assert!(c.silent);
    /// let bin = IncomingCommand::parse("SerialSend300", &[0, 255])?;
    /// assert_eq!(bin.payload, CommandPayload::Binary(&[0, 255]));
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn parse(subtopic: &'a str, payload: &'a [u8]) -> Result<Self, CommandError> {
        let digits = subtopic
            .bytes()
            .rev()
            .take_while(u8::is_ascii_digit)
            .count();
        let (mut name, digits) = subtopic.split_at(subtopic.len() - digits);
        let index = (!digits.is_empty()).then(|| {
            digits.bytes().fold(0u32, |n, d| {
                n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
            })
        });
        let mut silent = false;
        if name.len() > 1
            && let Some(rest) = name.strip_prefix('_')
        {
            name = rest;
            silent = true;
        }
        if name.is_empty() {
            return Err(CommandError::EmptyName);
        }
        let binary = index.is_some_and(|i| i > BINARY_INDEX);
        let payload = if binary {
            CommandPayload::Binary(payload)
        } else {
            match core::str::from_utf8(payload) {
                Err(_) => CommandPayload::Binary(payload),
                Ok(text) => {
                    let keep_spaces =
                        name.eq_ignore_ascii_case("SerialSend") && index.is_some_and(|i| i > 9);
                    let text = if keep_spaces { text } else { text.trim_start() };
                    if text.is_empty() || text == "?" {
                        CommandPayload::Query
                    } else {
                        CommandPayload::Text(text)
                    }
                }
            }
        };
        Ok(Self {
            name,
            index,
            silent,
            payload,
        })
    }

    /// Parses a console or Backlog line, `<name><index> <payload>`, skipping a
    /// `cmnd/<topic>/` preamble as the firmware's `ExecuteCommand` does.
    ///
    /// # Errors
    ///
    /// [`CommandError::EmptyName`] when the line has no command.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{CommandPayload, IncomingCommand};
    /// let c = IncomingCommand::from_console("cmnd/tasmota/Power1 on")?;
    /// assert_eq!((c.name, c.index, c.payload), ("Power", Some(1), CommandPayload::Text("on")));
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn from_console(line: &'a str) -> Result<Self, CommandError> {
        let line = line.trim_start();
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '/'))
            .unwrap_or(line.len());
        let (word, payload) = line.split_at(end);
        let name = word.rsplit('/').next().unwrap_or(word);
        Self::parse(name, payload.as_bytes())
    }

    /// Whether the name is `name`, ignoring ASCII case (the firmware uppercases names).
    ///
    /// # Examples
    ///
    /// ```
    /// let c = tasmota_proto::IncomingCommand::parse("power", b"")?;
    /// assert!(c.is("POWER"));
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }

    /// The payload read as a number the way the firmware does (`strtol` with base 0: decimal,
    /// `0x` hex, leading-`0` octal, stopping at the first other character), or `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = tasmota_proto::IncomingCommand::parse("Dimmer", b"0x20")?;
    /// assert_eq!(c.number(), Some(32));
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    pub fn number(&self) -> Option<i32> {
        match self.payload {
            CommandPayload::Text(t) => strtol(t),
            _ => None,
        }
    }

    /// The typed [`Command`]; names this crate does not type become [`Command::Raw`], and an
    /// empty payload or `?` becomes [`Command::Query`] (`Status` and `State` excepted, which
    /// act on an empty payload).
    ///
    /// # Errors
    ///
    /// [`CommandError::InvalidPayload`] or [`CommandError::OutOfRange`] when a known command
    /// gets a parameter it cannot take; [`CommandError::InvalidName`] for a name outside
    /// `[A-Za-z0-9_]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Command, IncomingCommand, Level, StateText};
    /// let t = StateText::DEFAULT;
    /// let c = IncomingCommand::parse("Dimmer", b"-")?.to_command(&t)?;
    /// assert_eq!(c, Command::Dimmer { index: None, level: Level::Decrease });
    /// assert!(IncomingCommand::parse("Dimmer", b"bright")?.to_command(&t).is_err());
    /// let q = IncomingCommand::parse("Dimmer", b"")?.to_command(&t)?;
    /// assert_eq!(q, Command::Query { name: "Dimmer", index: None });
    /// # Ok::<(), tasmota_proto::CommandError>(())
    /// ```
    #[expect(
        clippy::too_many_lines,
        reason = "one branch per typed command, in one table"
    )]
    pub fn to_command(&self, texts: &StateText<'_>) -> Result<Command<'a>, CommandError> {
        let text = match self.payload {
            CommandPayload::Text(t) => Some(t),
            CommandPayload::Query => None,
            CommandPayload::Binary(_) => {
                check_name(self.name)?;
                return Err(CommandError::InvalidPayload {
                    command: "a binary command",
                    expected: "a text payload to be typed",
                });
            }
        };
        let idx8 = |what: &'static str| -> Result<Option<u8>, CommandError> {
            self.index
                .map(|i| {
                    u8::try_from(i).map_err(|_| CommandError::OutOfRange {
                        what,
                        value: i64::from(i),
                        min: 0,
                        max: 255,
                    })
                })
                .transpose()
        };
        let is = |n: &str| self.is(n);
        let num = |what: &'static str,
                   expected: &'static str,
                   min: i64,
                   max: i64|
         -> Result<i64, CommandError> {
            let v = i64::from(self.number().ok_or(CommandError::InvalidPayload {
                command: what,
                expected,
            })?);
            range(what, v, min, max)?;
            Ok(v)
        };
        let Some(text) = text else {
            if is("Status") {
                return Ok(Command::Status(None));
            }
            if is("State") {
                return Ok(Command::State);
            }
            check_name(self.name)?;
            return Ok(Command::Query {
                name: self.name,
                index: self.index,
            });
        };
        // Numbers below are range-checked before narrowing, so the conversions cannot fail.
        let cmd = if is("Power") {
            let action =
                PowerAction::from_payload(text, texts).ok_or(CommandError::InvalidPayload {
                    command: "Power",
                    expected: "on, off, toggle, blink, blinkoff or 0..4",
                })?;
            Command::Power {
                index: idx8("Power index")?,
                action,
            }
        } else if is("Dimmer") || is("FanSpeed") {
            let what = if is("Dimmer") { "Dimmer" } else { "FanSpeed" };
            let max = if what == "Dimmer" { 100 } else { 3 };
            let level = match text.trim() {
                "+" => Level::Increase,
                "-" => Level::Decrease,
                _ => Level::Set(u8::try_from(num(what, "a level, + or -", 0, max)?).unwrap_or(0)),
            };
            if what == "Dimmer" {
                Command::Dimmer {
                    index: idx8("Dimmer index")?,
                    level,
                }
            } else {
                Command::FanSpeed(level)
            }
        } else if is("Color") {
            Command::Color {
                index: idx8("Color index")?,
                color: Color::parse(text).ok_or(CommandError::InvalidPayload {
                    command: "Color",
                    expected: "a hex colour or r,g,b decimals",
                })?,
                format: if text.contains(',') {
                    ColorFormat::Decimal
                } else {
                    ColorFormat::Hex
                },
            }
        } else if is("HsbColor") {
            match self.index {
                None => {
                    Command::HsbColor(Hsb::parse(text).ok_or(CommandError::InvalidPayload {
                        command: "HsbColor",
                        expected: "h,s,b",
                    })?)
                }
                Some(1) => Command::HsbColorPart(HsbPart::Hue(
                    u16::try_from(num("HsbColor1", "a hue", 0, 360)?).unwrap_or(0),
                )),
                Some(2) => Command::HsbColorPart(HsbPart::Saturation(
                    u8::try_from(num("HsbColor2", "a saturation", 0, 100)?).unwrap_or(0),
                )),
                Some(3) => Command::HsbColorPart(HsbPart::Brightness(
                    u8::try_from(num("HsbColor3", "a brightness", 0, 100)?).unwrap_or(0),
                )),
                Some(i) => {
                    return Err(CommandError::OutOfRange {
                        what: "HsbColor index",
                        value: i64::from(i),
                        min: 1,
                        max: 3,
                    });
                }
            }
        } else if is("CT") {
            Command::Ct(u16::try_from(num("CT", "mireds", 153, 500)?).unwrap_or(0))
        } else if is("White") {
            Command::White(u8::try_from(num("White", "a level", 0, 100)?).unwrap_or(0))
        } else if is("Channel") && self.index.is_some() {
            Command::Channel {
                index: idx8("Channel index")?.unwrap_or(1),
                value: u8::try_from(num("Channel", "a level", 0, 100)?).unwrap_or(0),
            }
        } else if is("Scheme") {
            Command::Scheme(u8::try_from(num("Scheme", "a scheme number", 0, 255)?).unwrap_or(0))
        } else if is("Fade") {
            let on = match PowerAction::from_payload(text, &StateText::DEFAULT) {
                Some(PowerAction::On) => true,
                Some(PowerAction::Off) => false,
                _ => {
                    return Err(CommandError::InvalidPayload {
                        command: "Fade",
                        expected: "on, off, 1 or 0",
                    });
                }
            };
            Command::Fade {
                index: idx8("Fade index")?,
                on,
            }
        } else if is("Speed") {
            Command::Speed {
                index: idx8("Speed index")?,
                value: u8::try_from(num("Speed", "1..40", 1, 40)?).unwrap_or(1),
            }
        } else if is("ShutterPosition") {
            Command::ShutterPosition {
                index: idx8("shutter index")?,
                position: u8::try_from(num("ShutterPosition", "a position", 0, 100)?).unwrap_or(0),
            }
        } else if is("ShutterTilt") {
            let tilt = if text.eq_ignore_ascii_case("open") {
                Tilt::Open
            } else if text.eq_ignore_ascii_case("close") {
                Tilt::Close
            } else {
                Tilt::Angle(
                    i8::try_from(num("ShutterTilt", "OPEN, CLOSE or an angle", -90, 90)?)
                        .unwrap_or(0),
                )
            };
            Command::ShutterTilt {
                index: idx8("shutter index")?,
                tilt,
            }
        } else if is("ShutterOpen")
            || is("ShutterClose")
            || is("ShutterStop")
            || is("ShutterToggle")
        {
            let index = idx8("shutter index")?;
            if is("ShutterOpen") {
                Command::ShutterOpen(index)
            } else if is("ShutterClose") {
                Command::ShutterClose(index)
            } else if is("ShutterStop") {
                Command::ShutterStop(index)
            } else {
                Command::ShutterToggle(index)
            }
        } else if is("Status") {
            Command::Status(Some(
                u8::try_from(num("Status", "0..13", 0, 13)?).unwrap_or(0),
            ))
        } else if is("State") {
            Command::State
        } else if (is("SetOption") || is("SO")) && self.index.is_some() {
            let number = u16::try_from(self.index.unwrap_or(0)).unwrap_or(u16::MAX);
            range("SetOption number", i64::from(number), 0, 177)?;
            let value = match PowerAction::from_payload(text, texts) {
                Some(a @ (PowerAction::Off | PowerAction::On | PowerAction::Toggle)) => {
                    u32::from(a.number())
                }
                _ => u32::try_from(self.number().ok_or(CommandError::InvalidPayload {
                    command: "SetOption",
                    expected: "on, off or a number",
                })?)
                .map_err(|_| CommandError::InvalidPayload {
                    command: "SetOption",
                    expected: "a non-negative number",
                })?,
            };
            Command::SetOption { number, value }
        } else if is("MqttHost") {
            Command::MqttHost(text)
        } else if is("MqttPort") {
            Command::MqttPort(u16::try_from(num("MqttPort", "a port", 1, 32766)?).unwrap_or(1))
        } else if is("MqttUser") {
            Command::MqttUser(text)
        } else if is("MqttPassword") {
            Command::MqttPassword(Secret::new(text))
        } else if is("Topic") && self.index.is_none() {
            Command::Topic(text)
        } else if is("GroupTopic") {
            Command::GroupTopic {
                index: idx8("GroupTopic index")?,
                topic: text,
            }
        } else if is("FullTopic") {
            Command::FullTopic(text)
        } else if is("TelePeriod") {
            Command::TelePeriod(
                u16::try_from(num("TelePeriod", "0, 1 or 10..3600", 0, 3600)?).unwrap_or(0),
            )
        } else if is("Restart") {
            Command::Restart(match self.number() {
                Some(1) => RestartMode::Restart,
                Some(2) => RestartMode::Halt,
                Some(3) => RestartMode::Safeboot,
                Some(9) => RestartMode::DeepSleep,
                Some(99) => RestartMode::Force,
                _ => {
                    return Err(CommandError::InvalidPayload {
                        command: "Restart",
                        expected: "1, 2, 3, 9 or 99",
                    });
                }
            })
        } else {
            check_name(self.name)?;
            Command::Raw {
                name: self.name,
                index: self.index,
                payload: text,
            }
        };
        cmd.validate()?;
        Ok(cmd)
    }
}

/// `strtol(s, _, 0)` on a 32-bit `long`: leading whitespace, a sign, `0x` for hex, a leading `0`
/// for octal; stops at the first other character; saturates. `None` when no digit is read.
pub(crate) fn strtol(s: &str) -> Option<i32> {
    let s = s.trim_start();
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let b = s.as_bytes();
    let (radix, digits) = if (b.starts_with(b"0x") || b.starts_with(b"0X"))
        && b.get(2).is_some_and(u8::is_ascii_hexdigit)
    {
        (16, &s[2..])
    } else if b.first() == Some(&b'0') {
        (8, s)
    } else {
        (10, s)
    };
    let mut value: i64 = 0;
    let mut any = false;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        any = true;
        value = (value * i64::from(radix) + i64::from(d)).min(i64::from(u32::MAX));
    }
    if !any {
        return None;
    }
    let value = if neg { -value } else { value };
    Some(i32::try_from(value).unwrap_or(if neg { i32::MIN } else { i32::MAX }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtol_matches_c() {
        assert_eq!(strtol("42abc"), Some(42));
        assert_eq!(strtol("  -7"), Some(-7));
        assert_eq!(strtol("0x1F"), Some(31));
        assert_eq!(strtol("010"), Some(8));
        assert_eq!(strtol("0x"), Some(0));
        assert_eq!(strtol("09"), Some(0));
        assert_eq!(strtol("x"), None);
        assert_eq!(strtol(""), None);
        assert_eq!(strtol("99999999999"), Some(i32::MAX));
        assert_eq!(strtol("-99999999999"), Some(i32::MIN));
    }

    #[test]
    fn names_longer_than_cmdsz_are_refused() {
        let ok = Command::Raw {
            name: "ABCDEFGHIJKLMNOPQRSTUVW",
            index: None,
            payload: "1",
        };
        assert!(ok.validate().is_ok());
        let long = Command::Raw {
            name: "ABCDEFGHIJKLMNOPQRSTUV",
            index: Some(12),
            payload: "1",
        };
        assert_eq!(
            long.validate(),
            Err(CommandError::NameTooLong { len: 24, max: 23 })
        );
    }

    /// Found by fuzzing: `__Power` is the unknown command `_Power` sent silently; typing it as
    /// `Raw { name: "_Power" }` would encode the silent command `Power` instead.
    #[test]
    fn leading_underscores_are_not_names() {
        let c = IncomingCommand::parse("__Power", b"FFFF&0x1").unwrap();
        assert_eq!((c.name, c.silent), ("_Power", true));
        assert_eq!(
            c.to_command(&StateText::DEFAULT),
            Err(CommandError::LeadingUnderscore)
        );
        let raw = Command::Raw {
            name: "_Power",
            index: None,
            payload: "1",
        };
        assert_eq!(raw.validate(), Err(CommandError::LeadingUnderscore));
        let dev = DeviceTopics::new("%prefix%/%topic%/", "t").unwrap();
        let c = IncomingCommand::parse("_Dimmer2", b"50").unwrap();
        let msg = dev
            .silent_command(&c.to_command(&StateText::DEFAULT).unwrap())
            .unwrap();
        assert_eq!(msg.topic(), "cmnd/t/_Dimmer2");
    }

    #[test]
    fn incoming_edge_cases() {
        assert_eq!(
            IncomingCommand::parse("123", b""),
            Err(CommandError::EmptyName)
        );
        assert_eq!(
            IncomingCommand::parse("", b""),
            Err(CommandError::EmptyName)
        );
        let c = IncomingCommand::parse("_", b"x").unwrap();
        assert_eq!(c.name, "_");
        assert!(!c.silent);
        let c = IncomingCommand::parse("Power99999999999", b"1").unwrap();
        assert_eq!(c.index, Some(u32::MAX));
        assert!(matches!(c.payload, CommandPayload::Binary(_)));
        let c = IncomingCommand::parse("SerialSend10", b"  x").unwrap();
        assert_eq!(c.payload, CommandPayload::Text("  x"));
        let c = IncomingCommand::parse("Power", &[0xff, 0xfe]).unwrap();
        assert!(matches!(c.payload, CommandPayload::Binary(_)));
        assert!(c.to_command(&StateText::DEFAULT).is_err());
    }
}

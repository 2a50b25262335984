//! Replies and announcements: `stat/<t>/RESULT` (or `stat/<t>/<COMMAND>` with SetOption4),
//! `tele/<t>/LWT` and `tele/<t>/INFO1..3`.

use alloc::vec::Vec;

use crate::error::Error;
use crate::extract::{Cx, Members, split_index};
use crate::extract::{DecodeOptions, Decoded, decode_object};
use crate::json::{Issue, ObjectCursor, Path, Step, Value};
use crate::power::PowerState;
use crate::status::version;
use crate::telemetry::{Button, Fields, Light, Power, Shutter, Switch, find_power};
use crate::text::{Secret, Str};
use crate::time::Version;

/// Whether the firmware understood the command.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{CommandResult, Outcome};
/// let r = CommandResult::parse(br#"{"Command":"Unknown"}"#, &Default::default())?.value;
/// assert_eq!(r.outcome, Outcome::Unknown);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Outcome {
    /// A normal reply.
    #[default]
    Done,
    /// `{"Command":"Unknown"}`: no driver knows the command.
    Unknown,
    /// `{"Command":"Error"}`: the command failed before producing a reply.
    Error,
}

/// The value of a `SetOption<n>` reply.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{CommandResult, SetOptionValue};
/// let r = CommandResult::parse(br#"{"SetOption103":"ON"}"#, &Default::default())?.value;
/// assert_eq!(r.set_options, [(103, SetOptionValue::On)]);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOptionValue<'a> {
    /// `"ON"`.
    On,
    /// `"OFF"`.
    Off,
    /// A numeric option's value.
    Number(u32),
    /// Any other text.
    Text(Str<'a>),
}

/// A command reply on `stat/<t>/RESULT`, or on `stat/<t>/<COMMAND>` with SetOption4.
///
/// The firmware replies `{"<Command><index>":<value>}` for almost every command, so the reply
/// is read field by field: power, light, fan, shutter, button and switch fields and the MQTT
/// settings are typed, every other member is kept in `other`. A member whose value is the
/// string `"Error"` means that command failed; it is listed in `failed`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{CommandResult, PowerState};
///
/// let r = CommandResult::parse(br#"{"POWER":"ON","Dimmer":50}"#, &Default::default())?.value;
/// assert_eq!(r.power(1), Some(PowerState::On));
/// assert_eq!(r.light.dimmer, Some(50));
///
/// let r = CommandResult::parse(br#"{"MqttPassword":"YknLuSd2tBY2HodwI/7RqA=="}"#, &Default::default())?.value;
/// assert_eq!(format!("{:?}", r.mqtt_password), "Some(\"***\")");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct CommandResult<'a> {
    /// The command named by the topic when SetOption4 is on (`POWER1`), set by the decoder.
    pub command: Option<&'a str>,
    /// `{"Command":"Unknown"}` and `{"Command":"Error"}`.
    pub outcome: Outcome,
    /// Members whose value was `"Error"`.
    pub failed: Vec<Str<'a>>,
    /// `POWER` / `POWER<n>`.
    pub power: Vec<Power<'a>>,
    /// Light fields.
    pub light: Light,
    /// `FanSpeed`.
    pub fan_speed: Option<u8>,
    /// `Shutter<n>`.
    pub shutters: Vec<Shutter>,
    /// `Button<n>` actions (SetOption73).
    pub buttons: Vec<Button<'a>>,
    /// `Switch<n>` actions (SetOption114).
    pub switches: Vec<Switch<'a>>,
    /// `SetOption<n>`.
    pub set_options: Vec<(u16, SetOptionValue<'a>)>,
    /// `MqttHost`.
    pub mqtt_host: Option<Str<'a>>,
    /// `MqttPort`.
    pub mqtt_port: Option<u16>,
    /// `MqttUser`.
    pub mqtt_user: Option<Str<'a>>,
    /// `MqttPassword`, which the firmware echoes in clear.
    pub mqtt_password: Option<Secret<'a>>,
    /// `Topic`.
    pub topic: Option<Str<'a>>,
    /// `GroupTopic` / `GroupTopic<n>`.
    pub group_topics: Vec<(Option<u8>, Str<'a>)>,
    /// `FullTopic`.
    pub full_topic: Option<Str<'a>>,
    /// `TelePeriod`.
    pub tele_period: Option<u16>,
    /// Every other member, kept as parsed.
    pub other: Members<'a>,
}

impl<'a> CommandResult<'a> {
    /// Decodes a RESULT payload.
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not a JSON object, or in strict mode at the first
    /// deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::CommandResult;
    /// let r = CommandResult::parse(br#"{"Dimmer":"Error"}"#, &Default::default())?.value;
    /// assert_eq!(r.failed[0], "Dimmer");
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn parse(payload: &'a [u8], options: &DecodeOptions<'_>) -> Result<Decoded<Self>, Error> {
        decode_object(payload, options, Self::read)
    }

    /// The reported state of output `n` (`POWER` counts for 1).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{CommandResult, PowerState};
    /// let r = CommandResult::parse(br#"{"POWER1":"OFF"}"#, &Default::default())?.value;
    /// assert_eq!(r.power(1), Some(PowerState::Off));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn power(&self, n: u8) -> Option<PowerState<'a>> {
        find_power(&self.power, n)
    }

    pub(crate) fn read(cx: &mut Cx<'a, '_>, mut c: ObjectCursor, path: &Path<'_>) -> Step<Self> {
        let mut res = CommandResult::default();
        let mut fields = Fields::default();
        while let Some(k) = cx.key(&mut c, path)? {
            let p = path.key(k.raw());
            if k == "Command" {
                let v = cx.value(&p)?;
                match cx.as_str(&v, &p) {
                    Some(s) if s == "Unknown" => res.outcome = Outcome::Unknown,
                    Some(s) if s == "Error" => res.outcome = Outcome::Error,
                    _ => res.other.push((k, v)),
                }
                continue;
            }
            if matches!(cx.scalar(), Some(Value::String(s)) if *s == "Error") {
                cx.skip(&p)?;
                res.failed.push(k);
                continue;
            }
            let (name, index) = split_index(k.raw());
            match (name, index) {
                ("SetOption" | "SO", Some(n)) => {
                    let n = u16::from(n);
                    let value = cx.read(&p, |cx, v, p| match v {
                        Value::String(s) if s.eq_ignore_ascii_case("ON") => {
                            Some(SetOptionValue::On)
                        }
                        Value::String(s) if s.eq_ignore_ascii_case("OFF") => {
                            Some(SetOptionValue::Off)
                        }
                        Value::String(s) => Some(SetOptionValue::Text(*s)),
                        _ => cx.as_u32(v, p).map(SetOptionValue::Number),
                    })?;
                    if let Some(value) = value {
                        res.set_options.push((n, value));
                    }
                }
                ("MqttHost", None) => res.mqtt_host = cx.str(&p)?,
                ("MqttPort", None) => res.mqtt_port = cx.u16(&p)?,
                ("MqttUser", None) => res.mqtt_user = cx.str(&p)?,
                ("MqttPassword", None) => {
                    res.mqtt_password = cx.str(&p)?.map(Secret::from_str_value);
                }
                ("Topic", None) => res.topic = cx.str(&p)?,
                ("GroupTopic", index) => {
                    if let Some(t) = cx.str(&p)? {
                        res.group_topics.push((index, t));
                    }
                }
                ("FullTopic", None) => res.full_topic = cx.str(&p)?,
                ("TelePeriod", None) => res.tele_period = cx.u16(&p)?,
                _ => {
                    let all = Fields::POWER
                        | Fields::LIGHT
                        | Fields::SHUTTER
                        | Fields::BUTTON
                        | Fields::SWITCH;
                    if !fields.take(cx, all, k, path)? {
                        res.other.push((k, cx.value(&p)?));
                    }
                }
            }
        }
        // SetOption numbers above 255 do not exist; `split_index` stops at u8.
        res.power = fields.power;
        res.light = fields.light;
        res.fan_speed = fields.fan_speed;
        res.shutters = fields.shutters;
        res.buttons = fields.buttons;
        res.switches = fields.switches;
        Ok(res)
    }
}

/// The texts a device publishes on its LWT topic (discovery keys `onln` and `ofln`).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Lwt, LwtText};
/// let texts = LwtText::new("up", "down");
/// assert_eq!(Lwt::parse(b"down", &texts)?, Lwt::Offline);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LwtText<'a> {
    online: &'a str,
    offline: &'a str,
}

impl<'a> LwtText<'a> {
    /// The firmware defaults, `Online` and `Offline`.
    pub const DEFAULT: LwtText<'static> = LwtText {
        online: "Online",
        offline: "Offline",
    };

    /// Custom texts.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::LwtText::new("on", "off").online(), "on");
    /// ```
    pub const fn new(online: &'a str, offline: &'a str) -> Self {
        Self { online, offline }
    }

    /// The online text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::LwtText::DEFAULT.online(), "Online");
    /// ```
    pub const fn online(&self) -> &'a str {
        self.online
    }

    /// The offline text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::LwtText::DEFAULT.offline(), "Offline");
    /// ```
    pub const fn offline(&self) -> &'a str {
        self.offline
    }
}

impl Default for LwtText<'_> {
    fn default() -> Self {
        LwtText::DEFAULT
    }
}

/// A device's availability from `tele/<t>/LWT` (plain text, not JSON).
///
/// `Online` is published retained after connecting (not retained on AWS IoT, where the
/// firmware forces SetOption104); `Offline` is the MQTT will.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Lwt, LwtText, Str};
/// assert_eq!(Lwt::parse(b"Online", &LwtText::DEFAULT)?, Lwt::Online);
/// assert_eq!(Lwt::parse(b"Rebooting", &LwtText::DEFAULT)?, Lwt::Other(Str::new("Rebooting")));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lwt<'a> {
    /// The online text.
    Online,
    /// The offline text.
    Offline,
    /// Anything else, as sent.
    Other(Str<'a>),
}

impl<'a> Lwt<'a> {
    /// Reads an LWT payload: the device's texts exactly, then ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Lwt, LwtText};
    /// assert_eq!(Lwt::parse(b"offline", &LwtText::DEFAULT)?, Lwt::Offline);
    /// assert!(Lwt::parse(&[0xff], &LwtText::DEFAULT).is_err());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn parse(payload: &'a [u8], texts: &LwtText<'_>) -> Result<Self, Error> {
        let text = crate::extract::text_payload(payload)?;
        Ok(if text == texts.online {
            Self::Online
        } else if text == texts.offline {
            Self::Offline
        } else if text.eq_ignore_ascii_case(texts.online) {
            Self::Online
        } else if text.eq_ignore_ascii_case(texts.offline) {
            Self::Offline
        } else {
            Self::Other(Str::new(text))
        })
    }

    /// `Some(true)` online, `Some(false)` offline, `None` otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Lwt::Online.is_online(), Some(true));
    /// ```
    pub const fn is_online(&self) -> Option<bool> {
        match self {
            Self::Online => Some(true),
            Self::Offline => Some(false),
            Self::Other(_) => None,
        }
    }
}

/// `INFO1`: module, version, fallback and group topic.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Info;
/// let Info::Info1(i) = Info::parse(1, br#"{"Module":"Generic","Version":"7.0.0.3(tasmota)","FallbackTopic":"cmnd/DVES_15568C_fb/","GroupTopic":"cmnd/sonoffs/"}"#,
///     &Default::default())?.value else { unreachable!() };
/// assert!(!i.wrapped);
/// assert_eq!(i.version.unwrap().numbers(), [7, 0, 0, 3]);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Info1<'a> {
    /// Whether the fields were wrapped in `{"Info1":{...}}` (current firmware).
    pub wrapped: bool,
    /// `Module`.
    pub module: Option<Str<'a>>,
    /// `Version`.
    pub version: Option<Version<'a>>,
    /// `FallbackTopic`.
    pub fallback_topic: Option<Str<'a>>,
    /// `GroupTopic`: `sonoffs`, `cmnd/sonoffs/` or `tasmotas` depending on the firmware.
    pub group_topic: Option<Str<'a>>,
    /// Other members.
    pub other: Members<'a>,
}

/// `INFO2`: web server mode, hostname and addresses.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Info;
/// let Info::Info2(i) = Info::parse(2, br#"{"Info2":{"WebServerMode":"Admin","Hostname":"wemos2","IPAddress":"192.168.2.191"}}"#,
///     &Default::default())?.value else { unreachable!() };
/// assert!(i.wrapped);
/// assert_eq!(i.hostname.unwrap(), "wemos2");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Info2<'a> {
    /// Whether the fields were wrapped in `{"Info2":{...}}`.
    pub wrapped: bool,
    /// `WebServerMode`.
    pub web_server_mode: Option<Str<'a>>,
    /// `Hostname`.
    pub hostname: Option<Str<'a>>,
    /// `IPAddress`.
    pub ip_address: Option<Str<'a>>,
    /// `IP6Global`.
    pub ip6_global: Option<Str<'a>>,
    /// `IP6Local`.
    pub ip6_local: Option<Str<'a>>,
    /// `Ethernet.Hostname`.
    pub ethernet_hostname: Option<Str<'a>>,
    /// `Ethernet.IPAddress`.
    pub ethernet_ip_address: Option<Str<'a>>,
    /// Other members.
    pub other: Members<'a>,
}

/// `INFO3`: why the device restarted.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Info;
/// let Info::Info3(i) = Info::parse(3, br#"{"Info3":{"RestartReason":"Software/System restart","BootCount":12}}"#,
///     &Default::default())?.value else { unreachable!() };
/// assert_eq!((i.restart_reason.unwrap(), i.boot_count), (tasmota_proto::Str::new("Software/System restart"), Some(12)));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Info3<'a> {
    /// Whether the fields were wrapped in `{"Info3":{...}}`.
    pub wrapped: bool,
    /// `RestartReason`, when it is text.
    pub restart_reason: Option<Str<'a>>,
    /// `RestartReason`, when it is a crash dump object.
    pub crash: Option<Value<'a>>,
    /// `BootCount`.
    pub boot_count: Option<u32>,
    /// Other members.
    pub other: Members<'a>,
}

/// A `tele/<t>/INFO1`, `INFO2` or `INFO3` payload, published on the first MQTT connection
/// after boot, wrapped (`{"Info1":{...}}`, current firmware) or not (7.x to 9.x).
///
/// # Examples
///
/// ```
/// use tasmota_proto::Info;
/// let i = Info::parse(3, br#"{"RestartReason":"Deep-Sleep Wake"}"#, &Default::default())?.value;
/// assert!(matches!(i, Info::Info3(ref i3) if !i3.wrapped));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Info<'a> {
    /// `INFO1`.
    Info1(Info1<'a>),
    /// `INFO2`.
    Info2(Info2<'a>),
    /// `INFO3`.
    Info3(Info3<'a>),
}

impl<'a> Info<'a> {
    /// Decodes an INFO payload; `index` is the digit of the topic (1..=3). A wrapper key wins
    /// over `index`.
    ///
    /// # Errors
    ///
    /// [`Error::Payload`] when the payload is not a JSON object or `index` is not 1..=3
    /// without a wrapper, or in strict mode at the first deviation.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::Info;
    /// assert!(Info::parse(4, br#"{"Module":"Generic"}"#, &Default::default()).is_err());
    /// ```
    pub fn parse(
        index: u8,
        payload: &'a [u8],
        options: &DecodeOptions<'_>,
    ) -> Result<Decoded<Self>, Error> {
        decode_object(payload, options, |cx, mut c, path| {
            // Wrapped (`{"Info1":{..}}`, 9.x and later) when that is the only member.
            let start = (cx.p.mark(), c);
            if let Some(k) = cx.key(&mut c, path)?
                && let Some(i) = wrapper(k)
                && cx.is_object()
            {
                let p = path.key(k.raw());
                let inner = cx.begin_object(&p)?;
                let info = Self::read(cx, i, true, inner, &p)?;
                if cx.key(&mut c, path)?.is_none() {
                    return Ok(info);
                }
            }
            cx.p.rewind(&start.0);
            Self::read(cx, index, false, start.1, path)
        })
    }

    fn read(
        cx: &mut Cx<'a, '_>,
        index: u8,
        wrapped: bool,
        mut c: ObjectCursor,
        path: &Path<'_>,
    ) -> Step<Self> {
        match index {
            1 => {
                let mut i = Info1 {
                    wrapped,
                    ..Info1::default()
                };
                while let Some(k) = cx.key(&mut c, path)? {
                    let p = path.key(k.raw());
                    match k.raw() {
                        "Module" => i.module = cx.str(&p)?,
                        "Version" => i.version = version(cx, &p)?,
                        "FallbackTopic" => i.fallback_topic = cx.str(&p)?,
                        "GroupTopic" => i.group_topic = cx.str(&p)?,
                        _ => i.other.push((k, cx.value(&p)?)),
                    }
                }
                Ok(Self::Info1(i))
            }
            2 => {
                let mut i = Info2 {
                    wrapped,
                    ..Info2::default()
                };
                while let Some(k) = cx.key(&mut c, path)? {
                    let p = path.key(k.raw());
                    match k.raw() {
                        "WebServerMode" => i.web_server_mode = cx.str(&p)?,
                        "Hostname" => i.hostname = cx.str(&p)?,
                        "IPAddress" => i.ip_address = cx.str(&p)?,
                        "IP6Global" => i.ip6_global = cx.str(&p)?,
                        "IP6Local" => i.ip6_local = cx.str(&p)?,
                        "Ethernet" => {
                            if let Some(mut ec) = cx.object(&p)? {
                                while let Some(ek) = cx.key(&mut ec, &p)? {
                                    let ep = p.key(ek.raw());
                                    match ek.raw() {
                                        "Hostname" => i.ethernet_hostname = cx.str(&ep)?,
                                        "IPAddress" => i.ethernet_ip_address = cx.str(&ep)?,
                                        _ => cx.skip(&ep)?,
                                    }
                                }
                            }
                        }
                        _ => i.other.push((k, cx.value(&p)?)),
                    }
                }
                Ok(Self::Info2(i))
            }
            3 => {
                let mut i = Info3 {
                    wrapped,
                    ..Info3::default()
                };
                while let Some(k) = cx.key(&mut c, path)? {
                    let p = path.key(k.raw());
                    match k.raw() {
                        "RestartReason" if cx.is_object() => i.crash = Some(cx.value(&p)?),
                        "RestartReason" => i.restart_reason = cx.str(&p)?,
                        "BootCount" => i.boot_count = cx.u32(&p)?,
                        _ => i.other.push((k, cx.value(&p)?)),
                    }
                }
                Ok(Self::Info3(i))
            }
            _ => {
                while let Some(k) = cx.key(&mut c, path)? {
                    cx.skip(&path.key(k.raw()))?;
                }
                Err(cx.fail(Issue {
                    kind: crate::json::IssueKind::InvalidValue {
                        expected: "INFO1, INFO2 or INFO3",
                    },
                    offset: None,
                    path: path.render(),
                }))
            }
        }
    }
}

/// The index of an `Info1`..`Info3` wrapper key.
fn wrapper(key: Str<'_>) -> Option<u8> {
    match key.raw() {
        "Info1" => Some(1),
        "Info2" => Some(2),
        "Info3" => Some(3),
        _ => None,
    }
}

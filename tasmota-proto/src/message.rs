//! Decoding a received message: topic and payload to a typed [`Message`]. The message
//! families decode themselves with the shared plumbing in `extract`; this module only
//! dispatches to them.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::command::IncomingCommand;
use crate::discovery::{DiscoveryConfig, DiscoverySensors};
use crate::error::Error;
use crate::error::TopicError;
use crate::extract::split_index;
use crate::extract::{DecodeOptions, Decoded, text_payload};
use crate::json::{self, Issue, IssueKind, Mode, Path, Report, Value};
use crate::power::PowerState;
use crate::response::{CommandResult, Info, Lwt};
use crate::status::Status;
use crate::telemetry::{Sensor, State};
use crate::text::Str;
use crate::topic::{
    DiscoveryKind, DiscoveryTopic, FullTopic, MAX_GROUP_TOPICS, Prefix, Prefixes, Route,
};

/// A payload this crate does not type, kept in the most useful form.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{decode_payload, Message, OtherPayload, Prefix};
/// let d = decode_payload(Some(Prefix::Tele), "POWER_LOW", b"ON", &Default::default())?;
/// assert!(matches!(d.value, Message::Other(OtherPayload::Text("ON"))));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum OtherPayload<'a> {
    /// A JSON object or array.
    Json(Value<'a>),
    /// Text that is not JSON (possibly empty).
    Text(&'a str),
    /// Bytes that are not UTF-8.
    Binary(&'a [u8]),
}

/// A typed received message.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Decoder, Message};
/// let m = Decoder::new().decode("tele/tasmota_XXXXXX/LWT", b"Online")?;
/// assert!(matches!(m.message, Message::Lwt(tasmota_proto::Lwt::Online)));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Message<'a> {
    /// `tele/<t>/LWT`.
    Lwt(Lwt<'a>),
    /// `tele/<t>/STATE` (or `stat/<t>/STATE`).
    State(State<'a>),
    /// `tele/<t>/SENSOR`.
    Sensor(Box<Sensor<'a>>),
    /// `tele/<t>/INFO1..3`.
    Info(Info<'a>),
    /// `stat/<t>/RESULT`, or `stat/<t>/<COMMAND>` with a JSON payload (SetOption4).
    Result(CommandResult<'a>),
    /// `stat/<t>/STATUS`, `STATUS0..13`.
    Status(Box<Status<'a>>),
    /// `stat/<t>/POWER` or `POWER<n>` with a plain-text payload.
    Power {
        /// The output number, `None` for `POWER`.
        index: Option<u8>,
        /// The state.
        state: PowerState<'a>,
    },
    /// A command on `cmnd/<t>/...`.
    Command(IncomingCommand<'a>),
    /// `tasmota/discovery/<MAC>/config` (boxed: the largest and rarest message, which would
    /// otherwise size every `Message`).
    DiscoveryConfig(Box<DiscoveryConfig<'a>>),
    /// `tasmota/discovery/<MAC>/sensors`.
    DiscoverySensors(Box<DiscoverySensors<'a>>),
    /// An empty retained discovery message: the device was removed (SetOption19 1).
    DiscoveryRemoved(DiscoveryKind),
    /// Any other subtopic.
    Other(OtherPayload<'a>),
}

impl<'a> Message<'a> {
    /// The state of output `n` (1-based) if the message carries it: `POWER<n>` (or `POWER`
    /// for output 1) in STATE, RESULT (and SetOption4 replies) and StatusSTS, or a plain-text
    /// `stat/<t>/POWER<n>`.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Decoder, PowerState};
    /// let d = Decoder::new();
    /// for (topic, payload) in [("stat/t/POWER", &b"ON"[..]), ("tele/t/STATE", br#"{"POWER":"ON"}"#),
    ///     ("stat/t/RESULT", br#"{"POWER1":"ON"}"#), ("stat/t/STATUS11", br#"{"StatusSTS":{"POWER1":"ON"}}"#)] {
    ///     assert_eq!(d.decode(topic, payload)?.message.power(1), Some(PowerState::On), "{topic}");
    /// }
    /// assert_eq!(d.decode("tele/t/STATE", br#"{"POWER":"ON"}"#)?.message.power(2), None);
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn power(&self, n: u8) -> Option<PowerState<'a>> {
        match self {
            Self::State(s) => s.power(n),
            Self::Result(r) => r.power(n),
            Self::Status(s) => s.state.as_ref().and_then(|s| s.power(n)),
            Self::Power { index, state } => (index.unwrap_or(1) == n).then_some(*state),
            _ => None,
        }
    }
}

/// Decodes a payload from its prefix and subtopic.
///
/// Dispatch: `cmnd` gives [`Message::Command`]; `LWT`, `STATE`, `SENSOR`, `INFO1..3`, `RESULT`,
/// `STATUS`/`STATUS<n>` their types; `POWER<n>` in plain text [`Message::Power`]; any other
/// `stat` subtopic with a JSON object is a SetOption4 reply ([`Message::Result`] with
/// `command` set); the rest is [`Message::Other`]. Subtopics are matched ignoring ASCII case.
/// A `None` prefix (FullTopic without `%prefix%`) is resolved by the subtopic.
///
/// # Errors
///
/// [`Error::Payload`] when a typed payload cannot be decoded (see each type's `parse`);
/// [`Error::Command`] for a command topic without a name.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{decode_payload, Message, Prefix};
/// let d = decode_payload(Some(Prefix::Stat), "POWER1", br#"{"POWER1":"ON"}"#, &Default::default())?;
/// let Message::Result(r) = d.value else { panic!() };
/// assert_eq!(r.command, Some("POWER1"));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
pub fn decode_payload<'a>(
    prefix: Option<Prefix>,
    subtopic: &'a str,
    payload: &'a [u8],
    options: &DecodeOptions<'_>,
) -> Result<Decoded<Message<'a>>, Error> {
    let clean = |message| Decoded {
        value: message,
        issues: Vec::new(),
    };
    if prefix == Some(Prefix::Cmnd) {
        return Ok(clean(Message::Command(IncomingCommand::parse(
            subtopic, payload,
        )?)));
    }
    let upper = |s: &str| subtopic.eq_ignore_ascii_case(s);
    let (name, index) = split_index(subtopic);
    let is_json = payload.trim_ascii_start().first() == Some(&b'{');
    if upper("LWT") {
        return Ok(clean(Message::Lwt(Lwt::parse(payload, &options.lwt_text)?)));
    }
    if upper("STATE") {
        return Ok(State::parse(payload, options)?.map(Message::State));
    }
    if upper("SENSOR") {
        return Ok(Sensor::parse(payload, options)?.map(|s| Message::Sensor(Box::new(s))));
    }
    if upper("RESULT") {
        return Ok(CommandResult::parse(payload, options)?.map(Message::Result));
    }
    if name.eq_ignore_ascii_case("INFO") && matches!(index, Some(1..=3)) {
        let i = index.unwrap_or(1);
        return Ok(Info::parse(i, payload, options)?.map(Message::Info));
    }
    if name.eq_ignore_ascii_case("STATUS") && index.is_none_or(|i| i <= 13) && is_json {
        return Ok(Status::parse(payload, options)?.map(|s| Message::Status(Box::new(s))));
    }
    if name.eq_ignore_ascii_case("POWER") && !is_json {
        let text = text_payload(payload)?;
        let state = options.state_text.classify(Str::new(text));
        return Ok(clean(Message::Power { index, state }));
    }
    if prefix != Some(Prefix::Tele) && is_json {
        let mut r = CommandResult::parse(payload, options)?;
        r.value.command = Some(subtopic);
        return Ok(r.map(Message::Result));
    }
    Ok(clean(Message::Other(other_payload(payload))))
}

fn other_payload(payload: &[u8]) -> OtherPayload<'_> {
    let Ok(text) = core::str::from_utf8(payload) else {
        return OtherPayload::Binary(payload);
    };
    if matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'[')) {
        let mut report = Report::new(Mode::Lenient);
        if let Ok((v, _)) = json::parse_with(payload, &mut report)
            && report.issues.is_empty()
        {
            return OtherPayload::Json(v);
        }
    }
    OtherPayload::Text(text)
}

/// Which FullTopic token identified the device in a decoded topic.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Decoder, DeviceToken, FullTopic};
/// let d = Decoder::new().with_full_topic(FullTopic::new("%prefix%/%hostname%/")?);
/// assert_eq!(d.decode("tele/lamp-1234/LWT", b"Online")?.token, Some(DeviceToken::Hostname));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeviceToken {
    /// `%topic%`, the device's Topic.
    Topic,
    /// `%hostname%`.
    Hostname,
    /// `%id%`, the MAC's 12 hex digits.
    Id,
    /// The MqttClient of a fallback topic `cmnd/<MqttClient>_fb/`.
    MqttClient,
    /// The MAC of a discovery topic.
    DiscoveryId,
}

/// A decoded message with what its topic says.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Decoder, Message, Prefix};
/// let m = Decoder::new().decode("stat/kitchen/RESULT", br#"{"POWER":"ON"}"#)?;
/// assert_eq!((m.prefix, m.device, m.subtopic), (Some(Prefix::Stat), Some("kitchen"), "RESULT"));
/// assert!(matches!(m.message, Message::Result(_)));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DecodedMessage<'a> {
    /// The prefix, when the topic tells.
    pub prefix: Option<Prefix>,
    /// The device: the `%topic%`, `%hostname%` or `%id%` value, the MqttClient of a fallback
    /// topic, or the id of a discovery topic; `None` for a group topic.
    pub device: Option<&'a str>,
    /// Which token `device` is.
    pub token: Option<DeviceToken>,
    /// Whether the topic is the device's own, a group topic or the fallback topic.
    pub route: Route,
    /// The last topic level.
    pub subtopic: &'a str,
    /// The message.
    pub message: Message<'a>,
    /// What lenient decoding repaired or dropped.
    pub issues: Vec<Issue>,
}

/// Decodes messages of devices that share a FullTopic and prefixes, without knowing each
/// device in advance; discovery topics are recognised too.
///
/// For one known device, parse the topic with
/// [`DeviceTopics::parse`](crate::DeviceTopics::parse) and call [`decode_payload`].
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Decoder, FullTopic, Message};
///
/// let decoder = Decoder::new().with_full_topic(FullTopic::new("%topic%/%prefix%/")?);
/// let m = decoder.decode("tasmota_49A3BC/tele/STATE", br#"{"POWER":"ON","Dimmer":50}"#)?;
/// let Message::State(s) = m.message else { panic!() };
/// assert_eq!(s.light.dimmer, Some(50));
///
/// let m = decoder.decode("tasmota/discovery/00000049A3BC/config", b"")?;
/// assert!(matches!(m.message, Message::DiscoveryRemoved(_)));
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoder<'a> {
    groups: [Option<&'a str>; MAX_GROUP_TOPICS],
    full_topic: FullTopic<'a>,
    prefixes: Prefixes<'a>,
    options: DecodeOptions<'a>,
}

impl<'a> Decoder<'a> {
    /// The firmware defaults: FullTopic `%prefix%/%topic%/`, prefixes `cmnd`, `stat`, `tele`,
    /// lenient mode, default texts.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Decoder::new(), Default::default());
    /// ```
    pub const fn new() -> Self {
        Self {
            groups: [None; MAX_GROUP_TOPICS],
            full_topic: FullTopic::DEFAULT,
            prefixes: Prefixes::DEFAULT,
            options: DecodeOptions::new(),
        }
    }

    /// Sets the FullTopic.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Decoder, FullTopic};
    /// let d = Decoder::new().with_full_topic(FullTopic::new("home/%prefix%/%topic%/")?);
    /// assert_eq!(d.decode("home/stat/lamp/POWER", b"ON")?.device, Some("lamp"));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    #[must_use]
    pub const fn with_full_topic(mut self, full_topic: FullTopic<'a>) -> Self {
        self.full_topic = full_topic;
        self
    }

    /// Sets the prefixes.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Decoder, Prefixes};
    /// let d = Decoder::new().with_prefixes(Prefixes::new("cmnd", "stat", "tele1")?);
    /// assert!(d.decode("tele1/lamp/LWT", b"Online").is_ok());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    #[must_use]
    pub const fn with_prefixes(mut self, prefixes: Prefixes<'a>) -> Self {
        self.prefixes = prefixes;
        self
    }

    /// Sets the decode options.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DecodeOptions, Decoder};
    /// let d = Decoder::new().with_options(DecodeOptions::strict());
    /// assert!(d.decode("tele/x/SENSOR", br#"{"T":nan}"#).is_err());
    /// ```
    #[must_use]
    pub const fn with_options(mut self, options: DecodeOptions<'a>) -> Self {
        self.options = options;
        self
    }

    /// Decodes one message.
    ///
    /// Every string borrows from `payload`. In lenient mode a string holding bytes that are
    /// not UTF-8 (a device or Zigbee name in a legacy code page) is kept and reads with U+FFFD
    /// in their place ([`Str::has_invalid_utf8`]), the rest of the payload is decoded, and
    /// each such string is reported ([`IssueKind::ReplacedUtf8`]); nothing is copied, and a
    /// valid payload costs nothing more. Strict mode refuses such a payload.
    ///
    /// # Errors
    ///
    /// [`Error::Topic`] when the topic matches neither the FullTopic nor a discovery topic;
    /// otherwise as [`decode_payload`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Decoder, Message, json::IssueKind};
    /// assert!(Decoder::new().decode("garbage", b"").is_err());
    ///
    /// let m = Decoder::new().decode("tele/t/STATE", b"{\"Wifi\":{\"SSId\":\"caf\xe9\"},\"POWER\":\"ON\"}")?;
    /// assert_eq!((m.issues[0].kind, m.issues[0].offset), (IssueKind::ReplacedUtf8, Some(20)));
    /// assert_eq!(m.issues[0].path, "$.Wifi.SSId");
    /// let Message::State(s) = m.message else { panic!() };
    /// assert_eq!(s.wifi.unwrap().ssid.unwrap(), "caf\u{FFFD}");
    /// assert_eq!(s.power.len(), 1);
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn decode<'m>(
        &self,
        topic: &'m str,
        payload: &'m [u8],
    ) -> Result<DecodedMessage<'m>, Error> {
        if topic.starts_with(DiscoveryTopic::PREFIX) {
            return self.decode_discovery(topic, payload);
        }
        let cmnd = self.prefixes.get(Prefix::Cmnd);
        let (prefix, device, token, route, subtopic) = if let Some(f) = fallback(cmnd, topic) {
            (
                Some(Prefix::Cmnd),
                Some(f.0),
                Some(DeviceToken::MqttClient),
                Route::Fallback,
                f.1,
            )
        } else if let Some((i, sub)) = self.group(cmnd, topic) {
            (Some(Prefix::Cmnd), None, None, Route::Group(i), sub)
        } else {
            let m = self.full_topic.parse(&self.prefixes, topic)?;
            let (device, token) = match (m.topic, m.hostname, m.id) {
                (Some(t), ..) => (Some(t), Some(DeviceToken::Topic)),
                (None, Some(h), _) => (Some(h), Some(DeviceToken::Hostname)),
                (None, None, Some(i)) => (Some(i), Some(DeviceToken::Id)),
                _ => (None, None),
            };
            (m.prefix, device, token, Route::Device, m.subtopic)
        };
        let decoded = decode_payload(prefix, subtopic, payload, &self.options)?;
        Ok(DecodedMessage {
            prefix,
            device,
            token,
            route,
            subtopic,
            message: decoded.value,
            issues: decoded.issues,
        })
    }

    /// Adds group topic `index` (1..=4) to recognise: `cmnd/<group>/<command>`, as the
    /// firmware subscribes with SetOption75 1 (a group topic is also matched under the
    /// FullTopic when it is a device Topic there).
    ///
    /// # Errors
    ///
    /// [`TopicError::GroupIndex`] outside 1..=4.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Decoder, Message, Route};
    /// let d = Decoder::new().with_group_topic(1, "tasmotas")?;
    /// let m = d.decode("cmnd/tasmotas/Power", b"ON")?;
    /// assert_eq!((m.route, m.device), (Route::Group(1), None));
    /// assert!(matches!(m.message, Message::Command(_)));
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn with_group_topic(mut self, index: u8, topic: &'a str) -> Result<Self, TopicError> {
        let slot = usize::from(index)
            .checked_sub(1)
            .and_then(|i| self.groups.get_mut(i))
            .ok_or(TopicError::GroupIndex { index })?;
        *slot = Some(topic);
        Ok(self)
    }

    fn group<'m>(&self, cmnd: &str, topic: &'m str) -> Option<(u8, &'m str)> {
        let rest = topic.strip_prefix(cmnd)?.strip_prefix('/')?;
        let (group, sub) = rest.rsplit_once('/')?;
        let at = self.groups.iter().position(|g| *g == Some(group))?;
        Some((u8::try_from(at + 1).ok()?, sub))
    }

    fn decode_discovery<'m>(
        &self,
        topic: &'m str,
        payload: &'m [u8],
    ) -> Result<DecodedMessage<'m>, Error> {
        let t = DiscoveryTopic::parse(topic)?;
        let subtopic = topic.rsplit('/').next().unwrap_or(topic);
        let done = |message, issues| DecodedMessage {
            prefix: None,
            device: Some(t.id),
            token: Some(DeviceToken::DiscoveryId),
            route: Route::Device,
            subtopic,
            message,
            issues,
        };
        if payload.trim_ascii().is_empty() {
            return Ok(done(Message::DiscoveryRemoved(t.kind), Vec::new()));
        }
        Ok(match t.kind {
            DiscoveryKind::Config => {
                let mut d = DiscoveryConfig::parse(payload, &self.options)?;
                if t.mac() != Some(d.value.mac) {
                    let mut report = Report::new(self.options.mode);
                    report.issue(
                        IssueKind::InvalidValue {
                            expected: "the MAC in the discovery topic",
                        },
                        None,
                        &Path::ROOT.key("mac"),
                    )?;
                    d.issues.extend(report.issues);
                }
                done(Message::DiscoveryConfig(Box::new(d.value)), d.issues)
            }
            DiscoveryKind::Sensors => {
                let d = DiscoverySensors::parse(payload, &self.options)?;
                done(Message::DiscoverySensors(Box::new(d.value)), d.issues)
            }
        })
    }
}

/// The MqttClient and subtopic of a fallback topic `<cmnd>/<MqttClient>_fb/<command>`.
fn fallback<'m>(cmnd: &str, topic: &'m str) -> Option<(&'m str, &'m str)> {
    let rest = topic.strip_prefix(cmnd)?.strip_prefix('/')?;
    let (client, sub) = rest.split_once('/')?;
    let client = client.strip_suffix("_fb").filter(|c| !c.is_empty())?;
    (!sub.contains('/')).then_some((client, sub))
}

impl Default for Decoder<'_> {
    fn default() -> Self {
        Self::new()
    }
}

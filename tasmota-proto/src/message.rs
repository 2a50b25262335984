//! Decoding a received message: topic and payload to a typed [`Message`].

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::command::IncomingCommand;
use crate::discovery::{DiscoveryConfig, DiscoverySensors};
use crate::error::Error;
use crate::extract::{Cx, split_index};
use crate::json::{
    self, Issue, IssueKind, Mode, ObjectCursor, Parser, Path, Report, Step, Stop, Value,
};
use crate::power::{PowerState, StateText};
use crate::response::{CommandResult, Info, Lwt, LwtText};
use crate::status::Status;
use crate::telemetry::{Sensor, State};
use crate::text::Str;
use crate::topic::{DiscoveryKind, DiscoveryTopic, FullTopic, Prefix, Prefixes};

/// How to decode payloads: lenient or strict, and the device's StateText and LWT texts.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{DecodeOptions, LwtText, StateText, json::Mode};
/// let opts = DecodeOptions::strict().with_state_text(StateText::new("0", "1", "2", "3"));
/// assert_eq!(opts.mode, Mode::Strict);
/// assert_eq!(DecodeOptions::default().lwt_text, LwtText::DEFAULT);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeOptions<'a> {
    /// Lenient (default) or strict.
    pub mode: Mode,
    /// The texts for OFF, ON, TOGGLE and HOLD.
    pub state_text: StateText<'a>,
    /// The LWT online and offline texts.
    pub lwt_text: LwtText<'a>,
}

impl<'a> DecodeOptions<'a> {
    /// Lenient mode and the firmware's default texts.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::DecodeOptions::new(), Default::default());
    /// ```
    pub const fn new() -> Self {
        Self {
            mode: Mode::Lenient,
            state_text: StateText::DEFAULT,
            lwt_text: LwtText::DEFAULT,
        }
    }

    /// Strict mode and the firmware's default texts.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::DecodeOptions::strict().mode, tasmota_proto::json::Mode::Strict);
    /// ```
    pub const fn strict() -> Self {
        Self::new().with_mode(Mode::Strict)
    }

    /// Sets the mode.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DecodeOptions, json::Mode};
    /// assert_eq!(DecodeOptions::new().with_mode(Mode::Strict), DecodeOptions::strict());
    /// ```
    #[must_use]
    pub const fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the StateText.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DecodeOptions, StateText};
    /// let o = DecodeOptions::new().with_state_text(StateText::new("AUS", "AN", "UM", "HALT"));
    /// assert_eq!(o.state_text.on(), "AN");
    /// ```
    #[must_use]
    pub const fn with_state_text(mut self, texts: StateText<'a>) -> Self {
        self.state_text = texts;
        self
    }

    /// Sets the LWT texts.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{DecodeOptions, LwtText};
    /// let o = DecodeOptions::new().with_lwt_text(LwtText::new("up", "down"));
    /// assert_eq!(o.lwt_text.offline(), "down");
    /// ```
    #[must_use]
    pub const fn with_lwt_text(mut self, texts: LwtText<'a>) -> Self {
        self.lwt_text = texts;
        self
    }
}

impl Default for DecodeOptions<'_> {
    fn default() -> Self {
        Self::new()
    }
}

/// A decoded value and what lenient decoding repaired or dropped.
///
/// # Examples
///
/// ```
/// use tasmota_proto::State;
/// let d = State::parse(br#"{"Vcc":"3.2"}"#, &Default::default())?;
/// assert_eq!(d.value.vcc, Some(3.2));
/// assert!(!d.is_clean());
/// assert_eq!(d.issues[0].to_string(), "number written as a string at $.Vcc (byte 7)");
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded<T> {
    /// The value.
    pub value: T,
    /// Deviations found, in payload order; always empty in strict mode.
    pub issues: Vec<Issue>,
}

impl<T> Decoded<T> {
    /// Whether the payload was standard JSON of the expected shape.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::State::parse(br#"{"POWER":"ON"}"#, &Default::default())?.is_clean());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn is_clean(&self) -> bool {
        self.issues.is_empty()
    }

    /// Whether any data was dropped (see [`IssueKind::is_loss`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let d = tasmota_proto::State::parse(br#"{"POWER":"ON""#, &Default::default())?;
    /// assert!(d.lost_data());
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn lost_data(&self) -> bool {
        self.issues.iter().any(|i| i.kind.is_loss())
    }

    /// Transforms the value, keeping the issues.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = tasmota_proto::State::parse(br#"{"POWER":"ON"}"#, &Default::default())?;
    /// assert_eq!(d.map(|s| s.power.len()).value, 1);
    /// # Ok::<(), tasmota_proto::Error>(())
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Decoded<U> {
        Decoded {
            value: f(self.value),
            issues: self.issues,
        }
    }
}

/// Decodes a payload that must be a JSON object: `f` reads it in one pass with the cursor
/// it is given (at the object's first member).
///
/// In strict mode a syntax issue anywhere takes precedence over a typed issue, and a typed
/// issue over a missing required field, as if the payload were parsed before being typed.
pub(crate) fn decode_object<'a, T>(
    payload: &'a [u8],
    options: &DecodeOptions<'_>,
    f: impl FnOnce(&mut Cx<'a, '_>, ObjectCursor, &Path<'_>) -> Step<T>,
) -> Result<Decoded<T>, Error> {
    let mut report = Report::new(options.mode);
    let mut p = Parser::new(payload, &mut report)?;
    if p.first() != Some(b'{') {
        let value = p.document()?;
        let src = p.src();
        let offset = src.len() - src.trim_start().len();
        return Err(Issue {
            kind: IssueKind::WrongType {
                expected: "an object",
                found: value.kind(),
            },
            offset: Some(offset),
            path: Path::ROOT.render(),
        }
        .into());
    }
    let mut cx = Cx {
        p,
        texts: options.state_text,
        fatal: None,
    };
    let value = match cx.p.begin_object(&Path::ROOT) {
        Ok(root) => f(&mut cx, root, &Path::ROOT),
        Err(stop) => Err(stop),
    };
    if cx.p.failed() || cx.p.finish().is_err() {
        return Err(cx.p.failure().into());
    }
    let fatal = cx.fatal.take();
    drop(cx);
    let issues = report.finish()?;
    match (value, fatal) {
        (Ok(value), _) => Ok(Decoded { value, issues }),
        (Err(Stop), Some(issue)) => Err(issue.into()),
        (Err(Stop), None) => Err(Issue {
            kind: IssueKind::Unexpected {
                found: ' ',
                expected: "a json value",
            },
            offset: None,
            path: Path::ROOT.render(),
        }
        .into()),
    }
}

/// A payload that must be text (LWT, `stat/<t>/POWER`).
pub(crate) fn text_payload(payload: &[u8]) -> Result<&str, Error> {
    core::str::from_utf8(payload).map_err(|e| {
        Error::Payload(Issue {
            kind: IssueKind::InvalidUtf8,
            offset: Some(e.valid_up_to()),
            path: Path::ROOT.render(),
        })
    })
}

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
    /// `tasmota/discovery/<MAC>/config`.
    DiscoveryConfig(DiscoveryConfig<'a>),
    /// `tasmota/discovery/<MAC>/sensors`.
    DiscoverySensors(Box<DiscoverySensors<'a>>),
    /// An empty retained discovery message: the device was removed (SetOption19 1).
    DiscoveryRemoved(DiscoveryKind),
    /// Any other subtopic.
    Other(OtherPayload<'a>),
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
pub struct DecodedMessage<'a> {
    /// The prefix, when the topic tells.
    pub prefix: Option<Prefix>,
    /// The device: the `%topic%` value, or the id of a discovery topic.
    pub device: Option<&'a str>,
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
    /// # Errors
    ///
    /// [`Error::Topic`] when the topic matches neither the FullTopic nor a discovery topic;
    /// otherwise as [`decode_payload`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::Decoder;
    /// assert!(Decoder::new().decode("garbage", b"").is_err());
    /// ```
    pub fn decode<'m>(
        &self,
        topic: &'m str,
        payload: &'m [u8],
    ) -> Result<DecodedMessage<'m>, Error> {
        if topic.starts_with(DiscoveryTopic::PREFIX) {
            return self.decode_discovery(topic, payload);
        }
        let m = self.full_topic.parse(&self.prefixes, topic)?;
        let decoded = decode_payload(m.prefix, m.subtopic, payload, &self.options)?;
        Ok(DecodedMessage {
            prefix: m.prefix,
            device: m.topic.or(m.hostname).or(m.id),
            subtopic: m.subtopic,
            message: decoded.value,
            issues: decoded.issues,
        })
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
                done(Message::DiscoveryConfig(d.value), d.issues)
            }
            DiscoveryKind::Sensors => {
                let d = DiscoverySensors::parse(payload, &self.options)?;
                done(Message::DiscoverySensors(Box::new(d.value)), d.issues)
            }
        })
    }
}

impl Default for Decoder<'_> {
    fn default() -> Self {
        Self::new()
    }
}

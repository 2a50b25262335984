//! The decoding plumbing every message family shares: [`DecodeOptions`], [`Decoded`],
//! `decode_object` and the typed reader `Cx`.
//!
//! Typed reading of a payload in one pass: the typed readers walk the JSON with the parser's
//! cursors and convert each value where it stands; only members they do not know become
//! trees. Every conversion either succeeds, records a lenient repair, or records what was
//! dropped (strict mode turns the first of these into the error).

use alloc::vec::Vec;

use crate::error::Error;
use crate::json::{
    ArrayCursor, Issue, IssueKind, Mode, ObjectCursor, Parser, Path, Report, Step, Stop, Value,
};
use crate::power::{PowerState, StateText};
use crate::response::LwtText;
use crate::text::Str;
use crate::time::{Time, Uptime};

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
    let mut p = Parser::new(payload, &mut report);
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

/// The members of a payload that have no typed field (Zigbee, IR, RF, Tuya, sensors without a
/// typed reader, newer firmware keys), kept as parsed, in payload order.
///
/// Read them as a slice of `(key, value)` pairs, or by path: [`Members::lookup`] follows
/// dot-separated keys and array indices (`"ZbReceived.0x7120.Power"`,
/// `"Rules.1"`), [`Members::number`] converts what it finds leniently (numbers, numeric
/// strings, booleans). The last of duplicate keys wins, as the firmware's last write does.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Sensor;
/// let s = Sensor::parse(br#"{"ZbReceived":{"0x7120":{"Device":"0x7120","Power":"1","Endpoint":1}},"Tuya":{"Data":[1,2,3]}}"#,
///     &Default::default())?.value;
/// assert_eq!(s.other.number("ZbReceived.0x7120.Power"), Some(1.0));
/// assert_eq!(s.other.number("Tuya.Data.2"), Some(3.0));
/// assert_eq!(s.other.lookup("ZbReceived.0x7120.Device").and_then(|v| v.as_str()).unwrap(), "0x7120");
/// assert!(s.other.lookup("ZbReceived.0x9999").is_none());
/// assert_eq!(s.other.len(), 2);
/// # Ok::<(), tasmota_proto::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Members<'a>(Vec<(Str<'a>, Value<'a>)>);

impl<'a> Members<'a> {
    /// No members.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Members::new().is_empty());
    /// ```
    pub const fn new() -> Self {
        Self(Vec::new())
    }

    pub(crate) fn push(&mut self, member: (Str<'a>, Value<'a>)) {
        self.0.push(member);
    }

    pub(crate) fn extend(&mut self, other: Self) {
        self.0.extend(other.0);
    }

    /// The value of member `key` (the last one if the key repeats).
    ///
    /// # Examples
    ///
    /// See [`Members`].
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.0.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The value at a dot-separated path of keys and array indices.
    ///
    /// # Examples
    ///
    /// See [`Members`].
    pub fn lookup(&self, path: &str) -> Option<&Value<'a>> {
        let mut steps = path.split('.');
        let mut v = self.get(steps.next()?)?;
        for step in steps {
            v = match v {
                Value::Object(_) => v.get(step)?,
                Value::Array(items) => items.get(step.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(v)
    }

    /// The number at a path, converted leniently: a finite number, a string holding one
    /// (`"21.5"`, `" 7"`), or a boolean as 1 or 0.
    ///
    /// # Examples
    ///
    /// See [`Members`].
    pub fn number(&self, path: &str) -> Option<f64> {
        match self.lookup(path)? {
            Value::Number(n) => Some(n.as_f64()).filter(|f| f.is_finite()),
            Value::String(s) => s
                .to_cow()
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite()),
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            _ => None,
        }
    }
}

impl<'m, 'a> IntoIterator for &'m Members<'a> {
    type Item = &'m (Str<'a>, Value<'a>);
    type IntoIter = core::slice::Iter<'m, (Str<'a>, Value<'a>)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a> core::ops::Deref for Members<'a> {
    type Target = [(Str<'a>, Value<'a>)];

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

/// What the typed readers need: the parser over the payload and the device's texts.
pub(crate) struct Cx<'a, 'r> {
    pub(crate) p: Parser<'a, 'r>,
    pub(crate) texts: StateText<'r>,
    /// A field the type cannot do without is missing: the decode fails with this issue.
    pub(crate) fatal: Option<Issue>,
}

impl<'a> Cx<'a, '_> {
    fn offset(&self, v: &Value<'a>) -> Option<usize> {
        let src = self.p.bytes();
        match v {
            Value::String(s) => {
                crate::json::offset_in(src, s.raw_bytes()).map(|o| o.saturating_sub(1))
            }
            Value::Number(n) => crate::json::offset_in(src, n.raw().as_bytes()),
            _ => None,
        }
    }

    /// Records a value that is not what the field expects.
    #[cold]
    pub(crate) fn issue(&mut self, kind: IssueKind, v: &Value<'a>, path: &Path<'_>) {
        let offset = self.offset(v);
        self.p.report.typed(kind, offset, path);
    }

    #[cold]
    pub(crate) fn wrong<T>(
        &mut self,
        v: &Value<'a>,
        path: &Path<'_>,
        expected: &'static str,
    ) -> Option<T> {
        self.issue(
            IssueKind::WrongType {
                expected,
                found: v.kind(),
            },
            v,
            path,
        );
        None
    }

    #[cold]
    pub(crate) fn invalid<T>(
        &mut self,
        v: &Value<'a>,
        path: &Path<'_>,
        expected: &'static str,
    ) -> Option<T> {
        self.issue(IssueKind::InvalidValue { expected }, v, path);
        None
    }

    /// A field the type requires is missing: the decode fails.
    #[cold]
    pub(crate) fn missing(&mut self, path: &Path<'_>, field: &'static str) -> Stop {
        self.fail(Issue {
            kind: IssueKind::MissingField { field },
            offset: None,
            path: path.key(field).render(),
        })
    }

    /// The decode fails with `issue` (unless strict mode finds an earlier reason).
    #[cold]
    pub(crate) fn fail(&mut self, issue: Issue) -> Stop {
        self.fatal = Some(issue);
        Stop
    }

    /// An expected field is missing but the value is usable without it: reported in lenient
    /// mode, the error in strict mode.
    #[cold]
    pub(crate) fn missing_optional(&mut self, path: &Path<'_>, field: &'static str) {
        self.p
            .report
            .typed(IssueKind::MissingField { field }, None, &path.key(field));
    }

    // Reading at the cursor: after `key` or `item`, exactly one of these consumes the value.

    /// The next member's key; `None` when the object has ended.
    #[inline]
    pub(crate) fn key(&mut self, c: &mut ObjectCursor, path: &Path<'_>) -> Step<Option<Str<'a>>> {
        self.p.next_key(c, path)
    }

    /// The next element's index; `None` when the array has ended.
    #[inline]
    pub(crate) fn item(&mut self, c: &mut ArrayCursor, path: &Path<'_>) -> Step<Option<usize>> {
        self.p.next_item(c, path)
    }

    /// The value as a tree (scalars never allocate).
    #[inline]
    pub(crate) fn value(&mut self, path: &Path<'_>) -> Step<Value<'a>> {
        self.p.take(path)
    }

    /// Consumes the value without keeping it.
    pub(crate) fn skip(&mut self, path: &Path<'_>) -> Step<()> {
        self.p.skip(path)
    }

    /// Whether the value is an object (to be read with [`Cx::object`]).
    pub(crate) fn is_object(&self) -> bool {
        self.p.at_object()
    }

    /// Whether the value is an array.
    pub(crate) fn is_array(&self) -> bool {
        self.p.at_array()
    }

    /// Opens the value, which [`Cx::is_object`] says is an object.
    pub(crate) fn begin_object(&mut self, path: &Path<'_>) -> Step<ObjectCursor> {
        self.p.begin_object(path)
    }

    /// Opens the value, which [`Cx::is_array`] says is an array.
    pub(crate) fn begin_array(&mut self, path: &Path<'_>) -> Step<ArrayCursor> {
        self.p.begin_array(path)
    }

    /// Whether the value is a string.
    pub(crate) fn is_string(&self) -> bool {
        matches!(self.p.ahead(), Some(Value::String(_)))
    }

    /// The value, if it is a scalar.
    pub(crate) fn scalar(&self) -> Option<&Value<'a>> {
        self.p.ahead()
    }

    /// An object to read member by member; `null` gives `None` silently, anything else is
    /// reported.
    pub(crate) fn object(&mut self, path: &Path<'_>) -> Step<Option<ObjectCursor>> {
        if self.p.at_object() {
            return self.p.begin_object(path).map(Some);
        }
        Ok(match self.value(path)? {
            Value::Null => None,
            other => self.wrong(&other, path, "an object"),
        })
    }

    /// An array to read element by element; `null` gives `None` silently, anything else is
    /// reported.
    pub(crate) fn array(&mut self, path: &Path<'_>) -> Step<Option<ArrayCursor>> {
        if self.p.at_array() {
            return self.p.begin_array(path).map(Some);
        }
        Ok(match self.value(path)? {
            Value::Null => None,
            other => self.wrong(&other, path, "an array"),
        })
    }

    /// The value converted by `f`.
    #[inline]
    pub(crate) fn read<T>(
        &mut self,
        path: &Path<'_>,
        f: impl FnOnce(&mut Self, &Value<'a>, &Path<'_>) -> Option<T>,
    ) -> Step<Option<T>> {
        let v = self.value(path)?;
        let t = f(self, &v, path);
        release(v);
        Ok(t)
    }

    /// An array of `T`, or a single `T` taken as a one-element array (firmware renamed several
    /// keys from a scalar to an array); elements that fail are dropped and reported.
    pub(crate) fn list<T>(
        &mut self,
        path: &Path<'_>,
        mut each: impl FnMut(&mut Self, &Value<'a>, &Path<'_>) -> Option<T>,
    ) -> Step<Vec<T>> {
        let mut out = Vec::new();
        if self.p.at_array() {
            let mut c = self.p.begin_array(path)?;
            while let Some(i) = self.item(&mut c, path)? {
                let p = path.index(i);
                let v = self.value(&p)?;
                if let Some(t) = each(self, &v, &p) {
                    if out.capacity() == 0 {
                        // Device arrays (relays, switches, friendly names) hold up to eight
                        // entries: one allocation instead of growing through four.
                        out.reserve(8);
                    }
                    out.push(t);
                }
            }
        } else {
            match self.value(path)? {
                Value::Null => {}
                other => {
                    if let Some(t) = each(self, &other, path) {
                        out.push(t);
                    }
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn f64(&mut self, path: &Path<'_>) -> Step<Option<f64>> {
        self.read(path, Self::as_f64)
    }

    pub(crate) fn u8(&mut self, path: &Path<'_>) -> Step<Option<u8>> {
        self.read(path, Self::as_u8)
    }

    pub(crate) fn u16(&mut self, path: &Path<'_>) -> Step<Option<u16>> {
        self.read(path, Self::as_u16)
    }

    pub(crate) fn u32(&mut self, path: &Path<'_>) -> Step<Option<u32>> {
        self.read(path, Self::as_u32)
    }

    pub(crate) fn u64(&mut self, path: &Path<'_>) -> Step<Option<u64>> {
        self.read(path, Self::as_u64)
    }

    pub(crate) fn int<T: TryFrom<i64>>(
        &mut self,
        path: &Path<'_>,
        expected: &'static str,
    ) -> Step<Option<T>> {
        self.read(path, |cx, v, p| cx.as_int(v, p, expected))
    }

    pub(crate) fn str(&mut self, path: &Path<'_>) -> Step<Option<Str<'a>>> {
        self.read(path, Self::as_str)
    }

    pub(crate) fn text(&mut self, path: &Path<'_>) -> Step<Option<Str<'a>>> {
        self.read(path, Self::as_text)
    }

    /// A list of strings from an array, or from a single string (firmware changed several
    /// keys from a string to an array).
    pub(crate) fn strings(&mut self, path: &Path<'_>) -> Step<Vec<Str<'a>>> {
        self.list(path, Self::as_text)
    }

    pub(crate) fn plain(&mut self, path: &Path<'_>) -> Step<Option<&'a str>> {
        self.read(path, Self::as_plain)
    }

    pub(crate) fn on_off(&mut self, path: &Path<'_>) -> Step<Option<bool>> {
        self.read(path, Self::as_on_off)
    }

    pub(crate) fn power(&mut self, path: &Path<'_>) -> Step<Option<PowerState<'a>>> {
        self.read(path, Self::as_power)
    }

    pub(crate) fn time(&mut self, path: &Path<'_>) -> Step<Option<Time>> {
        self.read(path, Self::as_time)
    }

    pub(crate) fn uptime(&mut self, path: &Path<'_>) -> Step<Option<Uptime>> {
        self.read(path, Self::as_uptime)
    }

    // Converting a value.

    /// A number; numeric strings are converted (and reported), `nan`/`inf` give `None`
    /// (the reader already reported them), `null` gives `None` silently.
    pub(crate) fn as_f64(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<f64> {
        match v {
            Value::Number(n) => {
                let f = n.as_f64();
                f.is_finite().then_some(f)
            }
            Value::String(s) => match s
                .as_str()
                .map(str::trim)
                .and_then(|t| t.parse::<f64>().ok())
            {
                Some(f) if f.is_finite() && s.as_str().is_some_and(looks_numeric) => {
                    self.issue(IssueKind::NumberAsString, v, path);
                    Some(f)
                }
                _ => self.wrong(v, path, "a number"),
            },
            Value::Null => None,
            _ => self.wrong(v, path, "a number"),
        }
    }

    /// An integer that fits `T`.
    pub(crate) fn as_int<T: TryFrom<i64>>(
        &mut self,
        v: &Value<'a>,
        path: &Path<'_>,
        expected: &'static str,
    ) -> Option<T> {
        let i = match v {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Some(i),
                None if !n.is_finite() => return None,
                None => None,
            },
            Value::String(_) => crate::json::integral(self.as_f64(v, path)?),
            Value::Null => return None,
            _ => return self.wrong(v, path, expected),
        };
        match i.and_then(|i| T::try_from(i).ok()) {
            Some(t) => Some(t),
            None => self.invalid(v, path, expected),
        }
    }

    pub(crate) fn as_u8(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<u8> {
        self.as_int(v, path, "an integer in 0..=255")
    }

    pub(crate) fn as_u16(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<u16> {
        self.as_int(v, path, "an integer in 0..=65535")
    }

    pub(crate) fn as_u32(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<u32> {
        self.as_int(v, path, "a non-negative 32-bit integer")
    }

    pub(crate) fn as_u64(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<u64> {
        self.as_int(v, path, "a non-negative integer")
    }

    pub(crate) fn as_i32(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<i32> {
        self.as_int(v, path, "a 32-bit integer")
    }

    pub(crate) fn as_str(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<Str<'a>> {
        match v {
            Value::String(s) => Some(*s),
            Value::Null => None,
            _ => self.wrong(v, path, "a string"),
        }
    }

    /// A string, or a number kept as its text (fields whose type changed between firmware
    /// versions, such as `Module` or `Power`).
    pub(crate) fn as_text(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<Str<'a>> {
        match v {
            Value::Number(n) => Some(Str::new(n.raw())),
            _ => self.as_str(v, path),
        }
    }

    /// A string that must be plain text (no escapes) to be borrowed as `&str`.
    pub(crate) fn as_plain(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<&'a str> {
        match self.as_str(v, path)?.as_str() {
            Some(t) => Some(t),
            None => self.invalid(v, path, "text without escapes"),
        }
    }

    /// `ON`/`OFF` (any case), 1/0 or a boolean.
    pub(crate) fn as_on_off(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match self.texts.classify(*s) {
                PowerState::On => Some(true),
                PowerState::Off => Some(false),
                _ => self.invalid(v, path, "ON or OFF"),
            },
            Value::Number(_) => match self.as_int::<u8>(v, path, "0 or 1")? {
                0 => Some(false),
                1 => Some(true),
                _ => self.invalid(v, path, "0 or 1"),
            },
            Value::Null => None,
            _ => self.wrong(v, path, "ON or OFF"),
        }
    }

    pub(crate) fn as_power(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<PowerState<'a>> {
        match v {
            Value::String(s) => Some(self.texts.classify(*s)),
            Value::Number(n) => match n.as_i64() {
                Some(0) => Some(PowerState::Off),
                Some(1) => Some(PowerState::On),
                _ => self.invalid(v, path, "a power state"),
            },
            Value::Bool(b) => Some(if *b { PowerState::On } else { PowerState::Off }),
            Value::Null => None,
            _ => self.wrong(v, path, "a power state"),
        }
    }

    pub(crate) fn as_time(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<Time> {
        match self.as_str(v, path)?.as_str().and_then(Time::parse) {
            Some(t) => Some(t),
            None => self.invalid(
                v,
                path,
                "a time (2019-10-31T11:14:59, 2018.02.15 01:00:50 or Thu Feb 15 00:00:50 2018)",
            ),
        }
    }

    /// `0T18:36:12`, `1 02:33:26`, or an integer number of hours (2017 firmware).
    pub(crate) fn as_uptime(&mut self, v: &Value<'a>, path: &Path<'_>) -> Option<Uptime> {
        match v {
            Value::Number(_) => self.as_u64(v, path).map(Uptime::from_hours),
            Value::String(s) => match s.as_str().and_then(Uptime::parse) {
                Some(u) => Some(u),
                None => self.invalid(v, path, "an uptime such as 0T18:36:12"),
            },
            Value::Null => None,
            _ => self.wrong(v, path, "an uptime"),
        }
    }
}

/// Drops a value read for a conversion. Most are scalars, which own nothing: forgetting them
/// spares a call to the recursive drop glue per field.
#[inline]
fn release(v: Value<'_>) {
    match v {
        Value::Array(_) | Value::Object(_) => drop(v),
        scalar => core::mem::forget(scalar),
    }
}

fn looks_numeric(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
}

/// Splits a trailing decimal index off a key: `POWER2` gives `("POWER", Some(2))`.
pub(crate) fn split_index(key: &str) -> (&str, Option<u8>) {
    let digits = key.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits == key.len() {
        return (key, None);
    }
    let (name, idx) = key.split_at(key.len() - digits);
    match idx.parse() {
        Ok(i) => (name, Some(i)),
        Err(_) => (key, None),
    }
}

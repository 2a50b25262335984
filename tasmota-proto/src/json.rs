//! A lenient, zero-copy JSON reader for what Tasmota devices actually send.
//!
//! Real payloads are not always JSON: bare `nan`/`inf`, unquoted words from rules and scripts,
//! numbers with leading zeros or `+`, truncated objects (`..."MagneticInduction":1360,"}`), a
//! stray extra `}`, trailing commas, duplicate keys from string-built JSON. In
//! [`Mode::Lenient`] the reader keeps everything it can, closes what was cut off and records
//! each deviation as an [`Issue`] with its byte offset and JSON path; in [`Mode::Strict`] the
//! first deviation is returned as the error. Strings and numbers borrow from the payload
//! ([`Str`], [`Number`]); only arrays and objects allocate.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use crate::text::Str;

/// How much of the JSON standard a payload must follow.
///
/// # Examples
///
/// ```
/// use tasmota_proto::json::{parse, Mode};
/// assert!(parse(b"{\"T\":nan}", Mode::Lenient).is_ok());
/// assert!(parse(b"{\"T\":nan}", Mode::Strict).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Recover what can be recovered and report each deviation as an [`Issue`] (the default).
    #[default]
    Lenient,
    /// Reject the first deviation from standard JSON or from the expected field types.
    Strict,
}

/// What kind of value a JSON value is; used in type-mismatch reports.
///
/// # Examples
///
/// ```
/// use tasmota_proto::json::{Kind, Value};
/// assert_eq!(Value::Null.kind(), Kind::Null);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Null => "null",
            Self::Bool => "a boolean",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        })
    }
}

/// A JSON value borrowed from a payload.
///
/// Objects keep their members in order, duplicates included; [`Value::get`] returns the last
/// one, as JavaScript and Tasmota's own parser do.
///
/// # Examples
///
/// ```
/// use tasmota_proto::json::{parse, Mode};
/// let v = parse(br#"{"Wifi":{"RSSI":100}}"#, Mode::Strict)?.value;
/// assert_eq!(v.get("Wifi").and_then(|w| w.get("RSSI")).and_then(|r| r.as_f64()), Some(100.0));
/// # Ok::<(), tasmota_proto::json::Issue>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written.
    Number(Number<'a>),
    /// A string.
    String(Str<'a>),
    /// An array.
    Array(Vec<Self>),
    /// An object's members in order.
    Object(Vec<(Str<'a>, Self)>),
}

impl<'a> Value<'a> {
    /// The kind of value.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{Kind, Value};
    /// assert_eq!(Value::Array(Vec::new()).kind(), Kind::Array);
    /// ```
    pub const fn kind(&self) -> Kind {
        match self {
            Self::Null => Kind::Null,
            Self::Bool(_) => Kind::Bool,
            Self::Number(_) => Kind::Number,
            Self::String(_) => Kind::String,
            Self::Array(_) => Kind::Array,
            Self::Object(_) => Kind::Object,
        }
    }

    /// The last member named `key`, if this is an object.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode};
    /// let v = parse(br#"{"a":1,"a":2}"#, Mode::Lenient)?.value;
    /// assert_eq!(v.get("a").and_then(|a| a.as_f64()), Some(2.0));
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Self::Object(m) => m.iter().rev().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The number as `f64` (`NaN` or infinite for bare `nan`/`inf`), if this is a number.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode};
    /// assert_eq!(parse(b"2.5", Mode::Strict)?.value.as_f64(), Some(2.5));
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Number(n) => Some(n.as_f64()),
            _ => None,
        }
    }

    /// The string, if this is a string.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode};
    /// assert_eq!(parse(br#""ON""#, Mode::Strict)?.value.as_str().map(|s| s.raw()), Some("ON"));
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub const fn as_str(&self) -> Option<Str<'a>> {
        match self {
            Self::String(s) => Some(*s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode};
    /// assert_eq!(parse(br#"{"a":1}"#, Mode::Strict)?.value.as_object().map(<[_]>::len), Some(1));
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub fn as_object(&self) -> Option<&[(Str<'a>, Self)]> {
        match self {
            Self::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode};
    /// assert_eq!(parse(b"[1,2]", Mode::Strict)?.value.as_array().map(<[_]>::len), Some(2));
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub fn as_array(&self) -> Option<&[Self]> {
        match self {
            Self::Array(a) => Some(a),
            _ => None,
        }
    }
}

impl fmt::Display for Value<'_> {
    /// Compact JSON. Numbers are written as received, except `nan` and infinities, which
    /// become `null`; repaired input (unquoted words, leading zeros) comes out as standard JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Null => f.write_str("null"),
            Self::Bool(b) => write!(f, "{b}"),
            Self::Number(n) if !n.is_finite() => f.write_str("null"),
            Self::Number(n) if classify_number(n.raw()) == NumberClass::Standard => {
                f.write_str(n.raw())
            }
            Self::Number(n) => write!(f, "{}", n.as_f64()),
            Self::String(s) => write_json_string(f, *s),
            Self::Array(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(']')
            }
            Self::Object(members) => {
                f.write_char('{')?;
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        f.write_char(',')?;
                    }
                    write_json_string(f, *k)?;
                    write!(f, ":{v}")?;
                }
                f.write_char('}')
            }
        }
    }
}

/// Writes a string with the escapes JSON requires; existing valid escapes are kept.
fn write_json_string(f: &mut fmt::Formatter<'_>, s: Str<'_>) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if u32::from(c) < 0x20 => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

/// A number exactly as written in the payload; converted on demand.
///
/// In lenient mode this includes `nan`, `inf`, `-inf`, leading zeros (`007`), a leading `+` and
/// a bare leading or trailing `.`.
///
/// # Examples
///
/// ```
/// use tasmota_proto::json::{parse, Mode, Value};
/// let Value::Number(n) = parse(b"007", Mode::Lenient)?.value else { unreachable!() };
/// assert_eq!((n.raw(), n.as_i64(), n.as_f64()), ("007", Some(7), 7.0));
/// # Ok::<(), tasmota_proto::json::Issue>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number<'a> {
    raw: &'a str,
}

impl<'a> Number<'a> {
    /// The number's text.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode, Value};
    /// let Value::Number(n) = parse(b"1e3", Mode::Strict)?.value else { unreachable!() };
    /// assert_eq!(n.raw(), "1e3");
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// The value as `f64`; `nan`/`inf` give NaN and infinities.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode, Value};
    /// let Value::Number(n) = parse(b"-inf", Mode::Lenient)?.value else { unreachable!() };
    /// assert_eq!(n.as_f64(), f64::NEG_INFINITY);
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub fn as_f64(&self) -> f64 {
        fast_f64(self.raw).unwrap_or_else(|| self.raw.parse().unwrap_or(f64::NAN))
    }

    /// The value as `i64` when it is an integer (`3.0` counts) within range.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode, Value};
    /// let Value::Number(n) = parse(b"3.0", Mode::Strict)?.value else { unreachable!() };
    /// assert_eq!(n.as_i64(), Some(3));
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        if let Some(i) = small_int(self.raw) {
            return Some(i);
        }
        if let Ok(i) = self.raw.parse::<i64>() {
            return Some(i);
        }
        integral(self.as_f64())
    }

    /// Whether the value is finite (not `nan` or `inf`).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::{parse, Mode, Value};
    /// let Value::Number(n) = parse(b"nan", Mode::Lenient)?.value else { unreachable!() };
    /// assert!(!n.is_finite());
    /// # Ok::<(), tasmota_proto::json::Issue>(())
    /// ```
    pub fn is_finite(&self) -> bool {
        self.as_f64().is_finite()
    }

    pub(crate) const fn from_raw(raw: &'a str) -> Self {
        Self { raw }
    }
}

/// What was wrong with a payload, or with one of its values.
///
/// Syntax kinds come from the reader; the others from typed decoding. [`IssueKind::is_loss`]
/// tells whether data was dropped or kept.
///
/// # Examples
///
/// ```
/// use tasmota_proto::json::IssueKind;
/// assert!(IssueKind::Truncated { expected: "'}'" }.is_loss());
/// assert!(!IssueKind::NonFiniteNumber.is_loss());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IssueKind {
    /// The payload is empty or only whitespace.
    Empty,
    /// A text payload (LWT, `POWER`) is not UTF-8 from this byte on.
    InvalidUtf8,
    /// A string holds bytes that are not UTF-8; the offset is its first such byte. Lenient
    /// mode keeps it, read with U+FFFD in their place ([`Str::has_invalid_utf8`]), and
    /// decodes the rest.
    ReplacedUtf8,
    /// The payload ends early; open strings, arrays and objects are closed and the unfinished
    /// member dropped.
    Truncated {
        /// What was expected next.
        expected: &'static str,
    },
    /// A character that cannot appear here; the rest of the payload is dropped.
    Unexpected {
        /// The character found.
        found: char,
        /// What was expected.
        expected: &'static str,
    },
    /// Non-whitespace after the end of the value (such as an extra `}`); it is ignored.
    TrailingData,
    /// Arrays and objects nested deeper than [`MAX_DEPTH`]; the deeper part is dropped.
    TooDeep,
    /// A bare `nan`, `inf` or `-inf`; kept as a number, read as "no reading" by typed fields.
    NonFiniteNumber,
    /// A number with leading zeros, a leading `+` or a bare `.`; kept.
    NonStandardNumber,
    /// An unquoted word such as `Off`; kept as a string.
    UnquotedWord,
    /// An unquoted object key; kept.
    UnquotedKey,
    /// A comma before `}` or `]`; ignored.
    TrailingComma,
    /// Two members or elements without a comma between them; kept.
    MissingComma,
    /// An invalid escape in a string; kept literally.
    InvalidEscape,
    /// A raw control character in a string; kept.
    ControlCharacter,
    /// A key that appears twice in one object; the last value wins.
    DuplicateKey,
    /// A number written as a string (`"Temperature":"69.8"`); converted.
    NumberAsString,
    /// A value of the wrong type for a known field; the field is dropped.
    WrongType {
        /// The expected type.
        expected: &'static str,
        /// What was found.
        found: Kind,
    },
    /// A value of the right type but an unusable content; the field is dropped.
    InvalidValue {
        /// What was expected.
        expected: &'static str,
    },
    /// A required field is missing.
    MissingField {
        /// The field.
        field: &'static str,
    },
}

impl IssueKind {
    /// Whether data was dropped (as opposed to kept in a normalised form).
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::json::IssueKind;
    /// assert!(IssueKind::WrongType { expected: "a number", found: tasmota_proto::json::Kind::Array }.is_loss());
    /// ```
    pub const fn is_loss(&self) -> bool {
        matches!(
            self,
            Self::Empty
                | Self::InvalidUtf8
                | Self::Truncated { .. }
                | Self::Unexpected { .. }
                | Self::TooDeep
                | Self::WrongType { .. }
                | Self::InvalidValue { .. }
                | Self::MissingField { .. }
        )
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("expected a json value, found an empty payload"),
            Self::InvalidUtf8 => f.write_str("invalid utf-8"),
            Self::ReplacedUtf8 => f.write_str("invalid utf-8 in a string"),
            Self::Truncated { expected } => write!(f, "truncated: expected {expected}"),
            Self::Unexpected { found, expected } => {
                write!(f, "unexpected {found:?}: expected {expected}")
            }
            Self::TrailingData => f.write_str("unexpected data after the value"),
            Self::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} levels"),
            Self::NonFiniteNumber => f.write_str("bare nan or inf instead of a number"),
            Self::NonStandardNumber => f.write_str("number with leading zeros, '+' or a bare '.'"),
            Self::UnquotedWord => f.write_str("unquoted word instead of a string"),
            Self::UnquotedKey => f.write_str("unquoted object key"),
            Self::TrailingComma => f.write_str("trailing comma"),
            Self::MissingComma => f.write_str("missing comma"),
            Self::InvalidEscape => f.write_str("invalid escape in a string"),
            Self::ControlCharacter => f.write_str("raw control character in a string"),
            Self::DuplicateKey => f.write_str("duplicate key; the last value wins"),
            Self::NumberAsString => f.write_str("number written as a string"),
            Self::WrongType { expected, found } => write!(f, "expected {expected}, found {found}"),
            Self::InvalidValue { expected } => write!(f, "expected {expected}"),
            Self::MissingField { field } => write!(f, "missing field {field:?}"),
        }
    }
}

/// One deviation found while decoding: what, where in the payload (byte offset, when known)
/// and at which JSON path (`$.ENERGY.Power[1]`).
///
/// In lenient mode issues are collected next to the result; in strict mode the first one is
/// the error.
///
/// # Examples
///
/// ```
/// use tasmota_proto::json::{parse, IssueKind, Mode};
/// let err = parse(br#"{"DHT11":{"Temperature":nan}}"#, Mode::Strict).unwrap_err();
/// assert_eq!(err.kind, IssueKind::NonFiniteNumber);
/// assert_eq!(err.path, "$.DHT11.Temperature");
/// assert_eq!(err.offset, Some(24));
/// assert_eq!(err.to_string(), "bare nan or inf instead of a number at $.DHT11.Temperature (byte 24)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at {path}{}", Offset(*.offset))]
pub struct Issue {
    /// What was wrong.
    pub kind: IssueKind,
    /// Where it starts in the payload, in bytes.
    pub offset: Option<usize>,
    /// The JSON path of the value concerned.
    pub path: String,
}

struct Offset(Option<usize>);

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(o) => write!(f, " (byte {o})"),
            None => Ok(()),
        }
    }
}

/// The deepest nesting of arrays and objects read.
pub const MAX_DEPTH: usize = 64;

/// A position in a JSON document, as a linked list on the stack; rendered only when an issue
/// is recorded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Path<'p> {
    parent: Option<&'p Self>,
    seg: Seg<'p>,
}

#[derive(Debug, Clone, Copy)]
enum Seg<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

impl<'p> Path<'p> {
    pub(crate) const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    pub(crate) fn key(&'p self, key: &'p str) -> Self {
        Self {
            parent: Some(self),
            seg: Seg::Key(key),
        }
    }

    pub(crate) fn index(&'p self, index: usize) -> Self {
        Self {
            parent: Some(self),
            seg: Seg::Index(index),
        }
    }

    pub(crate) fn render(&self) -> String {
        let mut s = String::new();
        self.render_into(&mut s);
        s
    }

    fn render_into(&self, out: &mut String) {
        if let Some(p) = self.parent {
            p.render_into(out);
        }
        // Writing to a String cannot fail.
        let _ = match self.seg {
            Seg::Root => out.write_str("$"),
            Seg::Index(i) => write!(out, "[{i}]"),
            Seg::Key(k)
                if !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                write!(out, ".{k}")
            }
            Seg::Key(k) => write!(out, "[\"{k}\"]"),
        };
    }
}

/// Collects issues in lenient mode, or turns the first into the error in strict mode.
///
/// Syntax issues come first, in payload order, then the typed readers' issues in the order
/// they read the fields. In strict mode a syntax issue stops the parse at once; a typed issue
/// is kept as the error while the reader goes on, because a later syntax issue takes
/// precedence over it.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) mode: Mode,
    pub(crate) issues: Vec<Issue>,
    typed: Vec<Issue>,
    pending: Option<Issue>,
}

impl Report {
    pub(crate) const fn new(mode: Mode) -> Self {
        Self {
            mode,
            issues: Vec::new(),
            typed: Vec::new(),
            pending: None,
        }
    }

    /// Records a syntax deviation; in strict mode it becomes the error.
    pub(crate) fn issue(
        &mut self,
        kind: IssueKind,
        offset: Option<usize>,
        path: &Path<'_>,
    ) -> Result<(), Issue> {
        let issue = Issue {
            kind,
            offset,
            path: path.render(),
        };
        match self.mode {
            Mode::Strict => Err(issue),
            Mode::Lenient => {
                self.issues.push(issue);
                Ok(())
            }
        }
    }

    /// Records a value of the wrong type or shape; in strict mode the first one becomes the
    /// error unless a syntax issue is found.
    #[cold]
    pub(crate) fn typed(&mut self, kind: IssueKind, offset: Option<usize>, path: &Path<'_>) {
        match self.mode {
            Mode::Strict if self.pending.is_some() => {}
            Mode::Strict => {
                self.pending = Some(Issue {
                    kind,
                    offset,
                    path: path.render(),
                });
            }
            Mode::Lenient => self.typed.push(Issue {
                kind,
                offset,
                path: path.render(),
            }),
        }
    }

    /// Every issue, syntax first; in strict mode the typed issue, if any, as the error.
    pub(crate) fn finish(mut self) -> Result<Vec<Issue>, Issue> {
        if let Some(issue) = self.pending {
            return Err(issue);
        }
        self.issues.append(&mut self.typed);
        Ok(self.issues)
    }
}

/// A parsed payload and, in lenient mode, what was repaired or dropped.
///
/// # Examples
///
/// ```
/// use tasmota_proto::json::{parse, IssueKind, Mode};
/// let p = parse(br#"{"thermostatStatus":Off}"#, Mode::Lenient)?;
/// assert_eq!(p.value.get("thermostatStatus").and_then(|v| v.as_str()).map(|s| s.raw()), Some("Off"));
/// assert_eq!(p.issues[0].kind, IssueKind::UnquotedWord);
/// # Ok::<(), tasmota_proto::json::Issue>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<'a> {
    /// The value.
    pub value: Value<'a>,
    /// Deviations found, in payload order (always empty in strict mode).
    pub issues: Vec<Issue>,
}

/// Parses a payload.
///
/// # Errors
///
/// In strict mode, the first deviation from RFC 8259 JSON. In lenient mode, only when nothing
/// can be recovered: an empty payload, or one whose first character cannot start a value.
///
/// # Examples
///
/// ```
/// use tasmota_proto::json::{parse, IssueKind, Mode};
/// // The truncated object from Tasmota issue #17295.
/// let p = parse(br#"{"HMC5883L":{"MagneticInduction":1360,"}"#, Mode::Lenient)?;
/// let m = p.value.get("HMC5883L").unwrap();
/// assert_eq!(m.get("MagneticInduction").and_then(|v| v.as_f64()), Some(1360.0));
/// assert!(matches!(p.issues[0].kind, IssueKind::Truncated { .. }));
/// assert_eq!(p.issues[0].path, "$.HMC5883L");
/// # Ok::<(), tasmota_proto::json::Issue>(())
/// ```
pub fn parse(payload: &[u8], mode: Mode) -> Result<Parsed<'_>, Issue> {
    let mut report = Report::new(mode);
    let (value, _) = parse_with(payload, &mut report)?;
    Ok(Parsed {
        value,
        issues: report.issues,
    })
}

/// Parses `payload`; also returns its UTF-8 text (cut at the first invalid byte).
pub(crate) fn parse_with<'a>(
    payload: &'a [u8],
    report: &mut Report,
) -> Result<(Value<'a>, &'a str), Issue> {
    let mut p = Parser::new(payload, report);
    let value = p.document()?;
    Ok((value, p.src))
}

/// Strict mode met an issue: the parse stops and the issue is in `Parser::failure`. Keeping
/// the error out of every return value keeps the recursive parser's results small.
pub(crate) struct Stop;

pub(crate) type Step<T> = Result<T, Stop>;

/// A pull parser over one payload: the tree builder ([`parse`]) and the typed readers both
/// walk the payload through [`Parser::next_key`] and [`Parser::next_item`], so the grammar
/// and its repairs exist once.
///
/// After a cursor step returns a key or an index, the caller consumes the value with exactly
/// one of [`Parser::take`], [`Parser::skip`], [`Parser::begin_object`] (then steps to its end)
/// or [`Parser::begin_array`] (likewise). Scalars are read ahead by the step itself, so a
/// member whose value is cut off never reaches the caller, as in the tree.
pub(crate) struct Parser<'a, 'r> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    pub(crate) report: &'r mut Report,
    failure: Option<Issue>,
    /// Set when the rest of the payload is dropped: every open container closes.
    aborted: bool,
    depth: usize,
    /// Members and elements of the open containers of a tree; each container takes its own
    /// off the top when it closes, in one exact allocation.
    members: Vec<(Str<'a>, Value<'a>)>,
    items: Vec<Value<'a>>,
    /// Keys of the open objects, checked for duplicates when each closes.
    keys: Vec<Str<'a>>,
    /// The scalar read ahead by the last cursor step, not taken yet.
    ahead: Option<Value<'a>>,
}

/// Where an object's members stand; see [`Parser::next_key`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ObjectCursor {
    /// The object's first entry in `Parser::keys`.
    keys: usize,
    /// A filter of the keys seen, one bit per hash: a key whose bit is clear is new.
    seen: u64,
    /// Whether the object may have duplicate keys: one of its keys equals an earlier one, or
    /// it has too many keys to compare each new one with the others.
    collided: bool,
    after_comma: bool,
    state: CursorState,
}

/// Where an array's elements stand; see [`Parser::next_item`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ArrayCursor {
    index: usize,
    after_comma: bool,
    state: CursorState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CursorState {
    /// Just after the opening bracket.
    Start,
    /// After an entry's value.
    Entry,
    /// Closed (or cut off).
    Done,
}

impl CursorState {
    /// The state after [`Parser::enter`]: `Start` if the container opened, else `Done`.
    fn entered(open: bool) -> Self {
        if open { Self::Start } else { Self::Done }
    }
}

/// Objects up to this many keys are checked for duplicates by comparing keys whose filter
/// bits collide; larger ones by sorting, so hostile payloads stay linearithmic.
const FILTERED_KEYS: usize = 32;

/// A key's bit in a 64-bit filter of the keys seen in an object.
fn key_bit(key: Str<'_>) -> u64 {
    let raw = key.raw().as_bytes();
    let hash = raw.len()
        ^ raw.first().map_or(0, |&b| usize::from(b) << 2)
        ^ raw.last().map_or(0, |&b| usize::from(b) << 4);
    1u64 << (hash % 64)
}

/// A parser position to come back to, with the issues recorded so far; see [`Parser::mark`].
pub(crate) struct Mark {
    pos: usize,
    depth: usize,
    keys: usize,
    issues: usize,
    typed: usize,
    pending: bool,
    aborted: bool,
}

fn is_delimiter(b: u8) -> bool {
    DELIMITER[usize::from(b)]
}

/// `,:[]{}"` and ASCII whitespace: the bytes that end an unquoted token.
const DELIMITER: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        #[expect(clippy::cast_possible_truncation, reason = "i < 256")]
        let b = i as u8;
        t[i] =
            matches!(b, b',' | b':' | b'[' | b']' | b'{' | b'}' | b'"') || b.is_ascii_whitespace();
        i += 1;
    }
    t
};

/// `-?[0-9]+(\.[0-9]+)?` with at most 15 significant digits, the numbers devices send: the
/// digits form an integer below 2^53 and the divisor a power of ten below 10^23, both exact
/// in an `f64`, so one division is correctly rounded and equals `str::parse` (Clinger's fast
/// path). `None` for anything else.
fn fast_f64(raw: &str) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let b = raw.as_bytes();
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let mut mantissa: u64 = 0;
    let mut count = 0;
    let mut scale = None;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                count += 1;
                if count > 15 {
                    return None;
                }
            }
            b'.' if scale.is_none() && i > 0 && i + 1 < digits.len() => {
                scale = Some(digits.len() - i - 1);
            }
            _ => return None,
        }
    }
    if count == 0 {
        return None;
    }
    #[expect(clippy::cast_precision_loss, reason = "below 10^15, exact")]
    let value = mantissa as f64 / *POW10.get(scale.unwrap_or(0))?;
    Some(if negative { -value } else { value })
}

/// Bytes that end the plain part of a string: `"`, `\` and control characters.
const STRING_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The closing quote of a string starting at `start` (after its opening quote), when no
/// escape or control character comes first.
#[inline]
fn plain_string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let end = scan_string(bytes, start);
    (bytes.get(end) == Some(&b'"')).then_some(end)
}

/// The index of the first `"`, `\` or control byte at or after `i`, eight bytes at a time.
fn scan_string(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A byte of `x` is below `n` (n <= 128) exactly when this sets its high bit somewhere.
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    while let Some(Ok(chunk)) = bytes.get(i..i + 8).map(<[u8; 8]>::try_from) {
        let w = u64::from_le_bytes(chunk);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let stops = below(quote, 1) | below(backslash, 1) | below(w, 0x20);
        if stops != 0 {
            // The lowest flagged byte is always a real stop (a borrow only flags bytes above
            // one), so this is exact.
            return i + (stops.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if STRING_STOP[usize::from(b)] {
            break;
        }
        i += 1;
    }
    i
}

impl<'a, 'r> Parser<'a, 'r> {
    /// A parser over `payload`, which need not be UTF-8: each string holding bytes that are
    /// not is reported where it stands ([`Parser::text`]), and read with U+FFFD in their place
    /// in lenient mode.
    pub(crate) fn new(payload: &'a [u8], report: &'r mut Report) -> Self {
        // The payload's text up to its first byte that is not UTF-8; text past it is read
        // from the bytes.
        let src = match core::str::from_utf8(payload) {
            Ok(s) => s,
            Err(e) => core::str::from_utf8(&payload[..e.valid_up_to()]).unwrap_or_default(),
        };
        Self {
            src,
            bytes: payload,
            pos: 0,
            report,
            failure: None,
            aborted: false,
            depth: 0,
            members: Vec::new(),
            items: Vec::new(),
            keys: Vec::new(),
            ahead: None,
        }
    }

    /// The payload's text (cut at the first invalid UTF-8 byte).
    pub(crate) const fn src(&self) -> &'a str {
        self.src
    }

    /// The whole payload.
    pub(crate) const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The text of `start..end` (a string's, without its quotes, or a token's), borrowed
    /// from the payload. Past the payload's first byte that is not UTF-8 it is read from the
    /// bytes, and a text holding such bytes is reported: it reads with U+FFFD in their place.
    fn text(&mut self, start: usize, end: usize, escaped: bool, path: &Path<'_>) -> Step<Str<'a>> {
        if let Some(raw) = self.src.get(start..end) {
            return Ok(if escaped {
                Str::from_json(raw)
            } else {
                Str::new(raw)
            });
        }
        let raw = &self.bytes[start..end];
        let text = Str::from_json_bytes(raw);
        if text.has_invalid_utf8() {
            let at = start + text.raw().len();
            self.issue(IssueKind::ReplacedUtf8, Some(at), path)?;
        }
        Ok(text)
    }

    /// The character at byte `pos`, for messages: U+FFFD for a byte that is not UTF-8, a
    /// space at the end.
    fn char_at(&self, pos: usize) -> char {
        match self
            .bytes
            .get(pos..)
            .and_then(|rest| rest.utf8_chunks().next())
        {
            Some(chunk) => chunk
                .valid()
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER),
            None => ' ',
        }
    }

    /// The first byte of the document, after leading whitespace.
    pub(crate) fn first(&mut self) -> Option<u8> {
        self.skip_ws();
        self.peek()
    }

    /// The whole document as a tree.
    pub(crate) fn document(&mut self) -> Result<Value<'a>, Issue> {
        self.skip_ws();
        let start = self.pos;
        let root = |kind| Issue {
            kind,
            offset: Some(start),
            path: Path::ROOT.render(),
        };
        if start == self.bytes.len() {
            return Err(root(IssueKind::Empty));
        }
        let value = match self.value(&Path::ROOT) {
            Ok(Some(v)) => v,
            Ok(None) => {
                let found = self.char_at(start);
                return Err(root(IssueKind::Unexpected {
                    found,
                    expected: "a json value",
                }));
            }
            Err(Stop) => return Err(self.failure()),
        };
        self.finish().map_err(|Stop| self.failure())?;
        Ok(value)
    }

    /// After the document's value: reports anything but whitespace that follows it.
    pub(crate) fn finish(&mut self) -> Step<()> {
        if !self.aborted {
            self.skip_ws();
            if self.pos < self.bytes.len() {
                self.issue(IssueKind::TrailingData, Some(self.pos), &Path::ROOT)?;
            }
        }
        Ok(())
    }

    /// The issue that stopped a strict parse.
    pub(crate) fn failure(&mut self) -> Issue {
        self.failure.take().unwrap_or_else(|| Issue {
            kind: IssueKind::Unexpected {
                found: ' ',
                expected: "a json value",
            },
            offset: Some(self.pos),
            path: Path::ROOT.render(),
        })
    }

    /// Whether a strict parse stopped at a syntax issue.
    pub(crate) const fn failed(&self) -> bool {
        self.failure.is_some()
    }

    /// Records a deviation; in strict mode it stops the parse.
    fn issue(&mut self, kind: IssueKind, offset: Option<usize>, path: &Path<'_>) -> Step<()> {
        match self.report.issue(kind, offset, path) {
            Ok(()) => Ok(()),
            Err(issue) => {
                self.failure = Some(issue);
                Err(Stop)
            }
        }
    }

    /// A position to [`rewind`](Self::rewind) to when a value turns out to need another
    /// reading: everything recorded after it is forgotten.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            depth: self.depth,
            keys: self.keys.len(),
            issues: self.report.issues.len(),
            typed: self.report.typed.len(),
            pending: self.report.pending.is_some(),
            aborted: self.aborted,
        }
    }

    /// Returns to `mark`, as if nothing after it had been read.
    pub(crate) fn rewind(&mut self, mark: &Mark) {
        self.pos = mark.pos;
        self.depth = mark.depth;
        self.keys.truncate(mark.keys);
        self.report.issues.truncate(mark.issues);
        self.report.typed.truncate(mark.typed);
        if !mark.pending {
            self.report.pending = None;
        }
        self.aborted = mark.aborted;
        self.ahead = None;
    }

    fn skip_ws(&mut self) {
        while self
            .bytes
            .get(self.pos)
            .is_some_and(u8::is_ascii_whitespace)
        {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn found(&self) -> char {
        self.char_at(self.pos)
    }

    /// Drops the rest of the payload after recording why.
    fn abort(&mut self, kind: IssueKind, path: &Path<'_>) -> Step<()> {
        self.issue(kind, Some(self.pos), path)?;
        self.aborted = true;
        Ok(())
    }

    fn unexpected_or_truncated(&mut self, expected: &'static str, path: &Path<'_>) -> Step<()> {
        let kind = match self.peek() {
            None => IssueKind::Truncated { expected },
            Some(_) => IssueKind::Unexpected {
                found: self.found(),
                expected,
            },
        };
        self.abort(kind, path)
    }

    /// The scalar read ahead by the last cursor step, if it has not been taken.
    pub(crate) const fn ahead(&self) -> Option<&Value<'a>> {
        self.ahead.as_ref()
    }

    /// Whether the value after the last cursor step is an object.
    pub(crate) fn at_object(&self) -> bool {
        self.ahead.is_none() && self.peek() == Some(b'{')
    }

    /// Whether the value after the last cursor step is an array.
    pub(crate) fn at_array(&self) -> bool {
        self.ahead.is_none() && self.peek() == Some(b'[')
    }

    /// The value after the last cursor step: the scalar read ahead, or the array or object
    /// as a tree.
    pub(crate) fn take(&mut self, path: &Path<'_>) -> Step<Value<'a>> {
        if let Some(v) = self.ahead.take() {
            return Ok(v);
        }
        match self.peek() {
            Some(b'{') => self.object(path),
            Some(b'[') => self.array(path),
            // Every cursor step leaves a scalar read ahead or a container: unreachable.
            _ => Ok(Value::Null),
        }
    }

    /// Consumes the value after the last cursor step without building it; its issues are
    /// reported all the same.
    pub(crate) fn skip(&mut self, path: &Path<'_>) -> Step<()> {
        if self.ahead.take().is_some() {
            return Ok(());
        }
        match self.peek() {
            Some(b'{') => {
                let mut c = self.begin_object(path)?;
                while let Some(key) = self.next_key(&mut c, path)? {
                    self.skip(&path.key(key.raw()))?;
                }
            }
            Some(b'[') => {
                let mut c = self.begin_array(path)?;
                while let Some(i) = self.next_item(&mut c, path)? {
                    self.skip(&path.index(i))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A value, or `None` when the payload ends or breaks before one starts.
    fn value(&mut self, path: &Path<'_>) -> Step<Option<Value<'a>>> {
        match self.peek() {
            Some(b'{') => self.object(path).map(Some),
            Some(b'[') => self.array(path).map(Some),
            _ => self.scalar(path),
        }
    }

    /// A string, number, literal or unquoted word, or `None` when the payload ends or breaks
    /// before one starts.
    fn scalar(&mut self, path: &Path<'_>) -> Step<Option<Value<'a>>> {
        match self.peek() {
            Some(b'"') => Ok(self.string(path)?.map(Value::String)),
            Some(b) if !is_delimiter(b) => self.bare(path).map(Some),
            Some(_) => {
                self.unexpected_or_truncated("a value", path)?;
                Ok(None)
            }
            None => {
                self.abort(
                    IssueKind::Truncated {
                        expected: "a value",
                    },
                    path,
                )?;
                Ok(None)
            }
        }
    }

    /// After a key or at an element: reads a scalar ahead, leaves a container for the
    /// caller; `false` when the value is cut off (the container then ends).
    fn read_ahead(&mut self, path: &Path<'_>) -> Step<bool> {
        if matches!(self.peek(), Some(b'{' | b'[')) {
            return Ok(true);
        }
        self.ahead = self.scalar(path)?;
        Ok(self.ahead.is_some())
    }

    fn enter(&mut self, path: &Path<'_>) -> Step<bool> {
        if self.depth >= MAX_DEPTH {
            self.abort(IssueKind::TooDeep, path)?;
            return Ok(false);
        }
        self.depth += 1;
        self.pos += 1;
        Ok(true)
    }

    /// Opens the object after the last cursor step (at its `{`).
    pub(crate) fn begin_object(&mut self, path: &Path<'_>) -> Step<ObjectCursor> {
        let open = self.enter(path)?;
        Ok(ObjectCursor {
            keys: self.keys.len(),
            seen: 0,
            collided: false,
            after_comma: false,
            state: CursorState::entered(open),
        })
    }

    /// The next member's key, its value read ahead if it is a scalar; `None` once the object
    /// has closed, or the rest of the payload is dropped.
    #[inline]
    pub(crate) fn next_key(
        &mut self,
        c: &mut ObjectCursor,
        path: &Path<'_>,
    ) -> Step<Option<Str<'a>>> {
        match self.plain_member(c) {
            Some(key) => Ok(Some(key)),
            None => self.next_key_slow(c, path),
        }
    }

    /// The common case of [`Parser::next_key`] in one go: `,"key":value` (or the first member
    /// right after `{`) without whitespace or escapes, the value a plain string, a standard
    /// number, a literal or a container. Nothing changes unless it succeeds; there is nothing
    /// to report when it does.
    #[inline]
    fn plain_member(&mut self, c: &mut ObjectCursor) -> Option<Str<'a>> {
        let b = self.bytes;
        let mut i = self.pos;
        match c.state {
            CursorState::Entry if !self.aborted && b.get(i) == Some(&b',') => i += 1,
            CursorState::Start => {}
            _ => return None,
        }
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let start = i + 1;
        let end = plain_string_end(b, start)?;
        if b.get(end + 1) != Some(&b':') {
            return None;
        }
        let (value, next) = self.plain_value(end + 2)?;
        let key = Str::new(self.src.get(start..end)?);
        self.ahead = value;
        self.pos = next;
        c.after_comma = c.state == CursorState::Entry;
        c.state = CursorState::Entry;
        self.push_key(c, key);
        Some(key)
    }

    /// A plain scalar (see [`Parser::plain_member`]) or the start of a container at `i`,
    /// and where it ends.
    #[expect(
        clippy::inline_always,
        reason = "inlined into the member and item scans: 2% fewer instructions per corpus pass"
    )]
    #[inline(always)]
    fn plain_value(&self, i: usize) -> Option<(Option<Value<'a>>, usize)> {
        match self.bytes.get(i)? {
            b'"' => {
                let end = plain_string_end(self.bytes, i + 1)?;
                Some((
                    Some(Value::String(Str::new(self.src.get(i + 1..end)?))),
                    end + 1,
                ))
            }
            b'{' | b'[' => Some((None, i)),
            _ => self.plain_bare(i).map(|(v, end)| (Some(v), end)),
        }
    }

    /// A standard number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`), `true`, `false` or `null` at `i`,
    /// followed by a delimiter or the end; and where it ends.
    #[inline]
    fn plain_bare(&self, i: usize) -> Option<(Value<'a>, usize)> {
        let b = self.bytes;
        let (value, end) = match b.get(i)? {
            b't' if b.get(i..i + 4) == Some(b"true") => (Value::Bool(true), i + 4),
            b'f' if b.get(i..i + 5) == Some(b"false") => (Value::Bool(false), i + 5),
            b'n' if b.get(i..i + 4) == Some(b"null") => (Value::Null, i + 4),
            _ => {
                let mut end = i + usize::from(b[i] == b'-');
                let int_start = end;
                while b.get(end).is_some_and(u8::is_ascii_digit) {
                    end += 1;
                }
                let int_len = end - int_start;
                if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
                    return None;
                }
                if b.get(end) == Some(&b'.') {
                    let frac = end + 1;
                    end = frac;
                    while b.get(end).is_some_and(u8::is_ascii_digit) {
                        end += 1;
                    }
                    if end == frac {
                        return None;
                    }
                }
                (Value::Number(Number::from_raw(self.src.get(i..end)?)), end)
            }
        };
        b.get(end)
            .is_none_or(|&c| is_delimiter(c))
            .then_some((value, end))
    }

    /// Records a key of the open object `c`, for the duplicate check when it closes.
    #[expect(
        clippy::inline_always,
        reason = "inlined into the member scan: 2% fewer instructions per corpus pass"
    )]
    #[inline(always)]
    fn push_key(&mut self, c: &mut ObjectCursor, key: Str<'a>) {
        let bit = key_bit(key);
        if c.seen & bit != 0 && !c.collided {
            // The filter cannot tell: compare with the object's keys now, while it is small,
            // so that closing it checks nothing unless a key really repeats.
            let earlier = &self.keys[c.keys..];
            c.collided =
                earlier.len() >= FILTERED_KEYS || earlier.iter().any(|k| k.raw() == key.raw());
        }
        c.seen |= bit;
        if self.keys.capacity() == 0 {
            self.keys.reserve(32);
        }
        self.keys.push(key);
    }

    #[inline(never)]
    fn next_key_slow(&mut self, c: &mut ObjectCursor, path: &Path<'_>) -> Step<Option<Str<'a>>> {
        match c.state {
            CursorState::Done => return Ok(None),
            CursorState::Start => c.state = CursorState::Entry,
            CursorState::Entry if !self.aborted && self.peek() == Some(b',') => {
                self.pos += 1;
                c.after_comma = true;
            }
            CursorState::Entry => match self.separator(b'}', path)? {
                Some(comma) => c.after_comma = comma,
                None => return self.end_object(c, path),
            },
        }
        self.skip_ws();
        if self.close(b'}', c.after_comma, path)? {
            return self.end_object(c, path);
        }
        let key = match self.peek() {
            Some(b'"') => match self.string(path)? {
                Some(k) => k,
                None => return self.end_object(c, path),
            },
            Some(b) if !is_delimiter(b) => {
                self.issue(IssueKind::UnquotedKey, Some(self.pos), path)?;
                let end = self.token_end();
                let k = self.text(self.pos, end, false, path)?;
                self.pos = end;
                k
            }
            _ => {
                self.unexpected_or_truncated("a key or '}'", path)?;
                return self.end_object(c, path);
            }
        };
        let child = path.key(key.raw());
        self.skip_ws();
        if self.peek() != Some(b':') {
            self.unexpected_or_truncated("':'", &child)?;
            return self.end_object(c, path);
        }
        self.pos += 1;
        self.skip_ws();
        if !self.read_ahead(&child)? {
            return self.end_object(c, path);
        }
        self.push_key(c, key);
        Ok(Some(key))
    }

    #[inline(never)]
    fn end_object<T>(&mut self, c: &mut ObjectCursor, path: &Path<'_>) -> Step<Option<T>> {
        c.state = CursorState::Done;
        self.depth -= 1;
        if c.collided {
            self.check_duplicates(c.keys, path)?;
        }
        self.keys.truncate(c.keys);
        Ok(None)
    }

    /// Opens the array after the last cursor step (at its `[`).
    pub(crate) fn begin_array(&mut self, path: &Path<'_>) -> Step<ArrayCursor> {
        let open = self.enter(path)?;
        Ok(ArrayCursor {
            index: 0,
            after_comma: false,
            state: CursorState::entered(open),
        })
    }

    /// The next element's index, its value read ahead if it is a scalar; `None` once the
    /// array has closed, or the rest of the payload is dropped.
    #[inline]
    pub(crate) fn next_item(
        &mut self,
        c: &mut ArrayCursor,
        path: &Path<'_>,
    ) -> Step<Option<usize>> {
        match self.plain_item(c) {
            Some(i) => Ok(Some(i)),
            None => self.next_item_slow(c, path),
        }
    }

    /// The common case of [`Parser::next_item`], as [`Parser::plain_member`].
    #[inline]
    fn plain_item(&mut self, c: &mut ArrayCursor) -> Option<usize> {
        let mut i = self.pos;
        match c.state {
            CursorState::Entry if !self.aborted && self.bytes.get(i) == Some(&b',') => i += 1,
            CursorState::Start => {}
            _ => return None,
        }
        let (value, next) = self.plain_value(i)?;
        self.ahead = value;
        self.pos = next;
        if c.state == CursorState::Entry {
            c.index += 1;
            c.after_comma = true;
        }
        c.state = CursorState::Entry;
        Some(c.index)
    }

    #[inline(never)]
    fn next_item_slow(&mut self, c: &mut ArrayCursor, path: &Path<'_>) -> Step<Option<usize>> {
        match c.state {
            CursorState::Done => return Ok(None),
            CursorState::Start => c.state = CursorState::Entry,
            CursorState::Entry => {
                c.index += 1;
                if !self.aborted && self.peek() == Some(b',') {
                    self.pos += 1;
                    c.after_comma = true;
                } else {
                    match self.separator(b']', path)? {
                        Some(comma) => c.after_comma = comma,
                        None => return Ok(self.end_array(c)),
                    }
                }
            }
        }
        self.skip_ws();
        if self.close(b']', c.after_comma, path)? || !self.read_ahead(&path.index(c.index))? {
            return Ok(self.end_array(c));
        }
        Ok(Some(c.index))
    }

    fn end_array(&mut self, c: &mut ArrayCursor) -> Option<usize> {
        c.state = CursorState::Done;
        self.depth -= 1;
        None
    }

    // Kept out of `value`, so that the frequent scalar values do not pay for a container's
    // stack frame.
    #[inline(never)]
    fn object(&mut self, path: &Path<'_>) -> Step<Value<'a>> {
        let base = self.members.len();
        if self.members.capacity() == 0 {
            self.members.reserve(32);
        }
        let mut c = self.begin_object(path)?;
        while let Some(key) = self.next_key(&mut c, path)? {
            let value = self.take(&path.key(key.raw()))?;
            self.members.push((key, value));
        }
        Ok(Value::Object(self.members.split_off(base)))
    }

    #[inline(never)]
    fn array(&mut self, path: &Path<'_>) -> Step<Value<'a>> {
        let base = self.items.len();
        let mut c = self.begin_array(path)?;
        while let Some(i) = self.next_item(&mut c, path)? {
            let value = self.take(&path.index(i))?;
            self.items.push(value);
        }
        Ok(Value::Array(self.items.split_off(base)))
    }

    /// At `close`: consumes it and reports a trailing comma before it.
    fn close(&mut self, close: u8, after_comma: bool, path: &Path<'_>) -> Step<bool> {
        if self.peek() != Some(close) {
            return Ok(false);
        }
        if after_comma {
            self.issue(IssueKind::TrailingComma, Some(self.pos), path)?;
        }
        self.pos += 1;
        Ok(true)
    }

    /// After a member or element: `Some(true)` after a comma, `Some(false)` when the comma is
    /// missing but another item starts (kept, reported), `None` when the container closed or
    /// the rest of the payload is dropped.
    fn separator(&mut self, close: u8, path: &Path<'_>) -> Step<Option<bool>> {
        if self.aborted {
            return Ok(None);
        }
        self.skip_ws();
        let in_object = close == b'}';
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(Some(true))
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(None)
            }
            Some(b) if (in_object && b == b'"') || (!in_object && !matches!(b, b'}' | b':')) => {
                self.issue(IssueKind::MissingComma, Some(self.pos), path)?;
                Ok(Some(false))
            }
            _ => {
                let expected = if in_object {
                    "',' or '}'"
                } else {
                    "',' or ']'"
                };
                self.unexpected_or_truncated(expected, path)?;
                Ok(None)
            }
        }
    }

    /// Reports every key of the closing object (from `base` in `keys`) that already appeared
    /// earlier in it. A 64-bit filter over a hash of each key skips the comparisons for keys
    /// that cannot repeat; objects too large for the filter to help are sorted instead, so
    /// hostile payloads stay linearithmic.
    fn check_duplicates(&mut self, base: usize, path: &Path<'_>) -> Step<()> {
        let keys = &self.keys[base..];
        let mut dups: Vec<usize> = Vec::new();
        if keys.len() <= FILTERED_KEYS {
            let mut seen = 0u64;
            for (i, &k) in keys.iter().enumerate() {
                let bit = key_bit(k);
                if seen & bit != 0 && keys[..i].iter().any(|e| e.raw() == k.raw()) {
                    dups.push(i);
                }
                seen |= bit;
            }
        } else {
            let mut order: Vec<usize> = (0..keys.len()).collect();
            order.sort_by(|&a, &b| keys[a].raw().cmp(keys[b].raw()).then(a.cmp(&b)));
            for w in order.windows(2) {
                if keys[w[0]].raw() == keys[w[1]].raw() {
                    dups.push(w[1]);
                }
            }
            dups.sort_unstable();
        }
        for i in dups {
            let key = self.keys[base + i];
            let offset = offset_in(self.bytes, key.raw_bytes());
            self.issue(IssueKind::DuplicateKey, offset, &path.key(key.raw()))?;
        }
        Ok(())
    }

    /// A string starting at the opening quote; `None` if the payload ends inside it.
    #[inline]
    fn string(&mut self, path: &Path<'_>) -> Step<Option<Str<'a>>> {
        let start = self.pos + 1;
        if let Some(end) = plain_string_end(self.bytes, start)
            && let Some(raw) = self.src.get(start..end)
        {
            self.pos = end + 1;
            return Ok(Some(Str::new(raw)));
        }
        self.string_slow(start, path)
    }

    /// A string with escapes or control characters, or cut off.
    #[cold]
    #[inline(never)]
    fn string_slow(&mut self, start: usize, path: &Path<'_>) -> Step<Option<Str<'a>>> {
        let mut i = start;
        let mut escaped = false;
        loop {
            i = scan_string(self.bytes, i);
            let Some(&b) = self.bytes.get(i) else {
                self.pos = i;
                self.abort(IssueKind::Truncated { expected: "'\"'" }, path)?;
                return Ok(None);
            };
            match b {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    if !self.valid_escape(i) {
                        self.issue(IssueKind::InvalidEscape, Some(i), path)?;
                    }
                    // Skip the escaped byte (an ASCII byte in every valid escape) unless it is
                    // the start of a multi-byte character or the end.
                    i += if self.bytes.get(i + 1).is_some_and(u8::is_ascii) {
                        2
                    } else {
                        1
                    };
                }
                _ => {
                    self.issue(IssueKind::ControlCharacter, Some(i), path)?;
                    i += 1;
                }
            }
        }
        self.pos = i + 1;
        self.text(start, i, escaped, path).map(Some)
    }

    fn valid_escape(&self, at: usize) -> bool {
        match self.bytes.get(at + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => true,
            Some(b'u') => self
                .bytes
                .get(at + 2..at + 6)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)),
            _ => false,
        }
    }

    /// The end of the unquoted token at the cursor.
    fn token_end(&self) -> usize {
        self.bytes[self.pos..]
            .iter()
            .position(|&b| is_delimiter(b))
            .map_or(self.bytes.len(), |n| self.pos + n)
    }

    /// A token outside quotes: a number, a literal, or an unquoted word.
    #[inline]
    fn bare(&mut self, path: &Path<'_>) -> Step<Value<'a>> {
        if let Some((value, end)) = self.plain_bare(self.pos) {
            self.pos = end;
            return Ok(value);
        }
        self.bare_slow(path)
    }

    /// A literal, an unquoted word, or a number in another form.
    #[inline(never)]
    fn bare_slow(&mut self, path: &Path<'_>) -> Step<Value<'a>> {
        let start = self.pos;
        let end = self.token_end();
        self.pos = end;
        let Some(token) = self
            .src
            .get(start..end)
            .or_else(|| core::str::from_utf8(&self.bytes[start..end]).ok())
        else {
            self.issue(IssueKind::UnquotedWord, Some(start), path)?;
            return Ok(Value::String(self.text(start, end, false, path)?));
        };
        if matches!(token.as_bytes()[0], b't' | b'f' | b'n') {
            match token {
                "true" => return Ok(Value::Bool(true)),
                "false" => return Ok(Value::Bool(false)),
                "null" => return Ok(Value::Null),
                _ => {}
            }
        }
        let kind = match classify_number(token) {
            NumberClass::Standard => return Ok(Value::Number(Number::from_raw(token))),
            NumberClass::NonStandard => IssueKind::NonStandardNumber,
            NumberClass::NonFinite => IssueKind::NonFiniteNumber,
            NumberClass::Not => {
                self.issue(IssueKind::UnquotedWord, Some(start), path)?;
                return Ok(Value::String(Str::new(token)));
            }
        };
        self.issue(kind, Some(start), path)?;
        Ok(Value::Number(Number::from_raw(token)))
    }
}

/// `-?[0-9]{1,18}`, which always fits an `i64`; `None` for anything else.
fn small_int(raw: &str) -> Option<i64> {
    let b = raw.as_bytes();
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(c - b'0');
    }
    Some(if negative { -n } else { n })
}

/// `f` as an `i64` when it is a whole number within range (`f64::fract` is not in `core`).
pub(crate) fn integral(f: f64) -> Option<i64> {
    // -2^63 and 2^63 are exactly representable, so the range check is exact, and every f64 in
    // it converts without saturating; a whole number survives the round trip unchanged.
    if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "within range, checked above"
    )]
    let i = f as i64;
    #[expect(clippy::cast_precision_loss, reason = "compared to detect a fraction")]
    let back = i as f64;
    (back.to_bits() == f.to_bits() || (back == 0.0 && f == 0.0)).then_some(i)
}

/// The byte offset of `part` inside `whole`, when it is a slice of it.
pub(crate) fn offset_in(whole: &[u8], part: &[u8]) -> Option<usize> {
    let start = whole.as_ptr() as usize;
    let at = part.as_ptr() as usize;
    (at >= start && at + part.len() <= start + whole.len()).then(|| at - start)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumberClass {
    Standard,
    NonStandard,
    NonFinite,
    Not,
}

fn classify_number(token: &str) -> NumberClass {
    // Fast path for what devices send almost always: `-?[1-9][0-9]*(\.[0-9]+)?` or `-?0(\.[0-9]+)?`.
    let b = token.as_bytes();
    let digits = usize::from(b.first() == Some(&b'-'));
    let int_end = digits
        + b[digits..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
    let int_len = int_end - digits;
    if int_len > 0 && (int_len == 1 || b[digits] != b'0') {
        if int_end == b.len() {
            return NumberClass::Standard;
        }
        if b[int_end] == b'.' {
            let frac = b[int_end + 1..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if frac > 0 && int_end + 1 + frac == b.len() {
                return NumberClass::Standard;
            }
        }
    }
    let unsigned = token
        .strip_prefix('-')
        .or_else(|| token.strip_prefix('+'))
        .unwrap_or(token);
    if ["nan", "inf", "infinity"]
        .iter()
        .any(|w| unsigned.eq_ignore_ascii_case(w))
    {
        return NumberClass::NonFinite;
    }
    let b = unsigned.as_bytes();
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = int_len;
    let mut frac_len = None;
    if b.get(i) == Some(&b'.') {
        let n = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        frac_len = Some(n);
        i += 1 + n;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return NumberClass::Not;
        }
        i += n;
    }
    if i != b.len() || (int_len == 0 && frac_len.unwrap_or(0) == 0) {
        return NumberClass::Not;
    }
    let leading_zero = int_len > 1 && b[0] == b'0';
    if token.starts_with('+') || leading_zero || int_len == 0 || frac_len == Some(0) {
        NumberClass::NonStandard
    } else {
        NumberClass::Standard
    }
}

#[cfg(test)]
mod tests {
    use alloc::borrow::ToOwned as _;
    use alloc::format;

    use super::*;

    fn lenient(s: &str) -> Parsed<'_> {
        parse(s.as_bytes(), Mode::Lenient).unwrap()
    }

    fn kinds(p: &Parsed<'_>) -> Vec<IssueKind> {
        p.issues.iter().map(|i| i.kind).collect()
    }

    #[test]
    fn numbers() {
        for (t, c) in [
            ("0", NumberClass::Standard),
            ("-0.5e-3", NumberClass::Standard),
            ("12", NumberClass::Standard),
            ("007", NumberClass::NonStandard),
            ("+5", NumberClass::NonStandard),
            (".5", NumberClass::NonStandard),
            ("5.", NumberClass::NonStandard),
            ("-inf", NumberClass::NonFinite),
            ("NaN", NumberClass::NonFinite),
            ("1e", NumberClass::Not),
            ("1.2.3", NumberClass::Not),
            ("-", NumberClass::Not),
            (".", NumberClass::Not),
            ("Off", NumberClass::Not),
            ("192.168.1.1", NumberClass::Not),
        ] {
            assert_eq!(classify_number(t), c, "{t}");
        }
    }

    #[test]
    fn missing_closing_brace() {
        let p = lenient(r#"{"a":{"b":1}"#);
        assert_eq!(
            p.value
                .get("a")
                .and_then(|a| a.get("b"))
                .and_then(Value::as_f64),
            Some(1.0)
        );
        assert_eq!(
            kinds(&p),
            [IssueKind::Truncated {
                expected: "',' or '}'"
            }]
        );
        assert_eq!(p.issues[0].path, "$");
    }

    #[test]
    fn extra_closing_brace_is_trailing_data() {
        let p = lenient(r#"{"a":1}}"#);
        assert_eq!(kinds(&p), [IssueKind::TrailingData]);
        assert_eq!(p.issues[0].offset, Some(7));
        assert!(parse(br#"{"a":1}}"#, Mode::Strict).is_err());
    }

    #[test]
    fn recoverable_syntax() {
        let p = lenient(r#"{a:1,"b":[1 2,],"c":"x\q","d":"t	ab",}"#);
        assert_eq!(
            kinds(&p),
            [
                IssueKind::UnquotedKey,
                IssueKind::MissingComma,
                IssueKind::TrailingComma,
                IssueKind::InvalidEscape,
                IssueKind::ControlCharacter,
                IssueKind::TrailingComma,
            ]
        );
        assert_eq!(
            p.value.get("b").and_then(Value::as_array).map(<[_]>::len),
            Some(2)
        );
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let p = lenient(r#"{"a":1,"b":2,"a":3}"#);
        assert_eq!(kinds(&p), [IssueKind::DuplicateKey]);
        assert_eq!(p.issues[0].path, "$.a");
        assert_eq!(p.value.get("a").and_then(Value::as_f64), Some(3.0));
        let p = lenient(r#"{"a":1,"a":2}"#);
        assert_eq!(kinds(&p), [IssueKind::DuplicateKey]);
    }

    #[test]
    fn duplicate_keys_in_objects_of_every_size() {
        for n in [2, 5, 31, 32, 33, 100] {
            let keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            let distinct: Vec<String> = keys.iter().map(|k| format!("\"{k}\":0")).collect();
            // Many distinct keys share a filter bit: none of them is a duplicate.
            let text = format!("{{{}}}", distinct.join(","));
            let p = lenient(&text);
            assert!(p.issues.is_empty(), "{n} keys: {:?}", p.issues);
            let last = &keys[n - 1];
            let text = format!(
                "{{{},\"k1\":{{\"k1\":1}},\"{last}\":2}}",
                distinct.join(",")
            );
            let p = lenient(&text);
            let paths: Vec<&str> = p.issues.iter().map(|i| i.path.as_str()).collect();
            assert_eq!(paths, ["$.k1".to_owned(), format!("$.{last}")], "{n} keys");
        }
        let p = lenient(r#"{"a":{"a":1},"b":{"a":2,"b":3}}"#);
        assert!(p.issues.is_empty(), "{:?}", p.issues);
    }

    #[test]
    fn unrecoverable() {
        assert_eq!(
            parse(b"", Mode::Lenient).unwrap_err().kind,
            IssueKind::Empty
        );
        assert_eq!(
            parse(b"  \n", Mode::Lenient).unwrap_err().kind,
            IssueKind::Empty
        );
        assert!(matches!(
            parse(b"}", Mode::Lenient).unwrap_err().kind,
            IssueKind::Unexpected { found: '}', .. }
        ));
    }

    #[test]
    fn invalid_utf8_is_replaced_and_the_rest_read() {
        let p = parse(b"{\"a\":\"x\xff\",\"b\xfe\":2,\"c\":\xfd}", Mode::Lenient).unwrap();
        let found: Vec<_> = p.issues.iter().map(|i| (i.kind, i.offset)).collect();
        assert_eq!(
            found,
            [
                (IssueKind::ReplacedUtf8, Some(7)),
                (IssueKind::ReplacedUtf8, Some(12)),
                (IssueKind::UnquotedWord, Some(21)),
                (IssueKind::ReplacedUtf8, Some(21)),
            ]
        );
        assert_eq!(p.issues[0].path, "$.a");
        let Value::Object(m) = &p.value else { panic!() };
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].1.as_str().unwrap(), "x\u{FFFD}");
        assert_eq!(m[1].0, "b\u{FFFD}");
        assert_eq!(m[2].1.as_str().unwrap(), "\u{FFFD}");
        let strict = parse(b"{\"a\":\"x\xff\"}", Mode::Strict).unwrap_err();
        assert_eq!(
            (strict.kind, strict.offset),
            (IssueKind::ReplacedUtf8, Some(7))
        );
    }

    #[test]
    fn depth_limit() {
        let deep = "[".repeat(MAX_DEPTH + 10);
        let p = lenient(&deep);
        assert!(kinds(&p).contains(&IssueKind::TooDeep));
        assert!(parse(deep.as_bytes(), Mode::Strict).is_err());
    }

    #[test]
    fn paths_render() {
        let p = lenient(r#"{"a b":[0,{"c":nan}]}"#);
        assert_eq!(p.issues[0].path, r#"$["a b"][1].c"#);
    }

    #[test]
    fn fast_float_path_equals_the_standard_parser() {
        for raw in [
            "0",
            "-0",
            "1",
            "23.45",
            "-0.001",
            "999999999999999",
            "123456789.012345",
            "0.1",
            "3.423",
            "1360",
            "0.99",
            "9098.245",
        ] {
            let fast = fast_f64(raw).unwrap();
            assert_eq!(
                fast.to_bits(),
                raw.parse::<f64>().unwrap().to_bits(),
                "{raw}"
            );
        }
        for raw in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "1234567890123456",
            "1.2.3",
            "+1",
            "nan",
        ] {
            assert_eq!(fast_f64(raw), None, "{raw}");
        }
    }

    #[test]
    fn display_writes_standard_json() {
        let p = lenient(r#"{"a":[1,nan,007,+5,true,null],"b":Off,"c":"q\"\u00e9\n","d":{}}"#);
        assert_eq!(
            alloc::format!("{}", p.value),
            r#"{"a":[1,null,7,5,true,null],"b":"Off","c":"q\"é\n","d":{}}"#
        );
        let text = alloc::format!("{}", p.value);
        let again = parse(text.as_bytes(), Mode::Strict).unwrap();
        assert_eq!(
            alloc::format!("{}", again.value),
            alloc::format!("{}", p.value)
        );
    }

    #[test]
    fn strict_accepts_rfc_json() {
        let doc = r#" {"a":[1,-2.5e3,true,false,null,"\u00e9\n"],"b":{}} "#;
        let p = parse(doc.as_bytes(), Mode::Strict).unwrap();
        assert!(p.issues.is_empty());
    }
}

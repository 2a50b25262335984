//! Typed reading of JSON values: every conversion either succeeds, records a lenient repair,
//! or records what was dropped (strict mode turns both into the error).

use alloc::vec::Vec;

use crate::json::{Issue, IssueKind, Path, Report, Value, offset_in};
use crate::power::{PowerState, StateText};
use crate::text::Str;
use crate::time::{Time, Uptime};

/// An object's members.
pub(crate) type Members<'a> = Vec<(Str<'a>, Value<'a>)>;

/// What the typed readers need: the payload (for offsets), the report, the device's texts.
pub(crate) struct Cx<'a, 'r> {
    pub(crate) src: &'a str,
    pub(crate) report: &'r mut Report,
    pub(crate) texts: StateText<'r>,
}

type R<T> = Result<T, Issue>;

impl<'a> Cx<'a, '_> {
    pub(crate) fn offset(&self, v: &Value<'a>) -> Option<usize> {
        match v {
            Value::String(s) => offset_in(self.src, s.raw()).map(|o| o.saturating_sub(1)),
            Value::Number(n) => offset_in(self.src, n.raw()),
            _ => None,
        }
    }

    pub(crate) fn issue(&mut self, kind: IssueKind, v: &Value<'a>, path: &Path<'_>) -> R<()> {
        let offset = self.offset(v);
        self.report.issue(kind, offset, path)
    }

    pub(crate) fn wrong<T>(
        &mut self,
        v: &Value<'a>,
        path: &Path<'_>,
        expected: &'static str,
    ) -> R<Option<T>> {
        self.issue(
            IssueKind::WrongType {
                expected,
                found: v.kind(),
            },
            v,
            path,
        )?;
        Ok(None)
    }

    pub(crate) fn invalid<T>(
        &mut self,
        v: &Value<'a>,
        path: &Path<'_>,
        expected: &'static str,
    ) -> R<Option<T>> {
        self.issue(IssueKind::InvalidValue { expected }, v, path)?;
        Ok(None)
    }

    /// A required field is missing: the error to return (also reported in lenient mode).
    pub(crate) fn missing(&mut self, path: &Path<'_>, field: &'static str) -> Issue {
        let issue = Issue {
            kind: IssueKind::MissingField { field },
            offset: None,
            path: path.key(field).render(),
        };
        if self.report.mode == crate::json::Mode::Lenient {
            self.report.issues.push(issue.clone());
        }
        issue
    }

    /// An expected field is missing but the value is usable without it: reported in lenient
    /// mode, the error in strict mode.
    pub(crate) fn missing_optional(&mut self, path: &Path<'_>, field: &'static str) -> R<()> {
        let issue = self.missing(path, field);
        match self.report.mode {
            crate::json::Mode::Strict => Err(issue),
            crate::json::Mode::Lenient => Ok(()),
        }
    }

    /// A number; numeric strings are converted (and reported), `nan`/`inf` give `None`
    /// (the reader already reported them), `null` gives `None` silently.
    pub(crate) fn f64(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<f64>> {
        match v {
            Value::Number(n) => {
                let f = n.as_f64();
                Ok(f.is_finite().then_some(f))
            }
            Value::String(s) => match s
                .as_str()
                .map(str::trim)
                .and_then(|t| t.parse::<f64>().ok())
            {
                Some(f) if f.is_finite() && s.as_str().is_some_and(looks_numeric) => {
                    self.issue(IssueKind::NumberAsString, v, path)?;
                    Ok(Some(f))
                }
                _ => self.wrong(v, path, "a number"),
            },
            Value::Null => Ok(None),
            _ => self.wrong(v, path, "a number"),
        }
    }

    /// An integer that fits `T`.
    pub(crate) fn int<T: TryFrom<i64>>(
        &mut self,
        v: &Value<'a>,
        path: &Path<'_>,
        expected: &'static str,
    ) -> R<Option<T>> {
        let i = match v {
            Value::Number(n) if !n.is_finite() => return Ok(None),
            Value::Number(n) => n.as_i64(),
            Value::String(_) => {
                let Some(f) = self.f64(v, path)? else {
                    return Ok(None);
                };
                crate::json::integral(f)
            }
            Value::Null => return Ok(None),
            _ => return self.wrong(v, path, expected),
        };
        match i.and_then(|i| T::try_from(i).ok()) {
            Some(t) => Ok(Some(t)),
            None => self.invalid(v, path, expected),
        }
    }

    pub(crate) fn u8(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<u8>> {
        self.int(v, path, "an integer in 0..=255")
    }

    pub(crate) fn u16(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<u16>> {
        self.int(v, path, "an integer in 0..=65535")
    }

    pub(crate) fn u32(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<u32>> {
        self.int(v, path, "a non-negative 32-bit integer")
    }

    pub(crate) fn u64(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<u64>> {
        self.int(v, path, "a non-negative integer")
    }

    pub(crate) fn i32(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<i32>> {
        self.int(v, path, "a 32-bit integer")
    }

    pub(crate) fn str(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<Str<'a>>> {
        match v {
            Value::String(s) => Ok(Some(*s)),
            Value::Null => Ok(None),
            _ => self.wrong(v, path, "a string"),
        }
    }

    /// A string, or a number kept as its text (fields whose type changed between firmware
    /// versions, such as `Module` or `Power`).
    pub(crate) fn text(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<Str<'a>>> {
        match v {
            Value::Number(n) => Ok(Some(Str::new(n.raw()))),
            _ => self.str(v, path),
        }
    }

    /// A list of strings from an array, or from a single string (firmware changed several
    /// keys from a string to an array).
    pub(crate) fn strings(&mut self, v: Value<'a>, path: &Path<'_>) -> R<Vec<Str<'a>>> {
        self.list(v, path, Cx::text)
    }

    /// A string that must be plain text (no escapes) to be borrowed as `&str`.
    pub(crate) fn plain(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<&'a str>> {
        match self.str(v, path)? {
            Some(s) => match s.as_str() {
                Some(t) => Ok(Some(t)),
                None => self.invalid(v, path, "text without escapes"),
            },
            None => Ok(None),
        }
    }

    /// `ON`/`OFF` (any case), 1/0 or a boolean.
    pub(crate) fn on_off(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<bool>> {
        match v {
            Value::Bool(b) => Ok(Some(*b)),
            Value::String(s) => match self.texts.classify(*s) {
                PowerState::On => Ok(Some(true)),
                PowerState::Off => Ok(Some(false)),
                _ => self.invalid(v, path, "ON or OFF"),
            },
            Value::Number(_) => match self.int::<u8>(v, path, "0 or 1")? {
                Some(0) => Ok(Some(false)),
                Some(1) => Ok(Some(true)),
                Some(_) => self.invalid(v, path, "0 or 1"),
                None => Ok(None),
            },
            Value::Null => Ok(None),
            _ => self.wrong(v, path, "ON or OFF"),
        }
    }

    pub(crate) fn power(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<PowerState<'a>>> {
        match v {
            Value::String(s) => Ok(Some(self.texts.classify(*s))),
            Value::Number(n) => match n.as_i64() {
                Some(0) => Ok(Some(PowerState::Off)),
                Some(1) => Ok(Some(PowerState::On)),
                _ => self.invalid(v, path, "a power state"),
            },
            Value::Bool(b) => Ok(Some(if *b { PowerState::On } else { PowerState::Off })),
            Value::Null => Ok(None),
            _ => self.wrong(v, path, "a power state"),
        }
    }

    pub(crate) fn time(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<Time>> {
        match self.str(v, path)? {
            Some(s) => match s.as_str().and_then(Time::parse) {
                Some(t) => Ok(Some(t)),
                None => self.invalid(
                    v,
                    path,
                    "a time (2019-10-31T11:14:59, 2018.02.15 01:00:50 or Thu Feb 15 00:00:50 2018)",
                ),
            },
            None => Ok(None),
        }
    }

    /// `0T18:36:12`, `1 02:33:26`, or an integer number of hours (2017 firmware).
    pub(crate) fn uptime(&mut self, v: &Value<'a>, path: &Path<'_>) -> R<Option<Uptime>> {
        match v {
            Value::Number(_) => Ok(self.u64(v, path)?.map(Uptime::from_hours)),
            Value::String(s) => match s.as_str().and_then(Uptime::parse) {
                Some(u) => Ok(Some(u)),
                None => self.invalid(v, path, "an uptime such as 0T18:36:12"),
            },
            Value::Null => Ok(None),
            _ => self.wrong(v, path, "an uptime"),
        }
    }

    pub(crate) fn object(&mut self, v: Value<'a>, path: &Path<'_>) -> R<Option<Members<'a>>> {
        match v {
            Value::Object(m) => Ok(Some(m)),
            Value::Null => Ok(None),
            other => self.wrong(&other, path, "an object"),
        }
    }

    pub(crate) fn array(&mut self, v: Value<'a>, path: &Path<'_>) -> R<Option<Vec<Value<'a>>>> {
        match v {
            Value::Array(a) => Ok(Some(a)),
            Value::Null => Ok(None),
            other => self.wrong(&other, path, "an array"),
        }
    }

    /// An array of `T`, or a single `T` taken as a one-element array (firmware renamed several
    /// keys from a scalar to an array); elements that fail are dropped and reported.
    pub(crate) fn list<T>(
        &mut self,
        v: Value<'a>,
        path: &Path<'_>,
        mut each: impl FnMut(&mut Self, &Value<'a>, &Path<'_>) -> R<Option<T>>,
    ) -> R<Vec<T>> {
        let mut out = Vec::new();
        match v {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Some(t) = each(self, item, &path.index(i))? {
                        out.push(t);
                    }
                }
            }
            Value::Null => {}
            other => {
                if let Some(t) = each(self, &other, path)? {
                    out.push(t);
                }
            }
        }
        Ok(out)
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

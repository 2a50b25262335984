//! Borrowed JSON strings and secrets.

use core::fmt;

/// A string borrowed from a payload, kept exactly as it was received.
///
/// Tasmota payloads almost never contain JSON escapes, so parsing borrows the raw text between
/// the quotes and decodes escapes only when asked ([`Str::chars`], [`Display`](fmt::Display),
/// comparisons, or `to_cow` with the `alloc` feature). [`Str::as_str`] gives the
/// text without copying whenever it has no escapes.
///
/// # Examples
///
/// ```
/// use tasmota_proto::Str;
///
/// let plain = Str::new("Online");
/// assert_eq!(plain.as_str(), Some("Online"));
///
/// let escaped = Str::from_json(r#"say \"hi\""#);
/// assert_eq!(escaped.as_str(), None);
/// assert_eq!(escaped, r#"say "hi""#);
/// assert_eq!(escaped.to_string(), r#"say "hi""#);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Str<'a> {
    form: Form<'a>,
}

/// How a [`Str`] holds its text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Form<'a> {
    /// The text itself.
    Plain(&'a str),
    /// JSON text with escapes.
    Escaped(&'a str),
    /// JSON text holding bytes that are not UTF-8 (replaced with U+FFFD when read).
    Lossy(&'a [u8]),
}

impl<'a> Str<'a> {
    /// A string with no escapes: `s` is the text itself.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Str::new("ON"), "ON");
    /// ```
    pub const fn new(s: &'a str) -> Self {
        Self {
            form: Form::Plain(s),
        }
    }

    /// A string from the raw text between a JSON string's quotes, escapes included.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::Str::from_json(r"a\u00e9");
    /// assert_eq!(s, "aé");
    /// ```
    pub fn from_json(raw: &'a str) -> Self {
        Self {
            form: if raw.contains('\\') {
                Form::Escaped(raw)
            } else {
                Form::Plain(raw)
            },
        }
    }

    /// A string from the raw bytes between a JSON string's quotes, which may hold bytes that
    /// are not UTF-8 (a name in a legacy code page): reading it replaces each invalid
    /// sequence with U+FFFD, as `String::from_utf8_lossy` does.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::Str::from_json_bytes(b"K\xfcche");
    /// assert!(s.has_invalid_utf8());
    /// assert_eq!(s, "K\u{FFFD}che");
    /// assert_eq!(s.raw_bytes(), b"K\xfcche");
    /// assert_eq!(tasmota_proto::Str::from_json_bytes(b"ok").as_str(), Some("ok"));
    /// ```
    pub fn from_json_bytes(raw: &'a [u8]) -> Self {
        match core::str::from_utf8(raw) {
            Ok(text) => Self::from_json(text),
            Err(_) => Self {
                form: Form::Lossy(raw),
            },
        }
    }

    /// The text as received, escapes included. For a string holding bytes that are not UTF-8
    /// ([`Str::has_invalid_utf8`]), the text before the first of them; [`Str::raw_bytes`]
    /// has all of it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Str::from_json(r"a\/b").raw(), r"a\/b");
    /// ```
    pub fn raw(&self) -> &'a str {
        match self.form {
            Form::Plain(s) | Form::Escaped(s) => s,
            Form::Lossy(b) => valid_prefix(b),
        }
    }

    /// The bytes as received, escapes included.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Str::from_json(r"a\/b").raw_bytes(), br"a\/b");
    /// ```
    pub const fn raw_bytes(&self) -> &'a [u8] {
        match self.form {
            Form::Plain(s) | Form::Escaped(s) => s.as_bytes(),
            Form::Lossy(b) => b,
        }
    }

    /// The text without copying, or `None` if it contains escapes or bytes that are not
    /// UTF-8 (use [`Str::chars`] or `to_cow` then).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Str::new("tele").as_str(), Some("tele"));
    /// ```
    pub const fn as_str(&self) -> Option<&'a str> {
        match self.form {
            Form::Plain(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the text contains JSON escapes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Str::from_json(r"\n").has_escapes());
    /// ```
    pub fn has_escapes(&self) -> bool {
        match self.form {
            Form::Plain(_) => false,
            Form::Escaped(_) => true,
            Form::Lossy(b) => b.contains(&b'\\'),
        }
    }

    /// Whether the text holds bytes that are not UTF-8, which reading replaces with U+FFFD.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!tasmota_proto::Str::new("ON").has_invalid_utf8());
    /// ```
    pub const fn has_invalid_utf8(&self) -> bool {
        matches!(self.form, Form::Lossy(_))
    }

    /// Whether the string is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Str::new("").is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.raw_bytes().is_empty()
    }

    /// The decoded characters. Invalid escapes are kept literally; lone surrogates and bytes
    /// that are not UTF-8 become U+FFFD.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::Str::from_json(r"\ud83d\ude00!");
    /// assert_eq!(s.chars().collect::<String>(), "😀!");
    /// ```
    pub fn chars(&self) -> Chars<'a> {
        let (text, rest): (&str, &[u8]) = match self.form {
            Form::Plain(s) | Form::Escaped(s) => (s, b""),
            Form::Lossy(b) => ("", b),
        };
        Chars {
            rest: text.chars(),
            chunks: rest.utf8_chunks(),
            invalid: false,
        }
    }

    /// Whether the decoded text equals `other`, ignoring ASCII case.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::Str::new("Online").eq_ignore_ascii_case("ONLINE"));
    /// ```
    pub fn eq_ignore_ascii_case(&self, other: &str) -> bool {
        if let Form::Plain(s) = self.form {
            return s.eq_ignore_ascii_case(other);
        }
        let mut theirs = other.chars();
        for c in self.chars() {
            match theirs.next() {
                Some(o) if o.eq_ignore_ascii_case(&c) => {}
                _ => return false,
            }
        }
        theirs.next().is_none()
    }

    /// The decoded text, borrowed when there are no escapes and it is UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::borrow::Cow;
    /// let s = tasmota_proto::Str::new("x");
    /// assert!(matches!(s.to_cow(), Cow::Borrowed("x")));
    /// ```
    #[cfg(feature = "alloc")]
    pub fn to_cow(&self) -> alloc::borrow::Cow<'a, str> {
        match self.form {
            Form::Plain(s) => alloc::borrow::Cow::Borrowed(s),
            _ => alloc::borrow::Cow::Owned(self.chars().collect()),
        }
    }
}

/// The longest UTF-8 prefix of `bytes`.
#[cold]
#[inline(never)]
fn valid_prefix(bytes: &[u8]) -> &str {
    match core::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => core::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

impl PartialEq<str> for Str<'_> {
    fn eq(&self, other: &str) -> bool {
        if let Form::Plain(s) = self.form {
            return s == other;
        }
        self.chars().eq(other.chars())
    }
}

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Form::Plain(s) = self.form {
            return f.write_str(s);
        }
        for c in self.chars() {
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Write::write_char(f, '"')?;
        for c in self.chars() {
            for e in c.escape_debug() {
                fmt::Write::write_char(f, e)?;
            }
        }
        fmt::Write::write_char(f, '"')
    }
}

impl<'a> From<&'a str> for Str<'a> {
    fn from(s: &'a str) -> Self {
        Self::new(s)
    }
}

/// The decoded characters of a [`Str`].
///
/// # Examples
///
/// ```
/// let mut c = tasmota_proto::Str::from_json(r"\t").chars();
/// assert_eq!(c.next(), Some('\t'));
/// assert_eq!(c.next(), None);
/// ```
#[derive(Debug, Clone)]
pub struct Chars<'a> {
    /// The valid text being read.
    rest: core::str::Chars<'a>,
    /// What follows it, for a string holding bytes that are not UTF-8.
    chunks: core::str::Utf8Chunks<'a>,
    /// Bytes that are not UTF-8 follow `rest`: one U+FFFD.
    invalid: bool,
}

impl Chars<'_> {
    fn hex4(&mut self) -> Option<u32> {
        let mut look = self.rest.clone();
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + look.next()?.to_digit(16)?;
        }
        self.rest = look;
        Some(v)
    }

    /// The next character of the text, escapes not decoded.
    fn next_raw(&mut self) -> Option<char> {
        loop {
            if let Some(c) = self.rest.next() {
                return Some(c);
            }
            if core::mem::take(&mut self.invalid) {
                return Some(char::REPLACEMENT_CHARACTER);
            }
            let chunk = self.chunks.next()?;
            self.rest = chunk.valid().chars();
            self.invalid = !chunk.invalid().is_empty();
        }
    }
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let c = self.next_raw()?;
        if c != '\\' {
            return Some(c);
        }
        let mut look = self.rest.clone();
        let decoded = match look.next() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                self.rest = look;
                let Some(hi) = self.hex4() else {
                    return Some('\u{fffd}');
                };
                if (0xD800..0xDC00).contains(&hi) {
                    let mut pair = self.rest.clone();
                    if pair.next() == Some('\\') && pair.next() == Some('u') {
                        let saved = self.rest.clone();
                        self.rest = pair;
                        match self.hex4() {
                            Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                                let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                return Some(char::from_u32(cp).unwrap_or('\u{fffd}'));
                            }
                            _ => self.rest = saved,
                        }
                    }
                    return Some('\u{fffd}');
                }
                return Some(char::from_u32(hi).unwrap_or('\u{fffd}'));
            }
            // An invalid escape is kept as written.
            _ => return Some('\\'),
        };
        self.rest = look;
        Some(decoded)
    }
}

/// A password or token: its `Debug` output is `"***"`, and it has no `Display`.
///
/// Commands such as [`Command::MqttPassword`](crate::command::Command::MqttPassword) take a
/// `Secret`, and the firmware's echo of `MqttPassword` in a RESULT is parsed into one, so the
/// value never reaches a log through `{:?}`. Read it on purpose with [`Secret::expose`].
///
/// # Examples
///
/// ```
/// use tasmota_proto::Secret;
///
/// let s = Secret::new("YknLuSd2tBY2HodwI/7RqA==");
/// assert_eq!(format!("{s:?}"), "\"***\"");
/// assert_eq!(s.expose(), "YknLuSd2tBY2HodwI/7RqA==");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Secret<'a>(Str<'a>);

impl<'a> Secret<'a> {
    /// A secret from plain text.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::Secret::new("hunter22");
    /// assert_eq!(s.expose(), "hunter22");
    /// ```
    pub const fn new(s: &'a str) -> Self {
        Self(Str::new(s))
    }

    /// A secret from a string parsed out of a payload.
    ///
    /// # Examples
    ///
    /// ```
    /// use tasmota_proto::{Secret, Str};
    /// assert_eq!(Secret::from_str_value(Str::new("pw")).expose(), "pw");
    /// ```
    pub const fn from_str_value(s: Str<'a>) -> Self {
        Self(s)
    }

    /// The secret text. Keep it out of logs.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::Secret::new("pw").expose(), "pw");
    /// ```
    pub const fn expose(&self) -> Str<'a> {
        self.0
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_escape() {
        let s = Str::from_json(r#"\"\\\/\b\f\n\r\t\u0041\x"#);
        let decoded: alloc::string::String = s.chars().collect();
        assert_eq!(decoded, "\"\\/\u{8}\u{c}\n\r\tA\\x");
    }

    #[test]
    fn broken_unicode_escapes_become_replacement_characters() {
        let s = Str::from_json(r"\ud800x\u12");
        let decoded: alloc::string::String = s.chars().collect();
        assert_eq!(decoded, "\u{fffd}x\u{fffd}12");
        let trailing = Str::from_json("\\");
        assert_eq!(trailing.chars().collect::<alloc::string::String>(), "\\");
    }

    #[test]
    fn escaped_comparisons() {
        let s = Str::from_json(r"ON\u0021");
        assert_eq!(s, "ON!");
        assert!(s.eq_ignore_ascii_case("on!"));
        assert!(!s.eq_ignore_ascii_case("on"));
        assert!(!s.eq_ignore_ascii_case("on!!"));
    }
}

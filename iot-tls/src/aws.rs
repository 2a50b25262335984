//! The AWS IoT Core profile: its limits, a validated session configuration, and the
//! custom-authorizer user name (built with [`CustomAuthorizer`], parsed with [`Username`]).
//!
//! AWS IoT Core speaks MQTT 3.1.1 with restrictions: QoS 0 and 1 only, client identifiers of at
//! most 128 bytes, topics of at most 256 bytes with at most seven `/`, payloads of at most
//! 128 KiB, eight filters per SUBSCRIBE, keep-alive from 30 to 1200 s, one CONNECT per second
//! per client identifier and 100 unacknowledged QoS 1 messages. [`LIMITS`] encodes them, and a
//! [`Session`](crate::session::Session) built from [`config`] refuses requests that break them
//! before they reach the broker (which would drop the connection).
//!
//! # Example
//!
//! ```
//! use iot_tls::aws::{self, CustomAuthorizer};
//! use iot_tls::session::{Buffers, Session};
//!
//! let mut username = [0u8; 128];
//! let username = CustomAuthorizer::new("hub")
//!     .with_authorizer("HubAuth")
//!     .encode_into(&mut username)?;
//! assert_eq!(username, "hub?x-amz-customauthorizer-name=HubAuth");
//!
//! let config = aws::config("hub-kitchen")
//!     .with_keep_alive(300)
//!     .with_clean_session(false)
//!     .with_username(username)
//!     .with_password(b"secret");
//! let (mut rx, mut store) = ([0u8; 2048], [0u8; 4096]);
//! let session: Session<'_, 16> = Session::new(config, Buffers::new(&mut rx, &mut store))?;
//! # Ok::<(), iot_tls::Error>(())
//! ```

use core::fmt::{self, Write as _};
use core::time::Duration;

use crate::error::{EncodeError, UsernameError, UsernameErrorKind};
use crate::limits::Limits;
use crate::secret::Secret;
use crate::session::{Config, Protocol};

/// The limits AWS IoT Core enforces on MQTT 3.1.1 clients.
///
/// The topic limits do not count the `$aws/rules/<rule>/` prefix of Basic Ingest topics.
pub const LIMITS: Limits = Limits {
    max_client_id_len: 128,
    max_topic_len: 256,
    max_topic_slashes: 7,
    basic_ingest: true,
    max_payload_len: 128 * 1024,
    max_filters: 8,
    min_keep_alive: 30,
    max_keep_alive: 1200,
    min_backoff: Duration::from_secs(1),
    max_inflight: 100,
};

/// A session configuration for `client_id` with the AWS IoT Core [`LIMITS`].
///
/// The other settings are the [`Config::new`] defaults (keep-alive 60 s, clean session, backoff 1 s
/// to 2 minutes); [`Session::new`](crate::session::Session::new) validates them against the limits.
///
/// # Example
///
/// ```
/// let config = iot_tls::aws::config("dev-1");
/// assert_eq!(config.limits(), iot_tls::aws::LIMITS);
/// ```
pub const fn config(client_id: &str) -> Config<'_> {
    Config::new(client_id).with_limits(LIMITS)
}

/// A session configuration for `client_id` with the AWS IoT Core [`LIMITS`] that speaks MQTT 5,
/// with AWS IoT's default session expiry of one hour for a persistent session.
///
/// AWS IoT Core supports MQTT 5 "with some differences" from the specification and lets MQTT 3
/// and MQTT 5 clients exchange messages (developer guide, `mqtt.html`, checked). What the server
/// announces in its CONNACK (Receive Maximum, Maximum QoS, Maximum Packet Size, Topic Alias
/// Maximum, the subscription features) is stored and obeyed whatever it says
/// ([`Session::server_limits`](crate::session::Session::server_limits)), so the figures below
/// only explain what to expect; those marked so could not be checked against AWS's own pages
/// here and come from secondary sources:
///
/// | setting | AWS IoT Core | source |
/// |---|---|---|
/// | subscriptions per SUBSCRIBE | 8 | AWS IoT Device SDK's `AwsIotCoreDefaults` (checked) |
/// | topic length, slashes, client id | 256 B, 7, 128 B | same (checked), as in [`LIMITS`] |
/// | QoS | 0 and 1 (Maximum QoS 1) | developer guide, QoS section |
/// | unacknowledged outbound QoS 1 per client | 100 | AWS quotas as quoted by third parties (unverified) |
/// | payload | 128 KB | AWS quotas as quoted by third parties (unverified) |
/// | Topic Alias Maximum | 8 | unverified; this client sends no aliases and accepts none |
/// | session expiry | 1 h default, up to 7 days | unverified |
/// | Subscription Identifiers | not supported | AWS re:Post answer (unverified in the guide) |
/// | enhanced authentication (AUTH) | not supported; custom authorizers use user name and password | unverified |
///
/// # Example
///
/// ```
/// use iot_tls::session::Protocol;
///
/// let config = iot_tls::aws::config_v5("dev-1").with_clean_session(false);
/// assert_eq!(config.protocol(), Protocol::V5);
/// assert_eq!(config.session_expiry(), 3600);
/// ```
pub const fn config_v5(client_id: &str) -> Config<'_> {
    config(client_id)
        .with_protocol(Protocol::V5)
        .with_session_expiry(3600)
}

/// The MQTT user name for an AWS IoT custom authorizer.
///
/// AWS reads the authorizer's name, the token signature and the token from query parameters of
/// the user name: `user?x-amz-customauthorizer-name=NAME&x-amz-customauthorizer-signature=SIG&KEY=TOKEN`.
/// Each part is optional; the values are URL-encoded (unreserved characters `A-Z a-z 0-9 - . _ ~`
/// are kept, every other byte becomes `%XX`), and the first parameter is joined with `&` instead
/// of `?` when the user name already has a query. The password goes in the MQTT password field.
///
/// `Display` writes the user name, so with `alloc` `to_string()` works too; on `no_std`,
/// [`encode_into`](Self::encode_into) writes it into a buffer. `Debug` hides the token.
///
/// # Example
///
/// ```
/// use iot_tls::aws::CustomAuthorizer;
///
/// let username = CustomAuthorizer::new("device")
///     .with_authorizer("MyAuth")
///     .with_signature("a+b/c=")
///     .with_token("token", "x y");
/// assert_eq!(
///     username.to_string(),
///     "device?x-amz-customauthorizer-name=MyAuth\
///      &x-amz-customauthorizer-signature=a%2Bb%2Fc%3D&token=x%20y"
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CustomAuthorizer<'a> {
    username: &'a str,
    authorizer: Option<&'a str>,
    signature: Option<Secret<&'a str>>,
    /// The token key name and the token.
    token: Option<(&'a str, Secret<&'a str>)>,
}

impl<'a> CustomAuthorizer<'a> {
    /// A user name that starts with `username` and has no parameters yet.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::aws::CustomAuthorizer::new("dev").to_string(), "dev");
    /// ```
    pub const fn new(username: &'a str) -> Self {
        Self {
            username,
            authorizer: None,
            signature: None,
            token: None,
        }
    }

    /// Names the authorizer (`x-amz-customauthorizer-name`); without it AWS uses the domain's
    /// default authorizer.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::aws::CustomAuthorizer;
    ///
    /// // The user name Tasmota sends.
    /// assert_eq!(
    ///     CustomAuthorizer::new("tasmota").with_authorizer("TasmotaAuth").to_string(),
    ///     "tasmota?x-amz-customauthorizer-name=TasmotaAuth"
    /// );
    /// ```
    #[must_use]
    pub const fn with_authorizer(self, name: &'a str) -> Self {
        Self {
            authorizer: Some(name),
            ..self
        }
    }

    /// Adds the token signature (`x-amz-customauthorizer-signature`), for authorizers with
    /// signing enabled.
    ///
    /// # Example
    ///
    /// See [`CustomAuthorizer`].
    #[must_use]
    pub const fn with_signature(self, signature: &'a str) -> Self {
        Self {
            signature: Some(Secret::new(signature)),
            ..self
        }
    }

    /// Adds the token under the authorizer's token key name.
    ///
    /// # Example
    ///
    /// See [`CustomAuthorizer`].
    #[must_use]
    pub const fn with_token(self, key: &'a str, token: &'a str) -> Self {
        Self {
            token: Some((key, Secret::new(token))),
            ..self
        }
    }

    /// The length of the user name in bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::aws::CustomAuthorizer;
    ///
    /// assert_eq!(CustomAuthorizer::new("u").with_token("k", "/").encoded_len(), "u?k=%2F".len());
    /// ```
    pub fn encoded_len(&self) -> usize {
        let mut counter = Counter(0);
        // Counting never fails.
        let _ = write!(counter, "{self}");
        counter.0
    }

    /// Writes the user name into `buf` and returns it.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] when `buf` is shorter than
    /// [`encoded_len`](Self::encoded_len).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::aws::CustomAuthorizer;
    ///
    /// let mut buf = [0u8; 64];
    /// let username = CustomAuthorizer::new("dev").with_token("tok", "abc").encode_into(&mut buf)?;
    /// assert_eq!(username, "dev?tok=abc");
    /// assert!(CustomAuthorizer::new("dev").encode_into(&mut [0u8; 2]).is_err());
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn encode_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, EncodeError> {
        let needed = self.encoded_len();
        let capacity = buf.len();
        let Some(out) = buf.get_mut(..needed) else {
            return Err(EncodeError::BufferTooSmall { needed, capacity });
        };
        let mut writer = SliceWriter { buf: out, len: 0 };
        write!(writer, "{self}").map_err(|_| EncodeError::BufferTooSmall { needed, capacity })?;
        let SliceWriter { buf, len } = writer;
        // Only `str` pieces were written, so the bytes are UTF-8.
        core::str::from_utf8(&buf[..len])
            .map_err(|_| EncodeError::BufferTooSmall { needed, capacity })
    }
}

impl fmt::Display for CustomAuthorizer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.username)?;
        let mut separator = if self.username.contains('?') {
            '&'
        } else {
            '?'
        };
        let params = [
            self.authorizer.map(|v| ("x-amz-customauthorizer-name", v)),
            self.signature
                .map(|v| ("x-amz-customauthorizer-signature", *v.expose())),
            self.token.map(|(key, token)| (key, *token.expose())),
        ];
        for (key, value) in params.into_iter().flatten() {
            f.write_char(separator)?;
            separator = '&';
            url_encode(f, key)?;
            f.write_char('=')?;
            url_encode(f, value)?;
        }
        Ok(())
    }
}

/// The query key of the authorizer's name.
const AUTHORIZER_NAME: &str = "x-amz-customauthorizer-name";
/// The query key of the token's signature.
const AUTHORIZER_SIGNATURE: &str = "x-amz-customauthorizer-signature";

/// An MQTT user name as AWS IoT Core reads it: the name before `?`, and the query parameters
/// after it that carry a custom authorizer's name, the token signature and the token.
///
/// Parsing borrows the user name and checks that every parameter is well formed; values stay
/// percent-encoded ([`Encoded`]) until the caller decodes them, so nothing is allocated. The
/// reverse of [`CustomAuthorizer`].
///
/// # Example
///
/// ```
/// use iot_tls::aws::Username;
///
/// let username = Username::parse(
///     "hub?x-amz-customauthorizer-name=HubAuth&x-amz-customauthorizer-signature=a%2Bb&token=t%20x",
/// )?;
/// assert_eq!(username.name(), "hub");
/// assert!(username.authorizer().is_some_and(|name| name == "HubAuth"));
/// assert!(username.signature().is_some_and(|sig| sig == "a+b"));
/// assert!(username.param("token").is_some_and(|token| token == "t x"));
/// assert_eq!(username.param("other"), None);
/// # Ok::<(), iot_tls::error::UsernameError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Username<'a> {
    raw: &'a str,
    /// Where the query starts (after `?`), if there is one.
    query: Option<usize>,
}

impl<'a> Username<'a> {
    /// Splits `raw` into its name and parameters, checking each parameter's percent-encoding.
    ///
    /// # Errors
    ///
    /// [`UsernameError`] with the offset of the first `%` not followed by two hex digits
    /// ([`UsernameErrorKind::Escape`]), of a parameter with an empty name
    /// ([`UsernameErrorKind::EmptyKey`]), or of a value that does not decode to UTF-8
    /// ([`UsernameErrorKind::Utf8`]).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::aws::Username;
    /// use iot_tls::error::UsernameErrorKind;
    ///
    /// let err = Username::parse("dev?token=%zz").unwrap_err();
    /// assert_eq!((err.kind(), err.offset()), (UsernameErrorKind::Escape, 10));
    /// ```
    pub fn parse(raw: &'a str) -> Result<Self, UsernameError> {
        let query = raw.find('?').map(|at| at + 1);
        let username = Self { raw, query };
        if let Some(start) = query {
            let mut offset = start;
            for param in raw[start..].split('&') {
                let (key, value) = param.split_once('=').unwrap_or((param, ""));
                if key.is_empty() && !param.is_empty() {
                    return Err(UsernameError::new(UsernameErrorKind::EmptyKey, offset));
                }
                Encoded(key).check(offset)?;
                Encoded(value).check(offset + key.len() + 1)?;
                offset += param.len() + 1;
            }
        }
        Ok(username)
    }

    /// The user name before the query, as sent.
    ///
    /// # Example
    ///
    /// See [`Username`].
    pub fn name(&self) -> &'a str {
        self.query.map_or(self.raw, |start| &self.raw[..start - 1])
    }

    /// The whole user name, as sent.
    ///
    /// # Example
    ///
    /// ```
    /// let username = iot_tls::aws::Username::parse("dev?a=1")?;
    /// assert_eq!(username.as_str(), "dev?a=1");
    /// # Ok::<(), iot_tls::error::UsernameError>(())
    /// ```
    pub const fn as_str(&self) -> &'a str {
        self.raw
    }

    /// The authorizer's name (`x-amz-customauthorizer-name`).
    ///
    /// # Example
    ///
    /// See [`Username`].
    pub fn authorizer(&self) -> Option<Encoded<'a>> {
        self.param(AUTHORIZER_NAME)
    }

    /// The token's signature (`x-amz-customauthorizer-signature`).
    ///
    /// # Example
    ///
    /// See [`Username`].
    pub fn signature(&self) -> Option<Encoded<'a>> {
        self.param(AUTHORIZER_SIGNATURE)
    }

    /// The value of the first parameter whose decoded name is `key` (an empty value when the
    /// parameter has no `=`).
    ///
    /// # Example
    ///
    /// See [`Username`].
    pub fn param(&self, key: &str) -> Option<Encoded<'a>> {
        self.params().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Every parameter, in order, as (name, value).
    ///
    /// # Example
    ///
    /// ```
    /// let username = iot_tls::aws::Username::parse("dev?a=1&b")?;
    /// let keys: Vec<_> = username.params().map(|(key, _)| key.as_raw()).collect();
    /// assert_eq!(keys, ["a", "b"]);
    /// # Ok::<(), iot_tls::error::UsernameError>(())
    /// ```
    pub fn params(&self) -> impl Iterator<Item = (Encoded<'a>, Encoded<'a>)> + use<'a> {
        let query = self.query.map_or("", |start| &self.raw[start..]);
        query.split('&').filter(|p| !p.is_empty()).map(|param| {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            (Encoded(key), Encoded(value))
        })
    }
}

/// Hides the parameters' values, where tokens and signatures travel.
impl fmt::Debug for Username<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_struct("Username");
        list.field("name", &self.name());
        for (key, _) in self.params() {
            list.field(key.as_raw(), &"***");
        }
        list.finish()
    }
}

/// A percent-encoded value of a [`Username`] parameter (already checked to decode to UTF-8).
///
/// Compares with `&str` by its decoded text.
///
/// # Example
///
/// ```
/// let username = iot_tls::aws::Username::parse("u?token=caf%C3%A9")?;
/// let token = username.param("token").expect("present");
/// assert_eq!(token.as_raw(), "caf%C3%A9");
/// assert!(token == "café");
/// let mut buf = [0u8; 16];
/// assert_eq!(token.decode_into(&mut buf)?, "café");
/// # Ok::<(), iot_tls::error::UsernameError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Encoded<'a>(&'a str);

impl<'a> Encoded<'a> {
    /// The text as sent, still encoded.
    ///
    /// # Example
    ///
    /// See [`Encoded`].
    pub const fn as_raw(&self) -> &'a str {
        self.0
    }

    /// The decoded bytes: `%XX` becomes the byte `XX`, and `+` a space (as in form-encoded
    /// queries).
    ///
    /// # Example
    ///
    /// ```
    /// let username = iot_tls::aws::Username::parse("u?k=a%2Fb")?;
    /// let bytes: Vec<u8> = username.param("k").unwrap().bytes().collect();
    /// assert_eq!(bytes, b"a/b");
    /// # Ok::<(), iot_tls::error::UsernameError>(())
    /// ```
    pub fn bytes(&self) -> impl Iterator<Item = u8> + use<'a> {
        let mut rest = self.0.as_bytes();
        core::iter::from_fn(move || {
            let (&first, tail) = rest.split_first()?;
            rest = tail;
            Some(match first {
                b'%' => {
                    let byte = match rest {
                        [hi, lo, ..] => hex(*hi).zip(hex(*lo)).map_or(b'%', |(h, l)| h << 4 | l),
                        _ => b'%',
                    };
                    rest = rest.get(2..).unwrap_or_default();
                    byte
                }
                b'+' => b' ',
                other => other,
            })
        })
    }

    /// Decodes into `buf` and returns the text.
    ///
    /// # Errors
    ///
    /// [`UsernameErrorKind::BufferTooSmall`] when `buf` is shorter than the decoded text.
    ///
    /// # Example
    ///
    /// See [`Encoded`].
    pub fn decode_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, UsernameError> {
        let mut len = 0;
        for byte in self.bytes() {
            let Some(slot) = buf.get_mut(len) else {
                return Err(UsernameError::new(UsernameErrorKind::BufferTooSmall, len));
            };
            *slot = byte;
            len += 1;
        }
        core::str::from_utf8(&buf[..len])
            .map_err(|e| UsernameError::new(UsernameErrorKind::Utf8, e.valid_up_to()))
    }

    /// The decoded text.
    ///
    /// # Example
    ///
    /// ```
    /// let username = iot_tls::aws::Username::parse("u?k=a%20b")?;
    /// assert_eq!(username.param("k").unwrap().decode(), "a b");
    /// # Ok::<(), iot_tls::error::UsernameError>(())
    /// ```
    #[cfg(feature = "alloc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
    pub fn decode(&self) -> alloc::string::String {
        let bytes: alloc::vec::Vec<u8> = self.bytes().collect();
        // `Username::parse` checked that every value decodes to UTF-8.
        alloc::string::String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Checks the escapes and that the text decodes to UTF-8; `at` is the offset of the value
    /// in the user name, for errors.
    fn check(&self, at: usize) -> Result<(), UsernameError> {
        let raw = self.0.as_bytes();
        for (i, _) in raw.iter().enumerate().filter(|(_, b)| **b == b'%') {
            let valid = raw
                .get(i + 1..i + 3)
                .is_some_and(|hex_digits| hex_digits.iter().all(u8::is_ascii_hexdigit));
            if !valid {
                return Err(UsernameError::new(UsernameErrorKind::Escape, at + i));
            }
        }
        let mut utf8 = Utf8Check::default();
        for byte in self.bytes() {
            if !utf8.push(byte) {
                return Err(UsernameError::new(UsernameErrorKind::Utf8, at));
            }
        }
        if utf8.pending == 0 {
            Ok(())
        } else {
            Err(UsernameError::new(UsernameErrorKind::Utf8, at))
        }
    }
}

impl PartialEq<str> for Encoded<'_> {
    fn eq(&self, other: &str) -> bool {
        self.bytes().eq(other.bytes())
    }
}

impl PartialEq<&str> for Encoded<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.bytes().eq(other.bytes())
    }
}

/// Hides the value: it may be a token.
impl fmt::Debug for Encoded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Encoded(***)")
    }
}

/// The value of a hex digit.
const fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// A streaming UTF-8 check over decoded bytes, without a buffer.
#[derive(Default)]
struct Utf8Check {
    /// Continuation bytes still expected.
    pending: u8,
    /// The first UTF-8 sequence seen so far, up to four bytes, to check it once complete.
    seq: [u8; 4],
    len: usize,
}

impl Utf8Check {
    /// Takes one byte; `false` when the bytes so far cannot be UTF-8.
    fn push(&mut self, byte: u8) -> bool {
        if self.pending == 0 {
            self.pending = match byte {
                0x00..=0x7f => return true,
                0xc2..=0xdf => 1,
                0xe0..=0xef => 2,
                0xf0..=0xf4 => 3,
                _ => return false,
            };
            self.seq[0] = byte;
            self.len = 1;
            return true;
        }
        if byte & 0xc0 != 0x80 {
            return false;
        }
        self.seq[self.len] = byte;
        self.len += 1;
        self.pending -= 1;
        self.pending > 0 || core::str::from_utf8(&self.seq[..self.len]).is_ok()
    }
}

/// Writes `value` percent-encoded: unreserved characters as they are, other bytes as `%XX`.
fn url_encode(f: &mut impl fmt::Write, value: &str) -> fmt::Result {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            f.write_char(char::from(b))?;
        } else {
            write!(f, "%{b:02X}")?;
        }
    }
    Ok(())
}

/// Counts the bytes written through `fmt::Write`.
struct Counter(usize);

impl fmt::Write for Counter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// Writes through `fmt::Write` into a byte slice, failing when it is full.
struct SliceWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::format;
    use std::string::ToString;

    use super::*;

    #[test]
    fn joins_with_ampersand_when_the_user_name_has_a_query() {
        let name = CustomAuthorizer::new("dev?SDK=rust")
            .with_authorizer("A")
            .to_string();
        assert_eq!(name, "dev?SDK=rust&x-amz-customauthorizer-name=A");
    }

    #[test]
    fn encodes_every_reserved_byte() {
        let name = CustomAuthorizer::new("u")
            .with_token("key", "é&=?%#+ ~-._")
            .to_string();
        assert_eq!(name, "u?key=%C3%A9%26%3D%3F%25%23%2B%20~-._");
        assert_eq!(
            CustomAuthorizer::new("u")
                .with_token("key", "é&=?%#+ ~-._")
                .encoded_len(),
            name.len()
        );
    }

    #[test]
    fn debug_hides_signature_and_token() {
        let name = CustomAuthorizer::new("u")
            .with_signature("SIG")
            .with_token("k", "TOKEN");
        let debug = format!("{name:?}");
        assert!(
            !debug.contains("SIG") && !debug.contains("TOKEN"),
            "{debug}"
        );
        assert!(debug.contains("***"));
    }

    #[test]
    fn parsing_reverses_building() {
        let built = CustomAuthorizer::new("dev?SDK=rust")
            .with_authorizer("My Auth")
            .with_signature("a+b/c=")
            .with_token("tok", "é&=?%")
            .to_string();
        let parsed = Username::parse(&built).unwrap();
        assert_eq!(parsed.name(), "dev");
        assert!(parsed.param("SDK").unwrap() == "rust");
        assert!(parsed.authorizer().unwrap() == "My Auth");
        assert!(parsed.signature().unwrap() == "a+b/c=");
        let token = parsed.param("tok").unwrap();
        assert!(token == "é&=?%");
        assert_eq!(token.decode(), "é&=?%");
        let mut small = [0u8; 3];
        assert_eq!(
            token.decode_into(&mut small).unwrap_err().kind(),
            UsernameErrorKind::BufferTooSmall
        );
        assert_eq!(parsed.params().count(), 4);
    }

    #[test]
    fn user_names_without_a_query_have_no_parameters() {
        for raw in ["plain", "plain?", ""] {
            let parsed = Username::parse(raw).unwrap();
            assert_eq!(parsed.name(), raw.trim_end_matches('?'));
            assert_eq!(parsed.params().count(), 0);
            assert_eq!(parsed.authorizer(), None);
        }
    }

    #[test]
    fn malformed_user_names_name_the_offset() {
        let cases = [
            ("u?a=%4", UsernameErrorKind::Escape, 4),
            ("u?a=1&b=%g0", UsernameErrorKind::Escape, 8),
            ("u?=x", UsernameErrorKind::EmptyKey, 2),
            ("u?a=1&=x", UsernameErrorKind::EmptyKey, 6),
            ("u?a=%ff", UsernameErrorKind::Utf8, 4),
            ("u?a=%C3", UsernameErrorKind::Utf8, 4),
            ("u?a=%ED%A0%80", UsernameErrorKind::Utf8, 4),
        ];
        for (raw, kind, offset) in cases {
            let err = Username::parse(raw).unwrap_err();
            assert_eq!((err.kind(), err.offset()), (kind, offset), "{raw}");
        }
    }

    #[test]
    fn parsed_user_names_hide_their_values() {
        let parsed = Username::parse("u?x-amz-customauthorizer-signature=SIG&token=TOKEN").unwrap();
        let debug = format!("{parsed:?}");
        assert!(
            !debug.contains("SIG") && !debug.contains("TOKEN"),
            "{debug}"
        );
        assert!(debug.contains("token"));
    }

    #[test]
    fn encode_into_reports_the_needed_size() {
        let name = CustomAuthorizer::new("dev").with_authorizer("Auth");
        let mut small = [0u8; 10];
        assert_eq!(
            name.encode_into(&mut small),
            Err(EncodeError::BufferTooSmall {
                needed: 36,
                capacity: 10
            })
        );
        let mut exact = [0u8; 36];
        assert_eq!(
            name.encode_into(&mut exact),
            Ok("dev?x-amz-customauthorizer-name=Auth")
        );
    }
}

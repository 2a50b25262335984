//! The AWS IoT Core profile: its limits, a validated session configuration, and the
//! custom-authorizer user name.
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

use crate::error::EncodeError;
use crate::limits::Limits;
use crate::session::Config;

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
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CustomAuthorizer<'a> {
    username: &'a str,
    authorizer: Option<&'a str>,
    signature: Option<&'a str>,
    token: Option<(&'a str, &'a str)>,
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
            signature: Some(signature),
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
            token: Some((key, token)),
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
                .map(|v| ("x-amz-customauthorizer-signature", v)),
            self.token,
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

impl fmt::Debug for CustomAuthorizer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomAuthorizer")
            .field("username", &self.username)
            .field("authorizer", &self.authorizer)
            .field("signature", &self.signature.map(|_| "***"))
            .field("token", &self.token.map(|(key, _)| (key, "***")))
            .finish()
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

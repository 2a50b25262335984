//! [`Secret`]: the one type that holds passwords, tokens and signatures, which `Debug` never
//! shows and which compare in constant time; and the user name whose query (where AWS IoT's
//! custom authorizers carry tokens) `Debug` hides.

use core::fmt;

/// A password, token or signature: `Debug` prints `***`, and `==` takes the same time wherever
/// the first difference is (only the length shows).
///
/// # Example
///
/// ```
/// use iot_tls::Secret;
///
/// let token = Secret::new("token-from-the-authorizer");
/// assert_eq!(format!("{token:?}"), "***");
/// assert!(token.matches("token-from-the-authorizer"));
/// assert_eq!(*token.expose(), "token-from-the-authorizer");
/// ```
#[derive(Clone, Copy, Default, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps `value`.
    ///
    /// # Example
    ///
    /// See [`Secret`].
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value, for the code that sends or checks it (never for logs).
    ///
    /// # Example
    ///
    /// See [`Secret`].
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// The secret value, unwrapped.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::Secret::new(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: AsRef<[u8]>> Secret<T> {
    /// Whether the secret equals `other`, compared in constant time for equal lengths.
    ///
    /// # Example
    ///
    /// See [`Secret`].
    pub fn matches(&self, other: impl AsRef<[u8]>) -> bool {
        constant_time_eq(self.0.as_ref(), other.as_ref())
    }
}

impl<'a> Secret<&'a [u8]> {
    /// The bytes (an MQTT password is binary data).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::Password;
    ///
    /// assert_eq!(Password::new(b"hunter2").as_bytes(), b"hunter2");
    /// ```
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T: AsRef<[u8]>, U: AsRef<[u8]>> PartialEq<Secret<U>> for Secret<T> {
    fn eq(&self, other: &Secret<U>) -> bool {
        self.matches(other.0.as_ref())
    }
}

impl<T: AsRef<[u8]>> Eq for Secret<T> {}

/// Compares without stopping at the first difference (the length is not secret).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    core::hint::black_box(diff) == 0
}

/// A user name whose query string (`?...`), where a custom authorizer's token and signature
/// travel, `Debug` shows as `?***`.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct RedactedUsername<S>(pub(crate) S);

impl<S: AsRef<str>> fmt::Debug for RedactedUsername<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_ref().split_once('?') {
            Some((user, _query)) => write!(f, "\"{user}?***\""),
            None => write!(f, "{:?}", self.0.as_ref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::format;

    use super::*;

    #[test]
    fn secrets_never_show_and_compare_by_value() {
        let a = Secret::new(&b"abc"[..]);
        assert_eq!(format!("{a:?}"), "***");
        assert_eq!(a, Secret::new(&b"abc"[..]));
        assert_ne!(a, Secret::new(&b"abd"[..]));
        assert!(!a.matches(b"ab"));
        assert_eq!(
            format!("{:?}", RedactedUsername("dev?token=x")),
            "\"dev?***\""
        );
        assert_eq!(format!("{:?}", RedactedUsername("dev")), "\"dev\"");
    }
}

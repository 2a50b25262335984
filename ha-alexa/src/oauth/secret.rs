//! Secrets, their hashes at rest, and random token generation.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::error::RandomError;

/// Bytes of entropy in every code and token the server issues (256 bits).
const TOKEN_BYTES: usize = 32;

/// A secret string: a password, client secret, authorization code or token.
///
/// `Debug` prints `"***"`, there is no `Display`, and equality is decided in constant time (both
/// sides are hashed with SHA-256 first, so not even the length leaks). Read the value with
/// [`Secret::expose`] at the one place that must send it.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::Secret;
///
/// let secret = Secret::new("hunter2");
/// assert_eq!(format!("{secret:?}"), "***");
/// assert_eq!(secret, Secret::new("hunter2"));
/// assert_eq!(secret.expose(), "hunter2");
/// ```
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    ///
    /// # Examples
    ///
    /// ```
    /// let password = ha_alexa::oauth::Secret::new(String::from("correct horse"));
    /// assert_eq!(password.expose(), "correct horse");
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value, for the one place that must send or check it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::Secret::new("s3cret").expose(), "s3cret");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Compares with a presented value in constant time.
    ///
    /// # Examples
    ///
    /// ```
    /// let secret = ha_alexa::oauth::Secret::new("s3cret");
    /// assert!(secret.matches("s3cret"));
    /// assert!(!secret.matches("s3cre"));
    /// ```
    pub fn matches(&self, presented: &str) -> bool {
        let ours = Sha256::digest(self.0.as_bytes());
        let theirs = Sha256::digest(presented.as_bytes());
        ours.as_slice().ct_eq(theirs.as_slice()).into()
    }

    /// A fresh random token: 32 bytes from the operating system's CSPRNG, base64url without
    /// padding (43 characters).
    pub(crate) fn generate() -> Result<Self, RandomError> {
        let mut bytes = [0_u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(RandomError::new)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The SHA-256 hash under which this secret is stored.
    pub(crate) fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.matches(&other.0)
    }
}

impl Eq for Secret {}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// The SHA-256 hash of a code or token: what a [`TokenStore`](super::TokenStore) keeps instead of
/// the value.
///
/// A stolen store file therefore holds no usable credential. Lookups by hash are safe against
/// timing attacks, because an attacker cannot steer the hash of a guess. Serialised as 64
/// lowercase hex digits.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::TokenHash;
///
/// let hash = TokenHash::of("abc");
/// assert_eq!(
///     hash.to_string(),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Hashes a presented code or token.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::TokenHash;
    /// assert_eq!(TokenHash::of("a"), TokenHash::of("a"));
    /// assert_ne!(TokenHash::of("a"), TokenHash::of("b"));
    /// ```
    pub fn of(value: &str) -> Self {
        Self(Sha256::digest(value.as_bytes()).into())
    }

    /// The 32 hash bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::TokenHash::of("a").as_bytes().len(), 32);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({self})")
    }
}

impl Serialize for TokenHash {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TokenHash {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <&str>::deserialize(deserializer)?;
        parse_hex(text)
            .map(Self)
            .ok_or_else(|| serde::de::Error::custom("expected 64 lowercase hex digits"))
    }
}

/// Parses exactly `2 * N` lowercase hex digits.
pub(crate) fn parse_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    fn nibble(digit: u8) -> Option<u8> {
        match digit {
            b'0'..=b'9' => Some(digit - b'0'),
            b'a'..=b'f' => Some(digit - b'a' + 10),
            _ => None,
        }
    }
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0_u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_43_url_safe_characters_and_distinct() {
        let a = Secret::generate().unwrap();
        let b = Secret::generate().unwrap();
        assert_eq!(a.expose().len(), 43);
        assert!(
            a.expose()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a, b);
    }

    #[test]
    fn token_hash_round_trips_through_json() {
        let hash = TokenHash::of("token");
        let json = serde_json::to_string(&hash).unwrap();
        assert_eq!(json.len(), 66);
        assert_eq!(serde_json::from_str::<TokenHash>(&json).unwrap(), hash);
        assert!(serde_json::from_str::<TokenHash>("\"ABC\"").is_err());
        let upper = json.to_uppercase();
        assert!(serde_json::from_str::<TokenHash>(&upper).is_err());
    }

    #[test]
    fn secrets_compare_by_value_not_length() {
        assert!(Secret::new("").matches(""));
        assert!(!Secret::new("a").matches(""));
        assert!(!Secret::new("abc").matches("abd"));
    }
}

//! Sealing the validated authorization request into the login form.
//!
//! The login page carries the request (client, redirect URI, state, scope, code challenge,
//! time served) in one hidden field, authenticated with HMAC-SHA-256. The server keeps no state
//! between serving the page and receiving the form, and a form whose request was altered (a
//! tampered `state` or `redirect_uri`) is refused before anything is redirected.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use super::error::{OAuthError, RandomError};

/// Separates these MACs from any other use of the key.
const DOMAIN: &[u8] = b"ha-alexa oauth login request v1\0";

/// The key that authenticates sealed login forms (32 bytes).
///
/// Random per server by default; see
/// [`ServerConfig::with_sealing_key`](super::ServerConfig::with_sealing_key). `Debug` prints
/// `"***"`.
///
/// # Examples
///
/// ```
/// let key = ha_alexa::oauth::SealingKey::new([42; 32]);
/// assert_eq!(format!("{key:?}"), "SealingKey(***)");
/// ```
#[derive(Clone)]
pub struct SealingKey([u8; 32]);

impl SealingKey {
    /// A key from 32 secret bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let key = ha_alexa::oauth::SealingKey::new([0x5a; 32]);
    /// # let _ = key;
    /// ```
    pub fn new(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A random key from the operating system's CSPRNG.
    pub(crate) fn generate() -> Result<Self, RandomError> {
        let mut bytes = [0_u8; 32];
        getrandom::fill(&mut bytes).map_err(RandomError::new)?;
        Ok(Self(bytes))
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(DOMAIN);
        mac.update(payload);
        mac
    }

    /// Seals `value` as `base64url(json).base64url(mac)`.
    pub(crate) fn seal(&self, value: &impl Serialize) -> String {
        let payload = serde_json::to_vec(value).expect("sealed values serialise to JSON");
        let tag = self.mac(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Opens a sealed value, checking the MAC in constant time.
    pub(crate) fn unseal<T: DeserializeOwned>(&self, sealed: &str) -> Result<T, OAuthError> {
        let tampered = || OAuthError::invalid_request("the login form was altered or is invalid");
        let (payload, tag) = sealed.split_once('.').ok_or_else(tampered)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| tampered())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| tampered())?;
        self.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| tampered())?;
        serde_json::from_slice(&payload).map_err(|_| tampered())
    }
}

impl fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealingKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_detects_any_change() {
        let key = SealingKey::new([1; 32]);
        let sealed = key.seal(&("state", 7));
        assert_eq!(
            key.unseal::<(String, u32)>(&sealed).unwrap(),
            ("state".into(), 7)
        );

        let other = SealingKey::new([2; 32]);
        assert!(other.unseal::<(String, u32)>(&sealed).is_err());

        let (payload, tag) = sealed.split_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"["evil",7]"#);
        for forged in [
            format!("{forged_payload}.{tag}"),
            format!("{payload}.{}", &tag[1..]),
            format!("{payload}{tag}"),
            String::new(),
            ".".to_owned(),
        ] {
            let error = key.unseal::<(String, u32)>(&forged).unwrap_err();
            assert_eq!(error.code().as_str(), "invalid_request");
        }
    }
}

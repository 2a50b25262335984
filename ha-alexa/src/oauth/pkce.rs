//! Proof Key for Code Exchange (RFC 7636), S256 only.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::error::OAuthError;

/// An S256 code challenge: base64url(SHA-256(code_verifier)), 43 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct CodeChallenge(String);

impl CodeChallenge {
    /// Reads `code_challenge` and `code_challenge_method` from an authorization request.
    ///
    /// Only S256 is accepted: `plain` (the default when the method is absent) would let anyone
    /// who sees the authorization request redeem the code (RFC 7636 §4.2, RFC 9700 §2.1.1).
    pub(crate) fn from_request(
        challenge: Option<&str>,
        method: Option<&str>,
    ) -> Result<Option<Self>, OAuthError> {
        match (challenge, method) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(OAuthError::invalid_request(
                "`code_challenge_method` without `code_challenge`",
            )),
            (Some(_), None | Some("plain")) => Err(OAuthError::invalid_request(
                "`code_challenge_method` must be S256; plain is not supported",
            )),
            (Some(_), Some(method)) if method != "S256" => Err(OAuthError::invalid_request(
                "unsupported `code_challenge_method`; use S256",
            )),
            (Some(challenge), Some(_)) => {
                if challenge.len() == 43 && challenge.bytes().all(is_base64url) {
                    Ok(Some(Self(challenge.to_owned())))
                } else {
                    Err(OAuthError::invalid_request(
                        "`code_challenge` must be 43 base64url characters",
                    ))
                }
            }
        }
    }

    /// Checks a `code_verifier` from the token request, comparing in constant time.
    pub(crate) fn verify(&self, verifier: &str) -> Result<(), OAuthError> {
        if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(is_unreserved) {
            return Err(OAuthError::invalid_request(
                "`code_verifier` must be 43 to 128 unreserved characters",
            ));
        }
        let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if bool::from(computed.as_bytes().ct_eq(self.0.as_bytes())) {
            Ok(())
        } else {
            Err(OAuthError::invalid_grant(
                "`code_verifier` does not match the code challenge",
            ))
        }
    }
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// RFC 7636 §4.1: `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
fn is_unreserved(byte: u8) -> bool {
    is_base64url(byte) || byte == b'.' || byte == b'~'
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn accepts_the_rfc_example() {
        let challenge = CodeChallenge::from_request(Some(CHALLENGE), Some("S256"))
            .unwrap()
            .unwrap();
        challenge.verify(VERIFIER).unwrap();
        let wrong = challenge
            .verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj")
            .unwrap_err();
        assert_eq!(wrong.code().as_str(), "invalid_grant");
        let short = challenge.verify("abc").unwrap_err();
        assert_eq!(short.code().as_str(), "invalid_request");
    }

    #[test]
    fn refuses_plain_and_malformed_challenges() {
        assert!(CodeChallenge::from_request(None, None).unwrap().is_none());
        for (challenge, method) in [
            (Some(VERIFIER), None),
            (Some(VERIFIER), Some("plain")),
            (Some(CHALLENGE), Some("S512")),
            (Some("short"), Some("S256")),
            (Some(&format!("{}=", &CHALLENGE[..42])[..]), Some("S256")),
            (None, Some("S256")),
        ] {
            let error = CodeChallenge::from_request(challenge, method).unwrap_err();
            assert_eq!(error.code().as_str(), "invalid_request", "{challenge:?}");
        }
    }
}

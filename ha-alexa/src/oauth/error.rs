//! Errors of the account-linking server: RFC 6749 protocol errors, token-store failures and
//! configuration mistakes.

use std::borrow::Cow;
use std::fmt;

use crate::error::StoreError;

/// The `WWW-Authenticate` challenge sent with `invalid_client` when the client authenticated
/// by HTTP Basic.
///
/// # Examples
///
/// ```
/// assert!(ha_alexa::oauth::BASIC_CHALLENGE.starts_with("Basic realm="));
/// ```
pub const BASIC_CHALLENGE: &str = "Basic realm=\"account-linking\", charset=\"UTF-8\"";

/// An error code from RFC 6749 §4.1.2.1 and §5.2 (and `invalid_token` from RFC 6750 §3.1).
///
/// Each code has the HTTP status the server answers with; see [`ErrorCode::status`].
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::ErrorCode;
///
/// assert_eq!(ErrorCode::InvalidGrant.as_str(), "invalid_grant");
/// assert_eq!(ErrorCode::InvalidGrant.status(), 400);
/// assert_eq!(ErrorCode::ServerError.status(), 500);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// A parameter is missing, repeated, malformed or unsupported.
    InvalidRequest,
    /// Client authentication failed: unknown client, missing or wrong secret.
    InvalidClient,
    /// The code or refresh token is invalid, expired, used, revoked, or was issued to another
    /// client or redirect URI.
    InvalidGrant,
    /// The client may not use this grant or response type.
    UnauthorizedClient,
    /// The server does not support this `grant_type`.
    UnsupportedGrantType,
    /// The server does not support this `response_type`.
    UnsupportedResponseType,
    /// The requested scope is malformed or exceeds what was granted.
    InvalidScope,
    /// The user declined the request.
    AccessDenied,
    /// The server failed: the token store or the hub's authenticator.
    ServerError,
    /// The server is overloaded and the client may retry later.
    TemporarilyUnavailable,
    /// A bearer token presented to a protected resource is unknown, expired or revoked (RFC 6750).
    InvalidToken,
}

impl ErrorCode {
    /// The code as it appears on the wire (`error=...`).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::ErrorCode::InvalidClient.as_str(), "invalid_client");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::InvalidToken => "invalid_token",
        }
    }

    /// The HTTP status answered with this code.
    ///
    /// 400 for request and grant errors (RFC 6749 §5.2), 401 for `invalid_token` and for
    /// `invalid_client` (see [`OAuthError::status`] for when that is 400), 403 for
    /// `access_denied`, 500 for `server_error`, 503 for `temporarily_unavailable`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::ErrorCode;
    /// assert_eq!(ErrorCode::InvalidToken.status(), 401);
    /// assert_eq!(ErrorCode::TemporarilyUnavailable.status(), 503);
    /// ```
    pub const fn status(self) -> u16 {
        match self {
            Self::InvalidRequest
            | Self::InvalidGrant
            | Self::UnauthorizedClient
            | Self::UnsupportedGrantType
            | Self::UnsupportedResponseType
            | Self::InvalidScope => 400,
            Self::InvalidClient | Self::InvalidToken => 401,
            Self::AccessDenied => 403,
            Self::ServerError => 500,
            Self::TemporarilyUnavailable => 503,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An OAuth 2.0 protocol error: an [`ErrorCode`], a human-readable description and the HTTP
/// status to answer with.
///
/// Descriptions never contain a secret: codes, tokens, passwords and client secrets are not
/// echoed. Serialise with [`OAuthError::to_json`] for the token endpoint.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{ErrorCode, OAuthError};
///
/// let error = OAuthError::new(ErrorCode::InvalidRequest, "missing parameter `code`");
/// assert_eq!(error.status(), 400);
/// assert_eq!(
///     error.to_json(),
///     r#"{"error":"invalid_request","error_description":"missing parameter `code`"}"#
/// );
/// assert_eq!(error.to_string(), "invalid_request: missing parameter `code`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {description}")]
pub struct OAuthError {
    code: ErrorCode,
    description: Cow<'static, str>,
    basic_challenge: bool,
}

impl OAuthError {
    /// An error with `code` and `description`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ErrorCode, OAuthError};
    /// let error = OAuthError::new(ErrorCode::AccessDenied, "the user declined");
    /// assert_eq!(error.code(), ErrorCode::AccessDenied);
    /// ```
    pub fn new(code: ErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            description: description.into(),
            basic_challenge: false,
        }
    }

    pub(crate) fn invalid_request(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    pub(crate) fn invalid_grant(description: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    pub(crate) fn server_error() -> Self {
        Self::new(ErrorCode::ServerError, "the authorization server failed")
    }

    /// `invalid_client` for a client that authenticated by HTTP Basic: answered with 401 and a
    /// `WWW-Authenticate` challenge (RFC 6749 §5.2).
    pub(crate) fn invalid_client(description: impl Into<Cow<'static, str>>, basic: bool) -> Self {
        Self {
            basic_challenge: basic,
            ..Self::new(ErrorCode::InvalidClient, description)
        }
    }

    /// The error code.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ErrorCode, OAuthError};
    /// assert_eq!(OAuthError::new(ErrorCode::InvalidScope, "x").code(), ErrorCode::InvalidScope);
    /// ```
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable description (`error_description`).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ErrorCode, OAuthError};
    /// assert_eq!(OAuthError::new(ErrorCode::InvalidScope, "x").description(), "x");
    /// ```
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The HTTP status to answer with.
    ///
    /// That is [`ErrorCode::status`], except that `invalid_client` is 400 when the client sent
    /// its credentials in the request body and 401 when it used HTTP Basic (RFC 6749 §5.2).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ErrorCode, OAuthError};
    /// assert_eq!(OAuthError::new(ErrorCode::InvalidClient, "unknown client").status(), 400);
    /// ```
    pub fn status(&self) -> u16 {
        match self.code {
            ErrorCode::InvalidClient if !self.basic_challenge => 400,
            code => code.status(),
        }
    }

    /// The `WWW-Authenticate` header value to send, if any: [`BASIC_CHALLENGE`] for
    /// `invalid_client` after HTTP Basic, a `Bearer` challenge for `invalid_token`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ErrorCode, OAuthError};
    /// assert_eq!(OAuthError::new(ErrorCode::InvalidGrant, "x").www_authenticate(), None);
    /// assert_eq!(
    ///     OAuthError::new(ErrorCode::InvalidToken, "expired").www_authenticate(),
    ///     Some("Bearer error=\"invalid_token\"")
    /// );
    /// ```
    pub fn www_authenticate(&self) -> Option<&'static str> {
        match self.code {
            ErrorCode::InvalidClient if self.basic_challenge => Some(BASIC_CHALLENGE),
            ErrorCode::InvalidToken => Some("Bearer error=\"invalid_token\""),
            _ => None,
        }
    }

    /// The JSON error body of RFC 6749 §5.2: `{"error":...,"error_description":...}`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ErrorCode, OAuthError};
    /// let json = OAuthError::new(ErrorCode::InvalidGrant, "code \"x\" used").to_json();
    /// assert_eq!(json, r#"{"error":"invalid_grant","error_description":"code \"x\" used"}"#);
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "error": self.code.as_str(),
            "error_description": self.description,
        })
        .to_string()
    }
}

/// The operating system's random number generator failed.
///
/// # Examples
///
/// ```
/// fn explain(error: &ha_alexa::oauth::RandomError) -> String {
///     error.to_string()
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random number generator failed")]
pub struct RandomError(#[source] getrandom::Error);

impl RandomError {
    pub(crate) fn new(source: getrandom::Error) -> Self {
        Self(source)
    }
}

impl From<RandomError> for OAuthError {
    fn from(error: RandomError) -> Self {
        tracing::error!(%error, "cannot generate a token");
        Self::server_error()
    }
}

impl From<StoreError> for OAuthError {
    fn from(error: StoreError) -> Self {
        if let StoreError::Full { .. } = error {
            tracing::warn!(%error, "token store full");
            return Self::new(
                ErrorCode::TemporarilyUnavailable,
                "too many linking requests are in progress; try again later",
            );
        }
        tracing::error!(
            error = &error as &dyn std::error::Error,
            "token store failed"
        );
        Self::server_error()
    }
}

/// The server configuration is unusable.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{ClientConfig, ConfigError};
///
/// let error = ClientConfig::new("").unwrap_err();
/// assert!(matches!(error, ConfigError::EmptyClientId));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No client is configured, so no one could link.
    #[error("no client is configured")]
    NoClients,
    /// A client id is empty.
    #[error("a client id is empty")]
    EmptyClientId,
    /// Two clients share an id.
    #[error("client id `{id}` is configured twice")]
    DuplicateClient {
        /// The repeated id.
        id: String,
    },
    /// A configured redirect URI is not an absolute URI without a fragment.
    #[error("redirect uri `{uri}` of client `{client_id}` is invalid: {reason}")]
    InvalidRedirectUri {
        /// The client.
        client_id: String,
        /// The configured URI.
        uri: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A lifetime is zero or longer than allowed.
    #[error("{name} must be between 1 s and {max_secs} s, got {secs} s")]
    Lifetime {
        /// Which lifetime.
        name: &'static str,
        /// The configured lifetime in seconds.
        secs: u64,
        /// The longest allowed lifetime in seconds.
        max_secs: u64,
    },
    /// A configured scope is not one RFC 6749 scope token.
    #[error("scope `{scope}` is not a single scope token of printable ASCII")]
    Scope {
        /// The configured scope.
        scope: String,
    },
    /// Exact redirect matching was asked for a client without configured redirect URIs.
    #[error("client `{client_id}` matches redirect URIs exactly but has none configured")]
    NoRedirectUris {
        /// The client.
        client_id: String,
    },
    /// The sealing key could not be generated.
    #[error(transparent)]
    Random(#[from] RandomError),
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn assert_send_sync<T: Send + Sync + 'static>() {}
    const _: () = {
        assert_send_sync::<OAuthError>();
        assert_send_sync::<StoreError>();
        assert_send_sync::<ConfigError>();
    };

    #[test]
    fn invalid_client_is_401_with_a_challenge_only_after_basic() {
        let body = OAuthError::invalid_client("wrong secret", false);
        assert_eq!((body.status(), body.www_authenticate()), (400, None));
        let basic = OAuthError::invalid_client("wrong secret", true);
        assert_eq!(
            (basic.status(), basic.www_authenticate()),
            (401, Some(BASIC_CHALLENGE))
        );
    }

    #[test]
    fn every_code_has_its_rfc_name_and_status() {
        let table = [
            (ErrorCode::InvalidRequest, "invalid_request", 400),
            (ErrorCode::InvalidClient, "invalid_client", 401),
            (ErrorCode::InvalidGrant, "invalid_grant", 400),
            (ErrorCode::UnauthorizedClient, "unauthorized_client", 400),
            (
                ErrorCode::UnsupportedGrantType,
                "unsupported_grant_type",
                400,
            ),
            (
                ErrorCode::UnsupportedResponseType,
                "unsupported_response_type",
                400,
            ),
            (ErrorCode::InvalidScope, "invalid_scope", 400),
            (ErrorCode::AccessDenied, "access_denied", 403),
            (ErrorCode::ServerError, "server_error", 500),
            (
                ErrorCode::TemporarilyUnavailable,
                "temporarily_unavailable",
                503,
            ),
            (ErrorCode::InvalidToken, "invalid_token", 401),
        ];
        for (code, name, status) in table {
            assert_eq!((code.as_str(), code.status()), (name, status));
        }
    }
}

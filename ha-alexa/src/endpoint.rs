//! The hub's smart-home endpoint, `POST /api/alexa/smart_home`, independent of any HTTP
//! framework: the bearer token is verified, the directive goes through the [`Dispatcher`] on
//! behalf of the token's user, and the event comes back as JSON.
//!
//! The Lambda proxy ([`proxy`](crate::proxy)) posts every directive here with the user's
//! account-linking token in `Authorization: Bearer`. [`SmartHomeEndpoint::handle`] takes
//! that header and the body and returns the status and body to answer with:
//!
//! | request | status | body |
//! |---|---|---|
//! | body larger than [`MAX_DIRECTIVE_BYTES`] | 413 | `{"error":"request_too_large",…}`, not parsed |
//! | no `Authorization: Bearer`, or a token that is unknown, expired or revoked | 401 | `{"error":"invalid_token",…}` with `WWW-Authenticate: Bearer` (the proxy answers Alexa INVALID_AUTHORIZATION_CREDENTIAL) |
//! | a directive whose own token (endpoint scope, grantee, payload scope) differs from the header's | 401 | as above |
//! | a body that is not a v3 directive | 400 | `{"error":"invalid_directive","error_description":…}` saying what and where |
//! | the token check itself failed | 500 | `{"error":"server_error",…}` |
//! | a directive | 200 | the event: a response or an ErrorResponse |
//!
//! Token checks are a trait, [`TokenVerifier`]: the account-linking server
//! ([`AuthorizationServer`](crate::oauth::AuthorizationServer), feature `oauth`) is the
//! provided implementation, and a hub with its own tokens plugs those in.

use std::future::Future;

use crate::dispatch::{Dispatcher, Hub, Principal};
use crate::message::RawDirective;

/// The largest directive body read, in bytes. Alexa's directives are a few kilobytes; the
/// largest (AcceptGrant, SetBands) stay well under 16 KiB.
pub const MAX_DIRECTIVE_BYTES: usize = 64 * 1024;

/// Why a bearer token was not accepted.
///
/// # Examples
///
/// ```
/// use ha_alexa::endpoint::TokenError;
/// let error = TokenError::Invalid("expired".into());
/// assert_eq!(error.to_string(), "the token is not valid: expired");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is unknown, expired or revoked: 401.
    #[error("the token is not valid: {0}")]
    Invalid(String),
    /// The check itself failed (a store is down): 500.
    #[error("the token could not be checked: {0}")]
    Failed(String),
}

/// Checks the bearer tokens of directives and says whom they act for.
///
/// # Examples
///
/// A hub with one static token:
///
/// ```
/// use ha_alexa::Principal;
/// use ha_alexa::endpoint::{TokenError, TokenVerifier};
///
/// struct OneToken(String);
///
/// impl TokenVerifier for OneToken {
///     async fn verify(&self, token: &str) -> Result<Principal, TokenError> {
///         if ha_alexa::endpoint::same_token(token, &self.0) {
///             Ok(Principal::new("owner"))
///         } else {
///             Err(TokenError::Invalid("unknown token".into()))
///         }
///     }
/// }
/// ```
pub trait TokenVerifier: Send + Sync + 'static {
    /// The user `token` was issued to.
    ///
    /// # Errors
    ///
    /// [`TokenError::Invalid`] for a token that is not (or no longer) valid,
    /// [`TokenError::Failed`] when it cannot be checked.
    fn verify(&self, token: &str) -> impl Future<Output = Result<Principal, TokenError>> + Send;
}

#[cfg(feature = "oauth")]
impl<A, S, C> TokenVerifier for crate::oauth::AuthorizationServer<A, S, C>
where
    A: crate::oauth::Authenticator,
    S: crate::oauth::TokenStore,
    C: crate::clock::Clock,
{
    async fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        match self.verify_access_token(token).await {
            Ok(lookup) => {
                let grant = lookup.grant();
                Ok(Principal::new(grant.user().as_str())
                    .with_scope(grant.scope().map(str::to_owned)))
            }
            Err(error) if error.code() == crate::oauth::ErrorCode::InvalidToken => {
                Err(TokenError::Invalid(error.description().to_owned()))
            }
            Err(error) => Err(TokenError::Failed(error.description().to_owned())),
        }
    }
}

impl<V: TokenVerifier> TokenVerifier for std::sync::Arc<V> {
    async fn verify(&self, token: &str) -> Result<Principal, TokenError> {
        (**self).verify(token).await
    }
}

/// Whether two tokens are equal, in time independent of where they differ (their lengths are
/// not secret). Hand-written: `subtle` is a dependency of the `oauth` feature only.
///
/// # Examples
///
/// ```
/// assert!(ha_alexa::endpoint::same_token("abc", "abc"));
/// assert!(!ha_alexa::endpoint::same_token("abc", "abd"));
/// ```
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |differ, (x, y)| differ | (x ^ y))
            == 0
}

/// What to answer an HTTP request with.
///
/// # Examples
///
/// ```
/// fn log(reply: &ha_alexa::endpoint::EndpointReply) {
///     tracing::debug!(status = reply.status(), bytes = reply.body().len(), "answered");
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointReply {
    status: u16,
    body: String,
    www_authenticate: Option<&'static str>,
}

impl EndpointReply {
    fn error(status: u16, error: &str, description: &str) -> Self {
        Self {
            status,
            body: serde_json::json!({"error": error, "error_description": description}).to_string(),
            www_authenticate: None,
        }
    }

    fn unauthorized(description: &str) -> Self {
        Self {
            www_authenticate: Some("Bearer error=\"invalid_token\""),
            ..Self::error(401, "invalid_token", description)
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The JSON body (`Content-Type: application/json`).
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The `WWW-Authenticate` header to send with a 401.
    pub fn www_authenticate(&self) -> Option<&'static str> {
        self.www_authenticate
    }
}

/// The smart-home endpoint: a [`TokenVerifier`] in front of a [`Dispatcher`].
///
/// # Examples
///
/// ```
/// # use async_trait::async_trait;
/// # use ha_alexa::{AlexaError, DiscoveryEndpoint, EndpointId, Hub, Outcome, Property, Request};
/// # struct Empty;
/// # #[async_trait]
/// # impl Hub for Empty {
/// #     async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> { Ok(vec![]) }
/// #     async fn endpoint(&self, _: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> { Ok(None) }
/// #     async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> { Ok(vec![]) }
/// #     async fn execute(&self, _: &Request<'_>) -> Result<Outcome, AlexaError> { Ok(Outcome::Done) }
/// # }
/// use ha_alexa::{Dispatcher, Principal};
/// use ha_alexa::endpoint::{SmartHomeEndpoint, TokenError, TokenVerifier};
///
/// struct Nobody;
/// impl TokenVerifier for Nobody {
///     async fn verify(&self, _: &str) -> Result<Principal, TokenError> {
///         Err(TokenError::Invalid("no tokens here".into()))
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let endpoint = SmartHomeEndpoint::new(Dispatcher::new(Empty), Nobody);
/// let reply = endpoint.handle(Some("Bearer abc"), b"{}").await;
/// assert_eq!(reply.status(), 401);
/// let reply = endpoint.handle(None, b"{}").await;
/// assert_eq!(reply.status(), 401);
/// # });
/// ```
pub struct SmartHomeEndpoint<H, V> {
    dispatcher: Dispatcher<H>,
    verifier: V,
}

impl<H, V> core::fmt::Debug for SmartHomeEndpoint<H, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SmartHomeEndpoint").finish_non_exhaustive()
    }
}

impl<H: Hub, V: TokenVerifier> SmartHomeEndpoint<H, V> {
    /// The endpoint answering through `dispatcher`, for tokens `verifier` accepts.
    pub fn new(dispatcher: Dispatcher<H>, verifier: V) -> Self {
        Self {
            dispatcher,
            verifier,
        }
    }

    /// The dispatcher.
    pub fn dispatcher(&self) -> &Dispatcher<H> {
        &self.dispatcher
    }

    /// The token verifier.
    pub fn verifier(&self) -> &V {
        &self.verifier
    }

    /// Answers one request: its `Authorization` header (if any) and its body. See the
    /// [module](self) for every status.
    pub async fn handle(&self, authorization: Option<&str>, body: &[u8]) -> EndpointReply {
        if body.len() > MAX_DIRECTIVE_BYTES {
            return EndpointReply::error(
                413,
                "request_too_large",
                &format!("the directive is larger than {MAX_DIRECTIVE_BYTES} bytes"),
            );
        }
        let token = match authorization.map(str::trim).and_then(|h| h.split_once(' ')) {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => {
                return EndpointReply::unauthorized("expected `Authorization: Bearer <token>`");
            }
        };
        let principal = match self.verifier.verify(token).await {
            Ok(principal) => principal,
            Err(TokenError::Invalid(reason)) => {
                tracing::info!(%reason, "directive refused: invalid token");
                return EndpointReply::unauthorized(&reason);
            }
            Err(TokenError::Failed(reason)) => {
                tracing::error!(%reason, "directive refused: the token could not be checked");
                return EndpointReply::error(500, "server_error", "the token could not be checked");
            }
        };
        let raw = match RawDirective::from_slice(body) {
            Ok(raw) => raw,
            Err(error) => {
                return EndpointReply::error(400, "invalid_directive", &error.to_string());
            }
        };
        if let Some(own) = raw.bearer_token()
            && !same_token(own.expose_secret(), token)
        {
            tracing::warn!(
                user = principal.user(),
                "directive token differs from the header's"
            );
            return EndpointReply::unauthorized(
                "the directive's bearer token differs from the Authorization header's",
            );
        }
        match self.dispatcher.handle_raw(raw, Some(&principal)).await {
            Ok(event) => match serde_json::to_string(&event) {
                Ok(body) => EndpointReply {
                    status: 200,
                    body,
                    www_authenticate: None,
                },
                Err(error) => {
                    tracing::error!(%error, "event not serialisable");
                    EndpointReply::error(500, "server_error", "the answer could not be written")
                }
            },
            Err(error) => EndpointReply::error(400, "invalid_directive", &error.to_string()),
        }
    }
}

//! The authorization endpoint: validating the request, the login form, issuing the code.

use core::fmt;
use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use url::Url;

use super::client::{ClientConfig, MAX_REDIRECT_URI_BYTES};
use super::error::{ErrorCode, OAuthError};
use super::page::{ACTION_FIELD, DENY_ACTION, PASSWORD_FIELD, REQUEST_FIELD, USERNAME_FIELD};
use super::params::Params;
use super::pkce::CodeChallenge;
use super::secret::{Secret, TokenHash};
use super::server::AuthorizationServer;
use super::store::{CodeRecord, GrantId, TokenStore};
use super::throttle::Throttled;
use super::user::{Authenticator, Credentials, UserId};
use crate::clock::Clock;

/// The longest `state` accepted, in bytes. Amazon's are a few hundred.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_alexa::oauth::MAX_STATE_BYTES, 2048);
/// ```
pub const MAX_STATE_BYTES: usize = 2048;
/// The longest `scope` accepted, in bytes.
const MAX_SCOPE_BYTES: usize = 1024;
/// The longest username and password accepted, in bytes.
const MAX_CREDENTIAL_BYTES: usize = 1024;
/// How far in the future a login form's time may lie (clock steps between instances).
const CLOCK_SKEW: Duration = Duration::from_mins(1);

/// The validated authorization request, sealed into the login form.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct PendingRequest {
    client_id: String,
    redirect_uri: String,
    redirect_uri_explicit: bool,
    state: Option<String>,
    scope: Option<String>,
    code_challenge: Option<CodeChallenge>,
    /// When the login page was served, in seconds since the Unix epoch.
    served_at: u64,
}

/// What the login page shows: the client asking, the sealed request to post back, and whether
/// the last attempt failed.
///
/// A [`LoginPage`](super::LoginPage) renders it as a form that posts the fields named in
/// [`page`](super::page) to the authorization endpoint.
///
/// # Examples
///
/// ```
/// fn title(prompt: &ha_alexa::oauth::LoginPrompt) -> String {
///     format!("Link {} to your hub", prompt.client_name())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct LoginPrompt {
    client_id: String,
    client_name: String,
    redirect_host: String,
    redirect_source: String,
    scope: Option<String>,
    sealed: String,
    failed: bool,
    throttled: Option<Throttled>,
}

impl LoginPrompt {
    /// The client's id.
    ///
    /// # Examples
    ///
    /// ```
    /// fn id(prompt: &ha_alexa::oauth::LoginPrompt) -> &str {
    ///     prompt.client_id()
    /// }
    /// ```
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client's display name ("Amazon Alexa" for Amazon's ids).
    ///
    /// # Examples
    ///
    /// ```
    /// fn name(prompt: &ha_alexa::oauth::LoginPrompt) -> &str {
    ///     prompt.client_name()
    /// }
    /// ```
    pub fn client_name(&self) -> &str {
        &self.client_name
    }

    /// The host the user is sent back to after logging in.
    ///
    /// # Examples
    ///
    /// ```
    /// fn back_to(prompt: &ha_alexa::oauth::LoginPrompt) -> &str {
    ///     prompt.redirect_host()
    /// }
    /// ```
    pub fn redirect_host(&self) -> &str {
        &self.redirect_host
    }

    /// The redirect URI's origin as a content-security-policy source (`https://host:port`, or
    /// `scheme:` for an app's own scheme): the login page's `form-action` must allow it,
    /// because browsers check the redirect after the form is posted against it.
    ///
    /// # Examples
    ///
    /// ```
    /// fn csp(prompt: &ha_alexa::oauth::LoginPrompt) -> String {
    ///     format!("form-action 'self' {}", prompt.redirect_source())
    /// }
    /// ```
    pub fn redirect_source(&self) -> &str {
        &self.redirect_source
    }

    /// The requested scope, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// fn scope(prompt: &ha_alexa::oauth::LoginPrompt) -> Option<&str> {
    ///     prompt.scope()
    /// }
    /// ```
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The sealed request: the value of the hidden
    /// [`REQUEST_FIELD`](super::page::REQUEST_FIELD).
    ///
    /// # Examples
    ///
    /// ```
    /// fn hidden(prompt: &ha_alexa::oauth::LoginPrompt) -> String {
    ///     format!(r#"<input type="hidden" name="request" value="{}">"#, prompt.sealed_request())
    /// }
    /// ```
    pub fn sealed_request(&self) -> &str {
        &self.sealed
    }

    /// Whether the previous attempt had a wrong username or password.
    ///
    /// # Examples
    ///
    /// ```
    /// fn warn(prompt: &ha_alexa::oauth::LoginPrompt) -> bool {
    ///     prompt.login_failed()
    /// }
    /// ```
    pub fn login_failed(&self) -> bool {
        self.failed
    }

    /// Whether attempts are refused for a while after too many failures (for this user name
    /// or this form), and for how long: the page should say so, since the credentials are not
    /// checked until then.
    ///
    /// # Examples
    ///
    /// ```
    /// fn wait(prompt: &ha_alexa::oauth::LoginPrompt) -> Option<u64> {
    ///     prompt.throttled().map(|t| t.retry_after().as_secs())
    /// }
    /// ```
    pub fn throttled(&self) -> Option<&Throttled> {
        self.throttled.as_ref()
    }
}

/// Where to send the user agent: the client's redirect URI with `code` and `state`, or with
/// `error` and `state`.
///
/// `Debug` hides the query, which holds the authorization code.
///
/// # Examples
///
/// ```
/// fn location(redirect: &ha_alexa::oauth::Redirect) -> &str {
///     redirect.location()
/// }
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Redirect(Url);

impl Redirect {
    /// The `Location` header value.
    ///
    /// # Examples
    ///
    /// ```
    /// fn location(redirect: &ha_alexa::oauth::Redirect) -> String {
    ///     redirect.location().to_owned()
    /// }
    /// ```
    pub fn location(&self) -> &str {
        self.0.as_str()
    }

    /// The redirect as a parsed URL.
    ///
    /// # Examples
    ///
    /// ```
    /// fn code(redirect: &ha_alexa::oauth::Redirect) -> Option<String> {
    ///     redirect.url().query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned())
    /// }
    /// ```
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// `redirect_uri` with `pairs` and then `state` added to its query.
    fn to_client(
        redirect_uri: &str,
        pairs: &[(&str, &str)],
        state: Option<&str>,
    ) -> Result<Self, OAuthError> {
        let mut url = Url::parse(redirect_uri)
            .map_err(|_| OAuthError::invalid_request("`redirect_uri` is not an absolute uri"))?;
        url.query_pairs_mut()
            .extend_pairs(pairs)
            .extend_pairs(state.map(|state| ("state", state)));
        Ok(Self(url))
    }

    /// `redirect_uri` with `error`, `error_description` and `state`.
    fn error(
        redirect_uri: &str,
        state: Option<&str>,
        error: &OAuthError,
    ) -> Result<Self, OAuthError> {
        let pairs = [
            ("error", error.code().as_str()),
            ("error_description", error.description()),
        ];
        Self::to_client(redirect_uri, &pairs, state)
    }
}

impl fmt::Debug for Redirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.0;
        let query = if url.query().is_some() { "?***" } else { "" };
        write!(
            f,
            "Redirect({}://{}{}{query})",
            url.scheme(),
            url.host_str().unwrap_or_default(),
            url.path()
        )
    }
}

/// Why an authorization request was refused.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::AuthorizeError;
///
/// fn status(error: &AuthorizeError) -> u16 {
///     match error {
///         AuthorizeError::Show(error) => error.status(),
///         AuthorizeError::Redirect { .. } => 303,
///     }
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizeError {
    /// The client or redirect URI cannot be trusted (unknown client, redirect URI on another
    /// host, malformed request): show the error to the user and do **not** redirect
    /// (RFC 6749 §4.1.2.1).
    #[error(transparent)]
    Show(OAuthError),
    /// The client and redirect URI are valid but the request is not: send the user agent to
    /// `redirect`, which carries the error and the `state`.
    #[error("{error}")]
    Redirect {
        /// The redirect to the client.
        redirect: Redirect,
        /// The error it carries.
        error: OAuthError,
    },
}

/// The result of submitting the login form.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::LoginOutcome;
///
/// fn linked(outcome: &LoginOutcome) -> bool {
///     matches!(outcome, LoginOutcome::Redirect(_))
/// }
/// ```
#[derive(Clone, Debug)]
pub enum LoginOutcome {
    /// Send the user agent back to the client, with the code and state, or with
    /// `error=access_denied` when the user declined.
    Redirect(Redirect),
    /// The username or password was wrong: show the login page again.
    Retry(LoginPrompt),
}

impl<A: Authenticator, S: TokenStore, C: Clock> AuthorizationServer<A, S, C> {
    /// Validates an authorization request (the query string of `GET /auth/authorize`) and
    /// returns what the login page shows.
    ///
    /// Checks, in order: the client id (exactly one of the configured ids; a missing trailing
    /// slash is pointed out), the redirect URI (see
    /// [`ClientConfig`](super::ClientConfig)), then `response_type=code`, the scope syntax and
    /// the PKCE challenge (S256 only).
    ///
    /// # Errors
    ///
    /// [`AuthorizeError::Show`] when the client or redirect URI is invalid or the query is
    /// malformed (a repeated parameter, bad percent-encoding, too long); otherwise
    /// [`AuthorizeError::Redirect`] with `unsupported_response_type`, `invalid_scope` or
    /// `invalid_request`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::oauth::*;
    /// # struct Hub;
    /// # impl Authenticator for Hub {
    /// #     type Error = std::io::Error;
    /// #     async fn authenticate(&self, _: &Credentials) -> Result<Option<UserId>, Self::Error> { Ok(None) }
    /// # }
    /// let server = AuthorizationServer::new(ServerConfig::amazon(), Hub, MemoryTokenStore::new())?;
    /// let error = server
    ///     .authorize("response_type=code&client_id=https://pitangui.amazon.com/&redirect_uri=https://evil.example/")
    ///     .unwrap_err();
    /// assert!(matches!(error, AuthorizeError::Show(_)));
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn authorize(&self, query: &str) -> Result<LoginPrompt, AuthorizeError> {
        let params = Params::parse(query.as_bytes()).map_err(AuthorizeError::Show)?;
        let client_id = params.require("client_id").map_err(AuthorizeError::Show)?;
        let client = self.config.client(client_id).ok_or_else(|| {
            AuthorizeError::Show(OAuthError::invalid_request(
                self.config.unknown_client(client_id),
            ))
        })?;
        let (redirect_uri, explicit) =
            redirect_uri(client, &params).map_err(AuthorizeError::Show)?;
        let state = params
            .get_bounded("state", MAX_STATE_BYTES)
            .map_err(AuthorizeError::Show)?;
        let refuse = |error: OAuthError| match Redirect::error(&redirect_uri, state, &error) {
            Ok(redirect) => AuthorizeError::Redirect { redirect, error },
            Err(unusable) => AuthorizeError::Show(unusable),
        };

        match params.require("response_type").map_err(refuse)? {
            "code" => {}
            _ => {
                return Err(refuse(OAuthError::new(
                    ErrorCode::UnsupportedResponseType,
                    "only `response_type=code` is supported",
                )));
            }
        }
        let scope = params
            .get_bounded("scope", MAX_SCOPE_BYTES)
            .map_err(refuse)?;
        if scope.is_some_and(|scope| !valid_scope(scope)) {
            return Err(refuse(OAuthError::new(
                ErrorCode::InvalidScope,
                "`scope` must be space-separated tokens of printable ASCII",
            )));
        }
        if scope.is_some_and(|scope| !self.config.scope_allowed(scope)) {
            return Err(refuse(OAuthError::new(
                ErrorCode::InvalidScope,
                format!(
                    "only these scopes may be requested: {}",
                    self.config.scopes().join(" ")
                ),
            )));
        }
        let code_challenge = CodeChallenge::from_request(
            params.get("code_challenge"),
            params.get("code_challenge_method"),
        )
        .map_err(refuse)?;
        if code_challenge.is_none() && self.config.pkce_required() {
            return Err(refuse(OAuthError::invalid_request(
                "a `code_challenge` with `code_challenge_method=S256` is required",
            )));
        }

        let pending = PendingRequest {
            client_id: client.id().to_owned(),
            redirect_uri,
            redirect_uri_explicit: explicit,
            state: state.map(str::to_owned),
            scope: scope.map(str::to_owned),
            code_challenge,
            served_at: unix_secs(self.clock.now()),
        };
        tracing::debug!(client_id = client.id(), "authorization request accepted");
        let sealed = self.key.seal(&pending);
        Ok(prompt(client, &pending, sealed, false, None))
    }

    /// Handles the submitted login form (the body of `POST /auth/authorize`).
    ///
    /// Opens the sealed request (refusing it if altered or older than the login lifetime),
    /// then either declines (`action=deny`: redirect with `access_denied`) or checks the
    /// credentials through the [`Authenticator`]. On success it issues a single-use code bound
    /// to the client, redirect URI, PKCE challenge and user, and redirects with it and the
    /// unchanged `state`.
    ///
    /// # Errors
    ///
    /// `invalid_request` when the form is malformed, altered or expired; `server_error` when
    /// the authenticator or the store fails; `temporarily_unavailable` when too many codes are
    /// outstanding. Show the error to the user; do not redirect.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::oauth::*;
    /// # struct Hub;
    /// # impl Authenticator for Hub {
    /// #     type Error = std::io::Error;
    /// #     async fn authenticate(&self, _: &Credentials) -> Result<Option<UserId>, Self::Error> { Ok(None) }
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let server = AuthorizationServer::new(ServerConfig::amazon(), Hub, MemoryTokenStore::new())?;
    /// let error = server.login(b"request=forged&username=a&password=b").await.unwrap_err();
    /// assert_eq!(error.description(), "the login form was altered or is invalid");
    /// # Ok::<(), ConfigError>(()) }).unwrap();
    /// ```
    pub async fn login(&self, form: &[u8]) -> Result<LoginOutcome, OAuthError> {
        self.login_from(form, None).await
    }

    /// As [`login`](Self::login), for a form submitted from `remote_addr`, which the
    /// [`Authenticator`] sees in [`Credentials::remote_addr`].
    ///
    /// Failed attempts are counted per user name and per login form; after a few, further
    /// attempts are refused without asking the authenticator, with a growing delay and then a
    /// lockout ([`ThrottlePolicy`](super::ThrottlePolicy)), and the login page shows how long
    /// to wait ([`LoginPrompt::throttled`]).
    ///
    /// # Errors
    ///
    /// As [`login`](Self::login).
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::oauth::*;
    /// # struct Hub;
    /// # impl Authenticator for Hub {
    /// #     type Error = std::io::Error;
    /// #     async fn authenticate(&self, _: &Credentials) -> Result<Option<UserId>, Self::Error> { Ok(None) }
    /// # }
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use std::net::{IpAddr, Ipv6Addr};
    /// let server = AuthorizationServer::new(ServerConfig::amazon(), Hub, MemoryTokenStore::new())?;
    /// let from = Some(IpAddr::V6(Ipv6Addr::LOCALHOST));
    /// assert!(server.login_from(b"request=forged", from).await.is_err());
    /// # Ok::<(), ConfigError>(()) }).unwrap();
    /// ```
    pub async fn login_from(
        &self,
        form: &[u8],
        remote_addr: Option<IpAddr>,
    ) -> Result<LoginOutcome, OAuthError> {
        let params = Params::parse(form)?;
        let sealed = params.require(REQUEST_FIELD)?;
        let pending: PendingRequest = self.key.unseal(sealed)?;
        let now = self.clock.now();
        let served_at = SystemTime::UNIX_EPOCH + Duration::from_secs(pending.served_at);
        if served_at > now + CLOCK_SKEW || now >= served_at + self.config.login_lifetime() {
            return Err(OAuthError::invalid_request(
                "the login form expired; start linking again",
            ));
        }
        let client = self.config.client(&pending.client_id).ok_or_else(|| {
            OAuthError::invalid_request(self.config.unknown_client(&pending.client_id))
        })?;
        // Checked again: a sealing key shared by servers with other settings must not let a
        // redirect through that this server's settings refuse.
        client.check_redirect(&pending.redirect_uri)?;

        if params.get(ACTION_FIELD) == Some(DENY_ACTION) {
            tracing::info!(client_id = client.id(), "the user declined linking");
            let denied = OAuthError::new(ErrorCode::AccessDenied, "the user declined linking");
            return Ok(LoginOutcome::Redirect(Redirect::error(
                &pending.redirect_uri,
                pending.state.as_deref(),
                &denied,
            )?));
        }

        let user = match self
            .check_credentials(&params, sealed, now, remote_addr)
            .await?
        {
            Ok(user) => user,
            Err(Refused { failed, throttled }) => {
                let retry_after = throttled.map(|t| t.retry_after().as_secs());
                if failed {
                    tracing::info!(
                        client_id = client.id(),
                        ?remote_addr,
                        ?retry_after,
                        "login failed"
                    );
                } else {
                    tracing::warn!(
                        client_id = client.id(),
                        ?remote_addr,
                        ?retry_after,
                        "login refused: too many failed attempts"
                    );
                }
                let prompt = prompt(client, &pending, sealed.to_owned(), failed, throttled);
                return Ok(LoginOutcome::Retry(prompt));
            }
        };

        self.store.purge_expired(now).await?;
        let code = Secret::generate()?;
        let record = CodeRecord {
            hash: code.hash(),
            grant: GrantId::generate()?,
            client_id: pending.client_id,
            redirect_uri: pending.redirect_uri,
            redirect_uri_explicit: pending.redirect_uri_explicit,
            user,
            scope: pending.scope,
            code_challenge: pending.code_challenge,
            expires_at: now + self.config.code_lifetime(),
        };
        let redirect = Redirect::to_client(
            &record.redirect_uri,
            &[("code", code.expose())],
            pending.state.as_deref(),
        )?;
        tracing::info!(
            client_id = record.client_id,
            user = %record.user,
            grant = %record.grant,
            "user logged in; authorization code issued"
        );
        self.store.insert_code(record).await?;
        Ok(LoginOutcome::Redirect(redirect))
    }

    /// Checks the form's credentials unless the user name or the form is throttled; counts
    /// failures.
    async fn check_credentials(
        &self,
        params: &Params,
        sealed: &str,
        now: SystemTime,
        remote_addr: Option<IpAddr>,
    ) -> Result<Result<UserId, Refused>, OAuthError> {
        let username = params.get_bounded(USERNAME_FIELD, MAX_CREDENTIAL_BYTES)?;
        let password = params.get_bounded(PASSWORD_FIELD, MAX_CREDENTIAL_BYTES)?;
        let form_key = format!("form:{}", TokenHash::of(sealed));
        // Lower case: a hub whose user names ignore case must not give a guesser more tries.
        let user_key = username.map(|name| format!("user:{}", name.to_lowercase()));
        let throttled = Throttled::max(
            self.logins.check(&form_key, now),
            user_key
                .as_deref()
                .and_then(|key| self.logins.check(key, now)),
        );
        if throttled.is_some() {
            return Ok(Err(Refused {
                failed: false,
                throttled,
            }));
        }
        let user = match (username, password) {
            (Some(username), Some(password)) => {
                let credentials =
                    Credentials::new(username, Secret::new(password)).with_remote_addr(remote_addr);
                self.authenticator
                    .authenticate(&credentials)
                    .await
                    .map_err(|error| {
                        tracing::error!(
                            error = &error as &dyn std::error::Error,
                            "the authenticator failed"
                        );
                        OAuthError::server_error()
                    })?
            }
            _ => None,
        };
        let Some(user) = user else {
            let throttled = Throttled::max(
                self.logins.failed(&form_key, now),
                user_key
                    .as_deref()
                    .and_then(|key| self.logins.failed(key, now)),
            );
            return Ok(Err(Refused {
                failed: true,
                throttled,
            }));
        };
        self.logins.succeeded(&form_key);
        if let Some(key) = &user_key {
            self.logins.succeeded(key);
        }
        Ok(Ok(user))
    }
}

/// Why a login was not accepted: wrong credentials, or too many failures.
struct Refused {
    failed: bool,
    throttled: Option<Throttled>,
}

/// The request's redirect URI, checked, and whether it was given explicitly.
fn redirect_uri(client: &ClientConfig, params: &Params) -> Result<(String, bool), OAuthError> {
    if let Some(uri) = params.get_bounded("redirect_uri", MAX_REDIRECT_URI_BYTES)? {
        client.check_redirect(uri)?;
        return Ok((uri.to_owned(), true));
    }
    match client.configured_redirect_uris() {
        [only] => Ok((only.clone(), false)),
        _ => Err(OAuthError::invalid_request(
            "missing parameter `redirect_uri`",
        )),
    }
}

fn prompt(
    client: &ClientConfig,
    pending: &PendingRequest,
    sealed: String,
    failed: bool,
    throttled: Option<Throttled>,
) -> LoginPrompt {
    let redirect = Url::parse(&pending.redirect_uri).ok();
    let redirect_source = match &redirect {
        Some(url) if url.origin().is_tuple() => url.origin().ascii_serialization(),
        Some(url) => format!("{}:", url.scheme()),
        None => String::new(),
    };
    LoginPrompt {
        client_id: client.id().to_owned(),
        client_name: client.name().to_owned(),
        redirect_host: redirect
            .as_ref()
            .and_then(|url| url.host_str().map(str::to_owned))
            .unwrap_or_default(),
        redirect_source,
        scope: pending.scope.clone(),
        sealed,
        failed,
        throttled,
    }
}

/// RFC 6749 §3.3: `scope-token *( SP scope-token )`, tokens of `%x21 / %x23-5B / %x5D-7E`.
pub(crate) fn valid_scope(scope: &str) -> bool {
    scope.split(' ').all(|token| {
        !token.is_empty()
            && token
                .bytes()
                .all(|b| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
    })
}

fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_syntax_follows_rfc_6749() {
        assert!(valid_scope("smart_home"));
        assert!(valid_scope("a b:c"));
        for bad in ["", " a", "a  b", "a\"b", "a\\b", "é", "a\tb"] {
            assert!(!valid_scope(bad), "{bad:?}");
        }
    }

    #[test]
    fn redirect_debug_hides_the_code() {
        let redirect =
            Redirect(Url::parse("https://pitangui.amazon.com/link?code=SECRET&state=s").unwrap());
        assert_eq!(
            format!("{redirect:?}"),
            "Redirect(https://pitangui.amazon.com/link?***)"
        );
    }
}

//! The Lambda function between Alexa and the hub: forwards each directive to the hub's
//! `/api/alexa/smart_home` with the user's token, and answers Alexa with the hub's reply or
//! with a complete v3 ErrorResponse.
//!
//! Alexa invokes a smart home skill's AWS Lambda function with the directive as the event;
//! the function's result is the reply. [`LambdaProxy`] is the logic of that function, and
//! the example `alexa_lambda_proxy` runs it on `lambda_runtime`. It behaves like the
//! Python function of Home Assistant's documentation, configured by the same environment
//! variables ([`ProxyConfig::from_env`]):
//!
//! | variable | meaning |
//! |---|---|
//! | `BASE_URL` | required: the hub's URL as Alexa reaches it; a trailing `/` is tolerated |
//! | `NOT_VERIFY_SSL` | `true`: accept any certificate of the hub (self-signed); unset or `false`: verify |
//! | `DEBUG` | `true`: log at debug level and allow `LONG_LIVED_ACCESS_TOKEN` |
//! | `LONG_LIVED_ACCESS_TOKEN` | a hub token for directives without one (console tests), used only with `DEBUG` |
//! | `ALLOW_HTTP_LOOPBACK` | loopback testing: `true` accepts an `http` `BASE_URL` on the loopback interface; otherwise `BASE_URL` must be https |
//!
//! Yes/no variables take `true`/`false`, `1`/`0`, `yes`/`no` or `on`/`off`; anything else
//! is a configuration error rather than a guess, so `NOT_VERIFY_SSL=False` keeps
//! verification on.
//!
//! # Forwarding
//!
//! * The directive's bytes are POSTed unchanged to `BASE_URL/api/alexa/smart_home` with
//!   `Authorization: Bearer <token>` and `Content-Type: application/json`.
//! * The token is `directive.endpoint.scope.token`, else `directive.payload.grantee.token`
//!   (AcceptGrant), else `directive.payload.scope.token` (Discover); without one, the
//!   long-lived token when `DEBUG` is set; otherwise the hub is not called.
//! * Connecting may take 2 s and each read 10 s ([`CONNECT_TIMEOUT`], [`READ_TIMEOUT`]), and
//!   the whole exchange 7 s ([`DEADLINE`]), within the 8 s Alexa waits for an answer.
//!   Redirects are not followed.
//! * A 2xx JSON reply is returned as it is, byte for byte.
//!
//! # Errors to Alexa
//!
//! Every failure is answered with an ErrorResponse that has a header (messageId,
//! the directive's correlationToken, payloadVersion 3) and the directive's endpoint, so
//! that it passes Amazon's schema (the Python function's error body has no header). The
//! message says what failed (the hub's status, a timeout) but never carries the hub's own
//! error text, which the function's log keeps:
//!
//! | failure | error type |
//! |---|---|
//! | no token; the hub answers 401 or 403 | `INVALID_AUTHORIZATION_CREDENTIAL` |
//! | the event is not a v3 directive | `INVALID_DIRECTIVE` |
//! | the hub answers another status, or not JSON; cannot be reached; times out | `INTERNAL_ERROR` |
//!
//! # Memory
//!
//! The directive is borrowed and sent as it is. The hub's reply is held once, up to
//! [`MAX_RESPONSE_BYTES`] (Lambda's limit on a synchronous response), and returned without
//! being parsed into a tree.
//!
//! # Examples
//!
//! ```
//! use ha_alexa::proxy::{LambdaProxy, ProxyConfig};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! // In the Lambda function: `ProxyConfig::from_env()?`.
//! let config = ProxyConfig::from_vars(|name| match name {
//!     "BASE_URL" => Some("https://hub.example.org/".to_owned()),
//!     _ => None,
//! })?;
//! assert_eq!(config.url(), "https://hub.example.org/api/alexa/smart_home");
//! let proxy = LambdaProxy::new(config)?;
//!
//! // A directive without a token is answered at once, without calling the hub.
//! let reply = proxy.handle(br#"{"directive":{"header":{"namespace":"Alexa.Discovery",
//!     "name":"Discover","messageId":"m-1","payloadVersion":"3"},
//!     "payload":{"scope":{"type":"BearerToken"}}}}"#).await;
//! let reply: serde_json::Value = serde_json::from_str(reply.get()).unwrap();
//! assert_eq!(reply["event"]["payload"]["type"], "INVALID_AUTHORIZATION_CREDENTIAL");
//! assert_eq!(reply["event"]["header"]["payloadVersion"], "3");
//! # Ok::<(), ha_alexa::Error>(()) }).unwrap();
//! ```

use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use serde_json::value::RawValue;

use crate::error::{ConfigError, DecodeError, TransportError};
use crate::https;
use crate::message::{AlexaError, BearerToken, Event, RawDirective, ReplyTo};

/// The hub's Smart Home endpoint, under `BASE_URL`.
pub const SMART_HOME_PATH: &str = "/api/alexa/smart_home";

/// How long connecting to the hub may take (TCP and TLS).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long each read of the hub's reply may take.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one directive's whole exchange with the hub may take: Alexa waits 8 s for the
/// skill's answer, and the function must answer before that.
pub const DEADLINE: Duration = Duration::from_secs(7);

/// The largest reply of the hub passed on: 6 MiB, Lambda's limit on the result of a
/// synchronous invocation.
pub const MAX_RESPONSE_BYTES: usize = 6 * 1024 * 1024;

/// The environment variable with the hub's URL.
pub const BASE_URL: &str = "BASE_URL";
/// The environment variable that turns certificate verification off.
pub const NOT_VERIFY_SSL: &str = "NOT_VERIFY_SSL";
/// The environment variable that turns debugging on.
pub const DEBUG: &str = "DEBUG";
/// The environment variable with the fallback token (used only with [`DEBUG`]).
pub const LONG_LIVED_ACCESS_TOKEN: &str = "LONG_LIVED_ACCESS_TOKEN";
/// The environment variable that accepts an `http` [`BASE_URL`] on the loopback interface
/// (loopback testing).
pub const ALLOW_HTTP_LOOPBACK: &str = "ALLOW_HTTP_LOOPBACK";

/// Settings of the [`LambdaProxy`].
///
/// `Debug` shows no token.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ha_alexa::proxy::ProxyConfig;
///
/// let config = ProxyConfig::new("https://hub.example.org:8123")?;
/// assert_eq!(config.url(), "https://hub.example.org:8123/api/alexa/smart_home");
/// assert!(config.verifies_certificates());
/// assert_eq!(config.connect_timeout(), Duration::from_secs(2));
/// assert_eq!(config.read_timeout(), Duration::from_secs(10));
/// # Ok::<(), ha_alexa::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct ProxyConfig {
    base_url: String,
    debug: bool,
    long_lived_token: Option<BearerToken>,
    verify_certificates: bool,
    extra_roots: Vec<CertificateDer<'static>>,
    connect_timeout: Duration,
    read_timeout: Duration,
    deadline: Duration,
}

impl core::fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("base_url", &self.base_url)
            .field("debug", &self.debug)
            .field("long_lived_token", &self.long_lived_token)
            .field("verify_certificates", &self.verify_certificates)
            .field("extra_roots", &self.extra_roots.len())
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl ProxyConfig {
    /// Settings for the hub at `base_url` (trailing `/` tolerated), verifying its
    /// certificate, without debugging or long-lived token, with the default timeouts.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] when `base_url` is empty, [`ConfigError::Url`] unless it is
    /// an absolute https URL without query, fragment or credentials.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::proxy::ProxyConfig;
    /// assert_eq!(ProxyConfig::new("https://hub.example.org//")?.base_url(), "https://hub.example.org");
    /// assert!(ProxyConfig::new("hub.example.org").is_err());
    /// assert!(ProxyConfig::new("http://hub.example.org").is_err());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn new(base_url: &str) -> Result<Self, ConfigError> {
        Self::checked(base_url, false)
    }

    /// Loopback testing: as [`new`](Self::new), but an `http` URL is accepted when its host is
    /// on the loopback interface (a hub in the same test or demo process).
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new), and for `http` on any other host.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::proxy::ProxyConfig;
    /// assert!(ProxyConfig::for_loopback("http://127.0.0.1:8123").is_ok());
    /// assert!(ProxyConfig::for_loopback("http://hub.example.org").is_err());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn for_loopback(base_url: &str) -> Result<Self, ConfigError> {
        Self::checked(base_url, true)
    }

    fn checked(base_url: &str, loopback_http: bool) -> Result<Self, ConfigError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err(ConfigError::Missing { name: BASE_URL });
        }
        let url = ConfigError::check_url(BASE_URL, trimmed, loopback_http)?;
        Ok(Self {
            base_url: url.as_str().trim_end_matches('/').to_owned(),
            debug: false,
            long_lived_token: None,
            verify_certificates: true,
            extra_roots: Vec::new(),
            connect_timeout: CONNECT_TIMEOUT,
            read_timeout: READ_TIMEOUT,
            deadline: DEADLINE,
        })
    }

    /// Settings from the process environment: [`BASE_URL`], [`NOT_VERIFY_SSL`], [`DEBUG`]
    /// and [`LONG_LIVED_ACCESS_TOKEN`], as the [module](self) describes.
    ///
    /// # Errors
    ///
    /// As [`from_vars`](Self::from_vars).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let config = ha_alexa::proxy::ProxyConfig::from_env()?;
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Settings from variables looked up by `var` (the environment, in
    /// [`from_env`](Self::from_env)). Empty values count as unset.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] without `BASE_URL`, [`ConfigError::Url`] when it is not a
    /// usable URL, [`ConfigError::Flag`] when `DEBUG` or `NOT_VERIFY_SSL` is neither yes
    /// nor no.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::proxy::ProxyConfig;
    ///
    /// let vars = [("BASE_URL", "https://hub.example.org/"), ("NOT_VERIFY_SSL", "True")];
    /// let lookup = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    /// let config = ProxyConfig::from_vars(lookup)?;
    /// assert!(!config.verifies_certificates());
    /// assert!(!config.debug());
    ///
    /// let vars = [("BASE_URL", "https://hub.example.org/"), ("NOT_VERIFY_SSL", "maybe")];
    /// let lookup = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
    /// assert!(ProxyConfig::from_vars(lookup).is_err());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name| var(name).filter(|value| !value.trim().is_empty());
        let base_url = var(BASE_URL).ok_or(ConfigError::Missing { name: BASE_URL })?;
        let mut config = Self::checked(
            &base_url,
            flag(ALLOW_HTTP_LOOPBACK, var(ALLOW_HTTP_LOOPBACK))?,
        )?;
        config.debug = flag(DEBUG, var(DEBUG))?;
        config.verify_certificates = !flag(NOT_VERIFY_SSL, var(NOT_VERIFY_SSL))?;
        config.long_lived_token =
            var(LONG_LIVED_ACCESS_TOKEN).and_then(|token| BearerToken::try_new(token.trim()).ok());
        Ok(config)
    }

    /// Turns debugging on or off: debug logs, and the long-lived token for directives
    /// without a token.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?.with_debug(true);
    /// assert!(config.debug());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_debug(mut self, debug: bool) -> Self {
        self.debug = debug;
        self
    }

    /// Sets the token sent for directives without one; used only while debugging.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::{proxy::ProxyConfig, BearerToken};
    /// let config = ProxyConfig::new("https://hub.example.org")?
    ///     .with_long_lived_access_token(BearerToken::try_new("llat")?);
    /// assert!(!format!("{config:?}").contains("llat"));
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    #[must_use]
    pub fn with_long_lived_access_token(mut self, token: BearerToken) -> Self {
        self.long_lived_token = Some(token);
        self
    }

    /// Turns verification of the hub's certificate on (the default) or off
    /// (`NOT_VERIFY_SSL`). Off, any certificate is accepted, and a machine between the
    /// function and the hub can read the users' tokens: prefer
    /// [`with_root_certificates_pem`](Self::with_root_certificates_pem) for a self-signed hub.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?
    ///     .with_certificate_verification(false);
    /// assert!(!config.verifies_certificates());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_certificate_verification(mut self, verify: bool) -> Self {
        self.verify_certificates = verify;
        self
    }

    /// Trusts the certificates in `pem` (one or more `CERTIFICATE` blocks) as roots, on top
    /// of the operating system's: a hub with its own certificate authority stays verified.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Certificate`] when `pem` holds no certificate or a malformed one.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?
    ///     .with_root_certificates_pem(b"not a certificate")
    ///     .unwrap_err();
    /// assert_eq!(error.to_string(), "invalid root certificate: no CERTIFICATE block found");
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn with_root_certificates_pem(mut self, pem: &[u8]) -> Result<Self, ConfigError> {
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ConfigError::Certificate {
                reason: e.to_string(),
            })?;
        if certificates.is_empty() {
            return Err(ConfigError::Certificate {
                reason: String::from("no CERTIFICATE block found"),
            });
        }
        self.extra_roots.extend(certificates);
        Ok(self)
    }

    /// Replaces the connect and read timeouts ([`CONNECT_TIMEOUT`], [`READ_TIMEOUT`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?
    ///     .with_timeouts(Duration::from_secs(1), Duration::from_secs(5));
    /// assert_eq!(config.read_timeout(), Duration::from_secs(5));
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_timeouts(mut self, connect: Duration, read: Duration) -> Self {
        self.connect_timeout = connect;
        self.read_timeout = read;
        self
    }

    /// Bounds each directive's whole exchange with the hub to `deadline` instead of
    /// [`DEADLINE`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?
    ///     .with_deadline(Duration::from_secs(5));
    /// assert_eq!(config.deadline(), Duration::from_secs(5));
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How long one directive's exchange with the hub may take.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?;
    /// assert_eq!(config.deadline().as_secs(), 7);
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// The hub's URL, without trailing `/`.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://10.0.0.2:8123/")?;
    /// assert_eq!(config.base_url(), "https://10.0.0.2:8123");
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Where directives are forwarded: the base URL and [`SMART_HOME_PATH`].
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://example.org/hub/")?;
    /// assert_eq!(config.url(), "https://example.org/hub/api/alexa/smart_home");
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn url(&self) -> String {
        format!("{}{SMART_HOME_PATH}", self.base_url)
    }

    /// Whether debugging is on.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?.debug());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// Whether the hub's certificate is verified.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?.verifies_certificates());
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn verifies_certificates(&self) -> bool {
        self.verify_certificates
    }

    /// How long connecting may take.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?;
    /// assert_eq!(config.connect_timeout().as_secs(), 2);
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// How long each read may take.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::proxy::ProxyConfig::new("https://hub.example.org")?;
    /// assert_eq!(config.read_timeout().as_secs(), 10);
    /// # Ok::<(), ha_alexa::ConfigError>(())
    /// ```
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }
}

/// Reads a yes/no variable; unset is no.
fn flag(name: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    let Some(value) = value else {
        return Ok(false);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Flag { name, value }),
    }
}

/// Why a directive was not answered by the hub.
///
/// [`to_alexa_error`](Self::to_alexa_error) gives the error Alexa is answered with.
///
/// # Examples
///
/// ```
/// use ha_alexa::proxy::ProxyError;
///
/// let error = ProxyError::Status { status: 500, body: "500 Internal Server Error".into() };
/// assert_eq!(error.to_alexa_error().kind().as_str(), "INTERNAL_ERROR");
/// let error = ProxyError::Unauthorized { status: 401, body: "401: Unauthorized".into() };
/// assert_eq!(error.to_alexa_error().kind().as_str(), "INVALID_AUTHORIZATION_CREDENTIAL");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The event is not a Smart Home v3 directive.
    #[error("the event is not a smart home v3 directive: {0}")]
    Directive(#[from] DecodeError),
    /// The directive carries no token and no long-lived token may be used.
    #[error(
        "the directive carries no bearer token (endpoint.scope, payload.grantee or payload.scope) \
         and LONG_LIVED_ACCESS_TOKEN is used only when DEBUG is set"
    )]
    NoToken,
    /// The hub refused the token (401 or 403).
    #[error("the hub refused the token with {status}: {body}")]
    Unauthorized {
        /// The HTTP status.
        status: u16,
        /// The start of the hub's body.
        body: String,
    },
    /// The hub answered with a status other than 2xx, 401 and 403.
    #[error("the hub answered {status}: {body}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the hub's body.
        body: String,
    },
    /// The hub's 2xx reply is not JSON.
    #[error("the hub's reply is not JSON: {reason}")]
    NotJson {
        /// What is wrong.
        reason: String,
    },
    /// The hub could not be reached, or did not answer in time.
    #[error(transparent)]
    Transport(#[from] TransportError),
}

impl ProxyError {
    /// The error Alexa is answered with: INVALID_AUTHORIZATION_CREDENTIAL for a missing or
    /// refused token, INVALID_DIRECTIVE for an event that is not a directive,
    /// INTERNAL_ERROR otherwise. The message says what failed without the hub's own error
    /// text or addresses (log the error itself for those).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::proxy::ProxyError;
    /// assert_eq!(ProxyError::NoToken.to_alexa_error().kind().as_str(), "INVALID_AUTHORIZATION_CREDENTIAL");
    /// ```
    pub fn to_alexa_error(&self) -> AlexaError {
        match self {
            Self::NoToken => AlexaError::invalid_authorization_credential(self.to_string()),
            Self::Unauthorized { status, .. } => AlexaError::invalid_authorization_credential(
                format!("the hub refused the token with {status}"),
            ),
            Self::Directive(_) => AlexaError::invalid_directive(self.with_causes()),
            Self::Status { status, .. } => {
                AlexaError::internal_error(format!("the hub answered {status}"))
            }
            Self::NotJson { .. } => AlexaError::internal_error("the hub's reply is not JSON"),
            Self::Transport(error) => AlexaError::internal_error(format!(
                "the hub could not be reached or did not answer in time ({:?})",
                error.kind()
            )),
        }
    }
}

impl ProxyError {
    /// The message followed by its causes, `: `-separated: what a user reading the
    /// function's log needs ("…: invalid peer certificate: UnknownIssuer").
    fn with_causes(&self) -> String {
        let mut message = self.to_string();
        // A cause whose text the message already ends with (`{0}`) is not repeated.
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.ends_with(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        message
    }
}

/// The Lambda function's logic: forwards directives to the hub and answers Alexa.
///
/// Build it once per Lambda instance (it holds the connection pool) and call
/// [`handle`](Self::handle) for each invocation.
#[derive(Debug)]
pub struct LambdaProxy {
    config: ProxyConfig,
    url: String,
    http: https::Client,
}

impl LambdaProxy {
    /// A proxy with `config`.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when the HTTPS client cannot be built: no root certificates
    /// could be loaded from the system while verification is on.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::proxy::{LambdaProxy, ProxyConfig};
    /// let proxy = LambdaProxy::new(ProxyConfig::new("https://hub.example.org")?)?;
    /// assert_eq!(proxy.config().base_url(), "https://hub.example.org");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn new(config: ProxyConfig) -> Result<Self, TransportError> {
        let verification = if config.verify_certificates {
            https::Verification::Roots(config.extra_roots.clone())
        } else {
            https::Verification::Off
        };
        let http = https::Client::new(&https::Settings {
            connect_timeout: config.connect_timeout,
            read_timeout: config.read_timeout,
            total_timeout: Some(config.deadline),
            verification,
        })?;
        Ok(Self {
            url: config.url(),
            config,
            http,
        })
    }

    /// The settings.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::proxy::{LambdaProxy, ProxyConfig};
    /// let proxy = LambdaProxy::new(ProxyConfig::new("https://hub.example.org")?)?;
    /// assert_eq!(proxy.config().url(), "https://hub.example.org/api/alexa/smart_home");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn config(&self) -> &ProxyConfig {
        &self.config
    }

    /// Handles one invocation: the hub's reply to the directive in `event`, or an
    /// ErrorResponse to the directive (see the [module](self) for which). Never fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::proxy::{LambdaProxy, ProxyConfig};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let proxy = LambdaProxy::new(ProxyConfig::new("https://hub.example.org")?)?;
    /// let reply = proxy.handle(b"{\"not\": \"a directive\"}").await;
    /// let reply: serde_json::Value = serde_json::from_str(reply.get()).unwrap();
    /// assert_eq!(reply["event"]["payload"]["type"], "INVALID_DIRECTIVE");
    /// # Ok::<(), ha_alexa::Error>(()) }).unwrap();
    /// ```
    pub async fn handle(&self, event: &[u8]) -> Box<RawValue> {
        let (reply, error) = match RawDirective::from_slice(event) {
            Err(error) => (ReplyTo::default(), ProxyError::from(error)),
            Ok(raw) => match self.forward_raw(&raw, event).await {
                Ok(reply) => return reply,
                Err(error) => (raw.reply_to(), error),
            },
        };
        let alexa_error = error.to_alexa_error();
        tracing::warn!(
            error = error.with_causes(),
            answered = alexa_error.message(),
            "directive answered with an error"
        );
        let event = Event::error_response(&reply, alexa_error);
        // Events always serialise; `null` is never sent.
        serde_json::value::to_raw_value(&event).unwrap_or_else(|_| RawValue::NULL.to_owned())
    }

    /// Forwards the directive in `event` and returns the hub's reply.
    ///
    /// # Errors
    ///
    /// The [`ProxyError`] that [`handle`](Self::handle) answers with an ErrorResponse.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::proxy::{LambdaProxy, ProxyConfig, ProxyError};
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let proxy = LambdaProxy::new(ProxyConfig::new("https://hub.example.org")?)?;
    /// let directive = br#"{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover",
    ///     "messageId":"m-1","payloadVersion":"3"},"payload":{"scope":{"type":"BearerToken"}}}}"#;
    /// assert!(matches!(proxy.forward(directive).await, Err(ProxyError::NoToken)));
    /// # Ok::<(), ha_alexa::Error>(()) }).unwrap();
    /// ```
    pub async fn forward(&self, event: &[u8]) -> Result<Box<RawValue>, ProxyError> {
        let raw = RawDirective::from_slice(event)?;
        self.forward_raw(&raw, event).await
    }

    async fn forward_raw(
        &self,
        raw: &RawDirective<'_>,
        event: &[u8],
    ) -> Result<Box<RawValue>, ProxyError> {
        let token = raw
            .bearer_token()
            .or_else(|| {
                self.config
                    .debug
                    .then(|| self.config.long_lived_token.clone())
                    .flatten()
            })
            .ok_or(ProxyError::NoToken)?;
        tracing::debug!(
            namespace = %raw.header.namespace,
            name = %raw.header.name,
            url = %self.url,
            "forwarding a directive"
        );
        let https::Reply { status, body, .. } = self
            .http
            .post(https::Post {
                url: &self.url,
                content_type: "application/json",
                bearer: Some(token.expose_secret()),
                body: event.to_vec(),
                limit: MAX_RESPONSE_BYTES,
            })
            .await?;
        tracing::debug!(status, bytes = body.len(), "the hub answered");
        match status {
            200..=299 => {
                serde_json::from_slice::<Box<RawValue>>(&body).map_err(|e| ProxyError::NotJson {
                    reason: format!(
                        "{} at line {} column {}",
                        crate::error::strip_position(&e),
                        e.line(),
                        e.column()
                    ),
                })
            }
            401 | 403 => Err(ProxyError::Unauthorized {
                status,
                body: https::excerpt(&body),
            }),
            _ => Err(ProxyError::Status {
                status,
                body: https::excerpt(&body),
            }),
        }
    }
}

//! The Login-with-Amazon client of proactive mode: turns the grant code of
//! `Alexa.Authorization` AcceptGrant into tokens, keeps them, and refreshes the access
//! token before it expires.
//!
//! Proactive events (ChangeReport, AddOrUpdateReport, DeleteReport) go to the event gateway
//! with a Login-with-Amazon (LWA) access token of the user. Alexa hands the hub a grant code
//! once, in AcceptGrant, after the user linked the skill; [`LwaClient::accept_grant`]
//! exchanges it at `https://api.amazon.com/auth/o2/token` for an access token (valid an
//! hour) and a refresh token, and [`LwaClient::access_token`] refreshes the access token
//! 300 s before it expires.
//!
//! * The client id and secret are those of **Alexa Skill Messaging** (developer console,
//!   Build > Permissions > Send Alexa Events), not those of account linking.
//! * Tokens are kept through an [`LwaTokenStore`]: [`MemoryLwaStore`] or [`FileLwaStore`]
//!   (atomic writes, owner-only file).
//! * Refreshes are serialised behind one lock: any number of concurrent callers cause one
//!   HTTP refresh, and all get its token.
//! * Without tokens or a refresh token, or when LWA refuses the refresh token, the error is
//!   [`LwaError::RelinkRequired`]: the user must disable and enable the skill in the Alexa
//!   app, which sends a new AcceptGrant. A refused refresh token is removed from the store,
//!   so that later calls fail at once instead of asking LWA again.
//! * Time comes from a [`Clock`], so expiry is testable with [`ManualClock`](crate::clock::ManualClock).
//!
//! # Examples
//!
//! ```no_run
//! use ha_alexa::config::ClientSecret;
//! use ha_alexa::lwa::{FileLwaStore, LwaClient, LwaConfig};
//!
//! # async fn run(grant_code: &ha_alexa::interface::authorization::GrantCode) -> Result<(), ha_alexa::Error> {
//! let config = LwaConfig::new(
//!     "amzn1.application-oa2-client.0123",
//!     ClientSecret::try_new("skill-messaging-secret")?,
//! )?;
//! let lwa = LwaClient::new(config, FileLwaStore::open("alexa-lwa.json")?)?;
//! lwa.accept_grant(grant_code).await?; // from AcceptGrant
//! let token = lwa.access_token().await?; // for the event gateway; refreshed when due
//! # Ok(()) }
//! ```

use std::time::{Duration, SystemTime};

use serde::Deserialize;
use tokio::sync::Mutex;

use crate::clock::{Clock, SystemClock};
use crate::config::{ClientSecret, SmartHomeConfig};
use crate::error::{ConfigError, StoreError, TransportError, strip_position};
use crate::https;
use crate::interface::authorization::GrantCode;
use crate::message::BearerToken;

mod store;

pub use self::store::{FileLwaStore, LwaTokenStore, LwaTokens, MemoryLwaStore, RefreshToken};

/// Login with Amazon's token endpoint.
pub const TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";

/// How long before expiry an access token is refreshed, as Home Assistant does.
pub const REFRESH_MARGIN: Duration = Duration::from_mins(5);

/// How long a token request may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The largest token response read, in bytes (LWA's are about 1 KiB).
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Settings of the [`LwaClient`]: the Alexa Skill Messaging credentials and the token
/// endpoint.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ha_alexa::config::ClientSecret;
/// use ha_alexa::lwa::{LwaConfig, TOKEN_URL};
///
/// let config = LwaConfig::new("amzn1.application-oa2-client.0123", ClientSecret::try_new("s")?)?;
/// assert_eq!(config.token_url(), TOKEN_URL);
/// assert_eq!(config.refresh_margin(), Duration::from_secs(300));
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LwaConfig {
    client_id: String,
    client_secret: ClientSecret,
    token_url: String,
    refresh_margin: Duration,
    timeout: Duration,
}

impl LwaConfig {
    /// Settings for the Alexa Skill Messaging client `client_id` with `client_secret`,
    /// against [`TOKEN_URL`].
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] when `client_id` is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::config::ClientSecret;
    /// use ha_alexa::lwa::LwaConfig;
    ///
    /// assert!(LwaConfig::new("", ClientSecret::try_new("s")?).is_err());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn new(
        client_id: impl Into<String>,
        client_secret: ClientSecret,
    ) -> Result<Self, ConfigError> {
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(ConfigError::Missing { name: "client_id" });
        }
        Ok(Self {
            client_id,
            client_secret,
            token_url: TOKEN_URL.to_owned(),
            refresh_margin: REFRESH_MARGIN,
            timeout: TIMEOUT,
        })
    }

    /// The settings of the `smart_home:` configuration (`client_id`, `client_secret`);
    /// `None` when neither is set, as proactive mode is then off.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Missing`] when only one of the two is set.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::config::SmartHomeConfig;
    /// use ha_alexa::lwa::LwaConfig;
    ///
    /// let config: SmartHomeConfig = serde_json::from_str(
    ///     r#"{"endpoint": "https://api.eu.amazonalexa.com/v3/events",
    ///         "client_id": "amzn1.application-oa2-client.0123", "client_secret": "s"}"#,
    /// )?;
    /// let lwa = LwaConfig::from_smart_home(&config)?.expect("proactive mode is configured");
    /// assert_eq!(lwa.client_id(), "amzn1.application-oa2-client.0123");
    /// assert!(LwaConfig::from_smart_home(&SmartHomeConfig::default())?.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_smart_home(config: &SmartHomeConfig) -> Result<Option<Self>, ConfigError> {
        match (&config.client_id, &config.client_secret) {
            (None, None) => Ok(None),
            (Some(id), Some(secret)) => Self::new(id.clone(), secret.clone()).map(Some),
            (None, Some(_)) => Err(ConfigError::Missing { name: "client_id" }),
            (Some(_), None) => Err(ConfigError::Missing {
                name: "client_secret",
            }),
        }
    }

    /// Sends token requests to `url` instead of [`TOKEN_URL`] (a proxy).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Url`] unless `url` is an absolute https URL without query.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::config::ClientSecret;
    /// use ha_alexa::lwa::LwaConfig;
    ///
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?
    ///     .with_token_url("https://lwa.example.org/auth/o2/token")?;
    /// assert_eq!(config.token_url(), "https://lwa.example.org/auth/o2/token");
    /// assert!(config.clone().with_token_url("http://lwa.example.org/auth/o2/token").is_err());
    /// assert!(config.with_token_url("api.amazon.com/auth/o2/token").is_err());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn with_token_url(mut self, url: &str) -> Result<Self, ConfigError> {
        self.token_url = ConfigError::check_url("token URL", url, false)?.into();
        Ok(self)
    }

    /// Loopback testing: as [`with_token_url`](Self::with_token_url), but an `http` URL is
    /// accepted when its host is on the loopback interface (a stand-in of Login with Amazon
    /// in tests and demos). Never use it for Amazon's server.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Url`] unless `url` is https, or http on the loopback interface.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::config::ClientSecret;
    /// use ha_alexa::lwa::LwaConfig;
    ///
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?;
    /// assert!(config.clone().with_loopback_token_url("http://127.0.0.1:8080/auth/o2/token").is_ok());
    /// assert!(config.with_loopback_token_url("http://10.0.0.2/auth/o2/token").is_err());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn with_loopback_token_url(mut self, url: &str) -> Result<Self, ConfigError> {
        self.token_url = ConfigError::check_url("token URL", url, true)?.into();
        Ok(self)
    }

    /// Refreshes access tokens `margin` before they expire instead of [`REFRESH_MARGIN`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::LwaConfig};
    /// # use std::time::Duration;
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?.with_refresh_margin(Duration::from_secs(60));
    /// assert_eq!(config.refresh_margin(), Duration::from_secs(60));
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    #[must_use]
    pub fn with_refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// Bounds each token request, connection included, to `timeout` instead of [`TIMEOUT`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::LwaConfig};
    /// # use std::time::Duration;
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?.with_timeout(Duration::from_secs(3));
    /// assert_eq!(config.timeout(), Duration::from_secs(3));
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The Alexa Skill Messaging client id.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::LwaConfig};
    /// assert_eq!(LwaConfig::new("id", ClientSecret::try_new("s")?)?.client_id(), "id");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The token endpoint.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::LwaConfig};
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?;
    /// assert_eq!(config.token_url(), "https://api.amazon.com/auth/o2/token");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// How long before expiry access tokens are refreshed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::LwaConfig};
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?;
    /// assert_eq!(config.refresh_margin().as_secs(), 300);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn refresh_margin(&self) -> Duration {
        self.refresh_margin
    }

    /// How long a token request may take.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::LwaConfig};
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?;
    /// assert_eq!(config.timeout().as_secs(), 10);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

/// Why the user must link the skill again before proactive events can be sent.
///
/// # Examples
///
/// ```
/// use ha_alexa::lwa::RelinkReason;
/// assert_eq!(RelinkReason::NotLinked.to_string(), "there are no login with amazon tokens");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RelinkReason {
    /// No tokens are stored: no AcceptGrant has been handled, or the tokens were removed.
    NotLinked,
    /// The access token expired and there is no refresh token.
    NoRefreshToken,
    /// Login with Amazon refused the refresh token (`invalid_grant`): the user disabled the
    /// skill, or linked it before "Send Alexa Events" was enabled.
    RefreshTokenRefused,
}

impl core::fmt::Display for RelinkReason {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NotLinked => "there are no login with amazon tokens",
            Self::NoRefreshToken => "the access token expired and there is no refresh token",
            Self::RefreshTokenRefused => "login with amazon refused the refresh token",
        })
    }
}

/// Which token request Login with Amazon answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Grant {
    /// The exchange of an AcceptGrant code (`grant_type=authorization_code`).
    AuthorizationCode,
    /// A refresh (`grant_type=refresh_token`).
    RefreshToken,
}

impl Grant {
    fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
        }
    }
}

impl core::fmt::Display for Grant {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::AuthorizationCode => "grant code",
            Self::RefreshToken => "refresh token",
        })
    }
}

/// A Login-with-Amazon token request failed.
///
/// # Examples
///
/// ```
/// use ha_alexa::lwa::{LwaError, RelinkReason};
///
/// let error = LwaError::RelinkRequired { reason: RelinkReason::NoRefreshToken };
/// assert!(error.to_string().starts_with("relink required: the access token expired"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LwaError {
    /// The user must disable and enable the skill in the Alexa app (which sends a new
    /// AcceptGrant) before proactive events can be sent.
    #[error(
        "relink required: {reason}; disable and enable the skill in the Alexa app to link it again"
    )]
    RelinkRequired {
        /// Why.
        reason: RelinkReason,
    },
    /// Login with Amazon refused the request with an OAuth error (RFC 6749 §5.2).
    #[error(
        "login with amazon refused the {grant} with {status} {code}: {description}{}",
        hint(code)
    )]
    Refused {
        /// The request.
        grant: Grant,
        /// The HTTP status.
        status: u16,
        /// The OAuth error code (`invalid_grant`, `invalid_client`, …).
        code: String,
        /// Its description, possibly empty.
        description: String,
    },
    /// Login with Amazon answered something that is neither tokens nor an OAuth error.
    #[error("login with amazon answered the {grant} request with {status}: {reason}")]
    Response {
        /// The request.
        grant: Grant,
        /// The HTTP status.
        status: u16,
        /// What is wrong with the answer.
        reason: String,
    },
    /// Login with Amazon could not be reached.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The usual cause of `invalid_client`, appended to its message.
fn hint(code: &str) -> &'static str {
    if code == "invalid_client" {
        "; use the client id and secret of Alexa Skill Messaging (Build > Permissions), not those of account linking"
    } else {
        ""
    }
}

/// The state behind the lock: the tokens, `None` until read from the store on first use.
type Cache = Option<Option<LwaTokens>>;

/// The Login-with-Amazon client: exchanges AcceptGrant codes, keeps the tokens in an
/// [`LwaTokenStore`] and hands out fresh access tokens.
///
/// One `LwaClient` serves one user (one hub). It is `Send + Sync`; share it behind an
/// `Arc` (or let [`EventGateway`](crate::gateway::EventGateway) own it).
///
/// # Examples
///
/// ```
/// use ha_alexa::config::ClientSecret;
/// use ha_alexa::lwa::{LwaClient, LwaConfig, LwaError, MemoryLwaStore, RelinkReason};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let config = LwaConfig::new("amzn1.application-oa2-client.0123", ClientSecret::try_new("s")?)?;
/// let lwa = LwaClient::new(config, MemoryLwaStore::new())?;
/// // Nothing is linked yet: no request is made, the user must link.
/// let error = lwa.access_token().await.unwrap_err();
/// assert!(matches!(error, LwaError::RelinkRequired { reason: RelinkReason::NotLinked }));
/// # Ok::<(), ha_alexa::Error>(()) }).unwrap();
/// ```
pub struct LwaClient<S, C = SystemClock> {
    config: LwaConfig,
    http: https::Client,
    store: S,
    clock: C,
    tokens: Mutex<Cache>,
}

impl<S, C> core::fmt::Debug for LwaClient<S, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("LwaClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<S: LwaTokenStore> LwaClient<S> {
    /// A client on the system clock.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when the HTTPS client cannot be built (no root certificates).
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::{LwaClient, LwaConfig, MemoryLwaStore}};
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?;
    /// let lwa = LwaClient::new(config, MemoryLwaStore::new())?;
    /// assert_eq!(lwa.config().client_id(), "id");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn new(config: LwaConfig, store: S) -> Result<Self, TransportError> {
        Self::with_clock(config, store, SystemClock)
    }
}

impl<S: LwaTokenStore, C: Clock> LwaClient<S, C> {
    /// A client reading time from `clock`, for tests that move time by hand.
    ///
    /// # Errors
    ///
    /// A [`TransportError`] when the HTTPS client cannot be built (no root certificates).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use ha_alexa::clock::ManualClock;
    /// # use ha_alexa::{config::ClientSecret, lwa::{LwaClient, LwaConfig, MemoryLwaStore}};
    /// let config = LwaConfig::new("id", ClientSecret::try_new("s")?)?;
    /// let lwa = LwaClient::with_clock(config, MemoryLwaStore::new(), ManualClock::new(SystemTime::now()))?;
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn with_clock(config: LwaConfig, store: S, clock: C) -> Result<Self, TransportError> {
        let http = https::Client::new(&https::Settings {
            connect_timeout: config.timeout,
            read_timeout: config.timeout,
            total_timeout: Some(config.timeout),
            verification: https::Verification::Roots(Vec::new()),
        })?;
        Ok(Self {
            config,
            http,
            store,
            clock,
            tokens: Mutex::new(None),
        })
    }

    /// The settings.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::{LwaClient, LwaConfig, MemoryLwaStore}};
    /// let lwa = LwaClient::new(LwaConfig::new("id", ClientSecret::try_new("s")?)?, MemoryLwaStore::new())?;
    /// assert_eq!(lwa.config().token_url(), ha_alexa::lwa::TOKEN_URL);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn config(&self) -> &LwaConfig {
        &self.config
    }

    /// The token store.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::{LwaClient, LwaConfig, MemoryLwaStore}};
    /// let lwa = LwaClient::new(LwaConfig::new("id", ClientSecret::try_new("s")?)?, MemoryLwaStore::new())?;
    /// let _store: &MemoryLwaStore = lwa.store();
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Whether tokens are stored (the user linked and no refusal removed them since).
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::{LwaClient, LwaConfig, MemoryLwaStore}};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lwa = LwaClient::new(LwaConfig::new("id", ClientSecret::try_new("s")?)?, MemoryLwaStore::new())?;
    /// assert!(!lwa.is_linked().await?);
    /// # Ok::<(), ha_alexa::Error>(()) }).unwrap();
    /// ```
    pub async fn is_linked(&self) -> Result<bool, StoreError> {
        let mut cache = self.tokens.lock().await;
        Ok(self.loaded(&mut cache).await?.is_some())
    }

    /// Exchanges the grant code of an AcceptGrant directive for tokens and stores them,
    /// replacing any earlier ones.
    ///
    /// Posts `grant_type=authorization_code&code=…&client_id=…&client_secret=…`,
    /// form-encoded, to the token endpoint. A hub answers AcceptGrant with
    /// ACCEPT_GRANT_FAILED when this fails.
    ///
    /// # Errors
    ///
    /// [`LwaError::Refused`] when LWA refuses the code or the client
    /// (`invalid_grant`, `invalid_client`), [`LwaError::Response`] for any other answer,
    /// [`LwaError::Transport`] when LWA cannot be reached, [`LwaError::Store`] when the
    /// tokens cannot be stored.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use async_trait::async_trait;
    /// use ha_alexa::interface::authorization::AcceptGrant;
    /// use ha_alexa::lwa::{FileLwaStore, LwaClient};
    /// use ha_alexa::AlexaError;
    ///
    /// struct MyHub {
    ///     lwa: LwaClient<FileLwaStore>,
    /// }
    ///
    /// impl MyHub {
    ///     // Called from `Hub::accept_grant`.
    ///     async fn accept_grant(&self, grant: &AcceptGrant) -> Result<(), AlexaError> {
    ///         self.lwa
    ///             .accept_grant(&grant.grant.code)
    ///             .await
    ///             .map_err(|e| AlexaError::accept_grant_failed(e.to_string()))
    ///     }
    /// }
    /// ```
    pub async fn accept_grant(&self, code: &GrantCode) -> Result<(), LwaError> {
        let mut cache = self.tokens.lock().await;
        let tokens = self
            .request(Grant::AuthorizationCode, code.expose_secret(), None)
            .await?;
        self.store.save(&tokens).await?;
        *cache = Some(Some(tokens));
        tracing::info!("login with amazon tokens received for proactive events");
        Ok(())
    }

    /// A valid access token: the stored one while it has more than the refresh margin left,
    /// otherwise a new one from a refresh, which is stored.
    ///
    /// Concurrent callers wait for one refresh and share its token.
    ///
    /// # Errors
    ///
    /// [`LwaError::RelinkRequired`] when there are no tokens or no refresh token, or LWA
    /// refuses the refresh token (which is then removed from the store);
    /// [`LwaError::Refused`], [`LwaError::Response`] or [`LwaError::Transport`] when the
    /// refresh fails otherwise (the tokens are kept; a later call tries again);
    /// [`LwaError::Store`] when the store cannot be read or written.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn post(_: &str) {}
    /// # async fn send(lwa: &ha_alexa::lwa::LwaClient<ha_alexa::lwa::FileLwaStore>) -> Result<(), ha_alexa::lwa::LwaError> {
    /// let token = lwa.access_token().await?;
    /// post(token.expose_secret()).await;
    /// # Ok(()) }
    /// ```
    pub async fn access_token(&self) -> Result<BearerToken, LwaError> {
        let mut cache = self.tokens.lock().await;
        let now = self.clock.now();
        let Some(tokens) = self.loaded(&mut cache).await?.clone() else {
            return Err(LwaError::RelinkRequired {
                reason: RelinkReason::NotLinked,
            });
        };
        if tokens.is_fresh(now, self.config.refresh_margin) {
            return Ok(tokens.access_token().clone());
        }
        let Some(refresh_token) = tokens.refresh_token().cloned() else {
            return Err(LwaError::RelinkRequired {
                reason: RelinkReason::NoRefreshToken,
            });
        };
        let fresh = match self
            .request(
                Grant::RefreshToken,
                refresh_token.expose_secret(),
                Some(&refresh_token),
            )
            .await
        {
            Ok(fresh) => fresh,
            Err(LwaError::Refused { code, .. }) if code == "invalid_grant" => {
                self.store.clear().await?;
                *cache = Some(None);
                tracing::warn!(
                    "login with amazon refused the refresh token; the skill must be linked again"
                );
                return Err(LwaError::RelinkRequired {
                    reason: RelinkReason::RefreshTokenRefused,
                });
            }
            Err(error) => return Err(error),
        };
        self.store.save(&fresh).await?;
        let token = fresh.access_token().clone();
        *cache = Some(Some(fresh));
        tracing::debug!("login with amazon access token refreshed");
        Ok(token)
    }

    /// Marks `token` expired, so that the next [`access_token`](Self::access_token)
    /// refreshes: the event gateway refused it (`INVALID_ACCESS_TOKEN_EXCEPTION`).
    ///
    /// Does nothing when `token` is no longer the current access token, so that callers
    /// that were refused with the same token cause one refresh, not one each.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn f(lwa: &ha_alexa::lwa::LwaClient<ha_alexa::lwa::FileLwaStore>) -> Result<(), ha_alexa::lwa::LwaError> {
    /// let token = lwa.access_token().await?;
    /// // ... the event gateway answers INVALID_ACCESS_TOKEN_EXCEPTION ...
    /// lwa.invalidate(&token).await;
    /// let fresh = lwa.access_token().await?; // refreshed
    /// # Ok(()) }
    /// ```
    pub async fn invalidate(&self, token: &BearerToken) {
        if let Some(Some(tokens)) = &mut *self.tokens.lock().await
            && tokens.access_token() == token
        {
            tokens.expire();
        }
    }

    /// Removes the tokens from memory and from the store (the user unlinked).
    ///
    /// # Errors
    ///
    /// A [`StoreError`] when the store cannot be written.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_alexa::{config::ClientSecret, lwa::{LwaClient, LwaConfig, MemoryLwaStore}};
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let lwa = LwaClient::new(LwaConfig::new("id", ClientSecret::try_new("s")?)?, MemoryLwaStore::new())?;
    /// lwa.forget().await?;
    /// assert!(!lwa.is_linked().await?);
    /// # Ok::<(), ha_alexa::Error>(()) }).unwrap();
    /// ```
    pub async fn forget(&self) -> Result<(), StoreError> {
        let mut cache = self.tokens.lock().await;
        self.store.clear().await?;
        *cache = Some(None);
        Ok(())
    }

    /// The cached tokens, read from the store the first time.
    async fn loaded<'a>(&self, cache: &'a mut Cache) -> Result<&'a Option<LwaTokens>, StoreError> {
        if cache.is_none() {
            *cache = Some(self.store.load().await?);
        }
        Ok(cache.get_or_insert(None))
    }

    /// Posts one token request and reads the tokens from the answer. A refresh without a
    /// new refresh token keeps `previous`.
    async fn request(
        &self,
        grant: Grant,
        secret: &str,
        previous: Option<&RefreshToken>,
    ) -> Result<LwaTokens, LwaError> {
        let field = match grant {
            Grant::AuthorizationCode => "code",
            Grant::RefreshToken => "refresh_token",
        };
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", grant.as_str())
            .append_pair(field, secret)
            .append_pair("client_id", &self.config.client_id)
            .append_pair("client_secret", self.config.client_secret.expose_secret())
            .finish();
        let sent_at = self.clock.now();
        let https::Reply { status, body, .. } = self
            .http
            .post(https::Post {
                url: &self.config.token_url,
                content_type: "application/x-www-form-urlencoded;charset=UTF-8",
                bearer: None,
                body: form.into_bytes(),
                limit: MAX_RESPONSE_BYTES,
            })
            .await?;
        if status == 200 {
            return parse_tokens(&body, sent_at, previous).map_err(|reason| LwaError::Response {
                grant,
                status,
                reason,
            });
        }
        Err(match serde_json::from_slice::<ErrorBody>(&body) {
            Ok(error) => LwaError::Refused {
                grant,
                status,
                code: error.error,
                description: error.error_description.unwrap_or_default(),
            },
            Err(_) => LwaError::Response {
                grant,
                status,
                reason: String::from("the body is not an OAuth error"),
            },
        })
    }
}

/// An OAuth error body (RFC 6749 §5.2).
#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// A token response (RFC 6749 §5.1).
#[derive(Deserialize)]
struct TokenBody {
    access_token: BearerToken,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
    expires_in: u64,
}

fn parse_tokens(
    body: &[u8],
    issued_at: SystemTime,
    previous: Option<&RefreshToken>,
) -> Result<LwaTokens, String> {
    let body: TokenBody = serde_json::from_slice(body).map_err(|e| {
        format!(
            "a token response that does not parse at line {} column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e)
        )
    })?;
    let expires_at = issued_at
        .checked_add(Duration::from_secs(body.expires_in))
        .ok_or_else(|| format!("expires_in {} is out of range", body.expires_in))?;
    Ok(LwaTokens::new(
        body.access_token,
        body.refresh_token.or_else(|| previous.cloned()),
        expires_at,
    ))
}

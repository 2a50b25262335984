//! The authorization server: configuration, the hub's authenticator, a token store and a clock.

use core::fmt;

use super::config::ServerConfig;
use super::error::{ConfigError, ErrorCode, OAuthError};
use super::seal::SealingKey;
use super::secret::TokenHash;
use super::store::{AccessLookup, TokenStore};
use super::throttle::Throttle;
use super::user::{Authenticator, UserId};
use crate::clock::{Clock, SystemClock};

/// The longest access token looked up, in bytes (ours are 43).
const MAX_TOKEN_BYTES: usize = 512;

/// The account-linking OAuth 2.0 authorization server, independent of any HTTP framework.
///
/// It answers the three requests of account linking from their raw parts (query string, form
/// body, `Authorization` header) and leaves HTTP to the caller; the `axum` feature mounts it
/// on a router (`oauth::axum::router`).
///
/// 1. [`authorize`](Self::authorize) (`GET /auth/authorize`): checks the client, redirect URI,
///    response type, scope and PKCE challenge, and returns a [`LoginPrompt`](super::LoginPrompt)
///    to render as the login page.
/// 2. [`login`](Self::login) (`POST /auth/authorize`): checks the user's credentials through
///    the hub's [`Authenticator`] and returns the redirect carrying the code and the unchanged
///    `state`.
/// 3. [`token`](Self::token) (`POST /auth/token`): authenticates the client, redeems the code
///    or rotates the refresh token, and returns a [`TokenResponse`](super::TokenResponse).
///
/// Then [`verify_access_token`](Self::verify_access_token) tells the hub which user an
/// access token from Alexa belongs to.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{
///     AuthorizationServer, Authenticator, Credentials, MemoryTokenStore, ServerConfig, UserId,
/// };
///
/// struct Hub;
/// impl Authenticator for Hub {
///     type Error = std::io::Error;
///     async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
///         Ok(None) // look the user up in the hub's user database here
///     }
/// }
///
/// let server = AuthorizationServer::new(ServerConfig::amazon(), Hub, MemoryTokenStore::new())?;
/// let prompt = server
///     .authorize(
///         "response_type=code&client_id=https%3A%2F%2Fpitangui.amazon.com%2F&state=xyz\
///          &redirect_uri=https%3A%2F%2Fpitangui.amazon.com%2Fapi%2Fskill%2Flink%2FM2X",
///     )
///     .unwrap();
/// assert_eq!(prompt.client_name(), "Amazon Alexa");
/// # Ok::<(), ha_alexa::oauth::ConfigError>(())
/// ```
pub struct AuthorizationServer<A, S, C = SystemClock> {
    pub(crate) config: ServerConfig,
    pub(crate) key: SealingKey,
    pub(crate) authenticator: A,
    pub(crate) store: S,
    pub(crate) clock: C,
    /// Failed logins per user name and per login form.
    pub(crate) logins: Throttle,
    /// Failed client authentications per client id.
    pub(crate) clients: Throttle,
}

impl<A: Authenticator, S: TokenStore> AuthorizationServer<A, S> {
    /// A server on the system clock.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] when `config` has no clients, duplicate client ids or a lifetime out
    /// of bounds, or the random sealing key cannot be generated.
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
    /// let server = AuthorizationServer::new(ServerConfig::amazon(), Hub, MemoryTokenStore::new());
    /// assert!(server.is_ok());
    /// let none = AuthorizationServer::new(ServerConfig::with_clients([]), Hub, MemoryTokenStore::new());
    /// assert!(matches!(none, Err(ConfigError::NoClients)));
    /// ```
    pub fn new(config: ServerConfig, authenticator: A, store: S) -> Result<Self, ConfigError> {
        Self::with_clock(config, authenticator, store, SystemClock)
    }
}

impl<A: Authenticator, S: TokenStore, C: Clock> AuthorizationServer<A, S, C> {
    /// A server reading time from `clock`, for tests that move time by hand.
    ///
    /// # Errors
    ///
    /// As [`AuthorizationServer::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use ha_alexa::oauth::{
    ///     AuthorizationServer, Authenticator, Credentials, ManualClock, MemoryTokenStore,
    ///     ServerConfig, UserId,
    /// };
    /// # struct Hub;
    /// # impl Authenticator for Hub {
    /// #     type Error = std::io::Error;
    /// #     async fn authenticate(&self, _: &Credentials) -> Result<Option<UserId>, Self::Error> { Ok(None) }
    /// # }
    ///
    /// let clock = ManualClock::new(SystemTime::now());
    /// let server = AuthorizationServer::with_clock(
    ///     ServerConfig::amazon(),
    ///     Hub,
    ///     MemoryTokenStore::new(),
    ///     clock.clone(),
    /// )?;
    /// # let _ = server;
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn with_clock(
        config: ServerConfig,
        authenticator: A,
        store: S,
        clock: C,
    ) -> Result<Self, ConfigError> {
        let key = config.validate()?;
        Ok(Self {
            logins: Throttle::new(config.login_throttle()),
            clients: Throttle::new(config.client_throttle()),
            config,
            key,
            authenticator,
            store,
            clock,
        })
    }

    /// The configuration.
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
    /// assert_eq!(server.config().clients().len(), 3);
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The token store.
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
    /// let store: &MemoryTokenStore = server.store();
    /// # let _ = store;
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Checks an access token presented by Alexa (in a directive's `scope.token`) and returns
    /// the grant it belongs to, whose [`user`](super::GrantRecord::user) the hub acts for.
    ///
    /// # Errors
    ///
    /// `invalid_token` (401) when the token is unknown, revoked or expired; `server_error` when
    /// the store fails.
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
    /// let error = server.verify_access_token("not-a-token").await.unwrap_err();
    /// assert_eq!(error.code(), ErrorCode::InvalidToken);
    /// # Ok::<(), ConfigError>(()) }).unwrap();
    /// ```
    pub async fn verify_access_token(&self, token: &str) -> Result<AccessLookup, OAuthError> {
        let unknown = || {
            OAuthError::new(
                ErrorCode::InvalidToken,
                "access token is unknown or revoked",
            )
        };
        if token.is_empty() || token.len() > MAX_TOKEN_BYTES {
            return Err(unknown());
        }
        let lookup = self
            .store
            .find_access(&TokenHash::of(token))
            .await?
            .ok_or_else(unknown)?;
        if lookup.expires_at() <= self.clock.now() {
            return Err(OAuthError::new(
                ErrorCode::InvalidToken,
                "access token expired",
            ));
        }
        Ok(lookup)
    }

    /// Checks an `Authorization: Bearer <token>` header value, as the Lambda proxy sends it.
    ///
    /// # Errors
    ///
    /// `invalid_token` when the header is not a bearer token or the token is not valid (see
    /// [`verify_access_token`](Self::verify_access_token)).
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
    /// let error = server.verify_bearer("Basic Zm9vOmJhcg==").await.unwrap_err();
    /// assert_eq!(error.description(), "expected `Authorization: Bearer <token>`");
    /// # Ok::<(), ConfigError>(()) }).unwrap();
    /// ```
    pub async fn verify_bearer(&self, authorization: &str) -> Result<AccessLookup, OAuthError> {
        match authorization.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => {
                self.verify_access_token(token.trim()).await
            }
            _ => Err(OAuthError::new(
                ErrorCode::InvalidToken,
                "expected `Authorization: Bearer <token>`",
            )),
        }
    }

    /// Revokes every grant of `user`, for example when the user is deleted or unlinks.
    /// Returns how many grants there were.
    ///
    /// # Errors
    ///
    /// `server_error` when the store fails.
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
    /// assert_eq!(server.revoke_user(&UserId::new("alice")).await.unwrap(), 0);
    /// # Ok::<(), ConfigError>(()) }).unwrap();
    /// ```
    pub async fn revoke_user(&self, user: &UserId) -> Result<usize, OAuthError> {
        let revoked = self.store.revoke_user(user).await?;
        tracing::info!(%user, revoked, "revoked the user's grants");
        Ok(revoked)
    }

    /// Forgets expired codes and tokens. The server also does this whenever it issues a code;
    /// call it periodically to bound the store when nobody links.
    ///
    /// # Errors
    ///
    /// `server_error` when the store fails.
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
    /// server.purge_expired().await.unwrap();
    /// # Ok::<(), ConfigError>(()) }).unwrap();
    /// ```
    pub async fn purge_expired(&self) -> Result<(), OAuthError> {
        Ok(self.store.purge_expired(self.clock.now()).await?)
    }
}

impl<A, S, C> fmt::Debug for AuthorizationServer<A, S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationServer")
            .field("config", &self.config)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

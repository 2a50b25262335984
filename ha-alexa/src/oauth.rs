//! The account-linking OAuth 2.0 authorization server: Alexa users link their Amazon account
//! to their account on the hub.
//!
//! Alexa's account linking is the authorization-code grant of RFC 6749 with the hub as the
//! authorization server and Amazon as the client:
//!
//! 1. The Alexa app opens `GET /auth/authorize?response_type=code&client_id=…&redirect_uri=…&state=…`
//!    on the hub. [`AuthorizationServer::authorize`] checks the request and the hub shows a
//!    login page ([`LoginPage`], for example [`MinimalLoginPage`]).
//! 2. The user logs in (`POST /auth/authorize`). [`AuthorizationServer::login`] checks the
//!    credentials through the hub's [`Authenticator`] (the library never stores passwords)
//!    and redirects to Amazon with a single-use code and the unchanged `state`.
//! 3. Amazon exchanges the code at `POST /auth/token` ([`AuthorizationServer::token`]) for an
//!    access token and a refresh token, and refreshes whenever the access token expires.
//!    Every refresh rotates the refresh token.
//! 4. Alexa sends the access token with every directive; [`AuthorizationServer::verify_access_token`]
//!    says which user it belongs to.
//!
//! The core takes raw query strings, form bodies and `Authorization` headers, so it works with
//! any HTTP framework; the `axum` feature mounts it as `oauth::axum::router`.
//!
//! # Secure by default
//!
//! * Only Amazon's three client ids ([`AMAZON_CLIENT_IDS`], trailing slash included) or the
//!   configured [`ClientConfig`]s are accepted. A `redirect_uri` must have the client id's scheme,
//!   host and port, or be configured; otherwise the error is shown and nothing is redirected.
//! * Codes are 256-bit random, single-use, valid for 5 minutes, bound to the client, the
//!   redirect URI, the PKCE challenge (S256 only) and the user. A replayed code revokes the
//!   tokens issued for it.
//! * Refresh tokens rotate; a replaced refresh token presented again revokes the whole grant.
//!   Access tokens expire (30 minutes by default).
//! * Client secrets, PKCE verifiers and the login form's seal are compared in constant time
//!   ([`subtle`](https://docs.rs/subtle)). Stores keep SHA-256 hashes of codes and tokens,
//!   never the values.
//! * Password guessing is throttled per user name and per login form: growing delays, then a
//!   temporary lockout that the login page explains ([`ThrottlePolicy`]); the caller's address
//!   reaches the [`Authenticator`] ([`Credentials::remote_addr`]) so the hub can throttle by
//!   address too. Client-secret guessing at the token endpoint is throttled per client id.
//! * Only the configured scopes (default `smart_home`) may be requested. A refresh revokes the
//!   access tokens issued before it; grants may get a maximum lifetime.
//! * Secrets live in [`Secret`], whose `Debug` prints `***`, and are never logged.
//! * Parameters are parsed strictly (no repeats, no malformed percent-encoding, bounded sizes),
//!   and errors follow RFC 6749 §5.2 with the right HTTP status ([`OAuthError`]).
//! * Time comes from a [`Clock`], so expiry is testable with [`ManualClock`].
//!
//! # Examples
//!
//! The whole flow against the core, as Amazon and the user's browser would drive it:
//!
//! ```
//! use ha_alexa::oauth::{
//!     AuthorizationServer, Authenticator, Credentials, LoginOutcome, MemoryTokenStore,
//!     ServerConfig, UserId,
//! };
//!
//! struct Hub;
//! impl Authenticator for Hub {
//!     type Error = std::convert::Infallible;
//!     async fn authenticate(&self, c: &Credentials) -> Result<Option<UserId>, Self::Error> {
//!         let ok = c.username() == "alice" && c.password().matches("correct horse");
//!         Ok(ok.then(|| UserId::new("alice")))
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let server = AuthorizationServer::new(ServerConfig::amazon(), Hub, MemoryTokenStore::new())?;
//! let redirect_uri = "https%3A%2F%2Fpitangui.amazon.com%2Fapi%2Fskill%2Flink%2FM2X";
//! let prompt = server
//!     .authorize(&format!(
//!         "response_type=code&client_id=https%3A%2F%2Fpitangui.amazon.com%2F\
//!          &redirect_uri={redirect_uri}&state=abc"
//!     ))
//!     .unwrap();
//!
//! let form = format!(
//!     "request={}&username=alice&password=correct+horse",
//!     prompt.sealed_request()
//! );
//! let LoginOutcome::Redirect(redirect) = server.login(form.as_bytes()).await.unwrap() else {
//!     panic!("login failed");
//! };
//! let code = redirect.url().query_pairs().find(|(k, _)| k == "code").unwrap().1;
//!
//! let tokens = server
//!     .token(
//!         format!(
//!             "grant_type=authorization_code&code={code}&redirect_uri={redirect_uri}\
//!              &client_id=https%3A%2F%2Fpitangui.amazon.com%2F"
//!         )
//!         .as_bytes(),
//!         None,
//!     )
//!     .await
//!     .unwrap();
//! let grant = server.verify_access_token(tokens.access_token().expose()).await.unwrap();
//! assert_eq!(grant.grant().user().as_str(), "alice");
//! # Ok::<(), ha_alexa::oauth::ConfigError>(()) }).unwrap();
//! ```

mod authorize;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
mod client;
mod config;
mod error;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
pub mod page;
mod params;
mod pkce;
mod seal;
mod secret;
mod server;
mod store;
mod throttle;
mod token;
mod user;

pub use self::authorize::{AuthorizeError, LoginOutcome, LoginPrompt, MAX_STATE_BYTES, Redirect};
pub use self::client::{AMAZON_CLIENT_IDS, ClientConfig};
pub use self::config::{SMART_HOME_SCOPE, ServerConfig};
pub use self::error::{BASIC_CHALLENGE, ConfigError, ErrorCode, OAuthError, RandomError};
pub use self::page::{LoginPage, MinimalLoginPage};
pub use self::params::MAX_FORM_BYTES;
pub use self::seal::SealingKey;
pub use self::secret::{Secret, TokenHash};
pub use self::server::AuthorizationServer;
pub use self::store::{
    AccessLookup, CodeRecord, FileTokenStore, GrantId, GrantRecord, InvalidGrantId, IssuedTokens,
    MemoryTokenStore, Redemption, RefreshLookup, TokenStore,
};
pub use self::throttle::{ThrottlePolicy, Throttled};
pub use self::token::TokenResponse;
pub use self::user::{Authenticator, Credentials, UserId};
pub use crate::clock::{Clock, ManualClock, SystemClock};
pub use crate::error::StoreError;

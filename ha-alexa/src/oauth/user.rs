//! Users of the hub, and the hub's way of checking their credentials.

use core::fmt;
use std::future::Future;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use super::secret::Secret;

/// The hub's identifier of a user, as returned by its [`Authenticator`].
///
/// Tokens are issued to this id; [`GrantRecord::user`](super::GrantRecord::user) hands it back
/// when Alexa presents a token. Not secret: it appears in logs.
///
/// # Examples
///
/// ```
/// let user = ha_alexa::oauth::UserId::new("alice");
/// assert_eq!(user.as_str(), "alice");
/// assert_eq!(user.to_string(), "alice");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// Wraps the hub's user identifier.
    ///
    /// # Examples
    ///
    /// ```
    /// let user = ha_alexa::oauth::UserId::new(String::from("7f3c"));
    /// # let _ = user;
    /// ```
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The identifier.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::UserId::new("bob").as_str(), "bob");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the user typed into the login page. The password's `Debug` prints `"***"`.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{Credentials, Secret};
///
/// let credentials = Credentials::new("alice", Secret::new("correct horse"));
/// assert_eq!(credentials.username(), "alice");
/// assert!(!format!("{credentials:?}").contains("horse"));
/// ```
#[derive(Clone, Debug)]
pub struct Credentials {
    username: String,
    password: Secret,
    remote_addr: Option<IpAddr>,
}

impl Credentials {
    /// Credentials from a username and password.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{Credentials, Secret};
    /// let credentials = Credentials::new("alice", Secret::new("pw"));
    /// assert_eq!(credentials.password().expose(), "pw");
    /// ```
    pub fn new(username: impl Into<String>, password: Secret) -> Self {
        Self {
            username: username.into(),
            password,
            remote_addr: None,
        }
    }

    /// The same credentials, submitted from `addr`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::{IpAddr, Ipv4Addr};
    /// use ha_alexa::oauth::{Credentials, Secret};
    /// let from = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
    /// let credentials = Credentials::new("alice", Secret::new("pw")).with_remote_addr(Some(from));
    /// assert_eq!(credentials.remote_addr(), Some(from));
    /// ```
    #[must_use]
    pub fn with_remote_addr(mut self, addr: Option<IpAddr>) -> Self {
        self.remote_addr = addr;
        self
    }

    /// The address the login form came from, when the HTTP layer knows it (the `axum`
    /// router passes the peer address of the connection). Behind a reverse proxy this is the
    /// proxy's address unless the hub passes the client's own to
    /// [`AuthorizationServer::login_from`](super::AuthorizationServer::login_from).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{Credentials, Secret};
    /// assert_eq!(Credentials::new("alice", Secret::new("pw")).remote_addr(), None);
    /// ```
    pub fn remote_addr(&self) -> Option<IpAddr> {
        self.remote_addr
    }

    /// The username as typed.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{Credentials, Secret};
    /// assert_eq!(Credentials::new("alice", Secret::new("pw")).username(), "alice");
    /// ```
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The password as typed.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{Credentials, Secret};
    /// let credentials = Credentials::new("alice", Secret::new("pw"));
    /// assert!(credentials.password().matches("pw"));
    /// ```
    pub fn password(&self) -> &Secret {
        &self.password
    }
}

/// The hub's check of a user's credentials; the library never stores passwords.
///
/// Return `Ok(Some(user))` for valid credentials, `Ok(None)` for invalid ones (the login page is
/// shown again), and `Err` when the check itself failed (the user sees `server_error`). Compare
/// password hashes in constant time. The server already throttles failed attempts per user
/// name and per login form ([`ThrottlePolicy`](super::ThrottlePolicy)); a hub reachable from
/// the internet may also throttle by [`Credentials::remote_addr`].
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{Authenticator, Credentials, Secret, UserId};
///
/// /// One user whose password comes from the hub's configuration.
/// struct SingleUser {
///     username: String,
///     password: Secret,
/// }
///
/// impl Authenticator for SingleUser {
///     type Error = std::convert::Infallible;
///
///     async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
///         let ok = credentials.username() == self.username
///             && self.password.matches(credentials.password().expose());
///         Ok(ok.then(|| UserId::new(&self.username)))
///     }
/// }
/// ```
pub trait Authenticator: Send + Sync + 'static {
    /// Why a check failed (not a wrong password, which is `Ok(None)`).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Checks `credentials`, returning the user they belong to.
    fn authenticate(
        &self,
        credentials: &Credentials,
    ) -> impl Future<Output = Result<Option<UserId>, Self::Error>> + Send;
}

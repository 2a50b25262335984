//! Configuration of the authorization server: clients, lifetimes, PKCE policy.

use std::time::Duration;

use super::client::ClientConfig;
use super::error::ConfigError;
use super::seal::SealingKey;
use super::throttle::ThrottlePolicy;

/// The scope Alexa requests when the skill's console lists it, and the only one allowed by
/// default.
pub const SMART_HOME_SCOPE: &str = "smart_home";

/// Settings of an [`AuthorizationServer`](super::AuthorizationServer).
///
/// | setting | default | bounds |
/// |---|---|---|
/// | clients | Amazon's three ([`ClientConfig::amazon`]) | at least one, unique ids |
/// | authorization code lifetime | 5 min | 1 s ..= 10 min (RFC 6749 §4.1.2) |
/// | access token lifetime | 30 min (as Home Assistant) | 1 s ..= 24 h |
/// | refresh token idle lifetime | none: valid until rotated or revoked | 1 s ..= 400 days |
/// | refresh token maximum lifetime | none: a grant lives until revoked | 1 s ..= 400 days |
/// | scopes | `smart_home` ([`SMART_HOME_SCOPE`]) | requests for others are `invalid_scope` |
/// | login throttle | [`ThrottlePolicy::default`], per user name and per login form | |
/// | client-secret throttle | [`ThrottlePolicy::default`], per client id | |
/// | login form lifetime | 10 min | 1 s ..= 1 h |
/// | PKCE | used when the client sends a challenge | [`ServerConfig::require_pkce`] |
/// | sealing key | random per server | [`ServerConfig::with_sealing_key`] |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ha_alexa::oauth::{ClientConfig, Secret, ServerConfig};
///
/// let config = ServerConfig::with_clients([
///     ClientConfig::new("https://pitangui.amazon.com/")?.with_secret(Secret::new("s3cret")),
/// ])
/// .with_access_token_lifetime(Duration::from_secs(3600))
/// .require_pkce();
/// assert_eq!(config.clients().len(), 1);
/// # Ok::<(), ha_alexa::oauth::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ServerConfig {
    clients: Vec<ClientConfig>,
    code_lifetime: Duration,
    access_token_lifetime: Duration,
    refresh_token_idle_lifetime: Option<Duration>,
    refresh_token_max_lifetime: Option<Duration>,
    login_lifetime: Duration,
    require_pkce: bool,
    sealing_key: Option<SealingKey>,
    scopes: Vec<String>,
    login_throttle: ThrottlePolicy,
    client_throttle: ThrottlePolicy,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self::with_clients(ClientConfig::amazon())
    }
}

impl ServerConfig {
    /// The defaults with Amazon's three clients.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::oauth::ServerConfig::amazon();
    /// assert_eq!(config.clients().len(), 3);
    /// ```
    pub fn amazon() -> Self {
        Self::default()
    }

    /// The defaults with these clients instead of Amazon's.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ClientConfig, ServerConfig};
    /// let config = ServerConfig::with_clients([ClientConfig::new("https://layla.amazon.com/")?]);
    /// assert_eq!(config.clients()[0].id(), "https://layla.amazon.com/");
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn with_clients(clients: impl IntoIterator<Item = ClientConfig>) -> Self {
        Self {
            clients: clients.into_iter().collect(),
            code_lifetime: Duration::from_mins(5),
            access_token_lifetime: Duration::from_mins(30),
            refresh_token_idle_lifetime: None,
            refresh_token_max_lifetime: None,
            login_lifetime: Duration::from_mins(10),
            require_pkce: false,
            sealing_key: None,
            scopes: vec![SMART_HOME_SCOPE.to_owned()],
            login_throttle: ThrottlePolicy::default(),
            client_throttle: ThrottlePolicy::default(),
        }
    }

    /// Sets how long an authorization code may be redeemed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = ha_alexa::oauth::ServerConfig::amazon().with_code_lifetime(Duration::from_secs(60));
    /// assert_eq!(config.code_lifetime(), Duration::from_secs(60));
    /// ```
    #[must_use]
    pub fn with_code_lifetime(mut self, lifetime: Duration) -> Self {
        self.code_lifetime = lifetime;
        self
    }

    /// Sets how long an access token is valid (`expires_in`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = ha_alexa::oauth::ServerConfig::amazon()
    ///     .with_access_token_lifetime(Duration::from_secs(3600));
    /// assert_eq!(config.access_token_lifetime(), Duration::from_secs(3600));
    /// ```
    #[must_use]
    pub fn with_access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.access_token_lifetime = lifetime;
        self
    }

    /// Expires refresh tokens not used for `lifetime`; each rotation starts the period again.
    ///
    /// Without this, a refresh token stays valid until it is rotated or revoked, so a user who
    /// does not talk to Alexa for months does not have to link again.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = ha_alexa::oauth::ServerConfig::amazon()
    ///     .with_refresh_token_idle_lifetime(Duration::from_secs(90 * 86_400));
    /// assert_eq!(config.refresh_token_idle_lifetime(), Some(Duration::from_secs(90 * 86_400)));
    /// ```
    #[must_use]
    pub fn with_refresh_token_idle_lifetime(mut self, lifetime: Duration) -> Self {
        self.refresh_token_idle_lifetime = Some(lifetime);
        self
    }

    /// Ends every grant `lifetime` after the user linked: its refresh token is then refused
    /// however recently it was rotated, and the user links again.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = ha_alexa::oauth::ServerConfig::amazon()
    ///     .with_refresh_token_max_lifetime(Duration::from_secs(365 * 86_400));
    /// assert_eq!(config.refresh_token_max_lifetime(), Some(Duration::from_secs(365 * 86_400)));
    /// ```
    #[must_use]
    pub fn with_refresh_token_max_lifetime(mut self, lifetime: Duration) -> Self {
        self.refresh_token_max_lifetime = Some(lifetime);
        self
    }

    /// Allows these scopes instead of `smart_home`; an authorization request asking for any
    /// other is refused with `invalid_scope`. A request without `scope` is always allowed.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_alexa::oauth::ServerConfig::amazon().with_scopes(["smart_home", "profile"]);
    /// assert_eq!(config.scopes(), ["smart_home", "profile"]);
    /// ```
    #[must_use]
    pub fn with_scopes<I: IntoIterator<Item = T>, T: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Throttles password guessing at the login page with `policy`, per user name and per
    /// login form.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use ha_alexa::oauth::{ServerConfig, ThrottlePolicy};
    /// let strict = ThrottlePolicy::default().with_lockout(10, Duration::from_hours(1));
    /// let config = ServerConfig::amazon().with_login_throttle(strict);
    /// assert_eq!(config.login_throttle(), strict);
    /// ```
    #[must_use]
    pub fn with_login_throttle(mut self, policy: ThrottlePolicy) -> Self {
        self.login_throttle = policy;
        self
    }

    /// Throttles client-secret guessing at the token endpoint with `policy`, per client id.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ServerConfig, ThrottlePolicy};
    /// let config = ServerConfig::amazon().with_client_throttle(ThrottlePolicy::default());
    /// assert_eq!(config.client_throttle(), ThrottlePolicy::default());
    /// ```
    #[must_use]
    pub fn with_client_throttle(mut self, policy: ThrottlePolicy) -> Self {
        self.client_throttle = policy;
        self
    }

    /// Sets how long the login page may be submitted after it was served.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = ha_alexa::oauth::ServerConfig::amazon().with_login_lifetime(Duration::from_secs(300));
    /// assert_eq!(config.login_lifetime(), Duration::from_secs(300));
    /// ```
    #[must_use]
    pub fn with_login_lifetime(mut self, lifetime: Duration) -> Self {
        self.login_lifetime = lifetime;
        self
    }

    /// Refuses authorization requests without an S256 code challenge.
    ///
    /// Enable this only when every client sends one (in the Alexa developer console, "Use PKCE"
    /// under account linking).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_alexa::oauth::ServerConfig::amazon().require_pkce().pkce_required());
    /// ```
    #[must_use]
    pub fn require_pkce(mut self) -> Self {
        self.require_pkce = true;
        self
    }

    /// Seals login forms with this key instead of a random one.
    ///
    /// Give every instance behind a load balancer the same key, so that a login page served by
    /// one instance can be submitted to another.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{SealingKey, ServerConfig};
    /// let config = ServerConfig::amazon().with_sealing_key(SealingKey::new([7; 32]));
    /// assert!(format!("{config:?}").contains("***"));
    /// ```
    #[must_use]
    pub fn with_sealing_key(mut self, key: SealingKey) -> Self {
        self.sealing_key = Some(key);
        self
    }

    /// The clients allowed to link.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::ServerConfig::amazon().clients().len(), 3);
    /// ```
    pub fn clients(&self) -> &[ClientConfig] {
        &self.clients
    }

    /// How long an authorization code may be redeemed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(ha_alexa::oauth::ServerConfig::amazon().code_lifetime(), Duration::from_secs(300));
    /// ```
    pub fn code_lifetime(&self) -> Duration {
        self.code_lifetime
    }

    /// How long an access token is valid.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = ha_alexa::oauth::ServerConfig::amazon();
    /// assert_eq!(config.access_token_lifetime(), Duration::from_secs(1800));
    /// ```
    pub fn access_token_lifetime(&self) -> Duration {
        self.access_token_lifetime
    }

    /// How long an unused refresh token stays valid, if limited.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::ServerConfig::amazon().refresh_token_idle_lifetime(), None);
    /// ```
    pub fn refresh_token_idle_lifetime(&self) -> Option<Duration> {
        self.refresh_token_idle_lifetime
    }

    /// How long a grant may live at most, if limited.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::ServerConfig::amazon().refresh_token_max_lifetime(), None);
    /// ```
    pub fn refresh_token_max_lifetime(&self) -> Option<Duration> {
        self.refresh_token_max_lifetime
    }

    /// The scopes a client may request.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::ServerConfig::amazon().scopes(), ["smart_home"]);
    /// ```
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The throttle of password guessing.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ServerConfig, ThrottlePolicy};
    /// assert_eq!(ServerConfig::amazon().login_throttle(), ThrottlePolicy::default());
    /// ```
    pub fn login_throttle(&self) -> ThrottlePolicy {
        self.login_throttle
    }

    /// The throttle of client-secret guessing.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ServerConfig, ThrottlePolicy};
    /// assert_eq!(ServerConfig::amazon().client_throttle(), ThrottlePolicy::default());
    /// ```
    pub fn client_throttle(&self) -> ThrottlePolicy {
        self.client_throttle
    }

    /// How long the login page may be submitted after it was served.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(ha_alexa::oauth::ServerConfig::amazon().login_lifetime(), Duration::from_secs(600));
    /// ```
    pub fn login_lifetime(&self) -> Duration {
        self.login_lifetime
    }

    /// Whether authorization requests must carry an S256 code challenge.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_alexa::oauth::ServerConfig::amazon().pkce_required());
    /// ```
    pub fn pkce_required(&self) -> bool {
        self.require_pkce
    }

    /// The configured client with exactly this id.
    pub(crate) fn client(&self, id: &str) -> Option<&ClientConfig> {
        self.clients.iter().find(|client| client.id() == id)
    }

    /// Why `id` is not a configured client, pointing out a missing trailing slash.
    pub(crate) fn unknown_client(&self, id: &str) -> String {
        let hint = self
            .clients
            .iter()
            .find(|client| client.id().strip_suffix('/') == Some(id));
        if let Some(client) = hint {
            format!(
                "unknown client_id `{id}`; did you mean `{}`? The trailing slash is part of the id",
                client.id()
            )
        } else {
            let shown: String = id.chars().take(100).collect();
            format!("unknown client_id `{shown}`")
        }
    }

    /// Whether every token of `scope` is allowed.
    pub(crate) fn scope_allowed(&self, scope: &str) -> bool {
        scope
            .split(' ')
            .all(|token| self.scopes.iter().any(|allowed| allowed == token))
    }

    /// Takes the sealing key, checking every setting.
    pub(crate) fn validate(&self) -> Result<SealingKey, ConfigError> {
        if self.clients.is_empty() {
            return Err(ConfigError::NoClients);
        }
        for (i, client) in self.clients.iter().enumerate() {
            if self.clients[..i].iter().any(|c| c.id() == client.id()) {
                return Err(ConfigError::DuplicateClient {
                    id: client.id().to_owned(),
                });
            }
        }
        check_lifetime("code lifetime", self.code_lifetime, 10 * 60)?;
        check_lifetime("access token lifetime", self.access_token_lifetime, 86_400)?;
        if let Some(lifetime) = self.refresh_token_idle_lifetime {
            check_lifetime("refresh token idle lifetime", lifetime, 400 * 86_400)?;
        }
        if let Some(lifetime) = self.refresh_token_max_lifetime {
            check_lifetime("refresh token maximum lifetime", lifetime, 400 * 86_400)?;
        }
        if let Some(scope) = self
            .scopes
            .iter()
            .find(|scope| !super::authorize::valid_scope(scope) || scope.contains(' '))
        {
            return Err(ConfigError::Scope {
                scope: scope.clone(),
            });
        }
        check_lifetime("login lifetime", self.login_lifetime, 3600)?;
        match &self.sealing_key {
            Some(key) => Ok(key.clone()),
            None => Ok(SealingKey::generate()?),
        }
    }
}

fn check_lifetime(
    name: &'static str,
    lifetime: Duration,
    max_secs: u64,
) -> Result<(), ConfigError> {
    if lifetime < Duration::from_secs(1) || lifetime > Duration::from_secs(max_secs) {
        Err(ConfigError::Lifetime {
            name,
            secs: lifetime.as_secs(),
            max_secs,
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unusable_settings() {
        let none = ServerConfig::with_clients([]);
        assert!(matches!(none.validate(), Err(ConfigError::NoClients)));
        let client = ClientConfig::new("a").unwrap();
        let twice = ServerConfig::with_clients([client.clone(), client]);
        assert!(matches!(twice.validate(), Err(ConfigError::DuplicateClient { id }) if id == "a"));
        let long = ServerConfig::amazon().with_code_lifetime(Duration::from_secs(601));
        assert_eq!(
            long.validate().unwrap_err().to_string(),
            "code lifetime must be between 1 s and 600 s, got 601 s"
        );
        let zero = ServerConfig::amazon().with_access_token_lifetime(Duration::ZERO);
        assert!(zero.validate().is_err());
        assert!(ServerConfig::amazon().validate().is_ok());
    }

    #[test]
    fn unknown_client_points_out_the_trailing_slash() {
        let config = ServerConfig::amazon();
        assert_eq!(
            config.unknown_client("https://pitangui.amazon.com"),
            "unknown client_id `https://pitangui.amazon.com`; did you mean \
             `https://pitangui.amazon.com/`? The trailing slash is part of the id"
        );
        assert_eq!(config.unknown_client("x"), "unknown client_id `x`");
        assert!(config.client("https://pitangui.amazon.com").is_none());
        assert!(config.client("https://pitangui.amazon.com/").is_some());
    }
}

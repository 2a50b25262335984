//! The clients allowed to link, and the redirect URIs each may use.

use url::Url;

use super::error::{ConfigError, OAuthError};
use super::secret::Secret;

/// The client ids Amazon uses for account linking, one per region: North America, Europe, and
/// Japan and Australia.
///
/// Enter one of them as the skill's Client ID in the Alexa developer console. **The trailing
/// slash is part of the id**: `https://pitangui.amazon.com` (without it) is refused.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::AMAZON_CLIENT_IDS;
/// assert!(AMAZON_CLIENT_IDS.contains(&"https://layla.amazon.com/"));
/// ```
pub const AMAZON_CLIENT_IDS: [&str; 3] = [
    "https://pitangui.amazon.com/",
    "https://layla.amazon.com/",
    "https://alexa.amazon.co.jp/",
];

/// The longest `redirect_uri` accepted, in bytes.
pub(crate) const MAX_REDIRECT_URI_BYTES: usize = 2048;

/// One client allowed to link: its id, optional secret and redirect-URI rule.
///
/// A `redirect_uri` is accepted when it equals one configured with
/// [`ClientConfig::with_redirect_uri`], or when the client id is an `http`/`https` URL and the
/// redirect URI has the same scheme, host and port (as Home Assistant's IndieAuth rule does; it
/// lets Amazon's `https://pitangui.amazon.com/api/skill/link/<vendor>` through). Fragments and
/// user information are never accepted.
///
/// Without a secret, the client is identified by its id alone and any `client_secret` it sends
/// is ignored, which is what Home Assistant does. With a secret, the token endpoint refuses
/// requests without it, in the body or by HTTP Basic, compared in constant time.
///
/// # Examples
///
/// ```
/// use ha_alexa::oauth::{ClientConfig, Secret};
///
/// let alexa = ClientConfig::new("https://pitangui.amazon.com/")?
///     .with_secret(Secret::new("from-the-alexa-console"));
/// assert!(alexa.redirect_allowed("https://pitangui.amazon.com/api/skill/link/M2X"));
/// assert!(!alexa.redirect_allowed("https://evil.example/api/skill/link/M2X"));
/// # Ok::<(), ha_alexa::oauth::ConfigError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ClientConfig {
    id: String,
    name: String,
    origin: Option<url::Origin>,
    secret: Option<Secret>,
    redirect_uris: Vec<String>,
    exact_redirects: bool,
    refresh_tokens: bool,
}

impl ClientConfig {
    /// A client with this id, no secret, and redirect URIs allowed on the id's origin.
    ///
    /// # Errors
    ///
    /// [`ConfigError::EmptyClientId`] when `id` is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = ha_alexa::oauth::ClientConfig::new("https://layla.amazon.com/")?;
    /// assert_eq!(client.id(), "https://layla.amazon.com/");
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn new(id: impl Into<String>) -> Result<Self, ConfigError> {
        let id = id.into();
        if id.is_empty() {
            return Err(ConfigError::EmptyClientId);
        }
        Ok(Self::from_id(id))
    }

    /// A client with a non-empty id.
    fn from_id(id: String) -> Self {
        let origin = Url::parse(&id)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .map(|url| url.origin());
        let name = if AMAZON_CLIENT_IDS.contains(&id.as_str()) {
            "Amazon Alexa".to_owned()
        } else {
            id.clone()
        };
        Self {
            id,
            name,
            origin,
            secret: None,
            redirect_uris: Vec::new(),
            exact_redirects: false,
            refresh_tokens: true,
        }
    }

    /// The three [Amazon clients](AMAZON_CLIENT_IDS), without secrets.
    ///
    /// # Examples
    ///
    /// ```
    /// let clients = ha_alexa::oauth::ClientConfig::amazon();
    /// assert_eq!(clients[0].id(), "https://pitangui.amazon.com/");
    /// assert_eq!(clients[0].name(), "Amazon Alexa");
    /// ```
    pub fn amazon() -> [Self; 3] {
        AMAZON_CLIENT_IDS.map(|id| Self::from_id(id.to_owned()))
    }

    /// Requires this secret at the token endpoint.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::oauth::{ClientConfig, Secret};
    /// let client = ClientConfig::new("my-client")?.with_secret(Secret::new("s3cret"));
    /// assert!(format!("{client:?}").contains("***"));
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_secret(mut self, secret: Secret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Allows this exact redirect URI, in addition to the id's origin.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidRedirectUri`] when `uri` is not an absolute URI, or has a
    /// fragment.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = ha_alexa::oauth::ClientConfig::new("my-app")?
    ///     .with_redirect_uri("com.example.app:/linked")?;
    /// assert!(client.redirect_allowed("com.example.app:/linked"));
    /// assert!(!client.redirect_allowed("com.example.app:/linked/"));
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn with_redirect_uri(mut self, uri: impl Into<String>) -> Result<Self, ConfigError> {
        let uri = uri.into();
        let reason = match Url::parse(&uri) {
            Err(_) => Some("not an absolute uri"),
            Ok(url) if url.fragment().is_some() => Some("it has a fragment"),
            Ok(_) if uri.len() > MAX_REDIRECT_URI_BYTES => Some("longer than 2048 bytes"),
            Ok(_) => None,
        };
        if let Some(reason) = reason {
            return Err(ConfigError::InvalidRedirectUri {
                client_id: self.id,
                uri,
                reason,
            });
        }
        self.redirect_uris.push(uri);
        Ok(self)
    }

    /// Accepts only the redirect URIs configured with
    /// [`with_redirect_uri`](Self::with_redirect_uri), exactly: every other URI is refused,
    /// including those on the client id's own host. For Amazon's clients, configure the three
    /// redirect URLs the skill's account-linking page lists.
    ///
    /// # Errors
    ///
    /// [`ConfigError::NoRedirectUris`] when no redirect URI is configured yet.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = ha_alexa::oauth::ClientConfig::new("https://pitangui.amazon.com/")?
    ///     .with_redirect_uri("https://pitangui.amazon.com/api/skill/link/M2X")?
    ///     .with_exact_redirect_uris()?;
    /// assert!(client.redirect_allowed("https://pitangui.amazon.com/api/skill/link/M2X"));
    /// assert!(!client.redirect_allowed("https://pitangui.amazon.com/api/skill/link/OTHER"));
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn with_exact_redirect_uris(mut self) -> Result<Self, ConfigError> {
        if self.redirect_uris.is_empty() {
            return Err(ConfigError::NoRedirectUris { client_id: self.id });
        }
        self.exact_redirects = true;
        Ok(self)
    }

    /// Sets the name shown on the login page (default: "Amazon Alexa" for Amazon's ids,
    /// otherwise the id).
    ///
    /// # Examples
    ///
    /// ```
    /// let client = ha_alexa::oauth::ClientConfig::new("x")?.with_name("Test app");
    /// assert_eq!(client.name(), "Test app");
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Issues no refresh tokens to this client; its `refresh_token` grants are refused with
    /// `unauthorized_client`.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = ha_alexa::oauth::ClientConfig::new("x")?.without_refresh_tokens();
    /// assert!(!client.refresh_tokens());
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    #[must_use]
    pub fn without_refresh_tokens(mut self) -> Self {
        self.refresh_tokens = false;
        self
    }

    /// The client id, exactly as the client must send it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::ClientConfig::new("x")?.id(), "x");
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The name shown to the user.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_alexa::oauth::ClientConfig::new("x")?.name(), "x");
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the client gets refresh tokens.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_alexa::oauth::ClientConfig::new("x")?.refresh_tokens());
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn refresh_tokens(&self) -> bool {
        self.refresh_tokens
    }

    /// Whether `uri` is an allowed redirect URI for this client.
    ///
    /// # Examples
    ///
    /// ```
    /// let client = ha_alexa::oauth::ClientConfig::new("https://pitangui.amazon.com/")?;
    /// assert!(client.redirect_allowed("https://pitangui.amazon.com:443/spa/link?x=1"));
    /// assert!(!client.redirect_allowed("http://pitangui.amazon.com/api/skill/link/M2X"));
    /// assert!(!client.redirect_allowed("https://pitangui.amazon.com.evil.example/"));
    /// assert!(!client.redirect_allowed("https://pitangui.amazon.com@evil.example/"));
    /// assert!(!client.redirect_allowed("https://pitangui.amazon.com/link#fragment"));
    /// # Ok::<(), ha_alexa::oauth::ConfigError>(())
    /// ```
    pub fn redirect_allowed(&self, uri: &str) -> bool {
        self.check_redirect(uri).is_ok()
    }

    /// Checks a `redirect_uri`, explaining a refusal.
    pub(crate) fn check_redirect(&self, uri: &str) -> Result<(), OAuthError> {
        let url = Url::parse(uri)
            .map_err(|_| OAuthError::invalid_request("`redirect_uri` is not an absolute uri"))?;
        if url.fragment().is_some() {
            return Err(OAuthError::invalid_request(
                "`redirect_uri` must not contain a fragment",
            ));
        }
        if self.redirect_uris.iter().any(|allowed| allowed == uri) {
            return Ok(());
        }
        if self.exact_redirects {
            return Err(OAuthError::invalid_request(format!(
                "`redirect_uri` is not one of the redirect URIs configured for client `{}`",
                self.id
            )));
        }
        let same_origin = self.origin.as_ref().is_some_and(|origin| {
            url.username().is_empty() && url.password().is_none() && url.origin() == *origin
        });
        if same_origin {
            Ok(())
        } else {
            Err(OAuthError::invalid_request(format!(
                "`redirect_uri` is not allowed for client `{}`: it must have the client id's \
                 scheme, host and port, or be configured",
                self.id
            )))
        }
    }

    /// Whether a secret is configured.
    pub(crate) fn has_secret(&self) -> bool {
        self.secret.is_some()
    }

    /// Checks a presented client secret. Clients without a configured secret accept any.
    pub(crate) fn secret_matches(&self, presented: Option<&str>) -> bool {
        match (&self.secret, presented) {
            (None, _) => true,
            (Some(secret), Some(presented)) => secret.matches(presented),
            (Some(_), None) => false,
        }
    }

    /// The exact redirect URIs configured for this client.
    pub(crate) fn configured_redirect_uris(&self) -> &[String] {
        &self.redirect_uris
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_redirects_pass_and_lookalikes_fail() {
        let [us, eu, jp] = ClientConfig::amazon();
        assert!(us.redirect_allowed("https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAA"));
        assert!(eu.redirect_allowed(
            "https://layla.amazon.com/spa/skill/account-linking-status.html?vendorId=M2X"
        ));
        assert!(jp.redirect_allowed("https://alexa.amazon.co.jp/api/skill/link/M2X"));
        assert!(!us.redirect_allowed("https://layla.amazon.com/api/skill/link/M2X"));
        assert!(!us.redirect_allowed("https://pitangui.amazon.com:8443/api/skill/link/M2X"));
        assert!(!us.redirect_allowed("https://evil.example/?https://pitangui.amazon.com/"));
        assert!(!us.redirect_allowed("/api/skill/link/M2X"));
        assert!(!us.redirect_allowed("javascript:alert(1)"));
    }

    #[test]
    fn opaque_client_ids_need_configured_redirects() {
        let client = ClientConfig::new("app").unwrap();
        assert!(!client.redirect_allowed("app:/cb"));
        let error = client.check_redirect("app:/cb").unwrap_err();
        assert!(error.description().contains("client `app`"));
        let err = ClientConfig::new("app")
            .unwrap()
            .with_redirect_uri("https://x.example/#f")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "redirect uri `https://x.example/#f` of client `app` is invalid: it has a fragment"
        );
    }

    #[test]
    fn exact_mode_refuses_other_uris_on_the_clients_host() {
        const LINK: &str = "https://pitangui.amazon.com/api/skill/link/M2X";
        let open = ClientConfig::new("https://pitangui.amazon.com/")
            .unwrap()
            .with_redirect_uri(LINK)
            .unwrap();
        assert!(open.redirect_allowed("https://pitangui.amazon.com/elsewhere"));
        let exact = open.with_exact_redirect_uris().unwrap();
        assert!(exact.redirect_allowed(LINK));
        for other in [
            "https://pitangui.amazon.com/elsewhere",
            "https://pitangui.amazon.com/api/skill/link/M2X?x=1",
            "https://pitangui.amazon.com/api/skill/link/M2Y",
        ] {
            let error = exact.check_redirect(other).unwrap_err();
            assert!(
                error.description().contains("not one of the redirect URIs"),
                "{other}"
            );
        }
        assert!(matches!(
            ClientConfig::new("x").unwrap().with_exact_redirect_uris(),
            Err(ConfigError::NoRedirectUris { .. })
        ));
    }

    #[test]
    fn secrets_are_optional_but_enforced_when_configured() {
        let open = ClientConfig::new("a").unwrap();
        assert!(open.secret_matches(None) && open.secret_matches(Some("anything")));
        let closed = open.with_secret(Secret::new("right"));
        assert!(closed.secret_matches(Some("right")));
        assert!(!closed.secret_matches(Some("wrong")) && !closed.secret_matches(None));
    }
}

//! The token endpoint: client authentication, the authorization-code and refresh-token grants.

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::authorize::valid_scope;
use super::client::{ClientConfig, MAX_REDIRECT_URI_BYTES};
use super::config::ServerConfig;
use super::error::{ErrorCode, OAuthError};
use super::params::{Params, decode_component};
use super::secret::{Secret, TokenHash};
use super::server::AuthorizationServer;
use super::store::{GrantRecord, IssuedTokens, Redemption, TokenStore};
use super::throttle::Throttle;
use super::user::Authenticator;
use crate::clock::Clock;

/// The longest code, refresh token or `Authorization` header accepted, in bytes.
const MAX_CREDENTIAL_BYTES: usize = 1024;

/// A successful token response (RFC 6749 §5.1).
///
/// `Debug` prints the tokens as `"***"`; [`TokenResponse::to_json`] writes the body. Send it
/// with `Cache-Control: no-store`.
///
/// # Examples
///
/// ```
/// fn body(response: &ha_alexa::oauth::TokenResponse) -> String {
///     response.to_json()
/// }
/// ```
#[derive(Clone, Debug)]
pub struct TokenResponse {
    access_token: Secret,
    expires_in: u64,
    refresh_token: Option<Secret>,
    scope: Option<String>,
}

impl TokenResponse {
    /// The access token.
    ///
    /// # Examples
    ///
    /// ```
    /// fn token(response: &ha_alexa::oauth::TokenResponse) -> &str {
    ///     response.access_token().expose()
    /// }
    /// ```
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// Seconds until the access token expires.
    ///
    /// # Examples
    ///
    /// ```
    /// fn lifetime(response: &ha_alexa::oauth::TokenResponse) -> u64 {
    ///     response.expires_in()
    /// }
    /// ```
    pub fn expires_in(&self) -> u64 {
        self.expires_in
    }

    /// The new refresh token, unless the client gets none.
    ///
    /// # Examples
    ///
    /// ```
    /// fn refreshable(response: &ha_alexa::oauth::TokenResponse) -> bool {
    ///     response.refresh_token().is_some()
    /// }
    /// ```
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// The granted scope, if one was requested.
    ///
    /// # Examples
    ///
    /// ```
    /// fn scope(response: &ha_alexa::oauth::TokenResponse) -> Option<&str> {
    ///     response.scope()
    /// }
    /// ```
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The JSON body: `access_token`, `token_type` (`Bearer`), `expires_in`, and
    /// `refresh_token` and `scope` when present.
    ///
    /// # Examples
    ///
    /// ```
    /// fn body(response: &ha_alexa::oauth::TokenResponse) -> serde_json::Value {
    ///     serde_json::from_str(&response.to_json()).unwrap()
    /// }
    /// ```
    pub fn to_json(&self) -> String {
        let mut body = serde_json::json!({
            "access_token": self.access_token.expose(),
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        });
        if let Some(refresh) = &self.refresh_token {
            body["refresh_token"] = refresh.expose().into();
        }
        if let Some(scope) = &self.scope {
            body["scope"] = scope.as_str().into();
        }
        body.to_string()
    }
}

impl<A: Authenticator, S: TokenStore, C: Clock> AuthorizationServer<A, S, C> {
    /// Answers a token request (the body of `POST /auth/token` and its `Authorization` header).
    ///
    /// The client authenticates with `client_id` (and `client_secret`, when one is configured)
    /// in the body, or by HTTP Basic; Amazon offers both. Secrets are compared in constant
    /// time.
    ///
    /// * `grant_type=authorization_code` redeems a code, once: it must be unexpired, issued to
    ///   this client, with the same `redirect_uri` and a matching PKCE `code_verifier`. A
    ///   replayed code also revokes the tokens issued for it (RFC 6749 §4.1.2).
    /// * `grant_type=refresh_token` rotates the refresh token: the response carries a new one
    ///   and the old one stops working. Presenting a replaced refresh token revokes the whole
    ///   grant, because one of the two holders is an attacker (RFC 6749 §10.4, RFC 9700
    ///   §4.14.2); the user links again.
    ///
    /// # Errors
    ///
    /// The RFC 6749 §5.2 error to answer with: `invalid_request` (missing, repeated or
    /// malformed parameters), `invalid_client` (unknown client, missing or wrong secret; 401
    /// with a `WWW-Authenticate` challenge after HTTP Basic), `invalid_grant`,
    /// `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`, or `server_error`.
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
    /// let error = server
    ///     .token(b"grant_type=password&client_id=https%3A%2F%2Fpitangui.amazon.com%2F", None)
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(error.code(), ErrorCode::UnsupportedGrantType);
    /// # Ok::<(), ConfigError>(()) }).unwrap();
    /// ```
    pub async fn token(
        &self,
        body: &[u8],
        authorization: Option<&str>,
    ) -> Result<TokenResponse, OAuthError> {
        let params = Params::parse(body)?;
        let client = authenticate_client(
            &self.config,
            &params,
            authorization,
            &self.clients,
            self.clock.now(),
        )?;
        match params.require("grant_type")? {
            "authorization_code" => self.redeem_code(client, &params).await,
            "refresh_token" => self.refresh(client, &params).await,
            _ => Err(OAuthError::new(
                ErrorCode::UnsupportedGrantType,
                "`grant_type` must be authorization_code or refresh_token",
            )),
        }
    }

    async fn redeem_code(
        &self,
        client: &ClientConfig,
        params: &Params,
    ) -> Result<TokenResponse, OAuthError> {
        let code = params.get_bounded("code", MAX_CREDENTIAL_BYTES)?;
        let code = code.ok_or_else(|| OAuthError::invalid_request("missing parameter `code`"))?;
        let record = match self.store.redeem_code(&TokenHash::of(code)).await? {
            Redemption::First(record) => record,
            Redemption::Replayed(record) => {
                tracing::warn!(
                    client_id = client.id(),
                    grant = %record.grant,
                    "authorization code replayed; revoking the tokens issued for it"
                );
                self.store.revoke_grant(&record.grant).await?;
                return Err(OAuthError::invalid_grant(
                    "authorization code was already used",
                ));
            }
            Redemption::Unknown => {
                return Err(OAuthError::invalid_grant(
                    "authorization code is unknown or expired",
                ));
            }
        };
        // The code is redeemed now: whatever is wrong below, it cannot be tried again.
        let now = self.clock.now();
        if now >= record.expires_at {
            return Err(OAuthError::invalid_grant("authorization code expired"));
        }
        if record.client_id != client.id() {
            tracing::warn!(
                client_id = client.id(),
                "authorization code presented by another client"
            );
            return Err(OAuthError::invalid_grant(
                "authorization code was issued to another client",
            ));
        }
        let redirect_uri = params.get_bounded("redirect_uri", MAX_REDIRECT_URI_BYTES)?;
        let redirect_matches = match redirect_uri {
            Some(uri) => uri == record.redirect_uri,
            None => !record.redirect_uri_explicit,
        };
        if !redirect_matches {
            return Err(OAuthError::invalid_grant(
                "`redirect_uri` does not match the authorization request",
            ));
        }
        match (&record.code_challenge, params.get("code_verifier")) {
            (Some(challenge), Some(verifier)) => challenge.verify(verifier)?,
            (Some(_), None) => {
                return Err(OAuthError::invalid_grant(
                    "missing `code_verifier`; the authorization request had a code challenge",
                ));
            }
            (None, Some(_)) => {
                return Err(OAuthError::invalid_grant(
                    "`code_verifier` given but the authorization request had no code challenge",
                ));
            }
            (None, None) => {}
        }

        let grant = GrantRecord {
            id: record.grant,
            client_id: record.client_id,
            user: record.user,
            scope: record.scope,
            created_at: now,
        };
        let (response, tokens) = self.issue(client, now, now, grant.scope.clone())?;
        if !self.store.insert_grant(grant.clone(), tokens).await? {
            tracing::warn!(
                client_id = grant.client_id,
                grant = %grant.id,
                "authorization code replayed during its redemption; no tokens issued"
            );
            return Err(OAuthError::invalid_grant(
                "authorization code was already used",
            ));
        }
        tracing::info!(
            client_id = grant.client_id,
            user = %grant.user,
            grant = %grant.id,
            "account linked; tokens issued"
        );
        Ok(response)
    }

    async fn refresh(
        &self,
        client: &ClientConfig,
        params: &Params,
    ) -> Result<TokenResponse, OAuthError> {
        if !client.refresh_tokens() {
            return Err(OAuthError::new(
                ErrorCode::UnauthorizedClient,
                "this client may not use refresh tokens",
            ));
        }
        let presented = params.get_bounded("refresh_token", MAX_CREDENTIAL_BYTES)?;
        let presented = presented
            .ok_or_else(|| OAuthError::invalid_request("missing parameter `refresh_token`"))?;
        let hash = TokenHash::of(presented);
        let lookup = self.store.find_refresh(&hash).await?.ok_or_else(|| {
            OAuthError::invalid_grant("refresh token is unknown, expired or revoked")
        })?;
        let grant = lookup.grant;
        if grant.client_id != client.id() {
            tracing::warn!(
                client_id = client.id(),
                grant = %grant.id,
                "refresh token presented by another client"
            );
            return Err(OAuthError::invalid_grant(
                "refresh token was issued to another client",
            ));
        }
        if !lookup.current {
            return Err(self.revoke_reused(&grant).await);
        }
        let now = self.clock.now();
        if lookup.expires_at.is_some_and(|at| now >= at) {
            return Err(OAuthError::invalid_grant("refresh token expired"));
        }
        if let Some(max) = self.config.refresh_token_max_lifetime()
            && now >= grant.created_at + max
        {
            return Err(OAuthError::invalid_grant(
                "the grant reached its maximum lifetime; link the account again",
            ));
        }
        if let Some(requested) = params.get("scope")
            && !same_scope(requested, grant.scope.as_deref())
        {
            return Err(OAuthError::new(
                ErrorCode::InvalidScope,
                "a refresh cannot change the granted scope",
            ));
        }

        let (response, tokens) = self.issue(client, now, grant.created_at, grant.scope.clone())?;
        if !self.store.rotate_refresh(&grant.id, &hash, tokens).await? {
            // Another request rotated this token between the lookup and now.
            return Err(self.revoke_reused(&grant).await);
        }
        tracing::info!(
            client_id = grant.client_id,
            user = %grant.user,
            grant = %grant.id,
            "refresh token rotated"
        );
        Ok(response)
    }

    /// Revokes a grant whose replaced refresh token came back; returns the error to answer.
    async fn revoke_reused(&self, grant: &GrantRecord) -> OAuthError {
        tracing::warn!(
            client_id = grant.client_id,
            user = %grant.user,
            grant = %grant.id,
            "replaced refresh token reused; revoking the grant"
        );
        if let Err(error) = self.store.revoke_grant(&grant.id).await {
            return error.into();
        }
        OAuthError::invalid_grant("refresh token was already used; the grant is revoked")
    }

    /// New tokens for `client` of a grant created at `created`, and their hashes for the store.
    fn issue(
        &self,
        client: &ClientConfig,
        now: SystemTime,
        created: SystemTime,
        scope: Option<String>,
    ) -> Result<(TokenResponse, IssuedTokens), OAuthError> {
        let access = Secret::generate()?;
        let refresh = if client.refresh_tokens() {
            Some(Secret::generate()?)
        } else {
            None
        };
        let lifetime = self.config.access_token_lifetime();
        let tokens = IssuedTokens {
            access: access.hash(),
            access_expires_at: now + lifetime,
            refresh: refresh.as_ref().map(Secret::hash),
            refresh_expires_at: refresh.as_ref().and_then(|_| {
                let idle = self
                    .config
                    .refresh_token_idle_lifetime()
                    .map(|idle| now + idle);
                let end = self
                    .config
                    .refresh_token_max_lifetime()
                    .map(|max| created + max);
                match (idle, end) {
                    (Some(idle), Some(end)) => Some(idle.min(end)),
                    (idle, end) => idle.or(end),
                }
            }),
        };
        let response = TokenResponse {
            access_token: access,
            expires_in: lifetime.as_secs(),
            refresh_token: refresh,
            scope,
        };
        Ok((response, tokens))
    }
}

/// Identifies and authenticates the client, by HTTP Basic or by the body, never both.
///
/// A client with a secret that failed to authenticate too often is refused for a while
/// (`temporarily_unavailable`) before its secret is compared, so the secret cannot be guessed
/// at network speed.
fn authenticate_client<'a>(
    config: &'a ServerConfig,
    params: &Params,
    authorization: Option<&str>,
    throttle: &Throttle,
    now: SystemTime,
) -> Result<&'a ClientConfig, OAuthError> {
    let (id, secret, basic) = if let Some(header) = authorization {
        let (id, secret) = parse_basic(config, header)?;
        if params.get("client_secret").is_some() {
            return Err(OAuthError::invalid_request(
                "client credentials sent both by HTTP Basic and in the body",
            ));
        }
        if params.get("client_id").is_some_and(|body_id| body_id != id) {
            return Err(OAuthError::invalid_request(
                "`client_id` in the body differs from the HTTP Basic user",
            ));
        }
        (id, Some(secret), true)
    } else {
        let id = params.get("client_id").ok_or_else(|| {
            OAuthError::invalid_client(
                "no client credentials: send `client_id` in the body or use HTTP Basic",
                false,
            )
        })?;
        let secret = params.get("client_secret").map(str::to_owned);
        (id.to_owned(), secret, false)
    };
    let client = config
        .client(&id)
        .ok_or_else(|| OAuthError::invalid_client(config.unknown_client(&id), basic))?;
    if !client.has_secret() {
        return Ok(client);
    }
    let key = format!("client:{}", client.id());
    if let Some(throttled) = throttle.check(&key, now) {
        tracing::warn!(
            client_id = client.id(),
            retry_after = throttled.retry_after().as_secs(),
            "client authentication refused: too many failures"
        );
        return Err(OAuthError::new(
            ErrorCode::TemporarilyUnavailable,
            format!(
                "too many failed client authentications; try again in {} s",
                throttled.retry_after().as_secs()
            ),
        ));
    }
    if client.secret_matches(secret.as_deref()) {
        throttle.succeeded(&key);
    } else {
        throttle.failed(&key, now);
        tracing::warn!(client_id = client.id(), "client authentication failed");
        let description = if secret.is_some() {
            "wrong client secret"
        } else {
            "missing client secret"
        };
        return Err(OAuthError::invalid_client(description, basic));
    }
    Ok(client)
}

/// Decodes `Authorization: Basic base64(client_id ":" client_secret)`.
///
/// RFC 6749 §2.3.1 form-encodes both parts first, so `https://pitangui.amazon.com/` arrives as
/// `https%3A%2F%2Fpitangui.amazon.com%2F`. Clients that skip the encoding send a colon inside the
/// id; a configured id followed by `:` is therefore recognised as is.
fn parse_basic(config: &ServerConfig, header: &str) -> Result<(String, String), OAuthError> {
    let malformed = || OAuthError::invalid_client("malformed HTTP Basic credentials", true);
    let (scheme, encoded) = header.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(
            "unsupported authentication scheme; use HTTP Basic or the request body",
            true,
        ));
    }
    let encoded = encoded.trim();
    if encoded.len() > MAX_CREDENTIAL_BYTES {
        return Err(malformed());
    }
    let decoded = STANDARD.decode(encoded).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    for client in config.clients() {
        if let Some(secret) = decoded
            .strip_prefix(client.id())
            .and_then(|rest| rest.strip_prefix(':'))
        {
            return Ok((client.id().to_owned(), secret.to_owned()));
        }
    }
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let id = decode_component(id).ok_or_else(malformed)?;
    let secret = decode_component(secret).ok_or_else(malformed)?;
    Ok((id, secret))
}

/// Whether `requested` names the same scope tokens as `granted`, in any order.
fn same_scope(requested: &str, granted: Option<&str>) -> bool {
    let Some(granted) = granted else {
        return false;
    };
    if !valid_scope(requested) {
        return false;
    }
    let mut requested: Vec<&str> = requested.split(' ').collect();
    let mut granted: Vec<&str> = granted.split(' ').collect();
    requested.sort_unstable();
    requested.dedup();
    granted.sort_unstable();
    granted.dedup();
    requested == granted
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user_pass: &str) -> String {
        format!("Basic {}", STANDARD.encode(user_pass))
    }

    #[test]
    fn basic_credentials_encoded_or_raw() {
        let config = ServerConfig::amazon();
        let encoded = basic("https%3A%2F%2Fpitangui.amazon.com%2F:s%C3%A9cret+1");
        assert_eq!(
            parse_basic(&config, &encoded).unwrap(),
            ("https://pitangui.amazon.com/".into(), "sécret 1".into())
        );
        let raw = basic("https://layla.amazon.com/:pa:ss");
        assert_eq!(
            parse_basic(&config, &raw).unwrap(),
            ("https://layla.amazon.com/".into(), "pa:ss".into())
        );
        let lower = format!("basic {}", STANDARD.encode("other:x"));
        assert_eq!(
            parse_basic(&config, &lower).unwrap(),
            ("other".into(), "x".into())
        );
    }

    #[test]
    fn malformed_basic_credentials_are_invalid_client_with_a_challenge() {
        let config = ServerConfig::amazon();
        for header in [
            "Basic",
            "Basic !!!",
            &basic("no-colon"),
            &basic("bad%zz:x"),
            "Bearer abc",
            &format!("Basic {}", "A".repeat(2000)),
        ] {
            let error = parse_basic(&config, header).unwrap_err();
            assert_eq!(
                (error.code(), error.status()),
                (ErrorCode::InvalidClient, 401)
            );
            assert!(error.www_authenticate().is_some(), "{header}");
        }
    }

    #[test]
    fn scope_on_refresh_must_match_the_grant() {
        assert!(same_scope("b a", Some("a b")));
        assert!(same_scope("a a", Some("a")));
        assert!(!same_scope("a", Some("a b")));
        assert!(!same_scope("a", None));
        assert!(!same_scope("a  b", Some("a b")));
    }
}

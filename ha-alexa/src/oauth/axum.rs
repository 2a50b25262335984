//! The account-linking endpoints on an axum 0.8 [`Router`].
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use ha_alexa::oauth::{
//!     AuthorizationServer, Authenticator, Credentials, MemoryTokenStore, MinimalLoginPage,
//!     ServerConfig, UserId,
//! };
//! # struct Hub;
//! # impl Authenticator for Hub {
//! #     type Error = std::io::Error;
//! #     async fn authenticate(&self, _: &Credentials) -> Result<Option<UserId>, Self::Error> { Ok(None) }
//! # }
//!
//! let server = Arc::new(AuthorizationServer::new(ServerConfig::amazon(), Hub, MemoryTokenStore::new())?);
//! let app: axum::Router = axum::Router::new()
//!     .nest("/alexa", ha_alexa::oauth::axum::router(server, MinimalLoginPage::new("My Hub")));
//! # let _ = app;
//! # Ok::<(), ha_alexa::oauth::ConfigError>(())
//! ```

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION, PRAGMA, REFERRER_POLICY,
    WWW_AUTHENTICATE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, post};

use super::authorize::{AuthorizeError, LoginOutcome, LoginPrompt, Redirect};
use super::error::OAuthError;
use super::page::LoginPage;
use super::params::MAX_FORM_BYTES;
use super::server::AuthorizationServer;
use super::store::TokenStore;
use super::user::Authenticator;
use crate::clock::Clock;
use crate::dispatch::Hub;
use crate::endpoint::{MAX_DIRECTIVE_BYTES, SmartHomeEndpoint, TokenVerifier};

/// The path of the authorization endpoint: `GET` serves the login page, `POST` receives it.
///
/// # Examples
///
/// ```
/// let uri = format!("https://hub.example{}", ha_alexa::oauth::axum::AUTHORIZE_PATH);
/// assert_eq!(uri, "https://hub.example/auth/authorize");
/// ```
pub const AUTHORIZE_PATH: &str = "/auth/authorize";
/// The path of the token endpoint (`POST`).
///
/// # Examples
///
/// ```
/// let uri = format!("https://hub.example{}", ha_alexa::oauth::axum::TOKEN_PATH);
/// assert_eq!(uri, "https://hub.example/auth/token");
/// ```
pub const TOKEN_PATH: &str = "/auth/token";

/// A router serving [`AUTHORIZE_PATH`] and [`TOKEN_PATH`], the paths Home Assistant uses.
///
/// Enter `https://<hub>/auth/authorize` as the skill's Authorization URI and
/// `https://<hub>/auth/token` as its Access Token URI. Merge the router into the hub's own, or
/// nest it under a prefix (the login form posts to a relative URL). Amazon requires HTTPS on
/// port 443 with a publicly trusted certificate, so serve it behind a TLS-terminating proxy
/// or with a TLS acceptor.
///
/// Request bodies larger than [`MAX_FORM_BYTES`] are refused without being read further. The
/// token endpoint answers JSON with `Cache-Control: no-store` (RFC 6749 §5.1); `invalid_client`
/// after HTTP Basic is a 401 with `WWW-Authenticate`. Pages are sent with
/// `Cache-Control: no-store`, `X-Frame-Options: DENY` and a content security policy that
/// forbids scripts and framing.
///
/// # Examples
///
/// ```no_run
/// use std::sync::Arc;
/// use ha_alexa::oauth::{
///     AuthorizationServer, Authenticator, Credentials, FileTokenStore, MinimalLoginPage,
///     ServerConfig, UserId,
/// };
///
/// struct Hub;
/// impl Authenticator for Hub {
///     type Error = std::io::Error;
///     async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
///         Ok(None) // check the hub's user database here
///     }
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = FileTokenStore::open("alexa-tokens.json")?;
/// let server = Arc::new(AuthorizationServer::new(ServerConfig::amazon(), Hub, store)?);
/// let app = axum::Router::new()
///     .merge(ha_alexa::oauth::axum::router(server.clone(), MinimalLoginPage::new("My Hub")));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8123").await?;
/// axum::serve(listener, app).await?;
/// # Ok(()) }
/// ```
pub fn router<A, S, C, P>(server: Arc<AuthorizationServer<A, S, C>>, page: P) -> Router
where
    A: Authenticator,
    S: TokenStore,
    C: Clock,
    P: LoginPage,
{
    let endpoints = Arc::new(Endpoints { server, page });
    Router::new()
        .route(
            AUTHORIZE_PATH,
            get(|State(e): Shared<A, S, C, P>, uri: Uri| async move { e.authorize(&uri) }).post(
                |State(e): Shared<A, S, C, P>, request: Request| async move {
                    let remote = remote_addr(&request);
                    let (parts, body) = request.into_parts();
                    e.login(&parts.headers, body, remote).await
                },
            ),
        )
        .route(
            TOKEN_PATH,
            post(
                |State(e): Shared<A, S, C, P>, headers: HeaderMap, body: Body| async move {
                    e.token(&headers, body).await
                },
            ),
        )
        .with_state(endpoints)
}

/// The path of the smart-home endpoint the Lambda proxy posts directives to.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_alexa::oauth::axum::SMART_HOME_PATH, "/api/alexa/smart_home");
/// ```
pub const SMART_HOME_PATH: &str = "/api/alexa/smart_home";

/// One router for Alexa: [`AUTHORIZE_PATH`] and [`TOKEN_PATH`] of account linking, and
/// `POST` [`SMART_HOME_PATH`] answered by `endpoint` (whose verifier is usually `server`).
///
/// The directive body is read up to
/// [`MAX_DIRECTIVE_BYTES`](crate::endpoint::MAX_DIRECTIVE_BYTES) and refused with 413 beyond;
/// answers are JSON with `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use ha_alexa::endpoint::SmartHomeEndpoint;
/// use ha_alexa::oauth::{AuthorizationServer, Authenticator, Credentials, MemoryTokenStore,
///     MinimalLoginPage, ServerConfig, UserId};
/// # use async_trait::async_trait;
/// # use ha_alexa::{AlexaError, DiscoveryEndpoint, EndpointId, Hub, Outcome, Property, Request};
/// # struct MyHub;
/// # #[async_trait]
/// # impl Hub for MyHub {
/// #     async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> { Ok(vec![]) }
/// #     async fn endpoint(&self, _: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> { Ok(None) }
/// #     async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> { Ok(vec![]) }
/// #     async fn execute(&self, _: &Request<'_>) -> Result<Outcome, AlexaError> { Ok(Outcome::Done) }
/// # }
/// # struct Users;
/// # impl Authenticator for Users {
/// #     type Error = std::io::Error;
/// #     async fn authenticate(&self, _: &Credentials) -> Result<Option<UserId>, Self::Error> { Ok(None) }
/// # }
/// let server = Arc::new(AuthorizationServer::new(ServerConfig::amazon(), Users, MemoryTokenStore::new())?);
/// let endpoint = Arc::new(SmartHomeEndpoint::new(ha_alexa::Dispatcher::new(MyHub), server.clone()));
/// let app: axum::Router = ha_alexa::oauth::axum::alexa_router(server, MinimalLoginPage::new("My Hub"), endpoint);
/// # let _ = app;
/// # Ok::<(), ha_alexa::oauth::ConfigError>(())
/// ```
pub fn alexa_router<A, S, C, P, H, V>(
    server: Arc<AuthorizationServer<A, S, C>>,
    page: P,
    endpoint: Arc<SmartHomeEndpoint<H, V>>,
) -> Router
where
    A: Authenticator,
    S: TokenStore,
    C: Clock,
    P: LoginPage,
    H: Hub + 'static,
    V: TokenVerifier,
{
    let smart_home = Router::new()
        .route(
            SMART_HOME_PATH,
            post(
                |State(endpoint): State<Arc<SmartHomeEndpoint<H, V>>>,
                 headers: HeaderMap,
                 body: Body| async move { smart_home(&endpoint, &headers, body).await },
            ),
        )
        .with_state(endpoint);
    router(server, page).merge(smart_home)
}

/// `POST /api/alexa/smart_home`.
async fn smart_home<H: Hub, V: TokenVerifier>(
    endpoint: &SmartHomeEndpoint<H, V>,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let reply = match axum::body::to_bytes(body, MAX_DIRECTIVE_BYTES).await {
        Err(_) => {
            let error = OAuthError::invalid_request(format!(
                "the directive is larger than {MAX_DIRECTIVE_BYTES} bytes or was cut off"
            ));
            return json(StatusCode::PAYLOAD_TOO_LARGE, error.to_json());
        }
        Ok(bytes) => match single_header(headers, &AUTHORIZATION) {
            Ok(authorization) => endpoint.handle(authorization, &bytes).await,
            Err(error) => return json(StatusCode::UNAUTHORIZED, error.to_json()),
        },
    };
    let status = StatusCode::from_u16(reply.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let challenge = reply.www_authenticate();
    let mut response = json(status, reply.body().to_owned());
    response
        .headers_mut()
        .insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Some(challenge) = challenge {
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    }
    response
}

struct Endpoints<A, S, C, P> {
    server: Arc<AuthorizationServer<A, S, C>>,
    page: P,
}

type Shared<A, S, C, P> = State<Arc<Endpoints<A, S, C, P>>>;

impl<A: Authenticator, S: TokenStore, C: Clock, P: LoginPage> Endpoints<A, S, C, P> {
    /// `GET /auth/authorize`: the login page, an error page, or a redirect with an error.
    fn authorize(&self, uri: &Uri) -> Response {
        match self.server.authorize(uri.query().unwrap_or_default()) {
            Ok(prompt) => login_page(self.page.login(&prompt), &prompt),
            Err(AuthorizeError::Redirect { redirect, .. }) => see_other(&redirect),
            Err(AuthorizeError::Show(error)) => self.error_page(&error),
        }
    }

    /// `POST /auth/authorize`: the redirect to the client, the login page again, or an error.
    async fn login(&self, headers: &HeaderMap, body: Body, remote: Option<IpAddr>) -> Response {
        let form = match read_form(headers, body).await {
            Ok(form) => form,
            Err(error) => return self.error_page(&error),
        };
        match self.server.login_from(&form, remote).await {
            Ok(LoginOutcome::Redirect(redirect)) => see_other(&redirect),
            Ok(LoginOutcome::Retry(prompt)) => login_page(self.page.login(&prompt), &prompt),
            Err(error) => self.error_page(&error),
        }
    }

    /// `POST /auth/token`: the token response or an RFC 6749 error, as JSON.
    async fn token(&self, headers: &HeaderMap, body: Body) -> Response {
        let result = async {
            let form = read_form(headers, body).await?;
            let authorization = single_header(headers, &AUTHORIZATION)?;
            self.server.token(&form, authorization).await
        }
        .await;
        match result {
            Ok(response) => json(StatusCode::OK, response.to_json()),
            Err(error) => {
                let mut response = json(status(&error), error.to_json());
                if let Some(challenge) = error.www_authenticate() {
                    response
                        .headers_mut()
                        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
                }
                response
            }
        }
    }

    fn error_page(&self, error: &OAuthError) -> Response {
        html(status(error), self.page.error(error), "'none'")
    }
}

/// The peer address of the connection, when the server was started with
/// `into_make_service_with_connect_info::<SocketAddr>()` (as `serve` in this crate does).
pub(crate) fn remote_addr(request: &Request) -> Option<IpAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
}

/// Reads a form body of at most [`MAX_FORM_BYTES`].
async fn read_form(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, OAuthError> {
    let content_type = single_header(headers, &CONTENT_TYPE)?.unwrap_or_default();
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    if !media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
        Ok(bytes) => Ok(bytes.to_vec()),
        Err(_) => Err(OAuthError::invalid_request(format!(
            "the body is larger than {MAX_FORM_BYTES} bytes or was cut off"
        ))),
    }
}

/// The value of a header that may appear at most once.
fn single_header<'h>(
    headers: &'h HeaderMap,
    name: &HeaderName,
) -> Result<Option<&'h str>, OAuthError> {
    let mut values = headers.get_all(name).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(OAuthError::invalid_request(format!(
            "header `{name}` is repeated"
        )));
    }
    value
        .to_str()
        .map(Some)
        .map_err(|_| OAuthError::invalid_request(format!("header `{name}` is not visible ASCII")))
}

fn status(error: &OAuthError) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST)
}

fn json(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// The login page: its form may post to the server and lead, by the redirect that answers
/// it, to the client's redirect URI.
fn login_page(body: String, prompt: &LoginPrompt) -> Response {
    let form_action = format!("'self' {}", prompt.redirect_source());
    html(StatusCode::OK, body, form_action.trim_end())
}

/// An HTML page whose forms may post only to `form_action`.
fn html(status: StatusCode, body: String, form_action: &str) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    let policy = format!(
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; \
         form-action {form_action}"
    );
    match HeaderValue::from_str(&policy) {
        Ok(policy) => {
            headers.insert("content-security-policy", policy);
        }
        // The redirect origin is serialised ASCII, so this is unreachable in practice; a
        // page without a policy must not be served.
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    response
}

fn see_other(redirect: &Redirect) -> Response {
    match HeaderValue::from_str(redirect.location()) {
        Ok(location) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(LOCATION, location);
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        // `Url` serialises to visible ASCII, so this is unreachable in practice.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

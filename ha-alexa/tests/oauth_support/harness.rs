//! A hub serving the account-linking router on a free loopback port, and an HTTP client that
//! plays Amazon and the user's browser.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine as _;
use ha_alexa::oauth::{
    Authenticator, AuthorizationServer, Credentials, ManualClock, MemoryTokenStore,
    MinimalLoginPage, ServerConfig, TokenStore, UserId,
};
use reqwest::header::{CONTENT_TYPE, HeaderMap, LOCATION};
use tokio::sync::oneshot;
use url::Url;

pub(crate) const US: &str = "https://pitangui.amazon.com/";
pub(crate) const EU: &str = "https://layla.amazon.com/";
pub(crate) const US_REDIRECT: &str = "https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA";
pub(crate) const EU_REDIRECT: &str = "https://layla.amazon.com/api/skill/link/M2AAAAAAAAAAAA";
pub(crate) const USERNAME: &str = "alice";
pub(crate) const PASSWORD: &str = "correct horse battery staple";
/// A state as Amazon sends it, plus characters that must survive encoding.
pub(crate) const STATE: &str = "A2SAAEAEu-8n3pQ+/=&é x";

/// The hub's user database: one user.
pub(crate) struct Users;

impl Authenticator for Users {
    type Error = std::convert::Infallible;

    async fn authenticate(&self, credentials: &Credentials) -> Result<Option<UserId>, Self::Error> {
        let ok = credentials.username() == USERNAME && credentials.password().matches(PASSWORD);
        Ok(ok.then(|| UserId::new("user-alice")))
    }
}

pub(crate) type Server<S> = AuthorizationServer<Users, S, ManualClock>;

/// The router on a loopback port; stops when dropped.
pub(crate) struct Hub<S: TokenStore = MemoryTokenStore> {
    pub(crate) base: String,
    pub(crate) server: Arc<Server<S>>,
    pub(crate) clock: ManualClock,
    pub(crate) http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<()>>,
}

impl Hub {
    pub(crate) async fn start(config: ServerConfig) -> Self {
        Self::start_with(config, MemoryTokenStore::new()).await
    }
}

impl<S: TokenStore> Hub<S> {
    pub(crate) async fn start_with(config: ServerConfig, store: S) -> Self {
        let clock = ManualClock::new(SystemTime::now());
        let server =
            Arc::new(AuthorizationServer::with_clock(config, Users, store, clock.clone()).unwrap());
        let app = ha_alexa::oauth::axum::router(server.clone(), MinimalLoginPage::new("Test Hub"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base: format!("http://{addr}"),
            server,
            clock,
            http,
            stop: Some(stop),
            serving: Some(serving),
        }
    }

    /// Stops serving and waits until the router, and with it the store, is dropped.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(serving) = self.serving.take() {
            serving.await.unwrap();
        }
    }

    /// `GET /auth/authorize` with these query parameters.
    pub(crate) async fn get_authorize(&self, query: &[(&str, &str)]) -> Reply {
        let mut url = Url::parse(&format!("{}/auth/authorize", self.base)).unwrap();
        url.query_pairs_mut().extend_pairs(query);
        Reply::from(self.http.get(url).send().await.unwrap()).await
    }

    /// The login page for a standard Amazon request with `extra` parameters.
    pub(crate) async fn login_page(
        &self,
        client_id: &str,
        redirect_uri: &str,
        extra: &[(&str, &str)],
    ) -> String {
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", redirect_uri),
            ("state", STATE),
            ("scope", "smart_home"),
        ];
        query.extend_from_slice(extra);
        let reply = self.get_authorize(&query).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        sealed_request(&reply.body)
    }

    /// `POST /auth/authorize` with a form.
    pub(crate) async fn post_login(&self, form: &[(&str, &str)]) -> Reply {
        self.post_form("/auth/authorize", form, None).await
    }

    /// Logs in on a login page and returns the code and state of the redirect.
    pub(crate) async fn log_in(&self, request: &str) -> (String, String) {
        let reply = self
            .post_login(&[
                ("request", request),
                ("username", USERNAME),
                ("password", PASSWORD),
            ])
            .await;
        assert_eq!(reply.status, 303, "{}", reply.body);
        code_and_state(reply.location().unwrap())
    }

    /// Runs authorize and login for `client_id`; returns the code.
    pub(crate) async fn code_for(
        &self,
        client_id: &str,
        redirect_uri: &str,
        extra: &[(&str, &str)],
    ) -> String {
        let request = self.login_page(client_id, redirect_uri, extra).await;
        let (code, state) = self.log_in(&request).await;
        assert_eq!(state, STATE);
        code
    }

    /// `POST /auth/token`, with HTTP Basic credentials when given.
    pub(crate) async fn post_token(
        &self,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> Reply {
        let authorization = basic.map(|(id, secret)| basic_header(id, secret));
        self.post_form("/auth/token", form, authorization).await
    }

    /// Exchanges a code with credentials in the body; returns the JSON reply.
    pub(crate) async fn exchange(&self, client_id: &str, redirect_uri: &str, code: &str) -> Reply {
        self.post_token(
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("client_id", client_id),
                ("client_secret", "anything"),
            ],
            None,
        )
        .await
    }

    /// Refreshes with credentials in the body.
    pub(crate) async fn refresh(&self, client_id: &str, refresh_token: &str) -> Reply {
        self.post_token(
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh_token),
                ("client_id", client_id),
            ],
            None,
        )
        .await
    }

    pub(crate) async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        authorization: Option<String>,
    ) -> Reply {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.post_raw(
            path,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            authorization,
        )
        .await
    }

    pub(crate) async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        authorization: Option<String>,
    ) -> Reply {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, content_type)
            .body(body);
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        Reply::from(request.send().await.unwrap()).await
    }

    /// Whether the hub accepts `token` as a valid access token.
    pub(crate) async fn token_valid(&self, token: &str) -> bool {
        self.server.verify_access_token(token).await.is_ok()
    }
}

impl<S: TokenStore> Drop for Hub<S> {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    async fn from(response: reqwest::Response) -> Self {
        Self {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap(),
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    pub(crate) fn location(&self) -> Option<&str> {
        self.headers.get(LOCATION).map(|v| v.to_str().unwrap())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// `error` of an RFC 6749 JSON error body.
    pub(crate) fn error(&self) -> String {
        self.json()["error"].as_str().unwrap().to_owned()
    }

    pub(crate) fn string(&self, field: &str) -> String {
        self.json()[field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {}", self.body))
            .to_owned()
    }
}

/// The sealed request in a login page's hidden field.
pub(crate) fn sealed_request(html: &str) -> String {
    let start = html
        .find(r#"name="request" value=""#)
        .expect("a login form")
        + 22;
    let end = start + html[start..].find('"').unwrap();
    html[start..end].to_owned()
}

/// `code` and `state` of a redirect to the client.
pub(crate) fn code_and_state(location: &str) -> (String, String) {
    let url = Url::parse(location).unwrap();
    let get = |name: &str| {
        url.query_pairs().find(|(k, _)| k == name).map_or_else(
            || panic!("no {name} in {location}"),
            |(_, v)| v.into_owned(),
        )
    };
    (get("code"), get("state"))
}

/// `Authorization: Basic` with both parts form-encoded (RFC 6749 §2.3.1).
pub(crate) fn basic_header(id: &str, secret: &str) -> String {
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let user_pass = format!("{}:{}", encode(id), encode(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(user_pass)
    )
}

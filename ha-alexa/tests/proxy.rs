//! The Lambda proxy against a real HTTP server playing the hub: axum on a free loopback
//! port (plain, or TLS with certificates made here), answering as the test tells it to,
//! slowly, or not at all.

#[path = "schema/check.rs"]
mod schema_check;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use ha_alexa::proxy::{LambdaProxy, ProxyConfig, ProxyError};
use ha_alexa::{BearerToken, ConfigError};
use schema_check::assert_schema_valid;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

/// The loopback-testing variable that lets the proxy reach an `http` hub on loopback.
static LOOPBACK: std::sync::LazyLock<(&str, String)> =
    std::sync::LazyLock::new(|| ("ALLOW_HTTP_LOOPBACK", "true".to_owned()));

/// How the hub answers.
#[derive(Clone)]
enum Answer {
    /// With this status and body.
    With(StatusCode, &'static str),
    /// With this status and a body of this many bytes.
    Large(usize),
    /// After this long.
    Late(Duration),
    /// With a redirect.
    Redirect,
}

/// One request the hub received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    authorization: Option<String>,
    content_type: Option<String>,
    body: Bytes,
}

#[derive(Clone)]
struct HubState {
    answer: Arc<Mutex<Answer>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// The hub: an axum server on a free loopback port, stopped on drop.
struct Hub {
    addr: SocketAddr,
    state: HubState,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A reply body with odd spacing and a decimal that JSON parsers like to rewrite, to see
/// that it is passed on byte for byte.
const HUB_REPLY: &str = r#"{"event": {"header": {"namespace": "Alexa", "name": "Response", "messageId": "m-2", "correlationToken": "c-1", "payloadVersion": "3"}, "endpoint": {"endpointId": "light#kitchen"}, "payload": {}},  "context": {"properties": [{"namespace": "Alexa.BrightnessController", "name": "brightness", "value": 40, "timeOfSample": "2024-05-01T12:00:00Z", "uncertaintyInMilliseconds": 0}]}, "extra": 1.50}"#;

async fn hub_handler(
    State(state): State<HubState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    state.seen.lock().unwrap().push(Seen {
        path: uri.path().to_owned(),
        authorization: text(header::AUTHORIZATION),
        content_type: text(header::CONTENT_TYPE),
        body,
    });
    let answer = state.answer.lock().unwrap().clone();
    match answer {
        Answer::With(status, body) => (status, body).into_response(),
        Answer::Large(size) => {
            let body = format!("[{}0]", "0,".repeat(size / 2));
            (StatusCode::OK, body).into_response()
        }
        Answer::Late(delay) => {
            tokio::time::sleep(delay).await;
            (StatusCode::OK, HUB_REPLY).into_response()
        }
        Answer::Redirect => (
            StatusCode::MOVED_PERMANENTLY,
            [(
                header::LOCATION,
                "https://elsewhere.example/api/alexa/smart_home",
            )],
        )
            .into_response(),
    }
}

fn hub_state(answer: Answer) -> HubState {
    HubState {
        answer: Arc::new(Mutex::new(answer)),
        seen: Arc::new(Mutex::new(Vec::new())),
    }
}

fn router(state: HubState) -> Router {
    Router::new().fallback(hub_handler).with_state(state)
}

impl Hub {
    async fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = hub_state(answer);
        let app = router(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            addr,
            state,
            server,
        }
    }

    /// The hub over TLS with `identity` (certificate chain, key).
    async fn start_tls(answer: Answer, identity: &Identity) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(identity.chain.clone(), identity.key.clone_key())
        .unwrap();
        let listener = TlsListener {
            tcp: listener,
            tls: TlsAcceptor::from(Arc::new(config)),
        };
        let state = hub_state(answer);
        let app = router(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            addr,
            state,
            server,
        }
    }

    /// The hub's base URL: by address over HTTP, by the certificate's name over HTTPS.
    fn url(&self, scheme: &str) -> String {
        let host = if scheme == "https" {
            "localhost"
        } else {
            "127.0.0.1"
        };
        format!("{scheme}://{host}:{}", self.addr.port())
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    fn answer(&self, answer: Answer) {
        *self.state.answer.lock().unwrap() = answer;
    }
}

/// Accepts TLS connections; a failed handshake is dropped and the next one accepted.
struct TlsListener {
    tcp: TcpListener,
    tls: TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(stream) = self.tls.accept(stream).await {
                return (stream, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// A server certificate chain for `localhost` and its key.
struct Identity {
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: rustls::pki_types::PrivateKeyDer<'static>,
    /// The root that issued it, as PEM.
    root_pem: String,
}

/// A self-signed certificate for `localhost`, as a home hub's would be.
fn self_signed() -> Identity {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    Identity {
        chain: vec![cert.der().clone()],
        key: rustls::pki_types::PrivatePkcs8KeyDer::from(signing_key.serialize_der()).into(),
        root_pem: cert.pem(),
    }
}

/// A certificate for `localhost` issued by a private certificate authority.
fn issued_by_private_ca() -> Identity {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "hub private root");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    Identity {
        chain: vec![leaf.der().clone()],
        key: rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der()).into(),
        root_pem: ca.pem(),
    }
}

/// Looks variables up in `vars`, as the Lambda environment would hold them.
fn vars(vars: &[(&'static str, String)]) -> impl Fn(&str) -> Option<String> {
    let vars = vars.to_vec();
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }
}

fn proxy(config: ProxyConfig) -> LambdaProxy {
    LambdaProxy::new(config).unwrap()
}

fn base(hub: &Hub) -> ProxyConfig {
    ProxyConfig::for_loopback(&hub.url("http")).unwrap()
}

const REPORT_STATE: &str = r#"{"directive":{"header":{"namespace":"Alexa","name":"ReportState",
    "messageId":"m-1","correlationToken":"c-1","payloadVersion":"3"},
    "endpoint":{"scope":{"type":"BearerToken","token":"endpoint-token"},"endpointId":"light#kitchen","cookie":{}},
    "payload":{}}}"#;

const ACCEPT_GRANT: &str = r#"{"directive":{"header":{"namespace":"Alexa.Authorization","name":"AcceptGrant",
    "messageId":"m-1","payloadVersion":"3"},
    "payload":{"grant":{"type":"OAuth2.AuthorizationCode","code":"grant-code"},
               "grantee":{"type":"BearerToken","token":"grantee-token"},
               "scope":{"type":"BearerToken","token":"scope-token"}}}}"#;

const DISCOVER: &str = r#"{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover",
    "messageId":"m-1","payloadVersion":"3"},"payload":{"scope":{"type":"BearerToken","token":"scope-token"}}}}"#;

/// The seed's console test event: Discover without a token.
const DISCOVER_WITHOUT_TOKEN: &str = r#"{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover",
    "payloadVersion":"3","messageId":"1bd5d003-31b9-476f-ad03-71d471922820"},
    "payload":{"scope":{"type":"BearerToken"}}}}"#;

/// The reply as JSON, after checking that an error reply is a complete, valid event.
fn json(reply: &serde_json::value::RawValue) -> Value {
    serde_json::from_str(reply.get()).unwrap()
}

/// Checks an ErrorResponse: valid against the schema, with a header, the directive's
/// correlation token and endpoint; returns (type, message).
fn error_reply(
    reply: &Value,
    correlation: Option<&str>,
    endpoint: Option<&str>,
) -> (String, String) {
    assert_schema_valid(reply);
    let event = &reply["event"];
    assert_eq!(event["header"]["namespace"], "Alexa");
    assert_eq!(event["header"]["name"], "ErrorResponse");
    assert_eq!(event["header"]["payloadVersion"], "3");
    assert!(
        event["header"]["messageId"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    assert_eq!(event["header"]["correlationToken"].as_str(), correlation);
    assert_eq!(event["endpoint"]["endpointId"].as_str(), endpoint);
    (
        event["payload"]["type"].as_str().unwrap().to_owned(),
        event["payload"]["message"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn directives_are_forwarded_unchanged_and_replies_returned_byte_for_byte() {
    let hub = Hub::start(Answer::With(StatusCode::OK, HUB_REPLY)).await;
    let proxy = proxy(base(&hub));
    let reply = proxy.handle(REPORT_STATE.as_bytes()).await;
    assert_eq!(reply.get(), HUB_REPLY);

    let [seen] = hub.seen().try_into().unwrap();
    assert_eq!(seen.path, "/api/alexa/smart_home");
    assert_eq!(seen.authorization.as_deref(), Some("Bearer endpoint-token"));
    assert_eq!(seen.content_type.as_deref(), Some("application/json"));
    assert_eq!(seen.body, REPORT_STATE.as_bytes());
}

#[tokio::test]
async fn the_token_comes_from_the_endpoint_scope_then_the_grantee_then_the_payload_scope() {
    let hub = Hub::start(Answer::With(StatusCode::OK, "{}")).await;
    let proxy = proxy(base(&hub));
    let with_both = REPORT_STATE.replace(
        r#""payload":{}"#,
        r#""payload":{"scope":{"type":"BearerToken","token":"scope-token"}}"#,
    );
    for directive in [with_both.as_str(), ACCEPT_GRANT, DISCOVER] {
        assert_eq!(proxy.handle(directive.as_bytes()).await.get(), "{}");
    }
    let tokens: Vec<Option<String>> = hub.seen().into_iter().map(|s| s.authorization).collect();
    assert_eq!(
        tokens,
        [
            Some("Bearer endpoint-token".to_owned()),
            Some("Bearer grantee-token".to_owned()),
            Some("Bearer scope-token".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_trailing_slash_on_base_url_is_tolerated() {
    let hub = Hub::start(Answer::With(StatusCode::OK, "{}")).await;
    for url in [
        hub.url("http"),
        format!("{}/", hub.url("http")),
        format!("{}//", hub.url("http")),
    ] {
        let config = ProxyConfig::from_vars(vars(&[("BASE_URL", url), LOOPBACK.clone()])).unwrap();
        proxy(config).handle(DISCOVER.as_bytes()).await;
    }
    let paths: Vec<String> = hub.seen().into_iter().map(|s| s.path).collect();
    assert_eq!(paths, ["/api/alexa/smart_home"; 3]);

    // A hub behind a reverse proxy under a path.
    let config = ProxyConfig::for_loopback(&format!("{}/hub/", hub.url("http"))).unwrap();
    proxy(config).handle(DISCOVER.as_bytes()).await;
    assert_eq!(hub.seen()[3].path, "/hub/api/alexa/smart_home");
}

#[tokio::test]
async fn the_long_lived_token_is_used_only_with_debug_and_only_without_a_token() {
    let hub = Hub::start(Answer::With(StatusCode::OK, "{}")).await;
    let llat = ("LONG_LIVED_ACCESS_TOKEN", "long-lived-token".to_owned());
    let url = ("BASE_URL", hub.url("http"));

    // Without DEBUG: the seed's console test is answered INVALID_AUTHORIZATION_CREDENTIAL
    // and the hub is not called.
    let config =
        ProxyConfig::from_vars(vars(&[url.clone(), llat.clone(), LOOPBACK.clone()])).unwrap();
    let reply = json(
        &proxy(config)
            .handle(DISCOVER_WITHOUT_TOKEN.as_bytes())
            .await,
    );
    let (kind, message) = error_reply(&reply, None, None);
    assert_eq!(kind, "INVALID_AUTHORIZATION_CREDENTIAL");
    assert!(message.contains("used only when DEBUG is set"), "{message}");
    assert!(hub.seen().is_empty());

    // With DEBUG (but without a long-lived token) the same.
    let config = ProxyConfig::from_vars(vars(&[
        url.clone(),
        ("DEBUG", "True".into()),
        LOOPBACK.clone(),
    ]))
    .unwrap();
    let reply = json(
        &proxy(config)
            .handle(DISCOVER_WITHOUT_TOKEN.as_bytes())
            .await,
    );
    assert_eq!(
        error_reply(&reply, None, None).0,
        "INVALID_AUTHORIZATION_CREDENTIAL"
    );
    assert!(hub.seen().is_empty());

    // With DEBUG and the token: used for the directive without one, never for one with one.
    let config = ProxyConfig::from_vars(vars(&[
        url,
        llat,
        ("DEBUG", "true".into()),
        LOOPBACK.clone(),
    ]))
    .unwrap();
    let proxy = proxy(config);
    assert_eq!(
        proxy.handle(DISCOVER_WITHOUT_TOKEN.as_bytes()).await.get(),
        "{}"
    );
    assert_eq!(proxy.handle(DISCOVER.as_bytes()).await.get(), "{}");
    let tokens: Vec<Option<String>> = hub.seen().into_iter().map(|s| s.authorization).collect();
    assert_eq!(
        tokens,
        [
            Some("Bearer long-lived-token".to_owned()),
            Some("Bearer scope-token".to_owned()),
        ]
    );
}

#[tokio::test]
async fn refused_tokens_are_invalid_authorization_credential() {
    for status in [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN] {
        let hub = Hub::start(Answer::With(status, "401: Unauthorized")).await;
        let reply = json(&proxy(base(&hub)).handle(REPORT_STATE.as_bytes()).await);
        let (kind, message) = error_reply(&reply, Some("c-1"), Some("light#kitchen"));
        assert_eq!(kind, "INVALID_AUTHORIZATION_CREDENTIAL");
        assert_eq!(
            message,
            format!("the hub refused the token with {}", status.as_u16())
        );
    }
}

#[tokio::test]
async fn other_hub_failures_are_internal_errors() {
    let hub = Hub::start(Answer::With(
        StatusCode::INTERNAL_SERVER_ERROR,
        "500 Internal Server Error",
    ))
    .await;
    let proxy = proxy(base(&hub));
    let cases = [
        // The hub's own error text (a stack trace, a path) stays out of Alexa's answer.
        (
            Answer::With(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Traceback: /srv/hub/secret_module.py line 12",
            ),
            "the hub answered 500".to_owned(),
        ),
        (
            Answer::With(StatusCode::NOT_FOUND, "404: Not Found"),
            "the hub answered 404".to_owned(),
        ),
        (
            Answer::With(StatusCode::OK, "<html>login</html>"),
            "the hub's reply is not JSON".to_owned(),
        ),
        (Answer::Redirect, "the hub answered 301".to_owned()),
        (
            Answer::Large(7 * 1024 * 1024),
            "the hub could not be reached or did not answer in time (TooLarge { limit: 6291456 })"
                .to_owned(),
        ),
    ];
    for (answer, expected) in cases {
        hub.answer(answer);
        let reply = json(&proxy.handle(REPORT_STATE.as_bytes()).await);
        let (kind, message) = error_reply(&reply, Some("c-1"), Some("light#kitchen"));
        assert_eq!(kind, "INTERNAL_ERROR");
        assert_eq!(message, expected);
    }
}

#[tokio::test]
async fn a_slow_hub_hits_the_read_timeout() {
    let hub = Hub::start(Answer::Late(Duration::from_secs(30))).await;
    let config = base(&hub).with_timeouts(Duration::from_millis(500), Duration::from_millis(300));
    let started = tokio::time::Instant::now();
    let reply = json(&proxy(config).handle(REPORT_STATE.as_bytes()).await);
    let (kind, message) = error_reply(&reply, Some("c-1"), Some("light#kitchen"));
    assert_eq!(kind, "INTERNAL_ERROR");
    assert_eq!(
        message,
        "the hub could not be reached or did not answer in time (Timeout)"
    );
    // Not a timing assertion: only that the proxy did not wait for the hub's 30 s.
    assert!(started.elapsed() < Duration::from_secs(29));
    assert_eq!(hub.seen().len(), 1, "the hub got the directive");
}

/// A hub that sends its answer's head at once and then one byte of the body every 100 ms:
/// every read is quick, so only the overall deadline ends the exchange.
async fn trickling_hub() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0_u8; 16 * 1024];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if socket.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_trickling_hub_hits_the_overall_deadline() {
    let addr = trickling_hub().await;
    let config = ProxyConfig::for_loopback(&format!("http://{addr}"))
        .unwrap()
        .with_timeouts(Duration::from_secs(2), Duration::from_secs(2))
        .with_deadline(Duration::from_millis(800));
    // The outer bound only turns a missing deadline into a failure instead of a hang.
    let reply = tokio::time::timeout(
        Duration::from_mins(1),
        proxy(config).handle(REPORT_STATE.as_bytes()),
    )
    .await
    .expect("the proxy kept reading past its deadline");
    let (kind, message) = error_reply(&json(&reply), Some("c-1"), Some("light#kitchen"));
    assert_eq!(kind, "INTERNAL_ERROR");
    assert_eq!(
        message,
        "the hub could not be reached or did not answer in time (Timeout)"
    );
}

#[tokio::test]
async fn a_refused_connection_is_an_internal_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = ProxyConfig::for_loopback(&format!("http://127.0.0.1:{port}/")).unwrap();
    let proxy = proxy(config);
    let error = proxy.forward(REPORT_STATE.as_bytes()).await.unwrap_err();
    assert!(
        matches!(&error, ProxyError::Transport(t) if t.kind() == ha_alexa::TransportErrorKind::Connect),
        "{error:?}"
    );
    let reply = json(&proxy.handle(REPORT_STATE.as_bytes()).await);
    let (kind, message) = error_reply(&reply, Some("c-1"), Some("light#kitchen"));
    assert_eq!(kind, "INTERNAL_ERROR");
    assert_eq!(
        message,
        "the hub could not be reached or did not answer in time (Connect)"
    );
}

#[tokio::test]
async fn events_that_are_not_directives_are_answered_invalid_directive() {
    let hub = Hub::start(Answer::With(StatusCode::OK, "{}")).await;
    let proxy = proxy(base(&hub));
    for event in [
        &b"not json"[..],
        br#"{"directive":{"header":{"namespace":"Alexa","name":"ReportState","messageId":"m","payloadVersion":"2"},"payload":{}}}"#,
        br#"{"event":{}}"#,
    ] {
        let reply = json(&proxy.handle(event).await);
        let (kind, message) = error_reply(&reply, None, None);
        assert_eq!(kind, "INVALID_DIRECTIVE");
        assert!(message.starts_with("the event is not a smart home v3 directive"), "{message}");
    }
    assert!(hub.seen().is_empty());
}

#[tokio::test]
async fn certificates_are_verified_unless_not_verify_ssl_is_set() {
    let identity = self_signed();
    let hub = Hub::start_tls(Answer::With(StatusCode::OK, HUB_REPLY), &identity).await;
    let url = ("BASE_URL", hub.url("https"));

    // Verified by default, and with NOT_VERIFY_SSL set to a "no": the self-signed hub is refused.
    for not_verify in [None, Some("false"), Some("0")] {
        let mut env = vec![url.clone()];
        env.extend(not_verify.map(|v| ("NOT_VERIFY_SSL", v.to_owned())));
        let config = ProxyConfig::from_vars(vars(&env)).unwrap();
        assert!(config.verifies_certificates());
        let reply = json(&proxy(config).handle(REPORT_STATE.as_bytes()).await);
        let (kind, message) = error_reply(&reply, Some("c-1"), Some("light#kitchen"));
        assert_eq!(kind, "INTERNAL_ERROR");
        assert_eq!(
            message,
            "the hub could not be reached or did not answer in time (Connect)"
        );
    }
    assert!(
        hub.seen().is_empty(),
        "no token crossed an unverified connection"
    );

    // NOT_VERIFY_SSL=True: accepted.
    let config =
        ProxyConfig::from_vars(vars(&[url, ("NOT_VERIFY_SSL", "True".to_owned())])).unwrap();
    assert!(!config.verifies_certificates());
    assert_eq!(
        proxy(config).handle(REPORT_STATE.as_bytes()).await.get(),
        HUB_REPLY
    );
    assert_eq!(hub.seen().len(), 1);
}

#[tokio::test]
async fn a_hub_with_a_private_certificate_authority_stays_verified() {
    let identity = issued_by_private_ca();
    let hub = Hub::start_tls(Answer::With(StatusCode::OK, HUB_REPLY), &identity).await;
    let config = ProxyConfig::new(&hub.url("https"))
        .unwrap()
        .with_root_certificates_pem(identity.root_pem.as_bytes())
        .unwrap();
    assert!(config.verifies_certificates());
    assert_eq!(
        proxy(config).handle(REPORT_STATE.as_bytes()).await.get(),
        HUB_REPLY
    );

    // Another authority's root does not vouch for it.
    let other = issued_by_private_ca();
    let config = ProxyConfig::new(&hub.url("https"))
        .unwrap()
        .with_root_certificates_pem(other.root_pem.as_bytes())
        .unwrap();
    assert!(matches!(
        proxy(config).forward(REPORT_STATE.as_bytes()).await,
        Err(ProxyError::Transport(_))
    ));
}

#[test]
fn configuration_comes_from_the_environment_variables_of_the_python_function() {
    let config = ProxyConfig::from_vars(vars(&[(
        "BASE_URL",
        "https://hub.example.org:8123/".into(),
    )]))
    .unwrap();
    assert_eq!(
        config.url(),
        "https://hub.example.org:8123/api/alexa/smart_home"
    );
    assert!(config.verifies_certificates());
    assert!(!config.debug());
    assert_eq!(config.connect_timeout(), Duration::from_secs(2));
    assert_eq!(config.read_timeout(), Duration::from_secs(10));

    assert_eq!(
        ProxyConfig::from_vars(vars(&[])).unwrap_err(),
        ConfigError::Missing { name: "BASE_URL" }
    );
    assert_eq!(
        ProxyConfig::from_vars(vars(&[("BASE_URL", "  ".into())])).unwrap_err(),
        ConfigError::Missing { name: "BASE_URL" }
    );
    let error =
        ProxyConfig::from_vars(vars(&[("BASE_URL", "hub.example.org".into())])).unwrap_err();
    assert!(
        matches!(
            error,
            ConfigError::Url {
                name: "BASE_URL",
                ..
            }
        ),
        "{error:?}"
    );
    for bad in [
        "https://user:pw@hub.example.org",
        "https://hub.example.org/?x=1",
        "ftp://hub.example.org",
        "http://hub.example.org",
        "http://127.0.0.1:8123",
    ] {
        assert!(ProxyConfig::new(bad).is_err(), "{bad}");
    }
    // http only with the loopback-testing option, and only on loopback.
    let http = |url: &str, allow: Option<&str>| {
        let mut env = vec![("BASE_URL", url.to_owned())];
        env.extend(allow.map(|a| ("ALLOW_HTTP_LOOPBACK", a.to_owned())));
        ProxyConfig::from_vars(vars(&env))
    };
    assert!(http("http://127.0.0.1:8123", None).is_err());
    assert!(http("http://127.0.0.1:8123", Some("false")).is_err());
    assert!(http("http://127.0.0.1:8123", Some("true")).is_ok());
    assert!(http("http://[::1]:8123", Some("true")).is_ok());
    assert!(http("http://localhost:8123", Some("true")).is_ok());
    assert!(http("http://hub.example.org", Some("true")).is_err());
    assert!(http("http://10.0.0.2:8123", Some("true")).is_err());
    assert_eq!(config.deadline(), Duration::from_secs(7));
    let error = ProxyConfig::from_vars(vars(&[
        ("BASE_URL", "https://hub.example.org".into()),
        ("NOT_VERIFY_SSL", "sometimes".into()),
    ]))
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "NOT_VERIFY_SSL is \"sometimes\"; expected true or false (or 1/0, yes/no, on/off), or unset"
    );
    for (value, debug) in [
        ("", false),
        ("1", true),
        ("YES", true),
        ("on", true),
        ("off", false),
    ] {
        let config = ProxyConfig::from_vars(vars(&[
            ("BASE_URL", "https://hub.example.org".into()),
            ("DEBUG", value.into()),
        ]))
        .unwrap();
        assert_eq!(config.debug(), debug, "DEBUG={value}");
    }
}

#[test]
fn the_long_lived_token_stays_out_of_debug_output() {
    let config = ProxyConfig::new("https://hub.example.org")
        .unwrap()
        .with_long_lived_access_token(BearerToken::try_new("secret-long-lived-token").unwrap());
    let proxy = LambdaProxy::new(config.clone()).unwrap();
    let shown = format!("{config:?} {proxy:?}");
    assert!(!shown.contains("secret-long-lived-token"), "{shown}");
}

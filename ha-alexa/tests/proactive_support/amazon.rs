//! Stand-ins for Amazon's servers in the proactive-mode tests: wiremock mocks of Login with
//! Amazon's token endpoint and of the Alexa event gateway.
//!
//! These are the only doubles in the tests, and only because nothing local can play
//! Amazon's servers. They answer with the bodies Amazon documents: RFC 6749 token and
//! error responses for LWA, `{"header", "payload": {"code", "description"}}` for the
//! gateway. The client under test is real and talks HTTP to them on loopback.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the stand-ins"
)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use ha_alexa::BearerToken;
use ha_alexa::clock::{Clock, ManualClock};
use ha_alexa::config::ClientSecret;
use ha_alexa::lwa::{LwaClient, LwaConfig, LwaTokenStore, LwaTokens, MemoryLwaStore, RefreshToken};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The Alexa Skill Messaging client.
pub(crate) const CLIENT_ID: &str = "amzn1.application-oa2-client.ab12cd34ef56";
pub(crate) const CLIENT_SECRET: &str = "skill-messaging-secret-5f4dcc3b5aa765d61d8327deb882cf99";
/// The tokens the linked user starts with.
pub(crate) const ACCESS_1: &str = "Atza|IwEBIFirstAccessToken";
pub(crate) const REFRESH_1: &str = "Atzr|IwEBIFirstRefreshToken";
/// The tokens of the first refresh.
pub(crate) const ACCESS_2: &str = "Atza|IwEBISecondAccessToken";
pub(crate) const REFRESH_2: &str = "Atzr|IwEBISecondRefreshToken";
/// Where the stand-ins listen.
pub(crate) const TOKEN_PATH: &str = "/auth/o2/token";
pub(crate) const EVENTS_PATH: &str = "/v3/events";

/// The tests' start of time.
#[expect(
    clippy::duration_suboptimal_units,
    reason = "a Unix time reads in seconds"
)]
pub(crate) fn clock() -> ManualClock {
    ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_714_564_800))
}

/// Settings pointing at the stand-in on `server`.
pub(crate) fn lwa_config(server: &MockServer) -> LwaConfig {
    LwaConfig::new(CLIENT_ID, ClientSecret::try_new(CLIENT_SECRET).unwrap())
        .unwrap()
        .with_loopback_token_url(&format!("{}{TOKEN_PATH}", server.uri()))
        .unwrap()
}

/// Tokens as LWA issues them, valid for `lifetime` from `clock`'s now.
pub(crate) fn issued(
    clock: &ManualClock,
    access: &str,
    refresh: Option<&str>,
    lifetime: u64,
) -> LwaTokens {
    LwaTokens::new(
        BearerToken::try_new(access).unwrap(),
        refresh.map(|r| RefreshToken::try_new(r).unwrap()),
        clock.now() + Duration::from_secs(lifetime),
    )
}

/// A client whose store holds `tokens`.
pub(crate) async fn client_with(
    server: &MockServer,
    clock: &ManualClock,
    tokens: Option<LwaTokens>,
) -> LwaClient<MemoryLwaStore, ManualClock> {
    let store = MemoryLwaStore::new();
    if let Some(tokens) = tokens {
        store.save(&tokens).await.unwrap();
    }
    LwaClient::with_clock(lwa_config(server), store, clock.clone()).unwrap()
}

/// A linked client: [`ACCESS_1`] and [`REFRESH_1`], valid for an hour.
pub(crate) async fn linked(
    server: &MockServer,
    clock: &ManualClock,
) -> LwaClient<MemoryLwaStore, ManualClock> {
    client_with(
        server,
        clock,
        Some(issued(clock, ACCESS_1, Some(REFRESH_1), 3600)),
    )
    .await
}

/// LWA's token response (RFC 6749 §5.1).
pub(crate) fn tokens(access: &str, refresh: Option<&str>, expires_in: u64) -> ResponseTemplate {
    let mut body =
        json!({"access_token": access, "token_type": "bearer", "expires_in": expires_in});
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

/// LWA's error response (RFC 6749 §5.2).
pub(crate) fn lwa_error(status: u16, code: &str, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({"error": code, "error_description": description}))
}

/// The event gateway's error response.
pub(crate) fn gateway_error(status: u16, code: &str, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "header": {"messageId": "2a8f0f0a-6a22-4f6e-9b5e-0d0f8a3f1c11"},
        "payload": {"code": code, "description": description}
    }))
}

/// The gateway's success.
pub(crate) fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(202)
}

/// Answers the n-th request with the n-th response, and later ones with the last.
pub(crate) struct Sequence {
    responses: Vec<ResponseTemplate>,
    next: AtomicUsize,
}

impl Sequence {
    pub(crate) fn new(responses: Vec<ResponseTemplate>) -> Self {
        assert!(!responses.is_empty());
        Self {
            responses,
            next: AtomicUsize::new(0),
        }
    }
}

impl Respond for Sequence {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        self.responses[n.min(self.responses.len() - 1)].clone()
    }
}

/// Mounts the LWA token endpoint answering with `responder`, expected `times` times.
pub(crate) async fn mount_token(
    server: &MockServer,
    responder: impl Respond + 'static,
    times: u64,
) {
    Mock::given(method("POST"))
        .and(path(TOKEN_PATH))
        .respond_with(responder)
        .expect(times)
        .named("LWA token endpoint")
        .mount(server)
        .await;
}

/// Mounts the event gateway answering with `responder`, expected `times` times.
pub(crate) async fn mount_gateway(
    server: &MockServer,
    responder: impl Respond + 'static,
    times: u64,
) {
    Mock::given(method("POST"))
        .and(path(EVENTS_PATH))
        .respond_with(responder)
        .expect(times)
        .named("event gateway")
        .mount(server)
        .await;
}

/// The requests `server` received at `at`.
pub(crate) async fn received(server: &MockServer, at: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.url.path() == at)
        .collect()
}

/// The fields of a form-encoded body; a repeated field fails the test.
pub(crate) fn form(request: &Request) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for (name, value) in url::form_urlencoded::parse(&request.body) {
        assert!(
            fields.insert(name.to_string(), value.to_string()).is_none(),
            "{name} sent twice"
        );
    }
    fields
}

/// A header's value.
pub(crate) fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

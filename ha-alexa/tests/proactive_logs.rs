//! Secrets never reach the logs: a link, refreshes, events, refusals and proxied directives
//! run while everything logged, at every level and by every crate, is captured.
//!
//! A test binary of its own, so that the capturing subscriber is the process-wide default
//! before anything logs.

#[path = "proactive_support/amazon.rs"]
mod amazon;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use amazon::{
    ACCESS_1, ACCESS_2, CLIENT_SECRET, EVENTS_PATH, REFRESH_1, REFRESH_2, Sequence, accepted,
    client_with, clock, gateway_error, lwa_error, mount_gateway, mount_token, tokens,
};
use ha_alexa::gateway::{EventGateway, GatewayConfig, RetryPolicy};
use ha_alexa::interface::authorization::GrantCode;
use ha_alexa::proxy::{LambdaProxy, ProxyConfig};
use ha_alexa::{BearerToken, CauseType, EndpointId};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Captures everything logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const GRANT_CODE: &str = "grant-code-ANUbUKCJqlBOpMhwYWxU";
const HUB_TOKEN: &str = "hub-access-token-0f1e2d3c4b5a";
const LONG_LIVED: &str = "long-lived-token-9a8b7c6d5e4f";

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    // Link, refresh after a refused token, send, and fail a refresh.
    let amazon = MockServer::start().await;
    mount_token(
        &amazon,
        Sequence::new(vec![
            tokens(ACCESS_1, Some(REFRESH_1), 3600),
            tokens(ACCESS_2, Some(REFRESH_2), 3600),
            lwa_error(401, "invalid_client", "Client authentication failed"),
        ]),
        3,
    )
    .await;
    mount_gateway(
        &amazon,
        Sequence::new(vec![
            gateway_error(
                401,
                "INVALID_ACCESS_TOKEN_EXCEPTION",
                "Access token is not valid.",
            ),
            accepted(),
        ]),
        2,
    )
    .await;
    let clock = clock();
    let lwa = client_with(&amazon, &clock, None).await;
    lwa.accept_grant(&GrantCode::try_new(GRANT_CODE).unwrap())
        .await
        .unwrap();
    let config = GatewayConfig::with_loopback_url(&format!("{}{EVENTS_PATH}", amazon.uri()))
        .unwrap()
        .with_retry(RetryPolicy::new(
            1,
            Duration::from_millis(1),
            Duration::from_millis(1),
        ));
    let gateway = EventGateway::open(config, lwa).await.unwrap();
    gateway
        .change_report(
            EndpointId::for_entity("light.kitchen").unwrap(),
            CauseType::AppInteraction,
            vec![],
            vec![],
        )
        .await
        .unwrap();
    clock.advance(Duration::from_hours(1));
    assert!(gateway.lwa().access_token().await.is_err());

    // Proxy directives to a hub that refuses them, with and without a token.
    let hub = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/alexa/smart_home"))
        .respond_with(ResponseTemplate::new(401).set_body_string("401: Unauthorized"))
        .mount(&hub)
        .await;
    let proxy = LambdaProxy::new(
        ProxyConfig::for_loopback(&hub.uri())
            .unwrap()
            .with_debug(true)
            .with_long_lived_access_token(BearerToken::try_new(LONG_LIVED).unwrap()),
    )
    .unwrap();
    let with_token = format!(
        r#"{{"directive":{{"header":{{"namespace":"Alexa","name":"ReportState","messageId":"m","correlationToken":"c","payloadVersion":"3"}},
            "endpoint":{{"scope":{{"type":"BearerToken","token":"{HUB_TOKEN}"}},"endpointId":"light#kitchen"}},"payload":{{}}}}}}"#
    );
    proxy.handle(with_token.as_bytes()).await;
    proxy
        .handle(br#"{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover","messageId":"m","payloadVersion":"3"},"payload":{"scope":{"type":"BearerToken"}}}}"#)
        .await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("the event gateway refused the access token"),
        "the flow was logged:\n{log}"
    );
    for secret in [
        ACCESS_1,
        ACCESS_2,
        REFRESH_1,
        REFRESH_2,
        CLIENT_SECRET,
        GRANT_CODE,
        HUB_TOKEN,
        LONG_LIVED,
    ] {
        assert!(!log.contains(secret), "{secret} was logged:\n{log}");
    }
}

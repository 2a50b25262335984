//! The event-gateway reporter against stand-ins of the Alexa event gateway and of Login
//! with Amazon: every answer the gateway gives, proactive mode turning off and on, paging,
//! and the coalescing queue.

#[path = "proactive_support/amazon.rs"]
mod amazon;
#[path = "schema/check.rs"]
mod schema_check;

use std::sync::Arc;
use std::time::Duration;

use amazon::{
    ACCESS_1, ACCESS_2, EVENTS_PATH, REFRESH_2, Sequence, TOKEN_PATH, accepted, client_with, clock,
    gateway_error, header, issued, linked, lwa_error, mount_gateway, mount_token, received, tokens,
};
use ha_alexa::clock::ManualClock;
use ha_alexa::gateway::{
    Change, ChangeReporter, DisabledReason, EventGateway, GatewayConfig, GatewayError,
    GatewayErrorCode, ProactiveStatus, Region, RetryPolicy,
};
use ha_alexa::interface::authorization::AcceptGrant;
use ha_alexa::interface::{Percentage, PowerState};
use ha_alexa::lwa::{LwaClient, LwaError, MemoryLwaStore, RelinkReason};
use ha_alexa::{
    Capability, CauseType, DiscoveryEndpoint, DisplayCategory, EndpointId, Property, PropertyValue,
    Timestamp,
};
use schema_check::{assert_schema_valid, schema_errors};
use serde_json::{Value, json};
use wiremock::{MockServer, Request, ResponseTemplate};

type Gateway = EventGateway<MemoryLwaStore, ManualClock>;

/// Retries without real waiting, so that the tests count requests, not seconds.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(10))
}

fn config(server: &MockServer) -> GatewayConfig {
    GatewayConfig::with_loopback_url(&format!("{}{EVENTS_PATH}", server.uri()))
        .unwrap()
        .with_retry(fast_retries())
}

async fn open(server: &MockServer, lwa: LwaClient<MemoryLwaStore, ManualClock>) -> Gateway {
    EventGateway::open(config(server), lwa).await.unwrap()
}

/// A gateway for a user who has just linked: [`ACCESS_1`], valid for an hour.
async fn linked_gateway(server: &MockServer) -> (Gateway, ManualClock) {
    let clock = clock();
    let lwa = linked(server, &clock).await;
    (open(server, lwa).await, clock)
}

fn at() -> Timestamp {
    Timestamp::from_unix_seconds(1_714_564_800).unwrap()
}

fn brightness(level: u8) -> Property {
    Property::new(
        PropertyValue::Brightness(Percentage::try_new(level).unwrap()),
        at(),
    )
}

fn power(state: PowerState) -> Property {
    Property::new(PropertyValue::PowerState(state), at())
}

fn id(entity: &str) -> EndpointId {
    EndpointId::for_entity(entity).unwrap()
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// The token a request carried in its `Authorization` header and in its event's scope.
fn tokens_sent(request: &Request) -> (String, String) {
    let event = body(request);
    let scope = if event["event"]["endpoint"]["scope"].is_object() {
        &event["event"]["endpoint"]["scope"]
    } else {
        &event["event"]["payload"]["scope"]
    };
    assert_eq!(scope["type"], "BearerToken");
    (
        header(request, "authorization").unwrap().to_owned(),
        scope["token"].as_str().unwrap().to_owned(),
    )
}

fn bearer(token: &str) -> (String, String) {
    (format!("Bearer {token}"), token.to_owned())
}

async fn events(server: &MockServer) -> Vec<Request> {
    received(server, EVENTS_PATH).await
}

#[test]
fn regions_have_amazons_endpoints() {
    let urls: Vec<&str> = Region::ALL.iter().map(|r| r.url()).collect();
    assert_eq!(
        urls,
        [
            "https://api.amazonalexa.com/v3/events",
            "https://api.eu.amazonalexa.com/v3/events",
            "https://api.fe.amazonalexa.com/v3/events",
        ]
    );
    assert_eq!(
        GatewayConfig::new(Region::Europe).url(),
        Region::Europe.url()
    );
    assert!(GatewayConfig::with_url("ftp://api.amazonalexa.com/v3/events").is_err());
}

#[tokio::test]
async fn a_change_report_is_posted_with_the_token_and_202_is_success() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 1).await;
    let (gateway, _clock) = linked_gateway(&server).await;
    assert_eq!(gateway.status(), ProactiveStatus::Enabled);

    gateway
        .change_report(
            id("light.kitchen"),
            CauseType::PhysicalInteraction,
            vec![brightness(40)],
            vec![power(PowerState::On)],
        )
        .await
        .unwrap();

    let requests = events(&server).await;
    let [request] = requests.as_slice() else {
        panic!("{} requests", requests.len());
    };
    assert_eq!(header(request, "content-type"), Some("application/json"));
    assert_eq!(tokens_sent(request), bearer(ACCESS_1));
    let event = body(request);
    assert_schema_valid(&event);
    assert_eq!(event["event"]["header"]["namespace"], "Alexa");
    assert_eq!(event["event"]["header"]["name"], "ChangeReport");
    assert_eq!(event["event"]["endpoint"]["endpointId"], "light#kitchen");
    assert_eq!(
        event["event"]["payload"]["change"]["cause"]["type"],
        "PHYSICAL_INTERACTION"
    );
    assert_eq!(
        event["event"]["payload"]["change"]["properties"][0]["value"],
        40
    );
    assert_eq!(event["context"]["properties"][0]["value"], "ON");
}

#[tokio::test]
async fn an_invalid_access_token_gets_one_refresh_and_one_retry() {
    let server = MockServer::start().await;
    mount_gateway(
        &server,
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
    mount_token(&server, tokens(ACCESS_2, Some(REFRESH_2), 3600), 1).await;
    let (gateway, _clock) = linked_gateway(&server).await;

    gateway
        .change_report(
            id("switch.porch"),
            CauseType::AppInteraction,
            vec![power(PowerState::Off)],
            vec![],
        )
        .await
        .unwrap();

    let requests = events(&server).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(tokens_sent(&requests[0]), bearer(ACCESS_1));
    assert_eq!(tokens_sent(&requests[1]), bearer(ACCESS_2));
    assert_eq!(received(&server, TOKEN_PATH).await.len(), 1);
    assert!(gateway.status().is_enabled());
}

#[tokio::test]
async fn an_access_token_refused_after_a_refresh_turns_proactive_mode_off() {
    let server = MockServer::start().await;
    mount_gateway(
        &server,
        gateway_error(
            401,
            "INVALID_ACCESS_TOKEN_EXCEPTION",
            "Access token is not valid.",
        ),
        2,
    )
    .await;
    mount_token(&server, tokens(ACCESS_2, Some(REFRESH_2), 3600), 1).await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let mut status = gateway.subscribe();

    let error = gateway
        .change_report(
            id("switch.porch"),
            CauseType::AppInteraction,
            vec![power(PowerState::Off)],
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            GatewayError::Refused {
                status: 401,
                code: GatewayErrorCode::InvalidAccessToken,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(status.has_changed().unwrap(), "the hub is told");
    let now = status.borrow_and_update().clone();
    let ProactiveStatus::Disabled(DisabledReason::TokenRejected { description }) = &now else {
        panic!("{now:?}");
    };
    assert_eq!(description, "Access token is not valid.");
    assert!(
        now.to_string()
            .contains("check the Alexa Skill Messaging client id and secret"),
        "{now}"
    );

    // Off means off: nothing more is sent.
    let error = gateway
        .change_report(
            id("switch.porch"),
            CauseType::AppInteraction,
            vec![],
            vec![],
        )
        .await
        .unwrap_err();
    assert!(matches!(error, GatewayError::Disabled(_)), "{error:?}");
    assert_eq!(events(&server).await.len(), 2);
}

#[tokio::test]
async fn skill_disabled_turns_proactive_mode_off_until_the_next_accept_grant() {
    let server = MockServer::start().await;
    mount_gateway(
        &server,
        Sequence::new(vec![
            gateway_error(
                403,
                "SKILL_DISABLED_EXCEPTION",
                "The skill is disabled by the user.",
            ),
            accepted(),
        ]),
        2,
    )
    .await;
    mount_token(&server, tokens(ACCESS_2, Some(REFRESH_2), 3600), 1).await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let mut status = gateway.subscribe();
    let observer = tokio::spawn(async move {
        status.changed().await.unwrap();
        status.borrow_and_update().clone()
    });

    let error = gateway
        .change_report(
            id("lock.front_door"),
            CauseType::PhysicalInteraction,
            vec![],
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            &error,
            GatewayError::Refused {
                status: 403,
                code: GatewayErrorCode::SkillDisabled,
                ..
            }
        ),
        "{error:?}"
    );
    assert_eq!(
        observer.await.unwrap(),
        ProactiveStatus::Disabled(DisabledReason::SkillDisabled {
            description: "The skill is disabled by the user.".into()
        })
    );
    assert_eq!(events(&server).await.len(), 1, "a 403 is not retried");

    // The user enables the skill again: Alexa sends AcceptGrant.
    let grant: AcceptGrant = serde_json::from_value(json!({
        "grant": {"type": "OAuth2.AuthorizationCode", "code": "VGhpcyBpcyBhbiBhdXRob3JpemF0aW9uIGNvZGUuIDotKQ=="},
        "grantee": {"type": "BearerToken", "token": "access-token-from-skill"}
    }))
    .unwrap();
    gateway.accept_grant(&grant).await.unwrap();
    assert_eq!(gateway.status(), ProactiveStatus::Enabled);
    gateway
        .change_report(
            id("lock.front_door"),
            CauseType::PhysicalInteraction,
            vec![],
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(tokens_sent(&events(&server).await[1]), bearer(ACCESS_2));
}

#[tokio::test]
async fn any_403_turns_proactive_mode_off() {
    for (response, code) in [
        (
            gateway_error(
                403,
                "INSUFFICIENT_PERMISSION_EXCEPTION",
                "Send Alexa Events is off.",
            ),
            GatewayErrorCode::InsufficientPermission,
        ),
        (
            ResponseTemplate::new(403).set_body_string("Forbidden"),
            GatewayErrorCode::Unknown(String::new()),
        ),
    ] {
        let server = MockServer::start().await;
        mount_gateway(&server, response, 1).await;
        let (gateway, _clock) = linked_gateway(&server).await;
        let error = gateway.delete(vec![id("light.gone")]).await.unwrap_err();
        assert!(
            matches!(error, GatewayError::Refused { status: 403, .. }),
            "{error:?}"
        );
        let ProactiveStatus::Disabled(DisabledReason::Forbidden { code: seen, .. }) =
            gateway.status()
        else {
            panic!("{:?}", gateway.status());
        };
        assert_eq!(seen, code);
    }
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_with_backoff_within_the_bound() {
    let server = MockServer::start().await;
    mount_gateway(
        &server,
        Sequence::new(vec![
            gateway_error(429, "THROTTLING_EXCEPTION", "Rate exceeded."),
            gateway_error(500, "INTERNAL_SERVICE_EXCEPTION", "Internal error."),
            ResponseTemplate::new(503),
            accepted(),
        ]),
        4,
    )
    .await;
    let (gateway, _clock) = linked_gateway(&server).await;
    gateway
        .change_report(
            id("light.kitchen"),
            CauseType::AppInteraction,
            vec![brightness(1)],
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(events(&server).await.len(), 4);
    assert!(gateway.status().is_enabled());
}

#[tokio::test]
async fn a_gateway_that_keeps_failing_is_given_up_on_after_the_bound() {
    let server = MockServer::start().await;
    mount_gateway(
        &server,
        gateway_error(503, "SERVICE_UNAVAILABLE_EXCEPTION", "Try later."),
        4,
    )
    .await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let error = gateway
        .change_report(
            id("light.kitchen"),
            CauseType::AppInteraction,
            vec![],
            vec![],
        )
        .await
        .unwrap_err();
    let GatewayError::Unavailable {
        attempts,
        status,
        code,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(
        (*attempts, *status, code),
        (4, 503, &GatewayErrorCode::ServiceUnavailable)
    );
    assert_eq!(
        error.to_string(),
        "the event gateway answered 503 SERVICE_UNAVAILABLE_EXCEPTION to all 4 attempts: Try later."
    );
    assert!(
        gateway.status().is_enabled(),
        "an outage does not turn proactive mode off"
    );
}

#[tokio::test]
async fn retry_after_is_honoured_but_capped_at_the_longest_backoff() {
    let server = MockServer::start().await;
    mount_gateway(
        &server,
        Sequence::new(vec![
            gateway_error(429, "THROTTLING_EXCEPTION", "Rate exceeded.")
                .insert_header("Retry-After", "3600"),
            accepted(),
        ]),
        2,
    )
    .await;
    let (gateway, _clock) = linked_gateway(&server).await;
    // An uncapped wait of an hour would hit this bound; the capped one is 10 ms.
    tokio::time::timeout(
        Duration::from_secs(30),
        gateway.change_report(
            id("light.kitchen"),
            CauseType::AppInteraction,
            vec![],
            vec![],
        ),
    )
    .await
    .expect("Retry-After is capped")
    .unwrap();
    assert_eq!(events(&server).await.len(), 2);
}

#[tokio::test]
async fn other_client_errors_are_refused_without_retry() {
    for (status, code) in [
        (400, "INVALID_REQUEST_EXCEPTION"),
        (404, "SKILL_NOT_FOUND_EXCEPTION"),
        (413, "REQUEST_ENTITY_TOO_LARGE_EXCEPTION"),
    ] {
        let server = MockServer::start().await;
        mount_gateway(&server, gateway_error(status, code, "No."), 1).await;
        let (gateway, _clock) = linked_gateway(&server).await;
        let error = gateway
            .change_report(
                id("light.kitchen"),
                CauseType::AppInteraction,
                vec![],
                vec![],
            )
            .await
            .unwrap_err();
        let GatewayError::Refused {
            status: seen,
            code: seen_code,
            description,
        } = &error
        else {
            panic!("{error:?}");
        };
        assert_eq!(
            (*seen, seen_code.as_str(), description.as_str()),
            (status, code, "No.")
        );
        assert!(seen_code.is_known());
        assert!(gateway.status().is_enabled());
    }
}

#[tokio::test]
async fn an_unreachable_gateway_is_retried_then_reported() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let lwa_server = MockServer::start().await;
    let clock = clock();
    let lwa = linked(&lwa_server, &clock).await;
    let config = GatewayConfig::with_loopback_url(&format!("http://127.0.0.1:{port}{EVENTS_PATH}"))
        .unwrap()
        .with_retry(RetryPolicy::new(
            2,
            Duration::from_millis(1),
            Duration::from_millis(5),
        ));
    let gateway = EventGateway::open(config, lwa).await.unwrap();
    let error = gateway
        .change_report(
            id("light.kitchen"),
            CauseType::AppInteraction,
            vec![],
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, GatewayError::Unreachable { attempts: 3, source } if source.kind() == ha_alexa::TransportErrorKind::Connect),
        "{error:?}"
    );
    assert!(gateway.status().is_enabled());
}

#[tokio::test]
async fn without_tokens_nothing_is_sent_and_proactive_mode_is_off() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 0).await;
    let clock = clock();
    let gateway = open(&server, client_with(&server, &clock, None).await).await;
    assert_eq!(
        gateway.status(),
        ProactiveStatus::Disabled(DisabledReason::RelinkRequired(RelinkReason::NotLinked))
    );
    let error = gateway
        .change_report(
            id("light.kitchen"),
            CauseType::AppInteraction,
            vec![],
            vec![],
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "proactive mode is off (relink required (there are no login with amazon tokens)); nothing was sent"
    );
}

#[tokio::test]
async fn a_refresh_token_refused_by_lwa_turns_proactive_mode_off() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 0).await;
    mount_token(
        &server,
        lwa_error(400, "invalid_grant", "Refresh token revoked."),
        1,
    )
    .await;
    let (gateway, clock) = linked_gateway(&server).await;
    clock.advance(Duration::from_hours(1));
    let error = gateway
        .change_report(
            id("light.kitchen"),
            CauseType::AppInteraction,
            vec![],
            vec![],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            GatewayError::Token(LwaError::RelinkRequired {
                reason: RelinkReason::RefreshTokenRefused
            })
        ),
        "{error:?}"
    );
    assert_eq!(
        gateway.status(),
        ProactiveStatus::Disabled(DisabledReason::RelinkRequired(
            RelinkReason::RefreshTokenRefused
        ))
    );
}

#[tokio::test]
async fn the_hub_can_turn_proactive_mode_off_and_on() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 1).await;
    let (gateway, _clock) = linked_gateway(&server).await;
    gateway.disable();
    assert!(matches!(
        gateway
            .change_report(id("light.a"), CauseType::AppInteraction, vec![], vec![])
            .await,
        Err(GatewayError::Disabled(DisabledReason::Hub))
    ));
    gateway.enable();
    gateway
        .change_report(id("light.a"), CauseType::AppInteraction, vec![], vec![])
        .await
        .unwrap();
}

fn switch(i: usize) -> DiscoveryEndpoint {
    DiscoveryEndpoint::builder(id(&format!("switch.s{i}")))
        .friendly_name(format!("Switch {i}"))
        .description("Switch via hub")
        .manufacturer_name("Example")
        .display_category(DisplayCategory::Switch)
        .capability(Capability::power_controller())
        .capability(Capability::alexa())
        .build()
        .unwrap()
}

#[tokio::test]
async fn add_or_update_reports_are_paged_and_carry_the_token_in_the_payload() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 3).await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let sent = gateway
        .add_or_update((0..650).map(switch).collect())
        .await
        .unwrap();
    assert_eq!(sent, 3);
    let requests = events(&server).await;
    let sizes: Vec<usize> = requests
        .iter()
        .map(|r| {
            body(r)["event"]["payload"]["endpoints"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(sizes, [300, 300, 50]);
    for request in &requests {
        assert_eq!(tokens_sent(request), bearer(ACCESS_1));
        let event = body(request);
        assert_eq!(event["event"]["header"]["name"], "AddOrUpdateReport");
        assert_schema_valid(&event);
    }
    assert_eq!(gateway.add_or_update(Vec::new()).await.unwrap(), 0);
}

#[tokio::test]
async fn delete_reports_carry_the_token_in_the_payload() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 1).await;
    let (gateway, _clock) = linked_gateway(&server).await;
    gateway
        .delete(vec![id("light.old"), id("switch.old")])
        .await
        .unwrap();
    let request = &events(&server).await[0];
    assert_eq!(tokens_sent(request), bearer(ACCESS_1));
    let event = body(request);
    assert_eq!(event["event"]["header"]["namespace"], "Alexa.Discovery");
    assert_eq!(event["event"]["header"]["name"], "DeleteReport");
    assert_eq!(
        event["event"]["payload"]["endpoints"],
        json!([{"endpointId": "light#old"}, {"endpointId": "switch#old"}])
    );
    // A known gap: Amazon documents DeleteReport but its schema has no such event.
    assert!(!schema_errors(&event).is_empty());
}

#[tokio::test]
async fn changes_arriving_faster_than_they_are_sent_are_coalesced() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 2).await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let reporter = ChangeReporter::new(Arc::new(gateway));

    // Four changes arrive before the queue is drained.
    let kitchen = || id("light.kitchen");
    let hall = || id("light.hall");
    reporter
        .report(Change::new(
            kitchen(),
            CauseType::PhysicalInteraction,
            vec![brightness(10)],
        ))
        .unwrap();
    reporter
        .report(Change::new(
            hall(),
            CauseType::AppInteraction,
            vec![power(PowerState::On)],
        ))
        .unwrap();
    reporter
        .report(Change::new(
            kitchen(),
            CauseType::PhysicalInteraction,
            vec![brightness(20), power(PowerState::On)],
        ))
        .unwrap();
    reporter
        .report(Change::new(
            kitchen(),
            CauseType::VoiceInteraction,
            vec![brightness(30)],
        ))
        .unwrap();
    assert_eq!(reporter.pending(), 2);

    assert_eq!(reporter.flush().await, 2);
    assert_eq!(reporter.pending(), 0);
    let sent: Vec<Value> = events(&server).await.iter().map(body).collect();
    assert_eq!(sent.len(), 2, "one report per endpoint");
    assert_eq!(sent[0]["event"]["endpoint"]["endpointId"], "light#kitchen");
    assert_eq!(
        sent[0]["event"]["payload"]["change"]["cause"]["type"],
        "VOICE_INTERACTION"
    );
    let properties: Vec<(&str, &Value)> = sent[0]["event"]["payload"]["change"]["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), &p["value"]))
        .collect();
    assert_eq!(
        properties,
        [("brightness", &json!(30)), ("powerState", &json!("ON"))],
        "latest values win"
    );
    assert_eq!(sent[1]["event"]["endpoint"]["endpointId"], "light#hall");
    for event in &sent {
        assert_schema_valid(event);
    }
}

#[tokio::test]
async fn the_reporter_coalesces_changes_that_arrive_while_a_report_is_in_flight() {
    let server = MockServer::start().await;
    mount_gateway(
        &server,
        Sequence::new(vec![
            accepted().set_delay(Duration::from_secs(1)),
            accepted(),
        ]),
        2,
    )
    .await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let reporter = ChangeReporter::new(Arc::new(gateway));
    let driver = tokio::spawn({
        let reporter = reporter.clone();
        async move { reporter.run().await }
    });

    reporter
        .report(Change::new(
            id("light.kitchen"),
            CauseType::AppInteraction,
            vec![brightness(1)],
        ))
        .unwrap();
    while events(&server).await.is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The first report is in flight for a second; these arrive meanwhile.
    for level in 2..=50 {
        reporter
            .report(Change::new(
                id("light.kitchen"),
                CauseType::AppInteraction,
                vec![brightness(level)],
            ))
            .unwrap();
    }
    while events(&server).await.len() < 2 || reporter.pending() > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    driver.abort();
    let sent: Vec<Value> = events(&server).await.iter().map(body).collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[1]["event"]["payload"]["change"]["properties"][0]["value"],
        50
    );
}

#[tokio::test]
async fn when_proactive_mode_turns_off_the_queue_is_emptied_and_reports_refused() {
    let server = MockServer::start().await;
    mount_gateway(
        &server,
        gateway_error(403, "SKILL_DISABLED_EXCEPTION", "Disabled."),
        1,
    )
    .await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let reporter = ChangeReporter::new(Arc::new(gateway));
    for entity in ["light.a", "light.b", "light.c"] {
        reporter
            .report(Change::new(id(entity), CauseType::AppInteraction, vec![]))
            .unwrap();
    }
    assert_eq!(reporter.flush().await, 0);
    assert_eq!(reporter.pending(), 0, "queued changes are dropped");
    assert!(matches!(
        reporter.report(Change::new(
            id("light.a"),
            CauseType::AppInteraction,
            vec![]
        )),
        Err(GatewayError::Disabled(DisabledReason::SkillDisabled { .. }))
    ));
}

#[tokio::test]
async fn a_full_queue_refuses_new_endpoints() {
    let server = MockServer::start().await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let reporter = ChangeReporter::with_capacity(Arc::new(gateway), 2);
    reporter
        .report(Change::new(
            id("light.a"),
            CauseType::AppInteraction,
            vec![],
        ))
        .unwrap();
    reporter
        .report(Change::new(
            id("light.b"),
            CauseType::AppInteraction,
            vec![],
        ))
        .unwrap();
    let error = reporter
        .report(Change::new(
            id("light.c"),
            CauseType::AppInteraction,
            vec![],
        ))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the change queue holds changes for 2 endpoints, its limit"
    );
    reporter
        .report(Change::new(
            id("light.a"),
            CauseType::AppInteraction,
            vec![brightness(5)],
        ))
        .unwrap();
    assert_eq!(reporter.pending(), 2);
}

#[tokio::test]
async fn the_gateway_shows_no_token_in_debug_output() {
    let server = MockServer::start().await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let gateway = Arc::new(gateway);
    let reporter = ChangeReporter::new(gateway.clone());
    let shown = format!(
        "{gateway:?} {reporter:?} {:?}",
        issued(&clock(), ACCESS_1, None, 1)
    );
    assert!(!shown.contains(ACCESS_1), "{shown}");
    assert!(shown.contains("Enabled"), "{shown}");
}

#[tokio::test]
#[expect(
    clippy::print_stdout,
    reason = "the test reports the figures it measures"
)]
async fn coalescing_holds_one_change_per_endpoint_however_many_arrive() {
    let server = MockServer::start().await;
    let (gateway, _clock) = linked_gateway(&server).await;
    let gateway = Arc::new(gateway);
    let fill = |reporter: &ChangeReporter<MemoryLwaStore, ManualClock>, count: usize| {
        for i in 0..count {
            let entity = format!("light.l{}", i % 10);
            let level = u8::try_from(i % 100).unwrap();
            reporter
                .report(Change::new(
                    id(&entity),
                    CauseType::PhysicalInteraction,
                    vec![brightness(level)],
                ))
                .unwrap();
        }
    };
    let few_reporter = ChangeReporter::new(gateway.clone());
    let few = allocation_counter::measure(|| fill(&few_reporter, 10));
    let many_reporter = ChangeReporter::new(gateway);
    let many = allocation_counter::measure(|| fill(&many_reporter, 10_000));
    println!(
        "10 changes to 10 endpoints: {} bytes kept, peak {}; 10 000 changes: {} bytes kept, peak {}",
        few.bytes_current, few.bytes_max, many.bytes_current, many.bytes_max
    );
    assert_eq!(many_reporter.pending(), 10);
    assert_eq!(
        many.bytes_current, few.bytes_current,
        "merging replaces in place"
    );
    assert!(
        many.bytes_max <= few.bytes_max + 1024,
        "the peak is the queue plus one change in hand: {many:?} vs {few:?}"
    );
}

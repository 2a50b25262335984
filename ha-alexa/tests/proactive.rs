//! Proactive events under the `smart_home:` configuration, against the stand-in of the Alexa
//! event gateway: the filter, entity_config's names, ChangeReports only on real changes with
//! the unchanged properties in the context, and configuration changes announced as
//! AddOrUpdateReport and DeleteReport.

#[path = "proactive_support/amazon.rs"]
mod amazon;
#[path = "schema/check.rs"]
mod schema_check;

use std::sync::Arc;
use std::time::Duration;

use amazon::{EVENTS_PATH, accepted, clock, linked, mount_gateway, received};
use ha_alexa::clock::ManualClock;
use ha_alexa::config::SmartHomeConfig;
use ha_alexa::gateway::{
    ChangeReporter, EventGateway, GatewayConfig, ProactiveReporter, RetryPolicy,
};
use ha_alexa::interface::endpoint_health::{Connectivity, ConnectivityState};
use ha_alexa::interface::{Percentage, PowerState};
use ha_alexa::lwa::MemoryLwaStore;
use ha_alexa::{
    Capability, CauseType, DiscoveryEndpoint, DisplayCategory, EndpointId, Property, PropertyValue,
    Timestamp,
};
use serde_json::{Value, json};
use wiremock::MockServer;

type Reporter = ProactiveReporter<MemoryLwaStore, ManualClock>;

async fn reporter(server: &MockServer, config: Value) -> Reporter {
    let clock = clock();
    let lwa = linked(server, &clock).await;
    let gateway_config =
        GatewayConfig::with_loopback_url(&format!("{}{EVENTS_PATH}", server.uri()))
            .unwrap()
            .with_retry(RetryPolicy::new(0, Duration::ZERO, Duration::ZERO));
    let gateway = Arc::new(EventGateway::open(gateway_config, lwa).await.unwrap());
    let config: SmartHomeConfig = serde_json::from_value(config).unwrap();
    ProactiveReporter::new(ChangeReporter::new(gateway), config)
}

fn id(entity: &str) -> EndpointId {
    EndpointId::for_entity(entity).unwrap()
}

/// A dimmable light whose power and brightness are reported proactively, and whose
/// connectivity is retrievable only.
fn light(entity: &str, name: &str) -> DiscoveryEndpoint {
    DiscoveryEndpoint::builder(id(entity))
        .friendly_name(name)
        .description(format!("{entity} via Example"))
        .manufacturer_name("Example")
        .display_category(DisplayCategory::Light)
        .capability(Capability::power_controller().with_proactively_reported(true))
        .capability(Capability::brightness_controller().with_proactively_reported(true))
        .capability(Capability::endpoint_health())
        .capability(Capability::alexa())
        .build()
        .unwrap()
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_714_564_800 + seconds).unwrap()
}

fn state(on: bool, level: u8, t: i64) -> Vec<Property> {
    let power = if on { PowerState::On } else { PowerState::Off };
    vec![
        Property::new(PropertyValue::PowerState(power), at(t)),
        Property::new(
            PropertyValue::Brightness(Percentage::try_new(level).unwrap()),
            at(t),
        ),
    ]
}

async fn events(server: &MockServer) -> Vec<Value> {
    received(server, EVENTS_PATH)
        .await
        .iter()
        .map(|request| serde_json::from_slice(&request.body).unwrap())
        .collect()
}

fn names(event: &Value) -> (String, String) {
    let header = &event["event"]["header"];
    (
        header["namespace"].as_str().unwrap().to_owned(),
        header["name"].as_str().unwrap().to_owned(),
    )
}

fn endpoint_ids(event: &Value) -> Vec<String> {
    event["event"]["payload"]["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["endpointId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_exposed_endpoints_are_announced_and_reported() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 2).await;
    let proactive = reporter(
        &server,
        json!({"filter": {"include_domains": ["light"], "exclude_entities": ["light.hidden"]}}),
    )
    .await;
    let announced = proactive
        .endpoints_changed(vec![
            light("light.kitchen", "Kitchen"),
            light("light.hidden", "Hidden"),
        ])
        .await
        .unwrap();
    assert_eq!((announced.added_or_updated(), announced.deleted()), (1, 0));

    let hidden = proactive
        .state_changed(
            &id("light.hidden"),
            CauseType::PhysicalInteraction,
            &state(false, 10, 0),
            state(true, 10, 1),
        )
        .unwrap();
    assert!(!hidden, "an excluded entity is not reported");
    let unknown = proactive
        .state_changed(
            &id("switch.porch"),
            CauseType::PhysicalInteraction,
            &[],
            state(true, 1, 1),
        )
        .unwrap();
    assert!(
        !unknown,
        "an entity outside the included domains is not reported"
    );
    let kitchen = proactive
        .state_changed(
            &id("light.kitchen"),
            CauseType::PhysicalInteraction,
            &state(false, 10, 0),
            state(true, 10, 1),
        )
        .unwrap();
    assert!(kitchen);
    assert_eq!(proactive.changes().flush().await, 1);

    let events = events(&server).await;
    assert_eq!(
        names(&events[0]),
        ("Alexa.Discovery".into(), "AddOrUpdateReport".into())
    );
    assert_eq!(endpoint_ids(&events[0]), ["light#kitchen"]);
    schema_check::assert_schema_valid(&events[0]);
    assert_eq!(names(&events[1]), ("Alexa".into(), "ChangeReport".into()));
    assert_eq!(
        events[1]["event"]["endpoint"]["endpointId"],
        "light#kitchen"
    );
}

#[tokio::test]
async fn announcements_carry_entity_config_names_descriptions_and_categories() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 1).await;
    let proactive = reporter(
        &server,
        json!({"entity_config": {"light.porch": {
            "name": "Front *door* light", "description": "Porch lamp", "display_categories": "SWITCH"
        }}}),
    )
    .await;
    proactive
        .endpoints_changed(vec![light("light.porch", "Porch")])
        .await
        .unwrap();
    let events = events(&server).await;
    let endpoint = &events[0]["event"]["payload"]["endpoints"][0];
    assert_eq!(endpoint["friendlyName"], "Front door light");
    assert_eq!(endpoint["description"], "Porch lamp via Example");
    assert_eq!(endpoint["displayCategories"], json!(["SWITCH"]));
    schema_check::assert_schema_valid(&events[0]);
}

#[tokio::test]
async fn a_change_report_goes_only_for_a_real_change_with_the_unchanged_properties_in_context() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 2).await;
    let proactive = reporter(&server, json!({})).await;
    proactive
        .endpoints_changed(vec![light("light.desk", "Desk")])
        .await
        .unwrap();
    let desk = id("light.desk");

    // The same values sampled again: no change.
    let same = proactive
        .state_changed(
            &desk,
            CauseType::PeriodicPoll,
            &state(true, 40, 0),
            state(true, 40, 5),
        )
        .unwrap();
    assert!(!same);
    // Only a property that is not proactively reported changed: no report either.
    let mut old = state(true, 40, 0);
    old.push(Property::new(
        PropertyValue::Connectivity(Connectivity::new(ConnectivityState::Ok)),
        at(0),
    ));
    let mut new = state(true, 40, 6);
    new.push(Property::new(
        PropertyValue::Connectivity(Connectivity::new(ConnectivityState::Unreachable)),
        at(6),
    ));
    assert!(
        !proactive
            .state_changed(&desk, CauseType::PeriodicPoll, &old, new)
            .unwrap()
    );
    assert_eq!(proactive.changes().pending(), 0);

    // Brightness changed, power did not.
    let changed = proactive
        .state_changed(
            &desk,
            CauseType::PhysicalInteraction,
            &state(true, 40, 0),
            state(true, 70, 7),
        )
        .unwrap();
    assert!(changed);
    assert_eq!(proactive.changes().flush().await, 1);

    let events = events(&server).await;
    assert_eq!(events.len(), 2, "the announcement and one ChangeReport");
    let report = &events[1];
    schema_check::assert_schema_valid(report);
    let changed = &report["event"]["payload"]["change"]["properties"];
    assert_eq!(changed.as_array().unwrap().len(), 1);
    assert_eq!(changed[0]["name"], "brightness");
    assert_eq!(changed[0]["value"], 70);
    let context = &report["context"]["properties"];
    assert_eq!(context.as_array().unwrap().len(), 1);
    assert_eq!(context[0]["name"], "powerState");
    assert_eq!(context[0]["value"], "ON");
}

#[tokio::test]
async fn configuration_changes_are_announced_as_their_difference() {
    let server = MockServer::start().await;
    mount_gateway(&server, accepted(), 4).await;
    let proactive = reporter(&server, json!({})).await;
    let hub = vec![light("light.a", "A"), light("light.b", "B")];
    let first = proactive.endpoints_changed(hub.clone()).await.unwrap();
    assert_eq!(first.added_or_updated(), 2);
    // The same endpoints again: nothing to say.
    let again = proactive.endpoints_changed(hub).await.unwrap();
    assert_eq!((again.added_or_updated(), again.deleted()), (0, 0));

    // light.a is excluded and light.b renamed.
    let config: SmartHomeConfig = serde_json::from_value(json!({
        "filter": {"exclude_entities": ["light.a"]},
        "entity_config": {"light.b": {"name": "Bedside"}}
    }))
    .unwrap();
    let change = proactive.set_config(config).await.unwrap();
    assert_eq!((change.added_or_updated(), change.deleted()), (1, 1));
    // A device removed from the hub.
    let removed = proactive
        .endpoints_changed(vec![light("light.a", "A")])
        .await
        .unwrap();
    assert_eq!((removed.added_or_updated(), removed.deleted()), (0, 1));
    assert!(proactive.announced().is_empty());

    let events = events(&server).await;
    let summary: Vec<(String, Vec<String>)> = events
        .iter()
        .map(|event| (names(event).1, endpoint_ids(event)))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "AddOrUpdateReport".to_owned(),
                vec!["light#a".to_owned(), "light#b".to_owned()]
            ),
            ("AddOrUpdateReport".to_owned(), vec!["light#b".to_owned()]),
            ("DeleteReport".to_owned(), vec!["light#a".to_owned()]),
            ("DeleteReport".to_owned(), vec!["light#b".to_owned()]),
        ]
    );
    assert_eq!(
        events[1]["event"]["payload"]["endpoints"][0]["friendlyName"],
        "Bedside"
    );
}

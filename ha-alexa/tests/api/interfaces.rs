//! The interfaces added after Home Assistant's set: every reportable property, discovery
//! capability and event, from `tests/fixtures/<Namespace>.<name>[.<case>].property.json`,
//! `<Namespace>[.<case>].capability.json` and `<Namespace>.<Name>.event.json`, decoded
//! typed, re-encoded unchanged, and checked against the schema inside a StateReport or
//! Discover.Response (events as they are).

use std::path::Path;

use ha_alexa::interface::humidity_sensor::RelativeHumidity;
use ha_alexa::interface::inventory_level_sensor::{InventoryLevel, VolumeUnit};
use ha_alexa::interface::object_detection_sensor::{
    DetectedObject, ImageNetClass, ObjectDetection, ObjectDetectionSensorEvent,
};
use ha_alexa::{
    BearerToken, Capability, Context, CorrelationToken, DiscoveryEndpoint, DisplayCategory,
    Endpoint, EndpointId, Event, EventPayload, InterfaceEvent, Property, PropertyValue, ReplyTo,
    Scope, Timestamp,
};
use serde_json::Value;

use crate::support::check_schema;

fn fixtures(suffix: &str) -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut found: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name()?.to_str()?.strip_suffix(suffix)?.to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            Some((name, serde_json::from_str(&text).unwrap()))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

fn reply() -> ReplyTo {
    ReplyTo::new(
        Some(CorrelationToken::try_new("c-1").unwrap()),
        Some(EndpointId::try_new("sensor#hall").unwrap()),
    )
}

#[test]
fn every_new_property_round_trips_and_meets_the_schema() {
    let cases = fixtures(".property.json");
    let names: Vec<&str> = cases.iter().map(|(name, _)| name.as_str()).collect();
    for expected in [
        "Alexa.HumiditySensor.relativeHumidity",
        "Alexa.InventoryLevelSensor.level",
        "Alexa.InventoryLevelSensor.level.count",
        "Alexa.SmartVision.ObjectDetectionSensor.objectDetectionClasses",
    ] {
        assert!(
            names.contains(&expected),
            "no fixture {expected}: {names:?}"
        );
    }
    for (name, json) in cases {
        let property: Property =
            serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !matches!(property.value, PropertyValue::Unknown { .. }),
            "{name} decoded as unknown"
        );
        assert_eq!(serde_json::to_value(&property).unwrap(), json, "{name}");
        let report = Event::state_report(&reply(), Context::new(vec![property]));
        check_schema(&name, &serde_json::to_value(&report).unwrap());
    }
}

#[test]
fn every_new_capability_round_trips_and_meets_the_schema() {
    let cases = fixtures(".capability.json");
    let names: Vec<&str> = cases.iter().map(|(name, _)| name.as_str()).collect();
    for expected in [
        "Alexa.HumiditySensor",
        "Alexa.InventoryLevelSensor",
        "Alexa.InventoryLevelSensor.percentage",
        "Alexa.InventoryUsageSensor",
        "Alexa.InventoryUsageSensor.volume",
        "Alexa.RTCSessionController",
        "Alexa.SmartVision.ObjectDetectionSensor",
    ] {
        assert!(
            names.contains(&expected),
            "no fixture {expected}: {names:?}"
        );
    }
    for (name, json) in cases {
        let capability: Capability =
            serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(serde_json::to_value(&capability).unwrap(), json, "{name}");
        let endpoint = DiscoveryEndpoint::builder(EndpointId::try_new("sensor#hall").unwrap())
            .friendly_name("Hall sensor")
            .description("Hall sensor")
            .manufacturer_name("Example")
            .display_category(DisplayCategory::TemperatureSensor)
            .capability(capability)
            .build()
            .unwrap();
        let discovery = Event::discover_response(&ReplyTo::default(), vec![endpoint]).unwrap();
        check_schema(
            &format!("{name}.capability"),
            &serde_json::to_value(&discovery).unwrap(),
        );
    }
}

#[test]
fn new_values_are_checked_where_they_are_built_and_decoded() {
    assert!(RelativeHumidity::try_new(100.0).is_ok());
    assert!(RelativeHumidity::try_new(100.5).is_err());
    assert!(RelativeHumidity::try_new(f64::NAN).is_err());
    assert!(InventoryLevel::volume(-1.0, VolumeUnit::Liter).is_err());
    assert!(InventoryLevel::percentage(101.0).is_err());
    let bad = r#"{"namespace":"Alexa.HumiditySensor","name":"relativeHumidity","value":140,"timeOfSample":"2024-05-01T12:00:00Z","uncertaintyInMilliseconds":0}"#;
    assert!(serde_json::from_str::<Property>(bad).is_err());
    let no_instance = r#"{"namespace":"Alexa.InventoryLevelSensor","name":"level","value":{"@type":"Count","value":3},"timeOfSample":"2024-05-01T12:00:00Z","uncertaintyInMilliseconds":0}"#;
    let error = serde_json::from_str::<Property>(no_instance).unwrap_err();
    assert!(error.to_string().contains("instance"), "{error}");
    let negative = r#"{"namespace":"Alexa.InventoryLevelSensor","name":"level","instance":"ink","value":{"@type":"Weight","value":-2,"unit":"GRAM"},"timeOfSample":"2024-05-01T12:00:00Z","uncertaintyInMilliseconds":0}"#;
    assert!(serde_json::from_str::<Property>(negative).is_err());
    // An InventoryLevelSensor capability needs an instance.
    let capability = r#"{"type":"AlexaInterface","interface":"Alexa.InventoryLevelSensor","version":"3",
        "configuration":{"measurement":{"@type":"Count"}}}"#;
    let capability: Capability = serde_json::from_str(capability).unwrap();
    let endpoint = DiscoveryEndpoint::builder(EndpointId::try_new("sensor#hall").unwrap())
        .friendly_name("Hall")
        .description("Hall")
        .manufacturer_name("Example")
        .display_category(DisplayCategory::Other)
        .capability(capability)
        .build();
    assert!(endpoint.is_err());
}

#[test]
fn every_new_event_round_trips_and_meets_the_schema() {
    let cases = fixtures(".event.json");
    let names: Vec<&str> = cases.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        names.contains(&"Alexa.SmartVision.ObjectDetectionSensor.ObjectDetection"),
        "{names:?}"
    );
    for (name, json) in cases {
        let bytes = serde_json::to_vec(&json).unwrap();
        let event = Event::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            matches!(event.payload(), EventPayload::Interface(_)),
            "{name} decoded as {:?}",
            event.payload()
        );
        assert_eq!(serde_json::to_value(&event).unwrap(), json, "{name}");
        check_schema(&name, &json);
    }
}

#[test]
fn the_object_detection_event_is_built_with_version_1_0() {
    let at = Timestamp::from_unix_seconds(1_714_564_800).unwrap();
    let seen = DetectedObject::new(
        "6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b",
        ImageNetClass::PERSON,
        at,
    )
    .with_frame_image_uri("https://hub.example.com/frame.jpg");
    let endpoint = Endpoint::new(EndpointId::try_new("camera#front_door").unwrap())
        .with_scope(Scope::bearer(BearerToken::try_new("Atza|lwa").unwrap()));
    let event = Event::interface_event(
        endpoint,
        InterfaceEvent::ObjectDetectionSensor(ObjectDetectionSensorEvent::ObjectDetection(
            ObjectDetection::new(vec![seen]),
        )),
    );
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(json["event"]["header"]["payloadVersion"], "1.0");
    assert_eq!(json["event"]["header"]["name"], "ObjectDetection");
    assert_eq!(
        json["event"]["payload"]["events"][0]["imageNetClass"],
        "person"
    );
    assert_eq!(
        Event::from_slice(&serde_json::to_vec(&json).unwrap()).unwrap(),
        event
    );
    check_schema(
        "Alexa.SmartVision.ObjectDetectionSensor.ObjectDetection",
        &json,
    );
    // A version 3 payload in this namespace is refused, as Alexa would send 1.0.
    let mut wrong = json;
    wrong["event"]["header"]["payloadVersion"] = "3".into();
    assert!(Event::from_slice(&serde_json::to_vec(&wrong).unwrap()).is_err());
}

#[test]
fn inventory_usage_is_not_a_percentage_and_needs_an_instance() {
    let percentage = r#"{"type":"AlexaInterface","interface":"Alexa.InventoryUsageSensor","version":"3","instance":"pods",
        "configuration":{"measurement":{"@type":"Percentage"}}}"#;
    assert!(serde_json::from_str::<Capability>(percentage).is_err());
    let no_instance = r#"{"type":"AlexaInterface","interface":"Alexa.InventoryUsageSensor","version":"3",
        "configuration":{"measurement":{"@type":"Count"}}}"#;
    let capability: Capability = serde_json::from_str(no_instance).unwrap();
    let endpoint = DiscoveryEndpoint::builder(EndpointId::try_new("coffee#maker").unwrap())
        .friendly_name("Coffee maker")
        .description("Coffee maker")
        .manufacturer_name("Example")
        .display_category(DisplayCategory::Other)
        .capability(capability)
        .build();
    assert!(endpoint.is_err());
    // The object detection sensor is version 1.0, not 3.
    let wrong_version = r#"{"type":"AlexaInterface","interface":"Alexa.SmartVision.ObjectDetectionSensor","version":"3"}"#;
    assert!(serde_json::from_str::<Capability>(wrong_version).is_err());
}

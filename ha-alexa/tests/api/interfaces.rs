//! The interfaces added after Home Assistant's set: every reportable property and discovery
//! capability, from `tests/fixtures/<Namespace>.<name>[.<case>].property.json` and
//! `<Namespace>[.<case>].capability.json`, decoded typed, re-encoded unchanged, and
//! checked against the schema inside a StateReport or Discover.Response.

use std::path::Path;

use ha_alexa::interface::humidity_sensor::RelativeHumidity;
use ha_alexa::interface::inventory_level_sensor::{InventoryLevel, VolumeUnit};
use ha_alexa::{
    Capability, Context, CorrelationToken, DiscoveryEndpoint, DisplayCategory, EndpointId, Event,
    Property, PropertyValue, ReplyTo,
};
use serde_json::Value;

use crate::support::schema_errors;

/// Fixtures whose message Amazon's published schema refuses although Alexa accepts it,
/// and why.
const OUTSIDE_SCHEMA: &[(&str, &str)] = &[
    (
        "Alexa.HumiditySensor",
        "the schema does not list Alexa.HumiditySensor",
    ),
    (
        "Alexa.InventoryLevelSensor.percentage.capability",
        "the schema requires configuration.replenishment",
    ),
];

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

/// Checks the schema verdict on `message` for the fixture `name`.
fn check_schema(name: &str, message: &Value) {
    let errors = schema_errors(message);
    match OUTSIDE_SCHEMA
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
    {
        Some((_, why)) => assert!(!errors.is_empty(), "{name}: expected refusal ({why})"),
        None => assert!(errors.is_empty(), "{name}: {errors:#?}"),
    }
}

#[test]
fn every_new_property_round_trips_and_meets_the_schema() {
    let cases = fixtures(".property.json");
    let names: Vec<&str> = cases.iter().map(|(name, _)| name.as_str()).collect();
    for expected in [
        "Alexa.HumiditySensor.relativeHumidity",
        "Alexa.InventoryLevelSensor.level",
        "Alexa.InventoryLevelSensor.level.count",
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

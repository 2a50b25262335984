//! The seed's configuration shape, read from YAML, applied by the dispatcher.

use ha_alexa::config::AlexaConfig;
use ha_alexa::{DisplayCategory, EventPayload, Locale};
use serde_json::Value;

use crate::support::{TestHub, assert_schema_valid, dispatcher};

const SEED_CONFIG: &str = "
alexa:
  smart_home:
    locale: en-US
    endpoint: https://api.amazonalexa.com/v3/events
    client_id: amzn1.application-oa2-client.0123456789
    client_secret: very-secret-value
    filter:
      include_entities:
        - light.kitchen
        - light.kitchen_left
      include_domains:
        - switch
      exclude_entities:
        - switch.outside
    entity_config:
      light.kitchen:
        name: Custom Name for Alexa
        description: The light in the kitchen
      switch.stairs:
        display_categories: LIGHT
";

#[derive(Debug, serde::Deserialize)]
struct HomeAssistant {
    alexa: AlexaConfig,
}

fn parse(yaml: &str) -> AlexaConfig {
    serde_saphyr::from_str::<HomeAssistant>(yaml).unwrap().alexa
}

#[test]
fn the_seed_configuration_deserializes() {
    let config = parse(SEED_CONFIG).smart_home;
    assert_eq!(config.locale, Locale::EnUs);
    assert_eq!(
        config.endpoint.as_deref(),
        Some("https://api.amazonalexa.com/v3/events")
    );
    assert_eq!(
        config.client_secret.as_ref().unwrap().expose_secret(),
        "very-secret-value"
    );
    assert!(!format!("{config:?}").contains("very-secret-value"));
    assert!(config.should_expose("light.kitchen"));
    assert!(config.should_expose("switch.porch"));
    assert!(!config.should_expose("switch.outside"));
    assert!(!config.should_expose("light.hall"));
    assert_eq!(
        config.entity_config["switch.stairs"].display_categories,
        [DisplayCategory::Light]
    );

    // The minimal configuration of the seed: everything exposed in en-US.
    let minimal = parse("alexa:\n  smart_home:\n").smart_home;
    assert!(minimal.filter.is_empty());
    assert_eq!(minimal.locale, Locale::EnUs);

    let typo =
        serde_saphyr::from_str::<HomeAssistant>("alexa:\n  smart_home:\n    locale: en-XX\n");
    assert!(
        typo.unwrap_err()
            .to_string()
            .contains("unsupported locale \"en-XX\"")
    );
}

async fn discover(config: AlexaConfig) -> Value {
    let dispatcher = dispatcher().with_config(config.smart_home);
    let event = dispatcher
        .handle_slice(br#"{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover","messageId":"m","payloadVersion":"3"},
            "payload":{"scope":{"type":"BearerToken","token":"t"}}}}"#)
        .await
        .unwrap();
    let json = serde_json::to_value(&event).unwrap();
    assert_schema_valid(&json);
    json
}

#[tokio::test]
async fn the_filter_and_entity_config_shape_discovery() {
    let json = discover(parse(SEED_CONFIG)).await;
    let endpoints = json["event"]["payload"]["endpoints"].as_array().unwrap();
    let ids: Vec<&str> = endpoints
        .iter()
        .map(|e| e["endpointId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["light#kitchen", "switch#dimmer_plug"]);
    assert_eq!(endpoints[0]["friendlyName"], "Custom Name for Alexa");
    assert_eq!(
        endpoints[0]["description"],
        "The light in the kitchen via Home Assistant"
    );
}

#[tokio::test]
async fn unexposed_endpoints_do_not_exist_for_directives() {
    let dispatcher = dispatcher().with_config(parse(SEED_CONFIG).smart_home);
    let event = dispatcher
        .handle_slice(br#"{"directive":{"header":{"namespace":"Alexa.LockController","name":"Lock","messageId":"m","payloadVersion":"3"},
            "endpoint":{"endpointId":"lock#front_door"},"payload":{}}}"#)
        .await
        .unwrap();
    let EventPayload::ErrorResponse(error) = event.payload() else {
        panic!()
    };
    assert_eq!(error.kind().as_str(), "NO_SUCH_ENDPOINT");
}

#[tokio::test]
async fn the_locale_removes_unsupported_capabilities() {
    let all = discover(parse("alexa:\n  smart_home:\n    locale: en-US\n")).await;
    let german = discover(parse("alexa:\n  smart_home:\n    locale: de-DE\n")).await;
    let interfaces = |json: &Value, id: &str| -> Vec<String> {
        let endpoint = json["event"]["payload"]["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["endpointId"] == id)
            .unwrap()
            .clone();
        endpoint["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["interface"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        interfaces(&all, "binary_sensor#front_door_person")
            .contains(&"Alexa.EventDetectionSensor".to_owned())
    );
    assert!(
        !interfaces(&german, "binary_sensor#front_door_person")
            .contains(&"Alexa.EventDetectionSensor".to_owned())
    );
    assert!(!interfaces(&german, "timer#laundry").contains(&"Alexa.TimeHoldController".to_owned()));
    assert!(interfaces(&german, "light#kitchen").contains(&"Alexa.ColorController".to_owned()));

    // A directive to a capability the locale hides is not supported.
    let dispatcher =
        dispatcher().with_config(parse("alexa:\n  smart_home:\n    locale: de-DE\n").smart_home);
    let event = dispatcher
        .handle_slice(br#"{"directive":{"header":{"namespace":"Alexa.TimeHoldController","name":"Hold","messageId":"m","payloadVersion":"3"},
            "endpoint":{"endpointId":"timer#laundry"},"payload":{}}}"#)
        .await
        .unwrap();
    let EventPayload::ErrorResponse(error) = event.payload() else {
        panic!()
    };
    assert_eq!(error.kind().as_str(), "INVALID_DIRECTIVE");
    assert!(TestHub::default().state.lock().unwrap().grants.is_empty());
}

//! The oracle itself: the schema accepts what Amazon's accepts and refuses what Amazon's
//! refuses (the cases of the crate's facts on Amazon's schema), and the gaps between
//! Home Assistant and the schema stay visible.

use ha_alexa::discovery::{AssetId, FriendlyName, Resources};
use ha_alexa::interface::camera_stream_controller::{
    AudioCodec, CameraStream, CameraStreamConfiguration, CameraStreams, Resolution,
    StreamAuthorization, StreamProtocol, VideoCodec,
};
use ha_alexa::interface::playback_state_reporter::{PlaybackState, PlaybackStateValue};
use ha_alexa::interface::thermostat_controller::{ThermostatConfiguration, ThermostatMode};
use ha_alexa::interface::{Temperature, TemperatureScale};
use ha_alexa::{
    AlexaError, Capability, Context, CorrelationToken, DiscoveryEndpoint, DisplayCategory,
    EndpointId, Event, Namespace, Property, PropertyValue, ReplyTo, Timestamp,
};
use serde_json::{Value, json};

use crate::support::{ENDPOINTS, assert_schema_valid, schema_errors};

fn reply() -> ReplyTo {
    ReplyTo::new(
        Some(CorrelationToken::try_new("c-1").unwrap()),
        Some(EndpointId::try_new("light#kitchen").unwrap()),
    )
}

fn at() -> Timestamp {
    Timestamp::from_unix_seconds(1_714_564_800).unwrap()
}

/// A valid Response with one powerState property, to mutate.
fn response() -> Value {
    let on = Property::new(
        PropertyValue::PowerState(ha_alexa::interface::PowerState::On),
        at(),
    );
    serde_json::to_value(Event::response(&reply(), Context::new(vec![on]))).unwrap()
}

fn discovery(endpoints: Vec<DiscoveryEndpoint>) -> Value {
    serde_json::to_value(Event::discover_response(&ReplyTo::default(), endpoints).unwrap()).unwrap()
}

/// A named change to a valid message.
type Mutation = (&'static str, Box<dyn Fn(&mut Value)>);

fn refused(message: &Value, why: &str) {
    assert!(
        !schema_errors(message).is_empty(),
        "the schema accepted {why}"
    );
}

#[test]
fn the_schema_refuses_what_amazons_refuses() {
    assert_schema_valid(&response());
    let mutations: Vec<Mutation> = vec![
        (
            "an extra header member",
            Box::new(|m| m["event"]["header"]["instance"] = json!("x")),
        ),
        (
            "payloadVersion 2",
            Box::new(|m| m["event"]["header"]["payloadVersion"] = json!("2")),
        ),
        (
            "a messageId with '_'",
            Box::new(|m| m["event"]["header"]["messageId"] = json!("a_b")),
        ),
        (
            "a messageId of 128 characters",
            Box::new(|m| m["event"]["header"]["messageId"] = json!("a".repeat(128))),
        ),
        (
            "an empty correlationToken",
            Box::new(|m| m["event"]["header"]["correlationToken"] = json!("")),
        ),
        (
            "microseconds",
            Box::new(|m| {
                m["context"]["properties"][0]["timeOfSample"] =
                    json!("2024-05-01T12:00:00.123456Z");
            }),
        ),
        (
            "a +00:00 offset",
            Box::new(|m| {
                m["context"]["properties"][0]["timeOfSample"] = json!("2024-05-01T12:00:00+00:00");
            }),
        ),
        (
            "an extra property member",
            Box::new(|m| m["context"]["properties"][0]["extra"] = json!(1)),
        ),
        (
            "a property without uncertainty",
            Box::new(|m| {
                m["context"]["properties"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("uncertaintyInMilliseconds");
            }),
        ),
        (
            "a lowercase powerState",
            Box::new(|m| m["context"]["properties"][0]["value"] = json!("on")),
        ),
        (
            "an endpointId with '.'",
            Box::new(|m| m["event"]["endpoint"]["endpointId"] = json!("light.kitchen")),
        ),
        (
            "an endpointId of 257 characters",
            Box::new(|m| m["event"]["endpoint"]["endpointId"] = json!("a".repeat(257))),
        ),
        (
            "a payload member in Response",
            Box::new(|m| m["event"]["payload"]["x"] = json!(1)),
        ),
        (
            "a property twice",
            Box::new(|m| {
                let p = m["context"]["properties"][0].clone();
                m["context"]["properties"].as_array_mut().unwrap().push(p);
            }),
        ),
        (
            "a header-less body (the Lambda proxy's 4xx answer)",
            Box::new(
                |m| *m = json!({"event": {"payload": {"type": "INVALID_AUTHORIZATION_CREDENTIAL", "message": "401"}}}),
            ),
        ),
    ];
    for (why, mutate) in mutations {
        let mut message = response();
        mutate(&mut message);
        refused(&message, why);
    }
}

#[test]
fn the_schema_accepts_what_amazons_accepts() {
    let mut message = response();
    message["event"]["endpoint"]["endpointId"] = json!("light#kitchen");
    message["context"]["properties"][0]["timeOfSample"] = json!("2024-05-01T12:00:00.0Z");
    message["context"]["properties"][0]["instance"] = json!("main");
    assert_schema_valid(&message);
}

#[test]
fn discovery_limits_are_part_of_the_oracle() {
    let valid = discovery(ENDPOINTS.clone());
    assert_schema_valid(&valid);
    let endpoint = || valid["event"]["payload"]["endpoints"][0].clone();
    let mutations: Vec<Mutation> = vec![
        (
            "AIR_PURIFIER",
            Box::new(|e| e["displayCategories"] = json!(["AIR_PURIFIER"])),
        ),
        (
            "no display category",
            Box::new(|e| e["displayCategories"] = json!([])),
        ),
        (
            "a friendlyName of 129 characters",
            Box::new(|e| e["friendlyName"] = json!("n".repeat(129))),
        ),
        (
            "an empty description",
            Box::new(|e| e["description"] = json!("")),
        ),
        (
            "a numeric cookie value",
            Box::new(|e| e["cookie"] = json!({"k": 1})),
        ),
        (
            "an unknown interface",
            Box::new(|e| e["capabilities"][0]["interface"] = json!("Alexa.Teleporter")),
        ),
        (
            "capability version 2",
            Box::new(|e| e["capabilities"][0]["version"] = json!("2")),
        ),
    ];
    for (why, mutate) in mutations {
        let mut message = valid.clone();
        let mut changed = endpoint();
        mutate(&mut changed);
        message["event"]["payload"]["endpoints"] = json!([changed]);
        refused(&message, why);
    }
    let mut too_many = valid.clone();
    let copies: Vec<Value> = (0..301)
        .map(|i| {
            let mut e = endpoint();
            e["endpointId"] = json!(format!("e{i}"));
            e
        })
        .collect();
    too_many["event"]["payload"]["endpoints"] = json!(copies);
    refused(&too_many, "301 endpoints");
    too_many["event"]["payload"]["endpoints"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert_schema_valid(&too_many);
}

fn endpoint_with(category: DisplayCategory, capability: Capability) -> DiscoveryEndpoint {
    DiscoveryEndpoint::builder(EndpointId::for_entity("media_player.den").unwrap())
        .friendly_name("Den")
        .description("Den via Home Assistant")
        .manufacturer_name("Home Assistant")
        .display_category(category)
        .capability(capability)
        .build()
        .unwrap()
}

/// What Home Assistant emits and Amazon's schema refuses: modelled, documented, and
/// still refused by the oracle (a change in either would show here).
#[test]
fn known_gaps_between_home_assistant_and_the_schema() {
    // PlaybackStateReporter in discovery and playbackState in a context.
    refused(
        &discovery(vec![endpoint_with(
            DisplayCategory::Tv,
            Capability::playback_state_reporter(),
        )]),
        "PlaybackStateReporter",
    );
    let playing = Property::new(
        PropertyValue::PlaybackState(PlaybackState::new(PlaybackStateValue::Playing)),
        at(),
    );
    refused(
        &serde_json::to_value(Event::state_report(&reply(), Context::new(vec![playing]))).unwrap(),
        "playbackState",
    );

    // The 15 display categories outside the schema's 34.
    let outside: Vec<&DisplayCategory> = DisplayCategory::KNOWN
        .iter()
        .filter(|c| !c.is_in_schema())
        .collect();
    assert_eq!(outside.len(), 15);
    for category in outside {
        refused(
            &discovery(vec![endpoint_with(
                category.clone(),
                Capability::power_controller(),
            )]),
            category.as_str(),
        );
    }
    for category in DisplayCategory::IN_SCHEMA {
        assert_schema_valid(&discovery(vec![endpoint_with(
            category.clone(),
            Capability::power_controller(),
        )]));
    }

    // HLS camera streams, in discovery and in the response.
    let hls = hls_configuration();
    refused(
        &discovery(vec![endpoint_with(
            DisplayCategory::Camera,
            Capability::camera_stream_controller(vec![hls]),
        )]),
        "HLS",
    );
    let stream = hls_stream();
    refused(
        &serde_json::to_value(Event::camera_streams(
            &reply(),
            CameraStreams::new(vec![stream], "https://hub/still.jpg"),
        ))
        .unwrap(),
        "an HLS stream",
    );

    // Setpoints above 100 (a water heater at 120 °F) and a reported CUSTOM mode.
    let hot = Property::new(
        PropertyValue::TargetSetpoint(Temperature::new(120.0, TemperatureScale::Fahrenheit)),
        at(),
    );
    refused(
        &serde_json::to_value(Event::state_report(&reply(), Context::new(vec![hot]))).unwrap(),
        "a 120 °F setpoint",
    );
    let custom = Property::new(PropertyValue::ThermostatMode(ThermostatMode::Custom), at());
    refused(
        &serde_json::to_value(Event::state_report(&reply(), Context::new(vec![custom]))).unwrap(),
        "thermostatMode CUSTOM",
    );
    // A CUSTOM supported mode cannot be built or decoded, at any conformance level.
    assert!(ThermostatConfiguration::try_new(vec![ThermostatMode::Custom]).is_err());
    let custom_mode = r#"{"type":"AlexaInterface","interface":"Alexa.ThermostatController","version":"3",
        "configuration":{"supportsScheduling":false,"supportedModes":["HEAT","CUSTOM"]}}"#;
    let error = serde_json::from_str::<Capability>(custom_mode).unwrap_err();
    assert!(error.to_string().contains("supportedModes"), "{error}");

    // Home Assistant's Alexa.Video error namespace.
    let video = AlexaError::try_new(
        ha_alexa::ErrorType::Unknown("ACTION_NOT_PERMITTED_FOR_CONTENT".into()),
        "not permitted",
    )
    .unwrap()
    .with_namespace(Namespace::Unknown("Alexa.Video".into()));
    refused(
        &serde_json::to_value(Event::error_response(&reply(), video)).unwrap(),
        "the Alexa.Video namespace",
    );
}

#[test]
fn capabilities_with_semantics_validate() {
    use ha_alexa::discovery::{
        ActionMapping, SemanticAction, SemanticState, Semantics, StateMapping,
    };
    use ha_alexa::interface::range_controller::{RangeConfiguration, UnitOfMeasure};
    let semantics = Semantics::new(
        vec![
            ActionMapping::new(
                vec![SemanticAction::Open],
                "SetRangeValue",
                json!({"rangeValue": 100}),
            ),
            ActionMapping::new(
                vec![SemanticAction::Close],
                "SetRangeValue",
                json!({"rangeValue": 0}),
            ),
            ActionMapping::new(
                vec![SemanticAction::Raise],
                "AdjustRangeValue",
                json!({"rangeValueDelta": 10, "rangeValueDeltaDefault": false}),
            ),
        ],
        vec![
            StateMapping::to_value(vec![SemanticState::Closed], 0),
            StateMapping::to_range(vec![SemanticState::Open], 1.0, 100.0),
        ],
    );
    let position = Capability::range_controller(
        "cover.position",
        Resources::new(vec![FriendlyName::asset(AssetId::OPENING)]),
        RangeConfiguration::new(0.0, 100.0, 1.0).with_unit(UnitOfMeasure::PERCENT),
    )
    .with_semantics(semantics)
    .with_proactively_reported(true)
    .with_non_controllable(false);
    let message = discovery(vec![endpoint_with(
        DisplayCategory::InteriorBlind,
        position,
    )]);
    assert_schema_valid(&message);
    let event = Event::from_slice(&serde_json::to_vec(&message).unwrap()).unwrap();
    assert_eq!(serde_json::to_value(&event).unwrap(), message);
}

/// `event` is one Alexa accepts, refused at [`Conformance::AmazonSchema`] with an error
/// naming `field`, and refused by the schema oracle as well.
fn outside_schema(event: &Event, field: &str) {
    use ha_alexa::Conformance;
    assert_eq!(event.check_conformance(Conformance::Alexa), Ok(()));
    let error = event
        .check_conformance(Conformance::AmazonSchema)
        .expect_err(field);
    assert!(
        matches!(error, ha_alexa::ValidationError::OutsideSchema { .. }),
        "{error}"
    );
    assert!(error.to_string().contains(field), "{field}: {error}");
    refused(&serde_json::to_value(event).unwrap(), field);
}

#[test]
fn the_amazon_schema_level_refuses_each_gap_and_the_default_accepts_it() {
    use ha_alexa::{BearerToken, Conformance, Scope};

    let discover =
        |endpoint| Event::discover_response(&ReplyTo::default(), vec![endpoint]).unwrap();
    outside_schema(
        &discover(endpoint_with(
            DisplayCategory::AirPurifier,
            Capability::power_controller(),
        )),
        "AIR_PURIFIER",
    );
    outside_schema(
        &discover(endpoint_with(
            DisplayCategory::Tv,
            Capability::playback_state_reporter(),
        )),
        "Alexa.PlaybackStateReporter",
    );
    outside_schema(
        &discover(endpoint_with(
            DisplayCategory::TemperatureSensor,
            Capability::humidity_sensor(),
        )),
        "Alexa.HumiditySensor",
    );
    let hls = hls_configuration();
    outside_schema(
        &discover(endpoint_with(
            DisplayCategory::Camera,
            Capability::camera_stream_controller(vec![hls]),
        )),
        "cameraStreamConfigurations",
    );
    let stream = hls_stream();
    outside_schema(
        &Event::camera_streams(
            &reply(),
            CameraStreams::new(vec![stream], "https://hub/still.jpg"),
        ),
        "HLS",
    );
    let hot = Property::new(
        PropertyValue::TargetSetpoint(Temperature::new(120.0, TemperatureScale::Fahrenheit)),
        at(),
    );
    outside_schema(
        &Event::state_report(&reply(), Context::new(vec![hot])),
        "targetSetpoint",
    );
    let custom = Property::new(PropertyValue::ThermostatMode(ThermostatMode::Custom), at());
    outside_schema(
        &Event::state_report(&reply(), Context::new(vec![custom])),
        "CUSTOM",
    );
    let playing = Property::new(
        PropertyValue::PlaybackState(PlaybackState::new(PlaybackStateValue::Playing)),
        at(),
    );
    outside_schema(
        &Event::state_report(&reply(), Context::new(vec![playing])),
        "playbackState",
    );
    let scope = Scope::bearer(BearerToken::try_new("lwa-token").unwrap());
    outside_schema(
        &Event::delete_report(vec![EndpointId::try_new("light#old").unwrap()], scope),
        "DeleteReport",
    );
    let video = AlexaError::try_new(
        ha_alexa::ErrorType::Unknown("ACTION_NOT_PERMITTED_FOR_CONTENT".into()),
        "not permitted",
    )
    .unwrap()
    .with_namespace(Namespace::Unknown("Alexa.Video".into()));
    outside_schema(&Event::error_response(&reply(), video), "Alexa.Video");

    // What the schema lists passes at both levels.
    let light = endpoint_with(DisplayCategory::Light, Capability::power_controller());
    assert_eq!(
        discover(light).check_conformance(Conformance::AmazonSchema),
        Ok(())
    );
    assert_eq!(
        response_event().check_conformance(Conformance::AmazonSchema),
        Ok(())
    );

    // The discovery builder refuses at build time.
    let built = DiscoveryEndpoint::builder(EndpointId::try_new("fan#purifier").unwrap())
        .friendly_name("Purifier")
        .description("Purifier")
        .manufacturer_name("Example")
        .display_category(DisplayCategory::AirPurifier)
        .capability(Capability::power_controller())
        .conformance(Conformance::AmazonSchema)
        .build()
        .unwrap_err();
    assert!(built.to_string().contains("AIR_PURIFIER"), "{built}");
}

/// Home Assistant's camera stream format: HLS, 720p.
fn hls_configuration() -> CameraStreamConfiguration {
    CameraStreamConfiguration::new(
        vec![StreamProtocol::Hls],
        vec![Resolution::new(1280, 720)],
        vec![StreamAuthorization::None],
        vec![VideoCodec::H264],
        vec![AudioCodec::Aac],
    )
}

/// A stream of Home Assistant's format.
fn hls_stream() -> CameraStream {
    CameraStream::new(
        "https://hub/stream.m3u8",
        StreamProtocol::Hls,
        Resolution::new(1280, 720),
        StreamAuthorization::None,
        VideoCodec::H264,
        AudioCodec::Aac,
    )
}

fn response_event() -> Event {
    let on = Property::new(
        PropertyValue::PowerState(ha_alexa::interface::PowerState::On),
        at(),
    );
    Event::response(&reply(), Context::new(vec![on]))
}

/// A hub whose only endpoint is a humidity sensor, outside Amazon's schema.
struct Humidity;

#[async_trait::async_trait]
impl ha_alexa::Hub for Humidity {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        Ok(vec![endpoint_with(
            DisplayCategory::TemperatureSensor,
            Capability::humidity_sensor(),
        )])
    }

    async fn endpoint(&self, _: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        Ok(self.discover().await?.pop())
    }

    async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        Ok(Vec::new())
    }

    async fn execute(&self, _: &ha_alexa::Request<'_>) -> Result<ha_alexa::Outcome, AlexaError> {
        Ok(ha_alexa::Outcome::Done)
    }
}

const DISCOVER: &[u8] = br#"{"directive":{"header":{"namespace":"Alexa.Discovery","name":"Discover",
    "messageId":"m-1","payloadVersion":"3"},"payload":{"scope":{"type":"BearerToken","token":"t"}}}}"#;

#[tokio::test]
async fn a_dispatcher_at_the_amazon_schema_level_answers_internal_error_naming_the_gap() {
    use ha_alexa::{Conformance, Dispatcher};

    use crate::support::Checked;

    let strict = Checked(Dispatcher::new(Humidity).with_conformance(Conformance::AmazonSchema));
    let json = serde_json::to_value(strict.handle_slice(DISCOVER).await.unwrap()).unwrap();
    assert_eq!(json["event"]["payload"]["type"], "INTERNAL_ERROR", "{json}");
    let message = json["event"]["payload"]["message"].as_str().unwrap();
    assert!(message.contains("Alexa.HumiditySensor"), "{message}");
    assert!(
        message.contains("outside Amazon's published v3 schema"),
        "{message}"
    );

    // The default level publishes it.
    let json = serde_json::to_value(
        Checked(Dispatcher::new(Humidity))
            .handle_slice(DISCOVER)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["event"]["header"]["name"], "Discover.Response");

    // Everything the test hub publishes is inside the schema, so both levels agree.
    let json = serde_json::to_value(
        crate::support::dispatcher()
            .with_conformance(Conformance::AmazonSchema)
            .handle_slice(DISCOVER)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json["event"]["header"]["name"], "Discover.Response");
}

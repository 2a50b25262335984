//! Behaviour a user checking the crate against Amazon's documentation and test plans
//! would notice: payload-less directives with `"payload": null`, error payloads that
//! cannot be built without their required fields, PIN format, single setpoints on a
//! dual-setpoint thermostat, and `Hub::endpoint` being the only lookup per directive.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use ha_alexa::interface::PowerState;
use ha_alexa::interface::security_panel_controller::Pin;
use ha_alexa::interface::thermostat_controller::{
    Setpoints, ThermostatConfiguration, ThermostatMode,
};
use ha_alexa::{
    AlexaError, BypassEndpoint, Capability, DeviceMode, Directive, DirectivePayload,
    DiscoveryEndpoint, Dispatcher, DisplayCategory, EndpointId, ErrorType, Hub, Outcome, Property,
    PropertyValue, Request, Timestamp, ValidationError, WholeSeconds,
};
use serde_json::Value;

use crate::support::{Checked, assert_schema_valid};

/// A hub with fixed endpoints that counts how often it is asked for a whole discovery.
struct Counting {
    endpoints: Vec<DiscoveryEndpoint>,
    discoveries: AtomicUsize,
}

impl Counting {
    fn new(endpoints: Vec<DiscoveryEndpoint>) -> Self {
        Self {
            endpoints,
            discoveries: AtomicUsize::new(0),
        }
    }
}

#[async_trait]
impl Hub for Counting {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        self.discoveries.fetch_add(1, Ordering::SeqCst);
        Ok(self.endpoints.clone())
    }

    async fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        Ok(self
            .endpoints
            .iter()
            .find(|e| e.endpoint_id() == id)
            .cloned())
    }

    async fn properties(&self, _: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        Ok(vec![Property::new(
            PropertyValue::PowerState(PowerState::On),
            Timestamp::from_unix_seconds(1_714_564_800).unwrap(),
        )])
    }

    async fn execute(&self, _: &Request<'_>) -> Result<Outcome, AlexaError> {
        Ok(Outcome::Done)
    }
}

fn endpoint(id: &str, capability: Capability) -> DiscoveryEndpoint {
    DiscoveryEndpoint::builder(EndpointId::try_new(id).unwrap())
        .friendly_name("Device")
        .description("A device")
        .manufacturer_name("Example")
        .display_category(DisplayCategory::Other)
        .capability(capability)
        .build()
        .unwrap()
}

fn directive(namespace: &str, name: &str, endpoint: &str, payload: &str) -> Vec<u8> {
    format!(
        r#"{{"directive":{{"header":{{"namespace":"{namespace}","name":"{name}","messageId":"m-1",
        "correlationToken":"c-1","payloadVersion":"3"}},"endpoint":{{"endpointId":"{endpoint}"}},"payload":{payload}}}}}"#
    )
    .into_bytes()
}

async fn answer(hub: &Counting, bytes: &[u8]) -> Value {
    let dispatcher = Checked(Dispatcher::new(CountingRef(hub)));
    let event = dispatcher.handle_slice(bytes).await.unwrap();
    let json = serde_json::to_value(&event).unwrap();
    assert_schema_valid(&json);
    json
}

/// Borrows a [`Counting`] hub so the test can read its counter afterwards.
struct CountingRef<'a>(&'a Counting);

#[async_trait]
impl Hub for CountingRef<'_> {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        self.0.discover().await
    }

    async fn endpoint(&self, id: &EndpointId) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        self.0.endpoint(id).await
    }

    async fn properties(&self, id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        self.0.properties(id).await
    }

    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        self.0.execute(request).await
    }
}

#[tokio::test]
async fn payload_less_directives_accept_a_null_payload() {
    let bytes = directive("Alexa.PowerController", "TurnOn", "switch#porch", "null");
    let decoded = Directive::from_slice(&bytes).unwrap();
    assert!(matches!(
        decoded.payload,
        DirectivePayload::PowerController(_)
    ));

    let hub = Counting::new(vec![endpoint(
        "switch#porch",
        Capability::power_controller(),
    )]);
    let json = answer(&hub, &bytes).await;
    assert_eq!(json["event"]["header"]["name"], "Response");
    assert_eq!(
        hub.discoveries.load(Ordering::SeqCst),
        0,
        "a control directive looks up its endpoint only"
    );

    // A directive that has a payload still needs one.
    let set = directive(
        "Alexa.BrightnessController",
        "SetBrightness",
        "switch#porch",
        "null",
    );
    assert!(Directive::from_slice(&set).is_err());
}

#[test]
fn error_types_with_required_fields_need_their_constructor() {
    for kind in [
        ErrorType::RequestedSetpointsTooClose,
        ErrorType::NotSupportedInCurrentMode,
    ] {
        let error = AlexaError::try_new(kind.clone(), "refused").unwrap_err();
        assert!(
            matches!(error, ValidationError::ErrorPayload { .. }),
            "{kind}: {error}"
        );
    }
    let asleep = AlexaError::not_supported_in_current_mode("asleep", DeviceMode::Asleep);
    assert!(
        serde_json::to_string(&asleep)
            .unwrap()
            .contains(r#""currentDeviceMode":"ASLEEP""#)
    );
    let bypass = AlexaError::bypass_needed("open", vec![BypassEndpoint::new("Back door")]);
    assert!(
        serde_json::to_string(&bypass)
            .unwrap()
            .contains(r#""endpointsNeedingBypass":[{"friendlyName":"Back door"}]"#)
    );
    let at: WholeSeconds = Timestamp::from_unix_seconds(0).unwrap().into();
    assert_eq!(
        serde_json::to_string(&at).unwrap(),
        r#""1970-01-01T00:00:00Z""#
    );
}

#[tokio::test]
async fn a_disarm_pin_must_be_four_digits() {
    assert!(Pin::try_new("1234").is_ok());
    for bad in ["123", "12345", "12a4", "１２３４"] {
        assert!(Pin::try_new(bad).is_err(), "{bad}");
    }
    let hub = Counting::new(vec![endpoint(
        "alarm#house",
        Capability::security_panel_controller(
            &[],
            ha_alexa::interface::security_panel_controller::SecurityPanelConfiguration::new(vec![
                ha_alexa::interface::security_panel_controller::ArmState::ArmedAway,
                ha_alexa::interface::security_panel_controller::ArmState::Disarmed,
            ]),
        ),
    )]);
    let json = answer(
        &hub,
        &directive(
            "Alexa.SecurityPanelController",
            "Disarm",
            "alarm#house",
            r#"{"authorization":{"type":"FOUR_DIGIT_PIN","value":"12345"}}"#,
        ),
    )
    .await;
    assert_eq!(json["event"]["payload"]["type"], "INVALID_DIRECTIVE");
    assert!(
        !json.to_string().contains("12345"),
        "the refused PIN is not echoed: {json}"
    );
}

#[tokio::test]
async fn a_single_setpoint_on_a_dual_setpoint_thermostat_is_an_invalid_value() {
    let hub = Counting::new(vec![endpoint(
        "climate#hall",
        Capability::thermostat_controller(
            Setpoints::Dual,
            ThermostatConfiguration::try_new(vec![ThermostatMode::Auto]).unwrap(),
        ),
    )]);
    let json = answer(
        &hub,
        &directive(
            "Alexa.ThermostatController",
            "SetTargetTemperature",
            "climate#hall",
            r#"{"targetSetpoint":{"value":21.0,"scale":"CELSIUS"}}"#,
        ),
    )
    .await;
    assert_eq!(json["event"]["payload"]["type"], "INVALID_VALUE");
    assert_eq!(json["event"]["header"]["namespace"], "Alexa");
}

#[test]
fn camera_stream_expiry_is_a_timestamp() {
    use ha_alexa::interface::camera_stream_controller::{
        AudioCodec, CameraStream, Resolution, StreamAuthorization, StreamProtocol, VideoCodec,
    };
    let stream = CameraStream::new(
        "rtsp://cam.example.com:443/live",
        StreamProtocol::Rtsp,
        Resolution::new(1280, 720),
        StreamAuthorization::None,
        VideoCodec::H264,
        AudioCodec::Aac,
    )
    .with_expiration_time(Timestamp::from_unix_seconds(1_714_568_400).unwrap());
    let json = serde_json::to_value(&stream).unwrap();
    assert_eq!(json["expirationTime"], "2024-05-01T13:00:00Z");
    let bad = json.to_string().replace("2024-05-01T13:00:00Z", "tomorrow");
    assert!(serde_json::from_str::<CameraStream>(&bad).is_err());
}

#[test]
fn connections_attributes_and_relationships_round_trip() {
    use ha_alexa::discovery::{AdditionalAttributes, Connection, Relationships};
    use ha_alexa::{Event, ReplyTo};

    let plug = DiscoveryEndpoint::builder(EndpointId::try_new("switch#plug").unwrap())
        .friendly_name("Plug")
        .description("Tasmota plug")
        .manufacturer_name("Example")
        .display_category(DisplayCategory::Smartplug)
        .capability(Capability::power_controller())
        .additional_attributes(
            AdditionalAttributes::default()
                .with_manufacturer("Sonoff")
                .with_model("S31")
                .with_serial_number("A1B2C3")
                .with_firmware_version("14.2.0")
                .with_software_version("14.2.0(tasmota)")
                .with_custom_identifier("plug-1"),
        )
        .connection(Connection::tcp_ip(Some("3c-61-05-12-ab-cd")).unwrap())
        .connection(Connection::z_wave("0xF6A3C2B1", "0x2A").unwrap())
        .connection(Connection::unknown("serial:ttyUSB0").unwrap())
        .relationships(
            Relationships::default().connected_by(EndpointId::try_new("router#main").unwrap()),
        )
        .build()
        .unwrap();
    let json = serde_json::to_value(&plug).unwrap();
    assert_eq!(json["connections"][0]["macAddress"], "3C:61:05:12:AB:CD");
    assert_eq!(json["connections"][1]["nodeId"], "0x2A");
    assert_eq!(json["additionalAttributes"]["serialNumber"], "A1B2C3");
    assert_eq!(
        json["relationships"]["isConnectedBy"]["endpointId"],
        "router#main"
    );
    let again: DiscoveryEndpoint = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(again, plug);
    assert_eq!(serde_json::to_value(&again).unwrap(), json);
    let discovery = Event::discover_response(&ReplyTo::default(), vec![plug]).unwrap();
    assert_schema_valid(&serde_json::to_value(&discovery).unwrap());

    // MATTER and unknown types are kept as received; Amazon's schema has no MATTER.
    let mut matter = json.clone();
    matter["connections"] = serde_json::json!([
        {"type": "MATTER", "matterDiscriminator": "3840", "matterVendorId": "0xFFF1"},
        {"type": "THREAD", "extendedPanId": "dead00beef00cafe"}
    ]);
    let decoded: DiscoveryEndpoint = serde_json::from_value(matter.clone()).unwrap();
    assert_eq!(decoded.connections()[0].kind(), "MATTER");
    assert_eq!(decoded.connections()[1].kind(), "THREAD");
    assert_eq!(serde_json::to_value(&decoded).unwrap(), matter);

    // Limits are checked on decode too.
    for (field, bad) in [
        (
            "macAddress",
            serde_json::json!({"type": "TCP_IP", "macAddress": "3C:61:05"}),
        ),
        (
            "homeId",
            serde_json::json!({"type": "ZWAVE", "homeId": "F6A3C2B1", "nodeId": "0x2A"}),
        ),
        (
            "value",
            serde_json::json!({"type": "UNKNOWN", "value": "x".repeat(257)}),
        ),
        (
            "type",
            serde_json::json!({"macAddress": "3C:61:05:12:AB:CD"}),
        ),
    ] {
        let mut wrong = json.clone();
        wrong["connections"] = serde_json::json!([bad]);
        let error = serde_json::from_value::<DiscoveryEndpoint>(wrong).unwrap_err();
        assert!(error.to_string().contains(field), "{field}: {error}");
    }
    let mut twice = json.clone();
    twice["connections"] =
        serde_json::json!([{"type": "UNKNOWN", "value": "a"}, {"type": "UNKNOWN", "value": "a"}]);
    assert!(serde_json::from_value::<DiscoveryEndpoint>(twice).is_err());
    let mut long = json;
    long["additionalAttributes"]["model"] = serde_json::json!("m".repeat(257));
    assert!(serde_json::from_value::<DiscoveryEndpoint>(long).is_err());
}

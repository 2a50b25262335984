//! Entry points for the fuzz targets in `fuzz/` (built only under `cfg(fuzzing)`).

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use async_trait::async_trait;

use crate::discovery::{AssetId, FriendlyName, Resources};
use crate::interface::camera_stream_controller::{
    AudioCodec, CameraStream, CameraStreamConfiguration, CameraStreams, Resolution,
    StreamAuthorization, StreamProtocol, VideoCodec,
};
use crate::interface::equalizer_controller::{
    EqualizerBand, EqualizerConfigurations, EqualizerMode,
};
use crate::interface::event_detection_sensor::{
    DetectionMethod, DetectionMode, EventDetectionConfiguration, EventDetectionKind,
};
use crate::interface::humidity_sensor::RelativeHumidity;
use crate::interface::input_controller::InputDescriptor;
use crate::interface::inventory_level_sensor::{
    InventoryLevel, InventoryLevelConfiguration, Measurement,
};
use crate::interface::inventory_usage_sensor::InventoryUsageConfiguration;
use crate::interface::mode_controller::{ModeConfiguration, ModeValue};
use crate::interface::object_detection_sensor::{
    ImageNetClass, ObjectDetectionConfiguration, ObjectDetectionSensorProperty,
};
use crate::interface::playback_controller::PlaybackOperation;
use crate::interface::range_controller::RangeConfiguration;
use crate::interface::rtc_session_controller::{
    RtcSessionConfiguration, RtcSessionControllerDirective, RtcSessionControllerEvent, Sdp,
    SessionAnswer,
};
use crate::interface::security_panel_controller::{
    AlarmKind, ArmState, SecurityPanelConfiguration,
};
use crate::interface::seek_controller::SeekPosition;
use crate::interface::thermostat_controller::{Setpoints, ThermostatConfiguration, ThermostatMode};
use crate::interface::time_hold_controller::TimeHoldConfiguration;
use crate::interface::{PowerState, Temperature, TemperatureScale};
use crate::{
    AlexaError, Capability, Conformance, DirectivePayload, DiscoveryEndpoint, Dispatcher,
    DisplayCategory, EndpointId, Event, Hub, InterfaceEvent, InterfaceProperty, Locale, Outcome,
    Property, PropertyValue, Request, Timestamp,
};

/// Decodes `data` as a discovery endpoint, a capability, a property, a directive and an
/// event: whatever decodes must encode and decode to itself. A decoded directive then goes through the dispatcher to a hub whose
/// every endpoint has every capability, and the response must round-trip too.
///
/// # Panics
///
/// When an invariant breaks, which is what the fuzzer looks for.
pub fn directive(data: &[u8]) {
    if let Ok(first) = serde_json::from_slice::<DiscoveryEndpoint>(data) {
        let encoded = serde_json::to_vec(&first).expect("a decoded endpoint encodes");
        let second: DiscoveryEndpoint =
            serde_json::from_slice(&encoded).expect("an encoded endpoint decodes");
        assert_eq!(first, second, "endpoint decode(encode(x)) != x");
        let _ = Conformance::AmazonSchema.check_endpoint(&first);
    }
    if let Ok(first) = serde_json::from_slice::<Capability>(data) {
        let encoded = serde_json::to_vec(&first).expect("a decoded capability encodes");
        let second: Capability =
            serde_json::from_slice(&encoded).expect("an encoded capability decodes");
        assert_eq!(first, second, "capability decode(encode(x)) != x");
    }
    if let Ok(first) = serde_json::from_slice::<Property>(data) {
        let encoded = serde_json::to_vec(&first).expect("a decoded property encodes");
        let second: Property =
            serde_json::from_slice(&encoded).expect("an encoded property decodes");
        assert_eq!(first, second, "property decode(encode(x)) != x");
    }
    if let Ok(first) = crate::Directive::from_slice(data) {
        let encoded = serde_json::to_vec(&first).expect("a decoded directive encodes");
        let second = crate::Directive::from_slice(&encoded).expect("an encoded directive decodes");
        assert_eq!(first, second, "decode(encode(decode(x))) != decode(x)");

        let response = block_on(Dispatcher::new(FuzzHub).handle(&first));
        round_trip_event(&response);
    }
    if let Ok(first) = Event::from_slice(data) {
        round_trip_event(&first);
    }
}

fn round_trip_event(first: &Event) {
    let _ = Conformance::AmazonSchema.check_event(first);
    let encoded = serde_json::to_vec(first).expect("an event encodes");
    let second = Event::from_slice(&encoded).expect("an encoded event decodes");
    assert_eq!(first, &second, "decode(encode(event)) != event");
}

/// Polls a future that never waits (the fuzz hub answers at once) to completion.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Noop;

    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }

    let waker = Waker::from(Arc::new(Noop));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
}

/// A hub whose every endpoint has every capability.
struct FuzzHub;

fn resources(name: &str) -> Resources {
    Resources::new(vec![
        FriendlyName::text(name, Locale::EnUs),
        FriendlyName::asset(AssetId::MODE),
    ])
}

fn everything(endpoint_id: EndpointId) -> DiscoveryEndpoint {
    let operations = PlaybackOperation::KNOWN.to_vec();
    DiscoveryEndpoint::builder(endpoint_id)
        .friendly_name("Everything")
        .description("Every capability")
        .manufacturer_name("Fuzz")
        .display_category(DisplayCategory::Other)
        .capabilities([
            Capability::alexa(),
            Capability::endpoint_health(),
            Capability::power_controller(),
            Capability::brightness_controller(),
            Capability::color_controller(),
            Capability::color_temperature_controller(),
            Capability::thermostat_controller(
                Setpoints::Triple,
                ThermostatConfiguration::try_new(vec![
                    ThermostatMode::Heat,
                    ThermostatMode::Cool,
                    ThermostatMode::Auto,
                ])
                .expect("the fuzz thermostat modes are valid")
                .with_scheduling(true),
            ),
            Capability::temperature_sensor(),
            Capability::lock_controller(),
            Capability::scene_controller(true),
            Capability::speaker(),
            Capability::step_speaker(),
            Capability::playback_controller(operations),
            Capability::playback_state_reporter(),
            Capability::input_controller(vec![
                InputDescriptor::new("HDMI 1").with_friendly_names(["Game"]),
            ]),
            Capability::channel_controller(),
            Capability::seek_controller(),
            Capability::equalizer_controller(
                EqualizerConfigurations::modes(vec![EqualizerMode::Movie, EqualizerMode::Tv])
                    .with_bands(vec![EqualizerBand::Bass], -10, 10),
            ),
            Capability::mode_controller(
                "x.mode",
                resources("mode"),
                ModeConfiguration::new(
                    true,
                    vec![
                        ModeValue::new("a", resources("a")),
                        ModeValue::new("b", resources("b")),
                    ],
                ),
            ),
            Capability::range_controller(
                "x.level",
                resources("level"),
                RangeConfiguration::new(-50.0, 50.0, 0.5),
            ),
            Capability::toggle_controller("x.switch", resources("switch")),
            Capability::contact_sensor(),
            Capability::motion_sensor(),
            Capability::event_detection_sensor(
                &[EventDetectionKind::HumanPresence],
                EventDetectionConfiguration::new(vec![DetectionMethod::Video]).with_mode(
                    EventDetectionKind::HumanPresence,
                    DetectionMode::enabled(true),
                ),
            ),
            Capability::doorbell_event_source(),
            Capability::security_panel_controller(
                &AlarmKind::ALL,
                SecurityPanelConfiguration::new(vec![ArmState::ArmedAway, ArmState::Disarmed]),
            ),
            Capability::time_hold_controller(TimeHoldConfiguration::new(true)),
            Capability::camera_stream_controller(vec![CameraStreamConfiguration::new(
                vec![StreamProtocol::Rtsp],
                vec![Resolution::new(640, 480)],
                vec![StreamAuthorization::None],
                vec![VideoCodec::H264],
                vec![AudioCodec::None],
            )]),
            Capability::percentage_controller(),
            Capability::power_level_controller(),
            Capability::humidity_sensor(),
            Capability::inventory_level_sensor(
                "Filter.Water",
                resources("filter"),
                InventoryLevelConfiguration::new(Measurement::Percentage)
                    .with_replenishment_id("fuzz-replenishment"),
            ),
            Capability::inventory_usage_sensor(
                "Pods.Coffee",
                resources("pods"),
                InventoryUsageConfiguration::try_new(Measurement::Count)
                    .expect("a count is a usage measurement"),
            ),
            Capability::rtc_session_controller(
                RtcSessionConfiguration::new().with_full_duplex_audio(true),
            ),
            Capability::object_detection_sensor(ObjectDetectionConfiguration::new([
                ImageNetClass::PERSON,
                ImageNetClass::PACKAGE,
            ])),
        ])
        .build()
        .expect("the fuzz endpoint is valid")
}

#[async_trait]
impl Hub for FuzzHub {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        let id = EndpointId::try_new("everything")
            .map_err(|e| AlexaError::internal_error(e.to_string()))?;
        Ok(vec![everything(id)])
    }

    async fn endpoint(
        &self,
        endpoint_id: &EndpointId,
    ) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        Ok(Some(everything(endpoint_id.clone())))
    }

    async fn properties(&self, _endpoint_id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        let at = Timestamp::from_unix_millis(1_700_000_000_123)
            .map_err(|e| AlexaError::internal_error(e.to_string()))?;
        Ok(vec![
            Property::new(PropertyValue::PowerState(PowerState::On), at),
            Property::new(
                PropertyValue::Temperature(Temperature::new(21.5, TemperatureScale::Celsius)),
                at,
            ),
            Property::new(PropertyValue::HoldStartTime(at.into()), at),
            Property::new(
                PropertyValue::RelativeHumidity(
                    RelativeHumidity::try_new(40.5)
                        .map_err(|e| AlexaError::internal_error(e.to_string()))?,
                ),
                at,
            ),
            Property::new(
                PropertyValue::InventoryLevel {
                    instance: "Filter.Water".to_owned(),
                    level: InventoryLevel::count(2),
                },
                at,
            ),
            Property::new(
                PropertyValue::Interface(InterfaceProperty::ObjectDetectionSensor(
                    ObjectDetectionSensorProperty::ObjectDetectionClasses(vec![
                        ImageNetClass::PERSON.into(),
                    ]),
                )),
                at,
            ),
        ])
    }

    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        Ok(match request.payload() {
            DirectivePayload::SeekController(_) => {
                Outcome::SeekPosition(SeekPosition::clamped(1234))
            }
            DirectivePayload::CameraStreamController(_) => {
                Outcome::CameraStreams(CameraStreams::new(
                    vec![CameraStream::new(
                        "rtsp://camera/stream",
                        StreamProtocol::Rtsp,
                        Resolution::new(640, 480),
                        StreamAuthorization::None,
                        VideoCodec::H264,
                        AudioCodec::None,
                    )],
                    "https://camera/still.jpg",
                ))
            }
            DirectivePayload::SecurityPanelController(_) => Outcome::Armed {
                exit_delay_in_seconds: 5,
            },
            DirectivePayload::RtcSessionController(rtc) => {
                Outcome::Reply(InterfaceEvent::RtcSessionController(match rtc {
                    RtcSessionControllerDirective::SessionConnected(session) => {
                        RtcSessionControllerEvent::SessionConnected(session.clone())
                    }
                    RtcSessionControllerDirective::SessionDisconnected(session) => {
                        RtcSessionControllerEvent::SessionDisconnected(session.clone())
                    }
                    _ => RtcSessionControllerEvent::AnswerGeneratedForSession(SessionAnswer::new(
                        Sdp::new("v=0\r\n"),
                    )),
                }))
            }
            _ => Outcome::Done,
        })
    }
}

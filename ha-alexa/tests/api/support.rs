//! A small in-test hub with one endpoint per interface family, and the schema oracle.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

pub(crate) use crate::schema_check::{assert_schema_valid, check_event, schema_errors};

use async_trait::async_trait;
use ha_alexa::discovery::{AdditionalAttributes, AssetId, FriendlyName, Resources};
use ha_alexa::interface::authorization::AcceptGrant;
use ha_alexa::interface::brightness_controller::BrightnessControllerDirective as Brightness;
use ha_alexa::interface::camera_stream_controller::{
    AudioCodec, CameraStream, CameraStreamConfiguration, CameraStreams, Resolution,
    StreamAuthorization, StreamProtocol, VideoCodec,
};
use ha_alexa::interface::channel_controller::{Channel, ChannelControllerDirective};
use ha_alexa::interface::color_controller::{Color, ColorControllerDirective};
use ha_alexa::interface::color_temperature_controller::{
    ColorTemperatureControllerDirective as Ct, Kelvin,
};
use ha_alexa::interface::endpoint_health::{Connectivity, ConnectivityState};
use ha_alexa::interface::equalizer_controller::{
    BandLevel, EqualizerBand, EqualizerConfigurations, EqualizerControllerDirective as Eq,
    EqualizerMode, LevelDirection,
};
use ha_alexa::interface::event_detection_sensor::{
    DetectionMethod, DetectionMode, EventDetection, EventDetectionConfiguration, EventDetectionKind,
};
use ha_alexa::interface::input_controller::{InputControllerDirective, InputDescriptor};
use ha_alexa::interface::lock_controller::{LockControllerDirective, LockState};
use ha_alexa::interface::mode_controller::{ModeConfiguration, ModeControllerDirective, ModeValue};
use ha_alexa::interface::object_detection_sensor::{
    ImageNetClass, ObjectClass, ObjectDetectionConfiguration, ObjectDetectionSensorDirective,
    ObjectDetectionSensorProperty,
};
use ha_alexa::interface::percentage_controller::PercentageControllerDirective as Pct;
use ha_alexa::interface::playback_controller::PlaybackOperation;
use ha_alexa::interface::power_controller::PowerControllerDirective;
use ha_alexa::interface::power_level_controller::PowerLevelControllerDirective as Pl;
use ha_alexa::interface::range_controller::{
    RangeConfiguration, RangeControllerDirective, UnitOfMeasure,
};
use ha_alexa::interface::rtc_session_controller::{
    RtcSessionConfiguration, RtcSessionControllerDirective as Rtc, RtcSessionControllerEvent, Sdp,
    SessionAnswer,
};
use ha_alexa::interface::security_panel_controller::{
    Alarm, AlarmKind, AlarmState, ArmState, SecurityPanelConfiguration,
    SecurityPanelControllerDirective,
};
use ha_alexa::interface::seek_controller::{SeekControllerDirective, SeekPosition};
use ha_alexa::interface::speaker::SpeakerDirective;
use ha_alexa::interface::thermostat_controller::{
    Setpoints, ThermostatConfiguration, ThermostatControllerDirective as Th, ThermostatMode,
};
use ha_alexa::interface::time_hold_controller::{
    TimeHoldConfiguration, TimeHoldControllerDirective,
};
use ha_alexa::interface::toggle_controller::ToggleControllerDirective;
use ha_alexa::interface::{DetectionState, Percentage, PowerState, Temperature, TemperatureScale};
use ha_alexa::{
    AlexaError, Capability, DecodeError, DirectivePayload, DiscoveryEndpoint, Dispatcher,
    DisplayCategory, EndpointId, Event, Hub, InterfaceEvent, InterfaceProperty, Locale, MessageId,
    Outcome, Property, PropertyValue, Request, SmartHomeConfig, Timestamp,
};
use serde_json::Value;

/// The instant every property of the test hub was sampled: 2024-05-01T12:00:00Z.
pub(crate) const SAMPLED: i64 = 1_714_564_800_000;
/// The dispatcher's clock: 2024-05-01T12:00:05.250Z.
pub(crate) const NOW: i64 = SAMPLED + 5_250;
/// The messageId of every response.
pub(crate) const RESPONSE_ID: &str = "b5a2f9d6-0c4a-4f5e-9d8e-1f2a3b4c5d6e";
/// The SDP answer of the front door camera.
pub(crate) const SDP_ANSWER: &str = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE audio0 video0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:audio0\r\na=sendrecv\r\nm=video 9 UDP/TLS/RTP/SAVPF 99\r\nc=IN IP4 0.0.0.0\r\na=mid:video0\r\na=sendonly\r\n";
/// The PIN of the security panel.
pub(crate) const PIN: &str = "1234";

fn sampled() -> Timestamp {
    Timestamp::from_unix_millis(SAMPLED).unwrap()
}

fn id(entity: &str) -> EndpointId {
    EndpointId::for_entity(entity).unwrap()
}

fn text(name: &str) -> Resources {
    Resources::new(vec![FriendlyName::text(name, Locale::EnUs)])
}

/// Mutable state of the test hub's devices.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) power: HashMap<&'static str, PowerState>,
    pub(crate) brightness: u8,
    pub(crate) color: Color,
    pub(crate) kelvin: u16,
    pub(crate) thermostat_mode: ThermostatMode,
    pub(crate) target: f64,
    pub(crate) lower: f64,
    pub(crate) upper: f64,
    pub(crate) lock: LockState,
    pub(crate) volume: u8,
    pub(crate) muted: bool,
    pub(crate) input: String,
    pub(crate) channel: String,
    pub(crate) position: i64,
    pub(crate) equalizer_mode: EqualizerMode,
    pub(crate) bass: i64,
    pub(crate) treble: i64,
    pub(crate) oscillating: PowerState,
    pub(crate) preset: String,
    pub(crate) fan_percentage: f64,
    pub(crate) panel: ArmState,
    pub(crate) percentage: u8,
    pub(crate) power_level: u8,
    pub(crate) grants: Vec<String>,
    pub(crate) object_classes: Vec<ObjectClass>,
}

impl Default for State {
    fn default() -> Self {
        let power = [
            ("light.kitchen", PowerState::On),
            ("climate.living_room", PowerState::On),
            ("media_player.living_room_tv", PowerState::On),
            ("media_player.kitchen_speaker", PowerState::On),
            ("fan.bedroom", PowerState::On),
            ("timer.laundry", PowerState::On),
            ("switch.dimmer_plug", PowerState::On),
            ("light.porch_offline", PowerState::Off),
        ]
        .into_iter()
        .collect();
        Self {
            power,
            brightness: 40,
            color: Color::try_new(30.0, 0.8, 0.4).unwrap(),
            kelvin: 2700,
            thermostat_mode: ThermostatMode::Heat,
            target: 21.0,
            lower: 19.0,
            upper: 24.0,
            lock: LockState::Unlocked,
            volume: 30,
            muted: false,
            input: "HDMI 1".into(),
            channel: "7".into(),
            position: 60_000,
            equalizer_mode: EqualizerMode::Movie,
            bass: 0,
            treble: 0,
            oscillating: PowerState::Off,
            preset: "preset_mode.eco".into(),
            fan_percentage: 50.0,
            panel: ArmState::Disarmed,
            percentage: 50,
            power_level: 50,
            grants: Vec::new(),
            object_classes: vec![ImageNetClass::PERSON.into(), ImageNetClass::PACKAGE.into()],
        }
    }
}

/// The in-test hub: 19 endpoints in the shape Home Assistant publishes them.
#[derive(Debug, Default)]
pub(crate) struct TestHub {
    pub(crate) state: Mutex<State>,
}

fn endpoint(
    entity: &str,
    name: &str,
    category: DisplayCategory,
    capabilities: Vec<Capability>,
) -> DiscoveryEndpoint {
    let domain = entity.split_once('.').unwrap().0;
    DiscoveryEndpoint::builder(id(entity))
        .friendly_name(name)
        .description(format!("{entity} via Home Assistant"))
        .manufacturer_name("Home Assistant")
        .display_category(category)
        .capabilities(capabilities)
        .additional_attributes(
            AdditionalAttributes::default()
                .with_manufacturer("Home Assistant")
                .with_model(domain)
                .with_software_version("2025.1")
                .with_custom_identifier(format!("ha-tests-{entity}")),
        )
        .build()
        .unwrap()
}

/// The hub's endpoints, in discovery order.
pub(crate) static ENDPOINTS: LazyLock<Vec<DiscoveryEndpoint>> = LazyLock::new(|| {
    use DisplayCategory as C;
    let health = Capability::endpoint_health;
    let alexa = Capability::alexa;
    let thermostat_modes = vec![
        ThermostatMode::Auto,
        ThermostatMode::Cool,
        ThermostatMode::Heat,
        ThermostatMode::Eco,
        ThermostatMode::Off,
    ];
    let playback = vec![
        PlaybackOperation::Play,
        PlaybackOperation::Pause,
        PlaybackOperation::Stop,
        PlaybackOperation::Next,
        PlaybackOperation::Previous,
        PlaybackOperation::StartOver,
        PlaybackOperation::Rewind,
        PlaybackOperation::FastForward,
    ];
    vec![
        endpoint(
            "light.kitchen",
            "Kitchen",
            C::Light,
            vec![
                Capability::power_controller(),
                Capability::brightness_controller(),
                Capability::color_controller(),
                Capability::color_temperature_controller(),
                health(),
                alexa(),
            ],
        ),
        endpoint(
            "climate.living_room",
            "Living Room",
            C::Thermostat,
            vec![
                Capability::thermostat_controller(
                    Setpoints::Triple,
                    ThermostatConfiguration::try_new(thermostat_modes)
                        .unwrap()
                        .with_scheduling(true),
                ),
                Capability::temperature_sensor(),
                Capability::power_controller(),
                health(),
                alexa(),
            ],
        ),
        endpoint(
            "water_heater.boiler",
            "Boiler",
            C::Other,
            vec![
                Capability::thermostat_controller(
                    Setpoints::Single,
                    ThermostatConfiguration::try_new(vec![
                        ThermostatMode::Heat,
                        ThermostatMode::Eco,
                        ThermostatMode::Off,
                    ])
                    .unwrap(),
                ),
                alexa(),
            ],
        ),
        endpoint(
            "lock.front_door",
            "Front Door",
            C::Smartlock,
            vec![Capability::lock_controller(), health(), alexa()],
        ),
        endpoint(
            "script.party",
            "Party",
            C::ActivityTrigger,
            vec![Capability::scene_controller(true), alexa()],
        ),
        endpoint(
            "scene.movie_night",
            "Movie Night",
            C::SceneTrigger,
            vec![Capability::scene_controller(false), alexa()],
        ),
        endpoint(
            "media_player.living_room_tv",
            "Living Room TV",
            C::Tv,
            vec![
                Capability::power_controller(),
                Capability::speaker(),
                Capability::playback_controller(playback),
                Capability::input_controller(vec![
                    InputDescriptor::new("HDMI 1"),
                    InputDescriptor::new("HDMI 2").with_friendly_names(["Game Console"]),
                    InputDescriptor::new("TV"),
                ]),
                Capability::channel_controller(),
                Capability::seek_controller(),
                Capability::equalizer_controller(
                    EqualizerConfigurations::modes(vec![
                        EqualizerMode::Movie,
                        EqualizerMode::Music,
                        EqualizerMode::Tv,
                    ])
                    .with_bands(
                        vec![EqualizerBand::Bass, EqualizerBand::Treble],
                        -6,
                        6,
                    ),
                ),
                health(),
                alexa(),
            ],
        ),
        endpoint(
            "media_player.kitchen_speaker",
            "Kitchen Speaker",
            C::Speaker,
            vec![
                Capability::step_speaker(),
                Capability::power_controller(),
                alexa(),
            ],
        ),
        endpoint(
            "fan.bedroom",
            "Bedroom Fan",
            C::Fan,
            vec![
                Capability::power_controller(),
                Capability::toggle_controller(
                    "fan.oscillating",
                    Resources::new(vec![FriendlyName::asset(AssetId::OSCILLATE)]),
                ),
                Capability::mode_controller(
                    "fan.preset_mode",
                    Resources::new(vec![
                        FriendlyName::text("preset", Locale::EnUs),
                        FriendlyName::asset(AssetId::PRESET),
                    ]),
                    ModeConfiguration::new(
                        false,
                        vec![
                            ModeValue::new("preset_mode.eco", text("eco")),
                            ModeValue::new("preset_mode.sleep", text("sleep")),
                        ],
                    ),
                ),
                Capability::range_controller(
                    "fan.percentage",
                    Resources::new(vec![FriendlyName::asset(AssetId::FAN_SPEED)]),
                    RangeConfiguration::new(0.0, 100.0, 1.0)
                        .with_unit(UnitOfMeasure::PERCENT)
                        .with_preset(
                            100.0,
                            Resources::new(vec![FriendlyName::asset(AssetId::MAXIMUM)]),
                        ),
                ),
                health(),
                alexa(),
            ],
        ),
        endpoint(
            "alarm_control_panel.home",
            "Home Alarm",
            C::SecurityPanel,
            vec![
                Capability::security_panel_controller(
                    &[AlarmKind::Burglary, AlarmKind::Fire],
                    SecurityPanelConfiguration::new(vec![
                        ArmState::ArmedAway,
                        ArmState::ArmedStay,
                        ArmState::ArmedNight,
                        ArmState::Disarmed,
                    ]),
                ),
                health(),
                alexa(),
            ],
        ),
        endpoint(
            "camera.driveway",
            "Driveway",
            C::Camera,
            vec![
                Capability::camera_stream_controller(vec![CameraStreamConfiguration::new(
                    vec![StreamProtocol::Rtsp],
                    vec![Resolution::new(1280, 720)],
                    vec![StreamAuthorization::None],
                    vec![VideoCodec::H264],
                    vec![AudioCodec::Aac],
                )]),
                health(),
                alexa(),
            ],
        ),
        endpoint(
            "timer.laundry",
            "Laundry",
            C::Other,
            vec![
                Capability::time_hold_controller(TimeHoldConfiguration::new(true)),
                Capability::power_controller(),
                alexa(),
            ],
        ),
        endpoint(
            "switch.dimmer_plug",
            "Dimmer Plug",
            C::Smartplug,
            vec![
                Capability::power_controller(),
                Capability::percentage_controller(),
                Capability::power_level_controller(),
                health(),
                alexa(),
            ],
        ),
        endpoint(
            "sensor.outside_temperature",
            "Outside",
            C::TemperatureSensor,
            vec![Capability::temperature_sensor(), health(), alexa()],
        ),
        endpoint(
            "binary_sensor.back_door",
            "Back Door",
            C::ContactSensor,
            vec![Capability::contact_sensor(), health(), alexa()],
        ),
        endpoint(
            "binary_sensor.hallway_motion",
            "Hallway",
            C::MotionSensor,
            vec![Capability::motion_sensor(), health(), alexa()],
        ),
        endpoint(
            "binary_sensor.front_door_person",
            "Front Door Person",
            C::Camera,
            vec![
                Capability::event_detection_sensor(
                    &[EventDetectionKind::HumanPresence],
                    EventDetectionConfiguration::new(vec![
                        DetectionMethod::Audio,
                        DetectionMethod::Video,
                    ])
                    .with_mode(
                        EventDetectionKind::HumanPresence,
                        DetectionMode::enabled(true),
                    ),
                ),
                health(),
                alexa(),
            ],
        ),
        endpoint(
            "event.doorbell",
            "Doorbell",
            C::Doorbell,
            vec![Capability::doorbell_event_source(), health(), alexa()],
        ),
        endpoint(
            "light.porch_offline",
            "Porch",
            C::Light,
            vec![Capability::power_controller(), health(), alexa()],
        ),
    ]
});

/// Endpoints with an interface outside Amazon's published schema: reachable by
/// directives, but left out of the hub's discovery, which the tests check against that
/// schema.
pub(crate) static BEYOND_SCHEMA: LazyLock<Vec<DiscoveryEndpoint>> = LazyLock::new(|| {
    vec![endpoint(
        "camera.front_door",
        "Front Door",
        DisplayCategory::Doorbell,
        vec![
            Capability::rtc_session_controller(
                RtcSessionConfiguration::new().with_full_duplex_audio(true),
            ),
            Capability::object_detection_sensor(ObjectDetectionConfiguration::new([
                ImageNetClass::PERSON,
                ImageNetClass::PACKAGE,
            ])),
            Capability::endpoint_health(),
            Capability::alexa(),
        ],
    )]
});

/// Every endpoint of the hub, discovered or not.
fn all_endpoints() -> impl Iterator<Item = &'static DiscoveryEndpoint> {
    ENDPOINTS.iter().chain(BEYOND_SCHEMA.iter())
}

fn celsius(value: f64) -> Temperature {
    Temperature::new(value, TemperatureScale::Celsius)
}

fn property(value: PropertyValue) -> Property {
    Property::new(value, sampled())
}

impl TestHub {
    /// The properties of `entity` in `state`.
    #[expect(
        clippy::too_many_lines,
        reason = "one arm per endpoint of the test hub"
    )]
    pub(crate) fn properties_of(entity: &str, state: &State) -> Vec<Property> {
        let power = |name: &str| PropertyValue::PowerState(state.power[name].clone());
        let ok = PropertyValue::Connectivity(Connectivity::new(ConnectivityState::Ok));
        let values = match entity {
            "light.kitchen" => vec![
                power(entity),
                PropertyValue::Brightness(Percentage::try_new(state.brightness).unwrap()),
                PropertyValue::Color(state.color),
                PropertyValue::ColorTemperatureInKelvin(Kelvin::try_new(state.kelvin).unwrap()),
                ok,
            ],
            "climate.living_room" => vec![
                PropertyValue::ThermostatMode(state.thermostat_mode.clone()),
                PropertyValue::TargetSetpoint(celsius(state.target)),
                PropertyValue::LowerSetpoint(celsius(state.lower)),
                PropertyValue::UpperSetpoint(celsius(state.upper)),
                PropertyValue::Temperature(celsius(20.5)),
                power(entity),
                ok,
            ],
            "water_heater.boiler" => {
                vec![
                    PropertyValue::ThermostatMode(ThermostatMode::Heat),
                    PropertyValue::TargetSetpoint(celsius(55.0)),
                ]
            }
            "lock.front_door" => vec![PropertyValue::LockState(state.lock.clone()), ok],
            "media_player.living_room_tv" => vec![
                power(entity),
                PropertyValue::Volume(Percentage::try_new(state.volume).unwrap()),
                PropertyValue::Muted(state.muted),
                PropertyValue::Input(state.input.clone()),
                PropertyValue::Channel(Channel::number(state.channel.clone())),
                PropertyValue::EqualizerBands(vec![
                    BandLevel::new(EqualizerBand::Bass, state.bass),
                    BandLevel::new(EqualizerBand::Treble, state.treble),
                ]),
                PropertyValue::EqualizerMode(state.equalizer_mode.clone()),
                ok,
            ],
            "media_player.kitchen_speaker" | "timer.laundry" => vec![power(entity)],
            "fan.bedroom" => vec![
                power(entity),
                PropertyValue::ToggleState {
                    instance: "fan.oscillating".into(),
                    state: state.oscillating.clone(),
                },
                PropertyValue::Mode {
                    instance: "fan.preset_mode".into(),
                    mode: state.preset.clone(),
                },
                PropertyValue::RangeValue {
                    instance: "fan.percentage".into(),
                    value: state.fan_percentage,
                },
                ok,
            ],
            "alarm_control_panel.home" => vec![
                PropertyValue::ArmState(state.panel.clone()),
                PropertyValue::Alarm {
                    kind: AlarmKind::Burglary,
                    alarm: Alarm::new(AlarmState::Ok),
                },
                PropertyValue::Alarm {
                    kind: AlarmKind::Fire,
                    alarm: Alarm::new(AlarmState::Ok),
                },
                ok,
            ],
            "switch.dimmer_plug" => vec![
                power(entity),
                PropertyValue::Percentage(Percentage::try_new(state.percentage).unwrap()),
                PropertyValue::PowerLevel(Percentage::try_new(state.power_level).unwrap()),
                ok,
            ],
            "sensor.outside_temperature" => vec![PropertyValue::Temperature(celsius(12.5)), ok],
            "binary_sensor.back_door" => vec![
                PropertyValue::ContactDetectionState(DetectionState::NotDetected),
                ok,
            ],
            "binary_sensor.hallway_motion" => vec![
                PropertyValue::MotionDetectionState(DetectionState::Detected),
                ok,
            ],
            "binary_sensor.front_door_person" => vec![
                PropertyValue::EventDetection {
                    kind: EventDetectionKind::HumanPresence,
                    detection: EventDetection::new(DetectionState::NotDetected),
                },
                ok,
            ],
            "event.doorbell" | "camera.driveway" => vec![ok],
            "camera.front_door" => vec![
                PropertyValue::Interface(InterfaceProperty::ObjectDetectionSensor(
                    ObjectDetectionSensorProperty::ObjectDetectionClasses(
                        state.object_classes.clone(),
                    ),
                )),
                ok,
            ],
            "light.porch_offline" => {
                vec![
                    power(entity),
                    PropertyValue::Connectivity(Connectivity::new(ConnectivityState::Unreachable)),
                ]
            }
            _ => Vec::new(),
        };
        values.into_iter().map(property).collect()
    }

    fn clamp(value: i64, min: i64, max: i64) -> i64 {
        value.clamp(min, max)
    }
}

#[async_trait]
impl Hub for TestHub {
    async fn discover(&self) -> Result<Vec<DiscoveryEndpoint>, AlexaError> {
        Ok(ENDPOINTS.clone())
    }

    async fn endpoint(
        &self,
        endpoint_id: &EndpointId,
    ) -> Result<Option<DiscoveryEndpoint>, AlexaError> {
        Ok(all_endpoints()
            .find(|e| e.endpoint_id() == endpoint_id)
            .cloned())
    }

    async fn properties(&self, endpoint_id: &EndpointId) -> Result<Vec<Property>, AlexaError> {
        let entity = endpoint_id
            .entity_id()
            .map_err(|e| AlexaError::internal_error(e.to_string()))?;
        Ok(Self::properties_of(&entity, &self.state.lock().unwrap()))
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one arm per directive the test hub carries out"
    )]
    async fn execute(&self, request: &Request<'_>) -> Result<Outcome, AlexaError> {
        let entity = request.endpoint_id().entity_id().unwrap();
        let entity = all_endpoints()
            .map(|e| e.endpoint_id().entity_id().unwrap())
            .find(|e| *e == entity)
            .unwrap();
        if entity == "light.porch_offline" {
            return Err(AlexaError::endpoint_unreachable(
                "the porch light is offline",
            ));
        }
        let mut state = self.state.lock().unwrap();
        let key: &'static str = state
            .power
            .keys()
            .copied()
            .find(|k| *k == entity)
            .unwrap_or("");
        let outcome = match request.payload() {
            DirectivePayload::PowerController(PowerControllerDirective::TurnOn) => {
                state.power.insert(key, PowerState::On);
                Outcome::Done
            }
            DirectivePayload::PowerController(PowerControllerDirective::TurnOff) => {
                state.power.insert(key, PowerState::Off);
                Outcome::Done
            }
            DirectivePayload::BrightnessController(Brightness::SetBrightness(set)) => {
                state.brightness = u8::try_from(set.brightness).unwrap();
                Outcome::Done
            }
            DirectivePayload::BrightnessController(Brightness::AdjustBrightness(adjust)) => {
                let value = Self::clamp(
                    i64::from(state.brightness) + adjust.brightness_delta,
                    0,
                    100,
                );
                state.brightness = u8::try_from(value).unwrap();
                Outcome::Done
            }
            DirectivePayload::ColorController(ColorControllerDirective::SetColor(set)) => {
                state.color = Color::try_from(set.color).unwrap();
                Outcome::Done
            }
            DirectivePayload::ColorTemperatureController(ct) => {
                state.kelvin = match ct {
                    Ct::SetColorTemperature(set) => {
                        u16::try_from(set.color_temperature_in_kelvin).unwrap()
                    }
                    Ct::IncreaseColorTemperature => {
                        Kelvin::clamped(i64::from(state.kelvin) + 500).get()
                    }
                    Ct::DecreaseColorTemperature => {
                        Kelvin::clamped(i64::from(state.kelvin) - 500).get()
                    }
                    _ => unreachable!(),
                };
                Outcome::Done
            }
            DirectivePayload::ThermostatController(thermostat) => {
                let (min, max) = (celsius(7.0), celsius(35.0));
                match thermostat {
                    Th::SetTargetTemperature(set) => {
                        for value in [
                            &set.target_setpoint,
                            &set.lower_setpoint,
                            &set.upper_setpoint,
                        ]
                        .into_iter()
                        .flatten()
                        {
                            value.check_range(&min, &max)?;
                        }
                        if let Some(target) = &set.target_setpoint {
                            state.target = target.to_celsius().unwrap();
                        }
                        if let Some(lower) = &set.lower_setpoint {
                            state.lower = lower.to_celsius().unwrap();
                        }
                        if let Some(upper) = &set.upper_setpoint {
                            state.upper = upper.to_celsius().unwrap();
                        }
                    }
                    Th::AdjustTargetTemperature(adjust) => {
                        if state.thermostat_mode == ThermostatMode::Off {
                            return Err(AlexaError::try_new(
                                ha_alexa::ErrorType::ThermostatIsOff,
                                "the thermostat is off",
                            )
                            .unwrap());
                        }
                        let target = celsius(state.target + adjust.target_setpoint_delta.value);
                        target.check_range(&min, &max)?;
                        state.target = target.value;
                    }
                    Th::SetThermostatMode(set) => {
                        state.thermostat_mode = set.thermostat_mode.value.clone();
                    }
                    Th::ResumeSchedule => state.thermostat_mode = ThermostatMode::Auto,
                    _ => unreachable!(),
                }
                Outcome::Done
            }
            DirectivePayload::LockController(LockControllerDirective::Lock) => {
                // A lock whose state lags behind: it reports the requested state itself.
                Outcome::Properties(vec![property(PropertyValue::LockState(LockState::Locked))])
            }
            DirectivePayload::LockController(LockControllerDirective::Unlock) => {
                state.lock = LockState::Unlocked;
                Outcome::Done
            }
            DirectivePayload::Speaker(SpeakerDirective::SetVolume(set)) => {
                state.volume = u8::try_from(set.volume).unwrap();
                Outcome::Done
            }
            DirectivePayload::Speaker(SpeakerDirective::AdjustVolume(adjust)) => {
                state.volume =
                    u8::try_from(Self::clamp(i64::from(state.volume) + adjust.volume, 0, 100))
                        .unwrap();
                Outcome::Done
            }
            DirectivePayload::Speaker(SpeakerDirective::SetMute(set)) => {
                state.muted = set.mute;
                Outcome::Done
            }
            DirectivePayload::InputController(InputControllerDirective::SelectInput(select)) => {
                let inputs = request
                    .endpoint()
                    .capability(&ha_alexa::Namespace::InputController, None)
                    .unwrap()
                    .inputs()
                    .unwrap();
                state.input.clone_from(
                    &inputs
                        .iter()
                        .find(|i| i.matches(&select.input))
                        .unwrap()
                        .name,
                );
                Outcome::Done
            }
            DirectivePayload::ChannelController(ChannelControllerDirective::ChangeChannel(
                change,
            )) => {
                state.channel = change.channel.number.clone().unwrap_or_default();
                Outcome::Done
            }
            DirectivePayload::ChannelController(ChannelControllerDirective::SkipChannels(skip)) => {
                state.channel =
                    (state.channel.parse::<i64>().unwrap() + skip.channel_count).to_string();
                Outcome::Done
            }
            DirectivePayload::SeekController(SeekControllerDirective::AdjustSeekPosition(seek)) => {
                state.position =
                    SeekPosition::clamped(state.position + seek.delta_position_milliseconds)
                        .milliseconds()
                        .into();
                Outcome::SeekPosition(SeekPosition::clamped(state.position))
            }
            DirectivePayload::EqualizerController(eq) => {
                match eq {
                    Eq::SetMode(set) => state.equalizer_mode = set.mode.clone(),
                    Eq::SetBands(set) => {
                        for band in &set.bands {
                            *band_level(&mut state, &band.name) = band.value;
                        }
                    }
                    Eq::AdjustBands(adjust) => {
                        for band in &adjust.bands {
                            let step = band.level_delta.unwrap_or(1);
                            let step = if band.level_direction == LevelDirection::Down {
                                -step
                            } else {
                                step
                            };
                            let level = band_level(&mut state, &band.name);
                            *level = Self::clamp(*level + step, -6, 6);
                        }
                    }
                    Eq::ResetBands(reset) => {
                        for band in &reset.bands {
                            *band_level(&mut state, &band.name) = 0;
                        }
                    }
                    _ => unreachable!(),
                }
                Outcome::Done
            }
            DirectivePayload::ToggleController(toggle) => {
                state.oscillating = match toggle {
                    ToggleControllerDirective::TurnOn => PowerState::On,
                    _ => PowerState::Off,
                };
                Outcome::Done
            }
            DirectivePayload::ModeController(ModeControllerDirective::SetMode(set)) => {
                state.preset.clone_from(&set.mode);
                Outcome::Done
            }
            DirectivePayload::RangeController(range) => {
                state.fan_percentage = match range {
                    RangeControllerDirective::SetRangeValue(set) => set.range_value,
                    RangeControllerDirective::AdjustRangeValue(adjust) => {
                        let delta = if adjust.range_value_delta_default {
                            adjust.range_value_delta.signum() * 20.0
                        } else {
                            adjust.range_value_delta
                        };
                        (state.fan_percentage + delta).clamp(0.0, 100.0)
                    }
                    _ => unreachable!(),
                };
                Outcome::Done
            }
            DirectivePayload::SecurityPanelController(SecurityPanelControllerDirective::Arm(
                arm,
            )) => {
                if state.panel != ArmState::Disarmed && state.panel != arm.arm_state {
                    return Err(AlexaError::try_new(
                        ha_alexa::ErrorType::AuthorizationRequired,
                        "disarm before changing the arm state",
                    )
                    .unwrap());
                }
                state.panel = arm.arm_state.clone();
                Outcome::Armed {
                    exit_delay_in_seconds: 30,
                }
            }
            DirectivePayload::SecurityPanelController(
                SecurityPanelControllerDirective::Disarm(disarm),
            ) => {
                let pin = disarm
                    .authorization
                    .as_ref()
                    .map(|a| a.value.expose_secret());
                if pin != Some(PIN) {
                    return Err(AlexaError::try_new(
                        ha_alexa::ErrorType::Unauthorized,
                        "wrong PIN",
                    )
                    .unwrap());
                }
                state.panel = ArmState::Disarmed;
                Outcome::Done
            }
            DirectivePayload::CameraStreamController(_) => {
                Outcome::CameraStreams(CameraStreams::new(
                    vec![CameraStream::new(
                        "rtsp://hub.example.com:443/api/camera_proxy_stream/camera.driveway",
                        StreamProtocol::Rtsp,
                        Resolution::new(1280, 720),
                        StreamAuthorization::None,
                        VideoCodec::H264,
                        AudioCodec::Aac,
                    )],
                    "https://hub.example.com/api/camera_proxy/camera.driveway",
                ))
            }
            DirectivePayload::TimeHoldController(hold) => {
                let power = match hold {
                    TimeHoldControllerDirective::Hold(_) => PowerState::Off,
                    _ => PowerState::On,
                };
                state.power.insert(key, power);
                Outcome::Done
            }
            DirectivePayload::PercentageController(pct) => {
                state.percentage = match pct {
                    Pct::SetPercentage(set) => Percentage::clamped(set.percentage),
                    Pct::AdjustPercentage(adjust) => {
                        Percentage::clamped(i64::from(state.percentage) + adjust.percentage_delta)
                    }
                    _ => unreachable!(),
                }
                .get();
                Outcome::Done
            }
            DirectivePayload::PowerLevelController(pl) => {
                state.power_level = match pl {
                    Pl::SetPowerLevel(set) => Percentage::clamped(set.power_level),
                    Pl::AdjustPowerLevel(adjust) => {
                        Percentage::clamped(i64::from(state.power_level) + adjust.power_level_delta)
                    }
                    _ => unreachable!(),
                }
                .get();
                Outcome::Done
            }
            DirectivePayload::RtcSessionController(rtc) => {
                Outcome::Reply(InterfaceEvent::RtcSessionController(match rtc {
                    Rtc::InitiateSessionWithOffer(_) | Rtc::UpdateSessionWithOffer(_) => {
                        RtcSessionControllerEvent::AnswerGeneratedForSession(SessionAnswer::new(
                            Sdp::new(SDP_ANSWER),
                        ))
                    }
                    Rtc::SessionConnected(session) => {
                        RtcSessionControllerEvent::SessionConnected(session.clone())
                    }
                    Rtc::SessionDisconnected(session) => {
                        RtcSessionControllerEvent::SessionDisconnected(session.clone())
                    }
                    _ => unreachable!(),
                }))
            }
            DirectivePayload::ObjectDetectionSensor(
                ObjectDetectionSensorDirective::SetObjectDetectionClasses(set),
            ) => {
                state
                    .object_classes
                    .clone_from(&set.object_detection_classes);
                Outcome::Done
            }
            // Scenes, playback transport, mute and steps of the step speaker have no state here.
            _ => Outcome::Done,
        };
        Ok(outcome)
    }

    async fn accept_grant(&self, grant: &AcceptGrant) -> Result<(), AlexaError> {
        let code = grant.grant.code.expose_secret();
        if code == "expired-code" {
            return Err(AlexaError::internal_error(
                "Login with Amazon refused the code",
            ));
        }
        self.state.lock().unwrap().grants.push(code.to_owned());
        Ok(())
    }
}

fn band_level<'a>(state: &'a mut State, band: &EqualizerBand) -> &'a mut i64 {
    match band {
        EqualizerBand::Treble => &mut state.treble,
        _ => &mut state.bass,
    }
}

/// Messages whose fixture or namespace Amazon's published schema refuses although Alexa
/// accepts them, and why: a message whose name starts with one of these must be refused,
/// any other must be accepted.
pub(crate) const OUTSIDE_SCHEMA: &[(&str, &str)] = &[
    (
        "Alexa.HumiditySensor",
        "the schema does not list Alexa.HumiditySensor",
    ),
    (
        "Alexa.InventoryLevelSensor.percentage.capability",
        "the schema requires configuration.replenishment",
    ),
    (
        "Alexa.InventoryUsageSensor",
        "the schema does not list Alexa.InventoryUsageSensor",
    ),
    (
        "Alexa.SmartVision.ObjectDetectionSensor",
        "the schema does not list Alexa.SmartVision.ObjectDetectionSensor",
    ),
];

/// Checks the schema verdict on `message` for the fixture or message `name`: refused
/// when [`OUTSIDE_SCHEMA`] lists it, accepted otherwise.
pub(crate) fn check_schema(name: &str, message: &Value) {
    let errors = schema_errors(message);
    match OUTSIDE_SCHEMA
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
    {
        Some((_, why)) => assert!(!errors.is_empty(), "{name}: expected refusal ({why})"),
        None => assert!(errors.is_empty(), "{name}: {errors:#?}"),
    }
}

/// A dispatcher over a fresh test hub with a fixed clock and messageIds; every event it
/// answers goes through [`check_event`].
pub(crate) fn dispatcher() -> Checked<TestHub> {
    Checked(
        Dispatcher::new(TestHub::default())
            .with_clock(|| Timestamp::from_unix_millis(NOW).unwrap())
            .with_message_ids(|| MessageId::try_new(RESPONSE_ID).unwrap()),
    )
}

/// A dispatcher whose every answer is checked against the schemas and the crate's
/// Amazon-schema conformance level ([`check_event`]) before the test sees it.
pub(crate) struct Checked<H: Hub>(pub(crate) Dispatcher<H>);

impl<H: Hub> Checked<H> {
    /// As [`Dispatcher::with_conformance`].
    pub(crate) fn with_conformance(self, conformance: ha_alexa::Conformance) -> Self {
        Self(self.0.with_conformance(conformance))
    }

    /// As [`Dispatcher::with_config`].
    pub(crate) fn with_config(self, config: SmartHomeConfig) -> Self {
        Self(self.0.with_config(config))
    }

    /// As [`Dispatcher::handle_slice`], then [`check_event`].
    pub(crate) async fn handle_slice(&self, bytes: &[u8]) -> Result<Event, DecodeError> {
        let event = self.0.handle_slice(bytes).await?;
        check_event(&event);
        Ok(event)
    }
}

/// `value` with every number as f64, so that `1` and `1.0` compare equal.
pub(crate) fn normalize(value: &Value) -> Value {
    match value {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

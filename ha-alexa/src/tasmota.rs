//! Tasmota devices as Alexa endpoints, with no per-device code.
//!
//! [`tasmota_proto`] derives a device's entities from its discovery messages
//! ([`Device`]) and keeps their state ([`Tracker`]); this module maps them to Alexa:
//!
//! | call | what it does |
//! |---|---|
//! | [`endpoints`] | each entity Alexa can use as a [`DiscoveryEndpoint`], with its interfaces and display category |
//! | [`entity_of`] | the entity an endpointId names |
//! | [`command`] | the Tasmota command that carries out a directive on an entity |
//! | [`properties`] | the properties of an entity as the tracker holds them (StateReport, directive responses) |
//! | [`change_report`] | the endpoint and properties of a tracker [`Change`], for a ChangeReport |
//!
//! # Mapping
//!
//! | entity | interfaces | display category |
//! |---|---|---|
//! | relay (switch) | PowerController | SMARTPLUG when the device meters energy, else SWITCH |
//! | relay announced as a light (SetOption30, iFan light) | PowerController | LIGHT |
//! | light | PowerController, BrightnessController when it dims, ColorController with colour, ColorTemperatureController with CT | LIGHT |
//! | shutter | RangeController `Shutter.Position` 0 (closed) to 100 (open) with Open/Close/Raise/Lower semantics | INTERIOR_BLIND |
//! | iFan fan | PowerController, RangeController `Fan.Speed` 0 to 3 | FAN |
//! | binary sensor | MotionSensor for the PIR switch modes (15, 16), else ContactSensor | MOTION_SENSOR, CONTACT_SENSOR |
//! | sensor `Temperature` | TemperatureSensor | TEMPERATURE_SENSOR |
//! | sensor `Humidity` | HumiditySensor (outside Amazon's published schema) | OTHER |
//!
//! Every endpoint also lists `Alexa` and `Alexa.EndpointHealth` (the device's LWT). The
//! endpointId is the entity's unique id, which is stable across restarts and rediscovery.
//! Diagnostic sensors and the other sensor quantities have no Alexa interface and give no
//! endpoint.
//!
//! A binary sensor that is on (its switch closed, motion seen) reports `DETECTED`, as Home
//! Assistant's Alexa integration reports an `on` binary sensor. Fan TurnOn sets speed 2
//! (medium), as Home Assistant's `fan.turn_on` without a speed does on a Tasmota fan.
//!
//! # Examples
//!
//! ```
//! use ha_alexa::tasmota;
//! use tasmota_proto::{Decoder, Device, Message, Tracker};
//! let config = br#"{"mac":"00000049A3BC","t":"desk","ft":"%prefix%/%topic%/","dn":"Desk","fn":["Lamp",null],
//!   "rl":[2,0,0,0,0,0,0,0],"swc":[-1,-1,-1,-1,-1,-1,-1,-1],"btn":[0,0,0,0],"lt_st":2,"lk":1,
//!   "so":{"4":0,"11":0,"13":0,"17":0,"20":0,"30":0,"68":0,"73":0,"82":0,"114":0,"117":0}}"#;
//! let Message::DiscoveryConfig(c) = Decoder::new().decode("tasmota/discovery/00000049A3BC/config", config)?.message else { panic!() };
//! let tracker = Tracker::new(Device::from_config(&c));
//! let endpoints = tasmota::endpoints(tracker.device())?;
//! assert_eq!(endpoints.len(), 1);
//! assert_eq!(endpoints[0].endpoint_id().as_str(), "00000049A3BC_light_light_0");
//! // The device name, then the entity name, as Home Assistant names entities.
//! assert_eq!(endpoints[0].friendly_name(), "Desk Lamp");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use tasmota_proto::{
    Change, CommandMessage, Device, Entity, EntityKind, EntityState, LightConfig, Request,
    SensorValue, Tracker,
};

use crate::discovery::{
    ActionMapping, AssetId, Capability, DiscoveryEndpoint, DisplayCategory, FriendlyName,
    Resources, SemanticAction, SemanticState, Semantics, StateMapping,
};
use crate::error::ValidationError;
use crate::interface::brightness_controller::BrightnessControllerDirective;
use crate::interface::color_controller::{Color, ColorControllerDirective};
use crate::interface::color_temperature_controller::{ColorTemperatureControllerDirective, Kelvin};
use crate::interface::endpoint_health::{Connectivity, ConnectivityState};
use crate::interface::humidity_sensor::RelativeHumidity;
use crate::interface::power_controller::PowerControllerDirective;
use crate::interface::range_controller::{
    RangeConfiguration, RangeControllerDirective, UnitOfMeasure,
};
use crate::interface::{DetectionState, Percentage, PowerState, Temperature, TemperatureScale};
use crate::message::{AlexaError, DirectivePayload, EndpointId, PropertyValue};

/// The RangeController instance of a shutter's position.
pub const SHUTTER_POSITION: &str = "Shutter.Position";
/// The RangeController instance of a fan's speed.
pub const FAN_SPEED: &str = "Fan.Speed";
/// The fastest iFan speed.
const FAN_MAX: u8 = 3;
/// The speed a fan's TurnOn sets.
const FAN_ON_SPEED: u8 = 2;
/// The step of an AdjustRangeValue on a shutter when Alexa picks the delta, as Home
/// Assistant's.
const SHUTTER_DEFAULT_STEP: f64 = 20.0;
/// The step of Increase/DecreaseColorTemperature, in mireds.
const CT_STEP_MIREDS: i64 = 50;

/// What Alexa sees of an entity.
enum Shape {
    Relay { light: bool },
    Light,
    Shutter,
    Fan,
    Contact,
    Motion,
    Temperature,
    Humidity,
}

fn shape(entity: &Entity) -> Option<Shape> {
    Some(match &entity.kind {
        EntityKind::Relay { as_light, .. } => Shape::Relay { light: *as_light },
        EntityKind::Light(_) => Shape::Light,
        EntityKind::Shutter(_) => Shape::Shutter,
        EntityKind::Fan => Shape::Fan,
        EntityKind::BinarySensor(b) if b.mode.is_motion() => Shape::Motion,
        EntityKind::BinarySensor(_) => Shape::Contact,
        EntityKind::Sensor(s) if s.quantity == "Temperature" => Shape::Temperature,
        EntityKind::Sensor(s) if s.quantity == "Humidity" => Shape::Humidity,
        _ => return None,
    })
}

/// The endpointId of an entity: its unique id.
///
/// # Errors
///
/// [`ValidationError`] when the unique id makes no valid endpointId.
pub fn endpoint_id(entity: &Entity) -> Result<EndpointId, ValidationError> {
    EndpointId::for_entity(&entity.unique_id)
}

/// The index (for [`Tracker::state`] and [`Tracker::command`]) and entity an endpointId
/// names, or `None` when it names none of the device's entities with an endpoint.
pub fn entity_of<'d>(device: &'d Device, endpoint: &EndpointId) -> Option<(usize, &'d Entity)> {
    device
        .entities
        .iter()
        .enumerate()
        .find(|(_, e)| shape(e).is_some() && endpoint_id(e).is_ok_and(|id| &id == endpoint))
}

/// The device's entities Alexa can use, as discovery endpoints.
///
/// # Errors
///
/// [`ValidationError`] when an entity makes no valid endpoint (a name longer than Alexa
/// allows).
pub fn endpoints(device: &Device) -> Result<Vec<DiscoveryEndpoint>, ValidationError> {
    device
        .entities
        .iter()
        .filter_map(|entity| Some((entity, shape(entity)?)))
        .map(|(entity, shape)| endpoint(device, entity, &shape))
        .collect()
}

fn endpoint(
    device: &Device,
    entity: &Entity,
    shape: &Shape,
) -> Result<DiscoveryEndpoint, ValidationError> {
    let (category, capabilities) = match (shape, &entity.kind) {
        (Shape::Relay { light }, _) => (
            if *light {
                DisplayCategory::Light
            } else if device.meters_energy() {
                DisplayCategory::Smartplug
            } else {
                DisplayCategory::Switch
            },
            vec![Capability::power_controller()],
        ),
        (Shape::Light, EntityKind::Light(light)) => (DisplayCategory::Light, light_caps(light)),
        (Shape::Light, _) => (DisplayCategory::Light, vec![Capability::power_controller()]),
        (Shape::Shutter, _) => (DisplayCategory::InteriorBlind, vec![shutter_cap()]),
        (Shape::Fan, _) => (
            DisplayCategory::Fan,
            vec![Capability::power_controller(), fan_cap()],
        ),
        (Shape::Motion, _) => (
            DisplayCategory::MotionSensor,
            vec![Capability::motion_sensor()],
        ),
        (Shape::Contact, _) => (
            DisplayCategory::ContactSensor,
            vec![Capability::contact_sensor()],
        ),
        (Shape::Temperature, _) => (
            DisplayCategory::TemperatureSensor,
            vec![Capability::temperature_sensor()],
        ),
        (Shape::Humidity, _) => (DisplayCategory::Other, vec![Capability::humidity_sensor()]),
    };
    let device_name = device.name.clone().unwrap_or_else(|| device.topic.clone());
    let name = match &entity.name {
        Some(name) if name != &device_name => format!("{device_name} {name}"),
        Some(name) => name.clone(),
        None => device_name,
    };
    let model = device.model.as_deref().unwrap_or("Tasmota device");
    DiscoveryEndpoint::builder(endpoint_id(entity)?)
        .friendly_name(name)
        .description(format!("{model} ({}) via Tasmota", device.topic))
        .manufacturer_name("Tasmota")
        .display_category(category)
        .capabilities(capabilities)
        .capability(Capability::endpoint_health())
        .capability(Capability::alexa())
        .build()
}

fn light_caps(light: &LightConfig) -> Vec<Capability> {
    let mut caps = vec![Capability::power_controller()];
    if light.modes.brightness {
        caps.push(Capability::brightness_controller());
    }
    if light.modes.color {
        caps.push(Capability::color_controller());
    }
    if light.modes.color_temperature {
        caps.push(Capability::color_temperature_controller());
    }
    caps
}

fn percent_range(maximum: f64) -> RangeConfiguration {
    RangeConfiguration::new(0.0, maximum, 1.0)
}

fn shutter_cap() -> Capability {
    let set = |value: u8| serde_json::json!({ "rangeValue": value });
    let adjust = |delta: i8| serde_json::json!({ "rangeValueDelta": delta, "rangeValueDeltaDefault": false });
    Capability::range_controller(
        SHUTTER_POSITION,
        Resources::new(vec![FriendlyName::asset(AssetId::OPENING)]),
        percent_range(100.0)
            .with_unit(UnitOfMeasure::PERCENT)
            .with_preset(
                100.0,
                Resources::new(vec![FriendlyName::asset(AssetId::OPEN)]),
            )
            .with_preset(
                0.0,
                Resources::new(vec![FriendlyName::asset(AssetId::CLOSE)]),
            ),
    )
    .with_semantics(Semantics::new(
        vec![
            ActionMapping::new(vec![SemanticAction::Open], "SetRangeValue", set(100)),
            ActionMapping::new(vec![SemanticAction::Close], "SetRangeValue", set(0)),
            ActionMapping::new(vec![SemanticAction::Raise], "AdjustRangeValue", adjust(20)),
            ActionMapping::new(vec![SemanticAction::Lower], "AdjustRangeValue", adjust(-20)),
        ],
        vec![
            StateMapping::to_range(vec![SemanticState::Closed], 0.0, 0.0),
            StateMapping::to_range(vec![SemanticState::Open], 1.0, 100.0),
        ],
    ))
}

fn fan_cap() -> Capability {
    Capability::range_controller(
        FAN_SPEED,
        Resources::new(vec![FriendlyName::asset(AssetId::FAN_SPEED)]),
        percent_range(f64::from(FAN_MAX)),
    )
}

fn on_off(on: bool) -> PowerState {
    if on { PowerState::On } else { PowerState::Off }
}

fn detection(on: bool) -> DetectionState {
    if on {
        DetectionState::Detected
    } else {
        DetectionState::NotDetected
    }
}

/// The Alexa properties of entity `entity` in `state`, with the device's connectivity
/// (`available`, from its LWT; `None` while unknown). Values the tracker does not hold yet
/// are left out.
pub fn properties(
    entity: &Entity,
    state: &EntityState,
    available: Option<bool>,
) -> Vec<PropertyValue> {
    let mut values = Vec::new();
    match (state, &entity.kind) {
        (EntityState::Relay { on }, _) => values.push(PropertyValue::PowerState(on_off(*on))),
        (EntityState::Light(l), EntityKind::Light(config)) => {
            values.extend(l.on.map(|on| PropertyValue::PowerState(on_off(on))));
            let brightness = l.brightness.map(|b| Percentage::clamped(i64::from(b)));
            if config.modes.brightness {
                values.extend(brightness.map(PropertyValue::Brightness));
            }
            if config.modes.color {
                let color = l.hs.and_then(|(h, s)| {
                    let b = f64::from(brightness.map_or(100, Percentage::get)) / 100.0;
                    Color::try_new(f64::from(h % 360), f64::from(s.min(100)) / 100.0, b).ok()
                });
                values.extend(color.map(PropertyValue::Color));
            }
            if config.modes.color_temperature {
                let kelvin =
                    l.ct.filter(|&m| m > 0)
                        .map(|m| Kelvin::clamped(1_000_000 / i64::from(m)));
                values.extend(kelvin.map(PropertyValue::ColorTemperatureInKelvin));
            }
        }
        (EntityState::Light(l), EntityKind::Relay { .. }) => {
            values.extend(l.on.map(|on| PropertyValue::PowerState(on_off(on))));
        }
        (EntityState::Shutter(s), _) => {
            values.extend(s.position.map(|p| PropertyValue::RangeValue {
                instance: SHUTTER_POSITION.to_owned(),
                value: f64::from(p),
            }));
        }
        (EntityState::Fan { speed }, _) => {
            values.push(PropertyValue::PowerState(on_off(*speed > 0)));
            values.push(PropertyValue::RangeValue {
                instance: FAN_SPEED.to_owned(),
                value: f64::from(*speed),
            });
        }
        (EntityState::BinarySensor { on }, EntityKind::BinarySensor(b)) => {
            values.push(if b.mode.is_motion() {
                PropertyValue::MotionDetectionState(detection(*on))
            } else {
                PropertyValue::ContactDetectionState(detection(*on))
            });
        }
        (EntityState::Sensor(SensorValue::Number(n)), EntityKind::Sensor(s)) => {
            match s.quantity.as_str() {
                "Temperature" => {
                    let scale = match s.unit.as_deref() {
                        Some("°F" | "F") => TemperatureScale::Fahrenheit,
                        Some("K") => TemperatureScale::Kelvin,
                        _ => TemperatureScale::Celsius,
                    };
                    values.push(PropertyValue::Temperature(Temperature::new(*n, scale)));
                }
                "Humidity" => {
                    values.extend(
                        RelativeHumidity::try_new(*n)
                            .ok()
                            .map(PropertyValue::RelativeHumidity),
                    );
                }
                _ => {}
            }
        }
        _ => {}
    }
    if let Some(online) = available {
        values.push(PropertyValue::Connectivity(Connectivity::new(if online {
            ConnectivityState::Ok
        } else {
            ConnectivityState::Unreachable
        })));
    }
    values
}

/// The endpoints and properties a tracker [`Change`] makes a ChangeReport of: one endpoint
/// for an entity's new state, every endpoint of the device for a change of availability
/// (its EndpointHealth), none for a trigger.
///
/// # Errors
///
/// [`ValidationError`] when an entity's unique id makes no valid endpointId.
pub fn change_report(
    device: &Device,
    change: &Change<'_>,
) -> Result<Vec<(EndpointId, Vec<PropertyValue>)>, ValidationError> {
    match change {
        Change::State { entity, state } if shape(entity).is_some() => {
            let values = properties(entity, state, None);
            if values.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![(endpoint_id(entity)?, values)])
        }
        Change::Availability { online } => device
            .entities
            .iter()
            .filter(|e| shape(e).is_some())
            .map(|e| {
                let values = properties(e, &EntityState::Unknown, Some(*online));
                Ok((endpoint_id(e)?, values))
            })
            .collect(),
        _ => Ok(Vec::new()),
    }
}

/// The Tasmota command that carries out `directive` on entity `index` of `tracker`, whose
/// current state completes relative directives (AdjustBrightness, AdjustRangeValue,
/// Increase/DecreaseColorTemperature). `instance` is the directive's `header.instance`.
///
/// # Errors
///
/// [`AlexaError`] `ENDPOINT_UNREACHABLE` when the device's LWT says it is offline,
/// `VALUE_OUT_OF_RANGE` for a range value outside the instance's range,
/// `INVALID_DIRECTIVE` when the entity cannot do it, `INTERNAL_ERROR` when no command can be
/// built for it (the device's topics are unusable).
pub fn command(
    tracker: &Tracker,
    index: usize,
    directive: &DirectivePayload,
    instance: Option<&str>,
) -> Result<CommandMessage, AlexaError> {
    let entity = tracker
        .device()
        .entities
        .get(index)
        .ok_or_else(|| AlexaError::invalid_directive("no such entity"))?;
    if tracker.available() == Some(false) {
        return Err(AlexaError::endpoint_unreachable(format!(
            "{} is offline",
            tracker.device().topic
        )));
    }
    let state = tracker.state(index).unwrap_or(&EntityState::Unknown);
    let request = request(entity, state, directive, instance)?;
    tracker
        .command(index, request)
        .map_err(|error| AlexaError::internal_error(error.to_string()))
}

/// The [`Request`] a directive makes on an entity in `state`.
///
/// # Errors
///
/// As [`command`], without the device-level ones.
pub fn request(
    entity: &Entity,
    state: &EntityState,
    directive: &DirectivePayload,
    instance: Option<&str>,
) -> Result<Request, AlexaError> {
    let cannot = || AlexaError::invalid_directive(format!("{} cannot do that", entity.unique_id));
    let light = match state {
        EntityState::Light(l) => Some(*l),
        _ => None,
    };
    Ok(match (directive, &entity.kind) {
        (DirectivePayload::PowerController(p), EntityKind::Fan) => Request::FanSpeed(match p {
            PowerControllerDirective::TurnOn => FAN_ON_SPEED,
            _ => 0,
        }),
        (DirectivePayload::PowerController(p), EntityKind::Relay { .. } | EntityKind::Light(_)) => {
            Request::Power(matches!(p, PowerControllerDirective::TurnOn))
        }
        (DirectivePayload::BrightnessController(b), EntityKind::Light(c)) if c.modes.brightness => {
            let level = match b {
                BrightnessControllerDirective::SetBrightness(s) => s.brightness,
                BrightnessControllerDirective::AdjustBrightness(a) => {
                    i64::from(light.and_then(|l| l.brightness).unwrap_or(0)) + a.brightness_delta
                }
            };
            let level = Percentage::clamped(level).get();
            if level == 0 {
                Request::Power(false)
            } else {
                Request::light_on().with_brightness(level).into()
            }
        }
        (
            DirectivePayload::ColorController(ColorControllerDirective::SetColor(s)),
            EntityKind::Light(c),
        ) if c.modes.color => {
            let hue = rounded(s.color.hue.rem_euclid(360.0), 359);
            let saturation = percent(s.color.saturation * 100.0);
            Request::light_on().with_hs(hue, saturation).into()
        }
        (DirectivePayload::ColorTemperatureController(t), EntityKind::Light(c))
            if c.modes.color_temperature =>
        {
            let (min, max) = (i64::from(c.ct_range.0), i64::from(c.ct_range.1));
            let current = light
                .and_then(|l| l.ct)
                .map_or(i64::midpoint(min, max), i64::from);
            let mireds = match t {
                ColorTemperatureControllerDirective::SetColorTemperature(s) => {
                    1_000_000 / s.color_temperature_in_kelvin.max(1)
                }
                // Warmer is more mireds.
                ColorTemperatureControllerDirective::DecreaseColorTemperature => {
                    current + CT_STEP_MIREDS
                }
                ColorTemperatureControllerDirective::IncreaseColorTemperature => {
                    current - CT_STEP_MIREDS
                }
            };
            let mireds = u16::try_from(mireds.clamp(min, max)).unwrap_or(u16::MAX);
            Request::light_on().with_ct(mireds).into()
        }
        (DirectivePayload::RangeController(r), EntityKind::Shutter(_))
            if instance == Some(SHUTTER_POSITION) =>
        {
            let current = match state {
                EntityState::Shutter(s) => s.position.map(f64::from),
                _ => None,
            };
            let value = range_value(r, current, SHUTTER_DEFAULT_STEP, 100.0)?;
            match value {
                100 => Request::Open,
                0 => Request::Close,
                v => Request::Position(v),
            }
        }
        (DirectivePayload::RangeController(r), EntityKind::Fan) if instance == Some(FAN_SPEED) => {
            let current = match state {
                EntityState::Fan { speed } => Some(f64::from(*speed)),
                _ => None,
            };
            Request::FanSpeed(range_value(r, current, 1.0, f64::from(FAN_MAX))?)
        }
        _ => return Err(cannot()),
    })
}

/// The value a Set/AdjustRangeValue asks for on a 0..=`maximum` instance.
fn range_value(
    directive: &RangeControllerDirective,
    current: Option<f64>,
    default_step: f64,
    maximum: f64,
) -> Result<u8, AlexaError> {
    let value = match directive {
        RangeControllerDirective::SetRangeValue(s) => {
            if !(0.0..=maximum).contains(&s.range_value) {
                return Err(AlexaError::value_out_of_range(
                    format!("{} is outside 0 to {maximum}", s.range_value),
                    0.0,
                    maximum,
                ));
            }
            s.range_value
        }
        RangeControllerDirective::AdjustRangeValue(a) => {
            let delta = if a.range_value_delta_default {
                default_step.copysign(a.range_value_delta)
            } else {
                a.range_value_delta
            };
            (current.unwrap_or(0.0) + delta).clamp(0.0, maximum)
        }
    };
    Ok(percent(value))
}

/// `value` rounded into 0..=`max`.
#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "the value is clamped into 0..=max first, which u16 holds"
)]
fn rounded(value: f64, max: u16) -> u16 {
    value.round().clamp(0.0, f64::from(max)) as u16
}

/// `value` rounded into 0..=100.
fn percent(value: f64) -> u8 {
    u8::try_from(rounded(value, 100)).unwrap_or(100)
}

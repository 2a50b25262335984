//! Reportable properties and the context that carries them.

use std::borrow::Cow;

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Namespace, RawPayload, Timestamp, WholeSeconds};
use crate::interface::channel_controller::Channel;
use crate::interface::color_controller::Color;
use crate::interface::color_temperature_controller::Kelvin;
use crate::interface::endpoint_health::Connectivity;
use crate::interface::equalizer_controller::{BandLevel, EqualizerMode};
use crate::interface::event_detection_sensor::{EventDetection, EventDetectionKind};
use crate::interface::humidity_sensor::RelativeHumidity;
use crate::interface::inventory_level_sensor::InventoryLevel;
use crate::interface::lock_controller::LockState;
use crate::interface::playback_state_reporter::PlaybackState;
use crate::interface::security_panel_controller::{Alarm, AlarmKind, ArmState};
use crate::interface::thermostat_controller::ThermostatMode;
use crate::interface::{DetectionState, Percentage, PowerState, Temperature};

/// The value of a reportable property; the variant fixes its namespace and name.
///
/// Values are typed so that every property this crate writes is one Alexa accepts:
/// percentages are 0 to 100, colour temperatures 1000 to 10000 K, colours in range.
/// ModeController, RangeController, ToggleController and InventoryLevelSensor values carry
/// the instance they belong to, which Alexa requires. Properties this crate does not model decode to
/// [`PropertyValue::Unknown`] and re-encode unchanged.
///
/// # Examples
///
/// ```
/// use ha_alexa::interface::PowerState;
/// use ha_alexa::{Namespace, PropertyValue};
///
/// let value = PropertyValue::ToggleState { instance: "fan.oscillating".into(), state: PowerState::On };
/// assert_eq!(value.namespace(), Namespace::ToggleController);
/// assert_eq!(value.name(), "toggleState");
/// assert_eq!(value.instance(), Some("fan.oscillating"));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PropertyValue {
    /// PowerController `powerState`.
    PowerState(PowerState),
    /// BrightnessController `brightness`.
    Brightness(Percentage),
    /// ColorController `color`.
    Color(Color),
    /// ColorTemperatureController `colorTemperatureInKelvin`.
    ColorTemperatureInKelvin(Kelvin),
    /// ThermostatController `targetSetpoint`.
    TargetSetpoint(Temperature),
    /// ThermostatController `lowerSetpoint`.
    LowerSetpoint(Temperature),
    /// ThermostatController `upperSetpoint`.
    UpperSetpoint(Temperature),
    /// ThermostatController `thermostatMode`.
    ThermostatMode(ThermostatMode),
    /// TemperatureSensor `temperature`.
    Temperature(Temperature),
    /// HumiditySensor `relativeHumidity`.
    RelativeHumidity(RelativeHumidity),
    /// InventoryLevelSensor `level` of an instance.
    InventoryLevel {
        /// The instance (one per consumable).
        instance: String,
        /// The remaining amount.
        level: InventoryLevel,
    },
    /// LockController `lockState`.
    LockState(LockState),
    /// Speaker `volume`.
    Volume(Percentage),
    /// Speaker `muted`.
    Muted(bool),
    /// PlaybackStateReporter `playbackState` (outside Amazon's schema).
    PlaybackState(PlaybackState),
    /// InputController `input`.
    Input(String),
    /// ChannelController `channel`.
    Channel(Channel),
    /// EqualizerController `bands`.
    EqualizerBands(Vec<BandLevel>),
    /// EqualizerController `mode`.
    EqualizerMode(EqualizerMode),
    /// ModeController `mode` of an instance.
    Mode {
        /// The instance.
        instance: String,
        /// The mode value.
        mode: String,
    },
    /// RangeController `rangeValue` of an instance.
    RangeValue {
        /// The instance.
        instance: String,
        /// The value.
        value: f64,
    },
    /// ToggleController `toggleState` of an instance.
    ToggleState {
        /// The instance.
        instance: String,
        /// On or off.
        state: PowerState,
    },
    /// ContactSensor `detectionState`.
    ContactDetectionState(DetectionState),
    /// MotionSensor `detectionState`.
    MotionDetectionState(DetectionState),
    /// EventDetectionSensor `*DetectionState`.
    EventDetection {
        /// Which detection.
        kind: EventDetectionKind,
        /// Its value.
        detection: EventDetection,
    },
    /// SecurityPanelController `armState`.
    ArmState(ArmState),
    /// SecurityPanelController `*Alarm`.
    Alarm {
        /// Which alarm.
        kind: AlarmKind,
        /// Its value.
        alarm: Alarm,
    },
    /// TimeHoldController `holdStartTime`, whole seconds.
    HoldStartTime(WholeSeconds),
    /// TimeHoldController `holdEndTime`, whole seconds.
    HoldEndTime(WholeSeconds),
    /// EndpointHealth `connectivity`.
    Connectivity(Connectivity),
    /// PercentageController `percentage`.
    Percentage(Percentage),
    /// PowerLevelController `powerLevel`.
    PowerLevel(Percentage),
    /// A property declared by an interface of the registry (ObjectDetectionSensor's
    /// `objectDetectionClasses`, ...).
    Interface(InterfaceProperty),
    /// A property this crate does not model, kept as received.
    Unknown {
        /// Its namespace.
        namespace: Namespace,
        /// Its name.
        name: String,
        /// Its instance, if any.
        instance: Option<String>,
        /// Its value.
        value: RawPayload,
    },
}

impl PropertyValue {
    /// The interface of the property.
    pub fn namespace(&self) -> Namespace {
        match self {
            Self::PowerState(_) => Namespace::PowerController,
            Self::Brightness(_) => Namespace::BrightnessController,
            Self::Color(_) => Namespace::ColorController,
            Self::ColorTemperatureInKelvin(_) => Namespace::ColorTemperatureController,
            Self::TargetSetpoint(_)
            | Self::LowerSetpoint(_)
            | Self::UpperSetpoint(_)
            | Self::ThermostatMode(_) => Namespace::ThermostatController,
            Self::Temperature(_) => Namespace::TemperatureSensor,
            Self::RelativeHumidity(_) => Namespace::HumiditySensor,
            Self::InventoryLevel { .. } => Namespace::InventoryLevelSensor,
            Self::LockState(_) => Namespace::LockController,
            Self::Volume(_) | Self::Muted(_) => Namespace::Speaker,
            Self::PlaybackState(_) => Namespace::PlaybackStateReporter,
            Self::Input(_) => Namespace::InputController,
            Self::Channel(_) => Namespace::ChannelController,
            Self::EqualizerBands(_) | Self::EqualizerMode(_) => Namespace::EqualizerController,
            Self::Mode { .. } => Namespace::ModeController,
            Self::RangeValue { .. } => Namespace::RangeController,
            Self::ToggleState { .. } => Namespace::ToggleController,
            Self::ContactDetectionState(_) => Namespace::ContactSensor,
            Self::MotionDetectionState(_) => Namespace::MotionSensor,
            Self::EventDetection { .. } => Namespace::EventDetectionSensor,
            Self::ArmState(_) | Self::Alarm { .. } => Namespace::SecurityPanelController,
            Self::HoldStartTime(_) | Self::HoldEndTime(_) => Namespace::TimeHoldController,
            Self::Connectivity(_) => Namespace::EndpointHealth,
            Self::Percentage(_) => Namespace::PercentageController,
            Self::PowerLevel(_) => Namespace::PowerLevelController,
            Self::Interface(property) => property.namespace(),
            Self::Unknown { namespace, .. } => namespace.clone(),
        }
    }

    /// The property name.
    pub fn name(&self) -> &str {
        match self {
            Self::PowerState(_) => "powerState",
            Self::Brightness(_) => "brightness",
            Self::Color(_) => "color",
            Self::ColorTemperatureInKelvin(_) => "colorTemperatureInKelvin",
            Self::TargetSetpoint(_) => "targetSetpoint",
            Self::LowerSetpoint(_) => "lowerSetpoint",
            Self::UpperSetpoint(_) => "upperSetpoint",
            Self::ThermostatMode(_) => "thermostatMode",
            Self::Temperature(_) => "temperature",
            Self::RelativeHumidity(_) => "relativeHumidity",
            Self::InventoryLevel { .. } => "level",
            Self::LockState(_) => "lockState",
            Self::Volume(_) => "volume",
            Self::Muted(_) => "muted",
            Self::PlaybackState(_) => "playbackState",
            Self::Input(_) => "input",
            Self::Channel(_) => "channel",
            Self::EqualizerBands(_) => "bands",
            Self::EqualizerMode(_) | Self::Mode { .. } => "mode",
            Self::RangeValue { .. } => "rangeValue",
            Self::ToggleState { .. } => "toggleState",
            Self::ContactDetectionState(_) | Self::MotionDetectionState(_) => "detectionState",
            Self::EventDetection { kind, .. } => kind.property_name(),
            Self::ArmState(_) => "armState",
            Self::Alarm { kind, .. } => kind.property_name(),
            Self::HoldStartTime(_) => "holdStartTime",
            Self::HoldEndTime(_) => "holdEndTime",
            Self::Connectivity(_) => "connectivity",
            Self::Percentage(_) => "percentage",
            Self::PowerLevel(_) => "powerLevel",
            Self::Interface(property) => property.name(),
            Self::Unknown { name, .. } => name,
        }
    }

    /// The instance, for ModeController, RangeController, ToggleController and
    /// InventoryLevelSensor values.
    pub fn instance(&self) -> Option<&str> {
        match self {
            Self::Mode { instance, .. }
            | Self::RangeValue { instance, .. }
            | Self::ToggleState { instance, .. }
            | Self::InventoryLevel { instance, .. } => Some(instance),
            Self::Unknown { instance, .. } => instance.as_deref(),
            _ => None,
        }
    }

    /// Whether `self` and `other` are the same property (namespace, name and instance),
    /// whatever their values.
    pub fn same_property(&self, other: &Self) -> bool {
        self.name() == other.name()
            && self.instance() == other.instance()
            && self.namespace() == other.namespace()
    }

    fn serialize_value<S: SerializeStruct>(&self, state: &mut S) -> Result<(), S::Error> {
        match self {
            Self::PowerState(v) | Self::ToggleState { state: v, .. } => {
                state.serialize_field("value", v)
            }
            Self::Brightness(v) | Self::Volume(v) | Self::Percentage(v) | Self::PowerLevel(v) => {
                state.serialize_field("value", v)
            }
            Self::Color(v) => state.serialize_field("value", v),
            Self::ColorTemperatureInKelvin(v) => state.serialize_field("value", v),
            Self::TargetSetpoint(v)
            | Self::LowerSetpoint(v)
            | Self::UpperSetpoint(v)
            | Self::Temperature(v) => state.serialize_field("value", v),
            Self::ThermostatMode(v) => state.serialize_field("value", v),
            Self::RelativeHumidity(v) => state.serialize_field("value", v),
            Self::InventoryLevel { level, .. } => state.serialize_field("value", level),
            Self::LockState(v) => state.serialize_field("value", v),
            Self::Muted(v) => state.serialize_field("value", v),
            Self::PlaybackState(v) => state.serialize_field("value", v),
            Self::Input(v) | Self::Mode { mode: v, .. } => state.serialize_field("value", v),
            Self::Channel(v) => state.serialize_field("value", v),
            Self::EqualizerBands(v) => state.serialize_field("value", v),
            Self::EqualizerMode(v) => state.serialize_field("value", v),
            Self::RangeValue { value, .. } => state.serialize_field("value", value),
            Self::ContactDetectionState(v) | Self::MotionDetectionState(v) => {
                state.serialize_field("value", v)
            }
            Self::EventDetection { detection, .. } => state.serialize_field("value", detection),
            Self::ArmState(v) => state.serialize_field("value", v),
            Self::Alarm { alarm, .. } => state.serialize_field("value", alarm),
            Self::HoldStartTime(v) | Self::HoldEndTime(v) => state.serialize_field("value", v),
            Self::Connectivity(v) => state.serialize_field("value", v),
            Self::Interface(property) => state.serialize_field("value", property),
            Self::Unknown { value, .. } => state.serialize_field("value", value),
        }
    }

    /// Phase two of property decoding: the typed value for `namespace` and `name`.
    fn decode(
        namespace: Namespace,
        name: &str,
        instance: Option<String>,
        raw: &RawValue,
    ) -> Result<Self, serde_json::Error> {
        use serde_json::from_str as parse;
        let text = raw.get();
        let with_instance = |instance: Option<String>| {
            instance.ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "property {namespace} {name} requires an instance"
                ))
            })
        };
        Ok(match (&namespace, name) {
            (Namespace::PowerController, "powerState") => Self::PowerState(parse(text)?),
            (Namespace::BrightnessController, "brightness") => Self::Brightness(parse(text)?),
            (Namespace::ColorController, "color") => Self::Color(parse(text)?),
            (Namespace::ColorTemperatureController, "colorTemperatureInKelvin") => {
                Self::ColorTemperatureInKelvin(parse(text)?)
            }
            (Namespace::ThermostatController, "targetSetpoint") => {
                Self::TargetSetpoint(parse(text)?)
            }
            (Namespace::ThermostatController, "lowerSetpoint") => Self::LowerSetpoint(parse(text)?),
            (Namespace::ThermostatController, "upperSetpoint") => Self::UpperSetpoint(parse(text)?),
            (Namespace::ThermostatController, "thermostatMode") => {
                Self::ThermostatMode(parse(text)?)
            }
            (Namespace::TemperatureSensor, "temperature") => Self::Temperature(parse(text)?),
            (Namespace::HumiditySensor, "relativeHumidity") => Self::RelativeHumidity(parse(text)?),
            (Namespace::InventoryLevelSensor, "level") => Self::InventoryLevel {
                level: parse(text)?,
                instance: with_instance(instance)?,
            },
            (Namespace::LockController, "lockState") => Self::LockState(parse(text)?),
            (Namespace::Speaker, "volume") => Self::Volume(parse(text)?),
            (Namespace::Speaker, "muted") => Self::Muted(parse(text)?),
            (Namespace::PlaybackStateReporter, "playbackState") => {
                Self::PlaybackState(parse(text)?)
            }
            (Namespace::InputController, "input") => Self::Input(parse(text)?),
            (Namespace::ChannelController, "channel") => Self::Channel(parse(text)?),
            (Namespace::EqualizerController, "bands") => Self::EqualizerBands(parse(text)?),
            (Namespace::EqualizerController, "mode") => Self::EqualizerMode(parse(text)?),
            (Namespace::ModeController, "mode") => Self::Mode {
                mode: parse(text)?,
                instance: with_instance(instance)?,
            },
            (Namespace::RangeController, "rangeValue") => Self::RangeValue {
                value: parse(text)?,
                instance: with_instance(instance)?,
            },
            (Namespace::ToggleController, "toggleState") => Self::ToggleState {
                state: parse(text)?,
                instance: with_instance(instance)?,
            },
            (Namespace::ContactSensor, "detectionState") => {
                Self::ContactDetectionState(parse(text)?)
            }
            (Namespace::MotionSensor, "detectionState") => Self::MotionDetectionState(parse(text)?),
            (Namespace::SecurityPanelController, "armState") => Self::ArmState(parse(text)?),
            (Namespace::TimeHoldController, "holdStartTime") => Self::HoldStartTime(parse(text)?),
            (Namespace::TimeHoldController, "holdEndTime") => Self::HoldEndTime(parse(text)?),
            (Namespace::EndpointHealth, "connectivity") => Self::Connectivity(parse(text)?),
            (Namespace::PercentageController, "percentage") => Self::Percentage(parse(text)?),
            (Namespace::PowerLevelController, "powerLevel") => Self::PowerLevel(parse(text)?),
            (Namespace::EventDetectionSensor, _)
                if EventDetectionKind::from_property_name(name).is_some() =>
            {
                Self::decode_event_detection(name, text)?
            }
            (Namespace::SecurityPanelController, _) if alarm_kind(name).is_some() => {
                Self::decode_alarm(name, text)?
            }
            _ => match InterfaceProperty::decode(&namespace, name, text) {
                Some(property) => Self::Interface(property?),
                None => Self::Unknown {
                    namespace,
                    name: name.to_owned(),
                    instance,
                    value: RawPayload::from(raw),
                },
            },
        })
    }
}

impl PropertyValue {
    fn decode_event_detection(name: &str, text: &str) -> Result<Self, serde_json::Error> {
        let kind = EventDetectionKind::from_property_name(name).ok_or_else(|| {
            serde::de::Error::custom(format!("{name} is not an event detection property"))
        })?;
        Ok(Self::EventDetection {
            kind,
            detection: serde_json::from_str(text)?,
        })
    }

    fn decode_alarm(name: &str, text: &str) -> Result<Self, serde_json::Error> {
        let kind = alarm_kind(name)
            .ok_or_else(|| serde::de::Error::custom(format!("{name} is not an alarm property")))?;
        Ok(Self::Alarm {
            kind,
            alarm: serde_json::from_str(text)?,
        })
    }
}

fn alarm_kind(name: &str) -> Option<AlarmKind> {
    AlarmKind::ALL
        .into_iter()
        .find(|kind| kind.property_name() == name)
}

/// Declares [`InterfaceProperty`] from the interface registry: one variant per interface
/// that declares `properties`.
macro_rules! interface_property {
    ($( { [$(#[$meta:meta])*] $variant:ident $wire:literal [$($module:ident)?] [$($version:literal)?]
        [$($directives:tt)?] [$($cvariant:ident($configuration:tt))?] [$($events:tt)?]
        [$($properties:tt)?] [$($check:tt)?] [$($instance:ident)?] } )+) => {
        $crate::wire::interface_family! {
            /// A reportable property declared by an interface, one variant per interface
            /// that declares its properties with the registry.
            pub enum InterfaceProperty {
                $( $( $variant($properties) = $wire, )? )+
            }
        }
    };
}

crate::interface::interfaces!(interface_property);

/// A property value with the time it was sampled.
///
/// # Examples
///
/// ```
/// use ha_alexa::interface::Percentage;
/// use ha_alexa::{Property, PropertyValue, Timestamp};
///
/// let brightness = Property::new(PropertyValue::Brightness(Percentage::try_new(75)?), Timestamp::from_unix_seconds(1_714_564_800)?);
/// assert_eq!(
///     serde_json::to_string(&brightness).unwrap(),
///     r#"{"namespace":"Alexa.BrightnessController","name":"brightness","value":75,"timeOfSample":"2024-05-01T12:00:00Z","uncertaintyInMilliseconds":0}"#
/// );
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Property {
    /// The value, which also fixes the namespace, name and instance.
    pub value: PropertyValue,
    /// When the value was read.
    pub time_of_sample: Timestamp,
    /// How stale the value may be, in milliseconds.
    pub uncertainty_in_milliseconds: u32,
}

impl Property {
    /// A property sampled at `time_of_sample` with no uncertainty.
    pub fn new(value: PropertyValue, time_of_sample: Timestamp) -> Self {
        Self {
            value,
            time_of_sample,
            uncertainty_in_milliseconds: 0,
        }
    }

    /// Sets the uncertainty (for values polled from a device, the polling interval).
    #[must_use]
    pub fn with_uncertainty(mut self, milliseconds: u32) -> Self {
        self.uncertainty_in_milliseconds = milliseconds;
        self
    }
}

impl Serialize for Property {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let instance = self.value.instance();
        let mut state =
            serializer.serialize_struct("Property", 5 + usize::from(instance.is_some()))?;
        state.serialize_field("namespace", &self.value.namespace())?;
        state.serialize_field("name", self.value.name())?;
        if let Some(instance) = instance {
            state.serialize_field("instance", instance)?;
        }
        self.value.serialize_value(&mut state)?;
        state.serialize_field("timeOfSample", &self.time_of_sample)?;
        state.serialize_field(
            "uncertaintyInMilliseconds",
            &self.uncertainty_in_milliseconds,
        )?;
        state.end()
    }
}

/// The property as written on the wire, value unparsed.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireProperty<'a> {
    namespace: Namespace,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(default)]
    instance: Option<String>,
    value: Box<RawValue>,
    time_of_sample: Timestamp,
    #[serde(default)]
    uncertainty_in_milliseconds: u32,
}

impl<'de> Deserialize<'de> for Property {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = WireProperty::deserialize(deserializer)?;
        let value = PropertyValue::decode(wire.namespace, &wire.name, wire.instance, &wire.value)
            .map_err(serde::de::Error::custom)?;
        Ok(Self {
            value,
            time_of_sample: wire.time_of_sample,
            uncertainty_in_milliseconds: wire.uncertainty_in_milliseconds,
        })
    }
}

/// The `context` of an event: the endpoint's properties.
///
/// # Examples
///
/// ```
/// use ha_alexa::Context;
///
/// assert_eq!(serde_json::to_string(&Context::default())?, r#"{"properties":[]}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Context {
    /// The properties, each at most once.
    #[serde(default)]
    pub properties: Vec<Property>,
}

impl Context {
    /// A context holding `properties`.
    pub fn new(properties: Vec<Property>) -> Self {
        Self { properties }
    }

    /// Adds every property of `more` that this context does not have yet (same
    /// namespace, name and instance), as Home Assistant merges current state into responses.
    pub fn merge(&mut self, more: impl IntoIterator<Item = Property>) {
        for property in more {
            if !self
                .properties
                .iter()
                .any(|p| p.value.same_property(&property.value))
            {
                self.properties.push(property);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_second_properties_hold_what_they_encode() {
        let at = Timestamp::from_unix_millis(1_700_000_000_123).unwrap();
        let property = Property::new(PropertyValue::HoldStartTime(at.into()), at);
        let json = serde_json::to_string(&property).unwrap();
        assert!(json.contains(r#""value":"2023-11-14T22:13:20Z""#), "{json}");
        assert!(
            json.contains(r#""timeOfSample":"2023-11-14T22:13:20.123Z""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Property>(&json).unwrap(), property);
    }

    #[test]
    fn instances_are_required_where_alexa_requires_them() {
        let json = r#"{"namespace":"Alexa.RangeController","name":"rangeValue","value":3,"timeOfSample":"2024-05-01T12:00:00Z","uncertaintyInMilliseconds":0}"#;
        let error = serde_json::from_str::<Property>(json).unwrap_err();
        assert!(
            error.to_string().contains("requires an instance"),
            "{error}"
        );
    }

    #[test]
    fn unknown_properties_are_kept() {
        let json = r#"{"namespace":"Alexa.InventoryLevelUsageSensor","name":"level","instance":"ink","value":{"value":1.50},"timeOfSample":"2024-05-01T12:00:00Z","uncertaintyInMilliseconds":60000}"#;
        let property: Property = serde_json::from_str(json).unwrap();
        assert_eq!(property.value.instance(), Some("ink"));
        assert_eq!(serde_json::to_string(&property).unwrap(), json);
    }
}

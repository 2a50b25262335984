//! The Alexa interfaces: one module per interface with its directives, the values of its
//! reportable properties and its discovery capability.
//!
//! Values shared by several interfaces ([`Percentage`], [`Temperature`],
//! [`DetectionState`], [`PowerState`]) live here.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::message::AlexaError;
use crate::wire::wire_enum;

/// The registry: every interface this crate models, one line each.
///
/// A line names the `Namespace` variant, the namespace on the wire, the module that
/// declares the interface (its file under `interface/`) and what the interface brings:
/// `directives` (its `directives!` enum), `configuration` (the variant of
/// [`Configuration`](crate::discovery::Configuration) and its type), `events` (a
/// `directives!` enum of its replies and proactive events), `properties` (its
/// `properties!` enum of reportable values), `check` (the validation the dispatcher runs
/// against the endpoint's capability before calling the hub) and `instance: required`
/// when each capability names an instance, plus `version` when the interface is not
/// version `"3"`. [`Namespace`](crate::Namespace),
/// [`DirectivePayload`](crate::DirectivePayload), [`Configuration`](crate::discovery::Configuration),
/// [`InterfaceEvent`](crate::InterfaceEvent), [`InterfaceProperty`](crate::InterfaceProperty)
/// and the dispatcher's validation expand this list: adding an interface is its file
/// plus one line here.
///
/// Interfaces whose properties predate the registry report them through the variants of
/// [`PropertyValue`](crate::PropertyValue) and their replies through those of
/// [`EventPayload`](crate::EventPayload); new interfaces use `properties` and `events`.
macro_rules! interfaces {
    ($callback:path) => {
        $crate::interface::normalize! { $callback;
            /// Core messages: ReportState, Response, StateReport, ChangeReport, ErrorResponse.
            Alexa = "Alexa" in alexa { directives: crate::interface::alexa::AlexaDirective; }
            /// AcceptGrant and its response.
            Authorization = "Alexa.Authorization" in authorization { directives: crate::interface::authorization::AuthorizationDirective; }
            /// Discover, Discover.Response, AddOrUpdateReport, DeleteReport.
            Discovery = "Alexa.Discovery" { directives: crate::discovery::DiscoveryDirective; }
            /// Brightness in percent.
            BrightnessController = "Alexa.BrightnessController" in brightness_controller { directives: crate::interface::brightness_controller::BrightnessControllerDirective; check: crate::interface::brightness_controller::check; }
            /// Camera streams.
            CameraStreamController = "Alexa.CameraStreamController" in camera_stream_controller { directives: crate::interface::camera_stream_controller::CameraStreamControllerDirective; }
            /// TV channels.
            ChannelController = "Alexa.ChannelController" in channel_controller { directives: crate::interface::channel_controller::ChannelControllerDirective; check: crate::interface::channel_controller::check; }
            /// Colour as hue, saturation and brightness.
            ColorController = "Alexa.ColorController" in color_controller { directives: crate::interface::color_controller::ColorControllerDirective; check: crate::interface::color_controller::check; }
            /// White colour temperature in kelvin.
            ColorTemperatureController = "Alexa.ColorTemperatureController" in color_temperature_controller { directives: crate::interface::color_temperature_controller::ColorTemperatureControllerDirective; check: crate::interface::color_temperature_controller::check; }
            /// Open/closed sensors.
            ContactSensor = "Alexa.ContactSensor" in contact_sensor {}
            /// Doorbell presses.
            DoorbellEventSource = "Alexa.DoorbellEventSource" in doorbell_event_source {}
            /// Reachability.
            EndpointHealth = "Alexa.EndpointHealth" in endpoint_health {}
            /// Equalizer bands and sound modes.
            EqualizerController = "Alexa.EqualizerController" in equalizer_controller { directives: crate::interface::equalizer_controller::EqualizerControllerDirective; check: crate::interface::equalizer_controller::check; }
            /// Person detection and similar events (deprecated by Amazon).
            EventDetectionSensor = "Alexa.EventDetectionSensor" in event_detection_sensor { configuration: EventDetection(crate::interface::event_detection_sensor::EventDetectionConfiguration); }
            /// Relative humidity readings.
            HumiditySensor = "Alexa.HumiditySensor" in humidity_sensor {}
            /// Input selection.
            InputController = "Alexa.InputController" in input_controller { directives: crate::interface::input_controller::InputControllerDirective; check: crate::interface::input_controller::check; }
            /// Remaining consumables (ink, filters, batteries).
            InventoryLevelSensor = "Alexa.InventoryLevelSensor" in inventory_level_sensor { configuration: InventoryLevel(crate::interface::inventory_level_sensor::InventoryLevelConfiguration); instance: required; }
            /// Consumables used (coffee pods, detergent).
            InventoryUsageSensor = "Alexa.InventoryUsageSensor" in inventory_usage_sensor { configuration: InventoryUsage(crate::interface::inventory_usage_sensor::InventoryUsageConfiguration); instance: required; }
            /// Locks.
            LockController = "Alexa.LockController" in lock_controller { directives: crate::interface::lock_controller::LockControllerDirective; }
            /// Named modes of an instance.
            ModeController = "Alexa.ModeController" in mode_controller { directives: crate::interface::mode_controller::ModeControllerDirective; configuration: Mode(crate::interface::mode_controller::ModeConfiguration); check: crate::interface::mode_controller::check; instance: required; }
            /// Motion sensors.
            MotionSensor = "Alexa.MotionSensor" in motion_sensor {}
            /// Generic percentage.
            PercentageController = "Alexa.PercentageController" in percentage_controller { directives: crate::interface::percentage_controller::PercentageControllerDirective; check: crate::interface::percentage_controller::check; }
            /// Media transport.
            PlaybackController = "Alexa.PlaybackController" in playback_controller { directives: crate::interface::playback_controller::PlaybackControllerDirective; check: crate::interface::playback_controller::check; }
            /// Media playback state.
            PlaybackStateReporter = "Alexa.PlaybackStateReporter" in playback_state_reporter {}
            /// On and off.
            PowerController = "Alexa.PowerController" in power_controller { directives: crate::interface::power_controller::PowerControllerDirective; }
            /// Power level in percent.
            PowerLevelController = "Alexa.PowerLevelController" in power_level_controller { directives: crate::interface::power_level_controller::PowerLevelControllerDirective; check: crate::interface::power_level_controller::check; }
            /// Numeric settings of an instance.
            RangeController = "Alexa.RangeController" in range_controller { directives: crate::interface::range_controller::RangeControllerDirective; configuration: Range(crate::interface::range_controller::RangeConfiguration); check: crate::interface::range_controller::check; instance: required; }
            /// WebRTC sessions with cameras and doorbells.
            RtcSessionController = "Alexa.RTCSessionController" in rtc_session_controller { directives: crate::interface::rtc_session_controller::RtcSessionControllerDirective; configuration: RtcSession(crate::interface::rtc_session_controller::RtcSessionConfiguration); events: crate::interface::rtc_session_controller::RtcSessionControllerEvent; check: crate::interface::rtc_session_controller::check; }
            /// Scenes and activities.
            SceneController = "Alexa.SceneController" in scene_controller { directives: crate::interface::scene_controller::SceneControllerDirective; check: crate::interface::scene_controller::check; }
            /// Alarm panels.
            SecurityPanelController = "Alexa.SecurityPanelController" in security_panel_controller { directives: crate::interface::security_panel_controller::SecurityPanelControllerDirective; configuration: SecurityPanel(crate::interface::security_panel_controller::SecurityPanelConfiguration); check: crate::interface::security_panel_controller::check; }
            /// Seeking in media.
            SeekController = "Alexa.SeekController" in seek_controller { directives: crate::interface::seek_controller::SeekControllerDirective; }
            /// Objects (people, packages) a camera detects.
            ObjectDetectionSensor = "Alexa.SmartVision.ObjectDetectionSensor" in object_detection_sensor version "1.0" { directives: crate::interface::object_detection_sensor::ObjectDetectionSensorDirective; configuration: ObjectDetection(crate::interface::object_detection_sensor::ObjectDetectionConfiguration); events: crate::interface::object_detection_sensor::ObjectDetectionSensorEvent; properties: crate::interface::object_detection_sensor::ObjectDetectionSensorProperty; check: crate::interface::object_detection_sensor::check; }
            /// Volume in percent and mute.
            Speaker = "Alexa.Speaker" in speaker { directives: crate::interface::speaker::SpeakerDirective; check: crate::interface::speaker::check; }
            /// Volume in steps and mute.
            StepSpeaker = "Alexa.StepSpeaker" in step_speaker { directives: crate::interface::step_speaker::StepSpeakerDirective; check: crate::interface::step_speaker::check; }
            /// Temperature readings.
            TemperatureSensor = "Alexa.TemperatureSensor" in temperature_sensor {}
            /// Thermostats.
            ThermostatController = "Alexa.ThermostatController" in thermostat_controller { directives: crate::interface::thermostat_controller::ThermostatControllerDirective; configuration: Thermostat(crate::interface::thermostat_controller::ThermostatConfiguration); check: crate::interface::thermostat_controller::check; }
            /// Pausing timers and appliances.
            TimeHoldController = "Alexa.TimeHoldController" in time_hold_controller { directives: crate::interface::time_hold_controller::TimeHoldControllerDirective; configuration: TimeHold(crate::interface::time_hold_controller::TimeHoldConfiguration); check: crate::interface::time_hold_controller::check; }
            /// On and off of an instance.
            ToggleController = "Alexa.ToggleController" in toggle_controller { directives: crate::interface::toggle_controller::ToggleControllerDirective; instance: required; }
        }
    };
}

pub(crate) use interfaces;

/// Reads the registry once and hands `$callback` each line in one fixed shape, every
/// optional part in brackets (empty when the line does not have it):
/// `{ [docs] Variant "namespace" [module] [version] [directives] [configuration]
/// [events] [properties] [check] [instance] }`.
macro_rules! normalize {
    ($callback:path; $( $(#[$meta:meta])* $variant:ident = $wire:literal $(in $module:ident)? $(version $version:literal)? {
        $(directives: $directives:ty;)?
        $(configuration: $cvariant:ident($configuration:ty);)?
        $(events: $events:ty;)?
        $(properties: $properties:ty;)?
        $(check: $check:path;)?
        $(instance: $instance:ident;)?
    } )+) => {
        $callback! {
            $( {
                [$(#[$meta])*] $variant $wire [$($module)?] [$($version)?] [$($directives)?]
                [$($cvariant($configuration))?] [$($events)?] [$($properties)?] [$($check)?]
                [$($instance)?]
            } )+
        }
    };
}

pub(crate) use normalize;

/// Declares the module of every registered interface.
macro_rules! modules {
    ($( { [$(#[$meta:meta])*] $variant:ident $wire:literal [$($module:ident)?] $($rest:tt)* } )+) => {
        $( $( pub mod $module; )? )+
    };
}

interfaces!(modules);

/// Whether an interface line says `instance: required`.
macro_rules! instance_required {
    () => {
        false
    };
    ($required:ident) => {
        true
    };
}

pub(crate) use instance_required;

/// The version an interface line names, `"3"` when it names none.
macro_rules! version {
    () => {
        "3"
    };
    ($version:literal) => {
        $version
    };
}

pub(crate) use version;

/// A whole percentage, 0 to 100: brightness, volume, percentage, power level.
///
/// # Examples
///
/// ```
/// use ha_alexa::interface::Percentage;
///
/// assert_eq!(Percentage::try_new(42)?.get(), 42);
/// assert!(Percentage::try_new(101).is_err());
/// assert_eq!(Percentage::clamped(-5).get(), 0);
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Percentage(u8);

impl Percentage {
    /// 0 %.
    pub const MIN: Self = Self(0);
    /// 100 %.
    pub const MAX: Self = Self(100);

    /// Checks and wraps `value`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::OutOfRange`] when `value` is above 100.
    pub fn try_new(value: u8) -> Result<Self, ValidationError> {
        if value <= 100 {
            Ok(Self(value))
        } else {
            Err(ValidationError::out_of_range(
                "percentage",
                &value,
                &0,
                &100,
            ))
        }
    }

    /// `value` clamped into 0 to 100.
    pub fn clamped(value: i64) -> Self {
        // The clamp makes the conversion lossless.
        Self(u8::try_from(value.clamp(0, 100)).unwrap_or(100))
    }

    /// The percentage.
    pub const fn get(self) -> u8 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Percentage {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(u8::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Percentage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

wire_enum! {
    /// A temperature scale.
    pub enum TemperatureScale {
        /// Degrees Celsius.
        Celsius = "CELSIUS",
        /// Degrees Fahrenheit.
        Fahrenheit = "FAHRENHEIT",
        /// Kelvin.
        Kelvin = "KELVIN",
    }
}

/// A temperature with its scale, as Alexa writes setpoints and readings.
///
/// Alexa's schema limits setpoints (not sensor readings) to -100 to 100 in any scale;
/// see the crate documentation on schema gaps.
///
/// # Examples
///
/// ```
/// use ha_alexa::interface::{Temperature, TemperatureScale};
///
/// let t = Temperature::new(68.0, TemperatureScale::Fahrenheit);
/// assert_eq!(t.to_celsius(), Some(20.0));
/// assert_eq!(serde_json::to_string(&t)?, r#"{"value":68.0,"scale":"FAHRENHEIT"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Temperature {
    /// The value.
    pub value: f64,
    /// The scale.
    pub scale: TemperatureScale,
}

impl Temperature {
    /// A temperature.
    pub const fn new(value: f64, scale: TemperatureScale) -> Self {
        Self { value, scale }
    }

    /// Degrees Celsius, or `None` for an unknown scale.
    pub fn to_celsius(&self) -> Option<f64> {
        match self.scale {
            TemperatureScale::Celsius => Some(self.value),
            TemperatureScale::Fahrenheit => Some((self.value - 32.0) * 5.0 / 9.0),
            TemperatureScale::Kelvin => Some(self.value - 273.15),
            TemperatureScale::Unknown(_) => None,
        }
    }

    /// The same temperature in `scale`, or `None` when either scale is unknown.
    pub fn to_scale(&self, scale: &TemperatureScale) -> Option<Self> {
        let celsius = self.to_celsius()?;
        let value = match scale {
            TemperatureScale::Celsius => celsius,
            TemperatureScale::Fahrenheit => celsius * 9.0 / 5.0 + 32.0,
            TemperatureScale::Kelvin => celsius + 273.15,
            TemperatureScale::Unknown(_) => return None,
        };
        Some(Self {
            value,
            scale: scale.clone(),
        })
    }
}

wire_enum! {
    /// On or off: PowerController `powerState` and ToggleController `toggleState`.
    pub enum PowerState {
        /// On.
        On = "ON",
        /// Off.
        Off = "OFF",
    }
}

wire_enum! {
    /// Whether a sensor detects something: ContactSensor and MotionSensor `detectionState`
    /// and the EventDetectionSensor states.
    pub enum DetectionState {
        /// Contact open, motion or event seen.
        Detected = "DETECTED",
        /// Contact closed, nothing seen.
        NotDetected = "NOT_DETECTED",
    }
}

/// VALUE_OUT_OF_RANGE unless `value` lies in `min..=max`.
pub(crate) fn in_range(field: &str, value: i64, min: i64, max: i64) -> Result<(), AlexaError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        // The bounds are small integers, exactly representable as f64.
        #[expect(clippy::cast_precision_loss, reason = "bounds are within ±10000")]
        let (low, high) = (min as f64, max as f64);
        Err(AlexaError::value_out_of_range(
            format!("{field} {value} is outside {min} to {max}"),
            low,
            high,
        ))
    }
}

//! The Alexa interfaces: one module per interface with its directives, the values of its
//! reportable properties and its discovery capability.
//!
//! Values shared by several interfaces ([`Percentage`], [`Temperature`],
//! [`DetectionState`], [`PowerState`]) live here.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::wire::wire_enum;

pub mod alexa;
pub mod authorization;
pub mod brightness_controller;
pub mod camera_stream_controller;
pub mod channel_controller;
pub mod color_controller;
pub mod color_temperature_controller;
pub mod contact_sensor;
pub mod doorbell_event_source;
pub mod endpoint_health;
pub mod equalizer_controller;
pub mod event_detection_sensor;
pub mod humidity_sensor;
pub mod input_controller;
pub mod inventory_level_sensor;
pub mod lock_controller;
pub mod mode_controller;
pub mod motion_sensor;
pub mod percentage_controller;
pub mod playback_controller;
pub mod playback_state_reporter;
pub mod power_controller;
pub mod power_level_controller;
pub mod range_controller;
pub mod scene_controller;
pub mod security_panel_controller;
pub mod seek_controller;
pub mod speaker;
pub mod step_speaker;
pub mod temperature_sensor;
pub mod thermostat_controller;
pub mod time_hold_controller;
pub mod toggle_controller;

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

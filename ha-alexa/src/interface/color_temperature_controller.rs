//! `Alexa.ColorTemperatureController`: white colour temperature; reports
//! `colorTemperatureInKelvin`.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::error::ValidationError;
use crate::message::Namespace;
use crate::wire::directives;
use crate::interface::in_range;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.ColorTemperatureController`.
    pub enum ColorTemperatureControllerDirective in ColorTemperatureController {
        /// Set the colour temperature.
        SetColorTemperature(SetColorTemperature) = "SetColorTemperature",
        /// Warmer white ("softer"); Home Assistant steps by 500 K.
        IncreaseColorTemperature = "IncreaseColorTemperature",
        /// Cooler white ("whiter"); Home Assistant steps by 500 K.
        DecreaseColorTemperature = "DecreaseColorTemperature",
    }
}

/// Payload of SetColorTemperature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetColorTemperature {
    /// Target temperature in kelvin, 1000 to 10000.
    pub color_temperature_in_kelvin: i64,
}

/// A colour temperature Alexa accepts: 1000 to 10000 kelvin.
///
/// ```
/// use ha_alexa::interface::color_temperature_controller::Kelvin;
///
/// assert_eq!(Kelvin::try_new(2700)?.get(), 2700);
/// assert!(Kelvin::try_new(999).is_err());
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Kelvin(u16);

impl Kelvin {
    /// 1000 K.
    pub const MIN: Self = Self(1000);
    /// 10000 K.
    pub const MAX: Self = Self(10000);

    /// Checks and wraps `kelvin`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::OutOfRange`] when `kelvin` is outside 1000 to 10000.
    pub fn try_new(kelvin: u16) -> Result<Self, ValidationError> {
        if (Self::MIN.0..=Self::MAX.0).contains(&kelvin) {
            Ok(Self(kelvin))
        } else {
            Err(ValidationError::out_of_range(
                "colorTemperatureInKelvin",
                &kelvin,
                &Self::MIN.0,
                &Self::MAX.0,
            ))
        }
    }

    /// `kelvin` clamped into 1000 to 10000.
    pub fn clamped(kelvin: i64) -> Self {
        Self(u16::try_from(kelvin.clamp(1000, 10000)).unwrap_or(10000))
    }

    /// The temperature in kelvin.
    pub const fn get(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Kelvin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} K", self.0)
    }
}

impl<'de> Deserialize<'de> for Kelvin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(u16::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Capability {
    /// `Alexa.ColorTemperatureController`, reporting `colorTemperatureInKelvin`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::color_temperature_controller().interface().as_str(), "Alexa.ColorTemperatureController");
    /// ```
    pub fn color_temperature_controller() -> Self {
        Self::with_properties(
            Namespace::ColorTemperatureController,
            &["colorTemperatureInKelvin"],
        )
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &ColorTemperatureControllerDirective, _: &Capability) -> Result<(), AlexaError> {
    match directive {
        ColorTemperatureControllerDirective::SetColorTemperature(set) => in_range(
            "colorTemperatureInKelvin",
            set.color_temperature_in_kelvin,
            1000,
            10000,
        ),
        _ => Ok(()),
    }
}

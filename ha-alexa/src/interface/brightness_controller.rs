//! `Alexa.BrightnessController`: brightness in percent; reports `brightness`.
//!
//! Directive values are kept as sent; the [`Dispatcher`](crate::Dispatcher) answers values
//! outside 0 to 100 with VALUE_OUT_OF_RANGE before the hub sees them.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;
use crate::interface::in_range;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.BrightnessController`.
    pub enum BrightnessControllerDirective in BrightnessController {
        /// Set the brightness.
        SetBrightness(SetBrightness) = "SetBrightness",
        /// Change the brightness by a delta.
        AdjustBrightness(AdjustBrightness) = "AdjustBrightness",
    }
}

/// Payload of SetBrightness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetBrightness {
    /// Target brightness, 0 to 100.
    pub brightness: i64,
}

/// Payload of AdjustBrightness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustBrightness {
    /// Change in percentage points, -100 to 100.
    pub brightness_delta: i64,
}

impl Capability {
    /// `Alexa.BrightnessController`, reporting `brightness`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::brightness_controller().interface().as_str(), "Alexa.BrightnessController");
    /// ```
    pub fn brightness_controller() -> Self {
        Self::with_properties(Namespace::BrightnessController, &["brightness"])
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &BrightnessControllerDirective, _: &Capability) -> Result<(), AlexaError> {
    match directive {
        BrightnessControllerDirective::SetBrightness(set) => in_range("brightness", set.brightness, 0, 100),
        BrightnessControllerDirective::AdjustBrightness(adjust) => {
            in_range("brightnessDelta", adjust.brightness_delta, -100, 100)
        }
    }
}

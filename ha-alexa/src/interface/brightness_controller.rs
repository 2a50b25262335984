//! `Alexa.BrightnessController`: brightness in percent; reports `brightness`.
//!
//! Directive values are kept as sent; the [`Dispatcher`](crate::Dispatcher) answers values
//! outside 0 to 100 with VALUE_OUT_OF_RANGE before the hub sees them.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;

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

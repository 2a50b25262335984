//! `Alexa.PercentageController`: a generic percentage; reports `percentage`. Home
//! Assistant no longer lists it (fan speed moved to RangeController) but Alexa still
//! supports it.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;
use crate::interface::in_range;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.PercentageController`.
    pub enum PercentageControllerDirective in PercentageController {
        /// Set the percentage.
        SetPercentage(SetPercentage) = "SetPercentage",
        /// Change the percentage by a delta.
        AdjustPercentage(AdjustPercentage) = "AdjustPercentage",
    }
}

/// Payload of SetPercentage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetPercentage {
    /// Target, 0 to 100.
    pub percentage: i64,
}

/// Payload of AdjustPercentage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustPercentage {
    /// Change, -100 to 100.
    pub percentage_delta: i64,
}

impl Capability {
    /// `Alexa.PercentageController`, reporting `percentage`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::percentage_controller().interface().as_str(), "Alexa.PercentageController");
    /// ```
    pub fn percentage_controller() -> Self {
        Self::with_properties(Namespace::PercentageController, &["percentage"])
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &PercentageControllerDirective, _: &Capability) -> Result<(), AlexaError> {
    match directive {
        PercentageControllerDirective::SetPercentage(set) => in_range("percentage", set.percentage, 0, 100),
        PercentageControllerDirective::AdjustPercentage(adjust) => {
            in_range("percentageDelta", adjust.percentage_delta, -100, 100)
        }
    }
}

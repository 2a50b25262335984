//! `Alexa.PowerLevelController`: power level in percent; reports `powerLevel`. Defined
//! but unused by recent Home Assistant versions.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;
use crate::interface::in_range;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.PowerLevelController`.
    pub enum PowerLevelControllerDirective in PowerLevelController {
        /// Set the power level.
        SetPowerLevel(SetPowerLevel) = "SetPowerLevel",
        /// Change the power level by a delta.
        AdjustPowerLevel(AdjustPowerLevel) = "AdjustPowerLevel",
    }
}

/// Payload of SetPowerLevel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetPowerLevel {
    /// Target, 0 to 100.
    pub power_level: i64,
}

/// Payload of AdjustPowerLevel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustPowerLevel {
    /// Change, -100 to 100.
    pub power_level_delta: i64,
}

impl Capability {
    /// `Alexa.PowerLevelController`, reporting `powerLevel`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::power_level_controller().interface().as_str(), "Alexa.PowerLevelController");
    /// ```
    pub fn power_level_controller() -> Self {
        Self::with_properties(Namespace::PowerLevelController, &["powerLevel"])
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &PowerLevelControllerDirective, _: &Capability) -> Result<(), AlexaError> {
    match directive {
        PowerLevelControllerDirective::SetPowerLevel(set) => in_range("powerLevel", set.power_level, 0, 100),
        PowerLevelControllerDirective::AdjustPowerLevel(adjust) => {
            in_range("powerLevelDelta", adjust.power_level_delta, -100, 100)
        }
    }
}

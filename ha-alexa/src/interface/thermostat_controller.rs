//! `Alexa.ThermostatController`: thermostat modes and single, dual or triple setpoints;
//! reports `thermostatMode`, `targetSetpoint`, `lowerSetpoint`, `upperSetpoint`.
//!
//! The dispatcher answers a dual-setpoint request to a single-setpoint thermostat with
//! DUAL_SETPOINTS_UNSUPPORTED, a triple-setpoint request to a thermostat without all three
//! with TRIPLE_SETPOINTS_UNSUPPORTED, and a mode the thermostat does not list with
//! UNSUPPORTED_THERMOSTAT_MODE. Temperature limits are the hub's: answer with
//! [`AlexaError::temperature_value_out_of_range`](crate::AlexaError::temperature_value_out_of_range)
//! (see [`Temperature::check_range`]).

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration};
use crate::error::ValidationError;
use crate::interface::Temperature;
use crate::message::AlexaError;
use crate::message::Namespace;
use crate::wire::{directives, wire_enum};
use ThermostatControllerDirective as Thermostat;
use crate::interface::TemperatureScale;
use crate::message::ErrorType;

directives! {
    /// Directives of `Alexa.ThermostatController`.
    pub enum ThermostatControllerDirective in ThermostatController {
        /// Set one, two or three setpoints.
        SetTargetTemperature(SetTargetTemperature) = "SetTargetTemperature",
        /// Move the setpoint(s) by a delta.
        AdjustTargetTemperature(AdjustTargetTemperature) = "AdjustTargetTemperature",
        /// Change the mode.
        SetThermostatMode(SetThermostatMode) = "SetThermostatMode",
        /// Return to the thermostat's schedule.
        ResumeSchedule = "ResumeSchedule",
    }
}

/// Payload of SetTargetTemperature: one setpoint, the lower and upper pair, or all three.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetTargetTemperature {
    /// The single setpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_setpoint: Option<Temperature>,
    /// The heating setpoint of a dual-setpoint thermostat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lower_setpoint: Option<Temperature>,
    /// The cooling setpoint of a dual-setpoint thermostat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_setpoint: Option<Temperature>,
}

impl SetTargetTemperature {
    /// Which setpoints the request sets.
    pub fn setpoints(&self) -> Setpoints {
        match (
            self.target_setpoint.is_some(),
            self.lower_setpoint.is_some() || self.upper_setpoint.is_some(),
        ) {
            (true, true) => Setpoints::Triple,
            (false, true) => Setpoints::Dual,
            _ => Setpoints::Single,
        }
    }
}

/// Payload of AdjustTargetTemperature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustTargetTemperature {
    /// Change of the setpoint(s); negative is cooler.
    pub target_setpoint_delta: Temperature,
}

/// Payload of SetThermostatMode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetThermostatMode {
    /// The requested mode.
    pub thermostat_mode: RequestedMode,
}

/// The mode object of SetThermostatMode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestedMode {
    /// The mode.
    pub value: ThermostatMode,
    /// The device-specific name of a `CUSTOM` mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_name: Option<String>,
}

wire_enum! {
    /// A thermostat mode.
    ///
    /// Amazon's schema accepts AUTO, COOL, HEAT, ECO and OFF in `thermostatMode`; CUSTOM is
    /// documented by Amazon for SetThermostatMode but refused by the schema in reports.
    pub enum ThermostatMode {
        /// Automatic heating and cooling.
        Auto = "AUTO",
        /// Cooling.
        Cool = "COOL",
        /// Heating.
        Heat = "HEAT",
        /// Energy saving.
        Eco = "ECO",
        /// Off.
        Off = "OFF",
        /// A device-specific mode.
        Custom = "CUSTOM",
    }
}

/// How many setpoints a thermostat has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setpoints {
    /// `targetSetpoint` only.
    Single,
    /// `lowerSetpoint` and `upperSetpoint`.
    Dual,
    /// All three.
    Triple,
}

impl Setpoints {
    fn property_names(self) -> &'static [&'static str] {
        match self {
            Self::Single => &["targetSetpoint", "thermostatMode"],
            Self::Dual => &["lowerSetpoint", "upperSetpoint", "thermostatMode"],
            Self::Triple => &[
                "targetSetpoint",
                "lowerSetpoint",
                "upperSetpoint",
                "thermostatMode",
            ],
        }
    }
}

/// The `configuration` of a thermostat.
///
/// `supportedModes` may not hold CUSTOM: Amazon's documentation lists AUTO, COOL, HEAT,
/// ECO and OFF there (CUSTOM is only a `thermostatMode` value with a `customName`), so
/// [`ThermostatConfiguration::try_new`] and decoding refuse it.
///
/// ```
/// use ha_alexa::interface::thermostat_controller::{ThermostatConfiguration, ThermostatMode};
///
/// let config = ThermostatConfiguration::try_new(vec![ThermostatMode::Heat, ThermostatMode::Off])?;
/// assert_eq!(serde_json::to_string(&config)?, r#"{"supportsScheduling":false,"supportedModes":["HEAT","OFF"]}"#);
/// assert!(ThermostatConfiguration::try_new(vec![ThermostatMode::Custom]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "WireThermostatConfiguration")]
#[non_exhaustive]
pub struct ThermostatConfiguration {
    /// Whether the thermostat follows a schedule (ResumeSchedule).
    pub supports_scheduling: bool,
    /// The modes the thermostat accepts; empty means any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    supported_modes: Vec<ThermostatMode>,
}

/// [`ThermostatConfiguration`] as received, before its modes are checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireThermostatConfiguration {
    #[serde(default)]
    supports_scheduling: bool,
    #[serde(default)]
    supported_modes: Vec<ThermostatMode>,
}

impl TryFrom<WireThermostatConfiguration> for ThermostatConfiguration {
    type Error = ValidationError;

    fn try_from(wire: WireThermostatConfiguration) -> Result<Self, Self::Error> {
        Ok(Self::try_new(wire.supported_modes)?.with_scheduling(wire.supports_scheduling))
    }
}

impl ThermostatConfiguration {
    /// A thermostat without schedule support accepting `supported_modes`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::NotAllowed`] when `supported_modes` holds CUSTOM.
    pub fn try_new(supported_modes: Vec<ThermostatMode>) -> Result<Self, ValidationError> {
        if supported_modes.contains(&ThermostatMode::Custom) {
            return Err(ValidationError::NotAllowed {
                field: "configuration.supportedModes",
                value: ThermostatMode::Custom.to_string(),
                reason: "Alexa lists AUTO, COOL, HEAT, ECO and OFF only",
            });
        }
        Ok(Self {
            supports_scheduling: false,
            supported_modes,
        })
    }

    /// Sets schedule support.
    #[must_use]
    pub fn with_scheduling(mut self, supports_scheduling: bool) -> Self {
        self.supports_scheduling = supports_scheduling;
        self
    }

    /// The modes the thermostat accepts; empty means any.
    pub fn supported_modes(&self) -> &[ThermostatMode] {
        &self.supported_modes
    }
}

impl Temperature {
    /// Checks that this temperature lies in `minimum..=maximum` (compared in Celsius).
    ///
    /// # Errors
    ///
    /// TEMPERATURE_VALUE_OUT_OF_RANGE with the valid range when it does not, or when a
    /// scale is unknown.
    ///
    /// ```
    /// use ha_alexa::interface::{Temperature, TemperatureScale::Celsius};
    ///
    /// let (min, max) = (Temperature::new(7.0, Celsius), Temperature::new(35.0, Celsius));
    /// assert!(Temperature::new(21.0, Celsius).check_range(&min, &max).is_ok());
    /// assert_eq!(
    ///     Temperature::new(40.0, Celsius).check_range(&min, &max).unwrap_err().kind().as_str(),
    ///     "TEMPERATURE_VALUE_OUT_OF_RANGE"
    /// );
    /// ```
    pub fn check_range(&self, minimum: &Self, maximum: &Self) -> Result<(), AlexaError> {
        let inside = match (
            self.to_celsius(),
            minimum.to_celsius(),
            maximum.to_celsius(),
        ) {
            (Some(value), Some(low), Some(high)) => (low - 1e-9..=high + 1e-9).contains(&value),
            _ => false,
        };
        if inside {
            Ok(())
        } else {
            Err(AlexaError::temperature_value_out_of_range(
                format!(
                    "{} {} is outside the supported range",
                    self.value, self.scale
                ),
                minimum.clone(),
                maximum.clone(),
            ))
        }
    }
}

impl Capability {
    /// `Alexa.ThermostatController` with `setpoints` and `configuration`.
    ///
    /// ```
    /// use ha_alexa::interface::thermostat_controller::{Setpoints, ThermostatConfiguration, ThermostatMode};
    ///
    /// let cap = ha_alexa::Capability::thermostat_controller(
    ///     Setpoints::Dual,
    ///     ThermostatConfiguration::try_new(vec![ThermostatMode::Auto])?,
    /// );
    /// assert_eq!(cap.supported_property_names().collect::<Vec<_>>(), ["lowerSetpoint", "upperSetpoint", "thermostatMode"]);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn thermostat_controller(
        setpoints: Setpoints,
        configuration: ThermostatConfiguration,
    ) -> Self {
        Self::with_properties(Namespace::ThermostatController, setpoints.property_names())
            .set_configuration(Configuration::Thermostat(configuration))
    }
}

fn known_scale(temperature: &Temperature, field: &str) -> Result<(), AlexaError> {
    match temperature.scale {
        TemperatureScale::Unknown(ref scale) => Err(AlexaError::invalid_value(format!(
            "{field} has unknown scale {scale}"
        ))),
        _ if !temperature.value.is_finite() => Err(AlexaError::invalid_value(format!(
            "{field} is not a number"
        ))),
        _ => Ok(()),
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &Thermostat, capability: &Capability) -> Result<(), AlexaError> {
    let supports = |name: &str| capability.supported_property_names().any(|n| n == name);
    match directive {
        Thermostat::SetTargetTemperature(set) => {
            let setpoints = [
                ("targetSetpoint", &set.target_setpoint),
                ("lowerSetpoint", &set.lower_setpoint),
                ("upperSetpoint", &set.upper_setpoint),
            ];
            if setpoints.iter().all(|(_, value)| value.is_none()) {
                return Err(AlexaError::invalid_directive(
                    "SetTargetTemperature names no setpoint",
                ));
            }
            for (field, value) in setpoints {
                if let Some(value) = value {
                    known_scale(value, field)?;
                }
            }
            match set.setpoints() {
                Setpoints::Triple
                    if !(supports("targetSetpoint")
                        && supports("lowerSetpoint")
                        && supports("upperSetpoint")) =>
                {
                    return Err(AlexaError::of(
                        ErrorType::TripleSetpointsUnsupported,
                        "the thermostat has no triple setpoints",
                    ));
                }
                Setpoints::Single if !supports("targetSetpoint") => {
                    return Err(AlexaError::invalid_value(
                        "the thermostat has no single targetSetpoint; set lowerSetpoint and upperSetpoint",
                    ));
                }
                Setpoints::Dual if !(supports("lowerSetpoint") && supports("upperSetpoint")) => {
                    return Err(AlexaError::of(
                        ErrorType::DualSetpointsUnsupported,
                        "the thermostat has no dual setpoints",
                    ));
                }
                _ => {}
            }
            if let (Some(lower), Some(upper)) = (&set.lower_setpoint, &set.upper_setpoint)
                && lower.to_celsius() > upper.to_celsius()
            {
                return Err(AlexaError::invalid_value(
                    "lowerSetpoint is above upperSetpoint",
                ));
            }
            Ok(())
        }
        Thermostat::AdjustTargetTemperature(adjust) => {
            known_scale(&adjust.target_setpoint_delta, "targetSetpointDelta")
        }
        Thermostat::SetThermostatMode(set) => match capability.configuration() {
            Some(Configuration::Thermostat(config))
                if !config.supported_modes().is_empty()
                    && !config
                        .supported_modes()
                        .contains(&set.thermostat_mode.value) =>
            {
                Err(AlexaError::of(
                    ErrorType::UnsupportedThermostatMode,
                    format!(
                        "thermostat mode {} is not supported",
                        set.thermostat_mode.value
                    ),
                ))
            }
            _ => Ok(()),
        },
        Thermostat::ResumeSchedule => match capability.configuration() {
            Some(Configuration::Thermostat(config)) if config.supports_scheduling => Ok(()),
            _ => Err(AlexaError::of(
                ErrorType::UnwillingToSetSchedule,
                "the thermostat has no schedule",
            )),
        },
    }
}

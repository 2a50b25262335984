//! `Alexa.RangeController`: a numeric setting of one instance of an endpoint (fan speed,
//! cover position, humidity); reports `rangeValue` with its `instance`.
//!
//! The dispatcher answers SetRangeValue outside `supportedRange` with VALUE_OUT_OF_RANGE
//! and the valid range.

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration, Resources};
use crate::message::Namespace;
use crate::wire::directives;
use RangeControllerDirective as Range;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.RangeController`; `header.instance` names the instance.
    pub enum RangeControllerDirective in RangeController {
        /// Set the value.
        SetRangeValue(SetRangeValue) = "SetRangeValue",
        /// Change the value by a delta.
        AdjustRangeValue(AdjustRangeValue) = "AdjustRangeValue",
    }
}

/// Payload of SetRangeValue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetRangeValue {
    /// The value.
    pub range_value: f64,
}

/// Payload of AdjustRangeValue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustRangeValue {
    /// The change.
    pub range_value_delta: f64,
    /// Whether Alexa chose the delta ("raise the blinds"); Home Assistant then uses its
    /// own step (20 for covers and valves, the fan's percentage step, 5 for humidifiers).
    #[serde(default)]
    pub range_value_delta_default: bool,
}

/// The `configuration` of a range instance.
///
/// ```
/// use ha_alexa::interface::range_controller::{RangeConfiguration, UnitOfMeasure};
///
/// let config = RangeConfiguration::new(0.0, 100.0, 1.0).with_unit(UnitOfMeasure::PERCENT);
/// assert!(config.contains(42.0));
/// assert!(!config.contains(101.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RangeConfiguration {
    /// The range.
    pub supported_range: SupportedRange,
    /// Named values ("maximum", "medium").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub presets: Vec<Preset>,
    /// The unit, from Alexa's catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_of_measure: Option<UnitOfMeasure>,
}

impl RangeConfiguration {
    /// A range from `minimum` to `maximum` in steps of `precision`.
    pub fn new(minimum: f64, maximum: f64, precision: f64) -> Self {
        Self {
            supported_range: SupportedRange {
                minimum_value: minimum,
                maximum_value: maximum,
                precision,
            },
            presets: Vec::new(),
            unit_of_measure: None,
        }
    }

    /// Sets the unit.
    #[must_use]
    pub fn with_unit(mut self, unit: UnitOfMeasure) -> Self {
        self.unit_of_measure = Some(unit);
        self
    }

    /// Adds a preset.
    #[must_use]
    pub fn with_preset(mut self, range_value: f64, preset_resources: Resources) -> Self {
        self.presets.push(Preset {
            range_value,
            preset_resources,
        });
        self
    }

    /// Whether `value` lies in the supported range.
    pub fn contains(&self, value: f64) -> bool {
        (self.supported_range.minimum_value..=self.supported_range.maximum_value).contains(&value)
    }
}

/// `supportedRange`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SupportedRange {
    /// Lowest value.
    pub minimum_value: f64,
    /// Highest value.
    pub maximum_value: f64,
    /// Step.
    pub precision: f64,
}

/// A named value of a range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Preset {
    /// The value.
    pub range_value: f64,
    /// Its names.
    pub preset_resources: Resources,
}

/// A unit from Alexa's catalog (`Alexa.Unit.Percent`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnitOfMeasure(std::borrow::Cow<'static, str>);

impl UnitOfMeasure {
    /// Percent.
    pub const PERCENT: Self = Self(std::borrow::Cow::Borrowed("Alexa.Unit.Percent"));
    /// Degrees Celsius.
    pub const CELSIUS: Self = Self(std::borrow::Cow::Borrowed("Alexa.Unit.Temperature.Celsius"));
    /// Degrees Fahrenheit.
    pub const FAHRENHEIT: Self = Self(std::borrow::Cow::Borrowed(
        "Alexa.Unit.Temperature.Fahrenheit",
    ));

    /// A catalog unit.
    pub fn new(unit: impl Into<String>) -> Self {
        Self(std::borrow::Cow::Owned(unit.into()))
    }

    /// The unit as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Capability {
    /// `Alexa.RangeController` for `instance`, reporting `rangeValue`.
    ///
    /// ```
    /// use ha_alexa::discovery::{AssetId, FriendlyName, Resources};
    /// use ha_alexa::interface::range_controller::RangeConfiguration;
    /// use ha_alexa::Capability;
    ///
    /// let cap = Capability::range_controller(
    ///     "cover.position",
    ///     Resources::new(vec![FriendlyName::asset(AssetId::OPENING)]),
    ///     RangeConfiguration::new(0.0, 100.0, 1.0),
    /// );
    /// assert_eq!(cap.instance(), Some("cover.position"));
    /// ```
    pub fn range_controller(
        instance: impl Into<String>,
        resources: Resources,
        configuration: RangeConfiguration,
    ) -> Self {
        Self::with_properties(Namespace::RangeController, &["rangeValue"])
            .set_instance(instance.into())
            .set_capability_resources(resources)
            .set_configuration(Configuration::Range(configuration))
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &Range, capability: &Capability) -> Result<(), AlexaError> {
    let Some(Configuration::Range(config)) = capability.configuration() else {
        return Ok(());
    };
    let (min, max) = (
        config.supported_range.minimum_value,
        config.supported_range.maximum_value,
    );
    match directive {
        Range::SetRangeValue(set) if !config.contains(set.range_value) => {
            Err(AlexaError::value_out_of_range(
                format!("rangeValue {} is outside {min} to {max}", set.range_value),
                min,
                max,
            ))
        }
        Range::AdjustRangeValue(adjust)
            if adjust.range_value_delta.is_nan() || adjust.range_value_delta.abs() > max - min =>
        {
            Err(AlexaError::value_out_of_range(
                format!(
                    "rangeValueDelta {} is larger than the range",
                    adjust.range_value_delta
                ),
                min - max,
                max - min,
            ))
        }
        _ => Ok(()),
    }
}

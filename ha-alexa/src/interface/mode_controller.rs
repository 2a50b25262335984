//! `Alexa.ModeController`: named modes of one instance of an endpoint (fan preset, cover
//! position "open"/"closed", washer cycle); reports `mode` with its `instance`.
//!
//! The dispatcher answers a mode the capability does not list with INVALID_VALUE and
//! AdjustMode on an unordered instance with INVALID_DIRECTIVE.

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration, Resources};
use crate::message::Namespace;
use crate::wire::directives;
use ModeControllerDirective as Mode;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.ModeController`; `header.instance` names the instance.
    pub enum ModeControllerDirective in ModeController {
        /// Set the mode.
        SetMode(SetMode) = "SetMode",
        /// Move through an ordered list of modes.
        AdjustMode(AdjustMode) = "AdjustMode",
    }
}

/// Payload of SetMode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetMode {
    /// The mode value, as listed in `supportedModes`.
    pub mode: String,
}

/// Payload of AdjustMode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustMode {
    /// Steps through the ordered modes; negative moves back.
    pub mode_delta: i64,
}

/// The `configuration` of a mode instance.
///
/// ```
/// use ha_alexa::discovery::{FriendlyName, Resources};
/// use ha_alexa::interface::mode_controller::{ModeConfiguration, ModeValue};
/// use ha_alexa::Locale;
///
/// let config = ModeConfiguration::new(false, vec![
///     ModeValue::new("preset_mode.eco", Resources::new(vec![FriendlyName::text("eco", Locale::EnUs)])),
/// ]);
/// assert!(config.contains("preset_mode.eco"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModeConfiguration {
    /// Whether the modes have an order (AdjustMode is allowed).
    pub ordered: bool,
    /// The modes.
    pub supported_modes: Vec<ModeValue>,
}

impl ModeConfiguration {
    /// A configuration.
    pub fn new(ordered: bool, supported_modes: Vec<ModeValue>) -> Self {
        Self {
            ordered,
            supported_modes,
        }
    }

    /// Whether `mode` is one of the supported mode values.
    pub fn contains(&self, mode: &str) -> bool {
        self.supported_modes.iter().any(|m| m.value == mode)
    }
}

/// One mode of a [`ModeConfiguration`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModeValue {
    /// The value Alexa sends in SetMode and the hub reports in `mode`.
    pub value: String,
    /// Its names.
    pub mode_resources: Resources,
}

impl ModeValue {
    /// A mode.
    pub fn new(value: impl Into<String>, mode_resources: Resources) -> Self {
        Self {
            value: value.into(),
            mode_resources,
        }
    }
}

impl Capability {
    /// `Alexa.ModeController` for `instance`, reporting `mode`.
    ///
    /// Home Assistant adds a placeholder second mode when a device has a single one,
    /// because Alexa refuses discovery otherwise.
    ///
    /// ```
    /// use ha_alexa::discovery::{AssetId, FriendlyName, Resources};
    /// use ha_alexa::interface::mode_controller::{ModeConfiguration, ModeValue};
    /// use ha_alexa::{Capability, Locale};
    ///
    /// let name = |text: &str| Resources::new(vec![FriendlyName::text(text, Locale::EnUs)]);
    /// let cap = Capability::mode_controller(
    ///     "fan.direction",
    ///     Resources::new(vec![FriendlyName::asset(AssetId::DIRECTION)]),
    ///     ModeConfiguration::new(false, vec![
    ///         ModeValue::new("direction.forward", name("forward")),
    ///         ModeValue::new("direction.reverse", name("reverse")),
    ///     ]),
    /// );
    /// assert_eq!(cap.instance(), Some("fan.direction"));
    /// ```
    pub fn mode_controller(
        instance: impl Into<String>,
        resources: Resources,
        configuration: ModeConfiguration,
    ) -> Self {
        Self::with_properties(Namespace::ModeController, &["mode"])
            .set_instance(instance.into())
            .set_capability_resources(resources)
            .set_configuration(Configuration::Mode(configuration))
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &Mode, capability: &Capability) -> Result<(), AlexaError> {
    let Some(Configuration::Mode(config)) = capability.configuration() else {
        return Ok(());
    };
    match directive {
        Mode::SetMode(set) if !config.contains(&set.mode) => Err(AlexaError::invalid_value(
            format!("mode {:?} is not supported", set.mode),
        )),
        Mode::AdjustMode(_) if !config.ordered => Err(AlexaError::invalid_directive(
            "the modes of this instance have no order",
        )),
        _ => Ok(()),
    }
}

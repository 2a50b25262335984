//! `Alexa.TimeHoldController`: pausing and resuming timers and appliances; reports
//! `holdStartTime` and `holdEndTime` (whole seconds, as Alexa requires).

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration};
use crate::message::Namespace;
use crate::wire::directives;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.TimeHoldController`.
    pub enum TimeHoldControllerDirective in TimeHoldController {
        /// Pause.
        Hold(Hold) = "Hold",
        /// Resume; only when the configuration allows remote resume.
        Resume = "Resume",
    }
}

/// Payload of Hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hold {
    /// How long to hold, as an ISO 8601 duration (`PT15M`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// The `configuration` of a time-hold capability.
///
/// ```
/// use ha_alexa::interface::time_hold_controller::TimeHoldConfiguration;
///
/// assert_eq!(serde_json::to_string(&TimeHoldConfiguration::new(true))?, r#"{"allowRemoteResume":true}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TimeHoldConfiguration {
    /// Whether Alexa may send Resume.
    pub allow_remote_resume: bool,
}

impl TimeHoldConfiguration {
    /// A configuration.
    pub fn new(allow_remote_resume: bool) -> Self {
        Self {
            allow_remote_resume,
        }
    }
}

impl Capability {
    /// `Alexa.TimeHoldController`; Home Assistant lists no properties for it.
    ///
    /// ```
    /// use ha_alexa::interface::time_hold_controller::TimeHoldConfiguration;
    ///
    /// let cap = ha_alexa::Capability::time_hold_controller(TimeHoldConfiguration::new(true));
    /// assert!(cap.configuration().is_some());
    /// ```
    pub fn time_hold_controller(configuration: TimeHoldConfiguration) -> Self {
        Self::bare(Namespace::TimeHoldController)
            .set_configuration(Configuration::TimeHold(configuration))
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &TimeHoldControllerDirective, capability: &Capability) -> Result<(), AlexaError> {
    match (directive, capability.configuration()) {
        (TimeHoldControllerDirective::Resume, Some(Configuration::TimeHold(config)))
            if config.allow_remote_resume =>
        {
            Ok(())
        }
        (TimeHoldControllerDirective::Resume, _) => Err(AlexaError::invalid_directive(
            "this endpoint cannot be resumed remotely",
        )),
        _ => Ok(()),
    }
}

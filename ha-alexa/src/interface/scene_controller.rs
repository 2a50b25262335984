//! `Alexa.SceneController`: scenes and activities; answered with ActivationStarted or
//! DeactivationStarted instead of Response.

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.SceneController`.
    pub enum SceneControllerDirective in SceneController {
        /// Start the scene.
        Activate = "Activate",
        /// Stop the scene; only for scenes that support deactivation.
        Deactivate = "Deactivate",
    }
}

impl Capability {
    /// `Alexa.SceneController`; `supports_deactivation` says whether Deactivate is allowed.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::scene_controller(false).supports_deactivation(), Some(false));
    /// ```
    pub fn scene_controller(supports_deactivation: bool) -> Self {
        Self::bare(Namespace::SceneController).set_supports_deactivation(supports_deactivation)
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &SceneControllerDirective, capability: &Capability) -> Result<(), AlexaError> {
    match directive {
        SceneControllerDirective::Deactivate if capability.supports_deactivation() != Some(true) => Err(
            AlexaError::invalid_directive("this scene cannot be deactivated"),
        ),
        _ => Ok(()),
    }
}

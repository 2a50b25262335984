//! `Alexa.ToggleController`: on and off of one instance of an endpoint (fan oscillation,
//! valve stop); reports `toggleState` with its `instance`.

use crate::discovery::{Capability, Resources};
use crate::message::Namespace;
use crate::wire::directives;

directives! {
    /// Directives of `Alexa.ToggleController`; `header.instance` names the instance.
    pub enum ToggleControllerDirective in ToggleController {
        /// Turn the instance on.
        TurnOn = "TurnOn",
        /// Turn the instance off.
        TurnOff = "TurnOff",
    }
}

impl Capability {
    /// `Alexa.ToggleController` for `instance`, reporting `toggleState`.
    ///
    /// ```
    /// use ha_alexa::discovery::{AssetId, FriendlyName, Resources};
    ///
    /// let cap = ha_alexa::Capability::toggle_controller(
    ///     "fan.oscillating",
    ///     Resources::new(vec![FriendlyName::asset(AssetId::OSCILLATE)]),
    /// );
    /// assert_eq!(cap.instance(), Some("fan.oscillating"));
    /// ```
    pub fn toggle_controller(instance: impl Into<String>, resources: Resources) -> Self {
        Self::with_properties(Namespace::ToggleController, &["toggleState"])
            .set_instance(instance.into())
            .set_capability_resources(resources)
    }
}

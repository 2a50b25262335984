//! `Alexa.PowerController`: turning an endpoint on and off; reports `powerState`.
//!
//! ```
//! use ha_alexa::interface::PowerState;
//! use ha_alexa::{Capability, Property, PropertyValue, Timestamp};
//!
//! let capability = Capability::power_controller();
//! let state = Property::new(PropertyValue::PowerState(PowerState::On), Timestamp::from_unix_seconds(0)?);
//! assert_eq!(state.value.name(), "powerState");
//! # Ok::<(), ha_alexa::Error>(())
//! ```

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;

directives! {
    /// Directives of `Alexa.PowerController`.
    pub enum PowerControllerDirective in PowerController {
        /// Turn on.
        TurnOn = "TurnOn",
        /// Turn off.
        TurnOff = "TurnOff",
    }
}

impl Capability {
    /// `Alexa.PowerController`, reporting `powerState`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::power_controller().supported_property_names().collect::<Vec<_>>(), ["powerState"]);
    /// ```
    pub fn power_controller() -> Self {
        Self::with_properties(Namespace::PowerController, &["powerState"])
    }
}

//! `Alexa.TemperatureSensor`: reports `temperature`; it has no directives.

use crate::discovery::Capability;
use crate::message::Namespace;

impl Capability {
    /// `Alexa.TemperatureSensor`, reporting `temperature`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::temperature_sensor().interface().as_str(), "Alexa.TemperatureSensor");
    /// ```
    pub fn temperature_sensor() -> Self {
        Self::with_properties(Namespace::TemperatureSensor, &["temperature"])
    }
}

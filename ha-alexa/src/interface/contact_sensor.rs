//! `Alexa.ContactSensor`: open/closed sensors; reports `detectionState` (`DETECTED` means
//! open). It has no directives.

use crate::discovery::Capability;
use crate::message::Namespace;

impl Capability {
    /// `Alexa.ContactSensor`, reporting `detectionState`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::contact_sensor().interface().as_str(), "Alexa.ContactSensor");
    /// ```
    pub fn contact_sensor() -> Self {
        Self::with_properties(Namespace::ContactSensor, &["detectionState"])
    }
}

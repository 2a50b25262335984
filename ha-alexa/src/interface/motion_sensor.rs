//! `Alexa.MotionSensor`: motion sensors; reports `detectionState`. It has no directives.

use crate::discovery::Capability;
use crate::message::Namespace;

impl Capability {
    /// `Alexa.MotionSensor`, reporting `detectionState`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::motion_sensor().interface().as_str(), "Alexa.MotionSensor");
    /// ```
    pub fn motion_sensor() -> Self {
        Self::with_properties(Namespace::MotionSensor, &["detectionState"])
    }
}

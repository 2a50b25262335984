//! `Alexa.DoorbellEventSource`: doorbell presses, sent proactively as DoorbellPress
//! events (see [`Event::doorbell_press`](crate::Event::doorbell_press)). It has no
//! directives and no properties.

use crate::discovery::Capability;
use crate::message::Namespace;

impl Capability {
    /// `Alexa.DoorbellEventSource`, marked `proactivelyReported` as Alexa requires.
    ///
    /// ```
    /// let json = serde_json::to_string(&ha_alexa::Capability::doorbell_event_source())?;
    /// assert!(json.contains(r#""proactivelyReported":true"#));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn doorbell_event_source() -> Self {
        Self::bare(Namespace::DoorbellEventSource).set_capability_proactively_reported(true)
    }
}

//! `Alexa.Speaker`: volume in percent and mute; reports `volume` and `muted`.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::directives;
use crate::interface::in_range;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.Speaker`.
    pub enum SpeakerDirective in Speaker {
        /// Set the volume.
        SetVolume(SetVolume) = "SetVolume",
        /// Change the volume by a delta.
        AdjustVolume(AdjustVolume) = "AdjustVolume",
        /// Mute or unmute.
        SetMute(SetMute) = "SetMute",
    }
}

/// Payload of SetVolume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetVolume {
    /// Target volume, 0 to 100.
    pub volume: i64,
}

/// Payload of Speaker AdjustVolume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustVolume {
    /// Change in percentage points, -100 to 100.
    pub volume: i64,
    /// Whether Alexa chose the delta ("louder") rather than the user ("louder by 20").
    #[serde(default)]
    pub volume_default: bool,
}

/// Payload of SetMute (Speaker and StepSpeaker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetMute {
    /// Mute when true.
    pub mute: bool,
}

impl Capability {
    /// `Alexa.Speaker`, reporting `volume` and `muted`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::speaker().supported_property_names().count(), 2);
    /// ```
    pub fn speaker() -> Self {
        Self::with_properties(Namespace::Speaker, &["volume", "muted"])
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &SpeakerDirective, _: &Capability) -> Result<(), AlexaError> {
    match directive {
        SpeakerDirective::SetVolume(set) => in_range("volume", set.volume, 0, 100),
        SpeakerDirective::AdjustVolume(adjust) => in_range("volume", adjust.volume, -100, 100),
        SpeakerDirective::SetMute(_) => Ok(()),
    }
}

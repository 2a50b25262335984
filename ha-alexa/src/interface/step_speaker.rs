//! `Alexa.StepSpeaker`: volume in steps and mute, for devices that cannot report volume.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::interface::speaker::SetMute;
use crate::message::Namespace;
use crate::wire::directives;
use crate::interface::in_range;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.StepSpeaker`.
    pub enum StepSpeakerDirective in StepSpeaker {
        /// Press volume up or down a number of times.
        AdjustVolume(AdjustVolumeSteps) = "AdjustVolume",
        /// Mute or unmute.
        SetMute(SetMute) = "SetMute",
    }
}

/// Payload of StepSpeaker AdjustVolume.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustVolumeSteps {
    /// Steps, negative for down.
    pub volume_steps: i64,
    /// Whether Alexa chose the number of steps; Home Assistant then presses once.
    #[serde(default)]
    pub volume_steps_default: bool,
}

impl Capability {
    /// `Alexa.StepSpeaker`; it has no reportable properties.
    ///
    /// ```
    /// assert!(ha_alexa::Capability::step_speaker().properties().is_none());
    /// ```
    pub fn step_speaker() -> Self {
        Self::bare(Namespace::StepSpeaker)
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &StepSpeakerDirective, _: &Capability) -> Result<(), AlexaError> {
    match directive {
        StepSpeakerDirective::AdjustVolume(adjust) => {
            in_range("volumeSteps", adjust.volume_steps, -100, 100)
        }
        StepSpeakerDirective::SetMute(_) => Ok(()),
    }
}

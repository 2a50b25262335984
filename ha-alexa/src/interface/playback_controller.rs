//! `Alexa.PlaybackController`: media transport. It has no properties; Home Assistant
//! also uses Stop to stop moving covers.

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::{directives, wire_enum};
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.PlaybackController`.
    pub enum PlaybackControllerDirective in PlaybackController {
        /// Play.
        Play = "Play",
        /// Pause.
        Pause = "Pause",
        /// Stop.
        Stop = "Stop",
        /// Next item.
        Next = "Next",
        /// Previous item.
        Previous = "Previous",
        /// Restart the current item.
        StartOver = "StartOver",
        /// Rewind.
        Rewind = "Rewind",
        /// Fast forward.
        FastForward = "FastForward",
    }
}

wire_enum! {
    /// An operation listed in `supportedOperations`.
    pub enum PlaybackOperation {
        /// Play.
        Play = "Play",
        /// Pause.
        Pause = "Pause",
        /// Stop.
        Stop = "Stop",
        /// Restart.
        StartOver = "StartOver",
        /// Previous.
        Previous = "Previous",
        /// Next.
        Next = "Next",
        /// Rewind.
        Rewind = "Rewind",
        /// Fast forward.
        FastForward = "FastForward",
        /// Resume.
        Resume = "Resume",
        /// Skip.
        Skip = "Skip",
    }
}

impl PlaybackControllerDirective {
    /// The `supportedOperations` entry an endpoint must list for this directive.
    pub fn operation(&self) -> PlaybackOperation {
        PlaybackOperation::from(self.name())
    }
}

impl Capability {
    /// `Alexa.PlaybackController` with these operations.
    ///
    /// ```
    /// use ha_alexa::interface::playback_controller::PlaybackOperation;
    ///
    /// let cap = ha_alexa::Capability::playback_controller(vec![PlaybackOperation::Play, PlaybackOperation::Pause]);
    /// assert_eq!(cap.supported_operations().map(<[_]>::len), Some(2));
    /// ```
    pub fn playback_controller(operations: Vec<PlaybackOperation>) -> Self {
        Self::bare(Namespace::PlaybackController).set_supported_operations(operations)
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &PlaybackControllerDirective, capability: &Capability) -> Result<(), AlexaError> {
    match capability.supported_operations() {
        Some(operations) if !operations.contains(&directive.operation()) => Err(
            AlexaError::invalid_directive(format!("{} is not supported", directive.name())),
        ),
        _ => Ok(()),
    }
}

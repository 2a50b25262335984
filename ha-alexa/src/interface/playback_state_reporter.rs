//! `Alexa.PlaybackStateReporter`: reports `playbackState`.
//!
//! Home Assistant lists it on media players, but Amazon's published v3 schema has
//! neither the interface nor the property; see the crate documentation on schema gaps.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::wire_enum;

wire_enum! {
    /// The state inside `playbackState`.
    pub enum PlaybackStateValue {
        /// Playing.
        Playing = "PLAYING",
        /// Paused.
        Paused = "PAUSED",
        /// Stopped.
        Stopped = "STOPPED",
    }
}

/// Value of `playbackState`: `{"state": "PLAYING"}`.
///
/// ```
/// use ha_alexa::interface::playback_state_reporter::{PlaybackState, PlaybackStateValue};
///
/// let state = PlaybackState::new(PlaybackStateValue::Paused);
/// assert_eq!(serde_json::to_string(&state)?, r#"{"state":"PAUSED"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlaybackState {
    /// The state.
    pub state: PlaybackStateValue,
}

impl PlaybackState {
    /// A playback state.
    pub fn new(state: PlaybackStateValue) -> Self {
        Self { state }
    }
}

impl Capability {
    /// `Alexa.PlaybackStateReporter`, reporting `playbackState` (outside Amazon's schema).
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::playback_state_reporter().interface().as_str(), "Alexa.PlaybackStateReporter");
    /// ```
    pub fn playback_state_reporter() -> Self {
        Self::with_properties(Namespace::PlaybackStateReporter, &["playbackState"])
    }
}

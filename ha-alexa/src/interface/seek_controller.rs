//! `Alexa.SeekController`: seeking in media. AdjustSeekPosition is answered with a
//! SeekController StateReport carrying the new position.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::error::ValidationError;
use crate::message::Namespace;
use crate::wire::directives;

directives! {
    /// Directives of `Alexa.SeekController`.
    pub enum SeekControllerDirective in SeekController {
        /// Move the playback position.
        AdjustSeekPosition(AdjustSeekPosition) = "AdjustSeekPosition",
    }
}

/// Payload of AdjustSeekPosition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdjustSeekPosition {
    /// Change in milliseconds; negative is back.
    pub delta_position_milliseconds: i64,
}

/// A playback position Alexa accepts: 0 to 86 400 000 ms (24 hours).
///
/// ```
/// use ha_alexa::interface::seek_controller::SeekPosition;
///
/// assert_eq!(SeekPosition::clamped(-5).milliseconds(), 0);
/// assert!(SeekPosition::try_new(86_400_001).is_err());
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct SeekPosition(u32);

impl SeekPosition {
    /// The largest position, 24 hours.
    pub const MAX: Self = Self(86_400_000);

    /// Checks and wraps a position.
    ///
    /// # Errors
    ///
    /// [`ValidationError::OutOfRange`] above 86 400 000 ms.
    pub fn try_new(milliseconds: u32) -> Result<Self, ValidationError> {
        if milliseconds <= Self::MAX.0 {
            Ok(Self(milliseconds))
        } else {
            Err(ValidationError::out_of_range(
                "positionMilliseconds",
                &milliseconds,
                &0,
                &Self::MAX.0,
            ))
        }
    }

    /// `milliseconds` clamped into 0 to 86 400 000.
    pub fn clamped(milliseconds: i64) -> Self {
        Self(u32::try_from(milliseconds.clamp(0, i64::from(Self::MAX.0))).unwrap_or(Self::MAX.0))
    }

    /// The position in milliseconds.
    pub const fn milliseconds(self) -> u32 {
        self.0
    }
}

impl<'de> Deserialize<'de> for SeekPosition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(u32::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Capability {
    /// `Alexa.SeekController`; it has no reportable properties.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::seek_controller().interface().as_str(), "Alexa.SeekController");
    /// ```
    pub fn seek_controller() -> Self {
        Self::bare(Namespace::SeekController)
    }
}

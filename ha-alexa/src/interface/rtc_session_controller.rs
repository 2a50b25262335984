//! `Alexa.RTCSessionController`: live video and two-way audio with a camera or doorbell
//! over WebRTC, Amazon's recommended path for cameras ("Alexa, show the front door").
//!
//! Alexa sends an SDP offer in `InitiateSessionWithOffer` (and a new one in
//! `UpdateSessionWithOffer` when it renegotiates); the hub answers with
//! `AnswerGeneratedForSession` carrying its SDP answer. `SessionConnected` and
//! `SessionDisconnected` tell the hub the session's state; it echoes each with the event
//! of the same name. The hub returns these replies as [`Outcome::Reply`](crate::Outcome::Reply).
//! Alexa does not trickle ICE: the answer carries every candidate.
//!
//! The capability has no reportable properties; its configuration says whether the device
//! sends and receives audio at once (`isFullDuplexAudioSupported`) and whether the media
//! are end-to-end encrypted (`isEndToEndEncryptionEnabled`).
//!
//! Amazon's reference names no RTCSessionController error types; failures use the
//! general `Alexa` ErrorResponse (ENDPOINT_UNREACHABLE, INTERNAL_ERROR, ...).
//! Whether `UpdateSessionWithOffer` is answered with `AnswerGeneratedForSession` is taken
//! from public implementations, not from Amazon's reference, which this crate could not
//! read in full.
//!
//! ```
//! use ha_alexa::interface::rtc_session_controller::*;
//! use ha_alexa::{Capability, InterfaceEvent, Outcome};
//!
//! let camera = Capability::rtc_session_controller(RtcSessionConfiguration::new().with_full_duplex_audio(true));
//! assert_eq!(camera.interface().as_str(), "Alexa.RTCSessionController");
//! let answer = Outcome::Reply(InterfaceEvent::RtcSessionController(
//!     RtcSessionControllerEvent::AnswerGeneratedForSession(SessionAnswer::new(Sdp::new("v=0\r\n"))),
//! ));
//! # let _ = answer;
//! ```

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration};
use crate::message::{AlexaError, Namespace};
use crate::wire::{directives, wire_enum};

directives! {
    /// Directives of `Alexa.RTCSessionController`.
    pub enum RtcSessionControllerDirective in RtcSessionController {
        /// Start a session: the SDP offer of the Alexa device.
        InitiateSessionWithOffer(SessionOffer) = "InitiateSessionWithOffer",
        /// Renegotiate a running session with a new offer.
        UpdateSessionWithOffer(SessionOffer) = "UpdateSessionWithOffer",
        /// The media are flowing.
        SessionConnected(SessionRef) = "SessionConnected",
        /// The session ended; release its resources.
        SessionDisconnected(SessionRef) = "SessionDisconnected",
    }
}

directives! {
    /// Replies of `Alexa.RTCSessionController`, returned in [`Outcome::Reply`](crate::Outcome::Reply).
    pub enum RtcSessionControllerEvent in RtcSessionController {
        /// The hub's SDP answer to an offer.
        AnswerGeneratedForSession(SessionAnswer) = "AnswerGeneratedForSession",
        /// Acknowledges SessionConnected.
        SessionConnected(SessionRef) = "SessionConnected",
        /// Acknowledges SessionDisconnected.
        SessionDisconnected(SessionRef) = "SessionDisconnected",
    }
}

wire_enum! {
    /// The format of a session description; Alexa uses SDP only.
    pub enum SdpFormat {
        /// Session Description Protocol (RFC 8866).
        Sdp = "SDP",
    }
}

/// A session description: `{"format": "SDP", "value": "v=0\r\n..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sdp {
    /// The format, `SDP`.
    pub format: SdpFormat,
    /// The description itself.
    pub value: String,
}

impl Sdp {
    /// An SDP description.
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            format: SdpFormat::Sdp,
            value: value.into(),
        }
    }
}

/// The payload of InitiateSessionWithOffer and UpdateSessionWithOffer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionOffer {
    /// The session, chosen by Alexa.
    pub session_id: String,
    /// Alexa's offer.
    pub offer: Sdp,
}

/// The payload naming a session: SessionConnected and SessionDisconnected, both ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SessionRef {
    /// The session from the offer.
    pub session_id: String,
}

impl SessionRef {
    /// The session `session_id`.
    pub fn new(session_id: impl Into<String>) -> Self {
        Self {
            session_id: session_id.into(),
        }
    }
}

/// The payload of AnswerGeneratedForSession.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SessionAnswer {
    /// The hub's answer.
    pub answer: Sdp,
}

impl SessionAnswer {
    /// The answer `answer`.
    pub fn new(answer: Sdp) -> Self {
        Self { answer }
    }
}

/// The `configuration` of an RTCSessionController capability.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RtcSessionConfiguration {
    /// Whether the device sends and receives audio at the same time (talk back).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_full_duplex_audio_supported: Option<bool>,
    /// Whether the media are end-to-end encrypted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_end_to_end_encryption_enabled: Option<bool>,
}

impl RtcSessionConfiguration {
    /// A configuration that states nothing (Alexa's defaults).
    pub fn new() -> Self {
        Self::default()
    }

    /// States whether the device does two-way audio.
    #[must_use]
    pub fn with_full_duplex_audio(mut self, supported: bool) -> Self {
        self.is_full_duplex_audio_supported = Some(supported);
        self
    }

    /// States whether the media are end-to-end encrypted.
    #[must_use]
    pub fn with_end_to_end_encryption(mut self, enabled: bool) -> Self {
        self.is_end_to_end_encryption_enabled = Some(enabled);
        self
    }
}

impl Capability {
    /// `Alexa.RTCSessionController` with `configuration`; it reports no properties.
    pub fn rtc_session_controller(configuration: RtcSessionConfiguration) -> Self {
        Self::bare(Namespace::RtcSessionController)
            .set_configuration(Configuration::RtcSession(configuration))
    }
}

/// What the dispatcher checks before the hub sees a directive: a session id, and an SDP
/// offer that is not empty.
///
/// # Errors
///
/// INVALID_VALUE naming the field.
pub(crate) fn check(
    directive: &RtcSessionControllerDirective,
    _: &Capability,
) -> Result<(), AlexaError> {
    let (session_id, offer) = match directive {
        RtcSessionControllerDirective::InitiateSessionWithOffer(offer)
        | RtcSessionControllerDirective::UpdateSessionWithOffer(offer) => {
            (&offer.session_id, Some(&offer.offer))
        }
        RtcSessionControllerDirective::SessionConnected(session)
        | RtcSessionControllerDirective::SessionDisconnected(session) => {
            (&session.session_id, None)
        }
    };
    if session_id.is_empty() {
        return Err(AlexaError::invalid_value("sessionId is empty"));
    }
    match offer {
        Some(offer) if offer.format != SdpFormat::Sdp => Err(AlexaError::invalid_value(format!(
            "offer format {} is not SDP",
            offer.format
        ))),
        Some(offer) if offer.value.is_empty() => {
            Err(AlexaError::invalid_value("the SDP offer is empty"))
        }
        _ => Ok(()),
    }
}

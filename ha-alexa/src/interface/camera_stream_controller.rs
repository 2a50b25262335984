//! `Alexa.CameraStreamController`: camera streams. InitializeCameraStreams is answered
//! with a CameraStreamController Response carrying stream URIs.
//!
//! Home Assistant offers HLS streams; the schema versions checked for this crate list
//! only RTSP and WEBRTC (see the crate documentation on schema gaps).

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::{Namespace, Timestamp};
use crate::wire::{directives, wire_enum};

directives! {
    /// Directives of `Alexa.CameraStreamController`.
    pub enum CameraStreamControllerDirective in CameraStreamController {
        /// Ask for stream URIs.
        InitializeCameraStreams(InitializeCameraStreams) = "InitializeCameraStreams",
    }
}

/// Payload of InitializeCameraStreams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InitializeCameraStreams {
    /// The stream formats the Alexa device can play, best first.
    pub camera_streams: Vec<StreamRequest>,
}

/// One acceptable stream format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StreamRequest {
    /// Protocol.
    pub protocol: StreamProtocol,
    /// Resolution.
    pub resolution: Resolution,
    /// Authorization.
    pub authorization_type: StreamAuthorization,
    /// Video codec.
    pub video_codec: VideoCodec,
    /// Audio codec.
    pub audio_codec: AudioCodec,
}

wire_enum! {
    /// A stream protocol.
    pub enum StreamProtocol {
        /// RTSP.
        Rtsp = "RTSP",
        /// HTTP live streaming.
        Hls = "HLS",
        /// WebRTC.
        WebRtc = "WEBRTC",
    }
}

wire_enum! {
    /// Stream authorization.
    pub enum StreamAuthorization {
        /// HTTP basic.
        Basic = "BASIC",
        /// HTTP digest.
        Digest = "DIGEST",
        /// None (credentials in the URI).
        None = "NONE",
    }
}

wire_enum! {
    /// A video codec.
    pub enum VideoCodec {
        /// H.264.
        H264 = "H264",
        /// MPEG-2.
        Mpeg2 = "MPEG2",
        /// Motion JPEG.
        Mjpeg = "MJPEG",
        /// JPEG stills.
        Jpg = "JPG",
    }
}

wire_enum! {
    /// An audio codec.
    pub enum AudioCodec {
        /// G.711.
        G711 = "G711",
        /// AAC.
        Aac = "AAC",
        /// No audio.
        None = "NONE",
    }
}

/// A resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resolution {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl Resolution {
    /// A resolution.
    pub fn new(width: u32, height: u32) -> Self {
        Self { width, height }
    }
}

/// A stream format the camera offers, listed at discovery.
///
/// ```
/// use ha_alexa::interface::camera_stream_controller::*;
///
/// let config = CameraStreamConfiguration::new(
///     vec![StreamProtocol::Rtsp],
///     vec![Resolution::new(1280, 720)],
///     vec![StreamAuthorization::None],
///     vec![VideoCodec::H264],
///     vec![AudioCodec::Aac],
/// );
/// assert!(serde_json::to_string(&config)?.contains(r#""protocols":["RTSP"]"#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CameraStreamConfiguration {
    /// Protocols.
    pub protocols: Vec<StreamProtocol>,
    /// Resolutions.
    pub resolutions: Vec<Resolution>,
    /// Authorization types.
    pub authorization_types: Vec<StreamAuthorization>,
    /// Video codecs.
    pub video_codecs: Vec<VideoCodec>,
    /// Audio codecs.
    pub audio_codecs: Vec<AudioCodec>,
}

impl CameraStreamConfiguration {
    /// A configuration.
    pub fn new(
        protocols: Vec<StreamProtocol>,
        resolutions: Vec<Resolution>,
        authorization_types: Vec<StreamAuthorization>,
        video_codecs: Vec<VideoCodec>,
        audio_codecs: Vec<AudioCodec>,
    ) -> Self {
        Self {
            protocols,
            resolutions,
            authorization_types,
            video_codecs,
            audio_codecs,
        }
    }
}

/// Payload of the CameraStreamController Response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CameraStreams {
    /// The streams, at least one.
    pub camera_streams: Vec<CameraStream>,
    /// A still image of the camera.
    pub image_uri: String,
}

impl CameraStreams {
    /// A response payload.
    pub fn new(camera_streams: Vec<CameraStream>, image_uri: impl Into<String>) -> Self {
        Self {
            camera_streams,
            image_uri: image_uri.into(),
        }
    }
}

/// One stream of a [`CameraStreams`] response.
///
/// ```
/// use ha_alexa::interface::camera_stream_controller::*;
///
/// let stream = CameraStream::new(
///     "rtsp://cam.example.com:443/live",
///     StreamProtocol::Rtsp,
///     Resolution::new(1280, 720),
///     StreamAuthorization::None,
///     VideoCodec::H264,
///     AudioCodec::Aac,
/// );
/// assert_eq!(stream.protocol, StreamProtocol::Rtsp);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CameraStream {
    /// The stream URI.
    pub uri: String,
    /// When the URI stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_time: Option<Timestamp>,
    /// Seconds of inactivity before the stream closes, at least 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_timeout_seconds: Option<u32>,
    /// Protocol.
    pub protocol: StreamProtocol,
    /// Resolution.
    pub resolution: Resolution,
    /// Authorization.
    pub authorization_type: StreamAuthorization,
    /// Video codec.
    pub video_codec: VideoCodec,
    /// Audio codec.
    pub audio_codec: AudioCodec,
}

impl CameraStream {
    /// A stream without expiry or idle timeout.
    pub fn new(
        uri: impl Into<String>,
        protocol: StreamProtocol,
        resolution: Resolution,
        authorization_type: StreamAuthorization,
        video_codec: VideoCodec,
        audio_codec: AudioCodec,
    ) -> Self {
        Self {
            uri: uri.into(),
            expiration_time: None,
            idle_timeout_seconds: None,
            protocol,
            resolution,
            authorization_type,
            video_codec,
            audio_codec,
        }
    }

    /// Sets when the URI stops working.
    #[must_use]
    pub fn with_expiration_time(mut self, expiration_time: Timestamp) -> Self {
        self.expiration_time = Some(expiration_time);
        self
    }

    /// Sets the seconds of inactivity before the stream closes.
    #[must_use]
    pub fn with_idle_timeout_seconds(mut self, seconds: u32) -> Self {
        self.idle_timeout_seconds = Some(seconds);
        self
    }
}

impl Capability {
    /// `Alexa.CameraStreamController` offering these stream formats.
    ///
    /// ```
    /// let cap = ha_alexa::Capability::camera_stream_controller(vec![]);
    /// assert_eq!(cap.camera_stream_configurations().map(<[_]>::len), Some(0));
    /// ```
    pub fn camera_stream_controller(configurations: Vec<CameraStreamConfiguration>) -> Self {
        Self::bare(Namespace::CameraStreamController)
            .set_camera_stream_configurations(configurations)
    }
}

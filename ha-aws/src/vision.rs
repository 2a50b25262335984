//! Rekognition vision: objects, faces, identification, face indexing and annotated images.
//!
//! - [`ObjectDetector`]: DetectLabels with a confidence filter (default 70), targets with
//!   their own confidence, a region of interest (an object counts when its box centre lies
//!   inside) and counts per label.
//! - [`FaceDetector`]: DetectFaces with typed attributes (DEFAULT or ALL), identification
//!   against a collection with SearchFacesByImage (a similarity threshold apart from the
//!   detection confidence), start-up creation of the collection, and `index_face` from a
//!   file or a folder.
//! - [`annotate`], [`ImageSaver`] and [`ImageOutput`]: boxes and labels drawn on the image,
//!   saved as `<name>_latest.jpg` atomically, with optional timestamped copies, and (feature
//!   `s3`) uploaded to an S3 bucket under a key prefix (`S3Upload`).
//! - [`Entity`]: each result as a hub entity (state = number of matches), serde-serializable.
//! - [`ImageProcessing`]: the `image_processing:` platform from configuration to running
//!   [`VisionProcessor`]s, one per camera, each taking frames from a [`FrameSource`]
//!   ([`FileSource`], `HttpSnapshot` with the `snapshot` feature, [`FrameSlot`]), scanning on
//!   an interval or on demand, one scan at a time with a timeout, firing [`VisionEvent`]s.
//! - [`CostGuard`]: per-camera budgets of Rekognition calls per hour and per day, the
//!   projected monthly cost, a perceptual-hash skip of near-identical frames and a motion gate.
//!
//! Images are checked before upload ([`SourceImage`]: JPEG or PNG, at most 5 MiB). The
//! [`image`] crate is re-exported for the pixel types in these signatures.
//!
//! # Examples
//!
//! ```
//! # #[cfg(feature = "emulator")]
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use ha_aws::emulator::{Emulator, ScriptedLabel};
//! use ha_aws::vision::{BoundingBox, ObjectDetector, ObjectSettings, SourceImage, encode_jpeg};
//!
//! let emulator = Emulator::start().await;
//! emulator.set_labels([ScriptedLabel::new("Car", 91.0).with_instance(BoundingBox::new(0.5, 0.5, 0.4, 0.3), 90.0)]);
//! let detector = ObjectDetector::new(&emulator.session().await, ObjectSettings::new("Driveway"))?;
//!
//! let frame = image::RgbImage::new(320, 240);
//! let detection = detector.detect(&SourceImage::new(encode_jpeg(&frame, 75)?)?).await?;
//! assert_eq!(detection.counts()["Car"], 1);
//! # Ok::<(), ha_aws::Error>(())
//! # }).unwrap();
//! ```

mod annotate;
mod config;
mod entity;
mod faces;
mod font;
mod geometry;
mod guard;
mod ids;
mod index;
mod labels;
mod objects;
mod output;
mod platform;
mod save;
#[cfg(feature = "snapshot")]
mod snapshot;
mod source;
#[cfg(feature = "s3")]
mod upload;

pub use image;

pub use annotate::{Annotation, FACE_COLOUR, OBJECT_COLOUR, REGION_COLOUR, annotate, line_width};
pub use config::{
    CameraSource, DEFAULT_SCAN_INTERVAL, DEFAULT_SCAN_TIMEOUT, ImageProcessingConfig,
    VisionPlatform,
};
pub use entity::Entity;
pub use faces::{
    AgeRange, CollectionStatus, DEFAULT_MAX_SEARCHES, DEFAULT_SIMILARITY, DetectionAttributes,
    EyeDirection, Face, FaceAttribute, FaceAttributes, FaceDetection, FaceDetector, FaceMatch,
    FaceSettings, Flag, Rated,
};
pub use geometry::{BoundingBox, PixelBox, RegionOfInterest};
pub use guard::{
    Budget, CostGuard, CostSettings, DEFAULT_SIMILAR_DISTANCE, PRICE_PER_IMAGE_USD, SkipReason,
    difference_hash,
};
pub use ids::{CollectionId, ImageId};
pub use index::{IndexProgress, IndexReport, IndexRequest, IndexSource, IndexedFace};
pub use labels::{
    DominantColour, ImageProperties, ImageQuality, LabelSettings, MAX_DOMINANT_COLOURS,
    MAX_FILTER_NAMES,
};
pub use objects::{
    DEFAULT_CONFIDENCE, DetectedLabel, DetectedObject, ObjectDetection, ObjectDetector,
    ObjectSettings, Target,
};
pub use output::ImageOutput;
#[cfg(feature = "snapshot")]
pub use platform::HttpSnapshot;
pub use platform::{
    EVENT_CAPACITY, EntityState, FileSource, FrameSlot, FrameSource, ImageProcessing, Scan,
    VisionEvent, VisionProcessor,
};
pub use save::{ImageSaver, SaveFormat, SavedImage, sanitize_name, timestamp_suffix};
pub use source::{ImageFormat, MAX_IMAGE_BYTES, SourceImage};
#[cfg(feature = "s3")]
pub use upload::{S3Upload, UploadedImage};

use crate::error::{Error, VisionError};

/// The JPEG quality of saved images unless set otherwise (Pillow's default).
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::DEFAULT_JPEG_QUALITY, 75);
/// ```
pub const DEFAULT_JPEG_QUALITY: u8 = 75;

/// Encodes RGB pixels as a baseline JPEG at `quality` (1..=100; 75 is Pillow's default).
///
/// # Errors
///
/// [`VisionError::Encode`] when the encoder fails (an image wider or taller than 65535).
///
/// # Examples
///
/// ```
/// let jpeg = ha_aws::vision::encode_jpeg(&image::RgbImage::new(16, 16), 75)?;
/// assert_eq!(ha_aws::vision::ImageFormat::sniff(&jpeg), Some(ha_aws::vision::ImageFormat::Jpeg));
/// # Ok::<(), ha_aws::Error>(())
/// ```
pub fn encode_jpeg(image: &image::RgbImage, quality: u8) -> Result<Vec<u8>, Error> {
    source::encode_jpeg(image, quality.clamp(1, 100))
}

/// Serializes a confidence, similarity or fraction rounded to 3 decimals, as Home Assistant's
/// Rekognition integrations show them (`99.936`, not `99.9364013671875`).
#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference to the field"
)]
pub(crate) fn rounded<S: serde::Serializer>(value: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((f64::from(*value) * 1000.0).round() / 1000.0)
}

/// Checks a percentage option.
fn check_percentage(option: &'static str, value: f32) -> Result<(), Error> {
    if (0.0..=100.0).contains(&value) {
        Ok(())
    } else {
        Err(VisionError::InvalidPercentage { option, value }.into())
    }
}

/// A box from the SDK; missing values count as 0.
fn from_sdk_box(bounding_box: &aws_sdk_rekognition::types::BoundingBox) -> BoundingBox {
    BoundingBox::new(
        bounding_box.left().unwrap_or(0.0),
        bounding_box.top().unwrap_or(0.0),
        bounding_box.width().unwrap_or(0.0),
        bounding_box.height().unwrap_or(0.0),
    )
}

#[cfg(test)]
fn to_sdk_box(bounding_box: &BoundingBox) -> aws_sdk_rekognition::types::BoundingBox {
    aws_sdk_rekognition::types::BoundingBox::builder()
        .left(bounding_box.left)
        .top(bounding_box.top)
        .width(bounding_box.width)
        .height(bounding_box.height)
        .build()
}

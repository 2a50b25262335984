//! The `image_processing:` entries of Home Assistant's `aws:` section.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

use super::faces::{DEFAULT_MAX_SEARCHES, DEFAULT_SIMILARITY, DetectionAttributes, FaceSettings};
use super::geometry::RegionOfInterest;
use super::guard::CostSettings;
use super::ids::CollectionId;
use super::labels::LabelSettings;
use super::objects::{DEFAULT_CONFIDENCE, ObjectSettings, Target};
use super::output::ImageOutput;
use super::save::{ImageSaver, SaveFormat};
use crate::credential::{CredentialChoice, SecretAccessKey};
use crate::error::{Error, VisionError};
use crate::region::Region;

/// Which `image_processing` platform an entry sets up.
///
/// # Examples
///
/// ```
/// let platform: ha_aws::vision::VisionPlatform = serde_json::from_str(r#""face""#).unwrap();
/// assert_eq!(platform, ha_aws::vision::VisionPlatform::Face);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum VisionPlatform {
    /// Face detection and identification.
    Face,
    /// Object detection.
    Object,
}

/// A camera an entry processes, the entity's name, and where its frames come from: a `file`
/// read on every scan, a `snapshot_url` fetched on every scan (Tasmota's webcam serves
/// `http://<ip>/snapshot.jpg`), or neither, when the hub supplies frames
/// ([`FrameSlot`](crate::vision::FrameSlot) or its own [`FrameSource`](crate::vision::FrameSource)).
///
/// # Examples
///
/// ```
/// let source = ha_aws::vision::CameraSource::new("camera.door");
/// assert_eq!(source.entity_name(ha_aws::vision::VisionPlatform::Object), "rekognition_object_door");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct CameraSource {
    /// The camera entity.
    pub entity_id: String,
    /// The entity name, if given.
    #[serde(default)]
    pub name: Option<String>,
    /// A file holding the camera's latest frame.
    #[serde(default)]
    pub file: Option<PathBuf>,
    /// An HTTP(S) URL serving the camera's latest frame as JPEG or PNG.
    #[serde(default)]
    pub snapshot_url: Option<String>,
}

impl CameraSource {
    /// The camera `entity_id`, without a name or a frame source.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::CameraSource::new("camera.yard").entity_id, "camera.yard");
    /// ```
    pub fn new(entity_id: impl Into<String>) -> Self {
        Self {
            entity_id: entity_id.into(),
            name: None,
            file: None,
            snapshot_url: None,
        }
    }

    /// The same source with the entity name `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// let source = ha_aws::vision::CameraSource::new("camera.yard").with_name("Yard");
    /// assert_eq!(source.name.as_deref(), Some("Yard"));
    /// ```
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The given name, or `rekognition_<platform>_<camera object id>`.
    ///
    /// # Examples
    ///
    /// ```
    /// let source = ha_aws::vision::CameraSource::new("camera.door").with_name("Door");
    /// assert_eq!(source.entity_name(ha_aws::vision::VisionPlatform::Face), "Door");
    /// ```
    pub fn entity_name(&self, platform: VisionPlatform) -> String {
        self.name.clone().unwrap_or_else(|| {
            let object_id = self
                .entity_id
                .split_once('.')
                .map_or(self.entity_id.as_str(), |(_, id)| id);
            let platform = match platform {
                VisionPlatform::Face => "face",
                VisionPlatform::Object => "object",
            };
            format!("rekognition_{platform}_{object_id}")
        })
    }
}

/// One `image_processing:` entry (`service: rekognition`), checked while deserializing.
///
/// Options: `platform` (`face`/`object`), `region_name`, the credential options of notify
/// entries, `collection_id`, `confidence` (default 70), `detection_attributes`,
/// `identify_faces`, `save_file_folder`, `save_file_timestamp`, `source`; from
/// HASS-amazon-rekognition `targets` (names or `{label, confidence}`), `roi_x_min`/`roi_y_min`/
/// `roi_x_max`/`roi_y_max`, `scale` (0.1..=1), `show_boxes` (default true),
/// `save_file_format` (`jpg`/`png`), `save_timestamped_file` (the same as
/// `save_file_timestamp`), `always_save_latest_file`; and this crate's additions
/// `exclude_targets`, `max_saved_files`, `similarity` (default 80), `max_searches` (default
/// 10), `scan_interval` and `scan_timeout` (seconds, default 10 each), `cost_guard`
/// ([`CostSettings`]), `s3_bucket` and `s3_key_prefix` (feature `s3`: saved images are uploaded
/// to `<prefix><file name>`; needs `save_file_folder`) and `label_settings` (DetectLabels
/// `Settings`: [`LabelSettings`](crate::vision::LabelSettings)).
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{ImageProcessingConfig, VisionPlatform};
///
/// let entry: ImageProcessingConfig = serde_json::from_str(r#"{
///     "platform": "object", "service": "rekognition", "region_name": "us-east-1",
///     "confidence": 90, "targets": ["person", {"label": "car", "confidence": 60}],
///     "source": [{"entity_id": "camera.demo_camera_1", "name": "Demo Object Detection"}]
/// }"#)?;
/// assert_eq!(entry.platform(), VisionPlatform::Object);
/// let settings = entry.object_settings(&entry.sources()[0])?;
/// assert_eq!(settings.name(), "Demo Object Detection");
/// assert_eq!(settings.threshold_for("car"), Some(60.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one field per boolean option of the entry"
)]
pub struct ImageProcessingConfig {
    platform: VisionPlatform,
    region: Region,
    credential: CredentialChoice,
    sources: Vec<CameraSource>,
    collection: Option<CollectionId>,
    confidence: f32,
    attributes: DetectionAttributes,
    identify: bool,
    save_folder: Option<PathBuf>,
    save_timestamp: bool,
    targets: Vec<Target>,
    region_of_interest: RegionOfInterest,
    similarity: f32,
    max_searches: usize,
    save_format: SaveFormat,
    always_save_latest: bool,
    max_saved_files: Option<usize>,
    show_boxes: bool,
    scale: f32,
    excluded: Vec<String>,
    scan_interval: Duration,
    scan_timeout: Duration,
    cost_guard: Option<CostSettings>,
    labels: LabelSettings,
    #[cfg(feature = "s3")]
    upload: Option<super::upload::S3Upload>,
}

/// How often each camera is scanned unless `scan_interval` says otherwise (10 s, Home
/// Assistant's image processing default).
pub const DEFAULT_SCAN_INTERVAL: Duration = Duration::from_secs(10);

/// How long one scan (frame, Rekognition calls, saving) may take unless `scan_timeout` says
/// otherwise.
pub const DEFAULT_SCAN_TIMEOUT: Duration = Duration::from_secs(10);

impl ImageProcessingConfig {
    /// The time between scans (`scan_interval`, seconds; 10 unless set).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// println!("{:?}", entry.scan_interval());
    /// # }
    /// ```
    pub fn scan_interval(&self) -> Duration {
        self.scan_interval
    }

    /// The longest a scan may take (`scan_timeout`, seconds; 10 unless set).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// println!("{:?}", entry.scan_timeout());
    /// # }
    /// ```
    pub fn scan_timeout(&self) -> Duration {
        self.scan_timeout
    }

    /// The factor frames are shrunk by before upload and drawing (`scale`, 0.1..=1; 1 unless
    /// set).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// println!("{}", entry.scale());
    /// # }
    /// ```
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// The cost guard's settings (`cost_guard:`), if the entry has one.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// println!("{:?}", entry.cost_guard());
    /// # }
    /// ```
    pub fn cost_guard(&self) -> Option<&CostSettings> {
        self.cost_guard.as_ref()
    }

    /// The face collection, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// println!("{:?}", entry.collection());
    /// # }
    /// ```
    pub fn collection(&self) -> Option<&CollectionId> {
        self.collection.as_ref()
    }

    /// The platform.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// println!("{:?}", entry.platform());
    /// # }
    /// ```
    pub fn platform(&self) -> VisionPlatform {
        self.platform
    }

    /// The region.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// println!("{}", entry.region().as_str());
    /// # }
    /// ```
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// How the entry picks its credential.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// println!("{:?}", entry.credential());
    /// # }
    /// ```
    pub fn credential(&self) -> &CredentialChoice {
        &self.credential
    }

    /// The cameras, one entity each.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) {
    /// for source in entry.sources() {
    ///     println!("{}", source.entity_id);
    /// }
    /// # }
    /// ```
    pub fn sources(&self) -> &[CameraSource] {
        &self.sources
    }

    /// How the entry's entities draw, save and upload images: `show_boxes`, the `save_file_*`
    /// options, `always_save_latest_file`, `max_saved_files`, `s3_bucket` and `s3_key_prefix`.
    ///
    /// # Errors
    ///
    /// [`VisionError::SaveFolder`](crate::VisionError::SaveFolder) when `save_file_folder` is
    /// missing or not writable.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) -> Result<(), ha_aws::Error> {
    /// println!("boxes drawn: {}", entry.output()?.show_boxes());
    /// # Ok(()) }
    /// ```
    pub fn output(&self) -> Result<ImageOutput, Error> {
        let mut output = ImageOutput::default().with_show_boxes(self.show_boxes);
        if let Some(folder) = &self.save_folder {
            output = output.with_saver(
                ImageSaver::new(folder)?
                    .with_timestamp(self.save_timestamp)
                    .with_format(self.save_format)
                    .with_always_save_latest(self.always_save_latest)
                    .with_max_saved_files(self.max_saved_files),
            );
        }
        #[cfg(feature = "s3")]
        if let Some(upload) = &self.upload {
            output = output.with_upload(upload.clone());
        }
        Ok(output)
    }

    /// Object detection settings for `source`'s entity.
    ///
    /// # Errors
    ///
    /// [`VisionError::SaveFolder`](crate::VisionError::SaveFolder) when `save_file_folder` is
    /// missing or not writable.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) -> Result<(), ha_aws::Error> {
    /// let settings = entry.object_settings(&entry.sources()[0])?;
    /// # Ok(()) }
    /// ```
    pub fn object_settings(&self, source: &CameraSource) -> Result<ObjectSettings, Error> {
        Ok(ObjectSettings::new(source.entity_name(self.platform))
            .with_confidence(self.confidence)
            .with_targets(self.targets.iter().cloned())
            .with_excluded(self.excluded.iter().cloned())
            .with_region(self.region_of_interest)
            .with_label_settings(self.labels.clone())
            .with_output(self.output()?))
    }

    /// Face settings for `source`'s entity.
    ///
    /// # Errors
    ///
    /// [`VisionError::SaveFolder`](crate::VisionError::SaveFolder) when `save_file_folder` is
    /// missing or not writable.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(entry: &ha_aws::vision::ImageProcessingConfig) -> Result<(), ha_aws::Error> {
    /// let settings = entry.face_settings(&entry.sources()[0])?;
    /// # Ok(()) }
    /// ```
    pub fn face_settings(&self, source: &CameraSource) -> Result<FaceSettings, Error> {
        let mut settings = FaceSettings::new(source.entity_name(self.platform))
            .with_confidence(self.confidence)
            .with_similarity(self.similarity)
            .with_attributes(self.attributes.clone())
            .with_identify(self.identify)
            .with_max_searches(self.max_searches)
            .with_output(self.output()?);
        if let Some(collection) = &self.collection {
            settings = settings.with_collection(collection.clone());
        }
        Ok(settings)
    }
}

impl<'de> Deserialize<'de> for ImageProcessingConfig {
    #[expect(
        clippy::too_many_lines,
        reason = "one line per option of the entry, then the checks in order"
    )]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Service {
            Rekognition,
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            platform: VisionPlatform,
            #[serde(rename = "service")]
            _service: Service,
            region_name: Region,
            credential_name: Option<String>,
            aws_access_key_id: Option<String>,
            aws_secret_access_key: Option<SecretAccessKey>,
            profile_name: Option<String>,
            collection_id: Option<CollectionId>,
            confidence: Option<f32>,
            detection_attributes: Option<DetectionAttributes>,
            #[serde(default)]
            identify_faces: bool,
            save_file_folder: Option<PathBuf>,
            #[serde(default, alias = "save_timestamped_file")]
            save_file_timestamp: bool,
            #[serde(default)]
            save_file_format: SaveFormat,
            #[serde(default)]
            always_save_latest_file: bool,
            max_saved_files: Option<usize>,
            show_boxes: Option<bool>,
            scale: Option<f32>,
            #[serde(default)]
            exclude_targets: Vec<String>,
            scan_interval: Option<f64>,
            scan_timeout: Option<f64>,
            cost_guard: Option<CostSettings>,
            source: Vec<CameraSource>,
            #[serde(default)]
            targets: Vec<Target>,
            roi_x_min: Option<f32>,
            roi_y_min: Option<f32>,
            roi_x_max: Option<f32>,
            roi_y_max: Option<f32>,
            similarity: Option<f32>,
            max_searches: Option<usize>,
            s3_bucket: Option<String>,
            s3_key_prefix: Option<String>,
            label_settings: Option<LabelSettings>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let label = format!("image_processing {:?}", raw.platform).to_lowercase();
        let credential = CredentialChoice::from_options(
            &label,
            raw.credential_name,
            raw.aws_access_key_id,
            raw.aws_secret_access_key,
            raw.profile_name,
        )
        .map_err(serde::de::Error::custom)?;
        let region_of_interest = RegionOfInterest::new(
            raw.roi_x_min.unwrap_or(0.0),
            raw.roi_y_min.unwrap_or(0.0),
            raw.roi_x_max.unwrap_or(1.0),
            raw.roi_y_max.unwrap_or(1.0),
        )
        .map_err(serde::de::Error::custom)?;
        let config = Self {
            platform: raw.platform,
            region: raw.region_name,
            credential,
            sources: raw.source,
            collection: raw.collection_id,
            confidence: raw.confidence.unwrap_or(DEFAULT_CONFIDENCE),
            attributes: raw.detection_attributes.unwrap_or_default(),
            identify: raw.identify_faces,
            save_folder: raw.save_file_folder,
            save_timestamp: raw.save_file_timestamp,
            targets: raw.targets,
            region_of_interest,
            similarity: raw.similarity.unwrap_or(DEFAULT_SIMILARITY),
            max_searches: raw.max_searches.unwrap_or(DEFAULT_MAX_SEARCHES),
            save_format: raw.save_file_format,
            always_save_latest: raw.always_save_latest_file,
            max_saved_files: raw.max_saved_files,
            show_boxes: raw.show_boxes.unwrap_or(true),
            scale: raw.scale.unwrap_or(1.0),
            excluded: raw.exclude_targets,
            scan_interval: seconds("scan_interval", raw.scan_interval, DEFAULT_SCAN_INTERVAL)
                .map_err(serde::de::Error::custom)?,
            scan_timeout: seconds("scan_timeout", raw.scan_timeout, DEFAULT_SCAN_TIMEOUT)
                .map_err(serde::de::Error::custom)?,
            cost_guard: raw.cost_guard,
            labels: raw.label_settings.clone().unwrap_or_default(),
            #[cfg(feature = "s3")]
            upload: upload(raw.s3_bucket, raw.s3_key_prefix).map_err(serde::de::Error::custom)?,
        };
        #[cfg(not(feature = "s3"))]
        if raw.s3_bucket.is_some() || raw.s3_key_prefix.is_some() {
            return Err(serde::de::Error::custom(VisionError::FeatureDisabled {
                option: "s3_bucket".to_owned(),
                feature: "s3",
            }));
        }
        #[cfg(feature = "s3")]
        if config.upload.is_some() && config.save_folder.is_none() {
            return Err(serde::de::Error::custom(
                "s3_bucket uploads the saved images: it needs save_file_folder",
            ));
        }
        if !(0.1..=1.0).contains(&config.scale) {
            return Err(serde::de::Error::custom(VisionError::InvalidScale {
                value: config.scale,
            }));
        }
        // the checks that need no file system: percentages, identification without collection
        let checked = match config.platform {
            VisionPlatform::Object => ObjectSettings::new("")
                .with_confidence(config.confidence)
                .with_targets(config.targets.iter().cloned())
                .with_label_settings(config.labels.clone())
                .check(),
            VisionPlatform::Face if raw.label_settings.is_some() => {
                Err(Error::from(VisionError::InvalidLabelSettings {
                    reason: "DetectLabels settings apply to `platform: object` entries only"
                        .to_owned(),
                }))
            }
            VisionPlatform::Face => {
                let mut settings = FaceSettings::new("")
                    .with_confidence(config.confidence)
                    .with_similarity(config.similarity)
                    .with_identify(config.identify);
                if let Some(collection) = &config.collection {
                    settings = settings.with_collection(collection.clone());
                }
                settings.check()
            }
        };
        checked.map_err(serde::de::Error::custom)?;
        Ok(config)
    }
}

/// A positive number of seconds, or `default`.
fn seconds(option: &str, value: Option<f64>, default: Duration) -> Result<Duration, String> {
    match value {
        None => Ok(default),
        Some(seconds) if seconds > 0.0 => {
            Duration::try_from_secs_f64(seconds).map_err(|error| format!("{option}: {error}"))
        }
        Some(seconds) => Err(format!("{option} {seconds} must be above 0 seconds")),
    }
}

/// The upload `s3_bucket` and `s3_key_prefix` describe, if a bucket is given.
#[cfg(feature = "s3")]
fn upload(
    bucket: Option<String>,
    prefix: Option<String>,
) -> Result<Option<super::upload::S3Upload>, String> {
    match (bucket, prefix) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err("s3_key_prefix needs s3_bucket".to_owned()),
        (Some(bucket), prefix) => {
            let upload = super::upload::S3Upload::new(bucket).map_err(|error| error.to_string())?;
            match prefix {
                Some(prefix) => upload
                    .with_prefix(prefix)
                    .map(Some)
                    .map_err(|error| error.to_string()),
                None => Ok(Some(upload)),
            }
        }
    }
}

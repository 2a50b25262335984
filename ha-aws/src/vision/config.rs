//! The `image_processing:` entries of Home Assistant's `aws:` section.

use std::path::PathBuf;

use serde::{Deserialize, Deserializer};

use super::faces::{DEFAULT_MAX_SEARCHES, DEFAULT_SIMILARITY, DetectionAttributes, FaceSettings};
use super::geometry::RegionOfInterest;
use super::ids::CollectionId;
use super::objects::{DEFAULT_CONFIDENCE, ObjectSettings, Target};
use super::save::ImageSaver;
use crate::credential::{CredentialChoice, SecretAccessKey};
use crate::error::Error;
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

/// A camera an entry processes, and the entity's name.
///
/// # Examples
///
/// ```
/// let source = ha_aws::vision::CameraSource { entity_id: "camera.door".into(), name: None };
/// assert_eq!(source.entity_name(ha_aws::vision::VisionPlatform::Object), "rekognition_object_door");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CameraSource {
    /// The camera entity.
    pub entity_id: String,
    /// The entity name, if given.
    pub name: Option<String>,
}

impl CameraSource {
    /// The given name, or `rekognition_<platform>_<camera object id>`.
    ///
    /// # Examples
    ///
    /// ```
    /// let source = ha_aws::vision::CameraSource { entity_id: "camera.door".into(), name: Some("Door".into()) };
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
/// `identify_faces`, `save_file_folder`, `save_file_timestamp`, `source`, and this crate's
/// additions `targets` (names or `{label, confidence}`), `roi_x_min`/`roi_y_min`/`roi_x_max`/
/// `roi_y_max`, `similarity` (default 80) and `max_searches` (default 10).
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
}

impl ImageProcessingConfig {
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

    fn saver(&self) -> Result<Option<ImageSaver>, Error> {
        self.save_folder
            .as_ref()
            .map(|folder| {
                ImageSaver::new(folder).map(|saver| saver.with_timestamp(self.save_timestamp))
            })
            .transpose()
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
        let mut settings = ObjectSettings::new(source.entity_name(self.platform))
            .with_confidence(self.confidence)
            .with_targets(self.targets.iter().cloned())
            .with_region(self.region_of_interest);
        if let Some(saver) = self.saver()? {
            settings = settings.with_saver(saver);
        }
        Ok(settings)
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
            .with_attributes(self.attributes)
            .with_identify(self.identify)
            .with_max_searches(self.max_searches);
        if let Some(collection) = &self.collection {
            settings = settings.with_collection(collection.clone());
        }
        if let Some(saver) = self.saver()? {
            settings = settings.with_saver(saver);
        }
        Ok(settings)
    }
}

impl<'de> Deserialize<'de> for ImageProcessingConfig {
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
            #[serde(default)]
            save_file_timestamp: bool,
            source: Vec<CameraSource>,
            #[serde(default)]
            targets: Vec<Target>,
            roi_x_min: Option<f32>,
            roi_y_min: Option<f32>,
            roi_x_max: Option<f32>,
            roi_y_max: Option<f32>,
            similarity: Option<f32>,
            max_searches: Option<usize>,
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
        };
        // the checks that need no file system: percentages, identification without collection
        let checked = match config.platform {
            VisionPlatform::Object => ObjectSettings::new("")
                .with_confidence(config.confidence)
                .with_targets(config.targets.iter().cloned())
                .check(),
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

//! Face detection (DetectFaces), identification (SearchFacesByImage) and the collection faces
//! are identified against.

use aws_sdk_rekognition::types::{Attribute, FaceDetail, Image};
use serde::{Deserialize, Serialize};

use super::annotate::{Annotation, FACE_COLOUR};
use super::entity::Entity;
use super::geometry::BoundingBox;
use super::ids::CollectionId;
use super::objects::DEFAULT_CONFIDENCE;
use super::output::{ImageOutput, OutputClient};
use super::save::SavedImage;
use super::source::{SourceImage, encode_jpeg};
use super::{check_percentage, from_sdk_box};
use crate::error::{Error, VisionError, from_sdk};
use crate::service::Operation;
use crate::session::Session;

/// The similarity a collection face needs to identify a detected face, unless set otherwise.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::FaceSettings::default().similarity(), ha_aws::vision::DEFAULT_SIMILARITY);
/// ```
pub const DEFAULT_SIMILARITY: f32 = 80.0;

/// The most faces of one image searched for in the collection, unless set otherwise.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::FaceSettings::default().max_searches(), ha_aws::vision::DEFAULT_MAX_SEARCHES);
/// ```
pub const DEFAULT_MAX_SEARCHES: usize = 10;

/// The margin around a face cropped for a search, as a fraction of the face's size on each side.
const CROP_MARGIN: f32 = 0.25;

/// Which face attributes DetectFaces returns (`detection_attributes`): `DEFAULT`, `ALL`, or
/// specific attributes, given as one name (`SMILE`), a comma-separated list
/// (`AGE_RANGE, EMOTIONS`) or a YAML list, compared without regard to case.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{DetectionAttributes, FaceAttribute};
///
/// let all: DetectionAttributes = serde_json::from_str(r#""all""#).unwrap();
/// assert_eq!(all, DetectionAttributes::All);
/// let some: DetectionAttributes = serde_json::from_str(r#""AGE_RANGE, smile""#).unwrap();
/// assert_eq!(some, DetectionAttributes::Only(vec![FaceAttribute::AgeRange, FaceAttribute::Smile]));
/// let error = serde_json::from_str::<DetectionAttributes>(r#"["SMILE", "HAT"]"#).unwrap_err();
/// assert!(error.to_string().starts_with("unknown detection_attributes `HAT`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum DetectionAttributes {
    /// The box, confidence, pose, quality and landmarks.
    #[default]
    Default,
    /// Also age range, gender, emotions, smile, glasses, beard, moustache, eyes and mouth open,
    /// eye direction and occlusion.
    All,
    /// The default ones and these (never empty, no duplicates).
    Only(Vec<FaceAttribute>),
}

/// One face attribute DetectFaces can be asked for by name.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::FaceAttribute;
///
/// assert_eq!(FaceAttribute::EyesOpen.as_str(), "EYES_OPEN");
/// assert_eq!("eyes_open".parse::<FaceAttribute>(), Ok(FaceAttribute::EyesOpen));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum FaceAttribute {
    /// `AGE_RANGE`.
    AgeRange,
    /// `BEARD`.
    Beard,
    /// `EMOTIONS`.
    Emotions,
    /// `EYE_DIRECTION`.
    EyeDirection,
    /// `EYEGLASSES`.
    Eyeglasses,
    /// `EYES_OPEN`.
    EyesOpen,
    /// `FACE_OCCLUDED`.
    FaceOccluded,
    /// `GENDER`.
    Gender,
    /// `MOUTH_OPEN`.
    MouthOpen,
    /// `MUSTACHE`.
    Mustache,
    /// `SMILE`.
    Smile,
    /// `SUNGLASSES`.
    Sunglasses,
}

impl FaceAttribute {
    /// Every attribute, in Rekognition's order.
    pub const ALL: [Self; 12] = [
        Self::AgeRange,
        Self::Beard,
        Self::Emotions,
        Self::EyeDirection,
        Self::Eyeglasses,
        Self::EyesOpen,
        Self::FaceOccluded,
        Self::Gender,
        Self::MouthOpen,
        Self::Mustache,
        Self::Smile,
        Self::Sunglasses,
    ];

    /// Rekognition's name of the attribute.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceAttribute::AgeRange.as_str(), "AGE_RANGE");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AgeRange => "AGE_RANGE",
            Self::Beard => "BEARD",
            Self::Emotions => "EMOTIONS",
            Self::EyeDirection => "EYE_DIRECTION",
            Self::Eyeglasses => "EYEGLASSES",
            Self::EyesOpen => "EYES_OPEN",
            Self::FaceOccluded => "FACE_OCCLUDED",
            Self::Gender => "GENDER",
            Self::MouthOpen => "MOUTH_OPEN",
            Self::Mustache => "MUSTACHE",
            Self::Smile => "SMILE",
            Self::Sunglasses => "SUNGLASSES",
        }
    }
}

impl core::str::FromStr for FaceAttribute {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|attribute| attribute.as_str().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL
                    .iter()
                    .map(|attribute| attribute.as_str())
                    .collect();
                format!(
                    "unknown detection_attributes `{}`; expected DEFAULT, ALL or one or more of {}",
                    name.trim(),
                    names.join(", ")
                )
            })
    }
}

impl Serialize for FaceAttribute {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl DetectionAttributes {
    /// Reads names: `DEFAULT` (or `NONE`) alone, `ALL` alone, or specific attributes.
    fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let names: Vec<&str> = names
            .into_iter()
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .collect();
        match names.as_slice() {
            [] => Err(
                "detection_attributes is empty; expected DEFAULT, ALL or attribute names"
                    .to_owned(),
            ),
            [one] if one.eq_ignore_ascii_case("DEFAULT") || one.eq_ignore_ascii_case("NONE") => {
                Ok(Self::Default)
            }
            [one] if one.eq_ignore_ascii_case("ALL") => Ok(Self::All),
            names => {
                let mut attributes = Vec::with_capacity(names.len());
                for name in names {
                    if ["DEFAULT", "NONE", "ALL"]
                        .iter()
                        .any(|alone| alone.eq_ignore_ascii_case(name))
                    {
                        return Err(format!(
                            "detection_attributes `{name}` stands alone; it cannot be listed with other attributes"
                        ));
                    }
                    let attribute: FaceAttribute = name.parse()?;
                    if attributes.contains(&attribute) {
                        return Err(format!(
                            "detection_attributes lists `{}` twice",
                            attribute.as_str()
                        ));
                    }
                    attributes.push(attribute);
                }
                Ok(Self::Only(attributes))
            }
        }
    }

    /// The `Attributes` of the DetectFaces request.
    fn sdk(&self) -> Vec<Attribute> {
        match self {
            Self::Default => vec![Attribute::Default],
            Self::All => vec![Attribute::All],
            Self::Only(attributes) => attributes
                .iter()
                .map(|attribute| Attribute::from(attribute.as_str()))
                .collect(),
        }
    }
}

impl Serialize for DetectionAttributes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Default => serializer.serialize_str("DEFAULT"),
            Self::All => serializer.serialize_str("ALL"),
            Self::Only(attributes) => attributes.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for DetectionAttributes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            List(Vec<String>),
        }
        let parsed = match Raw::deserialize(deserializer)? {
            Raw::Text(text) => Self::from_names(text.split(',')),
            Raw::List(names) => Self::from_names(names.iter().map(String::as_str)),
        };
        parsed.map_err(serde::de::Error::custom)
    }
}

/// An estimated age range, in years.
///
/// # Examples
///
/// ```
/// let range = ha_aws::vision::AgeRange { low: 30, high: 38 };
/// assert!(range.low <= range.high);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgeRange {
    /// Lowest estimated age.
    pub low: i32,
    /// Highest estimated age.
    pub high: i32,
}

/// A yes-or-no attribute (smiling, wearing glasses, ...) with its confidence.
///
/// # Examples
///
/// ```
/// let smile = ha_aws::vision::Flag { value: true, confidence: 97.0 };
/// assert!(smile.value);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Flag {
    /// Whether the face shows it.
    pub value: bool,
    /// Confidence, in percent.
    #[serde(serialize_with = "super::rounded")]
    pub confidence: f32,
}

/// A named attribute (a gender, an emotion) with its confidence.
///
/// # Examples
///
/// ```
/// let happy = ha_aws::vision::Rated { value: "HAPPY".to_owned(), confidence: 91.0 };
/// assert_eq!(happy.value, "HAPPY");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rated {
    /// The name, as Rekognition gives it (`Female`, `HAPPY`).
    pub value: String,
    /// Confidence, in percent.
    #[serde(serialize_with = "super::rounded")]
    pub confidence: f32,
}

/// The attributes of a face; those DetectFaces did not return (with
/// [`DetectionAttributes::Default`]) are `None` or empty.
///
/// # Examples
///
/// ```
/// # fn demo(face: &ha_aws::vision::Face) {
/// if let Some(age) = face.attributes.age_range {
///     println!("{}-{} years", age.low, age.high);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct FaceAttributes {
    /// Estimated age range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_range: Option<AgeRange>,
    /// Predicted gender presentation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<Rated>,
    /// Emotions, most confident first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub emotions: Vec<Rated>,
    /// Smiling.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smile: Option<Flag>,
    /// Wearing glasses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eyeglasses: Option<Flag>,
    /// Wearing sunglasses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sunglasses: Option<Flag>,
    /// Having a beard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beard: Option<Flag>,
    /// Having a moustache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mustache: Option<Flag>,
    /// Eyes open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eyes_open: Option<Flag>,
    /// Mouth open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mouth_open: Option<Flag>,
    /// Partly hidden (a hand, a mask, an object in front).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub face_occluded: Option<Flag>,
    /// Where the eyes look.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eye_direction: Option<EyeDirection>,
}

/// Where a face's eyes look, in degrees.
///
/// # Examples
///
/// ```
/// let gaze = ha_aws::vision::EyeDirection { yaw: 5.0, pitch: -2.0, confidence: 99.0 };
/// assert!(gaze.yaw > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EyeDirection {
    /// Left (negative) or right (positive).
    pub yaw: f32,
    /// Down (negative) or up (positive).
    pub pitch: f32,
    /// Confidence, in percent.
    #[serde(serialize_with = "super::rounded")]
    pub confidence: f32,
}

impl FaceAttributes {
    fn from_sdk(detail: &FaceDetail) -> Self {
        fn flag(value: bool, confidence: Option<f32>) -> Flag {
            Flag {
                value,
                confidence: confidence.unwrap_or(0.0),
            }
        }
        let mut emotions: Vec<Rated> = detail
            .emotions()
            .iter()
            .filter_map(|emotion| {
                Some(Rated {
                    value: emotion.r#type()?.as_str().to_owned(),
                    confidence: emotion.confidence().unwrap_or(0.0),
                })
            })
            .collect();
        emotions.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        Self {
            age_range: detail.age_range().and_then(|range| {
                Some(AgeRange {
                    low: range.low()?,
                    high: range.high()?,
                })
            }),
            gender: detail.gender().and_then(|gender| {
                Some(Rated {
                    value: gender.value()?.as_str().to_owned(),
                    confidence: gender.confidence().unwrap_or(0.0),
                })
            }),
            emotions,
            smile: detail.smile().map(|a| flag(a.value(), a.confidence())),
            eyeglasses: detail.eyeglasses().map(|a| flag(a.value(), a.confidence())),
            sunglasses: detail.sunglasses().map(|a| flag(a.value(), a.confidence())),
            beard: detail.beard().map(|a| flag(a.value(), a.confidence())),
            mustache: detail.mustache().map(|a| flag(a.value(), a.confidence())),
            eyes_open: detail.eyes_open().map(|a| flag(a.value(), a.confidence())),
            mouth_open: detail.mouth_open().map(|a| flag(a.value(), a.confidence())),
            face_occluded: detail
                .face_occluded()
                .map(|a| flag(a.value(), a.confidence())),
            eye_direction: detail.eye_direction().map(|gaze| EyeDirection {
                yaw: gaze.yaw().unwrap_or(0.0),
                pitch: gaze.pitch().unwrap_or(0.0),
                confidence: gaze.confidence().unwrap_or(0.0),
            }),
        }
    }
}

/// The collection face that identified a detected face.
///
/// # Examples
///
/// ```
/// # fn demo(face: &ha_aws::vision::Face) {
/// if let Some(identity) = &face.identity {
///     println!("{} ({:.1}% similar)", identity.name, identity.similarity);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FaceMatch {
    /// The ExternalImageId the face was indexed under (the `image_id` of `index_face`).
    pub name: String,
    /// How similar the faces are, in percent (not the detection confidence).
    #[serde(serialize_with = "super::rounded")]
    pub similarity: f32,
    /// Rekognition's id of the collection face.
    pub face_id: String,
}

/// One detected face.
///
/// # Examples
///
/// ```
/// # fn demo(face: &ha_aws::vision::Face) {
/// println!("face {:.1}% at {:?}", face.confidence, face.bounding_box);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Face {
    /// Where the face is.
    pub bounding_box: BoundingBox,
    /// The detection confidence, in percent.
    #[serde(serialize_with = "super::rounded")]
    pub confidence: f32,
    /// Its attributes.
    pub attributes: FaceAttributes,
    /// Who it is, when identification is on and a collection face is similar enough.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<FaceMatch>,
}

/// What face detection found in one image.
///
/// [`FaceDetection::matches`] (the entity's state) counts identified faces when identification
/// is on, and detected faces otherwise.
///
/// # Examples
///
/// ```
/// # fn demo(detection: &ha_aws::vision::FaceDetection) {
/// for name in detection.names() {
///     println!("{name} is here");
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceDetection {
    faces: Vec<Face>,
    total_faces: usize,
    identify: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    saved: Option<SavedImage>,
}

impl FaceDetection {
    /// The faces at or above the detection confidence.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::FaceDetection) {
    /// println!("{} faces", detection.faces().len());
    /// # }
    /// ```
    pub fn faces(&self) -> &[Face] {
        &self.faces
    }

    /// The names of the identified faces.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::FaceDetection) {
    /// let jane_is_home = detection.names().any(|name| name == "jane");
    /// # }
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.faces.iter().filter_map(|face| {
            face.identity
                .as_ref()
                .map(|identity| identity.name.as_str())
        })
    }

    /// Identified faces with identification on, else detected faces.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::FaceDetection) {
    /// println!("state: {}", detection.matches());
    /// # }
    /// ```
    pub fn matches(&self) -> usize {
        if self.identify {
            self.names().count()
        } else {
            self.faces.len()
        }
    }

    /// The files the annotated image was saved to, when the detector saves images.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::FaceDetection) {
    /// let saved = detection.saved().map(|saved| saved.latest.clone());
    /// # }
    /// ```
    pub fn saved(&self) -> Option<&SavedImage> {
        self.saved.as_ref()
    }

    /// A box for each face, labelled with its name and similarity, or `face` and its confidence.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::FaceDetection) {
    /// assert_eq!(detection.annotations().len(), detection.faces().len());
    /// # }
    /// ```
    pub fn annotations(&self) -> Vec<Annotation> {
        self.faces
            .iter()
            .map(|face| {
                let label = face.identity.as_ref().map_or_else(
                    || format!("face {:.1}%", face.confidence),
                    |identity| format!("{} {:.1}%", identity.name, identity.similarity),
                );
                Annotation::new(face.bounding_box, label).with_colour(FACE_COLOUR)
            })
            .collect()
    }

    /// The result as a hub entity: state = [`FaceDetection::matches`], attributes = the faces.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::FaceDetection) {
    /// let json = serde_json::to_value(detection.entity()).unwrap();
    /// assert_eq!(json["attributes"]["total_faces"], detection.faces().len());
    /// # }
    /// ```
    pub fn entity(&self) -> Entity<&Self> {
        Entity::new(self.matches(), self)
    }
}

/// Whether [`FaceDetector::ensure_collection`] found the collection or created it.
///
/// # Examples
///
/// ```
/// # async fn demo(detector: ha_aws::vision::FaceDetector) -> Result<(), ha_aws::Error> {
/// if detector.ensure_collection().await? == ha_aws::vision::CollectionStatus::Created {
///     println!("new, empty collection: index some faces");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CollectionStatus {
    /// It was there.
    Existing,
    /// It was missing and has been created.
    Created,
}

/// How a [`FaceDetector`] detects, identifies and saves.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{CollectionId, DetectionAttributes, FaceSettings};
///
/// let settings = FaceSettings::new("Hall")
///     .with_collection(CollectionId::new("family")?)
///     .with_identify(true)
///     .with_confidence(90.0)
///     .with_similarity(85.0)
///     .with_attributes(DetectionAttributes::All);
/// assert!(settings.check().is_ok());
/// assert!(FaceSettings::new("Hall").with_identify(true).check().is_err(), "no collection");
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FaceSettings {
    name: String,
    confidence: f32,
    similarity: f32,
    attributes: DetectionAttributes,
    collection: Option<CollectionId>,
    identify: bool,
    max_searches: usize,
    output: ImageOutput,
}

impl Default for FaceSettings {
    fn default() -> Self {
        Self::new("rekognition_face")
    }
}

impl FaceSettings {
    /// Settings for the entity `name`: detection confidence 70, default attributes, no
    /// collection, no identification, similarity 80, at most 10 searches, nothing saved.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::new("Hall").name(), "Hall");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            confidence: DEFAULT_CONFIDENCE,
            similarity: DEFAULT_SIMILARITY,
            attributes: DetectionAttributes::Default,
            collection: None,
            identify: false,
            max_searches: DEFAULT_MAX_SEARCHES,
            output: ImageOutput::default(),
        }
    }

    /// The detection confidence (0..=100) a face needs to be reported.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::default().with_confidence(95.0).confidence(), 95.0);
    /// ```
    #[must_use]
    pub fn with_confidence(mut self, confidence: f32) -> Self {
        self.confidence = confidence;
        self
    }

    /// The similarity (0..=100) a collection face needs to identify a face.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::default().with_similarity(90.0).similarity(), 90.0);
    /// ```
    #[must_use]
    pub fn with_similarity(mut self, similarity: f32) -> Self {
        self.similarity = similarity;
        self
    }

    /// Which attributes to ask for.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{DetectionAttributes, FaceSettings};
    ///
    /// assert_eq!(FaceSettings::default().with_attributes(DetectionAttributes::All).attributes(), &DetectionAttributes::All);
    /// ```
    #[must_use]
    pub fn with_attributes(mut self, attributes: DetectionAttributes) -> Self {
        self.attributes = attributes;
        self
    }

    /// The collection faces are identified against and indexed into.
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::vision::FaceSettings::default().with_collection(ha_aws::vision::CollectionId::new("family")?);
    /// assert_eq!(settings.collection().unwrap().as_str(), "family");
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    #[must_use]
    pub fn with_collection(mut self, collection: CollectionId) -> Self {
        self.collection = Some(collection);
        self
    }

    /// Whether to identify detected faces against the collection.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::FaceSettings::default().with_identify(true).identify());
    /// ```
    #[must_use]
    pub fn with_identify(mut self, identify: bool) -> Self {
        self.identify = identify;
        self
    }

    /// The most faces of one image searched for (the largest first); at least 1.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::default().with_max_searches(3).max_searches(), 3);
    /// ```
    #[must_use]
    pub fn with_max_searches(mut self, max: usize) -> Self {
        self.max_searches = max.max(1);
        self
    }

    /// How processed images are drawn, saved and uploaded.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{FaceSettings, ImageOutput};
    ///
    /// let settings = FaceSettings::default().with_output(ImageOutput::default().with_show_boxes(false));
    /// assert!(!settings.output().show_boxes());
    /// ```
    #[must_use]
    pub fn with_output(mut self, output: ImageOutput) -> Self {
        self.output = output;
        self
    }

    /// How processed images are drawn, saved and uploaded.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::FaceSettings::default().output().saver().is_none());
    /// ```
    pub fn output(&self) -> &ImageOutput {
        &self.output
    }

    /// The entity name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::default().name(), "rekognition_face");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The detection confidence.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::default().confidence(), 70.0);
    /// ```
    pub fn confidence(&self) -> f32 {
        self.confidence
    }

    /// The similarity threshold.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::default().similarity(), 80.0);
    /// ```
    pub fn similarity(&self) -> f32 {
        self.similarity
    }

    /// The attributes asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::default().attributes(), &ha_aws::vision::DetectionAttributes::Default);
    /// ```
    pub fn attributes(&self) -> &DetectionAttributes {
        &self.attributes
    }

    /// The collection, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::FaceSettings::default().collection().is_none());
    /// ```
    pub fn collection(&self) -> Option<&CollectionId> {
        self.collection.as_ref()
    }

    /// Whether faces are identified.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_aws::vision::FaceSettings::default().identify());
    /// ```
    pub fn identify(&self) -> bool {
        self.identify
    }

    /// The bound on searches per image.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::FaceSettings::default().max_searches(), 10);
    /// ```
    pub fn max_searches(&self) -> usize {
        self.max_searches
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`VisionError::InvalidPercentage`] for a confidence or similarity outside 0..=100;
    /// [`VisionError::NoCollection`] for identification without a collection.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::FaceSettings::default().with_similarity(-1.0).check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), Error> {
        check_percentage("confidence", self.confidence)?;
        check_percentage("similarity", self.similarity)?;
        if self.identify && self.collection.is_none() {
            return Err(VisionError::NoCollection {
                what: "identify_faces",
            }
            .into());
        }
        Ok(())
    }
}

/// Detects and identifies faces with Rekognition, manages the collection and indexes faces
/// into it ([`FaceDetector::index`]).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "emulator")]
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, ScriptedFace};
/// use ha_aws::vision::{BoundingBox, CollectionId, CollectionStatus, FaceDetector, FaceSettings, SourceImage, encode_jpeg};
///
/// let emulator = Emulator::start().await;
/// emulator.set_faces([ScriptedFace::new(BoundingBox::new(0.3, 0.2, 0.2, 0.3), 99.8).with_identity("jane", 96.5)]);
/// let settings = FaceSettings::new("Hall").with_collection(CollectionId::new("family")?).with_identify(true);
/// let detector = FaceDetector::new(&emulator.session().await, settings)?;
/// assert_eq!(detector.ensure_collection().await?, CollectionStatus::Created);
///
/// let frame = SourceImage::new(encode_jpeg(&image::RgbImage::new(320, 240), 75)?)?;
/// let detection = detector.detect(&frame).await?;
/// assert_eq!(detection.names().collect::<Vec<_>>(), ["jane"]);
/// assert_eq!(detection.entity().state, 1);
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct FaceDetector {
    pub(super) client: aws_sdk_rekognition::Client,
    output: OutputClient,
    pub(super) settings: FaceSettings,
}

impl FaceDetector {
    /// A detector using `session`'s credentials, region and client options.
    ///
    /// # Errors
    ///
    /// The errors of [`FaceSettings::check`].
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
    /// let detector = ha_aws::vision::FaceDetector::new(&session, ha_aws::vision::FaceSettings::new("Hall"))?;
    /// # Ok(()) }
    /// ```
    pub fn new(session: &Session, settings: FaceSettings) -> Result<Self, Error> {
        settings.check()?;
        Ok(Self {
            client: aws_sdk_rekognition::Client::new(session.sdk_config()),
            output: OutputClient::new(session, &settings.output),
            settings,
        })
    }

    /// The settings.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detector: &ha_aws::vision::FaceDetector) {
    /// println!("{}", detector.settings().name());
    /// # }
    /// ```
    pub fn settings(&self) -> &FaceSettings {
        &self.settings
    }

    /// The collection, or [`VisionError::NoCollection`] for `what`.
    pub(super) fn collection_for(&self, what: &'static str) -> Result<&CollectionId, Error> {
        self.settings
            .collection
            .as_ref()
            .ok_or_else(|| VisionError::NoCollection { what }.into())
    }

    /// Makes sure the collection exists (call it at start-up): pages through ListCollections
    /// and calls CreateCollection when it is missing.
    ///
    /// # Errors
    ///
    /// [`VisionError::NoCollection`] without a collection; [`Error::Service`] when a call fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::FaceDetector) -> Result<(), ha_aws::Error> {
    /// detector.ensure_collection().await?;
    /// # Ok(()) }
    /// ```
    pub async fn ensure_collection(&self) -> Result<CollectionStatus, Error> {
        let collection = self.collection_for("ensure_collection")?;
        let mut token = None;
        loop {
            let page = self
                .client
                .list_collections()
                .set_next_token(token)
                .send()
                .await
                .map_err(|error| from_sdk(error, Operation::REKOGNITION_LIST_COLLECTIONS, None))?;
            if page
                .collection_ids()
                .iter()
                .any(|id| id == collection.as_str())
            {
                return Ok(CollectionStatus::Existing);
            }
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        let created = self
            .client
            .create_collection()
            .collection_id(collection.as_str())
            .send()
            .await;
        match created {
            Ok(_) => {
                tracing::info!(collection = %collection, "created rekognition collection");
                Ok(CollectionStatus::Created)
            }
            Err(error) => {
                let error = from_sdk(
                    error,
                    Operation::REKOGNITION_CREATE_COLLECTION,
                    Some(collection.as_str()),
                );
                // created by someone else since the listing
                if error.code() == Some("ResourceAlreadyExistsException") {
                    Ok(CollectionStatus::Existing)
                } else {
                    Err(error.into())
                }
            }
        }
    }

    /// Detects faces in `image` and, with identification on, searches the collection for each
    /// (the largest [`FaceSettings::max_searches`] of them): the whole image when it holds one
    /// face, else a crop around each face. Nothing is saved.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when DetectFaces or a search fails (a crop in which Rekognition finds
    /// no face just stays unidentified); [`Error::Vision`] when the image cannot be decoded for
    /// cropping.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::FaceDetector, image: ha_aws::vision::SourceImage) -> Result<(), ha_aws::Error> {
    /// let detection = detector.detect(&image).await?;
    /// println!("{} faces", detection.faces().len());
    /// # Ok(()) }
    /// ```
    pub async fn detect(&self, image: &SourceImage) -> Result<FaceDetection, Error> {
        let output = self
            .client
            .detect_faces()
            .image(Image::builder().bytes(image.blob()).build())
            .set_attributes(Some(self.settings.attributes.sdk()))
            .send()
            .await
            .map_err(|error| from_sdk(error, Operation::REKOGNITION_DETECT_FACES, None))?;
        let mut faces: Vec<Face> = output
            .face_details()
            .iter()
            .filter_map(|detail| {
                let confidence = detail.confidence().unwrap_or(0.0);
                (confidence >= self.settings.confidence).then(|| Face {
                    bounding_box: detail
                        .bounding_box()
                        .map_or(BoundingBox::new(0.0, 0.0, 0.0, 0.0), from_sdk_box),
                    confidence,
                    attributes: FaceAttributes::from_sdk(detail),
                    identity: None,
                })
            })
            .collect();
        let total_faces = faces.len();
        if self.settings.identify && !faces.is_empty() {
            self.identify(image, &mut faces).await?;
        }
        Ok(FaceDetection {
            faces,
            total_faces,
            identify: self.settings.identify,
            saved: None,
        })
    }

    /// Searches the collection for the largest faces, one search each.
    async fn identify(&self, image: &SourceImage, faces: &mut [Face]) -> Result<(), Error> {
        let collection = self.collection_for("identify_faces")?;
        if faces.len() == 1 {
            // SearchFacesByImage searches the largest face of the image: the only one
            faces[0].identity = self.search(collection, image.blob()).await?;
            return Ok(());
        }
        let mut order: Vec<usize> = (0..faces.len()).collect();
        order.sort_by(|&a, &b| {
            faces[b]
                .bounding_box
                .area()
                .total_cmp(&faces[a].bounding_box.area())
        });
        order.truncate(self.settings.max_searches);
        let pixels = image.decode()?;
        for index in order {
            let Some(crop) = crop_around(&pixels, &faces[index].bounding_box) else {
                continue;
            };
            let jpeg = encode_jpeg(&crop, 90)?;
            faces[index].identity = self
                .search(collection, aws_smithy_types::Blob::new(jpeg))
                .await?;
        }
        Ok(())
    }

    /// The best match of the largest face in `image`, if one is similar enough.
    async fn search(
        &self,
        collection: &CollectionId,
        image: aws_smithy_types::Blob,
    ) -> Result<Option<FaceMatch>, Error> {
        let result = self
            .client
            .search_faces_by_image()
            .collection_id(collection.as_str())
            .image(Image::builder().bytes(image).build())
            .face_match_threshold(self.settings.similarity)
            .max_faces(1)
            .send()
            .await;
        let output = match result {
            Ok(output) => output,
            Err(error) => {
                let error = from_sdk(
                    error,
                    Operation::REKOGNITION_SEARCH_FACES_BY_IMAGE,
                    Some(collection.as_str()),
                );
                // "There are no faces in the image": the crop is too small or unclear
                if error.code() == Some("InvalidParameterException") {
                    tracing::debug!(%error, "no face found in the searched image");
                    return Ok(None);
                }
                return Err(error.into());
            }
        };
        Ok(output
            .face_matches()
            .iter()
            .filter(|found| found.similarity().unwrap_or(0.0) >= self.settings.similarity)
            .max_by(|a, b| {
                a.similarity()
                    .unwrap_or(0.0)
                    .total_cmp(&b.similarity().unwrap_or(0.0))
            })
            .and_then(|found| {
                let face = found.face()?;
                Some(FaceMatch {
                    name: face.external_image_id().unwrap_or_default().to_owned(),
                    similarity: found.similarity().unwrap_or(0.0),
                    face_id: face.face_id().unwrap_or_default().to_owned(),
                })
            }))
    }

    /// Detects (and identifies) faces in `image` and, with a saver, saves it with the faces'
    /// boxes, names or confidences drawn on it.
    ///
    /// # Errors
    ///
    /// The errors of [`FaceDetector::detect`], and [`Error::Vision`] when the image cannot be
    /// saved.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::FaceDetector, image: ha_aws::vision::SourceImage) -> Result<(), ha_aws::Error> {
    /// let detection = detector.process(&image).await?;
    /// println!("{}", serde_json::to_string(&detection.entity()).unwrap());
    /// # Ok(()) }
    /// ```
    pub async fn process(&self, image: &SourceImage) -> Result<FaceDetection, Error> {
        let mut detection = self.detect(image).await?;
        detection.saved = self
            .settings
            .output
            .write(
                &self.output,
                &self.settings.name,
                image,
                detection.matches(),
                || detection.annotations(),
            )
            .await?;
        Ok(detection)
    }
}

/// The face's box grown by [`CROP_MARGIN`] on each side, cut from `image`.
fn crop_around(image: &image::RgbImage, face: &BoundingBox) -> Option<image::RgbImage> {
    let grown = BoundingBox::new(
        face.left - face.width * CROP_MARGIN,
        face.top - face.height * CROP_MARGIN,
        face.width * (1.0 + 2.0 * CROP_MARGIN),
        face.height * (1.0 + 2.0 * CROP_MARGIN),
    );
    let pixels = grown.to_pixels(image.width(), image.height())?;
    Some(
        image::imageops::crop_imm(image, pixels.x, pixels.y, pixels.width, pixels.height)
            .to_image(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_grow_the_face_and_stop_at_the_edges() {
        let image = image::RgbImage::new(100, 100);
        let crop = crop_around(&image, &BoundingBox::new(0.4, 0.4, 0.2, 0.2)).unwrap();
        assert_eq!(crop.dimensions(), (30, 30));
        let corner = crop_around(&image, &BoundingBox::new(0.0, 0.0, 0.2, 0.2)).unwrap();
        assert_eq!(corner.dimensions(), (25, 25));
    }

    #[test]
    fn detection_attributes_parse_case_insensitively() {
        for (text, expected) in [
            ("\"ALL\"", DetectionAttributes::All),
            ("\"default\"", DetectionAttributes::Default),
            (
                "\"smile\"",
                DetectionAttributes::Only(vec![FaceAttribute::Smile]),
            ),
            (
                "[\"EMOTIONS\", \"eye_direction\"]",
                DetectionAttributes::Only(vec![
                    FaceAttribute::Emotions,
                    FaceAttribute::EyeDirection,
                ]),
            ),
        ] {
            assert_eq!(
                serde_json::from_str::<DetectionAttributes>(text).unwrap(),
                expected
            );
        }
        for (bad, message) in [
            (
                "\"SOME\"",
                "unknown detection_attributes `SOME`; expected DEFAULT, ALL or one or more of AGE_RANGE,",
            ),
            ("\"ALL, SMILE\"", "detection_attributes `ALL` stands alone"),
            (
                "\"SMILE,smile\"",
                "detection_attributes lists `SMILE` twice",
            ),
            ("\" , \"", "detection_attributes is empty"),
        ] {
            let error = serde_json::from_str::<DetectionAttributes>(bad)
                .unwrap_err()
                .to_string();
            assert!(error.starts_with(message), "{bad}: {error}");
        }
        assert_eq!(
            DetectionAttributes::Only(vec![FaceAttribute::AgeRange, FaceAttribute::Gender]).sdk(),
            [Attribute::AgeRange, Attribute::Gender]
        );
    }
}

//! Object detection with Rekognition DetectLabels.

use std::collections::BTreeMap;

use aws_sdk_rekognition::types::{Image, Label};
use serde::{Deserialize, Serialize};

use super::annotate::{Annotation, REGION_COLOUR};
use super::check_percentage;
use super::entity::Entity;
use super::geometry::{BoundingBox, RegionOfInterest};
use super::labels::{ImageProperties, LabelSettings};
use super::output::{ImageOutput, OutputClient};
use super::save::SavedImage;
use super::source::SourceImage;
use crate::error::{Error, from_sdk};
use crate::service::Operation;
use crate::session::Session;

/// The confidence an object needs when no target sets its own (70, as in Home Assistant).
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::ObjectSettings::default().confidence(), ha_aws::vision::DEFAULT_CONFIDENCE);
/// ```
pub const DEFAULT_CONFIDENCE: f32 = 70.0;

/// A label to look for, with its own minimum confidence or the detector's.
///
/// Deserializes from a name (`person`) or a map (`{label: car, confidence: 60}`).
///
/// # Examples
///
/// ```
/// use ha_aws::vision::Target;
///
/// let car = Target::new("car").with_confidence(60.0);
/// assert!(car.matches("Car"));
/// assert_eq!(car.confidence(), Some(60.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    label: String,
    confidence: Option<f32>,
}

impl Target {
    /// A target for `label` (compared without regard to case).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::Target::new("person").label(), "person");
    /// ```
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            confidence: None,
        }
    }

    /// The same target with its own minimum confidence (0..=100).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::Target::new("dog").with_confidence(50.0).confidence(), Some(50.0));
    /// ```
    #[must_use]
    pub fn with_confidence(mut self, confidence: f32) -> Self {
        self.confidence = Some(confidence);
        self
    }

    /// The label.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::Target::new("car").label(), "car");
    /// ```
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The target's own minimum confidence, if it has one.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::Target::new("car").confidence(), None);
    /// ```
    pub fn confidence(&self) -> Option<f32> {
        self.confidence
    }

    /// Whether a label named `name` is this target.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::Target::new("person").matches("Person"));
    /// ```
    pub fn matches(&self, name: &str) -> bool {
        self.label.eq_ignore_ascii_case(name)
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Name(String),
            Full {
                #[serde(alias = "target")]
                label: String,
                confidence: Option<f32>,
            },
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Name(label) => Self::new(label),
            Raw::Full { label, confidence } => Self { label, confidence },
        })
    }
}

/// How an [`ObjectDetector`] filters, names and saves its results.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{ObjectSettings, RegionOfInterest, Target};
///
/// let settings = ObjectSettings::new("Driveway")
///     .with_confidence(80.0)
///     .with_targets([Target::new("person"), Target::new("car").with_confidence(60.0)])
///     .with_region(RegionOfInterest::new(0.0, 0.3, 1.0, 1.0)?);
/// assert_eq!(settings.threshold_for("Car"), Some(60.0));
/// assert_eq!(settings.threshold_for("Person"), Some(80.0));
/// assert_eq!(settings.threshold_for("Tree"), None);
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectSettings {
    name: String,
    confidence: f32,
    targets: Vec<Target>,
    excluded: Vec<String>,
    region: RegionOfInterest,
    labels: LabelSettings,
    output: ImageOutput,
}

impl Default for ObjectSettings {
    fn default() -> Self {
        Self::new("rekognition_object")
    }
}

impl ObjectSettings {
    /// Settings for the entity `name` (used for saved files): confidence 70, every label,
    /// the whole image, nothing saved.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ObjectSettings::new("Yard").name(), "Yard");
    /// ```
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            confidence: DEFAULT_CONFIDENCE,
            targets: Vec::new(),
            excluded: Vec::new(),
            region: RegionOfInterest::default(),
            labels: LabelSettings::default(),
            output: ImageOutput::default(),
        }
    }

    /// The minimum confidence (0..=100) of objects whose target sets none.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ObjectSettings::default().with_confidence(90.0).confidence(), 90.0);
    /// ```
    #[must_use]
    pub fn with_confidence(mut self, confidence: f32) -> Self {
        self.confidence = confidence;
        self
    }

    /// Keeps only objects with these labels; no targets keeps every label.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{ObjectSettings, Target};
    ///
    /// let settings = ObjectSettings::default().with_targets([Target::new("person")]);
    /// assert_eq!(settings.targets().len(), 1);
    /// ```
    #[must_use]
    pub fn with_targets(mut self, targets: impl IntoIterator<Item = Target>) -> Self {
        self.targets = targets.into_iter().collect();
        self
    }

    /// Keeps only objects whose box centre lies in `region`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{ObjectSettings, RegionOfInterest};
    ///
    /// let settings = ObjectSettings::default().with_region(RegionOfInterest::new(0.5, 0.0, 1.0, 1.0)?);
    /// assert!(!settings.region().is_whole_image());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    #[must_use]
    pub fn with_region(mut self, region: RegionOfInterest) -> Self {
        self.region = region;
        self
    }

    /// Drops labels and objects with these names (compared without regard to case), whatever
    /// the targets say (`exclude_targets`).
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::vision::ObjectSettings::default().with_excluded(["Tree"]);
    /// assert_eq!(settings.threshold_for("tree"), None);
    /// ```
    #[must_use]
    pub fn with_excluded(mut self, labels: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.excluded = labels.into_iter().map(Into::into).collect();
        self
    }

    /// The excluded labels.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::ObjectSettings::default().excluded().is_empty());
    /// ```
    pub fn excluded(&self) -> &[String] {
        &self.excluded
    }

    fn is_excluded(&self, name: &str) -> bool {
        self.excluded
            .iter()
            .any(|excluded| excluded.eq_ignore_ascii_case(name))
    }

    /// Asks DetectLabels for Rekognition's label and category filters and the image's
    /// properties (`label_settings:`).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{LabelSettings, ObjectSettings};
    ///
    /// let settings = ObjectSettings::default().with_label_settings(LabelSettings { image_properties: true, ..LabelSettings::default() });
    /// assert!(settings.label_settings().wants_image_properties());
    /// ```
    #[must_use]
    pub fn with_label_settings(mut self, labels: LabelSettings) -> Self {
        self.labels = labels;
        self
    }

    /// The DetectLabels filters and image properties asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_aws::vision::ObjectSettings::default().label_settings().has_filters());
    /// ```
    pub fn label_settings(&self) -> &LabelSettings {
        &self.labels
    }

    /// How processed images are drawn, saved and uploaded.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{ImageOutput, ImageSaver, ObjectSettings};
    ///
    /// let settings = ObjectSettings::default().with_output(ImageOutput::default().with_saver(ImageSaver::new(std::env::temp_dir())?));
    /// assert!(settings.output().saver().is_some());
    /// # Ok::<(), ha_aws::Error>(())
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
    /// assert!(ha_aws::vision::ObjectSettings::default().output().saver().is_none());
    /// ```
    pub fn output(&self) -> &ImageOutput {
        &self.output
    }

    /// The entity name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ObjectSettings::default().name(), "rekognition_object");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The default minimum confidence.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ObjectSettings::default().confidence(), 70.0);
    /// ```
    pub fn confidence(&self) -> f32 {
        self.confidence
    }

    /// The targets.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::ObjectSettings::default().targets().is_empty());
    /// ```
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The region of interest.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::ObjectSettings::default().region().is_whole_image());
    /// ```
    pub fn region(&self) -> &RegionOfInterest {
        &self.region
    }

    /// The minimum confidence an object labelled `name` needs; `None` when targets are set
    /// and none matches.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ObjectSettings::default().threshold_for("Dog"), Some(70.0));
    /// ```
    pub fn threshold_for(&self, name: &str) -> Option<f32> {
        if self.is_excluded(name) {
            return None;
        }
        if self.targets.is_empty() {
            return Some(self.confidence);
        }
        self.targets
            .iter()
            .find(|target| target.matches(name))
            .map(|target| target.confidence.unwrap_or(self.confidence))
    }

    /// Checks the percentages.
    ///
    /// # Errors
    ///
    /// [`VisionError::InvalidPercentage`](crate::VisionError::InvalidPercentage) for a
    /// confidence outside 0..=100.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::ObjectSettings::default().with_confidence(120.0).check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), Error> {
        self.labels.check()?;
        check_percentage("confidence", self.confidence)?;
        for target in &self.targets {
            if let Some(confidence) = target.confidence {
                check_percentage("target confidence", confidence)?;
            }
        }
        Ok(())
    }

    /// The lowest confidence any object can be kept at, asked of Rekognition.
    fn lowest_threshold(&self) -> f32 {
        self.targets
            .iter()
            .filter_map(Target::confidence)
            .fold(self.confidence, f32::min)
    }
}

/// One object found: a label instance with a box that passed the filters.
///
/// # Examples
///
/// ```
/// # fn demo(object: &ha_aws::vision::DetectedObject) {
/// println!("{} {:.1}% at {:?}", object.name, object.confidence, object.bounding_box.centre());
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DetectedObject {
    /// The label, as Rekognition names it (`Person`).
    pub name: String,
    /// The instance's confidence, in percent.
    #[serde(serialize_with = "super::rounded")]
    pub confidence: f32,
    /// Where it is.
    pub bounding_box: BoundingBox,
}

/// One label of the whole image, whether or not it has boxes.
///
/// # Examples
///
/// ```
/// # fn demo(label: &ha_aws::vision::DetectedLabel) {
/// println!("{} ({}) {:.1}%", label.name, label.parents.join(", "), label.confidence);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DetectedLabel {
    /// The label.
    pub name: String,
    /// Its confidence, in percent.
    #[serde(serialize_with = "super::rounded")]
    pub confidence: f32,
    /// Its parent labels (`Vehicle` for `Car`).
    pub parents: Vec<String>,
    /// Its categories (`Vehicles and Automotive`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
}

/// What object detection found in one image.
///
/// Serializes as a hub would show it; [`ObjectDetection::entity`] wraps it as an entity with
/// the number of matching objects as its state.
///
/// # Examples
///
/// ```
/// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
/// for (label, count) in detection.counts() {
///     println!("{count} x {label}");
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectDetection {
    objects: Vec<DetectedObject>,
    labels: Vec<DetectedLabel>,
    counts: BTreeMap<String, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_properties: Option<ImageProperties>,
    #[serde(skip_serializing_if = "Option::is_none")]
    saved: Option<SavedImage>,
}

impl ObjectDetection {
    /// Filters Rekognition labels by `settings`: instances need their threshold (the target's or
    /// the default) and a centre in the region; labels need the default confidence.
    fn from_labels(labels: &[Label], settings: &ObjectSettings) -> Self {
        let mut objects = Vec::new();
        let mut kept_labels = Vec::new();
        let mut counts = BTreeMap::new();
        for label in labels {
            let Some(name) = label.name().filter(|name| !settings.is_excluded(name)) else {
                continue;
            };
            let confidence = label.confidence().unwrap_or(0.0);
            if confidence >= settings.confidence {
                kept_labels.push(DetectedLabel {
                    name: name.to_owned(),
                    confidence,
                    parents: label
                        .parents()
                        .iter()
                        .filter_map(|parent| parent.name().map(str::to_owned))
                        .collect(),
                    categories: label
                        .categories()
                        .iter()
                        .filter_map(|category| category.name().map(str::to_owned))
                        .collect(),
                });
            }
            let Some(threshold) = settings.threshold_for(name) else {
                continue;
            };
            for instance in label.instances() {
                let (Some(bounding_box), Some(confidence)) =
                    (instance.bounding_box(), instance.confidence())
                else {
                    continue;
                };
                let bounding_box = super::from_sdk_box(bounding_box);
                if confidence < threshold || !settings.region.contains_centre_of(&bounding_box) {
                    continue;
                }
                *counts.entry(name.to_owned()).or_insert(0) += 1;
                objects.push(DetectedObject {
                    name: name.to_owned(),
                    confidence,
                    bounding_box,
                });
            }
        }
        Self {
            objects,
            labels: kept_labels,
            counts,
            image_properties: None,
            saved: None,
        }
    }

    /// The objects that passed the filters, in Rekognition's order.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
    /// let people = detection.objects().iter().filter(|object| object.name == "Person").count();
    /// # }
    /// ```
    pub fn objects(&self) -> &[DetectedObject] {
        &self.objects
    }

    /// The image's labels at or above the default confidence, boxes or not.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
    /// let outdoors = detection.labels().iter().any(|label| label.name == "Outdoors");
    /// # }
    /// ```
    pub fn labels(&self) -> &[DetectedLabel] {
        &self.labels
    }

    /// The number of objects per label.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
    /// let cars = detection.counts().get("Car").copied().unwrap_or(0);
    /// # }
    /// ```
    pub fn counts(&self) -> &BTreeMap<String, usize> {
        &self.counts
    }

    /// The number of objects that passed the filters (the entity's state).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
    /// assert_eq!(detection.matches(), detection.objects().len());
    /// # }
    /// ```
    pub fn matches(&self) -> usize {
        self.objects.len()
    }

    /// The image's dominant colours and quality, when the settings ask for them
    /// ([`LabelSettings::image_properties`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
    /// let brightness = detection.image_properties().and_then(|properties| properties.quality.brightness);
    /// # }
    /// ```
    pub fn image_properties(&self) -> Option<&ImageProperties> {
        self.image_properties.as_ref()
    }

    /// The files the annotated image was saved to, when the detector saves images.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
    /// if let Some(saved) = detection.saved() {
    ///     println!("{}", saved.latest.display());
    /// }
    /// # }
    /// ```
    pub fn saved(&self) -> Option<&SavedImage> {
        self.saved.as_ref()
    }

    /// A box with `<label> <confidence>%` for each object, to draw with
    /// [`annotate`](super::annotate()).
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
    /// assert_eq!(detection.annotations().len(), detection.matches());
    /// # }
    /// ```
    pub fn annotations(&self) -> Vec<Annotation> {
        self.objects
            .iter()
            .map(|object| {
                Annotation::new(
                    object.bounding_box,
                    format!("{} {:.1}%", object.name, object.confidence),
                )
            })
            .collect()
    }

    /// The result as a hub entity: state = [`ObjectDetection::matches`], attributes = the
    /// detection.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
    /// let json = serde_json::to_value(detection.entity()).unwrap();
    /// assert_eq!(json["state"], detection.matches());
    /// # }
    /// ```
    pub fn entity(&self) -> Entity<&Self> {
        Entity::new(self.matches(), self)
    }
}

/// Finds objects in images with Rekognition DetectLabels and, when set to, saves them annotated.
///
/// # Examples
///
/// Object detection on a generated frame against the in-process emulator (feature `emulator`),
/// saving the annotated image:
///
/// ```
/// # #[cfg(feature = "emulator")]
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::emulator::{Emulator, ScriptedLabel};
/// use ha_aws::vision::{BoundingBox, ImageOutput, ImageSaver, ObjectDetector, ObjectSettings, SourceImage, encode_jpeg};
///
/// let emulator = Emulator::start().await;
/// emulator.set_labels([ScriptedLabel::new("Person", 98.0).with_instance(BoundingBox::new(0.2, 0.1, 0.3, 0.8), 97.5)]);
///
/// let folder = std::env::temp_dir();
/// let settings = ObjectSettings::new("Front door").with_output(ImageOutput::default().with_saver(ImageSaver::new(&folder)?));
/// let detector = ObjectDetector::new(&emulator.session().await, settings)?;
///
/// let frame = image::RgbImage::from_pixel(640, 360, image::Rgb([40, 40, 40]));
/// let image = SourceImage::new(encode_jpeg(&frame, 75)?)?;
/// let detection = detector.process(&image).await?;
///
/// assert_eq!(detection.matches(), 1);
/// assert_eq!(detection.counts()["Person"], 1);
/// assert_eq!(detection.saved().unwrap().latest, folder.join("front_door_latest.jpg"));
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct ObjectDetector {
    client: aws_sdk_rekognition::Client,
    output: OutputClient,
    settings: ObjectSettings,
}

impl ObjectDetector {
    /// A detector using `session`'s credentials, region and client options.
    ///
    /// # Errors
    ///
    /// The errors of [`ObjectSettings::check`].
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(session: ha_aws::Session) -> Result<(), ha_aws::Error> {
    /// let detector = ha_aws::vision::ObjectDetector::new(&session, ha_aws::vision::ObjectSettings::new("Yard"))?;
    /// # Ok(()) }
    /// ```
    pub fn new(session: &Session, settings: ObjectSettings) -> Result<Self, Error> {
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
    /// # fn demo(detector: &ha_aws::vision::ObjectDetector) {
    /// println!("{}", detector.settings().name());
    /// # }
    /// ```
    pub fn settings(&self) -> &ObjectSettings {
        &self.settings
    }

    /// Detects objects in `image`; nothing is saved.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when DetectLabels fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::ObjectDetector, image: ha_aws::vision::SourceImage) -> Result<(), ha_aws::Error> {
    /// let detection = detector.detect(&image).await?;
    /// println!("{} objects", detection.matches());
    /// # Ok(()) }
    /// ```
    pub async fn detect(&self, image: &SourceImage) -> Result<ObjectDetection, Error> {
        let mut request = self
            .client
            .detect_labels()
            .image(Image::builder().bytes(image.blob()).build())
            .min_confidence(self.settings.lowest_threshold());
        if let Some((features, settings)) = self.settings.labels.request() {
            request = request.set_features(Some(features)).settings(settings);
        }
        let output = request
            .send()
            .await
            .map_err(|error| from_sdk(error, Operation::REKOGNITION_DETECT_LABELS, None))?;
        let mut detection = ObjectDetection::from_labels(output.labels(), &self.settings);
        if self.settings.labels.wants_image_properties() {
            detection.image_properties = Some(
                output
                    .image_properties()
                    .map_or_else(ImageProperties::default, ImageProperties::from_sdk),
            );
        }
        Ok(detection)
    }

    /// Detects objects in `image` and, with a saver, saves (and uploads) it with the objects' boxes and
    /// labels (and the region of interest, when it is not the whole image) drawn on it.
    ///
    /// # Errors
    ///
    /// [`Error::Service`] when DetectLabels fails; [`Error::Vision`] when the image cannot be
    /// decoded or saved.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::ObjectDetector, image: ha_aws::vision::SourceImage) -> Result<(), ha_aws::Error> {
    /// let detection = detector.process(&image).await?;
    /// println!("{}", serde_json::to_string(&detection.entity()).unwrap());
    /// # Ok(()) }
    /// ```
    pub async fn process(&self, image: &SourceImage) -> Result<ObjectDetection, Error> {
        let mut detection = self.detect(image).await?;
        let settings = &self.settings;
        detection.saved = settings
            .output
            .write(
                &self.output,
                &settings.name,
                image,
                detection.matches(),
                || {
                    let mut annotations = detection.annotations();
                    if !settings.region.is_whole_image() {
                        annotations.push(
                            Annotation::new(settings.region.as_box(), "")
                                .with_colour(REGION_COLOUR),
                        );
                    }
                    annotations
                },
            )
            .await?;
        Ok(detection)
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_rekognition::types::{Instance, Parent};

    use super::*;

    fn label(name: &str, confidence: f32, instances: &[(f32, BoundingBox)]) -> Label {
        let mut builder = Label::builder()
            .name(name)
            .confidence(confidence)
            .parents(Parent::builder().name("Thing").build());
        for (confidence, bounding_box) in instances {
            builder = builder.instances(
                Instance::builder()
                    .confidence(*confidence)
                    .bounding_box(super::super::to_sdk_box(bounding_box))
                    .build(),
            );
        }
        builder.build()
    }

    const LEFT: BoundingBox = BoundingBox::new(0.1, 0.1, 0.2, 0.2);
    const RIGHT: BoundingBox = BoundingBox::new(0.7, 0.1, 0.2, 0.2);

    #[test]
    fn confidence_filter_uses_the_default_and_per_target_thresholds() {
        let labels = [
            label("Person", 95.0, &[(95.0, LEFT), (65.0, RIGHT)]),
            label("Car", 62.0, &[(62.0, LEFT)]),
            label("Tree", 99.0, &[(99.0, LEFT)]),
        ];
        let every = ObjectDetection::from_labels(&labels, &ObjectSettings::default());
        assert_eq!(every.matches(), 2, "{every:?}");
        assert_eq!(every.counts()["Person"], 1);
        assert_eq!(every.counts()["Tree"], 1);
        assert_eq!(every.labels().len(), 2, "car is below 70");

        let targeted = ObjectSettings::default().with_targets([
            Target::new("person"),
            Target::new("CAR").with_confidence(60.0),
        ]);
        let detection = ObjectDetection::from_labels(&labels, &targeted);
        let names: Vec<_> = detection
            .objects()
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(names, ["Person", "Car"]);
        assert!((targeted.lowest_threshold() - 60.0).abs() < f32::EPSILON);
    }

    #[test]
    fn region_keeps_objects_by_box_centre() {
        let labels = [label("Person", 95.0, &[(95.0, LEFT), (95.0, RIGHT)])];
        let right_half = ObjectSettings::default()
            .with_region(RegionOfInterest::new(0.5, 0.0, 1.0, 1.0).unwrap());
        let detection = ObjectDetection::from_labels(&labels, &right_half);
        assert_eq!(detection.objects().len(), 1);
        assert_eq!(detection.objects()[0].bounding_box, RIGHT);
        // a box that straddles the edge counts when its centre is inside
        let straddling = BoundingBox::new(0.3, 0.0, 0.4, 0.2);
        let labels = [label("Person", 95.0, &[(95.0, straddling)])];
        assert_eq!(
            ObjectDetection::from_labels(&labels, &right_half).matches(),
            1
        );
    }

    #[test]
    fn entity_serializes_state_and_attributes() {
        let labels = [label("Person", 95.0, &[(95.0, LEFT)])];
        let detection = ObjectDetection::from_labels(&labels, &ObjectSettings::default());
        let json = serde_json::to_value(detection.entity()).unwrap();
        assert_eq!(json["state"], 1);
        assert_eq!(json["attributes"]["objects"][0]["name"], "Person");
        assert_eq!(json["attributes"]["counts"]["Person"], 1);
        assert_eq!(json["attributes"]["labels"][0]["parents"][0], "Thing");
    }

    #[test]
    fn targets_deserialize_from_names_and_maps() {
        let targets: Vec<Target> =
            serde_json::from_str(r#"["person", {"label": "car", "confidence": 60}]"#).unwrap();
        assert_eq!(
            targets,
            [
                Target::new("person"),
                Target::new("car").with_confidence(60.0)
            ]
        );
    }
}

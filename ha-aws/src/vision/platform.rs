//! The `image_processing` platform: one processor per camera, frame sources, scans and events.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::broadcast;

use super::config::{CameraSource, ImageProcessingConfig, VisionPlatform};
use super::faces::{Face, FaceDetection, FaceDetector};
use super::guard::{Budget, CostGuard, SkipReason};
use super::index::{IndexReport, IndexRequest};
use super::objects::{DetectedObject, ObjectDetection, ObjectDetector};
use super::save::sanitize_name;
use super::source::SourceImage;
use crate::config::AwsConfig;
use crate::credential::CredentialStore;
use crate::error::{Error, VisionError};
use crate::session::{ClientOptions, Session};

/// How many events a subscriber may fall behind before it misses the oldest.
pub const EVENT_CAPACITY: usize = 256;

/// Where a camera's frames come from.
///
/// Implementations: [`FileSource`] (a file read on every scan), [`HttpSnapshot`] (an HTTP(S)
/// snapshot URL, feature `snapshot`) and [`FrameSlot`] (frames the hub puts there).
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::vision::{FrameSlot, FrameSource, SourceImage};
///
/// let slot = FrameSlot::new("camera.door");
/// slot.put(SourceImage::new(vec![0xff, 0xd8, 0xff, 0xe0])?);
/// assert_eq!(slot.frame().await?.bytes().len(), 4);
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
pub trait FrameSource: Send + Sync + std::fmt::Debug {
    /// The camera's current frame.
    ///
    /// # Errors
    ///
    /// [`VisionError::Camera`] when the camera gives nothing usable, or the errors of
    /// [`SourceImage::new`].
    fn frame(&self) -> BoxFuture<'_, Result<SourceImage, Error>>;
}

/// A camera whose latest frame is a file, read on every scan.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::vision::{FileSource, FrameSource};
///
/// let error = FileSource::new("missing/frame.jpg").frame().await.unwrap_err();
/// assert!(error.to_string().contains("missing/frame.jpg"));
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSource {
    path: PathBuf,
}

impl FileSource {
    /// Reads frames from `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let source = ha_aws::vision::FileSource::new("/var/lib/cam/latest.jpg");
    /// ```
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

impl FrameSource for FileSource {
    fn frame(&self) -> BoxFuture<'_, Result<SourceImage, Error>> {
        Box::pin(async move {
            let path = self.path.clone();
            tokio::task::spawn_blocking(move || SourceImage::open(path))
                .await
                .map_err(|error| VisionError::Camera {
                    entity_id: self.path.display().to_string(),
                    reason: error.to_string(),
                })?
        })
    }
}

/// A slot the hub puts frames into (from its own camera integration); each scan takes the
/// latest frame put there. Clones share the slot.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use ha_aws::vision::{FrameSlot, FrameSource};
///
/// let error = FrameSlot::new("camera.door").frame().await.unwrap_err();
/// assert_eq!(error.to_string(), "camera `camera.door`: no frame supplied yet");
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct FrameSlot {
    entity_id: String,
    frame: Arc<Mutex<Option<SourceImage>>>,
}

impl FrameSlot {
    /// An empty slot for the camera `entity_id`.
    ///
    /// # Examples
    ///
    /// ```
    /// let slot = ha_aws::vision::FrameSlot::new("camera.door");
    /// ```
    pub fn new(entity_id: impl Into<String>) -> Self {
        Self {
            entity_id: entity_id.into(),
            frame: Arc::default(),
        }
    }

    /// Replaces the frame scans take.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(slot: &ha_aws::vision::FrameSlot, frame: ha_aws::vision::SourceImage) {
    /// slot.put(frame);
    /// # }
    /// ```
    pub fn put(&self, frame: SourceImage) {
        *self.frame.lock().unwrap_or_else(PoisonError::into_inner) = Some(frame);
    }
}

impl FrameSource for FrameSlot {
    fn frame(&self) -> BoxFuture<'_, Result<SourceImage, Error>> {
        let frame = self
            .frame
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Box::pin(async move {
            frame.ok_or_else(|| {
                VisionError::Camera {
                    entity_id: self.entity_id.clone(),
                    reason: "no frame supplied yet".to_owned(),
                }
                .into()
            })
        })
    }
}

#[cfg(feature = "snapshot")]
pub use super::snapshot::HttpSnapshot;

/// An event a hub can subscribe to, named as Home Assistant's Rekognition integrations fire
/// them.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::VisionEvent;
///
/// let event = VisionEvent::LabelDetected {
///     entity_id: "image_processing.yard".into(),
///     name: "Tree".into(),
///     confidence: 99.0,
/// };
/// assert_eq!(event.event_type(), "rekognition.label_detected");
/// assert_eq!(serde_json::to_value(&event).unwrap()["name"], "Tree");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum VisionEvent {
    /// An object (a label with a box) passed the filters: `rekognition.object_detected`.
    ObjectDetected {
        /// The image processing entity.
        entity_id: String,
        /// The object.
        #[serde(flatten)]
        object: DetectedObject,
        /// The saved image, if one was saved.
        #[serde(skip_serializing_if = "Option::is_none")]
        saved_file: Option<PathBuf>,
    },
    /// A label passed the confidence: `rekognition.label_detected`.
    LabelDetected {
        /// The image processing entity.
        entity_id: String,
        /// The label.
        name: String,
        /// Its confidence, in percent.
        #[serde(serialize_with = "super::rounded")]
        confidence: f32,
    },
    /// A face was detected: `image_processing.detect_face`.
    FaceDetected {
        /// The image processing entity.
        entity_id: String,
        /// The face.
        #[serde(flatten)]
        face: Face,
    },
    /// A detected face matched a collection face: `rekognition.face_identified`.
    FaceIdentified {
        /// The image processing entity.
        entity_id: String,
        /// The collection face's `ExternalImageId`.
        name: String,
        /// The similarity, in percent.
        #[serde(serialize_with = "super::rounded")]
        similarity: f32,
        /// The collection face's id.
        face_id: String,
    },
    /// `index_face` indexed a face: `rekognition.index_face`.
    FaceIndexed {
        /// The image processing entity.
        entity_id: String,
        /// The `image_id` it was indexed as.
        image_id: String,
        /// The new face id.
        face_id: String,
        /// The file it came from.
        path: PathBuf,
    },
}

impl VisionEvent {
    /// The event type a hub fires it as.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(event: &ha_aws::vision::VisionEvent) {
    /// println!("{}", event.event_type());
    /// # }
    /// ```
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::ObjectDetected { .. } => "rekognition.object_detected",
            Self::LabelDetected { .. } => "rekognition.label_detected",
            Self::FaceDetected { .. } => "image_processing.detect_face",
            Self::FaceIdentified { .. } => "rekognition.face_identified",
            Self::FaceIndexed { .. } => "rekognition.index_face",
        }
    }
}

/// What one scan did.
///
/// # Examples
///
/// ```
/// # fn demo(scan: ha_aws::vision::Scan) {
/// match scan {
///     ha_aws::vision::Scan::Skipped(reason) => println!("skipped: {reason:?}"),
///     other => println!("{} matches", other.matches()),
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Scan {
    /// Objects detected.
    Objects(ObjectDetection),
    /// Faces detected.
    Faces(FaceDetection),
    /// The cost guard kept the frame from Rekognition.
    Skipped(SkipReason),
}

impl Scan {
    /// The entity's new state: the number of matches (0 when skipped).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::Scan::Skipped(ha_aws::vision::SkipReason::NoMotion).matches(), 0);
    /// ```
    pub fn matches(&self) -> usize {
        match self {
            Self::Objects(detection) => detection.matches(),
            Self::Faces(detection) => detection.matches(),
            Self::Skipped(_) => 0,
        }
    }
}

/// An image processing entity as a hub shows it: its id, state and attributes.
///
/// # Examples
///
/// ```
/// # fn demo(processor: &ha_aws::vision::VisionProcessor) {
/// let state = processor.state();
/// println!("{} = {}", state.entity_id, state.state);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct EntityState {
    /// `image_processing.<name>`.
    pub entity_id: String,
    /// The number of matches of the last scan that reached Rekognition.
    pub state: usize,
    /// The last detection's details, `camera_entity`, `friendly_name` and, with a cost guard,
    /// `budget`.
    pub attributes: Map<String, Value>,
}

#[derive(Debug)]
enum Detector {
    Object(ObjectDetector),
    Face(FaceDetector),
}

/// One camera's image processing entity: takes frames from its [`FrameSource`], passes them
/// through the cost guard, runs the detector, saves annotated images and fires events.
/// Scans run one at a time; each is bounded by the scan timeout.
///
/// # Examples
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use std::sync::Arc;
/// use ha_aws::emulator::{Emulator, ScriptedLabel};
/// use ha_aws::vision::{BoundingBox, FrameSlot, ObjectDetector, ObjectSettings, SourceImage, VisionProcessor, encode_jpeg};
///
/// let emulator = Emulator::start().await;
/// emulator.set_labels([ScriptedLabel::new("Cat", 93.0).with_instance(BoundingBox::new(0.1, 0.1, 0.2, 0.2), 92.0)]);
/// let detector = ObjectDetector::new(&emulator.session().await, ObjectSettings::new("Porch"))?;
/// let slot = FrameSlot::new("camera.porch");
/// let processor = VisionProcessor::objects("camera.porch", detector, Arc::new(slot.clone()));
///
/// slot.put(SourceImage::new(encode_jpeg(&image::RgbImage::new(64, 48), 75)?)?);
/// assert_eq!(processor.scan().await?.matches(), 1);
/// assert_eq!(processor.state().entity_id, "image_processing.porch");
/// # Ok::<(), ha_aws::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct VisionProcessor {
    entity_id: String,
    camera: String,
    name: String,
    detector: Detector,
    source: Arc<dyn FrameSource>,
    scale: f32,
    timeout: Duration,
    interval: Duration,
    scanning: tokio::sync::Mutex<()>,
    last: Mutex<EntityState>,
    guard: Option<Mutex<CostGuard>>,
    events: broadcast::Sender<VisionEvent>,
}

impl VisionProcessor {
    fn new(camera: &str, name: &str, detector: Detector, source: Arc<dyn FrameSource>) -> Self {
        let entity_id = format!("image_processing.{}", sanitize_name(name));
        let mut attributes = Map::new();
        attributes.insert("camera_entity".into(), camera.into());
        attributes.insert("friendly_name".into(), name.into());
        Self {
            last: Mutex::new(EntityState {
                entity_id: entity_id.clone(),
                state: 0,
                attributes,
            }),
            entity_id,
            camera: camera.to_owned(),
            name: name.to_owned(),
            detector,
            source,
            scale: 1.0,
            timeout: super::config::DEFAULT_SCAN_TIMEOUT,
            interval: super::config::DEFAULT_SCAN_INTERVAL,
            scanning: tokio::sync::Mutex::new(()),
            guard: None,
            events: broadcast::channel(EVENT_CAPACITY).0,
        }
    }

    /// An object detection entity for the camera `camera`, named after the detector's settings.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detector: ha_aws::vision::ObjectDetector) {
    /// let slot = ha_aws::vision::FrameSlot::new("camera.yard");
    /// let processor = ha_aws::vision::VisionProcessor::objects("camera.yard", detector, std::sync::Arc::new(slot));
    /// # }
    /// ```
    pub fn objects(camera: &str, detector: ObjectDetector, source: Arc<dyn FrameSource>) -> Self {
        let name = detector.settings().name().to_owned();
        Self::new(camera, &name, Detector::Object(detector), source)
    }

    /// A face detection entity for the camera `camera`, named after the detector's settings.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(detector: ha_aws::vision::FaceDetector) {
    /// let slot = ha_aws::vision::FrameSlot::new("camera.door");
    /// let processor = ha_aws::vision::VisionProcessor::faces("camera.door", detector, std::sync::Arc::new(slot));
    /// # }
    /// ```
    pub fn faces(camera: &str, detector: FaceDetector, source: Arc<dyn FrameSource>) -> Self {
        let name = detector.settings().name().to_owned();
        Self::new(camera, &name, Detector::Face(detector), source)
    }

    /// Shrinks frames by `scale` (0.1..=1) before upload and drawing.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: ha_aws::vision::VisionProcessor) {
    /// let processor = processor.with_scale(0.5);
    /// # }
    /// ```
    #[must_use]
    pub fn with_scale(mut self, scale: f32) -> Self {
        self.scale = scale.clamp(0.1, 1.0);
        self
    }

    /// Bounds each scan (frame, Rekognition calls, saving) by `timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: ha_aws::vision::VisionProcessor) {
    /// let processor = processor.with_timeout(std::time::Duration::from_secs(5));
    /// # }
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Scans every `interval` in [`VisionProcessor::run`].
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: ha_aws::vision::VisionProcessor) {
    /// let processor = processor.with_interval(std::time::Duration::from_secs(30));
    /// # }
    /// ```
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Passes frames through `guard` before Rekognition.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: ha_aws::vision::VisionProcessor) {
    /// use ha_aws::vision::{CostGuard, CostSettings};
    /// let processor = processor.with_cost_guard(CostGuard::new(CostSettings::default()));
    /// # }
    /// ```
    #[must_use]
    pub fn with_cost_guard(mut self, guard: CostGuard) -> Self {
        self.guard = Some(Mutex::new(guard));
        self
    }

    /// `image_processing.<name>`.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: &ha_aws::vision::VisionProcessor) {
    /// println!("{}", processor.entity_id());
    /// # }
    /// ```
    pub fn entity_id(&self) -> &str {
        &self.entity_id
    }

    /// The camera entity.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: &ha_aws::vision::VisionProcessor) {
    /// println!("{}", processor.camera());
    /// # }
    /// ```
    pub fn camera(&self) -> &str {
        &self.camera
    }

    /// The platform.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: &ha_aws::vision::VisionProcessor) {
    /// println!("{:?}", processor.platform());
    /// # }
    /// ```
    pub fn platform(&self) -> VisionPlatform {
        match self.detector {
            Detector::Object(_) => VisionPlatform::Object,
            Detector::Face(_) => VisionPlatform::Face,
        }
    }

    /// The entity's state and attributes after the last scan.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: &ha_aws::vision::VisionProcessor) {
    /// println!("{}", serde_json::to_string(&processor.state()).unwrap());
    /// # }
    /// ```
    pub fn state(&self) -> EntityState {
        let mut state = self
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(budget) = self.budget(SystemTime::now()) {
            state.attributes.insert(
                "budget".into(),
                serde_json::to_value(budget).unwrap_or(Value::Null),
            );
        }
        state
    }

    /// The cost guard's state at `now`, with a guard.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(processor: &ha_aws::vision::VisionProcessor) {
    /// if let Some(budget) = processor.budget(std::time::SystemTime::now()) {
    ///     println!("{:.2} USD a month", budget.projected_monthly_cost_usd);
    /// }
    /// # }
    /// ```
    pub fn budget(&self, now: SystemTime) -> Option<Budget> {
        self.guard.as_ref().map(|guard| {
            guard
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .budget(now)
        })
    }

    /// A receiver of this entity's events.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(processor: &ha_aws::vision::VisionProcessor) {
    /// let mut events = processor.subscribe();
    /// while let Ok(event) = events.recv().await {
    ///     println!("{}", event.event_type());
    /// }
    /// # }
    /// ```
    pub fn subscribe(&self) -> broadcast::Receiver<VisionEvent> {
        self.events.subscribe()
    }

    /// Makes sure the face collection exists (face entities with a collection); called by
    /// [`ImageProcessing::start`].
    ///
    /// # Errors
    ///
    /// The errors of [`FaceDetector::ensure_collection`].
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(processor: &ha_aws::vision::VisionProcessor) -> Result<(), ha_aws::Error> {
    /// processor.ensure_collection().await?;
    /// # Ok(()) }
    /// ```
    pub async fn ensure_collection(&self) -> Result<(), Error> {
        if let Detector::Face(detector) = &self.detector
            && detector.settings().collection().is_some()
        {
            detector.ensure_collection().await?;
        }
        Ok(())
    }

    /// Scans now: takes a frame, asks the cost guard, detects, saves and fires events.
    ///
    /// # Errors
    ///
    /// [`VisionError::ScanBusy`] while another scan of this camera runs,
    /// [`VisionError::ScanTimeout`] when the scan takes longer than its timeout, and the
    /// errors of the frame source and the detector.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(processor: &ha_aws::vision::VisionProcessor) -> Result<(), ha_aws::Error> {
    /// let scan = processor.scan().await?;
    /// println!("{} matches", scan.matches());
    /// # Ok(()) }
    /// ```
    pub async fn scan(&self) -> Result<Scan, Error> {
        let Ok(_running) = self.scanning.try_lock() else {
            return Err(VisionError::ScanBusy {
                entity_id: self.entity_id.clone(),
            }
            .into());
        };
        tokio::time::timeout(self.timeout, self.scan_unbounded())
            .await
            .map_err(|_| VisionError::ScanTimeout {
                entity_id: self.entity_id.clone(),
                seconds: self.timeout.as_secs_f64(),
            })?
    }

    async fn scan_unbounded(&self) -> Result<Scan, Error> {
        let frame = self.source.frame().await?;
        let frame = if self.scale < 1.0 {
            frame.scaled(self.scale)?
        } else {
            frame
        };
        if let Some(guard) = &self.guard {
            let mut guard = guard.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(reason) = guard.check(&frame, SystemTime::now())? {
                tracing::debug!(entity = %self.entity_id, ?reason, "frame skipped");
                return Ok(Scan::Skipped(reason));
            }
        }
        let (scan, calls) = match &self.detector {
            Detector::Object(detector) => {
                let detection = detector.process(&frame).await?;
                (Scan::Objects(detection), 1)
            }
            Detector::Face(detector) => {
                let detection = detector.process(&frame).await?;
                let searches = if detector.settings().identify() {
                    detection
                        .faces()
                        .len()
                        .min(detector.settings().max_searches())
                } else {
                    0
                };
                (Scan::Faces(detection), 1 + searches)
            }
        };
        if let Some(guard) = &self.guard {
            guard
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .record(calls, SystemTime::now());
        }
        self.publish(&scan);
        Ok(scan)
    }

    fn publish(&self, scan: &Scan) {
        let entity_id = || self.entity_id.clone();
        let (attributes, events): (Value, Vec<VisionEvent>) = match scan {
            Scan::Objects(detection) => {
                let saved_file = detection.saved().map(|saved| saved.latest.clone());
                let objects =
                    detection
                        .objects()
                        .iter()
                        .map(|object| VisionEvent::ObjectDetected {
                            entity_id: entity_id(),
                            object: object.clone(),
                            saved_file: saved_file.clone(),
                        });
                let labels = detection
                    .labels()
                    .iter()
                    .map(|label| VisionEvent::LabelDetected {
                        entity_id: entity_id(),
                        name: label.name.clone(),
                        confidence: label.confidence,
                    });
                (
                    serde_json::to_value(detection).unwrap_or(Value::Null),
                    objects.chain(labels).collect(),
                )
            }
            Scan::Faces(detection) => {
                let mut events = Vec::new();
                for face in detection.faces() {
                    events.push(VisionEvent::FaceDetected {
                        entity_id: entity_id(),
                        face: face.clone(),
                    });
                    if let Some(identity) = &face.identity {
                        events.push(VisionEvent::FaceIdentified {
                            entity_id: entity_id(),
                            name: identity.name.clone(),
                            similarity: identity.similarity,
                            face_id: identity.face_id.clone(),
                        });
                    }
                }
                (
                    serde_json::to_value(detection).unwrap_or(Value::Null),
                    events,
                )
            }
            Scan::Skipped(_) => return,
        };
        {
            let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            last.state = scan.matches();
            last.attributes
                .retain(|key, _| key == "camera_entity" || key == "friendly_name");
            if let Value::Object(details) = attributes {
                last.attributes.extend(details);
            }
            last.attributes.insert(
                "last_scan".into(),
                super::save::timestamp_suffix(SystemTime::now()).into(),
            );
        }
        for event in events {
            // no subscriber is not an error: events are for whoever listens
            let _ = self.events.send(event);
        }
    }

    /// Scans every interval until the future is dropped; a failed scan is logged and the next
    /// one runs on time.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(processor: std::sync::Arc<ha_aws::vision::VisionProcessor>) {
    /// let task = tokio::spawn(async move { processor.run().await });
    /// task.abort();
    /// # }
    /// ```
    pub async fn run(&self) {
        let mut ticks = tokio::time::interval(self.interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            ticks.tick().await;
            if let Err(error) = self.scan().await {
                tracing::warn!(entity = %self.entity_id, %error, "scan failed");
            }
        }
    }

    /// Indexes faces into this face entity's collection (`aws.index_face`) and fires
    /// [`VisionEvent::FaceIndexed`] per face.
    async fn index_face(&self, request: &IndexRequest) -> Result<IndexReport, Error> {
        let Detector::Face(detector) = &self.detector else {
            return Err(VisionError::UnknownEntity {
                entity_id: self.entity_id.clone(),
                platform: "face",
            }
            .into());
        };
        let report = detector.index(request, |_| {}).await?;
        for (path, face) in report.indexed() {
            let _ = self.events.send(VisionEvent::FaceIndexed {
                entity_id: self.entity_id.clone(),
                image_id: report.image_id().as_str().to_owned(),
                face_id: face.face_id.clone(),
                path: path.to_owned(),
            });
        }
        Ok(report)
    }

    fn name(&self) -> &str {
        &self.name
    }
}

/// Every `image_processing:` entry of a configuration, running: one [`VisionProcessor`] per
/// camera source.
///
/// # Examples
///
/// ```
/// # async fn demo(config: ha_aws::AwsConfig) -> Result<(), ha_aws::Error> {
/// use ha_aws::vision::ImageProcessing;
///
/// let platform = ImageProcessing::from_config(&config, &ha_aws::ClientOptions::default(), |_| None).await?;
/// for processor in platform.processors() {
///     println!("{}", processor.entity_id());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct ImageProcessing {
    processors: Vec<Arc<VisionProcessor>>,
}

impl ImageProcessing {
    /// Builds one processor per camera source of every entry, with the entry's credential,
    /// region and options, then makes sure every face collection exists.
    ///
    /// Frames come from `frames(source)` when it gives a source, else from the source's
    /// `file` or `snapshot_url`.
    ///
    /// # Errors
    ///
    /// The credential errors of [`CredentialStore::resolve`], [`VisionError::NoFrameSource`]
    /// for a camera without a frame source, the settings' errors, and the errors of
    /// [`VisionProcessor::ensure_collection`].
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(config: ha_aws::AwsConfig, slot: ha_aws::vision::FrameSlot) -> Result<(), ha_aws::Error> {
    /// use std::sync::Arc;
    /// let platform = ha_aws::vision::ImageProcessing::from_config(&config, &ha_aws::ClientOptions::default(), |source| {
    ///     (source.entity_id == "camera.door").then(|| Arc::new(slot.clone()) as Arc<dyn ha_aws::vision::FrameSource>)
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn from_config(
        config: &AwsConfig,
        options: &ClientOptions,
        frames: impl Fn(&CameraSource) -> Option<Arc<dyn FrameSource>>,
    ) -> Result<Self, Error> {
        let mut processors = Vec::new();
        for entry in config.image_processing() {
            processors.extend(
                Self::entry(entry, config.credentials(), options, &frames)
                    .await?
                    .into_iter()
                    .map(Arc::new),
            );
        }
        let platform = Self { processors };
        platform.start().await?;
        Ok(platform)
    }

    async fn entry(
        entry: &ImageProcessingConfig,
        credentials: &CredentialStore,
        options: &ClientOptions,
        frames: &impl Fn(&CameraSource) -> Option<Arc<dyn FrameSource>>,
    ) -> Result<Vec<VisionProcessor>, Error> {
        let label = format!("image_processing {:?}", entry.platform()).to_lowercase();
        let credential = credentials.resolve(entry.credential(), &label)?;
        let session = Session::load(&credential, entry.region().clone(), options).await;
        let mut processors = Vec::new();
        for source in entry.sources() {
            let frames = match frames(source) {
                Some(frames) => frames,
                None => frame_source(source)?,
            };
            let processor = match entry.platform() {
                VisionPlatform::Object => VisionProcessor::objects(
                    &source.entity_id,
                    ObjectDetector::new(&session, entry.object_settings(source)?)?,
                    frames,
                ),
                VisionPlatform::Face => VisionProcessor::faces(
                    &source.entity_id,
                    FaceDetector::new(&session, entry.face_settings(source)?)?,
                    frames,
                ),
            };
            let mut processor = processor
                .with_scale(entry.scale())
                .with_timeout(entry.scan_timeout())
                .with_interval(entry.scan_interval());
            if let Some(settings) = entry.cost_guard() {
                processor = processor.with_cost_guard(CostGuard::new(settings.clone()));
            }
            processors.push(processor);
        }
        Ok(processors)
    }

    /// Makes sure every face collection exists, once per collection.
    ///
    /// # Errors
    ///
    /// The errors of [`VisionProcessor::ensure_collection`].
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(platform: &ha_aws::vision::ImageProcessing) -> Result<(), ha_aws::Error> {
    /// platform.start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(&self) -> Result<(), Error> {
        let mut ensured = BTreeSet::new();
        for processor in &self.processors {
            if let Detector::Face(detector) = &processor.detector
                && let Some(collection) = detector.settings().collection()
                && ensured.insert(collection.as_str().to_owned())
            {
                processor.ensure_collection().await?;
            }
        }
        Ok(())
    }

    /// The processors, in configuration order.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(platform: &ha_aws::vision::ImageProcessing) {
    /// println!("{} cameras", platform.processors().len());
    /// # }
    /// ```
    pub fn processors(&self) -> &[Arc<VisionProcessor>] {
        &self.processors
    }

    /// The processor of `entity_id` (`image_processing.<name>`), or of the name itself.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(platform: &ha_aws::vision::ImageProcessing) {
    /// if let Some(processor) = platform.processor("image_processing.front_door") {
    ///     println!("{}", processor.camera());
    /// }
    /// # }
    /// ```
    pub fn processor(&self, entity_id: &str) -> Option<&Arc<VisionProcessor>> {
        self.processors
            .iter()
            .find(|processor| processor.entity_id == entity_id || processor.name() == entity_id)
    }

    /// The `aws.index_face` service: indexes into the collection of the face entity
    /// `entity_id` and fires [`VisionEvent::FaceIndexed`] on it.
    ///
    /// # Errors
    ///
    /// [`VisionError::UnknownEntity`] when `entity_id` is no face entity, and the errors of
    /// [`FaceDetector::index`].
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(platform: &ha_aws::vision::ImageProcessing) -> Result<(), ha_aws::Error> {
    /// let request = serde_json::from_str(r#"{"image_id": "jane", "image_path": "jane.jpg"}"#).unwrap();
    /// platform.index_face("image_processing.front_door", &request).await?;
    /// # Ok(()) }
    /// ```
    pub async fn index_face(
        &self,
        entity_id: &str,
        request: &IndexRequest,
    ) -> Result<IndexReport, Error> {
        let processor = self
            .processor(entity_id)
            .filter(|processor| processor.platform() == VisionPlatform::Face)
            .ok_or_else(|| VisionError::UnknownEntity {
                entity_id: entity_id.to_owned(),
                platform: "face",
            })?;
        processor.index_face(request).await
    }
}

/// The frame source a configured camera names: its `file` or `snapshot_url`.
fn frame_source(source: &CameraSource) -> Result<Arc<dyn FrameSource>, Error> {
    if let Some(path) = &source.file {
        return Ok(Arc::new(FileSource::new(path)));
    }
    if let Some(url) = &source.snapshot_url {
        #[cfg(feature = "snapshot")]
        return Ok(Arc::new(HttpSnapshot::new(&source.entity_id, url)?));
        #[cfg(not(feature = "snapshot"))]
        {
            let _ = url;
            return Err(VisionError::FeatureDisabled {
                option: format!("snapshot_url of camera `{}`", source.entity_id),
                feature: "snapshot",
            }
            .into());
        }
    }
    Err(VisionError::NoFrameSource {
        entity_id: source.entity_id.clone(),
    }
    .into())
}

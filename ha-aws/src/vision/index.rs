//! `index_face`: teaching the collection a face, from a file or every file of a folder.

use std::path::{Path, PathBuf};

use aws_sdk_rekognition::types::{Image, QualityFilter, Reason};
use serde::{Deserialize, Serialize};

use super::faces::FaceDetector;
use super::from_sdk_box;
use super::geometry::BoundingBox;
use super::ids::ImageId;
use super::source::SourceImage;
use crate::error::{Error, VisionError, from_sdk};
use crate::service::Operation;

/// What to index: the `aws.index_face` service data.
///
/// Deserializes from `{image_id, image_path}` or `{image_id, image_folder}` (`name` is accepted
/// for `image_id`, as in Home Assistant's examples; `entity_id` is ignored).
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{ImageId, IndexRequest};
///
/// let request: IndexRequest = serde_json::from_str(r#"{"image_id": "jane", "image_folder": "faces/jane"}"#).unwrap();
/// assert_eq!(request, IndexRequest::folder(ImageId::new("jane")?, "faces/jane"));
/// assert!(serde_json::from_str::<IndexRequest>(r#"{"image_id": "jane"}"#).is_err());
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexRequest {
    image_id: ImageId,
    source: IndexSource,
}

/// Where the images to index are.
///
/// # Examples
///
/// ```
/// let request = ha_aws::vision::IndexRequest::file(ha_aws::vision::ImageId::new("jane")?, "jane.jpg");
/// assert!(matches!(request.source(), ha_aws::vision::IndexSource::File(_)));
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IndexSource {
    /// One image (`image_path`).
    File(PathBuf),
    /// Every file of a folder (`image_folder`), in name order; hidden files are skipped.
    Folder(PathBuf),
}

impl IndexRequest {
    /// Index the face in the image at `path` as `image_id`.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = ha_aws::vision::IndexRequest::file(ha_aws::vision::ImageId::new("jane")?, "jane.jpg");
    /// assert_eq!(request.image_id().as_str(), "jane");
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn file(image_id: ImageId, path: impl Into<PathBuf>) -> Self {
        Self {
            image_id,
            source: IndexSource::File(path.into()),
        }
    }

    /// Index the face in every image of `folder` as `image_id`.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = ha_aws::vision::IndexRequest::folder(ha_aws::vision::ImageId::new("jane")?, "faces/jane");
    /// assert!(matches!(request.source(), ha_aws::vision::IndexSource::Folder(_)));
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn folder(image_id: ImageId, folder: impl Into<PathBuf>) -> Self {
        Self {
            image_id,
            source: IndexSource::Folder(folder.into()),
        }
    }

    /// The id the faces are indexed under.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(request: &ha_aws::vision::IndexRequest) {
    /// println!("{}", request.image_id());
    /// # }
    /// ```
    pub fn image_id(&self) -> &ImageId {
        &self.image_id
    }

    /// Where the images are.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(request: &ha_aws::vision::IndexRequest) {
    /// println!("{:?}", request.source());
    /// # }
    /// ```
    pub fn source(&self) -> &IndexSource {
        &self.source
    }
}

impl<'de> Deserialize<'de> for IndexRequest {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(alias = "name")]
            image_id: ImageId,
            image_path: Option<PathBuf>,
            image_folder: Option<PathBuf>,
            #[serde(default, rename = "entity_id")]
            _entity_id: Option<serde_json::Value>,
        }
        let raw = Raw::deserialize(deserializer)?;
        match (raw.image_path, raw.image_folder) {
            (Some(path), None) => Ok(Self::file(raw.image_id, path)),
            (None, Some(folder)) => Ok(Self::folder(raw.image_id, folder)),
            _ => Err(serde::de::Error::custom(VisionError::IndexSource)),
        }
    }
}

/// A face indexed into the collection.
///
/// # Examples
///
/// ```
/// # fn demo(face: &ha_aws::vision::IndexedFace) {
/// if face.other_faces > 0 {
///     println!("only the largest of {} faces was indexed", face.other_faces + 1);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct IndexedFace {
    /// Rekognition's id of the new collection face.
    pub face_id: String,
    /// Where the face is in its image.
    pub bounding_box: BoundingBox,
    /// The detection confidence.
    #[serde(serialize_with = "super::rounded")]
    pub confidence: f32,
    /// How many more faces the image held (they were not indexed).
    pub other_faces: usize,
}

/// Progress of folder indexing, reported once per file as soon as it is done.
///
/// # Examples
///
/// ```
/// # fn demo(progress: ha_aws::vision::IndexProgress<'_>) {
/// match progress.result {
///     Ok(_) => println!("{}/{} {} indexed", progress.position, progress.total, progress.path.display()),
///     Err(error) => println!("{}/{} failed: {error}", progress.position, progress.total),
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct IndexProgress<'a> {
    /// The file's position, from 1.
    pub position: usize,
    /// The number of files.
    pub total: usize,
    /// The file.
    pub path: &'a Path,
    /// How it went.
    pub result: &'a Result<IndexedFace, Error>,
}

/// The outcome of indexing a file or a folder: one entry per file.
///
/// # Examples
///
/// ```
/// # fn demo(report: &ha_aws::vision::IndexReport) {
/// println!("{} indexed, {} failed", report.indexed().count(), report.failed().count());
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct IndexReport {
    image_id: ImageId,
    outcomes: Vec<(PathBuf, Result<IndexedFace, Error>)>,
}

impl IndexReport {
    /// The id the faces were indexed under.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::vision::IndexReport) {
    /// println!("{}", report.image_id());
    /// # }
    /// ```
    pub fn image_id(&self) -> &ImageId {
        &self.image_id
    }

    /// Every file with its outcome, in the order indexed.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::vision::IndexReport) {
    /// for (path, result) in report.outcomes() {
    ///     println!("{}: {}", path.display(), if result.is_ok() { "ok" } else { "failed" });
    /// }
    /// # }
    /// ```
    pub fn outcomes(&self) -> &[(PathBuf, Result<IndexedFace, Error>)] {
        &self.outcomes
    }

    /// The files whose face was indexed.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::vision::IndexReport) {
    /// let faces: Vec<&str> = report.indexed().map(|(_, face)| face.face_id.as_str()).collect();
    /// # }
    /// ```
    pub fn indexed(&self) -> impl Iterator<Item = (&Path, &IndexedFace)> {
        self.outcomes
            .iter()
            .filter_map(|(path, result)| Some((path.as_path(), result.as_ref().ok()?)))
    }

    /// The files that failed, with their errors.
    ///
    /// # Examples
    ///
    /// ```
    /// # fn demo(report: &ha_aws::vision::IndexReport) {
    /// for (path, error) in report.failed() {
    ///     eprintln!("{}: {error}", path.display());
    /// }
    /// # }
    /// ```
    pub fn failed(&self) -> impl Iterator<Item = (&Path, &Error)> {
        self.outcomes
            .iter()
            .filter_map(|(path, result)| Some((path.as_path(), result.as_ref().err()?)))
    }
}

impl FaceDetector {
    /// Indexes the largest face of `image` into the collection under `image_id`; when the
    /// image holds more faces, they are left out, with a warning.
    ///
    /// # Errors
    ///
    /// [`VisionError::NoCollection`] without a collection, [`VisionError::NoFace`] when
    /// Rekognition finds no face, [`Error::Service`] when IndexFaces fails.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::FaceDetector, image: ha_aws::vision::SourceImage) -> Result<(), ha_aws::Error> {
    /// let face = detector.index_image(&ha_aws::vision::ImageId::new("jane")?, &image).await?;
    /// println!("indexed as {}", face.face_id);
    /// # Ok(()) }
    /// ```
    pub async fn index_image(
        &self,
        image_id: &ImageId,
        image: &SourceImage,
    ) -> Result<IndexedFace, Error> {
        self.index_one(image_id, image, None).await
    }

    async fn index_one(
        &self,
        image_id: &ImageId,
        image: &SourceImage,
        path: Option<&Path>,
    ) -> Result<IndexedFace, Error> {
        let collection = self.collection_for("index_face")?;
        let output = self
            .client
            .index_faces()
            .collection_id(collection.as_str())
            .image(Image::builder().bytes(image.blob()).build())
            .external_image_id(image_id.as_str())
            .max_faces(1)
            .quality_filter(QualityFilter::Auto)
            .send()
            .await
            .map_err(|error| {
                from_sdk(
                    error,
                    Operation::REKOGNITION_INDEX_FACES,
                    Some(collection.as_str()),
                )
            })?;
        let path_text = || path.map(|path| path.display().to_string());
        let Some(face) = output
            .face_records()
            .iter()
            .find_map(|record| record.face())
        else {
            return Err(VisionError::NoFace { path: path_text() }.into());
        };
        let other_faces = output
            .unindexed_faces()
            .iter()
            .filter(|face| face.reasons().contains(&Reason::ExceedsMaxFaces))
            .count();
        if other_faces > 0 {
            tracing::warn!(
                image = path_text().as_deref().unwrap_or("image"),
                other_faces,
                image_id = %image_id,
                "the image holds several faces; only the largest was indexed"
            );
        }
        Ok(IndexedFace {
            face_id: face.face_id().unwrap_or_default().to_owned(),
            bounding_box: face
                .bounding_box()
                .map_or(BoundingBox::new(0.0, 0.0, 0.0, 0.0), from_sdk_box),
            confidence: face.confidence().unwrap_or(0.0),
            other_faces,
        })
    }

    /// Reads the image at `path` and indexes its largest face under `image_id`.
    ///
    /// # Errors
    ///
    /// The errors of [`SourceImage::open`] (checked before upload) and of
    /// [`FaceDetector::index_image`], naming the file.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::FaceDetector) -> Result<(), ha_aws::Error> {
    /// detector.index_file(&ha_aws::vision::ImageId::new("jane")?, "faces/jane.jpg").await?;
    /// # Ok(()) }
    /// ```
    pub async fn index_file(
        &self,
        image_id: &ImageId,
        path: impl AsRef<Path>,
    ) -> Result<IndexedFace, Error> {
        let path = path.as_ref();
        let image = SourceImage::open(path)?;
        self.index_one(image_id, &image, Some(path)).await
    }

    /// Indexes every file of `folder` (in name order, hidden files skipped) under `image_id`,
    /// calling `progress` after each; a file that fails is reported and the others still go.
    ///
    /// # Errors
    ///
    /// [`VisionError::NoCollection`] without a collection, [`VisionError::Io`] when the folder
    /// cannot be listed. Failures of single files are in the report.
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::FaceDetector) -> Result<(), ha_aws::Error> {
    /// let report = detector
    ///     .index_folder(&ha_aws::vision::ImageId::new("jane")?, "faces/jane", |progress| {
    ///         println!("{}/{} {}", progress.position, progress.total, progress.path.display());
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn index_folder(
        &self,
        image_id: &ImageId,
        folder: impl AsRef<Path>,
        mut progress: impl FnMut(IndexProgress<'_>),
    ) -> Result<IndexReport, Error> {
        self.collection_for("index_face")?;
        let folder = folder.as_ref();
        let io = |error: std::io::Error| Error::from(VisionError::io(folder, &error));
        let mut files = Vec::new();
        for entry in std::fs::read_dir(folder).map_err(io)? {
            let entry = entry.map_err(io)?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && entry.file_type().map_err(io)?.is_file() {
                files.push(entry.path());
            }
        }
        files.sort();
        let total = files.len();
        let mut outcomes = Vec::with_capacity(total);
        for (position, path) in (1..).zip(files) {
            let result = self.index_file(image_id, &path).await;
            if let Err(error) = &result {
                tracing::warn!(file = %path.display(), %error, "could not index face");
            }
            progress(IndexProgress {
                position,
                total,
                path: &path,
                result: &result,
            });
            outcomes.push((path, result));
        }
        Ok(IndexReport {
            image_id: image_id.clone(),
            outcomes,
        })
    }

    /// Runs an `index_face` request: one file, or every file of a folder.
    ///
    /// # Errors
    ///
    /// For a file, its error; for a folder, the errors of [`FaceDetector::index_folder`].
    ///
    /// # Examples
    ///
    /// ```
    /// # async fn demo(detector: ha_aws::vision::FaceDetector) -> Result<(), ha_aws::Error> {
    /// let request = serde_json::from_str(r#"{"image_id": "jane", "image_path": "jane.jpg"}"#).unwrap();
    /// detector.index(&request, |_| {}).await?;
    /// # Ok(()) }
    /// ```
    pub async fn index(
        &self,
        request: &IndexRequest,
        progress: impl FnMut(IndexProgress<'_>),
    ) -> Result<IndexReport, Error> {
        match &request.source {
            IndexSource::File(path) => {
                let face = self.index_file(&request.image_id, path).await?;
                Ok(IndexReport {
                    image_id: request.image_id.clone(),
                    outcomes: vec![(path.clone(), Ok(face))],
                })
            }
            IndexSource::Folder(folder) => {
                self.index_folder(&request.image_id, folder, progress).await
            }
        }
    }
}

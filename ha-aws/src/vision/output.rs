//! What a detector does with a processed image, the same for objects and faces: draws its
//! results on it (`show_boxes`), encodes it, saves it ([`ImageSaver`]) and, with the `s3`
//! feature, uploads the saved image to a bucket ([`S3Upload`]).

use super::DEFAULT_JPEG_QUALITY;
use super::annotate::{Annotation, annotate};
use super::save::{ImageSaver, SaveFormat, SavedImage};
use super::source::{self, SourceImage};
#[cfg(feature = "s3")]
use super::upload::S3Upload;
use crate::error::Error;

/// How a detector draws, saves and uploads the images it processed.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{ImageOutput, ImageSaver};
///
/// let output = ImageOutput::default()
///     .with_saver(ImageSaver::new(std::env::temp_dir())?)
///     .with_jpeg_quality(85)
///     .with_show_boxes(false);
/// assert!(output.saver().is_some());
/// assert_eq!(output.jpeg_quality(), 85);
/// assert!(!output.show_boxes());
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ImageOutput {
    saver: Option<ImageSaver>,
    #[cfg(feature = "s3")]
    upload: Option<S3Upload>,
    jpeg_quality: u8,
    show_boxes: bool,
}

impl Default for ImageOutput {
    /// Nothing saved or uploaded; boxes drawn; JPEG quality 75.
    fn default() -> Self {
        Self {
            saver: None,
            #[cfg(feature = "s3")]
            upload: None,
            jpeg_quality: DEFAULT_JPEG_QUALITY,
            show_boxes: true,
        }
    }
}

impl ImageOutput {
    /// Saves processed images, annotated, with `saver`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{ImageOutput, ImageSaver};
    ///
    /// let output = ImageOutput::default().with_saver(ImageSaver::new(std::env::temp_dir())?);
    /// assert!(output.saver().is_some());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    #[must_use]
    pub fn with_saver(mut self, saver: ImageSaver) -> Self {
        self.saver = Some(saver);
        self
    }

    /// The saver, if images are saved.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::ImageOutput::default().saver().is_none());
    /// ```
    pub fn saver(&self) -> Option<&ImageSaver> {
        self.saver.as_ref()
    }

    /// Uploads every saved image to `upload`'s bucket too (feature `s3`).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{ImageOutput, S3Upload};
    ///
    /// let output = ImageOutput::default().with_upload(S3Upload::new("camera-images")?.with_prefix("door/")?);
    /// assert_eq!(output.upload().unwrap().bucket(), "camera-images");
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    #[cfg(feature = "s3")]
    #[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
    #[must_use]
    pub fn with_upload(mut self, upload: S3Upload) -> Self {
        self.upload = Some(upload);
        self
    }

    /// Where saved images are uploaded, if anywhere.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::ImageOutput::default().upload().is_none());
    /// ```
    #[cfg(feature = "s3")]
    #[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
    pub fn upload(&self) -> Option<&S3Upload> {
        self.upload.as_ref()
    }

    /// The JPEG quality of saved images (1..=100, default 75).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ImageOutput::default().with_jpeg_quality(0).jpeg_quality(), 1);
    /// ```
    #[must_use]
    pub fn with_jpeg_quality(mut self, quality: u8) -> Self {
        self.jpeg_quality = quality.clamp(1, 100);
        self
    }

    /// The JPEG quality of saved images.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ImageOutput::default().jpeg_quality(), 75);
    /// ```
    pub fn jpeg_quality(&self) -> u8 {
        self.jpeg_quality
    }

    /// Draws boxes and labels on saved images (`show_boxes`, the default); without, the frame
    /// is saved as it was.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_aws::vision::ImageOutput::default().with_show_boxes(false).show_boxes());
    /// ```
    #[must_use]
    pub fn with_show_boxes(mut self, show: bool) -> Self {
        self.show_boxes = show;
        self
    }

    /// Whether boxes and labels are drawn on saved images.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::ImageOutput::default().show_boxes());
    /// ```
    pub fn show_boxes(&self) -> bool {
        self.show_boxes
    }

    /// Saves `image` as `name` when the saver saves after `matches` matches, with the
    /// `annotations` drawn when boxes are shown, then uploads it when an upload is set.
    pub(super) async fn write(
        &self,
        client: &OutputClient,
        name: &str,
        image: &SourceImage,
        matches: usize,
        annotations: impl FnOnce() -> Vec<Annotation>,
    ) -> Result<Option<SavedImage>, Error> {
        let Some(saver) = self
            .saver
            .as_ref()
            .filter(|saver| saver.saves_after(matches))
        else {
            return Ok(None);
        };
        let mut pixels = image.decode()?;
        if self.show_boxes {
            annotate(&mut pixels, &annotations());
        }
        let encoded = match saver.format() {
            SaveFormat::Jpg => source::encode_jpeg(&pixels, self.jpeg_quality)?,
            SaveFormat::Png => source::encode_png(&pixels)?,
        };
        drop(pixels);
        #[cfg_attr(not(feature = "s3"), expect(unused_mut, reason = "nothing uploads it"))]
        let mut written = saver.save(name, &encoded, std::time::SystemTime::now(), matches > 0)?;
        #[cfg(feature = "s3")]
        if let (Some(upload), Some(s3)) = (&self.upload, &client.s3) {
            written.uploaded = Some(upload.put(s3, &written, saver.format(), encoded).await?);
        }
        #[cfg(not(feature = "s3"))]
        let _ = client;
        Ok(Some(written))
    }
}

/// The clients an [`ImageOutput`] needs, built once per detector from its session.
#[derive(Debug, Clone, Default)]
pub(super) struct OutputClient {
    #[cfg(feature = "s3")]
    s3: Option<aws_sdk_s3::Client>,
}

impl OutputClient {
    /// The clients `output` needs, from `session`.
    #[cfg_attr(
        not(feature = "s3"),
        expect(unused_variables, reason = "no client needed")
    )]
    pub(super) fn new(session: &crate::session::Session, output: &ImageOutput) -> Self {
        Self {
            #[cfg(feature = "s3")]
            s3: output
                .upload
                .as_ref()
                .map(|_| super::upload::client(session)),
        }
    }
}

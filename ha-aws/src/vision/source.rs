//! Images as Rekognition accepts them: JPEG or PNG bytes, at most 5 MiB.

use std::path::Path;

use crate::error::{Error, VisionError};

/// The largest image Rekognition accepts as bytes (5 MiB).
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::MAX_IMAGE_BYTES, 5 * 1024 * 1024);
/// ```
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// The encoding of an image Rekognition accepts.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::ImageFormat;
///
/// assert_eq!(ImageFormat::sniff(b"\x89PNG\r\n\x1a\n..."), Some(ImageFormat::Png));
/// assert_eq!(ImageFormat::sniff(b"GIF89a"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ImageFormat {
    /// JPEG (JFIF or Exif).
    Jpeg,
    /// PNG.
    Png,
}

impl ImageFormat {
    /// The format of `bytes`, read from their first bytes; `None` for anything else.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::ImageFormat::sniff(&[0xff, 0xd8, 0xff, 0xe0]), Some(ha_aws::vision::ImageFormat::Jpeg));
    /// ```
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else {
            None
        }
    }

    pub(crate) const fn codec(self) -> image::ImageFormat {
        match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
        }
    }
}

/// Image bytes checked before upload: JPEG or PNG, not empty, at most [`MAX_IMAGE_BYTES`].
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{ImageFormat, SourceImage};
///
/// let image = SourceImage::new(vec![0xff, 0xd8, 0xff, 0xe0, 0, 0])?;
/// assert_eq!(image.format(), ImageFormat::Jpeg);
/// assert!(SourceImage::new(b"GIF89a".to_vec()).is_err());
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceImage {
    bytes: Vec<u8>,
    format: ImageFormat,
}

impl SourceImage {
    /// Checks `bytes`.
    ///
    /// # Errors
    ///
    /// [`VisionError::ImageTooLarge`] above [`MAX_IMAGE_BYTES`], [`VisionError::UnsupportedFormat`]
    /// for anything but JPEG or PNG (empty bytes included).
    ///
    /// # Examples
    ///
    /// ```
    /// let error = ha_aws::vision::SourceImage::new(vec![0; 6 * 1024 * 1024]).unwrap_err();
    /// assert!(error.to_string().contains("5242880"));
    /// ```
    pub fn new(bytes: Vec<u8>) -> Result<Self, Error> {
        Self::checked(bytes, None)
    }

    /// Reads and checks the file at `path`; errors name the file.
    ///
    /// # Errors
    ///
    /// [`VisionError::Io`] when the file cannot be read, and the errors of [`SourceImage::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// let error = ha_aws::vision::SourceImage::open("no/such/image.jpg").unwrap_err();
    /// assert!(error.to_string().contains("no/such/image.jpg"));
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let len = std::fs::metadata(path).map_err(|error| VisionError::io(path, &error))?;
        if usize::try_from(len.len()).map_or(true, |len| len > MAX_IMAGE_BYTES) {
            return Err(VisionError::ImageTooLarge {
                path: Some(path.display().to_string()),
                len: usize::try_from(len.len()).unwrap_or(usize::MAX),
                max: MAX_IMAGE_BYTES,
            }
            .into());
        }
        let bytes = std::fs::read(path).map_err(|error| VisionError::io(path, &error))?;
        Self::checked(bytes, Some(path))
    }

    fn checked(bytes: Vec<u8>, path: Option<&Path>) -> Result<Self, Error> {
        let path = || path.map(|path| path.display().to_string());
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(VisionError::ImageTooLarge {
                path: path(),
                len: bytes.len(),
                max: MAX_IMAGE_BYTES,
            }
            .into());
        }
        let Some(format) = ImageFormat::sniff(&bytes) else {
            return Err(VisionError::UnsupportedFormat { path: path() }.into());
        };
        Ok(Self { bytes, format })
    }

    /// The bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let image = ha_aws::vision::SourceImage::new(vec![0xff, 0xd8, 0xff])?;
    /// assert_eq!(image.bytes().len(), 3);
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The format.
    ///
    /// # Examples
    ///
    /// ```
    /// let image = ha_aws::vision::SourceImage::new(vec![0xff, 0xd8, 0xff])?;
    /// assert_eq!(image.format(), ha_aws::vision::ImageFormat::Jpeg);
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn format(&self) -> ImageFormat {
        self.format
    }

    /// Decodes the image to RGB pixels.
    ///
    /// # Errors
    ///
    /// [`VisionError::Decode`] when the bytes are not a valid image of their format.
    ///
    /// # Examples
    ///
    /// ```
    /// let image = ha_aws::vision::SourceImage::new(vec![0xff, 0xd8, 0xff])?;
    /// assert!(image.decode().is_err());
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn decode(&self) -> Result<image::RgbImage, Error> {
        image::load_from_memory_with_format(&self.bytes, self.format.codec())
            .map(image::DynamicImage::into_rgb8)
            .map_err(|error| {
                VisionError::Decode {
                    reason: error.to_string(),
                }
                .into()
            })
    }

    /// The image shrunk by `scale` (0.1..=1, keeping the aspect ratio) and encoded as JPEG at
    /// quality 90; at 1 or above, the image itself.
    ///
    /// # Errors
    ///
    /// The errors of [`SourceImage::decode`] and of the encoder.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{SourceImage, encode_jpeg};
    ///
    /// let image = SourceImage::new(encode_jpeg(&image::RgbImage::new(200, 100), 75)?)?;
    /// assert_eq!(image.scaled(0.5)?.decode()?.dimensions(), (100, 50));
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn scaled(&self, scale: f32) -> Result<Self, Error> {
        if scale >= 1.0 {
            return Ok(self.clone());
        }
        let pixels = self.decode()?;
        let scale = f64::from(scale.max(0.01));
        let size = |side: u32| {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a positive side times a factor below 1 fits in u32"
            )]
            let scaled = (f64::from(side) * scale).round() as u32;
            scaled.max(1)
        };
        let shrunk = image::imageops::resize(
            &pixels,
            size(pixels.width()),
            size(pixels.height()),
            image::imageops::FilterType::Triangle,
        );
        Self::new(encode_jpeg(&shrunk, 90)?)
    }

    pub(crate) fn blob(&self) -> aws_smithy_types::Blob {
        aws_smithy_types::Blob::new(self.bytes.clone())
    }
}

impl TryFrom<Vec<u8>> for SourceImage {
    type Error = Error;

    fn try_from(bytes: Vec<u8>) -> Result<Self, Error> {
        Self::new(bytes)
    }
}

/// Encodes RGB pixels as a baseline JPEG at `quality` (1..=100): IJG quantization tables, 4:2:0
/// chroma subsampling below quality 90, as libjpeg and Pillow do.
pub(crate) fn encode_jpeg(image: &image::RgbImage, quality: u8) -> Result<Vec<u8>, Error> {
    let (Ok(width), Ok(height)) = (u16::try_from(image.width()), u16::try_from(image.height()))
    else {
        return Err(VisionError::Encode {
            reason: format!(
                "{}x{} is larger than jpeg allows (65535x65535)",
                image.width(),
                image.height()
            ),
        }
        .into());
    };
    let mut out = Vec::with_capacity(image.as_raw().len() / 8);
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(image.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(|error| VisionError::Encode {
            reason: error.to_string(),
        })?;
    Ok(out)
}

/// Encodes RGB pixels as PNG.
pub(crate) fn encode_png(image: &image::RgbImage) -> Result<Vec<u8>, Error> {
    let mut out = std::io::Cursor::new(Vec::with_capacity(image.as_raw().len() / 2));
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|error| VisionError::Encode {
            reason: error.to_string(),
        })?;
    Ok(out.into_inner())
}

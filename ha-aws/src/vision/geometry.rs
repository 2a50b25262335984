//! Rekognition's relative boxes, their pixel equivalents, and regions of interest.

use serde::{Deserialize, Serialize};

/// A box as Rekognition reports it: each value a fraction of the image's width or height.
///
/// Rekognition may report boxes that reach past the image's edges (a face cut by the frame);
/// [`BoundingBox::to_pixels`] clamps them.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::BoundingBox;
///
/// let bounding_box = BoundingBox::new(0.25, 0.5, 0.5, 0.25);
/// assert_eq!(bounding_box.centre(), (0.5, 0.625));
/// let pixels = bounding_box.to_pixels(200, 100).unwrap();
/// assert_eq!((pixels.x, pixels.y, pixels.width, pixels.height), (50, 50, 100, 25));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    /// Distance of the left edge from the image's left edge, as a fraction of its width.
    #[serde(serialize_with = "super::rounded")]
    pub left: f32,
    /// Distance of the top edge from the image's top edge, as a fraction of its height.
    #[serde(serialize_with = "super::rounded")]
    pub top: f32,
    /// Width as a fraction of the image's width.
    #[serde(serialize_with = "super::rounded")]
    pub width: f32,
    /// Height as a fraction of the image's height.
    #[serde(serialize_with = "super::rounded")]
    pub height: f32,
}

impl BoundingBox {
    /// A box from its left and top edges, width and height, all fractions of the image.
    ///
    /// # Examples
    ///
    /// ```
    /// let whole = ha_aws::vision::BoundingBox::new(0.0, 0.0, 1.0, 1.0);
    /// assert_eq!(whole.area(), 1.0);
    /// ```
    pub const fn new(left: f32, top: f32, width: f32, height: f32) -> Self {
        Self {
            left,
            top,
            width,
            height,
        }
    }

    /// The centre `(x, y)`, as fractions of the image's width and height.
    ///
    /// # Examples
    ///
    /// ```
    /// let centre = ha_aws::vision::BoundingBox::new(0.2, 0.2, 0.2, 0.4).centre();
    /// assert!((centre.0 - 0.3).abs() < 1e-6 && (centre.1 - 0.4).abs() < 1e-6);
    /// ```
    pub fn centre(&self) -> (f32, f32) {
        (self.left + self.width / 2.0, self.top + self.height / 2.0)
    }

    /// The area as a fraction of the image's area (0 for a negative width or height).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::vision::BoundingBox::new(0.0, 0.0, 0.5, 0.5).area(), 0.25);
    /// ```
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// The box in pixels of an image `image_width` by `image_height`, clamped to the image;
    /// `None` when nothing of it lies inside the image (or a value is not a number).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::BoundingBox;
    ///
    /// // a box reaching past the right and bottom edges is cut at them
    /// let pixels = BoundingBox::new(0.9, 0.9, 0.5, 0.5).to_pixels(100, 100).unwrap();
    /// assert_eq!((pixels.x, pixels.y, pixels.width, pixels.height), (90, 90, 10, 10));
    /// assert!(BoundingBox::new(1.2, 0.0, 0.1, 0.1).to_pixels(100, 100).is_none());
    /// ```
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the values are clamped to 0..=image size before the conversion"
    )]
    pub fn to_pixels(&self, image_width: u32, image_height: u32) -> Option<PixelBox> {
        let values = [self.left, self.top, self.width, self.height];
        if values.iter().any(|value| !value.is_finite()) {
            return None;
        }
        let (w, h) = (f64::from(image_width), f64::from(image_height));
        let clamp = |value: f64, max: f64| value.round().clamp(0.0, max);
        let x0 = clamp(f64::from(self.left) * w, w);
        let y0 = clamp(f64::from(self.top) * h, h);
        let x1 = clamp(f64::from(self.left + self.width) * w, w);
        let y1 = clamp(f64::from(self.top + self.height) * h, h);
        if x1 <= x0 || y1 <= y0 {
            return None;
        }
        Some(PixelBox {
            x: x0 as u32,
            y: y0 as u32,
            width: (x1 - x0) as u32,
            height: (y1 - y0) as u32,
        })
    }
}

/// A box in pixels, inside its image.
///
/// # Examples
///
/// ```
/// let pixels = ha_aws::vision::BoundingBox::new(0.5, 0.5, 0.5, 0.5).to_pixels(10, 10).unwrap();
/// assert_eq!(pixels.right(), 10);
/// assert_eq!(pixels.bottom(), 10);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PixelBox {
    /// The left column.
    pub x: u32,
    /// The top row.
    pub y: u32,
    /// Width in pixels, at least 1.
    pub width: u32,
    /// Height in pixels, at least 1.
    pub height: u32,
}

impl PixelBox {
    /// The column just right of the box.
    ///
    /// # Examples
    ///
    /// ```
    /// let pixels = ha_aws::vision::PixelBox { x: 2, y: 0, width: 3, height: 1 };
    /// assert_eq!(pixels.right(), 5);
    /// ```
    pub const fn right(&self) -> u32 {
        self.x + self.width
    }

    /// The row just below the box.
    ///
    /// # Examples
    ///
    /// ```
    /// let pixels = ha_aws::vision::PixelBox { x: 0, y: 4, width: 1, height: 2 };
    /// assert_eq!(pixels.bottom(), 6);
    /// ```
    pub const fn bottom(&self) -> u32 {
        self.y + self.height
    }
}

/// A region of interest: an object counts only when its box's centre lies inside.
///
/// The values are fractions of the image's width (`x_*`) and height (`y_*`); the edges belong
/// to the region. The default is the whole image.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{BoundingBox, RegionOfInterest};
///
/// let left_half = RegionOfInterest::new(0.0, 0.0, 0.5, 1.0)?;
/// assert!(left_half.contains_centre_of(&BoundingBox::new(0.1, 0.1, 0.2, 0.2)));
/// assert!(!left_half.contains_centre_of(&BoundingBox::new(0.4, 0.1, 0.4, 0.2)));
/// # Ok::<(), ha_aws::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegionOfInterest {
    x_min: f32,
    y_min: f32,
    x_max: f32,
    y_max: f32,
}

impl Default for RegionOfInterest {
    fn default() -> Self {
        Self {
            x_min: 0.0,
            y_min: 0.0,
            x_max: 1.0,
            y_max: 1.0,
        }
    }
}

impl RegionOfInterest {
    /// A region from its left, top, right and bottom edges.
    ///
    /// # Errors
    ///
    /// [`VisionError::InvalidRegion`](crate::VisionError::InvalidRegion) when a value lies
    /// outside 0..=1 or a minimum is not below its maximum.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::RegionOfInterest;
    ///
    /// assert!(RegionOfInterest::new(0.2, 0.2, 0.8, 0.8).is_ok());
    /// assert!(RegionOfInterest::new(0.8, 0.2, 0.2, 0.8).is_err());
    /// ```
    pub fn new(x_min: f32, y_min: f32, x_max: f32, y_max: f32) -> Result<Self, crate::Error> {
        let unit = |value: f32| (0.0..=1.0).contains(&value);
        if [x_min, y_min, x_max, y_max].into_iter().all(unit) && x_min < x_max && y_min < y_max {
            Ok(Self {
                x_min,
                y_min,
                x_max,
                y_max,
            })
        } else {
            Err(crate::VisionError::InvalidRegion {
                x_min,
                y_min,
                x_max,
                y_max,
            }
            .into())
        }
    }

    /// Whether the point `(x, y)` (fractions of the image) lies inside, edges included.
    ///
    /// # Examples
    ///
    /// ```
    /// let whole = ha_aws::vision::RegionOfInterest::default();
    /// assert!(whole.contains(1.0, 0.0));
    /// assert!(!whole.contains(1.01, 0.5));
    /// ```
    pub fn contains(&self, x: f32, y: f32) -> bool {
        (self.x_min..=self.x_max).contains(&x) && (self.y_min..=self.y_max).contains(&y)
    }

    /// Whether the centre of `bounding_box` lies inside.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{BoundingBox, RegionOfInterest};
    ///
    /// let whole = RegionOfInterest::default();
    /// assert!(whole.contains_centre_of(&BoundingBox::new(0.8, 0.8, 0.2, 0.2)));
    /// ```
    pub fn contains_centre_of(&self, bounding_box: &BoundingBox) -> bool {
        let (x, y) = bounding_box.centre();
        self.contains(x, y)
    }

    /// Whether the region is the whole image.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::vision::RegionOfInterest::default().is_whole_image());
    /// ```
    pub fn is_whole_image(&self) -> bool {
        *self == Self::default()
    }

    /// The region as a box, for drawing it.
    ///
    /// # Examples
    ///
    /// ```
    /// let region = ha_aws::vision::RegionOfInterest::new(0.1, 0.2, 0.5, 0.6)?;
    /// assert_eq!(region.as_box().left, 0.1);
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn as_box(&self) -> BoundingBox {
        BoundingBox::new(
            self.x_min,
            self.y_min,
            self.x_max - self.x_min,
            self.y_max - self.y_min,
        )
    }
}

//! Boxes and labels drawn on an image.

use image::{Rgb, RgbImage};
use imageproc::drawing::draw_filled_rect_mut;
use imageproc::rect::Rect;

use super::font;
use super::geometry::BoundingBox;

/// The colour of object boxes (yellow, as Home Assistant draws them).
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::OBJECT_COLOUR, image::Rgb([255, 255, 0]));
/// ```
pub const OBJECT_COLOUR: Rgb<u8> = Rgb([255, 255, 0]);

/// The colour of face boxes (cyan).
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::FACE_COLOUR, image::Rgb([0, 255, 255]));
/// ```
pub const FACE_COLOUR: Rgb<u8> = Rgb([0, 255, 255]);

/// The colour of the region of interest (green).
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::REGION_COLOUR, image::Rgb([0, 255, 0]));
/// ```
pub const REGION_COLOUR: Rgb<u8> = Rgb([0, 255, 0]);

/// One box to draw, with its label (empty for none).
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{Annotation, BoundingBox, OBJECT_COLOUR};
///
/// let annotation = Annotation::new(BoundingBox::new(0.1, 0.1, 0.5, 0.5), "person 97.2%");
/// assert_eq!(annotation.colour, OBJECT_COLOUR);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Annotation {
    /// Where the box goes.
    pub bounding_box: BoundingBox,
    /// The text above (or, at the top edge, inside) the box's top-left corner.
    pub label: String,
    /// The colour of the box and the label's background.
    pub colour: Rgb<u8>,
}

impl Annotation {
    /// A box in [`OBJECT_COLOUR`] with `label`.
    ///
    /// # Examples
    ///
    /// ```
    /// let annotation = ha_aws::vision::Annotation::new(ha_aws::vision::BoundingBox::new(0.0, 0.0, 1.0, 1.0), "car");
    /// assert_eq!(annotation.label, "car");
    /// ```
    pub fn new(bounding_box: BoundingBox, label: impl Into<String>) -> Self {
        Self {
            bounding_box,
            label: label.into(),
            colour: OBJECT_COLOUR,
        }
    }

    /// The same annotation in `colour`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::vision::{Annotation, BoundingBox, FACE_COLOUR};
    ///
    /// let face = Annotation::new(BoundingBox::new(0.0, 0.0, 0.2, 0.2), "jane").with_colour(FACE_COLOUR);
    /// assert_eq!(face.colour, FACE_COLOUR);
    /// ```
    #[must_use]
    pub fn with_colour(mut self, colour: Rgb<u8>) -> Self {
        self.colour = colour;
        self
    }
}

/// The line width used for an image: 2 pixels up to 720 rows or columns, one more per 360.
///
/// # Examples
///
/// ```
/// assert_eq!(ha_aws::vision::line_width(1920, 1080), 3);
/// assert_eq!(ha_aws::vision::line_width(64, 64), 2);
/// ```
pub fn line_width(width: u32, height: u32) -> u32 {
    (width.min(height) / 360).max(2)
}

/// Draws each annotation's box and label on `image`; boxes that lie outside it are left out.
///
/// The line width follows [`line_width`]; labels use a built-in 5x7 font scaled with the image
/// (lower-case letters appear as capitals), black on the box's colour.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::{Annotation, BoundingBox, OBJECT_COLOUR, annotate};
///
/// let mut image = image::RgbImage::new(100, 100);
/// annotate(&mut image, &[Annotation::new(BoundingBox::new(0.2, 0.2, 0.5, 0.5), "cat")]);
/// assert_eq!(*image.get_pixel(20, 50), OBJECT_COLOUR); // the left edge
/// assert_eq!(*image.get_pixel(45, 45), image::Rgb([0, 0, 0])); // inside stays untouched
/// ```
pub fn annotate(image: &mut RgbImage, annotations: &[Annotation]) {
    let (width, height) = image.dimensions();
    let thickness = line_width(width, height);
    let scale = (thickness / 2).max(1) + 1;
    for annotation in annotations {
        let Some(pixels) = annotation.bounding_box.to_pixels(width, height) else {
            continue;
        };
        let colour = annotation.colour;
        let t = thickness.min(pixels.width).min(pixels.height);
        // four bands, each inside the box, so a box at the image's edge keeps all its sides
        fill(image, pixels.x, pixels.y, pixels.width, t, colour);
        fill(
            image,
            pixels.x,
            pixels.bottom() - t,
            pixels.width,
            t,
            colour,
        );
        fill(image, pixels.x, pixels.y, t, pixels.height, colour);
        fill(
            image,
            pixels.right() - t,
            pixels.y,
            t,
            pixels.height,
            colour,
        );
        if annotation.label.is_empty() {
            continue;
        }
        let padding = scale;
        let label_height = font::GLYPH_HEIGHT * scale + 2 * padding;
        let label_width = font::text_width(&annotation.label, scale) + 2 * padding;
        // above the box when there is room, else inside its top edge
        let top = pixels.y.checked_sub(label_height).unwrap_or(pixels.y + t);
        fill(image, pixels.x, top, label_width, label_height, colour);
        font::draw_text(
            image,
            pixels.x + padding,
            top + padding,
            scale,
            Rgb([0, 0, 0]),
            &annotation.label,
        );
    }
}

/// Fills a rectangle, cut at the image's edges.
fn fill(image: &mut RgbImage, x: u32, y: u32, width: u32, height: u32, colour: Rgb<u8>) {
    let (image_width, image_height) = image.dimensions();
    let width = width.min(image_width.saturating_sub(x));
    let height = height.min(image_height.saturating_sub(y));
    if width == 0 || height == 0 {
        return;
    }
    // x and y are below the image's size, which fits in i32 for any image that fits in memory
    let (Ok(x), Ok(y)) = (i32::try_from(x), i32::try_from(y)) else {
        return;
    };
    draw_filled_rect_mut(image, Rect::at(x, y).of_size(width, height), colour);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drawing_allocates_nothing() {
        let mut image = RgbImage::new(1920, 1080);
        let annotations: Vec<Annotation> = (0..10u8)
            .map(|i| {
                let left = 0.05 + 0.09 * f32::from(i);
                Annotation::new(BoundingBox::new(left, 0.2, 0.08, 0.3), "Person 97.5%")
            })
            .collect();
        let info = allocation_counter::measure(|| annotate(&mut image, &annotations));
        assert_eq!(info.count_total, 0, "{info:?}");
        assert_eq!(*image.get_pixel(96, 300), OBJECT_COLOUR);
    }
}

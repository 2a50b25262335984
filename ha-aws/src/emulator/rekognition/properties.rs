//! DetectLabels' `ImageProperties`, measured from the image itself so that a test sees values
//! that follow its frames: brightness (mean luma), contrast (spread of luma), sharpness (mean
//! luma step between neighbouring pixels), each 0..=100, and the dominant colours (pixels
//! binned at 3 bits per channel, the fullest bins first, each named after the nearest CSS and
//! simplified colour). Rekognition's own models differ; the shape and the ranges are the
//! service's.

use serde_json::{Value, json};

use super::super::protocol::{ErrorShape, Rejection};

/// Pixels measured per row and column step: every `STEP`th, which keeps a 1080p frame cheap.
const STEP: usize = 4;

/// Rekognition's simplified colours, with a representative of each.
const SIMPLIFIED: [(&str, [u8; 3]); 11] = [
    ("black", [0, 0, 0]),
    ("white", [255, 255, 255]),
    ("grey", [128, 128, 128]),
    ("red", [220, 20, 30]),
    ("orange", [255, 140, 0]),
    ("yellow", [250, 220, 30]),
    ("green", [40, 160, 60]),
    ("blue", [30, 80, 220]),
    ("purple", [130, 50, 160]),
    ("pink", [250, 150, 190]),
    ("brown", [130, 80, 40]),
];

/// Some CSS colour names.
const CSS: [(&str, [u8; 3]); 17] = [
    ("black", [0, 0, 0]),
    ("silver", [192, 192, 192]),
    ("gray", [128, 128, 128]),
    ("white", [255, 255, 255]),
    ("maroon", [128, 0, 0]),
    ("red", [255, 0, 0]),
    ("purple", [128, 0, 128]),
    ("fuchsia", [255, 0, 255]),
    ("green", [0, 128, 0]),
    ("lime", [0, 255, 0]),
    ("olive", [128, 128, 0]),
    ("yellow", [255, 255, 0]),
    ("navy", [0, 0, 128]),
    ("blue", [0, 0, 255]),
    ("teal", [0, 128, 128]),
    ("aqua", [0, 255, 255]),
    ("orange", [255, 165, 0]),
];

/// The `ImageProperties` of the image `bytes` with at most `colours` dominant colours.
pub(super) fn measure(bytes: &[u8], colours: usize) -> Result<Value, Rejection> {
    let image = image::load_from_memory(bytes)
        .map_err(|_| {
            Rejection::Invalid(ErrorShape::sender(
                400,
                "InvalidImageFormatException",
                "Request has invalid image format",
            ))
        })?
        .to_rgb8();
    let mut lumas = Vec::new();
    let mut steps = 0.0_f64;
    let mut step_count = 0_u64;
    // per bin: pixel count and channel sums
    let mut bins = vec![(0_u64, [0_u64; 3]); 512];
    for y in (0..image.height()).step_by(STEP) {
        let mut previous: Option<f64> = None;
        for x in (0..image.width()).step_by(STEP) {
            let [r, g, b] = image.get_pixel(x, y).0;
            let luma = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
            if let Some(previous) = previous {
                steps += (luma - previous).abs();
                step_count += 1;
            }
            previous = Some(luma);
            lumas.push(luma);
            let bin = (usize::from(r >> 5) << 6) | (usize::from(g >> 5) << 3) | usize::from(b >> 5);
            let slot = &mut bins[bin];
            slot.0 += 1;
            for (sum, value) in slot.1.iter_mut().zip([r, g, b]) {
                *sum += u64::from(value);
            }
        }
    }
    #[expect(clippy::cast_precision_loss, reason = "pixel counts far below 2^52")]
    let total = lumas.len().max(1) as f64;
    let mean = lumas.iter().sum::<f64>() / total;
    let spread = (lumas.iter().map(|luma| (luma - mean).powi(2)).sum::<f64>() / total).sqrt();
    #[expect(clippy::cast_precision_loss, reason = "pixel counts far below 2^52")]
    let sharpness = steps / (step_count.max(1) as f64);
    let mut filled: Vec<&(u64, [u64; 3])> = bins.iter().filter(|(count, _)| *count > 0).collect();
    filled.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    let dominant: Vec<Value> = filled
        .into_iter()
        .take(colours)
        .map(|(count, sums)| {
            let channel = |sum: u64| u8::try_from(sum / count).unwrap_or(u8::MAX);
            let rgb = [channel(sums[0]), channel(sums[1]), channel(sums[2])];
            #[expect(clippy::cast_precision_loss, reason = "pixel counts far below 2^52")]
            let percent = *count as f64 * 100.0 / total;
            json!({
                "Red": rgb[0],
                "Green": rgb[1],
                "Blue": rgb[2],
                "HexCode": format!("{:02X}{:02X}{:02X}", rgb[0], rgb[1], rgb[2]),
                "CSSColor": nearest(&CSS, rgb),
                "SimplifiedColor": nearest(&SIMPLIFIED, rgb),
                "PixelPercent": round(percent),
            })
        })
        .collect();
    Ok(json!({
        "Quality": {
            "Brightness": round(mean * 100.0 / 255.0),
            "Contrast": round((spread * 100.0 / 127.5).min(100.0)),
            "Sharpness": round((sharpness * 400.0 / 255.0).min(100.0)),
        },
        "DominantColors": dominant,
    }))
}

/// The name of the palette colour nearest to `rgb`.
fn nearest(palette: &[(&'static str, [u8; 3])], rgb: [u8; 3]) -> &'static str {
    let distance = |other: [u8; 3]| -> i32 {
        rgb.iter()
            .zip(other)
            .map(|(a, b)| (i32::from(*a) - i32::from(b)).pow(2))
            .sum()
    };
    palette
        .iter()
        .min_by_key(|(_, colour)| distance(*colour))
        .map_or("black", |(name, _)| name)
}

fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(image: &image::RgbImage) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    }

    #[test]
    fn a_half_red_half_blue_frame_has_two_dominant_colours() {
        let image = image::RgbImage::from_fn(64, 32, |x, _| {
            if x < 32 {
                image::Rgb([230, 10, 20])
            } else {
                image::Rgb([20, 40, 230])
            }
        });
        let properties = measure(&png(&image), 10).unwrap();
        let colours = properties["DominantColors"].as_array().unwrap();
        assert_eq!(colours.len(), 2);
        let names: Vec<&str> = colours
            .iter()
            .map(|c| c["SimplifiedColor"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"red") && names.contains(&"blue"),
            "{names:?}"
        );
        assert_eq!(colours[0]["PixelPercent"], 50.0);
        let quality = &properties["Quality"];
        assert!(quality["Contrast"].as_f64().unwrap() > 5.0, "{quality}");
    }

    #[test]
    fn a_black_frame_is_dark_flat_and_black() {
        let properties = measure(&png(&image::RgbImage::new(16, 16)), 1).unwrap();
        assert_eq!(properties["Quality"]["Brightness"], 0.0);
        assert_eq!(properties["Quality"]["Sharpness"], 0.0);
        assert_eq!(properties["DominantColors"][0]["CSSColor"], "black");
    }
}

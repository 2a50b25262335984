//! DetectLabels `Features` and `Settings`: Rekognition's own label and category filters
//! (`GENERAL_LABELS`) and the image's dominant colours and quality (`IMAGE_PROPERTIES`).

use aws_sdk_rekognition::types::{
    DetectLabelsFeatureName, DetectLabelsImageProperties, DetectLabelsImagePropertiesSettings,
    DetectLabelsSettings, DominantColor as SdkColour, GeneralLabelsSettings,
};
use serde::{Deserialize, Serialize};

use super::rounded;
use crate::error::{Error, VisionError};

/// The most names one filter list holds (Rekognition's limit).
pub const MAX_FILTER_NAMES: usize = 100;

/// The most dominant colours Rekognition returns (and its default when none is given is 10).
pub const MAX_DOMINANT_COLOURS: u32 = 20;

/// What DetectLabels is asked for beyond plain labels (`label_settings:` of an object entry):
/// Rekognition's inclusion and exclusion filters for labels and label categories, and the
/// image's properties (dominant colours and quality). Without any of them the request carries
/// neither `Features` nor `Settings`, as before the API had them.
///
/// The filters run at Rekognition, before the entity's `targets` and `exclude_targets`; they
/// do not change the price of a call.
///
/// # Examples
///
/// ```
/// use ha_aws::vision::LabelSettings;
///
/// let settings: LabelSettings = serde_json::from_str(r#"{
///     "include_categories": ["Vehicles and Automotive", "Person Description"],
///     "exclude_labels": ["Tree"],
///     "image_properties": true,
///     "max_dominant_colours": 3
/// }"#)?;
/// settings.check()?;
/// assert!(settings.wants_image_properties());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LabelSettings {
    /// Only these labels (`LabelInclusionFilters`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_labels: Vec<String>,
    /// Never these labels (`LabelExclusionFilters`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_labels: Vec<String>,
    /// Only labels of these categories (`LabelCategoryInclusionFilters`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include_categories: Vec<String>,
    /// Never labels of these categories (`LabelCategoryExclusionFilters`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_categories: Vec<String>,
    /// Asks for the image's dominant colours and quality (`IMAGE_PROPERTIES`).
    #[serde(default)]
    pub image_properties: bool,
    /// How many dominant colours to return (0..=20; Rekognition's default is 10).
    #[serde(
        default,
        alias = "max_dominant_colors",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_dominant_colours: Option<u32>,
}

impl LabelSettings {
    /// Whether any label or category filter is set.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_aws::vision::LabelSettings::default().has_filters());
    /// ```
    pub fn has_filters(&self) -> bool {
        !(self.include_labels.is_empty()
            && self.exclude_labels.is_empty()
            && self.include_categories.is_empty()
            && self.exclude_categories.is_empty())
    }

    /// Whether the image's properties are asked for.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(!ha_aws::vision::LabelSettings::default().wants_image_properties());
    /// ```
    pub fn wants_image_properties(&self) -> bool {
        self.image_properties || self.max_dominant_colours.is_some()
    }

    /// Checks Rekognition's limits.
    ///
    /// # Errors
    ///
    /// [`VisionError::InvalidLabelSettings`] for a list of more than 100 names, an empty name,
    /// or more than 20 dominant colours.
    ///
    /// # Examples
    ///
    /// ```
    /// let settings = ha_aws::vision::LabelSettings { max_dominant_colours: Some(21), ..Default::default() };
    /// assert!(settings.check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), Error> {
        let invalid = |reason: String| VisionError::InvalidLabelSettings { reason };
        for (option, names) in [
            ("include_labels", &self.include_labels),
            ("exclude_labels", &self.exclude_labels),
            ("include_categories", &self.include_categories),
            ("exclude_categories", &self.exclude_categories),
        ] {
            if names.len() > MAX_FILTER_NAMES {
                return Err(invalid(format!(
                    "{option} lists {} names; Rekognition takes at most {MAX_FILTER_NAMES}",
                    names.len()
                ))
                .into());
            }
            if names.iter().any(|name| name.trim().is_empty()) {
                return Err(invalid(format!("{option} holds an empty name")).into());
            }
        }
        if let Some(colours) = self.max_dominant_colours
            && colours > MAX_DOMINANT_COLOURS
        {
            return Err(invalid(format!(
                "max_dominant_colours {colours} is above Rekognition's {MAX_DOMINANT_COLOURS}"
            ))
            .into());
        }
        Ok(())
    }

    /// The request's `Features` and `Settings`; `None` when nothing beyond plain labels is
    /// asked for.
    pub(super) fn request(&self) -> Option<(Vec<DetectLabelsFeatureName>, DetectLabelsSettings)> {
        if !self.has_filters() && !self.wants_image_properties() {
            return None;
        }
        let mut features = vec![DetectLabelsFeatureName::GeneralLabels];
        let mut settings = DetectLabelsSettings::builder();
        if self.has_filters() {
            settings = settings.general_labels(
                GeneralLabelsSettings::builder()
                    .set_label_inclusion_filters(non_empty(&self.include_labels))
                    .set_label_exclusion_filters(non_empty(&self.exclude_labels))
                    .set_label_category_inclusion_filters(non_empty(&self.include_categories))
                    .set_label_category_exclusion_filters(non_empty(&self.exclude_categories))
                    .build(),
            );
        }
        if self.wants_image_properties() {
            features.push(DetectLabelsFeatureName::ImageProperties);
            if let Some(colours) = self.max_dominant_colours {
                settings = settings.image_properties(
                    DetectLabelsImagePropertiesSettings::builder()
                        .max_dominant_colors(i32::try_from(colours).unwrap_or(i32::MAX))
                        .build(),
                );
            }
        }
        Some((features, settings.build()))
    }
}

fn non_empty(names: &[String]) -> Option<Vec<String>> {
    (!names.is_empty()).then(|| names.to_vec())
}

/// The image's quality as Rekognition rates it, each 0..=100.
///
/// # Examples
///
/// ```
/// # fn demo(quality: &ha_aws::vision::ImageQuality) {
/// if quality.brightness.is_some_and(|brightness| brightness < 20.0) {
///     println!("too dark to trust");
/// }
/// # }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ImageQuality {
    /// Brightness.
    #[serde(
        serialize_with = "rounded_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub brightness: Option<f32>,
    /// Sharpness.
    #[serde(
        serialize_with = "rounded_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub sharpness: Option<f32>,
    /// Contrast.
    #[serde(
        serialize_with = "rounded_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub contrast: Option<f32>,
}

/// One of the image's dominant colours.
///
/// # Examples
///
/// ```
/// # fn demo(colour: &ha_aws::vision::DominantColour) {
/// println!("{} ({}) covers {:.1}%", colour.hex_code, colour.simplified_colour, colour.pixel_percent);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DominantColour {
    /// Red, 0..=255.
    pub red: u8,
    /// Green, 0..=255.
    pub green: u8,
    /// Blue, 0..=255.
    pub blue: u8,
    /// `#rrggbb`-style hex code as Rekognition gives it.
    pub hex_code: String,
    /// The nearest CSS colour name.
    pub css_colour: String,
    /// One of Rekognition's simplified colours (`red`, `blue`, `grey`, ...).
    pub simplified_colour: String,
    /// The share of the image's pixels, in percent.
    #[serde(serialize_with = "rounded")]
    pub pixel_percent: f32,
}

impl DominantColour {
    fn from_sdk(colour: &SdkColour) -> Self {
        let channel =
            |value: Option<i32>| u8::try_from(value.unwrap_or(0).clamp(0, 255)).unwrap_or(0);
        Self {
            red: channel(colour.red()),
            green: channel(colour.green()),
            blue: channel(colour.blue()),
            hex_code: colour.hex_code().unwrap_or_default().to_owned(),
            css_colour: colour.css_color().unwrap_or_default().to_owned(),
            simplified_colour: colour.simplified_color().unwrap_or_default().to_owned(),
            pixel_percent: colour.pixel_percent().unwrap_or(0.0),
        }
    }
}

/// The image's properties (`IMAGE_PROPERTIES`): its quality and dominant colours.
///
/// # Examples
///
/// ```
/// # fn demo(detection: &ha_aws::vision::ObjectDetection) {
/// if let Some(properties) = detection.image_properties() {
///     println!("{} dominant colours", properties.dominant_colours.len());
/// }
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ImageProperties {
    /// The whole image's quality.
    pub quality: ImageQuality,
    /// The whole image's dominant colours, most covering first.
    pub dominant_colours: Vec<DominantColour>,
}

impl ImageProperties {
    pub(super) fn from_sdk(properties: &DetectLabelsImageProperties) -> Self {
        let quality = properties
            .quality()
            .map_or_else(ImageQuality::default, |quality| ImageQuality {
                brightness: quality.brightness(),
                sharpness: quality.sharpness(),
                contrast: quality.contrast(),
            });
        Self {
            quality,
            dominant_colours: properties
                .dominant_colors()
                .iter()
                .map(DominantColour::from_sdk)
                .collect(),
        }
    }
}

/// Serializes an optional percentage rounded as [`rounded`] does.
#[expect(
    clippy::ref_option,
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with passes a reference to the field"
)]
fn rounded_option<S: serde::Serializer>(
    value: &Option<f32>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => rounded(value, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_asked_sends_neither_features_nor_settings() {
        assert!(LabelSettings::default().request().is_none());
    }

    #[test]
    fn filters_and_properties_map_to_the_request() {
        let settings = LabelSettings {
            include_labels: vec!["Person".into()],
            exclude_categories: vec!["Plants and Flowers".into()],
            max_dominant_colours: Some(3),
            ..LabelSettings::default()
        };
        let (features, request) = settings.request().unwrap();
        assert_eq!(
            features,
            [
                DetectLabelsFeatureName::GeneralLabels,
                DetectLabelsFeatureName::ImageProperties
            ]
        );
        let general = request.general_labels().unwrap();
        assert_eq!(general.label_inclusion_filters(), ["Person"]);
        assert!(general.label_exclusion_filters().is_empty());
        assert_eq!(
            general.label_category_exclusion_filters(),
            ["Plants and Flowers"]
        );
        assert_eq!(request.image_properties().unwrap().max_dominant_colors(), 3);
    }

    #[test]
    fn limits_are_checked() {
        let many = LabelSettings {
            exclude_labels: vec!["x".into(); 101],
            ..LabelSettings::default()
        };
        assert_eq!(
            many.check().unwrap_err().to_string(),
            "label_settings: exclude_labels lists 101 names; Rekognition takes at most 100"
        );
        let blank = LabelSettings {
            include_categories: vec![" ".into()],
            ..LabelSettings::default()
        };
        assert!(blank.check().is_err());
    }
}

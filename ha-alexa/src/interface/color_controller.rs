//! `Alexa.ColorController`: colour as hue, saturation and brightness; reports `color`.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::error::ValidationError;
use crate::message::Namespace;
use crate::wire::directives;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.ColorController`.
    pub enum ColorControllerDirective in ColorController {
        /// Set the colour.
        SetColor(SetColor) = "SetColor",
    }
}

/// Payload of SetColor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetColor {
    /// The colour as sent; the dispatcher checks its ranges.
    pub color: Hsb,
}

/// Hue, saturation and brightness as received, unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hsb {
    /// Hue in degrees, 0 to 360.
    pub hue: f64,
    /// Saturation, 0 to 1.
    pub saturation: f64,
    /// Brightness, 0 to 1.
    pub brightness: f64,
}

/// A colour Alexa accepts: hue 0 to 360 degrees, saturation and brightness 0 to 1.
///
/// ```
/// use ha_alexa::interface::color_controller::Color;
///
/// let red = Color::try_new(0.0, 1.0, 1.0)?;
/// assert_eq!(serde_json::to_string(&red)?, r#"{"hue":0.0,"saturation":1.0,"brightness":1.0}"#);
/// assert!(Color::try_new(361.0, 1.0, 1.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Color {
    hue: f64,
    saturation: f64,
    brightness: f64,
}

impl Color {
    /// Checks and builds a colour.
    ///
    /// # Errors
    ///
    /// [`ValidationError::OutOfRange`] when a component is outside its range (or not a number).
    pub fn try_new(hue: f64, saturation: f64, brightness: f64) -> Result<Self, ValidationError> {
        check_unit("hue", hue, 360.0)?;
        check_unit("saturation", saturation, 1.0)?;
        check_unit("brightness", brightness, 1.0)?;
        Ok(Self {
            hue,
            saturation,
            brightness,
        })
    }

    /// Hue in degrees.
    pub const fn hue(self) -> f64 {
        self.hue
    }

    /// Saturation, 0 to 1.
    pub const fn saturation(self) -> f64 {
        self.saturation
    }

    /// Brightness, 0 to 1.
    pub const fn brightness(self) -> f64 {
        self.brightness
    }
}

impl TryFrom<Hsb> for Color {
    type Error = ValidationError;

    fn try_from(hsb: Hsb) -> Result<Self, Self::Error> {
        Self::try_new(hsb.hue, hsb.saturation, hsb.brightness)
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_from(Hsb::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

fn check_unit(field: &'static str, value: f64, max: f64) -> Result<(), ValidationError> {
    if (0.0..=max).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::out_of_range(field, &value, &0, &max))
    }
}

impl Capability {
    /// `Alexa.ColorController`, reporting `color`.
    ///
    /// ```
    /// assert_eq!(ha_alexa::Capability::color_controller().interface().as_str(), "Alexa.ColorController");
    /// ```
    pub fn color_controller() -> Self {
        Self::with_properties(Namespace::ColorController, &["color"])
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &ColorControllerDirective, _: &Capability) -> Result<(), AlexaError> {
    let ColorControllerDirective::SetColor(set) = directive;
    Color::try_from(set.color)
        .map(drop)
        .map_err(|error| AlexaError::invalid_value(error.to_string()))
}

//! `Alexa.EqualizerController`: sound modes and bass/midrange/treble; reports `mode`
//! and `bands`.
//!
//! Home Assistant supports SetMode only and answers the band directives with
//! INVALID_DIRECTIVE; the dispatcher does the same for endpoints that list no bands.

use serde::{Deserialize, Serialize};

use crate::discovery::Capability;
use crate::message::Namespace;
use crate::wire::{directives, wire_enum};
use EqualizerControllerDirective as Equalizer;
use crate::interface::in_range;
use crate::message::AlexaError;

directives! {
    /// Directives of `Alexa.EqualizerController`.
    pub enum EqualizerControllerDirective in EqualizerController {
        /// Select a sound mode.
        SetMode(SetEqualizerMode) = "SetMode",
        /// Set band levels.
        SetBands(SetBands) = "SetBands",
        /// Change band levels.
        AdjustBands(AdjustBands) = "AdjustBands",
        /// Reset bands to their defaults.
        ResetBands(ResetBands) = "ResetBands",
    }
}

/// Payload of EqualizerController SetMode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetEqualizerMode {
    /// The mode.
    pub mode: EqualizerMode,
}

/// Payload of SetBands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetBands {
    /// The levels.
    pub bands: Vec<BandLevel>,
}

/// Payload of AdjustBands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AdjustBands {
    /// The changes.
    pub bands: Vec<BandAdjustment>,
}

/// Payload of ResetBands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ResetBands {
    /// The bands to reset.
    pub bands: Vec<BandName>,
}

wire_enum! {
    /// A sound mode.
    pub enum EqualizerMode {
        /// Movie.
        Movie = "MOVIE",
        /// Music.
        Music = "MUSIC",
        /// Night.
        Night = "NIGHT",
        /// Sport.
        Sport = "SPORT",
        /// TV.
        Tv = "TV",
    }
}

wire_enum! {
    /// An equalizer band.
    pub enum EqualizerBand {
        /// Bass.
        Bass = "BASS",
        /// Midrange.
        Midrange = "MIDRANGE",
        /// Treble.
        Treble = "TREBLE",
    }
}

wire_enum! {
    /// Direction of an AdjustBands change.
    pub enum LevelDirection {
        /// Up.
        Up = "UP",
        /// Down.
        Down = "DOWN",
    }
}

/// A band and its level: the `bands` property entries and SetBands payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BandLevel {
    /// The band.
    pub name: EqualizerBand,
    /// Its level.
    pub value: i64,
}

impl BandLevel {
    /// A band level.
    pub fn new(name: EqualizerBand, value: i64) -> Self {
        Self { name, value }
    }
}

/// One change of AdjustBands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BandAdjustment {
    /// The band.
    pub name: EqualizerBand,
    /// Size of the change; absent means the device's default step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level_delta: Option<i64>,
    /// Up or down.
    pub level_direction: LevelDirection,
}

/// A band named in ResetBands or in the discovery configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BandName {
    /// The band.
    pub name: EqualizerBand,
}

/// The `configurations` object of an equalizer.
///
/// ```
/// use ha_alexa::interface::equalizer_controller::{EqualizerConfigurations, EqualizerMode};
///
/// let config = EqualizerConfigurations::modes(vec![EqualizerMode::Movie, EqualizerMode::Music]);
/// assert_eq!(serde_json::to_string(&config)?, r#"{"modes":{"supported":[{"name":"MOVIE"},{"name":"MUSIC"}]}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EqualizerConfigurations {
    /// The adjustable bands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands: Option<BandsConfiguration>,
    /// The sound modes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modes: Option<ModesConfiguration>,
}

impl EqualizerConfigurations {
    /// Sound modes only, as Home Assistant lists them.
    pub fn modes(modes: Vec<EqualizerMode>) -> Self {
        Self {
            bands: None,
            modes: Some(ModesConfiguration {
                supported: modes.into_iter().map(|name| ModeName { name }).collect(),
            }),
        }
    }

    /// Adjustable bands only, with a level range (a speaker without sound modes).
    ///
    /// ```
    /// use ha_alexa::interface::equalizer_controller::{EqualizerBand, EqualizerConfigurations};
    ///
    /// let config = EqualizerConfigurations::bands(vec![EqualizerBand::Bass, EqualizerBand::Treble], -6, 6);
    /// assert_eq!(
    ///     serde_json::to_string(&config)?,
    ///     r#"{"bands":{"supported":[{"name":"BASS"},{"name":"TREBLE"}],"range":{"minimum":-6,"maximum":6}}}"#
    /// );
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn bands(bands: Vec<EqualizerBand>, minimum: i64, maximum: i64) -> Self {
        Self {
            bands: None,
            modes: None,
        }
        .with_bands(bands, minimum, maximum)
    }

    /// Adds adjustable bands with a level range.
    #[must_use]
    pub fn with_bands(mut self, bands: Vec<EqualizerBand>, minimum: i64, maximum: i64) -> Self {
        self.bands = Some(BandsConfiguration {
            supported: bands.into_iter().map(|name| BandName { name }).collect(),
            range: Some(BandRange { minimum, maximum }),
        });
        self
    }

    /// Whether `mode` is listed.
    pub fn supports_mode(&self, mode: &EqualizerMode) -> bool {
        self.modes
            .as_ref()
            .is_some_and(|modes| modes.supported.iter().any(|m| &m.name == mode))
    }
}

/// `configurations.bands`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BandsConfiguration {
    /// The bands.
    pub supported: Vec<BandName>,
    /// Their level range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<BandRange>,
}

/// Level range of the bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BandRange {
    /// Lowest level.
    pub minimum: i64,
    /// Highest level.
    pub maximum: i64,
}

/// `configurations.modes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModesConfiguration {
    /// The modes.
    pub supported: Vec<ModeName>,
}

/// A mode listed in [`ModesConfiguration`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ModeName {
    /// The mode.
    pub name: EqualizerMode,
}

impl Capability {
    /// `Alexa.EqualizerController`, reporting `mode` (and `bands` when bands are configured).
    ///
    /// ```
    /// use ha_alexa::interface::equalizer_controller::{EqualizerConfigurations, EqualizerMode};
    ///
    /// let cap = ha_alexa::Capability::equalizer_controller(EqualizerConfigurations::modes(vec![EqualizerMode::Tv]));
    /// assert_eq!(cap.supported_property_names().collect::<Vec<_>>(), ["mode"]);
    /// ```
    pub fn equalizer_controller(configurations: EqualizerConfigurations) -> Self {
        let names: &[&str] = if configurations.bands.is_some() {
            &["bands", "mode"]
        } else {
            &["mode"]
        };
        Self::with_properties(Namespace::EqualizerController, names)
            .set_configurations(configurations)
    }
}

/// What the dispatcher checks before the hub sees a directive of this interface.
///
/// # Errors
///
/// The ErrorResponse Alexa expects for a value outside what the endpoint declares.
pub(crate) fn check(directive: &Equalizer, capability: &Capability) -> Result<(), AlexaError> {
    let config = capability.equalizer_configurations();
    let bands = config.and_then(|c| c.bands.as_ref());
    let band_supported =
        |name: &EqualizerBand| bands.is_some_and(|b| b.supported.iter().any(|s| &s.name == name));
    match directive {
        Equalizer::SetMode(set) => match config.and_then(|c| c.modes.as_ref()) {
            None => Err(AlexaError::invalid_directive(
                "this endpoint has no sound modes",
            )),
            Some(_) if !config.is_some_and(|c| c.supports_mode(&set.mode)) => Err(
                AlexaError::invalid_value(format!("sound mode {} is not supported", set.mode)),
            ),
            Some(_) => Ok(()),
        },
        _ if bands.is_none() => Err(AlexaError::invalid_directive(
            "this endpoint has no adjustable bands",
        )),
        Equalizer::SetBands(set) => {
            for band in &set.bands {
                if !band_supported(&band.name) {
                    return Err(AlexaError::invalid_value(format!(
                        "band {} is not supported",
                        band.name
                    )));
                }
                if let Some(range) = bands.and_then(|b| b.range) {
                    in_range(band.name.as_str(), band.value, range.minimum, range.maximum)?;
                }
            }
            Ok(())
        }
        Equalizer::AdjustBands(adjust) => {
            match adjust.bands.iter().find(|b| !band_supported(&b.name)) {
                Some(band) => Err(AlexaError::invalid_value(format!(
                    "band {} is not supported",
                    band.name
                ))),
                None => Ok(()),
            }
        }
        Equalizer::ResetBands(reset) => match reset.bands.iter().find(|b| !band_supported(&b.name))
        {
            Some(band) => Err(AlexaError::invalid_value(format!(
                "band {} is not supported",
                band.name
            ))),
            None => Ok(()),
        },
    }
}

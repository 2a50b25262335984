//! `Alexa.EventDetectionSensor`: detections such as a person at the door; reports
//! `humanPresenceDetectionState` and its siblings. It has no directives.
//!
//! Amazon has deprecated this interface in favour of
//! `Alexa.SmartVision.ObjectDetectionSensor`; it is kept for hubs that still publish it
//! (Home Assistant does).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration};
use crate::interface::DetectionState;
use crate::message::Namespace;
use crate::wire::wire_enum;

/// Declares [`EventDetectionKind`] from one table: each kind's `configuration.detectionModes`
/// key, from which its property name (`<key>DetectionState`) is derived, so the two cannot
/// disagree.
macro_rules! event_detection_kinds {
    ($( $(#[$meta:meta])* $variant:ident = $key:literal, )+) => {
        /// What an event-detection property detects.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventDetectionKind {
            $( $(#[$meta])* #[doc = concat!("`", $key, "DetectionState`.")] $variant, )+
        }

        impl EventDetectionKind {
            /// Every kind.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];

            /// The property name.
            pub const fn property_name(self) -> &'static str {
                match self {
                    $( Self::$variant => concat!($key, "DetectionState"), )+
                }
            }

            /// The key of this kind in `configuration.detectionModes`.
            pub const fn mode_key(self) -> &'static str {
                match self {
                    $( Self::$variant => $key, )+
                }
            }
        }
    };
}

event_detection_kinds! {
    /// A person; the one Home Assistant reports.
    HumanPresence = "humanPresence",
    /// An animal.
    AnimalPresence = "animalPresence",
    /// A vehicle.
    VehiclePresence = "vehiclePresence",
    /// A crying baby.
    BabyCry = "babyCry",
    /// A barking dog.
    DogBark = "dogBark",
    /// Breaking glass.
    GlassBreak = "glassBreak",
    /// A smoke alarm's siren.
    SmokeSiren = "smokeSiren",
}

impl EventDetectionKind {
    /// The kind whose property is named `name`.
    pub fn from_property_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.property_name() == name)
    }
}

wire_enum! {
    /// How a detection was made.
    pub enum DetectionMethod {
        /// By sound.
        Audio = "AUDIO",
        /// By image.
        Video = "VIDEO",
    }
}

/// Value of a detection property: `{"value": "DETECTED"}`.
///
/// ```
/// use ha_alexa::interface::event_detection_sensor::EventDetection;
/// use ha_alexa::interface::DetectionState;
///
/// let seen = EventDetection::new(DetectionState::Detected);
/// assert_eq!(serde_json::to_string(&seen)?, r#"{"value":"DETECTED"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventDetection {
    /// Detected or not.
    pub value: DetectionState,
    /// How it was detected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detection_methods: Vec<DetectionMethod>,
}

impl EventDetection {
    /// A detection value.
    pub fn new(value: DetectionState) -> Self {
        Self {
            value,
            detection_methods: Vec::new(),
        }
    }
}

wire_enum! {
    /// Whether a detection feature is on.
    pub enum FeatureAvailability {
        /// Enabled.
        Enabled = "ENABLED",
        /// Disabled.
        Disabled = "DISABLED",
        /// Needs a subscription.
        SubscriptionRequired = "SUBSCRIPTION_REQUIRED",
    }
}

/// One entry of `detectionModes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DetectionMode {
    /// Whether the feature is on.
    pub feature_availability: FeatureAvailability,
    /// Whether the sensor reports `NOT_DETECTED`.
    pub supports_not_detected: bool,
}

impl DetectionMode {
    /// An enabled detection mode.
    pub fn enabled(supports_not_detected: bool) -> Self {
        Self {
            feature_availability: FeatureAvailability::Enabled,
            supports_not_detected,
        }
    }
}

/// The `configuration` of an event-detection sensor.
///
/// ```
/// use ha_alexa::interface::event_detection_sensor::*;
///
/// let config = EventDetectionConfiguration::new(vec![DetectionMethod::Video])
///     .with_mode(EventDetectionKind::HumanPresence, DetectionMode::enabled(true));
/// assert_eq!(
///     serde_json::to_string(&config)?,
///     r#"{"detectionMethods":["VIDEO"],"detectionModes":{"humanPresence":{"featureAvailability":"ENABLED","supportsNotDetected":true}}}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EventDetectionConfiguration {
    /// How the sensor detects.
    pub detection_methods: Vec<DetectionMethod>,
    /// Per-kind settings, keyed by [`EventDetectionKind::mode_key`].
    pub detection_modes: BTreeMap<String, DetectionMode>,
}

impl EventDetectionConfiguration {
    /// A configuration without modes.
    pub fn new(detection_methods: Vec<DetectionMethod>) -> Self {
        Self {
            detection_methods,
            detection_modes: BTreeMap::new(),
        }
    }

    /// Adds the mode of `kind`.
    #[must_use]
    pub fn with_mode(mut self, kind: EventDetectionKind, mode: DetectionMode) -> Self {
        self.detection_modes
            .insert(kind.mode_key().to_owned(), mode);
        self
    }
}

impl Capability {
    /// `Alexa.EventDetectionSensor` reporting the properties of `kinds`.
    ///
    /// ```
    /// use ha_alexa::interface::event_detection_sensor::*;
    ///
    /// let config = EventDetectionConfiguration::new(vec![DetectionMethod::Audio, DetectionMethod::Video])
    ///     .with_mode(EventDetectionKind::HumanPresence, DetectionMode::enabled(true));
    /// let cap = ha_alexa::Capability::event_detection_sensor(&[EventDetectionKind::HumanPresence], config);
    /// assert_eq!(cap.supported_property_names().collect::<Vec<_>>(), ["humanPresenceDetectionState"]);
    /// ```
    pub fn event_detection_sensor(
        kinds: &[EventDetectionKind],
        configuration: EventDetectionConfiguration,
    ) -> Self {
        let names: Vec<&str> = kinds.iter().map(|kind| kind.property_name()).collect();
        Self::with_properties(Namespace::EventDetectionSensor, &names)
            .set_configuration(Configuration::EventDetection(configuration))
    }
}

//! `Alexa.SmartVision.ObjectDetectionSensor` (interface version 1.0): a camera that
//! recognises objects (people, packages) tells Alexa what it saw, and Alexa notifies the
//! user for the classes the user enabled. Amazon's replacement for the deprecated
//! `Alexa.EventDetectionSensor`, typically listed with `Alexa.RTCSessionController`.
//!
//! * Discovery: `configuration.objectDetectionConfiguration` lists the classes the device
//!   can detect, each an `imageNetClass`.
//! * Property `objectDetectionClasses`: the classes currently enabled.
//! * Directive `SetObjectDetectionClasses`: the user changed the enabled classes; the
//!   dispatcher refuses classes the capability does not list (INVALID_VALUE), and the
//!   hub answers with an `Alexa` Response whose context has the new
//!   `objectDetectionClasses`.
//! * Event `ObjectDetection`, sent to the event gateway: what was seen, when, with an
//!   optional frame image. Build it with [`Event::interface_event`](crate::Event::interface_event).
//!
//! Unlike the version 3 interfaces, the capability's `version` and the `payloadVersion`
//! of this namespace's messages are `"1.0"` ([`Namespace::version`]).
//!
//! Not in Amazon's published v3 schema (2025-07), so
//! [`Conformance::AmazonSchema`](crate::Conformance::AmazonSchema) refuses it. The class
//! names are open: Amazon's reference gives `person` and `package` as examples and this
//! crate could not read its full list, so any name is kept as written. Error types
//! specific to this interface could not be found in the reference; failures use the
//! general `Alexa` ErrorResponse. Members of the ObjectDetection event beyond those
//! modelled here are not kept.
//!
//! ```
//! use ha_alexa::interface::object_detection_sensor::*;
//! use ha_alexa::{Capability, Namespace};
//!
//! let camera = Capability::object_detection_sensor(ObjectDetectionConfiguration::new([
//!     ImageNetClass::PERSON,
//!     ImageNetClass::PACKAGE,
//! ]));
//! assert!(serde_json::to_string(&camera)?.contains(r#""version":"1.0""#));
//! assert_eq!(Namespace::ObjectDetectionSensor.as_str(), "Alexa.SmartVision.ObjectDetectionSensor");
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::discovery::{Capability, Configuration};
use crate::message::{AlexaError, Namespace, Timestamp};
use crate::wire::{directives, properties};

directives! {
    /// Directives of `Alexa.SmartVision.ObjectDetectionSensor`.
    pub enum ObjectDetectionSensorDirective in ObjectDetectionSensor {
        /// Enable exactly these classes for notifications.
        SetObjectDetectionClasses(ObjectDetectionClasses) = "SetObjectDetectionClasses",
    }
}

directives! {
    /// Events of `Alexa.SmartVision.ObjectDetectionSensor`.
    pub enum ObjectDetectionSensorEvent in ObjectDetectionSensor {
        /// Objects seen.
        ObjectDetection(ObjectDetection) = "ObjectDetection",
    }
}

properties! {
    /// Reportable properties of `Alexa.SmartVision.ObjectDetectionSensor`.
    pub enum ObjectDetectionSensorProperty in ObjectDetectionSensor {
        /// The classes enabled for notifications.
        ObjectDetectionClasses(Vec<ObjectClass>) = "objectDetectionClasses",
    }
}

/// The name of an object class, as ImageNet names it (`person`, `package`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ImageNetClass(Cow<'static, str>);

impl ImageNetClass {
    /// `person`.
    pub const PERSON: Self = Self(Cow::Borrowed("person"));
    /// `package`.
    pub const PACKAGE: Self = Self(Cow::Borrowed("package"));

    /// A class by name.
    pub fn new(name: impl Into<String>) -> Self {
        Self(Cow::Owned(name.into()))
    }

    /// The class name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `{"imageNetClass": "person"}`: one entry of the class lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectClass {
    /// The class.
    pub image_net_class: ImageNetClass,
}

impl From<ImageNetClass> for ObjectClass {
    fn from(image_net_class: ImageNetClass) -> Self {
        Self { image_net_class }
    }
}

/// The payload of SetObjectDetectionClasses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectDetectionClasses {
    /// The classes to enable; the others are disabled.
    pub object_detection_classes: Vec<ObjectClass>,
}

/// The payload of the ObjectDetection event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ObjectDetection {
    /// The detections, one per object.
    pub events: Vec<DetectedObject>,
}

impl ObjectDetection {
    /// An event reporting `events`.
    pub fn new(events: Vec<DetectedObject>) -> Self {
        Self { events }
    }
}

/// One object seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DetectedObject {
    /// A unique id of this detection.
    pub event_identifier: String,
    /// What was seen.
    pub image_net_class: ImageNetClass,
    /// When.
    pub time_of_sample: Timestamp,
    /// How far `time_of_sample` may be off, in milliseconds.
    pub uncertainty_in_milliseconds: u32,
    /// The same object across detections, when the device tracks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_identifier: Option<String>,
    /// An HTTPS URI of a frame showing the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_image_uri: Option<String>,
}

impl DetectedObject {
    /// A detection of `class` at `time_of_sample`.
    pub fn new(
        event_identifier: impl Into<String>,
        class: ImageNetClass,
        time_of_sample: Timestamp,
    ) -> Self {
        Self {
            event_identifier: event_identifier.into(),
            image_net_class: class,
            time_of_sample,
            uncertainty_in_milliseconds: 0,
            object_identifier: None,
            frame_image_uri: None,
        }
    }

    /// Sets the frame image URI.
    #[must_use]
    pub fn with_frame_image_uri(mut self, uri: impl Into<String>) -> Self {
        self.frame_image_uri = Some(uri.into());
        self
    }
}

/// The `configuration` of an ObjectDetectionSensor capability: the classes the device can
/// detect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ObjectDetectionConfiguration {
    /// The detectable classes.
    pub object_detection_configuration: Vec<ObjectClass>,
}

impl ObjectDetectionConfiguration {
    /// The device detects `classes`.
    pub fn new(classes: impl IntoIterator<Item = ImageNetClass>) -> Self {
        Self {
            object_detection_configuration: classes.into_iter().map(ObjectClass::from).collect(),
        }
    }

    /// Whether the device can detect `class`.
    pub fn supports(&self, class: &ImageNetClass) -> bool {
        self.object_detection_configuration
            .iter()
            .any(|c| &c.image_net_class == class)
    }
}

impl Capability {
    /// `Alexa.SmartVision.ObjectDetectionSensor` detecting the classes of
    /// `configuration`, reporting `objectDetectionClasses` (proactively, as Alexa expects).
    pub fn object_detection_sensor(configuration: ObjectDetectionConfiguration) -> Self {
        Self::with_properties(Namespace::ObjectDetectionSensor, &["objectDetectionClasses"])
            .with_proactively_reported(true)
            .set_configuration(Configuration::ObjectDetection(configuration))
    }
}

/// What the dispatcher checks before the hub sees SetObjectDetectionClasses: every class
/// is one the capability lists.
///
/// # Errors
///
/// INVALID_VALUE naming the first class the device cannot detect.
pub(crate) fn check(
    directive: &ObjectDetectionSensorDirective,
    capability: &Capability,
) -> Result<(), AlexaError> {
    let ObjectDetectionSensorDirective::SetObjectDetectionClasses(set) = directive;
    let Some(Configuration::ObjectDetection(configuration)) = capability.configuration() else {
        return Ok(());
    };
    match set
        .object_detection_classes
        .iter()
        .find(|class| !configuration.supports(&class.image_net_class))
    {
        Some(class) => Err(AlexaError::invalid_value(format!(
            "object class {} is not one this endpoint detects",
            class.image_net_class.as_str()
        ))),
        None => Ok(()),
    }
}

//! Two conformance levels: what Alexa accepts today, and Amazon's published v3 schema.
//!
//! Alexa's service accepts more than the JSON schema Amazon publishes with its samples
//! (`alexa-samples/alexa-smarthome`, `validation_schemas/`, last updated 2025-07): display
//! categories and interfaces added since, HLS camera streams, setpoints above 100. A hub
//! that certifies against the schema opts in to [`Conformance::AmazonSchema`] on the
//! [`Dispatcher`](crate::Dispatcher), the discovery builder
//! ([`DiscoveryEndpointBuilder::conformance`](crate::discovery::DiscoveryEndpointBuilder::conformance))
//! or an event ([`Event::check_conformance`](crate::Event::check_conformance)), and learns
//! of anything outside the schema when it builds the message, with the field and the
//! reason, instead of from Alexa's silence. The crate README has the table of differences.

use crate::discovery::{Capability, Configuration, Connection, DiscoveryEndpoint};
use crate::error::ValidationError;
use crate::interface::camera_stream_controller::StreamProtocol;
use crate::interface::thermostat_controller::ThermostatMode;
use crate::message::{Event, EventPayload, Namespace, Property, PropertyValue};

/// How strictly outgoing messages are checked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Conformance {
    /// What Alexa accepts today (the default): everything this crate can build.
    #[default]
    Alexa,
    /// Amazon's published v3 schema: anything outside it is refused with
    /// [`ValidationError::OutsideSchema`].
    AmazonSchema,
}

/// The capability interfaces Amazon's published schema lists.
const SCHEMA_INTERFACES: &[&str] = &[
    "Alexa",
    "Alexa.AutomationManagement",
    "Alexa.BrightnessController",
    "Alexa.CameraStreamController",
    "Alexa.ChannelController",
    "Alexa.ColorController",
    "Alexa.ColorTemperatureController",
    "Alexa.ContactSensor",
    "Alexa.Cooking",
    "Alexa.Cooking.PresetController",
    "Alexa.Cooking.TimeController",
    "Alexa.CustomIntent",
    "Alexa.DoorbellEventSource",
    "Alexa.EndpointHealth",
    "Alexa.EqualizerController",
    "Alexa.EventDetectionSensor",
    "Alexa.InputController",
    "Alexa.InventoryLevelSensor",
    "Alexa.Launcher",
    "Alexa.LockController",
    "Alexa.MediaMetadata",
    "Alexa.ModeController",
    "Alexa.MotionSensor",
    "Alexa.Networking.AccessController",
    "Alexa.Networking.ConnectedDevice",
    "Alexa.Networking.HomeNetworkController",
    "Alexa.PercentageController",
    "Alexa.PlaybackController",
    "Alexa.PowerController",
    "Alexa.PowerLevelController",
    "Alexa.RTCSessionController",
    "Alexa.RangeController",
    "Alexa.RecordController",
    "Alexa.RemoteVideoPlayer",
    "Alexa.SceneController",
    "Alexa.SecurityPanelController",
    "Alexa.SeekController",
    "Alexa.Speaker",
    "Alexa.StepSpeaker",
    "Alexa.TemperatureSensor",
    "Alexa.ThermostatController",
    "Alexa.TimeHoldController",
    "Alexa.ToggleController",
    "Alexa.WakeOnLANController",
];

/// The namespaces Amazon's schema allows an ErrorResponse in.
const SCHEMA_ERROR_NAMESPACES: &[&str] = &[
    "Alexa",
    "Alexa.ThermostatController",
    "Alexa.SecurityPanelController",
    "Alexa.Authorization",
    "Alexa.Cooking",
];

/// Setpoints the schema accepts, in any scale.
const SCHEMA_SETPOINT_LIMIT: f64 = 100.0;

fn outside(field: impl Into<String>, reason: impl Into<String>) -> ValidationError {
    ValidationError::OutsideSchema {
        field: field.into(),
        reason: reason.into(),
    }
}

impl Conformance {
    /// Checks a discovery endpoint.
    ///
    /// # Errors
    ///
    /// At [`Conformance::AmazonSchema`], [`ValidationError::OutsideSchema`] for a display
    /// category, interface, camera protocol, connection type or missing replenishment id
    /// the schema does not accept.
    pub fn check_endpoint(self, endpoint: &DiscoveryEndpoint) -> Result<(), ValidationError> {
        if self == Self::Alexa {
            return Ok(());
        }
        let id = endpoint.endpoint_id();
        for category in endpoint.display_categories() {
            if !category.is_in_schema() {
                return Err(outside(
                    format!("endpoint {id} displayCategories"),
                    format!("lists {category}, which the schema's 34 categories do not include"),
                ));
            }
        }
        for capability in endpoint.capabilities() {
            check_capability(id.as_str(), capability)?;
        }
        for connection in endpoint.connections() {
            if matches!(connection, Connection::Matter(_) | Connection::Other(_)) {
                return Err(outside(
                    format!("endpoint {id} connections"),
                    format!(
                        "has type {}; the schema knows TCP_IP, ZIGBEE, ZWAVE and UNKNOWN",
                        connection.kind()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Checks an event, with its context and any endpoints it carries.
    ///
    /// # Errors
    ///
    /// At [`Conformance::AmazonSchema`], [`ValidationError::OutsideSchema`] for DeleteReport,
    /// an ErrorResponse namespace the schema does not list (Home Assistant's `Alexa.Video`),
    /// a property the schema does not know (`playbackState`, `relativeHumidity`), a
    /// setpoint above 100, a `thermostatMode` of CUSTOM, an HLS camera stream, or an
    /// endpoint [`Conformance::check_endpoint`] refuses.
    pub fn check_event(self, event: &Event) -> Result<(), ValidationError> {
        if self == Self::Alexa {
            return Ok(());
        }
        match event.payload() {
            EventPayload::DeleteReport { .. } => {
                return Err(outside(
                    "Alexa.Discovery DeleteReport",
                    "is not in the schema, which has no DeleteReport",
                ));
            }
            EventPayload::ErrorResponse(error)
                if !SCHEMA_ERROR_NAMESPACES.contains(&error.namespace().as_str()) =>
            {
                return Err(outside(
                    "ErrorResponse header.namespace",
                    format!(
                        "is {}; the schema has ErrorResponses in {} only",
                        error.namespace(),
                        SCHEMA_ERROR_NAMESPACES.join(", ")
                    ),
                ));
            }
            EventPayload::DiscoverResponse { endpoints }
            | EventPayload::AddOrUpdateReport { endpoints, .. } => {
                for endpoint in endpoints {
                    self.check_endpoint(endpoint)?;
                }
            }
            EventPayload::ChangeReport { properties, .. } => {
                properties.iter().try_for_each(check_property)?;
            }
            EventPayload::Interface(interface_event)
                if !SCHEMA_INTERFACES.contains(&interface_event.namespace().as_str()) =>
            {
                return Err(outside(
                    format!("{} {}", interface_event.namespace(), interface_event.name()),
                    "belongs to an interface the schema does not know",
                ));
            }
            EventPayload::CameraStreams(streams)
                if streams
                    .camera_streams
                    .iter()
                    .any(|s| s.protocol == StreamProtocol::Hls) =>
            {
                return Err(outside(
                    "cameraStreams protocol",
                    "is HLS; the schema accepts RTSP and WEBRTC only",
                ));
            }
            _ => {}
        }
        if let Some(context) = event.context() {
            context.properties.iter().try_for_each(check_property)?;
        }
        Ok(())
    }
}

fn check_capability(endpoint: &str, capability: &Capability) -> Result<(), ValidationError> {
    let interface = capability.interface();
    if !SCHEMA_INTERFACES.contains(&interface.as_str()) {
        return Err(outside(
            format!("endpoint {endpoint} capabilities"),
            format!("list {interface}, which the schema does not know"),
        ));
    }
    if capability
        .camera_stream_configurations()
        .is_some_and(|c| c.iter().any(|c| c.protocols.contains(&StreamProtocol::Hls)))
    {
        return Err(outside(
            format!("endpoint {endpoint} cameraStreamConfigurations protocols"),
            "list HLS; the schema accepts RTSP and WEBRTC only",
        ));
    }
    if let Some(Configuration::InventoryLevel(configuration)) = capability.configuration()
        && configuration.replenishment.is_none()
    {
        return Err(outside(
            format!("endpoint {endpoint} {interface} configuration.replenishment"),
            "is missing; the schema requires the Dash replenishment id",
        ));
    }
    Ok(())
}

fn check_property(property: &Property) -> Result<(), ValidationError> {
    let field = || {
        format!(
            "property {} {}",
            property.value.namespace(),
            property.value.name()
        )
    };
    match &property.value {
        PropertyValue::PlaybackState(_) | PropertyValue::RelativeHumidity(_) => {
            Err(outside(field(), "is not a state property of the schema"))
        }
        PropertyValue::TargetSetpoint(t)
        | PropertyValue::LowerSetpoint(t)
        | PropertyValue::UpperSetpoint(t)
            if t.value.abs() > SCHEMA_SETPOINT_LIMIT =>
        {
            Err(outside(
                field(),
                format!("is {} {}; the schema accepts -100 to 100", t.value, t.scale),
            ))
        }
        PropertyValue::ThermostatMode(ThermostatMode::Custom) => Err(outside(
            field(),
            "is CUSTOM; the schema accepts AUTO, COOL, HEAT, ECO and OFF",
        )),
        PropertyValue::Interface(interface_property)
            if !SCHEMA_INTERFACES.contains(&interface_property.namespace().as_str()) =>
        {
            Err(outside(
                field(),
                "belongs to an interface the schema does not know",
            ))
        }
        PropertyValue::Unknown { namespace, .. }
            if !SCHEMA_INTERFACES.contains(&namespace.as_str()) =>
        {
            Err(outside(
                field(),
                "belongs to an interface the schema does not know",
            ))
        }
        _ => Ok(()),
    }
}

impl Namespace {
    /// Whether Amazon's published v3 schema lists this interface as a capability.
    ///
    /// ```
    /// use ha_alexa::Namespace;
    ///
    /// assert!(Namespace::PowerController.is_in_schema());
    /// assert!(!Namespace::PlaybackStateReporter.is_in_schema());
    /// assert!(!Namespace::HumiditySensor.is_in_schema());
    /// ```
    pub fn is_in_schema(&self) -> bool {
        SCHEMA_INTERFACES.contains(&self.as_str())
    }
}

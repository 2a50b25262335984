//! The capability objects an endpoint lists at discovery.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::config::Locale;
use crate::interface::camera_stream_controller::CameraStreamConfiguration;
use crate::interface::equalizer_controller::EqualizerConfigurations;
use crate::interface::input_controller::InputDescriptor;
use crate::interface::playback_controller::PlaybackOperation;
use crate::message::{Namespace, RawPayload};
use crate::wire::wire_enum;

/// One interface an endpoint supports, as listed in its discovery object.
///
/// Build capabilities with the constructor of each interface
/// (`Capability::power_controller()`, `Capability::mode_controller(..)`, ...), then adjust
/// the property flags. By default every reportable property is `retrievable` (Alexa may
/// send ReportState) and not `proactivelyReported`; turn the latter on when the hub sends
/// ChangeReports.
///
/// Always written with `"type": "AlexaInterface"` and the interface's version
/// ([`Namespace::version`]: `"3"` for all but the newest interfaces).
///
/// # Examples
///
/// ```
/// use ha_alexa::Capability;
///
/// let power = Capability::power_controller().with_proactively_reported(true);
/// assert_eq!(
///     serde_json::to_string(&power)?,
///     r#"{"type":"AlexaInterface","interface":"Alexa.PowerController","version":"3","properties":{"supported":[{"name":"powerState"}],"proactivelyReported":true,"retrievable":true}}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Capability {
    interface: Namespace,
    instance: Option<String>,
    properties: Option<CapabilityProperties>,
    proactively_reported: Option<bool>,
    supports_deactivation: Option<bool>,
    resources: Option<Resources>,
    configuration: Option<Configuration>,
    configurations: Option<EqualizerConfigurations>,
    semantics: Option<Semantics>,
    supported_operations: Option<Vec<PlaybackOperation>>,
    inputs: Option<Vec<InputDescriptor>>,
    camera_stream_configurations: Option<Vec<CameraStreamConfiguration>>,
}

impl Capability {
    /// A capability of `interface` with nothing else set.
    pub(crate) fn bare(interface: Namespace) -> Self {
        Self {
            interface,
            instance: None,
            properties: None,
            proactively_reported: None,
            supports_deactivation: None,
            resources: None,
            configuration: None,
            configurations: None,
            semantics: None,
            supported_operations: None,
            inputs: None,
            camera_stream_configurations: None,
        }
    }

    /// A capability of `interface` whose listed properties are retrievable.
    pub(crate) fn with_properties(interface: Namespace, names: &[&str]) -> Self {
        let mut capability = Self::bare(interface);
        capability.properties = Some(CapabilityProperties::retrievable(names));
        capability
    }

    /// A capability of an interface this crate does not model, or a modelled interface
    /// built by hand.
    ///
    /// Alexa rejects interfaces it does not know; prefer the typed constructors.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::{Capability, Namespace};
    ///
    /// let cap = Capability::custom(Namespace::from("Alexa.WakeOnLANController"), &[]);
    /// assert_eq!(cap.interface().as_str(), "Alexa.WakeOnLANController");
    /// ```
    pub fn custom(interface: Namespace, property_names: &[&str]) -> Self {
        if property_names.is_empty() {
            Self::bare(interface)
        } else {
            Self::with_properties(interface, property_names)
        }
    }

    pub(crate) fn set_instance(mut self, instance: String) -> Self {
        self.instance = Some(instance);
        self
    }

    pub(crate) fn set_configuration(mut self, configuration: Configuration) -> Self {
        self.configuration = Some(configuration);
        self
    }

    pub(crate) fn set_capability_resources(mut self, resources: Resources) -> Self {
        self.resources = Some(resources);
        self
    }

    pub(crate) fn set_supports_deactivation(mut self, supports: bool) -> Self {
        self.supports_deactivation = Some(supports);
        self
    }

    pub(crate) fn set_capability_proactively_reported(mut self, reported: bool) -> Self {
        self.proactively_reported = Some(reported);
        self
    }

    pub(crate) fn set_configurations(mut self, configurations: EqualizerConfigurations) -> Self {
        self.configurations = Some(configurations);
        self
    }

    pub(crate) fn set_supported_operations(mut self, operations: Vec<PlaybackOperation>) -> Self {
        self.supported_operations = Some(operations);
        self
    }

    pub(crate) fn set_inputs(mut self, inputs: Vec<InputDescriptor>) -> Self {
        self.inputs = Some(inputs);
        self
    }

    pub(crate) fn set_camera_stream_configurations(
        mut self,
        configurations: Vec<CameraStreamConfiguration>,
    ) -> Self {
        self.camera_stream_configurations = Some(configurations);
        self
    }

    /// Sets whether the hub sends ChangeReports for this capability's properties (or, for
    /// DoorbellEventSource, DoorbellPress events).
    #[must_use]
    pub fn with_proactively_reported(mut self, reported: bool) -> Self {
        match &mut self.properties {
            Some(properties) => properties.proactively_reported = reported,
            None if self.interface == Namespace::DoorbellEventSource => {
                self.proactively_reported = Some(reported);
            }
            None => {}
        }
        self
    }

    /// Sets whether Alexa may query this capability's properties with ReportState.
    #[must_use]
    pub fn with_retrievable(mut self, retrievable: bool) -> Self {
        if let Some(properties) = &mut self.properties {
            properties.retrievable = retrievable;
        }
        self
    }

    /// Marks the properties as reported but not controllable by Alexa (a read-only
    /// Mode, Range or Toggle instance such as a sensor reading).
    #[must_use]
    pub fn with_non_controllable(mut self, non_controllable: bool) -> Self {
        if let Some(properties) = &mut self.properties {
            properties.non_controllable = Some(non_controllable);
        }
        self
    }

    /// Adds semantics (the "open", "close", "raise", "lower" utterances) to a Mode,
    /// Range or Toggle capability.
    #[must_use]
    pub fn with_semantics(mut self, semantics: Semantics) -> Self {
        self.semantics = Some(semantics);
        self
    }

    /// The interface.
    pub fn interface(&self) -> &Namespace {
        &self.interface
    }

    /// The instance, for Mode, Range and Toggle capabilities.
    pub fn instance(&self) -> Option<&str> {
        self.instance.as_deref()
    }

    /// The property flags, when the interface has reportable properties.
    pub fn properties(&self) -> Option<&CapabilityProperties> {
        self.properties.as_ref()
    }

    /// The interface-specific configuration.
    pub fn configuration(&self) -> Option<&Configuration> {
        self.configuration.as_ref()
    }

    /// The friendly names of a Mode, Range or Toggle instance.
    pub fn capability_resources(&self) -> Option<&Resources> {
        self.resources.as_ref()
    }

    /// The semantics of a Mode, Range or Toggle instance.
    pub fn semantics(&self) -> Option<&Semantics> {
        self.semantics.as_ref()
    }

    /// Whether a SceneController scene can be deactivated.
    pub fn supports_deactivation(&self) -> Option<bool> {
        self.supports_deactivation
    }

    /// The EqualizerController bands and modes.
    pub fn equalizer_configurations(&self) -> Option<&EqualizerConfigurations> {
        self.configurations.as_ref()
    }

    /// The PlaybackController operations.
    pub fn supported_operations(&self) -> Option<&[PlaybackOperation]> {
        self.supported_operations.as_deref()
    }

    /// The InputController inputs.
    pub fn inputs(&self) -> Option<&[InputDescriptor]> {
        self.inputs.as_deref()
    }

    /// The CameraStreamController stream configurations.
    pub fn camera_stream_configurations(&self) -> Option<&[CameraStreamConfiguration]> {
        self.camera_stream_configurations.as_deref()
    }

    /// Whether Alexa supports this capability in `locale`, per the locale tables Home
    /// Assistant keeps for each interface; unknown interfaces are assumed supported.
    pub fn is_supported_in(&self, locale: &Locale) -> bool {
        crate::config::interface_supports_locale(&self.interface, locale)
    }

    /// The names of the reportable properties this capability lists.
    pub fn supported_property_names(&self) -> impl Iterator<Item = &str> {
        self.properties
            .iter()
            .flat_map(|p| p.supported.iter().map(|s| s.name.as_str()))
    }
}

/// The `properties` object of a capability: which properties exist and how Alexa learns them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CapabilityProperties {
    /// The reportable properties.
    pub supported: Vec<SupportedProperty>,
    /// Whether the hub sends ChangeReports for them.
    #[serde(default)]
    pub proactively_reported: bool,
    /// Whether Alexa may ask for them with ReportState.
    #[serde(default)]
    pub retrievable: bool,
    /// Whether Alexa must not change them (Mode, Range and Toggle only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_controllable: Option<bool>,
}

impl CapabilityProperties {
    fn retrievable(names: &[&str]) -> Self {
        Self {
            supported: names
                .iter()
                .map(|&name| SupportedProperty {
                    name: name.to_owned(),
                })
                .collect(),
            proactively_reported: false,
            retrievable: true,
            non_controllable: None,
        }
    }
}

/// One entry of `properties.supported`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SupportedProperty {
    /// The property name, such as `powerState`.
    pub name: String,
}

/// Friendly names: `capabilityResources`, `modeResources` and `presetResources`.
///
/// # Examples
///
/// ```
/// use ha_alexa::discovery::{AssetId, FriendlyName, Resources};
/// use ha_alexa::Locale;
///
/// let resources = Resources::new(vec![
///     FriendlyName::asset(AssetId::FAN_SPEED),
///     FriendlyName::text("Wind", Locale::EnUs),
/// ]);
/// assert_eq!(
///     serde_json::to_string(&resources)?,
///     concat!(
///         r#"{"friendlyNames":[{"@type":"asset","value":{"assetId":"Alexa.Setting.FanSpeed"}},"#,
///         r#"{"@type":"text","value":{"text":"Wind","locale":"en-US"}}]}"#
///     )
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Resources {
    /// The names, in order of preference.
    pub friendly_names: Vec<FriendlyName>,
}

impl Resources {
    /// Resources with these names.
    pub fn new(friendly_names: Vec<FriendlyName>) -> Self {
        Self { friendly_names }
    }
}

/// A name users may say: an entry of Alexa's global catalog, or text in one locale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "@type", content = "value")]
#[non_exhaustive]
pub enum FriendlyName {
    /// A catalog entry, localised by Alexa.
    #[serde(rename = "asset")]
    Asset {
        /// The catalog id.
        #[serde(rename = "assetId")]
        asset_id: AssetId,
    },
    /// Literal text in one locale.
    #[serde(rename = "text")]
    Text {
        /// The text.
        text: String,
        /// Its locale.
        locale: Locale,
    },
}

impl FriendlyName {
    /// A catalog name.
    pub fn asset(asset_id: AssetId) -> Self {
        Self::Asset { asset_id }
    }

    /// A literal name.
    pub fn text(text: impl Into<String>, locale: Locale) -> Self {
        Self::Text {
            text: text.into(),
            locale,
        }
    }
}

/// An id of Alexa's global catalog of names (`Alexa.Setting.FanSpeed`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AssetId(std::borrow::Cow<'static, str>);

impl AssetId {
    /// "mode".
    pub const MODE: Self = Self::from_static("Alexa.Setting.Mode");
    /// "preset".
    pub const PRESET: Self = Self::from_static("Alexa.Setting.Preset");
    /// "fan speed".
    pub const FAN_SPEED: Self = Self::from_static("Alexa.Setting.FanSpeed");
    /// "direction".
    pub const DIRECTION: Self = Self::from_static("Alexa.Setting.Direction");
    /// "oscillate".
    pub const OSCILLATE: Self = Self::from_static("Alexa.Setting.Oscillate");
    /// "opening".
    pub const OPENING: Self = Self::from_static("Alexa.Setting.Opening");
    /// "humidity".
    pub const HUMIDITY: Self = Self::from_static("Alexa.Setting.Humidity");
    /// "temperature".
    pub const TEMPERATURE: Self = Self::from_static("Alexa.Setting.Temperature");
    /// "minimum".
    pub const MINIMUM: Self = Self::from_static("Alexa.Value.Minimum");
    /// "maximum".
    pub const MAXIMUM: Self = Self::from_static("Alexa.Value.Maximum");
    /// "low".
    pub const LOW: Self = Self::from_static("Alexa.Value.Low");
    /// "medium".
    pub const MEDIUM: Self = Self::from_static("Alexa.Value.Medium");
    /// "high".
    pub const HIGH: Self = Self::from_static("Alexa.Value.High");
    /// "open".
    pub const OPEN: Self = Self::from_static("Alexa.Value.Open");
    /// "close".
    pub const CLOSE: Self = Self::from_static("Alexa.Value.Close");

    /// A catalog id known at compile time.
    pub const fn from_static(id: &'static str) -> Self {
        Self(std::borrow::Cow::Borrowed(id))
    }

    /// A catalog id.
    pub fn new(id: impl Into<String>) -> Self {
        Self(std::borrow::Cow::Owned(id.into()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

wire_enum! {
    /// An action users may say to a Mode, Range or Toggle instance.
    pub enum SemanticAction {
        /// "Open".
        Open = "Alexa.Actions.Open",
        /// "Close".
        Close = "Alexa.Actions.Close",
        /// "Raise".
        Raise = "Alexa.Actions.Raise",
        /// "Lower".
        Lower = "Alexa.Actions.Lower",
    }
}

wire_enum! {
    /// A state users may ask about on a Mode, Range or Toggle instance.
    pub enum SemanticState {
        /// "Is it open".
        Open = "Alexa.States.Open",
        /// "Is it closed".
        Closed = "Alexa.States.Closed",
    }
}

/// Maps the open/close/raise/lower vocabulary to a Mode, Range or Toggle instance.
///
/// # Examples
///
/// ```
/// use ha_alexa::discovery::{ActionMapping, SemanticAction, SemanticState, Semantics, StateMapping};
///
/// let semantics = Semantics::new(
///     vec![ActionMapping::new(vec![SemanticAction::Open], "SetRangeValue", serde_json::json!({"rangeValue": 100}))],
///     vec![StateMapping::to_range(vec![SemanticState::Open], 1.0, 100.0)],
/// );
/// assert!(serde_json::to_string(&semantics)?.contains(r#""@type":"StatesToRange""#));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Semantics {
    /// Actions and the directive each runs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_mappings: Vec<ActionMapping>,
    /// States and the values they correspond to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub state_mappings: Vec<StateMapping>,
}

impl Semantics {
    /// Semantics with these mappings.
    pub fn new(action_mappings: Vec<ActionMapping>, state_mappings: Vec<StateMapping>) -> Self {
        Self {
            action_mappings,
            state_mappings,
        }
    }
}

/// Actions that run one directive of the instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "@type", rename = "ActionsToDirective")]
#[non_exhaustive]
pub struct ActionMapping {
    /// The actions.
    pub actions: Vec<SemanticAction>,
    /// The directive they run.
    pub directive: SemanticDirective,
}

impl ActionMapping {
    /// `actions` run the directive `name` with `payload`.
    pub fn new(
        actions: Vec<SemanticAction>,
        name: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            actions,
            directive: SemanticDirective {
                name: name.into(),
                payload,
            },
        }
    }
}

/// The directive an [`ActionMapping`] runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SemanticDirective {
    /// The directive name, such as `SetRangeValue`.
    pub name: String,
    /// Its payload.
    #[serde(default)]
    pub payload: serde_json::Value,
}

/// States and the instance values that mean them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "@type")]
#[non_exhaustive]
pub enum StateMapping {
    /// The states hold when the instance has exactly `value`.
    StatesToValue {
        /// The states.
        states: Vec<SemanticState>,
        /// The mode or toggle value.
        value: serde_json::Value,
    },
    /// The states hold when the instance's value lies in `range`.
    StatesToRange {
        /// The states.
        states: Vec<SemanticState>,
        /// The range.
        range: SemanticRange,
    },
}

impl StateMapping {
    /// `states` hold when the value is `value`.
    pub fn to_value(states: Vec<SemanticState>, value: impl Into<serde_json::Value>) -> Self {
        Self::StatesToValue {
            states,
            value: value.into(),
        }
    }

    /// `states` hold when the value lies in `minimum..=maximum`.
    pub fn to_range(states: Vec<SemanticState>, minimum: f64, maximum: f64) -> Self {
        Self::StatesToRange {
            states,
            range: SemanticRange {
                minimum_value: minimum,
                maximum_value: maximum,
            },
        }
    }
}

/// A value range of a [`StateMapping::StatesToRange`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SemanticRange {
    /// Lowest value.
    pub minimum_value: f64,
    /// Highest value.
    pub maximum_value: f64,
}

/// Declares [`Configuration`] from the interface registry: one variant per interface that
/// has a configuration.
macro_rules! configuration {
    ($( { [$(#[$meta:meta])*] $variant:ident $wire:literal [$($module:ident)?] [$($version:literal)?]
        [$($directives:tt)?] [$($cvariant:ident($configuration:tt))?] [$($events:tt)?]
        [$($properties:tt)?] [$($check:tt)?] [$($instance:ident)?] } )+) => {
        /// The `configuration` object of a capability; its shape depends on the interface.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Configuration {
            $( $( #[doc = concat!("`", $wire, "`.")] $cvariant($configuration), )? )+
            /// Any other interface, kept exactly as received.
            Unknown(RawPayload),
        }

        impl Serialize for Configuration {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( $( Self::$cvariant(c) => c.serialize(serializer), )? )+
                    Self::Unknown(raw) => raw.serialize(serializer),
                }
            }
        }

        impl Configuration {
            fn decode(interface: &Namespace, raw: &RawValue) -> Result<Self, serde_json::Error> {
                let text = raw.get();
                Ok(match interface {
                    $( $( Namespace::$variant => Self::$cvariant(serde_json::from_str(text)?), )? )+
                    _ => Self::Unknown(RawPayload::from(raw)),
                })
            }
        }
    };
}

crate::interface::interfaces!(configuration);

/// The capability as written on the wire.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireCapability<C, V> {
    #[serde(rename = "type")]
    kind: CapabilityType,
    interface: Namespace,
    version: V,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    properties: Option<CapabilityProperties>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proactively_reported: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    supports_deactivation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capability_resources: Option<Resources>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    configuration: Option<C>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    configurations: Option<EqualizerConfigurations>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    semantics: Option<Semantics>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    supported_operations: Option<Vec<PlaybackOperation>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inputs: Option<Vec<InputDescriptor>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    camera_stream_configurations: Option<Vec<CameraStreamConfiguration>>,
}

/// `"type": "AlexaInterface"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum CapabilityType {
    AlexaInterface,
}

/// The `version` as written: text, or the number 3 that Alexa also accepts on input.
#[derive(Deserialize)]
#[serde(untagged)]
enum WireVersion {
    // Owned text, so that decoding from a `serde_json::Value` (which cannot lend its
    // strings) works too.
    Text(String),
    Number(u64),
}

impl WireVersion {
    /// Whether this is the version of `interface` ([`Namespace::version`]).
    fn is_version_of(&self, interface: &Namespace) -> bool {
        match self {
            Self::Text(text) => text == interface.version(),
            Self::Number(number) => interface.version() == "3" && *number == 3,
        }
    }
}

impl Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        WireCapability {
            kind: CapabilityType::AlexaInterface,
            interface: self.interface.clone(),
            version: self.interface.version(),
            instance: self.instance.clone(),
            properties: self.properties.clone(),
            proactively_reported: self.proactively_reported,
            supports_deactivation: self.supports_deactivation,
            capability_resources: self.resources.clone(),
            configuration: self.configuration.as_ref(),
            configurations: self.configurations.clone(),
            semantics: self.semantics.clone(),
            supported_operations: self.supported_operations.clone(),
            inputs: self.inputs.clone(),
            camera_stream_configurations: self.camera_stream_configurations.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Capability {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = WireCapability::<Box<RawValue>, WireVersion>::deserialize(deserializer)?;
        if !wire.version.is_version_of(&wire.interface) {
            return Err(serde::de::Error::custom(format!(
                "capability version of {} must be \"{}\"",
                wire.interface,
                wire.interface.version()
            )));
        }
        let configuration = wire
            .configuration
            .map(|raw| Configuration::decode(&wire.interface, &raw))
            .transpose()
            .map_err(serde::de::Error::custom)?;
        Ok(Self {
            interface: wire.interface,
            instance: wire.instance,
            properties: wire.properties,
            proactively_reported: wire.proactively_reported,
            supports_deactivation: wire.supports_deactivation,
            resources: wire.capability_resources,
            configuration,
            configurations: wire.configurations,
            semantics: wire.semantics,
            supported_operations: wire.supported_operations,
            inputs: wire.inputs,
            camera_stream_configurations: wire.camera_stream_configurations,
        })
    }
}

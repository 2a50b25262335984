//! One endpoint of a discovery response, checked when it is built.

use serde::{Deserialize, Serialize};

use super::{
    Capability, Connection, DisplayCategory, MAX_CAPABILITIES, MAX_COOKIE_BYTES, MAX_TEXT_CHARS,
    Relationships,
};
use crate::config::Locale;
use crate::conformance::Conformance;
use crate::error::ValidationError;
use crate::message::{Cookie, EndpointId, Namespace};

/// An endpoint as published at discovery.
///
/// Built with [`DiscoveryEndpoint::builder`], which checks every limit Alexa enforces
/// (see [the table](crate::discovery#limits)); decoding checks them too, so a
/// `DiscoveryEndpoint` is always one Alexa accepts.
///
/// # Examples
///
/// ```
/// use ha_alexa::{Capability, DiscoveryEndpoint, DisplayCategory, EndpointId};
///
/// let light = DiscoveryEndpoint::builder(EndpointId::for_entity("light.kitchen")?)
///     .friendly_name("Kitchen")
///     .description("Kitchen ceiling light via Home Assistant")
///     .manufacturer_name("Home Assistant")
///     .display_category(DisplayCategory::Light)
///     .capability(Capability::power_controller())
///     .capability(Capability::brightness_controller())
///     .capability(Capability::alexa())
///     .build()?;
/// assert_eq!(light.capabilities().len(), 3);
///
/// let too_long = DiscoveryEndpoint::builder(EndpointId::for_entity("light.x")?)
///     .friendly_name("x".repeat(129))
///     .description("d")
///     .manufacturer_name("m")
///     .display_category(DisplayCategory::Light)
///     .capability(Capability::alexa())
///     .build();
/// assert!(too_long.is_err());
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoveryEndpoint {
    endpoint_id: EndpointId,
    manufacturer_name: String,
    friendly_name: String,
    description: String,
    display_categories: Vec<DisplayCategory>,
    #[serde(skip_serializing_if = "Cookie::is_empty")]
    cookie: Cookie,
    capabilities: Vec<Capability>,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_attributes: Option<AdditionalAttributes>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    connections: Vec<Connection>,
    #[serde(skip_serializing_if = "Relationships::is_empty")]
    relationships: Relationships,
}

impl DiscoveryEndpoint {
    /// Starts an endpoint with this id.
    pub fn builder(endpoint_id: EndpointId) -> DiscoveryEndpointBuilder {
        DiscoveryEndpointBuilder {
            endpoint_id,
            manufacturer_name: None,
            friendly_name: None,
            description: None,
            display_categories: Vec::new(),
            cookie: Cookie::new(),
            capabilities: Vec::new(),
            additional_attributes: None,
            connections: Vec::new(),
            relationships: Relationships::default(),
            conformance: Conformance::Alexa,
        }
    }

    /// A builder holding this endpoint, to change it and check it again.
    pub fn into_builder(self) -> DiscoveryEndpointBuilder {
        DiscoveryEndpointBuilder {
            endpoint_id: self.endpoint_id,
            manufacturer_name: Some(self.manufacturer_name),
            friendly_name: Some(self.friendly_name),
            description: Some(self.description),
            display_categories: self.display_categories,
            cookie: self.cookie,
            capabilities: self.capabilities,
            additional_attributes: self.additional_attributes,
            connections: self.connections,
            relationships: self.relationships,
            conformance: Conformance::Alexa,
        }
    }

    /// The id.
    pub fn endpoint_id(&self) -> &EndpointId {
        &self.endpoint_id
    }

    /// The name users say.
    pub fn friendly_name(&self) -> &str {
        &self.friendly_name
    }

    /// The description shown in the Alexa app.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The manufacturer shown in the Alexa app.
    pub fn manufacturer_name(&self) -> &str {
        &self.manufacturer_name
    }

    /// The display categories, primary first.
    pub fn display_categories(&self) -> &[DisplayCategory] {
        &self.display_categories
    }

    /// The capabilities.
    pub fn capabilities(&self) -> &[Capability] {
        &self.capabilities
    }

    /// The cookie.
    pub fn cookie(&self) -> &Cookie {
        &self.cookie
    }

    /// The additional attributes.
    pub fn additional_attributes(&self) -> Option<&AdditionalAttributes> {
        self.additional_attributes.as_ref()
    }

    /// How the endpoint is reached.
    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    /// The endpoint's relationships to other endpoints.
    pub fn relationships(&self) -> &Relationships {
        &self.relationships
    }

    /// The capability of `interface` (and `instance`, for Mode, Range and Toggle).
    pub fn capability(&self, interface: &Namespace, instance: Option<&str>) -> Option<&Capability> {
        self.capabilities
            .iter()
            .find(|c| c.interface() == interface && c.instance() == instance)
    }

    /// The same endpoint without the capabilities Alexa does not support in `locale`,
    /// as Home Assistant filters them at discovery.
    ///
    /// ```
    /// use ha_alexa::{Capability, DiscoveryEndpoint, DisplayCategory, EndpointId, Locale};
    ///
    /// let speaker = DiscoveryEndpoint::builder(EndpointId::for_entity("media_player.radio")?)
    ///     .friendly_name("Radio").description("Radio").manufacturer_name("Example")
    ///     .display_category(DisplayCategory::Speaker)
    ///     .capability(Capability::speaker())
    ///     .capability(Capability::power_controller())
    ///     .build()?;
    /// // Alexa.Speaker is not available in Brazilian Portuguese.
    /// assert_eq!(speaker.for_locale(&Locale::PtBr).capabilities().len(), 1);
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    #[must_use]
    pub fn for_locale(mut self, locale: &Locale) -> Self {
        self.capabilities.retain(|c| c.is_supported_in(locale));
        self
    }
}

/// Builds a [`DiscoveryEndpoint`]; [`DiscoveryEndpointBuilder::build`] checks it.
#[derive(Debug, Clone)]
#[must_use]
pub struct DiscoveryEndpointBuilder {
    endpoint_id: EndpointId,
    manufacturer_name: Option<String>,
    friendly_name: Option<String>,
    description: Option<String>,
    display_categories: Vec<DisplayCategory>,
    cookie: Cookie,
    capabilities: Vec<Capability>,
    additional_attributes: Option<AdditionalAttributes>,
    connections: Vec<Connection>,
    relationships: Relationships,
    conformance: Conformance,
}

impl DiscoveryEndpointBuilder {
    /// Checks the endpoint at `conformance` too when it is built;
    /// [`Conformance::AmazonSchema`] refuses what Amazon's published schema does not
    /// list (see [`Conformance::check_endpoint`]).
    ///
    /// ```
    /// use ha_alexa::{Capability, Conformance, DiscoveryEndpoint, DisplayCategory, EndpointId};
    ///
    /// let purifier = || DiscoveryEndpoint::builder(EndpointId::try_new("fan#purifier").unwrap())
    ///     .friendly_name("Purifier").description("Air purifier").manufacturer_name("Example")
    ///     .display_category(DisplayCategory::AirPurifier)
    ///     .capability(Capability::power_controller());
    /// assert!(purifier().build().is_ok());
    /// let error = purifier().conformance(Conformance::AmazonSchema).build().unwrap_err();
    /// assert!(error.to_string().contains("AIR_PURIFIER"), "{error}");
    /// ```
    pub fn conformance(mut self, conformance: Conformance) -> Self {
        self.conformance = conformance;
        self
    }

    /// Sets the name users say (required, 1 to 128 characters).
    pub fn friendly_name(mut self, name: impl Into<String>) -> Self {
        self.friendly_name = Some(name.into());
        self
    }

    /// Sets the description shown in the Alexa app (required, 1 to 128 characters).
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the manufacturer (required, 1 to 128 characters).
    pub fn manufacturer_name(mut self, name: impl Into<String>) -> Self {
        self.manufacturer_name = Some(name.into());
        self
    }

    /// Adds a display category; the first is the primary one.
    pub fn display_category(mut self, category: DisplayCategory) -> Self {
        self.display_categories.push(category);
        self
    }

    /// Replaces the display categories.
    pub fn display_categories(mut self, categories: Vec<DisplayCategory>) -> Self {
        self.display_categories = categories;
        self
    }

    /// Adds a capability.
    pub fn capability(mut self, capability: Capability) -> Self {
        self.capabilities.push(capability);
        self
    }

    /// Adds capabilities.
    pub fn capabilities(mut self, capabilities: impl IntoIterator<Item = Capability>) -> Self {
        self.capabilities.extend(capabilities);
        self
    }

    /// Sets a cookie entry; Alexa sends the cookie back with every directive.
    pub fn cookie(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.cookie.insert(key.into(), value.into());
        self
    }

    /// Sets the additional attributes.
    pub fn additional_attributes(mut self, attributes: AdditionalAttributes) -> Self {
        self.additional_attributes = Some(attributes);
        self
    }

    /// Adds a connection (how the endpoint is reached: Wi-Fi, Zigbee, Z-Wave, ...).
    pub fn connection(mut self, connection: Connection) -> Self {
        self.connections.push(connection);
        self
    }

    /// Sets the relationships to other endpoints.
    pub fn relationships(mut self, relationships: Relationships) -> Self {
        self.relationships = relationships;
        self
    }

    /// Checks the endpoint against Alexa's limits.
    ///
    /// # Errors
    ///
    /// [`ValidationError::Missing`] for a missing name, description, manufacturer,
    /// display category or capability; [`ValidationError::TextLength`] for text outside
    /// 1 to 128 characters; [`ValidationError::Duplicate`] for a repeated display
    /// category, capability or instance; [`ValidationError::TooManyCapabilities`],
    /// [`ValidationError::CookieTooLarge`]; [`ValidationError::Instance`] for a Mode,
    /// Range or Toggle capability without an instance; [`ValidationError::InstanceWord`]
    /// when two instances share a word after their prefix (`cover.position` and
    /// `cover.tilt_position`), which Alexa cannot tell apart.
    pub fn build(self) -> Result<DiscoveryEndpoint, ValidationError> {
        let friendly_name = required_text("friendlyName", self.friendly_name)?;
        let description = required_text("description", self.description)?;
        let manufacturer_name = required_text("manufacturerName", self.manufacturer_name)?;
        let endpoint = DiscoveryEndpoint {
            endpoint_id: self.endpoint_id,
            manufacturer_name,
            friendly_name,
            description,
            display_categories: self.display_categories,
            cookie: self.cookie,
            capabilities: self.capabilities,
            additional_attributes: self.additional_attributes,
            connections: self.connections,
            relationships: self.relationships,
        };
        check(&endpoint)?;
        self.conformance.check_endpoint(&endpoint)?;
        Ok(endpoint)
    }
}

fn required_text(field: &'static str, text: Option<String>) -> Result<String, ValidationError> {
    let text = text.ok_or(ValidationError::Missing { field })?;
    check_text(field, &text, MAX_TEXT_CHARS)?;
    Ok(text)
}

fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), ValidationError> {
    let len = text.chars().count();
    if len == 0 || len > max {
        Err(ValidationError::TextLength { field, len, max })
    } else {
        Ok(())
    }
}

fn check(endpoint: &DiscoveryEndpoint) -> Result<(), ValidationError> {
    let id = endpoint.endpoint_id.as_str();
    if endpoint.display_categories.is_empty() {
        return Err(ValidationError::Missing {
            field: "displayCategories",
        });
    }
    for (index, category) in endpoint.display_categories.iter().enumerate() {
        if endpoint.display_categories[..index].contains(category) {
            return Err(ValidationError::Duplicate {
                field: "displayCategories",
                value: category.to_string(),
            });
        }
    }
    if endpoint.capabilities.is_empty() {
        return Err(ValidationError::Missing {
            field: "capabilities",
        });
    }
    if endpoint.capabilities.len() > MAX_CAPABILITIES {
        let count = endpoint.capabilities.len();
        return Err(ValidationError::TooManyCapabilities {
            endpoint: id.to_owned(),
            count,
            max: MAX_CAPABILITIES,
        });
    }
    check_capabilities(id, &endpoint.capabilities)?;
    if !endpoint.cookie.is_empty() {
        let size = serde_json::to_vec(&endpoint.cookie).map_or(usize::MAX, |bytes| bytes.len());
        if size > MAX_COOKIE_BYTES {
            return Err(ValidationError::CookieTooLarge {
                endpoint: id.to_owned(),
                size,
                max: MAX_COOKIE_BYTES,
            });
        }
    }
    if let Some(attributes) = &endpoint.additional_attributes {
        attributes.check()?;
    }
    for (index, connection) in endpoint.connections.iter().enumerate() {
        if endpoint.connections[..index].contains(connection) {
            return Err(ValidationError::Duplicate {
                field: "connections",
                value: connection.kind().to_owned(),
            });
        }
    }
    Ok(())
}

fn check_capabilities(endpoint: &str, capabilities: &[Capability]) -> Result<(), ValidationError> {
    for (index, capability) in capabilities.iter().enumerate() {
        let interface = capability.interface();
        if interface.requires_instance() && capability.instance().is_none() {
            return Err(ValidationError::Instance {
                interface: interface.to_string(),
                reason: "requires an instance",
            });
        }
        for earlier in &capabilities[..index] {
            if earlier.interface() == interface && earlier.instance() == capability.instance() {
                let value = capability
                    .instance()
                    .map_or_else(|| interface.to_string(), |i| format!("{interface} {i}"));
                return Err(ValidationError::Duplicate {
                    field: "capabilities",
                    value,
                });
            }
            if let (Some(first), Some(second)) = (earlier.instance(), capability.instance()) {
                if first == second {
                    return Err(ValidationError::Duplicate {
                        field: "instance",
                        value: first.to_owned(),
                    });
                }
                if let Some(word) = shared_word(first, second) {
                    return Err(ValidationError::InstanceWord {
                        endpoint: endpoint.to_owned(),
                        first: first.to_owned(),
                        second: second.to_owned(),
                        word: word.to_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// A word both instance names contain after their `prefix.` part; words are separated by
/// `.` and `_`.
fn shared_word<'a>(first: &'a str, second: &str) -> Option<&'a str> {
    let words = |instance: &str| -> Vec<String> {
        let tail = instance.split_once('.').map_or(instance, |(_, tail)| tail);
        tail.split(['.', '_'])
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let theirs = words(second);
    let tail = first.split_once('.').map_or(first, |(_, tail)| tail);
    tail.split(['.', '_'])
        .filter(|w| !w.is_empty())
        .find(|w| theirs.contains(&w.to_ascii_lowercase()))
}

/// Manufacturer details shown in the Alexa app; each at most 256 characters.
///
/// ```
/// use ha_alexa::discovery::AdditionalAttributes;
///
/// let attributes = AdditionalAttributes::default().with_model("light").with_software_version("2025.1");
/// assert_eq!(serde_json::to_string(&attributes)?, r#"{"model":"light","softwareVersion":"2025.1"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AdditionalAttributes {
    /// Manufacturer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manufacturer: Option<String>,
    /// Model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Serial number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_number: Option<String>,
    /// Firmware version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<String>,
    /// Software version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    /// An identifier of the user's choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_identifier: Option<String>,
}

impl AdditionalAttributes {
    /// Sets the manufacturer.
    #[must_use]
    pub fn with_manufacturer(mut self, value: impl Into<String>) -> Self {
        self.manufacturer = Some(value.into());
        self
    }

    /// Sets the model.
    #[must_use]
    pub fn with_model(mut self, value: impl Into<String>) -> Self {
        self.model = Some(value.into());
        self
    }

    /// Sets the serial number.
    #[must_use]
    pub fn with_serial_number(mut self, value: impl Into<String>) -> Self {
        self.serial_number = Some(value.into());
        self
    }

    /// Sets the firmware version.
    #[must_use]
    pub fn with_firmware_version(mut self, value: impl Into<String>) -> Self {
        self.firmware_version = Some(value.into());
        self
    }

    /// Sets the software version.
    #[must_use]
    pub fn with_software_version(mut self, value: impl Into<String>) -> Self {
        self.software_version = Some(value.into());
        self
    }

    /// Sets the custom identifier.
    #[must_use]
    pub fn with_custom_identifier(mut self, value: impl Into<String>) -> Self {
        self.custom_identifier = Some(value.into());
        self
    }

    fn check(&self) -> Result<(), ValidationError> {
        let fields = [
            ("additionalAttributes.manufacturer", &self.manufacturer),
            ("additionalAttributes.model", &self.model),
            ("additionalAttributes.serialNumber", &self.serial_number),
            (
                "additionalAttributes.firmwareVersion",
                &self.firmware_version,
            ),
            (
                "additionalAttributes.softwareVersion",
                &self.software_version,
            ),
            (
                "additionalAttributes.customIdentifier",
                &self.custom_identifier,
            ),
        ];
        for (field, value) in fields {
            if let Some(value) = value {
                check_text(field, value, 256)?;
            }
        }
        Ok(())
    }
}

/// The endpoint as written on the wire.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireDiscoveryEndpoint {
    endpoint_id: EndpointId,
    manufacturer_name: String,
    friendly_name: String,
    description: String,
    display_categories: Vec<DisplayCategory>,
    #[serde(default)]
    cookie: Cookie,
    capabilities: Vec<Capability>,
    #[serde(default)]
    additional_attributes: Option<AdditionalAttributes>,
    #[serde(default)]
    connections: Vec<Connection>,
    #[serde(default)]
    relationships: Relationships,
}

impl<'de> Deserialize<'de> for DiscoveryEndpoint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = WireDiscoveryEndpoint::deserialize(deserializer)?;
        let mut builder = Self::builder(wire.endpoint_id)
            .friendly_name(wire.friendly_name)
            .description(wire.description)
            .manufacturer_name(wire.manufacturer_name)
            .display_categories(wire.display_categories)
            .capabilities(wire.capabilities);
        builder.cookie = wire.cookie;
        builder.additional_attributes = wire.additional_attributes;
        builder.connections = wire.connections;
        builder.relationships = wire.relationships;
        builder.build().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discovery::{AssetId, FriendlyName, Resources};
    use crate::interface::range_controller::RangeConfiguration;

    fn base() -> DiscoveryEndpointBuilder {
        DiscoveryEndpoint::builder(EndpointId::for_entity("cover.garage").unwrap())
            .friendly_name("Garage")
            .description("Garage door via hub")
            .manufacturer_name("Example")
            .display_category(DisplayCategory::GarageDoor)
    }

    fn range(instance: &str) -> Capability {
        Capability::range_controller(
            instance,
            Resources::new(vec![FriendlyName::asset(AssetId::OPENING)]),
            RangeConfiguration::new(0.0, 100.0, 1.0),
        )
    }

    #[test]
    fn limits_are_enforced_with_the_failing_field_named() {
        let ok = base().capability(Capability::alexa());
        assert!(ok.clone().build().is_ok());
        assert_eq!(
            base().build().unwrap_err(),
            ValidationError::Missing {
                field: "capabilities"
            },
        );
        assert_eq!(
            ok.clone().description("").build().unwrap_err(),
            ValidationError::TextLength {
                field: "description",
                len: 0,
                max: 128
            },
        );
        assert!(
            ok.clone().friendly_name("é".repeat(128)).build().is_ok(),
            "128 characters, 256 bytes"
        );
        assert_eq!(
            ok.clone()
                .display_category(DisplayCategory::GarageDoor)
                .build()
                .unwrap_err(),
            ValidationError::Duplicate {
                field: "displayCategories",
                value: "GARAGE_DOOR".into()
            },
        );
        assert_eq!(
            ok.clone().display_categories(vec![]).build().unwrap_err(),
            ValidationError::Missing {
                field: "displayCategories"
            },
        );
        let many = (0..101).map(|i| range(&format!("x.i{i}")));
        assert!(matches!(
            base().capabilities(many).build().unwrap_err(),
            ValidationError::TooManyCapabilities {
                count: 101,
                max: 100,
                ..
            }
        ));
        let cookie = ok.clone().cookie("blob", "x".repeat(MAX_COOKIE_BYTES));
        assert!(matches!(
            cookie.build().unwrap_err(),
            ValidationError::CookieTooLarge { .. }
        ));
        assert!(ok.cookie("k", "v").build().is_ok());
    }

    #[test]
    fn capabilities_and_instances_are_unique() {
        let twice = base()
            .capability(Capability::power_controller())
            .capability(Capability::power_controller());
        assert!(matches!(
            twice.build().unwrap_err(),
            ValidationError::Duplicate {
                field: "capabilities",
                ..
            }
        ));
        let ok = base()
            .capability(range("cover.position"))
            .capability(range("cover.tilt"));
        assert!(ok.build().is_ok());
        let shared = base()
            .capability(range("cover.position"))
            .capability(range("cover.tilt_position"));
        assert_eq!(
            shared.build().unwrap_err(),
            ValidationError::InstanceWord {
                endpoint: "cover#garage".into(),
                first: "cover.position".into(),
                second: "cover.tilt_position".into(),
                word: "position".into(),
            },
        );
        let same =
            base()
                .capability(range("cover.position"))
                .capability(Capability::toggle_controller(
                    "cover.position",
                    Resources::new(vec![]),
                ));
        assert!(matches!(
            same.build().unwrap_err(),
            ValidationError::Duplicate {
                field: "instance",
                ..
            }
        ));
        let missing = base().capability(Capability::custom(Namespace::ModeController, &["mode"]));
        assert!(matches!(
            missing.build().unwrap_err(),
            ValidationError::Instance { .. }
        ));
    }

    #[test]
    fn decoding_applies_the_same_checks() {
        let endpoint = base().capability(Capability::alexa()).build().unwrap();
        let json = serde_json::to_string(&endpoint).unwrap();
        assert_eq!(
            serde_json::from_str::<DiscoveryEndpoint>(&json).unwrap(),
            endpoint
        );
        let bad = json.replace("\"Garage\"", "\"\"");
        assert!(serde_json::from_str::<DiscoveryEndpoint>(&bad).is_err());
    }
}

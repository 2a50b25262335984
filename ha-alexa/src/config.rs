//! Configuration in the shape Home Assistant users write it: locale, entity filter and
//! per-entity overrides.
//!
//! ```
//! use ha_alexa::config::AlexaConfig;
//!
//! let config: AlexaConfig = serde_json::from_value(serde_json::json!({
//!     "smart_home": {
//!         "locale": "de-DE",
//!         "filter": {"include_domains": ["switch"], "exclude_entities": ["switch.outside"]},
//!         "entity_config": {"switch.stairs": {"display_categories": "LIGHT"}}
//!     }
//! }))?;
//! let smart_home = config.smart_home;
//! assert!(smart_home.should_expose("switch.kitchen"));
//! assert!(!smart_home.should_expose("switch.outside"));
//! assert!(!smart_home.should_expose("light.kitchen"));
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::discovery::{DiscoveryEndpoint, DisplayCategory, MAX_TEXT_CHARS};
use crate::error::{ConfigError, ValidationError};
use crate::message::{EndpointId, Namespace};
use crate::wire::{secret_string, wire_enum};

mod filter;

pub use filter::{EntityFilter, Glob};

wire_enum! {
    /// A locale of Alexa Smart Home.
    ///
    /// Configuration accepts only the 16 known locales ([`Locale::KNOWN`]); friendly
    /// names in messages may carry any locale and keep unknown ones in `Unknown`.
    pub enum Locale {
        /// Arabic (Saudi Arabia).
        ArSa = "ar-SA",
        /// German (Germany).
        DeDe = "de-DE",
        /// English (Australia).
        EnAu = "en-AU",
        /// English (Canada).
        EnCa = "en-CA",
        /// English (United Kingdom).
        EnGb = "en-GB",
        /// English (India).
        EnIn = "en-IN",
        /// English (United States), the default.
        EnUs = "en-US",
        /// Spanish (Spain).
        EsEs = "es-ES",
        /// Spanish (Mexico).
        EsMx = "es-MX",
        /// Spanish (United States).
        EsUs = "es-US",
        /// French (Canada).
        FrCa = "fr-CA",
        /// French (France).
        FrFr = "fr-FR",
        /// Hindi (India).
        HiIn = "hi-IN",
        /// Italian (Italy).
        ItIt = "it-IT",
        /// Japanese (Japan).
        JaJp = "ja-JP",
        /// Portuguese (Brazil).
        PtBr = "pt-BR",
    }
}

#[expect(
    clippy::derivable_impls,
    reason = "the enum comes from a macro whose derive list all wire enums share"
)]
impl Default for Locale {
    fn default() -> Self {
        Self::EnUs
    }
}

impl Locale {
    /// A locale of the configuration: one of the 16 known ones.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Locale`] for any other value.
    ///
    /// ```
    /// use ha_alexa::Locale;
    ///
    /// assert_eq!(Locale::configured("ja-JP")?, Locale::JaJp);
    /// assert!(Locale::configured("nl-NL").is_err());
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn configured(text: &str) -> Result<Self, ConfigError> {
        let locale = Self::from(text);
        if locale.is_known() {
            Ok(locale)
        } else {
            Err(ConfigError::Locale(text.to_owned()))
        }
    }
}

/// Whether Alexa supports `interface` in `locale`, following the tables Home Assistant
/// keeps per capability; interfaces without a table are assumed supported everywhere.
pub(crate) fn interface_supports_locale(interface: &Namespace, locale: &Locale) -> bool {
    use Locale::{
        ArSa, DeDe, EnAu, EnCa, EnGb, EnIn, EnUs, EsEs, EsMx, FrCa, FrFr, HiIn, ItIt, JaJp,
    };
    match interface {
        Namespace::SceneController
        | Namespace::ColorController
        | Namespace::ColorTemperatureController
        | Namespace::ContactSensor
        | Namespace::MotionSensor
        | Namespace::ModeController
        | Namespace::RangeController
        | Namespace::ToggleController
        | Namespace::EqualizerController => locale.is_known() && *locale != ArSa,
        Namespace::SecurityPanelController => locale.is_known() && !matches!(locale, ArSa | HiIn),
        // PercentageController has no table of its own; it shares PowerLevelController's.
        Namespace::PowerLevelController | Namespace::PercentageController => {
            matches!(
                locale,
                DeDe | EnAu | EnCa | EnGb | EnIn | EnUs | EsEs | EsMx | FrCa | FrFr | ItIt | JaJp
            )
        }
        Namespace::Speaker => matches!(
            locale,
            DeDe | EnAu | EnCa | EnGb | EnIn | EnUs | EsEs | EsMx | FrFr | ItIt | JaJp
        ),
        Namespace::StepSpeaker => matches!(
            locale,
            DeDe | EnAu | EnCa | EnGb | EnIn | EnUs | EsEs | FrFr | ItIt
        ),
        Namespace::EventDetectionSensor | Namespace::TimeHoldController => *locale == EnUs,
        _ => true,
    }
}

secret_string! {
    /// The secret of the Alexa Skill Messaging client; `Debug` prints `"***"`.
    ///
    /// ```
    /// let secret = ha_alexa::config::ClientSecret::try_new("amzn1.oa2-cs.v1.abc")?;
    /// assert_eq!(format!("{secret:?}"), "\"***\"");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub struct ClientSecret;
    field = "client_secret";
}

/// The `alexa:` section of a Home Assistant configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AlexaConfig {
    /// `smart_home:`; an empty section means the defaults.
    #[serde(default, deserialize_with = "null_as_default")]
    pub smart_home: SmartHomeConfig,
}

/// The `smart_home:` section: locale, proactive-event credentials, filter and
/// per-entity overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SmartHomeConfig {
    /// The users' locale; capabilities Alexa does not support in it are not published.
    #[serde(default, deserialize_with = "configured_locale")]
    pub locale: Locale,
    /// The event gateway URL, for proactive mode.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The Alexa Skill Messaging client id, for proactive mode.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The Alexa Skill Messaging client secret, for proactive mode.
    #[serde(default)]
    pub client_secret: Option<ClientSecret>,
    /// Which entities are exposed.
    #[serde(default, deserialize_with = "null_as_default")]
    pub filter: EntityFilter,
    /// Per-entity overrides, keyed by entity id.
    #[serde(default, deserialize_with = "null_as_default")]
    pub entity_config: BTreeMap<String, EntityConfig>,
}

impl SmartHomeConfig {
    /// Whether `entity_id` is exposed to Alexa; with no filter configured, every entity is.
    pub fn should_expose(&self, entity_id: &str) -> bool {
        self.filter.matches(entity_id)
    }

    /// Whether the endpoint `endpoint_id` is exposed: the filter decides by the hub id the
    /// endpointId maps back to ([`EndpointId::entity_id`]), or by the endpointId itself when
    /// it was not built by [`EndpointId::for_entity`].
    ///
    /// ```
    /// use ha_alexa::config::SmartHomeConfig;
    /// use ha_alexa::EndpointId;
    ///
    /// let config: SmartHomeConfig =
    ///     serde_json::from_value(serde_json::json!({"filter": {"include_domains": ["light"]}}))?;
    /// assert!(config.exposes_endpoint(&EndpointId::for_entity("light.kitchen")?));
    /// assert!(!config.exposes_endpoint(&EndpointId::for_entity("switch.porch")?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn exposes_endpoint(&self, endpoint_id: &EndpointId) -> bool {
        self.filter.is_empty() || self.should_expose(&entity_key(endpoint_id))
    }

    /// The hub's endpoints as Alexa sees them: those the filter exposes, with entity_config
    /// and the locale applied ([`apply`](Self::apply)). An endpoint that entity_config makes
    /// invalid is left out and logged. Discovery answers with this, and proactive
    /// AddOrUpdateReports announce it.
    ///
    /// ```
    /// use ha_alexa::config::SmartHomeConfig;
    /// use ha_alexa::{Capability, DiscoveryEndpoint, DisplayCategory, EndpointId};
    ///
    /// let config: SmartHomeConfig = serde_json::from_value(serde_json::json!({
    ///     "filter": {"exclude_entities": ["light.hidden"]},
    ///     "entity_config": {"light.kitchen": {"name": "Cooking"}}
    /// }))?;
    /// let light = |entity: &str| {
    ///     DiscoveryEndpoint::builder(EndpointId::for_entity(entity).unwrap())
    ///         .friendly_name("Light").description("A light").manufacturer_name("Example")
    ///         .display_category(DisplayCategory::Light)
    ///         .capability(Capability::power_controller()).build().unwrap()
    /// };
    /// let exposed = config.expose(vec![light("light.kitchen"), light("light.hidden")]);
    /// assert_eq!(exposed.len(), 1);
    /// assert_eq!(exposed[0].friendly_name(), "Cooking");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expose(&self, endpoints: Vec<DiscoveryEndpoint>) -> Vec<DiscoveryEndpoint> {
        endpoints
            .into_iter()
            .filter_map(|endpoint| {
                let entity = entity_key(endpoint.endpoint_id());
                if !self.should_expose(&entity) {
                    return None;
                }
                self.apply(&entity, endpoint)
                    .inspect_err(|error| {
                        tracing::warn!(%error, entity, "entity_config makes the endpoint invalid; not published");
                    })
                    .ok()
            })
            .collect()
    }

    /// Applies the configuration to the endpoint of `entity_id`: the entity_config name
    /// and description (cleaned with [`sanitize`]; the description gets Home Assistant's
    /// `" via <manufacturer>"` suffix), its display categories, and the locale's capabilities.
    ///
    /// # Errors
    ///
    /// When the overridden endpoint breaks a discovery limit (a name that is empty after
    /// cleaning).
    ///
    /// ```
    /// use ha_alexa::config::SmartHomeConfig;
    /// use ha_alexa::{Capability, DiscoveryEndpoint, DisplayCategory, EndpointId};
    ///
    /// let config: SmartHomeConfig = serde_json::from_value(serde_json::json!({
    ///     "entity_config": {"light.kitchen": {"name": "Config *name*", "description": "Config >!<description"}}
    /// })).unwrap();
    /// let endpoint = DiscoveryEndpoint::builder(EndpointId::for_entity("light.kitchen")?)
    ///     .friendly_name("Kitchen").description("light.kitchen via Home Assistant")
    ///     .manufacturer_name("Home Assistant").display_category(DisplayCategory::Light)
    ///     .capability(Capability::power_controller()).build()?;
    /// let endpoint = config.apply("light.kitchen", endpoint)?;
    /// assert_eq!(endpoint.friendly_name(), "Config name");
    /// assert_eq!(endpoint.description(), "Config description via Home Assistant");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub fn apply(
        &self,
        entity_id: &str,
        endpoint: DiscoveryEndpoint,
    ) -> Result<DiscoveryEndpoint, ValidationError> {
        let endpoint = match self.entity_config.get(entity_id) {
            None => endpoint,
            Some(config) => {
                let manufacturer = endpoint.manufacturer_name().to_owned();
                let mut builder = endpoint.into_builder();
                if let Some(name) = &config.name {
                    builder = builder.friendly_name(truncate(sanitize(name)));
                }
                if let Some(description) = &config.description {
                    builder = builder.description(truncate(format!(
                        "{} via {manufacturer}",
                        sanitize(description)
                    )));
                }
                if !config.display_categories.is_empty() {
                    builder = builder.display_categories(config.display_categories.clone());
                }
                builder.build()?
            }
        };
        Ok(endpoint.for_locale(&self.locale))
    }
}

/// The hub id the configuration filters on: the id the endpointId maps back to, or the
/// endpointId itself when it was not built by [`EndpointId::for_entity`].
fn entity_key(endpoint_id: &EndpointId) -> String {
    endpoint_id
        .entity_id()
        .unwrap_or_else(|_| endpoint_id.as_str().to_owned())
}

/// Per-entity overrides of `entity_config`.
///
/// `display_categories` accepts one category (`LIGHT`), a comma-separated list
/// (`LIGHT,SWITCH`, first is primary, as Home Assistant documents it) or a YAML list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EntityConfig {
    /// The friendly name.
    #[serde(default)]
    pub name: Option<String>,
    /// The description.
    #[serde(default)]
    pub description: Option<String>,
    /// The display categories, primary first.
    #[serde(
        default,
        deserialize_with = "display_categories",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub display_categories: Vec<DisplayCategory>,
}

/// Removes the characters Home Assistant strips from names and descriptions
/// (`}{\/|"()[]+~!><*%`), which Alexa refuses or reads out oddly.
///
/// ```
/// assert_eq!(ha_alexa::config::sanitize("Config >!<description"), "Config description");
/// ```
pub fn sanitize(text: &str) -> String {
    text.chars()
        .filter(|c| !"}{\\/|\"()[]+~!><*%".contains(*c))
        .collect()
}

fn truncate(text: String) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some((index, _)) => text[..index].to_owned(),
        None => text,
    }
}

fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

fn configured_locale<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Locale, D::Error> {
    let text = String::deserialize(deserializer)?;
    Locale::configured(&text).map_err(serde::de::Error::custom)
}

fn display_categories<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<DisplayCategory>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let names = match Option::<OneOrMany>::deserialize(deserializer)? {
        None => return Ok(Vec::new()),
        Some(OneOrMany::One(text)) => text.split(',').map(|part| part.trim().to_owned()).collect(),
        Some(OneOrMany::Many(list)) => list,
    };
    names
        .into_iter()
        .filter(|name| !name.is_empty())
        .map(|name| {
            let category = DisplayCategory::from(name.to_ascii_uppercase());
            if category.is_known() {
                Ok(category)
            } else {
                Err(serde::de::Error::custom(ConfigError::DisplayCategory(name)))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_tables_follow_home_assistant() {
        assert_eq!(Locale::KNOWN.len(), 16);
        for locale in Locale::KNOWN {
            assert!(interface_supports_locale(
                &Namespace::PowerController,
                locale
            ));
        }
        let cases = [
            (Namespace::ColorController, Locale::ArSa, false),
            (Namespace::ColorController, Locale::HiIn, true),
            (Namespace::SecurityPanelController, Locale::HiIn, false),
            (Namespace::Speaker, Locale::FrCa, false),
            (Namespace::Speaker, Locale::FrFr, true),
            (Namespace::StepSpeaker, Locale::EsMx, false),
            (Namespace::TimeHoldController, Locale::EnGb, false),
            (Namespace::EventDetectionSensor, Locale::EnUs, true),
            (Namespace::from("Alexa.Cooking"), Locale::ArSa, true),
        ];
        for (interface, locale, supported) in cases {
            assert_eq!(
                interface_supports_locale(&interface, &locale),
                supported,
                "{interface} in {locale}"
            );
        }
        let counts: Vec<usize> = [
            Namespace::ModeController,
            Namespace::SecurityPanelController,
            Namespace::PowerLevelController,
            Namespace::Speaker,
            Namespace::StepSpeaker,
            Namespace::TimeHoldController,
        ]
        .iter()
        .map(|ns| {
            Locale::KNOWN
                .iter()
                .filter(|l| interface_supports_locale(ns, l))
                .count()
        })
        .collect();
        assert_eq!(counts, [15, 14, 12, 11, 9, 1]);
    }

    #[test]
    fn display_categories_accept_one_a_comma_list_or_a_list() {
        let parse = |json: serde_json::Value| {
            serde_json::from_value::<EntityConfig>(json).map(|c| c.display_categories)
        };
        assert_eq!(
            parse(serde_json::json!({"display_categories": "LIGHT"})).unwrap(),
            [DisplayCategory::Light]
        );
        assert_eq!(
            parse(serde_json::json!({"display_categories": "LIGHT, switch"})).unwrap(),
            [DisplayCategory::Light, DisplayCategory::Switch]
        );
        assert_eq!(
            parse(serde_json::json!({"display_categories": ["TV"]})).unwrap(),
            [DisplayCategory::Tv]
        );
        let error = parse(serde_json::json!({"display_categories": "LAMP"})).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("unknown display category \"LAMP\""),
            "{error}"
        );
    }

    #[test]
    fn unknown_keys_and_locales_are_refused() {
        assert!(
            serde_json::from_value::<SmartHomeConfig>(serde_json::json!({"locale": "nl-NL"}))
                .is_err()
        );
        assert!(
            serde_json::from_value::<SmartHomeConfig>(serde_json::json!({"filters": {}})).is_err()
        );
        let config: SmartHomeConfig =
            serde_json::from_value(serde_json::json!({ "filter": null })).unwrap();
        assert_eq!(config, SmartHomeConfig::default());
        assert_eq!(config.locale, Locale::EnUs);
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let config: SmartHomeConfig = serde_json::from_value(
            serde_json::json!({"client_id": "id", "client_secret": "very-secret"}),
        )
        .unwrap();
        assert!(!format!("{config:?}").contains("very-secret"));
        assert_eq!(config.client_secret.unwrap().expose_secret(), "very-secret");
    }

    #[test]
    fn truncation_keeps_names_within_limits() {
        assert_eq!(truncate("é".repeat(200)).chars().count(), 128);
        assert_eq!(truncate("short".into()), "short");
    }
}

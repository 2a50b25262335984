//! Home Assistant's `aws:` configuration section, deserialized with its option names and rules.

use core::num::NonZeroUsize;

use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::credential::{CredentialChoice, CredentialStore, NamedCredential, SecretAccessKey};
use crate::error::ConfigError;
use crate::notify::{InvocationType, NotifyService, NotifySettings};
use crate::region::Region;

/// The `aws:` section: named credentials and notifiers.
///
/// Deserializes from Home Assistant's shape (any serde format: YAML, JSON, TOML). Every rule is
/// checked while deserializing, with an error naming the credential or notifier and the option:
/// an access key needs its secret and the reverse, keys exclude `profile_name`, a notifier names
/// its credential at most one way and only a credential that exists, credential names are
/// unique, regions and services are known. Sections this crate does not handle are ignored.
///
/// # Examples
///
/// ```
/// use ha_aws::{AwsConfig, NotifyService};
///
/// let config: AwsConfig = serde_json::from_str(r#"{
///     "credentials": [{"name": "My AWS Account", "profile_name": "MY_PROFILE_NAME"}],
///     "notify": [
///         {"service": "lambda", "region_name": "us-east-1", "context": {"two": "three"}},
///         {"service": "sns", "region_name": "eu-west-1", "name": "phones", "credential_name": "My AWS Account"}
///     ]
/// }"#)?;
/// assert_eq!(config.notify()[1].settings().service(), NotifyService::Sns);
/// assert_eq!(config.notify()[1].region().as_str(), "eu-west-1");
///
/// let error = serde_json::from_str::<AwsConfig>(
///     r#"{"notify": [{"service": "sns", "region_name": "eu-west-1", "credential_name": "nope"}]}"#,
/// )
/// .unwrap_err();
/// assert!(error.to_string().starts_with("notifier `notify`: no credential named `nope` (known: none)"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AwsConfig {
    credentials: CredentialStore,
    notify: Vec<NotifyConfig>,
    #[cfg(feature = "vision")]
    image_processing: Vec<crate::vision::ImageProcessingConfig>,
}

impl AwsConfig {
    /// A configuration of `credentials` and `notify` entries.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownCredential`] when a notifier names a credential that is not in
    /// `credentials`.
    ///
    /// # Examples
    ///
    /// ```
    /// let config = ha_aws::AwsConfig::new(ha_aws::CredentialStore::default(), Vec::new())?;
    /// assert!(config.notify().is_empty());
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn new(
        credentials: CredentialStore,
        notify: Vec<NotifyConfig>,
    ) -> Result<Self, ConfigError> {
        for entry in &notify {
            credentials.resolve(entry.credential(), entry.settings().name())?;
        }
        Ok(Self {
            credentials,
            notify,
            #[cfg(feature = "vision")]
            image_processing: Vec::new(),
        })
    }

    /// Adds `image_processing:` entries, checking that each names an existing credential.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownCredential`] for a `credential_name` that matches none.
    ///
    /// # Examples
    ///
    /// ```
    /// let entry = serde_json::from_str(r#"{"platform": "object", "service": "rekognition",
    ///     "region_name": "us-east-1", "source": [{"entity_id": "camera.door"}]}"#).unwrap();
    /// let config = ha_aws::AwsConfig::default().with_image_processing(vec![entry])?;
    /// assert_eq!(config.image_processing().len(), 1);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    #[cfg(feature = "vision")]
    #[cfg_attr(docsrs, doc(cfg(feature = "vision")))]
    pub fn with_image_processing(
        mut self,
        entries: Vec<crate::vision::ImageProcessingConfig>,
    ) -> Result<Self, ConfigError> {
        for entry in &entries {
            let label = entry
                .sources()
                .first()
                .map_or("image_processing", |source| source.entity_id.as_str());
            self.credentials.resolve(entry.credential(), label)?;
        }
        self.image_processing.extend(entries);
        Ok(self)
    }

    /// The `image_processing:` entries.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::AwsConfig::default().image_processing().is_empty());
    /// ```
    #[cfg(feature = "vision")]
    #[cfg_attr(docsrs, doc(cfg(feature = "vision")))]
    pub fn image_processing(&self) -> &[crate::vision::ImageProcessingConfig] {
        &self.image_processing
    }

    /// The named credentials.
    ///
    /// # Examples
    ///
    /// ```
    /// let config: ha_aws::AwsConfig = serde_json::from_str(r#"{"credentials": [{"name": "home", "profile_name": "home"}]}"#)?;
    /// assert_eq!(config.credentials().get("home").map(ha_aws::NamedCredential::name), Some("home"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn credentials(&self) -> &CredentialStore {
        &self.credentials
    }

    /// The notifiers.
    ///
    /// # Examples
    ///
    /// ```
    /// let config: ha_aws::AwsConfig = serde_json::from_str(r#"{"notify": [{"service": "sqs", "region_name": "eu-west-1"}]}"#)?;
    /// assert_eq!(config.notify().len(), 1);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn notify(&self) -> &[NotifyConfig] {
        &self.notify
    }
}

impl<'de> Deserialize<'de> for AwsConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            credentials: Vec<NamedCredential>,
            #[serde(default)]
            notify: Vec<NotifyConfig>,
            #[cfg(feature = "vision")]
            #[serde(default)]
            image_processing: Vec<crate::vision::ImageProcessingConfig>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let config = CredentialStore::new(raw.credentials)
            .and_then(|credentials| Self::new(credentials, raw.notify));
        #[cfg(feature = "vision")]
        let config = config.and_then(|config| config.with_image_processing(raw.image_processing));
        config.map_err(serde::de::Error::custom)
    }
}

/// One entry of the `notify:` list: a service in a region, the credential to use, and the
/// notifier's settings.
///
/// Home Assistant's options: `service`, `region_name`, `name`, `credential_name`,
/// `aws_access_key_id` with `aws_secret_access_key`, `profile_name`, `context` (Lambda). This
/// crate adds `default_title`, `max_concurrency`, `max_message_bytes`, `invocation_type`
/// (Lambda: `RequestResponse` or `Event`) and `message_group_id` (SQS); see
/// [`NotifySettings`].
///
/// # Examples
///
/// ```
/// use ha_aws::{CredentialChoice, NotifyConfig};
///
/// let entry: NotifyConfig = serde_json::from_str(
///     r#"{"service": "sqs", "region_name": "eu-west-1", "profile_name": "home", "message_group_id": "alerts"}"#,
/// )?;
/// assert_eq!(entry.credential(), &CredentialChoice::Profile("home".into()));
///
/// let error = serde_json::from_str::<NotifyConfig>(
///     r#"{"service": "sqs", "region_name": "eu-west-1", "context": {"a": 1}}"#,
/// )
/// .unwrap_err();
/// assert!(error.to_string().starts_with("notifier `notify`: context only applies to the lambda service"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NotifyConfig {
    region: Region,
    credential: CredentialChoice,
    settings: NotifySettings,
}

impl NotifyConfig {
    /// An entry for `settings` in `region` that inherits its credential.
    ///
    /// # Errors
    ///
    /// The [`ConfigError`] of a setting the service would refuse (see [`NotifySettings`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{CredentialChoice, NotifyConfig, NotifyService, NotifySettings, Region};
    ///
    /// let entry = NotifyConfig::new(NotifySettings::new(NotifyService::Sns), Region::try_from("eu-west-1")?)?
    ///     .with_credential(CredentialChoice::Named("home".into()));
    /// assert_eq!(entry.credential(), &CredentialChoice::Named("home".into()));
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn new(settings: NotifySettings, region: Region) -> Result<Self, ConfigError> {
        settings.check()?;
        Ok(Self {
            region,
            credential: CredentialChoice::Inherit,
            settings,
        })
    }

    /// Sets how the notifier picks its credential.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{CredentialChoice, NotifyConfig, NotifyService, NotifySettings, Region};
    ///
    /// let entry = NotifyConfig::new(NotifySettings::new(NotifyService::Sqs), Region::us_east_1())?
    ///     .with_credential(CredentialChoice::Profile("home".into()));
    /// assert_eq!(entry.credential(), &CredentialChoice::Profile("home".into()));
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_credential(mut self, credential: CredentialChoice) -> Self {
        self.credential = credential;
        self
    }

    /// The region.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{NotifyConfig, NotifyService, NotifySettings, Region};
    ///
    /// let entry = NotifyConfig::new(NotifySettings::new(NotifyService::Sns), Region::try_from("eu-west-1")?)?;
    /// assert_eq!(entry.region().as_str(), "eu-west-1");
    /// # Ok::<(), ha_aws::Error>(())
    /// ```
    pub fn region(&self) -> &Region {
        &self.region
    }

    /// How the notifier picks its credential.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{CredentialChoice, NotifyConfig, NotifyService, NotifySettings, Region};
    ///
    /// let entry = NotifyConfig::new(NotifySettings::new(NotifyService::Sns), Region::us_east_1())?;
    /// assert_eq!(entry.credential(), &CredentialChoice::Inherit);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn credential(&self) -> &CredentialChoice {
        &self.credential
    }

    /// The notifier's settings.
    ///
    /// # Examples
    ///
    /// ```
    /// let entry: ha_aws::NotifyConfig = serde_json::from_str(r#"{"service": "lambda", "region_name": "us-east-1", "name": "phone"}"#)?;
    /// assert_eq!(entry.settings().name(), "phone");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn settings(&self) -> &NotifySettings {
        &self.settings
    }
}

impl<'de> Deserialize<'de> for NotifyConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            service: NotifyService,
            region_name: Region,
            name: Option<String>,
            credential_name: Option<String>,
            aws_access_key_id: Option<String>,
            aws_secret_access_key: Option<SecretAccessKey>,
            profile_name: Option<String>,
            context: Option<Map<String, Value>>,
            default_title: Option<String>,
            max_concurrency: Option<NonZeroUsize>,
            max_message_bytes: Option<usize>,
            invocation_type: Option<InvocationType>,
            message_group_id: Option<String>,
        }
        let raw = Raw::deserialize(deserializer)?;
        let mut settings = NotifySettings::new(raw.service);
        if let Some(name) = raw.name {
            settings = settings.with_name(name);
        }
        if let Some(title) = raw.default_title {
            settings = settings.with_default_title(title);
        }
        if let Some(limit) = raw.max_concurrency {
            settings = settings.with_max_concurrency(limit);
        }
        if let Some(limit) = raw.max_message_bytes {
            settings = settings.with_max_message_bytes(limit);
        }
        if let Some(context) = raw.context {
            settings = settings.with_context(context);
        }
        if let Some(invocation_type) = raw.invocation_type {
            settings = settings.with_invocation_type(invocation_type);
        }
        if let Some(id) = raw.message_group_id {
            settings = settings.with_message_group_id(id);
        }
        let credential = CredentialChoice::from_options(
            settings.name(),
            raw.credential_name,
            raw.aws_access_key_id,
            raw.aws_secret_access_key,
            raw.profile_name,
        )
        .map_err(serde::de::Error::custom)?;
        Self::new(settings, raw.region_name)
            .map(|entry| entry.with_credential(credential))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::credential::Credential;

    fn parse<T: for<'de> Deserialize<'de>>(value: Value) -> Result<T, String> {
        serde_json::from_value(value).map_err(|error| error.to_string())
    }

    #[test]
    fn the_seed_notify_example_parses() {
        let config: AwsConfig = parse(json!({
            "credentials": [{"name": "My AWS Account", "profile_name": "MY_PROFILE_NAME"}],
            "notify": [{"service": "lambda", "region_name": "us-east-1"}],
            "image_processing": [{"platform": "object", "service": "rekognition",
                "region_name": "us-east-1", "source": [{"entity_id": "camera.demo_camera_1"}]}],
        }))
        .unwrap();
        #[cfg(feature = "vision")]
        assert_eq!(config.image_processing().len(), 1);
        let entry = &config.notify()[0];
        assert_eq!(entry.settings().service(), NotifyService::Lambda);
        assert_eq!(entry.region().as_str(), "us-east-1");
        assert_eq!(entry.credential(), &CredentialChoice::Inherit);
        assert_eq!(
            config
                .credentials()
                .resolve(entry.credential(), "notify")
                .unwrap(),
            Credential::Profile("MY_PROFILE_NAME".into())
        );
    }

    #[test]
    fn home_assistant_spellings_are_accepted() {
        let entry: NotifyConfig =
            parse(json!({"service": "Events", "region_name": "EU-CENTRAL-1", "platform": "aws"}))
                .unwrap();
        assert_eq!(entry.settings().service(), NotifyService::EventBridge);
        assert_eq!(entry.region().as_str(), "eu-central-1");
    }

    #[test]
    fn extensions_parse() {
        let entry: NotifyConfig = parse(json!({
            "service": "lambda", "region_name": "us-east-1", "name": "phone",
            "aws_access_key_id": "K", "aws_secret_access_key": "S",
            "default_title": "Home", "max_concurrency": 4, "max_message_bytes": 1000,
            "invocation_type": "Event", "context": {"room": "hall"},
        }))
        .unwrap();
        let settings = entry.settings();
        assert_eq!(
            (
                settings.name(),
                settings.default_title(),
                settings.max_concurrency().get(),
                settings.max_message_bytes()
            ),
            ("phone", "Home", 4, 1000)
        );
        assert_eq!(settings.invocation_type(), InvocationType::Event);
        assert_eq!(settings.context(), json!({"room": "hall"}).as_object());
        assert!(matches!(entry.credential(), CredentialChoice::Keys(_)));
    }

    #[test]
    fn every_rule_violation_is_a_clear_error() {
        let base = |extra: Value| {
            let mut value = json!({"service": "sns", "region_name": "eu-west-1"});
            value
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            parse::<NotifyConfig>(value).unwrap_err()
        };
        let cases = [
            (
                json!({"service": "email"}),
                "unknown notify service `email`; expected lambda, sns, sqs or events",
            ),
            (
                json!({"region_name": "eu-west"}),
                "malformed region `eu-west`",
            ),
            (
                json!({"region_name": "eu-wets-1"}),
                "unknown region `eu-wets-1`",
            ),
            (
                json!({"aws_access_key_id": "K"}),
                "credential `notify`: aws_access_key_id needs aws_secret_access_key",
            ),
            (
                json!({"name": "phone", "credential_name": "c", "profile_name": "p"}),
                "notifier `phone`: give only one of credential_name",
            ),
            (
                json!({"aws_access_key_id": "K", "aws_secret_access_key": "S", "profile_name": "p"}),
                "credential `notify`: aws_access_key_id and aws_secret_access_key exclude profile_name",
            ),
            (
                json!({"invocation_type": "Event"}),
                "notifier `notify`: invocation_type only applies to the lambda service",
            ),
            (
                json!({"message_group_id": "g"}),
                "notifier `notify`: message_group_id only applies to the sqs service",
            ),
            (
                json!({"default_title": "two\nlines"}),
                "default_title: the subject (title) holds a line break",
            ),
            (
                json!({"default_title": "x".repeat(101)}),
                "default_title: the subject (title) is 101 characters long",
            ),
            (json!({"max_concurrency": 0}), "invalid value: integer `0`"),
            (
                json!({"max_message_bytes": 0}),
                "max_message_bytes must be at least 1",
            ),
            (
                json!({"context": "text"}),
                "invalid type: string \"text\", expected a map",
            ),
        ];
        for (extra, expected) in cases {
            let error = base(extra.clone());
            assert!(error.starts_with(expected), "{extra}: {error}");
        }
        let error = parse::<NotifyConfig>(
            json!({"service": "sqs", "region_name": "eu-west-1", "message_group_id": "a b"}),
        )
        .unwrap_err();
        assert!(
            error.starts_with("message_group_id: message_group_id must be 1 to 128"),
            "{error}"
        );
        let error = parse::<NotifyConfig>(json!({"region_name": "eu-west-1"})).unwrap_err();
        assert!(error.starts_with("missing field `service`"), "{error}");
    }

    #[test]
    fn duplicate_and_unknown_credentials_are_refused() {
        let error =
            parse::<AwsConfig>(json!({"credentials": [{"name": "a"}, {"name": "a"}]})).unwrap_err();
        assert!(
            error.starts_with("two credentials are named `a`"),
            "{error}"
        );
        let error = parse::<AwsConfig>(json!({
            "credentials": [{"name": "a"}],
            "notify": [{"service": "sqs", "region_name": "eu-west-1", "name": "q", "credential_name": "b"}],
        }))
        .unwrap_err();
        assert!(
            error.starts_with("notifier `q`: no credential named `b` (known: a)"),
            "{error}"
        );
    }
}

//! Named credentials and how a notifier picks one, as in Home Assistant's `aws` integration.
//!
//! A [`CredentialStore`] holds the `credentials:` list in order. A notifier's
//! [`CredentialChoice`] picks one of them by name, gives its own keys or profile, or inherits: then
//! the first named credential is used, and without any, aws-config's default chain (environment,
//! shared profiles, SSO, container and instance metadata).
//!
//! Unlike Home Assistant, a named credential made of access keys really uses those keys (Home
//! Assistant's issue 26632), and a `credential_name` that names nothing is an error rather than
//! a silent fall-through to the default chain.

use core::fmt;

use serde::{Deserialize, Deserializer};

use crate::error::ConfigError;

/// An AWS access key id, such as `AKIAIOSFODNN7EXAMPLE`.
///
/// Key ids identify a key but grant nothing, so `Debug` shows them.
///
/// # Examples
///
/// ```
/// let id = ha_aws::AccessKeyId::try_from("AKIAIOSFODNN7EXAMPLE")?;
/// assert_eq!(id.as_str(), "AKIAIOSFODNN7EXAMPLE");
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessKeyId(String);

impl AccessKeyId {
    /// The key id.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::AccessKeyId::try_from("AKID")?.as_str(), "AKID");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for AccessKeyId {
    type Error = ConfigError;

    fn try_from(id: &str) -> Result<Self, ConfigError> {
        Self::try_from(id.to_owned())
    }
}

impl TryFrom<String> for AccessKeyId {
    type Error = ConfigError;

    fn try_from(id: String) -> Result<Self, ConfigError> {
        if id.trim().is_empty() {
            Err(ConfigError::Empty {
                what: "aws_access_key_id",
            })
        } else {
            Ok(Self(id))
        }
    }
}

/// An AWS secret access key. `Debug` prints `"***"`; there is no `Display`.
///
/// # Examples
///
/// ```
/// let secret = ha_aws::SecretAccessKey::try_from("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
/// assert_eq!(format!("{secret:?}"), "\"***\"");
/// assert_eq!(secret.expose_secret(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretAccessKey(String);

impl SecretAccessKey {
    /// The secret itself, for handing to the SDK. Never log it.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(ha_aws::SecretAccessKey::try_from("s3cr3t")?.expose_secret(), "s3cr3t");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretAccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

impl TryFrom<&str> for SecretAccessKey {
    type Error = ConfigError;

    fn try_from(secret: &str) -> Result<Self, ConfigError> {
        Self::try_from(secret.to_owned())
    }
}

impl TryFrom<String> for SecretAccessKey {
    type Error = ConfigError;

    fn try_from(secret: String) -> Result<Self, ConfigError> {
        if secret.is_empty() {
            Err(ConfigError::Empty {
                what: "aws_secret_access_key",
            })
        } else {
            Ok(Self(secret))
        }
    }
}

/// An access key id with its secret.
///
/// # Examples
///
/// ```
/// let keys = ha_aws::AccessKeys::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")?;
/// assert_eq!(keys.access_key_id().as_str(), "AKIAIOSFODNN7EXAMPLE");
/// assert!(!format!("{keys:?}").contains("wJalr"));
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeys {
    access_key_id: AccessKeyId,
    secret_access_key: SecretAccessKey,
}

impl AccessKeys {
    /// Keys from an id and a secret.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Empty`] when either is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::AccessKeys::new("AKID", "").is_err());
    /// ```
    pub fn new(access_key_id: &str, secret_access_key: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            access_key_id: AccessKeyId::try_from(access_key_id)?,
            secret_access_key: SecretAccessKey::try_from(secret_access_key)?,
        })
    }

    /// The key id.
    ///
    /// # Examples
    ///
    /// ```
    /// let keys = ha_aws::AccessKeys::new("AKIDHOME", "secret")?;
    /// assert_eq!(keys.access_key_id().as_str(), "AKIDHOME");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn access_key_id(&self) -> &AccessKeyId {
        &self.access_key_id
    }

    /// The secret.
    ///
    /// # Examples
    ///
    /// ```
    /// let keys = ha_aws::AccessKeys::new("AKIDHOME", "secret")?;
    /// assert_eq!(keys.secret_access_key().expose_secret(), "secret");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn secret_access_key(&self) -> &SecretAccessKey {
        &self.secret_access_key
    }

    /// Pairs the optional id and secret of a configuration, enforcing "one needs the other".
    fn pair(
        label: &str,
        id: Option<String>,
        secret: Option<SecretAccessKey>,
    ) -> Result<Option<Self>, ConfigError> {
        match (id, secret) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(ConfigError::KeyWithoutSecret {
                credential: label.to_owned(),
            }),
            (None, Some(_)) => Err(ConfigError::SecretWithoutKey {
                credential: label.to_owned(),
            }),
            (Some(id), Some(secret_access_key)) => Ok(Some(Self {
                access_key_id: AccessKeyId::try_from(id)?,
                secret_access_key,
            })),
        }
    }
}

/// Where a session's credentials come from.
///
/// # Examples
///
/// ```
/// use ha_aws::{AccessKeys, Credential};
///
/// let keys = Credential::Keys(AccessKeys::new("AKID", "secret")?);
/// let profile = Credential::Profile("home".into());
/// let default = Credential::DefaultChain;
/// # let _ = (keys, profile, default);
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credential {
    /// A static access key id and secret.
    Keys(AccessKeys),
    /// A profile of the shared AWS config and credentials files (`~/.aws`).
    Profile(String),
    /// aws-config's default chain: environment variables, the default or `AWS_PROFILE` profile,
    /// SSO, web identity, container and instance metadata.
    DefaultChain,
}

/// How a credential is checked at start-up.
///
/// Deserializes from `validate: true | false | "sts" | "iam"`. `true` means
/// [`Validate::CallerIdentity`]: STS GetCallerIdentity needs no permission and works for every
/// kind of credential, where Home Assistant's IAM GetUser fails for roles and federated users;
/// `"iam"` asks for Home Assistant's check.
///
/// # Examples
///
/// ```
/// use ha_aws::Validate;
///
/// let parse = |text: &str| serde_json::from_str::<Validate>(text);
/// assert_eq!(parse("true")?, Validate::CallerIdentity);
/// assert_eq!(parse("false")?, Validate::Off);
/// assert_eq!(parse("\"iam\"")?, Validate::IamUser);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Validate {
    /// No check.
    Off,
    /// STS GetCallerIdentity (the default).
    #[default]
    CallerIdentity,
    /// IAM GetUser, as Home Assistant does; needs the `iam` feature and `iam:GetUser` permission.
    IamUser,
}

impl<'de> Deserialize<'de> for Validate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Name(String),
        }
        match Raw::deserialize(deserializer)? {
            Raw::Flag(true) => Ok(Self::CallerIdentity),
            Raw::Flag(false) => Ok(Self::Off),
            Raw::Name(name) => match name.to_ascii_lowercase().as_str() {
                "sts" => Ok(Self::CallerIdentity),
                "iam" => Ok(Self::IamUser),
                "off" | "none" => Ok(Self::Off),
                _ => Err(serde::de::Error::custom(format!(
                    "unknown validate value `{name}`; expected true, false, \"sts\" or \"iam\""
                ))),
            },
        }
    }
}

/// One entry of the `credentials:` list: a name, where the credential comes from, and whether to
/// check it at start-up.
///
/// Deserializes from Home Assistant's shape: `name`, `aws_access_key_id` with
/// `aws_secret_access_key`, or `profile_name`, and `validate` (default `true`). Neither keys nor a
/// profile means the default chain.
///
/// # Errors
///
/// Deserialization fails with the [`ConfigError`] message when an access key comes without its
/// secret (or the reverse), when keys come with a profile, or when the name is empty.
///
/// # Examples
///
/// ```
/// use ha_aws::{Credential, NamedCredential};
///
/// let credential: NamedCredential = serde_json::from_str(
///     r#"{"name": "My AWS Account", "aws_access_key_id": "AKID", "aws_secret_access_key": "secret"}"#,
/// )?;
/// assert_eq!(credential.name(), "My AWS Account");
/// assert!(matches!(credential.credential(), Credential::Keys(_)));
///
/// let error = serde_json::from_str::<NamedCredential>(
///     r#"{"name": "x", "aws_access_key_id": "AKID", "aws_secret_access_key": "s", "profile_name": "p"}"#,
/// )
/// .unwrap_err();
/// assert!(error.to_string().contains("exclude profile_name"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedCredential {
    name: String,
    credential: Credential,
    validate: Validate,
}

impl NamedCredential {
    /// A named credential, validated with [`Validate::CallerIdentity`].
    ///
    /// # Errors
    ///
    /// [`ConfigError::Empty`] when the name is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Credential, NamedCredential, Validate};
    ///
    /// let home = NamedCredential::new("home", Credential::Profile("home".into()))?.with_validate(Validate::Off);
    /// assert_eq!(home.validate(), Validate::Off);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn new(name: &str, credential: Credential) -> Result<Self, ConfigError> {
        if name.trim().is_empty() {
            return Err(ConfigError::Empty {
                what: "credential name",
            });
        }
        Ok(Self {
            name: name.to_owned(),
            credential,
            validate: Validate::default(),
        })
    }

    /// Sets how the credential is checked at start-up.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Credential, NamedCredential, Validate};
    ///
    /// let home = NamedCredential::new("home", Credential::DefaultChain)?.with_validate(Validate::IamUser);
    /// assert_eq!(home.validate(), Validate::IamUser);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    #[must_use]
    pub fn with_validate(mut self, validate: Validate) -> Self {
        self.validate = validate;
        self
    }

    /// The name notifiers refer to it by.
    ///
    /// # Examples
    ///
    /// ```
    /// let home = ha_aws::NamedCredential::new("home", ha_aws::Credential::DefaultChain)?;
    /// assert_eq!(home.name(), "home");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the credential comes from.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Credential, NamedCredential};
    ///
    /// let home = NamedCredential::new("home", Credential::Profile("home".into()))?;
    /// assert_eq!(home.credential(), &Credential::Profile("home".into()));
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// How it is checked at start-up.
    ///
    /// # Examples
    ///
    /// ```
    /// let home = ha_aws::NamedCredential::new("home", ha_aws::Credential::DefaultChain)?;
    /// assert_eq!(home.validate(), ha_aws::Validate::CallerIdentity);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn validate(&self) -> Validate {
        self.validate
    }
}

#[derive(Deserialize)]
struct RawNamedCredential {
    name: String,
    aws_access_key_id: Option<String>,
    aws_secret_access_key: Option<SecretAccessKey>,
    profile_name: Option<String>,
    #[serde(default)]
    validate: Validate,
}

impl<'de> Deserialize<'de> for NamedCredential {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawNamedCredential::deserialize(deserializer)?;
        let choice = CredentialChoice::from_options(
            &raw.name,
            None,
            raw.aws_access_key_id,
            raw.aws_secret_access_key,
            raw.profile_name,
        )
        .map_err(serde::de::Error::custom)?;
        let credential = match choice {
            CredentialChoice::Keys(keys) => Credential::Keys(keys),
            CredentialChoice::Profile(profile) => Credential::Profile(profile),
            CredentialChoice::Inherit | CredentialChoice::Named(_) => Credential::DefaultChain,
        };
        Self::new(&raw.name, credential)
            .map(|credential| credential.with_validate(raw.validate))
            .map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for SecretAccessKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_from(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// How a notifier picks its credential: the `credential_name`, `aws_access_key_id` with
/// `aws_secret_access_key`, and `profile_name` options, of which at most one may be given.
///
/// # Examples
///
/// ```
/// use ha_aws::{Credential, CredentialChoice, CredentialStore, NamedCredential};
///
/// let store = CredentialStore::new(vec![
///     NamedCredential::new("home", Credential::Profile("home".into()))?,
///     NamedCredential::new("work", Credential::Profile("work".into()))?,
/// ])?;
/// // nothing given: the first named credential
/// assert_eq!(store.resolve(&CredentialChoice::Inherit, "notify")?, Credential::Profile("home".into()));
/// assert_eq!(store.resolve(&CredentialChoice::Named("work".into()), "notify")?, Credential::Profile("work".into()));
/// assert!(store.resolve(&CredentialChoice::Named("office".into()), "notify").is_err());
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CredentialChoice {
    /// Nothing given: the first named credential, or the default chain when there is none.
    #[default]
    Inherit,
    /// `credential_name`: a named credential of the store.
    Named(String),
    /// `aws_access_key_id` and `aws_secret_access_key`.
    Keys(AccessKeys),
    /// `profile_name`.
    Profile(String),
}

impl CredentialChoice {
    /// Builds a choice from the options of a configuration entry labelled `label`.
    pub(crate) fn from_options(
        label: &str,
        credential_name: Option<String>,
        aws_access_key_id: Option<String>,
        aws_secret_access_key: Option<SecretAccessKey>,
        profile_name: Option<String>,
    ) -> Result<Self, ConfigError> {
        let keys = AccessKeys::pair(label, aws_access_key_id, aws_secret_access_key)?;
        match (credential_name, keys, profile_name) {
            (None, None, None) => Ok(Self::Inherit),
            (Some(name), None, None) => Ok(Self::Named(name)),
            (None, Some(keys), None) => Ok(Self::Keys(keys)),
            (None, None, Some(profile)) if profile.trim().is_empty() => Err(ConfigError::Empty {
                what: "profile_name",
            }),
            (None, None, Some(profile)) => Ok(Self::Profile(profile)),
            (None, Some(_), Some(_)) => Err(ConfigError::KeysWithProfile {
                credential: label.to_owned(),
            }),
            (Some(_), _, _) => Err(ConfigError::ConflictingCredentials {
                notifier: label.to_owned(),
            }),
        }
    }
}

/// The named credentials, in configuration order (Home Assistant's `credentials:` list).
///
/// # Examples
///
/// ```
/// use ha_aws::{Credential, CredentialStore, NamedCredential};
///
/// let store = CredentialStore::new(vec![NamedCredential::new("home", Credential::DefaultChain)?])?;
/// assert_eq!(store.get("home").map(NamedCredential::name), Some("home"));
/// assert!(CredentialStore::new(vec![
///     NamedCredential::new("a", Credential::DefaultChain)?,
///     NamedCredential::new("a", Credential::DefaultChain)?,
/// ])
/// .is_err());
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CredentialStore {
    credentials: Vec<NamedCredential>,
}

impl CredentialStore {
    /// A store of `credentials`, in order.
    ///
    /// # Errors
    ///
    /// [`ConfigError::DuplicateCredential`] when two share a name.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::CredentialStore::new(Vec::new())?.is_empty());
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn new(credentials: Vec<NamedCredential>) -> Result<Self, ConfigError> {
        for (index, credential) in credentials.iter().enumerate() {
            if credentials[..index]
                .iter()
                .any(|earlier| earlier.name == credential.name)
            {
                return Err(ConfigError::DuplicateCredential {
                    name: credential.name.clone(),
                });
            }
        }
        Ok(Self { credentials })
    }

    /// The credential named `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Credential, CredentialStore, NamedCredential};
    ///
    /// let store = CredentialStore::new(vec![NamedCredential::new("home", Credential::DefaultChain)?])?;
    /// assert!(store.get("home").is_some());
    /// assert!(store.get("work").is_none());
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn get(&self, name: &str) -> Option<&NamedCredential> {
        self.credentials
            .iter()
            .find(|credential| credential.name == name)
    }

    /// The credentials in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Credential, CredentialStore, NamedCredential};
    ///
    /// let store = CredentialStore::new(vec![
    ///     NamedCredential::new("home", Credential::DefaultChain)?,
    ///     NamedCredential::new("work", Credential::DefaultChain)?,
    /// ])?;
    /// let names: Vec<_> = store.iter().map(NamedCredential::name).collect();
    /// assert_eq!(names, ["home", "work"]);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn iter(&self) -> core::slice::Iter<'_, NamedCredential> {
        self.credentials.iter()
    }

    /// Whether the store is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(ha_aws::CredentialStore::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.credentials.is_empty()
    }

    /// The credential a notifier named `notifier` gets for `choice`: the named one, its own keys
    /// or profile, else the first named credential, else the default chain.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownCredential`] when `choice` names a credential the store lacks.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_aws::{Credential, CredentialChoice, CredentialStore};
    ///
    /// let empty = CredentialStore::default();
    /// assert_eq!(empty.resolve(&CredentialChoice::Inherit, "notify")?, Credential::DefaultChain);
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn resolve(
        &self,
        choice: &CredentialChoice,
        notifier: &str,
    ) -> Result<Credential, ConfigError> {
        match choice {
            CredentialChoice::Inherit => Ok(self
                .credentials
                .first()
                .map_or(Credential::DefaultChain, |first| first.credential.clone())),
            CredentialChoice::Named(name) => self
                .get(name)
                .map(|found| found.credential.clone())
                .ok_or_else(|| ConfigError::UnknownCredential {
                    notifier: notifier.to_owned(),
                    name: name.clone(),
                    known: self
                        .credentials
                        .iter()
                        .map(|known| known.name.clone())
                        .collect(),
                }),
            CredentialChoice::Keys(keys) => Ok(Credential::Keys(keys.clone())),
            CredentialChoice::Profile(profile) => Ok(Credential::Profile(profile.clone())),
        }
    }
}

impl<'a> IntoIterator for &'a CredentialStore {
    type Item = &'a NamedCredential;
    type IntoIter = core::slice::Iter<'a, NamedCredential>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<NamedCredential, String> {
        serde_json::from_str(json).map_err(|error| error.to_string())
    }

    #[test]
    fn the_seed_shapes_deserialize() {
        let profile =
            parse(r#"{"name": "My AWS Account", "profile_name": "MY_PROFILE_NAME"}"#).unwrap();
        assert_eq!(
            profile.credential(),
            &Credential::Profile("MY_PROFILE_NAME".into())
        );
        assert_eq!(profile.validate(), Validate::CallerIdentity);
        let keys = parse(
            r#"{"name": "My AWS Account", "aws_access_key_id": "AWS_ID", "aws_secret_access_key": "AWS_SECRET", "validate": false}"#,
        )
        .unwrap();
        let Credential::Keys(keys_inner) = keys.credential() else {
            panic!("{keys:?}")
        };
        assert_eq!(keys_inner.access_key_id().as_str(), "AWS_ID");
        assert_eq!(keys_inner.secret_access_key().expose_secret(), "AWS_SECRET");
        assert_eq!(keys.validate(), Validate::Off);
        let chain = parse(r#"{"name": "default"}"#).unwrap();
        assert_eq!(chain.credential(), &Credential::DefaultChain);
    }

    #[test]
    fn every_rule_violation_is_a_clear_error() {
        let cases = [
            (
                r#"{"name": "a", "aws_access_key_id": "K"}"#,
                "credential `a`: aws_access_key_id needs aws_secret_access_key",
            ),
            (
                r#"{"name": "a", "aws_secret_access_key": "S"}"#,
                "credential `a`: aws_secret_access_key needs aws_access_key_id",
            ),
            (
                r#"{"name": "a", "aws_access_key_id": "K", "aws_secret_access_key": "S", "profile_name": "p"}"#,
                "credential `a`: aws_access_key_id and aws_secret_access_key exclude profile_name",
            ),
            (r#"{"name": " "}"#, "credential name is empty"),
            (
                r#"{"name": "a", "aws_access_key_id": "", "aws_secret_access_key": "S"}"#,
                "aws_access_key_id is empty",
            ),
            (
                r#"{"name": "a", "aws_access_key_id": "K", "aws_secret_access_key": ""}"#,
                "aws_secret_access_key is empty",
            ),
            (
                r#"{"name": "a", "profile_name": ""}"#,
                "profile_name is empty",
            ),
            (
                r#"{"name": "a", "validate": "maybe"}"#,
                "unknown validate value `maybe`",
            ),
            (r#"{"profile_name": "p"}"#, "missing field `name`"),
        ];
        for (json, expected) in cases {
            let error = parse(json).unwrap_err();
            assert!(error.starts_with(expected), "{json}: {error}");
        }
    }

    #[test]
    fn secrets_never_reach_debug_output() {
        let credential =
            parse(r#"{"name": "a", "aws_access_key_id": "K", "aws_secret_access_key": "hunter2"}"#)
                .unwrap();
        let debug = format!("{credential:?} {credential:#?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("***"));
    }

    #[test]
    fn choices_resolve_in_home_assistant_order() {
        let store = CredentialStore::new(vec![
            NamedCredential::new("first", Credential::Profile("one".into())).unwrap(),
            NamedCredential::new(
                "second",
                Credential::Keys(AccessKeys::new("K2", "S2").unwrap()),
            )
            .unwrap(),
        ])
        .unwrap();
        assert_eq!(
            store.resolve(&CredentialChoice::Inherit, "n").unwrap(),
            Credential::Profile("one".into())
        );
        assert_eq!(
            store
                .resolve(&CredentialChoice::Named("second".into()), "n")
                .unwrap(),
            Credential::Keys(AccessKeys::new("K2", "S2").unwrap())
        );
        assert_eq!(
            store
                .resolve(&CredentialChoice::Profile("p".into()), "n")
                .unwrap(),
            Credential::Profile("p".into())
        );
        let error = store
            .resolve(&CredentialChoice::Named("third".into()), "phone")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "notifier `phone`: no credential named `third` (known: first, second)"
        );
    }

    #[test]
    fn notifier_options_are_mutually_exclusive() {
        let secret = || Some(SecretAccessKey::try_from("S").unwrap());
        let error =
            CredentialChoice::from_options("n", Some("c".into()), None, None, Some("p".into()))
                .unwrap_err();
        assert_eq!(
            error,
            ConfigError::ConflictingCredentials {
                notifier: "n".into()
            }
        );
        let error =
            CredentialChoice::from_options("n", Some("c".into()), Some("K".into()), secret(), None)
                .unwrap_err();
        assert_eq!(
            error,
            ConfigError::ConflictingCredentials {
                notifier: "n".into()
            }
        );
        let keys =
            CredentialChoice::from_options("n", None, Some("K".into()), secret(), None).unwrap();
        assert!(matches!(keys, CredentialChoice::Keys(_)));
    }
}

//! The header every directive and event carries.

use core::fmt;
use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::error::{DecodeError, ValidationError};
use crate::wire::wire_enum;

/// Declares [`Namespace`] from the interface registry.
macro_rules! namespace {
    ($( { [$(#[$meta:meta])*] $variant:ident $wire:literal [$($module:ident)?] [$($version:literal)?]
        [$($directives:tt)?] [$($cvariant:ident($configuration:tt))?] [$($events:tt)?]
        [$($properties:tt)?] [$($check:tt)?] [$($instance:ident)?] } )+) => {
        wire_enum! {
            /// The interface (`header.namespace`) a message belongs to: one variant per
            /// interface of the registry in [`interface`](crate::interface).
            ///
            /// Unknown namespaces are kept in [`Namespace::Unknown`] and round-trip unchanged.
            ///
            /// # Examples
            ///
            /// ```
            /// use ha_alexa::Namespace;
            ///
            /// assert_eq!(Namespace::from("Alexa.PowerController"), Namespace::PowerController);
            /// assert_eq!(Namespace::from("Alexa.Cooking").as_str(), "Alexa.Cooking");
            /// assert_eq!(Namespace::ObjectDetectionSensor.version(), "1.0");
            /// ```
            pub enum Namespace {
                $( $(#[$meta])* $variant = $wire, )+
            }
        }

        impl Namespace {
            /// The interface version: the capability's `version` at discovery and the
            /// `payloadVersion` of its messages. `"3"` for all but the newer interfaces
            /// that Amazon versions on their own (`"1.0"` for
            /// `Alexa.SmartVision.ObjectDetectionSensor`), and for unknown namespaces.
            pub fn version(&self) -> &'static str {
                match self {
                    $( Self::$variant => $crate::interface::version!($($version)?), )+
                    Self::Unknown(_) => "3",
                }
            }

            /// Whether every capability of this interface names an instance (Mode,
            /// Range, Toggle and the inventory sensors).
            pub fn requires_instance(&self) -> bool {
                match self {
                    $( Self::$variant => $crate::interface::instance_required!($($instance)?), )+
                    Self::Unknown(_) => false,
                }
            }
        }
    };
}

crate::interface::interfaces!(namespace);

/// The message name (`header.name`): a directive or event name such as `TurnOn` or
/// `Discover.Response`.
///
/// The names of directives and of interface events are declared once, by their interface
/// (each `*Directive` enum's `name`); this type only carries them. The core event names
/// have constants.
///
/// # Examples
///
/// ```
/// use ha_alexa::Name;
///
/// assert_eq!(Name::from("TurnOn").as_str(), "TurnOn");
/// assert_eq!(Name::RESPONSE, Name::from("Response"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Cow<'static, str>);

impl Name {
    /// `Response`.
    pub const RESPONSE: Self = Self::from_static("Response");
    /// `StateReport`.
    pub const STATE_REPORT: Self = Self::from_static("StateReport");
    /// `ErrorResponse`.
    pub const ERROR_RESPONSE: Self = Self::from_static("ErrorResponse");
    /// `DeferredResponse`.
    pub const DEFERRED_RESPONSE: Self = Self::from_static("DeferredResponse");
    /// `ChangeReport`.
    pub const CHANGE_REPORT: Self = Self::from_static("ChangeReport");
    /// `ReportState`.
    pub const REPORT_STATE: Self = Self::from_static("ReportState");

    /// The names of the core events, which no interface declares.
    const CORE: &'static [&'static str] = &[
        "Response",
        "StateReport",
        "ErrorResponse",
        "DeferredResponse",
        "ChangeReport",
        "Discover.Response",
        "AddOrUpdateReport",
        "DeleteReport",
        "AcceptGrant.Response",
        "ActivationStarted",
        "DeactivationStarted",
        "Arm.Response",
        "DoorbellPress",
    ];

    /// `name` as decoded from a header in `namespace`: the declared `'static` text when
    /// an interface (or the core events) declares it, so known names cost no allocation.
    fn interned(namespace: &Namespace, name: Cow<'_, str>) -> Self {
        let known = super::directive::static_name(namespace, &name)
            .or_else(|| Self::CORE.iter().copied().find(|core| *core == name));
        match known {
            Some(text) => Self::from_static(text),
            None => Self(Cow::Owned(name.into_owned())),
        }
    }

    /// A name known at compile time.
    pub const fn from_static(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// The name as written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(name: &str) -> Self {
        Self(Cow::Owned(name.to_owned()))
    }
}

impl From<String> for Name {
    fn from(name: String) -> Self {
        Self(Cow::Owned(name))
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(crate::wire::WireStrVisitor::<Self>::new("Name"))
    }
}

/// A message identifier: 1 to 127 characters of `[a-zA-Z0-9-]`, as Alexa's schema requires.
///
/// # Examples
///
/// ```
/// use ha_alexa::MessageId;
///
/// let id = MessageId::try_new("1bd5d003-31b9-476f-ad03-71d471922820")?;
/// assert_eq!(id.as_str(), "1bd5d003-31b9-476f-ad03-71d471922820");
/// assert!(MessageId::try_new("not_allowed").is_err());
/// assert_eq!(MessageId::random().as_str().len(), 36);
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MessageId(String);

impl MessageId {
    /// The longest messageId Alexa accepts, in characters.
    pub const MAX_LEN: usize = 127;

    /// Checks and wraps `id`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::MessageId`] when `id` is empty, longer than 127 characters or
    /// contains a character other than ASCII letters, digits and `-`.
    pub fn try_new(id: impl Into<String>) -> Result<Self, ValidationError> {
        let id = id.into();
        let valid = !id.is_empty()
            && id.len() <= Self::MAX_LEN
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if valid {
            Ok(Self(id))
        } else {
            Err(ValidationError::MessageId { id })
        }
    }

    /// A fresh version 4 UUID, the form Alexa itself uses.
    ///
    /// Ids are unique, not secret: each thread seeds a SplitMix64 sequence once from the
    /// operating system and draws the 122 random bits from it, which keeps this off the
    /// system-call path of every response.
    pub fn random() -> Self {
        thread_local! {
            static STATE: core::cell::Cell<u64> = core::cell::Cell::new({
                let seed = uuid::Uuid::new_v4().as_u64_pair();
                seed.0 ^ seed.1
            });
        }
        let (high, low) = STATE.with(|state| {
            let next = || {
                // SplitMix64: a bijection of the counter, so a thread never repeats an id.
                let counter = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
                state.set(counter);
                let mut z = counter;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            };
            (next(), next())
        });
        let bytes = ((u128::from(high) << 64) | u128::from(low)).to_be_bytes();
        Self(
            uuid::Builder::from_random_bytes(bytes)
                .into_uuid()
                .hyphenated()
                .to_string(),
        )
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for MessageId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// The opaque token that ties a response to its directive; never empty.
///
/// Responses must echo the directive's token unchanged.
///
/// # Examples
///
/// ```
/// use ha_alexa::CorrelationToken;
///
/// let token = CorrelationToken::try_new("dFMb0z+PgpgdDmluhJ1LddFvSqZ/jCc8ptlAKulUj90jSqg==")?;
/// assert!(CorrelationToken::try_new("").is_err());
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CorrelationToken(String);

impl CorrelationToken {
    /// Checks and wraps `token`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::Empty`] when `token` is empty.
    pub fn try_new(token: impl Into<String>) -> Result<Self, ValidationError> {
        let token = token.into();
        if token.is_empty() {
            Err(ValidationError::Empty {
                field: "correlationToken",
            })
        } else {
            Ok(Self(token))
        }
    }

    /// The token as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for CorrelationToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// The payload version of a message: the version of its namespace's interface
/// ([`Namespace::version`]), `"3"` for all but the interfaces Amazon versions on their own.
///
/// Decoding a message whose version is not its namespace's fails with
/// [`DecodeError::PayloadVersion`](crate::DecodeError::PayloadVersion).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PayloadVersion(&'static str);

impl PayloadVersion {
    /// `"3"`, the version of the core interfaces.
    pub const V3: Self = Self("3");

    /// The version of messages in `namespace`.
    pub fn of(namespace: &Namespace) -> Self {
        Self(namespace.version())
    }

    /// The version as written on the wire.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl Default for PayloadVersion {
    fn default() -> Self {
        Self::V3
    }
}

impl Serialize for PayloadVersion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The header of a directive or event.
///
/// Directives for ModeController, RangeController and ToggleController carry the
/// targeted `instance`; events never do (Alexa's schema forbids it).
///
/// # Examples
///
/// ```
/// use ha_alexa::{Header, MessageId, Name, Namespace};
///
/// let header = Header::new(Namespace::Alexa, Name::REPORT_STATE, MessageId::try_new("abc-123")?);
/// assert_eq!(
///     serde_json::to_string(&header)?,
///     r#"{"namespace":"Alexa","name":"ReportState","messageId":"abc-123","payloadVersion":"3"}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Header {
    /// The interface.
    pub namespace: Namespace,
    /// The message name.
    pub name: Name,
    /// The instance a Mode, Range or Toggle directive targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Unique id of this message.
    pub message_id: MessageId,
    /// Ties a response to its directive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_token: Option<CorrelationToken>,
    /// Always `"3"`.
    pub payload_version: PayloadVersion,
}

impl Header {
    /// A header without instance or correlation token.
    pub fn new(namespace: Namespace, name: Name, message_id: MessageId) -> Self {
        let payload_version = PayloadVersion::of(&namespace);
        Self {
            namespace,
            name,
            instance: None,
            message_id,
            correlation_token: None,
            payload_version,
        }
    }

    /// Sets the correlation token.
    #[must_use]
    pub fn with_correlation_token(mut self, token: Option<CorrelationToken>) -> Self {
        self.correlation_token = token;
        self
    }

    /// Sets the instance.
    #[must_use]
    pub fn with_instance(mut self, instance: Option<String>) -> Self {
        self.instance = instance;
        self
    }
}

/// The header as decoded before the payload version is checked.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireHeader<'a> {
    namespace: Namespace,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(default)]
    instance: Option<String>,
    message_id: MessageId,
    #[serde(default)]
    correlation_token: Option<CorrelationToken>,
    #[serde(borrow)]
    payload_version: &'a RawValue,
}

impl WireHeader<'_> {
    /// The header, once its payloadVersion is its namespace's.
    pub(crate) fn check(self) -> Result<Header, DecodeError> {
        let raw = self.payload_version.get();
        let version = PayloadVersion::of(&self.namespace);
        // The usual spelling, `"3"`, is checked without unescaping.
        let quoted = raw.len() == version.as_str().len() + 2
            && raw.get(1..raw.len() - 1) == Some(version.as_str());
        if !quoted {
            match serde_json::from_str::<String>(raw) {
                Ok(found) if found == version.as_str() => {}
                Ok(found) => return Err(DecodeError::PayloadVersion { found }),
                Err(_) => {
                    return Err(DecodeError::PayloadVersion {
                        found: raw.to_owned(),
                    });
                }
            }
        }
        let name = Name::interned(&self.namespace, self.name);
        Ok(Header {
            namespace: self.namespace,
            name,
            instance: self.instance,
            message_id: self.message_id,
            correlation_token: self.correlation_token,
            payload_version: version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_version_4_uuids_and_do_not_repeat() {
        let ids: std::collections::HashSet<String> =
            (0..10_000).map(|_| MessageId::random().0).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(parsed.get_version_num(), 4, "{id}");
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{id}");
            assert!(MessageId::try_new(id.clone()).is_ok());
        }
        let other_thread = std::thread::spawn(MessageId::random).join().unwrap();
        assert!(!ids.contains(&other_thread.0));
    }

    #[test]
    fn payload_version_3_is_enforced_whatever_its_spelling() {
        let header = |version: &str| {
            let json = format!(
                r#"{{"namespace":"Alexa","name":"ReportState","messageId":"m","payloadVersion":{version}}}"#
            );
            serde_json::from_str::<WireHeader<'_>>(&json)
                .map(WireHeader::check)
                .map_err(|e| e.to_string())
        };
        assert!(matches!(header(r#""3""#), Ok(Ok(_))));
        assert!(matches!(header(r#""\u0033""#), Ok(Ok(_))));
        assert_eq!(
            header(r#""3.0""#),
            Ok(Err(DecodeError::PayloadVersion {
                found: "3.0".into()
            }))
        );
        assert_eq!(
            header("null"),
            Ok(Err(DecodeError::PayloadVersion {
                found: "null".into()
            }))
        );
    }
}

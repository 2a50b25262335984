//! Endpoint ids, the endpoint object of messages, and the bearer-token scope.

use core::fmt;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::wire::{secret_string, wire_enum};

/// An endpoint identifier: 1 to 256 characters of `[a-zA-Z0-9_\-=#;:?@&]`.
///
/// Alexa rejects a whole discovery response over one bad id (a dot, a space, one
/// character too many), so ids are checked when they are built.
///
/// # Mapping hub ids
///
/// [`EndpointId::for_entity`] maps any hub id (Home Assistant's `light.kitchen`) to a
/// valid endpointId and [`EndpointId::entity_id`] maps it back:
///
/// * ASCII letters, digits, `_` and `-` are kept;
/// * `.` becomes `#`, so Home Assistant ids map exactly as Home Assistant maps them
///   (`light.kitchen` ↔ `light#kitchen`);
/// * every other character becomes `=` followed by the two upper-case hex digits of
///   each of its UTF-8 bytes (`é` → `=C3=A9`, `#` → `=23`).
///
/// [`EndpointId::for_entity_alias`] publishes one more endpoint for an alias of the
/// same hub id, as Home Assistant does: `<mapped id>::alias::<slug of the alias>`.
/// Home Assistant deletes the characters `}{\/|"()[]+~!><*%` instead of escaping them,
/// which is not reversible; its entity ids never contain them, so the two agree on
/// every id Home Assistant produces.
///
/// # Examples
///
/// ```
/// use ha_alexa::EndpointId;
///
/// let id = EndpointId::for_entity("light.kitchen")?;
/// assert_eq!(id.as_str(), "light#kitchen");
/// assert_eq!(id.entity_id()?, "light.kitchen");
///
/// let alias = EndpointId::for_entity_alias("light.kitchen", "Küche Decke")?;
/// assert_eq!(alias.as_str(), "light#kitchen::alias::k_che_decke");
/// assert_eq!(alias.entity_id()?, "light.kitchen");
///
/// assert!(EndpointId::try_new("light.kitchen").is_err());
/// # Ok::<(), ha_alexa::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EndpointId(String);

/// Separates the mapped hub id from the alias slug.
const ALIAS_DELIMITER: &str = "::alias::";

impl EndpointId {
    /// The longest endpointId Alexa accepts, in characters.
    pub const MAX_LEN: usize = 256;

    /// Checks and wraps `id`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::EndpointIdLength`] when `id` is empty or longer than 256
    /// characters, [`ValidationError::EndpointIdCharacter`] when it contains a character
    /// outside `[a-zA-Z0-9_\-=#;:?@&]`.
    pub fn try_new(id: impl Into<String>) -> Result<Self, ValidationError> {
        let id = id.into();
        let len = id.chars().count();
        if len == 0 || len > Self::MAX_LEN {
            return Err(ValidationError::EndpointIdLength { len });
        }
        if let Some((index, character)) = id.char_indices().find(|&(_, c)| !is_endpoint_id_char(c))
        {
            return Err(ValidationError::EndpointIdCharacter {
                id,
                character,
                index,
            });
        }
        Ok(Self(id))
    }

    /// Maps a hub id to an endpointId (see [the mapping](EndpointId#mapping-hub-ids)).
    ///
    /// # Errors
    ///
    /// [`ValidationError::EntityId`] when `entity_id` is empty,
    /// [`ValidationError::EndpointIdLength`] when the mapped id is longer than 256 characters.
    pub fn for_entity(entity_id: &str) -> Result<Self, ValidationError> {
        if entity_id.is_empty() {
            return Err(ValidationError::EntityId {
                id: String::new(),
                reason: "it is empty",
            });
        }
        Self::try_new(escape(entity_id))
    }

    /// The endpointId of `alias`, an alternative name of the hub id `entity_id`.
    ///
    /// # Errors
    ///
    /// As [`EndpointId::for_entity`], and [`ValidationError::EntityId`] when the alias
    /// has no letter or digit to build a slug from.
    pub fn for_entity_alias(entity_id: &str, alias: &str) -> Result<Self, ValidationError> {
        if entity_id.is_empty() {
            return Err(ValidationError::EntityId {
                id: String::new(),
                reason: "it is empty",
            });
        }
        let slug = slugify(alias);
        if slug.is_empty() {
            return Err(ValidationError::EntityId {
                id: alias.to_owned(),
                reason: "the alias has no letter or digit",
            });
        }
        Self::try_new(format!("{}{ALIAS_DELIMITER}{slug}", escape(entity_id)))
    }

    /// The hub id this endpointId was mapped from, alias removed.
    ///
    /// # Errors
    ///
    /// [`ValidationError::EndpointIdMapping`] when the id contains characters that the
    /// mapping never produces or a malformed `=XX` escape.
    pub fn entity_id(&self) -> Result<String, ValidationError> {
        let mapped = self
            .0
            .split_once(ALIAS_DELIMITER)
            .map_or(self.0.as_str(), |(mapped, _)| mapped);
        unescape(mapped).map_err(|reason| ValidationError::EndpointIdMapping {
            id: self.0.clone(),
            reason,
        })
    }

    /// The alias slug, for ids built by [`EndpointId::for_entity_alias`].
    pub fn alias(&self) -> Option<&str> {
        self.0.split_once(ALIAS_DELIMITER).map(|(_, slug)| slug)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EndpointId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::try_new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

fn is_endpoint_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '=' | '#' | ';' | ':' | '?' | '@' | '&')
}

fn escape(hub_id: &str) -> String {
    let mut out = String::with_capacity(hub_id.len());
    for c in hub_id.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => out.push(c),
            '.' => out.push('#'),
            other => {
                let mut buf = [0; 4];
                for byte in other.encode_utf8(&mut buf).bytes() {
                    out.push('=');
                    out.push(char::from(HEX[usize::from(byte >> 4)]));
                    out.push(char::from(HEX[usize::from(byte & 0xf)]));
                }
            }
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn unescape(mapped: &str) -> Result<String, &'static str> {
    let mut bytes = Vec::with_capacity(mapped.len());
    let mut rest = mapped.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'#' => bytes.push(b'.'),
            b'=' => {
                let [high, low, ..] = *rest else {
                    return Err("'=' is not followed by two hex digits");
                };
                let hex = |digit: u8| HEX.iter().position(|&h| h == digit);
                let (Some(high), Some(low)) = (hex(high), hex(low)) else {
                    return Err("'=' is not followed by two upper-case hex digits");
                };
                // Both positions are below 16, so the byte fits.
                bytes.push(u8::try_from(high * 16 + low).map_err(|_| "escape out of range")?);
                rest = rest.get(2..).unwrap_or_default();
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => bytes.push(b),
            _ => return Err("it contains a character the mapping never produces"),
        }
    }
    let text = String::from_utf8(bytes).map_err(|_| "its escapes are not UTF-8")?;
    if text.is_empty() {
        Err("it maps back to an empty id")
    } else {
        Ok(text)
    }
}

/// Lower-case ASCII letters and digits, every other run of characters replaced by one `_`.
fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut pending_separator = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_separator && !slug.is_empty() {
                slug.push('_');
            }
            pending_separator = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_separator = true;
        }
    }
    slug
}

secret_string! {
    /// A secret bearer token (an access token from account linking or Login with Amazon).
    ///
    /// Its `Debug` output is `"***"`; read it with [`BearerToken::expose_secret`] only
    /// where it is sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::BearerToken;
    ///
    /// let token = BearerToken::try_new("Atza|IQEBLjAsAhRmHjNgHpi0U")?;
    /// assert_eq!(format!("{token:?}"), "\"***\"");
    /// assert_eq!(token.expose_secret(), "Atza|IQEBLjAsAhRmHjNgHpi0U");
    /// # Ok::<(), ha_alexa::Error>(())
    /// ```
    pub struct BearerToken;
    field = "token";
}

wire_enum! {
    /// The kind of a [`Scope`].
    pub enum ScopeType {
        /// A plain bearer token.
        BearerToken = "BearerToken",
        /// A bearer token with a partition and user id, for endpoints shared in a home.
        BearerTokenWithPartition = "BearerTokenWithPartition",
    }
}

/// How Alexa authenticates the user a message is about: a bearer token.
///
/// # Examples
///
/// ```
/// use ha_alexa::{BearerToken, Scope};
///
/// let scope = Scope::bearer(BearerToken::try_new("access-token")?);
/// assert_eq!(serde_json::to_string(&scope)?, r#"{"type":"BearerToken","token":"access-token"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Scope {
    /// `BearerToken` or `BearerTokenWithPartition`.
    #[serde(rename = "type")]
    pub kind: ScopeType,
    /// The access token.
    pub token: BearerToken,
    /// The partition, for `BearerTokenWithPartition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<String>,
    /// The user, for `BearerTokenWithPartition`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl Scope {
    /// A `BearerToken` scope.
    pub fn bearer(token: BearerToken) -> Self {
        Self {
            kind: ScopeType::BearerToken,
            token,
            partition: None,
            user_id: None,
        }
    }
}

/// Opaque string pairs an endpoint publishes at discovery; Alexa sends them back in
/// every directive for that endpoint.
pub type Cookie = BTreeMap<String, String>;

/// The endpoint a directive targets or an event is about.
///
/// # Examples
///
/// ```
/// use ha_alexa::{Endpoint, EndpointId};
///
/// let endpoint = Endpoint::new(EndpointId::for_entity("lock.front_door")?);
/// assert_eq!(serde_json::to_string(&endpoint)?, r#"{"endpointId":"lock#front_door"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Endpoint {
    /// The user's token, when Alexa sends one or an event needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// The endpoint.
    pub endpoint_id: EndpointId,
    /// The cookie published at discovery.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cookie: Cookie,
}

impl Endpoint {
    /// An endpoint object with only its id.
    pub fn new(endpoint_id: EndpointId) -> Self {
        Self {
            scope: None,
            endpoint_id,
            cookie: Cookie::new(),
        }
    }

    /// Sets the scope.
    #[must_use]
    pub fn with_scope(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_ids_map_and_map_back() {
        let cases = [
            ("light.kitchen", "light#kitchen"),
            ("switch.test", "switch#test"),
            ("sensor.temp_2", "sensor#temp_2"),
            ("media_player.living-room", "media_player#living-room"),
            ("light.küche", "light#k=C3=BCche"),
            ("weird id#=:", "weird=20id=23=3D=3A"),
            ("a.b.c", "a#b#c"),
        ];
        for (hub, mapped) in cases {
            let id = EndpointId::for_entity(hub).unwrap();
            assert_eq!(id.as_str(), mapped);
            assert_eq!(id.entity_id().unwrap(), hub);
            assert_eq!(id.alias(), None);
        }
    }

    #[test]
    fn aliases_carry_a_slug_and_map_back_to_the_hub_id() {
        let id = EndpointId::for_entity_alias("light.kitchen", "  Kitchen -- Ceiling!! ").unwrap();
        assert_eq!(id.as_str(), "light#kitchen::alias::kitchen_ceiling");
        assert_eq!(id.alias(), Some("kitchen_ceiling"));
        assert_eq!(id.entity_id().unwrap(), "light.kitchen");
        assert!(EndpointId::for_entity_alias("light.kitchen", "!!!").is_err());
        assert!(EndpointId::for_entity_alias("", "x").is_err());
    }

    #[test]
    fn endpoint_ids_are_checked() {
        assert_eq!(
            EndpointId::try_new("").unwrap_err(),
            ValidationError::EndpointIdLength { len: 0 }
        );
        assert!(EndpointId::try_new("a".repeat(256)).is_ok());
        assert_eq!(
            EndpointId::try_new("a".repeat(257)).unwrap_err(),
            ValidationError::EndpointIdLength { len: 257 }
        );
        let Err(ValidationError::EndpointIdCharacter {
            character, index, ..
        }) = EndpointId::try_new("light.kitchen")
        else {
            panic!("a dot was accepted");
        };
        assert_eq!((character, index), ('.', 5));
        assert!(EndpointId::try_new("a_b-c=d#e;f:g?h@i&j").is_ok());
        assert!(EndpointId::for_entity("").is_err());
        assert!(
            EndpointId::for_entity(&"é".repeat(50)).is_err(),
            "300 characters after escaping"
        );
        assert!(serde_json::from_str::<EndpointId>("\"light kitchen\"").is_err());
    }

    #[test]
    fn ids_the_mapping_never_produces_do_not_map_back() {
        for id in ["a=4", "a=4g", "a=zz", "a?b", "=FF", "::alias::x"] {
            let id = EndpointId::try_new(id).unwrap();
            assert!(id.entity_id().is_err(), "{id}");
        }
    }

    #[test]
    fn tokens_never_show_in_debug_output() {
        let scope = Scope::bearer(BearerToken::try_new("secret-token").unwrap());
        let endpoint = Endpoint::new(EndpointId::try_new("x").unwrap()).with_scope(scope);
        assert!(!format!("{endpoint:?}").contains("secret-token"));
        assert!(BearerToken::try_new("").is_err());
    }
}

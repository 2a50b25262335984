//! How an endpoint is connected (`connections`) and how it relates to other endpoints
//! (`relationships`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::message::{EndpointId, RawPayload};

/// Longest text value of a connection, in characters (the limit Amazon sets on
/// `additionalAttributes` values; Amazon's documentation gives none for connections).
pub const MAX_CONNECTION_CHARS: usize = 256;

/// One entry of an endpoint's `connections`: the network it is reached through.
///
/// Amazon documents TCP_IP and ZIGBEE with a `macAddress`, ZWAVE with a `homeId` and
/// `nodeId`, UNKNOWN with a free `value`, and MATTER. The fields of a MATTER connection
/// could not be confirmed in Amazon's public reference, so a MATTER connection keeps its
/// object exactly as given ([`Connection::Matter`]); Amazon's published schema does not
/// list MATTER at all. A connection of any other type is kept in [`Connection::Other`].
///
/// # Examples
///
/// ```
/// use ha_alexa::discovery::Connection;
///
/// let wifi = Connection::tcp_ip(Some("3c:61:05:12:ab:cd"))?;
/// assert_eq!(serde_json::to_string(&wifi)?, r#"{"type":"TCP_IP","macAddress":"3C:61:05:12:AB:CD"}"#);
/// let zwave = Connection::z_wave("0xF6A3C2B1", "0x2A")?;
/// assert_eq!(serde_json::to_string(&zwave)?, r#"{"type":"ZWAVE","homeId":"0xF6A3C2B1","nodeId":"0x2A"}"#);
/// assert!(Connection::tcp_ip(Some("not a mac")).is_err());
/// assert!(Connection::z_wave("F6A3C2B1", "0x2A").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Connection {
    /// `TCP_IP`: Wi-Fi or Ethernet, with the interface's MAC address.
    TcpIp {
        /// EUI-48 or EUI-64, upper-case hex pairs separated by `:`.
        mac_address: Option<String>,
    },
    /// `ZIGBEE`, with the radio's MAC address.
    Zigbee {
        /// EUI-48 or EUI-64, upper-case hex pairs separated by `:`.
        mac_address: Option<String>,
    },
    /// `ZWAVE`, with the network's home id and the node id.
    ZWave {
        /// `0x` and eight hex digits.
        home_id: String,
        /// `0x` and two hex digits.
        node_id: String,
    },
    /// `UNKNOWN`, with a value of the hub's choosing.
    Unknown {
        /// The value, 1 to [`MAX_CONNECTION_CHARS`] characters.
        value: String,
    },
    /// `MATTER`, kept exactly as given.
    Matter(RawPayload),
    /// A connection type this crate does not know, kept exactly as received.
    Other(RawPayload),
}

impl Connection {
    /// A TCP/IP connection.
    ///
    /// # Errors
    ///
    /// [`ValidationError::Format`] when `mac_address` is not 6 or 8 hex pairs separated
    /// by `:` or `-`.
    pub fn tcp_ip(mac_address: Option<&str>) -> Result<Self, ValidationError> {
        Ok(Self::TcpIp {
            mac_address: mac_address.map(normalize_mac).transpose()?,
        })
    }

    /// A Zigbee connection.
    ///
    /// # Errors
    ///
    /// As [`Connection::tcp_ip`].
    pub fn zigbee(mac_address: Option<&str>) -> Result<Self, ValidationError> {
        Ok(Self::Zigbee {
            mac_address: mac_address.map(normalize_mac).transpose()?,
        })
    }

    /// A Z-Wave connection.
    ///
    /// # Errors
    ///
    /// [`ValidationError::Format`] when `home_id` is not `0x` and eight hex digits or
    /// `node_id` not `0x` and two.
    pub fn z_wave(home_id: &str, node_id: &str) -> Result<Self, ValidationError> {
        check_hex(
            "connections.homeId",
            home_id,
            8,
            "must be 0x and eight hex digits",
        )?;
        check_hex(
            "connections.nodeId",
            node_id,
            2,
            "must be 0x and two hex digits",
        )?;
        Ok(Self::ZWave {
            home_id: home_id.to_owned(),
            node_id: node_id.to_owned(),
        })
    }

    /// A connection of type UNKNOWN.
    ///
    /// # Errors
    ///
    /// [`ValidationError::TextLength`] when `value` is empty or longer than
    /// [`MAX_CONNECTION_CHARS`].
    pub fn unknown(value: impl Into<String>) -> Result<Self, ValidationError> {
        let value = value.into();
        check_len("connections.value", &value)?;
        Ok(Self::Unknown { value })
    }

    /// The `type` on the wire.
    pub fn kind(&self) -> &str {
        match self {
            Self::TcpIp { .. } => "TCP_IP",
            Self::Zigbee { .. } => "ZIGBEE",
            Self::ZWave { .. } => "ZWAVE",
            Self::Unknown { .. } => "UNKNOWN",
            Self::Matter(_) => "MATTER",
            Self::Other(raw) => raw_type(raw).unwrap_or("?"),
        }
    }
}

fn raw_type(raw: &RawPayload) -> Option<&str> {
    #[derive(Deserialize)]
    struct Kind<'a> {
        #[serde(rename = "type", borrow)]
        kind: &'a str,
    }
    serde_json::from_str::<Kind<'_>>(raw.get())
        .ok()
        .map(|k| k.kind)
}

fn check_len(field: &'static str, value: &str) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if len == 0 || len > MAX_CONNECTION_CHARS {
        return Err(ValidationError::TextLength {
            field,
            len,
            max: MAX_CONNECTION_CHARS,
        });
    }
    Ok(())
}

fn check_hex(
    field: &'static str,
    value: &str,
    digits: usize,
    reason: &'static str,
) -> Result<(), ValidationError> {
    let ok = value
        .strip_prefix("0x")
        .is_some_and(|hex| hex.len() == digits && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::Format { field, reason })
    }
}

/// `3c-61-05-12-ab-cd` as `3C:61:05:12:AB:CD`; 6 or 8 pairs.
fn normalize_mac(mac: &str) -> Result<String, ValidationError> {
    let pairs: Vec<&str> = mac.split([':', '-']).collect();
    let ok = matches!(pairs.len(), 6 | 8)
        && pairs
            .iter()
            .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()));
    if ok {
        Ok(pairs.join(":").to_ascii_uppercase())
    } else {
        Err(ValidationError::Format {
            field: "connections.macAddress",
            reason: "must be 6 or 8 hex pairs separated by ':' or '-'",
        })
    }
}

/// The wire form of the modelled connection types.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
enum WireConnection {
    #[serde(rename = "TCP_IP")]
    TcpIp {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mac_address: Option<String>,
    },
    #[serde(rename = "ZIGBEE")]
    Zigbee {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mac_address: Option<String>,
    },
    #[serde(rename = "ZWAVE")]
    ZWave { home_id: String, node_id: String },
    #[serde(rename = "UNKNOWN")]
    Unknown { value: String },
}

impl Serialize for Connection {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let wire = match self {
            Self::TcpIp { mac_address } => WireConnection::TcpIp {
                mac_address: mac_address.clone(),
            },
            Self::Zigbee { mac_address } => WireConnection::Zigbee {
                mac_address: mac_address.clone(),
            },
            Self::ZWave { home_id, node_id } => WireConnection::ZWave {
                home_id: home_id.clone(),
                node_id: node_id.clone(),
            },
            Self::Unknown { value } => WireConnection::Unknown {
                value: value.clone(),
            },
            Self::Matter(raw) | Self::Other(raw) => return raw.serialize(serializer),
        };
        wire.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Connection {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let raw = RawPayload::deserialize(deserializer)?;
        let connection = match raw_type(&raw) {
            Some("TCP_IP" | "ZIGBEE" | "ZWAVE" | "UNKNOWN") => {
                match raw.parse::<WireConnection>().map_err(D::Error::custom)? {
                    WireConnection::TcpIp { mac_address } => Self::tcp_ip(mac_address.as_deref()),
                    WireConnection::Zigbee { mac_address } => Self::zigbee(mac_address.as_deref()),
                    WireConnection::ZWave { home_id, node_id } => Self::z_wave(&home_id, &node_id),
                    WireConnection::Unknown { value } => Self::unknown(value),
                }
                .map_err(D::Error::custom)?
            }
            Some("MATTER") => Self::Matter(raw),
            Some(_) => Self::Other(raw),
            None => return Err(D::Error::custom("a connection needs a string \"type\"")),
        };
        Ok(connection)
    }
}

/// An endpoint's `relationships`: named links to other endpoints, such as
/// `isConnectedBy` (the network device a computer connects through).
///
/// Amazon's published schema has no `relationships`; its documentation names
/// `isConnectedBy` with an `endpointId`. Other relationship names are written as given.
///
/// # Examples
///
/// ```
/// use ha_alexa::discovery::Relationships;
/// use ha_alexa::EndpointId;
///
/// let relationships = Relationships::default().connected_by(EndpointId::try_new("router#main")?);
/// assert_eq!(serde_json::to_string(&relationships)?, r#"{"isConnectedBy":{"endpointId":"router#main"}}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Relationships(BTreeMap<String, RelatedEndpoint>);

impl Relationships {
    /// `isConnectedBy`: the endpoint this one reaches the network through.
    #[must_use]
    pub fn connected_by(self, endpoint_id: EndpointId) -> Self {
        self.with("isConnectedBy", endpoint_id)
    }

    /// Any named relationship.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, endpoint_id: EndpointId) -> Self {
        self.0.insert(name.into(), RelatedEndpoint { endpoint_id });
        self
    }

    /// The endpoint related by `name`.
    pub fn get(&self, name: &str) -> Option<&EndpointId> {
        self.0.get(name).map(|r| &r.endpoint_id)
    }

    /// Whether there is no relationship.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The relationship names with their endpoints.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &EndpointId)> {
        self.0
            .iter()
            .map(|(name, r)| (name.as_str(), &r.endpoint_id))
    }
}

/// The target of one relationship.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelatedEndpoint {
    endpoint_id: EndpointId,
}

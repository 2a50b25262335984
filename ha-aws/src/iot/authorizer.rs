//! The custom authorizer: from AWS IoT Core's request to the authorizer's response.
//!
//! The request (AWS IoT developer guide, "Defining your Lambda function") carries, for MQTT,
//! `protocolData.mqtt.{username, password, clientId}` (the password base64-encoded by AWS IoT
//! Core), `protocolData.tls.serverName` and `connectionMetadata.id`; every field is optional on
//! the wire. The response is `isAuthenticated`, `principalId` (1–128 alphanumerics),
//! `disconnectAfterInSeconds` and `refreshAfterInSeconds` (300–86,400) and `policyDocuments`
//! (at most 10, each at most 2,048 characters).

use std::borrow::Cow;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};

use super::password::{IotAccount, Passwords};
use super::policy::{Action, MAX_POLICY_LEN, Policy, PolicyDocument, Statement};
use crate::error::ConfigError;

/// The largest request the authorizer reads, in bytes. AWS's requests are a few hundred bytes;
/// the largest legitimate one (a 6,144-character token and long user name) fits well within.
pub const MAX_REQUEST_LEN: usize = 16 * 1024;
/// The longest device name (the MQTT user name before `?`), in bytes: the longest Tasmota
/// topic (`Topic`, 32 characters in the firmware's settings) with room to spare, short enough
/// that the policy stays within [`MAX_POLICY_LEN`].
pub const MAX_DEVICE_NAME_LEN: usize = 64;
/// The longest client identifier, in bytes (AWS IoT Core's limit).
pub const MAX_CLIENT_ID_LEN: usize = 128;
/// The longest password, in bytes after base64 decoding (the firmware keeps fewer).
pub const MAX_PASSWORD_LEN: usize = 128;
/// The shortest `disconnectAfterInSeconds` and `refreshAfterInSeconds` AWS accepts.
pub const MIN_SESSION_SECS: u32 = 300;
/// The longest `disconnectAfterInSeconds` and `refreshAfterInSeconds` AWS accepts (one day,
/// TasmotaAuth's value).
pub const MAX_SESSION_SECS: u32 = 86_400;

/// Which topics a device's policy names.
///
/// # Examples
///
/// ```
/// use ha_aws::iot::{Authorizer, IotAccount, Password, Passwords, TopicScope};
///
/// // devices configured with TasmotaAuth's Backlog all send the user name `tasmota`
/// let legacy = Authorizer::new(Passwords::shared(Password::new("YknLuSd2tBY2HodwI/7RqA==")), IotAccount::new("eu-central-1", "123456789012")?)
///     .with_topic_scope(TopicScope::AllDevices);
/// # let _ = legacy;
/// # Ok::<(), ha_aws::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TopicScope {
    /// The device's user name (before `?`) is its Tasmota topic: it publishes
    /// `stat/<name>/…` and `tele/<name>/…`, and subscribes to and receives `cmnd/<name>/…`.
    #[default]
    UserName,
    /// Every device's `cmnd`/`stat`/`tele` topics (for devices that share one user name, as
    /// TasmotaAuth's Backlog sets it). Still narrower than TasmotaAuth's `*`: no other topics,
    /// and each device connects only as its own client id.
    AllDevices,
}

/// A custom-authorizer request, borrowed from its JSON.
///
/// `Debug` hides the password.
///
/// # Examples
///
/// ```
/// use ha_aws::iot::AuthorizerRequest;
///
/// let json = br#"{"protocolData":{"mqtt":{"username":"kitchen?x-amz-customauthorizer-name=TasmotaAuth","password":"aHVudGVyMjI=","clientId":"DVES_1"}}}"#;
/// let request = AuthorizerRequest::parse(json)?;
/// assert_eq!(request.device_name(), Some("kitchen"));
/// assert_eq!(request.authorizer_name(), Some("TasmotaAuth"));
/// assert!(!format!("{request:?}").contains("aHVudGVyMjI="));
/// # Ok::<(), ha_aws::iot::Refusal>(())
/// ```
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerRequest<'a> {
    #[serde(borrow, default)]
    protocol_data: Option<ProtocolData<'a>>,
    #[serde(borrow, default)]
    connection_metadata: Option<ConnectionMetadata<'a>>,
}

#[derive(Clone, Default, Deserialize)]
struct ProtocolData<'a> {
    #[serde(borrow, default)]
    mqtt: Option<MqttData<'a>>,
    #[serde(borrow, default)]
    tls: Option<TlsData<'a>>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MqttData<'a> {
    #[serde(borrow, default)]
    username: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    password: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    client_id: Option<Cow<'a, str>>,
}

#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TlsData<'a> {
    #[serde(borrow, default)]
    server_name: Option<Cow<'a, str>>,
}

#[derive(Clone, Default, Deserialize)]
struct ConnectionMetadata<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
}

impl<'a> AuthorizerRequest<'a> {
    /// Parses a request.
    ///
    /// # Errors
    ///
    /// [`Refusal::Oversized`] for more than [`MAX_REQUEST_LEN`] bytes, [`Refusal::Malformed`]
    /// when it is not JSON of the request's shape.
    ///
    /// # Examples
    ///
    /// See [`AuthorizerRequest`].
    pub fn parse(json: &'a [u8]) -> Result<Self, Refusal> {
        if json.len() > MAX_REQUEST_LEN {
            return Err(Refusal::Oversized {
                field: "request",
                len: json.len(),
                max: MAX_REQUEST_LEN,
            });
        }
        serde_json::from_slice(json).map_err(|error| Refusal::Malformed {
            line: error.line(),
            column: error.column(),
            category: error.classify().into(),
        })
    }

    /// A request with these MQTT credentials (the password as the device sends it, before
    /// AWS's base64), for front ends that authorize in process.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = ha_aws::iot::AuthorizerRequest::from_mqtt(Some("kitchen"), Some(b"hunter22"), "DVES_1", Some("iot.test"));
    /// assert_eq!(request.client_id(), Some("DVES_1"));
    /// ```
    pub fn from_mqtt(
        username: Option<&'a str>,
        password: Option<&[u8]>,
        client_id: &'a str,
        server_name: Option<&'a str>,
    ) -> Self {
        Self {
            protocol_data: Some(ProtocolData {
                mqtt: Some(MqttData {
                    username: username.map(Cow::Borrowed),
                    password: password.map(|password| Cow::Owned(BASE64.encode(password))),
                    client_id: Some(Cow::Borrowed(client_id)),
                }),
                tls: server_name.map(|name| TlsData {
                    server_name: Some(Cow::Borrowed(name)),
                }),
            }),
            connection_metadata: None,
        }
    }

    fn mqtt(&self) -> Option<&MqttData<'a>> {
        self.protocol_data.as_ref()?.mqtt.as_ref()
    }

    /// The MQTT user name as AWS passes it (with or without the query).
    ///
    /// # Examples
    ///
    /// See [`AuthorizerRequest`].
    pub fn username(&self) -> Option<&str> {
        self.mqtt()?.username.as_deref()
    }

    /// The device's name: the user name before any `?`.
    ///
    /// # Examples
    ///
    /// See [`AuthorizerRequest`].
    pub fn device_name(&self) -> Option<&str> {
        let username = self.username()?;
        Some(username.split_once('?').map_or(username, |(name, _)| name))
    }

    /// The `x-amz-customauthorizer-name` of the user name's query, if AWS passed it on.
    ///
    /// # Examples
    ///
    /// See [`AuthorizerRequest`].
    pub fn authorizer_name(&self) -> Option<&str> {
        let (_, query) = self.username()?.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix("x-amz-customauthorizer-name="))
    }

    /// The MQTT client identifier.
    ///
    /// # Examples
    ///
    /// See [`AuthorizerRequest::from_mqtt`].
    pub fn client_id(&self) -> Option<&str> {
        self.mqtt()?.client_id.as_deref()
    }

    /// The TLS server name (SNI) the device connected to.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = ha_aws::iot::AuthorizerRequest::from_mqtt(None, None, "DVES_1", Some("iot.test"));
    /// assert_eq!(request.server_name(), Some("iot.test"));
    /// ```
    pub fn server_name(&self) -> Option<&str> {
        self.protocol_data
            .as_ref()?
            .tls
            .as_ref()?
            .server_name
            .as_deref()
    }

    /// The connection's id, for logs.
    ///
    /// # Examples
    ///
    /// ```
    /// let request = ha_aws::iot::AuthorizerRequest::parse(br#"{"connectionMetadata":{"id":"d0ad"}}"#)?;
    /// assert_eq!(request.connection_id(), Some("d0ad"));
    /// # Ok::<(), ha_aws::iot::Refusal>(())
    /// ```
    pub fn connection_id(&self) -> Option<&str> {
        self.connection_metadata.as_ref()?.id.as_deref()
    }

    fn password_base64(&self) -> Option<&str> {
        self.mqtt()?.password.as_deref()
    }
}

impl fmt::Debug for AuthorizerRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizerRequest")
            .field("username", &self.username())
            .field("password", &self.password_base64().map(|_| "***"))
            .field("client_id", &self.client_id())
            .field("server_name", &self.server_name())
            .field("connection_id", &self.connection_id())
            .finish()
    }
}

/// What kind of JSON error made a request malformed (the position is in [`Refusal::Malformed`];
/// the offending value is never repeated, since it may be a password).
///
/// # Examples
///
/// ```
/// use ha_aws::iot::{AuthorizerRequest, JsonErrorCategory, Refusal};
/// assert!(matches!(AuthorizerRequest::parse(b"{"), Err(Refusal::Malformed { category: JsonErrorCategory::Eof, .. })));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorCategory {
    /// Not JSON.
    Syntax,
    /// JSON, but a field of the wrong type.
    Data,
    /// The JSON ends early.
    Eof,
}

impl From<serde_json::error::Category> for JsonErrorCategory {
    fn from(category: serde_json::error::Category) -> Self {
        match category {
            serde_json::error::Category::Data => Self::Data,
            serde_json::error::Category::Eof => Self::Eof,
            serde_json::error::Category::Syntax | serde_json::error::Category::Io => Self::Syntax,
        }
    }
}

impl fmt::Display for JsonErrorCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "not JSON",
            Self::Data => "a field of the wrong type",
            Self::Eof => "JSON that ends early",
        })
    }
}

/// Why the authorizer refused a connection. The message names the field (as a JSON path) and
/// the reason, never a secret.
///
/// # Examples
///
/// ```
/// use ha_aws::iot::Refusal;
/// assert_eq!(
///     Refusal::Missing { field: "protocolData.mqtt.password" }.to_string(),
///     "the request has no protocolData.mqtt.password"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The request is not JSON of the request's shape.
    #[error("the request is {category} at line {line}, column {column}")]
    Malformed {
        /// The line of the error (1-based).
        line: usize,
        /// The column of the error (1-based).
        column: usize,
        /// What is wrong.
        category: JsonErrorCategory,
    },
    /// A field the decision needs is absent.
    #[error("the request has no {field}")]
    Missing {
        /// The field's JSON path.
        field: &'static str,
    },
    /// A field longer than the authorizer reads.
    #[error("{field} has {len} bytes, more than {max}")]
    Oversized {
        /// The field's JSON path (`request` for the whole request).
        field: &'static str,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The password is not base64, as AWS IoT Core encodes it.
    #[error("protocolData.mqtt.password is not base64")]
    BadBase64,
    /// A name that cannot be put in a policy: empty, or with characters that are wildcards or
    /// variables in IoT policies or separators in topics.
    #[error("{field} {reason}")]
    InvalidName {
        /// The field's JSON path.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The password is not the device's.
    #[error("wrong password for {device:?}")]
    WrongPassword {
        /// The device's name.
        device: String,
    },
    /// The device's policy would exceed AWS's limit.
    #[error("the policy has {len} characters, more than {max}")]
    PolicyTooLarge {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// A connection the authorizer admits: who it is and what it may do.
///
/// # Examples
///
/// See the [module documentation](super).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    principal_id: String,
    device: String,
    client_id: String,
    policy: Policy,
}

impl Grant {
    /// The principal id (the device name's alphanumerics, at most 128).
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?);
    /// let request = AuthorizerRequest::from_mqtt(Some("kitchen_4B3316"), Some(b"hunter22"), "DVES_4B3316", None);
    /// assert_eq!(authorizer.decide(&request)?.principal_id(), "kitchen4B3316");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn principal_id(&self) -> &str {
        &self.principal_id
    }

    /// The device's name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?);
    /// let request = AuthorizerRequest::from_mqtt(Some("kitchen"), Some(b"hunter22"), "DVES_1", None);
    /// assert_eq!(authorizer.decide(&request)?.device(), "kitchen");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The client identifier it connects as.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?);
    /// let request = AuthorizerRequest::from_mqtt(Some("kitchen"), Some(b"hunter22"), "DVES_1", None);
    /// assert_eq!(authorizer.decide(&request)?.client_id(), "DVES_1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Its policy.
    ///
    /// # Examples
    ///
    /// See the [module documentation](super).
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

/// The authorizer's response, as AWS IoT Core reads it.
///
/// # Examples
///
/// ```
/// # use ha_aws::iot::*;
/// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?);
/// let denied = authorizer.response(&Err(Refusal::BadBase64));
/// assert_eq!(
///     serde_json::to_string(&denied)?,
///     r#"{"isAuthenticated":false,"principalId":"Refused","disconnectAfterInSeconds":300,"refreshAfterInSeconds":300,"policyDocuments":[]}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerResponse<'g> {
    is_authenticated: bool,
    principal_id: &'g str,
    disconnect_after_in_seconds: u32,
    refresh_after_in_seconds: u32,
    policy_documents: &'g [PolicyDocument],
}

impl AuthorizerResponse<'_> {
    /// Whether the connection is admitted.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?);
    /// assert!(!authorizer.response(&Err(Refusal::BadBase64)).is_authenticated());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_authenticated(&self) -> bool {
        self.is_authenticated
    }
}

/// The custom authorizer's logic. See the [module documentation](super).
#[derive(Debug, Clone)]
pub struct Authorizer {
    passwords: Passwords,
    account: IotAccount,
    scope: TopicScope,
    retain: bool,
    group_topics: Vec<String>,
    discovery: bool,
    disconnect_after: u32,
    refresh_after: u32,
}

impl Authorizer {
    /// An authorizer checking `passwords`, granting on resources of `account`: topics of
    /// [`TopicScope::UserName`], the group topic `tasmotas` (the firmware's default), no
    /// RETAIN, no discovery, disconnect and refresh after one day.
    ///
    /// # Examples
    ///
    /// See the [module documentation](super).
    pub fn new(passwords: Passwords, account: IotAccount) -> Self {
        Self {
            passwords,
            account,
            scope: TopicScope::UserName,
            retain: false,
            group_topics: vec!["tasmotas".to_owned()],
            discovery: false,
            disconnect_after: MAX_SESSION_SECS,
            refresh_after: MAX_SESSION_SECS,
        }
    }

    /// Grants topics of `scope`.
    ///
    /// # Examples
    ///
    /// See [`TopicScope`].
    #[must_use]
    pub fn with_topic_scope(mut self, scope: TopicScope) -> Self {
        self.scope = scope;
        self
    }

    /// Also grants `iot:RetainPublish` on the device's `stat` and `tele` topics (TasmotaAuth
    /// does not; the firmware stops retaining on AWS hosts anyway unless SetOption104 is
    /// cleared after boot).
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?)
    ///     .with_retain(true);
    /// let request = AuthorizerRequest::from_mqtt(Some("kitchen"), Some(b"hunter22"), "DVES_1", None);
    /// assert!(authorizer.decide(&request)?.policy().allows_retained_publish("tele/kitchen/LWT"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_retain(mut self, retain: bool) -> Self {
        self.retain = retain;
        self
    }

    /// The group topics devices subscribe to (`GroupTopic1..4`; default `tasmotas`); each
    /// grants Subscribe and Receive on `cmnd/<group>/…`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidTopic`] for a group topic that is not a safe policy name (see
    /// [`Refusal::InvalidName`]).
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?)
    ///     .with_group_topics(["tasmotas", "lights"])?;
    /// let request = AuthorizerRequest::from_mqtt(Some("kitchen"), Some(b"hunter22"), "DVES_1", None);
    /// assert!(authorizer.decide(&request)?.policy().allows_subscribe("cmnd/lights/#"));
    /// assert!(Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?).with_group_topics(["*"]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_group_topics(
        mut self,
        groups: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self, ConfigError> {
        let groups: Vec<String> = groups.into_iter().map(Into::into).collect();
        for group in &groups {
            if let Err(reason) = check_name(group, MAX_DEVICE_NAME_LEN) {
                return Err(ConfigError::InvalidTopic {
                    topic: group.clone(),
                    reason,
                });
            }
        }
        self.group_topics = groups;
        Ok(self)
    }

    /// Also grants Publish on `tasmota/discovery/*`. Discovery topics are keyed by the
    /// device's MAC, which the authorizer does not know, so this lets any device write any
    /// device's discovery; off by default (Tasmota's AWS build has no discovery).
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?)
    ///     .with_discovery(true);
    /// let request = AuthorizerRequest::from_mqtt(Some("kitchen"), Some(b"hunter22"), "DVES_1", None);
    /// assert!(authorizer.decide(&request)?.policy().allows_publish("tasmota/discovery/4C11AE4B3316/config"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_discovery(mut self, discovery: bool) -> Self {
        self.discovery = discovery;
        self
    }

    /// Sets `disconnectAfterInSeconds` and `refreshAfterInSeconds`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::SessionLength`] for a value outside [`MIN_SESSION_SECS`] ..=
    /// [`MAX_SESSION_SECS`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?);
    /// assert!(authorizer.clone().with_session(3600, 600).is_ok());
    /// assert!(authorizer.with_session(100_000, 600).is_err());
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn with_session(
        mut self,
        disconnect_after: u32,
        refresh_after: u32,
    ) -> Result<Self, ConfigError> {
        for value in [disconnect_after, refresh_after] {
            if !(MIN_SESSION_SECS..=MAX_SESSION_SECS).contains(&value) {
                return Err(ConfigError::SessionLength {
                    seconds: value,
                    min: MIN_SESSION_SECS,
                    max: MAX_SESSION_SECS,
                });
            }
        }
        self.disconnect_after = disconnect_after;
        self.refresh_after = refresh_after;
        Ok(self)
    }

    /// How passwords are checked.
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?);
    /// assert_eq!(authorizer.passwords().password_of("kitchen").expose(), "hunter22");
    /// # Ok::<(), ha_aws::ConfigError>(())
    /// ```
    pub fn passwords(&self) -> &Passwords {
        &self.passwords
    }

    /// Decides on a request's JSON.
    ///
    /// # Errors
    ///
    /// The [`Refusal`] when the request is malformed or the password wrong.
    ///
    /// # Examples
    ///
    /// See the [module documentation](super).
    pub fn authorize(&self, json: &[u8]) -> Result<Grant, Refusal> {
        self.decide(&AuthorizerRequest::parse(json)?)
    }

    /// Decides on a parsed request.
    ///
    /// # Errors
    ///
    /// The [`Refusal`] when a field is missing, too long or unsafe, or the password wrong.
    ///
    /// # Examples
    ///
    /// See [`Grant::device`].
    pub fn decide(&self, request: &AuthorizerRequest<'_>) -> Result<Grant, Refusal> {
        let device = request.device_name().ok_or(Refusal::Missing {
            field: "protocolData.mqtt.username",
        })?;
        check_field("protocolData.mqtt.username", device, MAX_DEVICE_NAME_LEN)?;
        let client_id = request.client_id().ok_or(Refusal::Missing {
            field: "protocolData.mqtt.clientId",
        })?;
        check_field("protocolData.mqtt.clientId", client_id, MAX_CLIENT_ID_LEN)?;
        let encoded = request.password_base64().ok_or(Refusal::Missing {
            field: "protocolData.mqtt.password",
        })?;
        // base64 of MAX_PASSWORD_LEN bytes, rounded up to whole quanta
        let max_encoded = MAX_PASSWORD_LEN.div_ceil(3) * 4;
        if encoded.len() > max_encoded {
            return Err(Refusal::Oversized {
                field: "protocolData.mqtt.password",
                len: encoded.len(),
                max: max_encoded,
            });
        }
        let mut password = [0; MAX_PASSWORD_LEN + 3];
        let len = BASE64
            .decode_slice(encoded, &mut password)
            .map_err(|_| Refusal::BadBase64)?;
        let password = &password[..len];
        if !self.passwords.accepts(device, password) {
            return Err(Refusal::WrongPassword {
                device: device.to_owned(),
            });
        }
        let policy = self.policy(device, client_id);
        let len = policy.to_json().chars().count();
        if len > MAX_POLICY_LEN {
            return Err(Refusal::PolicyTooLarge {
                len,
                max: MAX_POLICY_LEN,
            });
        }
        Ok(Grant {
            principal_id: principal_id(device),
            device: device.to_owned(),
            client_id: client_id.to_owned(),
            policy,
        })
    }

    /// The least-privilege policy of `device` connecting as `client_id`.
    fn policy(&self, device: &str, client_id: &str) -> Policy {
        let account = &self.account;
        let own = match self.scope {
            TopicScope::UserName => device,
            TopicScope::AllDevices => "*",
        };
        let mut outbound = vec![
            account.arn(&format!("topic/stat/{own}/*")),
            account.arn(&format!("topic/tele/{own}/*")),
        ];
        let mut statements = vec![Statement::allow(
            [Action::Connect],
            [account.arn(&format!("client/{client_id}"))],
        )];
        if self.retain {
            statements.push(Statement::allow(
                [Action::RetainPublish],
                outbound.iter().cloned(),
            ));
        }
        if self.discovery {
            outbound.push(account.arn("topic/tasmota/discovery/*"));
        }
        statements.push(Statement::allow([Action::Publish], outbound));
        // the firmware subscribes to its own topic, its group topics and its fallback topic
        let inbound = [own.to_owned(), format!("{client_id}_fb")]
            .into_iter()
            .chain(self.group_topics.iter().cloned());
        let (filters, topics): (Vec<_>, Vec<_>) = inbound
            .map(|topic| {
                (
                    account.arn(&format!("topicfilter/cmnd/{topic}/*")),
                    account.arn(&format!("topic/cmnd/{topic}/*")),
                )
            })
            .unzip();
        statements.push(Statement::allow([Action::Subscribe], filters));
        statements.push(Statement::allow([Action::Receive], topics));
        Policy::new(account, statements)
    }

    /// The response for a decision.
    ///
    /// # Examples
    ///
    /// See [`AuthorizerResponse`].
    pub fn response<'g>(&self, decision: &'g Result<Grant, Refusal>) -> AuthorizerResponse<'g> {
        match decision {
            Ok(grant) => AuthorizerResponse {
                is_authenticated: true,
                principal_id: &grant.principal_id,
                disconnect_after_in_seconds: self.disconnect_after,
                refresh_after_in_seconds: self.refresh_after,
                policy_documents: core::slice::from_ref(grant.policy.document()),
            },
            Err(_) => AuthorizerResponse {
                is_authenticated: false,
                principal_id: "Refused",
                disconnect_after_in_seconds: MIN_SESSION_SECS,
                refresh_after_in_seconds: MIN_SESSION_SECS,
                policy_documents: &[],
            },
        }
    }

    /// The response JSON for a request's JSON: the Lambda handler in one call. A refusal is
    /// `isAuthenticated: false` (and logged at `info` with its reason, never a secret).
    ///
    /// # Examples
    ///
    /// ```
    /// # use ha_aws::iot::*;
    /// let authorizer = Authorizer::new(Passwords::shared(Password::new("hunter22")), IotAccount::new("eu-central-1", "123456789012")?);
    /// let response: serde_json::Value = serde_json::from_slice(&authorizer.respond(b"not json"))?;
    /// assert_eq!(response["isAuthenticated"], false);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn respond(&self, json: &[u8]) -> Vec<u8> {
        let decision = self.authorize(json);
        match &decision {
            Ok(grant) => tracing::debug!(
                device = grant.device(),
                client_id = grant.client_id(),
                "admitted"
            ),
            Err(refusal) => tracing::info!(%refusal, "refused"),
        }
        serde_json::to_vec(&self.response(&decision))
            .unwrap_or_else(|_| unreachable!("a response is plain strings and numbers"))
    }
}

/// Checks a request field that becomes part of a policy resource.
fn check_field(field: &'static str, value: &str, max: usize) -> Result<(), Refusal> {
    if value.len() > max {
        return Err(Refusal::Oversized {
            field,
            len: value.len(),
            max,
        });
    }
    check_name(value, max).map_err(|reason| Refusal::InvalidName { field, reason })
}

/// Whether `name` can stand in a policy resource as one literal topic level or client id: no
/// IoT policy wildcard (`*`, `?`), no policy variable (`$`), no MQTT wildcard (`+`, `#`) or
/// level separator (`/`), nothing outside printable ASCII.
fn check_name(name: &str, max: usize) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if name.len() > max {
        return Err("is too long");
    }
    if !name.bytes().all(|b| {
        b.is_ascii_graphic() && !matches!(b, b'*' | b'?' | b'$' | b'+' | b'#' | b'/' | b'"' | b'\\')
    }) {
        return Err(
            "must be printable ASCII without *, ?, $, +, #, /, \" or \\ (wildcards, variables and separators in policies and topics)",
        );
    }
    Ok(())
}

/// A principal id for `device`: its alphanumerics, at most 128, or `Tasmota` when it has none.
fn principal_id(device: &str) -> String {
    let id: String = device
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(128)
        .collect();
    if id.is_empty() {
        "Tasmota".to_owned()
    } else {
        id
    }
}

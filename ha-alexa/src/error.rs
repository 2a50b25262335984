//! The crate's error type and its parts, grouped by who is at fault.

use std::path::PathBuf;

/// Every error this crate returns, so that a hub can propagate any of them with `?`.
///
/// Each variant wraps the narrower error a function documents, grouped by who is at
/// fault: [`Error::Decode`] means the peer sent something that is not a Smart Home v3
/// message, [`Error::Invalid`] that the caller asked for something Alexa would refuse,
/// [`Error::Config`] (and `OAuthConfig`) that a configuration value cannot be used,
/// [`Error::Store`] that local storage failed, `Transport` that the network or a peer
/// failed; `OAuth`, `Lwa`, `Gateway` and `Proxy` are the errors of the account-linking
/// server, the Login-with-Amazon client, the event gateway and the Lambda proxy (each with
/// its feature). Match on the narrower error where the difference matters.
///
/// # Examples
///
/// ```
/// use ha_alexa::{EndpointId, Error, ValidationError};
///
/// fn endpoint(entity: &str) -> Result<EndpointId, Error> {
///     Ok(EndpointId::for_entity(entity)?)
/// }
/// assert!(matches!(endpoint(""), Err(Error::Invalid(ValidationError::EntityId { .. }))));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A message could not be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A value does not meet Alexa's limits.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A configuration value cannot be used.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The account-linking server refused a request (an RFC 6749 error).
    #[cfg(feature = "oauth")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
    #[error(transparent)]
    OAuth(#[from] crate::oauth::OAuthError),
    /// The account-linking server's configuration cannot be used.
    #[cfg(feature = "oauth")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
    #[error(transparent)]
    OAuthConfig(#[from] crate::oauth::ConfigError),
    /// A Login-with-Amazon token request failed.
    #[cfg(feature = "proactive")]
    #[cfg_attr(docsrs, doc(cfg(feature = "proactive")))]
    #[error(transparent)]
    Lwa(#[from] crate::lwa::LwaError),
    /// An event could not be sent to the event gateway.
    #[cfg(feature = "proactive")]
    #[cfg_attr(docsrs, doc(cfg(feature = "proactive")))]
    #[error(transparent)]
    Gateway(#[from] crate::gateway::GatewayError),
    /// The Lambda proxy could not forward a directive.
    #[cfg(feature = "proxy")]
    #[cfg_attr(docsrs, doc(cfg(feature = "proxy")))]
    #[error(transparent)]
    Proxy(#[from] crate::proxy::ProxyError),
    /// An HTTP client could not be built, or a peer could not be reached.
    #[cfg(any(feature = "proactive", feature = "proxy"))]
    #[cfg_attr(docsrs, doc(cfg(any(feature = "proactive", feature = "proxy"))))]
    #[error(transparent)]
    Transport(#[from] TransportError),
}

/// A message that is not a valid Smart Home v3 message (the peer is at fault).
///
/// Positions are the line and column (1-based) that `serde_json` reports; for
/// [`DecodeError::Payload`] they are relative to the start of the payload object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The JSON is malformed, or the envelope or header has the wrong shape.
    #[error("invalid message at line {line} column {column}: {message}")]
    Json {
        /// Line of the error, 1-based.
        line: usize,
        /// Column of the error, 1-based.
        column: usize,
        /// What was expected.
        message: String,
    },
    /// `header.payloadVersion` is not the namespace's version (`"3"`; `"1.0"` for the
    /// interfaces Amazon versions on their own).
    #[error(
        "unsupported payloadVersion {found:?}: Smart Home messages carry payloadVersion \"3\" (\"1.0\" in the namespaces Amazon versions on their own)"
    )]
    PayloadVersion {
        /// The version found in the header.
        found: String,
    },
    /// The header is valid but the payload does not have the shape its directive or event requires.
    #[error(
        "invalid payload of {namespace} {name} at line {line} column {column} of the payload: {message}"
    )]
    Payload {
        /// `header.namespace`.
        namespace: String,
        /// `header.name`.
        name: String,
        /// Line of the error within the payload, 1-based.
        line: usize,
        /// Column of the error within the payload, 1-based.
        column: usize,
        /// What was expected.
        message: String,
    },
}

impl DecodeError {
    pub(crate) fn json(error: &serde_json::Error) -> Self {
        Self::Json {
            line: error.line(),
            column: error.column(),
            message: strip_position(error),
        }
    }

    pub(crate) fn payload(namespace: &str, name: &str, error: &serde_json::Error) -> Self {
        Self::Payload {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            line: error.line(),
            column: error.column(),
            message: strip_position(error),
        }
    }
}

/// `serde_json::Error`'s message without the " at line L column C" suffix it appends.
pub(crate) fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => text,
    }
}

/// A value Alexa would refuse (the caller is at fault).
///
/// The limits come from Amazon's Smart Home documentation and its published v3 message
/// schema; each is documented next to the type that enforces it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// An endpointId is empty or longer than 256 characters.
    #[error("endpointId must be 1 to 256 characters long, got {len}")]
    EndpointIdLength {
        /// Its length in characters.
        len: usize,
    },
    /// An endpointId contains a character outside `[a-zA-Z0-9_\-=#;:?@&]`.
    #[error(
        "endpointId {id:?} contains {character:?} at byte {index}; allowed are letters, digits and _-=#;:?@&"
    )]
    EndpointIdCharacter {
        /// The endpointId.
        id: String,
        /// The first character that is not allowed.
        character: char,
        /// Its byte offset.
        index: usize,
    },
    /// An endpointId is not the image of a hub id under [`EndpointId::for_entity`](crate::EndpointId::for_entity).
    #[error("endpointId {id:?} is not a mapped hub id: {reason}")]
    EndpointIdMapping {
        /// The endpointId.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A hub id (`light.kitchen`) that cannot be mapped.
    #[error("hub id {id:?} cannot be mapped to an endpointId: {reason}")]
    EntityId {
        /// The hub id.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A text field is empty or too long.
    #[error("{field} must be 1 to {max} characters long, got {len}")]
    TextLength {
        /// The field, as named on the wire.
        field: &'static str,
        /// Its length in characters.
        len: usize,
        /// The longest length Alexa accepts.
        max: usize,
    },
    /// A messageId is empty, longer than 127 characters or has a character outside `[a-zA-Z0-9-]`.
    #[error("messageId {id:?} must be 1 to 127 letters, digits or '-'")]
    MessageId {
        /// The rejected id.
        id: String,
    },
    /// A correlationToken or bearer token is empty.
    #[error("{field} must not be empty")]
    Empty {
        /// The field, as named on the wire.
        field: &'static str,
    },
    /// A required field was not set on a builder.
    #[error("{field} is required")]
    Missing {
        /// The field, as named on the wire.
        field: &'static str,
    },
    /// A list that Alexa requires to hold distinct values has a duplicate.
    #[error("{field} lists {value:?} twice")]
    Duplicate {
        /// The field, as named on the wire.
        field: &'static str,
        /// The repeated value.
        value: String,
    },
    /// An endpoint declares more capabilities than Alexa accepts.
    #[error("endpoint {endpoint} has {count} capabilities; Alexa accepts at most {max}")]
    TooManyCapabilities {
        /// The endpointId.
        endpoint: String,
        /// How many it declares.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An endpoint's cookie is larger than Alexa accepts.
    #[error("cookie of endpoint {endpoint} is {size} bytes of JSON; Alexa accepts at most {max}")]
    CookieTooLarge {
        /// The endpointId.
        endpoint: String,
        /// Its encoded size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// More endpoints than one discovery message may carry.
    #[error("{count} endpoints in one discovery message; Alexa accepts at most {max}")]
    TooManyEndpoints {
        /// How many were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A single endpoint does not fit in an AddOrUpdateReport.
    #[error(
        "endpoint {endpoint} alone makes an AddOrUpdateReport of {size} bytes; Alexa accepts at most {max}"
    )]
    ReportTooLarge {
        /// The endpointId.
        endpoint: String,
        /// The encoded size of a report holding only this endpoint.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Two instances of one endpoint share a word, which Alexa cannot tell apart by voice.
    #[error("instances {first:?} and {second:?} of endpoint {endpoint} share the word {word:?}")]
    InstanceWord {
        /// The endpointId.
        endpoint: String,
        /// One instance.
        first: String,
        /// The other instance.
        second: String,
        /// The shared word.
        word: String,
    },
    /// A capability that needs an instance (Mode, Range, Toggle) has none, or one that must not have one has one.
    #[error("capability {interface} {reason}")]
    Instance {
        /// The interface.
        interface: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A number is outside the range Alexa accepts.
    #[error("{field} is {value}, outside {min} to {max}")]
    OutOfRange {
        /// The field, as named on the wire.
        field: &'static str,
        /// The value, as text.
        value: String,
        /// The smallest accepted value, as text.
        min: String,
        /// The largest accepted value, as text.
        max: String,
    },
    /// A value has the wrong format (a PIN that is not four digits).
    #[error("{field} {reason}")]
    Format {
        /// The field, as named on the wire.
        field: &'static str,
        /// What the format must be.
        reason: &'static str,
    },
    /// A value Alexa does not accept in this field (CUSTOM in a thermostat's `supportedModes`).
    #[error("{field} must not hold {value}: {reason}")]
    NotAllowed {
        /// The field, as named on the wire.
        field: &'static str,
        /// The refused value.
        value: String,
        /// Why.
        reason: &'static str,
    },
    /// An error type whose payload has a required field, built without it.
    #[error(
        "an ErrorResponse of type {kind} requires {field}; build it with AlexaError::{constructor}"
    )]
    ErrorPayload {
        /// The error type.
        kind: String,
        /// The required payload field.
        field: &'static str,
        /// The constructor that takes it.
        constructor: &'static str,
    },
    /// Something outside Amazon's published v3 schema, refused at
    /// [`Conformance::AmazonSchema`](crate::Conformance::AmazonSchema).
    #[error("{field} {reason} (outside Amazon's published v3 schema)")]
    OutsideSchema {
        /// Where: the JSON field, with the endpoint or capability it belongs to.
        field: String,
        /// What is outside the schema.
        reason: String,
    },
    /// A timestamp that Alexa cannot represent or that is malformed.
    #[error("invalid timestamp {value:?}: {reason}")]
    Timestamp {
        /// The value, as text.
        value: String,
        /// What is wrong.
        reason: &'static str,
    },
}

impl ValidationError {
    pub(crate) fn out_of_range(
        field: &'static str,
        value: &impl ToString,
        min: &impl ToString,
        max: &impl ToString,
    ) -> Self {
        Self::OutOfRange {
            field,
            value: value.to_string(),
            min: min.to_string(),
            max: max.to_string(),
        }
    }
}

/// A configuration value that cannot be used (the caller is at fault).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A locale Alexa Smart Home does not support.
    #[error(
        "unsupported locale {0:?}; supported are ar-SA, de-DE, en-AU, en-CA, en-GB, en-IN, en-US, es-ES, es-MX, es-US, fr-CA, fr-FR, hi-IN, it-IT, ja-JP and pt-BR"
    )]
    Locale(String),
    /// An entity_config display category that Alexa does not know.
    #[error("unknown display category {0:?}")]
    DisplayCategory(String),
    /// An entity filter glob that cannot be parsed.
    #[error("invalid glob {pattern:?}: {reason}")]
    Glob {
        /// The pattern.
        pattern: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A required setting is absent or empty.
    #[error("{name} is required and must not be empty")]
    Missing {
        /// The setting, as the user writes it (`client_id`, `BASE_URL`).
        name: &'static str,
    },
    /// A URL that cannot be used.
    #[error("{name} {url:?} cannot be used: {reason}")]
    Url {
        /// The setting, as the user writes it.
        name: &'static str,
        /// The value.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A yes/no setting with a value that is neither.
    #[error("{name} is {value:?}; expected true or false (or 1/0, yes/no, on/off), or unset")]
    Flag {
        /// The setting.
        name: &'static str,
        /// The value.
        value: String,
    },
    /// A root certificate that cannot be read.
    #[error("invalid root certificate: {reason}")]
    Certificate {
        /// What is wrong.
        reason: String,
    },
}

impl ConfigError {
    /// Checks that `value` is an absolute `https` URL (or, when `loopback_http`, an `http` URL
    /// whose host is on the loopback interface) with a host and without query, fragment or
    /// credentials, and returns it parsed.
    #[cfg(any(feature = "proactive", feature = "proxy"))]
    pub(crate) fn check_url(
        name: &'static str,
        value: &str,
        loopback_http: bool,
    ) -> Result<url::Url, Self> {
        let error = |reason: &str| Self::Url {
            name,
            url: value.to_owned(),
            reason: reason.to_owned(),
        };
        let url = url::Url::parse(value).map_err(|e| error(&e.to_string()))?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(error("it has no host"));
        }
        match url.scheme() {
            "https" => {}
            "http" if loopback_http && is_loopback(&url) => {}
            "http" if loopback_http => {
                return Err(error(
                    "http is allowed only on the loopback interface (127.0.0.0/8, ::1, localhost)",
                ));
            }
            "http" => {
                return Err(error(
                    "the scheme must be https: tokens would cross the network in clear text \
                     (http is accepted only on the loopback interface, with the loopback-testing \
                     option)",
                ));
            }
            _ => return Err(error("the scheme must be https")),
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(error("it must not have a query or fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(error("it must not carry credentials"));
        }
        Ok(url)
    }
}

/// Whether `url`'s host is on the loopback interface.
#[cfg(any(feature = "proactive", feature = "proxy"))]
fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// An HTTP exchange failed before a complete response was read (the network, the peer or
/// local resources are at fault).
///
/// The URL is the one requested, without query; the underlying error is the
/// [`source`](std::error::Error::source).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "proxy")] {
/// use ha_alexa::proxy::{LambdaProxy, ProxyConfig, ProxyError};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// // Nothing listens on port 9 of the loopback interface.
/// let proxy = LambdaProxy::new(ProxyConfig::for_loopback("http://127.0.0.1:9/").unwrap()).unwrap();
/// let directive = br#"{"directive":{"header":{"namespace":"Alexa","name":"ReportState",
///     "messageId":"m-1","correlationToken":"c-1","payloadVersion":"3"},
///     "endpoint":{"scope":{"type":"BearerToken","token":"t"},"endpointId":"light#kitchen"},"payload":{}}}"#;
/// let Err(ProxyError::Transport(error)) = proxy.forward(directive).await else { panic!() };
/// assert_eq!(error.to_string(), "cannot connect to http://127.0.0.1:9/api/alexa/smart_home");
/// # });
/// # }
/// ```
#[cfg(any(feature = "proactive", feature = "proxy"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "proactive", feature = "proxy"))))]
#[derive(Debug, thiserror::Error)]
#[error("{}", self.describe())]
pub struct TransportError {
    kind: TransportErrorKind,
    url: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

#[cfg(any(feature = "proactive", feature = "proxy"))]
impl TransportError {
    pub(crate) fn new(
        kind: TransportErrorKind,
        url: &str,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self {
            kind,
            url: url.to_owned(),
            source,
        }
    }

    /// What failed.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::{TransportError, TransportErrorKind};
    /// fn retry_later(error: &TransportError) -> bool {
    ///     matches!(error.kind(), TransportErrorKind::Connect | TransportErrorKind::Timeout)
    /// }
    /// ```
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The URL requested (empty for [`TransportErrorKind::Setup`]).
    ///
    /// # Examples
    ///
    /// ```
    /// fn log(error: &ha_alexa::TransportError) -> String {
    ///     format!("{} failed", error.url())
    /// }
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    fn describe(&self) -> String {
        let url = &self.url;
        match self.kind {
            TransportErrorKind::Setup => String::from("cannot set up the HTTPS client"),
            TransportErrorKind::Connect => format!("cannot connect to {url}"),
            TransportErrorKind::Timeout => format!("no answer from {url} in time"),
            TransportErrorKind::TooLarge { limit } => {
                format!("the answer from {url} is larger than {limit} bytes")
            }
            TransportErrorKind::Other => format!("the exchange with {url} failed"),
        }
    }
}

/// What part of an HTTP exchange failed; see [`TransportError::kind`].
#[cfg(any(feature = "proactive", feature = "proxy"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "proactive", feature = "proxy"))))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The HTTPS client could not be built: no root certificates could be loaded, or an
    /// extra one is invalid.
    Setup,
    /// The TCP connection or the TLS handshake failed (refused, unreachable, certificate
    /// not trusted), or did not complete within the connect timeout.
    Connect,
    /// The peer did not answer within the read (or total) timeout.
    Timeout,
    /// The response body is larger than allowed.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Anything else: the connection broke, the response was not HTTP.
    Other,
}

/// A token store failed: the account-linking server's `oauth::TokenStore` or the
/// Login-with-Amazon client's `lwa::LwaTokenStore` (local resources are at fault).
///
/// The account-linking server answers `server_error` and logs this error; the client sees
/// no detail.
///
/// # Examples
///
/// ```
/// use ha_alexa::StoreError;
///
/// let error = StoreError::backend(std::io::Error::other("database is down"));
/// assert_eq!(error.to_string(), "token store backend failed");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store file could not be read.
    #[error("cannot read token store {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The store file could not be written, synced or renamed into place.
    #[error("cannot write token store {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The store file is not valid JSON of the expected shape.
    #[error("token store {} is corrupt at line {line}, column {column}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The line of the first error, from 1.
        line: usize,
        /// The column of the first error, from 1.
        column: usize,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
    /// The store file was written by an incompatible version of this crate.
    #[error("token store {} has format version {found}, this crate reads version {expected}", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u32,
        /// The version this crate reads and writes.
        expected: u32,
    },
    /// The store holds as many outstanding authorization codes (or other records) as it may.
    #[error("token store holds {capacity} outstanding {what}, its limit")]
    Full {
        /// What is full.
        what: &'static str,
        /// The limit.
        capacity: usize,
    },
    /// A hub-provided store failed.
    #[error("token store backend failed")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// Wraps the error of a hub-provided store.
    ///
    /// # Examples
    ///
    /// ```
    /// let error = ha_alexa::StoreError::backend(std::fmt::Error);
    /// assert!(std::error::Error::source(&error).is_some());
    /// ```
    pub fn backend(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const _: fn() = || {
        fn assert_bounds<T: Send + Sync + 'static + core::error::Error>() {}
        assert_bounds::<Error>();
    };

    #[test]
    fn json_errors_keep_position_out_of_the_message() {
        let Err(error) = serde_json::from_str::<serde_json::Value>("{\n  \"a\": }") else {
            panic!("malformed JSON decoded");
        };
        let DecodeError::Json {
            line,
            column,
            message,
        } = DecodeError::json(&error)
        else {
            panic!("wrong variant");
        };
        assert_eq!((line, column), (2, 8));
        assert_eq!(message, "expected value");
    }

    /// Every narrower error converts into the crate's with `?`, keeping its message.
    #[test]
    fn every_sub_error_converts_into_the_crate_error() {
        fn lift<E: Into<Error> + ToString>(error: E) -> (String, Error) {
            (error.to_string(), error.into())
        }
        let mut errors = Vec::new();
        errors.extend([
            lift(DecodeError::PayloadVersion { found: "2".into() }),
            lift(ValidationError::EndpointIdLength { len: 0 }),
            lift(ConfigError::Missing { name: "BASE_URL" }),
            lift(StoreError::backend(std::fmt::Error)),
        ]);
        #[cfg(feature = "oauth")]
        errors.extend([
            lift(crate::oauth::OAuthError::new(
                crate::oauth::ErrorCode::InvalidGrant,
                "code used",
            )),
            lift(crate::oauth::ConfigError::NoClients),
        ]);
        #[cfg(feature = "proactive")]
        errors.extend([
            lift(crate::lwa::LwaError::RelinkRequired {
                reason: crate::lwa::RelinkReason::NotLinked,
            }),
            lift(crate::gateway::GatewayError::QueueFull { capacity: 1 }),
        ]);
        #[cfg(feature = "proxy")]
        errors.push(lift(crate::proxy::ProxyError::NoToken));
        #[cfg(any(feature = "proactive", feature = "proxy"))]
        errors.push(lift(TransportError::new(
            TransportErrorKind::Timeout,
            "https://api.amazon.com/auth/o2/token",
            None,
        )));
        for (message, error) in &errors {
            assert_eq!(&error.to_string(), message);
            assert!(!message.ends_with('.'), "{message}");
        }
        let kinds: Vec<String> = errors
            .iter()
            .map(|(_, e)| {
                format!("{e:?}")
                    .split('(')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        let mut distinct = kinds.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), kinds.len(), "one variant each: {kinds:?}");
    }

    #[test]
    fn messages_are_lowercase_without_trailing_period() {
        let errors: Vec<Error> = vec![
            DecodeError::PayloadVersion { found: "2".into() }.into(),
            ValidationError::EndpointIdLength { len: 0 }.into(),
            ConfigError::Locale("xx-XX".into()).into(),
        ];
        for error in errors {
            let text = error.to_string();
            assert!(
                text.chars().next().is_some_and(char::is_lowercase),
                "{text}"
            );
            assert!(!text.ends_with('.'), "{text}");
        }
    }
}

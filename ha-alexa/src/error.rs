//! The crate's error type and its parts, grouped by who is at fault.

/// Every error this crate returns.
///
/// [`Error::Decode`] means the peer sent something that is not a Smart Home v3 message,
/// [`Error::Invalid`] means the caller asked for something Alexa would refuse, and
/// [`Error::Config`] means a configuration value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
    /// `header.payloadVersion` is not `"3"`.
    #[error(
        "unsupported payloadVersion {found:?}: Smart Home v3 messages carry payloadVersion \"3\""
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
fn strip_position(error: &serde_json::Error) -> String {
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

//! The crate's error type and its parts.

use core::fmt;

/// Every error of this crate.
///
/// Grouped by what went wrong: a topic that cannot be built or does not belong to a device
/// ([`TopicError`]), a command or Backlog that the firmware would reject or mangle
/// ([`CommandError`]), or a payload that cannot be decoded (`Issue`, with the byte offset and
/// JSON path of the problem; needs the `alloc` feature).
///
/// # Examples
///
/// ```
/// use tasmota_proto::{DeviceTopics, Error, TopicError};
///
/// let err: Error = DeviceTopics::new("%prefix%/%topic%/", "").unwrap_err().into();
/// assert!(matches!(err, Error::Topic(TopicError::Empty { .. })));
/// assert_eq!(err.to_string(), "topic: topic is empty");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A topic could not be built or parsed.
    #[error("topic: {0}")]
    Topic(#[from] TopicError),
    /// A command could not be encoded or parsed.
    #[error("command: {0}")]
    Command(#[from] CommandError),
    /// A payload could not be decoded (strict mode, or nothing recoverable in lenient mode).
    #[cfg(feature = "alloc")]
    #[error("payload: {0}")]
    Payload(#[from] crate::json::Issue),
}

/// Which value of a device's topic configuration an error is about.
///
/// # Examples
///
/// ```
/// assert_eq!(tasmota_proto::TopicField::GroupTopic.to_string(), "group topic");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TopicField {
    /// The FullTopic template.
    FullTopic,
    /// The device Topic, or the whole topic being built.
    Topic,
    /// A Prefix1..3 text.
    Prefix,
    /// The hostname (`%hostname%`).
    Hostname,
    /// The MAC (`%id%`) or the id of a discovery topic.
    Mac,
    /// A GroupTopic1..4.
    GroupTopic,
    /// The MqttClient (fallback topic).
    MqttClient,
    /// The subtopic (last level).
    Subtopic,
}

impl fmt::Display for TopicField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::FullTopic => "full topic",
            Self::Topic => "topic",
            Self::Prefix => "prefix",
            Self::Hostname => "hostname",
            Self::Mac => "mac",
            Self::GroupTopic => "group topic",
            Self::MqttClient => "mqtt client",
            Self::Subtopic => "subtopic",
        })
    }
}

/// A topic that cannot be built, or a received topic that does not parse.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{FullTopic, TopicError, TopicField};
/// assert_eq!(
///     FullTopic::new("a+b").unwrap_err(),
///     TopicError::InvalidChar { field: TopicField::FullTopic, ch: '+', offset: 1 },
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TopicError {
    /// A required value is empty.
    #[error("{field} is empty")]
    Empty {
        /// The empty value.
        field: TopicField,
    },
    /// A value contains a character that cannot appear there.
    #[error("{field} contains {ch:?} at byte {offset}")]
    InvalidChar {
        /// The offending value.
        field: TopicField,
        /// The character.
        ch: char,
        /// Its byte offset in the value.
        offset: usize,
    },
    /// A value is longer than the firmware allows.
    #[error("{field} is {len} bytes, more than the firmware's {max}")]
    TooLong {
        /// The value.
        field: TopicField,
        /// Its length (or the length it would have had).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The template needs a value that was not given (`%hostname%`, `%id%`, an MqttClient).
    #[error("the topic needs the {field}, which is not known")]
    MissingValue {
        /// The missing value.
        field: TopicField,
    },
    /// A group topic index outside 1..=4.
    #[error("group topic index {index} is outside 1..=4")]
    GroupIndex {
        /// The index given.
        index: u8,
    },
    /// The group topic with this index is not set.
    #[error("group topic {index} is not set")]
    NoGroupTopic {
        /// The index given.
        index: u8,
    },
    /// A MAC address that is not 12 hex digits (optionally `:`/`-` separated).
    #[error("expected a mac address of 12 hex digits, bad character at byte {offset}")]
    InvalidMac {
        /// Byte offset of the first bad character.
        offset: usize,
    },
    /// A received topic without a subtopic (no `/`, or a trailing `/`).
    #[error("expected a topic ending in /<subtopic>")]
    NoSubtopic,
    /// A received topic that does not match the template or device.
    #[error("the topic does not match the device's topics")]
    NoMatch,
}

/// A command or Backlog that the firmware would reject, misread or silently drop.
///
/// # Examples
///
/// ```
/// use tasmota_proto::{Backlog, CommandError, Command};
/// let mut b = Backlog::new();
/// let err = b.push_raw("Reset 1").unwrap_err();
/// assert_eq!(err, CommandError::ResetInBacklog);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// An empty command name.
    #[error("the command name is empty")]
    EmptyName,
    /// A command name with a character other than `[A-Za-z0-9_]`.
    #[error(
        "the command name contains {ch:?} at byte {offset}; only A-Z, a-z, 0-9 and _ are allowed"
    )]
    InvalidName {
        /// The character.
        ch: char,
        /// Its byte offset in the name.
        offset: usize,
    },
    /// A name starting with `_`: the firmware strips one `_` and suppresses the reply, so it is
    /// not part of the name (use `DeviceTopics::silent_command`).
    #[error(
        "a leading '_' is not part of a command name; the firmware strips it and sends no reply"
    )]
    LeadingUnderscore,
    /// A command name (index included) longer than the firmware's limit.
    #[error("the command name is {len} bytes, more than the firmware's {max}")]
    NameTooLong {
        /// Its length.
        len: usize,
        /// The limit, [`MAX_COMMAND_LEN`](crate::command::MAX_COMMAND_LEN).
        max: usize,
    },
    /// A number outside the range the command accepts.
    #[error("{what} must be within {min}..={max}, got {value}")]
    OutOfRange {
        /// The parameter.
        what: &'static str,
        /// The value given.
        value: i64,
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// A text parameter the firmware would reject or misread.
    #[error("{what}: {reason}")]
    InvalidValue {
        /// The parameter.
        what: &'static str,
        /// Why it is refused.
        reason: &'static str,
    },
    /// An incoming payload that the command cannot take.
    #[error("{command} expects {expected}")]
    InvalidPayload {
        /// The command.
        command: &'static str,
        /// What it accepts.
        expected: &'static str,
    },
    /// More commands than a Backlog holds.
    #[error("a backlog holds at most {max} commands")]
    TooManyCommands {
        /// The limit, [`MAX_BACKLOG`](crate::command::MAX_BACKLOG).
        max: usize,
    },
    /// The firmware drops any command starting with `Reset` inside a Backlog.
    #[error("the firmware drops commands starting with reset inside a backlog")]
    ResetInBacklog,
    /// A `;` outside `{}` would split the command in a Backlog.
    #[error("a ';' at byte {offset} outside braces would split the backlog entry")]
    SemicolonOutsideBraces {
        /// Its byte offset in the command line.
        offset: usize,
    },
    /// Unbalanced `{`/`}`: the firmware's Backlog splitting would swallow the next entries.
    #[error("unbalanced braces in a backlog entry")]
    UnbalancedBraces,
    /// The encoded payload or packet does not fit the firmware's MQTT buffer.
    #[error("the message is {len} bytes, more than the device's {max}")]
    TooLarge {
        /// The size it would have had.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An empty Backlog, which the firmware treats as "clear the queue".
    #[error("the backlog is empty")]
    EmptyBacklog,
}

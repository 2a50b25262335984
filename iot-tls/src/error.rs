//! The crate's errors, grouped by who is at fault.
//!
//! - The peer: [`DecodeError`] (malformed bytes) and [`ProtocolError`] (well-formed packets that
//!   break the protocol).
//! - The caller: [`EncodeError`] (a packet that cannot be encoded) and [`LimitError`] (a request
//!   outside the broker's [`Limits`](crate::Limits)); [`UsernameError`] (a malformed
//!   custom-authorizer user name, the peer's fault when a server parses it).
//! - Local resources: [`SessionError`] (full tables and queues, buffers too small).
//! - The transport: [`TlsError`](crate::tls::TlsError) (feature `rustls`: the TLS layer, each
//!   failure named by its cause), [`IoError`] (the socket failed) and [`Error::Closed`] (the
//!   driver has stopped).
//!
//! [`Error`] wraps them all, so `?` works across the crate.

use core::fmt;

pub use embedded_io::ErrorKind as IoErrorKind;

use crate::codec::{PacketType, Qos};

/// Any error of this crate.
///
/// # Example
///
/// ```
/// use iot_tls::codec;
/// use iot_tls::error::{DecodeErrorKind, Error};
///
/// // A PUBACK (0x40) whose remaining length says 3 instead of 2.
/// let err: Error = codec::decode(&[0x40, 0x03, 0x00, 0x01, 0xff]).unwrap_err().into();
/// assert!(matches!(err, Error::Decode(e) if e.kind() == DecodeErrorKind::TrailingBytes));
/// assert_eq!(err.to_string(), "unexpected bytes after the last field at byte 4");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer sent bytes that are not a valid MQTT 3.1.1 packet.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A well-formed packet broke the protocol (for example a second CONNACK).
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// A packet the caller built cannot be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A request or configuration is outside the broker's limits.
    #[error(transparent)]
    Limit(#[from] LimitError),
    /// A fixed-size table, queue or buffer is full or too small.
    #[error(transparent)]
    Session(#[from] SessionError),
    /// A user name is not a well-formed custom-authorizer user name.
    #[error(transparent)]
    Username(#[from] UsernameError),
    /// The TLS layer failed; the variant names the cause (an unknown CA, a host name the
    /// certificate does not cover, a refused ALPN, ...).
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// The transport (name resolution, TCP, the network stack's socket) failed.
    #[error(transparent)]
    Io(#[from] IoError),
    /// The configuration cannot be expressed as rumqttc options.
    #[cfg(feature = "rumqttc")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rumqttc")))]
    #[error(transparent)]
    Rumqttc(#[from] RumqttcError),
    /// The client's driver has stopped (after [`disconnect`](crate::session::Session::disconnect)
    /// or when its runtime shut down); nothing more can be sent.
    #[error("the client has stopped")]
    Closed,
}

impl Error {
    /// Whether the error is temporary: a table or queue is full for now, and the same request
    /// fits once queued requests are sent or acknowledged.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::Error;
    /// use iot_tls::error::SessionError;
    ///
    /// assert!(Error::from(SessionError::QueueFull { capacity: 16 }).is_full());
    /// assert!(!Error::Closed.is_full());
    /// ```
    pub const fn is_full(&self) -> bool {
        matches!(self, Self::Session(e) if e.is_full())
    }
}

/// A failure of the transport under the connection, with the operation that failed.
///
/// The kind is [`embedded_io::ErrorKind`] (re-exported as [`IoErrorKind`]), which network
/// stacks on microcontrollers report and `std::io::ErrorKind` converts into. A driver on `std`
/// also logs the operating system's message through `tracing`.
///
/// # Example
///
/// ```
/// use iot_tls::error::{IoError, IoErrorKind, IoOperation};
///
/// let err = IoError::new(IoOperation::Connect, IoErrorKind::ConnectionRefused);
/// assert_eq!(err.to_string(), "connecting to the broker failed: ConnectionRefused");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed: {kind}")]
pub struct IoError {
    operation: IoOperation,
    kind: IoErrorKind,
}

impl IoError {
    /// An error of `kind` during `operation`.
    ///
    /// # Example
    ///
    /// See [`IoError`].
    pub const fn new(operation: IoOperation, kind: IoErrorKind) -> Self {
        Self { operation, kind }
    }

    /// What the driver was doing.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::error::{IoError, IoErrorKind, IoOperation};
    ///
    /// let err = IoError::new(IoOperation::Read, IoErrorKind::ConnectionReset);
    /// assert_eq!(err.operation(), IoOperation::Read);
    /// ```
    pub const fn operation(&self) -> IoOperation {
        self.operation
    }

    /// What went wrong.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::error::{IoError, IoErrorKind, IoOperation};
    ///
    /// let err = IoError::new(IoOperation::Write, IoErrorKind::BrokenPipe);
    /// assert_eq!(err.kind(), IoErrorKind::BrokenPipe);
    /// ```
    pub const fn kind(&self) -> IoErrorKind {
        self.kind
    }
}

/// The transport operation an [`IoError`] happened in.
///
/// # Example
///
/// ```
/// use iot_tls::error::IoOperation;
///
/// assert_eq!(IoOperation::Resolve.to_string(), "resolving the broker's address");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum IoOperation {
    /// Looking up the broker's host name.
    #[error("resolving the broker's address")]
    Resolve,
    /// Opening the TCP connection (or the time allowed for it ran out).
    #[error("connecting to the broker")]
    Connect,
    /// Reading from the transport.
    #[error("reading from the transport")]
    Read,
    /// Writing to the transport.
    #[error("writing to the transport")]
    Write,
    /// Listening for connections (a server in this crate, such as the test front).
    #[error("listening for connections")]
    Listen,
}

/// Malformed input: what was wrong and the offset of the offending byte.
///
/// The offset counts from the first byte of the packet (its fixed header).
///
/// # Example
///
/// ```
/// use iot_tls::codec;
/// use iot_tls::error::DecodeErrorKind;
///
/// // A remaining length with a fifth continuation byte.
/// let err = codec::decode(&[0x30, 0xff, 0xff, 0xff, 0xff, 0x01]).unwrap_err();
/// assert_eq!(err.kind(), DecodeErrorKind::RemainingLength);
/// assert_eq!(err.offset(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct DecodeError {
    kind: DecodeErrorKind,
    offset: usize,
}

impl DecodeError {
    /// An error of `kind` at byte `offset` of the packet.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::error::{DecodeError, DecodeErrorKind};
    ///
    /// let err = DecodeError::new(DecodeErrorKind::PacketIdZero, 2);
    /// assert_eq!(err.to_string(), "packet identifier 0 at byte 2");
    /// ```
    pub const fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What was wrong.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::error::{DecodeError, DecodeErrorKind};
    ///
    /// assert_eq!(DecodeError::new(DecodeErrorKind::Utf8, 4).kind(), DecodeErrorKind::Utf8);
    /// ```
    pub const fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// The offset of the offending byte from the start of the packet.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::error::{DecodeError, DecodeErrorKind};
    ///
    /// assert_eq!(DecodeError::new(DecodeErrorKind::Utf8, 4).offset(), 4);
    /// ```
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

/// What made a packet malformed; see [`DecodeError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The packet type in the first byte is 0 or 15, which MQTT 3.1.1 reserves.
    #[error("reserved packet type {0}")]
    PacketType(u8),
    /// The flag bits of the first byte are not the ones the packet type requires.
    #[error("invalid flags {flags:#06b} for {packet_type}")]
    Flags {
        /// The packet type of the first byte.
        packet_type: PacketType,
        /// The four flag bits as received.
        flags: u8,
    },
    /// The remaining length does not end within four bytes, so it would exceed 268,435,455.
    #[error("remaining length longer than four bytes")]
    RemainingLength,
    /// The whole packet cannot fit the receive buffer.
    #[error("packet of {len} bytes exceeds the {capacity}-byte receive buffer")]
    TooLarge {
        /// The length of the packet, header included.
        len: usize,
        /// The capacity of the receive buffer.
        capacity: usize,
    },
    /// A field runs past the end of the packet given by its remaining length.
    #[error("field runs past the end of the packet")]
    UnexpectedEnd,
    /// Bytes remain after the last field of a packet.
    #[error("unexpected bytes after the last field")]
    TrailingBytes,
    /// A string is not valid UTF-8.
    #[error("string is not valid UTF-8")]
    Utf8,
    /// A string contains the null character U+0000, which MQTT forbids.
    #[error("string contains U+0000")]
    NullCharacter,
    /// A QoS field holds 3.
    #[error("invalid QoS {0}")]
    Qos(u8),
    /// A packet identifier is 0, which MQTT forbids.
    #[error("packet identifier 0")]
    PacketIdZero,
    /// A topic name or topic filter is malformed.
    #[error(transparent)]
    Topic(TopicError),
    /// The CONNECT protocol name is not `MQTT`.
    #[error("protocol name is not MQTT")]
    ProtocolName,
    /// The CONNECT protocol level is not 4 (MQTT 3.1.1).
    #[error("unsupported protocol level {0}")]
    ProtocolLevel(u8),
    /// CONNECT flags that contradict each other (a will QoS without a will, a password without
    /// a user name).
    #[error("inconsistent connect flags {0:#010b}")]
    ConnectFlags(u8),
    /// Bits that MQTT reserves are set.
    #[error("reserved bits set in {0:#010b}")]
    ReservedBits(u8),
    /// A SUBSCRIBE, UNSUBSCRIBE or SUBACK has no topic filter or return code.
    #[error("no topic filters or return codes")]
    EmptyPayload,
    /// A variable byte integer (a property length or identifier, MQTT 5) runs past four bytes.
    #[error("variable byte integer longer than four bytes")]
    VariableByteInteger,
    /// A property identifier MQTT 5 does not define.
    #[error("unknown property 0x{0:02x}")]
    UnknownProperty(u8),
    /// A property other than User Property or Subscription Identifier appears twice.
    #[error("duplicate property 0x{0:02x}")]
    DuplicateProperty(u8),
    /// A property holds a value MQTT 5 forbids (0 where 0 is not allowed, a boolean over 1).
    #[error("invalid value of property 0x{0:02x}")]
    PropertyValue(u8),
    /// A property that this packet type does not carry.
    #[error("property 0x{id:02x} is not allowed in {packet_type}")]
    PropertyNotAllowed {
        /// The property identifier.
        id: u8,
        /// The packet type it appeared in.
        packet_type: PacketType,
    },
    /// The property block runs past the end of the packet.
    #[error("property block runs past the end of the packet")]
    PropertyLength,
}

/// A malformed topic name or topic filter.
///
/// # Example
///
/// ```
/// use iot_tls::error::TopicError;
///
/// assert_eq!(TopicError::Wildcard.to_string(), "wildcard in a topic name");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum TopicError {
    /// Topic names and filters have at least one character.
    #[error("empty topic")]
    Empty,
    /// A topic name (as opposed to a filter) contains `+` or `#`.
    #[error("wildcard in a topic name")]
    Wildcard,
    /// A filter has `#` other than as its whole last level, or `+` other than as a whole level.
    #[error("wildcard not alone in its level of a topic filter")]
    Filter,
}

/// A packet that cannot be encoded, or a buffer too small for it.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{Packet, PingReq};
/// use iot_tls::error::EncodeError;
///
/// let mut buf = [0u8; 1];
/// let err = Packet::PingReq(PingReq).encode(&mut buf).unwrap_err();
/// assert_eq!(err, EncodeError::BufferTooSmall { needed: 2, capacity: 1 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// The output buffer is shorter than the encoded packet.
    #[error("packet needs {needed} bytes but the buffer holds {capacity}")]
    BufferTooSmall {
        /// The encoded length of the packet.
        needed: usize,
        /// The length of the buffer.
        capacity: usize,
    },
    /// A string or binary field is longer than its 16-bit length prefix allows.
    #[error("field of {len} bytes is longer than 65,535")]
    FieldTooLong {
        /// The length of the field.
        len: usize,
    },
    /// The packet body is longer than the 268,435,455 bytes a remaining length can say.
    #[error("packet body of {len} bytes exceeds 268,435,455")]
    PacketTooLarge {
        /// The length of the packet body.
        len: usize,
    },
    /// A string contains the null character U+0000, which MQTT forbids.
    #[error("string contains U+0000")]
    NullCharacter,
    /// A topic name or topic filter is malformed.
    #[error(transparent)]
    Topic(#[from] TopicError),
    /// A PUBLISH has a packet identifier at QoS 0, or none at QoS 1 or 2.
    #[error("packet identifier present at QoS 0 or missing at QoS {0}")]
    PacketId(Qos),
    /// MQTT 3.1.1 allows a password only together with a user name.
    #[error("password without a user name")]
    PasswordWithoutUsername,
    /// SUBSCRIBE, UNSUBSCRIBE and SUBACK carry at least one entry.
    #[error("no topic filters or return codes")]
    EmptyList,
    /// A property other than User Property or Subscription Identifier added twice (MQTT 5).
    #[error("duplicate property 0x{0:02x}")]
    DuplicateProperty(u8),
    /// A property value MQTT 5 forbids.
    #[error("invalid value of property 0x{0:02x}")]
    PropertyValue(u8),
    /// A property that the packet type does not carry (MQTT 5).
    #[error("property 0x{id:02x} is not allowed in {packet_type}")]
    PropertyNotAllowed {
        /// The property identifier.
        id: u8,
        /// The packet type.
        packet_type: PacketType,
    },
    /// A PUBLISH without a topic name and without a Topic Alias (MQTT 5).
    #[error("empty topic name without a topic alias")]
    NoTopic,
}

/// A request or configuration outside the broker's [`Limits`](crate::Limits).
///
/// # Example
///
/// ```
/// use iot_tls::{aws, error::LimitError};
///
/// let err = aws::LIMITS.check_topic("a/b/c/d/e/f/g/h/i").unwrap_err();
/// assert_eq!(err, LimitError::TooManySlashes { count: 8, max: 7 });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// The client identifier is too long.
    #[error("client id of {len} bytes exceeds {max}")]
    ClientIdTooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A topic name or filter is too long.
    #[error("topic of {len} bytes exceeds {max}")]
    TopicTooLong {
        /// Its length in bytes (without an exempt prefix).
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A topic name or filter has too many `/`.
    #[error("topic has {count} slashes, more than {max}")]
    TooManySlashes {
        /// The number of `/` (without an exempt prefix).
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A payload is too large.
    #[error("payload of {len} bytes exceeds {max}")]
    PayloadTooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The QoS is not supported (the session does QoS 0 and 1; AWS IoT refuses QoS 2).
    #[error("QoS {0} is not supported")]
    Qos(Qos),
    /// A SUBSCRIBE carries too many filters, or none.
    #[error("{count} filters in one request, outside 1 to {max}")]
    FilterCount {
        /// The number of filters.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The keep-alive interval is outside the allowed range.
    #[error("keep-alive of {secs} s outside {min} to {max} s")]
    KeepAlive {
        /// The requested interval in seconds.
        secs: u16,
        /// The smallest allowed interval.
        min: u16,
        /// The largest allowed interval.
        max: u16,
    },
    /// The reconnect backoff starts below the minimum, or its maximum is below its minimum.
    #[error("reconnect backoff of {min_ms} to {max_ms} ms, must start at {floor_ms} ms or more")]
    Backoff {
        /// The configured smallest delay in milliseconds.
        min_ms: u64,
        /// The configured largest delay in milliseconds.
        max_ms: u64,
        /// The floor the limits require in milliseconds.
        floor_ms: u64,
    },
}

/// A configuration that rumqttc cannot express, from
/// [`rumqttc::options`](crate::rumqttc::options).
///
/// # Example
///
/// ```
/// use iot_tls::error::RumqttcError;
///
/// assert_eq!(RumqttcError::PasswordNotUtf8.to_string(), "rumqttc takes only UTF-8 passwords");
/// ```
#[cfg(feature = "rumqttc")]
#[cfg_attr(docsrs, doc(cfg(feature = "rumqttc")))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum RumqttcError {
    /// MQTT passwords are binary, rumqttc's are strings.
    #[error("rumqttc takes only UTF-8 passwords")]
    PasswordNotUtf8,
    /// rumqttc refuses a persistent session without a client identifier.
    #[error("rumqttc needs a client identifier for a persistent session")]
    EmptyClientId,
}

/// A malformed MQTT user name in the AWS IoT custom-authorizer form, from
/// [`aws::Username::parse`](crate::aws::Username::parse): what was wrong and the offset in the
/// user name.
///
/// # Example
///
/// ```
/// use iot_tls::error::{UsernameError, UsernameErrorKind};
///
/// let err = UsernameError::new(UsernameErrorKind::EmptyKey, 4);
/// assert_eq!(err.to_string(), "query parameter without a name at byte 4 of the user name");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset} of the user name")]
pub struct UsernameError {
    kind: UsernameErrorKind,
    offset: usize,
}

impl UsernameError {
    /// An error of `kind` at byte `offset`.
    ///
    /// # Example
    ///
    /// See [`UsernameError`].
    pub const fn new(kind: UsernameErrorKind, offset: usize) -> Self {
        Self { kind, offset }
    }

    /// What was wrong.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::error::{UsernameError, UsernameErrorKind};
    ///
    /// assert_eq!(UsernameError::new(UsernameErrorKind::Utf8, 9).kind(), UsernameErrorKind::Utf8);
    /// ```
    pub const fn kind(&self) -> UsernameErrorKind {
        self.kind
    }

    /// The offset of the offending byte in the user name (of the decoded text for
    /// [`UsernameErrorKind::BufferTooSmall`]).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::error::{UsernameError, UsernameErrorKind};
    ///
    /// assert_eq!(UsernameError::new(UsernameErrorKind::Escape, 9).offset(), 9);
    /// ```
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

/// What made a user name malformed; see [`UsernameError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum UsernameErrorKind {
    /// A `%` is not followed by two hex digits.
    #[error("`%` not followed by two hex digits")]
    Escape,
    /// A parameter's decoded bytes are not UTF-8.
    #[error("a parameter that does not decode to UTF-8")]
    Utf8,
    /// A query parameter has a value but no name (`?=x`).
    #[error("query parameter without a name")]
    EmptyKey,
    /// The buffer given to decode a value is too short.
    #[error("decoding buffer too small")]
    BufferTooSmall,
}

/// A fixed-size table, queue or buffer is full or too small.
///
/// # Example
///
/// ```
/// use iot_tls::error::SessionError;
///
/// let err = SessionError::NoFreeSlot { capacity: 8 };
/// assert!(err.is_full());
/// assert_eq!(err.to_string(), "all 8 request slots are in use");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// Every slot of the request table is taken by queued, in-flight or remembered requests.
    #[error("all {capacity} request slots are in use")]
    NoFreeSlot {
        /// The number of slots (the session's `N`).
        capacity: usize,
    },
    /// The store has not enough free bytes for the encoded request right now.
    #[error("request needs {needed} bytes but the store has {free} free")]
    StoreFull {
        /// The encoded length of the request.
        needed: usize,
        /// The free bytes in the store.
        free: usize,
    },
    /// The encoded request is larger than the whole store can ever hold.
    #[error("request of {len} bytes can never fit the {capacity}-byte store")]
    RequestTooLarge {
        /// The encoded length of the request.
        len: usize,
        /// The bytes of the store available to requests.
        capacity: usize,
    },
    /// MQTT 5: the packet exceeds the Maximum Packet Size the server announced.
    #[error("packet of {len} bytes exceeds the server's maximum packet size of {max}")]
    ServerPacketSize {
        /// The encoded length of the packet.
        len: usize,
        /// The server's Maximum Packet Size.
        max: u32,
    },
    /// MQTT 5: the server announced Retain Available 0, so a retained message is refused.
    #[error("the server does not accept retained messages")]
    RetainNotAvailable,
    /// MQTT 5 properties or subscription options on a session that speaks MQTT 3.1.1.
    #[error("properties need an MQTT 5 session")]
    PropertiesNeedMqtt5,
    /// MQTT 5: the server announced Wildcard Subscription Available 0, so a filter with `+`
    /// or `#` is refused.
    #[error("the server does not accept wildcard subscriptions")]
    WildcardSubscriptionNotAvailable,
    /// MQTT 5: the server announced Shared Subscription Available 0, so a `$share/` filter is
    /// refused.
    #[error("the server does not accept shared subscriptions")]
    SharedSubscriptionNotAvailable,
    /// MQTT 5: the server announced Subscription Identifier Available 0 (AWS IoT does), so a
    /// SUBSCRIBE with a Subscription Identifier is refused.
    #[error("the server does not accept subscription identifiers")]
    SubscriptionIdentifierNotAvailable,
    /// A driver's bounded request queue is full: the request was not queued. Retry once the
    /// driver has passed queued requests to the session (after acknowledgements free room).
    #[error("the request queue of {capacity} entries is full")]
    QueueFull {
        /// The queue's capacity.
        capacity: usize,
    },
    /// A buffer given to the session is smaller than its minimum.
    #[error("{buffer} buffer of {capacity} bytes, needs at least {needed}")]
    BufferTooSmall {
        /// Which buffer: `"receive"` or `"store"`.
        buffer: &'static str,
        /// The bytes it needs.
        needed: usize,
        /// The bytes it has.
        capacity: usize,
    },
}

impl SessionError {
    /// Whether the error is temporary: the request fits once queued requests are sent or acked.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::error::SessionError;
    ///
    /// assert!(SessionError::StoreFull { needed: 40, free: 10 }.is_full());
    /// assert!(!SessionError::RequestTooLarge { len: 400, capacity: 100 }.is_full());
    /// ```
    pub const fn is_full(&self) -> bool {
        matches!(
            self,
            Self::NoFreeSlot { .. } | Self::StoreFull { .. } | Self::QueueFull { .. }
        )
    }
}

/// A well-formed packet that breaks the MQTT protocol.
///
/// # Example
///
/// ```
/// use iot_tls::codec::PacketType;
/// use iot_tls::error::ProtocolError;
///
/// let err = ProtocolError::UnexpectedPacket(PacketType::Subscribe);
/// assert_eq!(err.to_string(), "unexpected SUBSCRIBE from the broker");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A packet a broker never sends, or one out of order (anything before CONNACK, a second
    /// CONNACK).
    #[error("unexpected {0} from the broker")]
    UnexpectedPacket(PacketType),
    /// A PUBLISH at a QoS the session did not subscribe with (QoS 2).
    #[error("PUBLISH at unsupported QoS {0}")]
    Qos(Qos),
    /// A SUBACK whose number of return codes differs from the number of filters subscribed.
    #[error("SUBACK with {found} return codes for {expected} filters")]
    SubAckCount {
        /// The filters in the SUBSCRIBE.
        expected: usize,
        /// The codes in the SUBACK.
        found: usize,
    },
}

/// A request the session could not take, handed back to the caller with the reason.
///
/// Nothing is lost: the request comes back unchanged, to be retried (when
/// [`is_full`](Self::is_full)) after the session has sent or acknowledged what it holds.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{Message, Qos};
/// use iot_tls::session::{Buffers, Config, Session};
///
/// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
/// let mut session: Session<'_, 1> =
///     Session::new(Config::new("dev"), Buffers::new(&mut rx, &mut store))?;
/// let msg = Message::new("t", b"1").with_qos(Qos::AtLeastOnce);
/// session.publish(msg)?;
/// let rejected = session.publish(msg).unwrap_err(); // the one slot is taken
/// assert!(rejected.is_full());
/// assert_eq!(rejected.into_request(), msg);
/// # Ok::<(), iot_tls::Error>(())
/// ```
pub struct Rejected<T> {
    request: T,
    error: Error,
}

impl<T> Rejected<T> {
    pub(crate) const fn new(request: T, error: Error) -> Self {
        Self { request, error }
    }

    /// Why the request was rejected.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::Message;
    /// use iot_tls::session::{Buffers, Config, Session};
    /// use iot_tls::{Error, error::EncodeError, error::TopicError};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let mut session: Session<'_> =
    ///     Session::new(Config::new("dev"), Buffers::new(&mut rx, &mut store))?;
    /// let rejected = session.publish(Message::new("a/#", b"")).unwrap_err();
    /// assert!(matches!(rejected.error(), Error::Encode(EncodeError::Topic(TopicError::Wildcard))));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub const fn error(&self) -> &Error {
        &self.error
    }

    /// Whether the rejection is temporary: the session is full for now.
    ///
    /// # Example
    ///
    /// See [`Rejected`].
    pub const fn is_full(&self) -> bool {
        self.error.is_full()
    }

    /// The request, handed back.
    ///
    /// # Example
    ///
    /// See [`Rejected`].
    pub fn into_request(self) -> T {
        self.request
    }
}

impl<T> fmt::Debug for Rejected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for Rejected<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "request rejected: {}", self.error)
    }
}

impl<T> core::error::Error for Rejected<T> {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<T> From<Rejected<T>> for Error {
    fn from(rejected: Rejected<T>) -> Self {
        rejected.error
    }
}

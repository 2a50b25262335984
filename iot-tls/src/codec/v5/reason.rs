//! MQTT 5 reason codes: one open type for every packet that carries them.

use core::fmt;

use crate::codec::Qos;

/// A reason code of CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT or
/// AUTH.
///
/// Open: every byte is a `ReasonCode`, so a code this crate does not name is kept, not rejected.
/// Codes below 0x80 report success, from 0x80 failure. The constants are the codes of the MQTT 5
/// specification (section 2.4); several share a value (0x00 is Success, Normal Disconnection
/// and Granted QoS 0).
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::ReasonCode;
///
/// assert!(ReasonCode::SUCCESS.is_success());
/// assert!(ReasonCode::NOT_AUTHORIZED.is_error());
/// assert_eq!(ReasonCode::SESSION_TAKEN_OVER.to_string(), "session taken over (0x8e)");
/// assert_eq!(ReasonCode::new(0xfe).to_string(), "reason code 0xfe");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReasonCode(u8);

/// Declares the named reason codes and their text.
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $value:literal, $text:literal;)*) => {
        impl ReasonCode {
            $($(#[$doc])* pub const $name: Self = Self($value);)*
        }

        /// The text of a named code.
        const fn text(code: u8) -> Option<&'static str> {
            // The first name of a shared value wins, as in the specification's table.
            #[allow(unreachable_patterns, reason = "some codes share a value")]
            match code {
                $($value => Some($text),)*
                _ => None,
            }
        }
    };
}

codes! {
    /// Success (also Normal Disconnection and Granted QoS 0).
    SUCCESS = 0x00, "success";
    /// Normal Disconnection: DISCONNECT without an error.
    NORMAL_DISCONNECTION = 0x00, "normal disconnection";
    /// Granted QoS 0 in a SUBACK.
    GRANTED_QOS_0 = 0x00, "granted QoS 0";
    /// Granted QoS 1 in a SUBACK.
    GRANTED_QOS_1 = 0x01, "granted QoS 1";
    /// Granted QoS 2 in a SUBACK.
    GRANTED_QOS_2 = 0x02, "granted QoS 2";
    /// Disconnect with Will Message.
    DISCONNECT_WITH_WILL_MESSAGE = 0x04, "disconnect with will message";
    /// No matching subscribers (PUBACK, PUBREC).
    NO_MATCHING_SUBSCRIBERS = 0x10, "no matching subscribers";
    /// No subscription existed (UNSUBACK).
    NO_SUBSCRIPTION_EXISTED = 0x11, "no subscription existed";
    /// Continue authentication (AUTH).
    CONTINUE_AUTHENTICATION = 0x18, "continue authentication";
    /// Re-authenticate (AUTH).
    RE_AUTHENTICATE = 0x19, "re-authenticate";
    /// Unspecified error.
    UNSPECIFIED_ERROR = 0x80, "unspecified error";
    /// Malformed Packet.
    MALFORMED_PACKET = 0x81, "malformed packet";
    /// Protocol Error.
    PROTOCOL_ERROR = 0x82, "protocol error";
    /// Implementation specific error.
    IMPLEMENTATION_SPECIFIC_ERROR = 0x83, "implementation specific error";
    /// Unsupported Protocol Version.
    UNSUPPORTED_PROTOCOL_VERSION = 0x84, "unsupported protocol version";
    /// Client Identifier not valid.
    CLIENT_IDENTIFIER_NOT_VALID = 0x85, "client identifier not valid";
    /// Bad User Name or Password.
    BAD_USER_NAME_OR_PASSWORD = 0x86, "bad user name or password";
    /// Not authorized.
    NOT_AUTHORIZED = 0x87, "not authorized";
    /// Server unavailable.
    SERVER_UNAVAILABLE = 0x88, "server unavailable";
    /// Server busy.
    SERVER_BUSY = 0x89, "server busy";
    /// Banned.
    BANNED = 0x8a, "banned";
    /// Server shutting down.
    SERVER_SHUTTING_DOWN = 0x8b, "server shutting down";
    /// Bad authentication method.
    BAD_AUTHENTICATION_METHOD = 0x8c, "bad authentication method";
    /// Keep Alive timeout.
    KEEP_ALIVE_TIMEOUT = 0x8d, "keep alive timeout";
    /// Session taken over: another connection used the same client identifier.
    SESSION_TAKEN_OVER = 0x8e, "session taken over";
    /// Topic Filter invalid.
    TOPIC_FILTER_INVALID = 0x8f, "topic filter invalid";
    /// Topic Name invalid.
    TOPIC_NAME_INVALID = 0x90, "topic name invalid";
    /// Packet Identifier in use.
    PACKET_IDENTIFIER_IN_USE = 0x91, "packet identifier in use";
    /// Packet Identifier not found.
    PACKET_IDENTIFIER_NOT_FOUND = 0x92, "packet identifier not found";
    /// Receive Maximum exceeded.
    RECEIVE_MAXIMUM_EXCEEDED = 0x93, "receive maximum exceeded";
    /// Topic Alias invalid.
    TOPIC_ALIAS_INVALID = 0x94, "topic alias invalid";
    /// Packet too large.
    PACKET_TOO_LARGE = 0x95, "packet too large";
    /// Message rate too high.
    MESSAGE_RATE_TOO_HIGH = 0x96, "message rate too high";
    /// Quota exceeded.
    QUOTA_EXCEEDED = 0x97, "quota exceeded";
    /// Administrative action.
    ADMINISTRATIVE_ACTION = 0x98, "administrative action";
    /// Payload format invalid.
    PAYLOAD_FORMAT_INVALID = 0x99, "payload format invalid";
    /// Retain not supported.
    RETAIN_NOT_SUPPORTED = 0x9a, "retain not supported";
    /// QoS not supported.
    QOS_NOT_SUPPORTED = 0x9b, "QoS not supported";
    /// Use another server.
    USE_ANOTHER_SERVER = 0x9c, "use another server";
    /// Server moved.
    SERVER_MOVED = 0x9d, "server moved";
    /// Shared Subscriptions not supported.
    SHARED_SUBSCRIPTIONS_NOT_SUPPORTED = 0x9e, "shared subscriptions not supported";
    /// Connection rate exceeded.
    CONNECTION_RATE_EXCEEDED = 0x9f, "connection rate exceeded";
    /// Maximum connect time.
    MAXIMUM_CONNECT_TIME = 0xa0, "maximum connect time";
    /// Subscription Identifiers not supported.
    SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED = 0xa1, "subscription identifiers not supported";
    /// Wildcard Subscriptions not supported.
    WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED = 0xa2, "wildcard subscriptions not supported";
}

impl ReasonCode {
    /// The code with wire value `value`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::v5::ReasonCode;
    ///
    /// assert_eq!(ReasonCode::new(0x87), ReasonCode::NOT_AUTHORIZED);
    /// ```
    pub const fn new(value: u8) -> Self {
        Self(value)
    }

    /// The wire value.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::codec::v5::ReasonCode::PACKET_TOO_LARGE.as_u8(), 0x95);
    /// ```
    pub const fn as_u8(self) -> u8 {
        self.0
    }

    /// Whether the code reports success (below 0x80).
    ///
    /// # Example
    ///
    /// See [`ReasonCode`].
    pub const fn is_success(self) -> bool {
        self.0 < 0x80
    }

    /// Whether the code reports a failure (0x80 and above).
    ///
    /// # Example
    ///
    /// See [`ReasonCode`].
    pub const fn is_error(self) -> bool {
        !self.is_success()
    }

    /// The QoS a SUBACK code grants, if it grants one.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Qos, v5::ReasonCode};
    ///
    /// assert_eq!(ReasonCode::GRANTED_QOS_1.granted(), Some(Qos::AtLeastOnce));
    /// assert_eq!(ReasonCode::NOT_AUTHORIZED.granted(), None);
    /// ```
    pub const fn granted(self) -> Option<Qos> {
        Qos::from_u8(self.0)
    }
}

impl fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match text(self.0) {
            Some(text) => write!(f, "{text} (0x{:02x})", self.0),
            None => write!(f, "reason code 0x{:02x}", self.0),
        }
    }
}

impl From<u8> for ReasonCode {
    fn from(value: u8) -> Self {
        Self(value)
    }
}

//! CONNECT and CONNACK of MQTT 5: protocol level 5, properties, a will with properties.

use core::fmt;

use super::{Place, Properties, ReasonCode};
use crate::codec::connect::{
    CLEAN_SESSION, PASSWORD, PROTOCOL_NAME, USERNAME, WILL, WILL_QOS_SHIFT, WILL_RETAIN,
};
use crate::codec::{
    Body, Message, PacketType, Password, Qos, Reader, RedactedUsername, Writer, check_binary,
    check_string, check_topic_name,
};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// The protocol level of MQTT 5.
pub const PROTOCOL_LEVEL: u8 = 5;

/// The will of an MQTT 5 CONNECT: a message and its properties (Will Delay Interval, expiry,
/// content type, response topic, correlation data, user properties).
///
/// # Example
///
/// See [`Connect`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Will<'a> {
    /// The message the broker publishes when the connection drops without DISCONNECT.
    pub message: Message<'a>,
    /// The will properties.
    pub properties: Properties<'a>,
}

/// CONNECT of MQTT 5.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{Message, Password};
/// use iot_tls::codec::v5::{self, Connect, Packet, Properties, Property, PropertyBuilder, Will};
///
/// let mut buf = [0u8; 16];
/// let mut props = PropertyBuilder::new(&mut buf, iot_tls::codec::PacketType::Connect);
/// props.push(Property::SessionExpiryInterval(3600))?;
/// props.push(Property::MaximumPacketSize(4096))?;
/// let connect = Connect {
///     clean_start: false,
///     properties: props.finish(),
///     will: Some(Will { message: Message::new("status/dev1", b"offline"), properties: Properties::EMPTY }),
///     username: Some("dev1"),
///     password: Some(Password::new(b"secret")),
///     ..Connect::new("dev1")
/// };
/// let mut out = [0u8; 96];
/// let len = Packet::Connect(connect).encode(&mut out)?;
/// assert_eq!(out[8], 5); // protocol level 5
/// assert_eq!(v5::decode(&out[..len])?, Some((Packet::Connect(connect), len)));
/// assert!(!format!("{connect:?}").contains("secret"));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Connect<'a> {
    /// The client identifier; empty asks the server to assign one.
    pub client_id: &'a str,
    /// The keep-alive interval in seconds; 0 turns keep-alive off.
    pub keep_alive: u16,
    /// Whether the broker discards any previous session (Clean Start).
    pub clean_start: bool,
    /// The properties (Session Expiry Interval, Receive Maximum, Maximum Packet Size, Topic
    /// Alias Maximum, request flags, authentication, user properties).
    pub properties: Properties<'a>,
    /// The will.
    pub will: Option<Will<'a>>,
    /// The user name.
    pub username: Option<&'a str>,
    /// The password (MQTT 5 allows one without a user name).
    pub password: Option<Password<'a>>,
}

/// Hides the password and the query of the user name.
impl fmt::Debug for Connect<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("client_id", &self.client_id)
            .field("keep_alive", &self.keep_alive)
            .field("clean_start", &self.clean_start)
            .field("properties", &self.properties)
            .field("will", &self.will)
            .field("username", &self.username.map(RedactedUsername))
            .field("password", &self.password)
            .finish()
    }
}

impl<'a> Connect<'a> {
    /// A CONNECT for `client_id` with keep-alive 60 s, Clean Start, no properties, no will and
    /// no credentials.
    ///
    /// # Example
    ///
    /// ```
    /// let connect = iot_tls::codec::v5::Connect::new("dev1");
    /// assert!(connect.clean_start);
    /// ```
    pub const fn new(client_id: &'a str) -> Self {
        Self {
            client_id,
            keep_alive: 60,
            clean_start: true,
            properties: Properties::EMPTY,
            will: None,
            username: None,
            password: None,
        }
    }

    fn flags_byte(&self) -> u8 {
        let mut flags = 0;
        if self.clean_start {
            flags |= CLEAN_SESSION;
        }
        if let Some(will) = &self.will {
            flags |= WILL | (will.message.qos.as_u8() << WILL_QOS_SHIFT);
            if will.message.retain {
                flags |= WILL_RETAIN;
            }
        }
        if self.username.is_some() {
            flags |= USERNAME;
        }
        if self.password.is_some() {
            flags |= PASSWORD;
        }
        flags
    }
}

impl<'a> Body<'a> for Connect<'a> {
    const TYPE: PacketType = PacketType::Connect;

    fn body_len(&self) -> usize {
        let mut len = 2 + PROTOCOL_NAME.len() + 1 + 1 + 2 + self.properties.wire_len();
        len += 2 + self.client_id.len();
        if let Some(will) = &self.will {
            len += will.properties.wire_len();
            len += 2 + will.message.topic.len() + 2 + will.message.payload.len();
        }
        if let Some(username) = self.username {
            len += 2 + username.len();
        }
        if let Some(password) = &self.password {
            len += 2 + password.as_bytes().len();
        }
        len
    }

    fn validate(&self) -> Result<(), EncodeError> {
        check_string(self.client_id)?;
        self.properties.validate(Place::packet(Self::TYPE))?;
        if let Some(will) = &self.will {
            check_topic_name(will.message.topic)?;
            check_binary(will.message.payload)?;
            will.properties.validate(Place::WILL)?;
        }
        if let Some(username) = self.username {
            check_string(username)?;
        }
        if let Some(password) = &self.password {
            check_binary(password.as_bytes())?;
        }
        Ok(())
    }

    fn write_body(&self, w: &mut Writer<'_>) {
        w.string(PROTOCOL_NAME);
        w.u8(PROTOCOL_LEVEL);
        w.u8(self.flags_byte());
        w.u16(self.keep_alive);
        self.properties.write(w);
        w.string(self.client_id);
        if let Some(will) = &self.will {
            will.properties.write(w);
            w.string(will.message.topic);
            w.binary(will.message.payload);
        }
        if let Some(username) = self.username {
            w.string(username);
        }
        if let Some(password) = &self.password {
            w.binary(password.as_bytes());
        }
    }

    fn read(_flags: u8, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let at = r.position();
        if r.string()? != PROTOCOL_NAME {
            return Err(Reader::error_at(DecodeErrorKind::ProtocolName, at));
        }
        let at = r.position();
        let level = r.u8()?;
        if level != PROTOCOL_LEVEL {
            return Err(Reader::error_at(DecodeErrorKind::ProtocolLevel(level), at));
        }
        let at = r.position();
        let flags = r.u8()?;
        if flags & 1 != 0 {
            return Err(Reader::error_at(DecodeErrorKind::ReservedBits(flags), at));
        }
        let will_qos = (flags >> WILL_QOS_SHIFT) & 0b11;
        let has_will = flags & WILL != 0;
        if !has_will && flags & (WILL_RETAIN | (0b11 << WILL_QOS_SHIFT)) != 0 {
            return Err(Reader::error_at(DecodeErrorKind::ConnectFlags(flags), at));
        }
        let will_qos =
            Qos::from_u8(will_qos).ok_or(Reader::error_at(DecodeErrorKind::Qos(will_qos), at))?;
        let keep_alive = r.u16()?;
        let properties = Properties::read(r, Place::packet(Self::TYPE))?;
        let client_id = r.string()?;
        let will = if has_will {
            let properties = Properties::read(r, Place::WILL)?;
            Some(Will {
                message: Message {
                    topic: r.topic_name()?,
                    payload: r.binary()?,
                    qos: will_qos,
                    retain: flags & WILL_RETAIN != 0,
                },
                properties,
            })
        } else {
            None
        };
        let username = if flags & USERNAME != 0 {
            Some(r.string()?)
        } else {
            None
        };
        let password = if flags & PASSWORD != 0 {
            Some(Password::new(r.binary()?))
        } else {
            None
        };
        Ok(Self {
            client_id,
            keep_alive,
            clean_start: flags & CLEAN_SESSION != 0,
            properties,
            will,
            username,
            password,
        })
    }
}

/// CONNACK of MQTT 5: the server's answer, with a reason code and the server's limits in its
/// properties (Receive Maximum, Maximum QoS, Retain Available, Maximum Packet Size, Topic Alias
/// Maximum, Server Keep Alive, Assigned Client Identifier, subscription features).
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::{self, Packet, ReasonCode};
///
/// #[rustfmt::skip]
/// let bytes = [
///     0x20, 0x06,
///     0x01,                   // session present
///     0x00,                   // Success
///     0x03, 0x21, 0x00, 0x64, // Receive Maximum 100
/// ];
/// let Some((Packet::ConnAck(ack), _)) = v5::decode(&bytes)? else { unreachable!() };
/// assert!(ack.session_present);
/// assert_eq!(ack.reason, ReasonCode::SUCCESS);
/// assert_eq!(ack.properties.receive_maximum(), Some(100));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnAck<'a> {
    /// Whether the server kept the session.
    pub session_present: bool,
    /// Whether the connection is accepted, and if not why.
    pub reason: ReasonCode,
    /// The properties.
    pub properties: Properties<'a>,
}

impl<'a> Body<'a> for ConnAck<'a> {
    const TYPE: PacketType = PacketType::ConnAck;

    fn body_len(&self) -> usize {
        2 + self.properties.wire_len()
    }

    fn validate(&self) -> Result<(), EncodeError> {
        self.properties.validate(Place::packet(Self::TYPE))
    }

    fn write_body(&self, w: &mut Writer<'_>) {
        w.u8(u8::from(self.session_present));
        w.u8(self.reason.as_u8());
        self.properties.write(w);
    }

    fn read(_flags: u8, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let at = r.position();
        let flags = r.u8()?;
        if flags & !1 != 0 {
            return Err(Reader::error_at(DecodeErrorKind::ReservedBits(flags), at));
        }
        let reason = ReasonCode::new(r.u8()?);
        Ok(Self {
            session_present: flags == 1,
            reason,
            properties: Properties::read(r, Place::packet(Self::TYPE))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::v5::Packet;
    use crate::codec::v5::tests::{decode_err, round_trip};

    #[rustfmt::skip]
    const FULL: &[u8] = &[
        0x10, 43,                               // CONNECT, remaining length 43
        0x00, 0x04, b'M', b'Q', b'T', b'T',     // protocol name
        0x05,                                   // level 5
        0b1100_1100,                            // user, password, will QoS 1, will
        0x00, 0x1e,                             // keep-alive 30 s
        0x05, 0x11, 0x00, 0x00, 0x0e, 0x10,     // Session Expiry Interval 3600
        0x00, 0x02, b'd', b'1',                 // client id
        0x05, 0x18, 0x00, 0x00, 0x00, 0x0a,     // Will Delay Interval 10
        0x00, 0x03, b'w', b'/', b't',           // will topic
        0x00, 0x03, b'o', b'f', b'f',           // will payload
        0x00, 0x01, b'u',                       // user name
        0x00, 0x02, b'p', b'w',                 // password
    ];

    #[test]
    fn decodes_every_field() {
        let Packet::Connect(c) = round_trip(FULL) else {
            panic!()
        };
        assert_eq!(
            (c.client_id, c.keep_alive, c.clean_start),
            ("d1", 30, false)
        );
        assert_eq!(c.properties.session_expiry_interval(), Some(3600));
        let will = c.will.unwrap();
        assert_eq!(will.message.qos, Qos::AtLeastOnce);
        assert_eq!(will.properties.will_delay_interval(), Some(10));
        assert_eq!(c.username, Some("u"));
        assert_eq!(c.password.map(|p| p.as_bytes()), Some(&b"pw"[..]));
    }

    #[test]
    fn level_and_will_properties_are_checked() {
        let mut v4 = FULL.to_vec();
        v4[8] = 4;
        assert_eq!(decode_err(&v4), (DecodeErrorKind::ProtocolLevel(4), 8));
        // Session Expiry Interval in the will properties.
        let mut bad = FULL.to_vec();
        bad[23] = 0x11;
        assert!(matches!(
            decode_err(&bad),
            (DecodeErrorKind::PropertyNotAllowed { id: 0x11, .. }, 23)
        ));
    }

    #[test]
    fn connack_with_limits() {
        #[rustfmt::skip]
        let bytes = [
            0x20, 0x14, 0x00, 0x00,
            0x11,
            0x24, 0x01,                         // Maximum QoS 1
            0x25, 0x00,                         // Retain Available 0
            0x27, 0x00, 0x01, 0x00, 0x00,       // Maximum Packet Size 65536
            0x12, 0x00, 0x03, b'a', b'b', b'c', // Assigned Client Identifier
            0x2a, 0x00,                         // Shared Subscription Available 0
        ];
        let Packet::ConnAck(ack) = round_trip(&bytes) else {
            panic!()
        };
        assert_eq!(ack.properties.maximum_qos(), Some(1));
        assert_eq!(ack.properties.retain_available(), Some(0));
        assert_eq!(ack.properties.maximum_packet_size(), Some(65_536));
        assert_eq!(ack.properties.assigned_client_identifier(), Some("abc"));
        assert_eq!(ack.properties.shared_subscription_available(), Some(0));
        assert_eq!(
            decode_err(&[0x20, 0x03, 0x02, 0x00, 0x00]),
            (DecodeErrorKind::ReservedBits(2), 2)
        );
        // The property block is not optional in a CONNACK.
        assert_eq!(
            decode_err(&[0x20, 0x02, 0x00, 0x00]),
            (DecodeErrorKind::UnexpectedEnd, 4)
        );
    }
}

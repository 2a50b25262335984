//! CONNECT: the first packet of a connection, client to broker.

use core::fmt;

use super::{
    Body, Message, PacketType, Qos, Reader, Writer, check_binary, check_string, check_topic_name,
};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::secret::RedactedUsername;

pub(crate) const PROTOCOL_NAME: &str = "MQTT";
const PROTOCOL_LEVEL: u8 = 4;

/// Clean Session (MQTT 3.1.1), Clean Start (MQTT 5).
pub(crate) const CLEAN_SESSION: u8 = 0b0000_0010;
pub(crate) const WILL: u8 = 0b0000_0100;
pub(crate) const WILL_QOS_SHIFT: u8 = 3;
pub(crate) const WILL_RETAIN: u8 = 0b0010_0000;
pub(crate) const PASSWORD: u8 = 0b0100_0000;
pub(crate) const USERNAME: u8 = 0b1000_0000;

/// CONNECT: opens an MQTT session.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{Connect, Message, Packet, Password};
///
/// let connect = Connect {
///     keep_alive: 30,
///     clean_session: false,
///     will: Some(Message::new("status/dev1", b"offline")),
///     username: Some("dev1"),
///     password: Some(Password::new(b"secret")),
///     ..Connect::new("dev1")
/// };
/// let mut buf = [0u8; 64];
/// let len = Packet::Connect(connect).encode(&mut buf)?;
/// assert_eq!(&buf[..8], [0x10, len as u8 - 2, 0x00, 0x04, b'M', b'Q', b'T', b'T']);
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Connect<'a> {
    /// The client identifier (AWS IoT: at most 128 bytes).
    pub client_id: &'a str,
    /// The keep-alive interval in seconds; 0 turns keep-alive off.
    pub keep_alive: u16,
    /// Whether the broker discards any previous session state.
    pub clean_session: bool,
    /// The message the broker publishes if the connection drops without DISCONNECT.
    pub will: Option<Message<'a>>,
    /// The user name.
    pub username: Option<&'a str>,
    /// The password (MQTT 3.1.1 allows one only together with a user name).
    pub password: Option<Password<'a>>,
}

/// Hides the password and the query of the user name (an AWS custom-authorizer user name carries
/// its token there).
impl fmt::Debug for Connect<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connect")
            .field("client_id", &self.client_id)
            .field("keep_alive", &self.keep_alive)
            .field("clean_session", &self.clean_session)
            .field("will", &self.will)
            .field("username", &self.username.map(RedactedUsername))
            .field("password", &self.password)
            .finish()
    }
}

impl<'a> Connect<'a> {
    /// A CONNECT for `client_id` with keep-alive 60 s, a clean session, no will and no
    /// credentials.
    ///
    /// # Example
    ///
    /// ```
    /// let connect = iot_tls::codec::Connect::new("dev1");
    /// assert_eq!(connect.keep_alive, 60);
    /// assert!(connect.clean_session);
    /// ```
    pub const fn new(client_id: &'a str) -> Self {
        Self {
            client_id,
            keep_alive: 60,
            clean_session: true,
            will: None,
            username: None,
            password: None,
        }
    }

    fn flags_byte(&self) -> u8 {
        let mut flags = 0;
        if self.clean_session {
            flags |= CLEAN_SESSION;
        }
        if let Some(will) = &self.will {
            flags |= WILL | (will.qos.as_u8() << WILL_QOS_SHIFT);
            if will.retain {
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
        // Protocol name, level, flags and keep-alive.
        let mut len = 2 + PROTOCOL_NAME.len() + 1 + 1 + 2;
        len += 2 + self.client_id.len();
        if let Some(will) = &self.will {
            len += 2 + will.topic.len() + 2 + will.payload.len();
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
        if let Some(will) = &self.will {
            check_topic_name(will.topic)?;
            check_binary(will.payload)?;
        }
        if let Some(username) = self.username {
            check_string(username)?;
        }
        if let Some(password) = &self.password {
            if self.username.is_none() {
                return Err(EncodeError::PasswordWithoutUsername);
            }
            check_binary(password.as_bytes())?;
        }
        Ok(())
    }

    fn write_body(&self, w: &mut Writer<'_>) {
        w.string(PROTOCOL_NAME);
        w.u8(PROTOCOL_LEVEL);
        w.u8(self.flags_byte());
        w.u16(self.keep_alive);
        w.string(self.client_id);
        if let Some(will) = &self.will {
            w.string(will.topic);
            w.binary(will.payload);
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
        if (!has_will && flags & (WILL_RETAIN | (0b11 << WILL_QOS_SHIFT)) != 0)
            || (flags & PASSWORD != 0 && flags & USERNAME == 0)
        {
            return Err(Reader::error_at(DecodeErrorKind::ConnectFlags(flags), at));
        }
        let will_qos =
            Qos::from_u8(will_qos).ok_or(Reader::error_at(DecodeErrorKind::Qos(will_qos), at))?;
        let keep_alive = r.u16()?;
        let client_id = r.string()?;
        let will = if has_will {
            Some(Message {
                topic: r.topic_name()?,
                payload: r.binary()?,
                qos: will_qos,
                retain: flags & WILL_RETAIN != 0,
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
            clean_session: flags & CLEAN_SESSION != 0,
            will,
            username,
            password,
        })
    }
}

/// A password: a [`Secret`](crate::Secret) of bytes, which `Debug` never shows and `==`
/// compares in constant time.
///
/// # Example
///
/// ```
/// use iot_tls::codec::Password;
///
/// let password = Password::new(b"hunter2");
/// assert_eq!(format!("{password:?}"), "***");
/// assert_eq!(password.as_bytes(), b"hunter2");
/// ```
pub type Password<'a> = crate::Secret<&'a [u8]>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Packet;
    use crate::codec::tests::{decode_err, round_trip};

    #[rustfmt::skip]
    const FULL: &[u8] = &[
        0x10, 41,                               // CONNECT, remaining length 41
        0x00, 0x04, b'M', b'Q', b'T', b'T',     // protocol name
        0x04,                                   // level 4: MQTT 3.1.1
        0b1110_1100,                            // user, password, will retain, will QoS 1, will
        0x00, 0x1e,                             // keep-alive 30 s
        0x00, 0x04, b'd', b'e', b'v', b'1',     // client id
        0x00, 0x06, b's', b't', b'/', b'd', b'e', b'v', // will topic
        0x00, 0x03, b'o', b'f', b'f',           // will payload
        0x00, 0x04, b'u', b's', b'e', b'r',     // user name
        0x00, 0x04, b'p', b'a', b's', b's',     // password
    ];

    #[test]
    fn decodes_every_field() {
        let Packet::Connect(connect) = round_trip(FULL) else {
            panic!("not a CONNECT");
        };
        assert_eq!(
            connect,
            Connect {
                client_id: "dev1",
                keep_alive: 30,
                clean_session: false,
                will: Some(
                    Message::new("st/dev", b"off")
                        .with_qos(Qos::AtLeastOnce)
                        .with_retain(true)
                ),
                username: Some("user"),
                password: Some(Password::new(b"pass")),
            }
        );
    }

    #[test]
    fn minimal_connect() {
        #[rustfmt::skip]
        let bytes = [
            0x10, 12,
            0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04,
            0b0000_0010,                        // clean session only
            0x00, 0x00,                         // keep-alive off
            0x00, 0x00,                         // empty client id
        ];
        assert_eq!(
            round_trip(&bytes),
            Packet::Connect(Connect {
                keep_alive: 0,
                ..Connect::new("")
            })
        );
    }

    #[test]
    fn malformed_headers_name_the_byte() {
        let mut bad = FULL.to_vec();
        bad[5] = b'X';
        assert_eq!(decode_err(&bad), (DecodeErrorKind::ProtocolName, 2));
        let mut bad = FULL.to_vec();
        bad[8] = 3;
        assert_eq!(decode_err(&bad), (DecodeErrorKind::ProtocolLevel(3), 8));
        let mut bad = FULL.to_vec();
        bad[9] |= 1;
        assert_eq!(
            decode_err(&bad),
            (DecodeErrorKind::ReservedBits(0b1110_1101), 9)
        );
        let mut bad = FULL.to_vec();
        bad[9] = 0b0111_1100; // password without user name
        assert_eq!(
            decode_err(&bad),
            (DecodeErrorKind::ConnectFlags(0b0111_1100), 9)
        );
        let mut bad = FULL.to_vec();
        bad[9] = 0b1100_1000; // will QoS without will
        assert_eq!(
            decode_err(&bad),
            (DecodeErrorKind::ConnectFlags(0b1100_1000), 9)
        );
        let mut bad = FULL.to_vec();
        bad[9] = 0b1101_1100; // will QoS 3
        assert_eq!(decode_err(&bad), (DecodeErrorKind::Qos(3), 9));
        let mut bad = FULL.to_vec();
        bad[22] = b'#'; // wildcard in the will topic
        assert_eq!(
            decode_err(&bad),
            (
                DecodeErrorKind::Topic(crate::error::TopicError::Wildcard),
                22
            )
        );
        let mut bad = FULL.to_vec();
        bad[15] = 0xff; // invalid UTF-8 in the client id
        assert_eq!(decode_err(&bad), (DecodeErrorKind::Utf8, 15));
        let mut bad = FULL.to_vec();
        bad[13] = 0x40; // client id longer than the packet
        assert_eq!(decode_err(&bad), (DecodeErrorKind::UnexpectedEnd, 12));
    }

    #[test]
    fn debug_hides_the_password_and_the_user_name_query() {
        let connect = Connect {
            username: Some("dev?x-amz-customauthorizer-signature=SIG&token=TOKEN"),
            password: Some(Password::new(b"PASSWORD")),
            ..Connect::new("c")
        };
        let debug = std::format!("{connect:?}");
        for secret in ["SIG", "TOKEN", "PASSWORD"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains(r#"username: Some("dev?***")"#), "{debug}");
        let plain = std::format!(
            "{:?}",
            Connect {
                username: Some("dev"),
                ..Connect::new("c")
            }
        );
        assert!(plain.contains(r#"username: Some("dev")"#), "{plain}");
    }

    #[test]
    fn password_needs_a_user_name() {
        let connect = Connect {
            password: Some(Password::new(b"x")),
            ..Connect::new("c")
        };
        let mut buf = [0u8; 32];
        assert_eq!(
            Packet::Connect(connect).encode(&mut buf),
            Err(EncodeError::PasswordWithoutUsername)
        );
    }
}

//! CONNACK: the broker's answer to CONNECT.

use core::fmt;

use super::{Body, PacketType, Reader, Writer};
use crate::error::{DecodeError, DecodeErrorKind};

/// CONNACK: accepts or refuses a connection.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{self, ConnAck, ConnectReturnCode, Packet};
///
/// let (packet, _) = codec::decode(&[0x20, 0x02, 0x01, 0x00])?.unwrap();
/// assert_eq!(packet, Packet::ConnAck(ConnAck::new(true, ConnectReturnCode::Accepted)));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConnAck {
    /// Whether the broker kept the session of a `clean_session = false` client.
    pub session_present: bool,
    /// Whether the connection is accepted, and if not why.
    pub code: ConnectReturnCode,
}

impl ConnAck {
    /// A CONNACK with `session_present` and `code`.
    ///
    /// # Example
    ///
    /// See [`ConnAck`].
    pub const fn new(session_present: bool, code: ConnectReturnCode) -> Self {
        Self {
            session_present,
            code,
        }
    }
}

impl Body<'_> for ConnAck {
    const TYPE: PacketType = PacketType::ConnAck;

    fn body_len(&self) -> usize {
        2
    }

    fn write_body(&self, w: &mut Writer<'_>) {
        w.u8(u8::from(self.session_present));
        w.u8(self.code.as_u8());
    }

    fn read(_flags: u8, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.position();
        let flags = r.u8()?;
        if flags & !1 != 0 {
            return Err(Reader::error_at(DecodeErrorKind::ReservedBits(flags), at));
        }
        Ok(Self {
            session_present: flags == 1,
            code: ConnectReturnCode::from_u8(r.u8()?),
        })
    }
}

/// The return code of a CONNACK.
///
/// Codes MQTT 3.1.1 reserves (6 to 255) are kept as [`Other`](Self::Other), not rejected. AWS IoT
/// answers an unauthorised client with [`NotAuthorized`](Self::NotAuthorized).
///
/// # Example
///
/// ```
/// use iot_tls::codec::ConnectReturnCode;
///
/// assert_eq!(ConnectReturnCode::from_u8(5), ConnectReturnCode::NotAuthorized);
/// assert_eq!(ConnectReturnCode::from_u8(9), ConnectReturnCode::Other(9));
/// assert_eq!(ConnectReturnCode::Other(9).as_u8(), 9);
/// assert!(ConnectReturnCode::Accepted.is_accepted());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectReturnCode {
    /// 0: connection accepted.
    Accepted,
    /// 1: the broker does not speak MQTT 3.1.1.
    UnacceptableProtocolVersion,
    /// 2: the client identifier is not allowed.
    IdentifierRejected,
    /// 3: the MQTT service is unavailable.
    ServerUnavailable,
    /// 4: malformed user name or password.
    BadUsernameOrPassword,
    /// 5: the client is not authorised to connect.
    NotAuthorized,
    /// A code MQTT 3.1.1 reserves.
    Other(u8),
}

impl ConnectReturnCode {
    /// The code with wire value `value`.
    ///
    /// # Example
    ///
    /// See [`ConnectReturnCode`].
    pub const fn from_u8(value: u8) -> Self {
        match value {
            0 => Self::Accepted,
            1 => Self::UnacceptableProtocolVersion,
            2 => Self::IdentifierRejected,
            3 => Self::ServerUnavailable,
            4 => Self::BadUsernameOrPassword,
            5 => Self::NotAuthorized,
            other => Self::Other(other),
        }
    }

    /// The wire value.
    ///
    /// # Example
    ///
    /// See [`ConnectReturnCode`].
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::Accepted => 0,
            Self::UnacceptableProtocolVersion => 1,
            Self::IdentifierRejected => 2,
            Self::ServerUnavailable => 3,
            Self::BadUsernameOrPassword => 4,
            Self::NotAuthorized => 5,
            Self::Other(other) => other,
        }
    }

    /// Whether the connection is accepted.
    ///
    /// # Example
    ///
    /// See [`ConnectReturnCode`].
    pub const fn is_accepted(self) -> bool {
        matches!(self, Self::Accepted)
    }
}

impl fmt::Display for ConnectReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Accepted => f.write_str("connection accepted"),
            Self::UnacceptableProtocolVersion => f.write_str("unacceptable protocol version"),
            Self::IdentifierRejected => f.write_str("client identifier rejected"),
            Self::ServerUnavailable => f.write_str("server unavailable"),
            Self::BadUsernameOrPassword => f.write_str("bad user name or password"),
            Self::NotAuthorized => f.write_str("not authorized"),
            Self::Other(code) => write!(f, "reserved return code {code}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Packet;
    use crate::codec::tests::{decode_err, round_trip};

    #[test]
    fn every_return_code_round_trips() {
        for code in 0..=255u8 {
            #[rustfmt::skip]
            let bytes = [
                0x20, 0x02, // CONNACK, remaining length 2
                0x00,       // no session present
                code,       // return code
            ];
            let packet = round_trip(&bytes);
            assert_eq!(
                packet,
                Packet::ConnAck(ConnAck::new(false, ConnectReturnCode::from_u8(code)))
            );
            assert_eq!(ConnectReturnCode::from_u8(code).as_u8(), code);
        }
    }

    #[test]
    fn session_present() {
        assert_eq!(
            round_trip(&[0x20, 0x02, 0x01, 0x00]),
            Packet::ConnAck(ConnAck::new(true, ConnectReturnCode::Accepted))
        );
    }

    #[test]
    fn reserved_ack_flags_and_lengths() {
        assert_eq!(
            decode_err(&[0x20, 0x02, 0x02, 0x00]),
            (DecodeErrorKind::ReservedBits(2), 2)
        );
        assert_eq!(
            decode_err(&[0x20, 0x01, 0x00]),
            (DecodeErrorKind::UnexpectedEnd, 3)
        );
        assert_eq!(
            decode_err(&[0x20, 0x03, 0x00, 0x00, 0x00]),
            (DecodeErrorKind::TrailingBytes, 4)
        );
    }
}

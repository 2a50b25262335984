//! DISCONNECT of MQTT 5: sent by either side, with a reason code and properties.

use super::{Properties, ReasonCode};

/// DISCONNECT: ends a connection, from the client or (MQTT 5) from the server, saying why.
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::{self, Disconnect, Packet, ReasonCode};
///
/// // The broker took the session over for another connection with the same client id.
/// let (packet, _) = v5::decode(&[0xe0, 0x01, 0x8e])?.unwrap();
/// let Packet::Disconnect(d) = packet else { unreachable!() };
/// assert_eq!(d.reason, ReasonCode::SESSION_TAKEN_OVER);
/// assert_eq!(v5::decode(&[0xe0, 0x00])?.unwrap().0, Packet::Disconnect(Disconnect::NORMAL));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Disconnect<'a> {
    /// Why the connection ends.
    pub reason: ReasonCode,
    /// The properties (Session Expiry Interval, Reason String, Server Reference, user
    /// properties).
    pub properties: Properties<'a>,
}

impl Disconnect<'_> {
    /// A normal disconnection without properties: two bytes on the wire.
    pub const NORMAL: Self = Self {
        reason: ReasonCode::NORMAL_DISCONNECTION,
        properties: Properties::EMPTY,
    };
}

/// AUTH: a step of enhanced authentication (MQTT 5 only).
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::{self, Packet, ReasonCode};
///
/// #[rustfmt::skip]
/// let bytes = [
///     0xf0, 0x0a,
///     0x18,                                           // Continue authentication
///     0x08, 0x15, 0x00, 0x05, b'S', b'C', b'R', b'A', b'M', // Authentication Method
/// ];
/// let Some((Packet::Auth(auth), _)) = v5::decode(&bytes)? else { unreachable!() };
/// assert_eq!(auth.reason, ReasonCode::CONTINUE_AUTHENTICATION);
/// assert_eq!(auth.properties.authentication_method(), Some("SCRAM"));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Auth<'a> {
    /// Success, Continue authentication or Re-authenticate.
    pub reason: ReasonCode,
    /// The properties (Authentication Method and Data, Reason String, user properties).
    pub properties: Properties<'a>,
}

reason_body!(Disconnect);
reason_body!(Auth);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::v5::Packet;
    use crate::codec::v5::tests::{decode_err, round_trip};
    use crate::error::DecodeErrorKind;

    #[test]
    fn server_disconnect_with_reason_string_and_server_reference() {
        #[rustfmt::skip]
        let bytes = [
            0xe0, 0x0c,
            0x9c,                                   // Use another server
            0x0a,
            0x1c, 0x00, 0x02, b'h', b'2',           // Server Reference "h2"
            0x1f, 0x00, 0x02, b'g', b'o',           // Reason String "go"
        ];
        let Packet::Disconnect(d) = round_trip(&bytes) else {
            panic!()
        };
        assert_eq!(d.reason, ReasonCode::USE_ANOTHER_SERVER);
        assert_eq!(d.properties.server_reference(), Some("h2"));
        assert_eq!(d.properties.reason_string(), Some("go"));
        assert_eq!(
            round_trip(&[0xe0, 0x00]),
            Packet::Disconnect(Disconnect::NORMAL)
        );
        assert_eq!(
            round_trip(&[0xf0, 0x00]),
            Packet::Auth(Auth {
                reason: ReasonCode::SUCCESS,
                properties: Properties::EMPTY
            })
        );
        // AUTH may not carry a Server Reference.
        assert!(matches!(
            decode_err(&[0xf0, 0x06, 0x18, 0x04, 0x1c, 0x00, 0x01, b'h']),
            (DecodeErrorKind::PropertyNotAllowed { id: 0x1c, .. }, 4)
        ));
    }
}

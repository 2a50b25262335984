//! UNSUBSCRIBE and UNSUBACK of MQTT 5: UNSUBACK carries a reason code per filter.

use super::{Properties, ReasonCode};
use crate::codec::{List, PacketId};

/// UNSUBSCRIBE of MQTT 5.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{List, PacketId};
/// use iot_tls::codec::v5::{self, Packet, Unsubscribe};
///
/// let unsubscribe = Unsubscribe::new(PacketId::new(2).unwrap(), List::new(&["a/#"]));
/// let mut buf = [0u8; 16];
/// let len = Packet::Unsubscribe(unsubscribe).encode(&mut buf)?;
/// assert_eq!(&buf[..len], [0xa2, 0x08, 0x00, 0x02, 0x00, 0x00, 0x03, b'a', b'/', b'#']);
/// assert_eq!(v5::decode(&buf[..len])?, Some((Packet::Unsubscribe(unsubscribe), len)));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unsubscribe<'a> {
    /// The identifier the UNSUBACK answers.
    pub packet_id: PacketId,
    /// The properties (user properties).
    pub properties: Properties<'a>,
    /// The filters.
    pub filters: List<'a, &'a str>,
}

impl<'a> Unsubscribe<'a> {
    /// An UNSUBSCRIBE of `filters` without properties.
    ///
    /// # Example
    ///
    /// See [`Unsubscribe`].
    pub const fn new(packet_id: PacketId, filters: List<'a, &'a str>) -> Self {
        Self {
            packet_id,
            properties: Properties::EMPTY,
            filters,
        }
    }
}

/// UNSUBACK of MQTT 5: a reason code per filter.
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::{self, Packet, ReasonCode};
///
/// let (packet, _) = v5::decode(&[0xb0, 0x04, 0x00, 0x02, 0x00, 0x11])?.unwrap();
/// let Packet::UnsubAck(ack) = packet else { unreachable!() };
/// assert!(ack.codes.iter().eq([ReasonCode::NO_SUBSCRIPTION_EXISTED]));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnsubAck<'a> {
    /// The identifier of the UNSUBSCRIBE it answers.
    pub packet_id: PacketId,
    /// The properties (Reason String, user properties).
    pub properties: Properties<'a>,
    /// One code per filter, in order.
    pub codes: List<'a, ReasonCode>,
}

list_body!(Unsubscribe, filters);
list_body!(UnsubAck, codes);

#[cfg(test)]
mod tests {
    use crate::codec::v5::Packet;
    use crate::codec::v5::tests::round_trip;

    #[test]
    fn unsuback_with_reason_string() {
        #[rustfmt::skip]
        let bytes = [
            0xb0, 0x0a, 0x00, 0x03,
            0x05, 0x1f, 0x00, 0x02, b'n', b'o',     // Reason String "no"
            0x00, 0x87,                             // Success, Not authorized
        ];
        let Packet::UnsubAck(ack) = round_trip(&bytes) else {
            panic!()
        };
        assert_eq!(ack.codes.len(), 2);
        assert_eq!(ack.properties.reason_string(), Some("no"));
    }
}

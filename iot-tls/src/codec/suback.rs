//! SUBACK: the broker's answer to SUBSCRIBE, one return code per filter.

use super::list::sealed::Item;
use super::{Body, List, ListItem, PacketId, PacketType, Qos, Reader, Writer};
use crate::error::{DecodeError, EncodeError};

/// SUBACK: grants or refuses each filter of a SUBSCRIBE, in order.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{self, Packet, Qos, SubAckCode};
///
/// let bytes = [0x90, 0x04, 0x00, 0x01, 0x01, 0x80];
/// let Some((Packet::SubAck(ack), _)) = codec::decode(&bytes)? else { unreachable!() };
/// assert!(ack.codes.iter().eq([SubAckCode::Granted(Qos::AtLeastOnce), SubAckCode::Failure]));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SubAck<'a> {
    /// The identifier of the SUBSCRIBE.
    pub packet_id: PacketId,
    /// One return code per filter of the SUBSCRIBE (at least one).
    pub codes: List<'a, SubAckCode>,
}

impl<'a> SubAck<'a> {
    /// A SUBACK with `codes`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{List, PacketId, SubAck, SubAckCode};
    ///
    /// let ack = SubAck::new(PacketId::new(1).unwrap(), List::new(&[SubAckCode::Failure]));
    /// assert_eq!(ack.codes.len(), 1);
    /// ```
    pub const fn new(packet_id: PacketId, codes: List<'a, SubAckCode>) -> Self {
        Self { packet_id, codes }
    }
}

impl<'a> Body<'a> for SubAck<'a> {
    const TYPE: PacketType = PacketType::SubAck;

    fn body_len(&self) -> usize {
        2 + self.codes.wire_len()
    }

    fn validate(&self) -> Result<(), EncodeError> {
        self.codes.validate()
    }

    fn write_body(&self, w: &mut Writer<'_>) {
        w.u16(self.packet_id.get());
        self.codes.write(w);
    }

    fn read(_flags: u8, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            packet_id: r.packet_id()?,
            codes: List::read(r)?,
        })
    }
}

/// The return code for one filter of a SUBSCRIBE.
///
/// Codes MQTT 3.1.1 reserves are kept as [`Other`](Self::Other), not rejected; the session treats
/// them as failures.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{Qos, SubAckCode};
///
/// assert_eq!(SubAckCode::from_u8(0x80), SubAckCode::Failure);
/// assert_eq!(SubAckCode::from_u8(1).granted(), Some(Qos::AtLeastOnce));
/// assert_eq!(SubAckCode::from_u8(0x42), SubAckCode::Other(0x42));
/// assert_eq!(SubAckCode::Other(0x42).as_u8(), 0x42);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubAckCode {
    /// The subscription is accepted at this maximum QoS (0x00, 0x01, 0x02).
    Granted(Qos),
    /// The subscription is refused (0x80).
    Failure,
    /// A code MQTT 3.1.1 reserves.
    Other(u8),
}

impl SubAckCode {
    /// The code with wire value `value`.
    ///
    /// # Example
    ///
    /// See [`SubAckCode`].
    pub const fn from_u8(value: u8) -> Self {
        match value {
            0x80 => Self::Failure,
            _ => match Qos::from_u8(value) {
                Some(qos) => Self::Granted(qos),
                None => Self::Other(value),
            },
        }
    }

    /// The wire value.
    ///
    /// # Example
    ///
    /// See [`SubAckCode`].
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::Granted(qos) => qos.as_u8(),
            Self::Failure => 0x80,
            Self::Other(value) => value,
        }
    }

    /// The granted QoS, or `None` for a refusal.
    ///
    /// # Example
    ///
    /// See [`SubAckCode`].
    pub const fn granted(self) -> Option<Qos> {
        match self {
            Self::Granted(qos) => Some(qos),
            Self::Failure | Self::Other(_) => None,
        }
    }
}

impl Item<'_> for SubAckCode {
    fn wire_len(&self) -> usize {
        1
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u8(self.as_u8());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::from_u8(r.u8()?))
    }

    fn validate(&self) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl ListItem<'_> for SubAckCode {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Packet;
    use crate::codec::tests::{decode_err, round_trip};
    use crate::error::DecodeErrorKind;

    #[test]
    fn byte_layout_with_failure_code() {
        #[rustfmt::skip]
        let bytes = [
            0x90, 0x06,                 // SUBACK, remaining length 6
            0x00, 0x0f,                 // packet identifier 15
            0x00,                       // granted QoS 0
            0x01,                       // granted QoS 1
            0x80,                       // failure
            0x55,                       // reserved code, kept
        ];
        let Packet::SubAck(ack) = round_trip(&bytes) else {
            panic!("not a SUBACK");
        };
        assert_eq!(ack.packet_id.get(), 15);
        assert!(ack.codes.iter().eq([
            SubAckCode::Granted(Qos::AtMostOnce),
            SubAckCode::Granted(Qos::AtLeastOnce),
            SubAckCode::Failure,
            SubAckCode::Other(0x55),
        ]));
    }

    #[test]
    fn at_least_one_code() {
        assert_eq!(
            decode_err(&[0x90, 0x02, 0x00, 0x01]),
            (DecodeErrorKind::EmptyPayload, 4)
        );
        let mut buf = [0u8; 8];
        assert_eq!(
            Packet::SubAck(SubAck::new(PacketId::new(1).unwrap(), List::new(&[]))).encode(&mut buf),
            Err(EncodeError::EmptyList)
        );
    }
}

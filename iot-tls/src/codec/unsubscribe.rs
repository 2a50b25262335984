//! UNSUBSCRIBE: removes subscriptions.

use super::list::sealed::Item;
use super::{Body, List, ListItem, PacketId, PacketType, Reader, Writer, check_topic_filter};
use crate::error::{DecodeError, EncodeError};

/// UNSUBSCRIBE: removes one or more topic filters; its flag bits are always `0b0010`.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{self, List, Packet, PacketId, Unsubscribe};
///
/// let filters = ["a/+", "b"];
/// let unsubscribe = Unsubscribe::new(PacketId::new(4).unwrap(), List::new(&filters));
/// let mut buf = [0u8; 32];
/// let len = Packet::Unsubscribe(unsubscribe).encode(&mut buf)?;
/// assert_eq!(codec::decode(&buf[..len])?, Some((Packet::Unsubscribe(unsubscribe), len)));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Unsubscribe<'a> {
    /// The identifier the UNSUBACK answers with.
    pub packet_id: PacketId,
    /// The filters to remove (at least one), exactly as they were subscribed.
    pub filters: List<'a, &'a str>,
}

impl<'a> Unsubscribe<'a> {
    /// An UNSUBSCRIBE from `filters`.
    ///
    /// # Example
    ///
    /// See [`Unsubscribe`].
    pub const fn new(packet_id: PacketId, filters: List<'a, &'a str>) -> Self {
        Self { packet_id, filters }
    }
}

impl<'a> Body<'a> for Unsubscribe<'a> {
    const TYPE: PacketType = PacketType::Unsubscribe;

    fn body_len(&self) -> usize {
        2 + self.filters.wire_len()
    }

    fn validate(&self) -> Result<(), EncodeError> {
        self.filters.validate()
    }

    fn write_body(&self, w: &mut Writer<'_>) {
        w.u16(self.packet_id.get());
        self.filters.write(w);
    }

    fn read(_flags: u8, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Ok(Self {
            packet_id: r.packet_id()?,
            filters: List::read(r)?,
        })
    }
}

impl<'a> Item<'a> for &'a str {
    fn wire_len(&self) -> usize {
        2 + self.len()
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.string(self);
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.topic_filter()
    }

    fn validate(&self) -> Result<(), EncodeError> {
        check_topic_filter(self)
    }
}

impl<'a> ListItem<'a> for &'a str {}

#[cfg(test)]
mod tests {

    use crate::codec::Packet;
    use crate::codec::tests::{decode_err, round_trip};
    use crate::error::{DecodeErrorKind, TopicError};

    #[test]
    fn byte_layout() {
        #[rustfmt::skip]
        let bytes = [
            0xa2, 0x08,                         // UNSUBSCRIBE, flags 0b0010, remaining length 8
            0x00, 0x05,                         // packet identifier 5
            0x00, 0x01, b'#',                   // filter "#"
            0x00, 0x01, b'+',                   // filter "+"
        ];
        let Packet::Unsubscribe(unsub) = round_trip(&bytes) else {
            panic!("not an UNSUBSCRIBE");
        };
        assert_eq!(unsub.packet_id.get(), 5);
        assert!(unsub.filters.iter().eq(["#", "+"]));
    }

    #[test]
    fn malformed_unsubscribes_name_the_byte() {
        #[rustfmt::skip]
        let empty_filter = [
            0xa2, 0x06,
            0x00, 0x05,
            0x00, 0x01, b'#',
            0x00,                               // half a length prefix
        ];
        assert_eq!(
            decode_err(&empty_filter),
            (DecodeErrorKind::UnexpectedEnd, 7)
        );
        assert_eq!(
            decode_err(&[0xa2, 0x04, 0x00, 0x05, 0x00, 0x00]),
            (DecodeErrorKind::Topic(TopicError::Empty), 6)
        );
        assert_eq!(
            decode_err(&[0xa2, 0x02, 0x00, 0x05]),
            (DecodeErrorKind::EmptyPayload, 4)
        );
    }
}

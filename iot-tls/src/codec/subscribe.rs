//! SUBSCRIBE: asks the broker for messages on topic filters.

use super::list::sealed::Item;
use super::{Body, List, ListItem, PacketId, PacketType, Qos, Reader, Writer, check_topic_filter};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// SUBSCRIBE: subscribes to one or more topic filters; its flag bits are always `0b0010`.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{List, Packet, PacketId, Qos, Subscribe, Subscription};
///
/// let filters = [Subscription::new("cmnd/plug/#", Qos::AtLeastOnce)];
/// let subscribe = Subscribe::new(PacketId::new(1).unwrap(), List::new(&filters));
/// let mut buf = [0u8; 32];
/// let len = Packet::Subscribe(subscribe).encode(&mut buf)?;
/// assert_eq!(&buf[..4], [0x82, len as u8 - 2, 0x00, 0x01]);
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Subscribe<'a> {
    /// The identifier the SUBACK answers with.
    pub packet_id: PacketId,
    /// The filters and their requested QoS (at least one).
    pub filters: List<'a, Subscription<'a>>,
}

impl<'a> Subscribe<'a> {
    /// A SUBSCRIBE to `filters`.
    ///
    /// # Example
    ///
    /// See [`Subscribe`].
    pub const fn new(packet_id: PacketId, filters: List<'a, Subscription<'a>>) -> Self {
        Self { packet_id, filters }
    }
}

impl<'a> Body<'a> for Subscribe<'a> {
    const TYPE: PacketType = PacketType::Subscribe;

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

/// A topic filter and the maximum QoS to deliver its messages at.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{Qos, Subscription};
///
/// let sub = Subscription::new("stat/+/POWER", Qos::AtLeastOnce);
/// assert_eq!(sub.filter, "stat/+/POWER");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Subscription<'a> {
    /// The topic filter (`+` and `#` wildcards allowed as whole levels).
    pub filter: &'a str,
    /// The requested QoS.
    pub qos: Qos,
}

impl<'a> Subscription<'a> {
    /// A subscription to `filter` at `qos`.
    ///
    /// # Example
    ///
    /// See [`Subscription`].
    pub const fn new(filter: &'a str, qos: Qos) -> Self {
        Self { filter, qos }
    }
}

impl<'a> Item<'a> for Subscription<'a> {
    fn wire_len(&self) -> usize {
        2 + self.filter.len() + 1
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.string(self.filter);
        w.u8(self.qos.as_u8());
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let filter = r.topic_filter()?;
        let at = r.position();
        let options = r.u8()?;
        if options & !0b11 != 0 {
            return Err(Reader::error_at(DecodeErrorKind::ReservedBits(options), at));
        }
        let qos =
            Qos::from_u8(options).ok_or(Reader::error_at(DecodeErrorKind::Qos(options), at))?;
        Ok(Self { filter, qos })
    }

    fn validate(&self) -> Result<(), EncodeError> {
        check_topic_filter(self.filter)
    }
}

impl<'a> ListItem<'a> for Subscription<'a> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Packet;
    use crate::codec::tests::{decode_err, round_trip};
    use crate::error::TopicError;

    #[rustfmt::skip]
    const TWO: &[u8] = &[
        0x82, 0x0e,                         // SUBSCRIBE, flags 0b0010, remaining length 14
        0x00, 0x0a,                         // packet identifier 10
        0x00, 0x03, b'a', b'/', b'+',       // filter "a/+"
        0x01,                               // QoS 1
        0x00, 0x03, b'b', b'/', b'#',       // filter "b/#"
        0x00,                               // QoS 0
    ];

    #[test]
    fn decodes_filters_in_place() {
        let Packet::Subscribe(sub) = round_trip(TWO) else {
            panic!("not a SUBSCRIBE");
        };
        assert_eq!(sub.packet_id.get(), 10);
        let filters = [
            Subscription::new("a/+", Qos::AtLeastOnce),
            Subscription::new("b/#", Qos::AtMostOnce),
        ];
        assert_eq!(sub.filters.len(), 2);
        assert!(sub.filters.iter().eq(filters));
        assert_eq!(sub, Subscribe::new(sub.packet_id, List::new(&filters)));
    }

    #[test]
    fn malformed_subscribes_name_the_byte() {
        let mut bad = TWO.to_vec();
        bad[9] = 0x03;
        assert_eq!(decode_err(&bad), (DecodeErrorKind::Qos(3), 9));
        let mut bad = TWO.to_vec();
        bad[15] = 0x04;
        assert_eq!(decode_err(&bad), (DecodeErrorKind::ReservedBits(4), 15));
        let mut bad = TWO.to_vec();
        bad[7] = b'x'; // "ax+"
        assert_eq!(
            decode_err(&bad),
            (DecodeErrorKind::Topic(TopicError::Filter), 8)
        );
        // No filter at all.
        assert_eq!(
            decode_err(&[0x82, 0x02, 0x00, 0x01]),
            (DecodeErrorKind::EmptyPayload, 4)
        );
        // A filter without its QoS byte.
        assert_eq!(
            decode_err(&[0x82, 0x05, 0x00, 0x01, 0x00, 0x01, b'a']),
            (DecodeErrorKind::UnexpectedEnd, 7)
        );
    }

    #[test]
    fn encoder_refuses_empty_and_malformed_lists() {
        let id = PacketId::new(1).unwrap();
        let mut buf = [0u8; 32];
        assert_eq!(
            Packet::Subscribe(Subscribe::new(id, List::new(&[]))).encode(&mut buf),
            Err(EncodeError::EmptyList)
        );
        let bad = [Subscription::new("a/#/b", Qos::AtMostOnce)];
        assert_eq!(
            Packet::Subscribe(Subscribe::new(id, List::new(&bad))).encode(&mut buf),
            Err(EncodeError::Topic(TopicError::Filter))
        );
    }
}

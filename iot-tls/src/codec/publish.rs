//! PUBLISH: an application message, in either direction.

use super::{Body, Message, PacketId, PacketType, Qos, Reader, Writer, check_topic_name};
use crate::error::{DecodeError, EncodeError};

const DUP: u8 = 0b1000;
const RETAIN: u8 = 0b0001;

/// PUBLISH: carries an application message.
///
/// A decoded PUBLISH borrows its topic and payload from the input bytes.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{self, Packet, PacketId, Publish, Qos};
///
/// #[rustfmt::skip]
/// let bytes = [
///     0x32, 0x09,             // PUBLISH at QoS 1, remaining length 9
///     0x00, 0x03, b'a', b'/', b'b',
///     0x00, 0x0a,             // packet identifier 10
///     b'h', b'i',             // payload
/// ];
/// let Some((Packet::Publish(publish), _)) = codec::decode(&bytes)? else { unreachable!() };
/// assert_eq!(publish.topic, "a/b");
/// assert_eq!(publish.payload, b"hi");
/// assert_eq!(publish.qos, Qos::AtLeastOnce);
/// assert_eq!(publish.packet_id, PacketId::new(10));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Publish<'a> {
    /// The topic name.
    pub topic: &'a str,
    /// The payload.
    pub payload: &'a [u8],
    /// The quality of service.
    pub qos: Qos,
    /// The packet identifier: present exactly when `qos` is above 0.
    pub packet_id: Option<PacketId>,
    /// Whether the broker keeps the message for future subscribers.
    pub retain: bool,
    /// Whether this is a re-delivery of an earlier attempt.
    pub dup: bool,
}

impl<'a> Publish<'a> {
    /// A QoS 0 PUBLISH of `payload` to `topic`.
    ///
    /// # Example
    ///
    /// ```
    /// let publish = iot_tls::codec::Publish::new("a/b", b"1");
    /// assert_eq!(publish.packet_id, None);
    /// ```
    pub const fn new(topic: &'a str, payload: &'a [u8]) -> Self {
        Self {
            topic,
            payload,
            qos: Qos::AtMostOnce,
            packet_id: None,
            retain: false,
            dup: false,
        }
    }

    /// A PUBLISH of `message` with `packet_id`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Message, PacketId, Publish, Qos};
    ///
    /// let message = Message::new("t", b"x").with_qos(Qos::AtLeastOnce);
    /// let publish = Publish::from_message(message, PacketId::new(3));
    /// assert_eq!(publish.message(), message);
    /// ```
    pub const fn from_message(message: Message<'a>, packet_id: Option<PacketId>) -> Self {
        Self {
            topic: message.topic,
            payload: message.payload,
            qos: message.qos,
            packet_id,
            retain: message.retain,
            dup: false,
        }
    }

    /// The same PUBLISH at `qos` with `packet_id` (which must be `Some` exactly when `qos` is
    /// above 0 for the packet to encode).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{PacketId, Publish, Qos};
    ///
    /// let publish = Publish::new("t", b"").with_qos(Qos::AtLeastOnce, PacketId::new(1));
    /// assert_eq!(publish.qos, Qos::AtLeastOnce);
    /// ```
    #[must_use]
    pub const fn with_qos(self, qos: Qos, packet_id: Option<PacketId>) -> Self {
        Self {
            qos,
            packet_id,
            ..self
        }
    }

    /// The application message: topic, payload, QoS and retain flag.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::Publish;
    ///
    /// assert_eq!(Publish::new("t", b"x").message().topic, "t");
    /// ```
    pub const fn message(&self) -> Message<'a> {
        Message {
            topic: self.topic,
            payload: self.payload,
            qos: self.qos,
            retain: self.retain,
        }
    }
}

impl<'a> Body<'a> for Publish<'a> {
    const TYPE: PacketType = PacketType::Publish;

    fn flags(&self) -> u8 {
        let mut flags = self.qos.as_u8() << 1;
        if self.dup {
            flags |= DUP;
        }
        if self.retain {
            flags |= RETAIN;
        }
        flags
    }

    fn body_len(&self) -> usize {
        let id = if self.packet_id.is_some() { 2 } else { 0 };
        2 + self.topic.len() + id + self.payload.len()
    }

    fn validate(&self) -> Result<(), EncodeError> {
        check_topic_name(self.topic)?;
        if (self.qos == Qos::AtMostOnce) != self.packet_id.is_none() {
            return Err(EncodeError::PacketId(self.qos));
        }
        Ok(())
    }

    fn write_body(&self, w: &mut Writer<'_>) {
        w.string(self.topic);
        if let Some(id) = self.packet_id {
            w.u16(id.get());
        }
        w.bytes(self.payload);
    }

    fn read(flags: u8, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        // `frame` has already refused QoS 3.
        let qos = Qos::from_u8((flags >> 1) & 0b11).unwrap_or(Qos::ExactlyOnce);
        let topic = r.topic_name()?;
        let packet_id = if qos == Qos::AtMostOnce {
            None
        } else {
            Some(r.packet_id()?)
        };
        Ok(Self {
            topic,
            payload: r.rest(),
            qos,
            packet_id,
            retain: flags & RETAIN != 0,
            dup: flags & DUP != 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::tests::{decode_err, round_trip};
    use crate::codec::{Packet, decode};
    use crate::error::{DecodeErrorKind, TopicError};

    fn id(n: u16) -> Option<PacketId> {
        PacketId::new(n)
    }

    #[test]
    fn qos0_has_no_packet_identifier() {
        #[rustfmt::skip]
        let bytes = [
            0x31, 0x07,                         // PUBLISH, QoS 0, retain; remaining length 7
            0x00, 0x03, b'a', b'/', b'b',       // topic "a/b"
            b'o', b'n',                         // payload "on"
        ];
        assert_eq!(
            round_trip(&bytes),
            Packet::Publish(Publish {
                retain: true,
                ..Publish::new("a/b", b"on")
            })
        );
    }

    #[test]
    fn qos1_dup_with_identifier() {
        #[rustfmt::skip]
        let bytes = [
            0x3a, 0x06,                         // PUBLISH, DUP, QoS 1; remaining length 6
            0x00, 0x01, b't',                   // topic "t"
            0x12, 0x34,                         // packet identifier 0x1234
            0xff,                               // binary payload
        ];
        assert_eq!(
            round_trip(&bytes),
            Packet::Publish(Publish {
                dup: true,
                ..Publish::new("t", &[0xff]).with_qos(Qos::AtLeastOnce, id(0x1234))
            })
        );
    }

    #[test]
    fn qos2_decodes_so_streams_stay_in_sync() {
        let bytes = [0x34, 0x05, 0x00, 0x01, b't', 0x00, 0x02];
        assert_eq!(
            round_trip(&bytes),
            Packet::Publish(Publish::new("t", b"").with_qos(Qos::ExactlyOnce, id(2)))
        );
    }

    #[test]
    fn two_byte_remaining_length_and_empty_payload() {
        let payload = [0x5a; 300];
        let mut bytes = [0u8; 6 + 300];
        #[rustfmt::skip]
        bytes[..6].copy_from_slice(&[
            0x30, 0xaf, 0x02,                   // PUBLISH, remaining length 2 + 1 + 300 = 303
            0x00, 0x01, b'x',                   // topic "x"
        ]);
        bytes[6..].copy_from_slice(&payload);
        assert_eq!(
            round_trip(&bytes),
            Packet::Publish(Publish::new("x", &payload))
        );
        assert_eq!(
            round_trip(&[0x30, 0x03, 0x00, 0x01, b'x']),
            Packet::Publish(Publish::new("x", b""))
        );
    }

    #[test]
    fn malformed_publishes_name_the_byte() {
        // Wildcards in a topic name.
        assert_eq!(
            decode_err(&[0x30, 0x05, 0x00, 0x03, b'a', b'/', b'#']),
            (DecodeErrorKind::Topic(TopicError::Wildcard), 6)
        );
        assert_eq!(
            decode_err(&[0x30, 0x03, 0x00, 0x01, b'+']),
            (DecodeErrorKind::Topic(TopicError::Wildcard), 4)
        );
        // An empty topic.
        assert_eq!(
            decode_err(&[0x30, 0x02, 0x00, 0x00]),
            (DecodeErrorKind::Topic(TopicError::Empty), 4)
        );
        // Invalid UTF-8, and a null character.
        assert_eq!(
            decode_err(&[0x30, 0x04, 0x00, 0x02, b'a', 0xc3]),
            (DecodeErrorKind::Utf8, 5)
        );
        assert_eq!(
            decode_err(&[0x30, 0x04, 0x00, 0x02, b'a', 0x00]),
            (DecodeErrorKind::NullCharacter, 5)
        );
        // Packet identifier 0 at QoS 1, and a missing one.
        assert_eq!(
            decode_err(&[0x32, 0x05, 0x00, 0x01, b't', 0x00, 0x00]),
            (DecodeErrorKind::PacketIdZero, 5)
        );
        assert_eq!(
            decode_err(&[0x32, 0x03, 0x00, 0x01, b't']),
            (DecodeErrorKind::UnexpectedEnd, 5)
        );
        // A topic length beyond the packet.
        assert_eq!(
            decode_err(&[0x30, 0x03, 0x00, 0x09, b't']),
            (DecodeErrorKind::UnexpectedEnd, 2)
        );
    }

    #[test]
    fn packet_identifier_must_match_qos() {
        let mut buf = [0u8; 16];
        assert_eq!(
            Packet::Publish(Publish::new("t", b"").with_qos(Qos::AtLeastOnce, None))
                .encode(&mut buf),
            Err(EncodeError::PacketId(Qos::AtLeastOnce))
        );
        assert_eq!(
            Packet::Publish(Publish::new("t", b"").with_qos(Qos::AtMostOnce, id(1)))
                .encode(&mut buf),
            Err(EncodeError::PacketId(Qos::AtMostOnce))
        );
    }

    #[test]
    fn decoding_stops_at_the_packet_boundary() {
        let stream = [0x30, 0x03, 0x00, 0x01, b'x', 0x30, 0x03];
        let (packet, used) = decode(&stream).unwrap().unwrap();
        assert_eq!(used, 5);
        assert_eq!(packet, Packet::Publish(Publish::new("x", b"")));
        assert_eq!(decode(&stream[used..]), Ok(None));
    }
}

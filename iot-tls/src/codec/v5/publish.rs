//! PUBLISH of MQTT 5: an application message with properties, in either direction.

use super::{Place, Properties};
use crate::codec::{
    Body, Message, PacketId, PacketType, Qos, Reader, Writer, check_binary, check_topic_name,
};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

const DUP: u8 = 0b1000;
const RETAIN: u8 = 0b0001;

/// PUBLISH: an application message and its properties (expiry, content type, response topic,
/// correlation data, user properties, topic alias, subscription identifiers).
///
/// A decoded PUBLISH borrows its topic, payload and properties from the input. The topic is
/// empty when a Topic Alias stands for it.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{PacketId, Qos};
/// use iot_tls::codec::v5::{self, Packet, Properties, Publish};
///
/// #[rustfmt::skip]
/// let bytes = [
///     0x32, 0x0f,                     // PUBLISH at QoS 1, remaining length 15
///     0x00, 0x03, b'a', b'/', b'b',   // topic "a/b"
///     0x00, 0x0a,                     // packet identifier 10
///     0x05,                           // 5 bytes of properties:
///     0x02, 0x00, 0x00, 0x00, 0x3c,   //   Message Expiry Interval 60 s
///     b'h', b'i',                     // payload
/// ];
/// let Some((Packet::Publish(publish), _)) = v5::decode(&bytes)? else { unreachable!() };
/// assert_eq!((publish.topic, publish.payload), ("a/b", &b"hi"[..]));
/// assert_eq!(publish.packet_id, PacketId::new(10));
/// assert_eq!(publish.properties.message_expiry_interval(), Some(60));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Publish<'a> {
    /// The topic name; empty when a Topic Alias stands for it.
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
    /// The properties.
    pub properties: Properties<'a>,
}

impl<'a> Publish<'a> {
    /// A QoS 0 PUBLISH of `payload` to `topic` without properties.
    ///
    /// # Example
    ///
    /// ```
    /// let publish = iot_tls::codec::v5::Publish::new("a/b", b"1");
    /// assert!(publish.properties.is_empty());
    /// ```
    pub const fn new(topic: &'a str, payload: &'a [u8]) -> Self {
        Self::from_message(Message::new(topic, payload), None)
    }

    /// A PUBLISH of `message` with `packet_id` and no properties.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Message, PacketId, Qos};
    /// use iot_tls::codec::v5::Publish;
    ///
    /// let message = Message::new("t", b"x").with_qos(Qos::AtLeastOnce);
    /// assert_eq!(Publish::from_message(message, PacketId::new(3)).message(), message);
    /// ```
    pub const fn from_message(message: Message<'a>, packet_id: Option<PacketId>) -> Self {
        Self {
            topic: message.topic,
            payload: message.payload,
            qos: message.qos,
            packet_id,
            retain: message.retain,
            dup: false,
            properties: Properties::EMPTY,
        }
    }

    /// The same PUBLISH with `properties`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::PacketType;
    /// use iot_tls::codec::v5::{Property, PropertyBuilder, Publish};
    ///
    /// let mut buf = [0u8; 16];
    /// let mut props = PropertyBuilder::new(&mut buf, PacketType::Publish);
    /// props.push(Property::ContentType("json"))?;
    /// let publish = Publish::new("t", b"{}").with_properties(props.finish());
    /// assert_eq!(publish.properties.content_type(), Some("json"));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    #[must_use]
    pub const fn with_properties(self, properties: Properties<'a>) -> Self {
        Self { properties, ..self }
    }

    /// The application message: topic, payload, QoS and retain flag.
    ///
    /// # Example
    ///
    /// See [`from_message`](Self::from_message).
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
        2 + self.topic.len() + id + self.properties.wire_len() + self.payload.len()
    }

    fn validate(&self) -> Result<(), EncodeError> {
        if self.topic.is_empty() {
            if self.properties.topic_alias().is_none() {
                return Err(EncodeError::NoTopic);
            }
        } else {
            check_topic_name(self.topic)?;
        }
        check_binary(self.topic.as_bytes())?;
        if (self.qos == Qos::AtMostOnce) != self.packet_id.is_none() {
            return Err(EncodeError::PacketId(self.qos));
        }
        self.properties.validate(Place::packet(PacketType::Publish))
    }

    fn write_body(&self, w: &mut Writer<'_>) {
        w.string(self.topic);
        if let Some(id) = self.packet_id {
            w.u16(id.get());
        }
        self.properties.write(w);
        w.bytes(self.payload);
    }

    fn read(flags: u8, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        // `frame` has already refused QoS 3.
        let qos = Qos::from_u8((flags >> 1) & 0b11).unwrap_or(Qos::ExactlyOnce);
        let at = r.position();
        let topic = r.topic_name_or_empty()?;
        let packet_id = if qos == Qos::AtMostOnce {
            None
        } else {
            Some(r.packet_id()?)
        };
        let properties = Properties::read(r, Place::packet(PacketType::Publish))?;
        if topic.is_empty() && properties.topic_alias().is_none() {
            return Err(Reader::error_at(
                DecodeErrorKind::Topic(crate::error::TopicError::Empty),
                at + 2,
            ));
        }
        Ok(Self {
            topic,
            payload: r.rest(),
            qos,
            packet_id,
            retain: flags & RETAIN != 0,
            dup: flags & DUP != 0,
            properties,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::v5::Packet;
    use crate::codec::v5::tests::{decode_err, round_trip};

    #[test]
    fn without_properties_the_block_is_one_zero_byte() {
        #[rustfmt::skip]
        let bytes = [
            0x31, 0x08,                         // PUBLISH, QoS 0, retain; remaining length 8
            0x00, 0x03, b'a', b'/', b'b',       // topic "a/b"
            0x00,                               // no properties
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
    fn topic_alias_stands_for_an_empty_topic() {
        #[rustfmt::skip]
        let bytes = [
            0x30, 0x07,
            0x00, 0x00,                         // empty topic
            0x03, 0x23, 0x00, 0x02,             // Topic Alias 2
            b'x',
        ];
        let Packet::Publish(p) = round_trip(&bytes) else {
            panic!()
        };
        assert_eq!((p.topic, p.properties.topic_alias()), ("", Some(2)));
        // Without the alias, an empty topic is an error at the topic.
        assert_eq!(
            decode_err(&[0x30, 0x04, 0x00, 0x00, 0x00, b'x']),
            (DecodeErrorKind::Topic(crate::error::TopicError::Empty), 4)
        );
        let mut buf = [0u8; 16];
        assert_eq!(
            Packet::Publish(Publish::new("", b"x")).encode(&mut buf),
            Err(EncodeError::NoTopic)
        );
    }

    #[test]
    fn malformed_properties_name_the_byte() {
        // A property block longer than the packet.
        assert_eq!(
            decode_err(&[0x30, 0x05, 0x00, 0x01, b't', 0x09, 0x01]),
            (DecodeErrorKind::PropertyLength, 5)
        );
        // A CONNACK-only property in a PUBLISH.
        assert_eq!(
            decode_err(&[0x30, 0x07, 0x00, 0x01, b't', 0x02, 0x24, 0x01, b'x']),
            (
                DecodeErrorKind::PropertyNotAllowed {
                    id: 0x24,
                    packet_type: PacketType::Publish
                },
                6
            )
        );
        // Two Message Expiry Intervals.
        #[rustfmt::skip]
        let twice = [
            0x30, 0x0e, 0x00, 0x01, b't',
            0x0a, 0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2,
        ];
        assert_eq!(
            decode_err(&twice),
            (DecodeErrorKind::DuplicateProperty(0x02), 11)
        );
    }
}

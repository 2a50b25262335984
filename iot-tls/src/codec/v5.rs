//! MQTT 5 packets: the same zero-copy decoding and caller-buffer encoding as the MQTT 3.1.1
//! codec, with properties, reason codes and AUTH.
//!
//! [`decode`] reads one MQTT 5 packet from the front of a byte slice; a decoded packet borrows
//! its strings, payload and property block from that slice. Properties are checked once by the
//! decoder (known, well-formed, allowed in the packet, not repeated unless MQTT 5 allows it) and
//! read in place through [`Properties::iter`] or its getters; errors carry the offset of the
//! offending byte. Outgoing properties are written with a [`PropertyBuilder`] into a buffer of
//! the caller's. Reason codes are an open [`ReasonCode`]. Nothing allocates.
//!
//! The MQTT 3.1.1 codec ([`codec::decode`](super::decode)) is unchanged: a connection speaks
//! one version, chosen by its CONNECT, and calls the decoder of that version.
//!
//! # Example
//!
//! ```
//! use iot_tls::codec::{PacketId, PacketType, Qos};
//! use iot_tls::codec::v5::{self, Packet, Property, PropertyBuilder, Publish};
//!
//! let mut props = [0u8; 64];
//! let mut builder = PropertyBuilder::new(&mut props, PacketType::Publish);
//! builder
//!     .push(Property::ResponseTopic("hub/replies"))?
//!     .push(Property::CorrelationData(b"req-7"))?
//!     .push(Property::UserProperty("unit", "celsius"))?;
//! let publish = Publish::new("sensors/kitchen", b"21.5")
//!     .with_properties(builder.finish());
//! let publish = Publish { qos: Qos::AtLeastOnce, packet_id: PacketId::new(7), ..publish };
//!
//! let mut buf = [0u8; 128];
//! let len = Packet::Publish(publish).encode(&mut buf)?;
//! assert_eq!(v5::decode(&buf[..len - 1])?, None); // incomplete
//! let (packet, used) = v5::decode(&buf[..len])?.expect("complete");
//! assert_eq!((packet, used), (Packet::Publish(publish), len));
//! let Packet::Publish(received) = packet else { unreachable!() };
//! assert_eq!(received.properties.response_topic(), Some("hub/replies"));
//! assert!(received.properties.user_properties().eq([("unit", "celsius")]));
//! # Ok::<(), iot_tls::Error>(())
//! ```

/// Implements `Body` for a packet of a packet identifier, a property block and a list (SUBSCRIBE,
/// SUBACK, UNSUBSCRIBE, UNSUBACK).
macro_rules! list_body {
    ($name:ident, $list:ident) => {
        impl<'a> crate::codec::Body<'a> for $name<'a> {
            const TYPE: crate::codec::PacketType = crate::codec::PacketType::$name;

            fn body_len(&self) -> usize {
                2 + self.properties.wire_len() + self.$list.wire_len()
            }

            fn validate(&self) -> Result<(), crate::error::EncodeError> {
                self.properties.validate(super::Place::packet(Self::TYPE))?;
                self.$list.validate()
            }

            fn write_body(&self, w: &mut crate::codec::Writer<'_>) {
                w.u16(self.packet_id.get());
                self.properties.write(w);
                self.$list.write(w);
            }

            fn read(
                _flags: u8,
                r: &mut crate::codec::Reader<'a>,
            ) -> Result<Self, crate::error::DecodeError> {
                Ok(Self {
                    packet_id: r.packet_id()?,
                    properties: super::Properties::read(r, super::Place::packet(Self::TYPE))?,
                    $list: crate::codec::List::read(r)?,
                })
            }
        }
    };
}

/// Implements `Body` for a packet of an optional reason code and property block (DISCONNECT,
/// AUTH).
macro_rules! reason_body {
    ($name:ident) => {
        impl<'a> crate::codec::Body<'a> for $name<'a> {
            const TYPE: crate::codec::PacketType = crate::codec::PacketType::$name;

            fn body_len(&self) -> usize {
                super::reason_len(self.reason, &self.properties)
            }

            fn validate(&self) -> Result<(), crate::error::EncodeError> {
                self.properties.validate(super::Place::packet(Self::TYPE))
            }

            fn write_body(&self, w: &mut crate::codec::Writer<'_>) {
                super::write_reason(w, self.reason, &self.properties);
            }

            fn read(
                _flags: u8,
                r: &mut crate::codec::Reader<'a>,
            ) -> Result<Self, crate::error::DecodeError> {
                let (reason, properties) = super::read_reason(r, super::Place::packet(Self::TYPE))?;
                Ok(Self { reason, properties })
            }
        }
    };
}

mod ack;
mod connect;
mod disconnect;
mod property;
mod publish;
mod reason;
mod subscribe;
mod unsubscribe;

pub use ack::{PubAck, PubComp, PubRec, PubRel};
pub use connect::{ConnAck, Connect, PROTOCOL_LEVEL, Will};
pub use disconnect::{Auth, Disconnect};
pub(crate) use property::Place;
pub use property::{Properties, Property, PropertyBuilder, PropertyIter};
pub use publish::Publish;
pub use reason::ReasonCode;
pub use subscribe::{RetainHandling, SubAck, Subscribe, Subscription};
pub use unsubscribe::{UnsubAck, Unsubscribe};

use super::{
    Body, FixedHeader, PacketType, PingReq, PingResp, Reader, Writer, encode, encoded_len,
};
use crate::error::{DecodeError, EncodeError};

/// Any MQTT 5 control packet, borrowing its strings, payload and properties.
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::{self, Disconnect, Packet};
///
/// let mut buf = [0u8; 2];
/// assert_eq!(Packet::Disconnect(Disconnect::NORMAL).encode(&mut buf)?, 2);
/// assert_eq!(buf, [0xe0, 0x00]);
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    missing_docs,
    reason = "each variant holds the packet type of the same name"
)]
pub enum Packet<'a> {
    Connect(Connect<'a>),
    ConnAck(ConnAck<'a>),
    Publish(Publish<'a>),
    PubAck(PubAck<'a>),
    PubRec(PubRec<'a>),
    PubRel(PubRel<'a>),
    PubComp(PubComp<'a>),
    Subscribe(Subscribe<'a>),
    SubAck(SubAck<'a>),
    Unsubscribe(Unsubscribe<'a>),
    UnsubAck(UnsubAck<'a>),
    PingReq(PingReq),
    PingResp(PingResp),
    Disconnect(Disconnect<'a>),
    Auth(Auth<'a>),
}

/// Runs `$body` with `$p` bound to the packet inside any variant of `$packet`.
macro_rules! each_packet {
    ($packet:expr, $p:ident => $body:expr) => {
        match $packet {
            Packet::Connect($p) => $body,
            Packet::ConnAck($p) => $body,
            Packet::Publish($p) => $body,
            Packet::PubAck($p) => $body,
            Packet::PubRec($p) => $body,
            Packet::PubRel($p) => $body,
            Packet::PubComp($p) => $body,
            Packet::Subscribe($p) => $body,
            Packet::SubAck($p) => $body,
            Packet::Unsubscribe($p) => $body,
            Packet::UnsubAck($p) => $body,
            Packet::PingReq($p) => $body,
            Packet::PingResp($p) => $body,
            Packet::Disconnect($p) => $body,
            Packet::Auth($p) => $body,
        }
    };
}

impl Packet<'_> {
    /// The packet's type.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{PacketType, PingResp};
    /// use iot_tls::codec::v5::Packet;
    ///
    /// assert_eq!(Packet::PingResp(PingResp).packet_type(), PacketType::PingResp);
    /// ```
    pub fn packet_type(&self) -> PacketType {
        each_packet!(self, p => p.packet_type())
    }

    /// The length of the encoded packet, fixed header included.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::v5::{Packet, Publish};
    ///
    /// // Type, length, 2 + 1 topic bytes, the empty property block, 2 payload bytes.
    /// assert_eq!(Packet::Publish(Publish::new("t", b"hi")).encoded_len(), 8);
    /// ```
    pub fn encoded_len(&self) -> usize {
        each_packet!(self, p => encoded_len(p))
    }

    /// Encodes the packet at the start of `buf` and returns its length.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] if `buf` is too short; other [`EncodeError`]s for packets
    /// that would not decode (see [`codec::Packet::encode`](super::Packet::encode)), a property
    /// the packet type does not carry, or a PUBLISH with neither topic nor Topic Alias.
    ///
    /// # Example
    ///
    /// See [`Packet`].
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        each_packet!(self, p => encode(p, buf))
    }
}

/// Reads the fixed header of an MQTT 5 packet at the front of `input` (AUTH included).
///
/// # Errors
///
/// As [`codec::frame`](super::frame).
///
/// # Example
///
/// ```
/// use iot_tls::codec::{PacketType, v5};
///
/// let header = v5::frame(&[0xf0, 0x00])?.unwrap();
/// assert_eq!(header.packet_type(), PacketType::Auth);
/// # Ok::<(), iot_tls::Error>(())
/// ```
pub fn frame(input: &[u8]) -> Result<Option<FixedHeader>, DecodeError> {
    super::frame_with(input, PacketType::from_u8_v5)
}

/// Decodes the MQTT 5 packet at the front of `input`.
///
/// Returns the packet and the number of bytes it used, or `Ok(None)` if `input` holds only part
/// of a packet.
///
/// # Errors
///
/// [`DecodeError`] for malformed input, as [`codec::decode`](super::decode), and for an unknown,
/// malformed, misplaced or repeated property.
///
/// # Example
///
/// See the [module documentation](self).
pub fn decode(input: &[u8]) -> Result<Option<(Packet<'_>, usize)>, DecodeError> {
    let Some(header) = frame(input)? else {
        return Ok(None);
    };
    let len = header.packet_len();
    let Some(bytes) = input.get(..len) else {
        return Ok(None);
    };
    let mut r = Reader::new(bytes, header.header_len());
    let flags = header.flags();
    let packet = match header.packet_type() {
        PacketType::Connect => Packet::Connect(Body::read(flags, &mut r)?),
        PacketType::ConnAck => Packet::ConnAck(Body::read(flags, &mut r)?),
        PacketType::Publish => Packet::Publish(Body::read(flags, &mut r)?),
        PacketType::PubAck => Packet::PubAck(Body::read(flags, &mut r)?),
        PacketType::PubRec => Packet::PubRec(Body::read(flags, &mut r)?),
        PacketType::PubRel => Packet::PubRel(Body::read(flags, &mut r)?),
        PacketType::PubComp => Packet::PubComp(Body::read(flags, &mut r)?),
        PacketType::Subscribe => Packet::Subscribe(Body::read(flags, &mut r)?),
        PacketType::SubAck => Packet::SubAck(Body::read(flags, &mut r)?),
        PacketType::Unsubscribe => Packet::Unsubscribe(Body::read(flags, &mut r)?),
        PacketType::UnsubAck => Packet::UnsubAck(Body::read(flags, &mut r)?),
        PacketType::PingReq => Packet::PingReq(Body::read(flags, &mut r)?),
        PacketType::PingResp => Packet::PingResp(Body::read(flags, &mut r)?),
        PacketType::Disconnect => Packet::Disconnect(Body::read(flags, &mut r)?),
        PacketType::Auth => Packet::Auth(Body::read(flags, &mut r)?),
    };
    r.finish()?;
    Ok(Some((packet, len)))
}

/// The length of an optional reason code and property block: both left out for Success without
/// properties, the block left out when empty.
fn reason_len(reason: ReasonCode, properties: &Properties<'_>) -> usize {
    match (reason == ReasonCode::SUCCESS, properties.is_empty()) {
        (true, true) => 0,
        (_, true) => 1,
        _ => 1 + properties.wire_len(),
    }
}

/// Writes what [`reason_len`] counts.
fn write_reason(w: &mut Writer<'_>, reason: ReasonCode, properties: &Properties<'_>) {
    match reason_len(reason, properties) {
        0 => {}
        1 => w.u8(reason.as_u8()),
        _ => {
            w.u8(reason.as_u8());
            properties.write(w);
        }
    }
}

/// Reads an optional reason code and property block that end the packet.
fn read_reason<'a>(
    r: &mut Reader<'a>,
    place: Place,
) -> Result<(ReasonCode, Properties<'a>), DecodeError> {
    if r.remaining() == 0 {
        return Ok((ReasonCode::SUCCESS, Properties::EMPTY));
    }
    let reason = ReasonCode::new(r.u8()?);
    if r.remaining() == 0 {
        return Ok((reason, Properties::EMPTY));
    }
    Ok((reason, Properties::read(r, place)?))
}

macro_rules! impl_from_packet {
    ($($variant:ident $(<$lt:lifetime>)?),* $(,)?) => {$(
        impl<'a> From<$variant $(<$lt>)?> for Packet<'a> {
            fn from(packet: $variant $(<$lt>)?) -> Self {
                Self::$variant(packet)
            }
        }
    )*};
}

impl_from_packet!(
    Connect<'a>,
    ConnAck<'a>,
    Publish<'a>,
    PubAck<'a>,
    PubRec<'a>,
    PubRel<'a>,
    PubComp<'a>,
    Subscribe<'a>,
    SubAck<'a>,
    Unsubscribe<'a>,
    UnsubAck<'a>,
    PingReq,
    PingResp,
    Disconnect<'a>,
    Auth<'a>,
);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::DecodeErrorKind;

    /// Decodes `bytes` as exactly one MQTT 5 packet, encodes it again and checks the bytes
    /// match; every prefix is incomplete.
    pub(crate) fn round_trip(bytes: &[u8]) -> Packet<'_> {
        let (packet, used) = decode(bytes)
            .unwrap_or_else(|e| panic!("decode {bytes:02x?}: {e}"))
            .unwrap_or_else(|| panic!("decode {bytes:02x?}: incomplete"));
        assert_eq!(used, bytes.len(), "used length of {packet:?}");
        assert_eq!(
            packet.encoded_len(),
            bytes.len(),
            "encoded_len of {packet:?}"
        );
        let mut out = [0u8; 512];
        let len = packet.encode(&mut out).expect("encode");
        assert_eq!(&out[..len], bytes, "re-encoding {packet:?}");
        for cut in 0..bytes.len() {
            assert_eq!(decode(&bytes[..cut]), Ok(None), "prefix of {cut} bytes");
        }
        packet
    }

    /// The error kind and offset of decoding `bytes`.
    pub(crate) fn decode_err(bytes: &[u8]) -> (DecodeErrorKind, usize) {
        let err = decode(bytes).expect_err("malformed input decoded");
        (err.kind(), err.offset())
    }

    #[test]
    fn auth_is_a_packet_type_only_in_mqtt_5() {
        assert_eq!(
            decode_err(&[0xf1, 0x00]),
            (
                DecodeErrorKind::Flags {
                    packet_type: PacketType::Auth,
                    flags: 1
                },
                0
            )
        );
        assert!(super::super::decode(&[0xf0, 0x00]).is_err());
        assert!(matches!(
            round_trip(&[0xc0, 0x00]),
            Packet::PingReq(PingReq)
        ));
    }
}

//! MQTT 3.1.1 packets: zero-copy decoding from the caller's bytes, encoding into the caller's
//! buffer.
//!
//! [`decode`] reads one packet from the front of a byte slice. A decoded packet borrows from that
//! slice: a PUBLISH's topic and payload are sub-slices, and the filters of a SUBSCRIBE are
//! iterated in place ([`List`]). Incomplete input is `Ok(None)` ("need more bytes"), never an
//! error; malformed input is a [`DecodeError`] that says what was wrong and at which byte.
//!
//! [`Packet::encode`] writes a packet into a caller buffer and returns its length. It refuses to
//! write anything [`decode`] would reject, so encoded bytes always decode to the same packet.
//!
//! Neither direction allocates.
//!
//! # Example
//!
//! ```
//! use iot_tls::codec::{self, Packet, PacketId, Publish, Qos};
//!
//! let publish = Publish::new("sensors/kitchen", b"21.5")
//!     .with_qos(Qos::AtLeastOnce, PacketId::new(7));
//! let mut buf = [0u8; 64];
//! let len = Packet::Publish(publish).encode(&mut buf)?;
//!
//! // A partial packet needs more bytes.
//! assert_eq!(codec::decode(&buf[..len - 1])?, None);
//! // The whole packet decodes to the same value, borrowing from `buf`.
//! let (packet, used) = codec::decode(&buf[..len])?.expect("complete");
//! assert_eq!(used, len);
//! assert_eq!(packet, Packet::Publish(publish));
//! # Ok::<(), iot_tls::Error>(())
//! ```

/// Defines a packet whose body is only a packet identifier (PUBACK, PUBREC, PUBREL, PUBCOMP,
/// UNSUBACK).
macro_rules! id_only_packet {
    ($name:ident, $what:literal, $first:literal) => {
        #[doc = concat!($what)]
        ///
        /// Its body is the packet identifier of the packet it answers.
        ///
        /// # Example
        ///
        /// ```
        #[doc = concat!("use iot_tls::codec::{self, ", stringify!($name), ", Packet, PacketId};")]
        ///
        #[doc = concat!("let bytes = [", $first, ", 0x02, 0x00, 0x07];")]
        /// let (packet, _) = codec::decode(&bytes)?.unwrap();
        #[doc = concat!("assert_eq!(packet, Packet::", stringify!($name), "(", stringify!($name), "::new(PacketId::new(7).unwrap())));")]
        /// # Ok::<(), iot_tls::Error>(())
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name {
            /// The identifier of the packet this one answers.
            pub packet_id: crate::codec::PacketId,
        }

        impl $name {
            #[doc = concat!("A ", stringify!($name), " for `packet_id`.")]
            ///
            /// # Example
            ///
            #[doc = concat!("See [`", stringify!($name), "`].")]
            pub const fn new(packet_id: crate::codec::PacketId) -> Self {
                Self { packet_id }
            }
        }

        impl crate::codec::Body<'_> for $name {
            const TYPE: crate::codec::PacketType = crate::codec::PacketType::$name;

            fn body_len(&self) -> usize {
                2
            }

            fn write_body(&self, w: &mut crate::codec::Writer<'_>) {
                w.u16(self.packet_id.get());
            }

            fn read(
                _flags: u8,
                r: &mut crate::codec::Reader<'_>,
            ) -> Result<Self, crate::error::DecodeError> {
                Ok(Self {
                    packet_id: r.packet_id()?,
                })
            }
        }
    };
}

/// Defines a packet without a body (PINGREQ, PINGRESP, DISCONNECT).
macro_rules! empty_packet {
    ($name:ident, $what:literal, $first:literal) => {
        #[doc = concat!($what)]
        ///
        /// It has no body: two bytes on the wire.
        ///
        /// # Example
        ///
        /// ```
        #[doc = concat!("use iot_tls::codec::{self, ", stringify!($name), ", Packet};")]
        ///
        #[doc = concat!("let (packet, len) = codec::decode(&[", $first, ", 0x00])?.unwrap();")]
        #[doc = concat!("assert_eq!(packet, Packet::", stringify!($name), "(", stringify!($name), "));")]
        /// assert_eq!(len, 2);
        /// # Ok::<(), iot_tls::Error>(())
        /// ```
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name;

        impl crate::codec::Body<'_> for $name {
            const TYPE: crate::codec::PacketType = crate::codec::PacketType::$name;

            fn body_len(&self) -> usize {
                0
            }

            fn write_body(&self, _w: &mut crate::codec::Writer<'_>) {}

            fn read(
                _flags: u8,
                _r: &mut crate::codec::Reader<'_>,
            ) -> Result<Self, crate::error::DecodeError> {
                Ok(Self)
            }
        }
    };
}

mod connack;
mod connect;
mod disconnect;
mod list;
mod pingreq;
mod pingresp;
mod puback;
mod pubcomp;
mod publish;
mod pubrec;
mod pubrel;
mod suback;
mod subscribe;
mod unsuback;
mod unsubscribe;
pub mod v5;
mod wire;

use core::fmt;
use core::num::NonZeroU16;

pub(crate) use crate::secret::RedactedUsername;
pub use connack::{ConnAck, ConnectReturnCode};
pub use connect::{Connect, Password};
pub use disconnect::Disconnect;
pub use list::{Iter, List, ListItem};
pub use pingreq::PingReq;
pub use pingresp::PingResp;
pub use puback::PubAck;
pub use pubcomp::PubComp;
pub use publish::Publish;
pub use pubrec::PubRec;
pub use pubrel::PubRel;
pub use suback::{SubAck, SubAckCode};
pub use subscribe::{Subscribe, Subscription};
pub use unsuback::UnsubAck;
pub use unsubscribe::Unsubscribe;

use crate::error::{DecodeError, DecodeErrorKind, EncodeError, TopicError};
pub(crate) use wire::{Reader, Writer};

/// The largest remaining length MQTT can express (four 7-bit groups): 268,435,455 bytes.
pub const MAX_REMAINING_LENGTH: usize = 268_435_455;

/// The largest fixed header: one type byte and four remaining-length bytes.
pub const MAX_HEADER_LEN: usize = 5;

/// A quality-of-service level.
///
/// # Example
///
/// ```
/// use iot_tls::codec::Qos;
///
/// assert_eq!(Qos::from_u8(1), Some(Qos::AtLeastOnce));
/// assert_eq!(Qos::from_u8(3), None);
/// assert_eq!(Qos::AtLeastOnce.as_u8(), 1);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Qos {
    /// QoS 0: delivered at most once, never acknowledged.
    #[default]
    AtMostOnce = 0,
    /// QoS 1: delivered at least once, acknowledged by PUBACK.
    AtLeastOnce = 1,
    /// QoS 2: delivered exactly once (decoded, but refused by the session and by AWS IoT).
    ExactlyOnce = 2,
}

impl Qos {
    /// The QoS with wire value `value`, if it is 0, 1 or 2.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::codec::Qos::from_u8(2), Some(iot_tls::codec::Qos::ExactlyOnce));
    /// ```
    pub const fn from_u8(value: u8) -> Option<Self> {
        match value {
            0 => Some(Self::AtMostOnce),
            1 => Some(Self::AtLeastOnce),
            2 => Some(Self::ExactlyOnce),
            _ => None,
        }
    }

    /// The wire value: 0, 1 or 2.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::codec::Qos::ExactlyOnce.as_u8(), 2);
    /// ```
    pub const fn as_u8(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Qos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_u8())
    }
}

/// A packet identifier: a non-zero 16-bit number that pairs a request with its acknowledgement.
///
/// # Example
///
/// ```
/// use iot_tls::codec::PacketId;
///
/// assert_eq!(PacketId::new(0), None);
/// assert_eq!(PacketId::new(42).map(PacketId::get), Some(42));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PacketId(NonZeroU16);

impl PacketId {
    /// The identifier `id`, or `None` for 0.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(iot_tls::codec::PacketId::new(1).is_some());
    /// ```
    pub const fn new(id: u16) -> Option<Self> {
        match NonZeroU16::new(id) {
            Some(id) => Some(Self(id)),
            None => None,
        }
    }

    /// The identifier as a number.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::codec::PacketId::new(9).unwrap().get(), 9);
    /// ```
    pub const fn get(self) -> u16 {
        self.0.get()
    }
}

impl fmt::Display for PacketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.get())
    }
}

/// The type of a control packet, from the high four bits of its first byte.
///
/// # Example
///
/// ```
/// use iot_tls::codec::PacketType;
///
/// assert_eq!(PacketType::from_u8(3), Some(PacketType::Publish));
/// assert_eq!(PacketType::Publish.to_string(), "PUBLISH");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[expect(
    missing_docs,
    reason = "the variants are the packet names of the MQTT specification"
)]
pub enum PacketType {
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,
    /// MQTT 5 only: the enhanced-authentication exchange ([`v5::Auth`]).
    Auth = 15,
}

impl PacketType {
    /// The packet type with number `value` (1 to 14).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::PacketType;
    ///
    /// assert_eq!(PacketType::from_u8(14), Some(PacketType::Disconnect));
    /// assert_eq!(PacketType::from_u8(15), None);
    /// ```
    pub const fn from_u8(value: u8) -> Option<Self> {
        Some(match value {
            1 => Self::Connect,
            2 => Self::ConnAck,
            3 => Self::Publish,
            4 => Self::PubAck,
            5 => Self::PubRec,
            6 => Self::PubRel,
            7 => Self::PubComp,
            8 => Self::Subscribe,
            9 => Self::SubAck,
            10 => Self::Unsubscribe,
            11 => Self::UnsubAck,
            12 => Self::PingReq,
            13 => Self::PingResp,
            14 => Self::Disconnect,
            _ => return None,
        })
    }

    /// The MQTT 5 packet type with number `value` (1 to 15, AUTH included).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::PacketType;
    ///
    /// assert_eq!(PacketType::from_u8_v5(15), Some(PacketType::Auth));
    /// assert_eq!(PacketType::from_u8_v5(0), None);
    /// ```
    pub const fn from_u8_v5(value: u8) -> Option<Self> {
        match value {
            15 => Some(Self::Auth),
            _ => Self::from_u8(value),
        }
    }

    /// The flag bits (low four bits of the first byte) every packet of this type carries;
    /// `None` for PUBLISH, whose flags vary.
    const fn fixed_flags(self) -> Option<u8> {
        match self {
            Self::Publish => None,
            Self::PubRel | Self::Subscribe | Self::Unsubscribe => Some(0b0010),
            _ => Some(0),
        }
    }

    const fn name(self) -> &'static str {
        match self {
            Self::Connect => "CONNECT",
            Self::ConnAck => "CONNACK",
            Self::Publish => "PUBLISH",
            Self::PubAck => "PUBACK",
            Self::PubRec => "PUBREC",
            Self::PubRel => "PUBREL",
            Self::PubComp => "PUBCOMP",
            Self::Subscribe => "SUBSCRIBE",
            Self::SubAck => "SUBACK",
            Self::Unsubscribe => "UNSUBSCRIBE",
            Self::UnsubAck => "UNSUBACK",
            Self::PingReq => "PINGREQ",
            Self::PingResp => "PINGRESP",
            Self::Disconnect => "DISCONNECT",
            Self::Auth => "AUTH",
        }
    }
}

impl fmt::Display for PacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An application message: what a PUBLISH carries and what a will announces.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{Message, Qos};
///
/// let msg = Message::new("tele/plug/STATE", br#"{"POWER":"ON"}"#)
///     .with_qos(Qos::AtLeastOnce)
///     .with_retain(true);
/// assert_eq!(msg.qos, Qos::AtLeastOnce);
/// assert!(msg.retain);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Message<'a> {
    /// The topic name (no wildcards).
    pub topic: &'a str,
    /// The payload bytes.
    pub payload: &'a [u8],
    /// The quality of service.
    pub qos: Qos,
    /// Whether the broker keeps the message for future subscribers.
    pub retain: bool,
}

impl<'a> Message<'a> {
    /// A QoS 0, non-retained message.
    ///
    /// # Example
    ///
    /// ```
    /// let msg = iot_tls::codec::Message::new("a/b", b"hi");
    /// assert_eq!(msg.payload, b"hi");
    /// ```
    pub const fn new(topic: &'a str, payload: &'a [u8]) -> Self {
        Self {
            topic,
            payload,
            qos: Qos::AtMostOnce,
            retain: false,
        }
    }

    /// The same message at `qos`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Message, Qos};
    ///
    /// assert_eq!(Message::new("t", b"").with_qos(Qos::AtLeastOnce).qos, Qos::AtLeastOnce);
    /// ```
    #[must_use]
    pub const fn with_qos(self, qos: Qos) -> Self {
        Self { qos, ..self }
    }

    /// The same message with the retain flag set to `retain`.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(iot_tls::codec::Message::new("t", b"").with_retain(true).retain);
    /// ```
    #[must_use]
    pub const fn with_retain(self, retain: bool) -> Self {
        Self { retain, ..self }
    }
}

/// The fixed header of a packet: its type, flags and lengths.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{self, PacketType};
///
/// // A PUBLISH whose 200-byte body has not arrived yet.
/// let header = codec::frame(&[0x30, 0xc8, 0x01])?.expect("header complete");
/// assert_eq!(header.packet_type(), PacketType::Publish);
/// assert_eq!(header.header_len(), 3);
/// assert_eq!(header.remaining_len(), 200);
/// assert_eq!(header.packet_len(), 203);
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FixedHeader {
    packet_type: PacketType,
    flags: u8,
    header_len: usize,
    remaining_len: usize,
}

impl FixedHeader {
    /// The packet type.
    ///
    /// # Example
    ///
    /// See [`FixedHeader`].
    pub const fn packet_type(&self) -> PacketType {
        self.packet_type
    }

    /// The low four bits of the first byte.
    ///
    /// # Example
    ///
    /// ```
    /// let header = iot_tls::codec::frame(&[0x62, 0x02])?.unwrap(); // PUBREL
    /// assert_eq!(header.flags(), 0b0010);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub const fn flags(&self) -> u8 {
        self.flags
    }

    /// The length of the fixed header: 2 to 5 bytes.
    ///
    /// # Example
    ///
    /// See [`FixedHeader`].
    pub const fn header_len(&self) -> usize {
        self.header_len
    }

    /// The length of the packet after the fixed header.
    ///
    /// # Example
    ///
    /// See [`FixedHeader`].
    pub const fn remaining_len(&self) -> usize {
        self.remaining_len
    }

    /// The length of the whole packet.
    ///
    /// # Example
    ///
    /// See [`FixedHeader`].
    pub const fn packet_len(&self) -> usize {
        self.header_len + self.remaining_len
    }
}

/// Reads the fixed header at the front of `input`.
///
/// Returns `Ok(None)` while the header is incomplete. The first byte is checked as soon as it
/// arrives: a reserved packet type or wrong flag bits are an error at offset 0, so garbage is
/// caught without waiting for more bytes.
///
/// # Errors
///
/// [`DecodeError`] for a reserved packet type, wrong flags, QoS 3 in a PUBLISH, or a remaining
/// length longer than four bytes.
///
/// # Example
///
/// ```
/// use iot_tls::codec;
/// use iot_tls::error::DecodeErrorKind;
///
/// assert_eq!(codec::frame(&[0x30])?, None); // the length has not arrived
/// let err = codec::frame(&[0xf0]).unwrap_err();
/// assert_eq!(err.kind(), DecodeErrorKind::PacketType(15));
/// # Ok::<(), iot_tls::Error>(())
/// ```
pub fn frame(input: &[u8]) -> Result<Option<FixedHeader>, DecodeError> {
    frame_with(input, PacketType::from_u8)
}

/// [`frame`] with the packet types of one protocol version.
pub(crate) fn frame_with(
    input: &[u8],
    packet_type: fn(u8) -> Option<PacketType>,
) -> Result<Option<FixedHeader>, DecodeError> {
    let Some(&first) = input.first() else {
        return Ok(None);
    };
    let at_start = |kind| DecodeError::new(kind, 0);
    let packet_type =
        packet_type(first >> 4).ok_or(at_start(DecodeErrorKind::PacketType(first >> 4)))?;
    let flags = first & 0x0f;
    match packet_type.fixed_flags() {
        Some(expected) if flags != expected => {
            return Err(at_start(DecodeErrorKind::Flags { packet_type, flags }));
        }
        None if (flags >> 1) & 0b11 == 3 => return Err(at_start(DecodeErrorKind::Qos(3))),
        _ => {}
    }
    let mut remaining_len = 0usize;
    for (i, &byte) in input.iter().enumerate().skip(1).take(4) {
        remaining_len |= usize::from(byte & 0x7f) << (7 * (i - 1));
        if byte & 0x80 == 0 {
            return Ok(Some(FixedHeader {
                packet_type,
                flags,
                header_len: i + 1,
                remaining_len,
            }));
        }
        if i == 4 {
            return Err(DecodeError::new(DecodeErrorKind::RemainingLength, i));
        }
    }
    Ok(None)
}

/// Decodes the packet at the front of `input`.
///
/// Returns the packet and the number of bytes it used, or `Ok(None)` if `input` holds only part
/// of a packet. Bytes after the packet are left alone: call again on the rest.
///
/// # Errors
///
/// [`DecodeError`] for malformed input: a remaining length over four bytes, reserved flag bits,
/// invalid UTF-8 or a null character in a string, a wildcard in a PUBLISH topic, a packet
/// identifier of 0, a field that runs past the packet or bytes left after its last field.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{self, Packet, PacketId, PubAck};
///
/// let stream = [0x40, 0x02, 0x00, 0x05, /* next packet: */ 0xd0];
/// let (packet, used) = codec::decode(&stream)?.unwrap();
/// assert_eq!(packet, Packet::PubAck(PubAck::new(PacketId::new(5).unwrap())));
/// assert_eq!(used, 4);
/// assert_eq!(codec::decode(&stream[used..])?, None); // PINGRESP's length is missing
/// # Ok::<(), iot_tls::Error>(())
/// ```
pub fn decode(input: &[u8]) -> Result<Option<(Packet<'_>, usize)>, DecodeError> {
    let Some(header) = frame(input)? else {
        return Ok(None);
    };
    let len = header.packet_len();
    let Some(bytes) = input.get(..len) else {
        return Ok(None);
    };
    let mut r = Reader::new(bytes, header.header_len);
    let packet = match header.packet_type {
        PacketType::Connect => Packet::Connect(read(&header, &mut r)?),
        PacketType::ConnAck => Packet::ConnAck(read(&header, &mut r)?),
        PacketType::Publish => Packet::Publish(read(&header, &mut r)?),
        PacketType::PubAck => Packet::PubAck(read(&header, &mut r)?),
        PacketType::PubRec => Packet::PubRec(read(&header, &mut r)?),
        PacketType::PubRel => Packet::PubRel(read(&header, &mut r)?),
        PacketType::PubComp => Packet::PubComp(read(&header, &mut r)?),
        PacketType::Subscribe => Packet::Subscribe(read(&header, &mut r)?),
        PacketType::SubAck => Packet::SubAck(read(&header, &mut r)?),
        PacketType::Unsubscribe => Packet::Unsubscribe(read(&header, &mut r)?),
        PacketType::UnsubAck => Packet::UnsubAck(read(&header, &mut r)?),
        PacketType::PingReq => Packet::PingReq(read(&header, &mut r)?),
        PacketType::PingResp => Packet::PingResp(read(&header, &mut r)?),
        PacketType::Disconnect => Packet::Disconnect(read(&header, &mut r)?),
        // `frame` refuses type 15 on MQTT 3.1.1.
        PacketType::Auth => return Err(DecodeError::new(DecodeErrorKind::PacketType(15), 0)),
    };
    r.finish()?;
    Ok(Some((packet, len)))
}

fn read<'a, B: Body<'a>>(header: &FixedHeader, r: &mut Reader<'a>) -> Result<B, DecodeError> {
    B::read(header.flags, r)
}

/// Any MQTT 3.1.1 control packet, borrowing its strings and payload ([`v5::Packet`] for MQTT 5).
///
/// # Example
///
/// ```
/// use iot_tls::codec::{self, Packet, PingReq};
///
/// let mut buf = [0u8; 2];
/// assert_eq!(Packet::PingReq(PingReq).encode(&mut buf)?, 2);
/// assert_eq!(buf, [0xc0, 0x00]);
/// assert_eq!(codec::decode(&buf)?, Some((Packet::PingReq(PingReq), 2)));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    missing_docs,
    reason = "each variant holds the packet type of the same name"
)]
pub enum Packet<'a> {
    Connect(Connect<'a>),
    ConnAck(ConnAck),
    Publish(Publish<'a>),
    PubAck(PubAck),
    PubRec(PubRec),
    PubRel(PubRel),
    PubComp(PubComp),
    Subscribe(Subscribe<'a>),
    SubAck(SubAck<'a>),
    Unsubscribe(Unsubscribe<'a>),
    UnsubAck(UnsubAck),
    PingReq(PingReq),
    PingResp(PingResp),
    Disconnect(Disconnect),
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
        }
    };
}

impl Packet<'_> {
    /// The packet's type.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Packet, PacketType, PingResp};
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
    /// use iot_tls::codec::{Packet, Publish};
    ///
    /// // 1 type byte + 1 length byte + 2 + 3 topic bytes + 2 payload bytes.
    /// assert_eq!(Packet::Publish(Publish::new("a/b", b"hi")).encoded_len(), 9);
    /// ```
    pub fn encoded_len(&self) -> usize {
        each_packet!(self, p => encoded_len(p))
    }

    /// Encodes the packet at the start of `buf` and returns its length.
    ///
    /// Nothing is written when an error is returned.
    ///
    /// # Errors
    ///
    /// [`EncodeError::BufferTooSmall`] if `buf` is shorter than [`encoded_len`](Self::encoded_len);
    /// other [`EncodeError`]s for packets that would not decode: a field over 65,535 bytes, a
    /// wildcard in a topic name, a malformed filter, a null character, a PUBLISH packet
    /// identifier that does not match its QoS, a password without a user name, an empty list.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Packet, PacketId, PubAck};
    ///
    /// let mut buf = [0u8; 8];
    /// let len = Packet::PubAck(PubAck::new(PacketId::new(0x1234).unwrap())).encode(&mut buf)?;
    /// assert_eq!(&buf[..len], [0x40, 0x02, 0x12, 0x34]);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        each_packet!(self, p => encode(p, buf))
    }
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
    ConnAck,
    Publish<'a>,
    PubAck,
    PubRec,
    PubRel,
    PubComp,
    Subscribe<'a>,
    SubAck<'a>,
    Unsubscribe<'a>,
    UnsubAck,
    PingReq,
    PingResp,
    Disconnect,
);

/// How one packet type reads and writes its body (everything after the fixed header).
pub(crate) trait Body<'a>: Sized {
    /// The packet type.
    const TYPE: PacketType;

    /// The packet type, for code that holds a value rather than a type.
    fn packet_type(&self) -> PacketType {
        Self::TYPE
    }

    /// The low four bits of the first byte.
    fn flags(&self) -> u8 {
        Self::TYPE.fixed_flags().unwrap_or(0)
    }

    /// The remaining length.
    fn body_len(&self) -> usize;

    /// Checks that the packet would decode as it is.
    fn validate(&self) -> Result<(), EncodeError> {
        Ok(())
    }

    /// Writes the body; `w` has exactly [`body_len`](Self::body_len) bytes left.
    fn write_body(&self, w: &mut Writer<'_>);

    /// Reads the body; the caller checks that nothing is left after it.
    fn read(flags: u8, r: &mut Reader<'a>) -> Result<Self, DecodeError>;
}

/// The encoded length of `packet`, fixed header included.
pub(crate) fn encoded_len<'a, B: Body<'a>>(packet: &B) -> usize {
    let body = packet.body_len();
    1 + remaining_length_len(body) + body
}

/// Encodes `packet` at the start of `buf`.
pub(crate) fn encode<'a, B: Body<'a>>(packet: &B, buf: &mut [u8]) -> Result<usize, EncodeError> {
    packet.validate()?;
    let body = packet.body_len();
    if body > MAX_REMAINING_LENGTH {
        return Err(EncodeError::PacketTooLarge { len: body });
    }
    let len = 1 + remaining_length_len(body) + body;
    let capacity = buf.len();
    let Some(out) = buf.get_mut(..len) else {
        return Err(EncodeError::BufferTooSmall {
            needed: len,
            capacity,
        });
    };
    let mut w = Writer::new(out);
    w.u8(((B::TYPE as u8) << 4) | packet.flags());
    w.remaining_length(body);
    packet.write_body(&mut w);
    debug_assert_eq!(w.position(), len, "{} body length", B::TYPE);
    Ok(len)
}

/// The number of bytes the remaining length `len` takes: 1 to 4.
pub(crate) const fn remaining_length_len(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// Checks a string field for the encoder: at most 65,535 bytes and no null character.
pub(crate) fn check_string(s: &str) -> Result<(), EncodeError> {
    check_binary(s.as_bytes())?;
    if s.as_bytes().contains(&0) {
        return Err(EncodeError::NullCharacter);
    }
    Ok(())
}

/// Checks a binary field for the encoder: at most 65,535 bytes.
pub(crate) fn check_binary(bytes: &[u8]) -> Result<(), EncodeError> {
    if bytes.len() > usize::from(u16::MAX) {
        return Err(EncodeError::FieldTooLong { len: bytes.len() });
    }
    Ok(())
}

/// Checks a topic name for the encoder.
pub(crate) fn check_topic_name(topic: &str) -> Result<(), EncodeError> {
    check_binary(topic.as_bytes())?;
    topic_name_error(topic.as_bytes()).map_or(Ok(()), |(e, _)| Err(e.into()))
}

/// Checks a topic filter for the encoder.
pub(crate) fn check_topic_filter(filter: &str) -> Result<(), EncodeError> {
    check_binary(filter.as_bytes())?;
    topic_filter_error(filter.as_bytes()).map_or(Ok(()), |(e, _)| Err(e.into()))
}

/// What is wrong with a topic name or filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TopicProblem {
    /// A null character.
    Null,
    /// A malformed topic.
    Topic(TopicError),
}

impl From<TopicProblem> for DecodeErrorKind {
    fn from(problem: TopicProblem) -> Self {
        match problem {
            TopicProblem::Null => Self::NullCharacter,
            TopicProblem::Topic(e) => Self::Topic(e),
        }
    }
}

impl From<TopicProblem> for EncodeError {
    fn from(problem: TopicProblem) -> Self {
        match problem {
            TopicProblem::Null => Self::NullCharacter,
            TopicProblem::Topic(e) => Self::Topic(e),
        }
    }
}

/// The first problem with topic name `topic` and its byte index, if any: empty, a null
/// character or a wildcard, found in one pass.
pub(crate) fn topic_name_error(topic: &[u8]) -> Option<(TopicProblem, usize)> {
    if topic.is_empty() {
        return Some((TopicProblem::Topic(TopicError::Empty), 0));
    }
    // A branch-free pass the compiler vectorises; the position is looked up only on failure.
    #[expect(
        clippy::needless_bitwise_bool,
        reason = "no short circuit, so the loop vectorises"
    )]
    let special = topic.iter().fold(false, |found, &b| {
        found | (b == 0) | (b == b'+') | (b == b'#')
    });
    if !special {
        return None;
    }
    let i = topic.iter().position(|&b| matches!(b, 0 | b'+' | b'#'))?;
    let problem = if topic[i] == 0 {
        TopicProblem::Null
    } else {
        TopicProblem::Topic(TopicError::Wildcard)
    };
    Some((problem, i))
}

/// The first problem with topic filter `filter` and its byte index, if any.
///
/// `#` must be the whole last level and `+` a whole level; null characters are refused.
pub(crate) fn topic_filter_error(filter: &[u8]) -> Option<(TopicProblem, usize)> {
    if filter.is_empty() {
        return Some((TopicProblem::Topic(TopicError::Empty), 0));
    }
    let mut level_start = 0;
    for (i, &b) in filter.iter().enumerate() {
        let alone = i == level_start && filter.get(i + 1).is_none_or(|&next| next == b'/');
        let bad = match b {
            0 => return Some((TopicProblem::Null, i)),
            b'#' => !alone || i + 1 != filter.len(),
            b'+' => !alone,
            b'/' => {
                level_start = i + 1;
                false
            }
            _ => false,
        };
        if bad {
            return Some((TopicProblem::Topic(TopicError::Filter), i));
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Decodes `bytes` as exactly one packet, encodes it again and checks the bytes match.
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
        let mut short = [0u8; 512];
        assert_eq!(
            packet.encode(&mut short[..len - 1]),
            Err(EncodeError::BufferTooSmall {
                needed: len,
                capacity: len - 1
            })
        );
        packet
    }

    /// Checks a packet whose body is a packet identifier, with first byte `first`.
    pub(crate) fn id_only(first: u8, expected: fn(PacketId) -> Packet<'static>) {
        #[rustfmt::skip]
        let bytes = [
            first, 0x02,    // type and flags, remaining length 2
            0x12, 0x34,     // packet identifier 0x1234
        ];
        assert_eq!(round_trip(&bytes), expected(PacketId::new(0x1234).unwrap()));
        assert_eq!(
            decode_err(&[first, 0x02, 0x00, 0x00]),
            (DecodeErrorKind::PacketIdZero, 2)
        );
        assert_eq!(
            decode_err(&[first, 0x01, 0x01]),
            (DecodeErrorKind::UnexpectedEnd, 2)
        );
        assert_eq!(
            decode_err(&[first, 0x00]),
            (DecodeErrorKind::UnexpectedEnd, 2)
        );
        assert_eq!(
            decode_err(&[first, 0x03, 0x00, 0x01, 0x00]),
            (DecodeErrorKind::TrailingBytes, 4)
        );
        assert!(matches!(
            decode_err(&[first ^ 0x01, 0x02, 0x00, 0x01]),
            (DecodeErrorKind::Flags { .. }, 0)
        ));
    }

    /// Checks a packet without a body, with first byte `first`.
    pub(crate) fn empty(first: u8, expected: Packet<'static>) {
        assert_eq!(round_trip(&[first, 0x00]), expected);
        assert_eq!(
            decode_err(&[first, 0x01, 0x00]),
            (DecodeErrorKind::TrailingBytes, 2)
        );
        assert!(matches!(
            decode_err(&[first | 0x01, 0x00]),
            (DecodeErrorKind::Flags { .. }, 0)
        ));
    }

    /// The error kind and offset of decoding `bytes`.
    pub(crate) fn decode_err(bytes: &[u8]) -> (DecodeErrorKind, usize) {
        let err = decode(bytes).expect_err("malformed input decoded");
        (err.kind(), err.offset())
    }

    #[test]
    fn remaining_length_boundaries() {
        for (len, bytes) in [
            (0usize, &[0x00][..]),
            (127, &[0x7f]),
            (128, &[0x80, 0x01]),
            (16_383, &[0xff, 0x7f]),
            (16_384, &[0x80, 0x80, 0x01]),
            (2_097_151, &[0xff, 0xff, 0x7f]),
            (2_097_152, &[0x80, 0x80, 0x80, 0x01]),
            (MAX_REMAINING_LENGTH, &[0xff, 0xff, 0xff, 0x7f]),
        ] {
            let mut input = [0x30u8; 5];
            input[1..=bytes.len()].copy_from_slice(bytes);
            let header = frame(&input[..=bytes.len()]).unwrap().unwrap();
            assert_eq!(header.remaining_len(), len);
            assert_eq!(header.header_len(), 1 + bytes.len());
            assert_eq!(remaining_length_len(len), bytes.len());
            let mut out = [0u8; 4];
            let mut w = Writer::new(&mut out);
            w.remaining_length(len);
            assert_eq!(&out[..bytes.len()], bytes);
        }
    }

    #[test]
    fn remaining_length_over_four_bytes_is_an_error_at_the_fourth() {
        assert_eq!(
            decode_err(&[0x30, 0x80, 0x80, 0x80, 0x80, 0x01]),
            (DecodeErrorKind::RemainingLength, 4)
        );
        // Detected before the fifth byte arrives.
        assert_eq!(
            decode_err(&[0x30, 0xff, 0xff, 0xff, 0xff]),
            (DecodeErrorKind::RemainingLength, 4)
        );
        assert_eq!(frame(&[0x30, 0xff, 0xff, 0xff]), Ok(None));
    }

    #[test]
    fn first_byte_is_checked_alone() {
        assert_eq!(decode_err(&[0x00]), (DecodeErrorKind::PacketType(0), 0));
        assert_eq!(decode_err(&[0xf0]), (DecodeErrorKind::PacketType(15), 0));
        assert_eq!(
            decode_err(&[0x41]),
            (
                DecodeErrorKind::Flags {
                    packet_type: PacketType::PubAck,
                    flags: 1
                },
                0
            )
        );
        assert_eq!(
            decode_err(&[0x80]),
            (
                DecodeErrorKind::Flags {
                    packet_type: PacketType::Subscribe,
                    flags: 0
                },
                0
            )
        );
        assert_eq!(decode_err(&[0x36]), (DecodeErrorKind::Qos(3), 0));
        assert_eq!(decode(&[]), Ok(None));
    }

    #[test]
    fn every_packet_type_has_a_name_and_number() {
        assert_eq!(PacketType::from_u8(15), None);
        for n in 1..=15 {
            let t = PacketType::from_u8_v5(n).unwrap();
            assert_eq!(t as u8, n);
            assert!(t.name().chars().all(|c| c.is_ascii_uppercase()));
        }
    }

    #[test]
    fn topic_filters() {
        for ok in [
            "a",
            "#",
            "+",
            "a/#",
            "+/+",
            "a/+/b",
            "/",
            "//",
            "+/",
            "/#",
            "$aws/things/+/shadow/#",
        ] {
            assert_eq!(topic_filter_error(ok.as_bytes()), None, "{ok}");
        }
        for (bad, at) in [
            ("a#", 1),
            ("#/a", 0),
            ("a/b#", 3),
            ("a+", 1),
            ("+a", 0),
            ("a/#/", 2),
            ("##", 0),
        ] {
            assert_eq!(
                topic_filter_error(bad.as_bytes()),
                Some((TopicProblem::Topic(TopicError::Filter), at)),
                "{bad}"
            );
        }
        assert_eq!(
            topic_filter_error(b""),
            Some((TopicProblem::Topic(TopicError::Empty), 0))
        );
        assert_eq!(topic_filter_error(b"a/\0"), Some((TopicProblem::Null, 2)));
    }

    #[test]
    fn topic_names() {
        let wildcard = TopicProblem::Topic(TopicError::Wildcard);
        assert_eq!(topic_name_error(b"a/b c/$d"), None);
        assert_eq!(topic_name_error(b"a/+"), Some((wildcard, 2)));
        assert_eq!(topic_name_error(b"#"), Some((wildcard, 0)));
        assert_eq!(topic_name_error(b"a\0#"), Some((TopicProblem::Null, 1)));
        assert_eq!(
            topic_name_error(b""),
            Some((TopicProblem::Topic(TopicError::Empty), 0))
        );
    }

    #[test]
    fn encoder_refuses_what_the_decoder_rejects() {
        let long = "a".repeat(65_536);
        let long = long.as_str();
        let mut buf = std::vec![0u8; 70_000];
        assert_eq!(
            Packet::Publish(Publish::new(long, b"")).encode(&mut buf),
            Err(EncodeError::FieldTooLong { len: 65_536 })
        );
        assert_eq!(
            Packet::Publish(Publish::new("a\0b", b"")).encode(&mut buf),
            Err(EncodeError::NullCharacter)
        );
        assert_eq!(
            Packet::Publish(Publish::new("a/+", b"")).encode(&mut buf),
            Err(EncodeError::Topic(TopicError::Wildcard))
        );
    }
}

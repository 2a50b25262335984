//! MQTT 5 properties: read in place through a validating iterator, written through a builder
//! into the caller's buffer. Neither allocates.

use crate::codec::{
    PacketType, Reader, Writer, check_binary, check_string, check_topic_name, remaining_length_len,
};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

/// The largest Subscription Identifier: 268,435,455.
const MAX_SUBSCRIPTION_ID: u32 = 268_435_455;

/// One MQTT 5 property, borrowing its strings and binary data.
///
/// The variants are the properties of the MQTT 5 specification (section 2.2.2.2), each holding
/// its value in the wire type: byte, two- or four-byte integer, variable byte integer (the
/// Subscription Identifier), UTF-8 string, binary data or a string pair (User Property).
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::Property;
///
/// assert_eq!(Property::MessageExpiryInterval(60).id(), 0x02);
/// assert_eq!(Property::UserProperty("k", "v").id(), 0x26);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[expect(
    missing_docs,
    reason = "the variants are the property names of the MQTT 5 specification"
)]
pub enum Property<'a> {
    PayloadFormatIndicator(u8),
    MessageExpiryInterval(u32),
    ContentType(&'a str),
    ResponseTopic(&'a str),
    CorrelationData(&'a [u8]),
    SubscriptionIdentifier(u32),
    SessionExpiryInterval(u32),
    AssignedClientIdentifier(&'a str),
    ServerKeepAlive(u16),
    AuthenticationMethod(&'a str),
    AuthenticationData(&'a [u8]),
    RequestProblemInformation(u8),
    WillDelayInterval(u32),
    RequestResponseInformation(u8),
    ResponseInformation(&'a str),
    ServerReference(&'a str),
    ReasonString(&'a str),
    ReceiveMaximum(u16),
    TopicAliasMaximum(u16),
    TopicAlias(u16),
    MaximumQos(u8),
    RetainAvailable(u8),
    UserProperty(&'a str, &'a str),
    MaximumPacketSize(u32),
    WildcardSubscriptionAvailable(u8),
    SubscriptionIdentifierAvailable(u8),
    SharedSubscriptionAvailable(u8),
}

/// Runs `$body` with `$v` bound to the value of any variant of `$p` of the wire type `$kind`.
macro_rules! by_type {
    ($p:expr, byte $b:ident => $byte:expr, u16 $s:ident => $short:expr, u32 $l:ident => $long:expr,
     vbi $n:ident => $vbi:expr, str $t:ident => $str:expr, bin $d:ident => $bin:expr,
     pair ($k:ident, $v:ident) => $pair:expr) => {
        match $p {
            Property::PayloadFormatIndicator($b)
            | Property::RequestProblemInformation($b)
            | Property::RequestResponseInformation($b)
            | Property::MaximumQos($b)
            | Property::RetainAvailable($b)
            | Property::WildcardSubscriptionAvailable($b)
            | Property::SubscriptionIdentifierAvailable($b)
            | Property::SharedSubscriptionAvailable($b) => $byte,
            Property::ServerKeepAlive($s)
            | Property::ReceiveMaximum($s)
            | Property::TopicAliasMaximum($s)
            | Property::TopicAlias($s) => $short,
            Property::MessageExpiryInterval($l)
            | Property::SessionExpiryInterval($l)
            | Property::WillDelayInterval($l)
            | Property::MaximumPacketSize($l) => $long,
            Property::SubscriptionIdentifier($n) => $vbi,
            Property::ContentType($t)
            | Property::ResponseTopic($t)
            | Property::AssignedClientIdentifier($t)
            | Property::AuthenticationMethod($t)
            | Property::ResponseInformation($t)
            | Property::ServerReference($t)
            | Property::ReasonString($t) => $str,
            Property::CorrelationData($d) | Property::AuthenticationData($d) => $bin,
            Property::UserProperty($k, $v) => $pair,
        }
    };
}

impl<'a> Property<'a> {
    /// The property identifier.
    ///
    /// # Example
    ///
    /// See [`Property`].
    pub const fn id(&self) -> u8 {
        match self {
            Self::PayloadFormatIndicator(_) => 0x01,
            Self::MessageExpiryInterval(_) => 0x02,
            Self::ContentType(_) => 0x03,
            Self::ResponseTopic(_) => 0x08,
            Self::CorrelationData(_) => 0x09,
            Self::SubscriptionIdentifier(_) => 0x0b,
            Self::SessionExpiryInterval(_) => 0x11,
            Self::AssignedClientIdentifier(_) => 0x12,
            Self::ServerKeepAlive(_) => 0x13,
            Self::AuthenticationMethod(_) => 0x15,
            Self::AuthenticationData(_) => 0x16,
            Self::RequestProblemInformation(_) => 0x17,
            Self::WillDelayInterval(_) => 0x18,
            Self::RequestResponseInformation(_) => 0x19,
            Self::ResponseInformation(_) => 0x1a,
            Self::ServerReference(_) => 0x1c,
            Self::ReasonString(_) => 0x1f,
            Self::ReceiveMaximum(_) => 0x21,
            Self::TopicAliasMaximum(_) => 0x22,
            Self::TopicAlias(_) => 0x23,
            Self::MaximumQos(_) => 0x24,
            Self::RetainAvailable(_) => 0x25,
            Self::UserProperty(..) => 0x26,
            Self::MaximumPacketSize(_) => 0x27,
            Self::WildcardSubscriptionAvailable(_) => 0x28,
            Self::SubscriptionIdentifierAvailable(_) => 0x29,
            Self::SharedSubscriptionAvailable(_) => 0x2a,
        }
    }

    /// The encoded length, identifier included.
    fn wire_len(&self) -> usize {
        1 + by_type!(*self,
            byte _b => 1,
            u16 _s => 2,
            u32 _l => 4,
            vbi n => remaining_length_len(n as usize),
            str t => 2 + t.len(),
            bin d => 2 + d.len(),
            pair (k, v) => 4 + k.len() + v.len())
    }

    /// Writes the property.
    fn write(&self, w: &mut Writer<'_>) {
        w.u8(self.id());
        by_type!(*self,
        byte b => w.u8(b),
        u16 s => w.u16(s),
        u32 l => w.u32(l),
        vbi n => w.remaining_length(n as usize),
        str t => w.string(t),
        bin d => w.binary(d),
        pair (k, v) => {
            w.string(k);
            w.string(v);
        });
    }

    /// Whether the value is one MQTT 5 allows.
    fn value_ok(&self) -> bool {
        match *self {
            Self::PayloadFormatIndicator(b)
            | Self::RequestProblemInformation(b)
            | Self::RequestResponseInformation(b)
            | Self::MaximumQos(b)
            | Self::RetainAvailable(b)
            | Self::WildcardSubscriptionAvailable(b)
            | Self::SubscriptionIdentifierAvailable(b)
            | Self::SharedSubscriptionAvailable(b) => b <= 1,
            Self::ReceiveMaximum(n) | Self::TopicAlias(n) => n != 0,
            Self::MaximumPacketSize(n) => n != 0,
            Self::SubscriptionIdentifier(n) => (1..=MAX_SUBSCRIPTION_ID).contains(&n),
            _ => true,
        }
    }

    /// Checks the property for the encoder.
    fn validate(&self) -> Result<(), EncodeError> {
        if !self.value_ok() {
            return Err(EncodeError::PropertyValue(self.id()));
        }
        if let Self::ResponseTopic(topic) = *self {
            return check_topic_name(topic);
        }
        by_type!(*self,
            byte _b => Ok(()),
            u16 _s => Ok(()),
            u32 _l => Ok(()),
            vbi _n => Ok(()),
            str t => check_string(t),
            bin d => check_binary(d),
            pair (k, v) => check_string(k).and_then(|()| check_string(v)))
    }

    /// Reads one property; errors point at its identifier or at the offending field.
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let at = r.position();
        let id = r.vbi()?;
        let id = u8::try_from(id)
            .map_err(|_| Reader::error_at(DecodeErrorKind::UnknownProperty(0xff), at))?;
        let property = match id {
            0x01 => Self::PayloadFormatIndicator(r.u8()?),
            0x02 => Self::MessageExpiryInterval(r.u32()?),
            0x03 => Self::ContentType(r.string()?),
            0x08 => Self::ResponseTopic(r.topic_name()?),
            0x09 => Self::CorrelationData(r.binary()?),
            0x0b => Self::SubscriptionIdentifier(r.vbi()?),
            0x11 => Self::SessionExpiryInterval(r.u32()?),
            0x12 => Self::AssignedClientIdentifier(r.string()?),
            0x13 => Self::ServerKeepAlive(r.u16()?),
            0x15 => Self::AuthenticationMethod(r.string()?),
            0x16 => Self::AuthenticationData(r.binary()?),
            0x17 => Self::RequestProblemInformation(r.u8()?),
            0x18 => Self::WillDelayInterval(r.u32()?),
            0x19 => Self::RequestResponseInformation(r.u8()?),
            0x1a => Self::ResponseInformation(r.string()?),
            0x1c => Self::ServerReference(r.string()?),
            0x1f => Self::ReasonString(r.string()?),
            0x21 => Self::ReceiveMaximum(r.u16()?),
            0x22 => Self::TopicAliasMaximum(r.u16()?),
            0x23 => Self::TopicAlias(r.u16()?),
            0x24 => Self::MaximumQos(r.u8()?),
            0x25 => Self::RetainAvailable(r.u8()?),
            0x26 => Self::UserProperty(r.string()?, r.string()?),
            0x27 => Self::MaximumPacketSize(r.u32()?),
            0x28 => Self::WildcardSubscriptionAvailable(r.u8()?),
            0x29 => Self::SubscriptionIdentifierAvailable(r.u8()?),
            0x2a => Self::SharedSubscriptionAvailable(r.u8()?),
            other => {
                return Err(Reader::error_at(
                    DecodeErrorKind::UnknownProperty(other),
                    at,
                ));
            }
        };
        if !property.value_ok() {
            return Err(Reader::error_at(DecodeErrorKind::PropertyValue(id), at));
        }
        Ok(property)
    }
}

/// Which packet (or the will of a CONNECT) a property block belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Place {
    packet_type: PacketType,
    will: bool,
}

impl Place {
    /// The properties of a packet of `packet_type`.
    pub(crate) const fn packet(packet_type: PacketType) -> Self {
        Self {
            packet_type,
            will: false,
        }
    }

    /// The will properties of a CONNECT.
    pub(crate) const WILL: Self = Self {
        packet_type: PacketType::Connect,
        will: true,
    };

    /// Whether property `id` may appear here (MQTT 5, table 2.4).
    const fn allows(self, id: u8) -> bool {
        use PacketType as T;
        let t = self.packet_type;
        if self.will {
            return matches!(id, 0x01 | 0x02 | 0x03 | 0x08 | 0x09 | 0x18 | 0x26);
        }
        match id {
            0x01 | 0x02 | 0x03 | 0x08 | 0x09 | 0x23 => matches!(t, T::Publish),
            0x0b => matches!(t, T::Publish | T::Subscribe),
            0x11 => matches!(t, T::Connect | T::ConnAck | T::Disconnect),
            0x12 | 0x13 | 0x1a | 0x24 | 0x25 | 0x28 | 0x29 | 0x2a => matches!(t, T::ConnAck),
            0x15 | 0x16 => matches!(t, T::Connect | T::ConnAck | T::Auth),
            0x17 | 0x19 => matches!(t, T::Connect),
            0x1c => matches!(t, T::ConnAck | T::Disconnect),
            0x1f => matches!(
                t,
                T::ConnAck
                    | T::PubAck
                    | T::PubRec
                    | T::PubRel
                    | T::PubComp
                    | T::SubAck
                    | T::UnsubAck
                    | T::Disconnect
                    | T::Auth
            ),
            0x21 | 0x22 | 0x27 => matches!(t, T::Connect | T::ConnAck),
            0x26 => true,
            _ => false,
        }
    }

    /// Whether property `id` may appear more than once here.
    const fn repeatable(self, id: u8) -> bool {
        id == 0x26 || (id == 0x0b && matches!(self.packet_type, PacketType::Publish))
    }
}

/// The property block of an MQTT 5 packet: validated wire bytes, read in place.
///
/// A decoded packet holds the bytes of its block, checked once by the decoder (every property
/// known, well-formed, allowed in that packet and not repeated unless MQTT 5 allows it);
/// [`iter`](Self::iter) reads them without copying. A block to send is written with a
/// [`PropertyBuilder`] into a buffer of the caller's.
///
/// # Example
///
/// ```
/// use iot_tls::codec::PacketType;
/// use iot_tls::codec::v5::{Properties, Property, PropertyBuilder};
///
/// let mut buf = [0u8; 64];
/// let mut builder = PropertyBuilder::new(&mut buf, PacketType::Publish);
/// builder.push(Property::MessageExpiryInterval(60))?;
/// builder.push(Property::UserProperty("room", "kitchen"))?;
/// let properties = builder.finish();
/// assert_eq!(properties.as_bytes()[..5], [0x02, 0x00, 0x00, 0x00, 60]);
/// assert_eq!(properties.iter().count(), 2);
/// assert_eq!(properties.message_expiry_interval(), Some(60));
/// assert!(properties.user_properties().eq([("room", "kitchen")]));
/// assert!(Properties::EMPTY.is_empty());
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Properties<'a> {
    bytes: &'a [u8],
}

/// Defines getters for properties that appear at most once.
macro_rules! getters {
    ($($(#[$doc:meta])* $name:ident: $variant:ident -> $ty:ty;)*) => {$(
        $(#[$doc])*
        ///
        /// # Example
        ///
        /// See [`Properties`].
        pub fn $name(&self) -> Option<$ty> {
            self.iter().find_map(|p| match p {
                Ok(Property::$variant(v)) => Some(v),
                _ => None,
            })
        }
    )*};
}

impl<'a> Properties<'a> {
    /// No properties.
    pub const EMPTY: Self = Self { bytes: &[] };

    /// Validates `bytes` (a property block without its length prefix) as the properties of a
    /// packet of `packet_type`.
    ///
    /// # Errors
    ///
    /// [`DecodeError`] for an unknown, malformed, forbidden or repeated property, at its offset
    /// in `bytes`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::PacketType;
    /// use iot_tls::codec::v5::Properties;
    /// use iot_tls::error::DecodeErrorKind;
    ///
    /// let ok = Properties::parse(&[0x21, 0x00, 0x0a], PacketType::ConnAck)?;
    /// assert_eq!(ok.receive_maximum(), Some(10));
    /// // Receive Maximum twice: an error at the second one.
    /// let err = Properties::parse(&[0x21, 0x00, 0x0a, 0x21, 0x00, 0x0b], PacketType::ConnAck)
    ///     .unwrap_err();
    /// assert_eq!((err.kind(), err.offset()), (DecodeErrorKind::DuplicateProperty(0x21), 3));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn parse(bytes: &'a [u8], packet_type: PacketType) -> Result<Self, DecodeError> {
        check(bytes, Place::packet(packet_type), 0)?;
        Ok(Self { bytes })
    }

    /// Reads a property block (length and properties) from a packet.
    pub(crate) fn read(r: &mut Reader<'a>, place: Place) -> Result<Self, DecodeError> {
        let at = r.position();
        let len = r.vbi()?;
        let start = r.position();
        let bytes = r
            .take(len as usize)
            .map_err(|_| Reader::error_at(DecodeErrorKind::PropertyLength, at))?;
        check(bytes, place, start)?;
        Ok(Self { bytes })
    }

    /// The properties, in order, each checked as it is read.
    ///
    /// The properties of a decoded packet or of a [`PropertyBuilder`] have been checked already,
    /// so the items are always `Ok`.
    ///
    /// # Example
    ///
    /// See [`Properties`].
    pub fn iter(&self) -> PropertyIter<'a> {
        PropertyIter::new(self.bytes)
    }

    /// The wire bytes of the properties, without the length prefix.
    ///
    /// # Example
    ///
    /// See [`Properties`].
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether there are no properties.
    ///
    /// # Example
    ///
    /// See [`Properties`].
    pub const fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The User Properties, in order.
    ///
    /// # Example
    ///
    /// See [`Properties`].
    pub fn user_properties(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        self.iter().filter_map(|p| match p {
            Ok(Property::UserProperty(k, v)) => Some((k, v)),
            _ => None,
        })
    }

    /// The Subscription Identifiers of a PUBLISH, in order.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::PacketType;
    /// use iot_tls::codec::v5::Properties;
    ///
    /// let p = Properties::parse(&[0x0b, 0x01, 0x0b, 0x80, 0x01], PacketType::Publish)?;
    /// assert!(p.subscription_identifiers().eq([1, 128]));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn subscription_identifiers(&self) -> impl Iterator<Item = u32> + use<'a> {
        self.iter().filter_map(|p| match p {
            Ok(Property::SubscriptionIdentifier(n)) => Some(n),
            _ => None,
        })
    }

    getters! {
        /// Payload Format Indicator: 1 when the payload is UTF-8.
        payload_format_indicator: PayloadFormatIndicator -> u8;
        /// Message Expiry Interval, in seconds.
        message_expiry_interval: MessageExpiryInterval -> u32;
        /// Content Type.
        content_type: ContentType -> &'a str;
        /// Response Topic of a request.
        response_topic: ResponseTopic -> &'a str;
        /// Correlation Data of a request or response.
        correlation_data: CorrelationData -> &'a [u8];
        /// Session Expiry Interval, in seconds.
        session_expiry_interval: SessionExpiryInterval -> u32;
        /// Assigned Client Identifier.
        assigned_client_identifier: AssignedClientIdentifier -> &'a str;
        /// Server Keep Alive, in seconds.
        server_keep_alive: ServerKeepAlive -> u16;
        /// Authentication Method.
        authentication_method: AuthenticationMethod -> &'a str;
        /// Authentication Data.
        authentication_data: AuthenticationData -> &'a [u8];
        /// Will Delay Interval, in seconds.
        will_delay_interval: WillDelayInterval -> u32;
        /// Response Information.
        response_information: ResponseInformation -> &'a str;
        /// Server Reference.
        server_reference: ServerReference -> &'a str;
        /// Reason String.
        reason_string: ReasonString -> &'a str;
        /// Receive Maximum.
        receive_maximum: ReceiveMaximum -> u16;
        /// Topic Alias Maximum.
        topic_alias_maximum: TopicAliasMaximum -> u16;
        /// Topic Alias.
        topic_alias: TopicAlias -> u16;
        /// Maximum QoS.
        maximum_qos: MaximumQos -> u8;
        /// Retain Available.
        retain_available: RetainAvailable -> u8;
        /// Maximum Packet Size.
        maximum_packet_size: MaximumPacketSize -> u32;
        /// Wildcard Subscription Available.
        wildcard_subscription_available: WildcardSubscriptionAvailable -> u8;
        /// Subscription Identifier Available.
        subscription_identifier_available: SubscriptionIdentifierAvailable -> u8;
        /// Shared Subscription Available.
        shared_subscription_available: SharedSubscriptionAvailable -> u8;
    }

    /// The encoded length of the block, length prefix included.
    pub(crate) const fn wire_len(&self) -> usize {
        remaining_length_len(self.bytes.len()) + self.bytes.len()
    }

    /// Writes the block, length prefix included.
    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        w.remaining_length(self.bytes.len());
        w.bytes(self.bytes);
    }

    /// Checks for the encoder that every property may appear in `place`.
    pub(crate) fn validate(&self, place: Place) -> Result<(), EncodeError> {
        self.iter().flatten().try_for_each(|p| {
            if place.allows(p.id()) {
                Ok(())
            } else {
                Err(EncodeError::PropertyNotAllowed {
                    id: p.id(),
                    packet_type: place.packet_type,
                })
            }
        })
    }
}

impl<'a> IntoIterator for Properties<'a> {
    type Item = Result<Property<'a>, DecodeError>;
    type IntoIter = PropertyIter<'a>;

    fn into_iter(self) -> PropertyIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &Properties<'a> {
    type Item = Result<Property<'a>, DecodeError>;
    type IntoIter = PropertyIter<'a>;

    fn into_iter(self) -> PropertyIter<'a> {
        self.iter()
    }
}

/// Validates the property block `bytes` of `place`; errors are offset by `base`.
fn check(bytes: &[u8], place: Place, base: usize) -> Result<(), DecodeError> {
    let mut seen = 0u64;
    let mut r = Reader::new(bytes, 0);
    while r.remaining() > 0 {
        let at = r.position();
        let property =
            Property::read(&mut r).map_err(|e| DecodeError::new(e.kind(), e.offset() + base))?;
        let id = property.id();
        if !place.allows(id) {
            return Err(DecodeError::new(
                DecodeErrorKind::PropertyNotAllowed {
                    id,
                    packet_type: place.packet_type,
                },
                at + base,
            ));
        }
        let bit = 1u64 << id;
        if seen & bit != 0 && !place.repeatable(id) {
            return Err(DecodeError::new(
                DecodeErrorKind::DuplicateProperty(id),
                at + base,
            ));
        }
        seen |= bit;
    }
    Ok(())
}

/// Reads properties from a block one at a time, checking each as it goes.
///
/// Offsets in errors count from the start of the block. After an error the iterator ends.
/// Repeats are not checked here (they depend on the packet): [`Properties::parse`] and the
/// decoder check them.
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::{Property, PropertyIter};
/// use iot_tls::error::DecodeErrorKind;
///
/// let mut iter = PropertyIter::new(&[0x23, 0x00, 0x05, 0x7f]);
/// assert_eq!(iter.next(), Some(Ok(Property::TopicAlias(5))));
/// let err = iter.next().unwrap().unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (DecodeErrorKind::UnknownProperty(0x7f), 3));
/// assert_eq!(iter.next(), None);
/// ```
#[derive(Clone, Debug)]
pub struct PropertyIter<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> PropertyIter<'a> {
    /// An iterator over the property block `bytes` (without its length prefix).
    ///
    /// # Example
    ///
    /// See [`PropertyIter`].
    pub const fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }
}

impl<'a> Iterator for PropertyIter<'a> {
    type Item = Result<Property<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let mut r = Reader::new(self.bytes, self.pos);
        let item = Property::read(&mut r);
        self.pos = if item.is_ok() {
            r.position()
        } else {
            self.bytes.len()
        };
        Some(item)
    }
}

/// Writes a property block into a buffer of the caller's, refusing what a decoder would reject.
///
/// # Example
///
/// ```
/// use iot_tls::codec::PacketType;
/// use iot_tls::codec::v5::{Property, PropertyBuilder};
/// use iot_tls::error::EncodeError;
///
/// let mut buf = [0u8; 16];
/// let mut builder = PropertyBuilder::new(&mut buf, PacketType::Connect);
/// builder.push(Property::ReceiveMaximum(8))?;
/// assert_eq!(
///     builder.push(Property::ReceiveMaximum(9)).unwrap_err(),
///     EncodeError::DuplicateProperty(0x21)
/// );
/// assert!(matches!(
///     builder.push(Property::TopicAlias(1)),
///     Err(EncodeError::PropertyNotAllowed { id: 0x23, .. })
/// ));
/// assert_eq!(builder.finish().as_bytes(), [0x21, 0x00, 0x08]);
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Debug)]
pub struct PropertyBuilder<'b> {
    buf: &'b mut [u8],
    len: usize,
    seen: u64,
    place: Place,
}

impl<'b> PropertyBuilder<'b> {
    /// A builder of the properties of a packet of `packet_type`, writing into `buf`.
    ///
    /// # Example
    ///
    /// See [`PropertyBuilder`].
    pub const fn new(buf: &'b mut [u8], packet_type: PacketType) -> Self {
        Self::at(buf, Place::packet(packet_type))
    }

    /// A builder of the will properties of a CONNECT, writing into `buf`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::v5::{Property, PropertyBuilder};
    ///
    /// let mut buf = [0u8; 8];
    /// let mut will = PropertyBuilder::will(&mut buf);
    /// will.push(Property::WillDelayInterval(30))?;
    /// assert_eq!(will.finish().will_delay_interval(), Some(30));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub const fn will(buf: &'b mut [u8]) -> Self {
        Self::at(buf, Place::WILL)
    }

    const fn at(buf: &'b mut [u8], place: Place) -> Self {
        Self {
            buf,
            len: 0,
            seen: 0,
            place,
        }
    }

    /// Appends `property`.
    ///
    /// # Errors
    ///
    /// [`EncodeError::PropertyNotAllowed`], [`EncodeError::DuplicateProperty`],
    /// [`EncodeError::PropertyValue`], a string or binary field that would not decode, or
    /// [`EncodeError::BufferTooSmall`]; nothing is written then.
    ///
    /// # Example
    ///
    /// See [`PropertyBuilder`].
    pub fn push(&mut self, property: Property<'_>) -> Result<&mut Self, EncodeError> {
        let id = property.id();
        if !self.place.allows(id) {
            return Err(EncodeError::PropertyNotAllowed {
                id,
                packet_type: self.place.packet_type,
            });
        }
        let bit = 1u64 << id;
        if self.seen & bit != 0 && !self.place.repeatable(id) {
            return Err(EncodeError::DuplicateProperty(id));
        }
        property.validate()?;
        let end = self.len + property.wire_len();
        let capacity = self.buf.len();
        let Some(out) = self.buf.get_mut(self.len..end) else {
            return Err(EncodeError::BufferTooSmall {
                needed: end,
                capacity,
            });
        };
        property.write(&mut Writer::new(out));
        self.len = end;
        self.seen |= bit;
        Ok(self)
    }

    /// The properties written so far, borrowing the buffer.
    ///
    /// # Example
    ///
    /// See [`PropertyBuilder`].
    pub fn finish(self) -> Properties<'b> {
        let buf: &'b [u8] = self.buf;
        Properties {
            bytes: &buf[..self.len],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_property_round_trips() {
        let all = [
            Property::PayloadFormatIndicator(1),
            Property::MessageExpiryInterval(u32::MAX),
            Property::ContentType("json"),
            Property::ResponseTopic("r/1"),
            Property::CorrelationData(&[0, 1]),
            Property::SubscriptionIdentifier(MAX_SUBSCRIPTION_ID),
            Property::SessionExpiryInterval(3600),
            Property::AssignedClientIdentifier("auto-1"),
            Property::ServerKeepAlive(30),
            Property::AuthenticationMethod("SCRAM"),
            Property::AuthenticationData(b"x"),
            Property::RequestProblemInformation(0),
            Property::WillDelayInterval(5),
            Property::RequestResponseInformation(1),
            Property::ResponseInformation("resp/"),
            Property::ServerReference("other"),
            Property::ReasonString("why"),
            Property::ReceiveMaximum(100),
            Property::TopicAliasMaximum(8),
            Property::TopicAlias(1),
            Property::MaximumQos(1),
            Property::RetainAvailable(0),
            Property::UserProperty("k", "v"),
            Property::MaximumPacketSize(4096),
            Property::WildcardSubscriptionAvailable(1),
            Property::SubscriptionIdentifierAvailable(0),
            Property::SharedSubscriptionAvailable(1),
        ];
        for p in all {
            let mut buf = [0u8; 32];
            let len = p.wire_len();
            p.write(&mut Writer::new(&mut buf[..len]));
            let mut iter = PropertyIter::new(&buf[..len]);
            assert_eq!(iter.next(), Some(Ok(p)), "{p:?}");
            assert_eq!(iter.next(), None);
            for cut in 1..len {
                assert!(
                    PropertyIter::new(&buf[..cut]).next().unwrap().is_err(),
                    "{p:?} cut at {cut}"
                );
            }
        }
    }

    #[test]
    fn values_mqtt_forbids_are_errors_at_the_identifier() {
        for bytes in [
            &[0x21, 0x00, 0x00][..], // Receive Maximum 0
            &[0x23, 0x00, 0x00],     // Topic Alias 0
            &[0x27, 0, 0, 0, 0],     // Maximum Packet Size 0
            &[0x24, 0x02],           // Maximum QoS 2 is expressed by its absence
            &[0x0b, 0x00],           // Subscription Identifier 0
            &[0x01, 0x02],           // Payload Format Indicator 2
        ] {
            let err = PropertyIter::new(bytes).next().unwrap().unwrap_err();
            assert_eq!(
                (err.kind(), err.offset()),
                (DecodeErrorKind::PropertyValue(bytes[0]), 0)
            );
        }
        let err = PropertyIter::new(&[0x03, 0x00, 0x01, 0xff])
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!((err.kind(), err.offset()), (DecodeErrorKind::Utf8, 3));
        let err = PropertyIter::new(&[0x80, 0x80, 0x80, 0x80, 0x01])
            .next()
            .unwrap()
            .unwrap_err();
        assert_eq!(err.kind(), DecodeErrorKind::VariableByteInteger);
    }

    #[test]
    fn place_rules() {
        let err = Properties::parse(&[0x23, 0x00, 0x01], PacketType::ConnAck).unwrap_err();
        assert_eq!(
            (err.kind(), err.offset()),
            (
                DecodeErrorKind::PropertyNotAllowed {
                    id: 0x23,
                    packet_type: PacketType::ConnAck
                },
                0
            )
        );
        // Subscription Identifier repeats in PUBLISH but not in SUBSCRIBE.
        let twice = [0x0b, 0x01, 0x0b, 0x02];
        assert!(Properties::parse(&twice, PacketType::Publish).is_ok());
        assert_eq!(
            Properties::parse(&twice, PacketType::Subscribe)
                .unwrap_err()
                .offset(),
            2
        );
        // User Property repeats everywhere.
        let pairs = [0x26, 0, 1, b'a', 0, 0, 0x26, 0, 1, b'a', 0, 0];
        assert!(Properties::parse(&pairs, PacketType::PubAck).is_ok());
        assert!(!Place::WILL.allows(0x11));
        assert!(Place::WILL.allows(0x18));
        assert!(!Place::packet(PacketType::Connect).allows(0x18));
    }

    #[test]
    fn builder_stops_at_the_buffer_end() {
        let mut buf = [0u8; 4];
        let mut b = PropertyBuilder::new(&mut buf, PacketType::Publish);
        b.push(Property::TopicAlias(3)).unwrap();
        assert_eq!(
            b.push(Property::TopicAlias(3)).unwrap_err(),
            EncodeError::DuplicateProperty(0x23)
        );
        assert_eq!(
            b.push(Property::MessageExpiryInterval(1)).unwrap_err(),
            EncodeError::BufferTooSmall {
                needed: 8,
                capacity: 4
            }
        );
        assert_eq!(
            b.push(Property::SubscriptionIdentifier(0)).unwrap_err(),
            EncodeError::PropertyValue(0x0b)
        );
        assert_eq!(b.finish().topic_alias(), Some(3));
    }
}

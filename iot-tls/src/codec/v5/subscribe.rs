//! SUBSCRIBE and SUBACK of MQTT 5: subscription options and a reason code per filter.

use super::{Properties, ReasonCode};
use crate::codec::list::sealed::Item;
use crate::codec::{List, ListItem, PacketId, Qos, Reader, Writer, check_topic_filter};
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};

const NO_LOCAL: u8 = 0b0000_0100;
const RETAIN_AS_PUBLISHED: u8 = 0b0000_1000;
const RETAIN_HANDLING_SHIFT: u8 = 4;

/// When the server sends retained messages for a new subscription.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum RetainHandling {
    /// Send retained messages at the time of the subscribe (0).
    #[default]
    OnSubscribe = 0,
    /// Send them only if the subscription did not exist yet (1).
    OnNewSubscription = 1,
    /// Never send them for this subscribe (2).
    Never = 2,
}

/// A topic filter and its subscription options.
///
/// # Example
///
/// ```
/// use iot_tls::codec::Qos;
/// use iot_tls::codec::v5::{RetainHandling, Subscription};
///
/// let sub = Subscription::new("cmnd/+/POWER", Qos::AtLeastOnce)
///     .with_no_local(true)
///     .with_retain_handling(RetainHandling::Never);
/// assert!(sub.no_local);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Subscription<'a> {
    /// The topic filter (`$share/{name}/{filter}` for a shared subscription).
    pub filter: &'a str,
    /// The maximum QoS.
    pub qos: Qos,
    /// No Local: do not send this client's own messages back.
    pub no_local: bool,
    /// Retain As Published: keep the retain flag of forwarded messages.
    pub retain_as_published: bool,
    /// When to send retained messages.
    pub retain_handling: RetainHandling,
}

impl<'a> Subscription<'a> {
    /// A subscription to `filter` at `qos` with the default options.
    ///
    /// # Example
    ///
    /// See [`Subscription`].
    pub const fn new(filter: &'a str, qos: Qos) -> Self {
        Self {
            filter,
            qos,
            no_local: false,
            retain_as_published: false,
            retain_handling: RetainHandling::OnSubscribe,
        }
    }

    /// The same subscription with No Local set to `no_local`.
    ///
    /// # Example
    ///
    /// See [`Subscription`].
    #[must_use]
    pub const fn with_no_local(self, no_local: bool) -> Self {
        Self { no_local, ..self }
    }

    /// The same subscription with Retain As Published set to `on`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Qos, v5::Subscription};
    ///
    /// assert!(Subscription::new("a", Qos::AtMostOnce).with_retain_as_published(true).retain_as_published);
    /// ```
    #[must_use]
    pub const fn with_retain_as_published(self, on: bool) -> Self {
        Self {
            retain_as_published: on,
            ..self
        }
    }

    /// The same subscription with `retain_handling`.
    ///
    /// # Example
    ///
    /// See [`Subscription`].
    #[must_use]
    pub const fn with_retain_handling(self, retain_handling: RetainHandling) -> Self {
        Self {
            retain_handling,
            ..self
        }
    }

    /// The options byte.
    fn options(&self) -> u8 {
        let mut options =
            self.qos.as_u8() | ((self.retain_handling as u8) << RETAIN_HANDLING_SHIFT);
        if self.no_local {
            options |= NO_LOCAL;
        }
        if self.retain_as_published {
            options |= RETAIN_AS_PUBLISHED;
        }
        options
    }
}

impl<'a> Item<'a> for Subscription<'a> {
    fn wire_len(&self) -> usize {
        2 + self.filter.len() + 1
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.string(self.filter);
        w.u8(self.options());
    }

    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let filter = r.topic_filter()?;
        let at = r.position();
        let options = r.u8()?;
        let retain_handling = match options >> RETAIN_HANDLING_SHIFT {
            0 => RetainHandling::OnSubscribe,
            1 => RetainHandling::OnNewSubscription,
            2 => RetainHandling::Never,
            _ => return Err(Reader::error_at(DecodeErrorKind::ReservedBits(options), at)),
        };
        let qos = options & 0b11;
        let qos = Qos::from_u8(qos).ok_or(Reader::error_at(DecodeErrorKind::Qos(qos), at))?;
        Ok(Self {
            filter,
            qos,
            no_local: options & NO_LOCAL != 0,
            retain_as_published: options & RETAIN_AS_PUBLISHED != 0,
            retain_handling,
        })
    }

    fn validate(&self) -> Result<(), EncodeError> {
        check_topic_filter(self.filter)
    }
}

impl<'a> ListItem<'a> for Subscription<'a> {}

impl Item<'_> for ReasonCode {
    fn wire_len(&self) -> usize {
        1
    }

    fn write(&self, w: &mut Writer<'_>) {
        w.u8(self.as_u8());
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::new(r.u8()?))
    }

    fn validate(&self) -> Result<(), EncodeError> {
        Ok(())
    }
}

impl ListItem<'_> for ReasonCode {}

/// SUBSCRIBE of MQTT 5.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{List, PacketId, Qos};
/// use iot_tls::codec::v5::{self, Packet, Subscribe, Subscription};
///
/// let filters = [Subscription::new("a/+", Qos::AtLeastOnce).with_no_local(true)];
/// let subscribe = Subscribe::new(PacketId::new(1).unwrap(), List::new(&filters));
/// let mut buf = [0u8; 16];
/// let len = Packet::Subscribe(subscribe).encode(&mut buf)?;
/// assert_eq!(&buf[..len], [0x82, 0x09, 0x00, 0x01, 0x00, 0x00, 0x03, b'a', b'/', b'+', 0x05]);
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Subscribe<'a> {
    /// The identifier the SUBACK answers.
    pub packet_id: PacketId,
    /// The properties (a Subscription Identifier, user properties).
    pub properties: Properties<'a>,
    /// The filters and their options.
    pub filters: List<'a, Subscription<'a>>,
}

impl<'a> Subscribe<'a> {
    /// A SUBSCRIBE of `filters` without properties.
    ///
    /// # Example
    ///
    /// See [`Subscribe`].
    pub const fn new(packet_id: PacketId, filters: List<'a, Subscription<'a>>) -> Self {
        Self {
            packet_id,
            properties: Properties::EMPTY,
            filters,
        }
    }
}

/// SUBACK of MQTT 5: a reason code per filter (the granted QoS, or why it was refused).
///
/// # Example
///
/// ```
/// use iot_tls::codec::v5::{self, Packet, ReasonCode};
///
/// let (packet, _) = v5::decode(&[0x90, 0x05, 0x00, 0x01, 0x00, 0x01, 0x87])?.unwrap();
/// let Packet::SubAck(ack) = packet else { unreachable!() };
/// assert!(ack.codes.iter().eq([ReasonCode::GRANTED_QOS_1, ReasonCode::NOT_AUTHORIZED]));
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SubAck<'a> {
    /// The identifier of the SUBSCRIBE it answers.
    pub packet_id: PacketId,
    /// The properties (Reason String, user properties).
    pub properties: Properties<'a>,
    /// One code per filter, in order.
    pub codes: List<'a, ReasonCode>,
}

list_body!(Subscribe, filters);
list_body!(SubAck, codes);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::v5::Packet;
    use crate::codec::v5::tests::{decode_err, round_trip};

    #[test]
    fn options_byte() {
        #[rustfmt::skip]
        let bytes = [
            0x82, 0x09,
            0x00, 0x0a,                         // packet identifier 10
            0x02, 0x0b, 0x07,                   // Subscription Identifier 7
            0x00, 0x01, b'#',                   // filter "#"
            0b0010_1101,                        // Never, RAP, No Local, QoS 1
        ];
        let Packet::Subscribe(s) = round_trip(&bytes) else {
            panic!()
        };
        let sub = s.filters.iter().next().unwrap();
        assert_eq!(sub.qos, Qos::AtLeastOnce);
        assert!(sub.no_local && sub.retain_as_published);
        assert_eq!(sub.retain_handling, RetainHandling::Never);
        assert!(s.properties.subscription_identifiers().eq([7]));
        let mut bad = bytes;
        bad[10] = 0b0011_0001;
        assert_eq!(decode_err(&bad), (DecodeErrorKind::ReservedBits(0x31), 10));
        bad[10] = 0b0100_0001;
        assert_eq!(decode_err(&bad), (DecodeErrorKind::ReservedBits(0x41), 10));
        bad[10] = 0x03;
        assert_eq!(decode_err(&bad), (DecodeErrorKind::Qos(3), 10));
    }

    #[test]
    fn suback_codes() {
        let bytes = [0x90, 0x05, 0x00, 0x02, 0x00, 0x00, 0xa2];
        let Packet::SubAck(ack) = round_trip(&bytes) else {
            panic!()
        };
        assert!(ack.codes.iter().eq([
            ReasonCode::GRANTED_QOS_0,
            ReasonCode::WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED
        ]));
        assert_eq!(
            decode_err(&[0x90, 0x03, 0x00, 0x02, 0x00]),
            (DecodeErrorKind::EmptyPayload, 5)
        );
    }
}

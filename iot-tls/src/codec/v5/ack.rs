//! PUBACK, PUBREC, PUBREL and PUBCOMP of MQTT 5: a packet identifier, a reason code and
//! properties (a Reason String, user properties).

/// Defines an acknowledgement of MQTT 5: identifier, reason code, properties.
macro_rules! ack_packet {
    ($name:ident, $what:literal, $first:literal) => {
        #[doc = concat!($what)]
        ///
        /// The reason code and properties are left out on the wire when the code is Success
        /// and there are no properties, as MQTT 5 allows.
        ///
        /// # Example
        ///
        /// ```
        /// use iot_tls::codec::PacketId;
        #[doc = concat!("use iot_tls::codec::v5::{self, ", stringify!($name), ", Packet, ReasonCode};")]
        ///
        #[doc = concat!("let (packet, _) = v5::decode(&[", $first, ", 0x03, 0x00, 0x07, 0x10])?.unwrap();")]
        #[doc = concat!("let Packet::", stringify!($name), "(ack) = packet else { unreachable!() };")]
        /// assert_eq!(ack.packet_id, PacketId::new(7).unwrap());
        /// assert_eq!(ack.reason, ReasonCode::NO_MATCHING_SUBSCRIBERS);
        /// # Ok::<(), iot_tls::Error>(())
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name<'a> {
            /// The identifier of the packet this one answers.
            pub packet_id: crate::codec::PacketId,
            /// The outcome.
            pub reason: super::ReasonCode,
            /// The properties (Reason String, user properties).
            pub properties: super::Properties<'a>,
        }

        impl $name<'_> {
            #[doc = concat!("A successful ", stringify!($name), " for `packet_id`, without properties.")]
            ///
            /// # Example
            ///
            /// ```
            /// use iot_tls::codec::PacketId;
            #[doc = concat!("use iot_tls::codec::v5::", stringify!($name), ";")]
            ///
            #[doc = concat!("let ack = ", stringify!($name), "::new(PacketId::new(1).unwrap());")]
            /// assert!(ack.reason.is_success());
            /// ```
            pub const fn new(packet_id: crate::codec::PacketId) -> Self {
                Self {
                    packet_id,
                    reason: super::ReasonCode::SUCCESS,
                    properties: super::Properties::EMPTY,
                }
            }
        }

        impl<'a> crate::codec::Body<'a> for $name<'a> {
            const TYPE: crate::codec::PacketType = crate::codec::PacketType::$name;

            fn body_len(&self) -> usize {
                2 + super::reason_len(self.reason, &self.properties)
            }

            fn validate(&self) -> Result<(), crate::error::EncodeError> {
                self.properties.validate(super::Place::packet(Self::TYPE))
            }

            fn write_body(&self, w: &mut crate::codec::Writer<'_>) {
                w.u16(self.packet_id.get());
                super::write_reason(w, self.reason, &self.properties);
            }

            fn read(
                _flags: u8,
                r: &mut crate::codec::Reader<'a>,
            ) -> Result<Self, crate::error::DecodeError> {
                let packet_id = r.packet_id()?;
                let (reason, properties) =
                    super::read_reason(r, super::Place::packet(Self::TYPE))?;
                Ok(Self {
                    packet_id,
                    reason,
                    properties,
                })
            }
        }
    };
}

ack_packet!(PubAck, "PUBACK: acknowledges a QoS 1 PUBLISH.", "0x40");
ack_packet!(
    PubRec,
    "PUBREC: the first answer to a QoS 2 PUBLISH.",
    "0x50"
);
ack_packet!(PubRel, "PUBREL: answers a PUBREC.", "0x62");
ack_packet!(PubComp, "PUBCOMP: answers a PUBREL.", "0x70");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::PacketId;
    use crate::codec::v5::tests::{decode_err, round_trip};
    use crate::codec::v5::{Packet, Properties, ReasonCode};
    use crate::error::DecodeErrorKind;

    #[test]
    fn the_three_wire_forms() {
        let id = PacketId::new(0x1234).unwrap();
        assert_eq!(
            round_trip(&[0x40, 0x02, 0x12, 0x34]),
            Packet::PubAck(PubAck::new(id))
        );
        assert_eq!(
            round_trip(&[0x50, 0x03, 0x12, 0x34, 0x97]),
            Packet::PubRec(PubRec {
                reason: ReasonCode::QUOTA_EXCEEDED,
                ..PubRec::new(id)
            })
        );
        #[rustfmt::skip]
        let full = [
            0x62, 0x09, 0x12, 0x34,
            0x92,                               // Packet Identifier not found
            0x05, 0x1f, 0x00, 0x02, b'n', b'o', // Reason String "no"
        ];
        let Packet::PubRel(rel) = round_trip(&full) else {
            panic!()
        };
        assert_eq!(rel.reason, ReasonCode::PACKET_IDENTIFIER_NOT_FOUND);
        assert_eq!(rel.properties.reason_string(), Some("no"));
        // Success with an empty property block is the same packet as the short form.
        let (long, _) = crate::codec::v5::decode(&[0x70, 0x04, 0x00, 0x01, 0x00, 0x00])
            .unwrap()
            .unwrap();
        assert_eq!(
            long,
            Packet::PubComp(PubComp {
                properties: Properties::EMPTY,
                ..PubComp::new(PacketId::new(1).unwrap())
            })
        );
        assert_eq!(
            decode_err(&[0x40, 0x04, 0x00, 0x01, 0x00, 0x26]),
            (DecodeErrorKind::PropertyLength, 5)
        );
    }
}

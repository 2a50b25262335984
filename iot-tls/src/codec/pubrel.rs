//! PUBREL: releases a QoS 2 PUBLISH; its flags are always `0b0010`.

id_only_packet!(
    PubRel,
    "PUBREL: the answer to PUBREC in the QoS 2 exchange; its flag bits are always `0b0010`.",
    "0x62"
);

#[cfg(test)]
mod tests {
    use super::PubRel;
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::id_only(0x62, |id| Packet::PubRel(PubRel::new(id)));
    }

    #[test]
    fn flags_without_bit_one_are_reserved() {
        assert!(matches!(
            crate::codec::tests::decode_err(&[0x60, 0x02, 0x00, 0x01]),
            (crate::error::DecodeErrorKind::Flags { flags: 0, .. }, 0)
        ));
    }
}

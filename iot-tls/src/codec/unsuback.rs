//! UNSUBACK: acknowledges an UNSUBSCRIBE.

id_only_packet!(UnsubAck, "UNSUBACK: acknowledges an UNSUBSCRIBE.", "0xb0");

#[cfg(test)]
mod tests {
    use super::UnsubAck;
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::id_only(0xb0, |id| Packet::UnsubAck(UnsubAck::new(id)));
    }
}

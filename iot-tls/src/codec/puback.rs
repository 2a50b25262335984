//! PUBACK: acknowledges a QoS 1 PUBLISH.

id_only_packet!(PubAck, "PUBACK: acknowledges a QoS 1 PUBLISH.", "0x40");

#[cfg(test)]
mod tests {
    use super::PubAck;
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::id_only(0x40, |id| Packet::PubAck(PubAck::new(id)));
    }
}

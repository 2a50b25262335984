//! PUBCOMP: completes the QoS 2 exchange.

id_only_packet!(
    PubComp,
    "PUBCOMP: the last packet of the QoS 2 exchange, answering PUBREL.",
    "0x70"
);

#[cfg(test)]
mod tests {
    use super::PubComp;
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::id_only(0x70, |id| Packet::PubComp(PubComp::new(id)));
    }
}

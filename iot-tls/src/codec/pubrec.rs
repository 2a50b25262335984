//! PUBREC: the first acknowledgement of a QoS 2 PUBLISH.

id_only_packet!(
    PubRec,
    "PUBREC: the first acknowledgement of a QoS 2 PUBLISH (decoded so that streams carrying QoS 2 stay in sync).",
    "0x50"
);

#[cfg(test)]
mod tests {
    use super::PubRec;
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::id_only(0x50, |id| Packet::PubRec(PubRec::new(id)));
    }
}

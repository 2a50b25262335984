//! PINGREQ: the client's keep-alive probe.

empty_packet!(
    PingReq,
    "PINGREQ: the client's keep-alive probe, sent when it has nothing else to send.",
    "0xc0"
);

#[cfg(test)]
mod tests {
    use super::PingReq;
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::empty(0xc0, Packet::PingReq(PingReq));
    }
}

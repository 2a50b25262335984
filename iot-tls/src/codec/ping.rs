//! PINGREQ and PINGRESP: the keep-alive exchange.

empty_packet!(
    PingReq,
    "PINGREQ: the client's keep-alive probe, sent when it has nothing else to send.",
    "0xc0"
);
empty_packet!(
    PingResp,
    "PINGRESP: the broker's answer to PINGREQ.",
    "0xd0"
);

#[cfg(test)]
mod tests {
    use super::{PingReq, PingResp};
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::empty(0xc0, Packet::PingReq(PingReq));
        crate::codec::tests::empty(0xd0, Packet::PingResp(PingResp));
    }
}

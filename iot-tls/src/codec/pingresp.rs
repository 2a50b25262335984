//! PINGRESP: the broker's answer to PINGREQ.

empty_packet!(
    PingResp,
    "PINGRESP: the broker's answer to PINGREQ.",
    "0xd0"
);

#[cfg(test)]
mod tests {
    use super::PingResp;
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::empty(0xd0, Packet::PingResp(PingResp));
    }
}

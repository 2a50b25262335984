//! DISCONNECT: the client's graceful goodbye.

empty_packet!(
    Disconnect,
    "DISCONNECT: the client closes the connection cleanly, so the broker discards its will.",
    "0xe0"
);

#[cfg(test)]
mod tests {
    use super::Disconnect;
    use crate::codec::Packet;

    #[test]
    fn byte_layout() {
        crate::codec::tests::empty(0xe0, Packet::Disconnect(Disconnect));
    }
}

//! A simulated MQTT 3.1.1 broker for one client, built on the crate's codec and without heap
//! allocation, so it can run inside the allocation-counting test.
//!
//! It decodes what the client sends, shows each packet to the test, and answers as a broker
//! would: CONNACK, PUBACK, SUBACK (refusing chosen filters with 0x80), UNSUBACK and PINGRESP.
//! Switches make it misbehave (no PINGRESP, no PUBACK) and `send_raw` injects any bytes (an
//! unknown acknowledgement, garbage). A mock is needed here because a real broker cannot be made
//! to lose a PINGRESP, ack an unknown identifier or send garbage on demand.

use iot_tls::codec::{
    self, ConnAck, ConnectReturnCode, List, Packet, PacketId, PingResp, PubAck, SubAck, SubAckCode,
    UnsubAck,
};

const CAPACITY: usize = 16 * 1024;

pub(crate) struct Broker {
    inbox: [u8; CAPACITY],
    inbox_len: usize,
    outbox: [u8; CAPACITY],
    outbox_len: usize,
    /// CONNACK's session-present flag.
    pub(crate) session_present: bool,
    /// CONNACK's return code.
    pub(crate) connack: ConnectReturnCode,
    /// Whether PINGREQ gets a PINGRESP.
    pub(crate) answer_pings: bool,
    /// Whether QoS 1 PUBLISHes get a PUBACK.
    pub(crate) ack_publishes: bool,
    /// Filters answered with the 0x80 failure code.
    pub(crate) refuse: &'static [&'static str],
}

impl Broker {
    pub(crate) fn new() -> Self {
        Self {
            inbox: [0; CAPACITY],
            inbox_len: 0,
            outbox: [0; CAPACITY],
            outbox_len: 0,
            session_present: false,
            connack: ConnectReturnCode::Accepted,
            answer_pings: true,
            ack_publishes: true,
            refuse: &[],
        }
    }

    /// A new network connection: bytes in transit are lost.
    pub(crate) fn reset_connection(&mut self) {
        self.inbox_len = 0;
        self.outbox_len = 0;
    }

    /// Takes bytes from the client; each complete packet is shown to `seen` and answered.
    pub(crate) fn receive(&mut self, bytes: &[u8], seen: &mut impl FnMut(&Packet<'_>)) {
        self.inbox[self.inbox_len..self.inbox_len + bytes.len()].copy_from_slice(bytes);
        self.inbox_len += bytes.len();
        let mut used = 0;
        while let Some((packet, len)) =
            codec::decode(&self.inbox[used..self.inbox_len]).expect("the client sends valid MQTT")
        {
            seen(&packet);
            let answer = self.answer(&packet);
            if let Some((codes, count, id)) = answer.suback {
                let codes = List::new(&codes[..count]);
                push(
                    &mut self.outbox,
                    &mut self.outbox_len,
                    Packet::SubAck(SubAck::new(id, codes)),
                );
            }
            if let Some(packet) = answer.other {
                push(&mut self.outbox, &mut self.outbox_len, packet);
            }
            used += len;
        }
        self.inbox.copy_within(used..self.inbox_len, 0);
        self.inbox_len -= used;
    }

    fn answer(&self, packet: &Packet<'_>) -> Answer {
        let mut answer = Answer {
            suback: None,
            other: None,
        };
        match packet {
            Packet::Connect(_) => {
                answer.other = Some(Packet::ConnAck(ConnAck::new(
                    self.session_present,
                    self.connack,
                )));
            }
            Packet::Publish(p) if self.ack_publishes => {
                answer.other = p.packet_id.map(|id| Packet::PubAck(PubAck::new(id)));
            }
            Packet::Subscribe(s) => {
                let mut codes = [SubAckCode::Failure; 16];
                for (code, filter) in codes.iter_mut().zip(s.filters.iter()) {
                    if !self.refuse.contains(&filter.filter) {
                        *code = SubAckCode::Granted(filter.qos);
                    }
                }
                answer.suback = Some((codes, s.filters.len(), s.packet_id));
            }
            Packet::Unsubscribe(u) => {
                answer.other = Some(Packet::UnsubAck(UnsubAck::new(u.packet_id)));
            }
            Packet::PingReq(_) if self.answer_pings => {
                answer.other = Some(Packet::PingResp(PingResp));
            }
            _ => {}
        }
        answer
    }

    /// Queues `packet` for the client.
    pub(crate) fn send(&mut self, packet: Packet<'_>) {
        push(&mut self.outbox, &mut self.outbox_len, packet);
    }

    /// Queues raw bytes for the client.
    pub(crate) fn send_raw(&mut self, bytes: &[u8]) {
        self.outbox[self.outbox_len..self.outbox_len + bytes.len()].copy_from_slice(bytes);
        self.outbox_len += bytes.len();
    }

    /// Offers queued bytes to `deliver`, which returns how many it took.
    pub(crate) fn deliver(&mut self, deliver: impl FnOnce(&[u8]) -> usize) -> usize {
        let taken = deliver(&self.outbox[..self.outbox_len]);
        self.outbox.copy_within(taken..self.outbox_len, 0);
        self.outbox_len -= taken;
        taken
    }

    /// Whether bytes wait for the client.
    pub(crate) fn has_output(&self) -> bool {
        self.outbox_len > 0
    }

    /// An identifier for tests.
    pub(crate) fn id(n: u16) -> PacketId {
        PacketId::new(n).expect("non-zero")
    }
}

/// What the broker answers to one packet (a SUBACK's codes live in the answer itself).
struct Answer {
    suback: Option<([SubAckCode; 16], usize, PacketId)>,
    other: Option<Packet<'static>>,
}

fn push(outbox: &mut [u8], len: &mut usize, packet: Packet<'_>) {
    *len += packet
        .encode(&mut outbox[*len..])
        .expect("the broker's packets encode");
}

/// Moves bytes between `session` and `broker` until neither has anything more to say.
///
/// The session transmits through a `chunk`-byte buffer; events and the packets the broker
/// receives are handed to the callbacks.
pub(crate) fn pump<const N: usize>(
    session: &mut iot_tls::session::Session<'_, N>,
    broker: &mut Broker,
    now: iot_tls::Instant,
    chunk: usize,
    mut on_event: impl FnMut(iot_tls::session::Event<'_>),
    mut on_seen: impl FnMut(&Packet<'_>),
) {
    let mut buf = [0u8; 4096];
    for _ in 0..100_000 {
        let mut progress = false;
        let n = session.poll_transmit(now, &mut buf[..chunk]);
        if n > 0 {
            progress = true;
            broker.receive(&buf[..n], &mut on_seen);
        }
        if broker.has_output() && broker.deliver(|bytes| session.handle_input(now, bytes)) > 0 {
            progress = true;
        }
        while let Some(event) = session.poll_event() {
            on_event(event);
            progress = true;
        }
        if !progress {
            return;
        }
    }
    panic!("session and broker never went quiet");
}

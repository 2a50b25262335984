//! Fuzz target bodies, called by the one-line targets in the workspace's `fuzz/` package.
//!
//! Each function panics when an invariant breaks; the fuzzer reports the input.

use std::format;
use std::string::{String, ToString as _};
use std::vec;
use std::vec::Vec;

use crate::aws::{CustomAuthorizer, Username};
use crate::codec::{self, Message, Packet, Qos, Subscription, v5};
use crate::session::{Buffers, Config, Event, Protocol, Session, State};
use crate::{Instant, Limits};

/// Decodes packets from `$data` until it ends or fails, checking the invariants of [`packet`]
/// (a macro so that a packet and its re-decoded copy, which borrow different buffers, compare).
macro_rules! decode_stream {
    ($data:expr, $frame:path, $decode:expr) => {{
        let mut rest: &[u8] = $data;
        loop {
            let header = $frame(rest);
            match $decode(rest) {
                Ok(Some((packet, used))) => {
                    assert!(
                        used > 0 && used <= rest.len(),
                        "used {used} of {}",
                        rest.len()
                    );
                    let header = header.expect("decoded, so framed").expect("complete");
                    assert_eq!(header.packet_len(), used);
                    let mut buf = vec![0u8; packet.encoded_len()];
                    let len = packet.encode(&mut buf).expect("a decoded packet encodes");
                    assert_eq!(len, buf.len());
                    assert!(len <= used, "re-encoding is never longer");
                    let (again, again_len) = $decode(&buf)
                        .expect("re-encoded bytes decode")
                        .expect("re-encoded bytes are complete");
                    assert_eq!(again, packet);
                    assert_eq!(again_len, len);
                    rest = &rest[used..];
                }
                Ok(None) => {
                    if let Ok(Some(header)) = header {
                        assert!(header.packet_len() > rest.len());
                    }
                    break;
                }
                Err(e) => {
                    assert!(
                        e.offset() <= rest.len(),
                        "offset {} of {}",
                        e.offset(),
                        rest.len()
                    );
                    break;
                }
            }
        }
    }};
}

/// `mqtt_packet`: decodes a stream of MQTT 3.1.1 packets from raw bytes.
///
/// Decoding never panics, never claims more bytes than it was given, agrees with `frame` on the
/// packet length, and every decoded packet encodes to bytes that decode to the same packet.
pub fn packet(data: &[u8]) {
    decode_stream!(data, codec::frame, codec::decode);
}

/// `mqtt5_packet`: decodes a stream of MQTT 5 packets from raw bytes, with the invariants of
/// [`packet`]; every property of a decoded packet also iterates without an error.
pub fn packet_v5(data: &[u8]) {
    decode_stream!(data, v5::frame, decode_v5);
}

/// [`v5::decode`], checking that the properties of a decoded packet iterate without an error.
fn decode_v5(bytes: &[u8]) -> Result<Option<(v5::Packet<'_>, usize)>, crate::error::DecodeError> {
    let decoded = v5::decode(bytes)?;
    if let Some((packet, _)) = decoded {
        assert!(
            v5_properties(&packet).iter().all(|p| p.is_ok()),
            "decoded properties iterate cleanly"
        );
    }
    Ok(decoded)
}

/// The main property block of an MQTT 5 packet.
fn v5_properties<'a>(packet: &v5::Packet<'a>) -> v5::Properties<'a> {
    match *packet {
        v5::Packet::Connect(p) => p.properties,
        v5::Packet::ConnAck(p) => p.properties,
        v5::Packet::Publish(p) => p.properties,
        v5::Packet::PubAck(p) => p.properties,
        v5::Packet::PubRec(p) => p.properties,
        v5::Packet::PubRel(p) => p.properties,
        v5::Packet::PubComp(p) => p.properties,
        v5::Packet::Subscribe(p) => p.properties,
        v5::Packet::SubAck(p) => p.properties,
        v5::Packet::Unsubscribe(p) => p.properties,
        v5::Packet::UnsubAck(p) => p.properties,
        v5::Packet::Disconnect(p) => p.properties,
        v5::Packet::Auth(p) => p.properties,
        v5::Packet::PingReq(_) | v5::Packet::PingResp(_) => v5::Properties::EMPTY,
    }
}

/// `mqtt_fragmented`: the same broker stream, whole or in tiny chunks, gives the same events.
///
/// The first two bytes seed the chunk sizes (1 to 8 bytes); the rest is the stream, fed to a
/// connected session with requests in flight.
pub fn fragmented(data: &[u8]) {
    let (seed, stream) = match data {
        [a, b, rest @ ..] => (u16::from_le_bytes([*a, *b]), rest),
        _ => return,
    };
    let whole = events_for(stream, |remaining| remaining);
    let mut state = u32::from(seed) | 1;
    let chunked = events_for(stream, |remaining| {
        // xorshift32: deterministic chunk sizes from the seed.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        remaining.min(1 + (state % 8) as usize)
    });
    assert_eq!(whole, chunked);
}

/// The events a connected session reports for `stream`, fed in chunks of `chunk(remaining)`.
fn events_for(stream: &[u8], mut chunk: impl FnMut(usize) -> usize) -> Vec<String> {
    let mut rx = [0u8; 256];
    let mut store = [0u8; 512];
    let config = Config::new("fuzz").with_keep_alive(0);
    let mut session: Session<'_, 4> =
        Session::new(config, Buffers::new(&mut rx, &mut store)).expect("valid setup");
    let now = Instant::from_millis(0);
    connect_with_requests(&mut session, now);
    let mut events = Vec::new();
    let mut input = stream;
    let mut stalled = 0;
    while !input.is_empty() {
        let piece = chunk(input.len());
        let n = session.handle_input(now, &input[..piece]);
        input = &input[n..];
        stalled = if n == 0 { stalled + 1 } else { 0 };
        assert!(
            stalled < 3,
            "the session takes no input and reports nothing"
        );
        drain(&mut session, now, &mut events);
    }
    drain(&mut session, now, &mut events);
    events
}

/// Connects `session` and leaves two QoS 1 PUBLISHes, a SUBSCRIBE and an UNSUBSCRIBE in flight
/// (identifiers 1 to 4).
fn connect_with_requests<const N: usize>(session: &mut Session<'_, N>, now: Instant) {
    session.connect(now);
    let mut out = [0u8; 512];
    while session.poll_transmit(now, &mut out) > 0 {}
    assert_eq!(session.handle_input(now, &[0x20, 0x02, 0x00, 0x00]), 4);
    assert_eq!(
        session.poll_event(),
        Some(Event::Connected {
            session_present: false
        })
    );
    let qos1 = Message::new("f/1", b"x").with_qos(Qos::AtLeastOnce);
    session.publish(qos1).expect("room");
    session.publish(qos1).expect("room");
    session
        .subscribe(&[
            Subscription::new("f/+", Qos::AtLeastOnce),
            Subscription::new("g/#", Qos::AtMostOnce),
        ])
        .expect("room");
    session.unsubscribe(&["f/+"]).expect("room");
    while session.poll_transmit(now, &mut out) > 0 {}
    assert_eq!(session.in_flight(), 4);
}

/// Polls events (as text) and transmits until the session is idle.
fn drain<const N: usize>(session: &mut Session<'_, N>, now: Instant, events: &mut Vec<String>) {
    let mut out = [0u8; 64];
    loop {
        while let Some(event) = session.poll_event() {
            events.push(format!("{event:?}"));
        }
        if session.poll_transmit(now, &mut out) == 0 {
            break;
        }
    }
}

/// `mqtt_session`: a connected session driven by arbitrary operations and broker bytes.
///
/// Nothing panics, `poll_transmit` never writes past its buffer, the table and store bounds hold,
/// and every byte the session sends decodes as a client packet, CONNECT first.
pub fn session(data: &[u8]) {
    session_with(data, Protocol::V311);
}

/// `mqtt5_session`: [`session`] on MQTT 5, with MQTT 5 broker packets (reason codes, property
/// blocks, refused PUBLISHes, server DISCONNECT, AUTH) and the same invariants.
pub fn session_v5(data: &[u8]) {
    session_with(data, Protocol::V5);
}

fn session_with(data: &[u8], protocol: Protocol) {
    let v5 = protocol == Protocol::V5;
    let mut rx = [0u8; 128];
    let mut store = [0u8; 384];
    let limits = Limits {
        max_inflight: 3,
        max_filters: 2,
        ..Limits::MQTT
    };
    let config = Config::new("fuzz")
        .with_keep_alive(5)
        .with_clean_session(false)
        .with_will(Message::new("will", b"gone"))
        .with_limits(limits)
        .with_protocol(protocol);
    let mut session: Session<'_, 4> =
        Session::new(config, Buffers::new(&mut rx, &mut store)).expect("valid setup");
    let capacity = session.store_free();
    let mut now = Instant::from_millis(0);
    let mut sent = Sent {
        v5,
        ..Sent::default()
    };
    session.connect(now);
    let mut ops = data;
    while let [op, arg, rest @ ..] = ops {
        ops = rest;
        let arg = *arg;
        match op % 12 {
            1..=4 if v5 => feed_v5(&mut session, now, op % 12, arg),
            0 => {
                let len = usize::from(arg % 64).min(ops.len());
                feed(&mut session, now, &ops[..len]);
                ops = &ops[len..];
            }
            1 => feed(&mut session, now, &[0x40, 0x02, 0x00, arg % 8]),
            2 => feed(&mut session, now, &[0x20, 0x02, arg & 1, (arg >> 1) % 7]),
            3 => {
                let code = [0x00, 0x01, 0x80, 0x02][usize::from(arg >> 6)];
                feed(&mut session, now, &[0x90, 0x03, 0x00, arg % 8, code]);
            }
            4 => feed(&mut session, now, &[0xb0, 0x02, 0x00, arg % 8]),
            5 => {
                let mut out = [0u8; 64];
                let size = usize::from(arg % 64) + 1;
                let n = session.poll_transmit(now, &mut out[..size]);
                assert!(n <= size);
                sent.push(&out[..n]);
            }
            6 => {
                now = now + core::time::Duration::from_millis(u64::from(arg) * 50);
                session.handle_timeout(now);
            }
            7 => {
                let topic = ["a", "b/c", "a/+", "d/e/f"][usize::from(arg % 4)];
                let qos = Qos::from_u8((arg >> 2) % 3).unwrap_or_default();
                let payload = [arg; 256];
                let _ = session
                    .publish(Message::new(topic, &payload[..usize::from(arg)]).with_qos(qos));
            }
            8 => {
                let filters = [
                    Subscription::new("a/#", Qos::AtLeastOnce),
                    Subscription::new("b/+", Qos::AtMostOnce),
                    Subscription::new("c", Qos::from_u8(arg % 3).unwrap_or_default()),
                ];
                let _ = session.subscribe(&filters[usize::from(arg % 3)..]);
            }
            9 => {
                let filters = ["a/#", "b/+", "c"];
                let _ = session.unsubscribe(&filters[usize::from(arg % 3)..]);
            }
            10 => session.disconnect(),
            _ => {
                if arg & 1 == 0 {
                    session.handle_closed(now);
                }
                session.connect(now);
                sent = Sent {
                    v5,
                    ..Sent::default()
                };
            }
        }
        while let Some(event) = session.poll_event() {
            match event {
                Event::Message(publish) => assert!(publish.qos != Qos::ExactlyOnce),
                Event::MessageV5(publish) => assert!(publish.qos != Qos::ExactlyOnce),
                _ => {}
            }
        }
        assert!(session.in_flight() <= 3);
        assert!(session.store_free() <= capacity);
        assert!(session.queued() + session.in_flight() + session.subscriptions() <= 4);
        if session.state() == State::Disconnected {
            assert_eq!(session.poll_timeout(), None);
        }
    }
    sent.check();
}

/// The MQTT 5 broker packets of [`session_v5`]: op 1 a PUBACK (successful or refused), 2 a
/// CONNACK with a Receive Maximum and a Maximum QoS, 3 a SUBACK, 4 an UNSUBACK, a server
/// DISCONNECT or an AUTH.
fn feed_v5<const N: usize>(session: &mut Session<'_, N>, now: Instant, op: u8, arg: u8) {
    let pick = usize::from(arg >> 6);
    match op {
        1 => {
            let code = [0x00, 0x10, 0x87, 0x97][pick];
            feed(session, now, &[0x40, 0x03, 0x00, arg % 8, code]);
        }
        2 => {
            let code = [0x00, 0x00, 0x87, 0x8a][pick];
            #[rustfmt::skip]
            let connack = [
                0x20, 0x08, arg & 1, code,
                0x05, 0x21, 0x00, (arg >> 1) % 4 + 1, 0x24, (arg >> 3) & 1,
            ];
            feed(session, now, &connack);
        }
        3 => {
            let code = [0x00, 0x01, 0x80, 0x02][pick];
            feed(session, now, &[0x90, 0x04, 0x00, arg % 8, 0x00, code]);
        }
        _ => match pick {
            0 | 1 => feed(session, now, &[0xb0, 0x04, 0x00, arg % 8, 0x00, 0x00]),
            2 => feed(session, now, &[0xe0, 0x01, 0x8e]),
            _ => feed(session, now, &[0xf0, 0x01, 0x18]),
        },
    }
}

/// Offers broker bytes to the session, which never claims more than it was offered.
fn feed<const N: usize>(session: &mut Session<'_, N>, now: Instant, bytes: &[u8]) {
    let taken = session.handle_input(now, bytes);
    assert!(taken <= bytes.len(), "took {taken} of {}", bytes.len());
}

/// What the session sent on the current connection.
#[derive(Default)]
struct Sent {
    bytes: Vec<u8>,
    /// Whether the session speaks MQTT 5.
    v5: bool,
}

impl Sent {
    fn push(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
        self.check();
    }

    /// Every complete packet decodes, is one a client sends, and CONNECT comes first and once.
    fn check(&self) {
        if self.v5 {
            self.check_v5();
            return;
        }
        let mut rest = &self.bytes[..];
        let mut first = true;
        while let Some((packet, used)) = codec::decode(rest).expect("the session sends valid MQTT")
        {
            let is_connect = matches!(packet, Packet::Connect(_));
            assert_eq!(is_connect, first, "CONNECT first and only first");
            assert!(!matches!(
                packet,
                Packet::ConnAck(_) | Packet::SubAck(_) | Packet::UnsubAck(_) | Packet::PingResp(_)
            ));
            if let Packet::Publish(p) = packet {
                assert!(p.qos != Qos::ExactlyOnce);
            }
            first = false;
            rest = &rest[used..];
        }
    }
}

impl Sent {
    /// [`check`](Self::check) for an MQTT 5 session.
    fn check_v5(&self) {
        let mut rest = &self.bytes[..];
        let mut first = true;
        while let Some((packet, used)) = v5::decode(rest).expect("the session sends valid MQTT 5") {
            let is_connect = matches!(packet, v5::Packet::Connect(_));
            assert_eq!(is_connect, first, "CONNECT first and only first");
            assert!(!matches!(
                packet,
                v5::Packet::ConnAck(_)
                    | v5::Packet::SubAck(_)
                    | v5::Packet::UnsubAck(_)
                    | v5::Packet::PingResp(_)
                    | v5::Packet::Auth(_)
            ));
            if let v5::Packet::Publish(p) = packet {
                assert!(p.qos != Qos::ExactlyOnce);
            }
            first = false;
            rest = &rest[used..];
        }
    }
}

/// `aws_username`: parses a custom-authorizer user name from raw bytes.
///
/// Parsing never panics and reports an offset inside the input; a parsed user name's name is
/// its prefix; every key and value decodes to UTF-8, the same way through `decode`,
/// `decode_into` and comparison; the name, authorizer and signature survive a round trip
/// through [`CustomAuthorizer`]; `Debug` shows no parameter value.
pub fn aws_username(data: &[u8]) {
    let Ok(raw) = core::str::from_utf8(data) else {
        return;
    };
    let username = match Username::parse(raw) {
        Ok(username) => username,
        Err(e) => {
            assert!(
                e.offset() <= raw.len(),
                "offset {} of {}",
                e.offset(),
                raw.len()
            );
            return;
        }
    };
    assert!(raw.starts_with(username.name()));
    for (key, value) in username.params() {
        for encoded in [key, value] {
            let decoded = encoded.decode();
            let bytes: Vec<u8> = encoded.bytes().collect();
            assert_eq!(bytes, decoded.as_bytes(), "parse checked UTF-8");
            let mut buf = vec![0u8; decoded.len()];
            assert_eq!(encoded.decode_into(&mut buf).expect("fits"), decoded);
            assert!(encoded == decoded.as_str());
            if let Some(last) = decoded.len().checked_sub(1) {
                assert!(encoded.decode_into(&mut buf[..last]).is_err(), "too small");
            }
        }
    }
    let authorizer = username.authorizer().map(|a| a.decode());
    let signature = username.signature().map(|s| s.decode());
    let mut built = CustomAuthorizer::new(username.name());
    if let Some(authorizer) = &authorizer {
        built = built.with_authorizer(authorizer);
    }
    if let Some(signature) = &signature {
        built = built.with_signature(signature);
    }
    let text = built.to_string();
    assert_eq!(text.len(), built.encoded_len());
    let again = Username::parse(&text).expect("a built user name parses");
    assert_eq!(again.name(), username.name());
    assert_eq!(again.authorizer().map(|a| a.decode()), authorizer);
    assert_eq!(again.signature().map(|s| s.decode()), signature);
    // Debug shows the name and the keys, never a value: it must be exactly that text
    let mut expected = format!("Username {{ name: {:?}", username.name());
    for (key, _) in username.params() {
        expected.push_str(", ");
        expected.push_str(key.as_raw());
        expected.push_str(": \"***\"");
    }
    expected.push_str(" }");
    assert_eq!(format!("{username:?}"), expected, "Debug hides values");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `aws_username` false alarm: a value that spells the start of `Username`'s own Debug
    /// output was taken for a leaked value.
    #[test]
    fn regression_value_spelling_the_debug_output() {
        aws_username(b"dev?token=Username { name: \"dev\", token: ");
    }

    /// `mqtt_session` crash: a 251-byte publish (op 7, argument 0xfb) overran the 200-byte
    /// payload array of the harness.
    #[test]
    fn regression_long_publish_in_session_harness() {
        session(&[
            0x05, 0x3f, 0x00, 0x82, 0xc0, 0xfd, 0xff, 0xf8, 0xfa, 0xf8, 0xc7, 0xfb, 0xfd, 0x04,
            0x07, 0xc8, 0x01, 0x06, 0x06, 0xc8, 0xff, 0x00, 0x34, 0x06, 0x00, 0x20,
        ]);
    }

    /// A CONNACK before CONNECT was sent once left the session connected without ever sending
    /// CONNECT; it is now a protocol violation.
    #[test]
    fn regression_connack_before_connect() {
        session(&[2, 0, 5, 63, 7, 1, 5, 63]);
    }

    /// Every committed `mqtt5_packet` seed is one whole, valid MQTT 5 packet.
    #[test]
    fn mqtt5_seeds_are_valid_packets() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus/mqtt5_packet");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).expect("the seed corpus") {
            let path = entry.expect("a seed").path();
            let bytes = std::fs::read(&path).expect("a readable seed");
            let (_, used) = v5::decode(&bytes)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .unwrap_or_else(|| panic!("{}: incomplete", path.display()));
            assert_eq!(used, bytes.len(), "{}", path.display());
            packet_v5(&bytes);
            count += 1;
        }
        assert!(count >= 10);
    }

    #[test]
    fn seeds_run_clean() {
        packet(&[0x30, 0x03, 0x00, 0x01, b'a', 0x40, 0x02, 0x00, 0x01, 0xd0]);
        packet_v5(&[
            0x30, 0x08, 0x00, 0x01, b'a', 0x03, 0x23, 0x00, 0x01, b'x', 0x40, 0x03, 0x00, 0x01,
            0x10, 0xe0, 0x01, 0x8e, 0xf0, 0x00,
        ]);
        fragmented(&[
            0x07, 0x00, 0x40, 0x02, 0x00, 0x01, 0x90, 0x04, 0x00, 0x03, 0x01, 0x80,
        ]);
        session(&[
            2, 0, 7, 4, 5, 63, 1, 1, 5, 63, 8, 0, 5, 63, 3, 3, 6, 200, 6, 200, 6, 200,
        ]);
        session_v5(&[
            5, 63, 2, 0, 7, 4, 5, 63, 1, 1, 5, 63, 8, 0, 5, 63, 3, 3, 1, 0x81, 4, 0x80, 11, 0, 5,
            63, 2, 0, 4, 0xc0,
        ]);
        aws_username(
            b"hub?x-amz-customauthorizer-name=HubAuth&x-amz-customauthorizer-signature=a%2Bb+c",
        );
        aws_username(b"dev?token=caf%C3%A9&=x&k");
        aws_username(b"dev?token=%zz");
    }
}

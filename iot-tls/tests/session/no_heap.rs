//! Proof that the codec and a whole session never touch the heap: everything runs under a
//! counting allocator, which must count zero allocations.

use core::time::Duration;

use iot_tls::Instant;
use iot_tls::codec::{
    self, ConnectReturnCode, Message, Packet, PubAck, Publish, Qos, Subscription,
};
use iot_tls::session::{Buffers, Config, DisconnectReason, Event, Session};

use super::broker::{Broker, pump};

/// What happened, counted without allocating.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    connected: usize,
    messages: usize,
    published: usize,
    subscribed: usize,
    unsubscribed: usize,
    unexpected: usize,
    disconnected: usize,
    seen_connect: usize,
    seen_subscribe: usize,
    seen_dup: usize,
    seen_puback: usize,
    seen_ping: usize,
}

#[test]
#[expect(clippy::too_many_lines, reason = "one scenario, told step by step")]
fn a_whole_session_allocates_nothing() {
    let mut broker = Box::new(Broker::new());
    let (mut rx, mut store) = ([0u8; 1024], [0u8; 2048]);
    let payload = [0x42u8; 600];
    let info = allocation_counter::measure(|| {
        let config = Config::new("no-heap")
            .with_keep_alive(30)
            .with_clean_session(false)
            .with_will(Message::new("no-heap/status", b"offline").with_qos(Qos::AtLeastOnce))
            .with_username("user?x-amz-customauthorizer-name=Auth")
            .with_password(b"secret");
        let mut session: Session<'_, 8> =
            Session::new(config, Buffers::new(&mut rx, &mut store)).expect("valid");
        let mut now = Instant::from_millis(0);
        let mut c = Counts::default();
        let step = |session: &mut Session<'_, 8>, broker: &mut Broker, now, c: &mut Counts| {
            let mut seen = Counts::default();
            pump(
                session,
                broker,
                now,
                97,
                |event| match event {
                    Event::Connected { .. } => c.connected += 1,
                    Event::Message(_) => c.messages += 1,
                    Event::Published(_) => c.published += 1,
                    Event::Subscribed { .. } => c.subscribed += 1,
                    Event::Unsubscribed(_) => c.unsubscribed += 1,
                    Event::UnexpectedAck { .. } => c.unexpected += 1,
                    Event::Disconnected(_) => c.disconnected += 1,
                    _ => {}
                },
                |packet| match packet {
                    Packet::Connect(_) => seen.seen_connect += 1,
                    Packet::Subscribe(_) => seen.seen_subscribe += 1,
                    Packet::Publish(p) if p.dup => seen.seen_dup += 1,
                    Packet::PubAck(_) => seen.seen_puback += 1,
                    Packet::PingReq(_) => seen.seen_ping += 1,
                    _ => {}
                },
            );
            c.seen_connect += seen.seen_connect;
            c.seen_subscribe += seen.seen_subscribe;
            c.seen_dup += seen.seen_dup;
            c.seen_puback += seen.seen_puback;
            c.seen_ping += seen.seen_ping;
        };

        // Connect, subscribe, publish both ways.
        session.connect(now);
        step(&mut session, &mut broker, now, &mut c);
        session
            .subscribe(&[
                Subscription::new("no-heap/cmd/#", Qos::AtLeastOnce),
                Subscription::new("no-heap/cfg", Qos::AtMostOnce),
            ])
            .expect("room");
        session
            .publish(Message::new("no-heap/tele", &payload))
            .expect("room");
        session
            .publish(Message::new("no-heap/state", &payload[..40]).with_qos(Qos::AtLeastOnce))
            .expect("room");
        broker.send(Packet::Publish(
            Publish::new("no-heap/cmd/power", b"on")
                .with_qos(Qos::AtLeastOnce, Some(Broker::id(3))),
        ));
        step(&mut session, &mut broker, now, &mut c);

        // Keep-alive, and an acknowledgement for nothing.
        now = now + Duration::from_secs(30);
        session.handle_timeout(now);
        broker.send(Packet::PubAck(PubAck::new(Broker::id(999))));
        step(&mut session, &mut broker, now, &mut c);

        // The connection drops with a message in flight; one more is queued offline.
        broker.ack_publishes = false;
        session
            .publish(Message::new("no-heap/state", b"1").with_qos(Qos::AtLeastOnce))
            .expect("room");
        step(&mut session, &mut broker, now, &mut c);
        broker.reset_connection();
        session.handle_closed(now);
        session
            .publish(Message::new("no-heap/state", b"2").with_qos(Qos::AtLeastOnce))
            .expect("room");
        step(&mut session, &mut broker, now, &mut c);
        let _ = session.reconnect_delay(0x1234_5678);

        // The broker lost the session: re-subscribe and resend.
        broker.ack_publishes = true;
        broker.reset_connection();
        now = now + Duration::from_secs(2);
        session.connect(now);
        step(&mut session, &mut broker, now, &mut c);
        session.unsubscribe(&["no-heap/cfg"]).expect("room");
        step(&mut session, &mut broker, now, &mut c);

        // Garbage, a refused connection, then a clean goodbye.
        broker.send_raw(&[0x40, 0x02, 0x00, 0x00]);
        step(&mut session, &mut broker, now, &mut c);
        broker.reset_connection();
        broker.connack = ConnectReturnCode::ServerUnavailable;
        session.connect(now);
        step(&mut session, &mut broker, now, &mut c);
        broker.reset_connection();
        broker.connack = ConnectReturnCode::Accepted;
        broker.session_present = true;
        session.connect(now);
        step(&mut session, &mut broker, now, &mut c);
        session.disconnect();
        step(&mut session, &mut broker, now, &mut c);
        assert_eq!(
            c,
            Counts {
                connected: 3,
                messages: 1,
                published: 3,
                subscribed: 2,
                unsubscribed: 1,
                unexpected: 1,
                disconnected: 4,
                seen_connect: 4,
                seen_subscribe: 2,
                seen_dup: 1,
                seen_puback: 1,
                seen_ping: 1,
            }
        );
        assert_eq!(session.state(), iot_tls::session::State::Disconnected);
        let _ = DisconnectReason::Requested;
    });
    assert_eq!(info.count_total, 0, "{info:?}");
    assert_eq!(info.bytes_max, 0, "{info:?}");
}

#[test]
fn decoding_and_encoding_every_packet_allocates_nothing() {
    #[rustfmt::skip]
    let stream: &[u8] = &[
        0x10, 0x14, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0xc2, 0x00, 0x3c,
        0x00, 0x01, b'c', 0x00, 0x01, b'u', 0x00, 0x02, b'p', b'w', // CONNECT
        0x20, 0x02, 0x01, 0x00,                                     // CONNACK
        0x32, 0x07, 0x00, 0x01, b't', 0x00, 0x05, b'h', b'i',       // PUBLISH QoS 1
        0x40, 0x02, 0x00, 0x05,                                     // PUBACK
        0x50, 0x02, 0x00, 0x06,                                     // PUBREC
        0x62, 0x02, 0x00, 0x06,                                     // PUBREL
        0x70, 0x02, 0x00, 0x06,                                     // PUBCOMP
        0x82, 0x06, 0x00, 0x07, 0x00, 0x01, b'#', 0x01,             // SUBSCRIBE
        0x90, 0x04, 0x00, 0x07, 0x01, 0x80,                         // SUBACK
        0xa2, 0x05, 0x00, 0x08, 0x00, 0x01, b'#',                   // UNSUBSCRIBE
        0xb0, 0x02, 0x00, 0x08,                                     // UNSUBACK
        0xc0, 0x00, 0xd0, 0x00, 0xe0, 0x00,                         // PINGREQ, PINGRESP, DISCONNECT
    ];
    let mut out = [0u8; 64];
    let info = allocation_counter::measure(|| {
        let mut rest = stream;
        let mut packets = 0;
        while let Some((packet, used)) = codec::decode(rest).expect("valid") {
            let len = packet.encode(&mut out).expect("fits");
            assert_eq!(&out[..len], &rest[..used]);
            if let Packet::Subscribe(s) = packet {
                assert_eq!(s.filters.iter().count(), 1);
            }
            rest = &rest[used..];
            packets += 1;
        }
        assert_eq!(packets, 14);
    });
    assert_eq!(info.count_total, 0, "{info:?}");
}

/// The MQTT 5 paths allocate nothing either: CONNECT with properties, CONNACK limits, messages
/// with properties both ways, subscription options and a Subscription Identifier, the Assigned
/// Client Identifier, reason codes, a skipped oversized message, a server DISCONNECT and the
/// DISCONNECT 0x82 that answers an AUTH.
#[test]
#[expect(clippy::too_many_lines, reason = "one scenario, told step by step")]
fn an_mqtt5_session_allocates_nothing() {
    use iot_tls::codec::PacketType;
    use iot_tls::codec::v5::{self, Property, PropertyBuilder};
    use iot_tls::session::Protocol;

    let (mut rx, mut store) = ([0u8; 256], [0u8; 2048]);
    let mut events = [0usize; 8];
    let info = allocation_counter::measure(|| {
        let config = Config::new("no-heap-5")
            .with_protocol(Protocol::V5)
            .with_clean_session(false)
            .with_will(Message::new("no-heap/status", b"offline"))
            .with_username("user")
            .with_password(b"secret");
        let mut session: Session<'_, 8> =
            Session::new(config, Buffers::new(&mut rx, &mut store)).expect("valid");
        let now = Instant::from_millis(0);
        let mut out = [0u8; 1024];
        let drain = |session: &mut Session<'_, 8>, events: &mut [usize; 8]| {
            while let Some(event) = session.poll_event() {
                let i = match event {
                    Event::Connected { .. } => 0,
                    Event::MessageV5(m) => {
                        assert_eq!(m.properties.user_properties().count(), 1);
                        1
                    }
                    Event::Published(_) => 2,
                    Event::PublishRefused { .. } => 3,
                    Event::SubscribedV5 { codes, .. } => {
                        assert!(codes.iter().all(v5::ReasonCode::is_success));
                        4
                    }
                    Event::Oversized { .. } => 5,
                    Event::ServerDisconnect { properties, .. } => {
                        assert_eq!(properties.reason_string(), Some("bye"));
                        6
                    }
                    _ => 7,
                };
                events[i] += 1;
            }
        };
        session.connect(now);
        let n = session.poll_transmit(now, &mut out);
        assert!(matches!(
            v5::decode(&out[..n]),
            Ok(Some((v5::Packet::Connect(_), _)))
        ));
        #[rustfmt::skip]
        session.handle_input(now, &[
            0x20, 0x0b, 0x00, 0x00, 0x08,
            0x21, 0x00, 0x04,                   // Receive Maximum 4
            0x12, 0x00, 0x02, b'a', b'1',       // Assigned Client Identifier "a1"
        ]);
        drain(&mut session, &mut events);
        assert_eq!(session.assigned_client_id(), Some("a1"));

        let mut props = [0u8; 64];
        let mut request = PropertyBuilder::new(&mut props, PacketType::Publish);
        request
            .push(Property::ResponseTopic("no-heap/replies"))
            .and_then(|b| b.push(Property::CorrelationData(b"1")))
            .and_then(|b| b.push(Property::MessageExpiryInterval(60)))
            .expect("fits");
        let id = session
            .publish_with(
                Message::new("no-heap/req", b"ping").with_qos(Qos::AtLeastOnce),
                request.finish(),
            )
            .expect("queued")
            .expect("QoS 1");
        let mut sub_props = [0u8; 8];
        let mut sub_props = PropertyBuilder::new(&mut sub_props, PacketType::Subscribe);
        sub_props
            .push(Property::SubscriptionIdentifier(9))
            .expect("fits");
        let filters = [v5::Subscription::new("no-heap/#", Qos::AtLeastOnce)
            .with_no_local(true)
            .with_retain_handling(v5::RetainHandling::Never)];
        let sub = session
            .subscribe_with(&filters, sub_props.finish())
            .expect("queued");
        let n = session.poll_transmit(now, &mut out);
        let mut rest = &out[..n];
        while let Some((_, used)) = v5::decode(rest).expect("valid MQTT 5") {
            rest = &rest[used..];
        }
        let id = id.get().to_be_bytes();
        session.handle_input(now, &[0x40, 0x02, id[0], id[1]]);
        let sub = sub.get().to_be_bytes();
        session.handle_input(now, &[0x90, 0x04, sub[0], sub[1], 0x00, 0x01]);
        #[rustfmt::skip]
        session.handle_input(now, &[
            0x32, 0x0f, 0x00, 0x01, b't', 0x00, 0x07,
            0x07, 0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v',
            b'h', b'i',
        ]);
        drain(&mut session, &mut events);
        // A message larger than the 256-byte receive buffer, in pieces.
        let mut big = [0u8; 400];
        big[..7].copy_from_slice(&[0x32, 0x8d, 0x03, 0x00, 0x01, b't', 0x00]);
        big[7] = 0x08;
        for chunk in big.chunks(100) {
            session.handle_input(now, chunk);
            drain(&mut session, &mut events);
        }
        let n = session.poll_transmit(now, &mut out);
        assert_eq!(&out[..n], [0x40, 0x02, 0x00, 0x07, 0x40, 0x02, 0x00, 0x08]);
        session.handle_input(
            now,
            &[0xe0, 0x08, 0x8b, 0x06, 0x1f, 0x00, 0x03, b'b', b'y', b'e'],
        );
        drain(&mut session, &mut events);
        // The next connection: an AUTH is answered with DISCONNECT 0x82.
        session.connect(now);
        let _connect = session.poll_transmit(now, &mut out);
        session.handle_input(now, &[0x20, 0x03, 0x01, 0x00, 0x00]);
        session.handle_input(now, &[0xf0, 0x00]);
        drain(&mut session, &mut events);
        let n = session.poll_transmit(now, &mut out);
        assert_eq!(&out[..n], [0xe0, 0x01, 0x82]);
        drain(&mut session, &mut events);
    });
    assert_eq!(events, [2, 1, 1, 0, 1, 1, 1, 2], "the scenario ran");
    assert_eq!(info.count_total, 0, "allocations on MQTT 5 paths");
}

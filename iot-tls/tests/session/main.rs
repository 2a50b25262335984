//! The session driven through whole connections against a simulated broker.

mod broker;
mod no_heap;

use core::time::Duration;

use broker::{Broker, pump};
use iot_tls::codec::{
    ConnectReturnCode, Message, Packet, PacketId, PacketType, PubAck, PubRec, Publish, Qos, SubAck,
    SubAckCode, Subscription, UnsubAck,
};
use iot_tls::error::{DecodeErrorKind, LimitError, SessionError};
use iot_tls::session::{Buffers, Config, DisconnectReason, Event, Session, State};
use iot_tls::{Error, Instant, Limits, aws};

/// An event, owned so a test can keep it.
#[derive(Clone, Debug, PartialEq)]
enum Ev {
    Connected(bool),
    Message {
        topic: String,
        payload: Vec<u8>,
        qos: Qos,
        dup: bool,
    },
    Published(u16),
    Subscribed(u16, Vec<SubAckCode>),
    Unsubscribed(u16),
    UnexpectedAck(PacketType, u16),
    Oversized(Option<String>, Qos, usize),
    Disconnected(DisconnectReason),
}

impl From<Event<'_>> for Ev {
    fn from(event: Event<'_>) -> Self {
        match event {
            Event::Connected { session_present } => Self::Connected(session_present),
            Event::Message(p) => Self::Message {
                topic: p.topic.to_owned(),
                payload: p.payload.to_vec(),
                qos: p.qos,
                dup: p.dup,
            },
            Event::Published(id) => Self::Published(id.get()),
            Event::Subscribed { packet_id, codes } => {
                Self::Subscribed(packet_id.get(), codes.iter().collect())
            }
            Event::Unsubscribed(id) => Self::Unsubscribed(id.get()),
            Event::UnexpectedAck {
                packet_type,
                packet_id,
            } => Self::UnexpectedAck(packet_type, packet_id.get()),
            Event::Disconnected(reason) => Self::Disconnected(reason),
            Event::Oversized {
                topic, qos, len, ..
            } => Self::Oversized(topic.map(str::to_owned), qos, len),
            other => panic!("unknown event {other:?}"),
        }
    }
}

/// A packet the broker received, owned.
#[derive(Clone, Debug, PartialEq)]
enum Seen {
    Connect {
        clean: bool,
        keep_alive: u16,
        will: Option<String>,
    },
    Publish {
        topic: String,
        id: Option<u16>,
        dup: bool,
        qos: Qos,
    },
    Subscribe(u16, Vec<String>),
    Unsubscribe(u16, Vec<String>),
    PubAck(u16),
    PingReq,
    Disconnect,
}

impl From<&Packet<'_>> for Seen {
    fn from(packet: &Packet<'_>) -> Self {
        match packet {
            Packet::Connect(c) => Self::Connect {
                clean: c.clean_session,
                keep_alive: c.keep_alive,
                will: c.will.map(|w| w.topic.to_owned()),
            },
            Packet::Publish(p) => Self::Publish {
                topic: p.topic.to_owned(),
                id: p.packet_id.map(PacketId::get),
                dup: p.dup,
                qos: p.qos,
            },
            Packet::Subscribe(s) => Self::Subscribe(
                s.packet_id.get(),
                s.filters.iter().map(|f| f.filter.to_owned()).collect(),
            ),
            Packet::Unsubscribe(u) => Self::Unsubscribe(
                u.packet_id.get(),
                u.filters.iter().map(str::to_owned).collect(),
            ),
            Packet::PubAck(a) => Self::PubAck(a.packet_id.get()),
            Packet::PingReq(_) => Self::PingReq,
            Packet::Disconnect(_) => Self::Disconnect,
            other => panic!("a client never sends {other:?}"),
        }
    }
}

fn publish_seen(topic: &str, id: Option<u16>, dup: bool) -> Seen {
    Seen::Publish {
        topic: topic.to_owned(),
        id,
        dup,
        qos: if id.is_some() {
            Qos::AtLeastOnce
        } else {
            Qos::AtMostOnce
        },
    }
}

fn qos1(topic: &str) -> Message<'_> {
    Message::new(topic, b"payload").with_qos(Qos::AtLeastOnce)
}

/// A session wired to a simulated broker, with a clock and logs of both sides.
struct Harness<'a, const N: usize> {
    session: Session<'a, N>,
    broker: Box<Broker>,
    now: Instant,
    chunk: usize,
    events: Vec<Ev>,
    seen: Vec<Seen>,
}

impl<'a, const N: usize> Harness<'a, N> {
    fn new(config: Config<'a>, rx: &'a mut [u8], store: &'a mut [u8]) -> Self {
        Self {
            session: Session::new(config, Buffers::new(rx, store)).expect("valid session"),
            broker: Box::new(Broker::new()),
            now: Instant::from_millis(1_000),
            chunk: 512,
            events: Vec::new(),
            seen: Vec::new(),
        }
    }

    fn pump(&mut self) {
        let (events, seen) = (&mut self.events, &mut self.seen);
        pump(
            &mut self.session,
            &mut self.broker,
            self.now,
            self.chunk,
            |e| events.push(e.into()),
            |p| seen.push(p.into()),
        );
    }

    /// Opens a new connection.
    fn connect(&mut self) {
        self.broker.reset_connection();
        self.session.connect(self.now);
        self.pump();
    }

    /// The network drops.
    fn drop_connection(&mut self) {
        self.broker.reset_connection();
        self.session.handle_closed(self.now);
        self.pump();
    }

    /// Time passes.
    fn advance(&mut self, by: Duration) {
        self.now = self.now + by;
        self.session.handle_timeout(self.now);
        self.pump();
    }

    fn send(&mut self, packet: Packet<'_>) {
        self.broker.send(packet);
        self.pump();
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.broker.send_raw(bytes);
        self.pump();
    }

    fn events(&mut self) -> Vec<Ev> {
        core::mem::take(&mut self.events)
    }

    fn seen(&mut self) -> Vec<Seen> {
        core::mem::take(&mut self.seen)
    }
}

#[test]
fn connect_publish_and_ack() {
    let (mut rx, mut store) = ([0u8; 1024], [0u8; 4096]);
    let config = Config::new("dev")
        .with_keep_alive(30)
        .with_will(Message::new("dev/status", b"offline"));
    let mut h = Harness::<8>::new(config, &mut rx, &mut store);
    let empty = h.session.store_free();
    h.connect();
    assert_eq!(
        h.seen(),
        [Seen::Connect {
            clean: true,
            keep_alive: 30,
            will: Some("dev/status".into())
        }]
    );
    assert_eq!(h.events(), [Ev::Connected(false)]);
    assert_eq!(h.session.state(), State::Connected);

    assert_eq!(h.session.publish(Message::new("a/b", b"0")).unwrap(), None);
    let id = h.session.publish(qos1("a/b")).unwrap().unwrap();
    h.pump();
    assert_eq!(
        h.seen(),
        [
            publish_seen("a/b", None, false),
            publish_seen("a/b", Some(id.get()), false)
        ]
    );
    assert_eq!(h.events(), [Ev::Published(id.get())]);
    assert_eq!((h.session.in_flight(), h.session.queued()), (0, 0));
    assert_eq!(
        h.session.store_free(),
        empty,
        "sent and acked requests free the store"
    );

    let sub = h
        .session
        .subscribe(&[Subscription::new("cmd/#", Qos::AtLeastOnce)])
        .unwrap();
    h.pump();
    assert_eq!(h.seen(), [Seen::Subscribe(sub.get(), vec!["cmd/#".into()])]);
    assert_eq!(
        h.events(),
        [Ev::Subscribed(
            sub.get(),
            vec![SubAckCode::Granted(Qos::AtLeastOnce)]
        )]
    );
    assert_eq!(h.session.subscriptions(), 1);

    // Messages from the broker: QoS 1 is acknowledged, QoS 0 is not.
    h.send(Packet::Publish(
        Publish::new("cmd/x", b"go").with_qos(Qos::AtLeastOnce, Some(Broker::id(7))),
    ));
    h.send(Packet::Publish(Publish::new("cmd/y", b"now")));
    assert_eq!(
        h.events(),
        [
            Ev::Message {
                topic: "cmd/x".into(),
                payload: b"go".to_vec(),
                qos: Qos::AtLeastOnce,
                dup: false
            },
            Ev::Message {
                topic: "cmd/y".into(),
                payload: b"now".to_vec(),
                qos: Qos::AtMostOnce,
                dup: false
            }
        ]
    );
    assert_eq!(h.seen(), [Seen::PubAck(7)]);
}

#[test]
fn nothing_but_connect_before_connack() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let mut session: Session<'_, 4> =
        Session::new(Config::new("dev"), Buffers::new(&mut rx, &mut store)).unwrap();
    session.publish(qos1("queued/offline")).unwrap();
    let mut out = [0u8; 512];
    assert_eq!(session.poll_transmit(Instant::from_millis(0), &mut out), 0);
    session.connect(Instant::from_millis(0));
    let n = session.poll_transmit(Instant::from_millis(0), &mut out);
    assert_eq!(n, 17, "only the CONNECT");
    assert_eq!(session.poll_transmit(Instant::from_millis(0), &mut out), 0);
    session.handle_input(Instant::from_millis(5), &[0x20, 0x02, 0x00, 0x00]);
    assert_eq!(
        session.poll_event(),
        Some(Event::Connected {
            session_present: false
        })
    );
    let n = session.poll_transmit(Instant::from_millis(5), &mut out);
    assert_eq!(out[0], 0x32, "then the queued QoS 1 PUBLISH");
    assert_eq!(n, 2 + 2 + 14 + 2 + 7);
}

#[test]
fn connack_before_connect_is_sent_is_a_protocol_violation() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let mut session: Session<'_, 4> =
        Session::new(Config::new("dev"), Buffers::new(&mut rx, &mut store)).unwrap();
    session.connect(Instant::from_millis(0));
    session.handle_input(Instant::from_millis(0), &[0x20, 0x02, 0x00, 0x00]);
    assert_eq!(
        session.poll_event(),
        Some(Event::Disconnected(DisconnectReason::Protocol(
            iot_tls::error::ProtocolError::UnexpectedPacket(PacketType::ConnAck)
        )))
    );
    let mut out = [0u8; 64];
    assert_eq!(session.poll_transmit(Instant::from_millis(0), &mut out), 0);
}

#[test]
fn one_byte_transmit_buffer() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let mut h = Harness::<4>::new(Config::new("tiny"), &mut rx, &mut store);
    h.chunk = 1;
    h.connect();
    let id = h.session.publish(qos1("a")).unwrap().unwrap();
    h.pump();
    assert_eq!(h.events(), [Ev::Connected(false), Ev::Published(id.get())]);
}

#[test]
fn keep_alive_pings_only_when_idle_and_a_lost_pingresp_ends_the_connection() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let config = Config::new("dev")
        .with_keep_alive(30)
        .with_ping_timeout(Duration::from_secs(5));
    let mut h = Harness::<4>::new(config, &mut rx, &mut store);
    h.connect();
    h.seen();
    assert_eq!(h.events(), [Ev::Connected(false)]);
    let connected = h.now;
    assert_eq!(
        h.session.poll_timeout(),
        Some(connected + Duration::from_secs(30))
    );
    h.advance(Duration::from_secs(29));
    assert_eq!(h.seen(), []);
    h.advance(Duration::from_secs(1));
    assert_eq!(h.seen(), [Seen::PingReq]);
    assert_eq!(h.session.state(), State::Connected);

    // While data flows, no PINGREQ.
    for _ in 0..10 {
        h.advance(Duration::from_secs(20));
        h.session.publish(Message::new("t", b"tick")).unwrap();
        h.pump();
    }
    assert!(h.seen().iter().all(|s| *s != Seen::PingReq));

    // The broker stops answering PINGREQ.
    h.broker.answer_pings = false;
    h.advance(Duration::from_secs(30));
    assert_eq!(h.seen(), [Seen::PingReq]);
    let deadline = h.session.poll_timeout().unwrap();
    assert_eq!(deadline, h.now + Duration::from_secs(5));
    h.advance(Duration::from_millis(4_999));
    assert_eq!(h.session.state(), State::Connected);
    assert_eq!(h.events(), []);
    h.advance(Duration::from_millis(1));
    assert_eq!(
        h.events(),
        [Ev::Disconnected(DisconnectReason::PingTimeout)]
    );
    assert_eq!(h.session.state(), State::Disconnected);
    assert_eq!(h.session.poll_timeout(), None);
}

#[test]
fn any_byte_from_the_broker_extends_the_ping_deadline() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let config = Config::new("dev")
        .with_keep_alive(10)
        .with_ping_timeout(Duration::from_secs(5));
    let mut h = Harness::<4>::new(config, &mut rx, &mut store);
    h.broker.answer_pings = false;
    h.connect();
    h.advance(Duration::from_secs(10));
    h.advance(Duration::from_secs(4));
    h.send(Packet::Publish(Publish::new("news", b"still here")));
    h.advance(Duration::from_secs(4));
    assert_eq!(h.session.state(), State::Connected);
    h.advance(Duration::from_secs(1));
    assert_eq!(h.session.state(), State::Disconnected);
}

/// Subscribes, leaves two QoS 1 messages unacknowledged, loses the connection and queues one
/// more message while offline.
fn persistent_session_with_losses(h: &mut Harness<'_, 8>) {
    h.connect();
    h.session
        .subscribe(&[
            Subscription::new("a/#", Qos::AtLeastOnce),
            Subscription::new("b/+", Qos::AtMostOnce),
        ])
        .unwrap();
    h.pump();
    h.broker.ack_publishes = false;
    h.session.publish(qos1("m/1")).unwrap();
    h.session.publish(qos1("m/2")).unwrap();
    h.pump();
    assert_eq!(h.session.in_flight(), 2);
    h.drop_connection();
    assert_eq!(
        h.events(),
        [
            Ev::Connected(false),
            Ev::Subscribed(
                1,
                vec![
                    SubAckCode::Granted(Qos::AtLeastOnce),
                    SubAckCode::Granted(Qos::AtMostOnce)
                ]
            ),
            Ev::Disconnected(DisconnectReason::TransportClosed)
        ]
    );
    h.session.publish(qos1("m/3")).unwrap();
    h.broker.ack_publishes = true;
    h.seen();
}

#[test]
fn reconnect_without_session_resubscribes_and_resends_with_dup() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
    let config = Config::new("dev").with_clean_session(false);
    let mut h = Harness::<8>::new(config, &mut rx, &mut store);
    persistent_session_with_losses(&mut h);
    h.broker.session_present = false;
    h.connect();
    assert_eq!(
        h.seen(),
        [
            Seen::Connect {
                clean: false,
                keep_alive: 60,
                will: None
            },
            Seen::Subscribe(1, vec!["a/#".into(), "b/+".into()]),
            publish_seen("m/1", Some(2), true),
            publish_seen("m/2", Some(3), true),
            publish_seen("m/3", Some(4), false),
        ]
    );
    assert_eq!(
        h.events(),
        [
            Ev::Connected(false),
            Ev::Subscribed(
                1,
                vec![
                    SubAckCode::Granted(Qos::AtLeastOnce),
                    SubAckCode::Granted(Qos::AtMostOnce)
                ]
            ),
            Ev::Published(2),
            Ev::Published(3),
            Ev::Published(4)
        ]
    );
    assert_eq!(h.session.subscriptions(), 1);
}

#[test]
fn reconnect_with_session_present_resends_but_does_not_resubscribe() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
    let config = Config::new("dev").with_clean_session(false);
    let mut h = Harness::<8>::new(config, &mut rx, &mut store);
    persistent_session_with_losses(&mut h);
    h.broker.session_present = true;
    h.connect();
    assert_eq!(
        h.seen(),
        [
            Seen::Connect {
                clean: false,
                keep_alive: 60,
                will: None
            },
            publish_seen("m/1", Some(2), true),
            publish_seen("m/2", Some(3), true),
            publish_seen("m/3", Some(4), false),
        ]
    );
    assert_eq!(
        h.events(),
        [
            Ev::Connected(true),
            Ev::Published(2),
            Ev::Published(3),
            Ev::Published(4)
        ]
    );
    // The subscription is still remembered for a later session loss.
    assert_eq!(h.session.subscriptions(), 1);
    h.drop_connection();
    h.broker.session_present = false;
    h.connect();
    assert!(
        h.seen()
            .contains(&Seen::Subscribe(1, vec!["a/#".into(), "b/+".into()]))
    );
}

#[test]
fn refused_filters_and_unsubscribed_filters_are_not_resubscribed() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
    let mut h = Harness::<8>::new(Config::new("dev"), &mut rx, &mut store);
    h.broker.refuse = &["bad/#"];
    h.connect();
    let first = h
        .session
        .subscribe(&[
            Subscription::new("good/#", Qos::AtLeastOnce),
            Subscription::new("bad/#", Qos::AtLeastOnce),
            Subscription::new("gone/+", Qos::AtMostOnce),
        ])
        .unwrap();
    let second = h
        .session
        .subscribe(&[Subscription::new("other", Qos::AtMostOnce)])
        .unwrap();
    h.pump();
    let before = h.session.store_free();
    let unsub = h.session.unsubscribe(&["other", "gone/+"]).unwrap();
    h.pump();
    // The whole one-filter SUBSCRIBE (12 bytes) and the "gone/+" entry (9 bytes) are freed.
    assert_eq!(h.session.store_free(), before + 12 + 9);
    assert_eq!(
        h.events(),
        [
            Ev::Connected(false),
            Ev::Subscribed(
                first.get(),
                vec![
                    SubAckCode::Granted(Qos::AtLeastOnce),
                    SubAckCode::Failure,
                    SubAckCode::Granted(Qos::AtMostOnce)
                ]
            ),
            Ev::Subscribed(second.get(), vec![SubAckCode::Granted(Qos::AtMostOnce)]),
            Ev::Unsubscribed(unsub.get())
        ]
    );
    assert_eq!(h.session.subscriptions(), 1);
    h.drop_connection();
    h.seen();
    h.connect();
    assert_eq!(
        h.seen()[1..],
        [Seen::Subscribe(first.get(), vec!["good/#".into()])]
    );
}

#[test]
fn subscribe_after_unsubscribe_of_the_same_filter_stays() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
    let mut h = Harness::<8>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.session.unsubscribe(&["x/#"]).unwrap();
    let sub = h
        .session
        .subscribe(&[Subscription::new("x/#", Qos::AtMostOnce)])
        .unwrap();
    h.pump();
    assert_eq!(h.session.subscriptions(), 1);
    h.drop_connection();
    h.seen();
    h.connect();
    assert_eq!(
        h.seen()[1..],
        [Seen::Subscribe(sub.get(), vec!["x/#".into()])]
    );
}

#[test]
fn full_in_flight_window_holds_later_requests_in_order() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
    let limits = Limits {
        max_inflight: 2,
        ..Limits::MQTT
    };
    let mut h = Harness::<8>::new(Config::new("dev").with_limits(limits), &mut rx, &mut store);
    h.connect();
    h.seen();
    h.events();
    h.broker.ack_publishes = false;
    for topic in ["q/1", "q/2", "q/3"] {
        h.session.publish(qos1(topic)).unwrap();
    }
    h.session.publish(Message::new("q/0", b"after")).unwrap();
    h.pump();
    assert_eq!(
        h.seen(),
        [
            publish_seen("q/1", Some(1), false),
            publish_seen("q/2", Some(2), false)
        ]
    );
    assert_eq!((h.session.in_flight(), h.session.queued()), (2, 2));
    h.send(Packet::PubAck(PubAck::new(Broker::id(1))));
    assert_eq!(
        h.seen(),
        [
            publish_seen("q/3", Some(3), false),
            publish_seen("q/0", None, false)
        ]
    );
    assert_eq!(h.events(), [Ev::Published(1)]);
}

#[test]
fn full_table_hands_the_request_back() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
    let mut h = Harness::<2>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.broker.ack_publishes = false;
    h.session.publish(qos1("t/1")).unwrap();
    h.session.publish(qos1("t/2")).unwrap();
    h.pump();
    let third = qos1("t/3");
    let rejected = h.session.publish(third).unwrap_err();
    assert!(rejected.is_full());
    assert!(matches!(
        rejected.error(),
        Error::Session(SessionError::NoFreeSlot { capacity: 2 })
    ));
    assert_eq!(rejected.into_request(), third);
    h.send(Packet::PubAck(PubAck::new(Broker::id(1))));
    assert!(h.session.publish(third).is_ok());
}

#[test]
fn full_store_hands_the_request_back() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 17 + 60]);
    let mut h = Harness::<8>::new(Config::new("dev"), &mut rx, &mut store);
    assert_eq!(h.session.store_free(), 60);
    let big = Message::new("t", &[7u8; 40]);
    h.session.publish(big).unwrap(); // 2 + 3 + 40 = 45 bytes, queued while offline
    let rejected = h.session.publish(big).unwrap_err();
    assert!(rejected.is_full());
    assert!(matches!(
        rejected.error(),
        Error::Session(SessionError::StoreFull {
            needed: 45,
            free: 15
        })
    ));
    assert_eq!(rejected.into_request(), big);
    let huge = Message::new("t", &[0u8; 100]);
    let rejected = h.session.publish(huge).unwrap_err();
    assert!(!rejected.is_full(), "it can never fit");
    assert!(matches!(
        rejected.error(),
        Error::Session(SessionError::RequestTooLarge {
            len: 105,
            capacity: 60
        })
    ));
    h.connect();
    assert_eq!(h.seen()[1], publish_seen("t", None, false));
    assert_eq!(h.session.store_free(), 60);
    assert!(h.session.publish(big).is_ok());
}

#[test]
fn ack_for_unknown_id_is_reported_and_ignored() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
    let mut h = Harness::<4>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.broker.ack_publishes = false;
    let id = h.session.publish(qos1("t")).unwrap().unwrap();
    h.pump();
    h.events();
    h.send(Packet::PubAck(PubAck::new(Broker::id(9))));
    h.send(Packet::UnsubAck(UnsubAck::new(id)));
    h.send(Packet::SubAck(SubAck::new(
        Broker::id(3),
        iot_tls::codec::List::new(&[SubAckCode::Failure]),
    )));
    h.send(Packet::PubRec(PubRec::new(id)));
    assert_eq!(
        h.events(),
        [
            Ev::UnexpectedAck(PacketType::PubAck, 9),
            Ev::UnexpectedAck(PacketType::UnsubAck, id.get()),
            Ev::UnexpectedAck(PacketType::SubAck, 3),
            Ev::UnexpectedAck(PacketType::PubRec, id.get()),
        ]
    );
    assert_eq!(
        (h.session.state(), h.session.in_flight()),
        (State::Connected, 1)
    );
    h.send(Packet::PubAck(PubAck::new(id)));
    assert_eq!(h.events(), [Ev::Published(id.get())]);
    // A second PUBACK for the same identifier is unknown now.
    h.send(Packet::PubAck(PubAck::new(id)));
    assert_eq!(
        h.events(),
        [Ev::UnexpectedAck(PacketType::PubAck, id.get())]
    );
}

#[test]
fn garbage_from_the_broker_ends_the_connection_and_loses_nothing() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
    let mut h = Harness::<4>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.broker.ack_publishes = false;
    let id = h.session.publish(qos1("keep")).unwrap().unwrap();
    h.pump();
    h.events();
    for (garbage, kind, offset) in [
        (
            &[0x40, 0x02, 0x00, 0x00][..],
            DecodeErrorKind::PacketIdZero,
            2,
        ),
        (&[0xf3, 0x00][..], DecodeErrorKind::PacketType(15), 0),
        (
            &[0x30, 0x80, 0x80, 0x80, 0x80][..],
            DecodeErrorKind::RemainingLength,
            4,
        ),
        (
            &[0x30, 0x04, 0x00, 0x02, b'a', 0xff][..],
            DecodeErrorKind::Utf8,
            5,
        ),
    ] {
        h.send_raw(garbage);
        let events = h.events();
        let [Ev::Disconnected(DisconnectReason::Malformed(e))] = events[..] else {
            panic!("{events:?}");
        };
        assert_eq!((e.kind(), e.offset()), (kind, offset));
        assert_eq!(h.session.state(), State::Disconnected);
        h.seen();
        h.connect();
        assert_eq!(h.seen()[1], publish_seen("keep", Some(id.get()), true));
        assert_eq!(h.events(), [Ev::Connected(false)]);
    }
    // A well-formed packet a broker never sends.
    h.send(Packet::Subscribe(iot_tls::codec::Subscribe::new(
        Broker::id(1),
        iot_tls::codec::List::new(&[Subscription::new("x", Qos::AtMostOnce)]),
    )));
    assert!(matches!(
        h.events()[..],
        [Ev::Disconnected(DisconnectReason::Protocol(_))]
    ));
    h.broker.ack_publishes = true;
    h.connect();
    assert_eq!(h.events(), [Ev::Connected(false), Ev::Published(id.get())]);
}

#[test]
fn publish_larger_than_the_receive_buffer_is_skipped_and_acknowledged() {
    let (mut rx, mut store) = ([0u8; 64], [0u8; 256]);
    let mut h = Harness::<4>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.events();
    h.seen();
    let long_topic = "t".repeat(100);
    for chunk in [1, 7, 64, 512] {
        h.broker
            .send(Packet::Publish(Publish::new("big", &[1; 100])));
        h.broker.send(Packet::Publish(
            Publish::new("big/1", &[2; 300]).with_qos(Qos::AtLeastOnce, Some(Broker::id(9))),
        ));
        // A topic longer than the buffer: reported without it, acknowledged all the same.
        h.broker.send(Packet::Publish(
            Publish::new(&long_topic, b"x").with_qos(Qos::AtLeastOnce, Some(Broker::id(10))),
        ));
        h.broker.send(Packet::Publish(Publish::new("small", b"ok")));
        // The broker's bytes arrive `chunk` at a time.
        while h.broker.has_output() {
            let now = h.now;
            let session = &mut h.session;
            h.broker
                .deliver(|bytes| session.handle_input(now, &bytes[..bytes.len().min(chunk)]));
            h.pump();
        }
        assert_eq!(
            h.events(),
            [
                Ev::Oversized(Some("big".into()), Qos::AtMostOnce, 107),
                Ev::Oversized(Some("big/1".into()), Qos::AtLeastOnce, 312),
                Ev::Oversized(None, Qos::AtLeastOnce, 107),
                Ev::Message {
                    topic: "small".into(),
                    payload: b"ok".to_vec(),
                    qos: Qos::AtMostOnce,
                    dup: false
                },
            ],
            "chunk {chunk}"
        );
        assert_eq!(h.seen(), [Seen::PubAck(9), Seen::PubAck(10)]);
        assert_eq!(h.session.state(), State::Connected);
    }
}

#[test]
fn other_packets_larger_than_the_receive_buffer_end_the_connection() {
    let (mut rx, mut store) = ([0u8; 64], [0u8; 256]);
    let mut h = Harness::<4>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.events();
    // A SUBACK of 100 codes.
    let mut suback = vec![0x90, 102, 0x00, 0x01];
    suback.extend([0u8; 100]);
    h.send_raw(&suback);
    let events = h.events();
    let [Ev::Disconnected(DisconnectReason::Malformed(e))] = events[..] else {
        panic!("{events:?}");
    };
    assert_eq!(
        e.kind(),
        DecodeErrorKind::TooLarge {
            len: 104,
            capacity: 64
        }
    );
    // A malformed topic in an oversized PUBLISH is still malformed.
    h.connect();
    h.events();
    let mut publish = vec![0x30, 100, 0x00, 0x03, b'a', b'/', b'#'];
    publish.extend([0u8; 95]);
    h.send_raw(&publish);
    let events = h.events();
    let [Ev::Disconnected(DisconnectReason::Malformed(e))] = events[..] else {
        panic!("{events:?}");
    };
    assert_eq!(
        (e.kind(), e.offset()),
        (
            DecodeErrorKind::Topic(iot_tls::error::TopicError::Wildcard),
            6
        )
    );
}

#[test]
fn received_qos1_messages_are_acked_in_order_under_backpressure() {
    let (mut rx, mut store) = ([0u8; 512], [0u8; 256]);
    let mut h = Harness::<2>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.seen();
    h.events();
    for id in 1..=6 {
        h.broker.send(Packet::Publish(
            Publish::new("in", b"x").with_qos(Qos::AtLeastOnce, Some(Broker::id(id))),
        ));
    }
    h.pump();
    assert_eq!(h.events().len(), 6);
    assert_eq!(h.seen(), (1..=6).map(Seen::PubAck).collect::<Vec<_>>());
}

#[test]
fn packet_ids_are_never_reused_while_in_flight() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let mut session: Session<'_, 2> =
        Session::new(Config::new("dev"), Buffers::new(&mut rx, &mut store)).unwrap();
    let now = Instant::from_millis(0);
    let mut out = [0u8; 256];
    session.connect(now);
    let _ = session.poll_transmit(now, &mut out);
    session.handle_input(now, &[0x20, 0x02, 0x00, 0x00]);
    let _ = session.poll_event();
    let held = session.publish(qos1("held")).unwrap().unwrap();
    let _ = session.poll_transmit(now, &mut out);
    for _ in 0..70_000 {
        let id = session.publish(qos1("cycle")).unwrap().unwrap();
        assert_ne!(id, held);
        let _ = session.poll_transmit(now, &mut out);
        let [hi, lo] = id.get().to_be_bytes();
        session.handle_input(now, &[0x40, 0x02, hi, lo]);
        assert_eq!(session.poll_event(), Some(Event::Published(id)));
    }
    assert_eq!(session.in_flight(), 1);
}

#[test]
fn refused_connection_backs_off_until_accepted() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let mut h = Harness::<4>::new(aws::config("dev"), &mut rx, &mut store);
    h.broker.connack = ConnectReturnCode::NotAuthorized;
    let mut ceilings = Vec::new();
    for _ in 0..4 {
        h.connect();
        assert_eq!(
            h.events(),
            [Ev::Disconnected(DisconnectReason::Refused(
                ConnectReturnCode::NotAuthorized
            ))]
        );
        assert!(h.session.reconnect_delay(0) >= Duration::from_secs(1));
        ceilings.push(h.session.reconnect_delay(u32::MAX).as_secs());
    }
    assert_eq!(ceilings, [4, 8, 16, 32]);
    h.broker.connack = ConnectReturnCode::Accepted;
    h.connect();
    assert_eq!(h.events(), [Ev::Connected(false)]);
    assert_eq!(h.session.reconnect_delay(u32::MAX), Duration::from_secs(2));
}

#[test]
fn connack_timeout() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let config = Config::new("dev").with_connect_timeout(Duration::from_secs(3));
    let mut session: Session<'_, 4> =
        Session::new(config, Buffers::new(&mut rx, &mut store)).unwrap();
    session.connect(Instant::from_millis(100));
    let mut out = [0u8; 64];
    let _ = session.poll_transmit(Instant::from_millis(100), &mut out);
    session.handle_timeout(Instant::from_millis(3_099));
    assert_eq!(session.poll_event(), None);
    session.handle_timeout(Instant::from_millis(3_100));
    assert_eq!(
        session.poll_event(),
        Some(Event::Disconnected(DisconnectReason::ConnectTimeout))
    );
}

#[test]
fn graceful_disconnect_flushes_the_queue_first() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let mut h = Harness::<4>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.seen();
    h.events();
    h.session.publish(Message::new("bye", b"1")).unwrap();
    h.session.disconnect();
    h.pump();
    assert_eq!(
        h.seen(),
        [publish_seen("bye", None, false), Seen::Disconnect]
    );
    assert_eq!(h.events(), [Ev::Disconnected(DisconnectReason::Requested)]);
    assert_eq!(h.session.state(), State::Disconnected);
}

#[test]
fn aws_profile_refuses_requests_aws_would_refuse() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let mut session: Session<'_, 4> =
        Session::new(aws::config("dev"), Buffers::new(&mut rx, &mut store)).unwrap();
    let deep = Message::new("1/2/3/4/5/6/7/8/9", b"");
    let err = session.publish(deep).unwrap_err();
    assert!(matches!(
        err.error(),
        Error::Limit(LimitError::TooManySlashes { count: 8, max: 7 })
    ));
    assert_eq!(err.into_request(), deep);
    let payload = vec![0u8; 128 * 1024 + 1];
    assert!(matches!(
        session
            .publish(Message::new("t", &payload))
            .unwrap_err()
            .error(),
        Error::Limit(LimitError::PayloadTooLarge { .. })
    ));
    assert!(matches!(
        session
            .publish(Message::new("t", b"").with_qos(Qos::ExactlyOnce))
            .unwrap_err()
            .error(),
        Error::Limit(LimitError::Qos(Qos::ExactlyOnce))
    ));
    let nine = [Subscription::new("t", Qos::AtMostOnce); 9];
    let err = session.subscribe(&nine).unwrap_err();
    assert!(matches!(
        err.error(),
        Error::Limit(LimitError::FilterCount { count: 9, max: 8 })
    ));
    assert_eq!(err.into_request().len(), 9);
    assert!(matches!(
        session
            .subscribe(&[Subscription::new("t", Qos::ExactlyOnce)])
            .unwrap_err()
            .error(),
        Error::Limit(LimitError::Qos(Qos::ExactlyOnce))
    ));
    let ingest = "$aws/rules/store/1/2/3/4/5/6/7/8";
    assert!(session.publish(Message::new(ingest, b"ok")).is_ok());
    assert_eq!(session.queued(), 1);
}

#[test]
fn qos2_publish_from_the_broker_is_a_protocol_violation() {
    let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    let mut h = Harness::<4>::new(Config::new("dev"), &mut rx, &mut store);
    h.connect();
    h.events();
    h.send(Packet::Publish(
        Publish::new("q2", b"").with_qos(Qos::ExactlyOnce, Some(Broker::id(1))),
    ));
    assert_eq!(
        h.events(),
        [Ev::Disconnected(DisconnectReason::Protocol(
            iot_tls::error::ProtocolError::Qos(Qos::ExactlyOnce)
        ))]
    );
}

/// MQTT 5 sessions, driven with hand-written server packets.
#[expect(
    clippy::cast_possible_truncation,
    reason = "lengths and identifiers of these small packets fit a byte"
)]
mod v5_session {
    use iot_tls::codec::v5::{self, Packet as P5, Properties, ReasonCode};
    use iot_tls::codec::{Message, PacketId, Qos, Subscription};
    use iot_tls::error::{LimitError, ProtocolError, SessionError};
    use iot_tls::session::{
        Buffers, Config, DisconnectReason, Event, Protocol, ServerLimits, Session, State,
    };
    use iot_tls::{Error, Instant};

    const NOW: Instant = Instant::from_millis(0);

    /// Everything the session sends now.
    fn sent(session: &mut Session<'_, 4>) -> Vec<u8> {
        let mut out = vec![0u8; 4096];
        let n = session.poll_transmit(NOW, &mut out);
        out.truncate(n);
        out
    }

    /// The packets in `bytes`, decoded as MQTT 5 and described.
    fn packets(bytes: &[u8]) -> Vec<String> {
        let mut rest = bytes;
        let mut out = Vec::new();
        while let Some((packet, used)) = v5::decode(rest).expect("the session sends MQTT 5") {
            out.push(format!("{packet:?}"));
            rest = &rest[used..];
        }
        assert!(rest.is_empty());
        out
    }

    /// A connected MQTT 5 session after a CONNACK with `connack_properties`.
    fn connected<'a>(
        rx: &'a mut [u8],
        store: &'a mut [u8],
        connack_properties: &[u8],
    ) -> Session<'a, 4> {
        let config = Config::new("dev")
            .with_protocol(Protocol::V5)
            .with_clean_session(false)
            .with_session_expiry(600);
        let mut session = Session::new(config, Buffers::new(rx, store)).unwrap();
        session.connect(NOW);
        let connect = sent(&mut session);
        let Some((P5::Connect(c), _)) = v5::decode(&connect).unwrap() else {
            panic!("CONNECT first");
        };
        assert!(!c.clean_start);
        assert_eq!(c.properties.session_expiry_interval(), Some(600));
        assert_eq!(c.properties.receive_maximum(), Some(4));
        assert_eq!(c.properties.maximum_packet_size(), Some(512));
        assert_eq!(c.properties.topic_alias_maximum(), None, "no alias table");
        let mut connack = vec![0x20, 0, 0x00, 0x00, connack_properties.len() as u8];
        connack.extend_from_slice(connack_properties);
        connack[1] = (connack.len() - 2) as u8;
        session.handle_input(NOW, &connack);
        assert_eq!(
            session.poll_event(),
            Some(Event::Connected {
                session_present: false
            })
        );
        session
    }

    #[test]
    fn connack_limits_are_stored_and_obeyed() {
        let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
        #[rustfmt::skip]
        let limits = [
            0x21, 0x00, 0x01,                   // Receive Maximum 1
            0x24, 0x00,                         // Maximum QoS 0
            0x25, 0x00,                         // Retain Available 0
            0x27, 0x00, 0x00, 0x00, 0x40,       // Maximum Packet Size 64
            0x13, 0x00, 0x05,                   // Server Keep Alive 5 s
        ];
        let mut session = connected(&mut rx, &mut store, &limits);
        let server = session.server_limits();
        assert_eq!(server.receive_maximum, 1);
        assert_eq!(server.maximum_qos, Qos::AtMostOnce);
        assert!(!server.retain_available);
        assert_eq!(server.maximum_packet_size, Some(64));
        assert_eq!(server.server_keep_alive, Some(5));
        let rejected = session
            .publish(Message::new("t", b"x").with_qos(Qos::AtLeastOnce))
            .unwrap_err();
        assert!(matches!(
            rejected.error(),
            Error::Limit(LimitError::Qos(Qos::AtLeastOnce))
        ));
        let rejected = session
            .publish(Message::new("t", b"x").with_retain(true))
            .unwrap_err();
        assert!(matches!(
            rejected.error(),
            Error::Session(SessionError::RetainNotAvailable)
        ));
        let rejected = session.publish(Message::new("t", &[0; 100])).unwrap_err();
        assert!(matches!(
            rejected.error(),
            Error::Session(SessionError::ServerPacketSize { len: 106, max: 64 })
        ));
        // The server's keep-alive replaces ours (60 s).
        assert_eq!(session.poll_timeout(), Some(Instant::from_millis(5_000)));
        // A new connection starts from MQTT's defaults again.
        session.connect(NOW);
        assert_eq!(session.server_limits(), ServerLimits::DEFAULT);
    }

    #[test]
    fn receive_maximum_is_the_in_flight_window() {
        let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
        let mut session = connected(&mut rx, &mut store, &[0x21, 0x00, 0x01]);
        let a = session
            .publish(Message::new("a", b"1").with_qos(Qos::AtLeastOnce))
            .unwrap()
            .unwrap();
        session
            .publish(Message::new("b", b"2").with_qos(Qos::AtLeastOnce))
            .unwrap();
        assert_eq!(packets(&sent(&mut session)).len(), 1, "one in flight");
        session.handle_input(NOW, &[0x40, 0x02, 0x00, a.get() as u8]);
        assert_eq!(session.poll_event(), Some(Event::Published(a)));
        assert_eq!(packets(&sent(&mut session)).len(), 1, "then the next");
    }

    #[test]
    fn messages_refusals_and_server_disconnect() {
        let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
        let mut session = connected(&mut rx, &mut store, &[]);
        // A QoS 1 message with a user property is delivered and acknowledged.
        #[rustfmt::skip]
        let publish = [
            0x32, 0x0f, 0x00, 0x01, b't', 0x00, 0x07,
            0x07, 0x26, 0x00, 0x01, b'k', 0x00, 0x01, b'v',
            b'h', b'i',
        ];
        session.handle_input(NOW, &publish);
        let Some(Event::MessageV5(message)) = session.poll_event() else {
            panic!("a message");
        };
        assert_eq!(message.payload, b"hi");
        assert!(message.properties.user_properties().eq([("k", "v")]));
        assert_eq!(sent(&mut session), [0x40, 0x02, 0x00, 0x07]);
        // A refused PUBLISH is reported with its reason and not sent again.
        let id = session
            .publish(Message::new("t", b"x").with_qos(Qos::AtLeastOnce))
            .unwrap()
            .unwrap();
        sent(&mut session);
        session.handle_input(NOW, &[0x40, 0x03, 0x00, id.get() as u8, 0x87]);
        assert_eq!(
            session.poll_event(),
            Some(Event::PublishRefused {
                packet_id: id,
                reason: ReasonCode::NOT_AUTHORIZED,
                properties: Properties::EMPTY
            })
        );
        assert_eq!(session.in_flight(), 0);
        // A refused filter is reported and forgotten.
        let sub = session
            .subscribe(&[Subscription::new("a/#", Qos::AtLeastOnce)])
            .unwrap();
        let subscribe = sent(&mut session);
        assert!(packets(&subscribe)[0].starts_with("Subscribe"));
        session.handle_input(NOW, &[0x90, 0x04, 0x00, sub.get() as u8, 0x00, 0x87]);
        let Some(Event::SubscribedV5 { codes, .. }) = session.poll_event() else {
            panic!("SUBACK");
        };
        assert!(codes.iter().eq([ReasonCode::NOT_AUTHORIZED]));
        assert_eq!(session.subscriptions(), 0);
        // The server takes the session over for another connection.
        session.handle_input(NOW, &[0xe0, 0x01, 0x8e]);
        assert_eq!(
            session.poll_event(),
            Some(Event::ServerDisconnect {
                reason: ReasonCode::SESSION_TAKEN_OVER,
                properties: Properties::EMPTY
            })
        );
        assert_eq!(
            session.poll_event(),
            Some(Event::Disconnected(DisconnectReason::Server(
                ReasonCode::SESSION_TAKEN_OVER
            )))
        );
        assert_eq!(session.state(), State::Disconnected);
    }

    #[test]
    fn auth_and_topic_aliases_are_protocol_errors() {
        let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
        let mut session = connected(&mut rx, &mut store, &[]);
        // AUTH (Continue authentication) and a message after it: the session answers with
        // DISCONNECT 0x82, reads nothing more, and ends the connection once it is sent.
        let queued = session.publish(Message::new("t", b"x")).unwrap();
        assert!(queued.is_none());
        session.handle_input(NOW, &[0xf0, 0x01, 0x18, 0x30, 0x04, 0x00, 0x01, b't', b'y']);
        assert_eq!(
            session.poll_event(),
            None,
            "nothing before the DISCONNECT is out"
        );
        assert_eq!(
            sent(&mut session),
            [0xe0, 0x01, 0x82],
            "only the DISCONNECT"
        );
        assert_eq!(
            session.poll_event(),
            Some(Event::Disconnected(DisconnectReason::Protocol(
                ProtocolError::UnexpectedPacket(iot_tls::codec::PacketType::Auth)
            )))
        );
        assert_eq!(
            session.queued(),
            1,
            "the message waits for the next connection"
        );
        session.connect(NOW);
        sent(&mut session);
        session.handle_input(NOW, &[0x20, 0x03, 0x00, 0x00, 0x00]);
        let _ = session.poll_event();
        sent(&mut session);
        // A topic alias, although the session announced Topic Alias Maximum 0: DISCONNECT 0x94.
        session.handle_input(NOW, &[0x30, 0x07, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01, b'x']);
        assert_eq!(session.poll_event(), None);
        assert_eq!(sent(&mut session), [0xe0, 0x01, 0x94]);
        assert!(matches!(
            session.poll_event(),
            Some(Event::Disconnected(DisconnectReason::Protocol(_)))
        ));
        // A refused CONNACK carries its reason code.
        session.connect(NOW);
        sent(&mut session);
        session.handle_input(NOW, &[0x20, 0x03, 0x00, 0x86, 0x00]);
        assert_eq!(
            session.poll_event(),
            Some(Event::Disconnected(DisconnectReason::RefusedV5(
                ReasonCode::BAD_USER_NAME_OR_PASSWORD
            )))
        );
        let _ = PacketId::new(1);
    }

    #[test]
    fn subscriptions_the_server_does_not_support_are_refused_with_typed_errors() {
        use iot_tls::codec::PacketType;
        use iot_tls::codec::v5::{Property, PropertyBuilder, RetainHandling};

        let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
        // Wildcard, Subscription Identifier and Shared Subscription Available: all 0.
        let mut session = connected(&mut rx, &mut store, &[0x28, 0x00, 0x29, 0x00, 0x2a, 0x00]);
        let refused = |session: &mut Session<'_, 4>, filters: &[v5::Subscription<'_>], id: bool| {
            let mut buf = [0u8; 8];
            let mut props = PropertyBuilder::new(&mut buf, PacketType::Subscribe);
            if id {
                props.push(Property::SubscriptionIdentifier(5)).unwrap();
            }
            let rejected = session.subscribe_with(filters, props.finish()).unwrap_err();
            match rejected.error() {
                Error::Session(e) => Ok(*e),
                Error::Limit(e) => Err(*e),
                other => panic!("{other}"),
            }
        };
        let plain = v5::Subscription::new("a/b", Qos::AtLeastOnce);
        assert_eq!(
            refused(
                &mut session,
                &[v5::Subscription::new("a/+", Qos::AtMostOnce)],
                false
            ),
            Ok(SessionError::WildcardSubscriptionNotAvailable)
        );
        assert_eq!(
            refused(
                &mut session,
                &[v5::Subscription::new("$share/g/a", Qos::AtMostOnce)],
                false
            ),
            Ok(SessionError::SharedSubscriptionNotAvailable)
        );
        assert_eq!(
            refused(&mut session, &[plain], true),
            Ok(SessionError::SubscriptionIdentifierNotAvailable)
        );
        assert_eq!(session.queued(), 0, "nothing refused was queued");
        // The plain one with its options goes out, options byte and all.
        let options = plain
            .with_no_local(true)
            .with_retain_as_published(true)
            .with_retain_handling(RetainHandling::Never);
        let id = session
            .subscribe_with(&[options], Properties::EMPTY)
            .unwrap();
        let bytes = sent(&mut session);
        let Some((P5::Subscribe(subscribe), _)) = v5::decode(&bytes).unwrap() else {
            panic!("SUBSCRIBE");
        };
        assert_eq!(subscribe.packet_id, id);
        assert!(subscribe.filters.iter().eq([options]));
        assert_eq!(
            *bytes.last().unwrap(),
            0b0010_1101,
            "QoS 1, No Local, RAP, RH 2"
        );
        // More filters than one SUBSCRIBE may carry are refused.
        let many = [plain; iot_tls::session::MAX_FILTERS_V5 + 1];
        assert!(matches!(
            refused(&mut session, &many, false),
            Err(LimitError::FilterCount { .. })
        ));
    }

    #[test]
    fn a_subscription_identifier_survives_a_partial_refusal_and_the_resubscribe() {
        use iot_tls::codec::PacketType;
        use iot_tls::codec::v5::{Property, PropertyBuilder};

        let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
        let mut session = connected(&mut rx, &mut store, &[]);
        let mut buf = [0u8; 8];
        let mut props = PropertyBuilder::new(&mut buf, PacketType::Subscribe);
        props.push(Property::SubscriptionIdentifier(300)).unwrap();
        let filters = [
            v5::Subscription::new("a/b", Qos::AtLeastOnce),
            v5::Subscription::new("c/d", Qos::AtMostOnce).with_no_local(true),
        ];
        let id = session.subscribe_with(&filters, props.finish()).unwrap();
        sent(&mut session);
        // The first filter is refused, the second granted.
        session.handle_input(NOW, &[0x90, 0x05, 0x00, id.get() as u8, 0x00, 0x87, 0x00]);
        assert!(matches!(
            session.poll_event(),
            Some(Event::SubscribedV5 { .. })
        ));
        assert_eq!(session.subscriptions(), 1);
        // The server lost the session: the remembered SUBSCRIBE goes out again, identifier kept.
        session.handle_closed(NOW);
        let _ = session.poll_event();
        session.connect(NOW);
        sent(&mut session);
        session.handle_input(NOW, &[0x20, 0x03, 0x00, 0x00, 0x00]);
        assert_eq!(
            session.poll_event(),
            Some(Event::Connected {
                session_present: false
            })
        );
        let bytes = sent(&mut session);
        let Some((P5::Subscribe(again), _)) = v5::decode(&bytes).unwrap() else {
            panic!("SUBSCRIBE again");
        };
        assert!(again.properties.subscription_identifiers().eq([300]));
        assert!(again.filters.iter().eq([filters[1]]));
    }

    #[test]
    fn the_assigned_client_identifier_is_kept() {
        let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
        #[rustfmt::skip]
        let session = connected(&mut rx, &mut store, &[
            0x12, 0x00, 0x05, b'a', b'u', b't', b'o', b'7',
        ]);
        assert_eq!(session.assigned_client_id(), Some("auto7"));
        let (mut rx, mut store) = ([0u8; 512], [0u8; 1024]);
        assert_eq!(
            connected(&mut rx, &mut store, &[]).assigned_client_id(),
            None
        );
    }
}

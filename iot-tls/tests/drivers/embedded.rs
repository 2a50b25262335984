//! The `embedded-io` drivers against mosquitto: the blocking one over std sockets (TLS and
//! plain, the latter without a heap in the client), the async one over tokio sockets.

use std::cell::RefCell;
use std::net::TcpStream;
use std::time::Duration;

use iot_tls::codec::{Message, Qos, Subscription};
use iot_tls::connection::Connection;
use iot_tls::session::{Buffers, Config, Event, Protocol, Session};
use iot_tls::tls::RecordBuffer;
use iot_tls::{Instant, asynch, blocking};

use crate::pki::{KeyKind, Pki};
use crate::support::{self, Mosquitto, NAMES, PASSWORD, PATIENCE, StdIo, TokioIo, USER};

/// What a round trip saw.
#[derive(Default)]
struct Seen {
    message: Option<Vec<u8>>,
    acknowledged: bool,
}

impl Seen {
    fn take(&mut self, event: Event<'_>) {
        match event {
            Event::Message(publish) => self.message = Some(publish.payload.to_vec()),
            Event::MessageV5(publish) => self.message = Some(publish.payload.to_vec()),
            Event::Published(_) => self.acknowledged = true,
            Event::Disconnected(reason) => panic!("disconnected: {reason}"),
            _ => {}
        }
    }

    fn done(&self) -> bool {
        self.message.is_some() && self.acknowledged
    }
}

/// Queues a subscription to `topic` and a QoS 1 message on it.
fn queue_round_trip<const N: usize>(session: &mut Session<'_, N>, topic: &str) {
    session
        .subscribe(&[Subscription::new(topic, Qos::AtLeastOnce)])
        .expect("subscribe");
    session
        .publish(Message::new(topic, b"hello from the driver").with_qos(Qos::AtLeastOnce))
        .expect("publish");
}

#[test]
fn the_blocking_driver_round_trips_over_tls_and_plain_tcp() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let tls = support::tls_to(&pki, NAMES[0]).build().unwrap();
    let start = std::time::Instant::now();
    let now = || Instant::from_millis(start.elapsed().as_millis().try_into().unwrap());
    for (secure, protocol) in [
        (true, Protocol::V311),
        (false, Protocol::V311),
        (true, Protocol::V5),
        (false, Protocol::V5),
    ] {
        let (mut rx, mut store, mut tx) = ([0u8; 1024], [0u8; 1024], vec![0u8; 4096]);
        let config = Config::new("blocking")
            .with_username(USER)
            .with_password(PASSWORD.as_bytes())
            .with_protocol(protocol);
        let session: Session<'_, 4> =
            Session::new(config, Buffers::new(&mut rx, &mut store)).unwrap();
        let (conn, port) = if secure {
            let conn = Connection::tls(session, &tls, RecordBuffer::default(), &mut tx).unwrap();
            (conn, broker.tls_port)
        } else {
            (Connection::plain(session, &mut tx), broker.plain_port)
        };
        let mut client = blocking::Client::new(conn);
        let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
        client.connect(now(), StdIo(socket)).unwrap();
        queue_round_trip(client.session_mut(), "blocking/t");
        let mut seen = Seen::default();
        while !seen.done() {
            assert!(client.poll(now(), |event| seen.take(event)).unwrap());
            assert!(
                start.elapsed() < PATIENCE,
                "no round trip (secure: {secure})"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(seen.message.as_deref(), Some(&b"hello from the driver"[..]));
        if secure {
            let tls = client.connection().tls_client().expect("TLS");
            assert!(tls.protocol_version().is_some());
        }
        client.session_mut().disconnect();
        while client.poll(now(), |_| {}).unwrap() {}
        assert!(client.take_transport().is_some());
    }
}

#[tokio::test]
async fn the_async_driver_round_trips_over_tls_and_keeps_the_connection_alive() {
    async_round_trip(Protocol::V311).await;
}

#[tokio::test]
async fn the_async_driver_does_the_same_on_mqtt5() {
    async_round_trip(Protocol::V5).await;
}

async fn async_round_trip(protocol: Protocol) {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let tls = support::tls_to(&pki, NAMES[0]).build().unwrap();
    let start = tokio::time::Instant::now();
    let now = || Instant::from_millis(start.elapsed().as_millis().try_into().unwrap());

    let (mut rx, mut store, mut tx) = ([0u8; 1024], [0u8; 1024], vec![0u8; 4096]);
    let config = Config::new("async")
        .with_username(USER)
        .with_password(PASSWORD.as_bytes())
        .with_keep_alive(1)
        .with_ping_timeout(Duration::from_millis(500))
        .with_protocol(protocol);
    let session: Session<'_, 4> = Session::new(config, Buffers::new(&mut rx, &mut store)).unwrap();
    let conn = Connection::tls(session, &tls, RecordBuffer::default(), &mut tx).unwrap();
    let mut client = asynch::Client::new(conn);
    let socket = tokio::net::TcpStream::connect(("127.0.0.1", broker.tls_port))
        .await
        .unwrap();
    client.connect(now(), TokioIo(socket)).unwrap();
    queue_round_trip(client.session_mut(), "async/t");

    let seen = RefCell::new(Seen::default());
    let mut on_event = |event: Event<'_>| seen.borrow_mut().take(event);
    // Keep-alive is 1 s: running 2.5 s means pings went out and their answers came back.
    while !seen.borrow().done() || start.elapsed() < Duration::from_millis(2500) {
        let due = client.poll_timeout().map_or(start + PATIENCE, |due| {
            start + Duration::from_millis(due.as_millis())
        });
        tokio::select! {
            open = client.poll(now, &mut on_event) => assert!(open.unwrap(), "the connection ended"),
            () = tokio::time::sleep_until(due) => client.handle_timeout(now()),
        }
        assert!(start.elapsed() < PATIENCE, "no round trip");
    }
    assert_eq!(
        seen.borrow().message.as_deref(),
        Some(&b"hello from the driver"[..])
    );
    client.session_mut().disconnect();
    while client.poll(now, &mut |_| {}).await.unwrap() {}
}

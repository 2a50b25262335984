//! The tokio driver against mosquitto over TLS.

use std::time::Duration;

use iot_tls::Error;
use iot_tls::codec::v5::ReasonCode;
use iot_tls::codec::{ConnectReturnCode, Qos, SubAckCode};
use iot_tls::session::{DisconnectReason, Protocol};
use iot_tls::tls::TlsError;
use iot_tls::tokio::{Client, Event, Message, MessageProperties, Options};

use crate::pki::{KeyKind, Pki};
use crate::support::{self, Mosquitto, NAMES, PASSWORD, Proxy, USER, connected, message};

/// Options for a client of `broker` named `client_id`, over TLS with the right credentials.
pub(crate) fn options(pki: &Pki, broker: &Mosquitto, client_id: &str) -> Options {
    Options::new("127.0.0.1", broker.tls_port, client_id)
        .with_tls(support::tls_to(pki, NAMES[0]).build().expect("TLS config"))
        .with_credentials(USER, PASSWORD.as_bytes())
}

/// The first `Disconnected` event.
async fn disconnected(events: &mut iot_tls::tokio::Events) -> (DisconnectReason, Option<Error>) {
    support::wait_for(events, |event| match event {
        Event::Disconnected { reason, error, .. } => Some((reason, error)),
        _ => None,
    })
    .await
}

#[tokio::test]
async fn qos0_and_qos1_round_trips_over_tls() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let (client, mut events) = Client::spawn(options(&pki, &broker, "round-trip")).unwrap();
    assert!(!connected(&mut events).await, "a clean session");
    assert!(client.is_connected());
    client
        .subscribe(&[("rt/#", Qos::AtLeastOnce)])
        .expect("queued");
    let codes = support::wait_for(&mut events, |event| match event {
        Event::Subscribed { codes } => Some(codes),
        _ => None,
    })
    .await;
    assert_eq!(codes, [SubAckCode::Granted(Qos::AtLeastOnce)]);

    client
        .publish(Message::new("rt/zero", "at most once"))
        .unwrap();
    let received = message(&mut events).await;
    assert_eq!(
        (received.topic.as_str(), received.qos),
        ("rt/zero", Qos::AtMostOnce)
    );
    assert_eq!(received.payload, "at most once");

    let big = vec![0x5a; 3000];
    client
        .publish(Message::new("rt/one", big.clone()).with_qos(Qos::AtLeastOnce))
        .unwrap();
    client.flush().await.expect("acknowledged");
    let received = message(&mut events).await;
    assert_eq!(
        (received.topic.as_str(), received.qos),
        ("rt/one", Qos::AtLeastOnce)
    );
    assert_eq!(received.payload, big);

    client.disconnect().await;
    let (reason, error) = disconnected(&mut events).await;
    assert_eq!(reason, DisconnectReason::Requested);
    assert!(error.is_none());
    assert!(matches!(
        client.publish(Message::new("rt/x", "late")),
        Err(Error::Closed)
    ));
}

#[tokio::test]
async fn the_will_is_delivered_when_the_connection_drops() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let (listener, mut heard) = Client::spawn(options(&pki, &broker, "will-listener")).unwrap();
    connected(&mut heard).await;
    listener
        .subscribe(&[("wills/#", Qos::AtLeastOnce)])
        .unwrap();
    support::subscribed(&mut heard).await;

    let proxy = Proxy::start(broker.tls_port, None);
    let will = Message::new("wills/device-7", "gone").with_qos(Qos::AtLeastOnce);
    let doomed = Options::new("127.0.0.1", proxy.port, "device-7")
        .with_tls(support::tls_to(&pki, NAMES[0]).build().unwrap())
        .with_credentials(USER, PASSWORD.as_bytes())
        .with_will(will)
        .with_backoff(iot_tls::Backoff::new(
            Duration::from_secs(30),
            Duration::from_mins(1),
        ));
    let (_device, mut device_events) = Client::spawn(doomed).unwrap();
    connected(&mut device_events).await;
    proxy.cut_all();
    let received = message(&mut heard).await;
    assert_eq!(
        (received.topic.as_str(), received.payload.as_ref()),
        ("wills/device-7", &b"gone"[..])
    );
}

#[tokio::test]
async fn a_wrong_password_is_a_typed_connack_refusal() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let options = options(&pki, &broker, "intruder").with_credentials(USER, b"wrong");
    let (_client, mut events) = Client::spawn(options).unwrap();
    let (reason, error) = disconnected(&mut events).await;
    assert_eq!(
        reason,
        DisconnectReason::Refused(ConnectReturnCode::NotAuthorized),
        "{}",
        broker.log()
    );
    assert!(error.is_none());
}

#[tokio::test]
async fn a_wrong_ca_or_host_name_is_a_tls_error_naming_the_cause() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);

    let stranger = Pki::named(KeyKind::Ecdsa, "stranger");
    let wrong_ca = options(&pki, &broker, "wrong-ca")
        .with_tls(support::tls_to(&stranger, NAMES[0]).build().unwrap());
    let (_client, mut events) = Client::spawn(wrong_ca).unwrap();
    let (reason, error) = disconnected(&mut events).await;
    assert_eq!(reason, DisconnectReason::TransportClosed);
    assert!(
        matches!(error, Some(Error::Tls(TlsError::UnknownCa))),
        "{error:?}"
    );

    let wrong_name = options(&pki, &broker, "wrong-name")
        .with_tls(support::tls_to(&pki, "other.test").build().unwrap());
    let (_client, mut events) = Client::spawn(wrong_name).unwrap();
    let (_, error) = disconnected(&mut events).await;
    let Some(Error::Tls(TlsError::NameMismatch {
        expected,
        presented,
    })) = &error
    else {
        panic!("a name mismatch, not {error:?}");
    };
    assert_eq!(expected, "other.test");
    assert!(
        presented.iter().any(|name| name.contains("broker.test")),
        "{presented:?}"
    );
    let message = error.unwrap().to_string();
    assert!(message.contains("not valid for other.test"), "{message}");
}

#[tokio::test]
async fn a_persistent_session_resumes_with_messages_sent_meanwhile() {
    persistent_session_resumes(Protocol::V311).await;
}

#[tokio::test]
async fn a_persistent_mqtt5_session_resumes_with_messages_sent_meanwhile() {
    persistent_session_resumes(Protocol::V5).await;
}

async fn persistent_session_resumes(protocol: Protocol) {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let proxy = Proxy::start(broker.tls_port, None);
    let persistent = Options::new("127.0.0.1", proxy.port, "sleepy")
        .with_tls(support::tls_to(&pki, NAMES[0]).build().unwrap())
        .with_credentials(USER, PASSWORD.as_bytes())
        .with_protocol(protocol)
        .with_session_expiry(300)
        .with_clean_session(false)
        .with_limits(iot_tls::Limits::MQTT)
        .with_backoff(iot_tls::Backoff::new(
            Duration::from_millis(300),
            Duration::from_millis(300),
        ));
    let (sleepy, mut events) = Client::spawn(persistent).unwrap();
    connected(&mut events).await;
    sleepy.subscribe(&[("mail/#", Qos::AtLeastOnce)]).unwrap();
    support::subscribed(&mut events).await;

    proxy.cut_all();
    let (reason, _) = disconnected(&mut events).await;
    assert_eq!(reason, DisconnectReason::TransportClosed);
    let (publisher, mut publisher_events) =
        Client::spawn(options(&pki, &broker, "postman").with_protocol(protocol)).unwrap();
    connected(&mut publisher_events).await;
    for i in 0..3 {
        publisher
            .publish(Message::new("mail/box", format!("letter {i}")).with_qos(Qos::AtLeastOnce))
            .unwrap();
    }
    publisher.flush().await.unwrap();

    assert!(connected(&mut events).await, "the broker kept the session");
    for i in 0..3 {
        assert_eq!(
            message(&mut events).await.payload,
            format!("letter {i}").into_bytes()
        );
    }
}

#[tokio::test]
async fn a_full_queue_is_an_error_the_caller_sees() {
    // Nothing listens on this port, so nothing drains the session's store.
    let options = Options::new("127.0.0.1", support::free_port(), "offline")
        .with_queue(4)
        .with_buffers(1024, 256, 1024);
    let (client, _events) = Client::spawn(options).unwrap();
    let message = Message::new("q/t", vec![b'x'; 50]).with_qos(Qos::AtLeastOnce);
    let mut accepted = 0;
    let error = loop {
        match client.publish(message.clone()) {
            Ok(()) => accepted += 1,
            Err(error) => break error,
        }
        // Let the task move what it can into the session.
        tokio::task::yield_now().await;
        assert!(accepted < 64, "the queue never filled");
    };
    assert!(
        matches!(
            error,
            Error::Session(iot_tls::error::SessionError::QueueFull { capacity: 4 })
        ),
        "{error}"
    );
    assert!(error.is_full());
    assert!(
        (4..=8).contains(&accepted),
        "store and queue hold a handful, not {accepted}"
    );
    let too_big = Message::new("q/t", vec![0; 300]);
    assert!(matches!(
        client.publish(too_big),
        Err(Error::Session(
            iot_tls::error::SessionError::RequestTooLarge { .. }
        ))
    ));
    let qos2 = Message::new("q/t", "x").with_qos(Qos::ExactlyOnce);
    assert!(matches!(client.publish(qos2), Err(Error::Limit(_))));
}

/// The next message or oversized-message event; a disconnection fails the test.
async fn delivery(events: &mut iot_tls::tokio::Events) -> Event {
    support::wait_for(events, |event| match event {
        Event::Message(_) | Event::Oversized { .. } => Some(event),
        Event::Disconnected { reason, error, .. } => {
            panic!("the connection ended: {reason} {error:?}")
        }
        _ => None,
    })
    .await
}

#[tokio::test]
async fn a_message_larger_than_the_receive_buffer_is_skipped_acknowledged_and_not_redelivered() {
    oversized_message(Protocol::V311).await;
}

#[tokio::test]
async fn mqtt5_announces_its_maximum_packet_size_so_oversized_messages_never_come() {
    oversized_message(Protocol::V5).await;
}

/// A 20 KiB QoS 1 message to a persistent session with the default 4 KiB receive buffer: on
/// MQTT 3.1.1 it arrives and is skipped and acknowledged; on MQTT 5 the broker does not send
/// it (the client announced 4 KiB as its Maximum Packet Size). Either way the connection stays
/// up, the next message arrives, and nothing is delivered again after a reconnect.
async fn oversized_message(protocol: Protocol) {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    // The default 4 KiB receive buffer and a persistent session.
    let receiver = || {
        Client::spawn(
            options(&pki, &broker, "small-buffer")
                .with_clean_session(false)
                .with_protocol(protocol),
        )
        .unwrap()
    };
    let (client, mut events) = receiver();
    connected(&mut events).await;
    client.subscribe(&[("big/#", Qos::AtLeastOnce)]).unwrap();
    support::subscribed(&mut events).await;

    let (sender, mut sender_events) = Client::spawn(
        options(&pki, &broker, "big-sender").with_buffers(4096, 64 * 1024, 16 * 1024),
    )
    .unwrap();
    connected(&mut sender_events).await;
    let big = vec![0x42; 20 * 1024];
    sender
        .publish(Message::new("big/one", big).with_qos(Qos::AtLeastOnce))
        .unwrap();
    sender
        .publish(Message::new("big/two", "fits").with_qos(Qos::AtLeastOnce))
        .unwrap();
    sender.flush().await.expect("acknowledged");

    if protocol == Protocol::V311 {
        let Event::Oversized {
            topic,
            qos,
            len,
            capacity,
        } = delivery(&mut events).await
        else {
            panic!("the oversized message is reported first");
        };
        assert_eq!(topic.as_deref(), Some("big/one"));
        assert_eq!(qos, Qos::AtLeastOnce);
        assert_eq!(len, 1 + 3 + 2 + 7 + 2 + 20 * 1024);
        assert_eq!(capacity, 4096);
    }
    let Event::Message(next) = delivery(&mut events).await else {
        panic!("the next message is delivered");
    };
    assert_eq!(
        (next.topic.as_str(), &next.payload[..]),
        ("big/two", &b"fits"[..])
    );
    assert!(client.is_connected());

    // The broker does not send the skipped message again on the next connection.
    client.disconnect().await;
    drop(events);
    let (_client, mut events) = receiver();
    assert!(connected(&mut events).await, "the session was kept");
    sender
        .publish(Message::new("big/three", "after").with_qos(Qos::AtLeastOnce))
        .unwrap();
    let Event::Message(next) = delivery(&mut events).await else {
        panic!("no redelivery of the oversized message");
    };
    assert_eq!(next.topic, "big/three");
}

#[tokio::test]
async fn mqtt5_round_trip_resume_and_session_takeover() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let v5 = |id: &str| {
        options(&pki, &broker, id)
            .with_protocol(Protocol::V5)
            .with_clean_session(false)
            .with_session_expiry(300)
    };
    let (client, mut events) = Client::spawn(v5("five")).unwrap();
    assert!(!connected(&mut events).await, "a new session");
    client.subscribe(&[("v5/#", Qos::AtLeastOnce)]).unwrap();
    let codes = support::wait_for(&mut events, |event| match event {
        Event::Subscribed { codes } => Some(codes),
        _ => None,
    })
    .await;
    assert_eq!(codes, [SubAckCode::Granted(Qos::AtLeastOnce)]);
    for (topic, qos) in [("v5/zero", Qos::AtMostOnce), ("v5/one", Qos::AtLeastOnce)] {
        client
            .publish(Message::new(topic, "over MQTT 5").with_qos(qos))
            .unwrap();
        let received = message(&mut events).await;
        assert_eq!((received.topic.as_str(), received.qos), (topic, qos));
        assert_eq!(received.payload, "over MQTT 5");
    }
    client.flush().await.expect("acknowledged");

    // Another connection with the same client id takes the session over. mosquitto 2.0.11
    // closes the old connection without sending DISCONNECT 0x8E (checked with a raw socket), so
    // either ending is accepted here; the session tests cover the server's DISCONNECT.
    let (thief, mut thief_events) = Client::spawn(v5("five")).unwrap();
    assert!(connected(&mut thief_events).await, "the session was kept");
    let (reason, _) = disconnected(&mut events).await;
    assert!(
        matches!(
            reason,
            DisconnectReason::TransportClosed
                | DisconnectReason::Server(ReasonCode::SESSION_TAKEN_OVER)
        ),
        "{reason}"
    );
    client.disconnect().await;

    // The resumed session still has the subscription.
    thief
        .publish(Message::new("v5/again", "resumed").with_qos(Qos::AtLeastOnce))
        .unwrap();
    let received = message(&mut thief_events).await;
    assert_eq!(received.topic, "v5/again");
}

#[tokio::test]
async fn mqtt5_refused_subscription_server_limits_and_assigned_identifier() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    // An empty client identifier: the server assigns one.
    let options = options(&pki, &broker, "")
        .with_protocol(Protocol::V5)
        .with_limits(iot_tls::Limits::MQTT);
    let (client, mut events) = Client::spawn(options).unwrap();
    connected(&mut events).await;
    let assigned = client.assigned_client_id().expect("an assigned identifier");
    assert!(assigned.starts_with("auto-"), "{assigned}");
    let limits = client.server_limits().expect("the CONNACK's limits");
    assert_eq!(
        limits.receive_maximum, 20,
        "mosquitto's max_inflight_messages"
    );
    assert!(limits.wildcard_subscription_available && limits.shared_subscription_available);

    client.disconnect().await;

    // The refusing listener's security refuses `secret/#`: the SUBACK says why, per filter, and
    // the refused filter is not re-subscribed.
    let plain =
        Options::new("127.0.0.1", broker.refusing_port, "refused").with_protocol(Protocol::V5);
    let (client, mut events) = Client::spawn(plain).unwrap();
    connected(&mut events).await;
    client
        .subscribe(&[("secret/#", Qos::AtLeastOnce), ("open/#", Qos::AtLeastOnce)])
        .unwrap();
    let codes = support::wait_for(&mut events, |event| match event {
        Event::Subscribed { codes } => Some(codes),
        _ => None,
    })
    .await;
    assert_eq!(
        codes,
        [
            SubAckCode::Other(ReasonCode::NOT_AUTHORIZED.as_u8()),
            SubAckCode::Granted(Qos::AtLeastOnce)
        ]
    );
    client.disconnect().await;
}

#[tokio::test]
async fn mqtt5_request_response_with_user_properties_and_no_local() {
    use iot_tls::codec::v5::Subscription;

    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let v5 = |id: &str| options(&pki, &broker, id).with_protocol(Protocol::V5);
    let (service, mut service_events) = Client::spawn(v5("service")).unwrap();
    let (hub, mut hub_events) = Client::spawn(v5("hub")).unwrap();
    connected(&mut service_events).await;
    connected(&mut hub_events).await;
    // No Local: the service does not get its own messages on `svc/#` back.
    service
        .subscribe_with(&[Subscription::new("svc/#", Qos::AtLeastOnce).with_no_local(true)])
        .unwrap();
    support::subscribed(&mut service_events).await;
    hub.subscribe(&[("hub/replies", Qos::AtLeastOnce)]).unwrap();
    support::subscribed(&mut hub_events).await;

    service
        .publish(Message::new("svc/echo", "mine").with_qos(Qos::AtLeastOnce))
        .unwrap();
    let request = MessageProperties::default()
        .with_response_topic("hub/replies")
        .with_correlation_data("req-7")
        .with_user_property("room", "kitchen")
        .with_content_type("text/plain");
    hub.publish(
        Message::new("svc/requests", "ping")
            .with_qos(Qos::AtLeastOnce)
            .with_properties(request),
    )
    .unwrap();
    let received = message(&mut service_events).await;
    assert_eq!(
        received.topic, "svc/requests",
        "its own message did not come back"
    );
    let asked = received.properties.expect("the request's properties");
    assert_eq!(asked.response_topic.as_deref(), Some("hub/replies"));
    assert_eq!(asked.content_type.as_deref(), Some("text/plain"));
    assert_eq!(
        asked.user_properties,
        [("room".to_owned(), "kitchen".to_owned())]
    );

    let answer =
        MessageProperties::default().with_correlation_data(asked.correlation_data.clone().unwrap());
    service
        .publish(
            Message::new(asked.response_topic.clone().unwrap(), "pong")
                .with_qos(Qos::AtLeastOnce)
                .with_properties(answer),
        )
        .unwrap();
    let reply = message(&mut hub_events).await;
    assert_eq!(reply.payload, "pong");
    assert_eq!(
        reply.properties.and_then(|p| p.correlation_data),
        Some("req-7".into())
    );
    // Properties need MQTT 5.
    let (v311, _events) = Client::spawn(options(&pki, &broker, "old")).unwrap();
    let refused = v311.publish(
        Message::new("t", "x").with_properties(MessageProperties::default().with_message_expiry(5)),
    );
    assert!(matches!(
        refused,
        Err(Error::Session(
            iot_tls::error::SessionError::PropertiesNeedMqtt5
        ))
    ));
}

#[tokio::test]
async fn mqtt5_a_session_expires_after_its_interval_and_resumes_within_it() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let persistent = |id: &str, expiry: u32| {
        options(&pki, &broker, id)
            .with_protocol(Protocol::V5)
            .with_clean_session(false)
            .with_session_expiry(expiry)
    };
    for (id, expiry) in [("short", 1), ("long", 600)] {
        let (client, mut events) = Client::spawn(persistent(id, expiry)).unwrap();
        assert!(!connected(&mut events).await, "a new session");
        client.subscribe(&[("exp/#", Qos::AtLeastOnce)]).unwrap();
        support::subscribed(&mut events).await;
        client.disconnect().await;
    }
    // Longer than the short session's interval (mosquitto checks expiry every second).
    tokio::time::sleep(Duration::from_secs(3)).await;
    for (id, expiry, kept) in [("short", 1, false), ("long", 600, true)] {
        let (client, mut events) = Client::spawn(persistent(id, expiry)).unwrap();
        assert_eq!(connected(&mut events).await, kept, "{id}");
        client.disconnect().await;
    }
}

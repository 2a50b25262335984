//! The AWS-IoT-like front in front of mosquitto: what it admits, and what it refuses as AWS IoT
//! Core does, with our client and with rumqttc (configured by `iot_tls::rumqttc::options`).

use std::net::SocketAddr;

use iot_tls::Error;
use iot_tls::aws::{self, CustomAuthorizer};
use iot_tls::codec::v5::ReasonCode;
use iot_tls::codec::{ConnectReturnCode, Qos};
use iot_tls::error::LimitError;
use iot_tls::front::{AuthRequest, Front, Refusal, RunningFront};
use iot_tls::session::{Config, DisconnectReason, Protocol};
use iot_tls::tls::{Alpn, TlsConfig, TlsError};
use iot_tls::tokio::{Client, Event, Message, Options};
use iot_tls::{Limits, rumqttc as interop};
use rustls::AlertDescription;
use tokio::sync::broadcast;

use crate::pki::{KeyKind, Pki};
use crate::support::{self, Mosquitto, PATIENCE, RumqttcEvents, connected, message, subscribed};

/// The endpoint name the front answers to (it resolves, for rumqttc).
pub(crate) const ENDPOINT: &str = "localhost";
pub(crate) const AUTHORIZER: &str = "TestAuth";
pub(crate) const TOKEN: &[u8] = b"token-123";

/// The front in front of `broker`'s plain listener, admitting the `TestAuth` authorizer with the
/// right token.
pub(crate) async fn start_front(broker: &Mosquitto) -> RunningFront {
    let authorize = |request: &AuthRequest<'_>| {
        request
            .username()
            .and_then(|name| name.authorizer())
            .is_some_and(|authorizer| authorizer == AUTHORIZER)
            && request.password() == Some(TOKEN)
    };
    let broker_address = SocketAddr::from(([127, 0, 0, 1], broker.plain_port));
    Front::new(
        ENDPOINT,
        broker.identity.chain[..2].to_vec(),
        broker.identity.key.clone_key(),
        broker_address,
        authorize,
    )
    .unwrap()
    .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
    .await
    .unwrap()
}

/// The custom-authorizer user name the front admits.
pub(crate) fn username(user: &str) -> String {
    CustomAuthorizer::new(user)
        .with_authorizer(AUTHORIZER)
        .to_string()
}

/// TLS as AWS IoT's custom-authorizer endpoint wants it: SNI and ALPN `mqtt`.
pub(crate) fn front_tls(pki: &Pki) -> TlsConfig {
    TlsConfig::builder(ENDPOINT, pki.anchors())
        .alpn(Alpn::AwsCustomAuth)
        .build()
        .unwrap()
}

/// Our client through the front.
pub(crate) fn through_front(pki: &Pki, front: &RunningFront, client_id: &str) -> Options {
    Options::new("127.0.0.1", front.local_addr().port(), client_id)
        .with_limits(aws::LIMITS)
        .with_tls(front_tls(pki))
        .with_credentials(username(client_id), TOKEN)
}

/// rumqttc through the front with `config`; its events (and its first error) come out of the
/// receiver.
pub(crate) fn rumqttc_client(
    pki: &Pki,
    front_port: u16,
    config: &Config<'_>,
) -> (rumqttc::AsyncClient, RumqttcEvents) {
    support::rumqttc(interop::options(config, &front_tls(pki), front_port).unwrap())
}

/// Waits for rumqttc's CONNACK.
async fn rumqttc_connected(events: &mut RumqttcEvents) {
    loop {
        match tokio::time::timeout(PATIENCE, events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(ack))) => {
                assert_eq!(ack.code, rumqttc::ConnectReturnCode::Success);
                return;
            }
            Ok(_) => {}
            Err(error) => panic!("rumqttc failed: {error}"),
        }
    }
}

/// Waits for rumqttc's connection to end; returns its error.
async fn rumqttc_closed(events: &mut RumqttcEvents) -> rumqttc::ConnectionError {
    loop {
        match tokio::time::timeout(PATIENCE, events.recv()).await.unwrap() {
            Some(Ok(_)) => {}
            Some(Err(error)) => return error,
            None => panic!("rumqttc's loop ended without an error"),
        }
    }
}

/// mosquitto and the front before it, with the front's refusals.
async fn rogue_setup(pki: &Pki) -> (Mosquitto, RunningFront, broadcast::Receiver<Refusal>) {
    let broker = Mosquitto::start(pki);
    let front = start_front(&broker).await;
    let refusals = front.refusals();
    (broker, front, refusals)
}

async fn refusal(refusals: &mut broadcast::Receiver<Refusal>) -> Refusal {
    tokio::time::timeout(PATIENCE, refusals.recv())
        .await
        .expect("a refusal in time")
        .expect("the front runs")
}

#[tokio::test]
async fn the_front_admits_our_client_and_forwards_both_ways() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let front = start_front(&broker).await;
    let (client, mut events) = Client::spawn(through_front(&pki, &front, "hub-front")).unwrap();
    connected(&mut events).await;
    client.subscribe(&[("front/#", Qos::AtLeastOnce)]).unwrap();
    subscribed(&mut events).await;
    client
        .publish(Message::new("front/t", "through the front").with_qos(Qos::AtLeastOnce))
        .unwrap();
    client.flush().await.unwrap();
    assert_eq!(message(&mut events).await.payload, "through the front");
    client.disconnect().await;
}

#[tokio::test]
async fn the_front_admits_mqtt5_clients_and_refuses_them_with_reason_codes() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let front = start_front(&broker).await;
    let options = through_front(&pki, &front, "hub-five").with_protocol(Protocol::V5);
    let (client, mut events) = Client::spawn(options).unwrap();
    connected(&mut events).await;
    client.subscribe(&[("front5/#", Qos::AtLeastOnce)]).unwrap();
    subscribed(&mut events).await;
    client
        .publish(Message::new("front5/t", "MQTT 5 through the front").with_qos(Qos::AtLeastOnce))
        .unwrap();
    client.flush().await.unwrap();
    assert_eq!(
        message(&mut events).await.payload,
        "MQTT 5 through the front"
    );
    client.disconnect().await;

    let wrong = through_front(&pki, &front, "rogue-five")
        .with_protocol(Protocol::V5)
        .with_credentials(username("rogue-five"), b"guess");
    let (wrong_client, mut wrong_events) = Client::spawn(wrong).unwrap();
    let reason = support::wait_for(&mut wrong_events, |event| match event {
        Event::Disconnected { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert_eq!(
        reason,
        DisconnectReason::RefusedV5(ReasonCode::NOT_AUTHORIZED)
    );
    drop(wrong_client);
}

#[tokio::test]
async fn the_front_refuses_requests_over_aws_iot_limits() {
    let pki = Pki::new(KeyKind::Rsa);
    let (_broker, front, mut refusals) = rogue_setup(&pki).await;
    let port = front.local_addr().port();
    let name = username("rogue");
    let config = aws::config("rogue")
        .with_username(&name)
        .with_password(TOKEN);

    // Requests our session would refuse, sent by rumqttc.
    let over_limits: [(&str, LimitError); 4] = [
        ("qos2", LimitError::Qos(Qos::ExactlyOnce)),
        ("deep", LimitError::TooManySlashes { count: 8, max: 7 }),
        ("filters", LimitError::FilterCount { count: 9, max: 8 }),
        (
            "payload",
            LimitError::PayloadTooLarge {
                len: 128 * 1024 + 1,
                max: 128 * 1024,
            },
        ),
    ];
    for (case, expected) in over_limits {
        let (client, mut events) = rumqttc_client(&pki, port, &config);
        rumqttc_connected(&mut events).await;
        match case {
            "qos2" => {
                client
                    .publish("t/q", rumqttc::QoS::ExactlyOnce, false, "x")
                    .await
            }
            "deep" => {
                client
                    .publish("1/2/3/4/5/6/7/8/9", rumqttc::QoS::AtMostOnce, false, "x")
                    .await
            }
            "filters" => {
                let filters = (0..9).map(|i| {
                    rumqttc::SubscribeFilter::new(format!("f/{i}"), rumqttc::QoS::AtMostOnce)
                });
                client.subscribe_many(filters).await
            }
            _ => {
                client
                    .publish(
                        "t/big",
                        rumqttc::QoS::AtMostOnce,
                        false,
                        vec![0u8; 128 * 1024 + 1],
                    )
                    .await
            }
        }
        .unwrap();
        assert_eq!(
            refusal(&mut refusals).await,
            Refusal::Limit {
                client_id: "rogue".into(),
                error: expected
            },
            "{case}"
        );
        rumqttc_closed(&mut events).await;
    }

    // A keep-alive outside 30 to 1200 s.
    let short = Config::new("rogue")
        .with_limits(Limits::MQTT)
        .with_keep_alive(10)
        .with_username(&name)
        .with_password(TOKEN);
    let (_client, mut events) = rumqttc_client(&pki, port, &short);
    assert_eq!(
        refusal(&mut refusals).await,
        Refusal::Limit {
            client_id: "rogue".into(),
            error: LimitError::KeepAlive {
                secs: 10,
                min: 30,
                max: 1200
            }
        }
    );
    rumqttc_closed(&mut events).await;
}

#[tokio::test]
async fn the_front_refuses_wrong_credentials_and_handshakes_as_aws_iot_does() {
    let pki = Pki::new(KeyKind::Rsa);
    let (_broker, front, mut refusals) = rogue_setup(&pki).await;
    let port = front.local_addr().port();
    let name = username("rogue");

    // A wrong token: CONNACK "not authorized", to rumqttc and to our client.
    let wrong = aws::config("rogue")
        .with_username(&name)
        .with_password(b"guess");
    let (_client, mut events) = rumqttc_client(&pki, port, &wrong);
    let error = rumqttc_closed(&mut events).await;
    assert!(
        matches!(
            error,
            rumqttc::ConnectionError::ConnectionRefused(rumqttc::ConnectReturnCode::NotAuthorized)
        ),
        "{error:?}"
    );
    assert!(matches!(
        refusal(&mut refusals).await,
        Refusal::NotAuthorized { .. }
    ));
    let ours = through_front(&pki, &front, "rogue").with_credentials(username("rogue"), b"guess");
    let (ours_client, mut ours_events) = Client::spawn(ours).unwrap();
    let reason = support::wait_for(&mut ours_events, |event| match event {
        Event::Disconnected { reason, .. } => Some(reason),
        _ => None,
    })
    .await;
    assert_eq!(
        reason,
        DisconnectReason::Refused(ConnectReturnCode::NotAuthorized)
    );
    assert!(matches!(
        refusal(&mut refusals).await,
        Refusal::NotAuthorized { .. }
    ));
    drop(ours_client);

    // A user name that is not a custom-authorizer one.
    let malformed = through_front(&pki, &front, "rogue").with_credentials("rogue?=x", TOKEN);
    let (malformed_client, _events) = Client::spawn(malformed).unwrap();
    assert!(matches!(
        refusal(&mut refusals).await,
        Refusal::NotAuthorized { .. }
    ));
    drop(malformed_client);

    // No ALPN, and SNI for another endpoint: dropped in the handshake.
    let no_alpn = through_front(&pki, &front, "rogue")
        .with_tls(TlsConfig::builder(ENDPOINT, pki.anchors()).build().unwrap());
    let (no_alpn_client, mut no_alpn_events) = Client::spawn(no_alpn).unwrap();
    assert_eq!(refusal(&mut refusals).await, Refusal::Alpn);
    let error = support::wait_for(&mut no_alpn_events, |event| match event {
        Event::Disconnected { error, .. } => Some(error),
        _ => None,
    })
    .await;
    assert!(
        matches!(error, Some(Error::Tls(TlsError::AlpnRefused))),
        "the front's alert names the cause: {error:?}"
    );
    drop(no_alpn_client);

    let other_name = through_front(&pki, &front, "rogue").with_tls(
        TlsConfig::builder("broker.test", pki.anchors())
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap(),
    );
    let (_other, mut other_events) = Client::spawn(other_name).unwrap();
    assert_eq!(
        refusal(&mut refusals).await,
        Refusal::ServerName("broker.test".into())
    );
    let error = support::wait_for(&mut other_events, |event| match event {
        Event::Disconnected { error, .. } => Some(error),
        _ => None,
    })
    .await;
    assert!(
        matches!(
            error,
            Some(Error::Tls(TlsError::AlertReceived(
                AlertDescription::UnrecognisedName
            )))
        ),
        "the front's alert names the cause: {error:?}"
    );
}

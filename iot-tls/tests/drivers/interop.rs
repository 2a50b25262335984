//! rumqttc as a peer: it and our client exchange messages through the same broker, both
//! directly over TLS to mosquitto and through the front with a custom authorizer.

use iot_tls::codec::Qos;
use iot_tls::session::Config;
use iot_tls::tokio::{Client, Message};
use tokio::sync::mpsc;

use crate::front::{self, TOKEN};
use crate::pki::{KeyKind, Pki};
use crate::support::{
    self, Mosquitto, PASSWORD, PATIENCE, RumqttcEvents, USER, connected, message, subscribed,
};
use crate::tokio_client::options;

/// Drives rumqttc until it has subscribed, then until a PUBLISH arrives; returns its payload.
async fn rumqttc_receives(
    events: &mut RumqttcEvents,
    subscribed: &mpsc::UnboundedSender<()>,
) -> Vec<u8> {
    loop {
        let event = tokio::time::timeout(PATIENCE, events.recv())
            .await
            .expect("rumqttc event in time")
            .expect("rumqttc runs");
        match event.expect("rumqttc stays connected") {
            rumqttc::Event::Incoming(rumqttc::Packet::SubAck(_)) => {
                let _ = subscribed.send(());
            }
            rumqttc::Event::Incoming(rumqttc::Packet::Publish(publish)) => {
                return publish.payload.to_vec();
            }
            _ => {}
        }
    }
}

/// Our client and rumqttc each subscribe, then each publishes to the other.
async fn exchange(
    ours: &Client,
    ours_events: &mut iot_tls::tokio::Events,
    peer: &rumqttc::AsyncClient,
    mut peer_events: RumqttcEvents,
) {
    connected(ours_events).await;
    ours.subscribe(&[("interop/to-ours", Qos::AtLeastOnce)])
        .unwrap();
    subscribed(ours_events).await;
    peer.subscribe("interop/to-rumqttc", rumqttc::QoS::AtLeastOnce)
        .await
        .unwrap();
    let (subscribed_tx, mut subscribed_rx) = mpsc::unbounded_channel();
    let peer_task =
        tokio::spawn(async move { rumqttc_receives(&mut peer_events, &subscribed_tx).await });
    tokio::time::timeout(PATIENCE, subscribed_rx.recv())
        .await
        .unwrap();

    ours.publish(Message::new("interop/to-rumqttc", "from iot-tls").with_qos(Qos::AtLeastOnce))
        .unwrap();
    peer.publish(
        "interop/to-ours",
        rumqttc::QoS::AtLeastOnce,
        false,
        "from rumqttc",
    )
    .await
    .unwrap();
    assert_eq!(message(ours_events).await.payload, "from rumqttc");
    assert_eq!(peer_task.await.unwrap(), b"from iot-tls");
}

#[tokio::test]
async fn our_client_and_rumqttc_exchange_messages_through_mosquitto() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let (ours, mut ours_events) = Client::spawn(options(&pki, &broker, "ours")).unwrap();
    let config = Config::new("peer")
        .with_username(USER)
        .with_password(PASSWORD.as_bytes());
    let tls = support::tls_to(&pki, "localhost").build().unwrap();
    let peer_options = iot_tls::rumqttc::options(&config, &tls, broker.tls_port).unwrap();
    let (peer, peer_events) = support::rumqttc(peer_options);
    exchange(&ours, &mut ours_events, &peer, peer_events).await;
}

#[tokio::test]
async fn rumqttc_reaches_the_front_with_our_aws_configuration() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let front = front::start_front(&broker).await;
    let (ours, mut ours_events) =
        Client::spawn(front::through_front(&pki, &front, "ours-aws")).unwrap();
    let name = front::username("peer-aws");
    let config = iot_tls::aws::config("peer-aws")
        .with_username(&name)
        .with_password(TOKEN);
    let peer_options =
        iot_tls::rumqttc::options(&config, &front::front_tls(&pki), front.local_addr().port())
            .unwrap();
    let (peer, peer_events) = support::rumqttc(peer_options);
    exchange(&ours, &mut ours_events, &peer, peer_events).await;
}

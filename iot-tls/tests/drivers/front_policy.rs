//! The front's policy hook, in front of mosquitto: the authorizer sees each CONNECT's user
//! name, password, client id and SNI, and the policy it returns holds the connection to its
//! topics. A PUBLISH outside it closes the connection, as AWS IoT does; so does a SUBSCRIBE.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use iot_tls::aws;
use iot_tls::front::{
    AuthRequest, ConnectionPolicy, Front, PolicyAuthorizer, Refusal, RunningFront,
};
use iot_tls::session::Config;

use crate::front::{ENDPOINT, TOKEN, front_tls, username};
use crate::pki::{KeyKind, Pki};
use crate::support::{self, Mosquitto, PATIENCE, RumqttcEvents};

/// What the authorizer was asked: `(user, password, client id, SNI)`.
type Asked = Arc<Mutex<Vec<(String, Vec<u8>, String, Option<String>)>>>;

/// Admits the token, with a policy of the client's own `dev/<client id>/` topics.
struct OwnTopics(Asked);

/// Publishes (not retained) and subscribes under `dev/<client id>/` only.
struct Own(String);

impl ConnectionPolicy for Own {
    fn may_publish(&self, topic: &str, retain: bool) -> bool {
        !retain && topic.starts_with(&self.0)
    }

    fn may_subscribe(&self, filter: &str) -> bool {
        filter.starts_with(&self.0)
    }
}

impl PolicyAuthorizer for OwnTopics {
    fn admit(&self, request: &AuthRequest<'_>) -> Option<Arc<dyn ConnectionPolicy>> {
        self.0.lock().unwrap().push((
            request
                .username()
                .map(|name| name.name().to_owned())
                .unwrap_or_default(),
            request.password().unwrap_or_default().to_vec(),
            request.client_id().to_owned(),
            request.server_name().map(str::to_owned),
        ));
        (request.password() == Some(TOKEN)).then(|| {
            Arc::new(Own(format!("dev/{}/", request.client_id()))) as Arc<dyn ConnectionPolicy>
        })
    }
}

async fn start(broker: &Mosquitto, asked: &Asked) -> RunningFront {
    let refuse_all = |_: &AuthRequest<'_>| false;
    Front::new(
        ENDPOINT,
        broker.identity.chain[..2].to_vec(),
        broker.identity.key.clone_key(),
        SocketAddr::from(([127, 0, 0, 1], broker.plain_port)),
        refuse_all,
    )
    .unwrap()
    .with_policy_authorizer(OwnTopics(Arc::clone(asked)))
    .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
    .await
    .unwrap()
}

async fn next(events: &mut RumqttcEvents) -> Result<rumqttc::Event, rumqttc::ConnectionError> {
    tokio::time::timeout(PATIENCE, events.recv())
        .await
        .expect("an event in time")
        .expect("rumqttc's loop runs")
}

/// Waits for the connection to end, skipping other events.
async fn closed(events: &mut RumqttcEvents) {
    while next(events).await.is_ok() {}
}

/// Waits for a message on the connection.
async fn received(events: &mut RumqttcEvents) -> rumqttc::Publish {
    loop {
        if let rumqttc::Event::Incoming(rumqttc::Packet::Publish(publish)) =
            next(events).await.expect("the connection stays up")
        {
            return publish;
        }
    }
}

async fn refusal(front: &mut tokio::sync::broadcast::Receiver<Refusal>) -> Refusal {
    tokio::time::timeout(PATIENCE, front.recv())
        .await
        .expect("a refusal in time")
        .expect("the front runs")
}

#[tokio::test]
async fn the_front_enforces_the_policy_its_authorizer_returns() {
    let pki = Pki::new(KeyKind::Rsa);
    let broker = Mosquitto::start(&pki);
    let asked = Asked::default();
    let front = start(&broker, &asked).await;
    let mut refusals = front.refusals();
    let port = front.local_addr().port();
    let name = username("kitchen");
    let config = aws::config("kitchen")
        .with_username(&name)
        .with_password(TOKEN);
    let connect = |config: &Config<'_>| {
        support::rumqttc(iot_tls::rumqttc::options(config, &front_tls(&pki), port).unwrap())
    };

    // inside the policy: subscribe and publish round trip through mosquitto
    let (client, mut events) = connect(&config);
    client
        .subscribe("dev/kitchen/#", rumqttc::QoS::AtLeastOnce)
        .await
        .unwrap();
    client
        .publish("dev/kitchen/state", rumqttc::QoS::AtLeastOnce, false, "ON")
        .await
        .unwrap();
    let publish = received(&mut events).await;
    assert_eq!(publish.topic, "dev/kitchen/state");
    assert_eq!(
        asked.lock().unwrap()[0],
        (
            "kitchen".to_owned(),
            TOKEN.to_vec(),
            "kitchen".to_owned(),
            Some(ENDPOINT.to_owned())
        )
    );

    // a publish outside the policy disconnects
    client
        .publish("dev/garage/state", rumqttc::QoS::AtMostOnce, false, "ON")
        .await
        .unwrap();
    assert_eq!(
        refusal(&mut refusals).await,
        Refusal::NotPermitted {
            client_id: "kitchen".into(),
            action: "publish",
            topic: "dev/garage/state".into()
        }
    );
    closed(&mut events).await;

    // so does a retained publish the policy does not grant, and a subscription outside it
    let (client, mut events) = connect(&config);
    client
        .publish("dev/kitchen/state", rumqttc::QoS::AtMostOnce, true, "ON")
        .await
        .unwrap();
    assert!(matches!(
        refusal(&mut refusals).await,
        Refusal::NotPermitted {
            action: "publish",
            ..
        }
    ));
    closed(&mut events).await;
    let (client, mut events) = connect(&config);
    client
        .subscribe("dev/#", rumqttc::QoS::AtMostOnce)
        .await
        .unwrap();
    assert_eq!(
        refusal(&mut refusals).await,
        Refusal::NotPermitted {
            client_id: "kitchen".into(),
            action: "subscribe",
            topic: "dev/#".into()
        }
    );
    closed(&mut events).await;

    // a refused password never reaches the broker
    let wrong = Config::new("intruder")
        .with_limits(aws::LIMITS)
        .with_keep_alive(60)
        .with_username(&name)
        .with_password(b"wrong");
    let (_client, mut events) = connect(&wrong);
    assert_eq!(
        refusal(&mut refusals).await,
        Refusal::NotAuthorized {
            client_id: "intruder".into()
        }
    );
    closed(&mut events).await;
}

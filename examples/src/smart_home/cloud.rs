//! The stand-in for AWS IoT Core: an embedded rumqttd broker on loopback behind iot-tls's
//! TLS front (SNI, ALPN `mqtt`, custom authorizer), with certificates generated at start.
//!
//! The authorizer is provisioned through the AWS emulator (IoT and Lambda control planes,
//! [`provision`]), and the front asks ha-aws's custom authorizer about every CONNECT
//! ([`Access`]), then holds each device to the policy it returned.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use std::sync::Arc;

use ha_aws::iot::{
    AuthorizerRequest, DeviceKey, DeviceSetup, IotAccount, Password, Passwords, Policy,
    ProvisionPlan, Provisioner,
};
use iot_tls::front::{
    AuthRequest, ConnectionPolicy, Front, PolicyAuthorizer, RunningFront, Unrestricted,
};
use iot_tls::tls::TrustAnchors;
use iot_tls::tls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

use crate::Error;

/// A certificate authority made at start, and the endpoint's certificate it signed.
pub struct Pki {
    root: CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    key: Vec<u8>,
}

impl Pki {
    /// A fresh P-256 root and a leaf for `endpoint`.
    ///
    /// # Errors
    ///
    /// [`Error::Certificate`] when rcgen fails.
    pub fn generate(endpoint: &str) -> Result<Self, Error> {
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.distinguished_name
            .push(DnType::CommonName, "smart_home demo root");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let root = CertifiedIssuer::self_signed(ca, KeyPair::generate()?)?;

        let mut leaf = CertificateParams::new(vec![endpoint.to_owned()])?;
        leaf.distinguished_name.push(DnType::CommonName, endpoint);
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_key = KeyPair::generate()?;
        let leaf = leaf.signed_by(&leaf_key, &root)?;
        Ok(Self {
            root: root.der().clone(),
            chain: vec![leaf.der().clone(), root.der().clone()],
            key: leaf_key.serialize_der(),
        })
    }

    /// The root, as the clients' trust anchors.
    ///
    /// # Errors
    ///
    /// [`Error::IotTls`] when iot-tls cannot read the root (it can).
    pub fn anchors(&self) -> Result<TrustAnchors, Error> {
        let mut anchors = TrustAnchors::new();
        anchors.add_der(&self.root).map_err(iot_tls::Error::from)?;
        Ok(anchors)
    }
}

/// The ARN of the authorizer function the demo provisions (it runs in process: [`Access`]).
pub const AUTHORIZER_FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:TasmotaAuth";

/// What provisioning through the emulator gave: the endpoint, the changes made, each device's
/// set-up, and the authorizer's key.
pub struct Provisioned {
    /// The `iot:Data-ATS` endpoint.
    pub endpoint: String,
    /// The changes provisioning made, as it describes them.
    pub changes: Vec<String>,
    /// Each device's set-up (its Backlog), by device topic.
    pub devices: Vec<(String, DeviceSetup)>,
    /// The key the devices' passwords derive from (the function's `DEVICE_KEY`).
    pub key: DeviceKey,
}

/// Provisions the custom authorizer on the AWS emulator, as `tasmota_aws_setup` does on AWS,
/// and makes each device of `topics` its own Backlog.
///
/// # Errors
///
/// [`Error::Aws`] when a call fails, [`Error::Tasmota`] when a Backlog cannot be encoded.
pub async fn provision(topics: &[String]) -> Result<Provisioned, Error> {
    let emulator = ha_aws::emulator::Emulator::start().await;
    let plan = ProvisionPlan::new(AUTHORIZER_FUNCTION)?;
    let provisioned = Provisioner::new(&emulator.session().await)
        .apply(&plan)
        .await?;
    let key = DeviceKey::generate()?;
    let devices = topics
        .iter()
        .map(|topic| {
            (
                topic.clone(),
                provisioned.device(topic, key.password(topic)),
            )
        })
        .collect();
    Ok(Provisioned {
        endpoint: provisioned.endpoint().to_owned(),
        changes: provisioned
            .changes()
            .iter()
            .map(ToString::to_string)
            .collect(),
        devices,
        key,
    })
}

/// Who the front admits: devices through ha-aws's custom authorizer (per-device passwords,
/// each held to its own topics), and the hub with its own password and no topic limits (on
/// AWS a hub would use IAM credentials or a policy of its own).
pub struct Access {
    /// The devices' authorizer.
    pub devices: ha_aws::iot::Authorizer,
    /// The hub's user name (before `?`).
    pub hub_user: String,
    /// The hub's password.
    pub hub_password: Passwords,
}

impl Access {
    /// The demo's access: per-device passwords from `key`, with the discovery topics the
    /// simulated devices publish, and the hub `hub_user` with `hub_password`.
    ///
    /// # Errors
    ///
    /// [`Error::Aws`] when the account of [`AUTHORIZER_FUNCTION`] is refused (it is not).
    pub fn new(key: DeviceKey, hub_user: &str, hub_password: &str) -> Result<Self, Error> {
        let account = IotAccount::from_function_arn(AUTHORIZER_FUNCTION)?;
        Ok(Self {
            devices: ha_aws::iot::Authorizer::new(Passwords::per_device(key), account)
                .with_discovery(true),
            hub_user: hub_user.to_owned(),
            hub_password: Passwords::shared(Password::new(hub_password)),
        })
    }
}

impl PolicyAuthorizer for Access {
    fn admit(&self, request: &AuthRequest<'_>) -> Option<Arc<dyn ConnectionPolicy>> {
        let user = request.username().map(|name| name.name());
        let password = request.password().unwrap_or_default();
        if user == Some(self.hub_user.as_str()) {
            return self
                .hub_password
                .accepts(&self.hub_user, password)
                .then(|| Arc::new(Unrestricted) as Arc<dyn ConnectionPolicy>);
        }
        let asked = AuthorizerRequest::from_mqtt(
            user,
            request.password(),
            request.client_id(),
            request.server_name(),
        );
        match self.devices.decide(&asked) {
            Ok(grant) => {
                tracing::info!(
                    device = grant.device(),
                    client_id = grant.client_id(),
                    "cloud: custom authorizer admitted a device"
                );
                Some(Arc::new(DevicePolicy(grant.policy().clone())))
            }
            Err(refusal) => {
                tracing::info!(%refusal, "cloud: custom authorizer refused a client");
                None
            }
        }
    }
}

/// A device's policy, as the custom authorizer returned it.
struct DevicePolicy(Policy);

impl ConnectionPolicy for DevicePolicy {
    fn may_publish(&self, topic: &str, retain: bool) -> bool {
        if retain {
            self.0.allows_retained_publish(topic)
        } else {
            self.0.allows_publish(topic)
        }
    }

    fn may_subscribe(&self, filter: &str) -> bool {
        self.0.allows_subscribe(filter)
    }
}

/// The broker and its front, running.
pub struct Cloud {
    front: RunningFront,
    broker: SocketAddr,
}

impl Cloud {
    /// Starts rumqttd on a free loopback port (plain MQTT, anonymous) and the TLS front for
    /// `endpoint` on another, admitting the clients `access` admits and holding each to its
    /// policy.
    ///
    /// rumqttd runs on its own threads and has no way to stop: it ends with the process.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when no port is free or the broker does not come up,
    /// [`Error::IotTls`] when the front refuses the certificate.
    pub async fn start(pki: &Pki, endpoint: &str, access: Access) -> Result<Self, Error> {
        let broker = start_broker()?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key.clone()));
        let refuse_all = |_: &AuthRequest<'_>| false;
        let front = Front::new(endpoint, pki.chain.clone(), key, broker, refuse_all)?
            .with_policy_authorizer(access)
            .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await?;
        tracing::info!(front = %front.local_addr(), %broker, %endpoint, "cloud: AWS-IoT-like TLS front in front of rumqttd");
        Ok(Self { front, broker })
    }

    /// Where the front listens (the "port 443" of the endpoint).
    pub fn front_addr(&self) -> SocketAddr {
        self.front.local_addr()
    }

    /// Where rumqttd listens (plain MQTT; only the front talks to it).
    pub fn broker_addr(&self) -> SocketAddr {
        self.broker
    }

    /// The front, to watch its refusals.
    pub fn front(&self) -> &RunningFront {
        &self.front
    }
}

fn start_broker() -> Result<SocketAddr, Error> {
    // rumqttd binds by itself and does not tell its port: take a free one and hand it over.
    let listen = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|probe| probe.local_addr())
        .map_err(Error::io("finding a free port for the broker"))?;
    let server = rumqttd::ServerSettings {
        name: "v4-loopback".to_owned(),
        listen,
        tls: None,
        next_connection_delay_ms: 1,
        connections: rumqttd::ConnectionSettings {
            connection_timeout_ms: 5000,
            max_payload_size: 128 * 1024,
            max_inflight_count: 100,
            auth: None,
            external_auth: None,
            dynamic_filters: true,
        },
    };
    let config = rumqttd::Config {
        id: 0,
        router: rumqttd::RouterConfig {
            max_connections: 100,
            max_outgoing_packet_count: 200,
            max_segment_size: 1024 * 1024,
            max_segment_count: 10,
            ..rumqttd::RouterConfig::default()
        },
        v4: Some(HashMap::from([("1".to_owned(), server)])),
        ..rumqttd::Config::default()
    };
    std::thread::Builder::new()
        .name("rumqttd".to_owned())
        .spawn(move || {
            let mut broker = rumqttd::Broker::new(config);
            if let Err(error) = broker.start() {
                tracing::error!(%error, "rumqttd stopped");
            }
        })
        .map_err(Error::io("starting the broker thread"))?;
    // Wait until rumqttd holds the port: binding it fails then. (Connecting to find out would
    // make rumqttd log a client that left without a CONNECT.)
    let started = Instant::now();
    while TcpListener::bind(listen).is_ok() {
        if started.elapsed() > Duration::from_secs(10) {
            return Err(Error::Timeout {
                waiting_for: format!("rumqttd to listen on {listen}"),
                after: started.elapsed(),
            });
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(listen)
}

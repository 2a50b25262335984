//! The stand-in for AWS IoT Core: an embedded rumqttd broker on loopback behind iot-tls's
//! TLS front (SNI, ALPN `mqtt`, custom authorizer), with certificates generated at start.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use iot_tls::front::{AuthRequest, Front, RunningFront};
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

/// The credentials the custom authorizer accepts: the authorizer's name, the password.
#[derive(Clone)]
pub struct Authorizer {
    /// The custom authorizer's name (`x-amz-customauthorizer-name`).
    pub name: String,
    /// The password the devices send.
    pub password: String,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("name", &self.name)
            .field("password", &"***")
            .finish()
    }
}

/// The broker and its front, running.
pub struct Cloud {
    front: RunningFront,
    broker: SocketAddr,
}

impl Cloud {
    /// Starts rumqttd on a free loopback port (plain MQTT, anonymous) and the TLS front for
    /// `endpoint` on another, admitting the clients that name `authorizer` with its password.
    ///
    /// rumqttd runs on its own threads and has no way to stop: it ends with the process.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when no port is free or the broker does not come up,
    /// [`Error::IotTls`] when the front refuses the certificate.
    pub async fn start(pki: &Pki, endpoint: &str, authorizer: Authorizer) -> Result<Self, Error> {
        let broker = start_broker()?;
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pki.key.clone()));
        let authorize = move |request: &AuthRequest<'_>| {
            let named = request
                .username()
                .and_then(|name| name.authorizer())
                .is_some_and(|name| name == authorizer.name.as_str());
            named && request.password() == Some(authorizer.password.as_bytes())
        };
        let front = Front::new(endpoint, pki.chain.clone(), key, broker, authorize)?
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

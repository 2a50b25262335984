//! The `iot-tls` tokio client against rumqttc with rustls, both over TLS to the same local
//! mosquitto, measured in the same run.
//!
//! - **QoS 1 publish throughput**: each client publishes batches of 64-byte QoS 1 messages over
//!   a connection it keeps, and a batch ends when the broker has acknowledged every message. Both
//!   keep at most 32 messages in flight (our client's `SLOTS`; rumqttc is set to the same) and
//!   use the same rustls configuration (ring provider, TLS 1.3, the same trust anchor).
//! - **Peak heap**: each client, on a current-thread runtime so that the per-thread counting
//!   allocator sees all of it, connects, publishes 1,000 QoS 1 messages, waits for their
//!   acknowledgements and disconnects. Ours twice: with its default options (4 KiB buffers,
//!   queues of 64) and with buffers and queues sized for the workload's 64-byte messages.
//! - **Connect time with each crypto provider**: TCP connect, the TLS 1.3 handshake (X25519, an
//!   ECDSA P-256 chain of root, intermediate and leaf) and CONNECT/CONNACK, with rustls's ring
//!   provider and with this crate's pure-Rust RustCrypto provider.
//!
//! After criterion's report the bench prints the ratios: rumqttc's time per message over ours
//! (above 1: ours is faster), our peak heap over rumqttc's (below 1/3 is the goal), and the
//! RustCrypto connect time over ring's.
//!
//! Needs `mosquitto` on the PATH (Debian: `apt-get install mosquitto`; `.ci/check` installs it).
//!
//! Run: `cargo bench -p benches --bench iot_tls_client`

#![expect(
    clippy::print_stdout,
    reason = "the bench prints its ratios and heap figures"
)]

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use iot_tls::codec::Qos;
use iot_tls::crypto::{EntropyError, EntropySource, RustCrypto};
use iot_tls::session::Config;
use iot_tls::tls::{Alpn, MAX_RECORD_LEN, RecordPolicy, TlsConfig, TrustAnchors};
use iot_tls::tokio::{Client, Event, Events, Message, Options, SLOTS};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio::runtime::Runtime;
use tokio::sync::watch;

/// Messages per timed batch.
const BATCH: u64 = 500;
/// Messages in the heap measurement.
const HEAP_MESSAGES: u64 = 1000;
/// The payload of every message.
static PAYLOAD: [u8; 64] = [0x5a; 64];
/// The name on the broker's certificate; it resolves, as rumqttc connects to it.
const HOST: &str = "localhost";
/// How long anything may take before the bench gives up.
const PATIENCE: Duration = Duration::from_secs(30);

/// (total time, iterations) per measured case, across every criterion call.
static TIMES: Mutex<BTreeMap<&'static str, (Duration, u64)>> = Mutex::new(BTreeMap::new());

fn record(key: &'static str, elapsed: Duration, iters: u64) {
    let mut times = TIMES.lock().expect("not poisoned");
    let entry = times.entry(key).or_default();
    entry.0 += elapsed;
    entry.1 += iters;
}

/// The operating system's random generator, for the RustCrypto provider.
struct OsEntropy;

impl EntropySource for OsEntropy {
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
        getrandom::fill(dest).map_err(|_| EntropyError)
    }
}

static RUSTCRYPTO: RustCrypto = RustCrypto::new(&OsEntropy);

/// mosquitto with an anonymous TLS listener on a free loopback port; killed on drop.
struct Mosquitto {
    child: Child,
    port: u16,
    /// The root the broker's chain leads to.
    root: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl Mosquitto {
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (root, chain, key) = ecdsa_chain();
        let path = |name: &str| dir.path().join(name);
        std::fs::write(path("chain.pem"), chain).expect("write the chain");
        std::fs::write(path("key.pem"), key).expect("write the key");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free loopback port")
            .port();
        let root_user = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
        let config = format!(
            "{user}persistence false\nlog_dest stderr\nlog_type error\nmax_queued_messages 100000\n\
             set_tcp_nodelay true\nlistener {port} 127.0.0.1\nallow_anonymous true\n\
             certfile {chain}\nkeyfile {key}\n",
            user = if root_user { "user root\n" } else { "" },
            chain = path("chain.pem").display(),
            key = path("key.pem").display(),
        );
        std::fs::write(path("mosquitto.conf"), config).expect("write the configuration");
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(path("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `mosquitto` ({e}): install it (Debian: `apt-get install \
                     mosquitto`; `.ci/check` installs it)"
                )
            });
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            port,
            root,
            _dir: dir,
        }
    }

    /// TLS to this broker with `provider`.
    fn tls(&self, provider: rustls::crypto::CryptoProvider) -> TlsConfig {
        let mut anchors = TrustAnchors::new();
        anchors.add_der(&self.root).expect("the root parses");
        TlsConfig::builder(HOST, anchors)
            .alpn(Alpn::None)
            .provider(Arc::new(provider))
            .build()
            .expect("a TLS configuration")
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An ECDSA P-256 root, intermediate and leaf for [`HOST`]: the root's DER, the leaf and
/// intermediate as PEM, the leaf's key as PEM.
fn ecdsa_chain() -> (Vec<u8>, String, String) {
    let ca = |name: &str| {
        let mut params = CertificateParams::new(Vec::new()).expect("CA parameters");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params
    };
    let root_key = KeyPair::generate().expect("a root key");
    let root = ca("bench root").self_signed(&root_key).expect("the root");
    let root_issuer = Issuer::new(ca("bench root"), root_key);
    let intermediate_key = KeyPair::generate().expect("an intermediate key");
    let intermediate = ca("bench intermediate")
        .signed_by(&intermediate_key, &root_issuer)
        .expect("the intermediate");
    let intermediate_issuer = Issuer::new(ca("bench intermediate"), intermediate_key);
    let mut leaf = CertificateParams::new(vec![HOST.to_owned()]).expect("leaf parameters");
    leaf.distinguished_name.push(DnType::CommonName, HOST);
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().expect("a leaf key");
    let leaf = leaf
        .signed_by(&leaf_key, &intermediate_issuer)
        .expect("the leaf");
    (
        root.der().to_vec(),
        format!("{}{}", leaf.pem(), intermediate.pem()),
        leaf_key.serialize_pem(),
    )
}

/// Our client with its default options, connected.
async fn ours_connected(broker: &Mosquitto, id: &str) -> (Client, Events) {
    let options = Options::new("127.0.0.1", broker.port, id)
        .with_tls(broker.tls(rustls::crypto::ring::default_provider()));
    ours_connected_with(options).await
}

/// Our client with buffers and queues sized for this workload's 64-byte messages (1 KiB
/// records out, a 2 KiB receive buffer that grows for larger records), connected.
async fn ours_sized_connected(broker: &Mosquitto, id: &str) -> (Client, Events) {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(&broker.root).expect("the root parses");
    let tls = TlsConfig::builder(HOST, anchors)
        .alpn(Alpn::None)
        .provider(Arc::new(rustls::crypto::ring::default_provider()))
        .max_outgoing_record(1024)
        .build()
        .expect("a TLS configuration");
    let options = Options::new("127.0.0.1", broker.port, id)
        .with_tls(tls)
        .with_record_policy(RecordPolicy::Grow {
            initial: 2048,
            max: MAX_RECORD_LEN,
        })
        .with_buffers(1024, 2048, 1024)
        .with_queue(SLOTS)
        .with_events(4);
    ours_connected_with(options).await
}

async fn ours_connected_with(options: Options) -> (Client, Events) {
    let (client, mut events) = Client::spawn(options).expect("our client starts");
    connected(&mut events).await;
    (client, events)
}

/// Waits for our client's CONNACK.
async fn connected(events: &mut Events) {
    loop {
        match tokio::time::timeout(PATIENCE, events.recv()).await {
            Ok(Some(Event::Connected { .. })) => return,
            Ok(Some(Event::Disconnected { reason, error, .. })) => {
                panic!("our client could not connect: {reason} {error:?}")
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => panic!("our client did not connect"),
        }
    }
}

/// Publishes `count` QoS 1 messages with our client and waits for every acknowledgement.
async fn ours_publish(client: &Client, count: u64) {
    for _ in 0..count {
        let permit = client.reserve().await.expect("the client runs");
        permit
            .publish(
                Message::new("bench/ours", bytes::Bytes::from_static(&PAYLOAD))
                    .with_qos(Qos::AtLeastOnce),
            )
            .expect("queued");
    }
    client.flush().await.expect("acknowledged");
}

/// rumqttc with rustls, configured from the same TLS configuration by
/// `iot_tls::rumqttc::options`, with our client's in-flight window; its event loop runs in a
/// task that counts PUBACKs.
async fn rumqttc_connected(broker: &Mosquitto, id: &str) -> (rumqttc::AsyncClient, Acks) {
    let tls = broker.tls(rustls::crypto::ring::default_provider());
    let mut options =
        iot_tls::rumqttc::options(&Config::new(id), &tls, broker.port).expect("rumqttc options");
    options.set_inflight(u16::try_from(SLOTS).expect("a small window"));
    let (client, mut eventloop) = rumqttc::AsyncClient::new(options, 64);
    let (connected_tx, mut connected_rx) = watch::channel(false);
    let (acked_tx, acked_rx) = watch::channel(0u64);
    tokio::spawn(async move {
        loop {
            match eventloop.poll().await {
                Ok(rumqttc::Event::Incoming(rumqttc::Packet::ConnAck(_))) => {
                    let _ = connected_tx.send(true);
                }
                Ok(rumqttc::Event::Incoming(rumqttc::Packet::PubAck(_))) => {
                    acked_tx.send_modify(|acked| *acked += 1);
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    tokio::time::timeout(PATIENCE, connected_rx.wait_for(|connected| *connected))
        .await
        .expect("rumqttc connects in time")
        .expect("rumqttc connects");
    (client, Acks(acked_rx))
}

/// The number of PUBACKs rumqttc has received.
struct Acks(watch::Receiver<u64>);

/// Publishes `count` QoS 1 messages with rumqttc and waits for every acknowledgement.
async fn rumqttc_publish(client: &rumqttc::AsyncClient, acks: &mut Acks, count: u64) {
    let target = *acks.0.borrow() + count;
    for _ in 0..count {
        client
            .publish(
                "bench/rumqttc",
                rumqttc::QoS::AtLeastOnce,
                false,
                &PAYLOAD[..],
            )
            .await
            .expect("rumqttc runs");
    }
    tokio::time::timeout(PATIENCE, acks.0.wait_for(|acked| *acked >= target))
        .await
        .expect("acknowledged in time")
        .expect("rumqttc runs");
}

/// A current-thread runtime: everything a client allocates happens on the calling thread.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

fn throughput(c: &mut Criterion, broker: &Mosquitto) {
    let mut group = c.benchmark_group("qos1_publish");
    group.throughput(Throughput::Elements(BATCH));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));

    let rt = runtime();
    let (ours, _events) = rt.block_on(ours_connected(broker, "bench-ours"));
    group.bench_function("iot_tls", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            rt.block_on(async {
                for _ in 0..iters {
                    ours_publish(&ours, BATCH).await;
                }
            });
            let elapsed = start.elapsed();
            record("publish/iot_tls", elapsed, iters * BATCH);
            elapsed
        });
    });
    rt.block_on(ours.disconnect());

    let (theirs, mut acks) = rt.block_on(rumqttc_connected(broker, "bench-rumqttc"));
    group.bench_function("rumqttc", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            rt.block_on(async {
                for _ in 0..iters {
                    rumqttc_publish(&theirs, &mut acks, BATCH).await;
                }
            });
            let elapsed = start.elapsed();
            record("publish/rumqttc", elapsed, iters * BATCH);
            elapsed
        });
    });
    rt.block_on(async { theirs.disconnect().await.ok() });
    group.finish();
}

fn connect_time(c: &mut Criterion, broker: &Mosquitto) {
    let mut group = c.benchmark_group("connect");
    group.sample_size(20);
    let rt = runtime();
    let providers = [
        (
            "ring",
            "connect/ring",
            rustls::crypto::ring::default_provider(),
        ),
        ("rustcrypto", "connect/rustcrypto", RUSTCRYPTO.provider()),
    ];
    for (name, key, provider) in providers {
        let tls = broker.tls(provider);
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let options = Options::new("127.0.0.1", broker.port, "bench-connect")
                        .with_tls(tls.clone());
                    rt.block_on(async {
                        let start = Instant::now();
                        let (client, mut events) = Client::spawn(options).expect("client");
                        connected(&mut events).await;
                        total += start.elapsed();
                        client.disconnect().await;
                    });
                }
                record(key, total, iters);
                total
            });
        });
    }
    group.finish();
}

/// Peak heaps of whole client runs (connect, [`HEAP_MESSAGES`] QoS 1 messages, disconnect):
/// ours with its default options, ours sized for the workload, rumqttc; and ours sized,
/// connecting and disconnecting only. Each runs once unmeasured first, so that the runtime's
/// lazily allocated parts (I/O driver slabs, timer wheel) count against none of them.
fn peak_heaps(broker: &Mosquitto) -> [u64; 4] {
    let rt = runtime();
    let ours_with = |sized: bool, messages: u64| {
        rt.block_on(async {
            let (client, _events) = if sized {
                ours_sized_connected(broker, "heap-ours").await
            } else {
                ours_connected(broker, "heap-ours").await
            };
            ours_publish(&client, messages).await;
            client.disconnect().await;
        });
    };
    let ours = |sized: bool| ours_with(sized, HEAP_MESSAGES);
    let theirs = || {
        rt.block_on(async {
            let (client, mut acks) = rumqttc_connected(broker, "heap-rumqttc").await;
            rumqttc_publish(&client, &mut acks, HEAP_MESSAGES).await;
            client.disconnect().await.ok();
            // Let the event loop see the disconnect and end.
            tokio::time::sleep(Duration::from_millis(50)).await;
        });
    };
    ours(false);
    ours(true);
    theirs();
    [
        allocation_counter::measure(|| ours(false)).bytes_max,
        allocation_counter::measure(|| ours(true)).bytes_max,
        allocation_counter::measure(theirs).bytes_max,
        allocation_counter::measure(|| ours_with(true, 0)).bytes_max,
    ]
}

/// Mean time per unit of `key`.
fn mean(key: &str) -> Option<Duration> {
    let times = TIMES.lock().expect("not poisoned");
    let &(total, count) = times.get(key)?;
    (count > 0).then(|| total / u32::try_from(count).unwrap_or(u32::MAX))
}

#[expect(
    clippy::cast_precision_loss,
    reason = "heap sizes are far below 2^52 bytes"
)]
fn report(heaps: [u64; 4]) {
    println!("\niot_tls_client, mosquitto over TLS on loopback, one run:");
    if let (Some(ours), Some(theirs)) = (mean("publish/iot_tls"), mean("publish/rumqttc")) {
        println!(
            "  QoS 1 publish: iot-tls {:.0} msg/s, rumqttc {:.0} msg/s; rumqttc time / iot-tls \
             time = {:.2} (above 1: iot-tls is faster)",
            1.0 / ours.as_secs_f64(),
            1.0 / theirs.as_secs_f64(),
            theirs.as_secs_f64() / ours.as_secs_f64()
        );
    }
    let [ours, sized, theirs, connecting] = heaps;
    println!(
        "  peak heap over {HEAP_MESSAGES} QoS 1 messages: iot-tls {ours} B with default options, \
         {sized} B sized for 64-byte messages; rumqttc {theirs} B; iot-tls / rumqttc = {:.2} \
         and {:.2} (goal: at most 0.33)",
        ours as f64 / theirs as f64,
        sized as f64 / theirs as f64
    );
    println!(
        "  peak heap of connecting alone (TLS handshake, CONNACK, DISCONNECT), sized: {connecting} \
         B = {:.2} of rumqttc's whole run",
        connecting as f64 / theirs as f64
    );
    if let (Some(ring), Some(rustcrypto)) = (mean("connect/ring"), mean("connect/rustcrypto")) {
        println!(
            "  connect (TCP, TLS 1.3 handshake, CONNACK): ring {ring:.2?}, RustCrypto \
             {rustcrypto:.2?}; RustCrypto / ring = {:.2}",
            rustcrypto.as_secs_f64() / ring.as_secs_f64()
        );
    }
}

fn main() {
    let broker = Mosquitto::start();
    let mut criterion = Criterion::default().configure_from_args();
    throughput(&mut criterion, &broker);
    connect_time(&mut criterion, &broker);
    let heaps = peak_heaps(&broker);
    criterion.final_summary();
    benches::RunMode::from_args().announce();
    report(heaps);
}

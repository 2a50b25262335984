//! The heap budget of the TLS client, measured with a counting allocator.
//!
//! Our client and a rustls server run on one thread through memory; only the client's calls are
//! measured (`allocation_counter::measure` around each), the server's run unmeasured. The server
//! presents a 5 KB RSA chain, like AWS IoT Core, and sends full 16 KiB records. The caller's
//! buffers (the growable receive buffer and the transmit buffer) are measured and reported
//! separately. The test fails when a budget is exceeded and prints the figures:
//!
//! ```text
//! cargo test -p iot-tls --all-features --test tls_memory -- --nocapture
//! ```

#[allow(
    dead_code,
    reason = "each test binary uses a different part of the shared support code"
)]
#[path = "tls_support/harness.rs"]
mod harness;
#[allow(
    dead_code,
    reason = "each test binary uses a different part of the shared support code"
)]
#[path = "tls_support/pki.rs"]
mod pki;

use std::io::Write as _;

use harness::{PROVIDERS, Provider, ServerSetup, client_config};
use iot_tls::tls::{Alpn, TlsClient, TlsError, TlsEvent};
use pki::{KeyKind, Pki, Validity};
use rustls::{ProtocolVersion, ServerConnection, SupportedProtocolVersion};

/// Client heap between messages, after the handshake.
const STEADY_BUDGET: i64 = 16 * 1024;
/// Client heap at any point of the handshake.
const HANDSHAKE_BUDGET: i64 = 28 * 1024;
/// Client heap at any point, full-size records included.
const CEILING: i64 = 40 * 1024;
// The steady and handshake budgets also hold with the caller's buffers counted in.

/// Bytes live and the most seen, for one kind of allocation.
#[derive(Debug, Default, Clone, Copy)]
struct Account {
    live: i64,
    peak: i64,
}

/// Heap attributed to the client's calls and to the caller's buffers, measured call by call.
#[derive(Debug, Default)]
struct Heap {
    client: Account,
    buffers: Account,
    /// The most client and buffers held together.
    total_peak: i64,
}

impl Heap {
    fn client<R>(&mut self, run: impl FnOnce() -> R) -> R {
        self.measure(true, run)
    }

    fn buffers<R>(&mut self, run: impl FnOnce() -> R) -> R {
        self.measure(false, run)
    }

    fn measure<R>(&mut self, client: bool, run: impl FnOnce() -> R) -> R {
        let mut out = None;
        let info = allocation_counter::measure(|| out = Some(run()));
        let before = self.client.live + self.buffers.live;
        let peak = i64::try_from(info.bytes_max).expect("fits");
        let account = if client {
            &mut self.client
        } else {
            &mut self.buffers
        };
        account.peak = account.peak.max(account.live + peak);
        account.live += info.bytes_current;
        self.total_peak = self.total_peak.max(before + peak);
        out.expect("the closure ran")
    }

    /// Starts a new phase: peaks restart from what is live now.
    fn new_phase(&mut self) {
        self.client.peak = self.client.live;
        self.buffers.peak = self.buffers.live;
        self.total_peak = self.client.live + self.buffers.live;
    }
}

/// One measured connection: a client under the meter and an unmeasured rustls server.
struct Session {
    heap: Heap,
    tls: TlsClient<'static>,
    tx: Vec<u8>,
    server: ServerConnection,
    received: usize,
}

enum Action {
    Transmit(usize),
    Continue,
    NeedData,
}

impl Session {
    /// Runs the client until it waits for data the server does not have.
    fn pump(&mut self) -> Result<(), TlsError> {
        loop {
            let Self {
                heap,
                tls,
                tx,
                received,
                ..
            } = self;
            let action = heap.client(|| -> Result<Action, TlsError> {
                Ok(match tls.process(tx)? {
                    TlsEvent::Transmit(n) => Action::Transmit(n),
                    TlsEvent::Plaintext(mut records) => {
                        while let Some(bytes) = records.next_record()? {
                            *received += bytes.len();
                        }
                        Action::Continue
                    }
                    TlsEvent::Connected => Action::Continue,
                    TlsEvent::NeedData | TlsEvent::PeerClosed | TlsEvent::Closed => {
                        Action::NeedData
                    }
                })
            })?;
            match action {
                Action::Transmit(n) => self.deliver(n),
                Action::Continue => {}
                Action::NeedData => {
                    // The driver's read: the buffer resizes here, then the transport fills it.
                    let tls = &mut self.tls;
                    let space = self.heap.buffers(move || tls.unfilled())?;
                    if !self.server.wants_write() {
                        return Ok(());
                    }
                    let n = self
                        .server
                        .write_tls(&mut &mut space[..])
                        .expect("server output");
                    let tls = &mut self.tls;
                    self.heap.buffers(move || tls.advance(n));
                }
            }
        }
    }

    fn deliver(&mut self, n: usize) {
        let mut bytes = &self.tx[..n];
        while !bytes.is_empty() {
            self.server.read_tls(&mut bytes).expect("server input");
            self.server
                .process_new_packets()
                .expect("server accepts the client");
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut self.server.reader(), &mut sink);
        }
    }

    fn client_send(&mut self, mut data: &[u8]) -> Result<(), TlsError> {
        while !data.is_empty() {
            let Self { heap, tls, tx, .. } = self;
            let out = heap.client(|| tls.encrypt(data, tx))?;
            self.deliver(out.written);
            data = &data[out.consumed..];
        }
        Ok(())
    }

    fn server_send(&mut self, data: &[u8]) -> Result<(), TlsError> {
        self.server.writer().write_all(data).expect("server write");
        self.pump()
    }
}

/// The figures of one scenario, in bytes.
#[derive(Debug)]
struct Figures {
    label: String,
    config: i64,
    new: i64,
    handshake_peak: i64,
    handshake_total: i64,
    steady: i64,
    steady_total: i64,
    traffic_peak: i64,
    full_record_peak: i64,
    steady_after_full_records: i64,
    rx_handshake: usize,
    rx_high_water: usize,
    rx_resting: usize,
    tx: usize,
    total_peak: i64,
}

fn measure_scenario(provider: Provider, version: &'static SupportedProtocolVersion) -> Figures {
    let pki = Pki::new(KeyKind::Rsa);
    let identity = pki.server(Validity::Current);
    assert!(identity.chain_len() >= 5_000, "a 5 KB chain");
    let mut setup = ServerSetup::new(identity);
    setup.versions = vec![version];
    let server_config = setup.build();

    let mut heap = Heap::default();
    let config = heap
        .client(|| {
            client_config(&pki, provider)
                .alpn(Alpn::AwsCustomAuth)
                .build()
        })
        .expect("config");
    // The configuration is shared by every connection: reported, not part of the client budget.
    let config_bytes = std::mem::take(&mut heap.client).live;
    heap.new_phase();

    let tx = heap.buffers(|| vec![0; config.max_outgoing_record()]);
    let tls = heap.client(|| TlsClient::new(&config)).expect("client");
    let new = heap.client.live;
    let mut session = Session {
        heap,
        tls,
        tx,
        server: ServerConnection::new(server_config).expect("server"),
        received: 0,
    };

    session.pump().expect("handshake");
    assert!(!session.tls.is_handshaking());
    let expected = if version == &rustls::version::TLS13 {
        ProtocolVersion::TLSv1_3
    } else {
        ProtocolVersion::TLSv1_2
    };
    assert_eq!(session.tls.protocol_version(), Some(expected));
    let handshake_peak = session.heap.client.peak;
    let handshake_total = session.heap.total_peak;
    let rx_handshake = session.tls.receive_buffer().high_water();
    let steady = session.heap.client.live;
    let steady_total = steady + session.heap.buffers.live;

    // MQTT-sized traffic both ways.
    session.heap.new_phase();
    for i in 0..50u8 {
        session.client_send(&[i; 200]).expect("send");
        session.server_send(&[i; 300]).expect("receive");
    }
    assert_eq!(session.received, 50 * 300);
    let traffic_peak = session.heap.client.peak;

    // The server sends 64 KiB at once: four full 16 KiB records.
    session.heap.new_phase();
    session
        .server_send(&vec![0x5a; 64 * 1024])
        .expect("full-size records");
    assert_eq!(session.received, 50 * 300 + 64 * 1024);
    let full_record_peak = session.heap.client.peak;
    let total_peak = session.heap.total_peak;
    let steady_after_full_records = session.heap.client.live;
    let rx_high_water = session.tls.receive_buffer().high_water();
    let rx_resting = session.tls.receive_buffer().capacity();

    let Session {
        mut heap, tls, tx, ..
    } = session;
    let tx_len = tx.len();
    // The receive buffer is at rest, so handing it back frees nothing of it.
    let rx = heap.client(move || tls.into_buffer());
    heap.buffers(move || {
        drop(rx);
        drop(tx);
    });
    assert_eq!(heap.client.live, 0, "the client frees all it allocated");
    assert_eq!(heap.buffers.live, 0, "the buffers free all they allocated");

    Figures {
        label: format!("{provider:?} {expected:?}"),
        config: config_bytes,
        new,
        handshake_peak,
        handshake_total,
        steady,
        steady_total,
        traffic_peak,
        full_record_peak,
        steady_after_full_records,
        rx_handshake,
        rx_high_water,
        rx_resting,
        tx: tx_len,
        total_peak,
    }
}

#[test]
#[expect(
    clippy::print_stdout,
    reason = "the test reports the figures it checks"
)]
fn client_heap_stays_within_budget() {
    let mut versions = vec![&rustls::version::TLS13];
    if cfg!(feature = "tls12") {
        versions.push(&rustls::version::TLS12);
    }
    let mut all = Vec::new();
    for provider in PROVIDERS {
        for version in &versions {
            all.push(measure_scenario(provider, version));
        }
    }

    println!("heap in bytes, 5 KB RSA chain, 16 KiB server records");
    println!(
        "client heap: config | new, handshake peak, steady, messages peak, 16 KiB peak, steady after"
    );
    println!("caller buffers: rx after handshake, rx max, rx resting, tx");
    println!("client + buffers: handshake peak, steady, 16 KiB peak");
    for f in &all {
        println!(
            "{:<19} {:>5} | {:>5} {:>6} {:>5} {:>5} {:>6} {:>5} | {:>5} {:>6} {:>5} {:>5} | {:>6} {:>6} {:>6}",
            f.label,
            f.config,
            f.new,
            f.handshake_peak,
            f.steady,
            f.traffic_peak,
            f.full_record_peak,
            f.steady_after_full_records,
            f.rx_handshake,
            f.rx_high_water,
            f.rx_resting,
            f.tx,
            f.handshake_total,
            f.steady_total,
            f.total_peak
        );
    }

    for f in &all {
        assert!(
            f.steady <= STEADY_BUDGET,
            "{}: steady {} > {STEADY_BUDGET}",
            f.label,
            f.steady
        );
        assert!(
            f.steady_after_full_records <= STEADY_BUDGET,
            "{}: steady after 16 KiB records {} > {STEADY_BUDGET}",
            f.label,
            f.steady_after_full_records
        );
        assert!(
            f.steady_total <= STEADY_BUDGET,
            "{}: steady with buffers {} > {STEADY_BUDGET}",
            f.label,
            f.steady_total
        );
        assert!(
            f.handshake_total <= HANDSHAKE_BUDGET,
            "{}: handshake peak with buffers {} > {HANDSHAKE_BUDGET}",
            f.label,
            f.handshake_total
        );
        assert!(
            f.handshake_peak <= HANDSHAKE_BUDGET,
            "{}: handshake peak {} > {HANDSHAKE_BUDGET}",
            f.label,
            f.handshake_peak
        );
        for peak in [f.handshake_peak, f.traffic_peak, f.full_record_peak] {
            assert!(peak <= CEILING, "{}: peak {peak} > {CEILING}", f.label);
        }
        assert_eq!(
            f.rx_resting,
            iot_tls::tls::DEFAULT_INITIAL_RECORD_BUFFER,
            "{}",
            f.label
        );
        assert!(
            f.rx_high_water <= iot_tls::tls::MAX_RECORD_LEN,
            "{}",
            f.label
        );
    }
}

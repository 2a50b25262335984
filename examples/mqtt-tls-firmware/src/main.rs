//! A bare-metal riscv32imac image for QEMU's `virt` machine that runs iot-tls's blocking driver
//! with the pure-Rust provider, through the UART, to an MQTT broker's TLS listener on the
//! host, and measures itself.
//!
//! One run: read the provisioning block ([`provisioning`]), open TLS (1.3 or 1.2, as the
//! broker chooses) and MQTT with user name and password, subscribe, publish at QoS 1, receive
//! the message back, disconnect. A handshake that stalls or a transport that drops is retried
//! (three attempts); a TLS failure (an unknown CA, a wrong host name) ends the run at once, as
//! retrying cannot mend it.
//!
//! The report goes out through semihosting, apart from the UART's TLS bytes, one `key=value`
//! per line after `fw: `; the exit status comes from the SiFive test finisher (see [`Exit`]).
//! Under `-icount shift=0`, `minstret` counts executed instructions, so the handshake's cost
//! is exact: only the driver's work is counted, not the polling while bytes are in flight,
//! neither between calls of the driver nor in the UART's wait loops inside them.
//!
//! Randomness is a fixed-seed generator for tests ([`entropy`]); certificate time comes from
//! the Goldfish RTC.

#![no_std]
#![no_main]

extern crate alloc;

mod board;
mod entropy;
mod provisioning;
mod usage;

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt::Display;
use core::sync::atomic::{AtomicBool, Ordering};
use core::time::Duration;

use iot_tls::blocking::Client;
use iot_tls::codec::{Message, Qos, Subscription};
use iot_tls::connection::Connection;
use iot_tls::crypto::{
    RustCrypto, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    TLS13_AES_128_GCM_SHA256,
};
use iot_tls::session::{Buffers, Config, DisconnectReason, Event, Session};
use iot_tls::tls::{Alpn, RecordBuffer, TlsConfig, TrustAnchors};
use iot_tls::{Backoff, Instant};
use riscv_semihosting::hprintln;
use rustls::crypto::CryptoProvider;

use crate::board::{Rtc, Uart};
use crate::entropy::SeededEntropy;
use crate::provisioning::{Provisioning, Versions};
use crate::usage::{HEAP, Sections};

/// Writes one `key=value` line of the report.
macro_rules! report {
    ($($arg:tt)*) => {
        hprintln!("fw: {}", format_args!($($arg)*))
    };
}

/// The test-only random source (see [`entropy`]) behind the provider.
static ENTROPY: SeededEntropy = SeededEntropy::new();
static CRYPTO: RustCrypto = RustCrypto::new(&ENTROPY);

/// The receive buffer's cap: the largest TLS record accepted. It holds the server's first
/// flight in one piece (AWS IoT's RSA chain is 3.5 to 5 KB); MQTT traffic here is far smaller.
const RECORD_CAP: usize = 6 * 1024;
/// The MQTT session's receive buffer and request store.
const SESSION_RX: usize = 1024;
const SESSION_STORE: usize = 1024;
/// The transmit buffer: one outgoing TLS record.
const TX: usize = 1024;
/// The session's receive buffer, request store, the transmit buffer and the TLS receive buffer.
type Buffers4 = (
    [u8; SESSION_RX],
    [u8; SESSION_STORE],
    [u8; TX],
    [u8; RECORD_CAP],
);
/// Connection attempts before giving up.
const ATTEMPTS: u32 = 3;
/// The whole connect (TLS handshake and CONNACK) must finish within this much virtual time:
/// under `-icount shift=0` a handshake takes 23 to 52 ms of it, plus the broker's answers.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(750);
/// The broker is on the same host: retry quickly.
const BACKOFF: Backoff = Backoff::new(Duration::from_millis(50), Duration::from_millis(200));
const PAYLOAD: &[u8] = b"hello from riscv32imac";
/// ESP32-C6's clock, for the projected handshake time.
const TARGET_HZ: u64 = 160_000_000;

/// The run's exit status (QEMU's exit code).
#[derive(Debug, Clone, Copy)]
#[repr(u16)]
enum Exit {
    /// The round trip completed.
    Done = 0,
    /// TLS failed (the report's `error=` says how).
    Tls = 2,
    /// Every attempt failed on the transport or a timeout.
    Attempts = 3,
    /// The provisioning block is missing or malformed.
    Provisioning = 4,
    /// The image could not set up (configuration refused).
    Setup = 5,
    /// A panic.
    Panic = 6,
}

fn finish(exit: Exit) -> ! {
    report!("exit={}", exit as u16);
    board::exit(exit as u16)
}

fn fail(exit: Exit, what: &str, error: impl Display) -> ! {
    report!("error={what}: {error}");
    finish(exit)
}

/// The provider, trimmed for an image that needs one AEAD and no client key: AES-128-GCM (TLS
/// 1.3, and TLS 1.2 with ECDHE-ECDSA or ECDHE-RSA, as Tasmota's BearSSL), only for the
/// provisioned TLS versions (rustls offers a version only when the provider has a suite for it),
/// and no client-key loader, as the image authenticates with a user name and password (the
/// signing code is then left out of the image).
fn provider(versions: Versions) -> CryptoProvider {
    let mut provider = CRYPTO.provider_without_client_keys();
    let tls13 = versions != Versions::Tls12;
    let tls12 = versions != Versions::Tls13;
    provider.cipher_suites = [
        (tls13, TLS13_AES_128_GCM_SHA256),
        (tls12, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
        (tls12, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256),
    ]
    .into_iter()
    .filter_map(|(offered, suite)| offered.then_some(suite))
    .collect();
    provider
}

/// The connection's buffers, for the whole run: statics, not heap or stack. Once only.
fn take_buffers() -> &'static mut Buffers4 {
    static mut BUFFERS: Buffers4 = (
        [0; SESSION_RX],
        [0; SESSION_STORE],
        [0; TX],
        [0; RECORD_CAP],
    );
    static TAKEN: AtomicBool = AtomicBool::new(false);
    assert!(
        !TAKEN.swap(true, Ordering::Relaxed),
        "the buffers are taken once"
    );
    let buffers = &raw mut BUFFERS;
    // SAFETY: nothing else names `BUFFERS`, and `TAKEN` lets this borrow happen once: it is
    // unique for the rest of the run.
    unsafe { &mut *buffers }
}

fn now() -> Instant {
    Instant::from_millis(board::millis())
}

/// What the current connection has seen: one flag per event, as the events come in any order.
#[derive(Debug, Default)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent flags, not a state machine"
)]
struct Progress {
    connected: bool,
    subscribed: bool,
    acknowledged: bool,
    echoed: bool,
    disconnected: Option<DisconnectReason>,
}

impl Progress {
    fn take(&mut self, event: Event<'_>) {
        match event {
            Event::Connected { .. } => self.connected = true,
            Event::Subscribed { .. } => self.subscribed = true,
            Event::Published(_) => self.acknowledged = true,
            Event::Message(publish) => self.echoed |= publish.payload == PAYLOAD,
            Event::Disconnected(reason) => self.disconnected = Some(reason),
            _ => {}
        }
    }

    fn round_trip(&self) -> bool {
        self.subscribed && self.acknowledged && self.echoed
    }
}

#[riscv_rt::entry]
fn main() -> ! {
    usage::paint_stack();
    HEAP.init();
    let _ = Uart::init();
    let sections = Sections::linked();
    report!("start");
    report!("flash_text={}", sections.text);
    report!("flash_rodata={}", sections.rodata);
    report!("flash_data={}", sections.data);
    report!("flash={}", sections.flash());
    report!("static_ram={}", sections.static_ram());
    report!("heap_arena={}", usage::heap_arena().1);
    report!("stack_region={}", usage::stack_size());

    let provisioning = Provisioning::load()
        .unwrap_or_else(|e| fail(Exit::Provisioning, "provisioning", format_args!("{e:?}")));
    let mut client = set_up(&provisioning);
    report!("stack_setup={}", usage::stack_high_water());
    report!("client_size={}", core::mem::size_of_val(&client));
    for attempt in 1..=ATTEMPTS {
        report!("attempt={attempt}");
        match connect_once(&mut client) {
            Ok(()) => {
                report!("stack_high_water={}", usage::stack_high_water());
                report!("round_trip=ok");
                finish(Exit::Done);
            }
            Err(Failure::Tls(error)) => {
                report!("stack_high_water={}", usage::stack_high_water());
                fail(Exit::Tls, "tls", error);
            }
            Err(Failure::Retry(why)) => {
                report!("retry={why}");
                let delay = client.session().reconnect_delay(attempt);
                let until = board::millis() + u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
                while board::millis() < until {}
            }
        }
    }
    finish(Exit::Attempts)
}

/// Builds the TLS configuration (kept for the whole run), the session and the driver, and
/// queues the subscription and the message. Not inlined, so that its temporaries are off the
/// stack by the time the handshake runs.
#[inline(never)]
fn set_up(provisioning: &Provisioning) -> Client<'static, Uart, 4> {
    let mut anchors = TrustAnchors::new();
    anchors
        .add_der(provisioning.ca_der)
        .unwrap_or_else(|e| fail(Exit::Setup, "trust anchor", e));
    let tls = TlsConfig::builder(provisioning.server_name, anchors)
        .provider(Arc::new(provider(provisioning.versions)))
        .clock(Arc::new(Rtc))
        // mosquitto selects no ALPN protocol (AWS IoT's port 8883 neither)
        .alpn(Alpn::None)
        .build()
        .unwrap_or_else(|e| fail(Exit::Setup, "TLS configuration", e));
    // The configuration lives as long as the image runs.
    let tls: &'static TlsConfig = Box::leak(Box::new(tls));
    report!("heap_config={}", HEAP.current());

    let (rx, store, tx, records) = take_buffers();
    let config = Config::new(provisioning.client_id)
        .with_username(provisioning.username)
        .with_password(provisioning.password)
        .with_connect_timeout(CONNECT_TIMEOUT)
        .with_backoff(BACKOFF);
    let session: Session<'_, 4> = Session::new(config, Buffers::new(rx, store))
        .unwrap_or_else(|e| fail(Exit::Setup, "session", e));
    // Capped: a record larger than the buffer fails the connection with
    // `TlsError::RecordTooLarge` instead of growing it.
    let records = RecordBuffer::with_storage(records);
    let conn = Connection::tls(session, tls, records, tx)
        .unwrap_or_else(|e| fail(Exit::Setup, "connection", e));
    let mut client = Client::new(conn);
    let topic = provisioning.topic;
    client
        .session_mut()
        .subscribe(&[Subscription::new(topic, Qos::AtLeastOnce)])
        .unwrap_or_else(|e| fail(Exit::Setup, "subscribe", e));
    client
        .session_mut()
        .publish(Message::new(topic, PAYLOAD).with_qos(Qos::AtLeastOnce))
        .unwrap_or_else(|e| fail(Exit::Setup, "publish", e));
    client
}

/// Why a connection ended before its round trip.
enum Failure {
    /// TLS failed: final.
    Tls(iot_tls::Error),
    /// The transport or a timeout: worth another attempt.
    Retry(alloc::string::String),
}

/// One connection: handshake, round trip, disconnect; reports its figures on the way.
fn connect_once(client: &mut Client<'_, Uart, 4>) -> Result<(), Failure> {
    use alloc::string::ToString as _;

    HEAP.reset_peak();
    let mut progress = Progress::default();
    let mut handshake_instructions = 0u64;
    let mut disconnecting = false;
    client
        .connect(now(), Uart::reopen())
        .map_err(Failure::Tls)?;
    let mut kick = true;
    loop {
        // Wait, uncounted, for bytes, a due timer or work queued by the last round.
        let due = client.poll_timeout();
        if !(kick || board::data_ready() || due.is_some_and(|due| now() >= due)) {
            continue;
        }
        kick = false;
        let was_connected = progress.connected;
        let (before, waited) = (board::instructions(), board::waited());
        let result = client.poll(now(), |event| progress.take(event));
        // the driver's own work: the UART's wait loops inside `poll` are taken out
        let spent =
            (board::instructions() - before) - u64::from(board::waited().wrapping_sub(waited));
        if !was_connected {
            handshake_instructions += spent;
            if progress.connected {
                report_handshake(client, handshake_instructions);
                HEAP.reset_peak();
            }
        }
        let open = match result {
            Ok(open) => open,
            Err(error @ iot_tls::Error::Tls(_)) => {
                let _ = client.take_transport();
                return Err(Failure::Tls(error));
            }
            Err(error) => {
                let _ = client.take_transport();
                return Err(Failure::Retry(error.to_string()));
            }
        };
        if progress.round_trip() && !disconnecting {
            report!("heap_steady={}", HEAP.current());
            report!("heap_peak_traffic={}", HEAP.peak());
            client.session_mut().disconnect();
            disconnecting = true;
            kick = true;
        }
        if !open {
            let _ = client.take_transport();
            return match progress.disconnected {
                Some(DisconnectReason::Requested) if disconnecting => Ok(()),
                Some(reason) => Err(Failure::Retry(reason.to_string())),
                None => Err(Failure::Retry("transport closed".into())),
            };
        }
    }
}

fn report_handshake(client: &Client<'_, Uart, 4>, instructions: u64) {
    report!("heap_peak_handshake={}", HEAP.peak());
    report!("heap_after_handshake={}", HEAP.current());
    if let Some(tls) = client.connection().tls_client() {
        if let Some(version) = tls.protocol_version() {
            report!("tls_version={version:?}");
        }
        if let Some(suite) = tls.cipher_suite() {
            report!("cipher_suite={suite:?}");
        }
    }
    report!("handshake_instructions={instructions}");
    // At one instruction per cycle; flash wait states and cache misses add to it on a chip.
    report!(
        "handshake_us_at_160mhz={}",
        instructions * 1_000_000 / TARGET_HZ
    );
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    report!("error=panic: {info}");
    finish(Exit::Panic)
}

//! Real parts for the driver tests: mosquitto on loopback with a TLS listener, a password file and
//! certificates made by the tests; a loopback proxy that injects faults; adapters from std and
//! tokio sockets to the `embedded-io` traits; helpers to wait for events.

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;
use iot_tls::tls::{Alpn, TlsConfig, TlsConfigBuilder};
use iot_tls::tokio::{Event, Events, Message};

use crate::pki::{Identity, Pki, Validity};

/// The names on the broker's certificate: the test name, and one that resolves (rumqttc
/// connects to the name it verifies).
pub(crate) const NAMES: [&str; 2] = ["broker.test", "localhost"];
/// The user mosquitto knows.
pub(crate) const USER: &str = "hub";
pub(crate) const PASSWORD: &str = "correct horse battery staple";
/// How long a test waits for something that should happen at once.
pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

/// `der` as PEM with `label`.
fn pem(label: &str, der: &[u8]) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|line| std::str::from_utf8(line).expect("base64 is ASCII"))
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// mosquitto's dynamic-security plugin as Debian installs it (with the `mosquitto` package).
const DYNSEC: &str = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

/// A free TCP port on loopback (released for the caller to bind).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// mosquitto with a TLS listener (password file, the test PKI's RSA chain sized like AWS IoT's)
/// and a plain anonymous listener, on free loopback ports; killed on drop.
pub(crate) struct Mosquitto {
    child: Child,
    dir: tempfile::TempDir,
    pub(crate) tls_port: u16,
    pub(crate) plain_port: u16,
    /// A plain anonymous listener that refuses subscriptions to `secret/#`.
    pub(crate) refusing_port: u16,
    /// The broker's identity, for a front that presents the same certificate.
    pub(crate) identity: Identity,
}

impl Mosquitto {
    /// Starts mosquitto with a server certificate from `pki`.
    pub(crate) fn start(pki: &Pki) -> Self {
        let identity = pki.server_for(Validity::Current, &NAMES);
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = |name: &str| dir.path().join(name);
        let write = |name: &str, contents: &str| {
            std::fs::write(path(name), contents).expect("write a mosquitto file");
        };
        let chain: String = identity.chain[..2]
            .iter()
            .map(|c| pem("CERTIFICATE", c))
            .collect();
        write("chain.pem", &chain);
        write("ca.pem", &pem("CERTIFICATE", &pki.root));
        write("key.pem", &pem("PRIVATE KEY", identity.key.secret_der()));
        write("passwd", "");
        // mosquitto 2.0's acl_file does not check SUBSCRIBE; its dynamic-security plugin does.
        // On a third, anonymous listener it refuses subscriptions to `secret/#` (MQTT 5: 0x87).
        write(
            "dynsec.json",
            r#"{"defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true,
                "subscribe": true, "unsubscribe": true},
              "clients": [],
              "groups": [{"groupname": "anonymous", "roles": [{"rolename": "guest"}], "clients": []}],
              "roles": [{"rolename": "guest", "acls": [{"acltype": "subscribePattern",
                "topic": "secret/#", "priority": 0, "allow": false}]}],
              "anonymousGroup": "anonymous"}"#,
        );
        let status = Command::new("mosquitto_passwd")
            .arg("-b")
            .arg(path("passwd"))
            .args([USER, PASSWORD])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("{}", missing("mosquitto_passwd", &e)));
        assert!(status.success(), "mosquitto_passwd failed");
        let (tls_port, plain_port, refusing_port) = (free_port(), free_port(), free_port());
        let root = if running_as_root() { "user root\n" } else { "" };
        write(
            "mosquitto.conf",
            &format!(
                "{root}per_listener_settings true\npersistence false\nlog_dest stderr\n\
                 log_type error\nlog_type warning\nmax_queued_messages 100000\n\
                 set_tcp_nodelay true\n\
                 listener {tls_port} 127.0.0.1\nallow_anonymous false\npassword_file {pw}\n\
                 certfile {chain}\nkeyfile {key}\ncafile {ca}\n\
                 listener {plain_port} 127.0.0.1\nallow_anonymous true\n\
                 listener {refusing_port} 127.0.0.1\nallow_anonymous true\n\
                 plugin {DYNSEC}\nplugin_opt_config_file {dynsec}\n",
                pw = path("passwd").display(),
                chain = path("chain.pem").display(),
                key = path("key.pem").display(),
                ca = path("ca.pem").display(),
                dynsec = path("dynsec.json").display(),
            ),
        );
        let log = std::fs::File::create(path("mosquitto.log")).expect("log file");
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(path("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{}", missing("mosquitto", &e)));
        let mut broker = Self {
            child,
            dir,
            tls_port,
            plain_port,
            refusing_port,
            identity,
        };
        broker.wait_listening();
        broker
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + PATIENCE;
        for port in [self.tls_port, self.plain_port, self.refusing_port] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if let Ok(Some(status)) = self.child.try_wait() {
                    panic!("mosquitto exited ({status}):\n{}", self.log());
                }
                assert!(
                    Instant::now() < deadline,
                    "mosquitto did not listen:\n{}",
                    self.log()
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }

    /// What mosquitto logged.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mosquitto.log")).unwrap_or_default()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn missing(program: &str, error: &std::io::Error) -> String {
    format!(
        "cannot run `{program}` ({error}): install mosquitto (Debian: `apt-get install mosquitto`; \
         `.ci/check` installs it)"
    )
}

/// A TLS configuration for the broker named `name`, trusting `pki`, without ALPN (mosquitto
/// selects none).
pub(crate) fn tls_to(pki: &Pki, name: &str) -> TlsConfigBuilder {
    TlsConfig::builder(name, pki.anchors()).alpn(Alpn::None)
}

/// Faults a [`Proxy`] injects.
#[derive(Clone, Debug)]
pub(crate) struct Faults {
    /// For the n-th connection (cycling), how many application-data records the client may
    /// send before the proxy cuts the connection.
    pub(crate) cut_after: Vec<usize>,
    /// Cut at most this many connections; later ones pass untouched.
    pub(crate) max_cuts: usize,
    /// Every n-th connection is held silent (its handshake stalls) for `stall_for`, then closed.
    pub(crate) stall_every: usize,
    pub(crate) stall_for: Duration,
}

/// What a proxy did.
#[derive(Debug, Default)]
pub(crate) struct ProxyStats {
    pub(crate) connections: AtomicUsize,
    pub(crate) cuts: AtomicUsize,
    pub(crate) stalls: AtomicUsize,
}

/// A TCP proxy on loopback in front of `127.0.0.1:target`, on its own threads; stops on drop.
pub(crate) struct Proxy {
    pub(crate) port: u16,
    pub(crate) stats: Arc<ProxyStats>,
    stop: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl Proxy {
    pub(crate) fn start(target: u16, faults: Option<Faults>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy port");
        listener.set_nonblocking(true).expect("non-blocking accept");
        let port = listener.local_addr().expect("proxy address").port();
        let stats = Arc::new(ProxyStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let live = Arc::new(Mutex::new(Vec::new()));
        let thread = std::thread::spawn({
            let (stats, stop, live) = (Arc::clone(&stats), Arc::clone(&stop), Arc::clone(&live));
            move || accept(&listener, target, faults.as_ref(), &stats, &stop, &live)
        });
        Self {
            port,
            stats,
            stop,
            live,
            thread: Some(thread),
        }
    }

    /// Cuts every connection open now, without a word to either side.
    pub(crate) fn cut_all(&self) {
        for socket in self.live.lock().expect("proxy lock").drain(..) {
            let _ = socket.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.cut_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept(
    listener: &TcpListener,
    target: u16,
    faults: Option<&Faults>,
    stats: &Arc<ProxyStats>,
    stop: &AtomicBool,
    live: &Arc<Mutex<Vec<TcpStream>>>,
) {
    while !stop.load(Ordering::Relaxed) {
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2));
                continue;
            }
            Err(e) => panic!("proxy accept: {e}"),
        };
        client.set_nonblocking(false).expect("blocking socket");
        let n = stats.connections.fetch_add(1, Ordering::Relaxed);
        let cut_after = faults.and_then(|f| {
            (stats.cuts.load(Ordering::Relaxed) < f.max_cuts)
                .then(|| f.cut_after[n % f.cut_after.len()])
        });
        if let Some(f) = faults
            && f.stall_every > 0
            && n % f.stall_every == f.stall_every - 1
        {
            stats.stalls.fetch_add(1, Ordering::Relaxed);
            let stall_for = f.stall_for;
            std::thread::spawn(move || {
                std::thread::sleep(stall_for);
                drop(client);
            });
            continue;
        }
        let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
            continue;
        };
        let _ = server.set_nodelay(true);
        let _ = client.set_nodelay(true);
        {
            let mut live = live.lock().expect("proxy lock");
            live.retain(|s| s.peer_addr().is_ok());
            live.extend(
                [client.try_clone(), server.try_clone()]
                    .into_iter()
                    .flatten(),
            );
        }
        let up = (client.try_clone(), server.try_clone(), Arc::clone(stats));
        let down = (server, client);
        std::thread::spawn(move || {
            let (Ok(from), Ok(to), stats) = up else {
                return;
            };
            pump(from, to, cut_after, &stats);
        });
        std::thread::spawn(move || pump(down.0, down.1, None, &ProxyStats::default()));
    }
}

/// Copies `from` to `to`; with `cut_after`, counts the TLS application-data records going
/// through and cuts both sockets after that many.
fn pump(mut from: TcpStream, mut to: TcpStream, cut_after: Option<usize>, stats: &ProxyStats) {
    let mut records = RecordCounter::default();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
        records.feed(&buf[..n]);
        if cut_after.is_some_and(|limit| records.application_data >= limit) {
            stats.cuts.fetch_add(1, Ordering::Relaxed);
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
}

/// Counts TLS records by their headers as bytes go by.
#[derive(Default)]
struct RecordCounter {
    header: [u8; 5],
    header_len: usize,
    body_left: usize,
    application_data: usize,
}

impl RecordCounter {
    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(bytes.len());
                self.body_left -= n;
                bytes = &bytes[n..];
                continue;
            }
            self.header[self.header_len] = bytes[0];
            self.header_len += 1;
            bytes = &bytes[1..];
            if self.header_len == 5 {
                self.header_len = 0;
                self.body_left = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                if self.header[0] == 23 {
                    self.application_data += 1;
                }
            }
        }
    }
}

/// A std TCP socket as an `embedded-io` transport, for the blocking driver.
pub(crate) struct StdIo(pub(crate) TcpStream);

impl embedded_io::ErrorType for StdIo {
    type Error = std::io::Error;
}

impl embedded_io::Read for StdIo {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.0.read(buf)
    }
}

impl embedded_io::Write for StdIo {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.0.flush()
    }
}

impl embedded_io::ReadReady for StdIo {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        self.0.set_nonblocking(true)?;
        let ready = match self.0.peek(&mut [0]) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(false),
            Err(e) => Err(e),
        };
        self.0.set_nonblocking(false)?;
        ready
    }
}

/// A tokio TCP socket as an `embedded-io-async` transport, for the async driver.
pub(crate) struct TokioIo(pub(crate) tokio::net::TcpStream);

impl embedded_io_async::ErrorType for TokioIo {
    type Error = std::io::Error;
}

impl embedded_io_async::Read for TokioIo {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        tokio::io::AsyncReadExt::read(&mut self.0, buf).await
    }
}

impl embedded_io_async::Write for TokioIo {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        tokio::io::AsyncWriteExt::write(&mut self.0, buf).await
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        tokio::io::AsyncWriteExt::flush(&mut self.0).await
    }
}

/// The next event that `pick` accepts, within [`PATIENCE`]; other events are skipped.
pub(crate) async fn wait_for<T>(
    events: &mut Events,
    mut pick: impl FnMut(Event) -> Option<T>,
) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("the expected event in time")
            .expect("the client runs");
        if let Some(found) = pick(event) {
            return found;
        }
    }
}

/// Waits for the broker to accept the connection.
pub(crate) async fn connected(events: &mut Events) -> bool {
    wait_for(events, |event| match event {
        Event::Connected { session_present } => Some(session_present),
        Event::Disconnected { reason, error, .. } => {
            panic!("disconnected instead of connected: {reason} {error:?}")
        }
        _ => None,
    })
    .await
}

/// Waits for a SUBACK.
pub(crate) async fn subscribed(events: &mut Events) {
    wait_for(events, |event| {
        matches!(event, Event::Subscribed { .. }).then_some(())
    })
    .await;
}

/// Waits for a message.
pub(crate) async fn message(events: &mut Events) -> Message {
    wait_for(events, |event| match event {
        Event::Message(message) => Some(message),
        _ => None,
    })
    .await
}

/// What rumqttc's event loop produced, in order; it stops after the first error.
pub(crate) type RumqttcEvents =
    tokio::sync::mpsc::UnboundedReceiver<Result<rumqttc::Event, rumqttc::ConnectionError>>;

/// rumqttc with `options`, its event loop polled by a task until its first error.
pub(crate) fn rumqttc(options: rumqttc::MqttOptions) -> (rumqttc::AsyncClient, RumqttcEvents) {
    let (client, mut eventloop) = rumqttc::AsyncClient::new(options, 16);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let event = eventloop.poll().await;
            let failed = event.is_err();
            if tx.send(event).is_err() || failed {
                break;
            }
        }
    });
    (client, rx)
}

//! The bare-metal image `examples/mqtt-tls-firmware` on QEMU's riscv32 `virt` machine, against a
//! real mosquitto: the build, the MQTT round trip over TLS 1.3 and 1.2 with an RSA chain sized
//! like AWS IoT's and with an ECDSA P-256 chain, the image's own measurements checked against
//! their budgets, the typed TLS errors of a wrong CA and a wrong host name, and a reconnect after
//! the broker drops the connection mid-handshake.
//!
//! The image is built once, in release, into `target/mqtt-tls-firmware/` under the workspace.
//! Each QEMU run boots it with the provisioning block for the case (`-device loader`), joins its
//! UART to a relay on loopback (QEMU connects out to it) that dials mosquitto's TLS listener,
//! reads its report from semihosting (QEMU's stdout) and its exit status from the test finisher.
//! Needs `qemu-system-riscv32` (Debian `qemu-system-misc`), `mosquitto` and the
//! `riscv32imac-unknown-none-elf` target; `.ci/check` installs all three.

#![allow(
    clippy::print_stdout,
    reason = "the figures are printed for the README"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

const SERVER_NAME: &str = "broker.test";
const USER: &str = "device";
const PASSWORD: &str = "firmware-secret";
/// AWS IoT Core's RSA chain as its endpoints send it (leaf and intermediates) is 3.5 to 5 KB.
const RSA_CHAIN_BYTES: usize = 4_500;
/// A hang guard for one QEMU run, not a timing assertion: a run takes a few seconds.
const RUN_LIMIT: Duration = Duration::from_mins(3);

/// The budgets the image's figures must meet, in bytes or instructions.
const HEAP_PEAK_BUDGET: u64 = 24 * 1024;
const HEAP_STEADY_BUDGET: u64 = 10 * 1024;
/// The goal is 12 KiB; measured 16.2 KB (TLS 1.3) to 18.0 KB (TLS 1.2), so the budget holds
/// that until the plan in iot-tls's README ("On bare metal") brings it down: it is rustls's
/// handshake (building the configuration alone reaches 9.5 KB).
const STACK_BUDGET: u64 = 18 * 1024 + 512;
/// The goal is 320 KiB; measured 432 KiB (.text + .rodata at `opt-level = "z"`), of which
/// rustls is about 140 KB, the RSA big integers 70 KB and webpki 22 KB, and 448 KiB once the
/// session also carried MQTT 5 (the image speaks 3.1.1 only, but the session's MQTT 5 paths are
/// not behind a feature). The plan to reach the goal is in iot-tls's README.
const FLASH_BUDGET: u64 = 464 * 1024;
/// The goal is 32 M. The count varies between runs although the UART's wait loops are taken
/// out: 22.9 M on an idle machine, 35.4 to 36.4 M while other builds load it. The likely cause
/// (not yet proven) is the server's flight arriving in more, smaller pieces, each of which makes
/// the driver examine the incomplete record again; handing rustls only whole records is the
/// plan. Until then the budget holds the loaded figure.
const HANDSHAKE_BUDGET: u64 = 48_000_000;
/// The ECDSA chain costs three P-256 signature checks (leaf, intermediate, CertificateVerify)
/// in software where RSA-2048 checks (public exponent 65537) are cheap: measured 49 to 52 M on
/// an idle machine (the keys are fresh each run), more under load for the reason above, so the
/// budget holds that until the plan in iot-tls's README brings it to the goal.
const HANDSHAKE_ECDSA_BUDGET: u64 = 80_000_000;

/// The figures every successful run must report.
const FIGURES: [&str; 10] = [
    "flash",
    "static_ram",
    "heap_config",
    "heap_peak_handshake",
    "heap_after_handshake",
    "heap_steady",
    "heap_peak_traffic",
    "stack_high_water",
    "handshake_instructions",
    "handshake_us_at_160mhz",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum KeyKind {
    Rsa,
    Ecdsa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Version {
    Tls13,
    Tls12,
}

impl Version {
    /// The provisioning block's byte for offering only this version.
    fn provisioned(self) -> u8 {
        match self {
            Self::Tls13 => 13,
            Self::Tls12 => 12,
        }
    }

    fn reported(self) -> &'static str {
        match self {
            Self::Tls13 => "TLSv1_3",
            Self::Tls12 => "TLSv1_2",
        }
    }
}

/// A root and intermediate CA of one key type, and the broker's chain and key issued by them.
struct Pki {
    root_der: Vec<u8>,
    root_pem: String,
    /// Leaf and intermediate, PEM: what the broker sends.
    chain_pem: String,
    key_pem: String,
}

fn key(kind: KeyKind, name: &str) -> KeyPair {
    match kind {
        // rcgen on ring cannot generate RSA keys: iot-tls's test fixtures (throwaway keys).
        KeyKind::Rsa => {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join(format!("../iot-tls/tests/fixtures/rsa2048-{name}.pk8.der"));
            let der = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            KeyPair::from_pkcs8_der_and_sign_algo(&der.into(), &rcgen::PKCS_RSA_SHA256)
                .expect("fixture RSA key")
        }
        KeyKind::Ecdsa => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256"),
    }
}

fn ca(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = rcgen::date_time_ymd(2015, 1, 1);
    params.not_after = rcgen::date_time_ymd(2099, 1, 1);
    params
}

impl Pki {
    fn new(kind: KeyKind, name: &str) -> Self {
        let root = CertifiedIssuer::self_signed(ca(&format!("{name} root")), key(kind, "root"))
            .expect("root");
        let intermediate = CertifiedIssuer::signed_by(
            ca(&format!("{name} intermediate")),
            key(kind, "intermediate"),
            &root,
        )
        .expect("intermediate");
        let leaf_key = key(kind, "server");
        // The RSA leaf carries extra names until the chain is as large as AWS IoT's.
        let mut extra = 0;
        let leaf = loop {
            let mut names = vec![SERVER_NAME.to_owned()];
            names.extend((0..extra).map(|i| format!("shard-{i:03}.iot.{SERVER_NAME}")));
            let mut params = CertificateParams::new(names).expect("leaf params");
            params
                .distinguished_name
                .push(DnType::CommonName, SERVER_NAME);
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2099, 1, 1);
            let leaf = params.signed_by(&leaf_key, &intermediate).expect("leaf");
            let missing =
                RSA_CHAIN_BYTES.saturating_sub(leaf.der().len() + intermediate.der().len());
            if kind == KeyKind::Ecdsa || missing == 0 {
                break leaf;
            }
            extra += missing.div_ceil(30);
        };
        Self {
            root_der: root.der().to_vec(),
            root_pem: root.pem(),
            chain_pem: leaf.pem() + &intermediate.pem(),
            key_pem: leaf_key.serialize_pem(),
        }
    }
}

/// mosquitto with two TLS listeners (the RSA and the ECDSA chain; TLS 1.3 and 1.2) and a
/// password file, on free loopback ports; killed on drop.
struct Mosquitto {
    child: std::process::Child,
    dir: tempfile::TempDir,
    ports: BTreeMap<KeyKind, u16>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

fn missing(program: &str, package: &str, error: &std::io::Error) -> String {
    format!(
        "cannot run `{program}` ({error}): install it (Debian: `apt-get install {package}`; \
         `.ci/check` installs it)"
    )
}

impl Mosquitto {
    fn start(rsa: &Pki, ecdsa: &Pki) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = |name: &str| dir.path().join(name);
        let write = |name: &str, contents: &str| {
            std::fs::write(path(name), contents).expect("write a mosquitto file");
        };
        write("passwd", "");
        let status = Command::new("mosquitto_passwd")
            .arg("-b")
            .arg(path("passwd"))
            .args([USER, PASSWORD])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("{}", missing("mosquitto_passwd", "mosquitto", &e)));
        assert!(status.success(), "mosquitto_passwd failed");
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|out| out.stdout.trim_ascii() == b"0");
        let mut conf = format!(
            "{}per_listener_settings false\npersistence false\nlog_dest stderr\n\
             log_type error\nlog_type warning\nallow_anonymous false\npassword_file {}\n",
            if root { "user root\n" } else { "" },
            path("passwd").display()
        );
        let mut ports = BTreeMap::new();
        for (kind, pki) in [(KeyKind::Rsa, rsa), (KeyKind::Ecdsa, ecdsa)] {
            let name = format!("{kind:?}");
            write(&format!("{name}-chain.pem"), &pki.chain_pem);
            write(&format!("{name}-key.pem"), &pki.key_pem);
            write(&format!("{name}-ca.pem"), &pki.root_pem);
            let port = free_port();
            ports.insert(kind, port);
            writeln!(
                conf,
                "listener {port} 127.0.0.1\ncertfile {}\nkeyfile {}\ncafile {}",
                path(&format!("{name}-chain.pem")).display(),
                path(&format!("{name}-key.pem")).display(),
                path(&format!("{name}-ca.pem")).display(),
            )
            .expect("write to a String");
        }
        write("mosquitto.conf", &conf);
        let log = std::fs::File::create(path("mosquitto.log")).expect("log file");
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(path("mosquitto.conf"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{}", missing("mosquitto", "mosquitto", &e)));
        let mut broker = Self { child, dir, ports };
        let deadline = Instant::now() + RUN_LIMIT;
        for &port in broker.ports.values() {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if let Ok(Some(status)) = broker.child.try_wait() {
                    panic!("mosquitto exited ({status}):\n{}", broker.log());
                }
                assert!(Instant::now() < deadline, "mosquitto did not listen");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        broker
    }

    fn port(&self, kind: KeyKind) -> u16 {
        self.ports[&kind]
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("mosquitto.log")).unwrap_or_default()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds the image once (release, riscv32imac) and returns its path.
fn firmware() -> &'static Path {
    static ELF: OnceLock<PathBuf> = OnceLock::new();
    ELF.get_or_init(|| {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let crate_dir = manifest.join("mqtt-tls-firmware");
        let target_dir = manifest.join("../target/mqtt-tls-firmware");
        let started = Instant::now();
        // Run from the image's own directory so its `.cargo/config.toml` (target, linker
        // script) applies; the outer build's flags are not for this target.
        let status = Command::new(env!("CARGO"))
            .current_dir(&crate_dir)
            .args(["build", "--release", "--locked", "--target-dir"])
            .arg(&target_dir)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .env_remove("CARGO_BUILD_RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("CARGO_BUILD_TARGET")
            .env_remove("CARGO_MANIFEST_DIR")
            .status()
            .expect("running cargo");
        assert!(
            status.success(),
            "building the firmware failed (is the target installed? \
             `rustup target add riscv32imac-unknown-none-elf`)"
        );
        println!("firmware build: {:.1} s", started.elapsed().as_secs_f64());
        target_dir.join("riscv32imac-unknown-none-elf/release/mqtt-tls-firmware")
    })
}

/// What the image is provisioned with (see `mqtt-tls-firmware/src/provisioning.rs`).
struct Provisioning<'a> {
    version: Version,
    server_name: &'a str,
    ca_der: &'a [u8],
    client_id: &'a str,
    topic: &'a str,
}

impl Provisioning<'_> {
    fn encode(&self) -> Vec<u8> {
        let mut block = b"IOTP\x01".to_vec();
        block.push(self.version.provisioned());
        for field in [
            self.server_name.as_bytes(),
            self.ca_der,
            USER.as_bytes(),
            PASSWORD.as_bytes(),
            self.client_id.as_bytes(),
            self.topic.as_bytes(),
        ] {
            block.extend_from_slice(&u16::try_from(field.len()).expect("short").to_le_bytes());
            block.extend_from_slice(field);
        }
        block
    }
}

/// The relay between QEMU's UART socket and the broker: QEMU connects to it at start-up, and it
/// dials the broker when the image sends its first bytes, and again after the broker's side
/// closed (the image's reconnect). The UART carries no "connection closed" signal, so the image
/// sees a drop as silence and its connect timeout ends the attempt.
///
/// With `drop_after` it injects the one fault no real part produces on cue: the first broker
/// connection is cut after that many bytes from the broker, in the middle of the handshake.
struct Relay {
    listener: TcpListener,
}

impl Relay {
    fn bind() -> Self {
        Self {
            listener: TcpListener::bind("127.0.0.1:0").expect("relay port"),
        }
    }

    fn port(&self) -> u16 {
        self.listener.local_addr().expect("relay address").port()
    }

    /// Serves one QEMU connection on a thread; returns how many broker connections it made.
    fn serve(self, broker: u16, drop_after: Option<usize>) -> std::thread::JoinHandle<usize> {
        std::thread::spawn(move || {
            let Ok((guest, _)) = self.listener.accept() else {
                return 0;
            };
            let _ = guest.set_nodelay(true);
            // The current broker connection and its number.
            let upstream: Arc<Mutex<(Option<TcpStream>, usize)>> = Arc::default();
            let mut from_guest = guest.try_clone().expect("clone the guest socket");
            let mut buf = [0u8; 4096];
            loop {
                let n = match from_guest.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let mut state = upstream.lock().expect("relay state");
                if state.0.is_none() {
                    let Ok(socket) = TcpStream::connect(("127.0.0.1", broker)) else {
                        continue;
                    };
                    let _ = socket.set_nodelay(true);
                    state.1 += 1;
                    let generation = state.1;
                    let fault = drop_after.filter(|_| generation == 1);
                    let reader = socket.try_clone().expect("clone the broker socket");
                    let to_guest = guest.try_clone().expect("clone the guest socket");
                    state.0 = Some(socket);
                    let upstream = Arc::clone(&upstream);
                    std::thread::spawn(move || {
                        pump_to_guest(reader, to_guest, fault);
                        let mut state = upstream.lock().expect("relay state");
                        if state.1 == generation {
                            state.0 = None;
                        }
                    });
                }
                if let Some(socket) = state.0.as_mut()
                    && socket.write_all(&buf[..n]).is_err()
                {
                    state.0 = None;
                }
            }
            upstream.lock().expect("relay state").1
        })
    }
}

/// Copies the broker's bytes to the guest until the broker closes, or, with `cut_after`, until
/// that many bytes have passed: then the broker connection is cut.
fn pump_to_guest(mut broker: TcpStream, mut guest: TcpStream, cut_after: Option<usize>) {
    let mut forwarded = 0;
    let mut buf = [0u8; 4096];
    loop {
        let n = match broker.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let n = cut_after.map_or(n, |cut| n.min(cut - forwarded));
        if guest.write_all(&buf[..n]).is_err() {
            return;
        }
        forwarded += n;
        if cut_after.is_some_and(|cut| forwarded >= cut) {
            let _ = broker.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// One QEMU run: exit status, the report's `key=value` lines, all of stdout.
struct Run {
    status: Option<i32>,
    report: BTreeMap<String, String>,
    output: String,
    broker_connections: usize,
}

impl Run {
    fn figure(&self, key: &str) -> u64 {
        let value = self
            .report
            .get(key)
            .unwrap_or_else(|| panic!("the report has no `{key}`:\n{}", self.output));
        value
            .parse()
            .unwrap_or_else(|_| panic!("`{key}={value}` is not a number:\n{}", self.output))
    }
}

fn run(provisioning: &Provisioning<'_>, broker: u16, drop_after: Option<usize>) -> Run {
    let elf = firmware();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let block = dir.path().join("provisioning.bin");
    std::fs::write(&block, provisioning.encode()).expect("write the provisioning block");
    let relay = Relay::bind();
    let port = relay.port();
    let relay = relay.serve(broker, drop_after);
    let mut qemu = Command::new("qemu-system-riscv32")
        .args(["-machine", "virt", "-bios", "none", "-display", "none"])
        .args(["-monitor", "none", "-icount", "shift=0"])
        .args(["-semihosting-config", "enable=on,target=native"])
        .arg("-serial")
        .arg(format!("tcp:127.0.0.1:{port}"))
        .arg("-device")
        .arg(format!(
            "loader,file={},addr=0x81000000,force-raw=on",
            block.display()
        ))
        .arg("-kernel")
        .arg(elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}", missing("qemu-system-riscv32", "qemu-system-misc", &e)));
    // A hang guard: kill QEMU if it outlives the limit.
    let pid = qemu.id();
    let done = Arc::new(Mutex::new(false));
    let guard = {
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            let deadline = Instant::now() + RUN_LIMIT;
            while Instant::now() < deadline {
                if *done.lock().expect("guard flag") {
                    return false;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = Command::new("kill").arg(pid.to_string()).status();
            true
        })
    };
    let mut output = String::new();
    qemu.stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut output)
        .expect("QEMU's output");
    let mut errors = String::new();
    qemu.stderr
        .take()
        .expect("piped stderr")
        .read_to_string(&mut errors)
        .expect("QEMU's errors");
    let status = qemu.wait().expect("QEMU's exit status");
    *done.lock().expect("guard flag") = true;
    assert!(!guard.join().expect("guard"), "QEMU hung:\n{output}");
    let broker_connections = relay.join().expect("relay");
    output.push_str(&errors);
    let report = output
        .lines()
        .filter_map(|line| line.strip_prefix("fw: "))
        .map(|line| {
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            (key.to_owned(), value.to_owned())
        })
        .collect();
    Run {
        status: status.code(),
        report,
        output,
        broker_connections,
    }
}

/// The PKIs and the broker, shared by the tests of this file.
struct Setup {
    rsa: Pki,
    ecdsa: Pki,
    broker: Mosquitto,
}

fn setup() -> Setup {
    let rsa = Pki::new(KeyKind::Rsa, "firmware test");
    let ecdsa = Pki::new(KeyKind::Ecdsa, "firmware test");
    let broker = Mosquitto::start(&rsa, &ecdsa);
    Setup { rsa, ecdsa, broker }
}

fn provisioning<'a>(version: Version, ca_der: &'a [u8], topic: &'a str) -> Provisioning<'a> {
    Provisioning {
        version,
        server_name: SERVER_NAME,
        ca_der,
        client_id: topic,
        topic,
    }
}

#[test]
fn the_image_round_trips_over_tls_and_stays_within_its_budgets() {
    let setup = setup();
    let mut table = String::new();
    for kind in [KeyKind::Rsa, KeyKind::Ecdsa] {
        let pki = match kind {
            KeyKind::Rsa => &setup.rsa,
            KeyKind::Ecdsa => &setup.ecdsa,
        };
        for version in [Version::Tls13, Version::Tls12] {
            let topic = format!("fw/{kind:?}/{version:?}");
            let started = Instant::now();
            let run = run(
                &provisioning(version, &pki.root_der, &topic),
                setup.broker.port(kind),
                None,
            );
            let wall = started.elapsed();
            assert_eq!(
                run.status,
                Some(0),
                "{kind:?} {version:?}:\n{}\nmosquitto:\n{}",
                run.output,
                setup.broker.log()
            );
            assert_eq!(run.report.get("round_trip").map(String::as_str), Some("ok"));
            assert_eq!(
                run.report.get("tls_version").map(String::as_str),
                Some(version.reported())
            );
            for figure in FIGURES {
                run.figure(figure);
            }
            let _ = writeln!(
                table,
                "| {kind:?} {version:?} | {} | {} | {} | {} | {} | {} | {} | {:.1} s |",
                run.figure("heap_peak_handshake"),
                run.figure("heap_steady"),
                run.figure("heap_peak_traffic"),
                run.figure("stack_high_water"),
                run.figure("handshake_instructions"),
                run.figure("handshake_us_at_160mhz") / 1000,
                run.report["cipher_suite"],
                wall.as_secs_f64(),
            );
            let over: Vec<String> = [
                ("heap_peak_handshake", HEAP_PEAK_BUDGET),
                ("heap_steady", HEAP_STEADY_BUDGET),
                ("stack_high_water", STACK_BUDGET),
                ("flash", FLASH_BUDGET),
                (
                    "handshake_instructions",
                    match kind {
                        KeyKind::Rsa => HANDSHAKE_BUDGET,
                        KeyKind::Ecdsa => HANDSHAKE_ECDSA_BUDGET,
                    },
                ),
            ]
            .into_iter()
            .filter(|&(figure, budget)| run.figure(figure) > budget)
            .map(|(figure, budget)| format!("{figure} = {} > {budget}", run.figure(figure)))
            .collect();
            assert!(
                over.is_empty(),
                "{kind:?} {version:?} over budget: {over:?}\n{}",
                run.output
            );
            if kind == KeyKind::Rsa && version == Version::Tls13 {
                println!(
                    "flash {} B (.text {} + .rodata {} + .data {}), static RAM {} B",
                    run.figure("flash"),
                    run.figure("flash_text"),
                    run.figure("flash_rodata"),
                    run.figure("flash_data"),
                    run.figure("static_ram"),
                );
            }
        }
    }
    println!(
        "| chain, TLS | heap peak (handshake) | heap steady | heap peak (traffic) | stack | \
         instructions per handshake | ms at 160 MHz | suite | wall |\n{table}"
    );
}

/// A run that must end with a TLS error: exit status 2 and the typed error in the report.
fn assert_tls_error(run: &Run, expected: &str) {
    assert_eq!(run.status, Some(2), "{}", run.output);
    let error = run.report.get("error").map_or("", String::as_str);
    assert!(error.starts_with("tls: "), "{}", run.output);
    assert!(
        error.contains(expected),
        "wanted {expected}:\n{}",
        run.output
    );
    assert!(!run.report.contains_key("round_trip"), "{}", run.output);
}

#[test]
fn a_wrong_ca_or_host_name_ends_the_run_with_the_typed_tls_error() {
    let setup = setup();
    let port = setup.broker.port(KeyKind::Ecdsa);
    let stranger = Pki::new(KeyKind::Ecdsa, "unrelated");
    let run_unknown = run(
        &provisioning(Version::Tls13, &stranger.root_der, "fw/wrong-ca"),
        port,
        None,
    );
    assert_tls_error(&run_unknown, "not issued by a trusted CA");
    let mut wrong_name = provisioning(Version::Tls12, &setup.ecdsa.root_der, "fw/wrong-name");
    wrong_name.server_name = "other.test";
    let run_name = run(&wrong_name, port, None);
    assert_tls_error(&run_name, "not valid for other.test");
    // Neither retried: a certificate does not mend itself.
    assert_eq!(run_unknown.broker_connections, 1);
    assert_eq!(run_name.broker_connections, 1);
}

#[test]
fn a_broker_dropping_the_connection_mid_handshake_is_survived_with_a_reconnect() {
    let setup = setup();
    let port = setup.broker.port(KeyKind::Rsa);
    // 100 bytes: inside the ServerHello.
    let run = run(
        &provisioning(Version::Tls13, &setup.rsa.root_der, "fw/dropped"),
        port,
        Some(100),
    );
    assert_eq!(run.status, Some(0), "{}", run.output);
    assert_eq!(run.report.get("round_trip").map(String::as_str), Some("ok"));
    assert!(run.report.contains_key("retry"), "{}", run.output);
    assert_eq!(run.report.get("attempt").map(String::as_str), Some("2"));
    assert_eq!(run.broker_connections, 2, "{}", run.output);
}

//! `TlsClient` over a real TCP connection on loopback, against a rustls echo server in a thread,
//! driven by a minimal blocking loop of the kind the crate's drivers run.

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

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use harness::{PROVIDERS, ServerSetup, client_config};
use iot_tls::tls::{Alpn, TlsClient, TlsConfig, TlsError, TlsEvent};
use pki::{KeyKind, Pki, SERVER_NAME, Validity};
use rustls::{AlertDescription, ProtocolVersion, ServerConfig, ServerConnection, StreamOwned};

const TIMEOUT: Duration = Duration::from_secs(20);

/// What the echo server saw.
#[derive(Debug, Default)]
struct ServerReport {
    sni: Option<String>,
    alpn: Option<Vec<u8>>,
    client_certificate: bool,
    echoed: usize,
    error: Option<String>,
}

/// A rustls server on a free loopback port that echoes one connection; joined on drop.
struct EchoServer {
    port: u16,
    thread: Option<JoinHandle<ServerReport>>,
}

impl EchoServer {
    fn start(config: Arc<ServerConfig>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        let thread = std::thread::spawn(move || {
            let (socket, _) = listener.accept().expect("accept");
            socket.set_read_timeout(Some(TIMEOUT)).expect("timeout");
            let conn = ServerConnection::new(config).expect("server connection");
            let mut stream = StreamOwned::new(conn, socket);
            let mut report = ServerReport::default();
            let mut buf = vec![0; 32 * 1024];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        if report.sni.is_none() {
                            report.sni = stream.conn.server_name().map(str::to_string);
                            report.alpn = stream.conn.alpn_protocol().map(<[u8]>::to_vec);
                            report.client_certificate = stream.conn.peer_certificates().is_some();
                        }
                        if let Err(e) = stream.write_all(&buf[..n]) {
                            report.error = Some(e.to_string());
                            break;
                        }
                        report.echoed += n;
                    }
                    Err(e) => {
                        report.error = Some(e.to_string());
                        break;
                    }
                }
            }
            stream.conn.send_close_notify();
            let _ = stream.flush();
            report
        });
        Self {
            port,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> ServerReport {
        self.thread
            .take()
            .expect("running")
            .join()
            .expect("server thread")
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A blocking client: the loop an `embedded-io` driver runs, over `std::net`.
struct Client {
    socket: TcpStream,
    tls: TlsClient<'static>,
    tx: Vec<u8>,
    received: Vec<u8>,
}

impl Client {
    fn connect(port: u16, config: &TlsConfig) -> Self {
        let socket = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        socket.set_read_timeout(Some(TIMEOUT)).expect("timeout");
        socket.set_nodelay(true).expect("nodelay");
        Self {
            socket,
            tls: TlsClient::new(config).expect("client"),
            tx: vec![0; config.max_outgoing_record()],
            received: Vec::new(),
        }
    }

    /// Processes until `done` holds, reading the socket when the client needs data. Returns
    /// whether the server closed.
    fn run_until(&mut self, done: impl Fn(&Self) -> bool) -> Result<bool, TlsError> {
        loop {
            if done(self) {
                return Ok(false);
            }
            match self.tls.process(&mut self.tx)? {
                TlsEvent::Transmit(n) => self.socket.write_all(&self.tx[..n]).expect("send"),
                TlsEvent::Connected => {}
                TlsEvent::Plaintext(mut records) => {
                    while let Some(bytes) = records.next_record()? {
                        self.received.extend_from_slice(bytes);
                    }
                }
                TlsEvent::NeedData => {
                    let n = self.socket.read(self.tls.unfilled()?).expect("receive");
                    if n == 0 {
                        return Ok(true);
                    }
                    self.tls.advance(n);
                }
                TlsEvent::PeerClosed | TlsEvent::Closed => return Ok(true),
            }
        }
    }

    fn handshake(&mut self) -> Result<(), TlsError> {
        self.run_until(|client| !client.tls.is_handshaking())
            .map(|_| ())
    }

    fn send(&mut self, mut data: &[u8]) -> Result<(), TlsError> {
        while !data.is_empty() {
            let out = self.tls.encrypt(data, &mut self.tx)?;
            self.socket
                .write_all(&self.tx[..out.written])
                .expect("send");
            data = &data[out.consumed..];
        }
        Ok(())
    }

    fn close(mut self) {
        let n = self.tls.close(&mut self.tx).expect("close");
        self.socket
            .write_all(&self.tx[..n])
            .expect("send close_notify");
        let _ = self.socket.shutdown(std::net::Shutdown::Write);
    }
}

/// An MQTT PUBLISH, a 1 KB message and a 40 KB one (several full-size records).
fn messages() -> [Vec<u8>; 3] {
    [
        b"\x30\x10\x00\x03a/bhello world".to_vec(),
        vec![0x42; 1_000],
        (0..40_000u32).map(|i| (i % 251) as u8).collect(),
    ]
}

/// Connects, echoes [`messages`], and closes.
fn echo(config: &TlsConfig, server: Arc<ServerConfig>) -> (ServerReport, ProtocolVersion) {
    let server = EchoServer::start(server);
    let mut client = Client::connect(server.port, config);
    client.handshake().unwrap();
    let version = client.tls.protocol_version().expect("negotiated");
    let mut expected = Vec::new();
    for message in messages() {
        client.send(&message).unwrap();
        expected.extend_from_slice(&message);
        let want = expected.len();
        client.run_until(|c| c.received.len() >= want).unwrap();
    }
    assert_eq!(client.received, expected);
    client.close();
    (server.finish(), version)
}

#[test]
fn echo_over_tcp_with_each_provider_and_version() {
    for kind in [KeyKind::Rsa, KeyKind::Ecdsa] {
        let pki = Pki::new(kind);
        for provider in PROVIDERS {
            let mut versions = vec![(vec![&rustls::version::TLS13], ProtocolVersion::TLSv1_3)];
            if cfg!(feature = "tls12") {
                versions.push((vec![&rustls::version::TLS12], ProtocolVersion::TLSv1_2));
            }
            for (server_versions, expected) in versions {
                let config = client_config(&pki, provider)
                    .alpn(Alpn::AwsCustomAuth)
                    .build()
                    .unwrap();
                let mut setup = ServerSetup::new(pki.server(Validity::Current));
                setup.versions = server_versions;
                let (report, version) = echo(&config, setup.build());
                assert_eq!(version, expected, "{kind:?} {provider:?}");
                assert_eq!(report.sni.as_deref(), Some(SERVER_NAME));
                assert_eq!(report.alpn.as_deref(), Some(&b"mqtt"[..]));
                assert_eq!(
                    report.echoed,
                    messages().iter().map(Vec::len).sum::<usize>()
                );
                assert_eq!(report.error, None, "the client closed cleanly");
            }
        }
    }
}

#[test]
fn mutual_tls_over_tcp() {
    let pki = Pki::new(KeyKind::Rsa);
    for provider in PROVIDERS {
        let device = pki.client(KeyKind::Ecdsa);
        let config = client_config(&pki, provider)
            .alpn(Alpn::for_aws(443, true))
            .client_certificate(device.chain, device.key)
            .build()
            .unwrap();
        let mut setup = ServerSetup::new(pki.server(Validity::Current));
        setup.client_auth = Some(pki.root_store());
        let (report, _) = echo(&config, setup.build());
        assert!(report.client_certificate);
        assert_eq!(report.alpn.as_deref(), Some(&b"x-amzn-mqtt-ca"[..]));
    }
}

#[test]
fn an_untrusted_server_over_tcp_hears_unknown_ca() {
    let pki = Pki::new(KeyKind::Rsa);
    let other = Pki::named(KeyKind::Ecdsa, "not the broker's CA");
    for provider in PROVIDERS {
        let server = EchoServer::start(ServerSetup::new(pki.server(Validity::Current)).build());
        let config = client_config(&other, provider)
            .alpn(Alpn::AwsCustomAuth)
            .build()
            .unwrap();
        let mut client = Client::connect(server.port, &config);
        assert_eq!(client.handshake().unwrap_err(), TlsError::UnknownCa);
        drop(client);
        let report = server.finish();
        let error = report.error.expect("the server saw the handshake fail");
        assert!(
            error.contains(&format!("{:?}", AlertDescription::UnknownCA)),
            "server error: {error}"
        );
    }
}

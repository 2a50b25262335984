//! The two crypto providers, a configurable rustls server, and an in-memory connection between
//! our client and that server.

use std::io::Write as _;
use std::sync::Arc;

use iot_tls::crypto::{EntropyError, EntropySource, RustCrypto};
use iot_tls::tls::{
    Alpn, RecordBuffer, RecordPolicy, TlsClient, TlsConfig, TlsConfigBuilder, TlsError, TlsEvent,
};
use rustls::crypto::{CryptoProvider, SupportedKxGroup, ring};
use rustls::server::WebPkiClientVerifier;
use rustls::{ServerConfig, ServerConnection, SupportedCipherSuite, SupportedProtocolVersion};

use super::pki::{Identity, Pki, SERVER_NAME};

/// The operating system's random generator.
pub(crate) struct OsEntropy;

impl EntropySource for OsEntropy {
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
        getrandom::fill(dest).map_err(|_| EntropyError)
    }
}

static RUSTCRYPTO: RustCrypto = RustCrypto::new(&OsEntropy);

/// Which provider the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provider {
    /// rustls's ring provider, the default on hosts.
    Ring,
    /// The crate's pure-Rust provider, the one for bare metal.
    RustCrypto,
}

pub(crate) const PROVIDERS: [Provider; 2] = [Provider::Ring, Provider::RustCrypto];

impl Provider {
    pub(crate) fn crypto(self) -> Arc<CryptoProvider> {
        Arc::new(match self {
            Self::Ring => ring::default_provider(),
            Self::RustCrypto => RUSTCRYPTO.provider(),
        })
    }
}

/// A client configuration for `SERVER_NAME` trusting `pki`, with `provider`.
pub(crate) fn client_config(pki: &Pki, provider: Provider) -> TlsConfigBuilder {
    TlsConfig::builder(SERVER_NAME, pki.anchors()).provider(provider.crypto())
}

/// How the rustls server is set up; it always runs on ring.
pub(crate) struct ServerSetup {
    pub(crate) identity: Identity,
    pub(crate) versions: Vec<&'static SupportedProtocolVersion>,
    /// Empty: all of ring's suites.
    pub(crate) suites: Vec<SupportedCipherSuite>,
    /// Empty: all of ring's groups.
    pub(crate) kx_groups: Vec<&'static dyn SupportedKxGroup>,
    pub(crate) alpn: Vec<Vec<u8>>,
    /// Require a client certificate chaining to this PKI's root.
    pub(crate) client_auth: Option<rustls::RootCertStore>,
}

impl ServerSetup {
    /// A TLS 1.3 and 1.2 server offering the AWS IoT ALPN protocols.
    pub(crate) fn new(identity: Identity) -> Self {
        Self {
            identity,
            versions: vec![&rustls::version::TLS13, &rustls::version::TLS12],
            suites: Vec::new(),
            kx_groups: Vec::new(),
            alpn: vec![b"mqtt".to_vec(), b"x-amzn-mqtt-ca".to_vec()],
            client_auth: None,
        }
    }

    pub(crate) fn build(self) -> Arc<ServerConfig> {
        let mut provider = ring::default_provider();
        if !self.suites.is_empty() {
            provider.cipher_suites = self.suites;
        }
        if !self.kx_groups.is_empty() {
            provider.kx_groups = self.kx_groups;
        }
        let provider = Arc::new(provider);
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&self.versions)
            .expect("server versions");
        let builder = match self.client_auth {
            Some(roots) => builder.with_client_cert_verifier(
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .expect("client verifier"),
            ),
            None => builder.with_no_client_auth(),
        };
        let mut config = builder
            .with_single_cert(self.identity.chain, self.identity.key)
            .expect("server certificate");
        config.alpn_protocols = self.alpn;
        Arc::new(config)
    }
}

/// What [`Pair::pump`] stopped at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pumped {
    /// Neither side has anything more to say.
    Idle,
    PeerClosed,
    Closed,
}

/// Our client and a rustls server, connected through memory.
pub(crate) struct Pair {
    pub(crate) tls: TlsClient<'static>,
    pub(crate) tx: Vec<u8>,
    pub(crate) server: ServerConnection,
    /// Plaintext the client received.
    pub(crate) received: Vec<u8>,
    /// The first error the server reported.
    pub(crate) server_error: Option<rustls::Error>,
    /// Plaintext the server received and the test has not looked at yet.
    server_inbox: Vec<u8>,
    pub(crate) connected_events: usize,
}

impl Pair {
    pub(crate) fn new(config: &TlsConfig, server: Arc<ServerConfig>) -> Self {
        Self::with_buffer(config, server, RecordBuffer::new(RecordPolicy::default()))
    }

    pub(crate) fn with_buffer(
        config: &TlsConfig,
        server: Arc<ServerConfig>,
        rx: RecordBuffer<'static>,
    ) -> Self {
        Self {
            tls: TlsClient::with_buffer(config, rx).expect("client"),
            tx: vec![0; config.max_outgoing_record()],
            server: ServerConnection::new(server).expect("server"),
            received: Vec::new(),
            server_error: None,
            server_inbox: Vec::new(),
            connected_events: 0,
        }
    }

    /// Moves bytes both ways until neither side has anything to do.
    pub(crate) fn pump(&mut self) -> Result<Pumped, TlsError> {
        loop {
            match self.tls.process(&mut self.tx)? {
                TlsEvent::Transmit(n) => self.deliver(n),
                TlsEvent::Connected => self.connected_events += 1,
                TlsEvent::Plaintext(mut records) => {
                    while let Some(bytes) = records.next_record()? {
                        self.received.extend_from_slice(bytes);
                    }
                }
                TlsEvent::NeedData => {
                    if !self.server.wants_write() {
                        return Ok(Pumped::Idle);
                    }
                    let space = self.tls.unfilled()?;
                    let n = self
                        .server
                        .write_tls(&mut &mut space[..])
                        .expect("server output");
                    self.tls.advance(n);
                }
                TlsEvent::PeerClosed => return Ok(Pumped::PeerClosed),
                TlsEvent::Closed => return Ok(Pumped::Closed),
            }
        }
    }

    /// Runs the handshake to completion.
    pub(crate) fn handshake(&mut self) -> Result<(), TlsError> {
        self.pump()?;
        assert!(!self.tls.is_handshaking(), "handshake stalled");
        Ok(())
    }

    /// Sends `data` from the client to the server, in as many `encrypt` calls as it takes.
    pub(crate) fn client_send(&mut self, data: &[u8]) -> Result<(), TlsError> {
        let mut rest = data;
        while !rest.is_empty() {
            let out = self.tls.encrypt(rest, &mut self.tx)?;
            self.deliver(out.written);
            rest = &rest[out.consumed..];
        }
        Ok(())
    }

    /// Everything the server received from the client since the last call.
    pub(crate) fn server_received(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.server_inbox)
    }

    /// Hands `tx[..n]` to the server, keeping its first error (an alert from our client, say)
    /// and the plaintext it decrypts.
    pub(crate) fn deliver(&mut self, n: usize) {
        let mut bytes = &self.tx[..n];
        while !bytes.is_empty() {
            if self.server.read_tls(&mut bytes).expect("server input") == 0 {
                break;
            }
            if let Err(e) = self.server.process_new_packets() {
                self.server_error.get_or_insert(e);
                return;
            }
            let _ = std::io::Read::read_to_end(&mut self.server.reader(), &mut self.server_inbox);
        }
    }

    /// Queues `data` from the server and pumps it to the client.
    pub(crate) fn server_send(&mut self, data: &[u8]) -> Result<(), TlsError> {
        self.server.writer().write_all(data).expect("server write");
        self.pump().map(|_| ())
    }
}

/// The ALPN names the server accepted, as text, for assertions.
pub(crate) fn alpn_text(alpn: Option<&[u8]>) -> Option<String> {
    alpn.map(|p| String::from_utf8_lossy(p).into_owned())
}

/// The default ALPN for the tests: AWS IoT's custom-authorizer preset.
pub(crate) const TEST_ALPN: Alpn = Alpn::AwsCustomAuth;

//! TLS for the MQTT connection: rustls 0.23's unbuffered client, driven without I/O, in memory
//! the caller can bound.
//!
//! The same code serves `no_std` + `alloc` targets and hosts. Three pieces:
//!
//! - [`TlsConfig`]: the server name (always sent in SNI), the [`TrustAnchors`] the server's
//!   certificate must chain to (verification cannot be turned off), the [`Alpn`] protocols
//!   (presets for AWS IoT Core), an optional client certificate (mutual TLS), the [`Clock`] and
//!   the crypto provider (rustls's ring provider on hosts, [`crate::crypto::RustCrypto`] on
//!   bare metal);
//! - [`TlsClient`]: one connection as a state machine; [`TlsClient::process`] returns a
//!   [`TlsEvent`] telling the driver to transmit, read, or take decrypted data, and
//!   [`TlsClient::encrypt`] protects outgoing MQTT bytes;
//! - [`RecordBuffer`]: the caller-owned receive buffer with its [`RecordPolicy`]: a small buffer
//!   that grows only when a record header announces a larger record (up to 16 KiB plus
//!   overhead) and shrinks afterwards, or a hard cap that fails with
//!   [`TlsError::RecordTooLarge`].
//!
//! Decrypted records come out as borrowed slices ([`Plaintext::next_record`]) that the MQTT core
//! decodes in place.
//!
//! # AWS IoT Core
//!
//! | port | authentication | [`Alpn`] |
//! |---|---|---|
//! | 443 | custom authorizer (MQTT username and password) | [`Alpn::AwsCustomAuth`] (`mqtt`) |
//! | 443 | X.509 client certificate | [`Alpn::AwsX509`] (`x-amzn-mqtt-ca`) |
//! | 8883 | X.509 client certificate | [`Alpn::None`] |
//!
//! The endpoint's certificate chains to Amazon Root CA 1 (RSA) or Amazon Root CA 3 (ECC),
//! bundled as [`AMAZON_ROOT_CA_1`] and [`AMAZON_ROOT_CA_3`] and trusted by
//! [`TrustAnchors::aws_iot`].
//!
//! # Example
//!
//! A full handshake and one message against an in-memory rustls server:
//!
//! ```
//! # #[cfg(all(feature = "std", feature = "ring"))] {
//! use std::sync::Arc;
//! use iot_tls::tls::{Alpn, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
//! # use rustls::pki_types::PrivateKeyDer;
//! # let ca_key = rcgen::KeyPair::generate().unwrap();
//! # let mut ca = rcgen::CertificateParams::new(vec![]).unwrap();
//! # ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
//! # let ca_cert = ca.self_signed(&ca_key).unwrap();
//! # let issuer = rcgen::Issuer::new(ca, ca_key);
//! # let leaf_key = rcgen::KeyPair::generate().unwrap();
//! # let leaf = rcgen::CertificateParams::new(vec!["broker.test".into()]).unwrap()
//! #     .signed_by(&leaf_key, &issuer).unwrap();
//! # let ring = Arc::new(rustls::crypto::ring::default_provider());
//! # let mut server_config = rustls::ServerConfig::builder_with_provider(ring)
//! #     .with_safe_default_protocol_versions().unwrap()
//! #     .with_no_client_auth()
//! #     .with_single_cert(vec![leaf.der().clone()], PrivateKeyDer::try_from(leaf_key.serialize_der()).unwrap())
//! #     .unwrap();
//! # server_config.alpn_protocols = vec![b"mqtt".to_vec()];
//! # let mut server = rustls::ServerConnection::new(Arc::new(server_config)).unwrap();
//! # let ca_der = ca_cert.der().to_vec();
//!
//! let mut anchors = TrustAnchors::new();
//! anchors.add_der(&ca_der)?;
//! let config = TlsConfig::builder("broker.test", anchors).alpn(Alpn::AwsCustomAuth).build()?;
//! let mut tls = TlsClient::new(&config)?;
//! let mut tx = vec![0; config.max_outgoing_record()];
//! let mut sent = false;
//! loop {
//!     match tls.process(&mut tx)? {
//!         // A driver writes these bytes to its socket; here the server reads them.
//!         TlsEvent::Transmit(n) => {
//!             server.read_tls(&mut &tx[..n]).unwrap();
//!             server.process_new_packets().unwrap();
//!         }
//!         TlsEvent::Connected => assert_eq!(tls.alpn_protocol(), Some(&b"mqtt"[..])),
//!         TlsEvent::Plaintext(mut records) => {
//!             while let Some(bytes) = records.next_record()? {
//!                 assert_eq!(bytes, b"pong");
//!             }
//!             break;
//!         }
//!         TlsEvent::NeedData => {
//!             if !tls.is_handshaking() && !sent {
//!                 let out = tls.encrypt(b"ping", &mut tx)?;
//!                 server.read_tls(&mut &tx[..out.written]).unwrap();
//!                 server.process_new_packets().unwrap();
//!                 std::io::Write::write_all(&mut server.writer(), b"pong").unwrap();
//!                 sent = true;
//!             }
//!             // A driver reads its socket here.
//!             let space = tls.unfilled()?;
//!             let n = server.write_tls(&mut &mut space[..]).unwrap();
//!             tls.advance(n);
//!         }
//!         TlsEvent::PeerClosed | TlsEvent::Closed => break,
//!     }
//! }
//! # }
//! # Ok::<(), iot_tls::tls::TlsError>(())
//! ```

mod buffer;
mod client;
mod config;
mod error;

pub use buffer::{DEFAULT_INITIAL_RECORD_BUFFER, MAX_RECORD_LEN, RecordBuffer, RecordPolicy};
pub use client::{Encrypted, Plaintext, TlsClient, TlsEvent};
#[cfg(feature = "std")]
pub use config::SystemClock;
pub use config::{
    AMAZON_ROOT_CA_1, AMAZON_ROOT_CA_3, Alpn, Clock, DEFAULT_MAX_OUTGOING_RECORD,
    MIN_OUTGOING_RECORD, TlsConfig, TlsConfigBuilder, TrustAnchors,
};
pub use error::TlsError;
/// The certificate and key types of [`TlsConfigBuilder::client_certificate`], with PEM decoding.
pub use rustls::pki_types;

//! [`TlsConfig`] and its builder: server name, trust anchors, ALPN, client identity, clock and
//! crypto provider.

use alloc::string::{String, ToString as _};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::time_provider::TimeProvider;
use rustls::{ClientConfig, RootCertStore, SupportedProtocolVersion};

use super::{MAX_RECORD_LEN, TlsError};

/// Amazon Root CA 1 (RSA 2048, valid until 2038-01-17), DER-encoded: the root of AWS IoT Core's
/// ATS endpoints when the server presents its RSA chain.
///
/// SHA-256 fingerprint
/// `8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E`,
/// as published at <https://www.amazontrust.com/repository/>.
///
/// # Example
///
/// ```
/// use iot_tls::tls::{AMAZON_ROOT_CA_1, TrustAnchors};
///
/// let mut anchors = TrustAnchors::new();
/// anchors.add_der(AMAZON_ROOT_CA_1)?;
/// # Ok::<(), iot_tls::tls::TlsError>(())
/// ```
pub const AMAZON_ROOT_CA_1: &[u8] = include_bytes!("amazon-root-ca-1.der");

/// Amazon Root CA 3 (ECC P-256, valid until 2040-05-26), DER-encoded: the root of AWS IoT Core's
/// ATS endpoints when the server presents its ECC chain (clients that offer only ECDSA).
///
/// SHA-256 fingerprint
/// `18:CE:6C:FE:7B:F1:4E:60:B2:E3:47:B8:DF:E8:68:CB:31:D0:2E:BB:3A:DA:27:15:69:F5:03:43:B4:6D:B3:A4`.
///
/// # Example
///
/// ```
/// use iot_tls::tls::{AMAZON_ROOT_CA_3, TrustAnchors};
///
/// let mut anchors = TrustAnchors::new();
/// anchors.add_der(AMAZON_ROOT_CA_3)?;
/// # Ok::<(), iot_tls::tls::TlsError>(())
/// ```
pub const AMAZON_ROOT_CA_3: &[u8] = include_bytes!("amazon-root-ca-3.der");

/// The certificates a server's chain must lead to. Verification is always on: there is no way to
/// skip it.
///
/// For AWS IoT Core use [`TrustAnchors::aws_iot`] (Amazon Root CA 1 and 3). AWS's legacy
/// Symantec (VeriSign) endpoints are not covered: use the ATS endpoint
/// (`xxxx-ats.iot.<region>.amazonaws.com`).
///
/// # Example
///
/// ```
/// use iot_tls::tls::TrustAnchors;
///
/// let anchors = TrustAnchors::aws_iot();
/// assert_eq!(anchors.len(), 2);
/// ```
#[derive(Clone)]
pub struct TrustAnchors {
    store: RootCertStore,
}

impl Default for TrustAnchors {
    fn default() -> Self {
        Self {
            store: RootCertStore::empty(),
        }
    }
}

impl TrustAnchors {
    /// No anchors yet; add the broker's root CA with [`add_der`](Self::add_der) or
    /// [`add_pem`](Self::add_pem).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::TrustAnchors;
    ///
    /// assert!(TrustAnchors::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Amazon Root CA 1 and Amazon Root CA 3, the roots of every AWS IoT Core ATS endpoint.
    ///
    /// # Panics
    ///
    /// Never: the bundled certificates are checked by the crate's tests.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::TrustAnchors;
    ///
    /// assert_eq!(TrustAnchors::aws_iot().len(), 2);
    /// ```
    pub fn aws_iot() -> Self {
        let mut anchors = Self::new();
        for der in [AMAZON_ROOT_CA_1, AMAZON_ROOT_CA_3] {
            anchors
                .add_der(der)
                .expect("the bundled Amazon roots parse");
        }
        anchors
    }

    /// Adds one DER-encoded root certificate.
    ///
    /// # Errors
    ///
    /// [`TlsError::InvalidTrustAnchor`] when the certificate does not parse.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::{AMAZON_ROOT_CA_3, TrustAnchors};
    ///
    /// let mut anchors = TrustAnchors::new();
    /// anchors.add_der(AMAZON_ROOT_CA_3)?;
    /// assert!(anchors.add_der(b"not a certificate").is_err());
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn add_der(&mut self, der: &[u8]) -> Result<(), TlsError> {
        self.store
            .add(CertificateDer::from(der.to_vec()))
            .map_err(TlsError::InvalidTrustAnchor)
    }

    /// Adds every certificate of a PEM file (`-----BEGIN CERTIFICATE-----` blocks) and returns
    /// how many were added.
    ///
    /// # Errors
    ///
    /// [`TlsError::InvalidTrustAnchor`] when a block is malformed, does not parse, or when the
    /// input holds no certificate.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::TrustAnchors;
    ///
    /// let mut anchors = TrustAnchors::new();
    /// let err = anchors.add_pem(b"no pem here").unwrap_err();
    /// assert!(err.to_string().contains("no certificate"));
    /// ```
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, TlsError> {
        use rustls::pki_types::pem::PemObject as _;
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| {
                TlsError::InvalidTrustAnchor(rustls::Error::General(alloc::format!("{e:?}")))
            })?;
            self.store.add(cert).map_err(TlsError::InvalidTrustAnchor)?;
            added += 1;
        }
        if added == 0 {
            return Err(TlsError::InvalidTrustAnchor(rustls::Error::General(
                "no certificate in the PEM input".to_string(),
            )));
        }
        Ok(added)
    }

    /// The number of anchors.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::{AMAZON_ROOT_CA_1, TrustAnchors};
    ///
    /// let mut anchors = TrustAnchors::new();
    /// anchors.add_der(AMAZON_ROOT_CA_1)?;
    /// assert_eq!(anchors.len(), 1);
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether there is no anchor.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::TrustAnchors;
    ///
    /// assert!(!TrustAnchors::aws_iot().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

impl fmt::Debug for TrustAnchors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TrustAnchors")
            .field("len", &self.len())
            .finish()
    }
}

/// The ALPN protocols offered in the ClientHello.
///
/// AWS IoT Core multiplexes port 443 by ALPN: MQTT with a custom authorizer (username and
/// password) needs `mqtt`, MQTT with an X.509 client certificate needs `x-amzn-mqtt-ca`, and
/// port 8883 takes no ALPN. [`Alpn::for_aws`] picks the right one.
///
/// # Example
///
/// ```
/// use iot_tls::tls::Alpn;
///
/// let mqtt_first = Alpn::Custom(vec![b"mqtt".to_vec(), b"x-amzn-mqtt-ca".to_vec()]);
/// assert_eq!(mqtt_first.protocols().len(), 2);
/// assert!(Alpn::None.protocols().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Alpn {
    /// No ALPN extension (port 8883, most MQTT brokers).
    #[default]
    None,
    /// `mqtt`: AWS IoT custom authentication on port 443, and the IANA name for MQTT.
    AwsCustomAuth,
    /// `x-amzn-mqtt-ca`: AWS IoT with an X.509 client certificate on port 443.
    AwsX509,
    /// Any list, in preference order; each name 1 to 255 bytes.
    Custom(Vec<Vec<u8>>),
}

impl Alpn {
    /// The ALPN AWS IoT Core expects on `port`: on 443, `x-amzn-mqtt-ca` with a client
    /// certificate and `mqtt` without one (custom authorizer); on any other port (8883), none.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::Alpn;
    ///
    /// assert_eq!(Alpn::for_aws(443, false), Alpn::AwsCustomAuth);
    /// assert_eq!(Alpn::for_aws(443, true), Alpn::AwsX509);
    /// assert_eq!(Alpn::for_aws(8883, true), Alpn::None);
    /// ```
    pub fn for_aws(port: u16, client_certificate: bool) -> Self {
        match (port, client_certificate) {
            (443, true) => Self::AwsX509,
            (443, false) => Self::AwsCustomAuth,
            _ => Self::None,
        }
    }

    /// The protocol names on the wire.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::Alpn;
    ///
    /// assert_eq!(Alpn::AwsX509.protocols(), [b"x-amzn-mqtt-ca".to_vec()]);
    /// ```
    pub fn protocols(&self) -> Vec<Vec<u8>> {
        match self {
            Self::None => Vec::new(),
            Self::AwsCustomAuth => vec![b"mqtt".to_vec()],
            Self::AwsX509 => vec![b"x-amzn-mqtt-ca".to_vec()],
            Self::Custom(list) => list.clone(),
        }
    }

    fn validate(&self) -> Result<(), TlsError> {
        match self {
            Self::Custom(list)
                if list.is_empty() || list.iter().any(|p| p.is_empty() || p.len() > 255) =>
            {
                Err(TlsError::InvalidAlpn)
            }
            _ => Ok(()),
        }
    }
}

/// The wall clock, for certificate validity periods.
///
/// rustls asks it once per handshake. On a microcontroller it reads an RTC or the last SNTP
/// answer; until the time is known it returns `None`, and handshakes fail with
/// [`TlsError::ClockUnavailable`] rather than trusting a made-up date.
///
/// # Example
///
/// ```
/// use core::sync::atomic::{AtomicU32, Ordering};
/// use iot_tls::tls::Clock;
///
/// /// Unix seconds stored by the network task after each SNTP answer; 0 until the first.
/// struct SntpClock(AtomicU32);
///
/// impl Clock for SntpClock {
///     fn unix_time(&self) -> Option<u64> {
///         match self.0.load(Ordering::Relaxed) {
///             0 => None,
///             secs => Some(u64::from(secs)),
///         }
///     }
/// }
///
/// let clock = SntpClock(AtomicU32::new(0));
/// assert_eq!(clock.unix_time(), None);
/// clock.0.store(1_750_000_000, Ordering::Relaxed);
/// assert_eq!(clock.unix_time(), Some(1_750_000_000));
/// ```
pub trait Clock: Send + Sync {
    /// Seconds since the Unix epoch, or `None` while the time is unknown.
    fn unix_time(&self) -> Option<u64>;
}

/// The operating system's clock.
///
/// # Example
///
/// ```
/// use iot_tls::tls::{Clock, SystemClock};
///
/// assert!(SystemClock.unix_time().is_some_and(|secs| secs > 1_700_000_000));
/// ```
#[cfg(feature = "std")]
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn unix_time(&self) -> Option<u64> {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|elapsed| elapsed.as_secs())
    }
}

/// A [`Clock`] as rustls's time provider.
struct ClockTime(Arc<dyn Clock>);

impl fmt::Debug for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

impl TimeProvider for ClockTime {
    fn current_time(&self) -> Option<UnixTime> {
        self.0
            .unix_time()
            .map(|secs| UnixTime::since_unix_epoch(core::time::Duration::from_secs(secs)))
    }
}

/// The smallest outgoing record size the builder accepts: the ClientHello then travels in one
/// record, which some servers insist on.
///
/// # Example
///
/// ```
/// use iot_tls::tls::{DEFAULT_MAX_OUTGOING_RECORD, MIN_OUTGOING_RECORD};
///
/// assert!(MIN_OUTGOING_RECORD < DEFAULT_MAX_OUTGOING_RECORD);
/// ```
pub const MIN_OUTGOING_RECORD: usize = 512;

/// The default largest outgoing record, which is also the transmit buffer's minimum size.
///
/// # Example
///
/// ```
/// use iot_tls::tls::DEFAULT_MAX_OUTGOING_RECORD;
///
/// let tx = [0u8; DEFAULT_MAX_OUTGOING_RECORD];
/// # let _ = tx;
/// ```
pub const DEFAULT_MAX_OUTGOING_RECORD: usize = 1024;

/// What an encrypted record adds to the fragment size rustls is configured with: up to 24 bytes
/// (TLS 1.2 AES-GCM's explicit nonce and tag; TLS 1.3 adds 17).
const RECORD_EXPANSION: usize = 24;

/// The settings shared by every connection to one server: immutable, cheap to clone.
///
/// Built with [`TlsConfig::builder`]. Resumption is off (AWS IoT does not offer session tickets,
/// and a `no_std` client has nowhere to keep them).
///
/// # Example
///
/// ```
/// # #[cfg(all(feature = "std", feature = "ring"))] {
/// use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
///
/// let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot())
///     .alpn(Alpn::for_aws(443, false))
///     .build()?;
/// assert_eq!(config.server_name(), "a1b2c3-ats.iot.eu-west-1.amazonaws.com");
/// assert_eq!(config.alpn_protocols(), [b"mqtt".to_vec()]);
/// # }
/// # Ok::<(), iot_tls::tls::TlsError>(())
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    pub(super) client: Arc<ClientConfig>,
    pub(super) server_name: ServerName<'static>,
    pub(super) alpn_required: bool,
    pub(super) max_outgoing_record: usize,
}

impl TlsConfig {
    /// Starts a configuration for the server `server_name` (sent in SNI and matched against its
    /// certificate) trusting `trust_anchors`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::{TlsConfig, TrustAnchors};
    ///
    /// let builder = TlsConfig::builder("broker.example.com", TrustAnchors::aws_iot());
    /// # let _ = builder;
    /// ```
    pub fn builder(server_name: &str, trust_anchors: TrustAnchors) -> TlsConfigBuilder {
        TlsConfigBuilder {
            server_name: server_name.to_string(),
            trust_anchors,
            provider: None,
            clock: None,
            alpn: Alpn::None,
            require_alpn: true,
            client_identity: None,
            max_outgoing_record: DEFAULT_MAX_OUTGOING_RECORD,
            tls13_only: false,
        }
    }

    /// The server name sent in SNI and checked against the certificate.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// assert_eq!(builder.build()?.server_name(), "a1b2c3-ats.iot.eu-west-1.amazonaws.com");
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn server_name(&self) -> &str {
        match &self.server_name {
            ServerName::DnsName(name) => name.as_ref(),
            _ => "",
        }
    }

    /// The ALPN protocols offered.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let config = builder.alpn(Alpn::AwsX509).build()?;
    /// assert_eq!(config.alpn_protocols(), [b"x-amzn-mqtt-ca".to_vec()]);
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn alpn_protocols(&self) -> &[Vec<u8>] {
        &self.client.alpn_protocols
    }

    /// The largest record the client sends, which is the smallest transmit buffer
    /// [`TlsClient::process`](super::TlsClient::process) accepts.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let config = builder.build()?;
    /// let tx = vec![0; config.max_outgoing_record()];
    /// assert_eq!(tx.len(), 1024);
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn max_outgoing_record(&self) -> usize {
        self.max_outgoing_record
    }

    /// The rustls configuration, with the same verification, SNI and ALPN, for a stack that
    /// drives rustls itself (tokio-rustls, rumqttc).
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let config = builder.alpn(Alpn::AwsCustomAuth).build()?;
    /// let rustls_config: std::sync::Arc<rustls::ClientConfig> = config.rustls_config().clone();
    /// assert!(rustls_config.enable_sni);
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn rustls_config(&self) -> &Arc<ClientConfig> {
        &self.client
    }
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("server_name", &self.server_name())
            .field("alpn_protocols", &self.alpn_protocols())
            .field("alpn_required", &self.alpn_required)
            .field("max_outgoing_record", &self.max_outgoing_record)
            .finish_non_exhaustive()
    }
}

/// Builds a [`TlsConfig`]; see [`TlsConfig::builder`].
///
/// # Example
///
/// An AWS IoT device with an X.509 certificate on port 443, offering TLS 1.3 only:
///
/// ```
/// # #[cfg(all(feature = "std", feature = "ring"))] {
/// use iot_tls::tls::pki_types::pem::PemObject as _;
/// use iot_tls::tls::pki_types::{CertificateDer, PrivateKeyDer};
/// use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
/// # let key = rcgen::KeyPair::generate().unwrap();
/// # let cert = rcgen::CertificateParams::new(vec![]).unwrap().self_signed(&key).unwrap();
/// # let (device_cert_pem, device_key_pem) = (cert.pem(), key.serialize_pem());
///
/// let chain = vec![CertificateDer::from_pem_slice(device_cert_pem.as_bytes()).unwrap()];
/// let key = PrivateKeyDer::from_pem_slice(device_key_pem.as_bytes()).unwrap();
/// let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot())
///     .alpn(Alpn::for_aws(443, true))
///     .client_certificate(chain, key)
///     .max_outgoing_record(2048)
///     .tls13_only()
///     .build()?;
/// assert_eq!(config.max_outgoing_record(), 2048);
/// # }
/// # Ok::<(), iot_tls::tls::TlsError>(())
/// ```
pub struct TlsConfigBuilder {
    server_name: String,
    trust_anchors: TrustAnchors,
    provider: Option<Arc<CryptoProvider>>,
    clock: Option<Arc<dyn Clock>>,
    alpn: Alpn,
    require_alpn: bool,
    client_identity: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
    max_outgoing_record: usize,
    tls13_only: bool,
}

impl TlsConfigBuilder {
    /// The crypto provider. Without one, the builder takes the process default
    /// ([`CryptoProvider::install_default`]) or, with the `ring` feature, rustls's ring provider.
    /// On `no_std` targets pass [`RustCrypto::provider`](crate::crypto::RustCrypto::provider)
    /// (feature `rustcrypto`).
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    /// let config = builder.provider(provider).build()?;
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    #[must_use]
    pub fn provider(mut self, provider: Arc<CryptoProvider>) -> Self {
        self.provider = Some(provider);
        self
    }

    /// The clock for certificate validity; the system clock by default with `std`, required
    /// without it.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let config = builder.clock(std::sync::Arc::new(iot_tls::tls::SystemClock)).build()?;
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The ALPN protocols to offer; none by default. See [`Alpn::for_aws`].
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let config = builder.alpn(Alpn::for_aws(443, false)).build()?;
    /// assert_eq!(config.alpn_protocols(), [b"mqtt".to_vec()]);
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    #[must_use]
    pub fn alpn(mut self, alpn: Alpn) -> Self {
        self.alpn = alpn;
        self
    }

    /// Whether a server that ignores the offered ALPN fails the handshake with
    /// [`TlsError::AlpnRefused`]; `true` by default, because an AWS IoT endpoint on port 443
    /// without ALPN is not an MQTT endpoint. Set `false` for brokers behind proxies that strip
    /// ALPN.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let config = builder.alpn(Alpn::AwsCustomAuth).require_alpn(false).build()?;
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    #[must_use]
    pub fn require_alpn(mut self, required: bool) -> Self {
        self.require_alpn = required;
        self
    }

    /// Authenticates the client with a certificate (mutual TLS, AWS IoT X.509 authentication):
    /// the chain, leaf first, and its private key (PKCS#8, SEC 1 or PKCS#1). Without it the
    /// client sends no certificate and authenticates in MQTT (username and password).
    ///
    /// Decode PEM files with [`pki_types::pem::PemObject`](rustls::pki_types::pem::PemObject);
    /// the [builder's example](TlsConfigBuilder) shows it.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// # let key = rcgen::KeyPair::generate().unwrap();
    /// # let cert = rcgen::CertificateParams::new(vec![]).unwrap().self_signed(&key).unwrap();
    /// let chain = vec![cert.der().clone()];
    /// let key = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    /// let config = builder.client_certificate(chain, key).build()?;
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    #[must_use]
    pub fn client_certificate(
        mut self,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Self {
        self.client_identity = Some((chain, key));
        self
    }

    /// The largest TLS record the client sends, header and tag included; 1024 bytes by default,
    /// from [`MIN_OUTGOING_RECORD`] to [`MAX_RECORD_LEN`]. Longer messages are split over several
    /// records. The transmit buffer given to the client must be at least this long.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let config = builder.max_outgoing_record(1024).build()?;
    /// assert_eq!(config.max_outgoing_record(), 1024);
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    #[must_use]
    pub fn max_outgoing_record(mut self, bytes: usize) -> Self {
        self.max_outgoing_record = bytes;
        self
    }

    /// Offers TLS 1.3 only, even when the `tls12` feature is on.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
    /// # let builder = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot());
    /// let config = builder.tls13_only().build()?;
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    #[must_use]
    pub fn tls13_only(mut self) -> Self {
        self.tls13_only = true;
        self
    }

    /// Checks the settings and builds the configuration.
    ///
    /// # Errors
    ///
    /// - [`TlsError::InvalidServerName`] for an IP address or a malformed name;
    /// - [`TlsError::NoTrustAnchors`] without trust anchors;
    /// - [`TlsError::InvalidAlpn`], [`TlsError::InvalidRecordSize`] for out-of-range settings;
    /// - [`TlsError::NoCryptoProvider`], [`TlsError::NoClock`] when one is missing;
    /// - [`TlsError::InvalidClientIdentity`] when the key does not load or does not match the
    ///   certificate;
    /// - [`TlsError::Config`] when the provider cannot serve the protocol versions.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::{TlsConfig, TlsError, TrustAnchors};
    ///
    /// let error = TlsConfig::builder("192.0.2.7", TrustAnchors::aws_iot()).build().unwrap_err();
    /// assert_eq!(error, TlsError::InvalidServerName("192.0.2.7".into()));
    /// ```
    pub fn build(self) -> Result<TlsConfig, TlsError> {
        let Ok(server_name @ ServerName::DnsName(_)) =
            ServerName::try_from(self.server_name.clone())
        else {
            return Err(TlsError::InvalidServerName(self.server_name));
        };
        if self.trust_anchors.is_empty() {
            return Err(TlsError::NoTrustAnchors);
        }
        self.alpn.validate()?;
        if !(MIN_OUTGOING_RECORD..=MAX_RECORD_LEN).contains(&self.max_outgoing_record) {
            return Err(TlsError::InvalidRecordSize(self.max_outgoing_record));
        }
        let provider = self
            .provider
            .or_else(default_provider)
            .ok_or(TlsError::NoCryptoProvider)?;
        #[cfg(feature = "std")]
        let system_clock: Option<Arc<dyn Clock>> = Some(Arc::new(SystemClock));
        #[cfg(not(feature = "std"))]
        let system_clock: Option<Arc<dyn Clock>> = None;
        let clock = self.clock.or(system_clock).ok_or(TlsError::NoClock)?;

        let builder = ClientConfig::builder_with_details(provider, Arc::new(ClockTime(clock)))
            .with_protocol_versions(versions(self.tls13_only))
            .map_err(TlsError::Config)?
            .with_root_certificates(self.trust_anchors.store);
        let mut client = match self.client_identity {
            Some((chain, key)) => builder
                .with_client_auth_cert(chain, key)
                .map_err(TlsError::InvalidClientIdentity)?,
            None => builder.with_no_client_auth(),
        };
        client.alpn_protocols = self.alpn.protocols();
        client.resumption = Resumption::disabled();
        client.enable_sni = true;
        client.max_fragment_size = Some(self.max_outgoing_record - RECORD_EXPANSION);

        Ok(TlsConfig {
            alpn_required: self.require_alpn && !client.alpn_protocols.is_empty(),
            client: Arc::new(client),
            server_name,
            max_outgoing_record: self.max_outgoing_record,
        })
    }
}

impl fmt::Debug for TlsConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfigBuilder")
            .field("server_name", &self.server_name)
            .field("trust_anchors", &self.trust_anchors)
            .field("alpn", &self.alpn)
            .field("client_certificate", &self.client_identity.is_some())
            .finish_non_exhaustive()
    }
}

static TLS13: &[&SupportedProtocolVersion] = &[&rustls::version::TLS13];
#[cfg(feature = "tls12")]
static TLS13_AND_12: &[&SupportedProtocolVersion] =
    &[&rustls::version::TLS13, &rustls::version::TLS12];

fn versions(tls13_only: bool) -> &'static [&'static SupportedProtocolVersion] {
    #[cfg(feature = "tls12")]
    if !tls13_only {
        return TLS13_AND_12;
    }
    let _ = tls13_only;
    TLS13
}

/// The process default, else rustls's ring provider when it is built in.
#[cfg_attr(
    feature = "ring",
    expect(
        clippy::unnecessary_wraps,
        reason = "without the ring feature there may be no provider"
    )
)]
fn default_provider() -> Option<Arc<CryptoProvider>> {
    let installed = CryptoProvider::get_default().cloned();
    #[cfg(feature = "ring")]
    return Some(installed.unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider())));
    #[cfg(not(feature = "ring"))]
    installed
}

#[cfg(all(test, feature = "rustcrypto"))]
mod tests {
    use sha2::Digest as _;

    use super::*;

    #[test]
    fn the_bundled_amazon_roots_match_their_published_fingerprints() {
        let fingerprint = |der: &[u8]| {
            sha2::Sha256::digest(der)
                .iter()
                .map(|b| alloc::format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(":")
        };
        assert_eq!(
            fingerprint(AMAZON_ROOT_CA_1),
            "8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E"
        );
        assert_eq!(
            fingerprint(AMAZON_ROOT_CA_3),
            "18:CE:6C:FE:7B:F1:4E:60:B2:E3:47:B8:DF:E8:68:CB:31:D0:2E:BB:3A:DA:27:15:69:F5:03:43:B4:6D:B3:A4"
        );
        assert_eq!(TrustAnchors::aws_iot().len(), 2);
    }
}

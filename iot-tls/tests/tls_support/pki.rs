//! A test PKI made with rcgen: a root, an intermediate and leaves, shaped like AWS IoT Core's
//! chains (RSA 2048 padded to about 5 KB, or ECDSA P-256).
//!
//! rcgen on ring cannot generate RSA keys, so the RSA keys are fixtures
//! (`tests/fixtures/rsa2048-*.pk8.der`, made with
//! `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 | openssl pkcs8 -topk8 -nocrypt -outform DER`).
//! They protect
//! nothing and sign only these throwaway test certificates.

use iot_tls::tls::TrustAnchors;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose, SanType,
};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// The broker's DNS name in every test.
pub(crate) const SERVER_NAME: &str = "broker.test";

/// AWS IoT Core's RSA chain is 3.5 to 5 KB; the RSA test chain is padded to this size.
pub(crate) const RSA_CHAIN_BYTES: usize = 5_000;

/// The key type of a chain or a client identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// RSA 2048 keys, SHA-256 signatures (AWS IoT's default chain and device certificates).
    Rsa,
    /// ECDSA P-256 keys and signatures (AWS IoT's ECC chain).
    Ecdsa,
}

/// When a leaf is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Validity {
    /// 2020 to 2099.
    Current,
    /// 2010 to 2020.
    Expired,
}

/// A certificate chain (leaf first) with the leaf's private key.
pub(crate) struct Identity {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
}

impl Identity {
    /// The total size of the chain's certificates, in bytes.
    pub(crate) fn chain_len(&self) -> usize {
        self.chain.iter().map(|cert| cert.len()).sum()
    }
}

/// A root and an intermediate CA of one key type.
pub(crate) struct Pki {
    pub(crate) kind: KeyKind,
    pub(crate) root: CertificateDer<'static>,
    intermediate: CertifiedIssuer<'static, KeyPair>,
}

fn rsa_key(name: &str) -> KeyPair {
    let path = format!(
        "{}/tests/fixtures/rsa2048-{name}.pk8.der",
        env!("CARGO_MANIFEST_DIR")
    );
    let der = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(der), &rcgen::PKCS_RSA_SHA256)
        .expect("fixture RSA key")
}

fn key(kind: KeyKind, rsa_name: &str) -> KeyPair {
    match kind {
        KeyKind::Rsa => rsa_key(rsa_name),
        KeyKind::Ecdsa => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("P-256 key"),
    }
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "iot-tls tests");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = rcgen::date_time_ymd(2015, 1, 1);
    params.not_after = rcgen::date_time_ymd(2099, 1, 1);
    params
}

impl Pki {
    /// A fresh root and intermediate.
    pub(crate) fn new(kind: KeyKind) -> Self {
        Self::named(kind, "iot-tls test")
    }

    /// A fresh root and intermediate whose names start with `name`: a CA unrelated to the
    /// others.
    pub(crate) fn named(kind: KeyKind, name: &str) -> Self {
        let root =
            CertifiedIssuer::self_signed(ca_params(&format!("{name} root")), key(kind, "root"))
                .expect("root certificate");
        let intermediate = CertifiedIssuer::signed_by(
            ca_params(&format!("{name} intermediate")),
            key(kind, "intermediate"),
            &root,
        )
        .expect("intermediate certificate");
        Self {
            kind,
            root: root.der().clone(),
            intermediate,
        }
    }

    /// The root, as the client's trust anchors.
    pub(crate) fn anchors(&self) -> TrustAnchors {
        let mut anchors = TrustAnchors::new();
        anchors.add_der(&self.root).expect("test root parses");
        anchors
    }

    /// The root, as a server's store for verifying client certificates.
    pub(crate) fn root_store(&self) -> RootCertStore {
        let mut store = RootCertStore::empty();
        store.add(self.root.clone()).expect("test root parses");
        store
    }

    /// The broker's identity for `SERVER_NAME`: leaf, intermediate and root, as AWS IoT sends
    /// them. The RSA leaf carries extra names until the chain reaches [`RSA_CHAIN_BYTES`].
    pub(crate) fn server(&self, validity: Validity) -> Identity {
        self.server_for(validity, &[SERVER_NAME])
    }

    /// The broker's identity for `names` (the first is its common name), padded as
    /// [`server`](Self::server) pads it.
    pub(crate) fn server_for(&self, validity: Validity, names: &[&str]) -> Identity {
        let mut extra_names = 0;
        loop {
            let identity = self.server_with_names(validity, names, extra_names);
            let missing = RSA_CHAIN_BYTES.saturating_sub(identity.chain_len());
            if self.kind == KeyKind::Ecdsa || missing == 0 {
                return identity;
            }
            // Each extra name costs about 30 bytes of DER.
            extra_names += missing.div_ceil(30);
        }
    }

    fn server_with_names(
        &self,
        validity: Validity,
        dns_names: &[&str],
        extra_names: usize,
    ) -> Identity {
        let mut names: Vec<String> = dns_names.iter().map(ToString::to_string).collect();
        names.extend((0..extra_names).map(|i| format!("shard-{i:03}.iot.{SERVER_NAME}")));
        let mut params = CertificateParams::new(names).expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, dns_names[0]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        (params.not_before, params.not_after) = match validity {
            Validity::Current => (
                rcgen::date_time_ymd(2020, 1, 1),
                rcgen::date_time_ymd(2099, 1, 1),
            ),
            Validity::Expired => (
                rcgen::date_time_ymd(2010, 1, 1),
                rcgen::date_time_ymd(2020, 1, 1),
            ),
        };
        self.issue(&params, &key(self.kind, "server"))
    }

    /// A device identity for mutual TLS, signed by the intermediate, with a key of `kind`.
    pub(crate) fn client(&self, kind: KeyKind) -> Identity {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("client params");
        params
            .distinguished_name
            .push(DnType::CommonName, "device-0001");
        params.subject_alt_names = vec![SanType::DnsName(
            "device-0001.test".try_into().expect("name"),
        )];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2099, 1, 1);
        let mut identity = self.issue(&params, &key(kind, "client"));
        // Devices send their certificate and its issuer, not the root.
        identity.chain.truncate(2);
        identity
    }

    fn issue(&self, params: &CertificateParams, key: &KeyPair) -> Identity {
        let leaf = params
            .signed_by(key, &self.intermediate)
            .expect("leaf certificate");
        Identity {
            chain: vec![
                leaf.der().clone(),
                self.intermediate.der().clone(),
                self.root.clone(),
            ],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

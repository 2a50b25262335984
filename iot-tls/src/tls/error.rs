//! [`TlsError`]: what went wrong in the TLS layer, named by its cause.

use alloc::string::String;
use alloc::vec::Vec;

use rustls::{AlertDescription, CertificateError, PeerIncompatible, PeerMisbehaved};

/// A TLS failure, named by its cause.
///
/// The variants fall into four groups:
/// - the server's identity: [`UnknownCa`](Self::UnknownCa), [`NameMismatch`](Self::NameMismatch),
///   [`Expired`](Self::Expired), [`NotYetValid`](Self::NotYetValid),
///   [`InvalidCertificate`](Self::InvalidCertificate);
/// - what the server refused or sent: [`AlpnRefused`](Self::AlpnRefused),
///   [`ClientCertificateRejected`](Self::ClientCertificateRejected),
///   [`AlertReceived`](Self::AlertReceived), [`Incompatible`](Self::Incompatible),
///   [`RecordTooLarge`](Self::RecordTooLarge), [`PeerMisbehaved`](Self::PeerMisbehaved),
///   [`DecryptFailed`](Self::DecryptFailed), [`Closed`](Self::Closed);
/// - local resources: the buffers, the clock, the random source, memory;
/// - the caller: configuration and call order.
///
/// Once [`TlsClient::process`](super::TlsClient::process) has reported an error, the connection is
/// dead: later calls report the same error.
///
/// # Example
///
/// ```
/// use iot_tls::tls::TlsError;
///
/// fn advice(error: &TlsError) -> &'static str {
///     match error {
///         TlsError::UnknownCa => "trust the broker's root CA (Amazon Root CA 1 or 3 for AWS IoT)",
///         TlsError::NameMismatch { .. } => "connect to the name on the broker's certificate",
///         TlsError::Expired { .. } | TlsError::NotYetValid { .. } => "check the clock",
///         TlsError::AlpnRefused => "pick the ALPN for the port and authentication",
///         _ => "see the error message",
///     }
/// }
/// assert_eq!(advice(&TlsError::AlpnRefused), "pick the ALPN for the port and authentication");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// The server's certificate chain does not lead to any of the trust anchors.
    #[error("the server certificate is not issued by a trusted CA (unknown CA)")]
    UnknownCa,

    /// The server's certificate is valid, but not for the name the client asked for.
    #[error("the server certificate is not valid for {expected} (it names {presented:?})")]
    NameMismatch {
        /// The server name the client sent in SNI.
        expected: String,
        /// The DNS names the certificate lists.
        presented: Vec<String>,
    },

    /// A certificate of the server's chain has expired.
    #[error("the server certificate has expired{}", unix_detail(*now, *not_after, "expired at"))]
    Expired {
        /// The clock's reading, in seconds since the Unix epoch, when rustls knows it.
        now: Option<u64>,
        /// The certificate's `notAfter`, in seconds since the Unix epoch, when rustls knows it.
        not_after: Option<u64>,
    },

    /// A certificate of the server's chain is not valid yet: usually the clock is wrong.
    #[error("the server certificate is not valid yet (is the clock set?){}", unix_detail(*now, *not_before, "valid from"))]
    NotYetValid {
        /// The clock's reading, in seconds since the Unix epoch, when rustls knows it.
        now: Option<u64>,
        /// The certificate's `notBefore`, in seconds since the Unix epoch, when rustls knows it.
        not_before: Option<u64>,
    },

    /// Another defect of the server's certificate: a bad signature, an unsupported algorithm, a
    /// revocation, a malformed encoding.
    #[error("the server certificate is invalid: {0:?}")]
    InvalidCertificate(CertificateError),

    /// The client offered ALPN protocols and the server selected none (an AWS IoT endpoint on
    /// port 443 needs `mqtt` or `x-amzn-mqtt-ca`).
    #[error("the server accepted none of the offered ALPN protocols")]
    AlpnRefused,

    /// The server refused the client certificate, or wanted one and got none.
    #[error("the server refused the client certificate (alert {0:?})")]
    ClientCertificateRejected(AlertDescription),

    /// The server ended the connection with a fatal alert.
    #[error("the server sent the fatal alert {0:?}")]
    AlertReceived(AlertDescription),

    /// No protocol version, cipher suite, key-exchange group or signature scheme in common.
    #[error("nothing in common with the server: {0:?}")]
    Incompatible(PeerIncompatible),

    /// A record header announced more bytes than the receive buffer may hold.
    #[error(
        "the server sent a {announced}-byte record but the receive buffer is capped at {limit} bytes"
    )]
    RecordTooLarge {
        /// The record's length, header included.
        announced: usize,
        /// The receive buffer's limit.
        limit: usize,
    },

    /// A handshake message spread over several records outgrew the receive buffer.
    #[error("a handshake message needs {needed} bytes of receive buffer but the limit is {limit}")]
    HandshakeTooLarge {
        /// The bytes the buffer would need.
        needed: usize,
        /// The receive buffer's limit.
        limit: usize,
    },

    /// The server broke the TLS protocol.
    #[error("the server broke the TLS protocol: {0:?}")]
    PeerMisbehaved(PeerMisbehaved),

    /// A record failed authentication: corrupted or forged data on the connection.
    #[error("a record from the server failed authentication")]
    DecryptFailed,

    /// The connection was closed; nothing more can be sent.
    #[error("the TLS connection is closed")]
    Closed,

    /// The transmit buffer is smaller than one outgoing record.
    #[error("the transmit buffer holds {available} bytes but a record needs {required}")]
    TransmitBufferTooSmall {
        /// The bytes the record needs.
        required: usize,
        /// The bytes the buffer had left.
        available: usize,
    },

    /// Growing the receive buffer failed: the heap is exhausted.
    #[error("out of memory growing the receive buffer to {requested} bytes")]
    OutOfMemory {
        /// The capacity asked for.
        requested: usize,
    },

    /// The clock has no time yet (before SNTP has answered), so certificates cannot be checked.
    #[error("the clock has no time yet, so the server certificate cannot be checked")]
    ClockUnavailable,

    /// The random source failed.
    #[error("the random source failed")]
    RandomUnavailable,

    /// The traffic keys reached their usage limit and could not be renewed.
    #[error("the traffic keys reached their usage limit")]
    KeysExhausted,

    /// The server name is not a DNS name; SNI, which AWS IoT requires, needs one.
    #[error("`{0}` is not a DNS name (SNI needs one)")]
    InvalidServerName(String),

    /// An ALPN protocol name is empty or longer than 255 bytes, or the custom list is empty.
    #[error("ALPN protocol names must be 1 to 255 bytes, and a custom list must not be empty")]
    InvalidAlpn,

    /// The outgoing record size is outside what the configuration allows.
    #[error("the outgoing record size {0} is outside {min}..={max}", min = super::MIN_OUTGOING_RECORD, max = super::MAX_RECORD_LEN)]
    InvalidRecordSize(usize),

    /// The configuration has no trust anchor, so no server could be verified.
    #[error("no trust anchors: add the broker's root CA (Amazon Root CA 1 or 3 for AWS IoT)")]
    NoTrustAnchors,

    /// A trust anchor could not be parsed.
    #[error("invalid trust anchor certificate: {0}")]
    InvalidTrustAnchor(rustls::Error),

    /// The client certificate or its private key could not be used.
    #[error("invalid client certificate or key: {0}")]
    InvalidClientIdentity(rustls::Error),

    /// No crypto provider was given and none is installed or built in (enable `ring` or
    /// `rustcrypto`).
    #[error("no crypto provider: pass one to the builder or enable the `ring` feature")]
    NoCryptoProvider,

    /// No clock was given, and there is no system clock without `std`.
    #[error("no clock: pass one to the builder (certificate validity needs the time)")]
    NoClock,

    /// rustls refused the configuration (for example a provider without a suite for the
    /// requested versions).
    #[error("invalid TLS configuration: {0}")]
    Config(rustls::Error),

    /// Application data was sent before the handshake finished.
    #[error("the TLS handshake has not finished")]
    HandshakeIncomplete,

    /// Decrypted data is waiting: drain the [`Plaintext`](super::Plaintext) records before
    /// sending.
    #[error("received plaintext is waiting to be read")]
    UnreadPlaintext,

    /// Any other TLS failure, as rustls reports it.
    #[error("TLS failure: {0}")]
    Protocol(rustls::Error),
}

fn unix_detail(now: Option<u64>, bound: Option<u64>, what: &str) -> String {
    match (now, bound) {
        (Some(now), Some(bound)) => alloc::format!(" ({what} {bound}, now {now}, Unix seconds)"),
        _ => String::new(),
    }
}

impl TlsError {
    /// Names the cause of a rustls error.
    pub(crate) fn from_rustls(error: rustls::Error) -> Self {
        use rustls::Error as E;
        match error {
            E::InvalidCertificate(cert) => Self::from_certificate(cert),
            E::AlertReceived(AlertDescription::NoApplicationProtocol)
            | E::NoApplicationProtocol => Self::AlpnRefused,
            E::AlertReceived(
                alert @ (AlertDescription::BadCertificate
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::CertificateRevoked
                | AlertDescription::CertificateExpired
                | AlertDescription::CertificateUnknown
                | AlertDescription::UnknownCA
                | AlertDescription::CertificateRequired),
            ) => Self::ClientCertificateRejected(alert),
            E::AlertReceived(alert) => Self::AlertReceived(alert),
            E::PeerIncompatible(why) => Self::Incompatible(why),
            E::PeerMisbehaved(why) => Self::PeerMisbehaved(why),
            E::DecryptError => Self::DecryptFailed,
            E::FailedToGetCurrentTime => Self::ClockUnavailable,
            E::FailedToGetRandomBytes => Self::RandomUnavailable,
            E::EncryptError => Self::KeysExhausted,
            other => Self::Protocol(other),
        }
    }

    fn from_certificate(error: CertificateError) -> Self {
        use rustls::CertificateError as C;
        let unix = |t: rustls::pki_types::UnixTime| Some(t.as_secs());
        match error {
            C::UnknownIssuer => Self::UnknownCa,
            C::NotValidForName => Self::NameMismatch {
                expected: String::new(),
                presented: Vec::new(),
            },
            C::NotValidForNameContext {
                expected,
                presented,
            } => Self::NameMismatch {
                expected: server_name(&expected),
                presented,
            },
            C::Expired => Self::Expired {
                now: None,
                not_after: None,
            },
            C::ExpiredContext { time, not_after } => Self::Expired {
                now: unix(time),
                not_after: unix(not_after),
            },
            C::NotValidYet => Self::NotYetValid {
                now: None,
                not_before: None,
            },
            C::NotValidYetContext { time, not_before } => Self::NotYetValid {
                now: unix(time),
                not_before: unix(not_before),
            },
            other => Self::InvalidCertificate(other),
        }
    }
}

fn server_name(name: &rustls::pki_types::ServerName<'_>) -> String {
    use alloc::string::ToString as _;
    match name {
        rustls::pki_types::ServerName::DnsName(dns) => dns.as_ref().to_string(),
        other => alloc::format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString as _;
    use alloc::vec;

    use rustls::pki_types::{ServerName, UnixTime};

    use super::*;

    #[test]
    fn certificate_errors_name_their_cause() {
        let cert = |c| TlsError::from_rustls(rustls::Error::InvalidCertificate(c));
        assert_eq!(cert(CertificateError::UnknownIssuer), TlsError::UnknownCa);
        let mismatch = cert(CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("broker.example").unwrap(),
            presented: vec!["DnsName(\"other.example\")".into()],
        });
        assert!(
            matches!(&mismatch, TlsError::NameMismatch { expected, .. } if expected == "broker.example")
        );
        assert!(
            mismatch
                .to_string()
                .starts_with("the server certificate is not valid for broker.example")
        );
        let expired = cert(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(core::time::Duration::from_secs(2_000)),
            not_after: UnixTime::since_unix_epoch(core::time::Duration::from_secs(1_000)),
        });
        assert_eq!(
            expired.to_string(),
            "the server certificate has expired (expired at 1000, now 2000, Unix seconds)"
        );
        assert_eq!(
            cert(CertificateError::NotValidYet).to_string(),
            "the server certificate is not valid yet (is the clock set?)"
        );
    }

    #[test]
    fn alerts_about_the_client_certificate_are_told_apart() {
        let alert = |a| TlsError::from_rustls(rustls::Error::AlertReceived(a));
        assert_eq!(
            alert(AlertDescription::NoApplicationProtocol),
            TlsError::AlpnRefused
        );
        assert_eq!(
            alert(AlertDescription::CertificateRequired),
            TlsError::ClientCertificateRejected(AlertDescription::CertificateRequired)
        );
        assert_eq!(
            alert(AlertDescription::HandshakeFailure),
            TlsError::AlertReceived(AlertDescription::HandshakeFailure)
        );
        assert_eq!(
            TlsError::from_rustls(rustls::Error::FailedToGetCurrentTime),
            TlsError::ClockUnavailable
        );
    }
}

//! A pure-Rust rustls [`CryptoProvider`] assembled from RustCrypto crates.
//!
//! rustls's own providers (aws-lc-rs and ring) need a C toolchain for the target and do not build
//! for bare-metal RISC-V such as `riscv32imac-unknown-none-elf` (ESP32-C6 class). This provider
//! builds wherever rustls 0.23 does, with `alloc` and no `std`, and offers the smallest set that
//! reaches AWS IoT Core and common MQTT brokers:
//!
//! | what | algorithms |
//! |---|---|
//! | TLS 1.3 suites | `TLS13_AES_128_GCM_SHA256`, `TLS13_CHACHA20_POLY1305_SHA256` |
//! | TLS 1.2 suites (feature `tls12`) | `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`, `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256` |
//! | key exchange | X25519, then P-256 (secp256r1) |
//! | certificate and handshake signatures | ECDSA P-256 SHA-256, RSA-PSS SHA-256, RSA PKCS#1 v1.5 SHA-256 (RSA keys of 2048 to 8192 bits) |
//! | client keys (mTLS) | ECDSA P-256 (PKCS#8 or SEC1), RSA (PKCS#8 or PKCS#1), signing with PSS or PKCS#1 SHA-256 |
//!
//! The random source is the caller's: an [`EntropySource`] (a hardware TRNG, or the operating
//! system on hosts). Key shares, the client random and RSA blinding draw from it; a failing
//! source fails the handshake with [`TlsError::RandomUnavailable`](crate::tls::TlsError).
//! Certificate validity needs a clock, which [`TlsConfigBuilder::clock`](crate::tls::TlsConfigBuilder::clock)
//! takes.
//!
//! rustls stores `&'static` references to the key-exchange groups and the random source, so
//! [`RustCrypto`] lives in a `static` (or is leaked once at start-up) and hands out providers with
//! [`RustCrypto::provider`].
//!
//! # Example
//!
//! ```
//! use iot_tls::crypto::{EntropyError, EntropySource, RustCrypto};
//!
//! /// The operating system's generator; on a microcontroller, read the TRNG peripheral here.
//! struct OsEntropy;
//!
//! impl EntropySource for OsEntropy {
//!     fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
//!         getrandom::fill(dest).map_err(|_| EntropyError)
//!     }
//! }
//!
//! static ENTROPY: OsEntropy = OsEntropy;
//! static CRYPTO: RustCrypto = RustCrypto::new(&ENTROPY);
//!
//! let provider = CRYPTO.provider();
//! assert_eq!(provider.kx_groups.len(), 2);
//! assert!(provider.cipher_suites.len() >= 2);
//! ```

mod aead;
mod hash;
mod kx;
mod sign;
mod verify;

use core::fmt;

use rustls::SupportedCipherSuite;
use rustls::crypto::{CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom};

#[cfg(feature = "tls12")]
pub use aead::{TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
pub use aead::{TLS13_AES_128_GCM_SHA256, TLS13_CHACHA20_POLY1305_SHA256};
pub use verify::SIGNATURE_VERIFICATION_ALGORITHMS;

/// The cipher suites of the provider, in preference order.
///
/// AES-128-GCM comes first because AWS IoT recommends it; a target without AES hardware may
/// prefer ChaCha20-Poly1305 and can reorder [`CryptoProvider::cipher_suites`].
///
/// # Example
///
/// ```
/// # use iot_tls::crypto::{EntropyError, EntropySource, RustCrypto};
/// # struct OsEntropy;
/// # impl EntropySource for OsEntropy {
/// #     fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
/// #         getrandom::fill(dest).map_err(|_| EntropyError)
/// #     }
/// # }
/// use iot_tls::crypto::{CIPHER_SUITES, TLS13_CHACHA20_POLY1305_SHA256};
///
/// static CRYPTO: RustCrypto = RustCrypto::new(&OsEntropy);
///
/// // ChaCha20-Poly1305 first, for a chip without AES hardware.
/// let mut provider = CRYPTO.provider();
/// provider.cipher_suites.sort_by_key(|suite| suite.suite() != TLS13_CHACHA20_POLY1305_SHA256.suite());
/// assert_eq!(provider.cipher_suites[0].suite(), TLS13_CHACHA20_POLY1305_SHA256.suite());
/// assert_eq!(provider.cipher_suites.len(), CIPHER_SUITES.len());
/// ```
pub static CIPHER_SUITES: &[SupportedCipherSuite] = &[
    TLS13_AES_128_GCM_SHA256,
    TLS13_CHACHA20_POLY1305_SHA256,
    #[cfg(feature = "tls12")]
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    #[cfg(feature = "tls12")]
    TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
];

/// A source of cryptographically secure random bytes, supplied by the caller.
///
/// On a microcontroller this reads the hardware random number generator (with the radio or
/// another entropy source enabled as the chip's manual requires); on a host it calls the
/// operating system (`getrandom`). It is shared between connections, so it takes `&self`: a
/// peripheral that needs `&mut` access sits behind a critical-section mutex.
///
/// # Example
///
/// ```
/// use iot_tls::crypto::{EntropyError, EntropySource};
///
/// struct OsEntropy;
///
/// impl EntropySource for OsEntropy {
///     fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
///         getrandom::fill(dest).map_err(|_| EntropyError)
///     }
/// }
///
/// let mut nonce = [0; 16];
/// OsEntropy.fill(&mut nonce)?;
/// # Ok::<(), EntropyError>(())
/// ```
pub trait EntropySource: Send + Sync {
    /// Fills `dest` entirely with random bytes.
    ///
    /// # Errors
    ///
    /// [`EntropyError`] when the source cannot produce random bytes; the handshake that asked
    /// for them fails.
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError>;
}

/// The [`EntropySource`] could not produce random bytes.
///
/// # Example
///
/// ```
/// use iot_tls::crypto::EntropyError;
///
/// assert_eq!(EntropyError.to_string(), "the entropy source failed to produce random bytes");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the entropy source failed to produce random bytes")]
pub struct EntropyError;

/// The pure-Rust crypto provider, bound to the caller's random source.
///
/// Keep it in a `static` (see the [module example](self)); [`provider`](Self::provider) then
/// builds a [`CryptoProvider`] for [`TlsConfigBuilder::provider`](crate::tls::TlsConfigBuilder::provider)
/// or for any rustls 0.23 configuration.
pub struct RustCrypto {
    random: Random,
    x25519: kx::X25519,
    p256: kx::P256,
    keys: sign::KeyLoader,
}

impl RustCrypto {
    /// Binds the provider to `entropy`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::crypto::{EntropyError, EntropySource, RustCrypto};
    ///
    /// struct OsEntropy;
    /// impl EntropySource for OsEntropy {
    ///     fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
    ///         getrandom::fill(dest).map_err(|_| EntropyError)
    ///     }
    /// }
    ///
    /// static CRYPTO: RustCrypto = RustCrypto::new(&OsEntropy);
    /// # let _ = CRYPTO.provider();
    /// ```
    pub const fn new(entropy: &'static dyn EntropySource) -> Self {
        let random = Random(entropy);
        Self {
            random,
            x25519: kx::X25519::new(random),
            p256: kx::P256::new(random),
            keys: sign::KeyLoader::new(random),
        }
    }

    /// Builds a rustls [`CryptoProvider`] with the suites of [`CIPHER_SUITES`], X25519 and P-256,
    /// and [`SIGNATURE_VERIFICATION_ALGORITHMS`].
    ///
    /// # Example
    ///
    /// ```
    /// # use iot_tls::crypto::{EntropyError, EntropySource, RustCrypto};
    /// # struct OsEntropy;
    /// # impl EntropySource for OsEntropy {
    /// #     fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
    /// #         getrandom::fill(dest).map_err(|_| EntropyError)
    /// #     }
    /// # }
    /// static CRYPTO: RustCrypto = RustCrypto::new(&OsEntropy);
    ///
    /// let provider = CRYPTO.provider();
    /// assert_eq!(
    ///     provider.kx_groups[0].name(),
    ///     rustls::NamedGroup::X25519,
    /// );
    /// ```
    pub fn provider(&'static self) -> CryptoProvider {
        self.provider_with(&self.keys)
    }

    /// [`provider`](Self::provider) without client keys: for a device that authenticates with
    /// a user name and password (AWS IoT's custom authorizer) and never presents a client
    /// certificate. The key loader and the RSA and ECDSA signing code are then left out of a
    /// firmware image (about 35 KB on riscv32imac); a client certificate configured anyway
    /// fails with `TlsError::InvalidClientIdentity` when the configuration is built.
    ///
    /// # Example
    ///
    /// ```
    /// # use iot_tls::crypto::{EntropyError, EntropySource, RustCrypto};
    /// # struct OsEntropy;
    /// # impl EntropySource for OsEntropy {
    /// #     fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
    /// #         getrandom::fill(dest).map_err(|_| EntropyError)
    /// #     }
    /// # }
    /// use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    ///
    /// static CRYPTO: RustCrypto = RustCrypto::new(&OsEntropy);
    ///
    /// let provider = CRYPTO.provider_without_client_keys();
    /// let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(vec![0x30, 0x00]));
    /// assert!(provider.key_provider.load_private_key(key).is_err());
    /// ```
    pub fn provider_without_client_keys(&'static self) -> CryptoProvider {
        self.provider_with(&sign::NoClientKeys)
    }

    fn provider_with(&'static self, keys: &'static dyn KeyProvider) -> CryptoProvider {
        CryptoProvider {
            cipher_suites: CIPHER_SUITES.to_vec(),
            kx_groups: alloc::vec![&self.x25519, &self.p256],
            signature_verification_algorithms: SIGNATURE_VERIFICATION_ALGORITHMS,
            secure_random: &self.random,
            key_provider: keys,
        }
    }
}

impl fmt::Debug for RustCrypto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RustCrypto").finish_non_exhaustive()
    }
}

/// The caller's [`EntropySource`] seen as rustls's [`SecureRandom`] and as a RustCrypto RNG.
#[derive(Clone, Copy)]
struct Random(&'static dyn EntropySource);

impl Random {
    fn fill(self, dest: &mut [u8]) -> Result<(), EntropyError> {
        self.0.fill(dest)
    }
}

impl fmt::Debug for Random {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EntropySource")
    }
}

impl SecureRandom for Random {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        self.0.fill(buf).map_err(|EntropyError| GetRandomFailed)
    }
}

impl rand_core::TryRng for Random {
    type Error = EntropyError;

    fn try_next_u32(&mut self) -> Result<u32, EntropyError> {
        let mut bytes = [0; 4];
        self.0.fill(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, EntropyError> {
        let mut bytes = [0; 8];
        self.0.fill(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), EntropyError> {
        self.0.fill(dst)
    }
}

impl rand_core::TryCryptoRng for Random {}

impl From<EntropyError> for rustls::Error {
    fn from(EntropyError: EntropyError) -> Self {
        Self::FailedToGetRandomBytes
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec::Vec;

    use super::*;

    struct Counter;
    impl EntropySource for Counter {
        fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
            for (i, b) in dest.iter_mut().enumerate() {
                *b = u8::try_from(i % 251).unwrap_or(0).wrapping_add(1);
            }
            Ok(())
        }
    }

    struct Broken;
    impl EntropySource for Broken {
        fn fill(&self, _: &mut [u8]) -> Result<(), EntropyError> {
            Err(EntropyError)
        }
    }

    static COUNTER: RustCrypto = RustCrypto::new(&Counter);
    static BROKEN: RustCrypto = RustCrypto::new(&Broken);

    #[test]
    fn provider_lists_the_documented_algorithms() {
        let provider = COUNTER.provider();
        let suites: Vec<_> = provider
            .cipher_suites
            .iter()
            .map(SupportedCipherSuite::suite)
            .collect();
        assert_eq!(suites[0], rustls::CipherSuite::TLS13_AES_128_GCM_SHA256);
        assert_eq!(
            suites[1],
            rustls::CipherSuite::TLS13_CHACHA20_POLY1305_SHA256
        );
        assert_eq!(suites.len(), if cfg!(feature = "tls12") { 4 } else { 2 });
        let groups: Vec<_> = provider
            .kx_groups
            .iter()
            .map(|group| group.name())
            .collect();
        assert_eq!(
            groups,
            [rustls::NamedGroup::X25519, rustls::NamedGroup::secp256r1]
        );
    }

    #[test]
    fn a_failing_entropy_source_fails_key_exchange() {
        let provider = BROKEN.provider();
        for group in &provider.kx_groups {
            assert!(matches!(
                group.start(),
                Err(rustls::Error::FailedToGetRandomBytes)
            ));
        }
        let mut buf = [0; 8];
        assert!(provider.secure_random.fill(&mut buf).is_err());
    }
}

//! Client keys for mutual TLS: ECDSA P-256 and RSA, signing with hedged or blinded randomness
//! from the caller's entropy.

use alloc::boxed::Box;
use alloc::string::ToString as _;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use p256::ecdsa::signature::RandomizedSigner as _;
use p256::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
use rsa::pkcs1::DecodeRsaPrivateKey as _;
use rustls::crypto::KeyProvider;
use rustls::pki_types::{PrivateKeyDer, SubjectPublicKeyInfoDer};
use rustls::sign::{Signer, SigningKey};
use rustls::{Error, SignatureAlgorithm, SignatureScheme};

use super::Random;

/// Loads client private keys for [`rustls::crypto::CryptoProvider::key_provider`].
#[derive(Debug)]
pub(super) struct KeyLoader {
    random: Random,
}

impl KeyLoader {
    pub(super) const fn new(random: Random) -> Self {
        Self { random }
    }
}

fn unsupported(what: &str) -> Error {
    Error::General(alloc::format!(
        "unsupported client private key: {what} (expected an ECDSA P-256 or RSA key)"
    ))
}

impl KeyProvider for KeyLoader {
    fn load_private_key(
        &self,
        key_der: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, Error> {
        let random = self.random;
        match &key_der {
            PrivateKeyDer::Sec1(der) => {
                let key = p256::SecretKey::from_sec1_der(der.secret_sec1_der())
                    .map_err(|_| unsupported("SEC 1 key not on P-256"))?;
                Ok(Arc::new(EcdsaP256Key::new(key.into(), random)?))
            }
            PrivateKeyDer::Pkcs8(der) => {
                let der = der.secret_pkcs8_der();
                if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
                    Ok(Arc::new(EcdsaP256Key::new(key, random)?))
                } else if let Ok(key) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
                    Ok(Arc::new(RsaKey::new(key, random)?))
                } else {
                    Err(unsupported("PKCS#8 key of another algorithm"))
                }
            }
            PrivateKeyDer::Pkcs1(der) => {
                let key = rsa::RsaPrivateKey::from_pkcs1_der(der.secret_pkcs1_der())
                    .map_err(|_| unsupported("malformed PKCS#1 RSA key"))?;
                Ok(Arc::new(RsaKey::new(key, random)?))
            }
            _ => Err(unsupported("unknown key encoding")),
        }
    }
}

/// Refuses every client key, for [`RustCrypto::provider_without_client_keys`](super::RustCrypto::provider_without_client_keys).
#[derive(Debug)]
pub(super) struct NoClientKeys;

impl KeyProvider for NoClientKeys {
    fn load_private_key(
        &self,
        _key_der: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, Error> {
        Err(Error::General(
            "this provider has no client keys (built with `provider_without_client_keys`)".into(),
        ))
    }
}

/// The DER `SubjectPublicKeyInfo` of a key, kept so rustls can check it against the certificate.
fn spki(
    encoded: Result<p256::pkcs8::Document, p256::pkcs8::spki::Error>,
) -> Result<Vec<u8>, Error> {
    encoded
        .map(|doc| doc.as_bytes().to_vec())
        .map_err(|e| Error::General(e.to_string()))
}

struct EcdsaP256Key {
    key: Arc<p256::ecdsa::SigningKey>,
    spki: Vec<u8>,
    random: Random,
}

impl EcdsaP256Key {
    fn new(key: p256::ecdsa::SigningKey, random: Random) -> Result<Self, Error> {
        let spki = spki(key.verifying_key().to_public_key_der())?;
        Ok(Self {
            key: Arc::new(key),
            spki,
            random,
        })
    }
}

impl fmt::Debug for EcdsaP256Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EcdsaP256Key(***)")
    }
}

impl SigningKey for EcdsaP256Key {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        offered
            .contains(&SignatureScheme::ECDSA_NISTP256_SHA256)
            .then(|| {
                Box::new(EcdsaP256Signer {
                    key: Arc::clone(&self.key),
                    random: self.random,
                }) as Box<dyn Signer>
            })
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        Some(SubjectPublicKeyInfoDer::from(self.spki.as_slice()))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::ECDSA
    }
}

struct EcdsaP256Signer {
    key: Arc<p256::ecdsa::SigningKey>,
    random: Random,
}

impl fmt::Debug for EcdsaP256Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EcdsaP256Signer(***)")
    }
}

impl Signer for EcdsaP256Signer {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        // Hedged signing: RFC 6979's deterministic nonce mixed with fresh entropy.
        let mut rng = self.random;
        let signature: p256::ecdsa::Signature = self
            .key
            .try_sign_with_rng(&mut rng, message)
            .map_err(|_| Error::FailedToGetRandomBytes)?;
        Ok(signature.to_der().as_bytes().to_vec())
    }

    fn scheme(&self) -> SignatureScheme {
        SignatureScheme::ECDSA_NISTP256_SHA256
    }
}

struct RsaKey {
    key: Arc<rsa::RsaPrivateKey>,
    spki: Vec<u8>,
    random: Random,
}

impl RsaKey {
    fn new(key: rsa::RsaPrivateKey, random: Random) -> Result<Self, Error> {
        let public = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key.to_public_key());
        let spki = spki(public.to_public_key_der())?;
        Ok(Self {
            key: Arc::new(key),
            spki,
            random,
        })
    }
}

impl fmt::Debug for RsaKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RsaKey(***)")
    }
}

impl SigningKey for RsaKey {
    fn choose_scheme(&self, offered: &[SignatureScheme]) -> Option<Box<dyn Signer>> {
        // PSS first: TLS 1.3 allows nothing else for RSA.
        [
            SignatureScheme::RSA_PSS_SHA256,
            SignatureScheme::RSA_PKCS1_SHA256,
        ]
        .into_iter()
        .find(|scheme| offered.contains(scheme))
        .map(|scheme| {
            Box::new(RsaSigner {
                key: Arc::clone(&self.key),
                scheme,
                random: self.random,
            }) as Box<dyn Signer>
        })
    }

    fn public_key(&self) -> Option<SubjectPublicKeyInfoDer<'_>> {
        Some(SubjectPublicKeyInfoDer::from(self.spki.as_slice()))
    }

    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RSA
    }
}

struct RsaSigner {
    key: Arc<rsa::RsaPrivateKey>,
    scheme: SignatureScheme,
    random: Random,
}

impl fmt::Debug for RsaSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSigner")
            .field("scheme", &self.scheme)
            .finish_non_exhaustive()
    }
}

impl Signer for RsaSigner {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        use rsa::signature::SignatureEncoding as _;

        let mut rng = self.random;
        let key = rsa::RsaPrivateKey::clone(&self.key);
        let signature = if self.scheme == SignatureScheme::RSA_PSS_SHA256 {
            rsa::pss::SigningKey::<sha2::Sha256>::new(key)
                .try_sign_with_rng(&mut rng, message)
                .map(|s| s.to_vec())
        } else {
            rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key)
                .try_sign_with_rng(&mut rng, message)
                .map(|s| s.to_vec())
        };
        signature.map_err(|_| Error::General("RSA signing failed".to_string()))
    }

    fn scheme(&self) -> SignatureScheme {
        self.scheme
    }
}

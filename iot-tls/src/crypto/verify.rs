//! Signature verification for certificate chains and handshake signatures (webpki's
//! [`SignatureVerificationAlgorithm`]).

use p256::ecdsa::signature::Verifier as _;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::traits::PublicKeyParts as _;
use rustls::SignatureScheme;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{
    AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id,
};

/// Every algorithm of this provider, with the TLS signature schemes mapped onto them in
/// preference order: ECDSA P-256, then RSA-PSS, then RSA PKCS#1 v1.5 (TLS 1.2 only).
///
/// # Example
///
/// ```
/// use iot_tls::crypto::SIGNATURE_VERIFICATION_ALGORITHMS as ALGORITHMS;
/// use rustls::SignatureScheme;
///
/// assert_eq!(
///     ALGORITHMS.supported_schemes(),
///     [
///         SignatureScheme::ECDSA_NISTP256_SHA256,
///         SignatureScheme::RSA_PSS_SHA256,
///         SignatureScheme::RSA_PKCS1_SHA256,
///     ]
/// );
/// ```
pub static SIGNATURE_VERIFICATION_ALGORITHMS: WebPkiSupportedAlgorithms =
    WebPkiSupportedAlgorithms {
        all: &[ECDSA_P256_SHA256, RSA_PSS_SHA256, RSA_PKCS1_SHA256],
        mapping: &[
            (SignatureScheme::ECDSA_NISTP256_SHA256, &[ECDSA_P256_SHA256]),
            (SignatureScheme::RSA_PSS_SHA256, &[RSA_PSS_SHA256]),
            (SignatureScheme::RSA_PKCS1_SHA256, &[RSA_PKCS1_SHA256]),
        ],
    };

static ECDSA_P256_SHA256: &dyn SignatureVerificationAlgorithm = &EcdsaP256Sha256;
static RSA_PSS_SHA256: &dyn SignatureVerificationAlgorithm = &RsaPssSha256;
static RSA_PKCS1_SHA256: &dyn SignatureVerificationAlgorithm = &RsaPkcs1Sha256;

/// RSA moduli below 2048 bits are refused, as webpki's own providers do; above 8192 bits the
/// verification cost is out of proportion for a microcontroller.
const RSA_BITS: core::ops::RangeInclusive<u32> = 2048..=8192;

/// The SHA-256 digest length, which TLS requires as the PSS salt length (RFC 8446 §4.2.3).
const PSS_SALT_LEN: usize = 32;

/// ECDSA over P-256 with SHA-256; the signature is DER-encoded, the key an SEC 1 point.
#[derive(Debug)]
struct EcdsaP256Sha256;

impl SignatureVerificationAlgorithm for EcdsaP256Sha256 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key =
            p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let signature =
            p256::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P256
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA256
    }
}

/// Decodes a PKCS#1 `RSAPublicKey` and checks its size.
fn rsa_key(public_key: &[u8]) -> Result<rsa::RsaPublicKey, InvalidSignature> {
    let key = rsa::RsaPublicKey::from_pkcs1_der(public_key).map_err(|_| InvalidSignature)?;
    if RSA_BITS.contains(&key.n().bits()) {
        Ok(key)
    } else {
        Err(InvalidSignature)
    }
}

/// RSASSA-PKCS1-v1_5 with SHA-256: certificate signatures and TLS 1.2 handshakes.
#[derive(Debug)]
struct RsaPkcs1Sha256;

impl SignatureVerificationAlgorithm for RsaPkcs1Sha256 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(rsa_key(public_key)?);
        let signature =
            rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_PKCS1_SHA256
    }
}

/// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt: TLS 1.3 handshakes with RSA keys.
#[derive(Debug)]
struct RsaPssSha256;

impl SignatureVerificationAlgorithm for RsaPssSha256 {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let key = rsa::pss::VerifyingKey::<sha2::Sha256>::new_with_salt_len(
            rsa_key(public_key)?,
            PSS_SALT_LEN,
        );
        let signature = rsa::pss::Signature::try_from(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &signature)
            .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_ENCRYPTION
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::RSA_PSS_SHA256
    }
}

#[cfg(test)]
mod tests {
    use p256::ecdsa::signature::Signer as _;
    use p256::elliptic_curve::sec1::ToSec1Point as _;

    use super::*;

    #[test]
    fn ecdsa_p256_accepts_its_signature_and_rejects_others() {
        let key = p256::ecdsa::SigningKey::from_slice(&[0x42; 32]).unwrap();
        let public = p256::PublicKey::from(key.verifying_key()).to_uncompressed_point();
        let signature: p256::ecdsa::Signature = key.sign(b"server key exchange");
        let der = signature.to_der();
        let alg = &EcdsaP256Sha256;
        assert!(
            alg.verify_signature(&public, b"server key exchange", der.as_bytes())
                .is_ok()
        );
        assert!(
            alg.verify_signature(&public, b"another message", der.as_bytes())
                .is_err()
        );
        assert!(
            alg.verify_signature(&public, b"server key exchange", &signature.to_bytes())
                .is_err(),
            "a raw r||s signature is not DER"
        );
        assert!(
            alg.verify_signature(&public[..64], b"x", der.as_bytes())
                .is_err()
        );
    }

    #[test]
    fn rsa_keys_outside_2048_to_8192_bits_are_refused() {
        // A DER RSAPublicKey with a 1024-bit modulus.
        let mut small = alloc::vec![0x30, 0x81, 0x89, 0x02, 0x81, 0x81, 0x00];
        small.extend_from_slice(&[0xc5; 128]);
        small.extend_from_slice(&[0x02, 0x03, 0x01, 0x00, 0x01]);
        assert!(rsa::RsaPublicKey::from_pkcs1_der(&small).is_ok());
        assert!(rsa_key(&small).is_err());
        assert!(rsa_key(b"not der").is_err());
    }
}

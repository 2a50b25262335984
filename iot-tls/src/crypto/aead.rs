//! Record protection: AES-128-GCM and ChaCha20-Poly1305 for TLS 1.3, AES-128-GCM for TLS 1.2,
//! and the cipher suites that combine them with SHA-256.

use alloc::boxed::Box;

use aes_gcm::aead::array::Array;
use aes_gcm::aead::consts::{U12, U16};
use aes_gcm::aead::{AeadCore, AeadInOut, KeyInit};
use rustls::crypto::CipherSuiteCommon;
use rustls::crypto::cipher::{
    AeadKey, InboundOpaqueMessage, InboundPlainMessage, Iv, MessageDecrypter, MessageEncrypter,
    Nonce, OutboundOpaqueMessage, OutboundPlainMessage, PrefixedPayload, Tls13AeadAlgorithm,
    UnsupportedOperationError, make_tls13_aad,
};
use rustls::{
    CipherSuite, ConnectionTrafficSecrets, ContentType, Error, ProtocolVersion,
    SupportedCipherSuite, Tls13CipherSuite,
};

use super::hash::{HKDF_SHA256, SHA256};

const TAG_LEN: usize = 16;

/// AES-GCM's limit on records per key (2^24), from the AEAD limits analysis rustls cites.
const AES_GCM_CONFIDENTIALITY_LIMIT: u64 = 1 << 24;

/// The TLS 1.3 suite `TLS_AES_128_GCM_SHA256`.
///
/// # Example
///
/// ```
/// use iot_tls::crypto::TLS13_AES_128_GCM_SHA256;
///
/// assert_eq!(TLS13_AES_128_GCM_SHA256.suite(), rustls::CipherSuite::TLS13_AES_128_GCM_SHA256);
/// ```
pub static TLS13_AES_128_GCM_SHA256: SupportedCipherSuite =
    SupportedCipherSuite::Tls13(&Tls13CipherSuite {
        common: CipherSuiteCommon {
            suite: CipherSuite::TLS13_AES_128_GCM_SHA256,
            hash_provider: &SHA256,
            confidentiality_limit: AES_GCM_CONFIDENTIALITY_LIMIT,
        },
        hkdf_provider: &HKDF_SHA256,
        aead_alg: &Aes128Gcm,
        quic: None,
    });

/// The TLS 1.3 suite `TLS_CHACHA20_POLY1305_SHA256`.
///
/// # Example
///
/// ```
/// use iot_tls::crypto::TLS13_CHACHA20_POLY1305_SHA256;
///
/// assert_eq!(TLS13_CHACHA20_POLY1305_SHA256.version(), &rustls::version::TLS13);
/// ```
pub static TLS13_CHACHA20_POLY1305_SHA256: SupportedCipherSuite =
    SupportedCipherSuite::Tls13(&Tls13CipherSuite {
        common: CipherSuiteCommon {
            suite: CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
            hash_provider: &SHA256,
            confidentiality_limit: u64::MAX,
        },
        hkdf_provider: &HKDF_SHA256,
        aead_alg: &ChaCha20Poly1305,
        quic: None,
    });

/// An AEAD with a 12-byte nonce and a 16-byte tag, the shape of every suite here.
trait RecordAead: AeadInOut + AeadCore<NonceSize = U12, TagSize = U16> + Send + Sync {}

impl<A: AeadInOut + AeadCore<NonceSize = U12, TagSize = U16> + Send + Sync> RecordAead for A {}

/// Builds the cipher from a key of the length rustls derived for it.
fn keyed<A: RecordAead + KeyInit>(key: &AeadKey) -> A {
    A::new_from_slice(key.as_ref()).expect("rustls derives keys of the suite's length")
}

struct Aes128Gcm;

impl Tls13AeadAlgorithm for Aes128Gcm {
    fn encrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageEncrypter> {
        Box::new(Tls13Record::<aes_gcm::Aes128Gcm> {
            aead: keyed(&key),
            iv,
        })
    }

    fn decrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageDecrypter> {
        Box::new(Tls13Record::<aes_gcm::Aes128Gcm> {
            aead: keyed(&key),
            iv,
        })
    }

    fn key_len(&self) -> usize {
        16
    }

    fn extract_keys(
        &self,
        key: AeadKey,
        iv: Iv,
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        Ok(ConnectionTrafficSecrets::Aes128Gcm { key, iv })
    }
}

struct ChaCha20Poly1305;

impl Tls13AeadAlgorithm for ChaCha20Poly1305 {
    fn encrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageEncrypter> {
        Box::new(Tls13Record::<chacha20poly1305::ChaCha20Poly1305> {
            aead: keyed(&key),
            iv,
        })
    }

    fn decrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageDecrypter> {
        Box::new(Tls13Record::<chacha20poly1305::ChaCha20Poly1305> {
            aead: keyed(&key),
            iv,
        })
    }

    fn key_len(&self) -> usize {
        32
    }

    fn extract_keys(
        &self,
        key: AeadKey,
        iv: Iv,
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        Ok(ConnectionTrafficSecrets::Chacha20Poly1305 { key, iv })
    }
}

/// One direction of TLS 1.3 record protection (RFC 8446 §5.2): the nonce is the IV XOR the
/// sequence number, the additional data the record header, the inner content type trails the
/// plaintext.
struct Tls13Record<A> {
    aead: A,
    iv: Iv,
}

impl<A: RecordAead> MessageEncrypter for Tls13Record<A> {
    fn encrypt(
        &mut self,
        msg: OutboundPlainMessage<'_>,
        seq: u64,
    ) -> Result<OutboundOpaqueMessage, Error> {
        let total_len = self.encrypted_payload_len(msg.payload.len());
        let mut payload = PrefixedPayload::with_capacity(total_len);
        payload.extend_from_chunks(&msg.payload);
        payload.extend_from_slice(&msg.typ.to_array());
        let nonce = Array::from(Nonce::new(&self.iv, seq).0);
        let tag = self
            .aead
            .encrypt_inout_detached(&nonce, &make_tls13_aad(total_len), payload.as_mut().into())
            .map_err(|_| Error::EncryptError)?;
        payload.extend_from_slice(&tag);
        Ok(OutboundOpaqueMessage::new(
            ContentType::ApplicationData,
            // TLS 1.3 records keep the legacy 1.2 version on the wire (RFC 8446 §5.1).
            ProtocolVersion::TLSv1_2,
            payload,
        ))
    }

    fn encrypted_payload_len(&self, payload_len: usize) -> usize {
        payload_len + 1 + TAG_LEN
    }
}

impl<A: RecordAead> MessageDecrypter for Tls13Record<A> {
    fn decrypt<'a>(
        &mut self,
        mut msg: InboundOpaqueMessage<'a>,
        seq: u64,
    ) -> Result<InboundPlainMessage<'a>, Error> {
        let payload = &mut msg.payload;
        let Some(plain_len) = payload.len().checked_sub(TAG_LEN) else {
            return Err(Error::DecryptError);
        };
        let nonce = Array::from(Nonce::new(&self.iv, seq).0);
        let aad = make_tls13_aad(payload.len());
        let (body, tag) = payload.split_at_mut(plain_len);
        let tag = Array::try_from(&*tag).map_err(|_| Error::DecryptError)?;
        self.aead
            .decrypt_inout_detached(&nonce, &aad, body.into(), &tag)
            .map_err(|_| Error::DecryptError)?;
        payload.truncate(plain_len);
        msg.into_tls13_unpadded_message()
    }
}

#[cfg(feature = "tls12")]
pub use tls12::{TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};

#[cfg(feature = "tls12")]
mod tls12 {
    use alloc::boxed::Box;

    use aes_gcm::aead::AeadInOut;
    use aes_gcm::aead::array::Array;
    use rustls::crypto::cipher::{
        AeadKey, InboundOpaqueMessage, InboundPlainMessage, Iv, KeyBlockShape, MessageDecrypter,
        MessageEncrypter, NONCE_LEN, Nonce, OutboundOpaqueMessage, OutboundPlainMessage,
        PrefixedPayload, Tls12AeadAlgorithm, UnsupportedOperationError, make_tls12_aad,
    };
    use rustls::crypto::{CipherSuiteCommon, KeyExchangeAlgorithm};
    use rustls::{
        CipherSuite, ConnectionTrafficSecrets, Error, SignatureScheme, SupportedCipherSuite,
        Tls12CipherSuite,
    };

    use super::{AES_GCM_CONFIDENTIALITY_LIMIT, TAG_LEN, keyed};
    use crate::crypto::hash::{PRF_SHA256, SHA256};

    /// The salt part of the GCM nonce comes from the key block; the rest travels explicitly.
    const SALT_LEN: usize = 4;
    const EXPLICIT_NONCE_LEN: usize = 8;

    /// The TLS 1.2 suite `TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::crypto::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 as SUITE;
    ///
    /// assert_eq!(SUITE.version(), &rustls::version::TLS12);
    /// ```
    pub static TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: SupportedCipherSuite =
        SupportedCipherSuite::Tls12(&Tls12CipherSuite {
            common: CipherSuiteCommon {
                suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                hash_provider: &SHA256,
                confidentiality_limit: AES_GCM_CONFIDENTIALITY_LIMIT,
            },
            kx: KeyExchangeAlgorithm::ECDHE,
            sign: &[SignatureScheme::ECDSA_NISTP256_SHA256],
            aead_alg: &Aes128Gcm12,
            prf_provider: &PRF_SHA256,
        });

    /// The TLS 1.2 suite `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::crypto::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 as SUITE;
    ///
    /// assert_eq!(SUITE.suite(), rustls::CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    /// ```
    pub static TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: SupportedCipherSuite =
        SupportedCipherSuite::Tls12(&Tls12CipherSuite {
            common: CipherSuiteCommon {
                suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                hash_provider: &SHA256,
                confidentiality_limit: AES_GCM_CONFIDENTIALITY_LIMIT,
            },
            kx: KeyExchangeAlgorithm::ECDHE,
            sign: &[
                SignatureScheme::RSA_PSS_SHA256,
                SignatureScheme::RSA_PKCS1_SHA256,
            ],
            aead_alg: &Aes128Gcm12,
            prf_provider: &PRF_SHA256,
        });

    struct Aes128Gcm12;

    /// The 12-byte GCM IV: the key block's salt followed by its initial explicit part.
    fn gcm_iv(salt: &[u8], explicit: &[u8]) -> Iv {
        let mut iv = [0; NONCE_LEN];
        iv[..SALT_LEN].copy_from_slice(salt);
        iv[SALT_LEN..].copy_from_slice(explicit);
        Iv::new(iv)
    }

    impl Tls12AeadAlgorithm for Aes128Gcm12 {
        fn encrypter(&self, key: AeadKey, iv: &[u8], extra: &[u8]) -> Box<dyn MessageEncrypter> {
            Box::new(GcmEncrypter {
                aead: keyed(&key),
                iv: gcm_iv(iv, extra),
            })
        }

        fn decrypter(&self, key: AeadKey, iv: &[u8]) -> Box<dyn MessageDecrypter> {
            let mut salt = [0; SALT_LEN];
            salt.copy_from_slice(iv);
            Box::new(GcmDecrypter {
                aead: keyed(&key),
                salt,
            })
        }

        fn key_block_shape(&self) -> KeyBlockShape {
            KeyBlockShape {
                enc_key_len: 16,
                fixed_iv_len: SALT_LEN,
                explicit_nonce_len: EXPLICIT_NONCE_LEN,
            }
        }

        fn extract_keys(
            &self,
            key: AeadKey,
            iv: &[u8],
            explicit: &[u8],
        ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
            Ok(ConnectionTrafficSecrets::Aes128Gcm {
                key,
                iv: gcm_iv(iv, explicit),
            })
        }
    }

    /// TLS 1.2 AES-GCM sealing (RFC 5288): the explicit nonce is the IV XOR the sequence number,
    /// sent in front of the ciphertext.
    struct GcmEncrypter {
        aead: aes_gcm::Aes128Gcm,
        iv: Iv,
    }

    impl MessageEncrypter for GcmEncrypter {
        fn encrypt(
            &mut self,
            msg: OutboundPlainMessage<'_>,
            seq: u64,
        ) -> Result<OutboundOpaqueMessage, Error> {
            let total_len = self.encrypted_payload_len(msg.payload.len());
            let mut payload = PrefixedPayload::with_capacity(total_len);
            let nonce = Nonce::new(&self.iv, seq).0;
            payload.extend_from_slice(&nonce[SALT_LEN..]);
            payload.extend_from_chunks(&msg.payload);
            let aad = make_tls12_aad(seq, msg.typ, msg.version, msg.payload.len());
            let tag = self
                .aead
                .encrypt_inout_detached(
                    &Array::from(nonce),
                    &aad,
                    (&mut payload.as_mut()[EXPLICIT_NONCE_LEN..]).into(),
                )
                .map_err(|_| Error::EncryptError)?;
            payload.extend_from_slice(&tag);
            Ok(OutboundOpaqueMessage::new(msg.typ, msg.version, payload))
        }

        fn encrypted_payload_len(&self, payload_len: usize) -> usize {
            EXPLICIT_NONCE_LEN + payload_len + TAG_LEN
        }
    }

    struct GcmDecrypter {
        aead: aes_gcm::Aes128Gcm,
        salt: [u8; SALT_LEN],
    }

    impl MessageDecrypter for GcmDecrypter {
        fn decrypt<'a>(
            &mut self,
            mut msg: InboundOpaqueMessage<'a>,
            seq: u64,
        ) -> Result<InboundPlainMessage<'a>, Error> {
            let payload = &mut msg.payload;
            let Some(plain_len) = payload.len().checked_sub(EXPLICIT_NONCE_LEN + TAG_LEN) else {
                return Err(Error::DecryptError);
            };
            let mut nonce = [0; NONCE_LEN];
            nonce[..SALT_LEN].copy_from_slice(&self.salt);
            nonce[SALT_LEN..].copy_from_slice(&payload[..EXPLICIT_NONCE_LEN]);
            let aad = make_tls12_aad(seq, msg.typ, msg.version, plain_len);
            let (body, tag) = payload[EXPLICIT_NONCE_LEN..].split_at_mut(plain_len);
            let tag = Array::try_from(&*tag).map_err(|_| Error::DecryptError)?;
            self.aead
                .decrypt_inout_detached(&Array::from(nonce), &aad, body.into(), &tag)
                .map_err(|_| Error::DecryptError)?;
            Ok(msg.into_plain_message_range(EXPLICIT_NONCE_LEN..EXPLICIT_NONCE_LEN + plain_len))
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use rustls::crypto::cipher::OutboundChunks;

    use super::*;

    fn opaque(buf: &mut [u8]) -> InboundOpaqueMessage<'_> {
        InboundOpaqueMessage::new(ContentType::ApplicationData, ProtocolVersion::TLSv1_2, buf)
    }

    fn roundtrip<A: RecordAead + KeyInit>(key: &[u8]) {
        let record = || Tls13Record {
            aead: A::new_from_slice(key).unwrap(),
            iv: Iv::new([9; 12]),
        };
        let (mut enc, mut dec) = (record(), record());
        let plain = b"PUBLISH a/b payload";
        let chunks = [&plain[..]];
        let msg = OutboundPlainMessage {
            typ: ContentType::ApplicationData,
            version: ProtocolVersion::TLSv1_2,
            payload: OutboundChunks::new(&chunks),
        };
        let sealed = enc.encrypt(msg, 5).unwrap().encode();
        assert_eq!(sealed.len(), 5 + plain.len() + 1 + TAG_LEN);
        assert_ne!(&sealed[5..5 + plain.len()], plain);

        let mut wire: Vec<u8> = sealed[5..].to_vec();
        let opened = dec.decrypt(opaque(&mut wire), 5).unwrap();
        assert_eq!(opened.payload, plain);
        assert_eq!(opened.typ, ContentType::ApplicationData);

        // A flipped bit, a replay under the next sequence number, or a truncated record fails.
        let mut tampered: Vec<u8> = sealed[5..].to_vec();
        tampered[0] ^= 1;
        assert_eq!(
            dec.decrypt(opaque(&mut tampered), 5).err(),
            Some(Error::DecryptError)
        );
        let mut replay: Vec<u8> = sealed[5..].to_vec();
        assert_eq!(
            dec.decrypt(opaque(&mut replay), 6).err(),
            Some(Error::DecryptError)
        );
        let mut short = vec![0; TAG_LEN - 1];
        assert_eq!(
            dec.decrypt(opaque(&mut short), 7).err(),
            Some(Error::DecryptError)
        );
    }

    #[test]
    fn aes_128_gcm_seals_and_opens_tls13_records() {
        roundtrip::<aes_gcm::Aes128Gcm>(&[7; 16]);
    }

    #[test]
    fn chacha20_poly1305_seals_and_opens_tls13_records() {
        roundtrip::<chacha20poly1305::ChaCha20Poly1305>(&[7; 32]);
    }
}

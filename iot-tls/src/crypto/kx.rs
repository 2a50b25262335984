//! Ephemeral key exchange: X25519 (RFC 7748) and P-256 ECDH (SEC 1), keyed from the caller's
//! entropy.

use alloc::boxed::Box;

use p256::elliptic_curve::Generate as _;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved};
use zeroize::Zeroizing;

use super::Random;

/// X25519, the first group offered: its key share goes into every ClientHello.
#[derive(Debug)]
pub(super) struct X25519 {
    random: Random,
}

impl X25519 {
    pub(super) const fn new(random: Random) -> Self {
        Self { random }
    }
}

impl SupportedKxGroup for X25519 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let mut secret = Zeroizing::new([0; 32]);
        self.random.fill(secret.as_mut())?;
        let public = x25519_dalek::x25519(*secret, x25519_dalek::X25519_BASEPOINT_BYTES);
        Ok(Box::new(X25519Share { secret, public }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::X25519
    }
}

struct X25519Share {
    secret: Zeroizing<[u8; 32]>,
    public: [u8; 32],
}

impl ActiveKeyExchange for X25519Share {
    fn complete(self: Box<Self>, peer_pub_key: &[u8]) -> Result<SharedSecret, Error> {
        let peer: [u8; 32] = peer_pub_key
            .try_into()
            .map_err(|_| PeerMisbehaved::InvalidKeyShare)?;
        let shared = Zeroizing::new(x25519_dalek::x25519(*self.secret, peer));
        // A low-order peer point yields all zeroes (RFC 7748 §6.1, RFC 8446 §7.4.2).
        if shared.iter().fold(0, |acc, b| acc | b) == 0 {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        Ok(SharedSecret::from(&shared[..]))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::X25519
    }
}

/// P-256 (secp256r1) ECDH, for servers that do not offer X25519.
#[derive(Debug)]
pub(super) struct P256 {
    random: Random,
}

impl P256 {
    pub(super) const fn new(random: Random) -> Self {
        Self { random }
    }
}

/// An uncompressed SEC 1 point: `0x04 || x || y`, the only form TLS 1.3 allows (RFC 8446 §4.2.8.2).
const P256_POINT_LEN: usize = 65;

impl SupportedKxGroup for P256 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let mut rng = self.random;
        let secret = p256::ecdh::EphemeralSecret::try_generate_from_rng(&mut rng)?;
        let mut public = [0; P256_POINT_LEN];
        public.copy_from_slice(&secret.public_key().to_uncompressed_point());
        Ok(Box::new(P256Share { secret, public }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::secp256r1
    }
}

struct P256Share {
    secret: p256::ecdh::EphemeralSecret,
    public: [u8; P256_POINT_LEN],
}

impl ActiveKeyExchange for P256Share {
    fn complete(self: Box<Self>, peer_pub_key: &[u8]) -> Result<SharedSecret, Error> {
        if peer_pub_key.len() != P256_POINT_LEN || peer_pub_key[0] != 0x04 {
            return Err(PeerMisbehaved::InvalidKeyShare.into());
        }
        // Decoding checks that the point lies on the curve.
        let peer = p256::PublicKey::from_sec1_bytes(peer_pub_key)
            .map_err(|_| PeerMisbehaved::InvalidKeyShare)?;
        let shared = self.secret.diffie_hellman(&peer);
        Ok(SharedSecret::from(shared.raw_secret_bytes().as_slice()))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::secp256r1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{EntropyError, EntropySource};

    /// A deterministic stream, distinct per call: good enough to pair two key shares in a test.
    struct Counter(core::sync::atomic::AtomicU8);
    impl EntropySource for Counter {
        fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
            let start = self.0.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
            for (i, b) in dest.iter_mut().enumerate() {
                *b = start
                    .wrapping_mul(31)
                    .wrapping_add(u8::try_from(i % 200).unwrap_or(0))
                    | 1;
            }
            Ok(())
        }
    }

    static ENTROPY: Counter = Counter(core::sync::atomic::AtomicU8::new(1));

    #[test]
    fn x25519_and_p256_agree_on_a_shared_secret() {
        let random = Random(&ENTROPY);
        for group in [
            &X25519::new(random) as &dyn SupportedKxGroup,
            &P256::new(random),
        ] {
            let a = group.start().unwrap();
            let b = group.start().unwrap();
            let (a_pub, b_pub) = (a.pub_key().to_vec(), b.pub_key().to_vec());
            assert_ne!(a_pub, b_pub);
            let ab = a.complete(&b_pub).unwrap();
            let ba = b.complete(&a_pub).unwrap();
            assert_eq!(ab.secret_bytes(), ba.secret_bytes());
            assert_eq!(ab.secret_bytes().len(), 32);
        }
    }

    #[test]
    fn malformed_peer_shares_are_refused() {
        let random = Random(&ENTROPY);
        let x = X25519::new(random);
        let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
        assert_eq!(
            x.start().unwrap().complete(&[1; 31]).err(),
            Some(invalid.clone())
        );
        // The all-zero point has low order: the shared secret would be all zeroes.
        assert_eq!(
            x.start().unwrap().complete(&[0; 32]).err(),
            Some(invalid.clone())
        );

        let p = P256::new(random);
        let share = p.start().unwrap();
        let mut compressed = share.pub_key()[..33].to_vec();
        compressed[0] = 0x02;
        assert_eq!(
            p.start().unwrap().complete(&compressed).err(),
            Some(invalid.clone())
        );
        let mut off_curve = share.pub_key().to_vec();
        off_curve[64] ^= 1;
        assert_eq!(p.start().unwrap().complete(&off_curve).err(), Some(invalid));
    }
}

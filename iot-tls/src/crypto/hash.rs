//! SHA-256, HMAC-SHA256, and the HKDF (TLS 1.3) and PRF (TLS 1.2) built on them.

use alloc::boxed::Box;

use hmac::{KeyInit, Mac};
use rustls::crypto::hash::{self, HashAlgorithm};
use rustls::crypto::hmac as rustls_hmac;
use rustls::crypto::tls13::HkdfUsingHmac;
use sha2::Digest;

/// SHA-256 for the transcript hash of every suite.
pub(super) struct Sha256;

pub(super) static SHA256: Sha256 = Sha256;

impl hash::Hash for Sha256 {
    fn start(&self) -> Box<dyn hash::Context> {
        Box::new(Sha256Context(sha2::Sha256::new()))
    }

    fn hash(&self, data: &[u8]) -> hash::Output {
        hash::Output::new(&sha2::Sha256::digest(data))
    }

    fn output_len(&self) -> usize {
        32
    }

    fn algorithm(&self) -> HashAlgorithm {
        HashAlgorithm::SHA256
    }
}

struct Sha256Context(sha2::Sha256);

impl hash::Context for Sha256Context {
    fn fork_finish(&self) -> hash::Output {
        hash::Output::new(&self.0.clone().finalize())
    }

    fn fork(&self) -> Box<dyn hash::Context> {
        Box::new(Self(self.0.clone()))
    }

    fn finish(self: Box<Self>) -> hash::Output {
        hash::Output::new(&self.0.finalize())
    }

    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
}

/// HMAC-SHA256, the base of the HKDF and the TLS 1.2 PRF.
pub(super) struct HmacSha256;

pub(super) static HMAC_SHA256: HmacSha256 = HmacSha256;

/// HKDF-SHA256 for the TLS 1.3 key schedule.
pub(super) static HKDF_SHA256: HkdfUsingHmac<'static> = HkdfUsingHmac(&HMAC_SHA256);

/// The TLS 1.2 PRF with SHA-256.
#[cfg(feature = "tls12")]
pub(super) static PRF_SHA256: rustls::crypto::tls12::PrfUsingHmac<'static> =
    rustls::crypto::tls12::PrfUsingHmac(&HMAC_SHA256);

impl rustls_hmac::Hmac for HmacSha256 {
    fn with_key(&self, key: &[u8]) -> Box<dyn rustls_hmac::Key> {
        Box::new(HmacSha256Key(
            hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes keys of any length"),
        ))
    }

    fn hash_output_len(&self) -> usize {
        32
    }
}

struct HmacSha256Key(hmac::Hmac<sha2::Sha256>);

impl rustls_hmac::Key for HmacSha256Key {
    fn sign_concat(&self, first: &[u8], middle: &[&[u8]], last: &[u8]) -> rustls_hmac::Tag {
        let mut mac = self.0.clone();
        mac.update(first);
        for part in middle {
            mac.update(part);
        }
        mac.update(last);
        rustls_hmac::Tag::new(&mac.finalize().into_bytes())
    }

    fn tag_len(&self) -> usize {
        32
    }
}

#[cfg(test)]
mod tests {
    use rustls::crypto::hash::Hash as _;
    use rustls::crypto::hmac::Hmac as _;
    use rustls::crypto::tls13::Hkdf as _;

    use super::*;

    fn hex(bytes: &[u8]) -> alloc::string::String {
        use core::fmt::Write as _;
        bytes.iter().fold(alloc::string::String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    #[test]
    fn sha256_matches_the_fips_180_vector() {
        let digest = SHA256.hash(b"abc");
        assert_eq!(
            hex(digest.as_ref()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut ctx = SHA256.start();
        ctx.update(b"a");
        let fork = ctx.fork_finish();
        ctx.update(b"bc");
        assert_eq!(ctx.finish().as_ref(), digest.as_ref());
        assert_eq!(fork.as_ref(), SHA256.hash(b"a").as_ref());
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231_case_2() {
        let key = HMAC_SHA256.with_key(b"Jefe");
        let tag = key.sign(&[b"what do ya want ", b"for nothing?"]);
        assert_eq!(
            hex(tag.as_ref()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hkdf_sha256_matches_rfc_5869_case_1() {
        let ikm = [0x0b; 22];
        let salt: [u8; 13] = core::array::from_fn(|i| u8::try_from(i).unwrap_or(0));
        let info: [u8; 10] = core::array::from_fn(|i| 0xf0 + u8::try_from(i).unwrap_or(0));
        let expander = HKDF_SHA256.extract_from_secret(Some(&salt), &ikm);
        let mut okm = [0; 42];
        expander.expand_slice(&[&info], &mut okm).unwrap();
        assert_eq!(
            hex(&okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }
}

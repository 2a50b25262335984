//! **Test-only** randomness: ChaCha20's key stream from a fixed seed.
//!
//! QEMU's virt machine has no random number generator this image can reach without a virtio
//! driver, and a fixed seed makes runs repeatable (the same instruction counts run after run).
//! The keys it makes are predictable: production firmware replaces [`SeededEntropy`] with the
//! chip's hardware RNG (ESP32-C6: the RNG_DATA register, with the radio or the SAR ADC
//! running as the manual requires).

use core::cell::RefCell;

use chacha20::ChaCha20Rng;
use critical_section::Mutex;
use iot_tls::crypto::{EntropyError, EntropySource};
use rand_core::{Rng as _, SeedableRng as _};

/// The seed: fixed, public, and therefore only for tests.
const TEST_SEED: [u8; 32] = *b"iot-tls qemu test seed, not keys";

/// ChaCha20 from [`TEST_SEED`]; never for production (see the [module docs](self)).
pub struct SeededEntropy(Mutex<RefCell<Option<ChaCha20Rng>>>);

impl SeededEntropy {
    /// The generator, seeded at its first use.
    pub const fn new() -> Self {
        Self(Mutex::new(RefCell::new(None)))
    }
}

impl EntropySource for SeededEntropy {
    fn fill(&self, dest: &mut [u8]) -> Result<(), EntropyError> {
        critical_section::with(|cs| {
            let mut rng = self.0.borrow_ref_mut(cs);
            rng.get_or_insert_with(|| ChaCha20Rng::from_seed(TEST_SEED))
                .fill_bytes(dest);
        });
        Ok(())
    }
}

//! Reconnect delays: exponential with jitter, as a pure function.

use core::time::Duration;

use crate::limits::millis;

/// An exponential reconnect backoff with jitter.
///
/// The delay before reconnect attempt `n` (0 for the first reconnect after a working connection)
/// is drawn from `[min, min(max, min * 2^(n+1))]` using a random number the caller supplies, so
/// clients that lost the same broker do not all come back at once. [`delay`](Self::delay) is a
/// pure function: no clock, no random source, no state.
///
/// AWS IoT accepts one CONNECT per second per client identifier, so its profile
/// ([`aws::LIMITS`](crate::aws::LIMITS)) requires `min` of at least 1 s; the default is 1 s to
/// 2 minutes.
///
/// # Example
///
/// ```
/// use core::time::Duration;
/// use iot_tls::Backoff;
///
/// let backoff = Backoff::default();
/// // Attempt 0 waits 1 to 2 s, attempt 3 waits 1 to 16 s, later attempts at most 2 minutes.
/// assert_eq!(backoff.delay(0, 0), Duration::from_secs(1));
/// assert_eq!(backoff.delay(0, u32::MAX), Duration::from_secs(2));
/// assert_eq!(backoff.delay(3, u32::MAX), Duration::from_secs(16));
/// assert_eq!(backoff.delay(30, u32::MAX), Duration::from_secs(120));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Backoff {
    min: Duration,
    max: Duration,
}

impl Backoff {
    /// A backoff from `min` up to `max`.
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    /// use iot_tls::Backoff;
    ///
    /// let backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(30));
    /// assert_eq!(backoff.min(), Duration::from_secs(2));
    /// assert_eq!(backoff.max(), Duration::from_secs(30));
    /// ```
    pub const fn new(min: Duration, max: Duration) -> Self {
        Self { min, max }
    }

    /// The shortest delay.
    ///
    /// # Example
    ///
    /// See [`Backoff::new`].
    pub const fn min(&self) -> Duration {
        self.min
    }

    /// The longest delay.
    ///
    /// # Example
    ///
    /// See [`Backoff::new`].
    pub const fn max(&self) -> Duration {
        self.max
    }

    /// The delay before reconnect attempt `attempt`, with `random` a uniformly random `u32` from
    /// the caller (a hardware RNG, or any PRNG).
    ///
    /// The result is in whole milliseconds, never below `min` and never above `max` (when `max`
    /// is below `min`, `min` wins). It grows monotonically with `random` and, for a given
    /// `random`, never shrinks as `attempt` grows.
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    /// use iot_tls::Backoff;
    ///
    /// let backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    /// let half = u32::MAX / 2;
    /// assert_eq!(backoff.delay(1, half), Duration::from_millis(2_500)); // middle of 1 to 4 s
    /// ```
    pub fn delay(&self, attempt: u32, random: u32) -> Duration {
        let min = millis(self.min);
        let max = millis(self.max).max(min);
        let factor = 1u64
            .checked_shl(attempt.saturating_add(1))
            .unwrap_or(u64::MAX);
        let upper = min.saturating_mul(factor).clamp(min, max);
        let span = u128::from(upper - min) + 1;
        let jitter = (u128::from(random) * span) >> 32;
        // `jitter <= upper - min`, so it fits.
        Duration::from_millis(min + u64::try_from(jitter).unwrap_or(0))
    }
}

impl Default for Backoff {
    /// 1 s to 2 minutes.
    fn default() -> Self {
        Self::new(Duration::from_secs(1), Duration::from_mins(2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_within_bounds_for_any_input() {
        let backoff = Backoff::default();
        for attempt in [0, 1, 2, 5, 10, 31, 32, 63, 64, 1000, u32::MAX] {
            let mut previous = Duration::ZERO;
            for random in [0, 1, 1 << 16, u32::MAX / 3, u32::MAX - 1, u32::MAX] {
                let d = backoff.delay(attempt, random);
                assert!(d >= Duration::from_secs(1), "{attempt} {random}: {d:?}");
                assert!(d <= Duration::from_mins(2), "{attempt} {random}: {d:?}");
                assert!(d >= previous, "monotonic in random");
                previous = d;
            }
        }
    }

    #[test]
    fn window_doubles_per_attempt() {
        let backoff = Backoff::new(Duration::from_millis(500), Duration::from_hours(1));
        let top = |attempt| backoff.delay(attempt, u32::MAX);
        assert_eq!(top(0), Duration::from_secs(1));
        assert_eq!(top(1), Duration::from_secs(2));
        assert_eq!(top(2), Duration::from_secs(4));
        assert_eq!(top(9), Duration::from_secs(512));
        assert_eq!(top(20), Duration::from_hours(1));
        assert_eq!(backoff.delay(20, 0), Duration::from_millis(500));
    }

    #[test]
    fn degenerate_settings() {
        let zero = Backoff::new(Duration::ZERO, Duration::from_secs(10));
        assert_eq!(zero.delay(5, u32::MAX), Duration::ZERO);
        let inverted = Backoff::new(Duration::from_secs(3), Duration::from_secs(1));
        assert_eq!(inverted.delay(4, u32::MAX), Duration::from_secs(3));
        let huge = Backoff::new(Duration::MAX, Duration::MAX);
        assert_eq!(huge.delay(2, 7), Duration::from_millis(u64::MAX));
    }
}

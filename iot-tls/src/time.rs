//! Time as the caller sees it: the session never reads a clock.

use core::ops::Add;
use core::time::Duration;

/// A point in time, in milliseconds since an epoch the caller chooses.
///
/// The session has no clock: every input that depends on time takes an `Instant` from the caller
/// (a monotonic timer, an RTC, `std::time::Instant` converted by a driver). Only differences
/// between instants matter, so any epoch works as long as it does not move backwards.
///
/// # Example
///
/// ```
/// use core::time::Duration;
/// use iot_tls::Instant;
///
/// let start = Instant::from_millis(1_000);
/// let later = start + Duration::from_secs(30);
/// assert_eq!(later.as_millis(), 31_000);
/// assert_eq!(later.saturating_duration_since(start), Duration::from_secs(30));
/// assert_eq!(start.saturating_duration_since(later), Duration::ZERO);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The instant `millis` milliseconds after the caller's epoch.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::Instant::from_millis(5).as_millis(), 5);
    /// ```
    pub const fn from_millis(millis: u64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the caller's epoch.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::Instant::from_millis(7).as_millis(), 7);
    /// ```
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The time elapsed from `earlier` to `self`, or zero if `earlier` is later.
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    /// use iot_tls::Instant;
    ///
    /// let a = Instant::from_millis(100);
    /// let b = Instant::from_millis(250);
    /// assert_eq!(b.saturating_duration_since(a), Duration::from_millis(150));
    /// ```
    pub const fn saturating_duration_since(self, earlier: Self) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }
}

/// Adds a duration, saturating at the largest representable instant.
impl Add<Duration> for Instant {
    type Output = Self;

    fn add(self, rhs: Duration) -> Self {
        let millis = u64::try_from(rhs.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(millis))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_saturates_instead_of_wrapping() {
        let end = Instant::from_millis(u64::MAX - 1) + Duration::from_secs(10);
        assert_eq!(end.as_millis(), u64::MAX);
        assert_eq!(
            (Instant::from_millis(1) + Duration::MAX).as_millis(),
            u64::MAX
        );
    }

    #[test]
    fn sub_millisecond_durations_round_down() {
        let t = Instant::from_millis(10) + Duration::from_micros(1_999);
        assert_eq!(t.as_millis(), 11);
    }
}

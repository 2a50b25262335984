//! The source of time of everything that expires: account-linking codes and tokens,
//! Login-with-Amazon tokens. Injectable, so that expiry is testable without sleeping.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// Where the crate reads the current time.
///
/// The account-linking server's codes, login forms and tokens expire against this clock, and
/// the Login-with-Amazon client decides against it when to refresh. Production code uses
/// [`SystemClock`]; tests use [`ManualClock`] and move time forward by hand.
///
/// # Examples
///
/// ```
/// use std::time::SystemTime;
/// use ha_alexa::clock::Clock;
///
/// struct Frozen(SystemTime);
/// impl Clock for Frozen {
///     fn now(&self) -> SystemTime {
///         self.0
///     }
/// }
/// assert_eq!(Frozen(SystemTime::UNIX_EPOCH).now(), SystemTime::UNIX_EPOCH);
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock.
///
/// # Examples
///
/// ```
/// use ha_alexa::clock::{Clock, SystemClock};
/// assert!(SystemClock.now() > std::time::SystemTime::UNIX_EPOCH);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told; clones share the same time.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use ha_alexa::clock::{Clock, ManualClock};
///
/// let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
/// let handle = clock.clone();
/// handle.advance(Duration::from_secs(60));
/// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(60));
/// ```
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<SystemTime>>);

impl ManualClock {
    /// A clock that reads `start` until moved.
    ///
    /// # Examples
    ///
    /// ```
    /// use ha_alexa::clock::{Clock, ManualClock};
    /// let start = std::time::SystemTime::now();
    /// assert_eq!(ManualClock::new(start).now(), start);
    /// ```
    pub fn new(start: SystemTime) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    /// Moves the clock forward by `by`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use ha_alexa::clock::{Clock, ManualClock};
    /// let clock = ManualClock::new(SystemTime::UNIX_EPOCH);
    /// clock.advance(Duration::from_secs(1));
    /// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(1));
    /// ```
    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }

    /// Sets the clock to `now`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use ha_alexa::clock::{Clock, ManualClock};
    /// let clock = ManualClock::new(SystemTime::now());
    /// clock.set(SystemTime::UNIX_EPOCH);
    /// assert_eq!(clock.now(), SystemTime::UNIX_EPOCH);
    /// ```
    pub fn set(&self, now: SystemTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

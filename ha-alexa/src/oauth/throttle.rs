//! Throttling of guesses: growing delays after a few failures, then a temporary lockout, per
//! key (a user name, a login form, a client id).
//!
//! Nothing sleeps: a key that must wait is refused at once, with the time left, so an
//! attacker gains nothing by sending more requests and no task is held. Time comes from the
//! server's [`Clock`](crate::clock::Clock), so the bound is testable by moving the clock.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// How many failures a key may have before it waits, how the wait grows, and when it locks.
///
/// After `free_failures` failures, each further failure makes the key wait
/// `base_delay × 2^(n − 1)` (n counting the failures beyond the free ones), at most
/// `max_delay`; from `lockout_after` failures on, each failure locks the key for `lockout`.
/// A key without a failure for `forget_after` starts afresh.
///
/// The default (5 free failures, delays from 1 s doubling to 1 min, lockout for 15 min after
/// 20 failures, forgotten after 1 h) lets one user name be guessed at most 20 times in its
/// first 6 minutes and then about 4 times an hour, however fast the requests come.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use ha_alexa::oauth::ThrottlePolicy;
///
/// let policy = ThrottlePolicy::default();
/// assert_eq!(policy.delay_after(5), Duration::ZERO);
/// assert_eq!(policy.delay_after(6), Duration::from_secs(1));
/// assert_eq!(policy.delay_after(8), Duration::from_secs(4));
/// assert_eq!(policy.delay_after(20), Duration::from_mins(15));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    free_failures: u32,
    base_delay: Duration,
    max_delay: Duration,
    lockout_after: u32,
    lockout: Duration,
    forget_after: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_mins(1),
            lockout_after: 20,
            lockout: Duration::from_mins(15),
            forget_after: Duration::from_hours(1),
        }
    }
}

impl ThrottlePolicy {
    /// Lets `free_failures` failures pass without waiting, then delays from `base_delay`
    /// doubling up to `max_delay`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = ha_alexa::oauth::ThrottlePolicy::default()
    ///     .with_delays(3, Duration::from_secs(2), Duration::from_secs(30));
    /// assert_eq!(policy.delay_after(4), Duration::from_secs(2));
    /// ```
    #[must_use]
    pub fn with_delays(
        mut self,
        free_failures: u32,
        base_delay: Duration,
        max_delay: Duration,
    ) -> Self {
        self.free_failures = free_failures;
        self.base_delay = base_delay;
        self.max_delay = max_delay;
        self
    }

    /// Locks a key for `lockout` after `failures` failures (and after each one beyond).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = ha_alexa::oauth::ThrottlePolicy::default()
    ///     .with_lockout(10, Duration::from_hours(1));
    /// assert_eq!(policy.delay_after(10), Duration::from_hours(1));
    /// ```
    #[must_use]
    pub fn with_lockout(mut self, failures: u32, lockout: Duration) -> Self {
        self.lockout_after = failures;
        self.lockout = lockout;
        self
    }

    /// Forgets a key's failures after `quiet` without one.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = ha_alexa::oauth::ThrottlePolicy::default().with_forget_after(Duration::from_hours(24));
    /// # let _ = policy;
    /// ```
    #[must_use]
    pub fn with_forget_after(mut self, quiet: Duration) -> Self {
        self.forget_after = quiet;
        self
    }

    /// How long a key waits after its `failures`-th failure.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// let policy = ha_alexa::oauth::ThrottlePolicy::default();
    /// assert_eq!(policy.delay_after(12), Duration::from_mins(1));
    /// ```
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures >= self.lockout_after {
            return self.lockout;
        }
        let Some(beyond) = failures.checked_sub(self.free_failures).filter(|n| *n > 0) else {
            return Duration::ZERO;
        };
        let factor = 2_u32.checked_pow(beyond - 1).unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .map_or(self.max_delay, |delay| delay.min(self.max_delay))
    }

    /// Whether a wait after `failures` failures is a lockout.
    fn is_lockout(&self, failures: u32) -> bool {
        failures >= self.lockout_after
    }
}

/// Why an attempt was refused before the credentials were checked: too many recent failures.
///
/// The login page says how long to wait ([`LoginPrompt::throttled`](super::LoginPrompt::throttled)).
///
/// # Examples
///
/// ```
/// fn explain(throttled: &ha_alexa::oauth::Throttled) -> String {
///     if throttled.is_lockout() {
///         format!("locked for {} minutes", throttled.retry_after().as_secs().div_ceil(60))
///     } else {
///         format!("wait {} seconds", throttled.retry_after().as_secs())
///     }
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttled {
    retry_after: Duration,
    lockout: bool,
}

impl Throttled {
    /// How long until the next attempt is accepted (rounded up to whole seconds).
    ///
    /// # Examples
    ///
    /// ```
    /// fn seconds(throttled: &ha_alexa::oauth::Throttled) -> u64 {
    ///     throttled.retry_after().as_secs()
    /// }
    /// ```
    pub fn retry_after(&self) -> Duration {
        self.retry_after
    }

    /// Whether this is a lockout after many failures rather than a short delay.
    ///
    /// # Examples
    ///
    /// ```
    /// fn locked(throttled: &ha_alexa::oauth::Throttled) -> bool {
    ///     throttled.is_lockout()
    /// }
    /// ```
    pub fn is_lockout(&self) -> bool {
        self.lockout
    }

    /// The longer of two waits.
    pub(crate) fn max(a: Option<Self>, b: Option<Self>) -> Option<Self> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.retry_after > a.retry_after { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// The most keys tracked; beyond it the key quiet for longest is forgotten.
const MAX_KEYS: usize = 16 * 1024;

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    last_failure: SystemTime,
    blocked_until: SystemTime,
}

/// Failure counts per key, bounded in number.
#[derive(Debug)]
pub(crate) struct Throttle {
    policy: ThrottlePolicy,
    entries: Mutex<HashMap<String, Entry>>,
}

impl Throttle {
    pub(crate) fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // Every mutation completes without panicking, so a poisoned lock guards a consistent map.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `None` when `key` may try now, otherwise how long it must wait.
    pub(crate) fn check(&self, key: &str, now: SystemTime) -> Option<Throttled> {
        let entries = self.entries();
        let entry = entries.get(key)?;
        let wait = entry.blocked_until.duration_since(now).ok()?;
        (!wait.is_zero()).then(|| Throttled {
            retry_after: Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0)),
            lockout: self.policy.is_lockout(entry.failures),
        })
    }

    /// Records a failure of `key` at `now`; returns the wait it now has, if any.
    pub(crate) fn failed(&self, key: &str, now: SystemTime) -> Option<Throttled> {
        {
            let mut entries = self.entries();
            let forget = self.policy.forget_after;
            if entries.len() >= MAX_KEYS && !entries.contains_key(key) {
                entries
                    .retain(|_, e| now.duration_since(e.last_failure).unwrap_or_default() < forget);
                if entries.len() >= MAX_KEYS
                    && let Some(oldest) = entries
                        .iter()
                        .min_by_key(|(_, e)| e.last_failure)
                        .map(|(k, _)| k.clone())
                {
                    entries.remove(&oldest);
                }
            }
            let entry = entries.entry(key.to_owned()).or_insert(Entry {
                failures: 0,
                last_failure: now,
                blocked_until: now,
            });
            if now.duration_since(entry.last_failure).unwrap_or_default() >= forget {
                entry.failures = 0;
            }
            entry.failures = entry.failures.saturating_add(1);
            entry.last_failure = now;
            entry.blocked_until = now + self.policy.delay_after(entry.failures);
        }
        self.check(key, now)
    }

    /// Forgets the failures of `key` after a success.
    pub(crate) fn succeeded(&self, key: &str) {
        self.entries().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn delays_grow_then_lock_and_are_forgotten_after_quiet() {
        let throttle = Throttle::new(ThrottlePolicy::default());
        for _ in 0..5 {
            assert_eq!(throttle.failed("alice", t(0)), None);
        }
        let sixth = throttle.failed("alice", t(0)).unwrap();
        assert_eq!(
            (sixth.retry_after(), sixth.is_lockout()),
            (Duration::from_secs(1), false)
        );
        assert!(throttle.check("alice", t(0)).is_some());
        assert!(throttle.check("alice", t(1)).is_none());
        assert!(throttle.check("bob", t(0)).is_none());
        for _ in 7..20 {
            throttle.failed("alice", t(1));
        }
        let locked = throttle.failed("alice", t(1)).unwrap();
        assert!(locked.is_lockout());
        assert_eq!(locked.retry_after(), Duration::from_mins(15));
        assert!(throttle.check("alice", t(1 + 899)).is_some());
        assert!(throttle.check("alice", t(1 + 900)).is_none());
        // Quiet for an hour: afresh.
        assert_eq!(throttle.failed("alice", t(1 + 3600)), None);
        throttle.succeeded("alice");
        assert!(throttle.entries().is_empty());
    }

    #[test]
    fn keys_are_bounded() {
        let throttle = Throttle::new(ThrottlePolicy::default());
        for i in 0..MAX_KEYS {
            throttle.failed(&i.to_string(), t(0));
        }
        throttle.failed("new", t(1));
        assert_eq!(throttle.entries().len(), MAX_KEYS);
        assert!(throttle.entries().contains_key("new"));
    }
}

//! What a broker accepts: identifier, topic and payload sizes, keep-alive range, backoff floor.

use core::time::Duration;

use crate::backoff::Backoff;
use crate::codec::{MAX_REMAINING_LENGTH, Message, Qos};
use crate::error::LimitError;

/// The prefix of AWS IoT Basic Ingest topics, which the topic limits do not count.
const BASIC_INGEST_PREFIX: &str = "$aws/rules/";

/// The limits a broker enforces, checked by the session before anything is queued or sent.
///
/// [`Limits::MQTT`] allows everything MQTT 3.1.1 can express; [`aws::LIMITS`](crate::aws::LIMITS)
/// is the AWS IoT Core profile. A request outside the limits is refused with a [`LimitError`]
/// instead of being sent and getting the connection closed by the broker.
///
/// # Example
///
/// ```
/// use iot_tls::Limits;
///
/// let strict = Limits { max_topic_len: 64, max_payload_len: 1024, ..Limits::MQTT };
/// assert!(strict.check_payload(&[0; 1024]).is_ok());
/// assert!(strict.check_payload(&[0; 1025]).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The longest client identifier, in bytes.
    pub max_client_id_len: usize,
    /// The longest topic name or filter, in bytes.
    pub max_topic_len: usize,
    /// The most `/` characters in a topic name or filter.
    pub max_topic_slashes: usize,
    /// Whether topics under `$aws/rules/<rule>/` are measured without that prefix (AWS IoT Basic
    /// Ingest).
    pub basic_ingest: bool,
    /// The largest payload, in bytes.
    pub max_payload_len: usize,
    /// The most topic filters in one SUBSCRIBE or UNSUBSCRIBE.
    pub max_filters: usize,
    /// The shortest keep-alive interval in seconds (0 is allowed only when this is 0).
    pub min_keep_alive: u16,
    /// The longest keep-alive interval in seconds.
    pub max_keep_alive: u16,
    /// The shortest delay before a reconnect.
    pub min_backoff: Duration,
    /// The most QoS 1 messages and subscription requests awaiting acknowledgement at once.
    pub max_inflight: usize,
}

impl Limits {
    /// Everything MQTT 3.1.1 can express.
    pub const MQTT: Self = Self {
        max_client_id_len: u16::MAX as usize,
        max_topic_len: u16::MAX as usize,
        max_topic_slashes: usize::MAX,
        basic_ingest: false,
        max_payload_len: MAX_REMAINING_LENGTH,
        max_filters: usize::MAX,
        min_keep_alive: 0,
        max_keep_alive: u16::MAX,
        min_backoff: Duration::ZERO,
        max_inflight: u16::MAX as usize,
    };

    /// Checks a client identifier's length.
    ///
    /// # Errors
    ///
    /// [`LimitError::ClientIdTooLong`].
    ///
    /// # Example
    ///
    /// ```
    /// assert!(iot_tls::aws::LIMITS.check_client_id(&"x".repeat(129)).is_err());
    /// ```
    pub const fn check_client_id(&self, client_id: &str) -> Result<(), LimitError> {
        if client_id.len() > self.max_client_id_len {
            return Err(LimitError::ClientIdTooLong {
                len: client_id.len(),
                max: self.max_client_id_len,
            });
        }
        Ok(())
    }

    /// Checks the length and the number of `/` of a topic name or filter.
    ///
    /// With [`basic_ingest`](Self::basic_ingest), a `$aws/rules/<rule>/` prefix is not counted.
    ///
    /// # Errors
    ///
    /// [`LimitError::TopicTooLong`] or [`LimitError::TooManySlashes`].
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::aws::LIMITS;
    ///
    /// assert!(LIMITS.check_topic("a/b/c/d/e/f/g/h").is_ok()); // 7 slashes
    /// assert!(LIMITS.check_topic("a/b/c/d/e/f/g/h/i").is_err()); // 8 slashes
    /// assert!(LIMITS.check_topic("$aws/rules/store/a/b/c/d/e/f/g/h").is_ok()); // prefix exempt
    /// ```
    pub fn check_topic(&self, topic: &str) -> Result<(), LimitError> {
        let measured = if self.basic_ingest {
            topic
                .strip_prefix(BASIC_INGEST_PREFIX)
                .and_then(|rest| rest.split_once('/'))
                .map_or(topic, |(_rule, rest)| rest)
        } else {
            topic
        };
        if measured.len() > self.max_topic_len {
            return Err(LimitError::TopicTooLong {
                len: measured.len(),
                max: self.max_topic_len,
            });
        }
        let count = measured.bytes().filter(|&b| b == b'/').count();
        if count > self.max_topic_slashes {
            return Err(LimitError::TooManySlashes {
                count,
                max: self.max_topic_slashes,
            });
        }
        Ok(())
    }

    /// Checks a payload's length.
    ///
    /// # Errors
    ///
    /// [`LimitError::PayloadTooLarge`].
    ///
    /// # Example
    ///
    /// ```
    /// assert!(iot_tls::aws::LIMITS.check_payload(&[0; 128 * 1024]).is_ok());
    /// assert!(iot_tls::aws::LIMITS.check_payload(&[0; 128 * 1024 + 1]).is_err());
    /// ```
    pub const fn check_payload(&self, payload: &[u8]) -> Result<(), LimitError> {
        if payload.len() > self.max_payload_len {
            return Err(LimitError::PayloadTooLarge {
                len: payload.len(),
                max: self.max_payload_len,
            });
        }
        Ok(())
    }

    /// Checks a QoS: the session publishes and subscribes at QoS 0 and 1, as AWS IoT requires.
    ///
    /// # Errors
    ///
    /// [`LimitError::Qos`] for QoS 2.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::{Limits, codec::Qos};
    ///
    /// assert!(Limits::MQTT.check_qos(Qos::AtLeastOnce).is_ok());
    /// assert!(Limits::MQTT.check_qos(Qos::ExactlyOnce).is_err());
    /// ```
    pub const fn check_qos(&self, qos: Qos) -> Result<(), LimitError> {
        match qos {
            Qos::AtMostOnce | Qos::AtLeastOnce => Ok(()),
            Qos::ExactlyOnce => Err(LimitError::Qos(qos)),
        }
    }

    /// Checks an application message: its QoS, topic and payload.
    ///
    /// # Errors
    ///
    /// The [`LimitError`] of the first check that fails.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Message, Qos};
    ///
    /// let message = Message::new("a/b", b"on").with_qos(Qos::AtLeastOnce);
    /// assert!(iot_tls::aws::LIMITS.check_message(&message).is_ok());
    /// assert!(iot_tls::aws::LIMITS.check_message(&message.with_qos(Qos::ExactlyOnce)).is_err());
    /// ```
    pub fn check_message(&self, message: &Message<'_>) -> Result<(), LimitError> {
        self.check_qos(message.qos)?;
        self.check_topic(message.topic)?;
        self.check_payload(message.payload)
    }

    /// Checks the number of filters in one SUBSCRIBE or UNSUBSCRIBE: at least one, at most
    /// [`max_filters`](Self::max_filters).
    ///
    /// # Errors
    ///
    /// [`LimitError::FilterCount`].
    ///
    /// # Example
    ///
    /// ```
    /// assert!(iot_tls::aws::LIMITS.check_filter_count(8).is_ok());
    /// assert!(iot_tls::aws::LIMITS.check_filter_count(9).is_err());
    /// assert!(iot_tls::aws::LIMITS.check_filter_count(0).is_err());
    /// ```
    pub const fn check_filter_count(&self, count: usize) -> Result<(), LimitError> {
        if count == 0 || count > self.max_filters {
            return Err(LimitError::FilterCount {
                count,
                max: self.max_filters,
            });
        }
        Ok(())
    }

    /// Checks a keep-alive interval in seconds.
    ///
    /// # Errors
    ///
    /// [`LimitError::KeepAlive`].
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::aws::LIMITS;
    ///
    /// assert!(LIMITS.check_keep_alive(30).is_ok());
    /// assert!(LIMITS.check_keep_alive(1200).is_ok());
    /// assert!(LIMITS.check_keep_alive(29).is_err());
    /// assert!(LIMITS.check_keep_alive(0).is_err());
    /// ```
    pub const fn check_keep_alive(&self, secs: u16) -> Result<(), LimitError> {
        if secs < self.min_keep_alive || secs > self.max_keep_alive {
            return Err(LimitError::KeepAlive {
                secs,
                min: self.min_keep_alive,
                max: self.max_keep_alive,
            });
        }
        Ok(())
    }

    /// Checks a reconnect backoff: it starts at [`min_backoff`](Self::min_backoff) or later and
    /// its maximum is not below its minimum.
    ///
    /// # Errors
    ///
    /// [`LimitError::Backoff`].
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    /// use iot_tls::{Backoff, aws::LIMITS};
    ///
    /// let fast = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    /// assert!(LIMITS.check_backoff(&fast).is_err()); // AWS: one CONNECT per second
    /// assert!(LIMITS.check_backoff(&Backoff::default()).is_ok());
    /// ```
    pub fn check_backoff(&self, backoff: &Backoff) -> Result<(), LimitError> {
        if backoff.min() < self.min_backoff || backoff.max() < backoff.min() {
            return Err(LimitError::Backoff {
                min_ms: millis(backoff.min()),
                max_ms: millis(backoff.max()),
                floor_ms: millis(self.min_backoff),
            });
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::MQTT
    }
}

/// `duration` in whole milliseconds, saturating.
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::LIMITS;

    #[test]
    fn topic_length_counts_bytes_after_the_basic_ingest_prefix() {
        let long = "x".repeat(256);
        assert_eq!(LIMITS.check_topic(&long), Ok(()));
        let longer = "x".repeat(257);
        assert_eq!(
            LIMITS.check_topic(&longer),
            Err(LimitError::TopicTooLong { len: 257, max: 256 })
        );
        let ingest = std::format!("$aws/rules/my_rule/{long}");
        assert_eq!(LIMITS.check_topic(&ingest), Ok(()));
        // Without the rule name's closing slash the prefix is not exempt.
        assert!(
            LIMITS
                .check_topic(&std::format!("$aws/rules/{longer}"))
                .is_err()
        );
        // Only the AWS profile exempts the prefix.
        let mqtt = Limits {
            max_topic_slashes: 1,
            ..Limits::MQTT
        };
        assert_eq!(
            mqtt.check_topic("$aws/rules/r/a"),
            Err(LimitError::TooManySlashes { count: 3, max: 1 })
        );
    }

    #[test]
    fn mqtt_profile_allows_protocol_maxima() {
        let l = Limits::MQTT;
        assert_eq!(l.check_keep_alive(0), Ok(()));
        assert_eq!(l.check_keep_alive(u16::MAX), Ok(()));
        assert_eq!(l.check_filter_count(1000), Ok(()));
        assert_eq!(l.check_client_id(&"c".repeat(65_535)), Ok(()));
        assert_eq!(
            l.check_backoff(&Backoff::new(Duration::ZERO, Duration::ZERO)),
            Ok(())
        );
    }

    #[test]
    fn backoff_must_not_shrink() {
        let inverted = Backoff::new(Duration::from_secs(5), Duration::from_secs(2));
        assert_eq!(
            Limits::MQTT.check_backoff(&inverted),
            Err(LimitError::Backoff {
                min_ms: 5000,
                max_ms: 2000,
                floor_ms: 0
            })
        );
    }
}

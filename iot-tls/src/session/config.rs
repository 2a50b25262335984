//! The settings of a session, validated against its limits.

use core::time::Duration;

use crate::backoff::Backoff;
use crate::codec::{Connect, Message, Password, RedactedUsername};
use crate::error::Error;
use crate::limits::Limits;

/// The settings of a [`Session`](super::Session): what goes into CONNECT, the timers, the
/// reconnect backoff and the broker's [`Limits`].
///
/// Built with `with_*` methods from [`Config::new`] (or [`aws::config`](crate::aws::config));
/// [`Session::new`](super::Session::new) checks it with [`validate`](Self::validate). The strings
/// are borrowed: they must outlive the session, which re-sends the same CONNECT on every
/// connection.
///
/// # Example
///
/// ```
/// use core::time::Duration;
/// use iot_tls::codec::{Message, Qos};
/// use iot_tls::session::Config;
///
/// let config = Config::new("kitchen-hub")
///     .with_keep_alive(120)
///     .with_clean_session(false)
///     .with_will(Message::new("hubs/kitchen/status", b"offline").with_qos(Qos::AtLeastOnce))
///     .with_username("kitchen")
///     .with_password(b"secret")
///     .with_ping_timeout(Duration::from_secs(5));
/// assert_eq!(config.keep_alive(), 120);
/// assert!(config.validate().is_ok());
/// assert!(!format!("{config:?}").contains("secret"));
///
/// // An AWS custom-authorizer token in the user name's query stays out of `Debug` too.
/// let config = config.with_username("kitchen?token=abc123");
/// assert!(format!("{config:?}").contains(r#"username: Some("kitchen?***")"#));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config<'a> {
    client_id: &'a str,
    keep_alive: u16,
    clean_session: bool,
    will: Option<Message<'a>>,
    /// `Debug` hides its query, where AWS IoT's custom-authorizer tokens travel.
    username: Option<RedactedUsername<&'a str>>,
    password: Option<Password<'a>>,
    ping_timeout: Duration,
    connect_timeout: Duration,
    backoff: Backoff,
    limits: Limits,
    protocol: Protocol,
    session_expiry: u32,
}

/// The MQTT version a session speaks, chosen per session (every connection of it uses the same).
///
/// # Example
///
/// ```
/// use iot_tls::session::{Config, Protocol};
///
/// assert_eq!(Config::new("d").protocol(), Protocol::V311);
/// assert_eq!(Config::new("d").with_protocol(Protocol::V5).protocol(), Protocol::V5);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// MQTT 3.1.1 (protocol level 4).
    #[default]
    V311,
    /// MQTT 5 (protocol level 5): reason codes, properties, server limits.
    V5,
}

impl<'a> Config<'a> {
    /// A configuration for `client_id`: keep-alive 60 s, a clean session, no will, no
    /// credentials, PINGRESP and CONNACK timeouts of 10 s, the default [`Backoff`] (1 s to 2
    /// minutes) and the [`Limits::MQTT`] limits.
    ///
    /// # Example
    ///
    /// ```
    /// let config = iot_tls::session::Config::new("dev");
    /// assert_eq!(config.client_id(), "dev");
    /// assert!(config.clean_session());
    /// ```
    pub const fn new(client_id: &'a str) -> Self {
        Self {
            client_id,
            keep_alive: 60,
            clean_session: true,
            will: None,
            username: None,
            password: None,
            ping_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            backoff: Backoff::new(Duration::from_secs(1), Duration::from_mins(2)),
            limits: Limits::MQTT,
            protocol: Protocol::V311,
            session_expiry: 3600,
        }
    }

    /// Sets the MQTT version.
    ///
    /// # Example
    ///
    /// See [`Protocol`].
    #[must_use]
    pub const fn with_protocol(self, protocol: Protocol) -> Self {
        Self { protocol, ..self }
    }

    /// Sets how long, in seconds, the broker keeps a persistent session
    /// ([`with_clean_session(false)`](Self::with_clean_session)) after the connection ends
    /// (MQTT 5's Session Expiry Interval; default 3,600 s, AWS IoT's default; `u32::MAX` for
    /// ever). MQTT 3.1.1 has no such setting: the broker decides.
    ///
    /// # Example
    ///
    /// ```
    /// let config = iot_tls::session::Config::new("d").with_session_expiry(600);
    /// assert_eq!(config.session_expiry(), 600);
    /// ```
    #[must_use]
    pub const fn with_session_expiry(self, secs: u32) -> Self {
        Self {
            session_expiry: secs,
            ..self
        }
    }

    /// The MQTT version.
    ///
    /// # Example
    ///
    /// See [`Protocol`].
    pub const fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The session expiry interval in seconds (MQTT 5, persistent sessions only).
    ///
    /// # Example
    ///
    /// See [`with_session_expiry`](Self::with_session_expiry).
    pub const fn session_expiry(&self) -> u32 {
        self.session_expiry
    }

    /// Sets the keep-alive interval in seconds; 0 turns keep-alive off.
    ///
    /// The session sends PINGREQ after this long without sending anything.
    ///
    /// # Example
    ///
    /// See [`Config`].
    #[must_use]
    pub const fn with_keep_alive(self, secs: u16) -> Self {
        Self {
            keep_alive: secs,
            ..self
        }
    }

    /// Sets whether the broker discards the session state when the client connects.
    ///
    /// With `false` (a persistent session) the broker keeps subscriptions and queued QoS 1
    /// messages while the client is away; the session re-subscribes only when the broker says it
    /// lost them (CONNACK's session-present flag is 0).
    ///
    /// # Example
    ///
    /// See [`Config`].
    #[must_use]
    pub const fn with_clean_session(self, clean_session: bool) -> Self {
        Self {
            clean_session,
            ..self
        }
    }

    /// Sets the last will: what the broker publishes if the connection drops without DISCONNECT.
    ///
    /// # Example
    ///
    /// See [`Config`].
    #[must_use]
    pub const fn with_will(self, will: Message<'a>) -> Self {
        Self {
            will: Some(will),
            ..self
        }
    }

    /// Sets the user name (for AWS IoT custom authorizers, see
    /// [`aws::CustomAuthorizer`](crate::aws::CustomAuthorizer)).
    ///
    /// # Example
    ///
    /// See [`Config`].
    #[must_use]
    pub const fn with_username(self, username: &'a str) -> Self {
        Self {
            username: Some(RedactedUsername(username)),
            ..self
        }
    }

    /// Sets the password (MQTT 3.1.1 needs a user name with it).
    ///
    /// # Example
    ///
    /// See [`Config`].
    #[must_use]
    pub const fn with_password(self, password: &'a [u8]) -> Self {
        Self {
            password: Some(Password::new(password)),
            ..self
        }
    }

    /// Sets how long to wait for PINGRESP (or any byte from the broker) after PINGREQ before
    /// the connection counts as lost.
    ///
    /// # Example
    ///
    /// See [`Config`].
    #[must_use]
    pub const fn with_ping_timeout(self, timeout: Duration) -> Self {
        Self {
            ping_timeout: timeout,
            ..self
        }
    }

    /// Sets how long to wait for CONNACK after [`Session::connect`](super::Session::connect).
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    ///
    /// let config = iot_tls::session::Config::new("d").with_connect_timeout(Duration::from_secs(3));
    /// assert_eq!(config.connect_timeout(), Duration::from_secs(3));
    /// ```
    #[must_use]
    pub const fn with_connect_timeout(self, timeout: Duration) -> Self {
        Self {
            connect_timeout: timeout,
            ..self
        }
    }

    /// Sets the reconnect backoff.
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    /// use iot_tls::{Backoff, session::Config};
    ///
    /// let backoff = Backoff::new(Duration::from_secs(2), Duration::from_secs(60));
    /// assert_eq!(Config::new("d").with_backoff(backoff).backoff(), backoff);
    /// ```
    #[must_use]
    pub const fn with_backoff(self, backoff: Backoff) -> Self {
        Self { backoff, ..self }
    }

    /// Sets the broker's limits.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::{aws, session::Config};
    ///
    /// assert_eq!(Config::new("d").with_limits(aws::LIMITS).limits(), aws::LIMITS);
    /// ```
    #[must_use]
    pub const fn with_limits(self, limits: Limits) -> Self {
        Self { limits, ..self }
    }

    /// The client identifier.
    ///
    /// # Example
    ///
    /// See [`Config::new`].
    pub const fn client_id(&self) -> &'a str {
        self.client_id
    }

    /// The keep-alive interval in seconds (0: off).
    ///
    /// # Example
    ///
    /// See [`Config`].
    pub const fn keep_alive(&self) -> u16 {
        self.keep_alive
    }

    /// Whether the session is clean (not persistent).
    ///
    /// # Example
    ///
    /// See [`Config::new`].
    pub const fn clean_session(&self) -> bool {
        self.clean_session
    }

    /// The last will.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(iot_tls::session::Config::new("d").will(), None);
    /// ```
    pub const fn will(&self) -> Option<Message<'a>> {
        self.will
    }

    /// The user name.
    ///
    /// # Example
    ///
    /// ```
    /// let config = iot_tls::session::Config::new("d").with_username("u");
    /// assert_eq!(config.username(), Some("u"));
    /// ```
    pub const fn username(&self) -> Option<&'a str> {
        match self.username {
            Some(RedactedUsername(username)) => Some(username),
            None => None,
        }
    }

    /// The password.
    ///
    /// # Example
    ///
    /// ```
    /// let config = iot_tls::session::Config::new("d").with_username("u").with_password(b"p");
    /// assert_eq!(config.password().map(|p| p.as_bytes()), Some(&b"p"[..]));
    /// ```
    pub const fn password(&self) -> Option<Password<'a>> {
        self.password
    }

    /// The PINGRESP timeout.
    ///
    /// # Example
    ///
    /// See [`Config`].
    pub const fn ping_timeout(&self) -> Duration {
        self.ping_timeout
    }

    /// The CONNACK timeout.
    ///
    /// # Example
    ///
    /// See [`Config::with_connect_timeout`].
    pub const fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// The reconnect backoff.
    ///
    /// # Example
    ///
    /// See [`Config::with_backoff`].
    pub const fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// The broker's limits.
    ///
    /// # Example
    ///
    /// See [`Config::with_limits`].
    pub const fn limits(&self) -> Limits {
        self.limits
    }

    /// The CONNECT packet this configuration sends.
    ///
    /// # Example
    ///
    /// ```
    /// let connect = iot_tls::session::Config::new("d").with_keep_alive(30).connect_packet();
    /// assert_eq!((connect.client_id, connect.keep_alive), ("d", 30));
    /// ```
    pub const fn connect_packet(&self) -> Connect<'a> {
        Connect {
            client_id: self.client_id,
            keep_alive: self.keep_alive,
            clean_session: self.clean_session,
            will: self.will,
            username: self.username(),
            password: self.password,
        }
    }

    /// Checks the configuration against its limits: client identifier, keep-alive, backoff, and
    /// the will's QoS, topic and payload.
    ///
    /// # Errors
    ///
    /// [`Error::Limit`] naming the first setting outside the limits.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::{Error, aws, error::LimitError};
    ///
    /// let err = aws::config("d").with_keep_alive(10).validate().unwrap_err();
    /// assert!(matches!(err, Error::Limit(LimitError::KeepAlive { secs: 10, min: 30, max: 1200 })));
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        let limits = &self.limits;
        limits.check_client_id(self.client_id)?;
        limits.check_keep_alive(self.keep_alive)?;
        limits.check_backoff(&self.backoff)?;
        if let Some(will) = &self.will {
            limits.check_message(will)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws;
    use crate::codec::Qos;
    use crate::error::LimitError;

    #[test]
    fn aws_profile_refuses_what_aws_refuses() {
        let long_id = "x".repeat(129);
        let cases = [
            (
                aws::config(&long_id),
                LimitError::ClientIdTooLong { len: 129, max: 128 },
            ),
            (
                aws::config("d").with_keep_alive(1201),
                LimitError::KeepAlive {
                    secs: 1201,
                    min: 30,
                    max: 1200,
                },
            ),
            (
                aws::config("d").with_will(Message::new("w", b"").with_qos(Qos::ExactlyOnce)),
                LimitError::Qos(Qos::ExactlyOnce),
            ),
            (
                aws::config("d").with_will(Message::new("1/2/3/4/5/6/7/8/9", b"")),
                LimitError::TooManySlashes { count: 8, max: 7 },
            ),
            (
                aws::config("d").with_backoff(Backoff::new(
                    Duration::from_millis(999),
                    Duration::from_secs(9),
                )),
                LimitError::Backoff {
                    min_ms: 999,
                    max_ms: 9000,
                    floor_ms: 1000,
                },
            ),
        ];
        for (config, expected) in cases {
            assert!(
                matches!(config.validate(), Err(Error::Limit(e)) if e == expected),
                "{expected:?}"
            );
        }
        assert!(aws::config("d").validate().is_ok());
        assert!(aws::config("d").with_keep_alive(30).validate().is_ok());
    }
}

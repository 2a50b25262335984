//! The std driver on tokio: a background task that resolves the broker's name, connects (TCP,
//! then TLS), reconnects with jittered exponential backoff, resumes the persistent session and
//! re-sends unacknowledged QoS 1 messages.
//!
//! [`Client::spawn`] starts the task and returns two handles, in the shape of quinn's driver:
//! a [`Client`] to publish, subscribe and disconnect (cheap to clone, usable from any task), and
//! [`Events`] to receive what the broker sends. The task owns the [`Connection`](crate::connection::Connection) and its
//! buffers; the handles talk to it over bounded queues.
//!
//! # Bounded
//!
//! - [`Client::publish`] returns as soon as the message is queued for the task; a full queue
//!   is an error the caller sees ([`Error::is_full`]), never growth. [`Client::reserve`] waits
//!   for room instead, and [`Client::flush`] waits for the broker's acknowledgements.
//! - The task passes requests to the session only while its store has room (the store holds
//!   queued and unacknowledged messages, [`Options::with_buffers`]); until then the queue fills.
//! - Events wait in a queue of [`Options::with_events`] entries; while it is full the task
//!   stops reading the socket (so a consumer that stalls longer than the ping timeout makes the
//!   connection drop, and QoS 1 messages are delivered again).
//!
//! Everything is allocated when the task starts: the session's receive buffer and store, the
//! transmit buffer, the TLS client and its record buffer (which grows only for large records).
//! The crate README lists measured figures.
//!
//! # Logs
//!
//! The task logs through `tracing`: connection attempts and their failures (with the operating
//! system's message), the negotiated TLS parameters, session resumption and reconnect delays.
//! Passwords and the query of a custom-authorizer user name are never logged.
//!
//! # Example
//!
//! AWS IoT Core with a custom authorizer, on port 443:
//!
//! ```no_run
//! # async fn run() -> Result<(), iot_tls::Error> {
//! use iot_tls::aws::CustomAuthorizer;
//! use iot_tls::codec::Qos;
//! use iot_tls::tls::{Alpn, TlsConfig, TrustAnchors};
//! use iot_tls::tokio::{Client, Event, Message, Options};
//!
//! let endpoint = "a1b2c3-ats.iot.eu-west-1.amazonaws.com";
//! let tls = TlsConfig::builder(endpoint, TrustAnchors::aws_iot())
//!     .alpn(Alpn::for_aws(443, false)) // "mqtt"
//!     .build()?;
//! let username = CustomAuthorizer::new("kitchen-hub").with_authorizer("HubAuth").to_string();
//! let options = Options::aws(endpoint, "kitchen-hub")
//!     .with_tls(tls)
//!     .with_credentials(username, b"token-from-the-authorizer")
//!     .with_clean_session(false)
//!     .with_keep_alive(300);
//! let (client, mut events) = Client::spawn(options)?;
//! client.subscribe(&[("cmnd/kitchen-hub/#", Qos::AtLeastOnce)])?;
//! client.publish(Message::new("tele/kitchen-hub/LWT", "Online").with_qos(Qos::AtLeastOnce))?;
//! while let Some(event) = events.recv().await {
//!     match event {
//!         Event::Message(message) => println!("{}: {:?}", message.topic, message.payload),
//!         Event::Disconnected { reason, error: Some(error), .. } => {
//!             eprintln!("disconnected ({reason}): {error}");
//!         }
//!         Event::Disconnected { reason, error: None, .. } => eprintln!("disconnected ({reason})"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

mod driver;
mod queue;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;

use ::tokio::sync::{Notify, mpsc, watch};
use bytes::Bytes;

use crate::backoff::Backoff;
use crate::codec::v5::{self, Properties, Property, PropertyBuilder, ReasonCode};
use crate::codec::{self, PacketId, Publish, Qos, RedactedUsername, SubAckCode};
use crate::error::{Error, SessionError};
use crate::limits::Limits;
use crate::secret::Secret;
use crate::session::{Config, DisconnectReason, Protocol, ServerLimits};
#[cfg(feature = "rustls")]
use crate::tls::{RecordPolicy, TlsConfig};

/// The size of the session's request table: at most this many requests queued in the session,
/// QoS 1 messages in flight and remembered subscriptions at once.
pub const SLOTS: usize = 32;

/// An application message, owned: what [`Client::publish`] sends and [`Event::Message`]
/// carries.
///
/// # Example
///
/// ```
/// use iot_tls::codec::Qos;
/// use iot_tls::tokio::Message;
///
/// let message = Message::new("tele/hub/state", "on").with_qos(Qos::AtLeastOnce).with_retain(true);
/// assert_eq!(message.payload, "on".as_bytes());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    /// The topic name.
    pub topic: String,
    /// The payload.
    pub payload: Bytes,
    /// The quality of service: 0 or 1.
    pub qos: Qos,
    /// Whether the broker keeps the message for future subscribers.
    pub retain: bool,
    /// Whether the broker is delivering it again (received messages only).
    pub dup: bool,
    /// MQTT 5 properties: sent with the message, or received with it (`None` when it has
    /// none). Boxed, so a message without properties stays small.
    pub properties: Option<Box<MessageProperties>>,
}

/// The MQTT 5 properties of a [`Message`], owned: request/response, user properties, expiry.
///
/// # Example
///
/// A request that asks for its answer on a response topic:
///
/// ```
/// use iot_tls::tokio::{Message, MessageProperties};
///
/// let properties = MessageProperties::default()
///     .with_response_topic("hub/replies")
///     .with_correlation_data("42")
///     .with_user_property("room", "kitchen")
///     .with_message_expiry(60);
/// let request = Message::new("svc/requests", "ping").with_properties(properties);
/// assert_eq!(request.properties.unwrap().response_topic.as_deref(), Some("hub/replies"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MessageProperties {
    /// Payload Format Indicator: the payload is UTF-8 text.
    pub payload_is_utf8: bool,
    /// Message Expiry Interval in seconds: the broker drops the message when it could not
    /// deliver it in time (received: the time left).
    pub message_expiry: Option<u32>,
    /// Content Type, the payload's MIME type say.
    pub content_type: Option<String>,
    /// Response Topic: where the answer to a request goes.
    pub response_topic: Option<String>,
    /// Correlation Data: ties the answer to its request.
    pub correlation_data: Option<Bytes>,
    /// User properties, in order (names may repeat).
    pub user_properties: Vec<(String, String)>,
    /// Subscription Identifiers of the subscriptions that matched (received messages only).
    pub subscription_identifiers: Vec<u32>,
}

impl MessageProperties {
    /// The same properties with a Response Topic.
    ///
    /// # Example
    ///
    /// See [`MessageProperties`].
    #[must_use]
    pub fn with_response_topic(self, topic: impl Into<String>) -> Self {
        Self {
            response_topic: Some(topic.into()),
            ..self
        }
    }

    /// The same properties with Correlation Data.
    ///
    /// # Example
    ///
    /// See [`MessageProperties`].
    #[must_use]
    pub fn with_correlation_data(self, data: impl Into<Bytes>) -> Self {
        Self {
            correlation_data: Some(data.into()),
            ..self
        }
    }

    /// The same properties with one more user property.
    ///
    /// # Example
    ///
    /// See [`MessageProperties`].
    #[must_use]
    pub fn with_user_property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.user_properties.push((name.into(), value.into()));
        self
    }

    /// The same properties with a Message Expiry Interval in seconds.
    ///
    /// # Example
    ///
    /// See [`MessageProperties`].
    #[must_use]
    pub fn with_message_expiry(self, secs: u32) -> Self {
        Self {
            message_expiry: Some(secs),
            ..self
        }
    }

    /// The same properties with a Content Type.
    ///
    /// # Example
    ///
    /// ```
    /// let p = iot_tls::tokio::MessageProperties::default().with_content_type("application/json");
    /// assert_eq!(p.content_type.as_deref(), Some("application/json"));
    /// ```
    #[must_use]
    pub fn with_content_type(self, content_type: impl Into<String>) -> Self {
        Self {
            content_type: Some(content_type.into()),
            ..self
        }
    }

    /// The properties of a received PUBLISH, owned; `None` when it has none.
    fn from_received(properties: &Properties<'_>) -> Option<Box<Self>> {
        if properties.is_empty() {
            return None;
        }
        let mut owned = Self::default();
        for property in properties.iter().flatten() {
            match property {
                Property::PayloadFormatIndicator(b) => owned.payload_is_utf8 = b == 1,
                Property::MessageExpiryInterval(n) => owned.message_expiry = Some(n),
                Property::ContentType(t) => owned.content_type = Some(t.into()),
                Property::ResponseTopic(t) => owned.response_topic = Some(t.into()),
                Property::CorrelationData(d) => {
                    owned.correlation_data = Some(Bytes::copy_from_slice(d));
                }
                Property::UserProperty(k, v) => owned.user_properties.push((k.into(), v.into())),
                Property::SubscriptionIdentifier(n) => owned.subscription_identifiers.push(n),
                _ => {}
            }
        }
        Some(Box::new(owned))
    }

    /// Encodes the properties of an outgoing PUBLISH into `buf` (cleared first).
    fn encode<'b>(&self, buf: &'b mut Vec<u8>) -> Result<Properties<'b>, Error> {
        let strings = |s: &Option<String>| s.as_ref().map_or(0, |s| 3 + s.len());
        let len = 2
            + 5
            + strings(&self.content_type)
            + strings(&self.response_topic)
            + self.correlation_data.as_ref().map_or(0, |d| 3 + d.len())
            + self
                .user_properties
                .iter()
                .map(|(k, v)| 5 + k.len() + v.len())
                .sum::<usize>();
        buf.clear();
        buf.resize(len, 0);
        let mut builder = PropertyBuilder::new(buf, codec::PacketType::Publish);
        if self.payload_is_utf8 {
            builder.push(Property::PayloadFormatIndicator(1))?;
        }
        if let Some(secs) = self.message_expiry {
            builder.push(Property::MessageExpiryInterval(secs))?;
        }
        if let Some(t) = &self.content_type {
            builder.push(Property::ContentType(t))?;
        }
        if let Some(t) = &self.response_topic {
            builder.push(Property::ResponseTopic(t))?;
        }
        if let Some(d) = &self.correlation_data {
            builder.push(Property::CorrelationData(d))?;
        }
        for (k, v) in &self.user_properties {
            builder.push(Property::UserProperty(k, v))?;
        }
        Ok(builder.finish())
    }
}

impl Message {
    /// A QoS 0 message of `payload` to `topic`.
    ///
    /// # Example
    ///
    /// See [`Message`].
    pub fn new(topic: impl Into<String>, payload: impl Into<Bytes>) -> Self {
        Self {
            topic: topic.into(),
            payload: payload.into(),
            qos: Qos::AtMostOnce,
            retain: false,
            dup: false,
            properties: None,
        }
    }

    /// The same message with MQTT 5 `properties` (an MQTT 3.1.1 client refuses to publish it).
    ///
    /// # Example
    ///
    /// See [`MessageProperties`].
    #[must_use]
    pub fn with_properties(self, properties: MessageProperties) -> Self {
        Self {
            properties: Some(Box::new(properties)),
            ..self
        }
    }

    /// The same message at `qos`.
    ///
    /// # Example
    ///
    /// See [`Message`].
    #[must_use]
    pub fn with_qos(self, qos: Qos) -> Self {
        Self { qos, ..self }
    }

    /// The same message with the retain flag `retain`.
    ///
    /// # Example
    ///
    /// See [`Message`].
    #[must_use]
    pub fn with_retain(self, retain: bool) -> Self {
        Self { retain, ..self }
    }

    /// The message, borrowed, as the codec and the session take it.
    fn as_codec(&self) -> codec::Message<'_> {
        codec::Message::new(&self.topic, &self.payload)
            .with_qos(self.qos)
            .with_retain(self.retain)
    }
}

/// Something that happened on the connection, from [`Events::recv`].
///
/// # Example
///
/// See the [module documentation](self).
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// The broker accepted the connection; `session_present` says whether it still had the
    /// persistent session (when not, the subscriptions have been sent again).
    Connected {
        /// CONNACK's session-present flag.
        session_present: bool,
    },
    /// A message from the broker (a QoS 1 message has been acknowledged).
    Message(Message),
    /// The broker answered a SUBSCRIBE (in the order they were made, re-subscriptions
    /// included): one code per filter.
    Subscribed {
        /// The granted QoS or the refusal of each filter, in order.
        codes: Vec<SubAckCode>,
    },
    /// The broker acknowledged an UNSUBSCRIBE.
    Unsubscribed,
    /// MQTT 5: the server refused a QoS 1 message (a PUBACK with a failure reason code); it is
    /// not sent again.
    PublishRefused {
        /// Why.
        reason: ReasonCode,
        /// The PUBACK's Reason String, if any.
        reason_string: Option<String>,
    },
    /// A message larger than the receive buffer ([`Options::with_buffers`]) was skipped
    /// without ending the connection (a QoS 1 one was acknowledged).
    Oversized {
        /// Its topic, when the start of the packet fitted the receive buffer.
        topic: Option<String>,
        /// The quality of service it was sent at.
        qos: Qos,
        /// The length of the whole packet.
        len: usize,
        /// The capacity of the receive buffer.
        capacity: usize,
    },
    /// A connection ended, or an attempt failed.
    Disconnected {
        /// What the session saw: [`DisconnectReason::Refused`] for a refused CONNACK (a wrong
        /// password), [`DisconnectReason::PingTimeout`], [`DisconnectReason::TransportClosed`]
        /// when the transport failed or closed, ...
        reason: DisconnectReason,
        /// The transport's error, when it failed: [`Error::Tls`] naming the cause (an unknown
        /// CA, a host name the certificate does not cover), [`Error::Io`] (resolving,
        /// connecting, reading, writing).
        error: Option<Error>,
        /// When the next attempt starts; `None` when the client has stopped.
        retry_in: Option<Duration>,
    },
}

/// The owned settings of a [`Client`]: where to connect, how to secure it, what CONNECT says,
/// the timers and the memory.
///
/// # Example
///
/// A local broker without TLS:
///
/// ```
/// use iot_tls::tokio::Options;
///
/// let options = Options::new("localhost", 1883, "living-room")
///     .with_keep_alive(30)
///     .with_credentials("living-room", b"secret");
/// assert!(!format!("{options:?}").contains("secret"));
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    host: String,
    port: u16,
    #[cfg(feature = "rustls")]
    tls: Option<TlsConfig>,
    #[cfg(feature = "rustls")]
    record_policy: RecordPolicy,
    client_id: String,
    keep_alive: u16,
    clean_session: bool,
    will: Option<Message>,
    /// `Debug` hides its query, where AWS IoT's custom-authorizer tokens travel.
    username: Option<RedactedUsername<String>>,
    password: Option<Secret<Vec<u8>>>,
    ping_timeout: Duration,
    connect_timeout: Duration,
    backoff: Backoff,
    limits: Limits,
    protocol: Protocol,
    session_expiry: u32,
    rx_len: usize,
    store_len: usize,
    tx_len: usize,
    queue: usize,
    events: usize,
}

impl Options {
    /// Settings for `client_id` at `host:port`, plain TCP; the rest as
    /// [`session::Config::new`](Config::new) (keep-alive 60 s, clean session, backoff 1 s to
    /// 2 min, MQTT's own limits), with a 4 KiB receive buffer, an 8 KiB store, a 1 KiB
    /// transmit buffer (one TLS record of the default size), and queues of 32 requests (the
    /// in-flight window) and 32 events.
    ///
    /// # Example
    ///
    /// See [`Options`].
    pub fn new(host: impl Into<String>, port: u16, client_id: impl Into<String>) -> Self {
        let config = Config::new("");
        Self {
            host: host.into(),
            port,
            #[cfg(feature = "rustls")]
            tls: None,
            #[cfg(feature = "rustls")]
            record_policy: RecordPolicy::default(),
            client_id: client_id.into(),
            keep_alive: config.keep_alive(),
            clean_session: config.clean_session(),
            will: None,
            username: None,
            password: None,
            ping_timeout: config.ping_timeout(),
            connect_timeout: config.connect_timeout(),
            backoff: config.backoff(),
            limits: config.limits(),
            protocol: config.protocol(),
            session_expiry: config.session_expiry(),
            rx_len: 4096,
            store_len: 8192,
            tx_len: 1024,
            queue: SLOTS,
            events: SLOTS,
        }
    }

    /// Speaks `protocol` (MQTT 3.1.1 by default). On MQTT 5 the client announces the receive
    /// buffer as its Maximum Packet Size and obeys the server's limits.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::Protocol;
    ///
    /// let options = iot_tls::tokio::Options::new("localhost", 1883, "d")
    ///     .with_protocol(Protocol::V5)
    ///     .with_session_expiry(600);
    /// assert!(format!("{options:?}").contains("V5"));
    /// ```
    #[must_use]
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// How long the broker keeps a persistent session after the connection ends (MQTT 5; see
    /// [`Config::with_session_expiry`]).
    ///
    /// # Example
    ///
    /// See [`with_protocol`](Self::with_protocol).
    #[must_use]
    pub fn with_session_expiry(mut self, secs: u32) -> Self {
        self.session_expiry = secs;
        self
    }

    /// Settings for AWS IoT Core: `endpoint` on port 443 with the
    /// [`aws::LIMITS`](crate::aws::LIMITS); add TLS with [`with_tls`](Self::with_tls) (ALPN
    /// `mqtt` for a custom authorizer, `x-amzn-mqtt-ca` with a client certificate).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn aws(endpoint: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self::new(endpoint, 443, client_id).with_limits(crate::aws::LIMITS)
    }

    /// Runs MQTT inside TLS with `config` (its server name is sent in SNI and checked against
    /// the certificate; the TCP connection goes to the host given to [`new`](Self::new)).
    ///
    /// The transmit buffer grows to one record ([`TlsConfig::max_outgoing_record`]) if it is
    /// smaller.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    #[must_use]
    pub fn with_tls(mut self, config: TlsConfig) -> Self {
        self.tx_len = self.tx_len.max(config.max_outgoing_record());
        self.tls = Some(config);
        self
    }

    /// How the TLS receive buffer is sized (by default 2 KiB at rest, growing for larger
    /// records; see [`RecordPolicy`]).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::RecordPolicy;
    /// use iot_tls::tokio::Options;
    ///
    /// // A broker known to send small records: never more than 4 KiB.
    /// let options = Options::new("broker.local", 8883, "d").with_record_policy(RecordPolicy::Cap(4096));
    /// ```
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    #[must_use]
    pub fn with_record_policy(mut self, policy: RecordPolicy) -> Self {
        self.record_policy = policy;
        self
    }

    /// Sets the keep-alive interval in seconds (0 turns it off).
    ///
    /// # Example
    ///
    /// See [`Options`].
    #[must_use]
    pub fn with_keep_alive(mut self, secs: u16) -> Self {
        self.keep_alive = secs;
        self
    }

    /// Asks for a clean session (`true`, the default) or a persistent one (`false`: the broker
    /// keeps subscriptions and QoS 1 messages while the client is away).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    #[must_use]
    pub fn with_clean_session(mut self, clean_session: bool) -> Self {
        self.clean_session = clean_session;
        self
    }

    /// Sets the last will, which the broker publishes when the connection is lost without a
    /// DISCONNECT.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tokio::{Message, Options};
    ///
    /// let options = Options::new("localhost", 1883, "hub")
    ///     .with_will(Message::new("hubs/hub/status", "offline").with_retain(true));
    /// ```
    #[must_use]
    pub fn with_will(mut self, will: Message) -> Self {
        self.will = Some(will);
        self
    }

    /// Sets the user name and password (for AWS IoT's custom authorizer, build the user name
    /// with [`aws::CustomAuthorizer`](crate::aws::CustomAuthorizer)).
    ///
    /// # Example
    ///
    /// See [`Options`].
    #[must_use]
    pub fn with_credentials(mut self, username: impl Into<String>, password: &[u8]) -> Self {
        self.username = Some(RedactedUsername(username.into()));
        self.password = Some(Secret::new(password.to_vec()));
        self
    }

    /// Sets the time to wait for PINGRESP after PINGREQ, and for a write to complete.
    ///
    /// # Example
    ///
    /// ```
    /// let options = iot_tls::tokio::Options::new("localhost", 1883, "d")
    ///     .with_ping_timeout(core::time::Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn with_ping_timeout(mut self, timeout: Duration) -> Self {
        self.ping_timeout = timeout;
        self
    }

    /// Sets the time allowed to open the TCP connection, and then to complete the TLS
    /// handshake and receive CONNACK.
    ///
    /// # Example
    ///
    /// ```
    /// let options = iot_tls::tokio::Options::new("localhost", 1883, "d")
    ///     .with_connect_timeout(core::time::Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the reconnect backoff (see [`Backoff`]).
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    /// use iot_tls::Backoff;
    ///
    /// let options = iot_tls::tokio::Options::new("localhost", 1883, "d")
    ///     .with_backoff(Backoff::new(Duration::from_secs(1), Duration::from_secs(30)));
    /// ```
    #[must_use]
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets the broker's limits, which requests are checked against before they are queued.
    ///
    /// # Example
    ///
    /// ```
    /// let options = iot_tls::tokio::Options::new("localhost", 1883, "d")
    ///     .with_limits(iot_tls::aws::LIMITS);
    /// ```
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sizes the session's buffers: `rx` holds the largest packet the broker may send (a larger
    /// one ends the connection), `store` the CONNECT plus every queued and unacknowledged
    /// request (see [`session::Buffers`](crate::session::Buffers)), and `tx` what one write
    /// carries (at least one TLS record).
    ///
    /// # Example
    ///
    /// ```
    /// // Messages of up to 16 KiB both ways, up to 64 KiB of them unacknowledged.
    /// let options = iot_tls::tokio::Options::new("localhost", 1883, "d")
    ///     .with_buffers(16 * 1024 + 512, 64 * 1024, 16 * 1024);
    /// ```
    #[must_use]
    pub fn with_buffers(mut self, rx: usize, store: usize, tx: usize) -> Self {
        self.rx_len = rx;
        self.store_len = store;
        self.tx_len = tx;
        self
    }

    /// Sets the capacity of the request queue between the handles and the task.
    ///
    /// # Example
    ///
    /// ```
    /// let options = iot_tls::tokio::Options::new("localhost", 1883, "d").with_queue(16);
    /// ```
    #[must_use]
    pub fn with_queue(mut self, capacity: usize) -> Self {
        self.queue = capacity.max(1);
        self
    }

    /// Sets the capacity of the event queue to [`Events`].
    ///
    /// # Example
    ///
    /// ```
    /// let options = iot_tls::tokio::Options::new("localhost", 1883, "d").with_events(16);
    /// ```
    #[must_use]
    pub fn with_events(mut self, capacity: usize) -> Self {
        self.events = capacity.max(1);
        self
    }

    /// The session configuration these settings describe, borrowing their strings.
    fn session_config(&self) -> Config<'_> {
        let mut config = Config::new(&self.client_id)
            .with_keep_alive(self.keep_alive)
            .with_clean_session(self.clean_session)
            .with_ping_timeout(self.ping_timeout)
            .with_connect_timeout(self.connect_timeout)
            .with_backoff(self.backoff)
            .with_limits(self.limits)
            .with_protocol(self.protocol)
            .with_session_expiry(self.session_expiry);
        if let Some(will) = &self.will {
            config = config.with_will(will.as_codec());
        }
        if let Some(RedactedUsername(username)) = &self.username {
            config = config.with_username(username);
        }
        if let Some(password) = &self.password {
            config = config.with_password(password.expose());
        }
        config
    }
}

/// A request from a handle to the task.
#[derive(Debug)]
enum Request {
    Publish(Message),
    Subscribe(Vec<Filter>),
    Unsubscribe(Vec<String>),
}

/// A filter of a SUBSCRIBE, owned, with its MQTT 5 options.
#[derive(Debug)]
struct Filter {
    filter: String,
    /// The options, with an empty filter.
    options: v5::Subscription<'static>,
}

impl Filter {
    fn new(s: v5::Subscription<'_>) -> Self {
        Self {
            filter: s.filter.into(),
            options: v5::Subscription {
                filter: "",
                qos: s.qos,
                no_local: s.no_local,
                retain_as_published: s.retain_as_published,
                retain_handling: s.retain_handling,
            },
        }
    }

    fn as_v5(&self) -> v5::Subscription<'_> {
        v5::Subscription {
            filter: &self.filter,
            ..self.options
        }
    }
}

/// State shared by the handles and the task.
#[derive(Debug)]
struct Shared {
    limits: Limits,
    /// The store bytes requests can use (the store minus the CONNECT).
    request_capacity: usize,
    queue: usize,
    /// QoS 1 messages queued by the handles.
    published: AtomicU64,
    /// QoS 1 messages the broker acknowledged (or that were dropped), counted by the task.
    acknowledged: watch::Sender<u64>,
    connected: AtomicBool,
    /// Set by [`Client::disconnect`].
    stop: Notify,
    stopping: AtomicBool,
    /// Set by the task when it ends.
    stopped: watch::Sender<bool>,
    protocol: Protocol,
    /// What the server's last CONNACK announced (MQTT 5).
    server: std::sync::Mutex<Server>,
}

/// What the server's last CONNACK announced.
#[derive(Debug, Default)]
struct Server {
    limits: Option<ServerLimits>,
    assigned_client_id: Option<String>,
}

/// A handle to the connection's task: publish, subscribe, unsubscribe, disconnect.
///
/// Cheap to clone; every method is safe to call from any task. When the last handle is
/// dropped, the task disconnects cleanly and ends.
///
/// # Example
///
/// See the [module documentation](self).
#[derive(Clone, Debug)]
pub struct Client {
    requests: mpsc::Sender<Request>,
    shared: Arc<Shared>,
}

/// An [`Event`] as the queue to [`Events`] carries it: messages, the frequent case, inline and
/// the rarer, larger events boxed, so that each slot of the queue (allocated up front, exactly
/// [`Options::with_events`] of them) is the size of a [`Message`] rather than of the largest
/// event.
#[derive(Debug)]
enum Queued {
    Message(Message),
    Other(Box<Event>),
}

// A queue slot costs no more than a message.
const _: () = assert!(size_of::<Queued>() == size_of::<Message>());

impl From<Event> for Queued {
    fn from(event: Event) -> Self {
        match event {
            Event::Message(message) => Self::Message(message),
            other => Self::Other(Box::new(other)),
        }
    }
}

impl From<Queued> for Event {
    fn from(queued: Queued) -> Self {
        match queued {
            Queued::Message(message) => Self::Message(message),
            Queued::Other(event) => *event,
        }
    }
}

/// What the broker sends, from the connection's task.
///
/// # Example
///
/// See the [module documentation](self).
#[derive(Debug)]
pub struct Events {
    events: queue::Receiver<Queued>,
}

impl Events {
    /// The next event, or `None` once the task has ended.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub async fn recv(&mut self) -> Option<Event> {
        self.events.recv().await.map(Event::from)
    }

    /// The next event if one is waiting.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(events: &mut iot_tls::tokio::Events) {
    /// while let Some(event) = events.try_recv() {
    ///     println!("{event:?}");
    /// }
    /// # }
    /// ```
    pub fn try_recv(&mut self) -> Option<Event> {
        self.events.try_recv().map(Event::from)
    }
}

/// Room for one request in the queue, from [`Client::reserve`].
///
/// # Example
///
/// ```no_run
/// # async fn f(client: &iot_tls::tokio::Client) -> Result<(), iot_tls::Error> {
/// use iot_tls::tokio::Message;
///
/// let permit = client.reserve().await?; // waits while the queue is full
/// permit.publish(Message::new("tele/d/state", "on"))?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Permit<'c> {
    permit: mpsc::Permit<'c, Request>,
    shared: &'c Shared,
}

impl Permit<'_> {
    /// Queues `message` in the reserved room.
    ///
    /// # Errors
    ///
    /// As [`Client::publish`], except that the queue cannot be full.
    ///
    /// # Example
    ///
    /// See [`Permit`].
    pub fn publish(self, message: Message) -> Result<(), Error> {
        self.shared.check_publish(&message)?;
        if message.qos == Qos::AtLeastOnce {
            self.shared.count_publish();
        }
        self.permit.send(Request::Publish(message));
        Ok(())
    }
}

impl Client {
    /// Starts the connection's task on the current tokio runtime and returns the handles.
    ///
    /// The task connects at once and keeps reconnecting until [`disconnect`](Self::disconnect)
    /// or until every [`Client`] is dropped.
    ///
    /// # Errors
    ///
    /// Settings the session refuses, before anything starts: [`Error::Limit`] (a client id,
    /// keep-alive, backoff or will outside the limits), [`Error::Encode`] (a malformed will
    /// topic), [`Error::Session`] (a store too small for the CONNECT), [`Error::Tls`] (a
    /// transmit buffer smaller than a record).
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as [`tokio::spawn`].
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn spawn(options: Options) -> Result<(Self, Events), Error> {
        let request_capacity = driver::check(&options)?;
        let (requests, requests_rx) = mpsc::channel(options.queue);
        let (events_tx, events) = queue::channel(options.events);
        let shared = Arc::new(Shared {
            limits: options.limits,
            request_capacity,
            queue: options.queue,
            published: AtomicU64::new(0),
            acknowledged: watch::Sender::new(0),
            connected: AtomicBool::new(false),
            stop: Notify::new(),
            stopping: AtomicBool::new(false),
            stopped: watch::Sender::new(false),
            protocol: options.protocol,
            server: std::sync::Mutex::new(Server::default()),
        });
        ::tokio::spawn(driver::run(
            options,
            requests_rx,
            events_tx,
            Arc::clone(&shared),
        ));
        Ok((Self { requests, shared }, Events { events }))
    }

    /// Queues `message` for publishing and returns at once; a QoS 1 message is re-sent after
    /// reconnects until the broker acknowledges it.
    ///
    /// # Errors
    ///
    /// - [`Error::Session`] with [`SessionError::QueueFull`] when the queue is full
    ///   ([`Error::is_full`]): retry later, or wait with [`reserve`](Self::reserve);
    /// - [`Error::Limit`] for QoS 2, or a topic or payload over the limits;
    /// - [`Error::Encode`] for a malformed topic (a wildcard, empty, a null character);
    /// - [`Error::Session`] with [`SessionError::RequestTooLarge`] when the message can never
    ///   fit the store;
    /// - [`Error::Closed`] when the task has stopped.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn publish(&self, message: Message) -> Result<(), Error> {
        self.shared.check_publish(&message)?;
        let qos1 = message.qos == Qos::AtLeastOnce;
        self.try_send(Request::Publish(message))?;
        if qos1 {
            self.shared.count_publish();
        }
        Ok(())
    }

    /// Waits for room in the queue and reserves it.
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] when the task has stopped.
    ///
    /// # Example
    ///
    /// See [`Permit`].
    pub async fn reserve(&self) -> Result<Permit<'_>, Error> {
        let permit = self.requests.reserve().await.map_err(|_| Error::Closed)?;
        Ok(Permit {
            permit,
            shared: &self.shared,
        })
    }

    /// Queues a SUBSCRIBE to `filters`; the answer comes as [`Event::Subscribed`].
    ///
    /// # Errors
    ///
    /// As [`publish`](Self::publish), and [`Error::Limit`] for no filter or more than the limits
    /// allow per request (AWS IoT: 8).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn subscribe(&self, filters: &[(&str, Qos)]) -> Result<(), Error> {
        let limits = &self.shared.limits;
        limits.check_filter_count(filters.len())?;
        for (filter, qos) in filters {
            limits.check_qos(*qos)?;
            limits.check_topic(filter)?;
            codec::check_topic_filter(filter)?;
            self.shared.check_supported(filter)?;
        }
        let list = filters
            .iter()
            .map(|(f, q)| Filter::new(v5::Subscription::new(f, *q)))
            .collect();
        self.try_send(Request::Subscribe(list))
    }

    /// MQTT 5: queues a SUBSCRIBE to `filters` with their options (No Local, Retain As
    /// Published, Retain Handling), as [`subscribe`](Self::subscribe) does. What the server
    /// said it does not support (wildcards, shared subscriptions) is refused when the request
    /// reaches the session; [`Event::Subscribed`] carries the server's answer.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe), and [`SessionError::PropertiesNeedMqtt5`] on an MQTT
    /// 3.1.1 client.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(client: &iot_tls::tokio::Client) -> Result<(), iot_tls::Error> {
    /// use iot_tls::codec::Qos;
    /// use iot_tls::codec::v5::Subscription;
    ///
    /// // Not our own messages back.
    /// client.subscribe_with(&[Subscription::new("room/+/state", Qos::AtLeastOnce).with_no_local(true)])?;
    /// # Ok(()) }
    /// ```
    pub fn subscribe_with(&self, filters: &[v5::Subscription<'_>]) -> Result<(), Error> {
        if self.shared.protocol != Protocol::V5 {
            return Err(SessionError::PropertiesNeedMqtt5.into());
        }
        let limits = &self.shared.limits;
        limits.check_filter_count(filters.len())?;
        if filters.len() > crate::session::MAX_FILTERS_V5 {
            return Err(crate::error::LimitError::FilterCount {
                count: filters.len(),
                max: crate::session::MAX_FILTERS_V5,
            }
            .into());
        }
        for s in filters {
            limits.check_qos(s.qos)?;
            limits.check_topic(s.filter)?;
            codec::check_topic_filter(s.filter)?;
            self.shared.check_supported(s.filter)?;
        }
        let list = filters.iter().map(|s| Filter::new(*s)).collect();
        self.try_send(Request::Subscribe(list))
    }

    /// Queues an UNSUBSCRIBE from `filters`; the answer comes as [`Event::Unsubscribed`].
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe).
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(client: &iot_tls::tokio::Client) -> Result<(), iot_tls::Error> {
    /// client.unsubscribe(&["cmnd/hub/#"])?;
    /// # Ok(()) }
    /// ```
    pub fn unsubscribe(&self, filters: &[&str]) -> Result<(), Error> {
        let limits = &self.shared.limits;
        limits.check_filter_count(filters.len())?;
        for filter in filters {
            limits.check_topic(filter)?;
            codec::check_topic_filter(filter)?;
        }
        let list = filters.iter().map(|f| (*f).into()).collect();
        self.try_send(Request::Unsubscribe(list))
    }

    /// Waits until the broker has acknowledged every QoS 1 message published before the call
    /// (QoS 0 messages queued before such a message have left before it).
    ///
    /// # Errors
    ///
    /// [`Error::Closed`] when the task stops first.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # async fn f(client: &iot_tls::tokio::Client) -> Result<(), iot_tls::Error> {
    /// use iot_tls::codec::Qos;
    /// use iot_tls::tokio::Message;
    ///
    /// client.publish(Message::new("tele/d/state", "on").with_qos(Qos::AtLeastOnce))?;
    /// client.flush().await?; // the broker has it
    /// # Ok(()) }
    /// ```
    pub async fn flush(&self) -> Result<(), Error> {
        let target = self.shared.published.load(Ordering::Relaxed);
        let mut acknowledged = self.shared.acknowledged.subscribe();
        let mut stopped = self.shared.stopped.subscribe();
        ::tokio::select! {
            done = acknowledged.wait_for(|n| *n >= target) => done.map(|_| ()).map_err(|_| Error::Closed),
            _ = stopped.wait_for(|s| *s) => {
                if *self.shared.acknowledged.borrow() >= target { Ok(()) } else { Err(Error::Closed) }
            }
        }
    }

    /// The limits the server announced in its last CONNACK (MQTT 5: Receive Maximum, Maximum
    /// QoS, Retain Available, Maximum Packet Size, ...), which the client obeys; `None` before
    /// the first connection. On MQTT 3.1.1, MQTT's defaults.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(client: &iot_tls::tokio::Client) {
    /// if let Some(limits) = client.server_limits() {
    ///     println!("the server takes {} messages in flight", limits.receive_maximum);
    /// }
    /// # }
    /// ```
    pub fn server_limits(&self) -> Option<ServerLimits> {
        self.shared.server().limits
    }

    /// MQTT 5: the client identifier the server assigned in its last CONNACK (for a client
    /// configured with an empty one).
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(client: &iot_tls::tokio::Client) {
    /// if let Some(id) = client.assigned_client_id() {
    ///     println!("connected as {id}");
    /// }
    /// # }
    /// ```
    pub fn assigned_client_id(&self) -> Option<String> {
        self.shared.server().assigned_client_id.clone()
    }

    /// Whether the broker has accepted the current connection.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(client: &iot_tls::tokio::Client) {
    /// if !client.is_connected() {
    ///     // messages are queued until the next connection
    /// }
    /// # }
    /// ```
    pub fn is_connected(&self) -> bool {
        self.shared.connected.load(Ordering::Relaxed)
    }

    /// Ends the connection cleanly and stops the task: requests already queued are passed to
    /// the session (as far as its store allows), DISCONNECT is sent after them (so the broker
    /// discards the will), and the call returns once the task has ended.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # async fn f(client: iot_tls::tokio::Client) {
    /// client.disconnect().await;
    /// # }
    /// ```
    pub async fn disconnect(&self) {
        self.shared.stopping.store(true, Ordering::Relaxed);
        self.shared.stop.notify_one();
        let mut stopped = self.shared.stopped.subscribe();
        let _ = stopped.wait_for(|s| *s).await;
    }

    fn try_send(&self, request: Request) -> Result<(), Error> {
        self.requests.try_send(request).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => SessionError::QueueFull {
                capacity: self.shared.queue,
            }
            .into(),
            mpsc::error::TrySendError::Closed(_) => Error::Closed,
        })
    }
}

impl Shared {
    /// The checks the session would make, so that the caller sees them.
    fn check_publish(&self, message: &Message) -> Result<(), Error> {
        let mut buf = Vec::new();
        let properties = match &message.properties {
            Some(_) if self.protocol != Protocol::V5 => {
                return Err(SessionError::PropertiesNeedMqtt5.into());
            }
            Some(properties) => properties.encode(&mut buf)?,
            None => Properties::EMPTY,
        };
        let message = message.as_codec();
        self.limits.check_message(&message)?;
        codec::check_topic_name(message.topic)?;
        let len = match self.protocol {
            Protocol::V5 => codec::encoded_len(
                &v5::Publish::from_message(message, PacketId::new(1)).with_properties(properties),
            ),
            Protocol::V311 => codec::encoded_len(&Publish::from_message(message, PacketId::new(1))),
        };
        if len > self.request_capacity {
            return Err(SessionError::RequestTooLarge {
                len,
                capacity: self.request_capacity,
            }
            .into());
        }
        Ok(())
    }

    /// What the server announced; a poisoned lock still holds the last value written.
    fn server(&self) -> std::sync::MutexGuard<'_, Server> {
        self.server
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Refuses a filter the server said in its last CONNACK it does not support.
    fn check_supported(&self, filter: &str) -> Result<(), Error> {
        let Some(limits) = self.server().limits else {
            return Ok(());
        };
        if !limits.wildcard_subscription_available && filter.contains(['+', '#']) {
            return Err(SessionError::WildcardSubscriptionNotAvailable.into());
        }
        if !limits.shared_subscription_available && filter.starts_with("$share/") {
            return Err(SessionError::SharedSubscriptionNotAvailable.into());
        }
        Ok(())
    }

    /// Records what the server's CONNACK announced.
    fn set_server(&self, limits: ServerLimits, assigned_client_id: Option<&str>) {
        let mut server = self.server();
        server.limits = Some(limits);
        server.assigned_client_id = assigned_client_id.map(Into::into);
    }

    /// Counts a QoS 1 message for [`Client::flush`].
    fn count_publish(&self) {
        self.published.fetch_add(1, Ordering::Relaxed);
    }
}

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

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use core::time::Duration;

use ::tokio::sync::{Notify, mpsc, watch};
use bytes::Bytes;

use crate::backoff::Backoff;
use crate::codec::v5::ReasonCode;
use crate::codec::{self, PacketId, Publish, Qos, RedactedUsername, SubAckCode};
use crate::error::{Error, SessionError};
use crate::limits::Limits;
use crate::session::{Config, DisconnectReason, Protocol};
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
#[derive(Clone)]
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
    username: Option<String>,
    password: Option<Vec<u8>>,
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
        self.username = Some(username.into());
        self.password = Some(password.to_vec());
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
        if let Some(username) = &self.username {
            config = config.with_username(username);
        }
        if let Some(password) = &self.password {
            config = config.with_password(password);
        }
        config
    }
}

/// Hides the password and the user name's query, as [`Config`]'s `Debug` does.
impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("Options");
        f.field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id);
        #[cfg(feature = "rustls")]
        f.field("tls", &self.tls);
        f.field("keep_alive", &self.keep_alive)
            .field("clean_session", &self.clean_session)
            .field("protocol", &self.protocol)
            .field("session_expiry", &self.session_expiry)
            .field("will", &self.will)
            .field("username", &self.username.as_deref().map(RedactedUsername))
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("rx_len", &self.rx_len)
            .field("store_len", &self.store_len)
            .field("tx_len", &self.tx_len)
            .finish_non_exhaustive()
    }
}

/// A request from a handle to the task.
#[derive(Debug)]
enum Request {
    Publish(Message),
    Subscribe(Vec<(String, Qos)>),
    Unsubscribe(Vec<String>),
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
/// the rarer, larger events boxed, so that each slot of the queue (tokio allocates them 32 at a
/// time whatever the capacity) is the size of a [`Message`] rather than of the largest event.
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
    events: mpsc::Receiver<Queued>,
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
        self.events.try_recv().ok().map(Event::from)
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
        let (events_tx, events) = mpsc::channel(options.events);
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
        }
        let list = filters.iter().map(|(f, q)| ((*f).into(), *q)).collect();
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
        let message = message.as_codec();
        self.limits.check_message(&message)?;
        codec::check_topic_name(message.topic)?;
        let publish = Publish::from_message(message, PacketId::new(1));
        let len = codec::encoded_len(&publish);
        if len > self.request_capacity {
            return Err(SessionError::RequestTooLarge {
                len,
                capacity: self.request_capacity,
            }
            .into());
        }
        Ok(())
    }

    /// Counts a QoS 1 message for [`Client::flush`].
    fn count_publish(&self) {
        self.published.fetch_add(1, Ordering::Relaxed);
    }
}

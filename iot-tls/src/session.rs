//! The MQTT client session (3.1.1 or 5): a sans-IO state machine with caller-owned buffers.
//!
//! [`Session`] does no I/O and reads no clock. A driver (blocking, async, or a test) moves bytes
//! and time in and out:
//!
//! | call | what it does |
//! |---|---|
//! | [`connect`](Session::connect) | a transport (TCP, TLS) is open: start the MQTT connection |
//! | [`handle_input`](Session::handle_input) | bytes arrived from the broker |
//! | [`handle_timeout`](Session::handle_timeout) | the time from [`poll_timeout`](Session::poll_timeout) passed |
//! | [`handle_closed`](Session::handle_closed) | the transport closed or failed |
//! | [`poll_event`](Session::poll_event) | the next thing that happened, until `None` |
//! | [`poll_transmit`](Session::poll_transmit) | bytes to send to the broker, until 0 |
//! | [`poll_timeout`](Session::poll_timeout) | when to call `handle_timeout` next |
//!
//! The application calls [`publish`](Session::publish), [`subscribe`](Session::subscribe),
//! [`unsubscribe`](Session::unsubscribe) and [`disconnect`](Session::disconnect) at any time, also
//! while disconnected: requests are queued in the store and sent once connected. A full store is
//! reported by handing the request back ([`Rejected`]), never by growing.
//!
//! # A driver loop
//!
//! ```
//! use iot_tls::codec::{Message, Qos};
//! use iot_tls::session::{Buffers, Config, Event, Session};
//! use iot_tls::Instant;
//!
//! let (mut rx, mut store) = ([0u8; 1024], [0u8; 2048]);
//! let mut session: Session<'_, 8> =
//!     Session::new(Config::new("dev-1"), Buffers::new(&mut rx, &mut store))?;
//! let now = Instant::from_millis(0);
//!
//! session.connect(now); // after the TCP/TLS connection is up
//! let mut out = [0u8; 512];
//! let n = session.poll_transmit(now, &mut out); // CONNECT, for the transport
//! assert_eq!(out[0], 0x10);
//!
//! let consumed = session.handle_input(now, &[0x20, 0x02, 0x00, 0x00]); // CONNACK from the transport
//! assert_eq!(consumed, 4);
//! assert_eq!(session.poll_event(), Some(Event::Connected { session_present: false }));
//!
//! let id = session.publish(Message::new("dev-1/hello", b"hi").with_qos(Qos::AtLeastOnce))?;
//! let n = session.poll_transmit(now, &mut out); // the PUBLISH
//! session.handle_input(now, &[0x40, 0x02, 0x00, id.unwrap().get() as u8]); // its PUBACK
//! assert_eq!(session.poll_event(), Some(Event::Published(id.unwrap())));
//! # Ok::<(), iot_tls::Error>(())
//! ```

mod config;
mod store;

use core::time::Duration;

pub use config::{Config, Protocol};

use crate::Instant;
use crate::codec::v5::{self, Properties, Property, PropertyBuilder, ReasonCode};
use crate::codec::{
    self, ConnectReturnCode, List, Message, Packet, PacketId, PacketType, Publish, Qos, SubAckCode,
    Subscribe, Subscription, Unsubscribe,
};
use crate::error::{DecodeError, DecodeErrorKind, Error, ProtocolError, Rejected, SessionError};
use store::{Kind, Phase, Store};

/// The most filters one SUBSCRIBE of an MQTT 5 session carries (AWS IoT allows 8).
pub const MAX_FILTERS_V5: usize = 16;

/// The longest Assigned Client Identifier an MQTT 5 session keeps (mosquitto assigns 41
/// bytes); a longer one is not kept ([`Session::assigned_client_id`] is then `None`).
pub const MAX_ASSIGNED_CLIENT_ID: usize = 64;

/// The smallest receive buffer: one fixed header and a topic length, so that an oversized
/// PUBLISH can be skipped.
pub const MIN_RX_LEN: usize = codec::MAX_HEADER_LEN + 2;

/// The buffers a [`Session`] works in, owned by the caller.
///
/// - **`rx`**, the receive buffer, holds bytes from the broker until they form whole packets;
///   events borrow from it. Size it for the largest packet the broker may send you:
///   5 (fixed header) + 2 + topic length + 2 (packet identifier) + payload length. A PUBLISH
///   larger than `rx` does not end the connection: its bytes are skipped as they arrive
///   (never buffered), a QoS 1 one is acknowledged so the broker does not deliver it again,
///   and [`Event::Oversized`] reports its topic (when the start of the packet fits `rx`) and
///   size. Any other packet larger than `rx` ends the connection with
///   [`DecodeErrorKind::TooLarge`]. AWS IoT may send up to 128 KiB payloads; if your
///   subscriptions only carry small messages, 1 to 4 KiB is typical. At least [`MIN_RX_LEN`]
///   bytes.
/// - **`store`** holds the encoded CONNECT (written once, [`Config::connect_packet`]'s
///   encoded length, including the will and credentials), then every request that is queued, in
///   flight (a QoS 1 PUBLISH until its PUBACK, so it can be re-sent after a reconnect) or
///   remembered (an acknowledged SUBSCRIBE, to re-subscribe when the broker lost the session).
///   Size it for the CONNECT plus the sum of the encoded sizes of the requests you want to have
///   outstanding: a PUBLISH takes 5 + 2 + topic + 2 + payload bytes, a SUBSCRIBE 5 + 2 + the sum
///   of (3 + filter) bytes.
///
/// The transmit buffer is not part of the session: [`Session::poll_transmit`] copies into any
/// buffer the caller passes (even one byte long), so it can write straight into a TLS record.
///
/// # Example
///
/// ```
/// let (mut rx, mut store) = ([0u8; 1024], [0u8; 4096]);
/// let buffers = iot_tls::session::Buffers::new(&mut rx, &mut store);
/// ```
#[derive(Debug)]
pub struct Buffers<'a> {
    rx: &'a mut [u8],
    store: &'a mut [u8],
}

impl<'a> Buffers<'a> {
    /// The receive buffer `rx` and the request store `store`.
    ///
    /// # Example
    ///
    /// See [`Buffers`].
    pub const fn new(rx: &'a mut [u8], store: &'a mut [u8]) -> Self {
        Self { rx, store }
    }
}

/// Where the session is in its connection life.
///
/// # Example
///
/// ```
/// use iot_tls::session::{Buffers, Config, Session, State};
///
/// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
/// let mut session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
/// assert_eq!(session.state(), State::Disconnected);
/// session.connect(iot_tls::Instant::from_millis(0));
/// assert_eq!(session.state(), State::Connecting);
/// # Ok::<(), iot_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// No connection: requests are queued, nothing is sent.
    Disconnected,
    /// CONNECT is being sent, or CONNACK is awaited.
    Connecting,
    /// The broker accepted the connection.
    Connected,
}

/// Something that happened, from [`Session::poll_event`].
///
/// A received message borrows the session's receive buffer until the next call to the session.
///
/// # Example
///
/// See [`Session`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The broker accepted the connection. With a persistent session, `session_present` says
    /// whether it still had the session; when it did not, the session re-subscribes by itself.
    Connected {
        /// CONNACK's session-present flag.
        session_present: bool,
    },
    /// A message from the broker (a QoS 1 message is acknowledged as it is returned here).
    Message(Publish<'a>),
    /// The broker acknowledged our QoS 1 PUBLISH with this identifier.
    Published(PacketId),
    /// The broker answered our SUBSCRIBE with this identifier; refused filters are forgotten.
    Subscribed {
        /// The identifier [`Session::subscribe`] returned.
        packet_id: PacketId,
        /// One code per filter, in order.
        codes: List<'a, SubAckCode>,
    },
    /// The broker acknowledged our UNSUBSCRIBE with this identifier.
    Unsubscribed(PacketId),
    /// A PUBLISH larger than the receive buffer arrived. The connection stays up: its bytes are
    /// skipped as they arrive, and a QoS 1 message is acknowledged once skipped (so a
    /// persistent session does not deliver it again after every reconnect).
    Oversized {
        /// The topic, when the packet up to its packet identifier fits the receive buffer.
        topic: Option<&'a str>,
        /// The quality of service the broker sent it at.
        qos: Qos,
        /// The length of the whole packet, fixed header included.
        len: usize,
        /// The capacity of the receive buffer it did not fit.
        capacity: usize,
    },
    /// The broker acknowledged an identifier we have nothing in flight for; it is ignored.
    UnexpectedAck {
        /// PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK or UNSUBACK.
        packet_type: PacketType,
        /// The identifier.
        packet_id: PacketId,
    },
    /// MQTT 5: a message from the server with its properties (a QoS 1 message is acknowledged
    /// as it is returned here). MQTT 3.1.1 sessions report [`Message`](Self::Message) instead.
    MessageV5(v5::Publish<'a>),
    /// MQTT 5: the server refused our QoS 1 PUBLISH with this identifier (a PUBACK with a
    /// failure reason code, such as Not authorized or Quota exceeded); it is not re-sent.
    PublishRefused {
        /// The identifier [`Session::publish`] returned.
        packet_id: PacketId,
        /// Why.
        reason: ReasonCode,
        /// The PUBACK's properties (a Reason String, user properties).
        properties: Properties<'a>,
    },
    /// MQTT 5: the server answered our SUBSCRIBE; one reason code per filter (the granted QoS
    /// or why it was refused). Refused filters are forgotten.
    SubscribedV5 {
        /// The identifier [`Session::subscribe`] returned.
        packet_id: PacketId,
        /// One code per filter, in order.
        codes: List<'a, ReasonCode>,
        /// The SUBACK's properties (a Reason String, user properties).
        properties: Properties<'a>,
    },
    /// MQTT 5: the server ended the connection with DISCONNECT; [`Disconnected`](Self::Disconnected)
    /// with [`DisconnectReason::Server`] follows.
    ServerDisconnect {
        /// Why (Session taken over, Server shutting down, ...).
        reason: ReasonCode,
        /// The DISCONNECT's properties (a Reason String, a Server Reference).
        properties: Properties<'a>,
    },
    /// The connection ended; close the transport, wait
    /// [`reconnect_delay`](Session::reconnect_delay) and [`connect`](Session::connect) again.
    /// Queued and unacknowledged requests are kept for the next connection.
    Disconnected(DisconnectReason),
}

/// Why a connection ended.
///
/// # Example
///
/// ```
/// use iot_tls::codec::ConnectReturnCode;
/// use iot_tls::session::DisconnectReason;
///
/// let reason = DisconnectReason::Refused(ConnectReturnCode::NotAuthorized);
/// assert_eq!(reason.to_string(), "broker refused the connection: not authorized");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// [`Session::disconnect`] was called and DISCONNECT was sent.
    #[error("disconnected on request")]
    Requested,
    /// The broker refused the connection in its CONNACK.
    #[error("broker refused the connection: {0}")]
    Refused(ConnectReturnCode),
    /// No CONNACK within the connect timeout.
    #[error("no CONNACK within the connect timeout")]
    ConnectTimeout,
    /// No PINGRESP (nor any other byte) within the ping timeout after PINGREQ.
    #[error("no PINGRESP within the ping timeout")]
    PingTimeout,
    /// The driver reported the transport closed.
    #[error("transport closed")]
    TransportClosed,
    /// The broker sent malformed bytes.
    #[error("malformed packet from the broker: {0}")]
    Malformed(DecodeError),
    /// MQTT 5: the server refused the connection in its CONNACK.
    #[error("server refused the connection: {0}")]
    RefusedV5(ReasonCode),
    /// MQTT 5: the server sent DISCONNECT ([`Event::ServerDisconnect`] carries its properties).
    #[error("server disconnected: {0}")]
    Server(ReasonCode),
    /// The broker broke the protocol.
    #[error("protocol violation by the broker: {0}")]
    Protocol(ProtocolError),
}

/// The limits an MQTT 5 server announced in its CONNACK, which the session obeys; on MQTT 3.1.1
/// (and before the CONNACK) the protocol's defaults.
///
/// # Example
///
/// ```
/// use iot_tls::codec::Qos;
/// use iot_tls::session::ServerLimits;
///
/// let limits = ServerLimits::DEFAULT;
/// assert_eq!(limits.receive_maximum, 65_535);
/// assert_eq!(limits.maximum_qos, Qos::ExactlyOnce);
/// assert!(limits.retain_available);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is a separate CONNACK property of MQTT 5"
)]
pub struct ServerLimits {
    /// Receive Maximum: QoS 1 PUBLISHes the server accepts unacknowledged (the in-flight window).
    pub receive_maximum: u16,
    /// Maximum QoS: the highest QoS the server accepts in a PUBLISH.
    pub maximum_qos: Qos,
    /// Retain Available: whether retained PUBLISHes are accepted.
    pub retain_available: bool,
    /// Maximum Packet Size: the largest packet the server accepts, if it says.
    pub maximum_packet_size: Option<u32>,
    /// Topic Alias Maximum: the aliases the server accepts. The session sends none, whatever
    /// this says (aliases are optional for a client; a resent PUBLISH must carry its topic
    /// anyway, since aliases do not survive a reconnect), and it announces 0 for the server,
    /// so it keeps no alias table in either direction.
    pub topic_alias_maximum: u16,
    /// Server Keep Alive: the keep-alive the server imposes instead of ours, if it does.
    pub server_keep_alive: Option<u16>,
    /// The session expiry the server chose instead of ours, if it did.
    pub session_expiry: Option<u32>,
    /// Wildcard Subscription Available.
    pub wildcard_subscription_available: bool,
    /// Subscription Identifier Available.
    pub subscription_identifier_available: bool,
    /// Shared Subscription Available.
    pub shared_subscription_available: bool,
}

impl ServerLimits {
    /// MQTT's defaults: what applies when the CONNACK says nothing.
    pub const DEFAULT: Self = Self {
        receive_maximum: u16::MAX,
        maximum_qos: Qos::ExactlyOnce,
        retain_available: true,
        maximum_packet_size: None,
        topic_alias_maximum: 0,
        server_keep_alive: None,
        session_expiry: None,
        wildcard_subscription_available: true,
        subscription_identifier_available: true,
        shared_subscription_available: true,
    };

    /// The limits in CONNACK `properties`, defaults for those it leaves out.
    fn from_properties(properties: &Properties<'_>) -> Self {
        let mut limits = Self::DEFAULT;
        for property in properties.iter().flatten() {
            match property {
                Property::ReceiveMaximum(n) => limits.receive_maximum = n,
                Property::MaximumQos(q) => {
                    limits.maximum_qos = Qos::from_u8(q).unwrap_or(Qos::ExactlyOnce);
                }
                Property::RetainAvailable(b) => limits.retain_available = b == 1,
                Property::MaximumPacketSize(n) => limits.maximum_packet_size = Some(n),
                Property::TopicAliasMaximum(n) => limits.topic_alias_maximum = n,
                Property::ServerKeepAlive(n) => limits.server_keep_alive = Some(n),
                Property::SessionExpiryInterval(n) => limits.session_expiry = Some(n),
                Property::WildcardSubscriptionAvailable(b) => {
                    limits.wildcard_subscription_available = b == 1;
                }
                Property::SubscriptionIdentifierAvailable(b) => {
                    limits.subscription_identifier_available = b == 1;
                }
                Property::SharedSubscriptionAvailable(b) => {
                    limits.shared_subscription_available = b == 1;
                }
                _ => {}
            }
        }
        limits
    }
}

/// What [`Session::poll_transmit`] is copying out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// The CONNECT at the start of the store.
    Connect,
    /// A PUBACK, PINGREQ or DISCONNECT in the control scratch buffer.
    Control(PacketType),
    /// The record in this slot.
    Record(usize),
}

/// A packet being copied out, and how far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    source: Source,
    offset: usize,
}

/// The receive buffer and the unread bytes in it.
struct Rx<'a> {
    buf: &'a mut [u8],
    start: usize,
    end: usize,
    /// The oversized PUBLISH being skipped, if any.
    skip: Option<Skip>,
}

/// An oversized PUBLISH whose bytes are dropped as they arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Skip {
    /// Bytes of the packet already dropped.
    done: usize,
    /// The length of the whole packet.
    len: usize,
    /// Where the topic is in the packet, when the packet up to its identifier fits the buffer.
    topic: Option<(usize, usize)>,
    /// The QoS it was sent at.
    qos: Qos,
    /// The offset of the packet identifier in the packet (QoS 1), and its bytes so far.
    id_at: Option<usize>,
    id: [u8; 2],
}

impl Skip {
    /// Drops the front of `unread` that belongs to the packet; returns how many bytes.
    fn take(&mut self, unread: &[u8]) -> usize {
        let n = unread.len().min(self.len - self.done);
        if let Some(at) = self.id_at {
            for (i, &byte) in unread[..n].iter().enumerate() {
                if let Some(slot) = (self.done + i)
                    .checked_sub(at)
                    .and_then(|k| self.id.get_mut(k))
                {
                    *slot = byte;
                }
            }
        }
        self.done += n;
        n
    }

    const fn finished(&self) -> bool {
        self.done == self.len
    }
}

impl Rx<'_> {
    /// Moves unread bytes to the front so the free space is one block.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.skip = None;
    }
}

/// Identifiers of received QoS 1 PUBLISHes whose PUBACK is not yet sent.
struct Acks<const N: usize> {
    ids: [Option<PacketId>; N],
    head: usize,
    len: usize,
}

impl<const N: usize> Acks<N> {
    const fn is_full(&self) -> bool {
        self.len == N
    }

    fn push(&mut self, id: PacketId) {
        if self.len < N {
            self.ids[(self.head + self.len) % N] = Some(id);
            self.len += 1;
        }
    }

    fn pop(&mut self) -> Option<PacketId> {
        if self.len == 0 {
            return None;
        }
        let id = self.ids[self.head].take();
        self.head = (self.head + 1) % N;
        self.len -= 1;
        id
    }

    fn clear(&mut self) {
        *self = Self {
            ids: [None; N],
            head: 0,
            len: 0,
        };
    }
}

/// A sans-IO MQTT 3.1.1 client session over caller-owned [`Buffers`].
///
/// `N` is the size of the fixed request table (default 8): every queued request, every request
/// in flight and every remembered subscription takes one slot, so at most `N` QoS 1 messages are
/// in flight (and never more than the limits' `max_inflight`; AWS IoT allows 100). `N` also
/// bounds the PUBACKs waiting to be sent. The session never allocates: its own size is a few
/// dozen bytes per slot plus the configuration.
///
/// Guarantees:
/// - QoS 1 messages survive reconnects: unacknowledged ones are re-sent with DUP set, in their
///   original order, on the next connection (whatever the broker's session-present flag says).
/// - Packet identifiers in use by a request are never reused.
/// - With a persistent session, subscriptions are re-sent only when CONNACK says the broker lost
///   the session.
/// - Nothing grows: a request that does not fit is handed back in a [`Rejected`].
///
/// # Example
///
/// See the [module documentation](self).
pub struct Session<'a, const N: usize = 8> {
    rx: Rx<'a>,
    core: Core<'a, N>,
}

/// Everything but the receive buffer, so a packet borrowed from `rx` can drive the state.
struct Core<'a, const N: usize> {
    config: Config<'a>,
    store: Store<'a, N>,
    state: State,
    /// CONNECT was fully handed to the transport on this connection.
    connect_sent: bool,
    /// DISCONNECT is to be sent once the queue is drained.
    disconnect_requested: bool,
    acks: Acks<N>,
    tx: Option<Cursor>,
    control: [u8; 4],
    ping_due: bool,
    ping_sent: Option<Instant>,
    last_tx: Instant,
    last_rx: Instant,
    connect_started: Instant,
    /// Connection attempts since the last accepted CONNACK.
    attempt: u32,
    last_id: u16,
    pending: Option<DisconnectReason>,
    /// What the server's CONNACK announced (MQTT 5).
    server: ServerLimits,
    /// The Assigned Client Identifier of the last CONNACK (MQTT 5): `assigned[..assigned_len]`.
    assigned: [u8; MAX_ASSIGNED_CLIENT_ID],
    assigned_len: usize,
    /// MQTT 5: the server broke the protocol; this DISCONNECT reason code goes out before the
    /// connection ends with this reason, and nothing more is read or sent.
    closing: Option<(ReasonCode, DisconnectReason)>,
}

impl<'a, const N: usize> Session<'a, N> {
    /// A disconnected session with `config` over `buffers`.
    ///
    /// The CONNECT packet is encoded into the store here, once.
    ///
    /// # Errors
    ///
    /// - [`Error::Limit`] if `config` is outside its limits ([`Config::validate`]).
    /// - [`Error::Encode`] if the CONNECT cannot be encoded (a null character in the client id,
    ///   a wildcard in the will topic, a password without a user name).
    /// - [`Error::Session`] ([`SessionError::BufferTooSmall`]) if `rx` is shorter than
    ///   [`MIN_RX_LEN`] or the store cannot hold the CONNECT.
    ///
    /// # Panics
    ///
    /// At compile time when `N` is 0 or 65,535 and more (a slot per packet identifier at most).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 256], [0u8; 8]);
    /// let err = Session::<'_, 4>::new(Config::new("dev"), Buffers::new(&mut rx, &mut store));
    /// assert!(err.is_err()); // the 17-byte CONNECT does not fit an 8-byte store
    /// ```
    pub fn new(config: Config<'a>, buffers: Buffers<'a>) -> Result<Self, Error> {
        const {
            assert!(
                N > 0 && N < u16::MAX as usize,
                "a session needs 1 to 65,534 request slots"
            );
        };
        config.validate()?;
        let Buffers { rx, store } = buffers;
        if rx.len() < MIN_RX_LEN {
            return Err(SessionError::BufferTooSmall {
                buffer: "receive",
                needed: MIN_RX_LEN,
                capacity: rx.len(),
            }
            .into());
        }
        let store = if config.protocol() == Protocol::V5 {
            let mut props = [0u8; 16];
            let connect = connect_v5(&config, N, rx.len(), &mut props)?;
            Store::new(store, |b| codec::encode(&connect, b), true)?
        } else {
            Store::new(store, |b| codec::encode(&config.connect_packet(), b), false)?
        };
        let zero = Instant::from_millis(0);
        Ok(Self {
            rx: Rx {
                buf: rx,
                start: 0,
                end: 0,
                skip: None,
            },
            core: Core {
                config,
                store,
                state: State::Disconnected,
                connect_sent: false,
                disconnect_requested: false,
                acks: Acks {
                    ids: [None; N],
                    head: 0,
                    len: 0,
                },
                tx: None,
                control: [0; 4],
                ping_due: false,
                ping_sent: None,
                last_tx: zero,
                last_rx: zero,
                connect_started: zero,
                attempt: 0,
                last_id: 0,
                pending: None,
                server: ServerLimits::DEFAULT,
                assigned: [0; MAX_ASSIGNED_CLIENT_ID],
                assigned_len: 0,
                closing: None,
            },
        })
    }

    /// Starts the MQTT connection over a transport the driver has just opened.
    ///
    /// CONNECT goes out first; queued requests and unacknowledged QoS 1 messages follow once the
    /// broker accepts. If a connection was still up, it is first treated as closed
    /// ([`DisconnectReason::TransportClosed`]).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn connect(&mut self, now: Instant) {
        if self.core.state != State::Disconnected {
            self.core.lose(DisconnectReason::TransportClosed);
        }
        self.rx.clear();
        let core = &mut self.core;
        core.state = State::Connecting;
        core.server = ServerLimits::DEFAULT;
        core.connect_started = now;
        core.last_tx = now;
        core.last_rx = now;
        core.attempt = core.attempt.saturating_add(1);
    }

    /// Takes bytes received from the broker and returns how many were taken.
    ///
    /// Fewer than `bytes.len()` are taken only when the receive buffer is full of packets not yet
    /// returned by [`poll_event`](Self::poll_event): drain the events, then offer the rest again.
    /// While disconnected, bytes are discarded (and counted as taken).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) -> usize {
        if self.core.state == State::Disconnected {
            return bytes.len();
        }
        let free = self.receive_buffer();
        let n = free.len().min(bytes.len());
        free[..n].copy_from_slice(&bytes[..n]);
        self.handle_received(now, n);
        n
    }

    /// The free part of the receive buffer, for a driver that reads straight into it (then calls
    /// [`handle_received`](Self::handle_received)).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, Event, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let mut session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let now = Instant::from_millis(0);
    /// session.connect(now);
    /// let mut out = [0u8; 64];
    /// let _connect = session.poll_transmit(now, &mut out);
    /// let buf = session.receive_buffer();
    /// buf[..4].copy_from_slice(&[0x20, 0x02, 0x00, 0x00]); // as a socket read would
    /// session.handle_received(now, 4);
    /// assert_eq!(session.poll_event(), Some(Event::Connected { session_present: false }));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn receive_buffer(&mut self) -> &mut [u8] {
        self.rx.compact();
        &mut self.rx.buf[self.rx.end..]
    }

    /// Records that `len` bytes were written into [`receive_buffer`](Self::receive_buffer).
    ///
    /// # Example
    ///
    /// See [`receive_buffer`](Self::receive_buffer).
    pub fn handle_received(&mut self, now: Instant, len: usize) {
        if self.core.state == State::Disconnected || len == 0 {
            return;
        }
        self.rx.end = (self.rx.end + len).min(self.rx.buf.len());
        self.core.last_rx = now;
    }

    /// Handles the passing of time: keep-alive, the PINGRESP timeout and the CONNACK timeout.
    ///
    /// Call it when [`poll_timeout`](Self::poll_timeout) is reached (calling it earlier or more
    /// often is harmless). Drain [`poll_event`](Self::poll_event) first, so that a PINGRESP
    /// already received is seen.
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    /// use iot_tls::session::{Buffers, Config, Event, DisconnectReason, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let config = Config::new("d").with_connect_timeout(Duration::from_secs(5));
    /// let mut session: Session<'_> = Session::new(config, Buffers::new(&mut rx, &mut store))?;
    /// session.connect(Instant::from_millis(0));
    /// assert_eq!(session.poll_timeout(), Some(Instant::from_millis(5_000)));
    /// session.handle_timeout(Instant::from_millis(5_000)); // no CONNACK came
    /// assert_eq!(session.poll_event(), Some(Event::Disconnected(DisconnectReason::ConnectTimeout)));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn handle_timeout(&mut self, now: Instant) {
        let core = &mut self.core;
        match core.state {
            State::Disconnected => {}
            State::Connecting => {
                if now >= core.connect_started + core.config.connect_timeout() {
                    core.lose(DisconnectReason::ConnectTimeout);
                }
            }
            State::Connected => {
                if let Some(deadline) = core.ping_deadline() {
                    if now >= deadline {
                        core.lose(DisconnectReason::PingTimeout);
                    }
                } else if let Some(due) = core.keep_alive_due()
                    && now >= due
                {
                    core.ping_due = true;
                }
            }
        }
    }

    /// Records that the transport closed or failed.
    ///
    /// Unacknowledged requests stay in the store for the next connection; a
    /// [`Disconnected`](Event::Disconnected) event follows unless the session already knew.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, DisconnectReason, Event, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let mut session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// session.connect(Instant::from_millis(0));
    /// session.handle_closed(Instant::from_millis(10));
    /// assert_eq!(session.poll_event(), Some(Event::Disconnected(DisconnectReason::TransportClosed)));
    /// assert_eq!(session.poll_event(), None);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn handle_closed(&mut self, _now: Instant) {
        if self.core.state != State::Disconnected {
            self.core.lose(DisconnectReason::TransportClosed);
        }
    }

    /// The next event, or `None` when there is nothing more until new input or time.
    ///
    /// Returns `None` also while PUBACKs for received QoS 1 messages wait to be sent and their
    /// queue is full: call [`poll_transmit`](Self::poll_transmit), then poll again.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event<'_>> {
        if let Some(reason) = self.core.pending.take() {
            return Some(Event::Disconnected(reason));
        }
        loop {
            if self.core.state == State::Disconnected || self.core.closing.is_some() {
                return None;
            }
            if let Some(mut skip) = self.rx.skip {
                self.rx.start += skip.take(&self.rx.buf[self.rx.start..self.rx.end]);
                if self.rx.start == self.rx.end {
                    self.rx.start = 0;
                    self.rx.end = 0;
                }
                if !skip.finished() {
                    self.rx.skip = Some(skip);
                    return None;
                }
                self.rx.skip = None;
                if let Some(at) = skip.id_at {
                    let Some(id) = PacketId::new(u16::from_be_bytes(skip.id)) else {
                        let e = DecodeError::new(DecodeErrorKind::PacketIdZero, at);
                        return Some(self.core.fail(DisconnectReason::Malformed(e)));
                    };
                    self.core.acks.push(id);
                }
                continue;
            }
            let capacity = self.rx.buf.len();
            let unread = &self.rx.buf[self.rx.start..self.rx.end];
            let v5 = self.core.config.protocol() == Protocol::V5;
            let framed = if v5 {
                v5::frame(unread)
            } else {
                codec::frame(unread)
            };
            let header = match framed {
                Ok(Some(header)) => header,
                Ok(None) => return None,
                Err(e) => return Some(self.core.fail(DisconnectReason::Malformed(e))),
            };
            let qos1 = header.packet_type() == PacketType::Publish
                && (header.flags() >> 1) & 0b11 == Qos::AtLeastOnce.as_u8();
            if qos1 && self.core.acks.is_full() && self.core.state == State::Connected {
                return None;
            }
            if header.packet_len() > capacity {
                return match start_skip(unread, header, self.core.state, capacity) {
                    Ok(Some(skip)) => Some(Event::Oversized {
                        topic: {
                            self.rx.skip = Some(skip);
                            skip.topic.and_then(|(from, to)| {
                                core::str::from_utf8(unread.get(from..to)?).ok()
                            })
                        },
                        qos: skip.qos,
                        len: header.packet_len(),
                        capacity,
                    }),
                    Ok(None) => None,
                    Err(e) => Some(self.core.fail(DisconnectReason::Malformed(e))),
                };
            }
            if unread.len() < header.packet_len() {
                return None;
            }
            let event = if v5 {
                let packet = match v5::decode(unread) {
                    Ok(Some((packet, _))) => packet,
                    Ok(None) => return None,
                    Err(e) => return Some(self.core.fail(DisconnectReason::Malformed(e))),
                };
                self.rx.start += header.packet_len();
                self.core.handle_packet_v5(packet)
            } else {
                let packet = match codec::decode(unread) {
                    Ok(Some((packet, _))) => packet,
                    Ok(None) => return None,
                    Err(e) => return Some(self.core.fail(DisconnectReason::Malformed(e))),
                };
                self.rx.start += header.packet_len();
                self.core.handle_packet(packet)
            };
            if self.rx.start == self.rx.end {
                self.rx.start = 0;
                self.rx.end = 0;
            }
            if let Some(event) = event {
                return Some(event);
            }
        }
    }

    /// Copies bytes to send to the broker into `buf` and returns how many; 0 when there is
    /// nothing to send now.
    ///
    /// Packets are split across calls when `buf` is small, and several fit in one call when it is
    /// large. The order: CONNECT; after CONNACK, PUBACKs for received messages, PINGREQ when
    /// keep-alive asks for it, then requests in the order they were made (re-subscriptions and
    /// re-sent QoS 1 messages keep their original place), and DISCONNECT last.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    #[must_use]
    pub fn poll_transmit(&mut self, now: Instant, buf: &mut [u8]) -> usize {
        let mut written = 0;
        while written < buf.len() {
            let mut cursor = match self.core.tx {
                Some(cursor) => cursor,
                None => match self.core.next_source() {
                    Some(source) => Cursor { source, offset: 0 },
                    None => break,
                },
            };
            let packet = self.core.source_bytes(cursor.source);
            let rest = packet.get(cursor.offset..).unwrap_or_default();
            let n = rest.len().min(buf.len() - written);
            buf[written..written + n].copy_from_slice(&rest[..n]);
            written += n;
            cursor.offset += n;
            if cursor.offset >= packet.len() {
                self.core.tx = None;
                self.core.sent(cursor.source, now);
            } else {
                self.core.tx = Some(cursor);
            }
        }
        written
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next, if a timer runs.
    ///
    /// # Example
    ///
    /// See [`handle_timeout`](Self::handle_timeout).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let core = &self.core;
        match core.state {
            State::Disconnected => None,
            State::Connecting => Some(core.connect_started + core.config.connect_timeout()),
            State::Connected => core.ping_deadline().or_else(|| core.keep_alive_due()),
        }
    }

    /// Queues an application message and returns its packet identifier (QoS 1) or `None`
    /// (QoS 0).
    ///
    /// Works in any state: a message queued while disconnected is sent after the next CONNACK. A
    /// QoS 1 message stays in the store until its PUBACK ([`Event::Published`]).
    ///
    /// # Errors
    ///
    /// The message is handed back in a [`Rejected`] with:
    /// - [`Error::Session`] when the table or the store is full for now
    ///   ([`Rejected::is_full`]), or the message can never fit the store;
    /// - [`Error::Limit`] for QoS 2, a topic or payload over the limits;
    /// - [`Error::Encode`] for a malformed topic (wildcards, empty, a null character).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Message, Qos};
    /// use iot_tls::session::{Buffers, Session};
    /// use iot_tls::{Error, aws, error::LimitError};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 256]);
    /// let mut session: Session<'_> = Session::new(aws::config("d"), Buffers::new(&mut rx, &mut store))?;
    /// assert!(session.publish(Message::new("a/b", b"1").with_qos(Qos::AtLeastOnce))?.is_some());
    /// let rejected = session.publish(Message::new("a/b", b"1").with_qos(Qos::ExactlyOnce)).unwrap_err();
    /// assert!(matches!(rejected.error(), Error::Limit(LimitError::Qos(Qos::ExactlyOnce))));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn publish<'m>(
        &mut self,
        message: Message<'m>,
    ) -> Result<Option<PacketId>, Rejected<Message<'m>>> {
        self.publish_with(message, Properties::EMPTY)
    }

    /// Queues an application message with MQTT 5 `properties` (Message Expiry Interval, a
    /// Response Topic and Correlation Data for a request, user properties, a Content Type), as
    /// [`publish`](Self::publish) does.
    ///
    /// On MQTT 5 the message must also fit what the server announced ([`ServerLimits`]):
    /// Maximum QoS, Retain Available and Maximum Packet Size.
    ///
    /// # Errors
    ///
    /// As [`publish`](Self::publish), and [`SessionError::PropertiesNeedMqtt5`] for properties on
    /// an MQTT 3.1.1 session, [`Error::Limit`] for a QoS above the server's Maximum QoS,
    /// [`SessionError::RetainNotAvailable`] and [`SessionError::ServerPacketSize`].
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Message, PacketType, Qos};
    /// use iot_tls::codec::v5::{Property, PropertyBuilder};
    /// use iot_tls::session::{Buffers, Config, Protocol, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    /// let config = Config::new("d").with_protocol(Protocol::V5);
    /// let mut session: Session<'_> = Session::new(config, Buffers::new(&mut rx, &mut store))?;
    /// let mut props = [0u8; 64];
    /// let mut request = PropertyBuilder::new(&mut props, PacketType::Publish);
    /// request.push(Property::ResponseTopic("d/replies"))?.push(Property::CorrelationData(b"7"))?;
    /// let message = Message::new("svc/requests", b"ping").with_qos(Qos::AtLeastOnce);
    /// assert!(session.publish_with(message, request.finish())?.is_some());
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn publish_with<'m>(
        &mut self,
        message: Message<'m>,
        properties: Properties<'_>,
    ) -> Result<Option<PacketId>, Rejected<Message<'m>>> {
        let core = &mut self.core;
        let limits = core.config.limits();
        if let Err(e) = limits.check_message(&message) {
            return Err(Rejected::new(message, e.into()));
        }
        let v5 = core.config.protocol() == Protocol::V5;
        if !v5 && !properties.is_empty() {
            return Err(Rejected::new(
                message,
                SessionError::PropertiesNeedMqtt5.into(),
            ));
        }
        if v5 && message.qos > core.server.maximum_qos {
            return Err(Rejected::new(
                message,
                crate::error::LimitError::Qos(message.qos).into(),
            ));
        }
        if v5 && message.retain && !core.server.retain_available {
            return Err(Rejected::new(
                message,
                SessionError::RetainNotAvailable.into(),
            ));
        }
        let id = (message.qos == Qos::AtLeastOnce).then(|| core.next_id());
        let pushed = if v5 {
            let publish = v5::Publish::from_message(message, id).with_properties(properties);
            let len = codec::encoded_len(&publish);
            if let Some(max) = core.server.maximum_packet_size
                && len > max as usize
            {
                return Err(Rejected::new(
                    message,
                    SessionError::ServerPacketSize { len, max }.into(),
                ));
            }
            core.store.push(Kind::Publish(message.qos), id, len, |buf| {
                codec::encode(&publish, buf)
            })
        } else {
            let publish = Publish::from_message(message, id);
            core.store.push(
                Kind::Publish(message.qos),
                id,
                codec::encoded_len(&publish),
                |buf| codec::encode(&publish, buf),
            )
        };
        pushed.map_err(|e| Rejected::new(message, e))?;
        Ok(id)
    }

    /// Queues a SUBSCRIBE to `filters` and returns its packet identifier.
    ///
    /// After the SUBACK ([`Event::Subscribed`]) the granted filters are remembered, to be
    /// re-subscribed when a reconnect finds the broker without the session. Each remembered
    /// SUBSCRIBE keeps its slot and store bytes until its filters are unsubscribed.
    ///
    /// # Errors
    ///
    /// The filters are handed back in a [`Rejected`] with:
    /// - [`Error::Session`] when the table or the store is full for now, or the request can never
    ///   fit the store;
    /// - [`Error::Limit`] for no filter or more than the limits allow (AWS IoT: 8), QoS 2, or a
    ///   filter over the length or `/` limits;
    /// - [`Error::Encode`] for a malformed filter.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{Qos, Subscription};
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 256]);
    /// let mut session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let id = session.subscribe(&[Subscription::new("cmnd/d/#", Qos::AtLeastOnce)])?;
    /// assert_eq!(id.get(), 1);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn subscribe<'s, 'f>(
        &mut self,
        filters: &'s [Subscription<'f>],
    ) -> Result<PacketId, Rejected<&'s [Subscription<'f>]>> {
        let core = &mut self.core;
        let limits = core.config.limits();
        let checked = limits.check_filter_count(filters.len()).and_then(|()| {
            filters.iter().try_for_each(|s| {
                limits.check_qos(s.qos)?;
                limits.check_topic(s.filter)
            })
        });
        if let Err(e) = checked {
            return Err(Rejected::new(filters, e.into()));
        }
        if core.config.protocol() == Protocol::V5 {
            // The MQTT 5 entries (default options) in a fixed array: no heap.
            let mut entries = [v5::Subscription::new("", Qos::AtMostOnce); MAX_FILTERS_V5];
            let Some(slots) = entries.get_mut(..filters.len()) else {
                let e = crate::error::LimitError::FilterCount {
                    count: filters.len(),
                    max: MAX_FILTERS_V5,
                };
                return Err(Rejected::new(filters, e.into()));
            };
            for (slot, s) in slots.iter_mut().zip(filters) {
                *slot = v5::Subscription::new(s.filter, s.qos);
            }
            return core
                .subscribe_v5(&entries[..filters.len()], Properties::EMPTY)
                .map_err(|e| Rejected::new(filters, e));
        }
        let id = core.next_id();
        let subscribe = Subscribe::new(id, List::new(filters));
        core.push_request(Kind::Subscribe, id, &subscribe)
            .map_err(|e| Rejected::new(filters, e))
    }

    /// MQTT 5: queues a SUBSCRIBE to `filters` with their options (No Local, Retain As
    /// Published, Retain Handling) and `properties` (a Subscription Identifier, user
    /// properties), as [`subscribe`](Self::subscribe) does.
    ///
    /// At most [`MAX_FILTERS_V5`] filters (and the limits' count) go in one SUBSCRIBE. What the
    /// server said it does not support in its CONNACK is refused here, before anything is sent:
    /// wildcards, `$share/` filters, a Subscription Identifier. A SUBSCRIBE queued before the
    /// CONNACK is checked against MQTT's defaults; the server answers one it does not support
    /// with a refusing reason code in [`Event::SubscribedV5`].
    ///
    /// # Errors
    ///
    /// As [`subscribe`](Self::subscribe), and:
    /// - [`SessionError::PropertiesNeedMqtt5`] on an MQTT 3.1.1 session;
    /// - [`SessionError::WildcardSubscriptionNotAvailable`],
    ///   [`SessionError::SharedSubscriptionNotAvailable`] and
    ///   [`SessionError::SubscriptionIdentifierNotAvailable`] for what the server refused to
    ///   support;
    /// - [`Error::Encode`] for properties a SUBSCRIBE cannot carry.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{PacketType, Qos};
    /// use iot_tls::codec::v5::{Property, PropertyBuilder, RetainHandling, Subscription};
    /// use iot_tls::session::{Buffers, Config, Protocol, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 256], [0u8; 512]);
    /// let config = Config::new("d").with_protocol(Protocol::V5);
    /// let mut session: Session<'_> = Session::new(config, Buffers::new(&mut rx, &mut store))?;
    /// let filters = [Subscription::new("cmnd/d/#", Qos::AtLeastOnce)
    ///     .with_no_local(true)
    ///     .with_retain_handling(RetainHandling::OnNewSubscription)];
    /// let mut props = [0u8; 8];
    /// let mut properties = PropertyBuilder::new(&mut props, PacketType::Subscribe);
    /// properties.push(Property::SubscriptionIdentifier(7))?;
    /// assert_eq!(session.subscribe_with(&filters, properties.finish())?.get(), 1);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn subscribe_with<'s, 'f>(
        &mut self,
        filters: &'s [v5::Subscription<'f>],
        properties: Properties<'_>,
    ) -> Result<PacketId, Rejected<&'s [v5::Subscription<'f>]>> {
        let core = &mut self.core;
        if core.config.protocol() != Protocol::V5 {
            return Err(Rejected::new(
                filters,
                SessionError::PropertiesNeedMqtt5.into(),
            ));
        }
        let limits = core.config.limits();
        let checked = limits.check_filter_count(filters.len()).and_then(|()| {
            if filters.len() > MAX_FILTERS_V5 {
                return Err(crate::error::LimitError::FilterCount {
                    count: filters.len(),
                    max: MAX_FILTERS_V5,
                });
            }
            filters.iter().try_for_each(|s| {
                limits.check_qos(s.qos)?;
                limits.check_topic(s.filter)
            })
        });
        if let Err(e) = checked {
            return Err(Rejected::new(filters, e.into()));
        }
        core.subscribe_v5(filters, properties)
            .map_err(|e| Rejected::new(filters, e))
    }

    /// Queues an UNSUBSCRIBE from `filters` and returns its packet identifier.
    ///
    /// Once the broker acknowledges it ([`Event::Unsubscribed`]), the filters are removed from
    /// the remembered subscriptions made before it, freeing their store bytes.
    ///
    /// # Errors
    ///
    /// As for [`subscribe`](Self::subscribe).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 256]);
    /// let mut session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// session.unsubscribe(&["cmnd/d/#"])?;
    /// assert_eq!(session.queued(), 1);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn unsubscribe<'s, 'f>(
        &mut self,
        filters: &'s [&'f str],
    ) -> Result<PacketId, Rejected<&'s [&'f str]>> {
        let core = &mut self.core;
        let limits = core.config.limits();
        let checked = limits
            .check_filter_count(filters.len())
            .and_then(|()| filters.iter().try_for_each(|f| limits.check_topic(f)));
        if let Err(e) = checked {
            return Err(Rejected::new(filters, e.into()));
        }
        let id = core.next_id();
        let pushed = if core.config.protocol() == Protocol::V5 {
            core.push_request(
                Kind::Unsubscribe,
                id,
                &v5::Unsubscribe::new(id, List::new(filters)),
            )
        } else {
            core.push_request(
                Kind::Unsubscribe,
                id,
                &Unsubscribe::new(id, List::new(filters)),
            )
        };
        pushed.map_err(|e| Rejected::new(filters, e))
    }

    /// Ends the connection cleanly: DISCONNECT is sent after the requests that can go now, so the
    /// broker discards the will; then [`Event::Disconnected`] with
    /// [`DisconnectReason::Requested`] tells the driver to close the transport.
    ///
    /// While CONNECT is unanswered, the connection simply ends. Unacknowledged requests stay in
    /// the store for a later [`connect`](Self::connect).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, DisconnectReason, Event, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let mut session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let now = Instant::from_millis(0);
    /// session.connect(now);
    /// let mut out = [0u8; 64];
    /// let _ = session.poll_transmit(now, &mut out);
    /// session.handle_input(now, &[0x20, 0x02, 0x00, 0x00]);
    /// let _ = session.poll_event();
    /// session.disconnect();
    /// assert_eq!(session.poll_transmit(now, &mut out), 2);
    /// assert_eq!(out[..2], [0xe0, 0x00]);
    /// assert_eq!(session.poll_event(), Some(Event::Disconnected(DisconnectReason::Requested)));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn disconnect(&mut self) {
        match self.core.state {
            State::Disconnected => {}
            State::Connecting => self.core.lose(DisconnectReason::Requested),
            State::Connected => self.core.disconnect_requested = true,
        }
    }

    /// The limits the server announced in its last CONNACK (MQTT 5), which the session obeys;
    /// MQTT's defaults on MQTT 3.1.1 and before the CONNACK.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, ServerLimits, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// assert_eq!(session.server_limits(), ServerLimits::DEFAULT);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub const fn server_limits(&self) -> ServerLimits {
        self.core.server
    }

    /// MQTT 5: the client identifier the server assigned in its last CONNACK, when the
    /// configured one was empty (at most [`MAX_ASSIGNED_CLIENT_ID`] bytes are kept).
    ///
    /// The session's CONNECT keeps the configured (empty) identifier, so each reconnect gets
    /// a new one and a new session: to resume a persistent session, create the next
    /// [`Session`] with this identifier.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, Protocol, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let config = Config::new("").with_protocol(Protocol::V5);
    /// let mut session: Session<'_> = Session::new(config, Buffers::new(&mut rx, &mut store))?;
    /// let now = Instant::from_millis(0);
    /// session.connect(now);
    /// let _connect = session.poll_transmit(now, &mut [0u8; 64]);
    /// // CONNACK: success, Assigned Client Identifier "auto-1"
    /// session.handle_input(now, &[0x20, 0x0c, 0x00, 0x00, 0x09, 0x12, 0x00, 0x06, b'a', b'u', b't', b'o', b'-', b'1']);
    /// let _connected = session.poll_event();
    /// assert_eq!(session.assigned_client_id(), Some("auto-1"));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn assigned_client_id(&self) -> Option<&str> {
        let id = self.core.assigned.get(..self.core.assigned_len)?;
        (!id.is_empty())
            .then(|| core::str::from_utf8(id).ok())
            .flatten()
    }

    /// The delay to wait before the next [`connect`](Self::connect): the configured
    /// [`Backoff`](crate::Backoff) for the number of attempts since the last accepted connection,
    /// with `random` a uniformly random `u32` from the caller.
    ///
    /// # Example
    ///
    /// ```
    /// use core::time::Duration;
    /// use iot_tls::session::{Buffers, Config, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let mut session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// assert_eq!(session.reconnect_delay(0), Duration::from_secs(1));
    /// session.connect(Instant::from_millis(0));
    /// session.handle_closed(Instant::from_millis(10)); // refused or failed
    /// assert_eq!(session.reconnect_delay(u32::MAX), Duration::from_secs(4));
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn reconnect_delay(&self, random: u32) -> Duration {
        self.core.config.backoff().delay(self.core.attempt, random)
    }

    /// The connection state.
    ///
    /// # Example
    ///
    /// See [`State`].
    pub const fn state(&self) -> State {
        self.core.state
    }

    /// The configuration.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// assert_eq!(session.config().client_id(), "d");
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub const fn config(&self) -> &Config<'a> {
        &self.core.config
    }

    /// The number of requests sent and awaiting acknowledgement.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// assert_eq!(session.in_flight(), 0);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn in_flight(&self) -> usize {
        self.core.store.count(Phase::AwaitingAck)
    }

    /// The number of requests waiting to be sent.
    ///
    /// # Example
    ///
    /// See [`unsubscribe`](Self::unsubscribe).
    pub fn queued(&self) -> usize {
        self.core.store.count(Phase::Queued)
    }

    /// The number of acknowledged subscriptions remembered for re-subscribing.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// assert_eq!(session.subscriptions(), 0);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn subscriptions(&self) -> usize {
        self.core.store.count(Phase::Active)
    }

    /// The store bytes free for new requests.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store) = ([0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// assert_eq!(session.store_free(), 64 - 15); // CONNECT takes 15 bytes
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub const fn store_free(&self) -> usize {
        self.core.store.free()
    }
}

impl<const N: usize> core::fmt::Debug for Session<'_, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("state", &self.core.state)
            .field("client_id", &self.core.config.client_id())
            .field("queued", &self.queued())
            .field("in_flight", &self.in_flight())
            .field("subscriptions", &self.subscriptions())
            .field("store_free", &self.store_free())
            .field("rx_unread", &(self.rx.end - self.rx.start))
            .finish_non_exhaustive()
    }
}

impl<const N: usize> Core<'_, N> {
    /// The most requests in flight at once.
    fn max_in_flight(&self) -> usize {
        self.config
            .limits()
            .max_inflight
            .min(N)
            .min(usize::from(self.server.receive_maximum))
    }

    /// Stores the SUBSCRIBE or UNSUBSCRIBE `packet` with identifier `id`.
    fn push_request<'p, B: codec::Body<'p>>(
        &mut self,
        kind: Kind,
        id: PacketId,
        packet: &B,
    ) -> Result<PacketId, Error> {
        self.store
            .push(kind, Some(id), codec::encoded_len(packet), |buf| {
                codec::encode(packet, buf)
            })
            .map(|()| id)
    }

    /// Checks MQTT 5 `filters` and `properties` against what the server supports, then stores
    /// their SUBSCRIBE.
    fn subscribe_v5(
        &mut self,
        filters: &[v5::Subscription<'_>],
        properties: Properties<'_>,
    ) -> Result<PacketId, Error> {
        let server = self.server;
        for s in filters {
            if !server.wildcard_subscription_available && s.filter.contains(['+', '#']) {
                return Err(SessionError::WildcardSubscriptionNotAvailable.into());
            }
            if !server.shared_subscription_available && s.filter.starts_with("$share/") {
                return Err(SessionError::SharedSubscriptionNotAvailable.into());
            }
        }
        if !server.subscription_identifier_available
            && properties.subscription_identifiers().next().is_some()
        {
            return Err(SessionError::SubscriptionIdentifierNotAvailable.into());
        }
        let id = self.next_id();
        let subscribe = v5::Subscribe {
            packet_id: id,
            properties,
            filters: List::new(filters),
        };
        self.push_request(Kind::Subscribe, id, &subscribe)
    }

    /// A packet identifier no record uses.
    fn next_id(&mut self) -> PacketId {
        loop {
            self.last_id = self.last_id.wrapping_add(1);
            if let Some(id) = PacketId::new(self.last_id)
                && !self.store.uses_id(id)
            {
                return id;
            }
        }
    }

    /// When PINGREQ is due, if keep-alive is on and no ping is pending.
    fn keep_alive_due(&self) -> Option<Instant> {
        let keep_alive = self
            .server
            .server_keep_alive
            .unwrap_or(self.config.keep_alive());
        (keep_alive > 0 && !self.ping_due && self.ping_sent.is_none())
            .then(|| self.last_tx + Duration::from_secs(u64::from(keep_alive)))
    }

    /// When the connection counts as lost if nothing arrives after PINGREQ.
    fn ping_deadline(&self) -> Option<Instant> {
        self.ping_sent
            .map(|sent| sent.max(self.last_rx) + self.config.ping_timeout())
    }

    /// Ends the connection: requests in flight are queued again for the next one.
    fn lose(&mut self, reason: DisconnectReason) {
        self.state = State::Disconnected;
        self.pending = Some(reason);
        self.connect_sent = false;
        self.disconnect_requested = false;
        self.acks.clear();
        self.tx = None;
        self.ping_due = false;
        self.ping_sent = None;
        self.closing = None;
        self.store.requeue_in_flight();
    }

    /// Ends the connection and returns the event that says so.
    fn fail(&mut self, reason: DisconnectReason) -> Event<'static> {
        self.lose(reason);
        self.pending = None;
        Event::Disconnected(reason)
    }

    /// What to send next, if anything.
    fn next_source(&mut self) -> Option<Source> {
        match self.state {
            State::Disconnected => None,
            _ if self.connect_sent && self.closing.is_some() => {
                let code = self.closing.map_or(0, |(code, _)| code.as_u8());
                self.control = [0xe0, 0x01, code, 0];
                Some(Source::Control(PacketType::Disconnect))
            }
            State::Connecting => (!self.connect_sent).then_some(Source::Connect),
            State::Connected => {
                if let Some(id) = self.acks.pop() {
                    let [hi, lo] = id.get().to_be_bytes();
                    self.control = [0x40, 0x02, hi, lo];
                    return Some(Source::Control(PacketType::PubAck));
                }
                if self.ping_due {
                    self.ping_due = false;
                    self.control = [0xc0, 0x00, 0, 0];
                    return Some(Source::Control(PacketType::PingReq));
                }
                if let Some((slot, record)) = self.store.next_queued()
                    && (!record.needs_ack()
                        || self.store.count(Phase::AwaitingAck) < self.max_in_flight())
                {
                    return Some(Source::Record(slot));
                }
                if self.disconnect_requested {
                    self.control = [0xe0, 0x00, 0, 0];
                    return Some(Source::Control(PacketType::Disconnect));
                }
                None
            }
        }
    }

    /// The encoded bytes of `source`.
    fn source_bytes(&self, source: Source) -> &[u8] {
        match source {
            Source::Connect => self.store.connect(),
            // A PUBACK, PINGREQ, or DISCONNECT with or without a reason code.
            Source::Control(_) => &self.control[..2 + usize::from(self.control[1])],
            Source::Record(slot) => self.store.packet(slot),
        }
    }

    /// Bookkeeping once `source` was completely handed to the transport.
    fn sent(&mut self, source: Source, now: Instant) {
        self.last_tx = now;
        match source {
            Source::Connect => self.connect_sent = true,
            Source::Control(PacketType::PingReq) => self.ping_sent = Some(now),
            Source::Control(PacketType::Disconnect) => {
                let reason = self
                    .closing
                    .map_or(DisconnectReason::Requested, |(_, reason)| reason);
                self.lose(reason);
            }
            Source::Control(_) => {}
            Source::Record(slot) => match self.store.get_mut(slot) {
                Some(record) if record.needs_ack() => record.phase = Phase::AwaitingAck,
                Some(_) => self.store.remove(slot),
                None => {}
            },
        }
    }

    /// Updates the state for a packet from the broker; returns the event it makes, if any.
    fn handle_packet<'p>(&mut self, packet: Packet<'p>) -> Option<Event<'p>> {
        if self.state == State::Connecting {
            return Some(match packet {
                // A broker cannot answer a CONNECT it has not received.
                Packet::ConnAck(_) if !self.connect_sent => {
                    self.violation(ProtocolError::UnexpectedPacket(PacketType::ConnAck))
                }
                Packet::ConnAck(ack) if ack.code.is_accepted() => {
                    self.state = State::Connected;
                    self.attempt = 0;
                    if !ack.session_present {
                        self.store.requeue_subscriptions();
                    }
                    Event::Connected {
                        session_present: ack.session_present,
                    }
                }
                Packet::ConnAck(ack) => self.fail(DisconnectReason::Refused(ack.code)),
                other => self.violation(ProtocolError::UnexpectedPacket(other.packet_type())),
            });
        }
        match packet {
            Packet::Publish(publish) => match publish.qos {
                Qos::AtMostOnce => Some(Event::Message(publish)),
                Qos::AtLeastOnce => {
                    if let Some(id) = publish.packet_id {
                        self.acks.push(id);
                    }
                    Some(Event::Message(publish))
                }
                Qos::ExactlyOnce => Some(self.violation(ProtocolError::Qos(publish.qos))),
            },
            Packet::PubAck(ack) => Some(self.acked(PacketType::PubAck, ack.packet_id)),
            Packet::SubAck(ack) => Some(self.subscribed(ack.packet_id, ack.codes)),
            Packet::UnsubAck(ack) => Some(self.unsubscribed(ack.packet_id)),
            Packet::PubRec(ack) => Some(unexpected_ack(PacketType::PubRec, ack.packet_id)),
            Packet::PubRel(ack) => Some(unexpected_ack(PacketType::PubRel, ack.packet_id)),
            Packet::PubComp(ack) => Some(unexpected_ack(PacketType::PubComp, ack.packet_id)),
            Packet::PingResp(_) => {
                self.ping_sent = None;
                None
            }
            other => Some(self.violation(ProtocolError::UnexpectedPacket(other.packet_type()))),
        }
    }

    /// Updates the state for an MQTT 5 packet from the server; returns the event it makes.
    fn handle_packet_v5<'p>(&mut self, packet: v5::Packet<'p>) -> Option<Event<'p>> {
        use v5::Packet as P;
        match packet {
            P::Disconnect(d) => {
                self.lose(DisconnectReason::Server(d.reason));
                return Some(Event::ServerDisconnect {
                    reason: d.reason,
                    properties: d.properties,
                });
            }
            // Enhanced authentication is never requested (no Authentication Method in CONNECT),
            // so AUTH from the server is a protocol error (MQTT 5, 4.12): answered with
            // DISCONNECT 0x82 before the connection ends.
            P::Auth(_) => {
                return self.refuse(
                    ReasonCode::PROTOCOL_ERROR,
                    ProtocolError::UnexpectedPacket(PacketType::Auth),
                );
            }
            _ => {}
        }
        if self.state == State::Connecting {
            return Some(match packet {
                P::ConnAck(_) if !self.connect_sent => {
                    self.violation(ProtocolError::UnexpectedPacket(PacketType::ConnAck))
                }
                P::ConnAck(ack) if ack.reason.is_success() => {
                    self.state = State::Connected;
                    self.attempt = 0;
                    self.server = ServerLimits::from_properties(&ack.properties);
                    let assigned = ack.properties.assigned_client_identifier().unwrap_or("");
                    self.assigned_len = 0;
                    if let Some(slot) = self.assigned.get_mut(..assigned.len()) {
                        slot.copy_from_slice(assigned.as_bytes());
                        self.assigned_len = assigned.len();
                    }
                    if !ack.session_present {
                        self.store.requeue_subscriptions();
                    }
                    Event::Connected {
                        session_present: ack.session_present,
                    }
                }
                P::ConnAck(ack) => self.fail(DisconnectReason::RefusedV5(ack.reason)),
                other => self.violation(ProtocolError::UnexpectedPacket(other.packet_type())),
            });
        }
        match packet {
            P::Publish(publish) => {
                // Topic Alias Maximum is announced as 0, so an alias is invalid (MQTT 5,
                // 3.3.2.3.4): answered with DISCONNECT 0x94 before the connection ends.
                if publish.properties.topic_alias().is_some() {
                    return self.refuse(
                        ReasonCode::TOPIC_ALIAS_INVALID,
                        ProtocolError::UnexpectedPacket(PacketType::Publish),
                    );
                }
                match publish.qos {
                    Qos::AtMostOnce => {}
                    Qos::AtLeastOnce => {
                        if let Some(id) = publish.packet_id {
                            self.acks.push(id);
                        }
                    }
                    Qos::ExactlyOnce => {
                        return Some(self.violation(ProtocolError::Qos(publish.qos)));
                    }
                }
                Some(Event::MessageV5(publish))
            }
            P::PubAck(ack) if ack.reason.is_error() => {
                let event = self.acked(PacketType::PubAck, ack.packet_id);
                Some(match event {
                    Event::Published(packet_id) => Event::PublishRefused {
                        packet_id,
                        reason: ack.reason,
                        properties: ack.properties,
                    },
                    other => other,
                })
            }
            P::PubAck(ack) => Some(self.acked(PacketType::PubAck, ack.packet_id)),
            P::SubAck(ack) => Some(self.subscribed_v5(ack)),
            P::UnsubAck(ack) => Some(self.unsubscribed(ack.packet_id)),
            P::PubRec(ack) => Some(unexpected_ack(PacketType::PubRec, ack.packet_id)),
            P::PubRel(ack) => Some(unexpected_ack(PacketType::PubRel, ack.packet_id)),
            P::PubComp(ack) => Some(unexpected_ack(PacketType::PubComp, ack.packet_id)),
            P::PingResp(_) => {
                self.ping_sent = None;
                None
            }
            other => Some(self.violation(ProtocolError::UnexpectedPacket(other.packet_type()))),
        }
    }

    /// An MQTT 5 SUBACK: forget refused filters, remember the rest.
    fn subscribed_v5<'p>(&mut self, ack: v5::SubAck<'p>) -> Event<'p> {
        let answered = self.subscription_answered(ack.packet_id, ack.codes.len(), |i| {
            ack.codes.iter().nth(i).is_some_and(ReasonCode::is_success)
        });
        answered.unwrap_or(Event::SubscribedV5 {
            packet_id: ack.packet_id,
            codes: ack.codes,
            properties: ack.properties,
        })
    }

    fn violation(&mut self, error: ProtocolError) -> Event<'static> {
        self.fail(DisconnectReason::Protocol(error))
    }

    /// MQTT 5: ends the connection for `error` with a DISCONNECT carrying `code`, sent before
    /// anything else; [`Event::Disconnected`] follows once it is out. Before CONNECT is out
    /// there is no one to tell, and the connection simply ends.
    fn refuse(&mut self, code: ReasonCode, error: ProtocolError) -> Option<Event<'static>> {
        if !self.connect_sent {
            return Some(self.violation(error));
        }
        self.closing = Some((code, DisconnectReason::Protocol(error)));
        self.tx = self.tx.filter(|cursor| cursor.offset > 0);
        None
    }

    /// A PUBACK.
    fn acked(&mut self, packet_type: PacketType, id: PacketId) -> Event<'static> {
        match self
            .store
            .find(Kind::Publish(Qos::AtLeastOnce), Phase::AwaitingAck, id)
        {
            Some(slot) => {
                self.store.remove(slot);
                Event::Published(id)
            }
            None => unexpected_ack(packet_type, id),
        }
    }

    /// A SUBACK: forget refused filters, remember the rest.
    fn subscribed<'p>(&mut self, id: PacketId, codes: List<'p, SubAckCode>) -> Event<'p> {
        let answered = self.subscription_answered(id, codes.len(), |i| {
            codes.iter().nth(i).and_then(SubAckCode::granted).is_some()
        });
        answered.unwrap_or(Event::Subscribed {
            packet_id: id,
            codes,
        })
    }

    /// Records the answer to the SUBACK `id` with `count` codes, keeping the filters `granted`
    /// accepts; returns the event to report instead when it answers nothing or does not fit.
    fn subscription_answered(
        &mut self,
        id: PacketId,
        count: usize,
        granted: impl Fn(usize) -> bool,
    ) -> Option<Event<'static>> {
        let Some(slot) = self.store.find(Kind::Subscribe, Phase::AwaitingAck, id) else {
            return Some(unexpected_ack(PacketType::SubAck, id));
        };
        let expected = self.store.filter_count(slot);
        if expected != count {
            return Some(self.violation(ProtocolError::SubAckCount {
                expected,
                found: count,
            }));
        }
        if let Some(record) = self.store.get_mut(slot) {
            record.phase = Phase::Active;
        }
        self.store.retain_filters(slot, |_, _, i| granted(i));
        None
    }

    /// An UNSUBACK: remove its filters from the remembered subscriptions made before it.
    fn unsubscribed(&mut self, id: PacketId) -> Event<'static> {
        let Some(unsub) = self.store.find(Kind::Unsubscribe, Phase::AwaitingAck, id) else {
            return unexpected_ack(PacketType::UnsubAck, id);
        };
        for slot in 0..N {
            let remembered = self
                .store
                .get(slot)
                .is_some_and(|r| r.kind == Kind::Subscribe && r.phase == Phase::Active);
            if !remembered || !self.store.older(slot, unsub) {
                continue;
            }
            let unsub_range = self.store.range(unsub);
            let v5 = self.store.v5();
            self.store.retain_filters(slot, |bytes, filter, _| {
                let packet = &bytes[unsub_range.clone()];
                let filter = &bytes[filter];
                !store::filters(packet, false, v5).any(|e| &packet[e.filter] == filter)
            });
        }
        self.store.remove(unsub);
        Event::Unsubscribed(id)
    }
}

/// The MQTT 5 CONNECT for `config`: Session Expiry Interval for a persistent session, Receive
/// Maximum `slots` (the PUBACK queue), Maximum Packet Size `rx_len` (so the server sends nothing
/// the receive buffer cannot hold), no Topic Alias Maximum (0: no alias table) and no
/// Authentication Method (no AUTH exchange). The properties are written into `props`.
fn connect_v5<'c>(
    config: &Config<'c>,
    slots: usize,
    rx_len: usize,
    props: &'c mut [u8],
) -> Result<v5::Connect<'c>, Error> {
    let mut builder = PropertyBuilder::new(props, PacketType::Connect);
    if !config.clean_session() {
        builder.push(Property::SessionExpiryInterval(config.session_expiry()))?;
    }
    let receive_maximum = u16::try_from(slots).unwrap_or(u16::MAX).max(1);
    builder.push(Property::ReceiveMaximum(receive_maximum))?;
    let max_packet = u32::try_from(rx_len).unwrap_or(u32::MAX).max(1);
    builder.push(Property::MaximumPacketSize(max_packet))?;
    let c = config.connect_packet();
    Ok(v5::Connect {
        client_id: c.client_id,
        keep_alive: c.keep_alive,
        clean_start: c.clean_session,
        properties: builder.finish(),
        will: c.will.map(|message| v5::Will {
            message,
            properties: Properties::EMPTY,
        }),
        username: c.username,
        password: c.password,
    })
}

/// Starts skipping a packet larger than the receive buffer, once its start up to the packet
/// identifier is in (or can never be): `Ok(None)` while waiting for those bytes.
/// Returns the skipping state, which knows where the topic is in `unread` when it fits.
fn start_skip(
    unread: &[u8],
    header: codec::FixedHeader,
    state: State,
    capacity: usize,
) -> Result<Option<Skip>, DecodeError> {
    let len = header.packet_len();
    if header.packet_type() != PacketType::Publish || state != State::Connected {
        return Err(DecodeError::new(
            DecodeErrorKind::TooLarge { len, capacity },
            1,
        ));
    }
    let at = header.header_len();
    let Some(topic_len) = unread.get(at..at + 2) else {
        // The topic length has not arrived; it always fits (`MIN_RX_LEN`).
        return Ok(None);
    };
    let topic_len = usize::from(u16::from_be_bytes([topic_len[0], topic_len[1]]));
    let qos = Qos::from_u8((header.flags() >> 1) & 0b11).unwrap_or(Qos::ExactlyOnce);
    let id_at = at + 2 + topic_len;
    let prefix = id_at + if qos == Qos::AtMostOnce { 0 } else { 2 };
    if prefix <= capacity && unread.len() < prefix {
        return Ok(None);
    }
    let topic = match unread.get(at + 2..id_at) {
        Some(bytes) if prefix <= capacity => {
            if let Some((problem, i)) = codec::topic_name_error(bytes) {
                return Err(DecodeError::new(problem.into(), at + 2 + i));
            }
            core::str::from_utf8(bytes)
                .map_err(|e| DecodeError::new(DecodeErrorKind::Utf8, at + 2 + e.valid_up_to()))?;
            Some((at + 2, id_at))
        }
        _ => None,
    };
    // QoS 2 is refused as a protocol violation for packets that fit; an oversized one is
    // skipped without an answer, since the session never subscribes at QoS 2.
    Ok(Some(Skip {
        done: 0,
        len,
        topic,
        qos,
        id_at: (qos == Qos::AtLeastOnce).then_some(id_at),
        id: [0; 2],
    }))
}

/// The event for an acknowledgement of an identifier with nothing in flight.
const fn unexpected_ack(packet_type: PacketType, packet_id: PacketId) -> Event<'static> {
    Event::UnexpectedAck {
        packet_type,
        packet_id,
    }
}

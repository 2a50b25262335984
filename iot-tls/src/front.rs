//! An AWS-IoT-like TLS front for tests and demos: it terminates TLS the way AWS IoT Core's
//! endpoint on port 443 does for custom authorizers, and forwards the MQTT stream to a plain
//! broker (mosquitto, rumqttd).
//!
//! What it enforces, as AWS IoT Core does:
//!
//! - **SNI** naming the endpoint, and **ALPN** offering `mqtt`: other connections end in the
//!   handshake with a fatal alert that names the cause (`unrecognized_name`,
//!   `no_application_protocol`, `missing_extension`);
//! - a first packet that is a **CONNECT**, whose user name is parsed as a custom-authorizer
//!   user name ([`aws::Username`]) and checked, with the password, client id and SNI, by the
//!   caller's [`Authorizer`]; a refusal is answered with CONNACK "not authorized";
//! - the policy a [`PolicyAuthorizer`] returns for the connection ([`ConnectionPolicy`]): a
//!   PUBLISH outside it closes the connection, as AWS does; so does a SUBSCRIBE outside it
//!   (stricter than AWS, which answers MQTT 3.1.1 with a failure code in the SUBACK);
//! - the [`Limits`] (by default [`aws::LIMITS`]): client identifier, keep-alive range and will
//!   in CONNECT; then, on every packet the client sends, QoS 2, topic length and depth, payload
//!   size, eight filters per SUBSCRIBE. A violation closes the connection, as AWS does.
//!
//! The broker receives the CONNECT without user name and password (the front has
//! authenticated the client), so its listener allows anonymous clients. Each decision that
//! ends a connection is logged through `tracing` and reported as a [`Refusal`] to
//! [`RunningFront::refusals`] subscribers.
//!
//! # Example
//!
//! ```no_run
//! # async fn run(chain: Vec<rustls::pki_types::CertificateDer<'static>>, key: rustls::pki_types::PrivateKeyDer<'static>) -> Result<(), iot_tls::Error> {
//! use iot_tls::front::{AuthRequest, Front};
//!
//! let broker = "127.0.0.1:1883".parse().unwrap(); // mosquitto or rumqttd, anonymous
//! let authorize = |request: &AuthRequest<'_>| {
//!     request.username().is_some_and(|name| name.authorizer().is_some_and(|a| a == "HubAuth"))
//!         && request.password().is_some_and(|p| iot_tls::Secret::new(p).matches(b"s3cret"))
//! };
//! let front = Front::new("iot.test", chain, key, broker, authorize)?
//!     .bind("127.0.0.1:0".parse().unwrap())
//!     .await?;
//! println!("AWS IoT Core stand-in on {}", front.local_addr());
//! # Ok(()) }
//! ```

use alloc::string::{String, ToString as _};
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;
use std::net::SocketAddr;

use ::tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWriteExt as _};
use ::tokio::net::{TcpListener, TcpStream};
use ::tokio::sync::broadcast;
use ::tokio::task::{JoinHandle, JoinSet};
use ::tokio::time::timeout;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{AlertDescription, ServerConfig};
use tokio_rustls::LazyConfigAcceptor;

use crate::aws::{self, Username};
use crate::codec::v5::{self, ReasonCode};
use crate::codec::{self, Connect, ConnectReturnCode, Message, Packet, PacketType, Password, Qos};
use crate::error::{
    DecodeError, DecodeErrorKind, Error, IoError, IoErrorKind, IoOperation, LimitError,
};
use crate::limits::Limits;
use crate::tls::TlsError;

/// The ALPN protocol of AWS IoT's custom-authorizer endpoint.
const ALPN_MQTT: &[u8] = b"mqtt";

/// Decides whether a client may connect, from its CONNECT.
///
/// Closures `Fn(&AuthRequest<'_>) -> bool` are authorizers.
///
/// # Example
///
/// ```
/// use iot_tls::front::{AuthRequest, Authorizer};
///
/// /// Accepts one token, sent in the `token` parameter of the user name.
/// struct Token(&'static str);
///
/// impl Authorizer for Token {
///     fn authorize(&self, request: &AuthRequest<'_>) -> bool {
///         request
///             .username()
///             .and_then(|name| name.param("token"))
///             .is_some_and(|token| token == self.0)
///     }
/// }
/// ```
pub trait Authorizer: Send + Sync + 'static {
    /// Whether the client may proceed.
    fn authorize(&self, request: &AuthRequest<'_>) -> bool;
}

impl<F> Authorizer for F
where
    F: Fn(&AuthRequest<'_>) -> bool + Send + Sync + 'static,
{
    fn authorize(&self, request: &AuthRequest<'_>) -> bool {
        self(request)
    }
}

/// What a connection may do, as a custom authorizer's policy says: the front checks each
/// PUBLISH and SUBSCRIBE of the connection against it.
///
/// # Example
///
/// ```
/// use iot_tls::front::ConnectionPolicy;
///
/// /// Publishes and subscribes under `home/<name>/` only.
/// struct Own(String);
///
/// impl ConnectionPolicy for Own {
///     fn may_publish(&self, topic: &str, _retain: bool) -> bool {
///         topic.strip_prefix("home/").and_then(|t| t.strip_prefix(self.0.as_str())).is_some_and(|t| t.starts_with('/'))
///     }
///     fn may_subscribe(&self, filter: &str) -> bool {
///         self.may_publish(filter, false)
///     }
/// }
/// ```
pub trait ConnectionPolicy: Send + Sync + 'static {
    /// Whether the connection may publish on `topic` (with RETAIN when `retain`).
    fn may_publish(&self, topic: &str, retain: bool) -> bool;

    /// Whether the connection may subscribe to `filter`.
    fn may_subscribe(&self, filter: &str) -> bool;
}

/// Decides whether a client may connect and what it may then do: the hook a custom authorizer
/// (such as an AWS IoT custom-authorizer function) plugs into, with
/// [`Front::with_policy_authorizer`].
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use iot_tls::front::{AuthRequest, ConnectionPolicy, PolicyAuthorizer};
///
/// struct Anything;
/// impl ConnectionPolicy for Anything {
///     fn may_publish(&self, _: &str, _: bool) -> bool { true }
///     fn may_subscribe(&self, _: &str) -> bool { true }
/// }
///
/// /// Admits clients that name this endpoint, with any policy.
/// struct OnlyThisEndpoint;
/// impl PolicyAuthorizer for OnlyThisEndpoint {
///     fn admit(&self, request: &AuthRequest<'_>) -> Option<Arc<dyn ConnectionPolicy>> {
///         (request.server_name() == Some("iot.test")).then(|| Arc::new(Anything) as Arc<dyn ConnectionPolicy>)
///     }
/// }
/// ```
pub trait PolicyAuthorizer: Send + Sync + 'static {
    /// The connection's policy, or `None` to refuse it.
    fn admit(&self, request: &AuthRequest<'_>) -> Option<Arc<dyn ConnectionPolicy>>;
}

/// An [`Authorizer`] as a [`PolicyAuthorizer`] whose clients may do anything the limits allow.
struct AllowAll<A>(A);

impl<A: Authorizer> PolicyAuthorizer for AllowAll<A> {
    fn admit(&self, request: &AuthRequest<'_>) -> Option<Arc<dyn ConnectionPolicy>> {
        self.0
            .authorize(request)
            .then(|| Arc::new(Unrestricted) as Arc<dyn ConnectionPolicy>)
    }
}

/// A policy that allows everything within the front's limits: the policy of the clients a
/// plain [`Authorizer`] admits, and of trusted clients of a [`PolicyAuthorizer`].
///
/// # Example
///
/// ```
/// use iot_tls::front::{ConnectionPolicy, Unrestricted};
/// assert!(Unrestricted.may_publish("any/topic", true));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Unrestricted;

impl ConnectionPolicy for Unrestricted {
    fn may_publish(&self, _topic: &str, _retain: bool) -> bool {
        true
    }

    fn may_subscribe(&self, _filter: &str) -> bool {
        true
    }
}

/// What an [`Authorizer`] decides on: the client's identifier and credentials.
///
/// # Example
///
/// See [`Authorizer`].
#[derive(Clone, Copy, Debug)]
pub struct AuthRequest<'a> {
    client_id: &'a str,
    username: Option<Username<'a>>,
    password: Option<Password<'a>>,
    server_name: Option<&'a str>,
}

impl<'a> AuthRequest<'a> {
    /// The client identifier.
    ///
    /// # Example
    ///
    /// ```
    /// # fn f(request: &iot_tls::front::AuthRequest<'_>) {
    /// let allowed = request.client_id().starts_with("hub-");
    /// # }
    /// ```
    pub const fn client_id(&self) -> &'a str {
        self.client_id
    }

    /// The user name, parsed as a custom-authorizer user name (`None` when the client sent
    /// none).
    ///
    /// # Example
    ///
    /// See [`Authorizer`].
    pub const fn username(&self) -> Option<Username<'a>> {
        self.username
    }

    /// The password.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub const fn password(&self) -> Option<&'a [u8]> {
        match self.password {
            Some(password) => Some(password.as_bytes()),
            None => None,
        }
    }

    /// The TLS server name (SNI) the client connected to.
    ///
    /// # Example
    ///
    /// See [`PolicyAuthorizer`].
    pub const fn server_name(&self) -> Option<&'a str> {
        self.server_name
    }
}

/// Why the front ended a connection.
///
/// # Example
///
/// ```
/// use iot_tls::error::LimitError;
/// use iot_tls::front::Refusal;
///
/// let refusal = Refusal::Limit { client_id: "hub".into(), error: LimitError::FilterCount { count: 9, max: 8 } };
/// assert_eq!(refusal.to_string(), "client \"hub\": 9 filters in one request, outside 1 to 8");
/// ```
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The ClientHello had no server name (AWS IoT refuses connections without SNI).
    #[error("no SNI in the ClientHello")]
    NoServerName,
    /// The ClientHello named another endpoint.
    #[error("SNI names {0:?}, not this endpoint")]
    ServerName(String),
    /// The ClientHello offered no ALPN, or not `mqtt`.
    #[error("ALPN does not offer `mqtt`")]
    Alpn,
    /// The TLS handshake failed.
    #[error("TLS handshake failed: {0}")]
    Tls(rustls::Error),
    /// The connection failed before MQTT began.
    #[error("the transport failed: {0}")]
    Io(IoErrorKind),
    /// No TLS handshake or no CONNECT within the front's timeout.
    #[error("timed out waiting for the handshake or CONNECT")]
    Timeout,
    /// The client sent a malformed packet.
    #[error("malformed packet: {0}")]
    Malformed(DecodeError),
    /// A packet of this type where it is not allowed (anything before CONNECT, a second
    /// CONNECT).
    #[error("unexpected {0}")]
    Unexpected(PacketType),
    /// The authorizer refused the client, or its user name is not a custom-authorizer one.
    #[error("client {client_id:?}: not authorized")]
    NotAuthorized {
        /// The client identifier.
        client_id: String,
    },
    /// A CONNECT or request outside the limits (QoS 2, a topic or payload too large, too many
    /// filters, a keep-alive out of range).
    #[error("client {client_id:?}: {error}")]
    Limit {
        /// The client identifier.
        client_id: String,
        /// The limit broken.
        error: LimitError,
    },
    /// A packet larger than any the limits allow, refused before it is read.
    #[error("client {client_id:?}: packet of {len} bytes exceeds {max}")]
    PacketTooLarge {
        /// The client identifier.
        client_id: String,
        /// The packet's length.
        len: usize,
        /// The largest packet the limits allow.
        max: usize,
    },
    /// A PUBLISH or SUBSCRIBE outside the connection's policy.
    #[error("client {client_id:?}: {action} {topic:?} is outside its policy")]
    NotPermitted {
        /// The client identifier.
        client_id: String,
        /// `publish` or `subscribe`.
        action: &'static str,
        /// The topic or filter.
        topic: String,
    },
    /// The broker behind the front could not be reached.
    #[error("the broker is unreachable: {0}")]
    Broker(IoErrorKind),
}

/// An AWS-IoT-like TLS front, ready to [`bind`](Self::bind).
///
/// # Example
///
/// See the [module documentation](self).
pub struct Front {
    config: Arc<ServerConfig>,
    server_name: String,
    broker: SocketAddr,
    authorizer: Arc<dyn PolicyAuthorizer>,
    limits: Limits,
    timeout: Duration,
}

impl Front {
    /// A front for the endpoint `server_name` with the certificate `chain` (leaf first) and its
    /// `key`, forwarding to the plain MQTT broker at `broker`, admitting the clients
    /// `authorizer` accepts; [`aws::LIMITS`], and 10 s for the handshake and the CONNECT.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] with [`TlsError::Config`] when rustls refuses the certificate or key.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn new(
        server_name: impl Into<String>,
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        broker: SocketAddr,
        authorizer: impl Authorizer,
    ) -> Result<Self, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(TlsError::Config)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(TlsError::Config)?;
        config.alpn_protocols = vec![ALPN_MQTT.to_vec()];
        Ok(Self {
            config: Arc::new(config),
            server_name: server_name.into(),
            broker,
            authorizer: Arc::new(AllowAll(authorizer)),
            limits: aws::LIMITS,
            timeout: Duration::from_secs(10),
        })
    }

    /// Admits clients with `authorizer` instead of the one given to [`Front::new`], and
    /// enforces the policy it returns for each connection.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(front: iot_tls::front::Front, authorizer: impl iot_tls::front::PolicyAuthorizer) {
    /// let front = front.with_policy_authorizer(authorizer);
    /// # }
    /// ```
    #[must_use]
    pub fn with_policy_authorizer(mut self, authorizer: impl PolicyAuthorizer) -> Self {
        self.authorizer = Arc::new(authorizer);
        self
    }

    /// Enforces `limits` instead of [`aws::LIMITS`].
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(front: iot_tls::front::Front) {
    /// let front = front.with_limits(iot_tls::Limits { max_payload_len: 1024, ..iot_tls::aws::LIMITS });
    /// # }
    /// ```
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Allows `timeout` for the TLS handshake and then for the CONNECT.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # fn f(front: iot_tls::front::Front) {
    /// let front = front.with_timeout(core::time::Duration::from_secs(2));
    /// # }
    /// ```
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Listens on `address` and serves connections on the current tokio runtime until the
    /// returned [`RunningFront`] is dropped.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the address cannot be bound.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub async fn bind(self, address: SocketAddr) -> Result<RunningFront, Error> {
        let listener = TcpListener::bind(address)
            .await
            .map_err(|e| IoError::new(IoOperation::Listen, e.kind().into()))?;
        let local_addr = listener
            .local_addr()
            .map_err(|e| IoError::new(IoOperation::Listen, e.kind().into()))?;
        let (refusals, _) = broadcast::channel(64);
        let front = Arc::new(Inner {
            front: self,
            refusals: refusals.clone(),
        });
        let task = ::tokio::spawn(accept(listener, front));
        tracing::info!(%local_addr, "front listening");
        Ok(RunningFront {
            local_addr,
            refusals,
            task,
        })
    }
}

impl fmt::Debug for Front {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Front")
            .field("server_name", &self.server_name)
            .field("broker", &self.broker)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// A front serving connections; dropping it stops the front and closes its connections.
///
/// # Example
///
/// See the [module documentation](self).
#[derive(Debug)]
pub struct RunningFront {
    local_addr: SocketAddr,
    refusals: broadcast::Sender<Refusal>,
    task: JoinHandle<()>,
}

impl RunningFront {
    /// The address the front listens on.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub const fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// A receiver of every [`Refusal`] from now on (the 64 most recent, if it lags).
    ///
    /// # Example
    ///
    /// ```no_run
    /// # async fn f(front: &iot_tls::front::RunningFront) {
    /// let mut refusals = front.refusals();
    /// // ... a client breaks a limit ...
    /// let refusal = refusals.recv().await.expect("the front runs");
    /// println!("refused: {refusal}");
    /// # }
    /// ```
    pub fn refusals(&self) -> broadcast::Receiver<Refusal> {
        self.refusals.subscribe()
    }
}

impl Drop for RunningFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Inner {
    front: Front,
    refusals: broadcast::Sender<Refusal>,
}

/// Accepts connections until aborted; aborting drops the set, which aborts the connections.
async fn accept(listener: TcpListener, inner: Arc<Inner>) {
    let mut connections = JoinSet::new();
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let inner = Arc::clone(&inner);
                connections.spawn(async move {
                    if let Err(refusal) = serve(&inner, stream).await {
                        tracing::warn!(%peer, %refusal, "connection refused");
                        let _ = inner.refusals.send(refusal);
                    }
                });
            }
            Err(error) => tracing::warn!(%error, "accepting a connection failed"),
        }
        while connections.try_join_next().is_some() {}
    }
}

/// Serves one connection: TLS, CONNECT, then forwarding until either side closes.
async fn serve(inner: &Inner, mut stream: TcpStream) -> Result<(), Refusal> {
    let front = &inner.front;
    let tls = match handshake(front, &mut stream).await {
        Ok(tls) => tls,
        Err((refusal, alert)) => {
            if let Some(alert) = alert {
                // Before the ServerHello an alert travels in clear: the client learns the cause.
                let _ = stream.write_all(&fatal_alert(alert)).await;
                let _ = stream.shutdown().await;
            }
            return Err(refusal);
        }
    };
    let (mut client_rx, mut client_tx) = ::tokio::io::split(tls);

    let mut reader = PacketReader::new(max_packet_len(&front.limits));
    let first = timeout(front.timeout, reader.next(&mut client_rx, ""))
        .await
        .map_err(|_| Refusal::Timeout)??;
    let Some(first) = first else { return Ok(()) };
    // AWS IoT accepts MQTT 3.1.1 and MQTT 5 clients; the CONNECT's protocol level says which.
    let Some((connect, connect_v5)) = first_connect(first)? else {
        return Ok(());
    };
    let refuse = |code: ConnectReturnCode, reason: ReasonCode| match connect_v5 {
        Some(_) => connack_v5(reason).to_vec(),
        None => connack(code).to_vec(),
    };
    let v5 = connect_v5.is_some();
    let client_id = String::from(connect.client_id);
    let limit = |error| Refusal::Limit {
        client_id: client_id.clone(),
        error,
    };
    front
        .limits
        .check_client_id(connect.client_id)
        .map_err(limit)?;
    front
        .limits
        .check_keep_alive(connect.keep_alive)
        .map_err(limit)?;
    if let Some(will) = &connect.will {
        front.limits.check_message(will).map_err(limit)?;
    }
    let Some(policy) = authorized(front, &connect) else {
        let _ = client_tx
            .write_all(&refuse(
                ConnectReturnCode::NotAuthorized,
                ReasonCode::NOT_AUTHORIZED,
            ))
            .await;
        let _ = client_tx.shutdown().await;
        return Err(Refusal::NotAuthorized { client_id });
    };
    let mut broker = match TcpStream::connect(front.broker).await {
        Ok(broker) => broker,
        Err(error) => {
            let _ = client_tx
                .write_all(&refuse(
                    ConnectReturnCode::ServerUnavailable,
                    ReasonCode::SERVER_UNAVAILABLE,
                ))
                .await;
            return Err(Refusal::Broker(error.kind().into()));
        }
    };
    let _ = broker.set_nodelay(true);
    let encoded = forwarded_connect(connect, connect_v5)?;
    let io = |e: std::io::Error| Refusal::Io(e.kind().into());
    broker.write_all(&encoded).await.map_err(io)?;
    tracing::debug!(client_id, v5, "client admitted");
    reader.v5 = v5;

    let (mut broker_rx, mut broker_tx) = broker.into_split();
    let downstream = async {
        ::tokio::io::copy(&mut broker_rx, &mut client_tx).await?;
        client_tx.shutdown().await
    };
    let mut aliases = TopicAliases::default();
    let upstream = async {
        while let Some(packet) = reader.next(&mut client_rx, &client_id).await? {
            let read = upstream(packet, v5)?;
            check(&front.limits, &read, &client_id)?;
            permitted(&*policy, &mut aliases, &read, &client_id)?;
            broker_tx.write_all(packet).await.map_err(io)?;
        }
        Ok::<(), Refusal>(())
    };
    ::tokio::select! {
        _ = downstream => Ok(()),
        result = upstream => result,
    }
}

/// The TLS handshake as AWS IoT's custom-authorizer endpoint does it: SNI for this endpoint
/// and ALPN `mqtt`. A refusal may come with the fatal alert that names what is missing.
async fn handshake<'s>(
    front: &Front,
    stream: &'s mut TcpStream,
) -> Result<tokio_rustls::server::TlsStream<&'s mut TcpStream>, (Refusal, Option<AlertDescription>)>
{
    let acceptor = LazyConfigAcceptor::new(rustls::server::Acceptor::default(), stream);
    let start = timeout(front.timeout, acceptor)
        .await
        .map_err(|_| (Refusal::Timeout, None))?
        .map_err(|e| (handshake_refusal(&e), None))?;
    let hello = start.client_hello();
    match hello.server_name() {
        None => {
            return Err((
                Refusal::NoServerName,
                Some(AlertDescription::MissingExtension),
            ));
        }
        Some(name) if name != front.server_name => {
            let refusal = Refusal::ServerName(name.into());
            return Err((refusal, Some(AlertDescription::UnrecognisedName)));
        }
        Some(_) => {}
    }
    if !hello
        .alpn()
        .is_some_and(|mut list| list.any(|p| p == ALPN_MQTT))
    {
        return Err((Refusal::Alpn, Some(AlertDescription::NoApplicationProtocol)));
    }
    timeout(front.timeout, start.into_stream(Arc::clone(&front.config)))
        .await
        .map_err(|_| (Refusal::Timeout, None))?
        .map_err(|e| (handshake_refusal(&e), None))
}

/// The policy of the client of `connect`, if the authorizer admits it.
fn authorized(front: &Front, connect: &Connect<'_>) -> Option<Arc<dyn ConnectionPolicy>> {
    let username = match connect.username.map(Username::parse) {
        None => None,
        Some(Ok(username)) => Some(username),
        Some(Err(error)) => {
            tracing::debug!(%error, "not a custom-authorizer user name");
            return None;
        }
    };
    front.authorizer.admit(&AuthRequest {
        client_id: connect.client_id,
        username,
        password: connect.password,
        server_name: Some(&front.server_name),
    })
}

/// The topics an MQTT 5 client has named by Topic Alias on one connection, so that a PUBLISH
/// that carries only an alias is checked against the policy by its real topic.
///
/// Bounded as AWS IoT bounds it: aliases 1 to [`MAX_TOPIC_ALIASES`]; a higher alias is refused
/// (AWS IoT announces Topic Alias Maximum 8; the broker behind the front may allow more, but a
/// policy cannot be enforced on a topic the front does not know).
#[derive(Default)]
struct TopicAliases([Option<String>; MAX_TOPIC_ALIASES as usize]);

/// The highest client-to-server Topic Alias the front follows (AWS IoT's limit).
const MAX_TOPIC_ALIASES: u16 = 8;

impl TopicAliases {
    /// The topic a PUBLISH is for: its own topic (recorded under its alias, if it has one), or the
    /// topic its alias stands for. `None` for an alias out of range or never set.
    fn resolve<'t>(&'t mut self, topic: &'t str, alias: Option<u16>) -> Option<&'t str> {
        let Some(alias) = alias else {
            return Some(topic);
        };
        let slot = self.0.get_mut(usize::from(alias).checked_sub(1)?)?;
        if topic.is_empty() {
            slot.as_deref()
        } else {
            *slot = Some(topic.to_string());
            Some(topic)
        }
    }
}

/// What the front checks in a packet from the client, read once, whatever its MQTT version.
enum Upstream<'a> {
    /// A PUBLISH: its message, and the Topic Alias it carries (MQTT 5).
    Publish(Message<'a>, Option<u16>),
    /// A SUBSCRIBE's filters with their QoS.
    Subscribe(Vec<(&'a str, Qos)>),
    /// An UNSUBSCRIBE's filters.
    Unsubscribe(Vec<&'a str>),
    /// Anything else a client sends (acknowledgements, PINGREQ, DISCONNECT), or an incomplete
    /// packet.
    Other,
}

/// Reads a packet from the client, of MQTT 5 when `v5`. A packet a client never sends is
/// refused; so is MQTT 5's AUTH, as AWS IoT supports no enhanced authentication.
fn upstream(packet: &[u8], v5: bool) -> Result<Upstream<'_>, Refusal> {
    let unexpected = |packet_type| Err(Refusal::Unexpected(packet_type));
    if v5 {
        return match v5::decode(packet).map_err(Refusal::Malformed)? {
            Some((v5::Packet::Publish(publish), _)) => Ok(Upstream::Publish(
                publish.message(),
                publish.properties.topic_alias(),
            )),
            Some((v5::Packet::Subscribe(subscribe), _)) => Ok(Upstream::Subscribe(
                subscribe
                    .filters
                    .iter()
                    .map(|s| (s.filter, s.qos))
                    .collect(),
            )),
            Some((v5::Packet::Unsubscribe(unsubscribe), _)) => {
                Ok(Upstream::Unsubscribe(unsubscribe.filters.iter().collect()))
            }
            Some((
                packet @ (v5::Packet::Connect(_)
                | v5::Packet::ConnAck(_)
                | v5::Packet::SubAck(_)
                | v5::Packet::UnsubAck(_)
                | v5::Packet::PingResp(_)
                | v5::Packet::Auth(_)),
                _,
            )) => unexpected(packet.packet_type()),
            Some(_) | None => Ok(Upstream::Other),
        };
    }
    match codec::decode(packet).map_err(Refusal::Malformed)? {
        Some((Packet::Publish(publish), _)) => Ok(Upstream::Publish(publish.message(), None)),
        Some((Packet::Subscribe(subscribe), _)) => Ok(Upstream::Subscribe(
            subscribe
                .filters
                .iter()
                .map(|s| (s.filter, s.qos))
                .collect(),
        )),
        Some((Packet::Unsubscribe(unsubscribe), _)) => {
            Ok(Upstream::Unsubscribe(unsubscribe.filters.iter().collect()))
        }
        Some((
            packet @ (Packet::Connect(_)
            | Packet::ConnAck(_)
            | Packet::SubAck(_)
            | Packet::UnsubAck(_)
            | Packet::PingResp(_)),
            _,
        )) => unexpected(packet.packet_type()),
        Some(_) | None => Ok(Upstream::Other),
    }
}

/// Checks a packet from the client against its policy, Topic Aliases resolved.
fn permitted(
    policy: &dyn ConnectionPolicy,
    aliases: &mut TopicAliases,
    packet: &Upstream<'_>,
    client_id: &str,
) -> Result<(), Refusal> {
    let refuse = |action, topic: &str| Refusal::NotPermitted {
        client_id: client_id.to_string(),
        action,
        topic: topic.to_string(),
    };
    match packet {
        Upstream::Publish(message, alias) => {
            let Some(topic) = aliases.resolve(message.topic, *alias) else {
                return Err(refuse("publish to an unknown topic alias", message.topic));
            };
            if policy.may_publish(topic, message.retain) {
                Ok(())
            } else {
                Err(refuse("publish", topic))
            }
        }
        Upstream::Subscribe(filters) => filters
            .iter()
            .find(|(filter, _)| !policy.may_subscribe(filter))
            .map_or(Ok(()), |(filter, _)| Err(refuse("subscribe", filter))),
        Upstream::Unsubscribe(_) | Upstream::Other => Ok(()),
    }
}

/// Checks a packet from the client against the limits.
fn check(limits: &Limits, packet: &Upstream<'_>, client_id: &str) -> Result<(), Refusal> {
    let limit = |error| Refusal::Limit {
        client_id: client_id.to_string(),
        error,
    };
    match packet {
        Upstream::Publish(message, _) => limits.check_message(message).map_err(limit),
        Upstream::Subscribe(filters) => {
            limits.check_filter_count(filters.len()).map_err(limit)?;
            for &(filter, qos) in filters {
                limits.check_qos(qos).map_err(limit)?;
                limits.check_topic(filter).map_err(limit)?;
            }
            Ok(())
        }
        Upstream::Unsubscribe(filters) => {
            limits.check_filter_count(filters.len()).map_err(limit)?;
            filters
                .iter()
                .try_for_each(|filter| limits.check_topic(filter))
                .map_err(limit)
        }
        Upstream::Other => Ok(()),
    }
}

/// The first packet, a CONNECT of MQTT 3.1.1 or of MQTT 5; for MQTT 5 also the MQTT 3.1.1 view
/// of it that the checks and the authorizer read. `None` if the stream ended.
fn first_connect(first: &[u8]) -> Result<Option<(Connect<'_>, Option<v5::Connect<'_>>)>, Refusal> {
    match codec::decode(first) {
        Ok(Some((Packet::Connect(connect), _))) => Ok(Some((connect, None))),
        Ok(Some((other, _))) => Err(Refusal::Unexpected(other.packet_type())),
        Ok(None) => Ok(None),
        Err(e) if e.kind() == DecodeErrorKind::ProtocolLevel(v5::PROTOCOL_LEVEL) => {
            match v5::decode(first).map_err(Refusal::Malformed)? {
                Some((v5::Packet::Connect(c), _)) => Ok(Some((
                    Connect {
                        client_id: c.client_id,
                        keep_alive: c.keep_alive,
                        clean_session: c.clean_start,
                        will: c.will.map(|w| w.message),
                        username: c.username,
                        password: c.password,
                    },
                    Some(c),
                ))),
                Some((other, _)) => Err(Refusal::Unexpected(other.packet_type())),
                None => Ok(None),
            }
        }
        Err(e) => Err(Refusal::Malformed(e)),
    }
}

/// The CONNECT for the broker: the client's, of its version, without the credentials (they stay
/// at the front, as with AWS IoT's authorizer).
fn forwarded_connect(
    connect: Connect<'_>,
    connect_v5: Option<v5::Connect<'_>>,
) -> Result<Vec<u8>, Refusal> {
    let encoded = if let Some(connect) = connect_v5 {
        let packet = v5::Packet::Connect(v5::Connect {
            username: None,
            password: None,
            ..connect
        });
        let mut encoded = vec![0; packet.encoded_len()];
        packet.encode(&mut encoded).map(|_| encoded)
    } else {
        let packet = Packet::Connect(Connect {
            username: None,
            password: None,
            ..connect
        });
        let mut encoded = vec![0; packet.encoded_len()];
        packet.encode(&mut encoded).map(|_| encoded)
    };
    encoded.map_err(|_| Refusal::Unexpected(PacketType::Connect))
}

/// An MQTT 5 CONNACK without session with `reason` and no properties.
fn connack_v5(reason: ReasonCode) -> [u8; 5] {
    [0x20, 0x03, 0x00, reason.as_u8(), 0x00]
}

/// A CONNACK without session with `code`.
fn connack(code: ConnectReturnCode) -> [u8; 4] {
    [0x20, 0x02, 0x00, code.as_u8()]
}

/// A fatal TLS alert record in clear (TLS 1.2 record version, as before the ServerHello).
fn fatal_alert(alert: AlertDescription) -> [u8; 7] {
    const ALERT: u8 = 21;
    const FATAL: u8 = 2;
    [ALERT, 3, 3, 0, 2, FATAL, u8::from(alert)]
}

/// The largest packet the limits allow: a PUBLISH with the longest topic (and the Basic Ingest
/// prefix) and the largest payload.
fn max_packet_len(limits: &Limits) -> usize {
    const BASIC_INGEST_ALLOWANCE: usize = 128;
    codec::MAX_HEADER_LEN
        + 2
        + limits.max_topic_len
        + BASIC_INGEST_ALLOWANCE
        + 2
        + limits.max_payload_len
}

/// The refusal for a failed TLS handshake.
fn handshake_refusal(error: &std::io::Error) -> Refusal {
    match error
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    {
        Some(tls) => Refusal::Tls(tls.clone()),
        None => Refusal::Io(error.kind().into()),
    }
}

/// Reads whole MQTT packets from a stream, refusing any over the limit before reading it.
struct PacketReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    max: usize,
    /// The client speaks MQTT 5 (AUTH is a packet type).
    v5: bool,
}

impl PacketReader {
    fn new(max: usize) -> Self {
        Self {
            buf: vec![0; 4096],
            start: 0,
            end: 0,
            max,
            v5: false,
        }
    }

    /// The next whole packet, or `None` when the stream ends.
    async fn next(
        &mut self,
        io: &mut (impl AsyncRead + Unpin),
        client_id: &str,
    ) -> Result<Option<&[u8]>, Refusal> {
        loop {
            let unread = &self.buf[self.start..self.end];
            let header = if self.v5 {
                v5::frame(unread)
            } else {
                codec::frame(unread)
            };
            if let Some(header) = header.map_err(Refusal::Malformed)? {
                let len = header.packet_len();
                if len > self.max {
                    return Err(Refusal::PacketTooLarge {
                        client_id: client_id.to_string(),
                        len,
                        max: self.max,
                    });
                }
                if unread.len() >= len {
                    let packet = self.start..self.start + len;
                    self.start += len;
                    return Ok(Some(&self.buf[packet]));
                }
                if self.buf.len() - self.start < len {
                    self.compact();
                    if self.buf.len() < len {
                        self.buf.resize(len, 0);
                    }
                }
            }
            if self.end == self.buf.len() {
                self.compact();
            }
            let n = io
                .read(&mut self.buf[self.end..])
                .await
                .map_err(|e| Refusal::Io(e.kind().into()))?;
            if n == 0 {
                return Ok(None);
            }
            self.end += n;
        }
    }

    fn compact(&mut self) {
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::{ConnectionPolicy, Refusal, TopicAliases, permitted, upstream};
    use crate::codec::PacketType;
    use crate::codec::v5::{Packet, Property, PropertyBuilder, Publish};
    use std::vec::Vec;

    /// Publishes under `dev/a/` only.
    struct Own;

    impl ConnectionPolicy for Own {
        fn may_publish(&self, topic: &str, _retain: bool) -> bool {
            topic.starts_with("dev/a/")
        }

        fn may_subscribe(&self, filter: &str) -> bool {
            filter.starts_with("dev/a/")
        }
    }

    /// An MQTT 5 PUBLISH to `topic` (empty for an alias alone) with an optional Topic Alias.
    fn publish(topic: &str, alias: Option<u16>) -> Vec<u8> {
        let mut props = [0u8; 8];
        let mut builder = PropertyBuilder::new(&mut props, PacketType::Publish);
        if let Some(alias) = alias {
            builder.push(Property::TopicAlias(alias)).unwrap();
        }
        let packet = Packet::Publish(Publish::new(topic, b"1").with_properties(builder.finish()));
        let mut buf = std::vec![0; packet.encoded_len()];
        packet.encode(&mut buf).unwrap();
        buf
    }

    fn check(aliases: &mut TopicAliases, packet: &[u8]) -> Result<(), &'static str> {
        let packet = upstream(packet, true).unwrap();
        permitted(&Own, aliases, &packet, "a").map_err(|refusal| match refusal {
            Refusal::NotPermitted { action, .. } => action,
            other => panic!("unexpected refusal {other:?}"),
        })
    }

    #[test]
    fn a_topic_alias_is_checked_by_the_topic_it_stands_for() {
        let mut aliases = TopicAliases::default();
        // set alias 1 to an allowed topic, then use it alone
        assert_eq!(
            check(&mut aliases, &publish("dev/a/state", Some(1))),
            Ok(())
        );
        assert_eq!(check(&mut aliases, &publish("", Some(1))), Ok(()));
        // re-pointing alias 1 outside the policy is refused, and so is every later use of it
        assert_eq!(
            check(&mut aliases, &publish("dev/b/state", Some(1))),
            Err("publish")
        );
        assert_eq!(check(&mut aliases, &publish("", Some(1))), Err("publish"));
        // an alias never set, or above AWS IoT's maximum, has no topic the policy could allow
        assert_eq!(
            check(&mut aliases, &publish("", Some(2))),
            Err("publish to an unknown topic alias")
        );
        assert_eq!(
            check(&mut aliases, &publish("dev/a/state", Some(9))),
            Err("publish to an unknown topic alias")
        );
        assert_eq!(check(&mut aliases, &publish("dev/a/x", None)), Ok(()));
    }
}

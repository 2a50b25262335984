//! The connection's task: connects, pumps the [`Connection`] between the socket, the timers and
//! the handles' queues, and reconnects.

use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec;
use alloc::vec::Vec;
use core::future::Future;
use core::pin::pin;
use core::sync::atomic::Ordering;
use core::time::Duration;
use std::hash::{BuildHasher as _, Hasher as _, RandomState};

use ::tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use ::tokio::net::{TcpStream, lookup_host};
use ::tokio::sync::mpsc;
use ::tokio::time::{sleep_until, timeout};
use bytes::Bytes;

use super::{Event, Message, MessageProperties, Options, Queued, Request, SLOTS, Shared, queue};
use crate::Instant;
use crate::codec::v5::Properties;
use crate::codec::{self, Subscription};
use crate::connection::Connection;
use crate::error::{Error, IoError, IoErrorKind, IoOperation, SessionError};
use crate::session::{self, Buffers, DisconnectReason, MIN_RX_LEN, Protocol, Session};
#[cfg(feature = "rustls")]
use crate::tls::{RecordBuffer, TlsError};

/// Checks `options` as the task will use them; returns the store bytes left for requests.
pub(super) fn check(options: &Options) -> Result<usize, Error> {
    let config = options.session_config();
    config.validate()?;
    let connect = config.connect_packet();
    let connect_len = codec::encoded_len(&connect);
    codec::encode(&connect, &mut vec![0; connect_len])?;
    if options.store_len < connect_len {
        return Err(SessionError::BufferTooSmall {
            buffer: "store",
            needed: connect_len,
            capacity: options.store_len,
        }
        .into());
    }
    if options.rx_len < MIN_RX_LEN {
        return Err(SessionError::BufferTooSmall {
            buffer: "receive",
            needed: MIN_RX_LEN,
            capacity: options.rx_len,
        }
        .into());
    }
    #[cfg(feature = "rustls")]
    if let Some(tls) = &options.tls
        && options.tx_len < tls.max_outgoing_record()
    {
        return Err(TlsError::TransmitBufferTooSmall {
            required: tls.max_outgoing_record(),
            available: options.tx_len,
        }
        .into());
    }
    if options.tx_len == 0 {
        return Err(SessionError::BufferTooSmall {
            buffer: "transmit",
            needed: 1,
            capacity: 0,
        }
        .into());
    }
    Ok(options.store_len - connect_len)
}

/// The task: owns the buffers and the connection until it stops.
pub(super) async fn run(
    options: Options,
    requests: mpsc::Receiver<Request>,
    events: queue::Sender<Queued>,
    shared: Arc<Shared>,
) {
    let mut rx = vec![0; options.rx_len];
    let mut store = vec![0; options.store_len];
    let mut tx = vec![0; options.tx_len];
    let pending = match connection(&options, &mut rx, &mut store, &mut tx) {
        Ok(conn) => {
            let mut driver = Driver {
                conn,
                requests,
                events,
                shared: &shared,
                outbox: Outbox::default(),
                stalled: None,
                clock: Clock::new(),
                scratch: Vec::new(),
                attempt: 0,
                stopping: false,
            };
            driver.run(&options).await;
            (driver.outbox.pending, driver.events)
        }
        Err(error) => {
            tracing::error!(%error, "the connection could not be set up");
            (VecDeque::new(), events)
        }
    };
    shared.connected.store(false, Ordering::Relaxed);
    shared.stopped.send_replace(true);
    // What was received before the end still reaches a consumer that is reading.
    let (pending, events) = pending;
    for event in pending {
        if events.send(event.into()).await.is_err() {
            break;
        }
    }
}

/// The connection over the task's buffers.
fn connection<'b>(
    options: &'b Options,
    rx: &'b mut [u8],
    store: &'b mut [u8],
    tx: &'b mut [u8],
) -> Result<Connection<'b, SLOTS>, Error> {
    let session = Session::new(options.session_config(), Buffers::new(rx, store))?;
    #[cfg(feature = "rustls")]
    if let Some(tls) = &options.tls {
        return Connection::tls(session, tls, RecordBuffer::new(options.record_policy), tx);
    }
    Ok(Connection::plain(session, tx))
}

/// The monotonic clock, as the session's [`Instant`].
struct Clock(::tokio::time::Instant);

impl Clock {
    fn new() -> Self {
        Self(::tokio::time::Instant::now())
    }

    fn now(&self) -> Instant {
        Instant::from_millis(u64::try_from(self.0.elapsed().as_millis()).unwrap_or(u64::MAX))
    }

    fn at(&self, instant: Instant) -> ::tokio::time::Instant {
        self.0 + Duration::from_millis(instant.as_millis())
    }
}

/// Events on their way to [`Events`](super::Events), and what the task learns from them.
#[derive(Default)]
struct Outbox {
    pending: VecDeque<Event>,
    /// Why the session ended the current connection.
    reason: Option<DisconnectReason>,
    /// The broker accepted the connection during the last poll.
    connected: bool,
}

impl Outbox {
    /// Takes one event from the connection.
    fn take(&mut self, event: session::Event<'_>, shared: &Shared) {
        let event = match event {
            session::Event::Connected { session_present } => {
                self.connected = true;
                shared.connected.store(true, Ordering::Relaxed);
                Event::Connected { session_present }
            }
            session::Event::Message(publish) => Event::Message(Message {
                topic: publish.topic.into(),
                payload: Bytes::copy_from_slice(publish.payload),
                qos: publish.qos,
                retain: publish.retain,
                dup: publish.dup,
                properties: None,
            }),
            session::Event::Published(_) => {
                shared.acknowledged.send_modify(|n| *n += 1);
                return;
            }
            session::Event::Subscribed { codes, .. } => Event::Subscribed {
                codes: codes.iter().collect(),
            },
            session::Event::Unsubscribed(_) => Event::Unsubscribed,
            session::Event::MessageV5(publish) => Event::Message(Message {
                topic: publish.topic.into(),
                payload: Bytes::copy_from_slice(publish.payload),
                qos: publish.qos,
                retain: publish.retain,
                dup: publish.dup,
                properties: MessageProperties::from_received(&publish.properties),
            }),
            session::Event::SubscribedV5 { codes, .. } => Event::Subscribed {
                codes: codes
                    .iter()
                    .map(|code| codec::SubAckCode::from_u8(code.as_u8()))
                    .collect(),
            },
            session::Event::PublishRefused {
                packet_id,
                reason,
                properties,
            } => {
                shared.acknowledged.send_modify(|n| *n += 1);
                tracing::warn!(%packet_id, %reason, "the server refused a message");
                Event::PublishRefused {
                    reason,
                    reason_string: properties.reason_string().map(Into::into),
                }
            }
            session::Event::ServerDisconnect { reason, properties } => {
                tracing::warn!(
                    %reason,
                    reason_string = properties.reason_string(),
                    server_reference = properties.server_reference(),
                    "the server ended the connection"
                );
                return;
            }
            session::Event::Oversized {
                topic,
                qos,
                len,
                capacity,
            } => {
                tracing::warn!(
                    topic,
                    len,
                    capacity,
                    "message larger than the receive buffer, skipped"
                );
                Event::Oversized {
                    topic: topic.map(Into::into),
                    qos,
                    len,
                    capacity,
                }
            }
            session::Event::UnexpectedAck {
                packet_type,
                packet_id,
            } => {
                tracing::debug!(%packet_type, %packet_id, "acknowledgement for nothing in flight, ignored");
                return;
            }
            session::Event::Disconnected(reason) => {
                shared.connected.store(false, Ordering::Relaxed);
                self.reason = Some(reason);
                return;
            }
        };
        self.pending.push_back(event);
    }

    /// Sends the oldest pending event, once `room` says the queue has room for it.
    fn deliver(&mut self, room: bool, events: &queue::Sender<Queued>) {
        if !room {
            // Nobody listens any more: events are dropped from now on.
            self.pending.clear();
            return;
        }
        if let Some(event) = self.pending.pop_front()
            && let Err(event) = events.push(event.into())
        {
            // Only this task pushes, so the room is still there; keep the order regardless.
            self.pending.push_front(event.into());
        }
    }
}

/// What woke the task.
enum Wake {
    Stop,
    Read(std::io::Result<usize>),
    /// An event went to the consumer.
    Delivered,
    Request(Option<Request>),
    Timer,
}

struct Driver<'b, 's> {
    conn: Connection<'b, SLOTS>,
    requests: mpsc::Receiver<Request>,
    events: queue::Sender<Queued>,
    shared: &'s Shared,
    outbox: Outbox,
    /// A request the session had no room for; the queue is not read until it fits.
    stalled: Option<Request>,
    clock: Clock,
    /// Where an outgoing message's MQTT 5 properties are encoded.
    scratch: Vec<u8>,
    /// Connection attempts since the broker last accepted one.
    attempt: u32,
    stopping: bool,
}

impl Driver<'_, '_> {
    /// Connects, serves and reconnects until stopped.
    async fn run(&mut self, options: &Options) {
        let mut delay = None;
        loop {
            if let Some(delay) = delay.take() {
                let until = ::tokio::time::Instant::now() + delay;
                if self
                    .serve_requests_while(sleep_until(until))
                    .await
                    .is_none()
                {
                    break;
                }
            }
            if self.stopping {
                break;
            }
            self.attempt = self.attempt.saturating_add(1);
            tracing::debug!(host = %options.host, port = options.port, attempt = self.attempt, "connecting");
            let opened = self.serve_requests_while(connect_tcp(options)).await;
            let error = match opened {
                None => break,
                Some(Ok(stream)) => self.serve(stream, options).await,
                Some(Err(error)) => Some(error),
            };
            let reason = self
                .outbox
                .reason
                .take()
                .unwrap_or(DisconnectReason::TransportClosed);
            let retry_in = (!self.stopping).then(|| options.backoff.delay(self.attempt, random()));
            match (&error, retry_in) {
                (Some(error), Some(retry_in)) => {
                    tracing::warn!(%reason, %error, ?retry_in, "connection ended; reconnecting");
                }
                (None, Some(retry_in)) => {
                    tracing::info!(%reason, ?retry_in, "connection ended; reconnecting");
                }
                (_, None) => tracing::info!(%reason, "connection ended; the client stops"),
            }
            self.outbox.pending.push_back(Event::Disconnected {
                reason,
                error,
                retry_in,
            });
            if self.stopping {
                break;
            }
            delay = retry_in;
        }
    }

    /// Awaits `future` while taking requests and passing events on; `None` when the client is
    /// told to stop first.
    async fn serve_requests_while<F: Future>(&mut self, future: F) -> Option<F::Output> {
        let mut future = pin!(future);
        loop {
            self.retry_stalled();
            let Self {
                requests,
                events,
                shared,
                outbox,
                stalled,
                stopping,
                ..
            } = self;
            let wake = ::tokio::select! {
                biased;
                () = shared.stop.notified(), if !*stopping => Wake::Stop,
                room = events.room(), if !outbox.pending.is_empty() => {
                    outbox.deliver(room, events);
                    Wake::Delivered
                }
                request = requests.recv(), if stalled.is_none() => Wake::Request(request),
                output = &mut future => return Some(output),
            };
            match wake {
                Wake::Stop | Wake::Request(None) => {
                    self.stopping = true;
                    return None;
                }
                Wake::Request(Some(request)) => self.accept(request),
                Wake::Read(_) | Wake::Delivered | Wake::Timer => {}
            }
        }
    }

    /// Runs one connection over `stream` until it ends; returns the transport's error, if any.
    async fn serve(&mut self, mut stream: TcpStream, options: &Options) -> Option<Error> {
        if let Err(error) = self.conn.connect(self.clock.now()) {
            return Some(error);
        }
        let (mut reader, mut writer) = stream.split();
        loop {
            // Everything that is due goes out first.
            loop {
                let Self {
                    conn,
                    shared,
                    outbox,
                    clock,
                    ..
                } = self;
                let output = conn.pump(clock.now(), &mut |event| {
                    outbox.take(event, shared);
                });
                let bytes = match output {
                    Err(error) => return Some(error),
                    Ok(None) => break,
                    Ok(Some(bytes)) => bytes,
                };
                match timeout(options.ping_timeout, writer.write(bytes)).await {
                    Ok(Ok(n)) if n > 0 => conn.handle_transmitted(n),
                    Ok(Ok(_)) => {
                        return Some(
                            self.transport_failed(IoOperation::Write, IoErrorKind::WriteZero),
                        );
                    }
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "writing to the broker failed");
                        return Some(
                            self.transport_failed(IoOperation::Write, error.kind().into()),
                        );
                    }
                    Err(_) => {
                        return Some(
                            self.transport_failed(IoOperation::Write, IoErrorKind::TimedOut),
                        );
                    }
                }
            }
            if core::mem::take(&mut self.outbox.connected) {
                self.attempt = 0;
                let session = self.conn.session();
                self.shared
                    .set_server(session.server_limits(), session.assigned_client_id());
                self.log_connected();
            }
            if !self.conn.is_open() {
                return None;
            }
            if self.retry_stalled() {
                continue;
            }

            let reading = self.outbox.pending.is_empty();
            if reading && let Err(error) = self.conn.receive_buffer().map(|_| ()) {
                self.drain();
                return Some(error);
            }
            let deadline = self.conn.poll_timeout().map(|due| self.clock.at(due));
            let Self {
                conn,
                requests,
                events,
                shared,
                outbox,
                stalled,
                stopping,
                ..
            } = self;
            let space: &mut [u8] = if reading {
                conn.receive_buffer().unwrap_or_default()
            } else {
                &mut []
            };
            let wake = ::tokio::select! {
                biased;
                () = shared.stop.notified(), if !*stopping => Wake::Stop,
                read = reader.read(space), if reading => Wake::Read(read),
                room = events.room(), if !outbox.pending.is_empty() => {
                    outbox.deliver(room, events);
                    Wake::Delivered
                }
                request = requests.recv(), if stalled.is_none() && !*stopping => Wake::Request(request),
                () = sleep_until(deadline.unwrap_or_else(far_future)), if deadline.is_some() => Wake::Timer,
            };
            match wake {
                Wake::Stop | Wake::Request(None) => self.stop(),
                Wake::Read(Ok(n)) => self.conn.handle_received(self.clock.now(), n),
                Wake::Read(Err(error)) => {
                    tracing::warn!(%error, "reading from the broker failed");
                    return Some(self.transport_failed(IoOperation::Read, error.kind().into()));
                }
                Wake::Delivered => {}
                Wake::Request(Some(request)) => self.accept(request),
                Wake::Timer => self.conn.handle_timeout(self.clock.now()),
            }
        }
    }

    /// Ends the connection after a socket failure and returns the error.
    fn transport_failed(&mut self, operation: IoOperation, kind: IoErrorKind) -> Error {
        self.conn.handle_closed(self.clock.now());
        self.drain();
        IoError::new(operation, kind).into()
    }

    /// Passes on the events a closed connection still has (its `Disconnected`).
    fn drain(&mut self) {
        let Self {
            conn,
            shared,
            outbox,
            ..
        } = self;
        conn.poll_events(&mut |event| outbox.take(event, shared));
    }

    /// The client is to stop: queued requests go to the session, then DISCONNECT.
    fn stop(&mut self) {
        self.stopping = true;
        while self.stalled.is_none()
            && let Ok(request) = self.requests.try_recv()
        {
            self.accept(request);
        }
        self.conn.session_mut().disconnect();
    }

    /// Tries the stalled request again; returns whether the session took it.
    fn retry_stalled(&mut self) -> bool {
        match self.stalled.take() {
            Some(request) => {
                self.accept(request);
                self.stalled.is_none()
            }
            None => false,
        }
    }

    /// Passes a request to the session, or keeps it when the session is full.
    fn accept(&mut self, request: Request) {
        let session = self.conn.session_mut();
        let result = match &request {
            Request::Publish(message) => match &message.properties {
                None => session
                    .publish(message.as_codec())
                    .map(|_| ())
                    .map_err(Error::from),
                Some(properties) => properties.encode(&mut self.scratch).and_then(|properties| {
                    session
                        .publish_with(message.as_codec(), properties)
                        .map(|_| ())
                        .map_err(Error::from)
                }),
            },
            Request::Subscribe(filters) if session.config().protocol() == Protocol::V5 => {
                let filters: Vec<_> = filters.iter().map(super::Filter::as_v5).collect();
                session
                    .subscribe_with(&filters, Properties::EMPTY)
                    .map(|_| ())
                    .map_err(Error::from)
            }
            Request::Subscribe(filters) => {
                let filters: Vec<_> = filters
                    .iter()
                    .map(|f| Subscription::new(&f.filter, f.options.qos))
                    .collect();
                session.subscribe(&filters).map(|_| ()).map_err(Error::from)
            }
            Request::Unsubscribe(filters) => {
                let filters: Vec<&str> = filters.iter().map(AsRef::as_ref).collect();
                session
                    .unsubscribe(&filters)
                    .map(|_| ())
                    .map_err(Error::from)
            }
        };
        match result {
            Ok(()) => {}
            Err(error) if error.is_full() => self.stalled = Some(request),
            Err(error) => {
                // The handles check what the session checks, so this is not expected.
                tracing::error!(%error, ?request, "request refused by the session, dropped");
                if let Request::Publish(message) = &request
                    && message.qos == codec::Qos::AtLeastOnce
                {
                    self.shared.acknowledged.send_modify(|n| *n += 1);
                }
            }
        }
    }

    fn log_connected(&self) {
        #[cfg(feature = "rustls")]
        if let Some(tls) = self.conn.tls_client() {
            tracing::info!(
                version = ?tls.protocol_version(),
                suite = ?tls.cipher_suite(),
                alpn = ?tls.alpn_protocol().map(alloc::string::String::from_utf8_lossy),
                "connected over TLS"
            );
            return;
        }
        tracing::info!("connected");
    }
}

/// Resolves the broker's name and opens a TCP connection to the first address that answers,
/// within the connect timeout.
async fn connect_tcp(options: &Options) -> Result<TcpStream, Error> {
    let deadline = ::tokio::time::Instant::now() + options.connect_timeout;
    let resolving = lookup_host((options.host.as_str(), options.port));
    let addresses = match ::tokio::time::timeout_at(deadline, resolving).await {
        Ok(Ok(addresses)) => addresses,
        Ok(Err(error)) => {
            tracing::warn!(host = %options.host, %error, "resolving the broker's name failed");
            return Err(IoError::new(IoOperation::Resolve, error.kind().into()).into());
        }
        Err(_) => return Err(IoError::new(IoOperation::Resolve, IoErrorKind::TimedOut).into()),
    };
    let mut kind = IoErrorKind::NotFound;
    for address in addresses {
        match ::tokio::time::timeout_at(deadline, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => {
                // Latency matters more than packet count: the connection batches its writes.
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Ok(Err(error)) => {
                tracing::warn!(%address, %error, "connecting to the broker failed");
                kind = error.kind().into();
            }
            Err(_) => {
                tracing::warn!(%address, "connecting to the broker timed out");
                kind = IoErrorKind::TimedOut;
                break;
            }
        }
    }
    Err(IoError::new(IoOperation::Connect, kind).into())
}

/// A time no timer reaches.
fn far_future() -> ::tokio::time::Instant {
    ::tokio::time::Instant::now() + Duration::from_hours(24 * 365)
}

/// A uniformly random number for the backoff's jitter.
fn random() -> u32 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos()),
    );
    let bits = hasher.finish();
    let folded = bits ^ (bits >> 32);
    u32::try_from(folded & u64::from(u32::MAX)).unwrap_or_default()
}

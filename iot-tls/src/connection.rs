//! [`Connection`]: the MQTT [`Session`] over its transport security, plain or TLS, without I/O.
//!
//! The drivers ([`blocking`](crate::blocking), `asynch`, `tokio`) are thin loops around this
//! type, in the shape of quinn's drivers around `quinn-proto`: they move bytes between a socket
//! and the connection and pass time in; everything else happens here.
//!
//! | call | what the driver does |
//! |---|---|
//! | [`connect`](Connection::connect) | a transport (TCP socket) was opened |
//! | [`receive_buffer`](Connection::receive_buffer) | read the socket into it, then [`handle_received`](Connection::handle_received) (0 for end of stream) |
//! | [`process_input`](Connection::process_input) | decrypt and decode what was received; each event goes to a callback |
//! | [`poll_transmit`](Connection::poll_transmit) | write the returned bytes to the socket, then [`handle_transmitted`](Connection::handle_transmitted); `None` when there is nothing to write |
//! | [`poll_timeout`](Connection::poll_timeout) | when to call [`handle_timeout`](Connection::handle_timeout) |
//! | [`poll_events`](Connection::poll_events) | after a failure: pass on the session's last events (its `Disconnected`) |
//! | [`is_open`](Connection::is_open) | once `false`, close the socket; reconnect after [`Session::reconnect_delay`] |
//!
//! A driver alternates [`process_input`](Connection::process_input) and
//! [`poll_transmit`](Connection::poll_transmit) until the latter returns `None`, then waits for
//! the socket or the timer. Input needs output to make progress at times (the TLS handshake's
//! answers, the acknowledgements the session must send before it takes more messages), which
//! is why the two alternate.
//!
//! Events come out of [`process_input`](Connection::process_input) through a callback, as
//! they are decoded: a received message borrows the session's receive buffer, which is decoded
//! in place, so it is valid only during the call.
//!
//! # Memory
//!
//! Besides the session's buffers, a connection holds the caller's transmit buffer `tx` (what
//! the socket is given). Over TLS it also holds the [`TlsClient`] with its receive buffer, and a
//! staging buffer of one record's plaintext for the MQTT bytes to encrypt
//! ([`TlsConfig::max_outgoing_record`] bytes). When the session cannot take decrypted bytes
//! until its acknowledgements are sent, they wait in a spill buffer that never holds more than
//! the TLS receive buffer held; it is empty and unallocated otherwise.
//!
//! # Example
//!
//! A plain connection, with the broker's side played by hand:
//!
//! ```
//! use iot_tls::connection::Connection;
//! use iot_tls::session::{Buffers, Config, Event, Session};
//! use iot_tls::Instant;
//!
//! let (mut rx, mut store, mut tx) = ([0u8; 512], [0u8; 1024], [0u8; 512]);
//! let session: Session<'_> = Session::new(Config::new("dev-1"), Buffers::new(&mut rx, &mut store))?;
//! let mut conn = Connection::plain(session, &mut tx);
//! let now = Instant::from_millis(0);
//!
//! conn.connect(now)?; // the TCP socket is open
//! let connect = conn.poll_transmit(now)?.expect("CONNECT");
//! assert_eq!(connect[0], 0x10);
//! let n = connect.len(); // written to the socket
//! conn.handle_transmitted(n);
//!
//! let space = conn.receive_buffer()?; // read from the socket: the broker's CONNACK
//! space[..4].copy_from_slice(&[0x20, 0x02, 0x00, 0x00]);
//! conn.handle_received(now, 4);
//! let mut connected = false;
//! conn.process_input(now, &mut |event| {
//!     connected |= matches!(event, Event::Connected { .. });
//! })?;
//! assert!(connected);
//! assert!(conn.poll_transmit(now)?.is_none(), "nothing more to send");
//! # Ok::<(), iot_tls::Error>(())
//! ```

use core::marker::PhantomData;
use core::ops::Range;

#[cfg(feature = "rustls")]
use alloc::vec::Vec;

use crate::Instant;
use crate::error::Error;
use crate::session::{Event, Session, State};
#[cfg(feature = "rustls")]
use crate::tls::{RecordBuffer, TlsClient, TlsConfig, TlsError, TlsEvent};

/// An MQTT session over a transport that is plain or TLS, driven without I/O.
///
/// The session persists across transports: call [`connect`](Self::connect) for each new
/// socket; queued and unacknowledged requests carry over (see [`Session`]).
///
/// # Example
///
/// See the [module documentation](self).
pub struct Connection<'a, const N: usize = 8> {
    session: Session<'a, N>,
    layer: Layer<'a>,
    tx: &'a mut [u8],
    /// `tx[out]` waits to be written to the socket.
    out: Range<usize>,
    /// A transport is open and not yet to be closed.
    open: bool,
    /// The last time a caller passed in, for state changes made without one.
    now: Instant,
}

/// What sits between the socket and the session.
#[cfg_attr(
    feature = "rustls",
    expect(
        clippy::large_enum_variant,
        reason = "one connection per client, long-lived; boxing would add an allocation"
    )
)]
enum Layer<'a> {
    /// MQTT bytes go to the socket as they are.
    Plain(PhantomData<&'a ()>),
    /// MQTT bytes are encrypted and decrypted by a TLS client.
    #[cfg(feature = "rustls")]
    Tls(Tls<'a>),
}

/// The TLS side of a connection.
#[cfg(feature = "rustls")]
struct Tls<'a> {
    config: TlsConfig,
    client: TlsClient<'a>,
    /// The client has been used by a connection and needs a restart before the next.
    used: bool,
    /// The handshake is complete on the current connection.
    handshaken: bool,
    /// MQTT bytes from the session, waiting to be encrypted: `plain[..plain_len]`.
    plain: Vec<u8>,
    plain_len: usize,
    /// Decrypted bytes the session could not take yet: `spill[spill_start..]`.
    spill: Vec<u8>,
    spill_start: usize,
}

/// What one step of the layer produced.
#[derive(Clone, Copy)]
enum Output {
    /// `tx[..n]` is to be written.
    Bytes(usize),
    /// The transport is to be closed after `tx[..n]` is written (`n` may be 0).
    Close(usize),
    /// Nothing to write: wait for input or time.
    Idle,
}

impl<'a, const N: usize> Connection<'a, N> {
    /// A connection that sends MQTT as it is (plain TCP, or a transport that secures itself);
    /// no heap is used.
    ///
    /// `tx` is where bytes for the socket are assembled: any length of at least one byte;
    /// larger buffers mean fewer, larger writes.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn plain(session: Session<'a, N>, tx: &'a mut [u8]) -> Self {
        Self {
            session,
            layer: Layer::Plain(PhantomData),
            tx,
            out: 0..0,
            open: false,
            now: Instant::from_millis(0),
        }
    }

    /// A connection that runs MQTT inside TLS configured by `config`, receiving records into
    /// `rx`.
    ///
    /// `tx` receives TLS records for the socket; it must hold at least
    /// [`TlsConfig::max_outgoing_record`] bytes (1 KiB by default), and a multiple of it lets
    /// one write carry several records. A staging buffer of that size is allocated for the
    /// MQTT bytes to encrypt.
    ///
    /// # Errors
    ///
    /// - [`Error::Tls`] with [`TlsError::TransmitBufferTooSmall`] when `tx` is too short, or
    ///   the error of [`TlsClient::with_buffer`];
    /// - [`Error::Tls`] with [`TlsError::OutOfMemory`] when the staging buffer cannot be
    ///   allocated.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// use iot_tls::connection::Connection;
    /// use iot_tls::session::{Buffers, Session};
    /// use iot_tls::tls::{Alpn, RecordBuffer, TlsConfig, TrustAnchors};
    ///
    /// let tls = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot())
    ///     .alpn(Alpn::for_aws(443, false))
    ///     .build()?;
    /// let (mut rx, mut store) = ([0u8; 2048], [0u8; 4096]);
    /// let session: Session<'_> = Session::new(
    ///     iot_tls::aws::config("kitchen-hub"),
    ///     Buffers::new(&mut rx, &mut store),
    /// )?;
    /// let mut tx = vec![0; tls.max_outgoing_record()];
    /// let conn = Connection::tls(session, &tls, RecordBuffer::default(), &mut tx)?;
    /// assert!(!conn.is_open());
    /// # }
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn tls(
        session: Session<'a, N>,
        config: &TlsConfig,
        rx: RecordBuffer<'a>,
        tx: &'a mut [u8],
    ) -> Result<Self, Error> {
        let record = config.max_outgoing_record();
        if tx.len() < record {
            return Err(TlsError::TransmitBufferTooSmall {
                required: record,
                available: tx.len(),
            }
            .into());
        }
        let mut plain = Vec::new();
        plain
            .try_reserve_exact(record)
            .map_err(|_| TlsError::OutOfMemory { requested: record })?;
        plain.resize(record, 0);
        Ok(Self {
            session,
            layer: Layer::Tls(Tls {
                config: config.clone(),
                client: TlsClient::with_buffer(config, rx)?,
                used: false,
                handshaken: false,
                plain,
                plain_len: 0,
                spill: Vec::new(),
                spill_start: 0,
            }),
            tx,
            out: 0..0,
            open: false,
            now: Instant::from_millis(0),
        })
    }

    /// Starts a connection over a transport the driver has just opened: the TLS handshake (if
    /// any, its ClientHello is the first output of [`poll_transmit`](Self::poll_transmit)),
    /// then MQTT's CONNECT. An open connection is closed first.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] when a new TLS connection cannot be started (the random source failed).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn connect(&mut self, now: Instant) -> Result<(), Error> {
        self.now = now;
        if self.open {
            self.handle_closed(now);
        }
        self.out = 0..0;
        #[cfg(feature = "rustls")]
        if let Layer::Tls(tls) = &mut self.layer {
            if tls.used {
                tls.client.restart(&tls.config)?;
            }
            tls.used = true;
            tls.handshaken = false;
            tls.plain_len = 0;
            tls.spill = Vec::new();
            tls.spill_start = 0;
            // The ClientHello; the rest of the handshake answers what the server sends.
            if let TlsEvent::Transmit(n) = tls.client.process(self.tx)? {
                self.out = 0..n;
            }
        }
        self.open = true;
        // The session's CONNACK timeout runs from here, so it covers the TLS handshake.
        self.session.connect(now);
        Ok(())
    }

    /// Takes in what was received: decrypts TLS records (and answers the TLS handshake),
    /// decodes MQTT packets, updates the session and passes each [`Event`] to `on_event` as it
    /// is decoded. Produces no MQTT output; TLS handshake answers wait for
    /// [`poll_transmit`](Self::poll_transmit).
    ///
    /// Call it after [`handle_received`](Self::handle_received), after
    /// [`handle_timeout`](Self::handle_timeout), and after each write of what
    /// [`poll_transmit`](Self::poll_transmit) returned: the session takes more messages once
    /// its acknowledgements are out. Events the session has ready (a `Disconnected` after a
    /// timeout) are passed on first.
    ///
    /// When the server closes the TLS connection, the last bytes (a TLS `close_notify`) come out
    /// of [`poll_transmit`](Self::poll_transmit) and [`is_open`](Self::is_open) turns `false`.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] when the TLS layer fails (a certificate problem, a record that does not
    /// authenticate); the transport is then to be closed, and the session's
    /// [`Event::Disconnected`] has been passed on.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn process_input<F>(&mut self, now: Instant, on_event: &mut F) -> Result<(), Error>
    where
        F: FnMut(Event<'_>),
    {
        self.now = now;
        deliver(&mut self.session, on_event);
        // TLS output not yet written would be overwritten by the handshake's next answer.
        if !self.open || self.out.start < self.out.end {
            return Ok(());
        }
        self.out = 0..0;
        let step = match &mut self.layer {
            Layer::Plain(_) => Ok(Output::Idle),
            #[cfg(feature = "rustls")]
            Layer::Tls(tls) => tls.receive(&mut self.session, self.tx, now, on_event),
        };
        match step {
            Ok(output) => {
                self.output(output);
                deliver(&mut self.session, on_event);
                Ok(())
            }
            Err(error) => {
                self.handle_closed(now);
                deliver(&mut self.session, on_event);
                Err(error)
            }
        }
    }

    /// The next bytes to write to the socket, or `None` when there is nothing to write until
    /// input arrives or time passes.
    ///
    /// The TLS handshake's records, then the session's packets (CONNECT, acknowledgements,
    /// pings, queued requests), encrypted over TLS. Write the bytes (all or some), report how
    /// many with [`handle_transmitted`](Self::handle_transmitted), and call again until
    /// `None`. The same bytes are returned until they are reported written. Nothing received
    /// is decoded here ([`process_input`](Self::process_input) does that).
    ///
    /// When the session has disconnected, the last bytes (a TLS `close_notify`) come out and
    /// [`is_open`](Self::is_open) turns `false`: close the socket.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] when the TLS layer fails; the transport is then to be closed, and the
    /// session has been told: pass its [`Event::Disconnected`] on with
    /// [`poll_events`](Self::poll_events).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn poll_transmit(&mut self, now: Instant) -> Result<Option<&[u8]>, Error> {
        self.now = now;
        if self.out.start < self.out.end {
            return Ok(Some(&self.tx[self.out.clone()]));
        }
        self.out = 0..0;
        if !self.open {
            return Ok(None);
        }
        let step = match &mut self.layer {
            Layer::Plain(_) => Ok(plain_output(&mut self.session, self.tx, now)),
            #[cfg(feature = "rustls")]
            Layer::Tls(tls) => tls.transmit(&mut self.session, self.tx, now),
        };
        match step {
            Ok(output) => {
                self.output(output);
                Ok((self.out.start < self.out.end).then(|| &self.tx[self.out.clone()]))
            }
            Err(error) => {
                self.handle_closed(now);
                Err(error)
            }
        }
    }

    /// One turn of a driver's pump: [`process_input`](Self::process_input), then
    /// [`poll_transmit`](Self::poll_transmit); on an error the session's last events are
    /// passed on.
    pub(crate) fn pump<F: FnMut(Event<'_>)>(
        &mut self,
        now: Instant,
        on_event: &mut F,
    ) -> Result<Option<&[u8]>, Error> {
        self.process_input(now, on_event)?;
        match self.poll_transmit(now) {
            Ok(out) => {
                let ready = out.is_some();
                Ok(ready.then(|| &self.tx[self.out.clone()]))
            }
            Err(error) => {
                self.poll_events(on_event);
                Err(error)
            }
        }
    }

    /// Records what a step of the layer produced.
    fn output(&mut self, output: Output) {
        match output {
            Output::Bytes(n) => self.out = 0..n,
            Output::Close(n) => {
                self.open = false;
                self.out = 0..n;
            }
            Output::Idle => {}
        }
    }

    /// Passes on the events the session has ready, and does nothing else: no input is decrypted
    /// or decoded, no output made. After [`handle_closed`](Self::handle_closed) or an error from
    /// another call, this is how the session's [`Event::Disconnected`] comes out.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::connection::Connection;
    /// use iot_tls::session::{Buffers, Config, DisconnectReason, Event, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store, mut tx) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let mut conn = Connection::plain(session, &mut tx);
    /// conn.connect(Instant::from_millis(0))?;
    /// conn.handle_closed(Instant::from_millis(5));
    /// let mut reasons = Vec::new();
    /// conn.poll_events(&mut |event| {
    ///     if let Event::Disconnected(reason) = event {
    ///         reasons.push(reason);
    ///     }
    /// });
    /// assert_eq!(reasons, [DisconnectReason::TransportClosed]);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn poll_events<F: FnMut(Event<'_>)>(&mut self, on_event: &mut F) {
        deliver(&mut self.session, on_event);
    }

    /// Records that the first `n` bytes [`poll_transmit`](Self::poll_transmit) returned were
    /// written to the socket.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn handle_transmitted(&mut self, n: usize) {
        self.out.start = (self.out.start + n).min(self.out.end);
    }

    /// The space to read the socket into; report the count with
    /// [`handle_received`](Self::handle_received).
    ///
    /// Call it once [`poll_transmit`](Self::poll_transmit) has returned `None`, so that what
    /// arrived before has been processed. Over TLS this is the record buffer, which grows here
    /// when a record header announced a large record (see
    /// [`RecordPolicy`](crate::tls::RecordPolicy)); plain, it is the session's receive buffer.
    ///
    /// # Errors
    ///
    /// [`Error::Tls`] when a record exceeds the record buffer's limit or the buffer cannot
    /// grow; the connection is then closed (the session is told).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn receive_buffer(&mut self) -> Result<&mut [u8], Error> {
        match &mut self.layer {
            Layer::Plain(_) => Ok(self.session.receive_buffer()),
            #[cfg(feature = "rustls")]
            Layer::Tls(tls) => match tls.client.unfilled() {
                Ok(space) => Ok(space),
                Err(error) => {
                    self.open = false;
                    self.out = 0..0;
                    self.session.handle_closed(self.now);
                    Err(error.into())
                }
            },
        }
    }

    /// Records that `n` bytes were read into [`receive_buffer`](Self::receive_buffer); 0 means
    /// the socket reached the end of its stream (the broker closed it).
    ///
    /// # Panics
    ///
    /// If `n` is larger than the last [`receive_buffer`](Self::receive_buffer).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn handle_received(&mut self, now: Instant, n: usize) {
        self.now = now;
        if n == 0 {
            self.handle_closed(now);
            return;
        }
        match &mut self.layer {
            Layer::Plain(_) => self.session.handle_received(now, n),
            #[cfg(feature = "rustls")]
            Layer::Tls(tls) => tls.client.advance(n),
        }
    }

    /// Handles the passing of time: the CONNACK (and TLS handshake) timeout, keep-alive pings
    /// and the PINGRESP timeout. Call it when [`poll_timeout`](Self::poll_timeout) is reached.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::connection::Connection;
    /// use iot_tls::session::{Buffers, Config, DisconnectReason, Event, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store, mut tx) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let mut conn = Connection::plain(session, &mut tx);
    /// conn.connect(Instant::from_millis(0))?;
    /// let deadline = conn.poll_timeout().expect("the CONNACK timeout");
    /// conn.handle_timeout(deadline); // no CONNACK came
    /// let mut reason = None;
    /// conn.process_input(deadline, &mut |event| {
    ///     if let Event::Disconnected(why) = event {
    ///         reason = Some(why);
    ///     }
    /// })?;
    /// assert_eq!(reason, Some(DisconnectReason::ConnectTimeout));
    /// assert!(conn.poll_transmit(deadline)?.is_none()); // nothing to say: close the socket
    /// assert!(!conn.is_open());
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        self.session.handle_timeout(now);
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next, if a timer runs.
    ///
    /// # Example
    ///
    /// See [`handle_timeout`](Self::handle_timeout).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.session.poll_timeout()
    }

    /// Records that the socket failed or was closed; the session keeps its requests for the
    /// next [`connect`](Self::connect), and its [`Event::Disconnected`] comes out of the next
    /// [`poll_events`](Self::poll_events) or [`process_input`](Self::process_input).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::connection::Connection;
    /// use iot_tls::session::{Buffers, Config, Session};
    /// use iot_tls::Instant;
    ///
    /// let (mut rx, mut store, mut tx) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let mut conn = Connection::plain(session, &mut tx);
    /// conn.connect(Instant::from_millis(0))?;
    /// conn.handle_closed(Instant::from_millis(5));
    /// assert!(!conn.is_open());
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn handle_closed(&mut self, now: Instant) {
        self.now = now;
        self.open = false;
        self.out = 0..0;
        self.session.handle_closed(now);
    }

    /// Whether the transport is to stay open: `false` before [`connect`](Self::connect) and
    /// once the connection has ended (after the last bytes from
    /// [`poll_transmit`](Self::poll_transmit) are written).
    ///
    /// # Example
    ///
    /// See [`handle_closed`](Self::handle_closed).
    pub const fn is_open(&self) -> bool {
        self.open
    }

    /// The session, for its state and counters.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::connection::Connection;
    /// use iot_tls::session::{Buffers, Config, Session, State};
    ///
    /// let (mut rx, mut store, mut tx) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let conn = Connection::plain(session, &mut tx);
    /// assert_eq!(conn.session().state(), State::Disconnected);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub const fn session(&self) -> &Session<'a, N> {
        &self.session
    }

    /// The session, to publish, subscribe, unsubscribe or disconnect; what it queues goes out
    /// through [`poll_transmit`](Self::poll_transmit).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::Message;
    /// use iot_tls::connection::Connection;
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store, mut tx) = ([0u8; 64], [0u8; 128], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let mut conn = Connection::plain(session, &mut tx);
    /// conn.session_mut().publish(Message::new("d/status", b"up"))?;
    /// assert_eq!(conn.session().queued(), 1);
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    pub fn session_mut(&mut self) -> &mut Session<'a, N> {
        &mut self.session
    }

    /// The time the caller passed in last.
    pub(crate) const fn last_now(&self) -> Instant {
        self.now
    }

    /// The TLS client, when the connection runs over TLS: the negotiated version, suite and
    /// ALPN, the receive buffer's sizes.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::connection::Connection;
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// let (mut rx, mut store, mut tx) = ([0u8; 64], [0u8; 64], [0u8; 64]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// assert!(Connection::plain(session, &mut tx).tls_client().is_none());
    /// # Ok::<(), iot_tls::Error>(())
    /// ```
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub fn tls_client(&self) -> Option<&TlsClient<'a>> {
        match &self.layer {
            Layer::Plain(_) => None,
            Layer::Tls(tls) => Some(&tls.client),
        }
    }
}

impl<const N: usize> core::fmt::Debug for Connection<'_, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut f = f.debug_struct("Connection");
        f.field("session", &self.session)
            .field("open", &self.open)
            .field("unwritten", &self.out.len());
        #[cfg(feature = "rustls")]
        if let Layer::Tls(tls) = &self.layer {
            f.field("tls", &tls.client);
        }
        f.finish_non_exhaustive()
    }
}

/// Passes every event the session has to `on_event`.
fn deliver<const N: usize, F: FnMut(Event<'_>)>(session: &mut Session<'_, N>, on_event: &mut F) {
    while let Some(event) = session.poll_event() {
        on_event(event);
    }
}

/// Hands `bytes` to the session, passing its events on, and returns what it could not take
/// yet: the session waits for its acknowledgements to be sent first.
#[cfg(feature = "rustls")]
fn feed<'b, const N: usize, F: FnMut(Event<'_>)>(
    session: &mut Session<'_, N>,
    now: Instant,
    mut bytes: &'b [u8],
    on_event: &mut F,
) -> &'b [u8] {
    loop {
        let taken = session.handle_input(now, bytes);
        bytes = &bytes[taken..];
        let mut progressed = taken > 0;
        while let Some(event) = session.poll_event() {
            progressed = true;
            on_event(event);
        }
        if bytes.is_empty() || !progressed {
            return bytes;
        }
    }
}

/// The output of a plain connection: the session's packets as they are.
fn plain_output<const N: usize>(
    session: &mut Session<'_, N>,
    tx: &mut [u8],
    now: Instant,
) -> Output {
    let n = session.poll_transmit(now, tx);
    if n > 0 {
        Output::Bytes(n)
    } else if session.state() == State::Disconnected {
        Output::Close(0)
    } else {
        Output::Idle
    }
}

#[cfg(feature = "rustls")]
impl Tls<'_> {
    /// The input side of a TLS connection: received records through rustls (the handshake,
    /// whose answers come out as [`Output::Bytes`]), decrypted bytes to the session.
    fn receive<const N: usize, F: FnMut(Event<'_>)>(
        &mut self,
        session: &mut Session<'_, N>,
        tx: &mut [u8],
        now: Instant,
        on_event: &mut F,
    ) -> Result<Output, Error> {
        loop {
            if self.spill_start < self.spill.len() {
                let rest = feed(session, now, &self.spill[self.spill_start..], on_event).len();
                if rest == 0 {
                    self.spill = Vec::new();
                    self.spill_start = 0;
                } else {
                    self.spill_start = self.spill.len() - rest;
                }
            }
            // rustls hands out nothing new while decrypted bytes wait here: it would refuse to
            // encrypt the acknowledgements the session needs sent first.
            if !self.spill.is_empty() {
                return Ok(Output::Idle);
            }
            let Self { client, spill, .. } = self;
            match client.process(tx)? {
                TlsEvent::Transmit(n) => return Ok(Output::Bytes(n)),
                TlsEvent::Connected => self.handshaken = true,
                TlsEvent::Plaintext(mut records) => {
                    while let Some(bytes) = records.next_record()? {
                        let rest = if spill.is_empty() {
                            feed(session, now, bytes, on_event)
                        } else {
                            bytes
                        };
                        if !rest.is_empty() {
                            spill
                                .try_reserve(rest.len())
                                .map_err(|_| TlsError::OutOfMemory {
                                    requested: spill.len() + rest.len(),
                                })?;
                            spill.extend_from_slice(rest);
                        }
                    }
                }
                TlsEvent::NeedData => return Ok(Output::Idle),
                TlsEvent::PeerClosed | TlsEvent::Closed => {
                    session.handle_closed(now);
                    return self.close(tx);
                }
            }
        }
    }

    /// The output side of a TLS connection: the session's packets encrypted, or the
    /// `close_notify` once the session has disconnected.
    fn transmit<const N: usize>(
        &mut self,
        session: &mut Session<'_, N>,
        tx: &mut [u8],
        now: Instant,
    ) -> Result<Output, Error> {
        if session.state() == State::Disconnected && (self.plain_len == 0 || !self.handshaken) {
            return self.close(tx);
        }
        if !self.handshaken {
            return Ok(Output::Idle);
        }
        let written = self.encrypt_output(session, tx, now)?;
        Ok(if written > 0 {
            Output::Bytes(written)
        } else {
            Output::Idle
        })
    }

    /// Ends the TLS connection: a `close_notify` once the handshake is done.
    fn close(&mut self, tx: &mut [u8]) -> Result<Output, Error> {
        let n = if self.handshaken {
            self.client.close(tx)?
        } else {
            0
        };
        Ok(Output::Close(n))
    }

    /// Moves the session's output through the staging buffer into TLS records in `tx`, as many
    /// records as fit; returns the bytes written.
    fn encrypt_output<const N: usize>(
        &mut self,
        session: &mut Session<'_, N>,
        tx: &mut [u8],
        now: Instant,
    ) -> Result<usize, Error> {
        let record = self.config.max_outgoing_record();
        let mut written = 0;
        loop {
            if self.plain_len < self.plain.len() {
                self.plain_len += session.poll_transmit(now, &mut self.plain[self.plain_len..]);
            }
            if self.plain_len == 0 || tx.len() - written < record {
                return Ok(written);
            }
            let out = match self
                .client
                .encrypt(&self.plain[..self.plain_len], &mut tx[written..])
            {
                // Records arrived and were decrypted first: they wait for `process_input`.
                Err(TlsError::UnreadPlaintext) => return Ok(written),
                other => other?,
            };
            written += out.written;
            self.plain.copy_within(out.consumed..self.plain_len, 0);
            self.plain_len -= out.consumed;
            if out.consumed == 0 {
                return Ok(written);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::string::String;
    use std::vec::Vec;
    use std::{format, vec};

    use super::*;
    use crate::codec::{Message, Qos, Subscription};
    use crate::session::{Buffers, Config};

    /// Drains `conn` into `wire`, collecting the event names.
    fn pump<const N: usize>(
        conn: &mut Connection<'_, N>,
        now: Instant,
        wire: &mut Vec<u8>,
        seen: &mut Vec<String>,
    ) {
        loop {
            conn.process_input(now, &mut |event| {
                seen.push(format!("{event:?}"));
            })
            .expect("no TLS");
            let out = conn.poll_transmit(now).expect("no TLS");
            let Some(bytes) = out else { return };
            wire.extend_from_slice(bytes);
            let n = bytes.len();
            conn.handle_transmitted(n);
        }
    }

    #[test]
    fn a_plain_connection_acknowledges_more_messages_than_its_ack_queue_holds() {
        let (mut rx, mut store, mut tx) = ([0u8; 64], [0u8; 256], [0u8; 8]);
        let session: Session<'_, 2> =
            Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store)).unwrap();
        let mut conn = Connection::plain(session, &mut tx);
        let now = Instant::from_millis(0);
        conn.connect(now).unwrap();
        let (mut wire, mut seen) = (Vec::new(), Vec::new());
        pump(&mut conn, now, &mut wire, &mut seen);
        assert_eq!(wire[0], 0x10, "CONNECT, in 8-byte writes");
        let mut input = vec![0x20, 0x02, 0x00, 0x00];
        // Ten QoS 1 messages at once; the session queues at most two PUBACKs.
        for id in 1..=10u8 {
            input.extend_from_slice(&[0x32, 0x06, 0x00, 0x01, b't', 0x00, id, b'x']);
        }
        wire.clear();
        let mut input = &input[..];
        while !input.is_empty() {
            let space = conn.receive_buffer().unwrap();
            let n = space.len().min(input.len());
            space[..n].copy_from_slice(&input[..n]);
            conn.handle_received(now, n);
            input = &input[n..];
            pump(&mut conn, now, &mut wire, &mut seen);
        }
        let messages = seen.iter().filter(|e| e.starts_with("Message")).count();
        assert_eq!(messages, 10);
        let acks: Vec<u8> = (1..=10u8).flat_map(|id| [0x40, 0x02, 0x00, id]).collect();
        assert_eq!(wire, acks);
    }

    #[test]
    fn requests_queued_while_closed_leave_after_the_connack() {
        let (mut rx, mut store, mut tx) = ([0u8; 64], [0u8; 256], [0u8; 256]);
        let session: Session<'_> =
            Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store)).unwrap();
        let mut conn = Connection::plain(session, &mut tx);
        let now = Instant::from_millis(0);
        conn.session_mut()
            .subscribe(&[Subscription::new("a/#", Qos::AtLeastOnce)])
            .unwrap();
        conn.session_mut()
            .publish(Message::new("a/b", b"1").with_qos(Qos::AtLeastOnce))
            .unwrap();
        let (mut wire, mut seen) = (Vec::new(), Vec::new());
        pump(&mut conn, now, &mut wire, &mut seen);
        assert!(wire.is_empty(), "nothing leaves before connect");
        conn.connect(now).unwrap();
        pump(&mut conn, now, &mut wire, &mut seen);
        assert_eq!(wire[0], 0x10);
        assert_eq!(wire.len(), 15, "only CONNECT before the CONNACK");
        conn.receive_buffer().unwrap()[..4].copy_from_slice(&[0x20, 0x02, 0x00, 0x00]);
        conn.handle_received(now, 4);
        wire.clear();
        pump(&mut conn, now, &mut wire, &mut seen);
        assert_eq!(wire[0], 0x82, "SUBSCRIBE first");
        assert!(wire.contains(&0x32), "then the PUBLISH");
        assert!(seen[0].starts_with("Connected"));
        conn.handle_received(now, 0);
        pump(&mut conn, now, &mut wire, &mut seen);
        assert!(!conn.is_open());
        assert!(seen.last().unwrap().contains("TransportClosed"));
    }
}

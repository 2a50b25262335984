//! A blocking driver over [`embedded_io`] `Read + Write + ReadReady`, for super-loops on
//! microcontrollers and for threads on hosts; `no_std`, and without a heap when plain.
//!
//! [`Client`] owns the transport of the current connection and a [`Connection`]. Each
//! [`poll`](Client::poll) writes what is due, reads only what has already arrived
//! ([`ReadReady`]), runs the timers, and passes every [`Event`] to a callback, so it never
//! blocks for long and keep-alive runs on time. Reconnecting is the caller's: when `poll`
//! reports the connection over, take the transport back, wait the session's
//! [`reconnect_delay`](crate::session::Session::reconnect_delay), open a new socket and
//! [`connect`](Client::connect) again; the session carries queued and unacknowledged requests
//! over.
//!
//! # Example
//!
//! The loop on a microcontroller; `open_socket`, `millis` and `random` stand for the network
//! stack, the monotonic clock and the random number generator.
//!
//! ```no_run
//! use iot_tls::blocking::Client;
//! use iot_tls::codec::{Message, Qos, Subscription};
//! use iot_tls::connection::Connection;
//! use iot_tls::session::{Buffers, Event, Session};
//! use iot_tls::{Instant, aws};
//!
//! fn run<T>(
//!     mut open_socket: impl FnMut() -> T,
//!     millis: impl Fn() -> u64,
//!     mut random: impl FnMut() -> u32,
//! ) -> Result<(), iot_tls::Error>
//! where
//!     T: embedded_io::Read + embedded_io::Write + embedded_io::ReadReady,
//! {
//!     let (mut rx, mut store, mut tx) = ([0u8; 1024], [0u8; 2048], [0u8; 512]);
//!     let config = aws::config("sensor-7").with_keep_alive(60);
//!     let session: Session<'_, 4> = Session::new(config, Buffers::new(&mut rx, &mut store))?;
//!     let mut client = Client::new(Connection::plain(session, &mut tx));
//!     client.session_mut().subscribe(&[Subscription::new("cmnd/sensor-7/#", Qos::AtLeastOnce)])?;
//!     loop {
//!         let now = Instant::from_millis(millis());
//!         client.connect(now, open_socket())?;
//!         while client.poll(Instant::from_millis(millis()), |event| {
//!             if let Event::Message(publish) = event {
//!                 // act on publish.topic and publish.payload here
//!             }
//!         })? {
//!             let reading = b"21.5";
//!             let _ = client.session_mut().publish(Message::new("tele/sensor-7/temp", reading));
//!         }
//!         drop(client.take_transport()); // closes the socket
//!         let delay = client.session().reconnect_delay(random());
//!         let until = millis() + delay.as_millis() as u64;
//!         while millis() < until {}
//!     }
//! }
//! ```

use embedded_io::{Read, ReadReady, Write};

use crate::Instant;
use crate::connection::Connection;
use crate::error::{Error, IoError, IoOperation};
use crate::session::{Event, Session};

/// The blocking driver: a [`Connection`] and the transport of the current connection.
///
/// # Example
///
/// See the [module documentation](self).
#[derive(Debug)]
pub struct Client<'a, T, const N: usize = 8> {
    conn: Connection<'a, N>,
    io: Option<T>,
}

impl<'a, T, const N: usize> Client<'a, T, N>
where
    T: Read + Write + ReadReady,
{
    /// A driver for `conn`, not connected yet.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub const fn new(conn: Connection<'a, N>) -> Self {
        Self { conn, io: None }
    }

    /// Starts a connection over `io`, a transport the caller has just opened to the broker
    /// (a connected TCP socket). A previous transport still held is dropped.
    ///
    /// # Errors
    ///
    /// As [`Connection::connect`].
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn connect(&mut self, now: Instant, io: T) -> Result<(), Error> {
        self.io = Some(io);
        self.conn.connect(now)
    }

    /// Runs the connection as far as it can without waiting, and returns whether the
    /// transport is still open.
    ///
    /// Writes what is due (the TLS handshake, CONNECT, acknowledgements, pings, queued
    /// requests), reads while [`ReadReady`] says bytes have arrived, handles a due timer, and
    /// passes each [`Event`] to `on_event` as it is decoded. Call it often (every few tens of
    /// milliseconds, or when the network stack signals data) and at least by
    /// [`poll_timeout`](Self::poll_timeout). Once it returns `false`, the connection is over:
    /// [`take_transport`](Self::take_transport) and reconnect after the session's
    /// [`reconnect_delay`](crate::session::Session::reconnect_delay).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the transport fails, [`Error::Tls`] when TLS does; the connection is
    /// over then too (the session's [`Event::Disconnected`] has been passed on).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn poll<F>(&mut self, now: Instant, mut on_event: F) -> Result<bool, Error>
    where
        F: FnMut(Event<'_>),
    {
        let Self { conn, io } = self;
        let Some(io) = io.as_mut() else {
            conn.poll_events(&mut on_event);
            return Ok(false);
        };
        let mut timer_handled = false;
        loop {
            let wrote = flush(conn, io, now, &mut on_event)?;
            if !conn.is_open() {
                return Ok(false);
            }
            if !timer_handled && conn.poll_timeout().is_some_and(|due| now >= due) {
                conn.handle_timeout(now);
                timer_handled = true;
                continue;
            }
            let ready = io
                .read_ready()
                .map_err(|e| fail(conn, now, &mut on_event, IoOperation::Read, &e))?;
            if !ready {
                if wrote {
                    io.flush()
                        .map_err(|e| fail(conn, now, &mut on_event, IoOperation::Write, &e))?;
                }
                return Ok(true);
            }
            if let Err(error) = conn.receive_buffer().map(|_| ()) {
                conn.poll_events(&mut on_event);
                return Err(error);
            }
            let n = io
                .read(conn.receive_buffer()?)
                .map_err(|e| fail(conn, now, &mut on_event, IoOperation::Read, &e))?;
            conn.handle_received(now, n);
        }
    }

    /// When [`poll`](Self::poll) must run next at the latest, for the timers (keep-alive, the
    /// CONNACK and PINGRESP timeouts).
    ///
    /// # Example
    ///
    /// ```
    /// # use iot_tls::{blocking::Client, connection::Connection, session::*};
    /// # fn f<T: embedded_io::Read + embedded_io::Write + embedded_io::ReadReady>(client: &Client<'_, T>) {
    /// if let Some(due) = client.poll_timeout() {
    ///     // sleep until `due` or until the network stack has data
    /// }
    /// # }
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.conn.poll_timeout()
    }

    /// Hands back the transport, to be closed; the connection is over (if it was not already,
    /// the session is told the transport closed).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn take_transport(&mut self) -> Option<T> {
        if self.conn.is_open() {
            self.conn.handle_closed(self.conn.last_now());
        }
        self.io.take()
    }

    /// The session, for its state, counters and reconnect delay.
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub const fn session(&self) -> &Session<'a, N> {
        self.conn.session()
    }

    /// The session, to publish, subscribe, unsubscribe and disconnect; requests go out at the
    /// next [`poll`](Self::poll).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn session_mut(&mut self) -> &mut Session<'a, N> {
        self.conn.session_mut()
    }

    /// The connection.
    ///
    /// # Example
    ///
    /// ```
    /// # use iot_tls::{blocking::Client, connection::Connection, session::*};
    /// # fn f<T: embedded_io::Read + embedded_io::Write + embedded_io::ReadReady>(client: &Client<'_, T>) {
    /// let open = client.connection().is_open();
    /// # }
    /// ```
    pub const fn connection(&self) -> &Connection<'a, N> {
        &self.conn
    }
}

/// Writes everything the connection has to send; returns whether anything was written.
fn flush<T: Write, const N: usize, F: FnMut(Event<'_>)>(
    conn: &mut Connection<'_, N>,
    io: &mut T,
    now: Instant,
    on_event: &mut F,
) -> Result<bool, Error> {
    let mut wrote = false;
    while let Some(bytes) = conn.pump(now, on_event)? {
        match io.write(bytes) {
            Ok(0) => {
                return Err(fail(
                    conn,
                    now,
                    on_event,
                    IoOperation::Write,
                    &embedded_io::ErrorKind::WriteZero,
                ));
            }
            Ok(n) => conn.handle_transmitted(n),
            Err(e) => return Err(fail(conn, now, on_event, IoOperation::Write, &e)),
        }
        wrote = true;
    }
    Ok(wrote)
}

/// Ends the connection after a transport failure and returns the error to report.
pub(crate) fn fail<const N: usize, F: FnMut(Event<'_>)>(
    conn: &mut Connection<'_, N>,
    now: Instant,
    on_event: &mut F,
    operation: IoOperation,
    error: &impl embedded_io::Error,
) -> Error {
    conn.handle_closed(now);
    conn.poll_events(on_event);
    IoError::new(operation, error.kind()).into()
}

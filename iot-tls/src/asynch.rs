//! An async driver over [`embedded_io_async`] `Read + Write`, for embassy-net and other async
//! network stacks; `no_std`, and without a heap when plain.
//!
//! [`Client`] owns the transport of the current connection and a [`Connection`].
//! [`poll`](Client::poll) writes what is due, waits for the next bytes from the broker,
//! processes them (passing every [`Event`] to a callback) and writes again. It runs no timers
//! itself: race it against a timer for [`poll_timeout`](Client::poll_timeout) and call
//! [`handle_timeout`](Client::handle_timeout) when the timer wins. Dropping an unfinished `poll`
//! loses nothing when the transport's `read` and `write` are cancel-safe (embassy-net's are),
//! because written bytes are accounted after each `write`.
//!
//! Reconnecting is the caller's, as with the [blocking driver](crate::blocking).
//!
//! # Example
//!
//! With embassy, where `socket` is a connected `embassy_net::tcp::TcpSocket`:
//!
//! ```text
//! let now = || Instant::from_millis(embassy_time::Instant::now().as_millis());
//! client.connect(now(), socket)?;
//! loop {
//!     let due = client.poll_timeout().map_or(u64::MAX, Instant::as_millis);
//!     match select(client.poll(now, &mut on_event), Timer::at(EInstant::from_millis(due))).await {
//!         Either::First(Ok(true)) => {}
//!         Either::First(Ok(false)) => break, // over: reconnect after the session's delay
//!         Either::First(Err(error)) => return Err(error),
//!         Either::Second(()) => client.handle_timeout(now()),
//!     }
//! }
//! ```
//!
//! The same loop, compiled, without the timer (which keep-alive needs):
//!
//! ```no_run
//! use iot_tls::asynch::Client;
//! use iot_tls::session::Event;
//! use iot_tls::Instant;
//!
//! /// Runs one connection until it ends.
//! async fn run<T>(client: &mut Client<'_, T>, now: impl Fn() -> Instant + Copy) -> Result<(), iot_tls::Error>
//! where
//!     T: embedded_io_async::Read + embedded_io_async::Write,
//! {
//!     let mut on_event = |event: Event<'_>| {
//!         if let Event::Message(publish) = event {
//!             // act on publish.topic and publish.payload
//!         }
//!     };
//!     while client.poll(now, &mut on_event).await? {}
//!     Ok(())
//! }
//! ```

use embedded_io_async::{Read, Write};

use crate::Instant;
use crate::blocking::fail;
use crate::connection::Connection;
use crate::error::{Error, IoOperation};
use crate::session::{Event, Session};

/// The async driver: a [`Connection`] and the transport of the current connection.
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
    T: Read + Write,
{
    /// A driver for `conn`, not connected yet.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::asynch::Client;
    /// use iot_tls::connection::Connection;
    /// use iot_tls::session::{Buffers, Config, Session};
    ///
    /// # fn f<T: embedded_io_async::Read + embedded_io_async::Write>() -> Result<(), iot_tls::Error> {
    /// let (mut rx, mut store, mut tx) = ([0u8; 512], [0u8; 1024], [0u8; 512]);
    /// let session: Session<'_> = Session::new(Config::new("d"), Buffers::new(&mut rx, &mut store))?;
    /// let client: Client<'_, T> = Client::new(Connection::plain(session, &mut tx));
    /// # Ok(()) }
    /// ```
    pub const fn new(conn: Connection<'a, N>) -> Self {
        Self { conn, io: None }
    }

    /// Starts a connection over `io`, a transport the caller has just opened to the broker.
    /// A previous transport still held is dropped.
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

    /// Writes what is due, waits for bytes from the broker, processes them and writes what they
    /// call for; returns whether the transport is still open.
    ///
    /// `now` reads the monotonic clock (it is called after the wait). Each [`Event`] is passed
    /// to `on_event` as it is decoded. Race this future against a timer for
    /// [`poll_timeout`](Self::poll_timeout); see the [module documentation](self).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the transport fails, [`Error::Tls`] when TLS does; the connection is
    /// over then too (the session's [`Event::Disconnected`] has been passed on).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub async fn poll<F>(
        &mut self,
        now: impl Fn() -> Instant,
        on_event: &mut F,
    ) -> Result<bool, Error>
    where
        F: FnMut(Event<'_>),
    {
        let Self { conn, io } = self;
        let Some(io) = io.as_mut() else {
            conn.poll_events(on_event);
            return Ok(false);
        };
        flush(conn, io, &now, on_event).await?;
        if !conn.is_open() {
            return Ok(false);
        }
        if let Err(error) = conn.receive_buffer().map(|_| ()) {
            conn.poll_events(on_event);
            return Err(error);
        }
        let read = io.read(conn.receive_buffer()?).await;
        let n = read.map_err(|e| fail(conn, now(), on_event, IoOperation::Read, &e))?;
        conn.handle_received(now(), n);
        flush(conn, io, &now, on_event).await?;
        Ok(conn.is_open())
    }

    /// Handles the passing of time; call it when [`poll_timeout`](Self::poll_timeout) is
    /// reached, then [`poll`](Self::poll) again to send what it produced (a PINGREQ).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.conn.handle_timeout(now);
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due (keep-alive, the CONNACK and
    /// PINGRESP timeouts).
    ///
    /// # Example
    ///
    /// See the [module documentation](self).
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.conn.poll_timeout()
    }

    /// Hands back the transport, to be closed; the connection is over.
    ///
    /// # Example
    ///
    /// ```
    /// # fn f<T: embedded_io_async::Read + embedded_io_async::Write>(client: &mut iot_tls::asynch::Client<'_, T>) {
    /// drop(client.take_transport()); // closes the socket
    /// # }
    /// ```
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
    /// ```
    /// # fn f<T: embedded_io_async::Read + embedded_io_async::Write>(client: &iot_tls::asynch::Client<'_, T>) {
    /// let delay = client.session().reconnect_delay(0x5eed);
    /// # }
    /// ```
    pub const fn session(&self) -> &Session<'a, N> {
        self.conn.session()
    }

    /// The session, to publish, subscribe, unsubscribe and disconnect; requests go out at the
    /// next [`poll`](Self::poll).
    ///
    /// # Example
    ///
    /// ```
    /// # fn f<T: embedded_io_async::Read + embedded_io_async::Write>(client: &mut iot_tls::asynch::Client<'_, T>) {
    /// let _ = client.session_mut().publish(iot_tls::codec::Message::new("tele/d/state", b"on"));
    /// # }
    /// ```
    pub fn session_mut(&mut self) -> &mut Session<'a, N> {
        self.conn.session_mut()
    }

    /// The connection.
    ///
    /// # Example
    ///
    /// ```
    /// # fn f<T: embedded_io_async::Read + embedded_io_async::Write>(client: &iot_tls::asynch::Client<'_, T>) {
    /// let open = client.connection().is_open();
    /// # }
    /// ```
    pub const fn connection(&self) -> &Connection<'a, N> {
        &self.conn
    }
}

/// Writes everything the connection has to send.
async fn flush<T: Write, const N: usize, F: FnMut(Event<'_>)>(
    conn: &mut Connection<'_, N>,
    io: &mut T,
    now: &impl Fn() -> Instant,
    on_event: &mut F,
) -> Result<(), Error> {
    let mut wrote = false;
    while let Some(bytes) = conn.pump(now(), on_event)? {
        match io.write(bytes).await {
            Ok(0) => {
                let kind = embedded_io::ErrorKind::WriteZero;
                return Err(fail(conn, now(), on_event, IoOperation::Write, &kind));
            }
            Ok(n) => conn.handle_transmitted(n),
            Err(e) => return Err(fail(conn, now(), on_event, IoOperation::Write, &e)),
        }
        wrote = true;
    }
    if wrote && let Err(e) = io.flush().await {
        return Err(fail(conn, now(), on_event, IoOperation::Write, &e));
    }
    Ok(())
}

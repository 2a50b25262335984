//! [`TlsClient`]: one TLS client connection over rustls's unbuffered API, without I/O.

use alloc::string::ToString as _;

use rustls::client::{ClientConnectionData, UnbufferedClientConnection};
use rustls::unbuffered::{
    ConnectionState, EncodeError, EncryptError, ReadTraffic, UnbufferedStatus, WriteTraffic,
};
use rustls::{CipherSuite, NamedGroup, ProtocolVersion};

use super::{RecordBuffer, TlsConfig, TlsError};

/// What [`TlsClient::process`] asks the driver to do next.
///
/// # Example
///
/// One step of a blocking driver; `io` is the transport and `deliver` the MQTT decoder.
///
/// ```
/// use iot_tls::tls::{TlsClient, TlsError, TlsEvent};
///
/// /// Returns `false` once the connection is over.
/// fn step(
///     tls: &mut TlsClient<'_>,
///     tx: &mut [u8],
///     io: &mut (impl std::io::Read + std::io::Write),
///     deliver: &mut impl FnMut(&[u8]),
/// ) -> Result<bool, TlsError> {
///     match tls.process(tx)? {
///         TlsEvent::Transmit(n) => io.write_all(&tx[..n]).map_err(|_| TlsError::Closed)?,
///         TlsEvent::Connected => {}
///         TlsEvent::Plaintext(mut records) => {
///             while let Some(bytes) = records.next_record()? {
///                 deliver(bytes);
///             }
///         }
///         TlsEvent::NeedData => {
///             let n = io.read(tls.unfilled()?).map_err(|_| TlsError::Closed)?;
///             if n == 0 {
///                 return Ok(false);
///             }
///             tls.advance(n);
///         }
///         TlsEvent::PeerClosed | TlsEvent::Closed => return Ok(false),
///     }
///     Ok(true)
/// }
/// ```
#[must_use]
#[derive(Debug)]
pub enum TlsEvent<'a> {
    /// `tx[..n]` holds TLS records for the server: write all of it to the transport, then call
    /// [`TlsClient::process`] again.
    Transmit(usize),
    /// The handshake is complete (reported once): [`TlsClient::encrypt`] works from now on, and
    /// the negotiated ALPN, version and suite are known.
    Connected,
    /// Decrypted application data from the server; hand each record to the MQTT decoder, then
    /// call [`TlsClient::process`] again.
    Plaintext(Plaintext<'a>),
    /// Every complete record is processed: read more from the transport into
    /// [`TlsClient::unfilled`], then call [`TlsClient::process`] again. After the handshake
    /// this is the idle state, in which the driver may also send with [`TlsClient::encrypt`].
    NeedData,
    /// The server closed its side cleanly (`close_notify`, reported once): no more data will
    /// arrive. The client may still send, then [`TlsClient::close`].
    PeerClosed,
    /// Both sides have closed; nothing more will happen on this connection.
    Closed,
}

/// Decrypted records, borrowed from the client until the driver moves on.
///
/// Each record's bytes are a slice the MQTT core decodes from in place. Records not taken here
/// are offered again by the next [`TlsClient::process`].
///
/// # Example
///
/// ```
/// use iot_tls::tls::{Plaintext, TlsError};
///
/// /// Hands every decrypted record to the MQTT decoder.
/// fn deliver(mut records: Plaintext<'_>, decode: &mut impl FnMut(&[u8])) -> Result<(), TlsError> {
///     while let Some(bytes) = records.next_record()? {
///         decode(bytes);
///     }
///     Ok(())
/// }
/// ```
pub struct Plaintext<'a> {
    traffic: ReadTraffic<'a, 'a, ClientConnectionData>,
}

impl Plaintext<'_> {
    /// The next decrypted record, or `None` when all have been taken.
    ///
    /// The slice is the record's plaintext: rustls 0.23 copies it out of the receive buffer into
    /// one heap allocation per record, freed when the next record is taken or this value drops.
    ///
    /// # Errors
    ///
    /// [`TlsError::DecryptFailed`] (or another [`TlsError`]) when the record cannot be opened;
    /// the connection is then dead.
    ///
    /// # Example
    ///
    /// ```
    /// # use iot_tls::tls::{Plaintext, TlsError};
    /// fn total_len(mut records: Plaintext<'_>) -> Result<usize, TlsError> {
    ///     let mut total = 0;
    ///     while let Some(bytes) = records.next_record()? {
    ///         total += bytes.len();
    ///     }
    ///     Ok(total)
    /// }
    /// ```
    pub fn next_record(&mut self) -> Result<Option<&[u8]>, TlsError> {
        match self.traffic.next_record() {
            None => Ok(None),
            // `discard` is always 0 in rustls 0.23: records are copied out, not decrypted in
            // place, so they take no extra bytes from the receive buffer.
            Some(Ok(record)) => Ok(Some(record.payload)),
            Some(Err(error)) => Err(TlsError::from_rustls(error)),
        }
    }

    /// The plaintext length of the next record, without taking it.
    ///
    /// # Example
    ///
    /// ```
    /// # use iot_tls::tls::Plaintext;
    /// /// Whether the next record fits the MQTT decoder's buffer.
    /// fn fits(records: &Plaintext<'_>, room: usize) -> bool {
    ///     records.peek_len().is_none_or(|len| len <= room)
    /// }
    /// ```
    pub fn peek_len(&self) -> Option<usize> {
        self.traffic.peek_len().map(core::num::NonZeroUsize::get)
    }
}

impl core::fmt::Debug for Plaintext<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Plaintext")
            .field("next_len", &self.peek_len())
            .finish()
    }
}

/// How much of a plaintext [`TlsClient::encrypt`] took, and how many TLS bytes it wrote.
///
/// # Example
///
/// ```
/// use iot_tls::tls::Encrypted;
///
/// let out = Encrypted { consumed: 1_000, written: 1_022 };
/// assert_eq!(out.written - out.consumed, 22, "TLS 1.3 adds 22 bytes to a record");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encrypted {
    /// Plaintext bytes taken (a prefix of the input); the rest goes in a later call.
    pub consumed: usize,
    /// TLS bytes written at the start of the transmit buffer, to send in order.
    pub written: usize,
}

/// One TLS client connection, sans I/O: it never reads a socket, never sleeps, never looks at a
/// clock except through the configured [`Clock`](super::Clock).
///
/// The client owns the connection's [`RecordBuffer`], where what arrives waits (rustls keeps
/// referring to bytes in it between calls, so no other buffer may take its place); the driver
/// owns the transport and a transmit slice for what leaves (at least
/// [`TlsConfig::max_outgoing_record`] bytes). It calls [`process`](Self::process) and does what
/// the returned [`TlsEvent`] says:
///
/// ```text
/// loop {
///     match tls.process(&mut tx)? {
///         Transmit(n)     => transport.write_all(&tx[..n]),
///         Connected       => { /* start MQTT: CONNECT */ }
///         Plaintext(mut p) => while let Some(bytes) = p.next_record()? { mqtt.handle_input(now, bytes) }
///         NeedData        => { /* send pending MQTT with `encrypt(..)`, then: */
///                              let n = transport.read(tls.unfilled()?); tls.advance(n) }
///         PeerClosed | Closed => break,
///     }
/// }
/// ```
///
/// The [`crate::connection::Connection`] runs this loop together with the MQTT session.
///
/// # Example
///
/// ```
/// # #[cfg(all(feature = "std", feature = "ring"))] {
/// use iot_tls::tls::{RecordBuffer, RecordPolicy, TlsClient, TlsConfig, TrustAnchors};
///
/// let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot())
///     .build()?;
/// // A receive buffer resting at 2 KiB, growing for larger records.
/// let rx = RecordBuffer::new(RecordPolicy::Grow { initial: 2048, max: 16_645 });
/// let tls = TlsClient::with_buffer(&config, rx)?;
/// let tx = vec![0; config.max_outgoing_record()];
/// assert!(tls.is_handshaking());
/// # let _ = tx;
/// # }
/// # Ok::<(), iot_tls::tls::TlsError>(())
/// ```
///
/// The [module example](super) runs a whole connection.
///
/// # Memory
///
/// The client's own heap is rustls's connection state: about 2–3 KiB before the handshake,
/// 5–10 KiB at the handshake peak (the server's certificate chain is kept for the life of the
/// connection), plus one heap copy of each received record while its [`Plaintext`] is held
/// (rustls 0.23's unbuffered API copies records out of the receive buffer). The crate README
/// lists measured figures.
pub struct TlsClient<'a> {
    conn: UnbufferedClientConnection,
    /// The connection's receive buffer; rustls refers to offsets in it between calls.
    rx: RecordBuffer<'a>,
    /// What the server name must be called in errors that lack it.
    server_name: alloc::string::String,
    alpn_required: bool,
    /// The longest record rustls may hand over in one piece.
    max_record: usize,
    phase: Phase,
    /// `PeerClosed` is reported once by rustls; it is kept here when a transmit had to go first.
    peer_closed_pending: bool,
    /// Once set, the connection is dead and every call reports this.
    failed: Option<TlsError>,
}

/// Where [`TlsClient::drive`] stopped.
enum Driven {
    Event(TlsEvent<'static>),
    /// Decrypted records are queued in rustls.
    Plaintext,
}

impl TlsClient<'static> {
    /// Starts a connection with a default [`RecordBuffer`] (4 KiB at rest, growing for larger
    /// records): the ClientHello is ready for the first [`process`](Self::process).
    ///
    /// # Errors
    ///
    /// [`TlsError::RandomUnavailable`] when the random source fails, or another [`TlsError`]
    /// when rustls refuses the configuration.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let tls = TlsClient::new(&config)?;
    /// assert_eq!(tls.protocol_version(), None);
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn new(config: &TlsConfig) -> Result<Self, TlsError> {
        Self::with_buffer(config, RecordBuffer::default())
    }
}

impl<'a> TlsClient<'a> {
    /// Starts a connection that receives into `rx` (emptied first): the ClientHello is ready
    /// for the first [`process`](Self::process).
    ///
    /// # Errors
    ///
    /// As [`TlsClient::new`].
    ///
    /// # Example
    ///
    /// A receive buffer in caller memory, with no heap and a hard cap:
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TrustAnchors, MAX_RECORD_LEN};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let mut memory = [0; MAX_RECORD_LEN];
    /// let tls = TlsClient::with_buffer(&config, RecordBuffer::with_storage(&mut memory))?;
    /// assert_eq!(tls.receive_buffer().capacity(), MAX_RECORD_LEN);
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn with_buffer(config: &TlsConfig, mut rx: RecordBuffer<'a>) -> Result<Self, TlsError> {
        rx.clear();
        Ok(Self {
            conn: new_connection(config)?,
            rx,
            server_name: config.server_name().to_string(),
            alpn_required: config.alpn_required,
            max_record: config.max_outgoing_record,
            phase: Phase::Handshaking,
            peer_closed_pending: false,
            failed: None,
        })
    }

    /// Starts a new connection (after a reconnect) on the same receive buffer, which is emptied.
    ///
    /// # Errors
    ///
    /// As [`TlsClient::new`]; the client is unchanged then.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{TlsClient, TlsConfig, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let mut tls = TlsClient::new(&config)?;
    /// tls.receive(b"bytes of a connection that broke")?;
    /// tls.restart(&config)?;
    /// assert!(tls.receive_buffer().is_empty() && tls.is_handshaking());
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn restart(&mut self, config: &TlsConfig) -> Result<(), TlsError> {
        self.conn = new_connection(config)?;
        self.rx.clear();
        self.server_name = config.server_name().to_string();
        self.alpn_required = config.alpn_required;
        self.max_record = config.max_outgoing_record;
        self.phase = Phase::Handshaking;
        self.peer_closed_pending = false;
        self.failed = None;
        Ok(())
    }

    /// The free space of the receive buffer, to read transport bytes into; report what was
    /// read with [`advance`](Self::advance). See [`RecordBuffer::unfilled`].
    ///
    /// Call it when [`process`](Self::process) has returned [`TlsEvent::NeedData`].
    ///
    /// # Errors
    ///
    /// As [`RecordBuffer::unfilled`]: a record over the buffer's limit, or no memory to grow.
    ///
    /// # Example
    ///
    /// See [`TlsEvent`].
    pub fn unfilled(&mut self) -> Result<&mut [u8], TlsError> {
        self.rx.unfilled()
    }

    /// Records that `n` bytes were read into [`unfilled`](Self::unfilled).
    ///
    /// # Panics
    ///
    /// If `n` is larger than the last [`unfilled`](Self::unfilled) slice.
    ///
    /// # Example
    ///
    /// See [`TlsEvent`].
    pub fn advance(&mut self, n: usize) {
        self.rx.advance(n);
    }

    /// Copies as many of `bytes` into the receive buffer as fit without growing it past what the
    /// pending record needs, and returns how many; for transports that hand out their own
    /// slices. See [`RecordBuffer::receive`].
    ///
    /// # Errors
    ///
    /// As [`unfilled`](Self::unfilled).
    ///
    /// # Example
    ///
    /// See [`restart`](Self::restart).
    pub fn receive(&mut self, bytes: &[u8]) -> Result<usize, TlsError> {
        self.rx.receive(bytes)
    }

    /// The receive buffer, for its sizes.
    ///
    /// # Example
    ///
    /// See [`with_buffer`](Self::with_buffer).
    pub fn receive_buffer(&self) -> &RecordBuffer<'a> {
        &self.rx
    }

    /// Ends the client and hands back its receive buffer (emptied), for another connection.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let mut memory = [0; 4096];
    /// let tls = TlsClient::with_buffer(&config, RecordBuffer::with_storage(&mut memory))?;
    /// let rx: RecordBuffer<'_> = tls.into_buffer();
    /// assert!(rx.is_empty());
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn into_buffer(self) -> RecordBuffer<'a> {
        let mut rx = self.rx;
        rx.clear();
        rx
    }

    /// Advances the connection with the records in the receive buffer, writing TLS records for
    /// the server into `tx`, and says what the driver must do next.
    ///
    /// `tx` must hold at least [`TlsConfig::max_outgoing_record`] bytes. Processed records are
    /// removed from the receive buffer.
    ///
    /// # Errors
    ///
    /// The [`TlsError`] that killed the connection: a certificate problem (the cause is named),
    /// a refused ALPN or client certificate, an alert, a protocol violation. When an alert for
    /// the server is pending, it comes first as [`TlsEvent::Transmit`] and the error on the
    /// following call. Every later call returns the same error.
    ///
    /// # Example
    ///
    /// The first call produces the ClientHello; the client then waits for the server.
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let mut tls = TlsClient::new(&config)?;
    /// let mut tx = vec![0; config.max_outgoing_record()];
    /// let TlsEvent::Transmit(n) = tls.process(&mut tx)? else {
    ///     panic!("the ClientHello comes first");
    /// };
    /// assert_eq!(tx[0], 22, "a handshake record");
    /// assert!(n > 100);
    /// assert!(matches!(tls.process(&mut tx)?, TlsEvent::NeedData));
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn process(&mut self, tx: &mut [u8]) -> Result<TlsEvent<'_>, TlsError> {
        match self.drive(tx)? {
            Driven::Event(event) => Ok(event),
            Driven::Plaintext => self.take_plaintext(),
        }
    }

    /// Runs the rustls state machine until the driver has something to do. Plaintext is only
    /// noted here: handing it out borrows the connection, which the loop cannot do.
    fn drive(&mut self, tx: &mut [u8]) -> Result<Driven, TlsError> {
        if let Some(error) = &self.failed {
            let error = error.clone();
            let n = self.flush_alerts(tx);
            return if n > 0 {
                Ok(Driven::Event(TlsEvent::Transmit(n)))
            } else {
                Err(error)
            };
        }
        if core::mem::take(&mut self.peer_closed_pending) {
            return Ok(Driven::Event(TlsEvent::PeerClosed));
        }
        self.check_transmit_room(tx.len())?;

        let mut used = 0;
        loop {
            // A record popped from rustls cannot be handed back: only ask for one when it fits.
            if used > 0 && tx.len() - used < self.max_record {
                return Ok(Driven::Event(TlsEvent::Transmit(used)));
            }
            let UnbufferedStatus { discard, state } =
                self.conn.process_tls_records(self.rx.received_mut());
            let step = match state {
                Err(error) => Step::Fail(TlsError::from_rustls(error)),
                Ok(ConnectionState::EncodeTlsData(mut data)) => {
                    match data.encode(&mut tx[used..]) {
                        Ok(n) => {
                            used += n;
                            Step::Continue
                        }
                        Err(EncodeError::InsufficientSize(size)) => {
                            Step::Fail(TlsError::TransmitBufferTooSmall {
                                required: size.required_size,
                                available: tx.len() - used,
                            })
                        }
                        Err(EncodeError::AlreadyEncoded) => Step::Continue,
                    }
                }
                Ok(ConnectionState::TransmitTlsData(data)) => {
                    // The driver sends `tx[..used]` before its next call, as `Transmit` demands.
                    data.done();
                    Step::Continue
                }
                Ok(ConnectionState::WriteTraffic(_)) if self.phase == Phase::Handshaking => {
                    Step::Connected
                }
                Ok(ConnectionState::BlockedHandshake | ConnectionState::WriteTraffic(_)) => {
                    Step::Stop(TlsEvent::NeedData)
                }
                Ok(ConnectionState::ReadTraffic(_)) => Step::Plaintext,
                Ok(ConnectionState::PeerClosed) => Step::PeerClosed,
                Ok(ConnectionState::Closed) => Step::Stop(TlsEvent::Closed),
                Ok(_) => Step::Fail(TlsError::Protocol(rustls::Error::General(
                    "unexpected unbuffered connection state".to_string(),
                ))),
            };
            self.rx.discard(discard);
            // Records already written go out before anything else is reported.
            let pending = (used > 0).then_some(TlsEvent::Transmit(used));
            match step {
                Step::Continue => {}
                Step::Stop(event) => return Ok(Driven::Event(pending.unwrap_or(event))),
                Step::Plaintext => {
                    return Ok(pending.map_or(Driven::Plaintext, Driven::Event));
                }
                Step::PeerClosed => {
                    self.peer_closed_pending = pending.is_some();
                    return Ok(Driven::Event(pending.unwrap_or(TlsEvent::PeerClosed)));
                }
                Step::Connected => {
                    if let Some(pending) = pending {
                        return Ok(Driven::Event(pending));
                    }
                    self.phase = Phase::Connected;
                    if self.alpn_required && self.conn.alpn_protocol().is_none() {
                        return Err(self.fail(TlsError::AlpnRefused));
                    }
                    return Ok(Driven::Event(TlsEvent::Connected));
                }
                Step::Fail(error) => {
                    let error = self.fail(error);
                    used += self.flush_alerts(&mut tx[used..]);
                    return if used > 0 {
                        Ok(Driven::Event(TlsEvent::Transmit(used)))
                    } else {
                        Err(error)
                    };
                }
            }
        }
    }

    fn take_plaintext(&mut self) -> Result<TlsEvent<'_>, TlsError> {
        // rustls offers queued plaintext before it looks at new input, so this call returns it
        // at once and consumes nothing from the receive buffer.
        let UnbufferedStatus { discard, state } =
            self.conn.process_tls_records(self.rx.received_mut());
        debug_assert_eq!(
            discard, 0,
            "plaintext is offered before any input is processed"
        );
        match state {
            Ok(ConnectionState::ReadTraffic(traffic)) => {
                Ok(TlsEvent::Plaintext(Plaintext { traffic }))
            }
            Ok(_) => Err(TlsError::Protocol(rustls::Error::General(
                "queued plaintext vanished".to_string(),
            ))),
            Err(error) => Err(TlsError::from_rustls(error)),
        }
    }

    /// Encrypts as much of `plaintext` as fits into `tx` as application-data records, after any
    /// TLS records the connection has to send first (a key update, say).
    ///
    /// Call it when [`process`](Self::process) has returned [`TlsEvent::NeedData`] (the idle
    /// state); send `tx[..written]`, and call again with the rest of the plaintext until all is
    /// consumed. Messages longer than the configured record size are split over several records.
    ///
    /// # Errors
    ///
    /// - [`TlsError::HandshakeIncomplete`] before [`TlsEvent::Connected`];
    /// - [`TlsError::UnreadPlaintext`] when decrypted records are waiting: call
    ///   [`process`](Self::process) until [`TlsEvent::NeedData`], then retry;
    /// - [`TlsError::TransmitBufferTooSmall`] when `tx` is shorter than one record;
    /// - [`TlsError::Closed`] after [`close`](Self::close) or the server's close;
    /// - the connection's error once it has failed.
    ///
    /// # Example
    ///
    /// Sending one MQTT packet, record by record:
    ///
    /// ```
    /// use iot_tls::tls::{TlsClient, TlsError};
    ///
    /// fn send(
    ///     tls: &mut TlsClient<'_>,
    ///     tx: &mut [u8],
    ///     mut packet: &[u8],
    ///     write: &mut impl FnMut(&[u8]),
    /// ) -> Result<(), TlsError> {
    ///     while !packet.is_empty() {
    ///         let out = tls.encrypt(packet, tx)?;
    ///         write(&tx[..out.written]);
    ///         packet = &packet[out.consumed..];
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub fn encrypt(&mut self, plaintext: &[u8], tx: &mut [u8]) -> Result<Encrypted, TlsError> {
        match self.phase {
            Phase::Handshaking => {
                return Err(self.failed.clone().unwrap_or(TlsError::HandshakeIncomplete));
            }
            Phase::Closed => return Err(TlsError::Closed),
            Phase::Connected => {}
        }
        let mut used = 0;
        let written = self.write_with(tx, &mut used, |traffic, out| {
            encrypt_prefix(traffic, plaintext, out)
        })?;
        Ok(match written {
            Some((consumed, written)) => Encrypted {
                consumed,
                written: used + written,
            },
            // The records rustls had queued filled `tx`: send them, then call again.
            None => Encrypted {
                consumed: 0,
                written: used,
            },
        })
    }

    /// Ends the connection: writes a `close_notify` alert into `tx` once connected, or the alert
    /// explaining a failure, and returns the length to send (0 when there is nothing). Send it,
    /// then close the transport.
    ///
    /// # Errors
    ///
    /// [`TlsError::TransmitBufferTooSmall`] when `tx` is shorter than one record; a failure of
    /// the connection while flushing what it had queued.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let mut tls = TlsClient::new(&config)?;
    /// let mut tx = vec![0; config.max_outgoing_record()];
    /// assert_eq!(tls.close(&mut tx)?, 0, "nothing to say before the handshake");
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn close(&mut self, tx: &mut [u8]) -> Result<usize, TlsError> {
        if self.failed.is_some() {
            return Ok(self.flush_alerts(tx));
        }
        if self.phase != Phase::Connected {
            return Ok(0);
        }
        let mut used = 0;
        let closed = self.write_with(tx, &mut used, |traffic, out| {
            traffic
                .queue_close_notify(out)
                .map_err(|error| encrypt_error(&error, out.len()))
        });
        self.phase = Phase::Closed;
        match closed {
            Ok(Some(n)) => Ok(used + n),
            Ok(None) | Err(TlsError::UnreadPlaintext) => Ok(used),
            Err(error) => Err(error),
        }
    }

    /// Runs rustls until it lets the client write, encoding the records it had queued into `tx`
    /// first, then calls `write` on the rest of `tx`. `Ok(None)` means `tx` filled up first.
    fn write_with<R>(
        &mut self,
        tx: &mut [u8],
        used: &mut usize,
        mut write: impl FnMut(
            &mut WriteTraffic<'_, ClientConnectionData>,
            &mut [u8],
        ) -> Result<R, TlsError>,
    ) -> Result<Option<R>, TlsError> {
        if let Some(error) = &self.failed {
            return Err(error.clone());
        }
        self.check_transmit_room(tx.len())?;
        loop {
            if *used > 0 && tx.len() - *used < self.max_record {
                return Ok(None);
            }
            let UnbufferedStatus { discard, state } =
                self.conn.process_tls_records(self.rx.received_mut());
            let outcome = match state {
                Err(error) => Err(Some(TlsError::from_rustls(error))),
                Ok(ConnectionState::EncodeTlsData(mut data)) => match data.encode(&mut tx[*used..])
                {
                    Ok(n) => {
                        *used += n;
                        Ok(None)
                    }
                    Err(EncodeError::InsufficientSize(size)) => {
                        Err(Some(TlsError::TransmitBufferTooSmall {
                            required: size.required_size,
                            available: tx.len() - *used,
                        }))
                    }
                    Err(EncodeError::AlreadyEncoded) => Ok(None),
                },
                Ok(ConnectionState::TransmitTlsData(mut data)) => {
                    let written = data
                        .may_encrypt_app_data()
                        .map(|mut traffic| write(&mut traffic, &mut tx[*used..]));
                    data.done();
                    written.map_or(Err(None), |written| written.map(Some).map_err(Some))
                }
                Ok(ConnectionState::WriteTraffic(mut traffic)) => {
                    write(&mut traffic, &mut tx[*used..])
                        .map(Some)
                        .map_err(Some)
                }
                Ok(ConnectionState::PeerClosed) => {
                    self.peer_closed_pending = true;
                    Ok(None)
                }
                // Decrypted records wait for `process`; not a failure.
                Ok(ConnectionState::ReadTraffic(_)) => Err(None),
                Ok(_) => Err(Some(TlsError::Closed)),
            };
            self.rx.discard(discard);
            match outcome {
                Ok(None) => {}
                Ok(Some(result)) => return Ok(Some(result)),
                Err(Some(error)) => return Err(self.fail(error)),
                Err(None) => return Err(TlsError::UnreadPlaintext),
            }
        }
    }

    /// Whether the handshake has not completed yet.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let tls = TlsClient::new(&config)?;
    /// assert!(tls.is_handshaking());
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn is_handshaking(&self) -> bool {
        self.phase == Phase::Handshaking
    }

    /// The ALPN protocol the server selected.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let tls = TlsClient::new(&config)?;
    /// assert_eq!(tls.alpn_protocol(), None, "known once connected");
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.conn.alpn_protocol()
    }

    /// The negotiated TLS version.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let tls = TlsClient::new(&config)?;
    /// assert_eq!(tls.protocol_version(), None, "known once the server has answered");
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.conn.protocol_version()
    }

    /// The negotiated cipher suite.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let tls = TlsClient::new(&config)?;
    /// assert_eq!(tls.cipher_suite(), None, "known once the server has answered");
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.conn
            .negotiated_cipher_suite()
            .map(|suite| suite.suite())
    }

    /// The negotiated key-exchange group.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let tls = TlsClient::new(&config)?;
    /// assert_eq!(tls.key_exchange_group(), None, "known once the server has answered");
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn key_exchange_group(&self) -> Option<NamedGroup> {
        self.conn
            .negotiated_key_exchange_group()
            .map(rustls::crypto::SupportedKxGroup::name)
    }

    /// The error that ended the connection, if any.
    ///
    /// # Example
    ///
    /// ```
    /// # #[cfg(all(feature = "std", feature = "ring"))] {
    /// # use iot_tls::tls::{RecordBuffer, TlsClient, TlsConfig, TlsEvent, TrustAnchors};
    /// # let config = TlsConfig::builder("a1b2c3-ats.iot.eu-west-1.amazonaws.com", TrustAnchors::aws_iot()).build()?;
    /// let tls = TlsClient::new(&config)?;
    /// assert_eq!(tls.error(), None);
    /// # }
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn error(&self) -> Option<&TlsError> {
        self.failed.as_ref()
    }

    /// Marks the connection dead, filling in what the error lacks, and returns the error.
    fn fail(&mut self, mut error: TlsError) -> TlsError {
        if let TlsError::NameMismatch { expected, .. } = &mut error
            && expected.is_empty()
        {
            expected.clone_from(&self.server_name);
        }
        self.failed = Some(error.clone());
        error
    }

    /// Writes the alerts rustls queued when the connection failed (each is tiny) and returns
    /// their length.
    ///
    /// rustls must not see the receive buffer again after a failure: it would deframe the
    /// offending bytes a second time. With records queued, rustls hands them out before it looks
    /// at any input, so an empty input is safe here, and only here.
    fn flush_alerts(&mut self, tx: &mut [u8]) -> usize {
        let mut used = 0;
        while self.conn.wants_write() {
            let state = self.conn.process_tls_records(&mut []).state;
            let Ok(ConnectionState::EncodeTlsData(mut data)) = state else {
                break;
            };
            match data.encode(&mut tx[used..]) {
                Ok(n) => used += n,
                Err(_) => break,
            }
        }
        used
    }

    fn check_transmit_room(&self, available: usize) -> Result<(), TlsError> {
        if available < self.max_record {
            return Err(TlsError::TransmitBufferTooSmall {
                required: self.max_record,
                available,
            });
        }
        Ok(())
    }
}

impl core::fmt::Debug for TlsClient<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsClient")
            .field("server_name", &self.server_name)
            .field("phase", &self.phase)
            .field("protocol_version", &self.protocol_version())
            .field("cipher_suite", &self.cipher_suite())
            .field("alpn_protocol", &self.alpn_protocol())
            .field("failed", &self.failed)
            .field("rx", &self.rx)
            .finish_non_exhaustive()
    }
}

/// A rustls connection for `config`.
fn new_connection(config: &TlsConfig) -> Result<UnbufferedClientConnection, TlsError> {
    UnbufferedClientConnection::new(config.client.clone(), config.server_name.clone())
        .map_err(TlsError::from_rustls)
}

/// Where the connection stands, as the driver sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Handshaking,
    /// `Connected` has been reported.
    Connected,
    /// [`TlsClient::close`] has sent `close_notify`.
    Closed,
}

/// What one state of the rustls machine leaves the driver with.
enum Step {
    Continue,
    Stop(TlsEvent<'static>),
    Plaintext,
    PeerClosed,
    Connected,
    Fail(TlsError),
}

/// Encrypts the longest prefix of `plaintext` whose records fit in `out`.
fn encrypt_prefix(
    traffic: &mut WriteTraffic<'_, ClientConnectionData>,
    plaintext: &[u8],
    out: &mut [u8],
) -> Result<(usize, usize), TlsError> {
    let mut take = plaintext.len().min(out.len());
    while take > 0 {
        match traffic.encrypt(&plaintext[..take], out) {
            Ok(written) => return Ok((take, written)),
            // rustls writes nothing when the records do not fit: shrink the prefix by the
            // overshoot (at least one byte) and try again.
            Err(EncryptError::InsufficientSize(size)) => {
                take = take.saturating_sub(size.required_size.saturating_sub(out.len()).max(1));
            }
            Err(error) => return Err(encrypt_error(&error, out.len())),
        }
    }
    Ok((0, 0))
}

fn encrypt_error(error: &EncryptError, available: usize) -> TlsError {
    match error {
        EncryptError::InsufficientSize(size) => TlsError::TransmitBufferTooSmall {
            required: size.required_size,
            available,
        },
        EncryptError::EncryptExhausted => TlsError::KeysExhausted,
    }
}

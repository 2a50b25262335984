//! [`RecordBuffer`]: the caller-owned receive buffer and its record-size policy.

use alloc::vec::Vec;

use super::TlsError;

/// The TLS record header: content type, legacy version, 16-bit length.
const HEADER_LEN: usize = 5;

/// The largest TLS 1.3 record: a 5-byte header, 2^14 bytes of plaintext and the 256 bytes of
/// expansion RFC 8446 §5.2 allows. TLS 1.2 AES-GCM records are smaller (2^14 + 29).
///
/// # Example
///
/// ```
/// assert_eq!(iot_tls::tls::MAX_RECORD_LEN, 16_645);
/// ```
pub const MAX_RECORD_LEN: usize = HEADER_LEN + 16_384 + 256;

/// The receive buffer's size before any large record arrives.
///
/// Large enough for an MQTT control packet or a small PUBLISH in one record, and for an ECC
/// certificate chain; a 5 KB RSA chain grows it once during the handshake.
///
/// # Example
///
/// ```
/// use iot_tls::tls::{DEFAULT_INITIAL_RECORD_BUFFER, RecordBuffer};
///
/// let mut rx = RecordBuffer::default();
/// assert_eq!(rx.unfilled()?.len(), DEFAULT_INITIAL_RECORD_BUFFER);
/// # Ok::<(), iot_tls::tls::TlsError>(())
/// ```
pub const DEFAULT_INITIAL_RECORD_BUFFER: usize = 4096;

/// How the receive buffer of a [`RecordBuffer`] is sized.
///
/// Without the max_fragment_length extension (which rustls does not implement) a server may send
/// records of up to [`MAX_RECORD_LEN`] bytes, so a buffer that holds any record costs 16.6 KiB.
/// Most records on an MQTT connection are far smaller, hence the two policies.
///
/// # Example
///
/// ```
/// use iot_tls::tls::{MAX_RECORD_LEN, RecordBuffer, RecordPolicy};
///
/// // Rest at 2 KiB, accept any record.
/// let elastic = RecordBuffer::new(RecordPolicy::Grow { initial: 2048, max: MAX_RECORD_LEN });
/// // The broker is known to send nothing above 4 KiB: never more than that.
/// let capped = RecordBuffer::new(RecordPolicy::Cap(4096));
/// assert_eq!(elastic.limit(), MAX_RECORD_LEN);
/// assert_eq!(capped.limit(), 4096);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordPolicy {
    /// Start with `initial` bytes; when a record header announces a record that does not fit,
    /// grow (fallibly) to exactly the size it needs, up to `max`; shrink back to `initial` once
    /// that record has been processed. A record larger than `max` fails the connection with
    /// [`TlsError::RecordTooLarge`].
    Grow {
        /// The resting size, in bytes.
        initial: usize,
        /// The ceiling, in bytes; [`MAX_RECORD_LEN`] accepts every valid record.
        max: usize,
    },
    /// A buffer of exactly this many bytes, allocated once and never resized: a record that does
    /// not fit fails the connection with [`TlsError::RecordTooLarge`]. This is what a server
    /// that honours a small maximum fragment length, or an application that knows its largest
    /// message, can use.
    Cap(usize),
}

impl Default for RecordPolicy {
    /// Grow from [`DEFAULT_INITIAL_RECORD_BUFFER`] up to [`MAX_RECORD_LEN`].
    fn default() -> Self {
        Self::Grow {
            initial: DEFAULT_INITIAL_RECORD_BUFFER,
            max: MAX_RECORD_LEN,
        }
    }
}

enum Storage<'a> {
    Heap(Vec<u8>),
    Borrowed(&'a mut [u8]),
}

/// The receive side of a TLS connection: TLS records from the network, waiting for
/// [`TlsClient::process`](super::TlsClient::process).
///
/// The caller owns it (it is not part of the client's heap) and fills it from the transport:
/// read into [`unfilled`](Self::unfilled), then report the count with [`advance`](Self::advance).
/// The buffer watches the record headers as bytes arrive, so under [`RecordPolicy::Grow`] it
/// grows only when a header announces a record larger than the current capacity, and shrinks
/// back afterwards. Processed records are removed from the front by the client.
///
/// # Sizing
///
/// | policy | resting size | largest size |
/// |---|---|---|
/// | `Grow` (default) | 4 KiB | the largest record or handshake message received, at most `max` (16,645 B) |
/// | `Cap(n)`, [`with_storage`](Self::with_storage) | `n` | `n` |
///
/// During the handshake the buffer holds the server's Certificate message in one piece: about
/// 2–3 KB for an ECC chain, 3.5–5 KB for AWS IoT's RSA chain.
///
/// # Example
///
/// ```
/// use iot_tls::tls::{RecordBuffer, RecordPolicy};
///
/// let mut rx = RecordBuffer::new(RecordPolicy::Grow { initial: 1024, max: 16_645 });
/// // A record header announcing 3,000 bytes: the buffer grows to fit it.
/// let header = [23, 3, 3, 0x0b, 0xb8];
/// let space = rx.unfilled()?;
/// space[..5].copy_from_slice(&header);
/// rx.advance(5);
/// assert_eq!(rx.unfilled()?.len(), 3_005 - 5);
/// # Ok::<(), iot_tls::tls::TlsError>(())
/// ```
pub struct RecordBuffer<'a> {
    storage: Storage<'a>,
    initial: usize,
    limit: usize,
    /// Bytes received and not yet discarded, at the front of the storage.
    filled: usize,
    /// Offset of the first record whose end has not arrived yet.
    scan: usize,
    /// The end offset of the record starting at `scan`, once its header has arrived.
    pending_end: Option<usize>,
    high_water: usize,
}

impl RecordBuffer<'static> {
    /// A heap buffer sized by `policy`; nothing is allocated until the first
    /// [`unfilled`](Self::unfilled).
    ///
    /// Every size is raised to at least 64 bytes, and `max` to at least `initial`.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::{RecordBuffer, RecordPolicy};
    ///
    /// let rx = RecordBuffer::new(RecordPolicy::Cap(16_645));
    /// assert_eq!(rx.capacity(), 0);
    /// assert_eq!(rx.limit(), 16_645);
    /// ```
    pub fn new(policy: RecordPolicy) -> Self {
        const FLOOR: usize = 64;
        let (initial, limit) = match policy {
            RecordPolicy::Grow { initial, max } => {
                (initial.max(FLOOR), max.max(initial.max(FLOOR)))
            }
            RecordPolicy::Cap(len) => (len.max(FLOOR), len.max(FLOOR)),
        };
        Self::from_storage(Storage::Heap(Vec::new()), initial, limit)
    }
}

impl Default for RecordBuffer<'static> {
    /// [`RecordBuffer::new`] with the default [`RecordPolicy`].
    fn default() -> Self {
        Self::new(RecordPolicy::default())
    }
}

impl<'a> RecordBuffer<'a> {
    /// A buffer in caller memory (a `static` array, a stack array): no heap, and a hard cap at
    /// `storage.len()` bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::{MAX_RECORD_LEN, RecordBuffer};
    ///
    /// let mut memory = [0; MAX_RECORD_LEN];
    /// let rx = RecordBuffer::with_storage(&mut memory);
    /// assert_eq!(rx.capacity(), MAX_RECORD_LEN);
    /// ```
    pub fn with_storage(storage: &'a mut [u8]) -> Self {
        let len = storage.len();
        Self::from_storage(Storage::Borrowed(storage), len, len)
    }

    fn from_storage(storage: Storage<'a>, initial: usize, limit: usize) -> Self {
        Self {
            storage,
            initial,
            limit,
            filled: 0,
            scan: 0,
            pending_end: None,
            high_water: 0,
        }
    }

    /// The free space to read transport bytes into; report what was read with
    /// [`advance`](Self::advance).
    ///
    /// Under [`RecordPolicy::Grow`] this is where the buffer grows (when the pending record does
    /// not fit) and shrinks (when the large record is gone). Call
    /// [`TlsClient::process`](super::TlsClient::process) until it asks for data before calling
    /// this again, so that complete records are not kept waiting.
    ///
    /// # Errors
    ///
    /// - [`TlsError::RecordTooLarge`] when the pending record exceeds the limit;
    /// - [`TlsError::HandshakeTooLarge`] when a handshake message spread over several records
    ///   does;
    /// - [`TlsError::OutOfMemory`] when the heap cannot grow the buffer.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::{RecordBuffer, RecordPolicy, TlsError};
    ///
    /// let mut rx = RecordBuffer::new(RecordPolicy::Cap(1024));
    /// rx.unfilled()?[..5].copy_from_slice(&[23, 3, 3, 0x40, 0x00]); // announces 16 KiB
    /// rx.advance(5);
    /// assert_eq!(
    ///     rx.unfilled().err(),
    ///     Some(TlsError::RecordTooLarge { announced: 16_389, limit: 1024 })
    /// );
    /// # Ok::<(), TlsError>(())
    /// ```
    pub fn unfilled(&mut self) -> Result<&mut [u8], TlsError> {
        let needed = self.pending_end.unwrap_or(self.scan + HEADER_LEN);
        if needed > self.capacity() {
            self.grow(needed)?;
        } else if self.capacity() > self.initial
            && needed <= self.initial
            && self.filled <= self.initial
        {
            self.shrink();
        }
        let filled = self.filled;
        Ok(&mut self.bytes_mut()[filled..])
    }

    /// Records that `n` bytes were written at the start of [`unfilled`](Self::unfilled).
    ///
    /// # Panics
    ///
    /// If `n` is larger than the last [`unfilled`](Self::unfilled) slice.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::RecordBuffer;
    ///
    /// let mut rx = RecordBuffer::default();
    /// let space = rx.unfilled()?;
    /// space[..3].copy_from_slice(&[22, 3, 3]); // what a socket read would put there
    /// rx.advance(3);
    /// assert_eq!(rx.len(), 3);
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn advance(&mut self, n: usize) {
        assert!(
            n <= self.capacity() - self.filled,
            "advanced past the unfilled space of the record buffer"
        );
        self.filled += n;
        self.scan_headers();
    }

    /// Copies as many of `bytes` as fit without growing, and returns how many were taken; for
    /// transports that hand out their own slices.
    ///
    /// # Errors
    ///
    /// As [`unfilled`](Self::unfilled).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::{RecordBuffer, RecordPolicy};
    ///
    /// let mut rx = RecordBuffer::new(RecordPolicy::Cap(64));
    /// assert_eq!(rx.receive(&[0; 100])?, 64);
    /// assert_eq!(rx.len(), 64);
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn receive(&mut self, bytes: &[u8]) -> Result<usize, TlsError> {
        let space = self.unfilled()?;
        let n = space.len().min(bytes.len());
        space[..n].copy_from_slice(&bytes[..n]);
        self.advance(n);
        Ok(n)
    }

    /// Forgets every byte, for a new connection on the same memory, and returns a grown heap
    /// buffer to its resting size.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::RecordBuffer;
    ///
    /// let mut rx = RecordBuffer::default();
    /// rx.receive(b"leftovers of the last connection")?;
    /// rx.clear();
    /// assert!(rx.is_empty());
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn clear(&mut self) {
        self.filled = 0;
        self.scan = 0;
        self.pending_end = None;
        if self.capacity() > self.initial {
            self.shrink();
        }
    }

    /// The bytes received and not yet processed.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::RecordBuffer;
    ///
    /// let mut rx = RecordBuffer::default();
    /// rx.receive(&[23, 3, 3, 0, 1])?;
    /// assert_eq!(rx.len(), 5);
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn len(&self) -> usize {
        self.filled
    }

    /// Whether no bytes are waiting.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(iot_tls::tls::RecordBuffer::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.filled == 0
    }

    /// The current size of the storage, in bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::RecordBuffer;
    ///
    /// let mut rx = RecordBuffer::default();
    /// assert_eq!(rx.capacity(), 0, "nothing allocated yet");
    /// rx.unfilled()?;
    /// assert_eq!(rx.capacity(), 4096);
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn capacity(&self) -> usize {
        match &self.storage {
            Storage::Heap(vec) => vec.len(),
            Storage::Borrowed(slice) => slice.len(),
        }
    }

    /// The largest size the storage has had, in bytes.
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::tls::RecordBuffer;
    ///
    /// let mut rx = RecordBuffer::default();
    /// rx.receive(&[23, 3, 3, 0x20, 0x00])?; // announces an 8 KiB record
    /// rx.unfilled()?;
    /// assert_eq!(rx.high_water(), 5 + 8192);
    /// # Ok::<(), iot_tls::tls::TlsError>(())
    /// ```
    pub fn high_water(&self) -> usize {
        self.high_water.max(self.capacity())
    }

    /// The most bytes the storage may grow to.
    ///
    /// # Example
    ///
    /// ```
    /// let mut memory = [0; 2048];
    /// assert_eq!(iot_tls::tls::RecordBuffer::with_storage(&mut memory).limit(), 2048);
    /// ```
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The received bytes, for rustls to deframe and decrypt in place.
    pub(super) fn received_mut(&mut self) -> &mut [u8] {
        let filled = self.filled;
        &mut self.bytes_mut()[..filled]
    }

    /// Removes `n` processed bytes from the front.
    pub(super) fn discard(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let n = n.min(self.filled);
        let filled = self.filled;
        self.bytes_mut().copy_within(n..filled, 0);
        self.filled -= n;
        self.scan = self.scan.saturating_sub(n);
        self.pending_end = self.pending_end.map(|end| end.saturating_sub(n));
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        match &mut self.storage {
            Storage::Heap(vec) => vec,
            Storage::Borrowed(slice) => slice,
        }
    }

    /// Walks the headers of the records that have arrived, so the buffer knows the end of the
    /// record it is waiting for before rustls has seen a byte of it.
    fn scan_headers(&mut self) {
        self.pending_end = None;
        while self.filled >= self.scan + HEADER_LEN {
            let bytes = match &self.storage {
                Storage::Heap(vec) => vec.as_slice(),
                Storage::Borrowed(slice) => slice,
            };
            let len = usize::from(u16::from_be_bytes([
                bytes[self.scan + 3],
                bytes[self.scan + 4],
            ]));
            let end = self.scan + HEADER_LEN + len;
            if end > self.filled {
                self.pending_end = Some(end);
                return;
            }
            self.scan = end;
        }
    }

    fn grow(&mut self, needed: usize) -> Result<(), TlsError> {
        let limit = self.limit;
        if needed > limit {
            let announced = self.pending_end.map_or(HEADER_LEN, |end| end - self.scan);
            return Err(if announced > limit {
                TlsError::RecordTooLarge { announced, limit }
            } else {
                TlsError::HandshakeTooLarge { needed, limit }
            });
        }
        let Storage::Heap(vec) = &mut self.storage else {
            // Borrowed storage has a fixed size, which is also its limit.
            return Err(TlsError::RecordTooLarge {
                announced: needed,
                limit,
            });
        };
        // The first allocation takes the resting size, so small records never cause a second one.
        let target = needed.max(self.initial);
        vec.try_reserve_exact(target - vec.len())
            .map_err(|_| TlsError::OutOfMemory { requested: target })?;
        vec.resize(target, 0);
        self.high_water = self.high_water.max(target);
        Ok(())
    }

    fn shrink(&mut self) {
        if let Storage::Heap(vec) = &mut self.storage {
            vec.truncate(self.initial);
            vec.shrink_to_fit();
        }
    }
}

impl core::fmt::Debug for RecordBuffer<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordBuffer")
            .field("len", &self.filled)
            .field("capacity", &self.capacity())
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(len: u16) -> [u8; 5] {
        let [hi, lo] = len.to_be_bytes();
        [23, 3, 3, hi, lo]
    }

    fn push(rx: &mut RecordBuffer<'_>, bytes: &[u8]) {
        let mut rest = bytes;
        while !rest.is_empty() {
            let n = rx.receive(rest).unwrap();
            assert!(n > 0, "no room for {} bytes", rest.len());
            rest = &rest[n..];
        }
    }

    #[test]
    fn grows_only_when_a_header_announces_more_and_shrinks_after() {
        let mut rx = RecordBuffer::new(RecordPolicy::Grow {
            initial: 256,
            max: MAX_RECORD_LEN,
        });
        assert_eq!(rx.unfilled().unwrap().len(), 256);

        // Small records fill the buffer without growing it.
        push(&mut rx, &record(100));
        push(&mut rx, &[0; 100]);
        assert_eq!(rx.capacity(), 256);
        rx.discard(105);

        // A 16 KiB record: the header alone makes room for exactly that record.
        push(&mut rx, &record(16_384 + 17));
        assert_eq!(rx.capacity(), 256);
        assert_eq!(rx.unfilled().unwrap().len(), 16_384 + 17);
        assert_eq!(rx.capacity(), 16_406);
        push(&mut rx, &alloc::vec![0; 16_401]);
        assert_eq!(rx.len(), 16_406);

        // Processed and discarded: the buffer goes back to its resting size.
        rx.discard(16_406);
        assert_eq!(rx.unfilled().unwrap().len(), 256);
        assert_eq!(rx.capacity(), 256);
        assert_eq!(rx.high_water(), 16_406);
    }

    #[test]
    fn a_record_split_across_reads_is_tracked() {
        let mut rx = RecordBuffer::new(RecordPolicy::Grow {
            initial: 64,
            max: 4096,
        });
        let header = record(1000);
        push(&mut rx, &header[..3]);
        assert_eq!(rx.capacity(), 64);
        push(&mut rx, &header[3..]);
        assert_eq!(rx.unfilled().unwrap().len(), 1000);
    }

    #[test]
    fn handshake_records_kept_for_joining_count_towards_the_need() {
        let mut rx = RecordBuffer::new(RecordPolicy::Grow {
            initial: 64,
            max: 1000,
        });
        // One complete record that rustls keeps while it waits for the rest of the message,
        // then a second record that would take the total past the limit.
        push(&mut rx, &record(595));
        push(&mut rx, &[0; 595]);
        push(&mut rx, &record(500));
        assert_eq!(
            rx.unfilled().err(),
            Some(TlsError::HandshakeTooLarge {
                needed: 1105,
                limit: 1000
            })
        );
    }

    #[test]
    fn a_hard_cap_refuses_larger_records() {
        let mut memory = [0; 512];
        let mut rx = RecordBuffer::with_storage(&mut memory);
        push(&mut rx, &record(2000));
        assert_eq!(
            rx.unfilled().err(),
            Some(TlsError::RecordTooLarge {
                announced: 2005,
                limit: 512
            })
        );

        let mut rx = RecordBuffer::new(RecordPolicy::Cap(512));
        push(&mut rx, &record(507));
        assert_eq!(rx.unfilled().unwrap().len(), 507);
        let mut rx = RecordBuffer::new(RecordPolicy::Cap(512));
        push(&mut rx, &record(508));
        assert_eq!(
            rx.unfilled().err(),
            Some(TlsError::RecordTooLarge {
                announced: 513,
                limit: 512
            })
        );
    }

    #[test]
    fn discarding_keeps_the_tail_and_the_scan_position() {
        let mut rx = RecordBuffer::new(RecordPolicy::Cap(128));
        push(&mut rx, &record(3));
        push(&mut rx, b"abc");
        push(&mut rx, &record(10));
        push(&mut rx, b"0123");
        rx.discard(8);
        assert_eq!(&rx.received_mut()[..5], &record(10));
        assert_eq!(rx.len(), 9);
        assert_eq!(rx.unfilled().unwrap().len(), 119);
        push(&mut rx, b"456789");
        assert_eq!(rx.len(), 15);
        assert_eq!(rx.scan, 15);
    }

    #[test]
    fn clearing_forgets_a_pending_record_and_shrinks() {
        let mut rx = RecordBuffer::new(RecordPolicy::Grow {
            initial: 128,
            max: 4096,
        });
        push(&mut rx, &record(2000));
        assert_eq!(rx.unfilled().unwrap().len(), 2000);
        rx.clear();
        assert_eq!(rx.capacity(), 128);
        assert_eq!(rx.unfilled().unwrap().len(), 128);
    }

    #[test]
    fn buffers_and_clients_can_move_to_another_task() {
        fn send<T: Send>() {}
        send::<RecordBuffer<'static>>();
        send::<crate::tls::TlsClient<'static>>();
        send::<crate::tls::TlsConfig>();
    }

    #[test]
    #[should_panic(expected = "advanced past the unfilled space")]
    fn advancing_past_the_space_panics() {
        let mut rx = RecordBuffer::new(RecordPolicy::Cap(64));
        let _ = rx.unfilled().unwrap();
        rx.advance(65);
    }
}

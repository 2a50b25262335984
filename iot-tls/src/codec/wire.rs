//! Field readers and writers shared by every packet type.

use super::{PacketId, TopicProblem, topic_filter_error, topic_name_error};
use crate::error::{DecodeError, DecodeErrorKind};

/// Reads the fields of one packet, tracking the offset for errors.
///
/// `bytes` is the whole packet (fixed header included), so offsets in errors count from the
/// packet's first byte.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over the packet `bytes`, starting after its `start`-byte fixed header.
    pub(crate) const fn new(bytes: &'a [u8], start: usize) -> Self {
        Self { bytes, pos: start }
    }

    /// The offset of the next byte.
    pub(crate) const fn position(&self) -> usize {
        self.pos
    }

    /// The number of bytes left in the packet.
    pub(crate) const fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// An error of `kind` at offset `at`.
    pub(crate) const fn error_at(kind: DecodeErrorKind, at: usize) -> DecodeError {
        DecodeError::new(kind, at)
    }

    /// The next `len` bytes.
    pub(crate) fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(Self::error_at(DecodeErrorKind::UnexpectedEnd, self.pos))?;
        let field = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(field)
    }

    /// One byte.
    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    /// A big-endian 16-bit number.
    pub(crate) fn u16(&mut self) -> Result<u16, DecodeError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    /// A big-endian 32-bit number.
    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A variable byte integer (at most four bytes, as a remaining length).
    pub(crate) fn vbi(&mut self) -> Result<u32, DecodeError> {
        let at = self.pos;
        let mut value = 0u32;
        for i in 0..4 {
            let byte = self.u8().map_err(|e| Self::error_at(e.kind(), at))?;
            value |= u32::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Self::error_at(DecodeErrorKind::VariableByteInteger, at))
    }

    /// A non-zero packet identifier.
    pub(crate) fn packet_id(&mut self) -> Result<PacketId, DecodeError> {
        let at = self.pos;
        PacketId::new(self.u16()?).ok_or(Self::error_at(DecodeErrorKind::PacketIdZero, at))
    }

    /// Binary data with a 16-bit length prefix.
    pub(crate) fn binary(&mut self) -> Result<&'a [u8], DecodeError> {
        let at = self.pos;
        let len = self.u16()?;
        self.take(usize::from(len)).map_err(|e| {
            // Point at the length that promised more than the packet holds.
            Self::error_at(e.kind(), at)
        })
    }

    /// A UTF-8 string with a 16-bit length prefix and no null character.
    pub(crate) fn string(&mut self) -> Result<&'a str, DecodeError> {
        let bytes = self.binary()?;
        let start = self.pos - bytes.len();
        utf8(bytes, start)
    }

    /// A topic name: a string without wildcards, at least one byte long.
    pub(crate) fn topic_name(&mut self) -> Result<&'a str, DecodeError> {
        self.topic(topic_name_error)
    }

    /// A topic name of an MQTT 5 PUBLISH, which may be empty when a Topic Alias stands for it.
    pub(crate) fn topic_name_or_empty(&mut self) -> Result<&'a str, DecodeError> {
        if self.bytes.get(self.pos..self.pos + 2) == Some(&[0, 0]) {
            self.pos += 2;
            return Ok("");
        }
        self.topic_name()
    }

    /// A topic filter: a string whose wildcards stand alone in their levels.
    pub(crate) fn topic_filter(&mut self) -> Result<&'a str, DecodeError> {
        self.topic(topic_filter_error)
    }

    /// A UTF-8 string with a 16-bit length prefix that `problem` finds nothing wrong with
    /// (including null characters).
    fn topic(
        &mut self,
        problem: fn(&[u8]) -> Option<(TopicProblem, usize)>,
    ) -> Result<&'a str, DecodeError> {
        let bytes = self.binary()?;
        let start = self.pos - bytes.len();
        let topic = core::str::from_utf8(bytes)
            .map_err(|e| DecodeError::new(DecodeErrorKind::Utf8, start + e.valid_up_to()))?;
        match problem(bytes) {
            Some((e, i)) => Err(Self::error_at(e.into(), start + i)),
            None => Ok(topic),
        }
    }

    /// The bytes read since offset `start`.
    pub(crate) fn consumed_since(&self, start: usize) -> &'a [u8] {
        self.bytes.get(start..self.pos).unwrap_or_default()
    }

    /// Everything left in the packet.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let rest = &self.bytes[self.pos..];
        self.pos = self.bytes.len();
        rest
    }

    /// Checks that the whole packet was read.
    pub(crate) const fn finish(&self) -> Result<(), DecodeError> {
        if self.pos < self.bytes.len() {
            return Err(Self::error_at(DecodeErrorKind::TrailingBytes, self.pos));
        }
        Ok(())
    }
}

/// Validates `bytes` as an MQTT string that starts at offset `start`.
fn utf8(bytes: &[u8], start: usize) -> Result<&str, DecodeError> {
    let s = core::str::from_utf8(bytes)
        .map_err(|e| DecodeError::new(DecodeErrorKind::Utf8, start + e.valid_up_to()))?;
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::new(DecodeErrorKind::NullCharacter, start + i));
    }
    Ok(s)
}

/// Writes fields into a buffer sized beforehand for exactly the packet.
///
/// The encoder checks the length before writing, so writes never run past the buffer; if they
/// would, the extra bytes are dropped (and a debug assertion in the encoder fires) instead of
/// panicking.
pub struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    /// A writer at the start of `buf`.
    pub(crate) const fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// The number of bytes written.
    pub(crate) const fn position(&self) -> usize {
        self.pos
    }

    /// Raw bytes.
    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        let end = self.pos.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.pos..end) {
            dst.copy_from_slice(bytes);
        }
        self.pos = end;
    }

    /// One byte.
    pub(crate) fn u8(&mut self, byte: u8) {
        self.bytes(&[byte]);
    }

    /// A big-endian 16-bit number.
    pub(crate) fn u16(&mut self, value: u16) {
        self.bytes(&value.to_be_bytes());
    }

    /// Binary data with a 16-bit length prefix (checked by the encoder).
    pub(crate) fn binary(&mut self, bytes: &[u8]) {
        self.u16(u16::try_from(bytes.len()).unwrap_or(u16::MAX));
        self.bytes(bytes);
    }

    /// A big-endian 32-bit number.
    pub(crate) fn u32(&mut self, value: u32) {
        self.bytes(&value.to_be_bytes());
    }

    /// A string with a 16-bit length prefix.
    pub(crate) fn string(&mut self, s: &str) {
        self.binary(s.as_bytes());
    }

    /// A remaining length (at most [`MAX_REMAINING_LENGTH`](super::MAX_REMAINING_LENGTH)).
    pub(crate) fn remaining_length(&mut self, mut len: usize) {
        loop {
            #[expect(clippy::cast_possible_truncation, reason = "masked to seven bits")]
            let mut byte = (len & 0x7f) as u8;
            len >>= 7;
            if len > 0 {
                byte |= 0x80;
            }
            self.u8(byte);
            if len == 0 {
                break;
            }
        }
    }
}

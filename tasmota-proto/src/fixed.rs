//! Inline, fixed-capacity strings: topics and payloads are built without a heap.

use core::fmt;
use core::ops::Deref;

/// A UTF-8 string of at most `N` bytes stored inline, with no heap allocation.
///
/// Topics ([`TopicBuf`](crate::topic::TopicBuf)) and command payloads
/// ([`PayloadBuf`](crate::command::PayloadBuf)) are `FixedStr`s, so building them never allocates
/// and their size is known at compile time. Appending past the capacity fails and leaves the
/// string unchanged; it never truncates.
///
/// # Examples
///
/// ```
/// use core::fmt::Write;
/// use tasmota_proto::FixedStr;
///
/// let mut s = FixedStr::<8>::new();
/// s.push_str("Power")?;
/// write!(s, "{}", 1).unwrap();
/// assert_eq!(s.as_str(), "Power1");
/// assert!(s.push_str("toolong").is_err());
/// assert_eq!(s.as_str(), "Power1");
/// # Ok::<(), tasmota_proto::CapacityError>(())
/// ```
#[derive(Clone, Copy)]
pub struct FixedStr<const N: usize> {
    buf: [u8; N],
    len: usize,
}

/// Appending to a [`FixedStr`] would exceed its capacity.
///
/// # Examples
///
/// ```
/// use tasmota_proto::FixedStr;
///
/// let err = FixedStr::<2>::new().push_str("abc").unwrap_err();
/// assert_eq!(err.capacity, 2);
/// assert_eq!(err.needed, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{needed} bytes do not fit in a buffer of {capacity}")]
pub struct CapacityError {
    /// The capacity of the buffer, in bytes.
    pub capacity: usize,
    /// The length the string would have had, in bytes.
    pub needed: usize,
}

impl<const N: usize> FixedStr<N> {
    /// An empty string.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::FixedStr::<4>::new().is_empty());
    /// ```
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            len: 0,
        }
    }

    /// A string holding a copy of `s`.
    ///
    /// # Errors
    ///
    /// [`CapacityError`] when `s` is longer than `N` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::FixedStr::<4>::try_from_str("ON")?;
    /// assert_eq!(s, "ON");
    /// # Ok::<(), tasmota_proto::CapacityError>(())
    /// ```
    pub fn try_from_str(s: &str) -> Result<Self, CapacityError> {
        let mut out = Self::new();
        out.push_str(s)?;
        Ok(out)
    }

    /// The string.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::FixedStr::<4>::try_from_str("OFF")?;
    /// assert_eq!(s.as_str(), "OFF");
    /// # Ok::<(), tasmota_proto::CapacityError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever appended and the length only shrinks to a previous length,
        // so the bytes are always valid UTF-8; the fallback is never taken.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    /// The length in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = tasmota_proto::FixedStr::<8>::try_from_str("tele")?;
    /// assert_eq!(s.len(), 4);
    /// # Ok::<(), tasmota_proto::CapacityError>(())
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the string is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(tasmota_proto::FixedStr::<8>::new().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The capacity `N`, in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(tasmota_proto::FixedStr::<150>::new().capacity(), 150);
    /// ```
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Empties the string.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = tasmota_proto::FixedStr::<8>::try_from_str("stat")?;
    /// s.clear();
    /// assert!(s.is_empty());
    /// # Ok::<(), tasmota_proto::CapacityError>(())
    /// ```
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Appends `s`, or fails and leaves the string unchanged.
    ///
    /// # Errors
    ///
    /// [`CapacityError`] when the result would be longer than `N` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = tasmota_proto::FixedStr::<8>::new();
    /// s.push_str("cmnd/")?;
    /// assert_eq!(s, "cmnd/");
    /// # Ok::<(), tasmota_proto::CapacityError>(())
    /// ```
    pub fn push_str(&mut self, s: &str) -> Result<(), CapacityError> {
        let end = self.len + s.len();
        let Some(dst) = self.buf.get_mut(self.len..end) else {
            return Err(CapacityError {
                capacity: N,
                needed: end,
            });
        };
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }

    /// Appends one character, or fails and leaves the string unchanged.
    ///
    /// # Errors
    ///
    /// [`CapacityError`] when the result would be longer than `N` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut s = tasmota_proto::FixedStr::<2>::new();
    /// s.push('/')?;
    /// assert_eq!(s, "/");
    /// # Ok::<(), tasmota_proto::CapacityError>(())
    /// ```
    pub fn push(&mut self, c: char) -> Result<(), CapacityError> {
        self.push_str(c.encode_utf8(&mut [0; 4]))
    }

    /// Shortens the string to `len` bytes if that is a character boundary; otherwise does nothing.
    pub(crate) fn truncate(&mut self, len: usize) {
        if len <= self.len && self.as_str().is_char_boundary(len) {
            self.len = len;
        }
    }
}

impl<const N: usize> Default for FixedStr<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Deref for FixedStr<N> {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> AsRef<str> for FixedStr<N> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<const N: usize> fmt::Write for FixedStr<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push_str(s).map_err(|_| fmt::Error)
    }
}

impl<const N: usize> fmt::Display for FixedStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> fmt::Debug for FixedStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize, const M: usize> PartialEq<FixedStr<M>> for FixedStr<N> {
    fn eq(&self, other: &FixedStr<M>) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<const N: usize> Eq for FixedStr<N> {}

impl<const N: usize> PartialEq<str> for FixedStr<N> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<const N: usize> PartialEq<&str> for FixedStr<N> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<const N: usize> core::hash::Hash for FixedStr<N> {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt::Write;

    #[test]
    fn overflow_leaves_string_unchanged() {
        let mut s = FixedStr::<4>::new();
        s.push_str("abc").unwrap();
        assert_eq!(
            s.push_str("de"),
            Err(CapacityError {
                capacity: 4,
                needed: 5
            })
        );
        assert_eq!(s, "abc");
        assert!(write!(s, "{}", 12).is_err());
        s.push('d').unwrap();
        assert_eq!(s, "abcd");
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        let mut s = FixedStr::<8>::try_from_str("aé").unwrap();
        s.truncate(2);
        assert_eq!(s, "aé");
        s.truncate(1);
        assert_eq!(s, "a");
    }
}

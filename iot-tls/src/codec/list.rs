//! Lists of filters and return codes that are either borrowed items (to encode) or the validated
//! wire bytes of a decoded packet (iterated in place, no allocation).

use core::fmt;
use core::hash::{Hash, Hasher};

use super::{Reader, Writer};
use crate::error::DecodeError;

/// An item of a [`List`]: a [`Subscription`](super::Subscription) of a SUBSCRIBE, a filter
/// (`&str`) of an UNSUBSCRIBE or a [`SubAckCode`](super::SubAckCode) of a SUBACK.
///
/// Sealed: the crate implements it for exactly those three types.
pub trait ListItem<'a>: sealed::Item<'a> {}

pub(crate) mod sealed {
    use super::{DecodeError, Reader, Writer};

    /// The wire form of a list item.
    pub trait Item<'a>: Copy + Sized {
        /// The encoded length.
        fn wire_len(&self) -> usize;
        /// Writes the item.
        fn write(&self, w: &mut Writer<'_>);
        /// Reads and validates one item.
        fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError>;
        /// Checks the item for the encoder.
        fn validate(&self) -> Result<(), crate::error::EncodeError>;
    }
}

/// The entries of a SUBSCRIBE, UNSUBSCRIBE or SUBACK.
///
/// Built from a slice to encode ([`List::new`]); a decoded packet holds its validated wire bytes
/// instead, and [`iter`](Self::iter) reads them in place. Two lists are equal when their items are,
/// whichever form they have.
///
/// # Example
///
/// ```
/// use iot_tls::codec::{self, List, Packet, PacketId, Qos, Subscribe, Subscription};
///
/// let filters = [Subscription::new("a/+", Qos::AtLeastOnce), Subscription::new("b/#", Qos::AtMostOnce)];
/// let subscribe = Subscribe::new(PacketId::new(1).unwrap(), List::new(&filters));
/// let mut buf = [0u8; 32];
/// let len = Packet::Subscribe(subscribe).encode(&mut buf)?;
///
/// let Some((Packet::Subscribe(decoded), _)) = codec::decode(&buf[..len])? else { unreachable!() };
/// assert_eq!(decoded.filters.len(), 2);
/// assert_eq!(decoded.filters.iter().nth(1), Some(filters[1]));
/// assert_eq!(decoded, subscribe);
/// # Ok::<(), iot_tls::Error>(())
/// ```
pub struct List<'a, T> {
    repr: Repr<'a, T>,
}

enum Repr<'a, T> {
    Items(&'a [T]),
    /// Validated wire bytes and the number of items in them.
    Wire(&'a [u8], usize),
}

impl<'a, T: ListItem<'a>> List<'a, T> {
    /// A list of `items`.
    ///
    /// # Example
    ///
    /// See [`List`].
    pub const fn new(items: &'a [T]) -> Self {
        Self {
            repr: Repr::Items(items),
        }
    }

    /// Reads items from the rest of the packet; at least one must be there.
    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let start = r.position();
        if r.remaining() == 0 {
            return Err(Reader::error_at(
                crate::error::DecodeErrorKind::EmptyPayload,
                start,
            ));
        }
        let mut count = 0;
        while r.remaining() > 0 {
            T::read(r)?;
            count += 1;
        }
        Ok(Self {
            repr: Repr::Wire(r.consumed_since(start), count),
        })
    }

    /// The number of items.
    ///
    /// # Example
    ///
    /// See [`List`].
    pub const fn len(&self) -> usize {
        match self.repr {
            Repr::Items(items) => items.len(),
            Repr::Wire(_, count) => count,
        }
    }

    /// Whether the list has no items (never true of a decoded list).
    ///
    /// # Example
    ///
    /// ```
    /// use iot_tls::codec::{List, Subscription};
    ///
    /// assert!(List::<Subscription<'_>>::new(&[]).is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, in order.
    ///
    /// # Example
    ///
    /// See [`List`].
    pub fn iter(&self) -> Iter<'a, T> {
        Iter {
            repr: match self.repr {
                Repr::Items(items) => Repr::Items(items),
                Repr::Wire(bytes, count) => Repr::Wire(bytes, count),
            },
            pos: 0,
        }
    }

    /// The encoded length of the items.
    pub(crate) fn wire_len(&self) -> usize {
        match self.repr {
            Repr::Items(items) => items.iter().map(sealed::Item::wire_len).sum(),
            Repr::Wire(bytes, _) => bytes.len(),
        }
    }

    /// Writes the items.
    pub(crate) fn write(&self, w: &mut Writer<'_>) {
        match self.repr {
            Repr::Items(items) => items.iter().for_each(|item| item.write(w)),
            Repr::Wire(bytes, _) => w.bytes(bytes),
        }
    }

    /// Checks the items for the encoder: at least one, each valid.
    pub(crate) fn validate(&self) -> Result<(), crate::error::EncodeError> {
        if self.is_empty() {
            return Err(crate::error::EncodeError::EmptyList);
        }
        match self.repr {
            Repr::Items(items) => items.iter().try_for_each(sealed::Item::validate),
            Repr::Wire(..) => Ok(()),
        }
    }
}

impl<T> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for List<'_, T> {}

impl<T> Clone for Repr<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Repr<'_, T> {}

impl<'a, T: ListItem<'a> + PartialEq> PartialEq for List<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: ListItem<'a> + Eq> Eq for List<'a, T> {}

impl<'a, T: ListItem<'a> + Hash> Hash for List<'a, T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        self.iter().for_each(|item| item.hash(state));
    }
}

impl<'a, T: ListItem<'a> + fmt::Debug> fmt::Debug for List<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: ListItem<'a>> IntoIterator for List<'a, T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T: ListItem<'a>> IntoIterator for &List<'a, T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T: ListItem<'a>> From<&'a [T]> for List<'a, T> {
    fn from(items: &'a [T]) -> Self {
        Self::new(items)
    }
}

/// An iterator over the items of a [`List`].
///
/// # Example
///
/// ```
/// use iot_tls::codec::{List, Qos, SubAckCode};
///
/// let codes = [SubAckCode::Granted(Qos::AtLeastOnce), SubAckCode::Failure];
/// let mut iter = List::new(&codes).iter();
/// assert_eq!(iter.next(), Some(SubAckCode::Granted(Qos::AtLeastOnce)));
/// assert_eq!(iter.len(), 1);
/// ```
pub struct Iter<'a, T> {
    repr: Repr<'a, T>,
    /// Items already returned.
    pos: usize,
}

impl<'a, T: ListItem<'a>> Iterator for Iter<'a, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match &mut self.repr {
            Repr::Items(items) => {
                let item = *items.get(self.pos)?;
                self.pos += 1;
                Some(item)
            }
            Repr::Wire(bytes, count) => {
                if self.pos == *count {
                    return None;
                }
                let mut r = Reader::new(bytes, 0);
                // The bytes were validated when the packet was decoded, so this cannot fail.
                let item = T::read(&mut r).ok()?;
                *bytes = r.rest();
                self.pos += 1;
                Some(item)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = match self.repr {
            Repr::Items(items) => items.len(),
            Repr::Wire(_, count) => count,
        } - self.pos;
        (len, Some(len))
    }
}

impl<'a, T: ListItem<'a>> ExactSizeIterator for Iter<'a, T> {}

impl<'a, T: ListItem<'a>> core::iter::FusedIterator for Iter<'a, T> {}

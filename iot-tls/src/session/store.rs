//! The session's store: encoded requests packed in a caller buffer, indexed by a fixed table.
//!
//! Layout of the buffer: the encoded CONNECT first (written once), then one encoded packet per
//! record, packed in the order the records were created. Removing or shrinking a record moves
//! the later bytes down, so free space is always one block at the end. Record slots never move,
//! so a slot index stays valid while the record exists.

use crate::codec::{self, PacketId, Qos};
use crate::error::{EncodeError, Error, SessionError};

/// The DUP flag of a PUBLISH's first byte.
const DUP: u8 = 0b1000;

/// What a record holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A PUBLISH at this QoS (0 or 1).
    Publish(Qos),
    /// A SUBSCRIBE; once acknowledged, it stays as the memory of its granted filters.
    Subscribe,
    /// An UNSUBSCRIBE.
    Unsubscribe,
}

/// Where a record is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Waiting to be sent on the current (or next) connection.
    Queued,
    /// Sent, waiting for its acknowledgement.
    AwaitingAck,
    /// A SUBSCRIBE the broker acknowledged: kept to re-subscribe after a session loss.
    Active,
}

/// One entry of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Record {
    pub(crate) kind: Kind,
    pub(crate) phase: Phase,
    pub(crate) packet_id: Option<PacketId>,
    offset: usize,
    len: usize,
}

impl Record {
    /// Whether sending this record puts it in flight (it waits for an acknowledgement).
    pub(crate) const fn needs_ack(&self) -> bool {
        !matches!(self.kind, Kind::Publish(Qos::AtMostOnce))
    }
}

/// Encoded requests in a caller buffer and the fixed table that indexes them.
pub(crate) struct Store<'a, const N: usize> {
    bytes: &'a mut [u8],
    /// MQTT 5: a property block (its length, then the properties) sits between a SUBSCRIBE's
    /// or UNSUBSCRIBE's packet identifier and its first filter.
    v5: bool,
    /// The encoded CONNECT occupies `bytes[..connect_len]`.
    connect_len: usize,
    /// Records occupy `bytes[connect_len..end]`.
    end: usize,
    records: [Option<Record>; N],
}

impl<'a, const N: usize> Store<'a, N> {
    /// A store over `bytes` that starts with the encoded `connect`.
    pub(crate) fn new(
        bytes: &'a mut [u8],
        connect: impl FnOnce(&mut [u8]) -> Result<usize, EncodeError>,
        v5: bool,
    ) -> Result<Self, Error> {
        let capacity = bytes.len();
        let connect_len = connect(bytes).map_err(|e| match e {
            EncodeError::BufferTooSmall { needed, .. } => {
                Error::Session(SessionError::BufferTooSmall {
                    buffer: "store",
                    needed,
                    capacity,
                })
            }
            other => Error::Encode(other),
        })?;
        Ok(Self {
            bytes,
            connect_len,
            end: connect_len,
            records: [None; N],
            v5,
        })
    }

    /// Whether SUBSCRIBE and UNSUBSCRIBE carry a property block (MQTT 5).
    pub(crate) const fn v5(&self) -> bool {
        self.v5
    }

    /// The encoded CONNECT.
    pub(crate) fn connect(&self) -> &[u8] {
        &self.bytes[..self.connect_len]
    }

    /// The bytes left for new records.
    pub(crate) const fn free(&self) -> usize {
        self.bytes.len() - self.end
    }

    /// The bytes that records can ever use.
    pub(crate) const fn capacity(&self) -> usize {
        self.bytes.len() - self.connect_len
    }

    /// The record in `slot`.
    pub(crate) fn get(&self, slot: usize) -> Option<&Record> {
        self.records.get(slot)?.as_ref()
    }

    /// The record in `slot`, mutably.
    pub(crate) fn get_mut(&mut self, slot: usize) -> Option<&mut Record> {
        self.records.get_mut(slot)?.as_mut()
    }

    /// The encoded packet of the record in `slot`.
    pub(crate) fn packet(&self, slot: usize) -> &[u8] {
        self.get(slot)
            .map_or(&[], |r| &self.bytes[r.offset..r.offset + r.len])
    }

    /// The range of the record in `slot` within [`bytes`](Self::bytes).
    pub(crate) fn range(&self, slot: usize) -> core::ops::Range<usize> {
        self.get(slot).map_or(0..0, |r| r.offset..r.offset + r.len)
    }

    /// Occupied slots and their records.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, &Record)> {
        self.records
            .iter()
            .enumerate()
            .filter_map(|(slot, r)| Some((slot, r.as_ref()?)))
    }

    /// Occupied slots and their records, mutably.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (usize, &mut Record)> {
        self.records
            .iter_mut()
            .enumerate()
            .filter_map(|(slot, r)| Some((slot, r.as_mut()?)))
    }

    /// Whether a record uses `id`.
    pub(crate) fn uses_id(&self, id: PacketId) -> bool {
        self.iter().any(|(_, r)| r.packet_id == Some(id))
    }

    /// The number of records in `phase`.
    pub(crate) fn count(&self, phase: Phase) -> usize {
        self.iter().filter(|(_, r)| r.phase == phase).count()
    }

    /// The queued record created first.
    pub(crate) fn next_queued(&self) -> Option<(usize, &Record)> {
        self.iter()
            .filter(|(_, r)| r.phase == Phase::Queued)
            .min_by_key(|(_, r)| r.offset)
    }

    /// The slot of the record of `kind` in `phase` with `id`.
    pub(crate) fn find(&self, kind: Kind, phase: Phase, id: PacketId) -> Option<usize> {
        self.iter()
            .find(|(_, r)| r.kind == kind && r.phase == phase && r.packet_id == Some(id))
            .map(|(slot, _)| slot)
    }

    /// Whether the record in `a` was created before the one in `b`.
    pub(crate) fn older(&self, a: usize, b: usize) -> bool {
        match (self.get(a), self.get(b)) {
            (Some(a), Some(b)) => a.offset < b.offset,
            _ => false,
        }
    }

    /// Checks that a request of `len` bytes can be stored now.
    pub(crate) fn reserve(&self, len: usize) -> Result<usize, SessionError> {
        if len > self.capacity() {
            return Err(SessionError::RequestTooLarge {
                len,
                capacity: self.capacity(),
            });
        }
        let slot = self
            .records
            .iter()
            .position(Option::is_none)
            .ok_or(SessionError::NoFreeSlot { capacity: N })?;
        if len > self.free() {
            return Err(SessionError::StoreFull {
                needed: len,
                free: self.free(),
            });
        }
        Ok(slot)
    }

    /// Stores a queued record of `kind` whose packet `encode` writes (`len` bytes).
    pub(crate) fn push(
        &mut self,
        kind: Kind,
        packet_id: Option<PacketId>,
        len: usize,
        encode: impl FnOnce(&mut [u8]) -> Result<usize, EncodeError>,
    ) -> Result<(), Error> {
        let slot = self.reserve(len)?;
        let written = encode(&mut self.bytes[self.end..self.end + len])?;
        debug_assert_eq!(written, len);
        self.records[slot] = Some(Record {
            kind,
            phase: Phase::Queued,
            packet_id,
            offset: self.end,
            len,
        });
        self.end += len;
        Ok(())
    }

    /// Removes the record in `slot` and frees its bytes.
    pub(crate) fn remove(&mut self, slot: usize) {
        if let Some(record) = self.records.get_mut(slot).and_then(Option::take) {
            self.cut(record.offset, record.len);
        }
    }

    /// Marks every record awaiting an acknowledgement as queued again, setting DUP on PUBLISH, so
    /// the next connection sends them again in their original order.
    pub(crate) fn requeue_in_flight(&mut self) {
        for slot in 0..N {
            let Some(record) = self.records[slot].as_mut() else {
                continue;
            };
            if record.phase == Phase::AwaitingAck {
                record.phase = Phase::Queued;
                if matches!(record.kind, Kind::Publish(_)) {
                    self.bytes[record.offset] |= DUP;
                }
            }
        }
    }

    /// Marks every acknowledged SUBSCRIBE as queued again, to re-subscribe.
    pub(crate) fn requeue_subscriptions(&mut self) {
        for (_, record) in self.iter_mut() {
            if record.phase == Phase::Active {
                record.phase = Phase::Queued;
            }
        }
    }

    /// The number of filters in the SUBSCRIBE or UNSUBSCRIBE of `slot`.
    pub(crate) fn filter_count(&self, slot: usize) -> usize {
        let kind = self.get(slot).map(|r| r.kind);
        filters(self.packet(slot), kind == Some(Kind::Subscribe), self.v5).count()
    }

    /// Rewrites the SUBSCRIBE in `slot` to keep only the filters for which
    /// `keep(store bytes, filter range, index)` is true; removes the record when none is kept.
    ///
    /// The packet shrinks in place: the new header is never longer than the old one, so each
    /// kept filter moves towards the start without overwriting a filter not yet visited.
    pub(crate) fn retain_filters(
        &mut self,
        slot: usize,
        keep: impl Fn(&[u8], core::ops::Range<usize>, usize) -> bool,
    ) {
        let Some(record) = self.get(slot).copied() else {
            return;
        };
        let Ok(Some(header)) = codec::frame(self.packet(slot)) else {
            return;
        };
        let end = record.offset + record.len;
        let id_at = record.offset + header.header_len();
        let props = id_at + 2..id_at + 2 + props_len(&self.bytes[..end], id_at + 2, self.v5);
        let first_entry = props.end;
        // Pass 1: the kept filters' length.
        let mut kept = 0;
        let mut at = first_entry;
        let mut i = 0;
        while let Some(entry) = filter_at(&self.bytes[..end], at, true) {
            if keep(self.bytes, entry.filter.clone(), i) {
                kept += entry.len();
            }
            at = entry.end;
            i += 1;
        }
        if kept == 0 {
            self.remove(slot);
            return;
        }
        // Pass 2: write the new header and identifier, then move each kept filter down.
        let first = self.bytes[record.offset];
        let id = [self.bytes[id_at], self.bytes[id_at + 1]];
        let mut w = codec::Writer::new(&mut self.bytes[record.offset..end]);
        w.u8(first);
        w.remaining_length(2 + props.len() + kept);
        w.bytes(&id);
        let mut write = record.offset + w.position();
        // The properties (a Subscription Identifier) stay with the filters that remain.
        self.bytes.copy_within(props.clone(), write);
        write += props.len();
        let mut at = first_entry;
        let mut i = 0;
        while let Some(entry) = filter_at(&self.bytes[..end], at, true) {
            if keep(self.bytes, entry.filter.clone(), i) {
                self.bytes.copy_within(entry.start..entry.end, write);
                write += entry.len();
            }
            at = entry.end;
            i += 1;
        }
        let new_len = write - record.offset;
        if let Some(r) = self.records[slot].as_mut() {
            r.len = new_len;
        }
        self.cut(write, record.len - new_len);
    }

    /// Frees `len` bytes at `at`, moving the later bytes and records down.
    fn cut(&mut self, at: usize, len: usize) {
        if len == 0 {
            return;
        }
        self.bytes.copy_within(at + len..self.end, at);
        self.end -= len;
        for (_, record) in self.iter_mut() {
            if record.offset > at {
                record.offset -= len;
            }
        }
    }
}

/// A filter entry of a SUBSCRIBE or UNSUBSCRIBE: its byte range (length prefix to QoS byte
/// included) and the range of the filter text.
#[derive(Clone, Debug)]
pub(crate) struct FilterEntry {
    pub(crate) start: usize,
    pub(crate) filter: core::ops::Range<usize>,
    pub(crate) end: usize,
}

impl FilterEntry {
    const fn len(&self) -> usize {
        self.end - self.start
    }
}

/// The filter entry starting at `at` in `bytes` (with a QoS byte for a SUBSCRIBE).
fn filter_at(bytes: &[u8], at: usize, with_qos: bool) -> Option<FilterEntry> {
    let len = usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
    let filter = at + 2..at + 2 + len;
    let end = filter.end + usize::from(with_qos);
    (end <= bytes.len()).then_some(FilterEntry {
        start: at,
        filter,
        end,
    })
}

/// The length of the MQTT 5 property block at `at` in `bytes` (its length prefix included);
/// 0 on MQTT 3.1.1. The block was encoded by this crate, so its length is well formed.
fn props_len(bytes: &[u8], at: usize, v5: bool) -> usize {
    if !v5 {
        return 0;
    }
    let mut value = 0;
    for (i, &byte) in bytes.iter().skip(at).take(4).enumerate() {
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return i + 1 + value;
        }
    }
    bytes.len().saturating_sub(at)
}

/// The filter entries of the encoded SUBSCRIBE (`with_qos`) or UNSUBSCRIBE `packet`, with ranges
/// relative to the packet; on MQTT 5 (`v5`) a property block follows its identifier.
pub(crate) fn filters(
    packet: &[u8],
    with_qos: bool,
    v5: bool,
) -> impl Iterator<Item = FilterEntry> + '_ {
    let start = codec::frame(packet)
        .ok()
        .flatten()
        .map_or(packet.len(), |h| {
            let at = h.header_len() + 2;
            at + props_len(packet, at, v5)
        });
    let mut at = start;
    core::iter::from_fn(move || {
        let entry = filter_at(packet, at, with_qos)?;
        at = entry.end;
        Some(entry)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{Connect, List, Packet, Publish, Subscribe, Subscription};

    fn subscribe_with(store: &mut Store<'_, 4>, id: u16, filters: &[Subscription<'_>]) {
        let packet = Subscribe::new(PacketId::new(id).unwrap(), List::new(filters));
        store
            .push(
                Kind::Subscribe,
                packet.packet_id.into(),
                codec::encoded_len(&packet),
                |b| codec::encode(&packet, b),
            )
            .unwrap();
    }

    fn decode(bytes: &[u8]) -> Packet<'_> {
        let (packet, used) = codec::decode(bytes).unwrap().unwrap();
        assert_eq!(used, bytes.len());
        packet
    }

    #[test]
    fn retaining_filters_shrinks_the_header_and_moves_later_records() {
        let mut bytes = [0u8; 1024];
        let mut store: Store<'_, 4> =
            Store::new(&mut bytes, |b| codec::encode(&Connect::new("c"), b), false).unwrap();
        let long = |c: char| std::iter::repeat_n(c, 50).collect::<std::string::String>();
        let (a, b, c) = (long('a'), long('b'), long('c'));
        let filters = [
            Subscription::new(&a, Qos::AtMostOnce),
            Subscription::new(&b, Qos::AtLeastOnce),
            Subscription::new(&c, Qos::AtMostOnce),
        ];
        subscribe_with(&mut store, 7, &filters);
        assert_eq!(
            store.packet(0)[..3],
            [0x82, 0xa1, 0x01],
            "161-byte body: two length bytes"
        );
        let publish = Publish::new("after", b"intact");
        store
            .push(
                Kind::Publish(Qos::AtMostOnce),
                None,
                codec::encoded_len(&publish),
                |buf| codec::encode(&publish, buf),
            )
            .unwrap();
        let free = store.free();

        store.retain_filters(0, |_, _, i| i == 1);
        assert_eq!(store.filter_count(0), 1);
        let Packet::Subscribe(kept) = decode(store.packet(0)) else {
            panic!("not a SUBSCRIBE");
        };
        assert_eq!(kept.packet_id.get(), 7);
        assert!(kept.filters.iter().eq([filters[1]]));
        assert_eq!(
            store.free(),
            free + 2 * 53 + 1,
            "two entries and a length byte freed"
        );
        assert_eq!(decode(store.packet(1)), Packet::Publish(publish));

        store.retain_filters(0, |_, _, _| false);
        assert!(store.get(0).is_none());
        assert_eq!(decode(store.packet(1)), Packet::Publish(publish));
        assert_eq!(
            store.capacity() - store.free(),
            codec::encoded_len(&publish)
        );
    }

    #[test]
    fn requeued_publishes_get_the_dup_flag() {
        let mut bytes = [0u8; 256];
        let mut store: Store<'_, 4> =
            Store::new(&mut bytes, |b| codec::encode(&Connect::new("c"), b), false).unwrap();
        let id = PacketId::new(3);
        let publish = Publish::new("t", b"x").with_qos(Qos::AtLeastOnce, id);
        store
            .push(
                Kind::Publish(Qos::AtLeastOnce),
                id,
                codec::encoded_len(&publish),
                |buf| codec::encode(&publish, buf),
            )
            .unwrap();
        store.requeue_in_flight();
        assert_eq!(store.packet(0)[0], 0x32, "still queued: never sent, no DUP");
        store.get_mut(0).unwrap().phase = Phase::AwaitingAck;
        store.requeue_in_flight();
        assert_eq!(store.get(0).unwrap().phase, Phase::Queued);
        assert_eq!(
            decode(store.packet(0)),
            Packet::Publish(Publish {
                dup: true,
                ..publish
            })
        );
    }
}

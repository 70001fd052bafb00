//! Log Matching (Raft §5.3, Figure 3): if two logs hold a record with the same offset and
//! epoch, they hold the same record there and are identical in all records up to it.
//!
//! Checked incrementally: every appended record is registered under `(offset, epoch)` with its
//! fingerprint and the epoch of the record before it. A later append under the same key must
//! agree on both; by induction the whole prefixes agree.
//!
//! Offsets below every replica's log start are forgotten ([`Check::forget_below`]).

use std::sync::Arc;

use super::{violation, Property, Violation};
use crate::chunked::OffsetVec;
use crate::flat::FlatMap;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, Offset};

/// The property.
pub const PROPERTY: Property = Property {
    name: "log_matching",
    statement: "same offset and epoch means the same record and the same prefix",
    source: "Raft §5.3 (Log Matching); Kafka: DivergingEpoch in FetchResponse",
};

/// What was first appended at an offset: `(epoch, record fingerprint, epoch of the previous
/// record)`.
type Seen = (Epoch, u64, Option<Epoch>);

/// The other epochs seen at an offset: `(offset, epoch)` → `(fingerprint, previous epoch)`.
type SeenAside = FlatMap<(Offset, Epoch), (u64, Option<Epoch>)>;

/// Per offset, every epoch seen there with `(record fingerprint, epoch of the previous
/// record)`. The first epoch seen at an offset is kept inline, in shared chunks (checkpoints
/// of the world copy only what changed, and an offset costs 24 bytes, not a vector); the
/// other epochs seen at the same offset — a divergent tail that was truncated, rare — are
/// kept aside, in a shared map.
#[derive(Clone, Debug, Default)]
pub struct Check {
    first: OffsetVec<Option<Seen>>,
    more: Arc<SeenAside>,
}

impl Check {
    /// `(fingerprint, previous epoch)` registered at `(offset, epoch)`, if any.
    fn known(&self, offset: Offset, epoch: Epoch) -> Option<(u64, Option<Epoch>)> {
        match self.first.get(offset)? {
            Some((e, d, p)) if *e == epoch => Some((*d, *p)),
            Some(_) => self.more.get(&(offset, epoch)).copied(),
            None => None,
        }
    }

    /// Registers `(offset, epoch)`, known not to be registered yet.
    fn register(&mut self, offset: Offset, epoch: Epoch, digest: u64, prev: Option<Epoch>) {
        self.first.fill_to(offset + 1, None);
        let Some(slot) = self.first.get_mut(offset) else {
            return;
        };
        match slot {
            None => *slot = Some((epoch, digest, prev)),
            Some(_) => {
                Arc::make_mut(&mut self.more).insert((offset, epoch), (digest, prev));
            }
        }
    }

    /// Forgets the offsets below `offset`, the lowest log start of every replica (the caller
    /// passes it after a snapshot moved one). Why that is safe: no replica holds a record
    /// below it, and a log start only moves up, except when a disk is wiped (its log then
    /// starts again at 0, empty). An empty log gets records below `offset` only from a leader
    /// holding them, so the first one to do so has to be elected with a log that ends below
    /// `offset`, below the committed end, which `committed_durable` reports at once (its
    /// presence check is kept for every committed offset). Only after that violation can an
    /// append below `offset` go unchecked here.
    pub fn forget_below(&mut self, offset: Offset) {
        self.first.forget_below(offset);
        let base = self.first.base();
        if self.more.keys().next().is_some_and(|(o, _)| *o < base) {
            Arc::make_mut(&mut self.more).retain(|(o, _), _| *o >= base);
        }
    }

    /// Checks one event.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        let Event::Appended {
            base_offset, count, ..
        } = &e.event
        else {
            return;
        };
        let Some(log) = world.node(e.node).and_then(|n| n.disk()).map(|d| &d.log) else {
            return;
        };
        for offset in *base_offset..base_offset + count {
            let Some((epoch, record)) = log.entry(offset) else {
                continue;
            };
            if offset < self.first.base() {
                continue; // forgotten: see `forget_below`
            }
            let prev = if offset == 0 || offset == log.start_offset() {
                None
            } else {
                log.epoch_at(offset - 1)
            };
            let digest = record.digest();
            match self.known(offset, epoch) {
                Some((d, _)) if d != digest => out.push(violation(
                    &PROPERTY,
                    e,
                    format!("offset {offset} epoch {epoch} holds a different record than another replica's"),
                )),
                Some((_, Some(p))) if prev.is_some() && prev != Some(p) => out.push(violation(
                    &PROPERTY,
                    e,
                    format!(
                        "offset {offset} epoch {epoch} follows epoch {} here but epoch {p} elsewhere",
                        prev.map_or("None".into(), |e| format!("Some({e})"))
                    ),
                )),
                Some(_) => {}
                None => self.register(offset, epoch, digest, prev),
            }
        }
    }
}

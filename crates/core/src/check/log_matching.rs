//! Log Matching (Raft §5.3, Figure 3): if two logs hold a record with the same offset and
//! epoch, they hold the same record there and are identical in all records up to it.
//!
//! Checked incrementally: every appended record is registered under `(offset, epoch)` with its
//! fingerprint and the epoch of the record before it. A later append under the same key must
//! agree on both; by induction the whole prefixes agree.

use super::{violation, Property, Violation};
use crate::chunked::ChunkedVec;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::Epoch;

/// The property.
pub const PROPERTY: Property = Property {
    name: "log_matching",
    statement: "same offset and epoch means the same record and the same prefix",
    source: "Raft §5.3 (Log Matching); KRAFT.md §2.4 (DivergingEpoch)",
};

/// Per offset, every epoch seen there with `(record fingerprint, epoch of the previous
/// record)`. Kept in shared chunks: checkpoints of the world copy only what changed.
#[derive(Clone, Debug, Default)]
pub struct Check {
    seen: ChunkedVec<Vec<(Epoch, u64, Option<Epoch>)>>,
}

impl Check {
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
            let prev = if offset == 0 || offset == log.start_offset() {
                None
            } else {
                log.epoch_at(offset - 1)
            };
            let digest = record.digest();
            let at = offset as usize;
            if self.seen.len() <= at {
                self.seen.resize(at + 1, Vec::new());
            }
            let known = self
                .seen
                .get(at)
                .and_then(|v| v.iter().find(|(e, _, _)| *e == epoch))
                .map(|(_, d, p)| (*d, *p));
            match known {
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
                None => {
                    if let Some(v) = self.seen.get_mut(at) {
                        v.push((epoch, digest, prev));
                    }
                }
            }
        }
    }
}

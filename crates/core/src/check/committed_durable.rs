//! Committed records are never lost or changed (Raft §5.4: Leader Completeness and State
//! Machine Safety; KRAFT.md §2.4.1).
//!
//! The checker keeps the fingerprint of every committed record. When a replica's high
//! watermark moves, the records it now calls committed must be the ones already known as
//! committed (or extend them). When a replica becomes leader, its log must hold every committed
//! record: a leader without one would make followers truncate it.

use super::{violation, Property, Violation};
use crate::chunked::ChunkedVec;
use crate::kraft::log::Log;
use crate::kraft::Role;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, Offset};

/// The property.
pub const PROPERTY: Property = Property {
    name: "committed_durable",
    statement: "committed records are never lost or changed",
    source: "Raft §5.4 (Leader Completeness, State Machine Safety); KRAFT.md §2.4.1",
};

/// `(epoch, fingerprint)` of every committed record, by offset; `None` for a record the
/// checker has not seen yet because the replica that committed it already held it only in a
/// snapshot (it is learned from the next replica that holds it).
#[derive(Clone, Debug, Default)]
pub struct Check {
    committed: ChunkedVec<Option<(Epoch, u64)>>,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        let Some(log) = world.node(e.node).and_then(|n| n.disk()).map(|d| &d.log) else {
            return;
        };
        let committed = &mut self.committed;
        match &e.event {
            Event::HighWatermark { hw, by_leader, .. } => {
                compare(
                    committed,
                    log,
                    e,
                    hw.saturating_sub(64)..*hw,
                    out,
                    "high watermark moved",
                    *by_leader,
                );
                // Only a leader commits: what is committed is learned from the leader's log,
                // never from a follower that may hold a divergent copy.
                if !by_leader {
                    return;
                }
                // Records below the leader's log start (in its snapshot) stay unknown.
                while (committed.len() as Offset) < (*hw).min(log.start_offset()) {
                    committed.push(None);
                }
                let known = committed.len() as Offset;
                for offset in known..*hw {
                    match log.entry(offset) {
                        Some((epoch, r)) => committed.push(Some((epoch, r.digest()))),
                        None => break,
                    }
                }
            }
            Event::Transition {
                to: Role::Leader, ..
            } => {
                let len = committed.len() as Offset;
                compare(committed, log, e, 0..len, out, "new leader", false);
            }
            _ => {}
        }
    }
}

/// Checks that `log` holds the committed records in `range` (those it still holds as records);
/// a leader's log (`learn`) also teaches the ones the checker did not know yet.
#[allow(clippy::too_many_arguments)]
fn compare(
    committed: &mut ChunkedVec<Option<(Epoch, u64)>>,
    log: &Log,
    e: &TraceEvent,
    range: std::ops::Range<Offset>,
    out: &mut Vec<Violation>,
    what: &str,
    learn: bool,
) {
    for offset in range.start.max(log.start_offset())..range.end.min(committed.len() as Offset) {
        let Some(slot) = committed.get_mut(offset as usize) else {
            return;
        };
        match (log.entry(offset), *slot) {
            (Some((epoch, r)), None) if learn => *slot = Some((epoch, r.digest())),
            (Some(_), None) => {}
            (Some((epoch, r)), Some(expected)) if (epoch, r.digest()) == expected => {}
            (Some((epoch, _)), Some(expected)) => {
                out.push(violation(
                    &PROPERTY,
                    e,
                    format!(
                        "{what}: offset {offset} holds a record of epoch {epoch}, not the committed one of epoch {}",
                        expected.0
                    ),
                ));
                return;
            }
            (None, _) => {
                out.push(violation(
                    &PROPERTY,
                    e,
                    format!("{what}: committed offset {offset} is missing"),
                ));
                return;
            }
        }
    }
}

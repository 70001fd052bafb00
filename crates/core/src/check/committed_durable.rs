//! Committed records are never lost or changed (Raft §5.4: Leader Completeness and State
//! Machine Safety; docs/fidelity.md, Replication and the high watermark).
//!
//! The checker keeps the fingerprint of every committed record. When a replica's high
//! watermark moves, the records it now calls committed must be the ones already known as
//! committed (or extend them). When a replica becomes leader, its log must hold every committed
//! record: a leader without one would make followers truncate it.
//!
//! Fingerprints below every replica's log start are forgotten ([`Check::forget_below`]): see
//! there why no replica can show the checker one of those records again without first failing
//! the presence check, which is kept for every committed offset.

use super::{violation, Property, Violation};
use crate::chunked::OffsetVec;
use crate::kraft::log::Log;
use crate::kraft::Role;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, Offset};

/// The property.
pub const PROPERTY: Property = Property {
    name: "committed_durable",
    statement: "committed records are never lost or changed",
    source:
        "Raft §5.4 (Leader Completeness, State Machine Safety); Kafka: LeaderState high watermark",
};

/// `(epoch, fingerprint)` of every committed record, by offset; `None` for a record the
/// checker has not seen yet because the replica that committed it already held it only in a
/// snapshot (it is learned from the next replica that holds it). Its end is the highest
/// high watermark a leader exposed: every offset below it is committed, also below its base
/// (the offsets forgotten). Kept in shared chunks: checkpoints of the world copy only what
/// changed.
#[derive(Clone, Debug, Default)]
pub struct Check {
    committed: OffsetVec<Option<(Epoch, u64)>>,
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
                committed.fill_to((*hw).min(log.start_offset()), None);
                let known = committed.end();
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
                let len = committed.end();
                compare(committed, log, e, 0..len, out, "new leader", false);
            }
            _ => {}
        }
    }
}

impl Check {
    /// Forgets the fingerprints below `offset`, the lowest log start of every replica (the
    /// caller passes it after a snapshot moved one). Why that is safe: every replica holds the
    /// records below it only in snapshots, and a log start only moves up, except when a disk
    /// is wiped (its log then starts again at 0, empty). An empty log gets records below
    /// `offset` only from a leader holding them, so the first one to do so has to be elected
    /// with a log that ends below `offset`, below the committed end; and that leader fails the
    /// presence check at once ("committed offset … is missing"), which needs no fingerprint
    /// and is kept for the forgotten offsets. Only after such a violation does a record below
    /// `offset` go unchecked.
    pub fn forget_below(&mut self, offset: Offset) {
        self.committed.forget_below(offset);
    }
}

/// Checks that `log` holds the committed records in `range` (those it still holds as records);
/// a leader's log (`learn`) also teaches the ones the checker did not know yet. Below the
/// forgotten base only presence is checked: a log holds one run of offsets, so the first
/// committed offset it lacks there is its end.
#[allow(clippy::too_many_arguments)]
fn compare(
    committed: &mut OffsetVec<Option<(Epoch, u64)>>,
    log: &Log,
    e: &TraceEvent,
    range: std::ops::Range<Offset>,
    out: &mut Vec<Violation>,
    what: &str,
    learn: bool,
) {
    let from = range.start.max(log.start_offset());
    let to = range.end.min(committed.end());
    let forgotten = to.min(committed.base());
    if from < forgotten && log.end_offset() < forgotten {
        let missing = from.max(log.end_offset());
        out.push(violation(
            &PROPERTY,
            e,
            format!("{what}: committed offset {missing} is missing"),
        ));
        return;
    }
    for offset in from.max(committed.base())..to {
        let Some(slot) = committed.get_mut(offset) else {
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

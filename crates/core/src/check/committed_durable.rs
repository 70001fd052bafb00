//! Committed records are never lost or changed (Raft §5.4: Leader Completeness and State
//! Machine Safety; KRAFT.md §2.4.1).
//!
//! The checker keeps the fingerprint of every committed record. When a replica's high
//! watermark moves, the records it now calls committed must be the ones already known as
//! committed (or extend them). When a replica becomes leader, its log must hold every committed
//! record: a leader without one would make followers truncate it.

use super::{violation, Property, Violation};
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

/// `(epoch, fingerprint)` of every committed record, by offset.
#[derive(Clone, Debug, Default)]
pub struct Check {
    committed: Vec<(Epoch, u64)>,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        let Some(log) = world.node(e.node).and_then(|n| n.disk()).map(|d| &d.log) else {
            return;
        };
        let compare = |from: Offset, to: Offset, out: &mut Vec<Violation>, what: &str| {
            for offset in from.max(log.start_offset())..to.min(self.committed.len() as Offset) {
                let expected = self.committed[offset as usize];
                match log.entry(offset) {
                    Some((epoch, r)) if (epoch, r.digest()) == expected => {}
                    Some((epoch, _)) => {
                        out.push(violation(
                            &PROPERTY,
                            e,
                            format!("{what}: offset {offset} holds a record of epoch {epoch}, not the committed one of epoch {}", expected.0),
                        ));
                        return;
                    }
                    None => {
                        out.push(violation(
                            &PROPERTY,
                            e,
                            format!("{what}: committed offset {offset} is missing"),
                        ));
                        return;
                    }
                }
            }
        };
        match &e.event {
            Event::HighWatermark { hw, .. } => {
                compare(hw.saturating_sub(64), *hw, out, "high watermark moved");
                let known = self.committed.len() as Offset;
                for offset in known.max(log.start_offset())..*hw {
                    match log.entry(offset) {
                        Some((epoch, r)) => self.committed.push((epoch, r.digest())),
                        None => break,
                    }
                }
                if known < log.start_offset() && self.committed.len() as Offset == known {
                    // Records below a snapshot are not held as records; keep the count in step.
                    while (self.committed.len() as Offset) < *hw {
                        self.committed.push((0, 0));
                    }
                }
            }
            Event::Transition {
                to: Role::Leader, ..
            } => {
                compare(0, self.committed.len() as Offset, out, "new leader");
            }
            _ => {}
        }
    }
}

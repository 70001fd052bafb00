//! Monotonic high watermark (KRAFT.md §2.4.1; Kafka's `MonotonicHighWatermark`): within one
//! process lifetime a replica's HW only grows (a new leader starts without one and may not
//! expose one below what any leader of the same or an earlier epoch exposed before).
//!
//! As in Kafka's `MonotonicHighWatermark`, the cluster-wide check only covers the leader of
//! the highest epoch seen: a deposed leader cut off in a minority still believes it leads its
//! old epoch and may legitimately expose a lower, stale HW computed from old follower offsets.

use crate::flat::FlatMap;

use super::{violation, Property, Violation};
use crate::kraft::Role;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, NodeId, Offset};

/// The property.
pub const PROPERTY: Property = Property {
    name: "monotonic_high_watermark",
    statement: "the high watermark never decreases",
    source: "KRAFT.md §2.4.1 (LeaderState.maybeUpdateHighWatermark); Kafka RaftEventSimulationTest.MonotonicHighWatermark",
};

/// Per-node HW in the current process lifetime, and the highest HW any leader exposed
/// together with the highest leader epoch seen.
#[derive(Clone, Debug, Default)]
pub struct Check {
    last: FlatMap<NodeId, Offset>,
    max_leader_hw: Offset,
    max_leader_epoch: Epoch,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        match &e.event {
            Event::Crashed | Event::Stopped | Event::Restarted => {
                self.last.remove(&e.node);
            }
            Event::Transition {
                to: Role::Leader, ..
            } => {
                self.last.remove(&e.node);
            }
            Event::HighWatermark { hw, .. } => {
                if let Some(last) = self.last.get(&e.node) {
                    if hw <= last {
                        out.push(violation(
                            &PROPERTY,
                            e,
                            format!("high watermark moved from {last} to {hw}"),
                        ));
                    }
                }
                self.last.insert(e.node, *hw);
                let leader_epoch = world
                    .node(e.node)
                    .and_then(|n| n.replica())
                    .filter(|r| r.role() == Role::Leader)
                    .map(|r| r.epoch());
                if let Some(epoch) = leader_epoch.filter(|ep| *ep >= self.max_leader_epoch) {
                    self.max_leader_epoch = epoch;
                    if *hw < self.max_leader_hw {
                        out.push(violation(
                            &PROPERTY,
                            e,
                            format!(
                                "leader exposed high watermark {hw}, below the {} an earlier leader exposed",
                                self.max_leader_hw
                            ),
                        ));
                    }
                    self.max_leader_hw = self.max_leader_hw.max(*hw);
                }
            }
            _ => {}
        }
    }
}

//! Monotonic high watermark (KRAFT.md §2.4.1; Kafka's `MonotonicHighWatermark`): within one
//! process lifetime a replica's HW only grows (a new leader starts without one and may not
//! expose one below what any leader exposed before).

use std::collections::BTreeMap;

use super::{violation, Property, Violation};
use crate::kraft::Role;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::{NodeId, Offset};

/// The property.
pub const PROPERTY: Property = Property {
    name: "monotonic_high_watermark",
    statement: "the high watermark never decreases",
    source: "KRAFT.md §2.4.1 (LeaderState.maybeUpdateHighWatermark); Kafka RaftEventSimulationTest.MonotonicHighWatermark",
};

/// Per-node HW in the current process lifetime, and the highest HW any leader exposed.
#[derive(Clone, Debug, Default)]
pub struct Check {
    last: BTreeMap<NodeId, Offset>,
    max_leader_hw: Offset,
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
            Event::HighWatermark { hw } => {
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
                let leads = world
                    .node(e.node)
                    .and_then(|n| n.replica())
                    .is_some_and(|r| r.role() == Role::Leader);
                if leads {
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

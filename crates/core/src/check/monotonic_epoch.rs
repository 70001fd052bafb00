//! Monotonic epoch (Raft §5.1 "currentTerm increases monotonically"; Kafka's
//! `RaftEventSimulationTest.MonotonicEpoch`): a node's epoch never decreases, across restarts
//! too, because it is persisted.

use crate::flat::FlatMap;

use super::{violation, Property, Violation};
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, NodeId};

/// The property.
pub const PROPERTY: Property = Property {
    name: "monotonic_epoch",
    statement: "a node's epoch never decreases",
    source: "Raft §5.1; Kafka RaftEventSimulationTest.MonotonicEpoch",
};

/// The last epoch seen per node.
#[derive(Clone, Debug, Default)]
pub struct Check {
    last: FlatMap<NodeId, Epoch>,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, e: &TraceEvent, out: &mut Vec<Violation>) {
        // A wiped or reformatted disk starts again from epoch 0: a new replica as far as the
        // epoch goes (what it may have voted before is `single_vote`'s business).
        if let Event::StorageFormatted { .. } = &e.event {
            self.last.remove(&e.node);
        }
        if let Event::Transition { epoch, .. } = &e.event {
            let last = self.last.entry(e.node).or_insert(0);
            if *epoch < *last {
                out.push(violation(
                    &PROPERTY,
                    e,
                    format!("epoch went from {last} down to {epoch}"),
                ));
            }
            *last = (*last).max(*epoch);
        }
    }
}

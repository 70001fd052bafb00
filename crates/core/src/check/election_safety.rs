//! Election Safety (Raft §5.2, Figure 3; Kafka's `RaftEventSimulationTest.SingleLeader`): at
//! most one leader is elected in a given epoch.

use crate::flat::FlatMap;

use super::{violation, Property, Violation};
use crate::kraft::Role;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, NodeId};

/// The property.
pub const PROPERTY: Property = Property {
    name: "election_safety",
    statement: "at most one leader per epoch",
    source: "Raft §5.2 (Election Safety); Kafka RaftEventSimulationTest.SingleLeader",
};

/// Every leader ever seen, by epoch.
#[derive(Clone, Debug, Default)]
pub struct Check {
    leaders: FlatMap<Epoch, NodeId>,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, e: &TraceEvent, out: &mut Vec<Violation>) {
        if let Event::Transition {
            to: Role::Leader,
            epoch,
            ..
        } = &e.event
        {
            match self.leaders.get(epoch) {
                Some(other) if *other != e.node => out.push(violation(
                    &PROPERTY,
                    e,
                    format!(
                        "{} became leader of epoch {epoch}, which {other} already led",
                        e.node
                    ),
                )),
                _ => {
                    self.leaders.insert(*epoch, e.node);
                }
            }
        }
    }
}

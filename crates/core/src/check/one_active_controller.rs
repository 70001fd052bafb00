//! At most one active controller per epoch, and only the raft leader of that epoch acts on
//! brokers (docs/fidelity.md, The metadata layer: a controller is active only while its replica
//! leads; on losing
//! leadership it reverts to the last committed state and stops acting).
//!
//! Checked when a controller activates (no other node activated in that epoch) and whenever
//! a controller acts on a broker (fences it): it must be active, and lead in its epoch.

use crate::flat::FlatMap;

use super::{violation, Property, Violation};
use crate::kraft::Role;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, NodeId};

/// The property.
pub const PROPERTY: Property = Property {
    name: "one_active_controller",
    statement: "at most one active controller per epoch, and only it acts on brokers",
    source: "Kafka: QuorumController.handleLeaderChange, claim / renounce",
};

/// Who activated in each epoch, and — from the events, as they happened — which nodes are
/// active controllers and which lead the quorum, in which epoch.
#[derive(Clone, Debug, Default)]
pub struct Check {
    activated: FlatMap<Epoch, NodeId>,
    active: FlatMap<NodeId, Epoch>,
    leading: FlatMap<NodeId, Epoch>,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, e: &TraceEvent, out: &mut Vec<Violation>) {
        match &e.event {
            Event::Crashed | Event::Stopped | Event::Restarted => {
                self.active.remove(&e.node);
                self.leading.remove(&e.node);
            }
            Event::Transition { to, epoch, .. } => {
                if *to == Role::Leader {
                    self.leading.insert(e.node, *epoch);
                } else {
                    self.leading.remove(&e.node);
                }
            }
            Event::ControllerActivated { epoch } => {
                if let Some(other) = self.activated.get(epoch).filter(|o| **o != e.node) {
                    out.push(violation(
                        &PROPERTY,
                        e,
                        format!(
                            "became active in epoch {epoch}, in which {other} was already active"
                        ),
                    ));
                }
                if self.leading.get(&e.node) != Some(epoch) {
                    out.push(violation(
                        &PROPERTY,
                        e,
                        format!("became active in epoch {epoch} without leading it"),
                    ));
                }
                self.activated.insert(*epoch, e.node);
                self.active.insert(e.node, *epoch);
            }
            Event::ControllerResigned => {
                self.active.remove(&e.node);
            }
            Event::BrokerFenced { broker, .. } => {
                let active = self.active.get(&e.node).copied();
                let leads = self.leading.get(&e.node).copied();
                if active.is_none() || active != leads {
                    out.push(violation(
                        &PROPERTY,
                        e,
                        format!(
                            "fenced broker {broker} while {}",
                            match (active, leads) {
                                (None, _) => "not the active controller".to_string(),
                                (Some(a), None) => {
                                    format!("active in epoch {a} but no longer the raft leader")
                                }
                                (Some(a), Some(l)) => {
                                    format!("active in epoch {a} but leading epoch {l}")
                                }
                            }
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
}

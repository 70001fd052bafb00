//! ZooKeeper mode: a broker never applies a request from a controller epoch older than one it
//! already applied — a zombie controller (one that lost `/controller` without knowing it) is
//! refused with `STALE_CONTROLLER_EPOCH` (docs/fidelity.md, ZooKeeper mode, controller epoch
//! fencing in
//! `ReplicaManager.becomeLeaderOrFollower` and `MetadataCache`).

use crate::flat::FlatMap;

use super::{violation, Property, Violation};
use crate::trace::{Event, TraceEvent};
use crate::types::NodeId;

/// The property.
pub const PROPERTY: Property = Property {
    name: "zk_zombie_rejected",
    statement: "ZooKeeper mode: no broker applies a request from an older controller epoch",
    source: "Kafka: ReplicaManager: STALE_CONTROLLER_EPOCH",
};

/// The highest controller epoch each broker applied.
#[derive(Clone, Debug, Default)]
pub struct Check {
    applied: FlatMap<NodeId, u32>,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, e: &TraceEvent, out: &mut Vec<Violation>) {
        match e.event {
            Event::ZkControllerRequestApplied {
                controller,
                epoch,
                what,
                ..
            } => {
                let seen = self.applied.entry(e.node).or_insert(epoch);
                if epoch < *seen {
                    out.push(violation(
                        &PROPERTY,
                        e,
                        format!(
                            "applied {what} from controller {controller} of epoch {epoch} after epoch {seen}"
                        ),
                    ));
                } else {
                    *seen = epoch;
                }
            }
            // A restarted broker starts with no controller epoch.
            Event::Crashed | Event::Stopped | Event::Restarted => {
                self.applied.remove(&e.node);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SimTime;

    fn applied(node: i32, epoch: u32) -> TraceEvent {
        TraceEvent {
            at: SimTime(epoch as u64),
            node: NodeId(node),
            event: Event::ZkControllerRequestApplied {
                controller: 9,
                epoch,
                what: "LeaderAndIsr",
                partitions: 1,
            },
        }
    }

    #[test]
    fn an_older_epoch_applied_after_a_newer_one_is_caught() {
        let mut c = Check::default();
        let mut out = Vec::new();
        c.observe(&applied(0, 2), &mut out);
        c.observe(&applied(0, 3), &mut out);
        c.observe(&applied(1, 1), &mut out);
        assert!(out.is_empty());
        c.observe(&applied(0, 2), &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
    }
}

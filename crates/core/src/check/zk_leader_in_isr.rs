//! ZooKeeper mode: every partition state znode names a leader inside its ISR, or no leader
//! (docs/fidelity.md, ZooKeeper mode: the controller elects only from the ISR — unclean election
//! is off — and
//! shrinks the ISR in the same conditional write).
//!
//! Checked on the serving ZooKeeper leader's data whenever its last zxid moves.

use super::{violation, Property, Violation};
use crate::sim::World;
use crate::trace::TraceEvent;
use crate::zk::json;

/// The property.
pub const PROPERTY: Property = Property {
    name: "zk_leader_in_isr",
    statement: "ZooKeeper mode: every partition's leader is in its ISR (or there is none)",
    source: "Kafka: PartitionStateMachine, OfflinePartitionLeaderElectionStrategy",
};

/// The last zxid checked.
#[derive(Clone, Debug, Default)]
pub struct Check {
    last: u64,
}

impl Check {
    /// Checks the ZooKeeper leader's data after a step.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        if !world.spec().is_zk() {
            return;
        }
        let Some(server) = world
            .zk_leader()
            .and_then(|l| world.node(l))
            .and_then(|n| n.zk())
            .and_then(|p| p.server())
        else {
            return;
        };
        if server.last_zxid() == self.last {
            return;
        }
        self.last = server.last_zxid();
        for (path, node) in server.tree().iter() {
            if !path.starts_with("/brokers/topics/") || !path.ends_with("/state") {
                continue;
            }
            if let Some((l, isr)) = json::leader_and_isr(&node.data) {
                if l >= 0 && !isr.contains(&l) {
                    out.push(violation(
                        &PROPERTY,
                        e,
                        format!(
                            "{path}: leader {l} is not in its ISR {}",
                            crate::text::List(&isr)
                        ),
                    ));
                }
            }
        }
    }
}

//! ZooKeeper mode: at most one broker is controller in each controller epoch (docs/fidelity.md,
//! ZooKeeper mode:
//! `/controller` is created in one multi with the `/controller_epoch` bump, checked against
//! its version, so two brokers cannot both win the same epoch).

use crate::flat::FlatMap;

use super::{violation, Property, Violation};
use crate::trace::{Event, TraceEvent};
use crate::types::NodeId;

/// The property.
pub const PROPERTY: Property = Property {
    name: "zk_one_controller_per_epoch",
    statement: "ZooKeeper mode: at most one broker wins each controller epoch",
    source: "Kafka: KafkaZkClient.registerControllerAndIncrementControllerEpoch",
};

/// Who won each controller epoch.
#[derive(Clone, Debug, Default)]
pub struct Check {
    won: FlatMap<u32, NodeId>,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, e: &TraceEvent, out: &mut Vec<Violation>) {
        if let Event::ZkControllerElected { epoch } = e.event {
            match self.won.get(&epoch) {
                Some(other) if *other != e.node => out.push(violation(
                    &PROPERTY,
                    e,
                    format!("became controller of epoch {epoch}, which {other} already won"),
                )),
                _ => {
                    self.won.insert(epoch, e.node);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SimTime;

    fn elected(node: i32, epoch: u32) -> TraceEvent {
        TraceEvent {
            at: SimTime::ZERO,
            node: NodeId(node),
            event: Event::ZkControllerElected { epoch },
        }
    }

    #[test]
    fn two_winners_of_one_epoch_are_caught() {
        let mut c = Check::default();
        let mut out = Vec::new();
        c.observe(&elected(0, 1), &mut out);
        c.observe(&elected(1, 2), &mut out);
        assert!(out.is_empty());
        c.observe(&elected(2, 2), &mut out);
        assert_eq!(out.len(), 1);
    }
}

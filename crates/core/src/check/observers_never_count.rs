//! Observers never move the high watermark (docs/fidelity.md, Replication and the high watermark:
//! `updateReplicaState` returns
//! `isVoter(...) && maybeUpdateHighWatermark()`).
//!
//! Whenever a leader's HW moves to `hw`, a majority of **voters** (the set the leader counted,
//! which a dynamic quorum changes) must really hold the record at `hw - 1` (same epoch as the
//! leader's), judged from their own logs. A leader that counted
//! brokers would fail this as soon as brokers are ahead of the voters.

use super::{violation, Property, Violation};
use crate::kraft::Role;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};

/// The property.
pub const PROPERTY: Property = Property {
    name: "observers_never_count",
    statement: "observers never move the high watermark",
    source: "Kafka: LeaderState.updateReplicaState",
};

/// Stateless: it reads the voters' logs.
#[derive(Clone, Debug, Default)]
pub struct Check;

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        let Event::HighWatermark {
            hw,
            voters: Some(voters),
            ..
        } = &e.event
        else {
            return;
        };
        let Some(replica) = world.node(e.node).and_then(|n| n.replica()) else {
            return;
        };
        if replica.role() != Role::Leader || *hw == 0 {
            return;
        }
        let Some(epoch) = replica.log().epoch_at(hw - 1) else {
            return;
        };
        // In a dynamic quorum a voter whose disk was wiped since (its node now has another
        // directory id) cannot be judged from a log: the leader counts what the old disk last
        // fetched, as Kafka's LeaderState does for that ReplicaKey, and that disk can never
        // vote again, so the count is sound. Such a voter is given the benefit of the doubt.
        let dynamic = world.spec().quorum.dynamic_quorum;
        let holders = voters
            .iter()
            .filter(|v| {
                let disk = world.node(**v).and_then(|n| n.disk());
                let current = disk.and_then(|d| d.meta.as_ref()).map(|m| m.directory_id);
                let stale = dynamic && current != Some(replica.voter_directory(**v));
                stale || disk.is_some_and(|d| d.log.epoch_at(hw - 1) == Some(epoch))
            })
            .count();
        let majority = voters.len() / 2 + 1;
        if holders < majority {
            out.push(violation(
                &PROPERTY,
                e,
                format!(
                    "high watermark {hw} is held by {holders} of {} voters, not a majority",
                    voters.len()
                ),
            ));
        }
    }
}

//! Monotonic high watermark (docs/fidelity.md, Replication and the high watermark; Kafka's
//! `MonotonicHighWatermark`): within one
//! process lifetime a replica's HW only grows (a new leader starts without one and may not
//! expose one below what any leader of the same or an earlier epoch exposed before).
//!
//! As in Kafka's `MonotonicHighWatermark`, the cluster-wide check only covers the leader of
//! the highest epoch seen: a deposed leader cut off in a minority still believes it leads its
//! old epoch and may legitimately expose a lower, stale HW computed from old follower offsets.
//!
//! The check reads the wire too: the HW a leader of the highest epoch puts in a
//! `FetchResponse` is what followers and brokers act on, so it must never go below one an
//! earlier such response carried.

use crate::flat::FlatMap;

use super::{violation, Property, Violation};
use crate::kraft::rpc::{ErrorCode, RaftRpc};
use crate::kraft::Role;
use crate::message::{Envelope, Payload, RaftMessage};
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, NodeId, Offset, SimTime};

/// The property.
pub const PROPERTY: Property = Property {
    name: "monotonic_high_watermark",
    statement: "the high watermark never decreases",
    source: "Kafka: LeaderState.maybeUpdateHighWatermark; RaftEventSimulationTest.MonotonicHighWatermark",
};

/// Per-node HW in the current process lifetime, and the highest HW any leader exposed
/// together with the highest leader epoch seen.
#[derive(Clone, Debug, Default)]
pub struct Check {
    last: FlatMap<NodeId, Offset>,
    max_leader_hw: Offset,
    max_leader_epoch: Epoch,
    /// The highest HW sent in a leader's FetchResponse, and that leader's epoch.
    max_sent_hw: Offset,
    max_sent_epoch: Epoch,
}

impl Check {
    /// Checks one message put on the network: the HW a leader sends to its fetchers.
    pub fn sent(&mut self, at: SimTime, env: &Envelope, out: &mut Vec<Violation>) {
        let Payload::Raft(RaftMessage {
            rpc:
                RaftRpc::FetchResponse {
                    epoch,
                    leader: Some(leader),
                    error: ErrorCode::None,
                    high_watermark: Some(hw),
                    ..
                },
            ..
        }) = &env.payload
        else {
            return;
        };
        if *leader != env.from || *epoch < self.max_sent_epoch {
            return;
        }
        self.max_sent_epoch = *epoch;
        if *hw < self.max_sent_hw {
            out.push(Violation {
                at,
                property: PROPERTY.name,
                node: env.from,
                detail: format!(
                    "leader sent high watermark {hw} to {}, below the {} a leader sent before",
                    env.to, self.max_sent_hw
                ),
            });
        }
        self.max_sent_hw = self.max_sent_hw.max(*hw);
    }

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

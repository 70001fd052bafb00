//! One vote per epoch (Raft §5.2 "each server will vote for at most one candidate in a given
//! term"; KRAFT.md §1.3: the vote is persisted, and kept within an epoch across states).

use crate::flat::FlatMap;

use super::{violation, Property, Violation};
use crate::kraft::Role;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, NodeId};

/// The property.
pub const PROPERTY: Property = Property {
    name: "single_vote",
    statement: "no node grants two votes in one epoch",
    source: "Raft §5.2; KRAFT.md §1.3 (votedKey is durable and kept within an epoch)",
};

/// The binding vote each node gave in each epoch (standing counts as voting for itself).
#[derive(Clone, Debug, Default)]
pub struct Check {
    votes: FlatMap<(NodeId, Epoch), NodeId>,
}

impl Check {
    fn record(
        &mut self,
        e: &TraceEvent,
        epoch: Epoch,
        candidate: NodeId,
        out: &mut Vec<Violation>,
    ) {
        match self.votes.get(&(e.node, epoch)) {
            Some(prev) if *prev != candidate => out.push(violation(
                &PROPERTY,
                e,
                format!("voted for {candidate} in epoch {epoch} after voting for {prev}"),
            )),
            _ => {
                self.votes.insert((e.node, epoch), candidate);
            }
        }
    }

    /// Checks one event.
    pub fn observe(&mut self, e: &TraceEvent, out: &mut Vec<Violation>) {
        match &e.event {
            Event::VoteCast {
                candidate,
                epoch,
                pre_vote: false,
                granted: true,
                ..
            } => self.record(e, *epoch, *candidate, out),
            Event::Transition {
                to: Role::Candidate,
                epoch,
                ..
            } => self.record(e, *epoch, e.node, out),
            _ => {}
        }
    }
}

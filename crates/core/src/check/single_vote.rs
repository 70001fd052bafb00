//! One vote per epoch (Raft §5.2 "each server will vote for at most one candidate in a given
//! term"; Kafka: the vote is persisted before it is granted and kept within an epoch across
//! states, `unattachedAddVotedState` / `prospectiveAddVotedState`).
//!
//! The checker reads the wire, not the replica's own account: every granted binding
//! `VoteResponse` a node puts on the network counts as its vote for the receiver in that
//! epoch, and standing as Candidate counts as a vote for itself. A replica that forgot (or
//! never wrote) its vote is caught by what it sent.

use crate::flat::FlatMap;

use super::{Property, Violation};
use crate::kraft::rpc::RaftRpc;
use crate::kraft::Role;
use crate::message::{Envelope, Payload, RaftMessage};
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::{Epoch, NodeId, SimTime};

/// The property.
pub const PROPERTY: Property = Property {
    name: "single_vote",
    statement: "no node grants two votes in one epoch",
    source: "Raft §5.2; Kafka's QuorumState (votedKey is durable and kept within an epoch)",
};

/// The binding vote each node gave in each epoch (standing counts as voting for itself).
#[derive(Clone, Debug, Default)]
pub struct Check {
    votes: FlatMap<(NodeId, Epoch), NodeId>,
}

impl Check {
    fn record(
        &mut self,
        at: SimTime,
        voter: NodeId,
        epoch: Epoch,
        candidate: NodeId,
        out: &mut Vec<Violation>,
    ) {
        match self.votes.get(&(voter, epoch)) {
            Some(prev) if *prev != candidate => out.push(Violation {
                at,
                property: PROPERTY.name,
                node: voter,
                detail: format!("voted for {candidate} in epoch {epoch} after voting for {prev}"),
            }),
            _ => {
                self.votes.insert((voter, epoch), candidate);
            }
        }
    }

    /// Checks one message put on the network: a granted binding vote.
    pub fn sent(&mut self, at: SimTime, env: &Envelope, out: &mut Vec<Violation>) {
        if let Payload::Raft(RaftMessage {
            rpc:
                RaftRpc::VoteResponse {
                    epoch,
                    granted: true,
                    pre_vote: false,
                    ..
                },
            ..
        }) = &env.payload
        {
            self.record(at, env.from, *epoch, env.to, out);
        }
    }

    /// Checks one event: standing as Candidate is a vote for oneself. In a dynamic quorum a
    /// reformatted disk is a new replica (KIP-853: voters are known by id and directory id,
    /// and a vote request names the disk it is for), so what the old disk voted does not
    /// bind it. In a static quorum it does: a wiped voter that votes again in an epoch it
    /// voted in is exactly the unsafety Kafka's static quorums have, and it is caught.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        if matches!(e.event, Event::StorageFormatted { .. }) && world.spec().quorum.dynamic_quorum {
            self.votes.retain(|(voter, _), _| *voter != e.node);
        }
        if let Event::Transition {
            to: Role::Candidate,
            epoch,
            ..
        } = &e.event
        {
            self.record(e.at, e.node, *epoch, e.node, out);
        }
    }
}

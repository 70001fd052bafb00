//! Every state change of a replica goes through [`Replica::transition`], which checks the move
//! against the transition table in `state.rs`, persists the election state for durable moves,
//! resets outstanding requests and records the change. The `become_*` helpers build the target
//! state with its fresh timers.

use crate::effect::Ctx;
use crate::record::{LeaderChangeMessage, Record};
use crate::trace::{Event, Reason};
use crate::types::{Epoch, NodeId};

use super::leader::LeaderState;
use super::replica::Replica;
use super::rpc::{ErrorCode, RaftRpc};
use super::state::{
    epoch_rule_holds, is_legal, CandidateState, ElectionState, FollowerState, ProspectiveState,
    ResignedState, Role, State, Tally,
};

impl Replica {
    /// Moves to `state` with election state `election`. Refuses (and records as illegal) any
    /// move the transition table or the epoch rules forbid, so an illegal transition cannot
    /// happen. Returns true if the move took place.
    pub(crate) fn transition(
        &mut self,
        state: State,
        election: ElectionState,
        durable: bool,
        reason: Reason,
        ctx: &mut Ctx,
    ) -> bool {
        let from = self.role();
        let to = state.role();
        let voter = self.is_voter();
        if !is_legal(from, to, self.cfg.prevote, voter) {
            ctx.emit(Event::Illegal {
                what: format!(
                    "transition {from} -> {to} is not in the table ({})",
                    if voter { "voter" } else { "observer" }
                ),
            });
            return false;
        }
        if let Err(why) = epoch_rule_holds(from, to, &self.election, &election, self.id) {
            ctx.emit(Event::Illegal {
                what: format!("transition {from} -> {to}: {why}"),
            });
            return false;
        }
        // A leader that steps down answers the fetches it parked, so fetchers learn at once.
        if let State::Leader(old) = &mut self.state {
            let parked = std::mem::take(&mut old.parked);
            for p in parked {
                let rpc = RaftRpc::FetchResponse {
                    epoch: election.epoch,
                    leader: election.leader,
                    error: ErrorCode::NotLeaderOrFollower,
                    high_watermark: None,
                    log_start_offset: self.disk.log.start_offset(),
                    diverging_epoch: None,
                    snapshot_id: None,
                    batches: Vec::new(),
                };
                self.respond(p.from, p.correlation, rpc, ctx);
            }
        }
        if durable {
            self.disk.election = election;
        }
        self.election = election;
        self.state = state;
        self.requests.reset();
        // A snapshot named by the old leader may not be the new one's.
        self.fetching_snapshot = None;
        if to != Role::Leader {
            self.voter_change = None;
        }
        self.transitions += 1;
        ctx.emit(Event::Transition {
            from,
            to,
            epoch: election.epoch,
            reason,
        });
        true
    }

    /// The vote a move to `epoch` keeps: the current one within the same epoch (a node never
    /// votes twice in one epoch), none in a new epoch.
    fn vote_kept_in(&self, epoch: Epoch) -> Option<NodeId> {
        if epoch == self.epoch() {
            self.election.voted
        } else {
            None
        }
    }

    /// Unattached in `epoch` (higher than the current one, or the same after a lost pre-vote or
    /// a resignation, keeping the vote).
    pub(crate) fn become_unattached(&mut self, epoch: Epoch, reason: Reason, ctx: &mut Ctx) {
        let election = ElectionState {
            epoch,
            leader: None,
            voted: self.vote_kept_in(epoch),
        };
        let state = State::Unattached(self.unattached_state(ctx));
        self.transition(state, election, true, reason, ctx);
    }

    /// Unattached, having granted its vote to `candidate` in the current epoch.
    pub(crate) fn become_unattached_voted(&mut self, candidate: NodeId, ctx: &mut Ctx) {
        let election = ElectionState {
            epoch: self.epoch(),
            leader: None,
            voted: Some(candidate),
        };
        let state = State::Unattached(self.unattached_state(ctx));
        self.transition(state, election, true, Reason::Voted { candidate }, ctx);
    }

    /// Prospective, having granted its binding vote to `candidate` in the current epoch: the
    /// vote is written before the answer leaves, the pre-vote tally starts again and the
    /// election timer is reset (`prospectiveAddVotedState`).
    pub(crate) fn become_prospective_voted(&mut self, candidate: NodeId, ctx: &mut Ctx) {
        let retries = match &self.state {
            State::Prospective(p) => p.retries,
            _ => 0,
        };
        let election = ElectionState {
            epoch: self.epoch(),
            leader: self.election.leader,
            voted: Some(candidate),
        };
        let state = State::Prospective(ProspectiveState {
            tally: Tally::new(&self.voters, self.id),
            retries,
            election_deadline: self.random_election_deadline(ctx),
        });
        self.transition(state, election, true, Reason::Voted { candidate }, ctx);
    }

    /// Prospective: asks for pre-votes in the current epoch (memory only).
    pub(crate) fn become_prospective(&mut self, retries: u32, reason: Reason, ctx: &mut Ctx) {
        let state = State::Prospective(ProspectiveState {
            tally: Tally::new(&self.voters, self.id),
            retries,
            election_deadline: self.random_election_deadline(ctx),
        });
        let election = self.election;
        if self.transition(state, election, false, reason, ctx) {
            self.maybe_finish_election(ctx);
        }
    }

    /// Candidate in the next epoch, having voted for itself (durable).
    pub(crate) fn become_candidate(&mut self, retries: u32, reason: Reason, ctx: &mut Ctx) {
        let election = ElectionState {
            epoch: self.epoch() + 1,
            leader: None,
            voted: Some(self.id),
        };
        let state = State::Candidate(CandidateState {
            tally: Tally::new(&self.voters, self.id),
            retries: retries.max(1),
            election_deadline: self.random_election_deadline(ctx),
            backoff_until: None,
        });
        if self.transition(state, election, true, reason, ctx) {
            self.maybe_finish_election(ctx);
        }
    }

    /// Leader of the current epoch. The HW starts unknown (it is not carried over, to keep the
    /// global HW monotonic) and the first record of the epoch is a `LeaderChangeMessage`.
    pub(crate) fn become_leader(&mut self, granting: Vec<NodeId>, ctx: &mut Ctx) {
        let epoch_start_offset = self.disk.log.end_offset();
        let leader_state = LeaderState::new(
            ctx.now,
            self.id,
            &self.voters,
            epoch_start_offset,
            granting.clone(),
            self.cfg.check_quorum_timeout(),
        );
        let election = ElectionState {
            epoch: self.epoch(),
            leader: Some(self.id),
            voted: self.election.voted,
        };
        if !self.transition(
            State::Leader(Box::new(leader_state)),
            election,
            true,
            Reason::ElectionWon,
            ctx,
        ) {
            return;
        }
        self.hw = None;
        let message = LeaderChangeMessage {
            leader: self.id,
            epoch: self.epoch(),
            voters: self.voters.to_vec(),
            granting_voters: granting,
        };
        self.append_as_leader(vec![Record::LeaderChange(message)], ctx);
    }

    /// Follower of `leader` in `epoch`.
    pub(crate) fn become_follower(
        &mut self,
        epoch: Epoch,
        leader: NodeId,
        reason: Reason,
        ctx: &mut Ctx,
    ) {
        if self.role() == Role::Follower && self.epoch() == epoch && self.leader() == Some(leader) {
            return;
        }
        let election = ElectionState {
            epoch,
            leader: Some(leader),
            voted: self.vote_kept_in(epoch),
        };
        let state = State::Follower(FollowerState {
            fetch_deadline: ctx.now + self.cfg.fetch_timeout(),
            has_fetched_from_leader: false,
        });
        self.transition(state, election, true, reason, ctx);
    }

    /// Resigned: gives up leadership of the current epoch and asks `successors` (most caught
    /// up first) to take over (memory only).
    pub(crate) fn become_resigned(
        &mut self,
        successors: Vec<NodeId>,
        reason: Reason,
        ctx: &mut Ctx,
    ) {
        let state = State::Resigned(ResignedState {
            unacked: self.other_voters().into_iter().collect(),
            preferred_successors: successors,
            election_deadline: self.random_election_deadline(ctx),
        });
        let election = self.election;
        self.transition(state, election, false, reason, ctx);
    }
}

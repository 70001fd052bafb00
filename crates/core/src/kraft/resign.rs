//! Giving up leadership: graceful shutdown, EndQuorumEpoch with ranked successors, and the
//! Resigned state (KRAFT.md §2.3, Appendix C).
//!
//! A gracefully stopping leader resigns and tells the voters, most caught up first. The first
//! successor's fetch timer is set to zero, so it stands at once and the handover takes a few
//! round trips instead of a fetch timeout. The process stops once a successor leads (or after
//! five seconds).

use crate::effect::Ctx;
use crate::trace::{Event, Reason, TimerKind};
use crate::types::{ms, Epoch, NodeId};

use super::config::SHUTDOWN_TIMEOUT_MS;
use super::replica::Replica;
use super::rpc::{ErrorCode, RaftRpc};
use super::state::{Role, State};

impl Replica {
    /// Starts a graceful shutdown. A leader resigns first.
    pub fn begin_shutdown(&mut self, ctx: &mut Ctx) {
        if self.shutdown_deadline.is_some() || self.shutdown_done {
            return;
        }
        self.shutdown_deadline = Some(ctx.now + ms(SHUTDOWN_TIMEOUT_MS));
        if let State::Leader(l) = &self.state {
            let successors = l.voters_by_descending_fetch_offset(self.id);
            self.become_resigned(successors, Reason::Shutdown, ctx);
        }
    }

    /// `maybeCompleteShutdown`: done once this node is an observer, the only voter, or a
    /// follower of another leader — or when the shutdown timeout passes.
    pub(crate) fn maybe_complete_shutdown(&mut self, ctx: &mut Ctx) -> bool {
        let Some(deadline) = self.shutdown_deadline else {
            return false;
        };
        let only_voter = self.voters.len() == 1 && self.is_voter();
        let follows_other = self.role() == Role::Follower && self.leader() != Some(self.id);
        if !self.is_voter() || only_voter || follows_other || ctx.now >= deadline {
            // The replica keeps working (a shutting-down broker still fetches metadata); the
            // process stops once every role is done. Its own deadline is over.
            self.shutdown_done = true;
            self.shutdown_deadline = None;
        }
        false
    }

    /// `pollResigned`: keeps telling unacknowledged voters, and when the election timer fires
    /// gives up on a successor (4.x: Unattached; 3.9: Candidate).
    pub(crate) fn poll_resigned(&mut self, ctx: &mut Ctx) {
        let State::Resigned(r) = &self.state else {
            return;
        };
        if ctx.now >= r.election_deadline && !self.is_shutting_down() {
            ctx.emit(Event::TimerExpired(TimerKind::Election));
            let epoch = self.epoch();
            if self.cfg.prevote || !self.is_voter() {
                self.become_unattached(epoch, Reason::ElectionTimeout, ctx);
            } else {
                self.become_candidate(1, Reason::ElectionTimeout, ctx);
            }
            return;
        }
        let targets: Vec<NodeId> = r.unacked.iter().copied().collect();
        let successors = r.preferred_successors.clone();
        for to in targets {
            if self.requests.is_ready(to, ctx.now) {
                let rpc = RaftRpc::EndQuorumEpochRequest {
                    epoch: self.epoch(),
                    leader: self.id,
                    preferred_successors: successors.clone(),
                };
                self.send_request(to, rpc, ctx);
            }
        }
    }

    /// `handleEndQuorumEpochRequest`: a follower of the resigning leader shortens its fetch
    /// timer by its rank among the successors (0 for the first).
    pub(crate) fn handle_end_quorum_epoch(
        &mut self,
        from: NodeId,
        correlation: u64,
        epoch: Epoch,
        leader: NodeId,
        successors: Vec<NodeId>,
        ctx: &mut Ctx,
    ) {
        let error = if epoch < self.epoch() {
            ErrorCode::FencedLeaderEpoch
        } else {
            self.maybe_transition(epoch, Some(leader), from, ctx);
            let position = successors.iter().position(|s| *s == self.id);
            let after = self.cfg.successor_backoff(position, successors.len());
            if self.leader() == Some(leader) {
                if let State::Follower(f) = &mut self.state {
                    f.fetch_deadline = f.fetch_deadline.min(ctx.now + after);
                    ctx.emit(Event::FetchTimerOverridden { leader, after });
                }
            }
            ErrorCode::None
        };
        let rpc = RaftRpc::EndQuorumEpochResponse {
            epoch: self.epoch(),
            leader: self.leader(),
            error,
        };
        self.respond(from, correlation, rpc, ctx);
    }

    /// An EndQuorumEpoch was acknowledged: stop resending it to that voter.
    pub(crate) fn handle_end_quorum_epoch_response(
        &mut self,
        from: NodeId,
        epoch: Epoch,
        leader: Option<NodeId>,
        error: ErrorCode,
        ctx: &mut Ctx,
    ) {
        if self.common_response(from, epoch, leader, error, ctx) {
            return;
        }
        if let State::Resigned(r) = &mut self.state {
            r.unacked.remove(&from);
        }
    }

    /// The user's "time out now": the next election (or fetch) timer fires immediately.
    pub fn timeout_now(&mut self, ctx: &mut Ctx) -> Result<(), String> {
        if !self.is_voter() {
            return Err(format!(
                "{} is an observer: observers never stand for election",
                self.id
            ));
        }
        let now = ctx.now;
        match &mut self.state {
            State::Follower(f) => f.fetch_deadline = now,
            State::Unattached(u) => u.election_deadline = Some(now),
            State::Prospective(p) => p.election_deadline = now,
            State::Candidate(c) => match &mut c.backoff_until {
                Some(t) => *t = now,
                None => c.election_deadline = now,
            },
            State::Resigned(r) => r.election_deadline = now,
            State::Leader(_) => {
                return Err(format!(
                    "{} is the leader: it has no election timer (use shutdown to make it resign)",
                    self.id
                ))
            }
        }
        Ok(())
    }
}

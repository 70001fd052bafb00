//! Where elections happen: Vote and PreVote requests and responses, the "log at least as up to
//! date" rule, the durable vote, candidacy with its exponential backoff, and BeginQuorumEpoch
//! (KRAFT.md §2.1, §2.2; Appendix C for pre-vote).
//!
//! An election in KRaft, with pre-vote (Kafka 4.x):
//! 1. A voter's election or fetch timer fires: it becomes **Prospective** in its current epoch
//!    and sends `Vote(PreVote=true)`. Nothing is persisted; the epoch does not move.
//! 2. Voters grant a pre-vote if the prospective's log is at least as up to date as theirs —
//!    except a follower that is fetching successfully from a leader, which refuses: the leader
//!    is alive. That stops a node returning from a partition from disrupting a healthy quorum.
//! 3. With a majority of pre-votes it becomes **Candidate** in epoch + 1 (persisting the epoch
//!    and its vote for itself) and sends binding `Vote` requests.
//! 4. A voter grants at most one binding vote per epoch, persisted before it answers.
//! 5. With a majority it becomes **Leader**, appends a `LeaderChangeMessage` and announces
//!    itself with `BeginQuorumEpoch`.
//!
//! Without pre-vote (Kafka 3.9) step 1–3 collapse: the timer fires and the voter is Candidate in
//! epoch + 1 at once.

use crate::effect::Ctx;
use crate::trace::{Event, Reason, TimerKind};
use crate::types::{Epoch, NodeId, Offset};

use super::replica::Replica;
use super::rpc::{ErrorCode, RaftRpc};
use super::state::{Role, State};

impl Replica {
    /// Decides whether to grant a Vote or PreVote, per state (`canGrantVote`), with the reason.
    fn can_grant_vote(
        &self,
        candidate: NodeId,
        up_to_date: bool,
        pre_vote: bool,
    ) -> (bool, &'static str) {
        const BEHIND: &str = "its log is behind ours";
        const OK: &str = "its log is at least as up to date as ours";
        match &self.state {
            State::Unattached(_) | State::Prospective(_) => {
                if pre_vote {
                    if up_to_date {
                        (true, OK)
                    } else {
                        (false, BEHIND)
                    }
                } else if self.election.voted == Some(candidate) {
                    (true, "already voted for it in this epoch")
                } else if self.election.voted.is_some() {
                    (false, "already voted for another candidate in this epoch")
                } else if self.election.leader.is_some() {
                    (false, "a leader of this epoch is known")
                } else if up_to_date {
                    (true, OK)
                } else {
                    (false, BEHIND)
                }
            }
            State::Candidate(_) => {
                if !pre_vote {
                    (false, "it is a candidate itself")
                } else if up_to_date {
                    (true, OK)
                } else {
                    (false, BEHIND)
                }
            }
            State::Follower(f) => {
                if !pre_vote {
                    (false, "it follows a leader of this epoch")
                } else if f.has_fetched_from_leader {
                    (false, "it is fetching successfully from a live leader")
                } else if up_to_date {
                    (true, OK)
                } else {
                    (false, BEHIND)
                }
            }
            State::Leader(_) => (false, "it is the leader"),
            State::Resigned(_) => {
                if !pre_vote {
                    (false, "it led this epoch and cannot vote in it")
                } else if up_to_date {
                    (true, OK)
                } else {
                    (false, BEHIND)
                }
            }
        }
    }

    /// `handleVoteRequest`.
    pub(crate) fn handle_vote_request(
        &mut self,
        from: NodeId,
        correlation: u64,
        rpc: RaftRpc,
        ctx: &mut Ctx,
    ) {
        let RaftRpc::VoteRequest {
            epoch,
            candidate,
            last_offset_epoch,
            last_offset,
            pre_vote,
        } = rpc
        else {
            return;
        };
        let reply = |r: &Replica, granted: bool, error: ErrorCode, ctx: &mut Ctx| {
            let rpc = RaftRpc::VoteResponse {
                epoch: r.epoch(),
                leader: r.leader(),
                granted,
                pre_vote,
                error,
            };
            r.respond(from, correlation, rpc, ctx);
        };
        if epoch < self.epoch() {
            ctx.emit(Event::VoteCast {
                candidate,
                epoch,
                pre_vote,
                granted: false,
                why: "its epoch is older than ours",
            });
            reply(self, false, ErrorCode::FencedLeaderEpoch, ctx);
            return;
        }
        let illegal = if pre_vote {
            last_offset_epoch > epoch
        } else {
            last_offset_epoch >= epoch
        };
        if illegal {
            reply(self, false, ErrorCode::InvalidRequest, ctx);
            return;
        }
        if epoch > self.epoch() {
            // A higher epoch moves this replica to Unattached first; for a PreVote too.
            self.become_unattached(epoch, Reason::HigherEpoch { from }, ctx);
        }
        let up_to_date = (last_offset_epoch, last_offset) >= self.disk.log.last_position()
            || self.cfg.buggify.vote_without_log_check;
        let (granted, why) = self.can_grant_vote(candidate, up_to_date, pre_vote);
        if granted && !pre_vote && self.role() == Role::Unattached && self.election.voted.is_none()
        {
            // The vote is persisted before it is granted.
            self.become_unattached_voted(candidate, ctx);
        }
        ctx.emit(Event::VoteCast {
            candidate,
            epoch,
            pre_vote,
            granted,
            why,
        });
        reply(self, granted, ErrorCode::None, ctx);
    }

    /// `handleVoteResponse`, for both a Prospective's pre-votes and a Candidate's votes.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_vote_response(
        &mut self,
        from: NodeId,
        epoch: Epoch,
        leader: Option<NodeId>,
        granted: bool,
        pre_vote: bool,
        error: ErrorCode,
        ctx: &mut Ctx,
    ) {
        if self.common_response(from, epoch, leader, error, ctx) {
            return;
        }
        match &mut self.state {
            State::Prospective(p) if pre_vote => {
                p.tally.record(from, granted);
                if p.tally.is_rejected() {
                    self.prospective_lost(ctx);
                } else {
                    self.maybe_finish_election(ctx);
                }
            }
            State::Candidate(c) if !pre_vote => {
                c.tally.record(from, granted);
                if c.tally.is_rejected() && c.backoff_until.is_none() {
                    // Rejected by so many that a majority is out of reach: back off at once
                    // instead of waiting for the election timeout.
                    self.start_backoff(ctx);
                } else {
                    self.maybe_finish_election(ctx);
                }
            }
            _ => {}
        }
    }

    /// Moves on as soon as a tally has its majority (at once for a single voter).
    pub(crate) fn maybe_finish_election(&mut self, ctx: &mut Ctx) {
        match &self.state {
            State::Prospective(p) if p.tally.is_granted() => {
                let retries = p.retries + 1;
                self.become_candidate(retries, Reason::PreVoteWon, ctx);
            }
            State::Candidate(c) if c.tally.is_granted() && c.backoff_until.is_none() => {
                let granting = c.tally.granting();
                self.become_leader(granting, ctx);
            }
            _ => {}
        }
    }

    /// A lost or timed-out pre-vote: back to Follower if a leader is known, else Unattached.
    fn prospective_lost(&mut self, ctx: &mut Ctx) {
        let epoch = self.epoch();
        match self.leader().filter(|l| *l != self.id) {
            Some(leader) => self.become_follower(epoch, leader, Reason::PreVoteLost, ctx),
            None => self.become_unattached(epoch, Reason::PreVoteLost, ctx),
        }
    }

    /// Starts the binary-exponential election backoff of a failed candidacy.
    fn start_backoff(&mut self, ctx: &mut Ctx) {
        let State::Candidate(c) = &mut self.state else {
            return;
        };
        let backoff = self.cfg.election_backoff(c.retries, |n| ctx.draw(0..n));
        c.backoff_until = Some(ctx.now + backoff);
        ctx.emit(Event::BackingOff { backoff });
    }

    /// Sends a Vote (or PreVote) to every voter that has not answered, while the election can
    /// still be won (`maybeSendVoteRequests`).
    fn send_vote_requests(&mut self, pre_vote: bool, ctx: &mut Ctx) {
        let targets = match &self.state {
            State::Prospective(p) if !p.tally.is_rejected() => p.tally.unrecorded(),
            State::Candidate(c) if !c.tally.is_rejected() => c.tally.unrecorded(),
            _ => return,
        };
        let (last_offset_epoch, last_offset): (Epoch, Offset) = self.disk.log.last_position();
        for to in targets {
            if to != self.id && self.requests.is_ready(to, ctx.now) {
                let rpc = RaftRpc::VoteRequest {
                    epoch: self.epoch(),
                    candidate: self.id,
                    last_offset_epoch,
                    last_offset,
                    pre_vote,
                };
                self.send_request(to, rpc, ctx);
            }
        }
    }

    /// `pollProspective`: gives up when the election timer fires, else asks for pre-votes.
    pub(crate) fn poll_prospective(&mut self, ctx: &mut Ctx) {
        let State::Prospective(p) = &self.state else {
            return;
        };
        if ctx.now >= p.election_deadline {
            ctx.emit(Event::TimerExpired(TimerKind::Election));
            self.prospective_lost(ctx);
        } else {
            self.send_vote_requests(true, ctx);
        }
    }

    /// `pollCandidate`: backs off when the election timer fires; when the backoff is over, tries
    /// again (3.9: Candidate in the next epoch; 4.x: Prospective first).
    ///
    /// Model note: Kafka 4.x moves a losing Candidate to Prospective at once; we keep 3.9's
    /// binary-exponential backoff in front of that move so that split votes still break up by
    /// chance, as `RaftUtil.binaryExponentialElectionBackoffMs` suggests (inferred).
    pub(crate) fn poll_candidate(&mut self, ctx: &mut Ctx) {
        let State::Candidate(c) = &self.state else {
            return;
        };
        if let Some(until) = c.backoff_until {
            if ctx.now >= until && !self.is_shutting_down() {
                let retries = c.retries;
                ctx.emit(Event::TimerExpired(TimerKind::Backoff));
                if self.cfg.prevote {
                    self.become_prospective(retries, Reason::BackoffOver, ctx);
                } else {
                    self.become_candidate(retries + 1, Reason::BackoffOver, ctx);
                }
            }
        } else if ctx.now >= c.election_deadline {
            ctx.emit(Event::TimerExpired(TimerKind::Election));
            self.start_backoff(ctx);
        } else {
            self.send_vote_requests(false, ctx);
        }
    }

    /// A voter whose election (or fetch) timer fired stands: Prospective with pre-vote,
    /// Candidate without.
    pub(crate) fn stand_for_election(&mut self, reason: Reason, ctx: &mut Ctx) {
        if !self.is_voter() {
            // Removed from the voters meanwhile: an observer looks for the leader instead.
            let epoch = self.epoch();
            self.become_unattached(epoch, reason, ctx);
            return;
        }
        if self.cfg.prevote {
            self.become_prospective(0, reason, ctx);
        } else {
            self.become_candidate(1, reason, ctx);
        }
    }

    /// `handleBeginQuorumEpochRequest`: the winner of an election announces itself.
    pub(crate) fn handle_begin_quorum_epoch(
        &mut self,
        from: NodeId,
        correlation: u64,
        epoch: Epoch,
        leader: NodeId,
        ctx: &mut Ctx,
    ) {
        let error = if epoch < self.epoch() {
            ErrorCode::FencedLeaderEpoch
        } else {
            self.maybe_transition(epoch, Some(leader), from, ctx);
            ErrorCode::None
        };
        let rpc = RaftRpc::BeginQuorumEpochResponse {
            epoch: self.epoch(),
            leader: self.leader(),
            error,
        };
        self.respond(from, correlation, rpc, ctx);
    }
}

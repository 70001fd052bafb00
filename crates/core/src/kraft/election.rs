//! Where elections happen: Vote and PreVote requests and responses, the "log at least as up to
//! date" rule, the durable vote, candidacy with its exponential backoff, and BeginQuorumEpoch
//! (docs/fidelity.md, Elections and pre-vote).
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
//!
//! A replica that starts as the **only voter** does not wait for a timer: its own vote is a
//! majority, so `KafkaRaftClient.initialize` makes it stand at once and it leads before its
//! first poll (`Replica::stand_at_startup_if_only_voter`). That is the only shortcut: a lone
//! voter that loses its leadership while running waits for its timer like any voter.
//!
//! Over 800 lines only with its step tests: the code is about 415 lines; the tests stay beside the
//! steps they test.

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
            voter_directory_id,
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
        // KIP-853: the vote is asked of a voter by id and directory id; this disk is not the
        // one the candidate's voter set names (this node was reformatted), so it has no vote
        // to give in that place (`isValidVoterKey`).
        if !self.valid_voter_key(voter_directory_id) {
            ctx.emit(Event::VoteCast {
                candidate,
                epoch,
                pre_vote,
                granted: false,
                why: "it asked another disk of this node (INVALID_VOTER_KEY)",
            });
            reply(self, false, ErrorCode::InvalidVoterKey, ctx);
            return;
        }
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
        if granted
            && !pre_vote
            && self.election.voted.is_none()
            && !self.cfg.buggify.skip_vote_persist
        {
            // The vote is persisted before it is granted, by an Unattached voter
            // (`unattachedAddVotedState`) and by a Prospective one (`prospectiveAddVotedState`).
            match self.role() {
                Role::Unattached => self.become_unattached_voted(candidate, ctx),
                Role::Prospective => self.become_prospective_voted(candidate, ctx),
                _ => {}
            }
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
                    if self.cfg.prevote {
                        // 4.x (`maybeHandleElectionLoss`): the candidate waits out the rest of
                        // its random election timeout, then asks for pre-votes again.
                        ctx.emit(Event::ElectionLost {
                            wait: self.election_time_left(ctx.now),
                        });
                    } else {
                        // 3.9: rejected by so many that a majority is out of reach, it backs
                        // off at once instead of waiting for the election timeout.
                        self.start_backoff(ctx);
                    }
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
                    voter_directory_id: self.voter_directory(to),
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
        if ctx.now >= p.election_deadline && !self.is_shutting_down() {
            ctx.emit(Event::TimerExpired(TimerKind::Election));
            self.prospective_lost(ctx);
        } else {
            self.send_vote_requests(true, ctx);
        }
    }

    /// `pollCandidate`. Kafka 4.x: when the random election timeout fires (whether the votes
    /// came back rejected or never came), the candidate becomes Prospective in its epoch and
    /// asks for pre-votes again; the randomized timeouts break up split votes. Kafka 3.9: when
    /// the timeout fires it backs off (binary-exponential), and when the backoff is over it
    /// stands again as Candidate in the next epoch.
    pub(crate) fn poll_candidate(&mut self, ctx: &mut Ctx) {
        let State::Candidate(c) = &self.state else {
            return;
        };
        if let Some(until) = c.backoff_until {
            if ctx.now >= until && !self.is_shutting_down() {
                let retries = c.retries;
                ctx.emit(Event::TimerExpired(TimerKind::Backoff));
                self.become_candidate(retries + 1, Reason::BackoffOver, ctx);
            }
        } else if ctx.now >= c.election_deadline {
            if self.is_shutting_down() {
                // A shutting-down candidate keeps its election going until it wins, another
                // leader appears, or the shutdown times out (`pollCandidate`).
                self.send_vote_requests(false, ctx);
                return;
            }
            ctx.emit(Event::TimerExpired(TimerKind::Election));
            if self.cfg.prevote {
                let retries = c.retries;
                self.become_prospective(retries + 1, Reason::ElectionTimeout, ctx);
            } else {
                self.start_backoff(ctx);
            }
        } else {
            self.send_vote_requests(false, ctx);
        }
    }

    /// How long the current Prospective or Candidate still has before its election timer fires.
    fn election_time_left(&self, now: crate::types::SimTime) -> crate::types::Micros {
        match &self.state {
            State::Prospective(p) => p.election_deadline.since(now),
            State::Candidate(c) => c.election_deadline.since(now),
            _ => 0,
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

    /// `KafkaRaftClient.initialize`: a replica that starts as the only voter stands at once,
    /// because waiting for a timer could only delay an election it wins by its own vote. Kafka
    /// 4.x moves an Unattached, Follower or Resigned replica to Prospective, which its own
    /// pre-vote carries to Candidate and then Leader; Kafka 3.9 makes any replica that is not
    /// Candidate a Candidate in epoch + 1, which its own vote makes Leader. A replica that
    /// comes back as Candidate (it had voted for itself) wins in that epoch
    /// (`onBecomeCandidate`). Kafka does this only at startup, not in its poll loop.
    pub(crate) fn stand_at_startup_if_only_voter(&mut self, ctx: &mut Ctx) {
        if *self.voters != [self.id] || self.is_shutting_down() {
            return;
        }
        match self.role() {
            Role::Candidate => self.maybe_finish_election(ctx),
            Role::Unattached | Role::Follower | Role::Resigned => {
                if self.cfg.prevote {
                    self.become_prospective(0, Reason::OnlyVoter, ctx);
                } else {
                    self.become_candidate(1, Reason::OnlyVoter, ctx);
                }
            }
            Role::Prospective | Role::Leader => {}
        }
    }

    /// `handleBeginQuorumEpochRequest`: the winner of an election announces itself.
    pub(crate) fn handle_begin_quorum_epoch(
        &mut self,
        from: NodeId,
        correlation: u64,
        epoch: Epoch,
        leader: NodeId,
        voter_directory_id: crate::uuid::Uuid,
        ctx: &mut Ctx,
    ) {
        let error = if !self.valid_voter_key(voter_directory_id) {
            ErrorCode::InvalidVoterKey
        } else if epoch < self.epoch() {
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

#[cfg(test)]
mod tests {
    //! One step of an election at a time: timers firing, Vote and PreVote answered and
    //! counted, the durable vote, backoff, BeginQuorumEpoch.

    use crate::flat::FlatSet;

    use crate::kraft::state::Role::{
        Candidate, Follower, Leader, Prospective, Resigned, Unattached,
    };
    use crate::kraft::testing::{election, msg, Given};
    use crate::record::{LeaderChangeMessage, Record};
    use crate::trace::{Event, Reason, TimerKind};
    use crate::types::{ms, NodeId, SimTime};

    use super::super::rpc::ErrorCode;

    const BEHIND: &str = "its log is behind ours";
    const UP_TO_DATE: &str = "its log is at least as up to date as ours";

    /// Node 1 of voters 1, 2, 3, Unattached in epoch 3 with log [1, 1, 2] (last position 2@3).
    fn unattached() -> Given {
        Given::node(1, &[1, 2, 3]).epoch(3).log(&[1, 1, 2])
    }

    fn backoff_of(step: &crate::kraft::testing::Step) -> Option<u64> {
        step.events().into_iter().find_map(|e| match e {
            Event::BackingOff { backoff } => Some(*backoff),
            _ => None,
        })
    }

    // ----- timers ---------------------------------------------------------------------------

    #[test]
    fn election_timeout_makes_an_unattached_voter_prospective_in_its_own_epoch() {
        let mut n = unattached().start();
        let fires_at = n.state_timer_ms();
        let before = n.poll_at(fires_at - 1);
        // While it waits, a 4.x Unattached voter only looks for a leader with a Fetch.
        assert!(before.transitions().is_empty());
        assert!(before.messages().iter().all(|(_, name)| *name == "Fetch"));

        let s = n.poll_at(fires_at);

        assert!(s.has(|e| matches!(e, Event::TimerExpired(TimerKind::Election))));
        assert_eq!(s.transitions(), [(Unattached, Prospective, 3)]);
        assert_eq!(s.reasons(), [Reason::ElectionTimeout]);
        assert_eq!(s.messages(), [(2, "PreVote"), (3, "PreVote")]);
        assert_eq!(
            s.only_to(2).line(),
            "PreVote epoch=3 candidate=1 lastOffsetEpoch=2 lastOffset=3"
        );
        // Prospective is memory-only: the epoch does not move and nothing is persisted.
        assert_eq!(n.disk_election(), election(3, None, None));
    }

    #[test]
    fn election_timeout_without_prevote_makes_a_candidate_in_the_next_epoch() {
        let mut n = unattached().without_prevote().start();

        let s = n.poll_at_deadline();

        assert_eq!(s.transitions(), [(Unattached, Candidate, 4)]);
        assert_eq!(n.disk_election(), election(4, None, Some(1)));
        assert_eq!(s.messages(), [(2, "Vote"), (3, "Vote")]);
        assert_eq!(
            s.only_to(3).line(),
            "Vote epoch=4 candidate=1 lastOffsetEpoch=2 lastOffset=3"
        );
        // The new epoch and the vote for itself are on disk before the first Vote leaves.
        let persisted = s
            .event_index(|e| matches!(e, Event::Transition { to: Candidate, .. }))
            .unwrap();
        assert!(persisted < s.send_index(2).unwrap());
    }

    #[test]
    fn election_timeout_is_drawn_between_one_and_two_election_timeouts() {
        let mut seen = FlatSet::new();
        for seed in 0..64 {
            let n = unattached().seed(seed).start();
            let t = n.state_timer_ms();
            assert!((1000..2000).contains(&t), "seed {seed}: {t} ms");
            seen.insert(t);
        }
        assert!(seen.len() > 32, "timeouts are randomized: {seen:?}");
    }

    // ----- PreVote ---------------------------------------------------------------------------

    #[test]
    fn a_majority_of_prevotes_makes_a_candidate_in_the_next_epoch() {
        let mut n = unattached().start();
        n.poll_at_deadline();

        let s = n.answer(2, msg::vote_answer(3, None, true, true));

        assert_eq!(s.transitions(), [(Prospective, Candidate, 4)]);
        assert_eq!(s.reasons(), [Reason::PreVoteWon]);
        assert_eq!(n.disk_election(), election(4, None, Some(1)));
        let s = n.poll();
        assert_eq!(s.messages(), [(2, "Vote"), (3, "Vote")]);
        assert_eq!(
            s.only_to(2).line(),
            "Vote epoch=4 candidate=1 lastOffsetEpoch=2 lastOffset=3"
        );
    }

    #[test]
    fn prevote_is_granted_to_an_up_to_date_log_whatever_the_vote_and_persists_nothing() {
        // It gave its binding vote of epoch 3 to node 3; a pre-vote ignores it.
        let mut n = unattached().voted(3).start();

        let s = n.deliver(2, msg::pre_vote(3, 2, 2, 3));

        assert_eq!(s.vote_cast(), (true, UP_TO_DATE));
        assert_eq!(
            s.only_to(2).line(),
            "PreVoteResponse epoch=3 leader=none granted=true"
        );
        assert!(s.transitions().is_empty());
        assert_eq!(n.disk_election(), election(3, None, Some(3)));
    }

    #[test]
    fn prevote_is_refused_to_a_log_that_is_behind() {
        let mut n = unattached().start();
        // A longer log of an older epoch is behind: the epoch is compared first.
        let s = n.deliver(2, msg::pre_vote(3, 2, 1, 10));
        assert_eq!(s.vote_cast(), (false, BEHIND));
        // Same last epoch, shorter log.
        let s = n.deliver(2, msg::pre_vote(3, 2, 2, 2));
        assert_eq!(s.vote_cast(), (false, BEHIND));
        assert_eq!(
            s.only_to(2).line(),
            "PreVoteResponse epoch=3 leader=none granted=false"
        );
        assert_eq!(n.role(), Unattached);
    }

    #[test]
    fn prevote_is_refused_by_a_follower_once_it_fetched_from_its_leader() {
        let mut n = unattached().leader(3).start();
        assert_eq!(n.role(), Follower);
        // Not yet heard from the leader: the pre-vote is granted.
        let s = n.deliver(2, msg::pre_vote(3, 2, 2, 3));
        assert_eq!(s.vote_cast(), (true, UP_TO_DATE));

        n.poll();
        n.answer(3, msg::fetched(3, 3, Some(3), Vec::new()));
        let s = n.deliver(2, msg::pre_vote(3, 2, 2, 3));

        assert_eq!(
            s.vote_cast(),
            (false, "it is fetching successfully from a live leader")
        );
        assert_eq!(n.role(), Follower);
        assert_eq!(n.leader(), Some(3));
    }

    #[test]
    fn prevote_of_a_higher_epoch_moves_to_that_epoch_without_voting() {
        let mut n = unattached().leader(3).start();
        n.poll();
        n.answer(3, msg::fetched(3, 3, Some(3), Vec::new()));

        let s = n.deliver(2, msg::pre_vote(5, 2, 2, 3));

        assert_eq!(s.transitions(), [(Follower, Unattached, 5)]);
        assert_eq!(s.vote_cast(), (true, UP_TO_DATE));
        assert_eq!(n.disk_election(), election(5, None, None));
        assert_eq!(
            s.only_to(2).line(),
            "PreVoteResponse epoch=5 leader=none granted=true"
        );
    }

    #[test]
    fn a_lost_prevote_returns_to_the_known_leader_or_else_to_unattached() {
        // A follower of 2 whose fetch timer fired, rejected by both voters.
        let mut n = unattached().leader(2).start();
        let s = n.poll_at_deadline();
        assert_eq!(s.transitions(), [(Follower, Prospective, 3)]);
        assert_eq!(s.reasons(), [Reason::FetchTimeout]);
        n.answer(2, msg::vote_answer(3, Some(2), false, true));
        assert_eq!(
            n.role(),
            Prospective,
            "one rejection of three leaves a majority possible"
        );

        let s = n.answer(3, msg::vote_answer(3, Some(2), false, true));

        assert_eq!(s.transitions(), [(Prospective, Follower, 3)]);
        assert_eq!(s.reasons(), [Reason::PreVoteLost]);
        assert_eq!(n.disk_election(), election(3, Some(2), None));

        // No leader known: back to Unattached, in the same epoch.
        let mut n = unattached().start();
        n.poll_at_deadline();
        n.answer(2, msg::vote_answer(3, None, false, true));
        let s = n.answer(3, msg::vote_answer(3, None, false, true));
        assert_eq!(s.transitions(), [(Prospective, Unattached, 3)]);
        assert_eq!(n.disk_election(), election(3, None, None));
    }

    // ----- Vote ------------------------------------------------------------------------------

    #[test]
    fn a_granted_vote_is_persisted_before_the_answer_leaves() {
        let mut n = unattached().start();

        let s = n.deliver(2, msg::vote(4, 2, 2, 3));

        assert_eq!(
            s.transitions(),
            [(Unattached, Unattached, 4), (Unattached, Unattached, 4)]
        );
        assert_eq!(
            s.reasons(),
            [
                Reason::HigherEpoch { from: NodeId(2) },
                Reason::Voted {
                    candidate: NodeId(2)
                }
            ]
        );
        assert_eq!(s.vote_cast(), (true, UP_TO_DATE));
        assert_eq!(
            s.only_to(2).line(),
            "VoteResponse epoch=4 leader=none granted=true"
        );
        assert_eq!(n.disk_election(), election(4, None, Some(2)));
        // The durable transition that records the vote comes before the answer.
        let voted = s
            .event_index(|e| {
                matches!(
                    e,
                    Event::Transition {
                        reason: Reason::Voted { .. },
                        ..
                    }
                )
            })
            .unwrap();
        assert!(voted < s.send_index(2).unwrap());
    }

    #[test]
    fn a_vote_is_refused_to_a_second_candidate_of_the_epoch_even_after_a_restart() {
        let mut n = unattached().start();
        n.deliver(2, msg::vote(4, 2, 2, 3));

        n.restart();
        assert_eq!(
            (n.role(), n.election()),
            (Unattached, election(4, None, Some(2)))
        );
        let s = n.deliver(3, msg::vote(4, 3, 2, 3));

        assert_eq!(
            s.vote_cast(),
            (false, "already voted for another candidate in this epoch")
        );
        assert_eq!(
            s.only_to(3).line(),
            "VoteResponse epoch=4 leader=none granted=false"
        );
        // The candidate it voted for may ask again (a retried request).
        let s = n.deliver(2, msg::vote(4, 2, 2, 3));
        assert_eq!(s.vote_cast(), (true, "already voted for it in this epoch"));
        assert_eq!(n.disk_election(), election(4, None, Some(2)));
    }

    #[test]
    fn a_vote_is_refused_to_a_stale_log_but_its_epoch_is_adopted() {
        let mut n = unattached().start();

        let s = n.deliver(2, msg::vote(4, 2, 1, 10));

        assert_eq!(s.vote_cast(), (false, BEHIND));
        assert_eq!(s.transitions(), [(Unattached, Unattached, 4)]);
        assert_eq!(n.disk_election(), election(4, None, None));
        // Still free to vote in epoch 4.
        let s = n.deliver(3, msg::vote(4, 3, 2, 3));
        assert_eq!(s.vote_cast(), (true, UP_TO_DATE));
        assert_eq!(n.disk_election(), election(4, None, Some(3)));
    }

    #[test]
    fn a_vote_or_prevote_of_an_older_epoch_is_fenced() {
        let mut n = Given::node(1, &[1, 2, 3]).epoch(5).log(&[1, 1, 2]).start();

        let s = n.deliver(2, msg::vote(4, 2, 2, 9));
        assert_eq!(s.vote_cast(), (false, "its epoch is older than ours"));
        assert_eq!(s.only_to(2).error(), ErrorCode::FencedLeaderEpoch);
        assert_eq!(
            s.only_to(2).line(),
            "VoteResponse epoch=5 leader=none granted=false error=FENCED_LEADER_EPOCH"
        );
        let s = n.deliver(2, msg::pre_vote(4, 2, 2, 9));
        assert_eq!(s.only_to(2).error(), ErrorCode::FencedLeaderEpoch);
        assert_eq!(n.disk_election(), election(5, None, None));
    }

    #[test]
    fn a_vote_whose_last_epoch_is_not_below_its_epoch_is_an_invalid_request() {
        let mut n = unattached().start();

        let s = n.deliver(2, msg::vote(4, 2, 4, 9));

        assert_eq!(s.only_to(2).error(), ErrorCode::InvalidRequest);
        assert_eq!(n.epoch(), 3);
        // A PreVote is sent in the candidate's current epoch, so its last epoch may equal it.
        let s = n.deliver(2, msg::pre_vote(3, 2, 3, 9));
        assert_eq!(s.vote_cast(), (true, UP_TO_DATE));
    }

    #[test]
    fn a_binding_vote_of_its_own_epoch_is_refused_by_a_follower_a_candidate_and_a_leader() {
        let mut follower = unattached().leader(3).start();
        let s = follower.deliver(2, msg::vote(3, 2, 2, 9));
        assert_eq!(s.vote_cast(), (false, "it follows a leader of this epoch"));

        let mut candidate = unattached().without_prevote().start();
        candidate.poll_at_deadline();
        let s = candidate.deliver(2, msg::vote(4, 2, 2, 9));
        assert_eq!(s.vote_cast(), (false, "it is a candidate itself"));
        assert_eq!(candidate.disk_election(), election(4, None, Some(1)));

        let mut leader = Given::node(1, &[1, 2, 3]).log(&[1, 1, 2]).elected_in(4);
        let s = leader.deliver(2, msg::vote(4, 2, 2, 9));
        assert_eq!(s.vote_cast(), (false, "it is the leader"));
        assert_eq!(leader.role(), Leader);
    }

    // ----- winning and losing ----------------------------------------------------------------

    #[test]
    fn a_candidate_with_a_majority_becomes_leader_and_announces_itself() {
        let mut n = unattached().without_prevote().start();
        n.poll_at_deadline();

        let s = n.answer(2, msg::vote_answer(4, None, true, false));

        assert_eq!(s.transitions(), [(Candidate, Leader, 4)]);
        assert_eq!(s.reasons(), [Reason::ElectionWon]);
        assert_eq!(n.disk_election(), election(4, Some(1), Some(1)));
        // Its first record is a LeaderChangeMessage of its epoch; the HW starts unknown.
        assert_eq!(n.log_epochs(), [1, 1, 2, 4]);
        assert_eq!(
            n.replica().log().entry(3).map(|(_, r)| r.clone()),
            Some(Record::LeaderChange(LeaderChangeMessage {
                leader: NodeId(1),
                epoch: 4,
                voters: vec![NodeId(1), NodeId(2), NodeId(3)],
                granting_voters: vec![NodeId(1), NodeId(2)],
            }))
        );
        assert_eq!(n.leader_state().epoch_start_offset, 3);
        assert_eq!(n.hw(), None);
        let s = n.poll();
        assert_eq!(
            s.messages(),
            [(2, "BeginQuorumEpoch"), (3, "BeginQuorumEpoch")]
        );
        assert_eq!(s.only_to(3).line(), "BeginQuorumEpoch epoch=4 leader=1");
    }

    // ----- the only voter ----------------------------------------------------------------

    #[test]
    fn a_lone_voter_leads_at_startup_without_waiting_for_its_timer() {
        // Kafka 4.x through Prospective (its own pre-vote is a majority), 3.9 straight to
        // Candidate; both inside `initialize`, before the first poll.
        for prevote in [true, false] {
            let n = Given::node(1, &[1])
                .epoch(2)
                .log(&[1, 2])
                .config(|c| c.prevote = prevote)
                .start();

            let stood = if prevote {
                vec![
                    (Unattached, Unattached, 2),
                    (Unattached, Prospective, 2),
                    (Prospective, Candidate, 3),
                    (Candidate, Leader, 3),
                ]
            } else {
                vec![
                    (Unattached, Unattached, 2),
                    (Unattached, Candidate, 3),
                    (Candidate, Leader, 3),
                ]
            };
            assert_eq!(n.startup.transitions(), stood, "prevote={prevote}");
            assert_eq!(n.startup.reasons()[1], Reason::OnlyVoter);
            assert!(n.startup.sent().is_empty());
            assert_eq!((n.role(), n.now_ms()), (Leader, 0));
            assert_eq!(n.disk_election(), election(3, Some(1), Some(1)));
            // Its own LeaderChangeMessage is a majority of one: committed at once.
            assert_eq!(n.log_epochs(), [1, 2, 3]);
            assert_eq!(n.hw(), Some(3));
        }
    }

    #[test]
    fn a_lone_voter_on_a_fresh_disk_leads_epoch_1_at_once() {
        let n = Given::node(1, &[1]).start();

        assert_eq!(
            n.startup.transitions(),
            [
                (Unattached, Prospective, 0),
                (Prospective, Candidate, 1),
                (Candidate, Leader, 1)
            ]
        );
        assert_eq!(n.hw(), Some(1));
    }

    #[test]
    fn a_lone_voter_restarted_as_the_former_leader_leads_the_next_epoch_at_once() {
        for prevote in [true, false] {
            let mut n = Given::node(1, &[1])
                .config(|c| c.prevote = prevote)
                .elected_in(1);
            n.set_time(5_000);

            let s = n.restart();

            // Resigned in epoch 1 as every restarted leader, then no election timer: 4.x
            // stands from Resigned as Prospective (`transitionToProspective` allows it), 3.9
            // as Candidate.
            let stood = if prevote {
                vec![
                    (Unattached, Resigned, 1),
                    (Resigned, Prospective, 1),
                    (Prospective, Candidate, 2),
                    (Candidate, Leader, 2),
                ]
            } else {
                vec![
                    (Unattached, Resigned, 1),
                    (Resigned, Candidate, 2),
                    (Candidate, Leader, 2),
                ]
            };
            assert_eq!(s.transitions(), stood, "prevote={prevote}");
            assert!(s.illegal().is_empty(), "{:?}", s.illegal());
            assert_eq!((n.role(), n.now_ms()), (Leader, 5_000));
            assert_eq!(n.disk_election(), election(2, Some(1), Some(1)));
            assert_eq!(n.log_epochs(), [1, 2]);
            assert_eq!(n.hw(), Some(2));
        }
    }

    #[test]
    fn a_lone_voter_restarted_as_candidate_wins_that_epoch_at_once() {
        // It had voted for itself in epoch 4 and crashed before it led (`onBecomeCandidate`).
        let n = Given::node(1, &[1]).epoch(4).voted(1).log(&[1, 2]).start();

        assert_eq!(
            n.startup.transitions(),
            [(Unattached, Candidate, 4), (Candidate, Leader, 4)]
        );
        assert_eq!(n.disk_election(), election(4, Some(1), Some(1)));
    }

    #[test]
    fn only_the_only_voter_skips_its_timer() {
        // One voter of three, and an observer of a single-voter quorum, wait as before.
        let n = unattached().start();
        assert_eq!(n.startup.transitions(), [(Unattached, Unattached, 3)]);
        assert!(n.state_timer_ms() >= 1000);
        let observer = Given::node(10, &[1]).epoch(2).log(&[1, 2]).start();
        assert_eq!(
            observer.startup.transitions(),
            [(Unattached, Unattached, 2)]
        );
        assert_eq!(observer.role(), Unattached);
    }

    #[test]
    fn a_lone_voter_that_loses_its_leadership_while_running_waits_for_its_timer() {
        // Kafka short-circuits only in `initialize`; its poll loop has no such rule.
        let mut n = Given::node(1, &[1]).log(&[1, 1]).elected_in(2);
        let s = n.deliver(9, msg::pre_vote(5, 9, 2, 3));
        assert_eq!(s.transitions(), [(Leader, Unattached, 5)]);

        let waiting = n.poll();
        assert!(waiting.transitions().is_empty());
        assert_eq!(n.role(), Unattached);
        let fires_at = n.state_timer_ms();
        assert!(fires_at >= 1000, "{fires_at} ms");

        let s = n.poll_at_deadline();

        assert_eq!(n.now_ms(), fires_at);
        assert_eq!(
            s.transitions(),
            [
                (Unattached, Prospective, 5),
                (Prospective, Candidate, 6),
                (Candidate, Leader, 6)
            ]
        );
        assert_eq!(s.reasons()[0], Reason::ElectionTimeout);
    }

    #[test]
    fn a_higher_epoch_in_a_vote_answer_ends_the_candidacy() {
        let mut n = unattached().without_prevote().start();
        n.poll_at_deadline();

        let s = n.answer(2, msg::vote_answer(6, None, false, false));

        assert_eq!(s.transitions(), [(Candidate, Unattached, 6)]);
        assert_eq!(s.reasons(), [Reason::HigherEpoch { from: NodeId(2) }]);
        assert_eq!(n.disk_election(), election(6, None, None));

        // Naming the leader of the higher epoch makes it a follower of that leader.
        let mut n = unattached().without_prevote().start();
        n.poll_at_deadline();
        let s = n.answer(3, msg::vote_answer(6, Some(3), false, false));
        assert_eq!(s.transitions(), [(Candidate, Follower, 6)]);
        assert_eq!(n.disk_election(), election(6, Some(3), None));
    }

    #[test]
    fn a_higher_epoch_in_any_answer_ends_a_leadership() {
        let mut n = Given::node(1, &[1, 2, 3]).log(&[1, 1, 2]).elected_in(4);

        // The answer to its own BeginQuorumEpoch comes from a node that moved on.
        let s = n.answer(2, msg::begin_epoch_answer(6, Some(2)));

        assert_eq!(s.transitions(), [(Leader, Follower, 6)]);
        assert_eq!(n.disk_election(), election(6, Some(2), None));
    }

    #[test]
    fn a_rejected_candidate_backs_off_within_kafkas_binary_exponential_bounds() {
        // Kafka 3.9: min(100 ms × random.nextInt(2 << min(20, retries - 1)), 1000 ms).
        let mut seen: Vec<FlatSet<u64>> = vec![FlatSet::new(); 6];
        for seed in 0..40 {
            let mut n = unattached().without_prevote().seed(seed).start();
            for retry in 1..=5u32 {
                let s = n.poll_at_deadline();
                assert_eq!(n.role(), Candidate);
                assert_eq!(n.epoch(), 3 + retry, "seed {seed}: {s:?}");
                let epoch = n.epoch();
                n.answer(2, msg::vote_answer(epoch, None, false, false));
                let s = n.answer(3, msg::vote_answer(epoch, None, false, false));

                let backoff = backoff_of(&s).expect("rejected by a majority: it backs off at once");
                let bound = (100 * ((1u64 << retry) - 1)).min(1000);
                assert!(
                    backoff.is_multiple_of(ms(100)) && backoff <= ms(bound),
                    "seed {seed}, retry {retry}: {backoff} µs"
                );
                assert_eq!(n.state_timer_ms(), n.now_ms() + backoff / 1000);
                seen[retry as usize].insert(backoff / 1000);
            }
        }
        assert_eq!(seen[1], FlatSet::from([0, 100]));
        assert!(
            seen[2].contains(&300) && seen[2].len() >= 3,
            "{:?}",
            seen[2]
        );
        assert!(
            seen[5].contains(&1000),
            "capped at the maximum: {:?}",
            seen[5]
        );
    }

    #[test]
    fn a_rejected_candidate_waits_out_its_election_timeout_then_asks_for_prevotes_again() {
        let mut n = unattached().start();
        n.poll_at_deadline();
        n.answer(2, msg::vote_answer(3, None, true, true));
        n.poll();
        n.answer(2, msg::vote_answer(4, None, false, false));
        let lost = n.answer(3, msg::vote_answer(4, None, false, false));
        assert_eq!(n.role(), Candidate);
        // 4.x `maybeHandleElectionLoss`: no backoff; it waits out its election timeout.
        assert!(lost.has(|e| matches!(e, Event::ElectionLost { .. })));
        assert_eq!(backoff_of(&lost), None);

        let s = n.poll_at_deadline();

        assert_eq!(s.transitions(), [(Candidate, Prospective, 4)]);
        assert_eq!(s.reasons(), [Reason::ElectionTimeout]);
        assert_eq!(s.messages(), [(2, "PreVote"), (3, "PreVote")]);
        assert_eq!(n.disk_election(), election(4, None, Some(1)));
    }

    #[test]
    fn a_candidate_whose_election_times_out_asks_for_prevotes_again() {
        let mut n = unattached().start();
        n.poll_at_deadline();
        n.answer(2, msg::vote_answer(3, None, true, true));
        n.poll();
        assert_eq!(n.role(), Candidate);

        let at = n.state_timer_ms();
        let s = n.poll_at(at);

        // Kafka 4.x `pollCandidate`: "Election was not granted, transitioning to
        // prospective", at once.
        assert_eq!(s.transitions(), [(Candidate, Prospective, 4)]);
        assert_eq!(backoff_of(&s), None);
    }

    // ----- restart ---------------------------------------------------------------------------

    #[test]
    fn a_voter_restarted_after_voting_for_itself_resumes_its_candidacy() {
        let mut n = unattached().epoch(4).voted(1).start();

        assert_eq!(n.startup.transitions(), [(Unattached, Candidate, 4)]);
        let s = n.poll();
        assert_eq!(s.messages(), [(2, "Vote"), (3, "Vote")]);

        assert_eq!(n.disk_election(), election(4, None, Some(1)));
    }

    #[test]
    fn a_prospective_records_the_binding_vote_it_grants() {
        let mut n = unattached().epoch(4).start();
        n.poll_at_deadline();
        assert_eq!((n.role(), n.epoch()), (Prospective, 4));

        let s = n.deliver(2, msg::vote(4, 2, 2, 3));
        assert_eq!(s.vote_cast(), (true, UP_TO_DATE));
        let second = n.deliver(3, msg::vote(4, 3, 2, 3));

        assert_eq!(n.disk_election(), election(4, None, Some(2)));
        assert_eq!(
            second.vote_cast(),
            (false, "already voted for another candidate in this epoch")
        );
    }

    #[test]
    fn a_static_quorum_answers_a_vote_from_outside_its_voter_set() {
        let mut n = unattached().start();

        let s = n.deliver(9, msg::vote(4, 9, 2, 3));

        // 3.9+: only the epoch and the replica id are checked (KIP-853 relaxation).
        assert_eq!(s.vote_cast(), (true, UP_TO_DATE));
        assert_eq!(n.disk_election(), election(4, None, Some(9)));
    }

    // ----- BeginQuorumEpoch ------------------------------------------------------------------

    #[test]
    fn begin_quorum_epoch_makes_a_voter_follow_the_new_leader() {
        let mut n = unattached().start();

        let s = n.deliver(2, msg::begin_epoch(4, 2));

        assert_eq!(s.transitions(), [(Unattached, Follower, 4)]);
        assert_eq!(n.disk_election(), election(4, Some(2), None));
        assert_eq!(
            s.only_to(2).line(),
            "BeginQuorumEpochResponse epoch=4 leader=2"
        );
        let s = n.poll();
        assert_eq!(
            s.only_to(2).line(),
            "Fetch epoch=4 replica=1 fetchOffset=3 lastFetchedEpoch=2 maxWaitMs=500 highWatermark=0"
        );
        // A stale announcement is fenced and changes nothing.
        let s = n.deliver(3, msg::begin_epoch(3, 3));
        assert_eq!(s.only_to(3).error(), ErrorCode::FencedLeaderEpoch);
        assert_eq!((n.epoch(), n.leader()), (4, Some(2)));
    }

    #[test]
    fn begin_quorum_epoch_is_resent_each_half_fetch_timeout_to_voters_that_did_not_fetch() {
        for prevote in [true, false] {
            let mut n = Given::node(1, &[1, 2, 3])
                .log(&[1, 1, 2])
                .config(|c| c.prevote = prevote)
                .elected_in(3);
            n.answer(2, msg::begin_epoch_answer(3, Some(1)));
            n.answer(3, msg::begin_epoch_answer(3, Some(1)));
            n.set_time(600);
            n.deliver(2, msg::fetch(3, 2, 4, 3, Some(0)));

            assert!(n.poll_at(999).sent().is_empty());
            let s = n.poll_at(1000);

            if prevote {
                // Kafka 4.x (KAFKA-16926): node 2 fetched 400 ms ago, so only 3 is told.
                assert_eq!(s.messages(), [(3, "BeginQuorumEpoch")]);
            } else {
                // Kafka 3.9: every voter, every period.
                assert_eq!(
                    s.messages(),
                    [(2, "BeginQuorumEpoch"), (3, "BeginQuorumEpoch")]
                );
            }
            assert_eq!(n.leader_state().begin_quorum_deadline, SimTime(ms(2000)));
        }
    }
}

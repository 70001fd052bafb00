//! Giving up leadership: graceful shutdown, EndQuorumEpoch with ranked successors, and the
//! Resigned state (docs/fidelity.md, Resignation and EndQuorumEpoch; Elections and pre-vote).
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
    /// gives up on a successor. Either way the epoch moves on, so that no Fetch answer names
    /// this replica as the leader of its old epoch: 4.x goes Unattached in epoch + 1, 3.9
    /// stands as Candidate in epoch + 1.
    pub(crate) fn poll_resigned(&mut self, ctx: &mut Ctx) {
        let State::Resigned(r) = &self.state else {
            return;
        };
        if ctx.now >= r.election_deadline && !self.is_shutting_down() {
            ctx.emit(Event::TimerExpired(TimerKind::Election));
            let epoch = self.epoch();
            if self.cfg.prevote || !self.is_voter() {
                self.become_unattached(epoch + 1, Reason::ElectionTimeout, ctx);
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
                    // `FollowerState.overrideFetchTimeout`: the fetch timer is reset to the
                    // successor backoff, later or earlier than it was.
                    f.fetch_deadline = ctx.now + after;
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

#[cfg(test)]
mod tests {
    //! Resigning: graceful shutdown with ranked successors, EndQuorumEpoch on both ends, and
    //! the Resigned state (after a shutdown or a restart).

    use crate::kraft::state::Role::{
        Candidate, Follower, Leader, Prospective, Resigned, Unattached,
    };
    use crate::kraft::state::State;
    use crate::kraft::testing::{election, id, msg, Given, Node};
    use crate::trace::{Event, Reason};
    use crate::types::ms;

    use super::super::rpc::ErrorCode;

    /// Node 1, leader of epoch 3 over voters 1, 2, 3 (log end 4), with node 3 caught up and
    /// node 2 behind at offset 2.
    fn leader_with_followers() -> Node {
        let mut n = Given::node(1, &[1, 2, 3]).log(&[1, 1, 2]).elected_in(3);
        n.deliver(3, msg::fetch(3, 3, 4, 3, Some(0)));
        n.deliver(2, msg::fetch(3, 2, 2, 1, Some(0)));
        n
    }

    /// Node `me` of voters `voters`, following node 1 in epoch 3 since time 0.
    fn follower(me: i32, voters: &[i32]) -> Node {
        Given::node(me, voters)
            .epoch(3)
            .leader(1)
            .log(&[1, 1, 2])
            .start()
    }

    fn timer_override(step: &crate::kraft::testing::Step) -> Option<u64> {
        step.events().into_iter().find_map(|e| match e {
            Event::FetchTimerOverridden { after, .. } => Some(*after),
            _ => None,
        })
    }

    #[test]
    fn a_leader_shutting_down_resigns_and_names_successors_most_caught_up_first() {
        let mut n = leader_with_followers();

        let s = n.shutdown();

        assert_eq!(s.transitions(), [(Leader, Resigned, 3)]);
        assert_eq!(s.reasons(), [Reason::Shutdown]);
        assert_eq!(s.messages(), [(2, "EndQuorumEpoch"), (3, "EndQuorumEpoch")]);
        assert_eq!(
            s.only_to(2).line(),
            "EndQuorumEpoch epoch=3 leader=1 preferredSuccessors=[3,2]"
        );
        // Resigned is memory-only: the disk still says this node leads epoch 3.
        assert_eq!(n.disk_election(), election(3, Some(1), Some(1)));
    }

    #[test]
    fn a_resigned_leader_answers_fetches_with_not_leader_and_grants_only_prevotes() {
        let mut n = leader_with_followers();
        n.shutdown();

        let s = n.deliver(3, msg::fetch(3, 3, 4, 3, Some(4)));
        assert_eq!(s.only_to(3).error(), ErrorCode::NotLeaderOrFollower);

        let s = n.deliver(3, msg::pre_vote(3, 3, 3, 4));
        assert_eq!(
            s.vote_cast(),
            (true, "its log is at least as up to date as ours")
        );
        let s = n.deliver(2, msg::pre_vote(3, 2, 2, 9));
        assert_eq!(s.vote_cast(), (false, "its log is behind ours"));
        let s = n.deliver(3, msg::vote(3, 3, 2, 9));
        assert_eq!(
            s.vote_cast(),
            (false, "it led this epoch and cannot vote in it")
        );
        assert_eq!(n.role(), Resigned);
    }

    #[test]
    fn acknowledged_end_quorum_epochs_are_not_resent() {
        let mut n = leader_with_followers();
        n.shutdown();

        n.answer(2, msg::end_epoch_answer(3, Some(1)));

        let State::Resigned(r) = n.state() else {
            panic!("resigned")
        };
        assert_eq!(r.unacked.iter().copied().collect::<Vec<_>>(), [id(3)]);
        // Node 3 never answers: after the request timeout (2 s) and the retry backoff (20 ms)
        // only node 3 is told again.
        assert!(n.poll_at(2000).sent().is_empty());
        let s = n.poll_at(2020);
        assert_eq!(s.messages(), [(3, "EndQuorumEpoch")]);
    }

    #[test]
    fn a_resigned_leader_finishes_shutting_down_once_a_successor_leads() {
        let mut n = leader_with_followers();
        n.shutdown();
        assert!(!n.replica().shutdown_complete());

        let s = n.deliver(3, msg::begin_epoch(4, 3));
        assert_eq!(s.transitions(), [(Resigned, Follower, 4)]);
        n.poll();

        assert!(n.replica().shutdown_complete());
    }

    #[test]
    fn the_first_successor_stands_at_once() {
        let mut n = follower(3, &[1, 2, 3]);
        n.set_time(100);

        let s = n.deliver(1, msg::end_epoch(3, 1, &[3, 2]));

        assert_eq!(timer_override(&s), Some(0));
        assert_eq!(
            s.only_to(1).line(),
            "EndQuorumEpochResponse epoch=3 leader=1"
        );
        assert!(
            s.transitions().is_empty(),
            "same epoch and leader: no state change"
        );
        let s = n.poll();
        assert_eq!(s.transitions(), [(Follower, Prospective, 3)]);
        assert_eq!(s.reasons(), [Reason::FetchTimeout]);
        assert_eq!(s.messages(), [(1, "PreVote"), (2, "PreVote")]);
    }

    #[test]
    fn the_other_successors_wait_by_rank() {
        // strictExponentialElectionBackoffMs(position, 4) with a 1000 ms maximum:
        // 0, 1000 >> 3 = 125, 250, 500; a voter not in the list waits the maximum.
        let voters = [1, 2, 3, 4, 5, 6];
        for (me, expected) in [(2, 0), (3, 125), (4, 250), (5, 500), (6, 1000)] {
            let mut n = follower(me, &voters);
            n.set_time(100);

            let s = n.deliver(1, msg::end_epoch(3, 1, &[2, 3, 4, 5]));

            assert_eq!(timer_override(&s), Some(ms(expected)), "node {me}");
            assert_eq!(n.state_timer_ms(), 100 + expected, "node {me}");
        }
    }

    #[test]
    fn end_quorum_epoch_resets_the_fetch_timer_to_the_successor_backoff() {
        // Node 2's fetch timer (started at 0) fires at 2000; at 1800, 200 ms are left.
        let mut n = follower(2, &[1, 2, 3]);
        n.set_time(1800);

        n.deliver(1, msg::end_epoch(3, 1, &[3, 2]));

        // Second of two successors: 1000 >> 1 = 500 ms from now.
        assert_eq!(n.state_timer_ms(), 2300);
    }

    #[test]
    fn a_leader_restarted_from_its_disk_is_resigned_and_never_votes_in_its_epoch() {
        let mut n = leader_with_followers();

        let s = n.restart();

        assert_eq!(s.transitions(), [(Unattached, Resigned, 3)]);
        assert_eq!(s.reasons(), [Reason::Startup]);
        let s = n.deliver(2, msg::vote(3, 2, 2, 9));
        assert_eq!(
            s.vote_cast(),
            (false, "it led this epoch and cannot vote in it")
        );
        // It knows no successors any more: every voter waits the maximum backoff.
        let s = n.poll();
        assert_eq!(
            s.only_to(3).line(),
            "EndQuorumEpoch epoch=3 leader=1 preferredSuccessors=[]"
        );
    }

    #[test]
    fn a_resigned_replica_whose_election_timer_fires_moves_on() {
        let mut n = leader_with_followers();
        n.restart();
        let fires_at = n.state_timer_ms();
        assert!((1000..2000).contains(&fires_at));

        let s = n.poll_at(fires_at);

        // Kafka 4.x `pollResigned`: transitionToUnattached(epoch + 1).
        assert_eq!(s.transitions(), [(Resigned, Unattached, 4)]);
        assert_eq!(n.disk_election(), election(4, None, None));
    }

    #[test]
    fn without_prevote_a_resigned_replica_stands_in_the_next_epoch_when_its_timer_fires() {
        let mut n = Given::node(1, &[1, 2, 3])
            .log(&[1, 1, 2])
            .without_prevote()
            .elected_in(3);
        n.restart();

        let s = n.poll_at(n.state_timer_ms());

        assert_eq!(s.transitions(), [(Resigned, Candidate, 4)]);
        assert_eq!(n.disk_election(), election(4, None, Some(1)));
        assert_eq!(s.messages(), [(2, "Vote"), (3, "Vote")]);
    }
}

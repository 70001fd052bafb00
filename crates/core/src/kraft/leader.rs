//! What only the leader keeps (Kafka's `LeaderState`): each replica's replication progress, the
//! high watermark rule, check-quorum, parked fetches and the write accumulator.

use crate::flat::{FlatMap, FlatSet};

use crate::record::Record;
use crate::types::{Epoch, Micros, NodeId, Offset, SimTime};

/// The leader's view of one replica (`LeaderState.ReplicaState`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicaProgress {
    /// The replica's log end offset, as its last valid Fetch reported it.
    pub end_offset: Option<Offset>,
    /// When it last fetched.
    pub last_fetch: Option<SimTime>,
    /// When it was last known to have caught up with the leader's log end.
    pub last_caught_up: Option<SimTime>,
    /// The leader's log end at that replica's previous fetch (for the caught-up rule).
    last_fetch_leader_end: Offset,
    /// The directory id its last Fetch carried (`ReplicaDirectoryId`): what
    /// DescribeQuorum shows for an observer, and the key `add-controller` writes.
    pub directory_id: crate::uuid::Uuid,
}

impl ReplicaProgress {
    /// Applies a valid Fetch at `fetch_offset` when the leader's log ends at `leader_end`
    /// (`ReplicaState.updateFollowerState`).
    pub fn update(&mut self, now: SimTime, fetch_offset: Offset, leader_end: Offset) {
        if fetch_offset >= leader_end {
            self.last_caught_up = Some(self.last_caught_up.map_or(now, |t| t.max(now)));
        } else if self.last_fetch_leader_end > 0 && fetch_offset >= self.last_fetch_leader_end {
            if let Some(prev) = self.last_fetch {
                self.last_caught_up = Some(self.last_caught_up.map_or(prev, |t| t.max(prev)));
            }
        }
        self.last_fetch_leader_end = leader_end;
        self.last_fetch = Some(self.last_fetch.map_or(now, |t| t.max(now)));
        self.end_offset = Some(fetch_offset);
    }
}

/// A Fetch with nothing to return yet, waiting in the leader's purgatory for up to 500 ms.
#[derive(Clone, Debug)]
pub struct ParkedFetch {
    /// The fetcher.
    pub from: NodeId,
    /// The fetcher's directory id (`ReplicaDirectoryId`).
    pub directory_id: crate::uuid::Uuid,
    /// Its request's correlation id.
    pub correlation: u64,
    /// `CurrentLeaderEpoch` of the request.
    pub epoch: Epoch,
    /// `FetchOffset`.
    pub fetch_offset: Offset,
    /// `LastFetchedEpoch`.
    pub last_fetched_epoch: Epoch,
    /// The fetcher's high watermark, if it sent one.
    pub fetcher_high_watermark: Option<Offset>,
    /// When the leader answers anyway.
    pub deadline: SimTime,
}

/// The leader's state.
#[derive(Clone, Debug)]
pub struct LeaderState {
    /// The offset of this epoch's first record (its LeaderChangeMessage). The HW may only move
    /// past it: a new leader commits a record of its own epoch before exposing older ones.
    pub epoch_start_offset: Offset,
    /// Progress of every voter, the leader included.
    pub voters: FlatMap<NodeId, ReplicaProgress>,
    /// Progress of observers that fetched recently.
    pub observers: FlatMap<NodeId, ReplicaProgress>,
    /// The voters that elected this leader.
    pub granting_voters: Vec<NodeId>,
    /// Voters that fetched since the check-quorum timer last restarted.
    pub fetched_voters: FlatSet<NodeId>,
    /// When check-quorum expires (never with a single voter).
    pub check_quorum_deadline: SimTime,
    /// When BeginQuorumEpoch is next (re)sent.
    pub begin_quorum_deadline: SimTime,
    /// Fetches waiting for data.
    pub parked: Vec<ParkedFetch>,
    /// Client records waiting for the linger to end.
    pub pending: Vec<Record>,
    /// When the pending records are appended.
    pub linger_deadline: Option<SimTime>,
}

impl LeaderState {
    /// A fresh leader at `epoch_start_offset`, with progress for every voter.
    pub fn new(
        now: SimTime,
        me: NodeId,
        voters: &[NodeId],
        epoch_start_offset: Offset,
        granting_voters: Vec<NodeId>,
        check_quorum_timeout: Micros,
    ) -> LeaderState {
        let voter_states = voters
            .iter()
            .map(|v| (*v, ReplicaProgress::default()))
            .collect();
        let _ = me;
        LeaderState {
            epoch_start_offset,
            voters: voter_states,
            observers: FlatMap::new(),
            granting_voters,
            fetched_voters: FlatSet::new(),
            check_quorum_deadline: if voters.len() <= 1 {
                SimTime::NEVER
            } else {
                now + check_quorum_timeout
            },
            begin_quorum_deadline: now,
            parked: Vec::new(),
            pending: Vec::new(),
            linger_deadline: None,
        }
    }

    /// The high watermark the voters' progress supports: the largest offset a majority of
    /// voters holds, if it is past this epoch's start (`maybeUpdateHighWatermark`). Observers
    /// are not consulted: they never move the HW.
    pub fn majority_offset(&self) -> Option<Offset> {
        self.majority_offset_buggified(false, false)
    }

    /// [`Self::majority_offset`] with teaching switches: counting observers as voters, or
    /// dropping the "past this epoch's start" rule.
    pub fn majority_offset_buggified(
        &self,
        count_observers: bool,
        skip_epoch_rule: bool,
    ) -> Option<Offset> {
        let mut ends: Vec<Option<Offset>> = self.voters.values().map(|p| p.end_offset).collect();
        if count_observers {
            ends.extend(self.observers.values().map(|p| p.end_offset));
        }
        let members = ends.len();
        crate::flat::insertion_sort_by(&mut ends, |a, b| a > b);
        let candidate = ends.get(members / 2).copied().flatten()?;
        (skip_epoch_rule || candidate > self.epoch_start_offset).then_some(candidate)
    }

    /// Notes a Fetch from voter `voter` for check-quorum; restarts the timer once a majority
    /// (counting the leader) has fetched (`updateCheckQuorumForFollowingVoter`).
    pub fn note_voter_fetch(&mut self, me: NodeId, voter: NodeId, now: SimTime, timeout: Micros) {
        if voter == me || !self.voters.contains_key(&voter) {
            return;
        }
        self.fetched_voters.insert(voter);
        let mut majority = self.voters.len() / 2 + 1;
        if self.voters.contains_key(&me) {
            majority -= 1;
        }
        if self.fetched_voters.len() >= majority {
            self.fetched_voters.clear();
            self.check_quorum_deadline = now + timeout;
        }
    }

    /// The other voters, most caught up first: the preferred successors when resigning.
    pub fn voters_by_descending_fetch_offset(&self, me: NodeId) -> Vec<NodeId> {
        let mut others: Vec<(Option<Offset>, NodeId)> = self
            .voters
            .iter()
            .filter(|(id, _)| **id != me)
            .map(|(id, p)| (p.end_offset, *id))
            .collect();
        crate::flat::insertion_sort_by(&mut others, |a, b| (b.0, a.1) < (a.0, b.1));
        others.into_iter().map(|(_, id)| id).collect()
    }

    /// Forgets observers that stopped fetching long ago (300 s), as DescribeQuorum does.
    pub fn expire_observers(&mut self, now: SimTime, session: Micros) {
        self.observers
            .retain(|_, p| p.last_fetch.is_some_and(|t| now.since(t) < session));
    }

    /// The earliest deadline this state has.
    pub fn next_deadline(&self) -> SimTime {
        let parked = self.parked.iter().map(|p| p.deadline).min();
        [
            Some(self.check_quorum_deadline),
            Some(self.begin_quorum_deadline),
            self.linger_deadline,
            parked,
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(SimTime::NEVER)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leader(voters: &[i32]) -> LeaderState {
        let ids: Vec<NodeId> = voters.iter().map(|v| NodeId(*v)).collect();
        LeaderState::new(SimTime(0), ids[0], &ids, 5, vec![ids[0]], 3_000_000)
    }

    #[test]
    fn hw_needs_a_majority_past_the_epoch_start() {
        let mut l = leader(&[1, 2, 3]);
        l.voters.get_mut(&NodeId(1)).unwrap().end_offset = Some(6);
        assert_eq!(l.majority_offset(), None);
        l.voters.get_mut(&NodeId(2)).unwrap().end_offset = Some(5);
        assert_eq!(
            l.majority_offset(),
            None,
            "offset 5 is the epoch start, not past it"
        );
        l.voters.get_mut(&NodeId(2)).unwrap().end_offset = Some(6);
        assert_eq!(l.majority_offset(), Some(6));
        l.voters.get_mut(&NodeId(3)).unwrap().end_offset = Some(9);
        assert_eq!(l.majority_offset(), Some(6));
    }

    #[test]
    fn observers_never_count() {
        let mut l = leader(&[1, 2, 3]);
        l.voters.get_mut(&NodeId(1)).unwrap().end_offset = Some(8);
        for o in 10..20 {
            l.observers.insert(
                NodeId(o),
                ReplicaProgress {
                    end_offset: Some(8),
                    ..Default::default()
                },
            );
        }
        assert_eq!(l.majority_offset(), None);
    }

    #[test]
    fn check_quorum_restarts_after_a_majority_fetched() {
        let mut l = leader(&[1, 2, 3, 4, 5]);
        let t = 3_000_000;
        l.note_voter_fetch(NodeId(1), NodeId(2), SimTime(1_000_000), t);
        assert_eq!(l.check_quorum_deadline, SimTime(3_000_000));
        l.note_voter_fetch(NodeId(1), NodeId(3), SimTime(1_500_000), t);
        assert_eq!(l.check_quorum_deadline, SimTime(4_500_000));
        assert!(l.fetched_voters.is_empty());
    }

    #[test]
    fn caught_up_uses_the_previous_fetch_time() {
        let mut p = ReplicaProgress::default();
        p.update(SimTime(10), 0, 5);
        assert_eq!(p.last_caught_up, None);
        p.update(SimTime(20), 5, 8);
        assert_eq!(p.last_caught_up, Some(SimTime(10)));
        p.update(SimTime(30), 8, 8);
        assert_eq!(p.last_caught_up, Some(SimTime(30)));
    }
}

#[cfg(test)]
mod step_tests {
    //! Check-quorum, one poll at a time, through a whole replica.

    use std::sync::Arc;

    use crate::kraft::log::SnapshotId;
    use crate::kraft::state::Role::{Leader, Resigned};
    use crate::kraft::testing::{image, msg, Given, Node};
    use crate::trace::{Event, Reason, TimerKind};
    use crate::types::SimTime;

    /// Node 1, leader of epoch 3 over `voters`, elected at time 0.
    fn leader_of(voters: &[i32]) -> Node {
        Given::node(1, voters).log(&[1, 1, 2]).elected_in(3)
    }

    #[test]
    fn a_leader_that_hears_from_no_majority_for_one_and_a_half_fetch_timeouts_resigns() {
        let mut n = leader_of(&[1, 2, 3]);
        assert!(n.poll_at(2999).transitions().is_empty());

        let s = n.poll_at(3000);

        assert!(s.has(|e| matches!(e, Event::TimerExpired(TimerKind::CheckQuorum))));
        assert_eq!(s.transitions(), [(Leader, Resigned, 3)]);
        assert_eq!(s.reasons(), [Reason::CheckQuorum]);
        assert_eq!(s.messages(), [(2, "EndQuorumEpoch"), (3, "EndQuorumEpoch")]);
    }

    #[test]
    fn a_fetch_from_each_voter_of_a_majority_restarts_check_quorum() {
        // Three voters: one follower's fetch (with the leader, a majority) restarts the timer.
        let mut n = leader_of(&[1, 2, 3]);
        n.set_time(2000);
        n.deliver(2, msg::fetch(3, 2, 4, 3, Some(0)));
        assert_eq!(n.poll_at(4999).transitions(), []);
        assert_eq!(n.poll_at(5000).transitions(), [(Leader, Resigned, 3)]);

        // Five voters: one follower is not enough, two are.
        let mut n = leader_of(&[1, 2, 3, 4, 5]);
        n.set_time(2000);
        n.deliver(2, msg::fetch(3, 2, 4, 3, Some(0)));
        assert_eq!(n.leader_state().check_quorum_deadline, SimTime(3_000_000));
        n.set_time(2500);
        n.deliver(2, msg::fetch(3, 2, 4, 3, Some(0)));
        assert_eq!(
            n.leader_state().check_quorum_deadline,
            SimTime(3_000_000),
            "the same voter twice is still one voter"
        );
        n.deliver(3, msg::fetch(3, 3, 4, 3, Some(0)));
        assert_eq!(n.leader_state().check_quorum_deadline, SimTime(5_500_000));
    }

    #[test]
    fn fetches_from_observers_do_not_keep_a_leader_in_office() {
        let mut n = leader_of(&[1, 2, 3]);
        for t in [1000, 2000, 2900] {
            n.set_time(t);
            n.deliver(10, msg::fetch(3, 10, 4, 3, Some(0)));
        }

        let s = n.poll_at(3000);

        assert_eq!(s.transitions(), [(Leader, Resigned, 3)]);
    }

    #[test]
    fn a_single_voter_leader_never_resigns_for_check_quorum() {
        let mut n = Given::node(1, &[1]).elected_in(1);
        assert_eq!(n.leader_state().check_quorum_deadline, SimTime::NEVER);

        let s = n.poll_at(3_600_000);

        assert!(s.transitions().is_empty());
        assert_eq!(n.role(), Leader);
    }

    #[test]
    fn a_fetch_snapshot_from_a_voter_restarts_check_quorum() {
        let mut n = leader_of(&[1, 2, 3]);
        n.deliver(2, msg::fetch(3, 2, 4, 3, Some(0)));
        assert!(n.with(|r, ctx| r.take_snapshot(Arc::new(image(4, 3)), ctx)));
        n.set_time(2000);
        let id = SnapshotId {
            end_offset: 4,
            epoch: 3,
        };
        n.deliver(3, msg::fetch_snapshot(3, 3, id));

        // Heard from node 3 at 2000: the leader stays until 5000.
        assert_eq!(n.poll_at(3000).transitions(), []);
        assert_eq!(n.role(), Leader);
    }
}

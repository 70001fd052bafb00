//! The replica's states and the one place where it moves between them (Kafka's `QuorumState`).
//!
//! # Transition table
//!
//! With pre-vote (KIP-996, Kafka 4.x, the default):
//!
//! ```text
//! Resigned    -> Unattached  : higher epoch, or election timeout expires (in epoch + 1)
//!             -> Follower    : leader with a larger epoch
//! Unattached  -> Unattached  : higher epoch, or after granting a vote (adds the vote)
//!             -> Prospective : election timeout expires
//!             -> Follower    : leader with an equal or larger epoch
//! Prospective -> Unattached  : higher epoch, or pre-vote lost while no leader is known
//!             -> Prospective : after granting a binding vote (adds the vote)
//!             -> Candidate   : a majority granted the pre-vote
//!             -> Follower    : leader with an equal or larger epoch, or pre-vote lost while
//!                              the leader is known
//! Candidate   -> Unattached  : higher epoch
//!             -> Prospective : its election timeout expires (a lost election waits it out)
//!             -> Leader      : a majority granted the vote
//!             -> Follower    : the leader of its own or a larger epoch is discovered
//! Leader      -> Unattached  : higher epoch
//!             -> Resigned    : graceful shutdown, or check-quorum expired
//!             -> Follower    : leader with a larger epoch
//! Follower    -> Unattached  : higher epoch
//!             -> Prospective : fetch timeout expires
//!             -> Follower    : leader with a larger epoch
//! ```
//!
//! Without pre-vote (Kafka 3.9) there is no Prospective: Unattached, Follower and Resigned go
//! straight to Candidate when their timer fires, and a Candidate that loses backs off and
//! becomes Candidate again in the next epoch.
//!
//! Observers (brokers, controllers not in the voter set) only move between Unattached and
//! Follower. Any other move is refused with an `Illegal` trace event, which the invariant
//! checkers report; an illegal transition cannot happen.
//!
//! Durable transitions write the `quorum-state` (epoch, leader, vote) before the state changes
//! in memory; Prospective and Resigned are memory-only, as in Kafka.

use crate::flat::{FlatMap, FlatSet};

use crate::types::{Epoch, NodeId, Offset, SimTime};

use super::leader::LeaderState;

/// The state names of KRaft's replica state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// No leader known and no election running (possibly having voted).
    Unattached,
    /// Asking for a non-binding pre-vote before standing (KIP-996).
    Prospective,
    /// Standing for election in a new epoch.
    Candidate,
    /// The leader: the active controller.
    Leader,
    /// Fetching from a known leader.
    Follower,
    /// A former leader that gave up leadership (or restarted) and cannot vote in its epoch.
    Resigned,
}

impl Role {
    /// Lower-case name, as the UI's `data-role` uses.
    pub fn name(self) -> &'static str {
        match self {
            Role::Unattached => "unattached",
            Role::Prospective => "prospective",
            Role::Candidate => "candidate",
            Role::Leader => "leader",
            Role::Follower => "follower",
            Role::Resigned => "resigned",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Unattached => "Unattached",
            Role::Prospective => "Prospective",
            Role::Candidate => "Candidate",
            Role::Leader => "Leader",
            Role::Follower => "Follower",
            Role::Resigned => "Resigned",
        })
    }
}

/// The persisted `quorum-state`: Raft's `currentTerm` and `votedFor`, plus the known leader.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ElectionState {
    /// `LeaderEpoch`.
    pub epoch: Epoch,
    /// `LeaderId`, if a leader of this epoch is known.
    pub leader: Option<NodeId>,
    /// `VotedId`: the candidate this node voted for in this epoch (itself when it stood).
    pub voted: Option<NodeId>,
}

/// How a voter answered a Vote or PreVote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteState {
    /// No answer yet.
    Unrecorded,
    /// Granted.
    Granted,
    /// Rejected.
    Rejected,
}

/// The tally of one election or pre-vote (Kafka's `EpochElection`).
#[derive(Clone, Debug)]
pub struct Tally {
    votes: FlatMap<NodeId, VoteState>,
}

impl Tally {
    /// A tally over `voters` where `me` has already voted for itself.
    pub fn new(voters: &[NodeId], me: NodeId) -> Tally {
        let mut votes: FlatMap<NodeId, VoteState> =
            voters.iter().map(|v| (*v, VoteState::Unrecorded)).collect();
        if let Some(v) = votes.get_mut(&me) {
            *v = VoteState::Granted;
        }
        Tally { votes }
    }

    fn majority(&self) -> usize {
        self.votes.len() / 2 + 1
    }

    fn count(&self, s: VoteState) -> usize {
        self.votes.values().filter(|v| **v == s).count()
    }

    /// Records an answer; answers from non-voters are ignored.
    pub fn record(&mut self, voter: NodeId, granted: bool) {
        if let Some(v) = self.votes.get_mut(&voter) {
            if *v == VoteState::Unrecorded {
                *v = if granted {
                    VoteState::Granted
                } else {
                    VoteState::Rejected
                };
            }
        }
    }

    /// A majority granted.
    pub fn is_granted(&self) -> bool {
        self.count(VoteState::Granted) >= self.majority()
    }

    /// So many rejected that a majority can no longer be reached.
    pub fn is_rejected(&self) -> bool {
        self.votes.len() - self.count(VoteState::Rejected) < self.majority()
    }

    /// Voters that have not answered yet.
    pub fn unrecorded(&self) -> Vec<NodeId> {
        self.votes
            .iter()
            .filter(|(_, v)| **v == VoteState::Unrecorded)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Voters that granted, ascending.
    pub fn granting(&self) -> Vec<NodeId> {
        self.votes
            .iter()
            .filter(|(_, v)| **v == VoteState::Granted)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Every voter and its answer, for the UI's vote marks.
    pub fn all(&self) -> impl Iterator<Item = (NodeId, VoteState)> + '_ {
        self.votes.iter().map(|(id, v)| (*id, *v))
    }
}

/// Unattached: waiting for an election timeout or for a leader to show up.
#[derive(Clone, Debug)]
pub struct UnattachedState {
    /// When this voter stands for election; `None` for observers.
    pub election_deadline: Option<SimTime>,
}

/// Prospective: collecting pre-votes.
#[derive(Clone, Debug)]
pub struct ProspectiveState {
    /// The pre-vote tally.
    pub tally: Tally,
    /// Failed candidacies so far, carried into the next Candidate for its backoff.
    pub retries: u32,
    /// When the pre-vote is given up.
    pub election_deadline: SimTime,
}

/// Candidate: collecting binding votes in its new epoch.
#[derive(Clone, Debug)]
pub struct CandidateState {
    /// The vote tally.
    pub tally: Tally,
    /// Candidacies in a row, starting at 1; sizes the exponential backoff.
    pub retries: u32,
    /// When the election is given up.
    pub election_deadline: SimTime,
    /// Set once the election is lost: when the backoff ends.
    pub backoff_until: Option<SimTime>,
}

/// Follower: fetching from the leader.
#[derive(Clone, Debug)]
pub struct FollowerState {
    /// When the fetch timeout expires (reset by every successful Fetch).
    pub fetch_deadline: SimTime,
    /// True once a Fetch to this leader succeeded; such a follower rejects pre-votes.
    pub has_fetched_from_leader: bool,
}

/// Resigned: a former leader telling the voters to elect someone else.
#[derive(Clone, Debug)]
pub struct ResignedState {
    /// Voters that have not acknowledged the EndQuorumEpoch yet.
    pub unacked: FlatSet<NodeId>,
    /// Successors, most caught up first.
    pub preferred_successors: Vec<NodeId>,
    /// When this node gives up waiting for a successor.
    pub election_deadline: SimTime,
}

/// The current state, with the data only that state has.
#[derive(Clone, Debug)]
pub enum State {
    /// See [`UnattachedState`].
    Unattached(UnattachedState),
    /// See [`ProspectiveState`].
    Prospective(ProspectiveState),
    /// See [`CandidateState`].
    Candidate(CandidateState),
    /// See [`LeaderState`].
    Leader(Box<LeaderState>),
    /// See [`FollowerState`].
    Follower(FollowerState),
    /// See [`ResignedState`].
    Resigned(ResignedState),
}

impl State {
    /// The state's name.
    pub fn role(&self) -> Role {
        match self {
            State::Unattached(_) => Role::Unattached,
            State::Prospective(_) => Role::Prospective,
            State::Candidate(_) => Role::Candidate,
            State::Leader(_) => Role::Leader,
            State::Follower(_) => Role::Follower,
            State::Resigned(_) => Role::Resigned,
        }
    }
}

/// The transition table, checked before every move. `prevote` selects Kafka 4.x (with
/// Prospective) or 3.9 (without); `voter` is false for observers.
pub fn is_legal(from: Role, to: Role, prevote: bool, voter: bool) -> bool {
    use Role::*;
    if !voter {
        // An observer only ever follows or looks for a leader. A voter just removed from the
        // set (KIP-853) leaves whatever voter state it was in the same way — or, as the leader
        // that removed itself, resigns.
        return matches!(to, Unattached | Follower) || (from == Leader && to == Resigned);
    }
    if prevote {
        match from {
            // Resigned → Prospective is not in `QuorumState`'s class comment, but its
            // `transitionToProspective` allows it, and `KafkaRaftClient.initialize` takes it
            // when a restarted former leader is the only voter.
            Resigned => matches!(to, Unattached | Prospective | Follower),
            Unattached => matches!(to, Unattached | Prospective | Follower),
            Prospective => matches!(to, Unattached | Prospective | Candidate | Follower),
            Candidate => matches!(to, Unattached | Prospective | Leader | Follower),
            Leader => matches!(to, Unattached | Resigned | Follower),
            Follower => matches!(to, Unattached | Prospective | Follower),
        }
    } else {
        match from {
            Resigned => matches!(to, Unattached | Candidate | Follower),
            Unattached => matches!(to, Unattached | Candidate | Follower),
            Prospective => false,
            Candidate => matches!(to, Unattached | Candidate | Leader | Follower),
            Leader => matches!(to, Unattached | Resigned | Follower),
            Follower => matches!(to, Unattached | Candidate | Follower),
        }
    }
}

/// The epoch rule that goes with the table: which epoch a move to `to` may land in.
pub fn epoch_rule_holds(
    from: Role,
    to: Role,
    current: &ElectionState,
    next: &ElectionState,
    me: NodeId,
) -> Result<(), String> {
    use Role::*;
    if next.epoch < current.epoch {
        return Err(format!(
            "epoch would go down from {} to {}",
            current.epoch, next.epoch
        ));
    }
    let same = next.epoch == current.epoch;
    match to {
        Candidate if next.epoch != current.epoch + 1 => {
            Err("a candidate must stand in the next epoch".into())
        }
        Leader if !same => Err("a leader is elected in its candidate epoch".into()),
        Follower if next.leader == Some(me) => Err("cannot follow itself".into()),
        Follower if same && from == Leader => {
            Err("the leader of an epoch cannot follow another leader of it".into())
        }
        Follower if same && current.leader.is_some() && current.leader != next.leader => {
            Err(format!(
                "two leaders in epoch {}: {} and {}",
                next.epoch,
                debug_leader(current.leader),
                debug_leader(next.leader)
            ))
        }
        Unattached | Prospective | Resigned
            if same && current.voted.is_some() && next.voted != current.voted =>
        {
            Err("a vote cannot be changed within an epoch".into())
        }
        Unattached if same && !matches!(from, Unattached | Prospective | Resigned) => Err(
            "unattached in the same epoch only after voting, a lost pre-vote or resigning".into(),
        ),
        _ => Ok(()),
    }
}

/// Leader-side bookkeeping is in `leader.rs`; this is what a replica's description of itself
/// needs from any state.
pub fn high_watermark_of(hw: Option<Offset>) -> String {
    hw.map(|h| h.to_string()).unwrap_or_else(|| "-1".into())
}

/// The fetcher's position and wishes, as a Fetch request states them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FetchPosition {
    pub epoch: Epoch,
    pub replica: NodeId,
    pub replica_directory_id: crate::uuid::Uuid,
    pub fetch_offset: Offset,
    pub last_fetched_epoch: Epoch,
    pub max_wait_ms: u64,
    pub fetcher_high_watermark: Option<Offset>,
}

/// A voter change the leader appended and still reports on.
#[derive(Clone, Debug)]
pub(crate) struct VoterChange {
    /// Offset of its VotersRecord.
    pub offset: Offset,
    /// What it does, for the completion event.
    pub what: String,
    /// The leader removed itself: resign once committed.
    pub removes_leader: bool,
}

/// A leader as `{:?}` prints an `Option<NodeId>` (`Some(NodeId(3000))`, `None`).
fn debug_leader(leader: Option<NodeId>) -> String {
    leader.map_or("None".into(), |n| format!("Some(NodeId({}))", n.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_prospective_becomes_candidate_with_prevote() {
        for from in [
            Role::Unattached,
            Role::Follower,
            Role::Resigned,
            Role::Leader,
        ] {
            assert!(!is_legal(from, Role::Candidate, true, true), "{from}");
        }
        assert!(is_legal(Role::Prospective, Role::Candidate, true, true));
        assert!(is_legal(Role::Follower, Role::Candidate, false, true));
        assert!(!is_legal(Role::Follower, Role::Prospective, false, true));
    }

    #[test]
    fn a_resigned_voter_may_stand_as_prospective_but_never_in_3_9() {
        // 4.x: a restarted former leader that is the only voter (`initialize`).
        assert!(is_legal(Role::Resigned, Role::Prospective, true, true));
        assert!(!is_legal(Role::Resigned, Role::Prospective, false, true));
        assert!(!is_legal(Role::Resigned, Role::Prospective, true, false));
        // 3.9 goes straight to Candidate instead.
        assert!(is_legal(Role::Resigned, Role::Candidate, false, true));
    }

    #[test]
    fn observers_only_unattached_and_follower() {
        assert!(is_legal(Role::Unattached, Role::Follower, true, false));
        assert!(is_legal(Role::Follower, Role::Unattached, false, false));
        assert!(!is_legal(Role::Follower, Role::Prospective, true, false));
        assert!(!is_legal(Role::Unattached, Role::Candidate, false, false));
    }

    #[test]
    fn only_a_candidate_becomes_leader() {
        for from in [
            Role::Unattached,
            Role::Follower,
            Role::Resigned,
            Role::Prospective,
        ] {
            assert!(!is_legal(from, Role::Leader, true, true));
            assert!(!is_legal(from, Role::Leader, false, true));
        }
    }

    #[test]
    fn tally_counts_majorities() {
        let voters = [NodeId(1), NodeId(2), NodeId(3)];
        let mut t = Tally::new(&voters, NodeId(1));
        assert!(!t.is_granted());
        t.record(NodeId(2), false);
        assert!(!t.is_rejected());
        t.record(NodeId(3), false);
        assert!(t.is_rejected());
        let mut t = Tally::new(&voters, NodeId(1));
        t.record(NodeId(3), true);
        assert!(t.is_granted());
        assert_eq!(t.granting(), vec![NodeId(1), NodeId(3)]);
        assert_eq!(t.unrecorded(), vec![NodeId(2)]);
    }

    #[test]
    fn epoch_rules_refuse_double_leaders_and_vote_changes() {
        let me = NodeId(1);
        let cur = ElectionState {
            epoch: 3,
            leader: Some(NodeId(2)),
            voted: Some(NodeId(2)),
        };
        let other_leader = ElectionState {
            leader: Some(NodeId(3)),
            ..cur
        };
        assert!(epoch_rule_holds(Role::Follower, Role::Follower, &cur, &other_leader, me).is_err());
        let older = ElectionState { epoch: 2, ..cur };
        assert!(epoch_rule_holds(Role::Follower, Role::Unattached, &cur, &older, me).is_err());
        let revote = ElectionState {
            leader: None,
            voted: Some(NodeId(3)),
            ..cur
        };
        assert!(epoch_rule_holds(Role::Unattached, Role::Unattached, &cur, &revote, me).is_err());
    }
}

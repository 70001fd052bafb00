//! One KRaft replica (Kafka's `KafkaRaftClient` plus `QuorumState`), sans-IO.
//!
//! The simulator drives it with three calls, mirroring Kafka's event loop:
//! [`Replica::handle`] for a delivered message, [`Replica::poll`] when
//! [`Replica::next_deadline`] comes, and the client calls ([`Replica::write`],
//! [`Replica::begin_shutdown`], [`Replica::timeout_now`]). After a message the simulator polls
//! too, as Kafka's loop does, so sending the next Fetch or Vote always happens in `poll`.
//!
//! The code is split by concern: elections in `election.rs`, Fetch and the high watermark in
//! `replication.rs`, resigning and EndQuorumEpoch in `resign.rs`, state changes in
//! `transition.rs`.

use std::sync::Arc;

use crate::effect::Ctx;
use crate::message::{Payload, RaftMessage};
use crate::record::Voter;
use crate::trace::{Event, Reason};
use crate::types::{ms, Epoch, NodeId, Offset, SimTime};
use crate::uuid::Uuid;

use super::config::QuorumConfig;
use super::disk::Disk;
use super::leader::LeaderState;
use super::log::Log;
use super::requests::Requests;
use super::rpc::{ErrorCode, RaftRpc};
use super::state::{
    CandidateState, ElectionState, FetchPosition, FollowerState, ResignedState, Role, State, Tally,
    UnattachedState, VoterChange,
};

/// One member of the quorum: a voter (controller) or an observer (broker).
#[derive(Clone, Debug)]
pub struct Replica {
    pub(crate) id: NodeId,
    pub(crate) cfg: Arc<QuorumConfig>,
    /// The ids of the voter set in force, ascending: the latest VotersRecord's, or the
    /// bootstrap set.
    pub(crate) voters: Arc<Vec<NodeId>>,
    /// The same voters with their directory ids (KIP-853's `ReplicaKey`s), in the same order.
    pub(crate) voter_keys: Arc<Vec<Voter>>,
    /// The bootstrap voter set: the formatted initial set with directory ids (dynamic
    /// quorum), or `controller.quorum.voters` known by id only.
    pub(crate) bootstrap_voters: Arc<Vec<Voter>>,
    /// `(offset, voters)` of every VotersRecord the log holds, oldest first.
    pub(crate) voter_history: Vec<(Offset, Arc<Vec<Voter>>)>,
    /// This replica's directory id (`meta.properties`), [`Uuid::ZERO`] if it has none.
    pub(crate) directory_id: Uuid,
    /// The voter change this leader appended and has not reported committed yet.
    pub(crate) voter_change: Option<VoterChange>,
    pub(crate) disk: Disk,
    /// The election state in memory; equal to the disk's except in memory-only states.
    pub(crate) election: ElectionState,
    pub(crate) state: State,
    pub(crate) requests: Requests,
    /// This replica's high watermark; `None` until learned (and reset on becoming leader).
    pub(crate) hw: Option<Offset>,
    /// Set during a graceful shutdown: when it gives up waiting for a successor.
    pub(crate) shutdown_deadline: Option<SimTime>,
    /// Number of state changes so far; `poll` polls again when it moves.
    pub(crate) transitions: u64,
    /// Set once a graceful shutdown may complete (the process stops when all roles agree).
    pub(crate) shutdown_done: bool,
    /// `ClusterId` from `meta.properties`, sent with every request.
    pub(crate) cluster_id: Option<Arc<str>>,
    /// The snapshot a Fetch answer named, to be loaded with FetchSnapshot before fetching on.
    pub(crate) fetching_snapshot: Option<super::log::SnapshotId>,
    /// Refusals reported, so a peer refusing every retry is reported once.
    refusals: crate::flat::FlatSet<(NodeId, ErrorCode, &'static str)>,
    next_correlation: u64,
}

impl Replica {
    /// Starts (or restarts) a replica from its disk, choosing the first state as Kafka's
    /// `QuorumState.initialize` does:
    /// 1. a stored epoch below the log's last epoch → Unattached in the log's epoch;
    /// 2. it was the leader → **Resigned** in that epoch (it must not vote in it again);
    /// 3. it had voted for itself → Candidate in that epoch (both 3.9 and 4.x);
    /// 4. it had voted for another → Unattached with that vote;
    /// 5. a leader was known → Follower of it;
    /// 6. otherwise → Unattached.
    ///
    /// Then, as `KafkaRaftClient.initialize` does, a replica that is the only voter stands at
    /// once and returns as the leader.
    pub fn start(
        id: NodeId,
        voters: Arc<Vec<NodeId>>,
        cfg: Arc<QuorumConfig>,
        mut disk: Disk,
        ctx: &mut Ctx,
    ) -> Replica {
        disk.incarnation += 1;
        if cfg.buggify.forget_vote_on_restart {
            disk.election.voted = None;
        }
        let election = disk.election;
        // A dynamic quorum's disk carries the initial voters with their directory ids (the
        // bootstrap checkpoint); otherwise the configured ids are known by id only.
        let bootstrap: Arc<Vec<Voter>> = disk
            .bootstrap_voters
            .clone()
            .unwrap_or_else(|| Arc::new(voters.iter().map(|v| Voter::by_id(*v)).collect()));
        let voter_ids = Arc::new(bootstrap.iter().map(|v| v.id).collect::<Vec<_>>());
        let mut r = Replica {
            id,
            cfg,
            directory_id: disk
                .meta
                .as_ref()
                .map(|m| m.directory_id)
                .unwrap_or(Uuid::ZERO),
            voter_keys: bootstrap.clone(),
            bootstrap_voters: bootstrap,
            voter_history: Vec::new(),
            voter_change: None,
            voters: voter_ids,
            election,
            state: State::Unattached(UnattachedState {
                election_deadline: None,
            }),
            requests: Requests::default(),
            hw: None,
            shutdown_deadline: None,
            transitions: 0,
            shutdown_done: false,
            cluster_id: disk.meta.as_ref().map(|m| Arc::from(m.cluster_id.as_str())),
            refusals: Default::default(),
            fetching_snapshot: None,
            next_correlation: (disk.incarnation as u64) << 32,
            disk,
        };
        r.rebuild_voter_history(ctx);
        let log_epoch = r.disk.log.last_epoch();
        let voter = r.is_voter();
        if election.epoch < log_epoch {
            r.election = ElectionState {
                epoch: log_epoch,
                leader: None,
                voted: None,
            };
            r.disk.election = r.election;
            r.state = State::Unattached(r.unattached_state(ctx));
        } else if election.leader == Some(id) && voter {
            r.state = State::Resigned(ResignedState {
                unacked: r.other_voters().into_iter().collect(),
                preferred_successors: Vec::new(),
                election_deadline: r.random_election_deadline(ctx),
            });
        } else if election.voted == Some(id) && election.leader.is_none() && voter {
            r.state = State::Candidate(CandidateState {
                tally: Tally::new(&r.voters, id),
                retries: 1,
                election_deadline: r.random_election_deadline(ctx),
                backoff_until: None,
            });
        } else if election
            .leader
            .is_some_and(|l| l != id && r.voters.binary_search(&l).is_ok())
        {
            r.state = State::Follower(FollowerState {
                fetch_deadline: ctx.now + r.cfg.fetch_timeout(),
                has_fetched_from_leader: false,
            });
        } else {
            r.election.leader = None;
            r.state = State::Unattached(r.unattached_state(ctx));
        }
        let role = r.role();
        // A replica on a fresh disk starts Unattached in epoch 0: nothing worth a line.
        let fresh = role == Role::Unattached && r.epoch() == 0 && r.disk.log.end_offset() == 0;
        if !fresh {
            ctx.emit(Event::Transition {
                from: Role::Unattached,
                to: role,
                epoch: r.epoch(),
                reason: Reason::Startup,
            });
        }
        r.stand_at_startup_if_only_voter(ctx);
        r
    }

    /// Stops the process: what is left is the disk.
    pub fn into_disk(self) -> Disk {
        self.disk
    }

    // ----- accessors -----------------------------------------------------------------------

    /// This replica's `node.id`.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The current state's name.
    pub fn role(&self) -> Role {
        self.state.role()
    }

    /// The current state with its data.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The current epoch.
    pub fn epoch(&self) -> Epoch {
        self.election.epoch
    }

    /// The leader of the current epoch, if known.
    pub fn leader(&self) -> Option<NodeId> {
        self.election.leader
    }

    /// Whom this replica voted for in the current epoch.
    pub fn voted(&self) -> Option<NodeId> {
        self.election.voted
    }

    /// The high watermark this replica knows.
    pub fn high_watermark(&self) -> Option<Offset> {
        self.hw
    }

    /// The local log.
    pub fn log(&self) -> &Log {
        &self.disk.log
    }

    /// The persisted part.
    pub fn disk(&self) -> &Disk {
        &self.disk
    }

    /// The voter set.
    pub fn voters(&self) -> &[NodeId] {
        &self.voters
    }

    /// The voter set with each voter's directory id.
    pub fn voter_keys(&self) -> &[Voter] {
        &self.voter_keys
    }

    /// This replica's directory id (`meta.properties`; [`Uuid::ZERO`] if it has none).
    pub fn directory_id(&self) -> Uuid {
        self.directory_id
    }

    /// True if this replica is in the voter set: by id in a static quorum, by id and
    /// directory id in a dynamic one (a reformatted disk is a new replica, KIP-853).
    pub fn is_voter(&self) -> bool {
        self.is_voter_key(self.id, self.directory_id)
    }

    /// True if replica `(id, directory_id)` is a voter, as Kafka's `VoterSet.isVoter`: the
    /// id must be in the set and, in a dynamic quorum, its directory id must be the voter's.
    /// (A static quorum knows its voters by id only. In a dynamic quorum a node reformatted
    /// with `--no-initial-controllers` that has not yet learned the voters from the leader
    /// holds them by id only, [`Uuid::ZERO`], which its own new directory id never matches:
    /// it stays an observer.)
    pub fn is_voter_key(&self, id: NodeId, directory_id: Uuid) -> bool {
        self.voter_keys
            .iter()
            .any(|v| v.id == id && (!self.cfg.dynamic_quorum || v.directory_id == directory_id))
    }

    /// The directory id the voter set holds for voter `id` ([`Uuid::ZERO`] if unknown).
    pub fn voter_directory(&self, id: NodeId) -> Uuid {
        self.voter_keys
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.directory_id)
            .unwrap_or(Uuid::ZERO)
    }

    /// The configuration in force.
    pub fn config(&self) -> &QuorumConfig {
        &self.cfg
    }

    /// The leader's bookkeeping, if this replica leads.
    pub fn leader_state(&self) -> Option<&LeaderState> {
        match &self.state {
            State::Leader(l) => Some(l),
            _ => None,
        }
    }

    /// True while a graceful shutdown is in progress.
    pub fn is_shutting_down(&self) -> bool {
        self.shutdown_deadline.is_some() || self.shutdown_done
    }

    /// True once this replica's part of a graceful shutdown is done.
    pub fn shutdown_complete(&self) -> bool {
        self.shutdown_done
    }

    /// The offset the next record appended by this leader will get (the log end plus what
    /// waits for the linger).
    pub fn next_offset(&self) -> Offset {
        let pending = self.leader_state().map(|l| l.pending.len()).unwrap_or(0);
        self.disk.log.end_offset() + pending as Offset
    }

    /// The other voters.
    pub(crate) fn other_voters(&self) -> Vec<NodeId> {
        self.voters
            .iter()
            .copied()
            .filter(|v| *v != self.id)
            .collect()
    }

    // ----- timers ---------------------------------------------------------------------------

    /// `now + election.timeout + random(election.timeout)` in whole milliseconds.
    pub(crate) fn random_election_deadline(&self, ctx: &mut Ctx) -> SimTime {
        let t = self.cfg.election_timeout_ms;
        ctx.now + ms(ctx.draw(t..2 * t))
    }

    /// A fresh Unattached state: voters get an election timer, observers none.
    pub(crate) fn unattached_state(&self, ctx: &mut Ctx) -> UnattachedState {
        UnattachedState {
            election_deadline: self.is_voter().then(|| self.random_election_deadline(ctx)),
        }
    }

    /// The timers running now and when they fire, for the UI's timer arcs.
    pub fn timers(&self) -> Vec<(crate::trace::TimerKind, SimTime)> {
        use crate::trace::TimerKind;
        let mut out = Vec::new();
        match &self.state {
            State::Unattached(u) => {
                if let Some(t) = u.election_deadline {
                    out.push((TimerKind::Election, t));
                }
            }
            State::Prospective(p) => out.push((TimerKind::Election, p.election_deadline)),
            State::Candidate(c) => match c.backoff_until {
                Some(t) => out.push((TimerKind::Backoff, t)),
                None => out.push((TimerKind::Election, c.election_deadline)),
            },
            State::Leader(l) => {
                if l.check_quorum_deadline != SimTime::NEVER {
                    out.push((TimerKind::CheckQuorum, l.check_quorum_deadline));
                }
            }
            State::Follower(f) => out.push((TimerKind::Fetch, f.fetch_deadline)),
            State::Resigned(r) => out.push((TimerKind::Election, r.election_deadline)),
        }
        out
    }

    /// When this replica next needs a `poll`.
    pub fn next_deadline(&self) -> SimTime {
        // While shutting down a replica starts no election: those timers are suspended.
        let suspended = self.is_shutting_down();
        let timer = |t: SimTime| if suspended { SimTime::NEVER } else { t };
        let state = match &self.state {
            State::Unattached(u) => timer(u.election_deadline.unwrap_or(SimTime::NEVER)),
            // A shutting-down Prospective or Candidate keeps its election going until it wins,
            // another leader appears or the shutdown times out (`pollCandidate`).
            State::Prospective(p) => timer(p.election_deadline),
            State::Candidate(c) => timer(c.backoff_until.unwrap_or(c.election_deadline)),
            State::Leader(l) => l.next_deadline(),
            State::Follower(f) => timer(f.fetch_deadline),
            State::Resigned(r) => timer(r.election_deadline),
        };
        let shutdown = self.shutdown_deadline.unwrap_or(SimTime::NEVER);
        state
            .min(shutdown)
            .min(self.requests.next_deadline(SimTime::ZERO))
    }

    // ----- the event loop ------------------------------------------------------------------

    /// Handles one delivered message.
    pub fn handle(&mut self, from: NodeId, msg: RaftMessage, ctx: &mut Ctx) {
        let RaftMessage {
            correlation,
            cluster_id,
            rpc,
        } = msg;
        if !rpc.is_request() && !self.requests.accept_response(from, correlation) {
            return; // a response to a request this replica no longer waits for
        }
        if rpc.is_request() {
            if let Some(error) = self.refuse(cluster_id.as_deref()) {
                if let Some(answer) = rpc.refusal(self.epoch(), self.leader(), error) {
                    self.respond(from, correlation, answer, ctx);
                }
                return;
            }
        } else if let Some(error) = rpc.error().filter(|e| {
            matches!(
                e,
                ErrorCode::InconsistentClusterId | ErrorCode::InvalidVoterKey
            )
        }) {
            let what = rpc.name().trim_end_matches("Response");
            if self.refusals.insert((from, error, what)) {
                ctx.emit(Event::QuorumRequestRefused {
                    by: from,
                    what,
                    error: error.name(),
                });
            }
            self.requests
                .fail(from, ctx.now + ms(self.cfg.retry_backoff_ms));
            return;
        }
        match rpc {
            RaftRpc::VoteRequest { .. } => self.handle_vote_request(from, correlation, rpc, ctx),
            RaftRpc::VoteResponse {
                epoch,
                leader,
                granted,
                pre_vote,
                error,
            } => self.handle_vote_response(from, epoch, leader, granted, pre_vote, error, ctx),
            RaftRpc::BeginQuorumEpochRequest {
                epoch,
                leader,
                voter_directory_id,
            } => self.handle_begin_quorum_epoch(
                from,
                correlation,
                epoch,
                leader,
                voter_directory_id,
                ctx,
            ),
            RaftRpc::BeginQuorumEpochResponse {
                epoch,
                leader,
                error,
            } => {
                self.common_response(from, epoch, leader, error, ctx);
            }
            RaftRpc::EndQuorumEpochRequest {
                epoch,
                leader,
                preferred_successors,
            } => self.handle_end_quorum_epoch(
                from,
                correlation,
                epoch,
                leader,
                preferred_successors,
                ctx,
            ),
            RaftRpc::EndQuorumEpochResponse {
                epoch,
                leader,
                error,
            } => self.handle_end_quorum_epoch_response(from, epoch, leader, error, ctx),
            RaftRpc::FetchRequest {
                epoch,
                replica,
                replica_directory_id,
                fetch_offset,
                last_fetched_epoch,
                max_wait_ms,
                high_watermark,
            } => self.handle_fetch_request(
                from,
                correlation,
                FetchPosition {
                    epoch,
                    replica,
                    replica_directory_id,
                    fetch_offset,
                    last_fetched_epoch,
                    max_wait_ms,
                    fetcher_high_watermark: high_watermark,
                },
                ctx,
            ),
            RaftRpc::FetchResponse { .. } => self.handle_fetch_response(from, rpc, ctx),
            RaftRpc::FetchSnapshotRequest {
                epoch,
                snapshot_id,
                replica_directory_id,
                ..
            } => self.handle_fetch_snapshot_request(
                from,
                correlation,
                epoch,
                snapshot_id,
                replica_directory_id,
                ctx,
            ),
            RaftRpc::FetchSnapshotResponse {
                epoch,
                leader,
                error,
                snapshot,
                ..
            } => self.handle_fetch_snapshot_response(from, epoch, leader, error, snapshot, ctx),
        }
    }

    /// Runs whatever is due: expired timers, requests to (re)send. Like Kafka's poll loop,
    /// which returns a zero timeout after a transition, it polls again after every state change
    /// so the new state acts at once (a new Prospective sends its PreVotes now, not at its next
    /// deadline).
    pub fn poll(&mut self, ctx: &mut Ctx) {
        for _ in 0..8 {
            let before = self.transitions;
            self.poll_once(ctx);
            if self.transitions == before {
                return;
            }
        }
    }

    fn poll_once(&mut self, ctx: &mut Ctx) {
        let retry_at = ctx.now + ms(self.cfg.retry_backoff_ms);
        for (to, name) in self.requests.expire(ctx.now, retry_at) {
            ctx.emit(Event::RequestTimedOut { to, name });
        }
        if self.maybe_complete_shutdown(ctx) {
            return;
        }
        match self.role() {
            Role::Leader => {
                self.poll_leader(ctx);
                self.poll_voter_change(ctx);
            }
            Role::Candidate => self.poll_candidate(ctx),
            Role::Prospective => self.poll_prospective(ctx),
            Role::Follower => self.poll_follower(ctx),
            Role::Unattached => self.poll_unattached(ctx),
            Role::Resigned => self.poll_resigned(ctx),
        }
    }

    // ----- sending -------------------------------------------------------------------------

    /// Kafka's `isValidVoterKey`: a voter-only request names the replica it is for by
    /// directory id; in a dynamic quorum one meant for another disk of this node id (the one
    /// this node had before it was reformatted) is refused with INVALID_VOTER_KEY. A request
    /// that names no directory id ([`Uuid::ZERO`]) is for whoever has the id.
    pub(crate) fn valid_voter_key(&self, voter_directory_id: Uuid) -> bool {
        !self.cfg.dynamic_quorum
            || voter_directory_id == Uuid::ZERO
            || voter_directory_id == self.directory_id
    }

    /// Kafka's request check before any handling: the cluster id must match ours
    /// (`hasValidClusterId`). From Kafka 3.9, `validateVoterOnlyRequest` checks only the epoch
    /// (answered by each handler) and that the sender has an id; Kafka 3.8's
    /// INCONSISTENT_VOTER_SET, which refused voter-only requests from outside the receiver's
    /// `controller.quorum.voters`, is gone — so controllers configured with different voter
    /// sets talk to each other and each counts majorities over its own set.
    fn refuse(&self, cluster_id: Option<&str>) -> Option<ErrorCode> {
        match (cluster_id, self.cluster_id.as_deref()) {
            (Some(theirs), Some(ours)) if theirs != ours => Some(ErrorCode::InconsistentClusterId),
            _ => None,
        }
    }

    /// Sends a request and remembers it until answered or timed out.
    pub(crate) fn send_request(&mut self, to: NodeId, rpc: RaftRpc, ctx: &mut Ctx) {
        self.next_correlation += 1;
        let correlation = self.next_correlation;
        let deadline = ctx.now + ms(self.cfg.request_timeout_ms);
        self.requests.sent(to, correlation, rpc.name(), deadline);
        self.respond(to, correlation, rpc, ctx);
    }

    /// Sends a response (or, from `send_request`, a request): the message with its
    /// correlation id and this replica's cluster id.
    pub(crate) fn respond(&self, to: NodeId, correlation: u64, rpc: RaftRpc, ctx: &mut Ctx) {
        let cluster_id = self.cluster_id.clone();
        ctx.send(
            to,
            Payload::Raft(RaftMessage {
                correlation,
                cluster_id,
                rpc,
            }),
        );
    }

    // ----- the common epoch rules (docs/fidelity.md, Quorum states and transitions)
    // --------------------------------------------

    /// `maybeHandleCommonResponse`: learns epochs and leaders from any response. Returns true if
    /// the response has been fully handled and must not be processed further.
    pub(crate) fn common_response(
        &mut self,
        from: NodeId,
        epoch: Epoch,
        leader: Option<NodeId>,
        error: ErrorCode,
        ctx: &mut Ctx,
    ) -> bool {
        if epoch < self.epoch() || error == ErrorCode::UnknownLeaderEpoch {
            true
        } else if epoch > self.epoch()
            || matches!(
                error,
                ErrorCode::FencedLeaderEpoch | ErrorCode::NotLeaderOrFollower
            )
        {
            self.maybe_transition(epoch, leader, from, ctx);
            true
        } else if leader.is_some() && self.leader().is_none() {
            self.maybe_transition(epoch, leader, from, ctx);
            error != ErrorCode::None
        } else {
            error != ErrorCode::None
        }
    }

    /// `maybeTransition`: follows a newly learned leader or moves to a higher epoch.
    pub(crate) fn maybe_transition(
        &mut self,
        epoch: Epoch,
        leader: Option<NodeId>,
        from: NodeId,
        ctx: &mut Ctx,
    ) {
        let leader = leader.filter(|l| *l != self.id || epoch == self.epoch());
        if epoch == self.epoch() {
            if let (Some(known), Some(new)) = (self.leader(), leader) {
                if known != new {
                    ctx.emit(Event::Illegal {
                        what: format!(
                            "{from} names {new} leader of epoch {epoch}, but {known} leads it"
                        ),
                    });
                }
                return;
            }
        }
        if epoch > self.epoch() {
            match leader {
                Some(l) => self.become_follower(epoch, l, Reason::HigherEpoch { from }, ctx),
                None => self.become_unattached(epoch, Reason::HigherEpoch { from }, ctx),
            }
        } else if let Some(l) = leader.filter(|l| *l != self.id) {
            if self.leader().is_none() {
                self.become_follower(epoch, l, Reason::LeaderDiscovered { from }, ctx);
            }
        }
    }
}

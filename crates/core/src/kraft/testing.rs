//! Step-level test harness for one replica (test builds only).
//!
//! A test puts one [`Replica`] in a chosen situation ([`Given`]), drives exactly one input into
//! it — a message from a peer, a poll at some time, a restart from its disk — and reads back
//! what that one step did ([`Step`]: the messages it sent and the trace events it emitted, in
//! the order it produced them), then the replica's state, its persisted election state, its log
//! and its high watermark ([`Node`]). The tests beside each protocol file read like
//! "given a follower in epoch 3 with log [1, 1, 2], when a Fetch response with
//! DivergingEpoch(2, end 2) arrives, then it truncates to 2 and fetches from offset 2".
//!
//! Conventions:
//! - nodes are small integers: voters `1`, `2`, `3`…, observers `10` and up;
//! - a log is written as the epochs of its records, offset 0 first: `&[1, 1, 2]` holds offsets
//!   0 and 1 in epoch 1 and offset 2 in epoch 2, one record per batch;
//! - time is in milliseconds since the start of the test (`SimTime::ZERO`);
//! - [`Node::deliver`] and [`Node::reply`] only *handle* the message. The simulator polls after
//!   every message; tests poll explicitly when the effect they check happens in `poll` (the
//!   next Fetch, Vote or BeginQuorumEpoch always goes out from `poll`).
//!
//! Not split: one harness, test-only, whose builders and assertions are read together with the
//! tests that use them.

use std::fmt;
use std::sync::Arc;

use crate::effect::{Ctx, Output};
use crate::message::{Payload, RaftMessage};
use crate::metadata::image::MetadataImage;
use crate::record::Record;
use crate::rng::SimRng;
use crate::trace::{Event, Reason};
use crate::types::{ms, Epoch, NodeId, Offset, SimTime};

use super::config::QuorumConfig;
use super::disk::Disk;
use super::leader::LeaderState;
use super::log::{Batch, Log, Snapshot, SnapshotId};
use super::replica::Replica;
use super::rpc::{ErrorCode, RaftRpc};
use super::state::{ElectionState, Role, State};

/// The id of node `n`.
pub(crate) fn id(n: i32) -> NodeId {
    NodeId(n)
}

fn ids(ns: &[i32]) -> Vec<NodeId> {
    ns.iter().map(|n| NodeId(*n)).collect()
}

/// The election state `(epoch, leader, voted)`, as `quorum-state` holds it.
pub(crate) fn election(epoch: Epoch, leader: Option<i32>, voted: Option<i32>) -> ElectionState {
    ElectionState {
        epoch,
        leader: leader.map(NodeId),
        voted: voted.map(NodeId),
    }
}

/// One-record batches from `base` on, one per epoch in `epochs`; record `o` is `Data(o)`.
pub(crate) fn batches(base: Offset, epochs: &[Epoch]) -> Vec<Batch> {
    epochs
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let offset = base + i as Offset;
            batch(offset, *e, vec![Record::Data(offset)])
        })
        .collect()
}

/// One batch of `records` at `base` in `epoch`.
pub(crate) fn batch(base: Offset, epoch: Epoch, records: Vec<Record>) -> Batch {
    Batch {
        base_offset: base,
        epoch,
        append_time: SimTime::ZERO,
        records: records.into(),
    }
}

/// A log holding one record per entry of `epochs`.
pub(crate) fn log_of(epochs: &[Epoch]) -> Log {
    let mut log = Log::new();
    for b in batches(0, epochs) {
        log.append(b).expect("epochs must not go down");
    }
    log
}

/// A snapshot ending at `end_offset` whose last record has `epoch`.
pub(crate) fn snapshot(end_offset: Offset, epoch: Epoch) -> Snapshot {
    Snapshot {
        id: SnapshotId { end_offset, epoch },
        image: Arc::new(image(end_offset, epoch)),
        taken_at: SimTime::ZERO,
    }
}

/// An (empty) metadata image at `offset`, for `take_snapshot`.
pub(crate) fn image(offset: Offset, last_epoch: Epoch) -> MetadataImage {
    MetadataImage {
        offset,
        last_epoch,
        ..MetadataImage::default()
    }
}

// ----- messages ------------------------------------------------------------------------------

/// Messages a peer sends, with the fields a test cares about.
pub(crate) mod msg {
    use super::*;

    /// `Vote(PreVote=true)` from `candidate` in `epoch`, its log ending at
    /// `(last_epoch, last_offset)`.
    pub(crate) fn pre_vote(
        epoch: Epoch,
        candidate: i32,
        last_epoch: Epoch,
        last_offset: Offset,
    ) -> RaftRpc {
        RaftRpc::VoteRequest {
            epoch,
            candidate: NodeId(candidate),
            last_offset_epoch: last_epoch,
            last_offset,
            pre_vote: true,
            voter_directory_id: crate::uuid::Uuid::ZERO,
        }
    }

    /// A binding `Vote` from `candidate` in `epoch`.
    pub(crate) fn vote(
        epoch: Epoch,
        candidate: i32,
        last_epoch: Epoch,
        last_offset: Offset,
    ) -> RaftRpc {
        RaftRpc::VoteRequest {
            epoch,
            candidate: NodeId(candidate),
            last_offset_epoch: last_epoch,
            last_offset,
            pre_vote: false,
            voter_directory_id: crate::uuid::Uuid::ZERO,
        }
    }

    /// An answer to a Vote (`pre_vote` false) or PreVote.
    pub(crate) fn vote_answer(
        epoch: Epoch,
        leader: Option<i32>,
        granted: bool,
        pre_vote: bool,
    ) -> RaftRpc {
        RaftRpc::VoteResponse {
            epoch,
            leader: leader.map(NodeId),
            granted,
            pre_vote,
            error: ErrorCode::None,
        }
    }

    /// `BeginQuorumEpoch` from `leader`.
    pub(crate) fn begin_epoch(epoch: Epoch, leader: i32) -> RaftRpc {
        RaftRpc::BeginQuorumEpochRequest {
            epoch,
            leader: NodeId(leader),
            voter_directory_id: crate::uuid::Uuid::ZERO,
        }
    }

    /// An answer to BeginQuorumEpoch.
    pub(crate) fn begin_epoch_answer(epoch: Epoch, leader: Option<i32>) -> RaftRpc {
        RaftRpc::BeginQuorumEpochResponse {
            epoch,
            leader: leader.map(NodeId),
            error: ErrorCode::None,
        }
    }

    /// `EndQuorumEpoch` from `leader`, successors most caught up first.
    pub(crate) fn end_epoch(epoch: Epoch, leader: i32, successors: &[i32]) -> RaftRpc {
        RaftRpc::EndQuorumEpochRequest {
            epoch,
            leader: NodeId(leader),
            preferred_successors: ids(successors),
        }
    }

    /// An answer to EndQuorumEpoch.
    pub(crate) fn end_epoch_answer(epoch: Epoch, leader: Option<i32>) -> RaftRpc {
        RaftRpc::EndQuorumEpochResponse {
            epoch,
            leader: leader.map(NodeId),
            error: ErrorCode::None,
        }
    }

    /// A `Fetch` from `replica` at `(fetch_offset, last_fetched_epoch)`, willing to wait
    /// 500 ms, carrying the fetcher's HW `hw` (KIP-1166; `None`: the field is not sent).
    pub(crate) fn fetch(
        epoch: Epoch,
        replica: i32,
        fetch_offset: Offset,
        last_fetched_epoch: Epoch,
        hw: Option<Offset>,
    ) -> RaftRpc {
        RaftRpc::FetchRequest {
            epoch,
            replica: NodeId(replica),
            replica_directory_id: crate::uuid::Uuid::ZERO,
            fetch_offset,
            last_fetched_epoch,
            max_wait_ms: 500,
            high_watermark: hw,
        }
    }

    /// A Fetch answer from `leader` in `epoch`: no error, the leader's HW `hw`, and either
    /// records, a divergence or a snapshot id.
    fn fetch_answer(
        epoch: Epoch,
        leader: i32,
        hw: Option<Offset>,
        diverging_epoch: Option<(Epoch, Offset)>,
        snapshot_id: Option<SnapshotId>,
        batches: Vec<Batch>,
    ) -> RaftRpc {
        RaftRpc::FetchResponse {
            epoch,
            leader: Some(NodeId(leader)),
            error: ErrorCode::None,
            high_watermark: hw,
            log_start_offset: snapshot_id.map_or(0, |s| s.end_offset),
            diverging_epoch,
            snapshot_id,
            batches,
        }
    }

    /// A Fetch answer from `leader` carrying `records` and the leader's HW.
    pub(crate) fn fetched(
        epoch: Epoch,
        leader: i32,
        hw: Option<Offset>,
        records: Vec<Batch>,
    ) -> RaftRpc {
        fetch_answer(epoch, leader, hw, None, None, records)
    }

    /// A Fetch answer from `leader` telling the fetcher to truncate:
    /// `DivergingEpoch{Epoch: diverging.0, EndOffset: diverging.1}`.
    pub(crate) fn diverging(epoch: Epoch, leader: i32, diverging: (Epoch, Offset)) -> RaftRpc {
        fetch_answer(epoch, leader, None, Some(diverging), None, Vec::new())
    }

    /// A Fetch answer from `leader` naming the snapshot to load first.
    pub(crate) fn snapshot_named(epoch: Epoch, leader: i32, id: SnapshotId) -> RaftRpc {
        fetch_answer(epoch, leader, None, None, Some(id), Vec::new())
    }

    /// A `FetchSnapshot` from `replica` for snapshot `id`.
    pub(crate) fn fetch_snapshot(epoch: Epoch, replica: i32, id: SnapshotId) -> RaftRpc {
        RaftRpc::FetchSnapshotRequest {
            epoch,
            replica: NodeId(replica),
            replica_directory_id: crate::uuid::Uuid::ZERO,
            snapshot_id: id,
        }
    }

    /// The answer to FetchSnapshot, carrying `snapshot`.
    pub(crate) fn snapshot_sent(epoch: Epoch, leader: i32, snapshot: Snapshot) -> RaftRpc {
        RaftRpc::FetchSnapshotResponse {
            epoch,
            leader: Some(NodeId(leader)),
            error: ErrorCode::None,
            snapshot_id: snapshot.id,
            snapshot: Some(Box::new(snapshot)),
        }
    }
}

// ----- what one step did ---------------------------------------------------------------------

/// A message the replica sent.
#[derive(Clone, Debug)]
pub(crate) struct Sent {
    /// Receiver.
    pub(crate) to: NodeId,
    /// The correlation id (a request's own, or the one a response echoes).
    pub(crate) correlation: u64,
    /// The RPC.
    pub(crate) rpc: RaftRpc,
}

impl Sent {
    /// The RPC as the trace prints it (`Vote epoch=4 candidate=1 …`).
    pub(crate) fn line(&self) -> String {
        self.rpc.to_string()
    }

    /// `(offset, epoch)` of every record a FetchResponse carries.
    pub(crate) fn records(&self) -> Vec<(Offset, Epoch)> {
        match &self.rpc {
            RaftRpc::FetchResponse { batches, .. } => batches
                .iter()
                .flat_map(|b| (b.base_offset..b.end_offset()).map(move |o| (o, b.epoch)))
                .collect(),
            other => panic!("not a FetchResponse: {other}"),
        }
    }

    /// The error code of a response.
    pub(crate) fn error(&self) -> ErrorCode {
        self.rpc.error().expect("a response")
    }
}

/// One effect, in the order the replica produced it.
#[derive(Clone, Debug)]
pub(crate) enum Out {
    /// A message put on the network.
    Sent(Sent),
    /// A trace event.
    Event(Event),
}

/// Everything one input made the replica do.
#[derive(Clone, Default)]
pub(crate) struct Step {
    pub(crate) out: Vec<Out>,
}

impl Step {
    /// The messages sent, in order.
    pub(crate) fn sent(&self) -> Vec<&Sent> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Out::Sent(s) => Some(s),
                Out::Event(_) => None,
            })
            .collect()
    }

    /// `(receiver, API name)` of every message sent, in order.
    pub(crate) fn messages(&self) -> Vec<(i32, &'static str)> {
        self.sent().iter().map(|s| (s.to.0, s.rpc.name())).collect()
    }

    /// The one message sent to `to`; panics if there is not exactly one.
    pub(crate) fn only_to(&self, to: i32) -> &Sent {
        let to_it: Vec<&Sent> = self.sent().into_iter().filter(|s| s.to.0 == to).collect();
        assert_eq!(
            to_it.len(),
            1,
            "expected one message to {to}; the step was:\n{self:?}"
        );
        to_it[0]
    }

    /// The events, in order.
    pub(crate) fn events(&self) -> Vec<&Event> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Out::Event(e) => Some(e),
                Out::Sent(_) => None,
            })
            .collect()
    }

    /// True if some event matches.
    pub(crate) fn has(&self, pred: impl Fn(&Event) -> bool) -> bool {
        self.events().into_iter().any(pred)
    }

    /// Index (among all effects) of the first event matching `pred`.
    pub(crate) fn event_index(&self, pred: impl Fn(&Event) -> bool) -> Option<usize> {
        self.out
            .iter()
            .position(|o| matches!(o, Out::Event(e) if pred(e)))
    }

    /// Index (among all effects) of the first message sent to `to`.
    pub(crate) fn send_index(&self, to: i32) -> Option<usize> {
        self.out
            .iter()
            .position(|o| matches!(o, Out::Sent(s) if s.to.0 == to))
    }

    /// Every state change: `(from, to, epoch after)`.
    pub(crate) fn transitions(&self) -> Vec<(Role, Role, Epoch)> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Transition {
                    from, to, epoch, ..
                } => Some((*from, *to, *epoch)),
                _ => None,
            })
            .collect()
    }

    /// The reason of every state change, in order.
    pub(crate) fn reasons(&self) -> Vec<Reason> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Transition { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .collect()
    }

    /// `(granted, why)` of the one Vote or PreVote this step answered.
    pub(crate) fn vote_cast(&self) -> (bool, &'static str) {
        let casts: Vec<(bool, &'static str)> = self
            .events()
            .into_iter()
            .filter_map(|e| match e {
                Event::VoteCast { granted, why, .. } => Some((*granted, *why)),
                _ => None,
            })
            .collect();
        assert_eq!(
            casts.len(),
            1,
            "expected one VoteCast; the step was:\n{self:?}"
        );
        casts[0]
    }

    /// Refusals of illegal steps (`Event::Illegal`).
    pub(crate) fn illegal(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::Illegal { what } => Some(what.clone()),
                _ => None,
            })
            .collect()
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.out.is_empty() {
            return writeln!(f, "  (nothing)");
        }
        for o in &self.out {
            match o {
                Out::Sent(s) => writeln!(f, "  -> {} #{}: {}", s.to, s.correlation, s.rpc)?,
                Out::Event(e) => writeln!(f, "  event {e:?}")?,
            }
        }
        Ok(())
    }
}

// ----- building a replica --------------------------------------------------------------------

/// A replica's situation before the step under test: who it is, the voters, what its disk
/// holds and how it is configured.
pub(crate) struct Given {
    me: NodeId,
    voters: Vec<NodeId>,
    cfg: QuorumConfig,
    election: ElectionState,
    log: Log,
    seed: u64,
}

impl Given {
    /// Node `me` in a quorum whose (bootstrap) voters are `voters`; `me` is an observer if it
    /// is not among them. Epoch 0, empty log, `QuorumConfig::default()` (Kafka 4.x, pre-vote on).
    pub(crate) fn node(me: i32, voters: &[i32]) -> Given {
        let mut voters = ids(voters);
        voters.sort();
        Given {
            me: NodeId(me),
            voters,
            cfg: QuorumConfig::default(),
            election: ElectionState::default(),
            log: Log::new(),
            seed: 7,
        }
    }

    /// The persisted epoch.
    pub(crate) fn epoch(mut self, epoch: Epoch) -> Given {
        self.election.epoch = epoch;
        self
    }

    /// The persisted leader of the epoch: a voter that knows it starts as its Follower.
    pub(crate) fn leader(mut self, leader: i32) -> Given {
        self.election.leader = Some(NodeId(leader));
        self
    }

    /// The persisted vote of the epoch.
    pub(crate) fn voted(mut self, candidate: i32) -> Given {
        self.election.voted = Some(NodeId(candidate));
        self
    }

    /// The log, as the epochs of its records (offset 0 first).
    pub(crate) fn log(mut self, epochs: &[Epoch]) -> Given {
        self.log = log_of(epochs);
        self
    }

    /// The log, as batches of `(epoch, record count)`.
    pub(crate) fn log_batches(mut self, spec: &[(Epoch, u64)]) -> Given {
        let mut log = Log::new();
        for (epoch, n) in spec {
            let base = log.end_offset();
            let records = (base..base + n).map(Record::Data).collect();
            log.append(batch(base, *epoch, records))
                .expect("epochs must not go down");
        }
        self.log = log;
        self
    }

    /// Kafka 3.9: no pre-vote, no Prospective.
    pub(crate) fn without_prevote(mut self) -> Given {
        self.cfg.prevote = false;
        self
    }

    /// Any other configuration change.
    pub(crate) fn config(mut self, f: impl FnOnce(&mut QuorumConfig)) -> Given {
        f(&mut self.cfg);
        self
    }

    /// The seed of the generator that draws timeouts and backoffs.
    pub(crate) fn seed(mut self, seed: u64) -> Given {
        self.seed = seed;
        self
    }

    /// Starts the replica from this disk at time 0 (`Replica::start`, Kafka's
    /// `QuorumState.initialize`).
    pub(crate) fn start(self) -> Node {
        let disk = Disk {
            election: self.election,
            log: self.log,
            ..Disk::default()
        };
        let mut node = Node {
            replica: None,
            voters: Arc::new(self.voters),
            cfg: Arc::new(self.cfg),
            me: self.me,
            rng: SimRng::new(self.seed),
            now: SimTime::ZERO,
            next_correlation: 1_000,
            history: Vec::new(),
            startup: Step::default(),
        };
        node.startup = node.boot(disk);
        node
    }

    /// Starts the replica in epoch `epoch - 1` and lets it win the election of `epoch`: it is
    /// the leader of `epoch`, has appended its LeaderChangeMessage at the old log end and
    /// sent its first BeginQuorumEpoch to every other voter, all at time 0. The log's last
    /// epoch must be below `epoch`. The only voter needs no election: it leads from startup.
    pub(crate) fn elected_in(mut self, epoch: Epoch) -> Node {
        assert!(
            epoch >= 1 && self.log.last_epoch() < epoch,
            "a leader of epoch {epoch} cannot have a log ending in epoch {}",
            self.log.last_epoch()
        );
        self.election = election(epoch - 1, None, None);
        let mut n = self.start();
        if n.role() != Role::Leader {
            n.with(|r, ctx| r.timeout_now(ctx)).expect("a voter");
        }
        for _ in 0..4 {
            if n.role() == Role::Leader {
                break;
            }
            let step = n.poll();
            for s in step.sent() {
                if let RaftRpc::VoteRequest {
                    epoch, pre_vote, ..
                } = s.rpc
                {
                    n.reply(s, msg::vote_answer(epoch, None, true, pre_vote));
                }
            }
        }
        assert_eq!(n.role(), Role::Leader, "the election was not won");
        assert_eq!(n.epoch(), epoch);
        n.poll();
        n
    }
}

/// A replica under test, with its clock, its generator and what it has sent so far.
pub(crate) struct Node {
    replica: Option<Replica>,
    me: NodeId,
    voters: Arc<Vec<NodeId>>,
    cfg: Arc<QuorumConfig>,
    rng: SimRng,
    now: SimTime,
    next_correlation: u64,
    history: Vec<Sent>,
    /// What starting (or the last restart) emitted.
    pub(crate) startup: Step,
}

impl Node {
    fn boot(&mut self, disk: Disk) -> Step {
        let (me, voters, cfg) = (self.me, self.voters.clone(), self.cfg.clone());
        let mut out = Vec::new();
        let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
        self.replica = Some(Replica::start(me, voters, cfg, disk, &mut ctx));
        self.record(out)
    }

    fn record(&mut self, out: Vec<Output>) -> Step {
        let mut step = Step::default();
        for o in out {
            match o {
                Output::Send {
                    to,
                    payload: Payload::Raft(m),
                } => {
                    let sent = Sent {
                        to,
                        correlation: m.correlation,
                        rpc: m.rpc,
                    };
                    self.history.push(sent.clone());
                    step.out.push(Out::Sent(sent));
                }
                Output::Send { payload, .. } => {
                    panic!("a replica sent a non-Raft message: {payload}")
                }
                Output::Event(e) => step.out.push(Out::Event(e)),
                Output::ShutdownComplete { .. } => panic!("a replica never stops the process"),
            }
        }
        step
    }

    /// Runs `f` on the replica with a context at the current time; returns its result and
    /// what it did. The way in for the client calls (`write`, `remove_voter`,
    /// `take_snapshot`, …).
    pub(crate) fn with<R>(&mut self, f: impl FnOnce(&mut Replica, &mut Ctx) -> R) -> R {
        self.with_step(f).0
    }

    /// [`Node::with`], also returning the step.
    pub(crate) fn with_step<R>(
        &mut self,
        f: impl FnOnce(&mut Replica, &mut Ctx) -> R,
    ) -> (R, Step) {
        let mut out = Vec::new();
        let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
        let r = f(self.replica.as_mut().expect("started"), &mut ctx);
        (r, self.record(out))
    }

    /// A request (or an unsolicited message) from `from`, with a fresh correlation id.
    pub(crate) fn deliver(&mut self, from: i32, rpc: RaftRpc) -> Step {
        self.next_correlation += 1;
        let correlation = self.next_correlation;
        self.deliver_as(from, correlation, rpc)
    }

    /// A message from `from` with the given correlation id.
    pub(crate) fn deliver_as(&mut self, from: i32, correlation: u64, rpc: RaftRpc) -> Step {
        let msg = RaftMessage {
            correlation,
            cluster_id: None,
            rpc,
        };
        self.with_step(|r, ctx| r.handle(NodeId(from), msg, ctx)).1
    }

    /// The answer `rpc` of the receiver of `request`.
    pub(crate) fn reply(&mut self, request: &Sent, rpc: RaftRpc) -> Step {
        self.deliver_as(request.to.0, request.correlation, rpc)
    }

    /// The answer `rpc` of `peer` to the last message this replica sent it.
    pub(crate) fn answer(&mut self, peer: i32, rpc: RaftRpc) -> Step {
        let request = self.last_sent_to(peer);
        self.reply(&request, rpc)
    }

    /// The last message sent to `peer` (setup included).
    pub(crate) fn last_sent_to(&self, peer: i32) -> Sent {
        self.history
            .iter()
            .rev()
            .find(|s| s.to.0 == peer)
            .cloned()
            .unwrap_or_else(|| panic!("nothing was sent to {peer}"))
    }

    /// Polls at the current time.
    pub(crate) fn poll(&mut self) -> Step {
        self.with_step(|r, ctx| r.poll(ctx)).1
    }

    /// Moves the clock to `t_ms` (never backwards) and polls.
    pub(crate) fn poll_at(&mut self, t_ms: u64) -> Step {
        self.set_time(t_ms);
        self.poll()
    }

    /// Moves the clock to the replica's next deadline and polls: "when its timer fires".
    pub(crate) fn poll_at_deadline(&mut self) -> Step {
        let at = self.replica().next_deadline();
        assert!(at != SimTime::NEVER, "the replica has no deadline");
        self.now = self.now.max(at);
        self.poll()
    }

    /// Moves the clock to `t_ms` without polling.
    pub(crate) fn set_time(&mut self, t_ms: u64) {
        let t = SimTime(ms(t_ms));
        assert!(t >= self.now, "time does not go backwards");
        self.now = t;
    }

    /// Crashes the process (memory lost) and starts it again from its disk.
    pub(crate) fn restart(&mut self) -> Step {
        let disk = self.replica.take().expect("started").into_disk();
        let step = self.boot(disk);
        self.startup = step.clone();
        step
    }

    /// Begins a graceful shutdown and polls.
    pub(crate) fn shutdown(&mut self) -> Step {
        let (_, mut step) = self.with_step(|r, ctx| r.begin_shutdown(ctx));
        step.out.extend(self.poll().out);
        step
    }

    /// Writes `n` data records as a client would; the leader appends them when its linger
    /// ends. Returns the offset of the first.
    pub(crate) fn write(&mut self, n: u64) -> Offset {
        let base = self.replica().next_offset();
        let records = (base..base + n).map(Record::Data).collect();
        self.with(|r, ctx| r.write(records, ctx))
            .expect("the leader accepts writes")
    }

    // ----- what the replica is now ---------------------------------------------------------

    /// The replica.
    pub(crate) fn replica(&self) -> &Replica {
        self.replica.as_ref().expect("started")
    }

    /// Current time in milliseconds.
    pub(crate) fn now_ms(&self) -> u64 {
        self.now.0 / 1_000
    }

    /// The state name.
    pub(crate) fn role(&self) -> Role {
        self.replica().role()
    }

    /// The state with its data.
    pub(crate) fn state(&self) -> &State {
        self.replica().state()
    }

    /// The epoch (in memory).
    pub(crate) fn epoch(&self) -> Epoch {
        self.replica().epoch()
    }

    /// The known leader of the epoch.
    pub(crate) fn leader(&self) -> Option<i32> {
        self.replica().leader().map(|l| l.0)
    }

    /// The election state in memory.
    pub(crate) fn election(&self) -> ElectionState {
        self.replica().election
    }

    /// The election state on disk (`quorum-state`).
    pub(crate) fn disk_election(&self) -> ElectionState {
        self.replica().disk().election
    }

    /// The high watermark.
    pub(crate) fn hw(&self) -> Option<Offset> {
        self.replica().high_watermark()
    }

    /// The epochs of the records the log holds, from its start offset.
    pub(crate) fn log_epochs(&self) -> Vec<Epoch> {
        let log = self.replica().log();
        log.entries(log.start_offset(), log.end_offset())
            .map(|(_, e, _)| e)
            .collect()
    }

    /// The log's `(start offset, end offset)`.
    pub(crate) fn log_range(&self) -> (Offset, Offset) {
        let log = self.replica().log();
        (log.start_offset(), log.end_offset())
    }

    /// The voter set in force.
    pub(crate) fn voters(&self) -> Vec<i32> {
        self.replica().voters().iter().map(|v| v.0).collect()
    }

    /// The leader's bookkeeping; panics if not the leader.
    pub(crate) fn leader_state(&self) -> &LeaderState {
        self.replica().leader_state().expect("the leader")
    }

    /// The deadline of the state's own timer (election, fetch, backoff, check-quorum), in
    /// milliseconds, ignoring outstanding requests.
    pub(crate) fn state_timer_ms(&self) -> u64 {
        let timers = self.replica().timers();
        assert_eq!(timers.len(), 1, "one state timer expected: {timers:?}");
        timers[0].1 .0 / 1_000
    }
}

//! The ZooKeeper-mode controller (Kafka ≤ 3.9's `KafkaController`), running inside the broker
//! that won `/controller` (KRAFT.md §4.2–4.4).
//!
//! It is single-threaded like Kafka's `ControllerEventManager`: one piece of work at a time,
//! the rest queued. Its work, in the order a failover does it:
//! 1. **Load** (`initializeControllerContext`): read the live brokers, every topic's
//!    assignment and every partition's state znode — the drawn ones as real reads, the modelled
//!    ones charged `zk-read-partition` each.
//! 2. **Push** (`sendUpdateMetadataRequest` + `LeaderAndIsr` to every broker): every
//!    partition's state to every broker, `zk-push-partition` each.
//! 3. **Elect** the partitions whose leader is gone (`OfflinePartition → OnlinePartition`):
//!    one conditional write per partition, `zk-move-leader` each.
//!
//! Then it reacts to watches: a broker's `/brokers/ids/<id>` deleted (its session expired or
//! closed) moves the leadership of everything it led; a new topic gets its partition states;
//! a `ControlledShutdown` request moves leadership away before the broker stops. Every write is
//! a multi that first checks `/controller_epoch`'s version, so a zombie controller's writes fail
//! (`BADVERSION`) and it resigns.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::costs::CostModel;
use crate::effect::Ctx;
use crate::message::Payload;
use crate::trace::Event;
use crate::types::{NodeId, SimTime};

use super::client::ZkClient;
use super::json;
use super::rpc::{ClientOp, ClientResult, KafkaMsg, PartitionState, ZkMessage};
use super::tree::{Op, ZkError};

/// The znode standing in for the modelled partitions' state znodes: how many there are and
/// how many each broker leads. One conditional write of it is charged as one write per moved
/// partition.
pub const MODELLED_PATH: &str = "/lab/modelled-partitions";

/// What the controller is busy with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Reading the cluster's state from ZooKeeper.
    Loading,
    /// Sending every partition's state to every broker.
    Pushing,
    /// Moving partition leadership (one conditional write each).
    Moving(MoveWhy),
    /// Reading what a watch said changed.
    Reading(Task),
    /// Waiting for work.
    Ready,
}

impl Stage {
    /// A short name for views and conditions.
    pub fn name(&self) -> &'static str {
        match self {
            Stage::Loading => "loading",
            Stage::Pushing => "pushing",
            Stage::Moving(_) => "moving",
            Stage::Reading(_) => "reading",
            Stage::Ready => "ready",
        }
    }
}

/// Why leadership moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MoveWhy {
    /// Partitions left leaderless, found on failover.
    Failover,
    /// These brokers' sessions ended.
    BrokerFailure(Vec<i32>),
    /// These brokers registered again: offline partitions whose last ISR they were in come
    /// back with them.
    BrokerStartup(Vec<i32>),
    /// A broker asked to shut down cleanly.
    ControlledShutdown {
        /// The broker.
        broker: i32,
        /// Where to answer.
        from: NodeId,
    },
    /// New topics get their first leaders.
    NewTopics(Vec<String>),
}

/// Work a watch or a request queued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Task {
    /// `/brokers/ids` children changed.
    BrokerChange,
    /// `/brokers/topics` children changed.
    TopicChange,
    /// A broker asks to shut down cleanly.
    ControlledShutdown {
        /// The broker.
        broker: i32,
        /// Where to answer.
        from: NodeId,
    },
}

#[derive(Clone, Debug)]
enum Read {
    BrokerIds,
    Topics,
    Assignment(String),
    State(String, u32),
    Modelled,
    /// One broker's registration, for its epoch.
    BrokerEpoch(i32),
    /// `/controller_epoch`, after a write failed: moved on, or was the failure our own write
    /// sent twice (its first answer lost with the connection)?
    Epoch,
}

/// What a finished piece of work asks the broker to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Keep going.
    Continue,
    /// A write failed on `/controller_epoch`: another controller took over; resign.
    Moved,
}

/// The controller state of the broker that won `/controller`.
#[derive(Clone, Debug)]
pub struct ZkController {
    me: i32,
    epoch: u32,
    epoch_version: i32,
    elected_at: SimTime,
    stage: Stage,
    busy_until: SimTime,
    reads: BTreeMap<u64, Read>,
    writes: BTreeSet<u64>,
    live: BTreeSet<i32>,
    /// Each live broker's epoch (the czxid of its `/brokers/ids/N`): a changed one means it
    /// bounced — died and came back between two reads of `/brokers/ids`.
    broker_epochs: BTreeMap<i32, u64>,
    /// A `/brokers/ids` listing whose brokers' epochs are being read.
    listing: Option<(BTreeSet<i32>, BTreeMap<i32, u64>)>,
    topics: BTreeMap<String, Vec<Vec<i32>>>,
    states: BTreeMap<(String, u32), (PartitionState, i32)>,
    modelled: BTreeMap<i32, u64>,
    modelled_version: i32,
    tasks: VecDeque<Task>,
    /// Partitions whose state changed in the current move, to send to brokers.
    changed: BTreeSet<(String, u32)>,
    moved: u64,
    new_topics: Vec<String>,
    costs: CostModel,
    last_poll: SimTime,
}

fn kafka(msg: KafkaMsg) -> Payload {
    Payload::Zk(ZkMessage::Kafka(msg))
}

/// The conditional write of one partition's new state; `version` (the znode's) moves on.
fn state_write(key: &(String, u32), state: &PartitionState, version: &mut i32, epoch: u32) -> Op {
    let op = Op::SetData {
        path: format!("/brokers/topics/{}/partitions/{}/state", key.0, key.1),
        data: json::partition_state(state, epoch),
        version: Some(*version),
    };
    *version += 1;
    op
}

/// Broker ids as Kafka's logs list them: `1,2`.
pub(crate) fn join_ids<'a>(ids: impl IntoIterator<Item = &'a i32>) -> String {
    ids.into_iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn broker_node(b: i32) -> NodeId {
    NodeId(b)
}

impl ZkController {
    /// Becomes controller of `epoch` (its `/controller_epoch` write has version
    /// `epoch_version`) and starts the failover: the load.
    pub fn elected(
        me: i32,
        epoch: u32,
        epoch_version: i32,
        costs: CostModel,
        client: &mut ZkClient,
        ctx: &mut Ctx,
    ) -> ZkController {
        let mut c = ZkController {
            me,
            epoch,
            epoch_version,
            elected_at: ctx.now,
            stage: Stage::Loading,
            busy_until: ctx.now,
            reads: BTreeMap::new(),
            writes: BTreeSet::new(),
            live: BTreeSet::new(),
            broker_epochs: BTreeMap::new(),
            listing: None,
            topics: BTreeMap::new(),
            states: BTreeMap::new(),
            modelled: BTreeMap::new(),
            modelled_version: -1,
            tasks: VecDeque::new(),
            changed: BTreeSet::new(),
            moved: 0,
            new_topics: Vec::new(),
            costs,
            last_poll: ctx.now,
        };
        ctx.emit(Event::ZkControllerElected { epoch });
        c.read(client, Read::BrokerIds, ctx);
        c.read(client, Read::Topics, ctx);
        c.read(client, Read::Modelled, ctx);
        ctx.emit(Event::ZkControllerPhase {
            epoch,
            phase: "loading metadata",
            partitions: 0,
            until: None,
        });
        c
    }

    /// The controller epoch.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// What it is doing.
    pub fn stage(&self) -> &Stage {
        &self.stage
    }

    /// When the bulk work in progress ends.
    pub fn busy_until(&self) -> SimTime {
        self.busy_until
    }

    /// When it became controller.
    pub fn elected_at(&self) -> SimTime {
        self.elected_at
    }

    /// The brokers it believes alive.
    pub fn live(&self) -> &BTreeSet<i32> {
        &self.live
    }

    /// Drawn partitions' states as it knows them.
    pub fn partition_states(&self) -> impl Iterator<Item = &PartitionState> {
        self.states.values().map(|(s, _)| s)
    }

    /// Modelled partitions led by each broker (`-1`: leaderless).
    pub fn modelled_leaders(&self) -> &BTreeMap<i32, u64> {
        &self.modelled
    }

    /// Queued work.
    pub fn queued(&self) -> usize {
        self.tasks.len()
    }

    fn modelled_total(&self) -> u64 {
        self.modelled.values().sum()
    }

    /// Partitions (drawn and modelled) without a leader.
    pub fn offline(&self) -> u64 {
        self.modelled.get(&-1).copied().unwrap_or(0)
            + self
                .states
                .values()
                .filter(|(s, _)| s.leader < 0 || !self.live.contains(&s.leader))
                .count() as u64
    }

    /// Queues work from a watch or a request.
    pub fn enqueue(&mut self, task: Task, client: &mut ZkClient, ctx: &mut Ctx) {
        if !self.tasks.contains(&task) {
            self.tasks.push_back(task);
        }
        self.advance(client, ctx);
    }

    fn read(&mut self, client: &mut ZkClient, what: Read, ctx: &mut Ctx) {
        let op = match &what {
            Read::BrokerIds => ClientOp::GetChildren {
                path: "/brokers/ids".into(),
                watch: true,
            },
            Read::Topics => ClientOp::GetChildren {
                path: "/brokers/topics".into(),
                watch: true,
            },
            Read::Assignment(t) => ClientOp::GetData {
                path: format!("/brokers/topics/{t}"),
                watch: false,
            },
            Read::State(t, p) => ClientOp::GetData {
                path: format!("/brokers/topics/{t}/partitions/{p}/state"),
                watch: false,
            },
            Read::Modelled => ClientOp::GetData {
                path: MODELLED_PATH.into(),
                watch: false,
            },
            Read::BrokerEpoch(b) => ClientOp::GetData {
                path: format!("/brokers/ids/{b}"),
                watch: false,
            },
            Read::Epoch => ClientOp::GetData {
                path: "/controller_epoch".into(),
                watch: false,
            },
        };
        let xid = client.request(op, ctx);
        self.reads.insert(xid, what);
    }

    /// A controller write: checked against `/controller_epoch` first.
    fn write(&mut self, client: &mut ZkClient, ops: Vec<Op>, ctx: &mut Ctx) {
        let mut all = vec![Op::Check {
            path: "/controller_epoch".into(),
            version: self.epoch_version,
        }];
        all.extend(ops);
        let xid = client.request(ClientOp::Write(all), ctx);
        self.writes.insert(xid);
    }

    /// True if `xid` is one of the controller's requests.
    pub fn owns(&self, xid: u64) -> bool {
        self.reads.contains_key(&xid) || self.writes.contains(&xid)
    }

    /// An answer to one of its requests.
    pub fn on_response(
        &mut self,
        xid: u64,
        result: ClientResult,
        client: &mut ZkClient,
        ctx: &mut Ctx,
    ) -> Outcome {
        if self.writes.remove(&xid) {
            if let ClientResult::Error(e) = result {
                if e == ZkError::BadVersion || e == ZkError::NoNode {
                    // Only a controller writes these znodes, so either another one took
                    // over or this write was applied once already; the epoch tells which.
                    self.read(client, Read::Epoch, ctx);
                    return Outcome::Continue;
                }
            }
            self.advance(client, ctx);
            return Outcome::Continue;
        }
        let Some(what) = self.reads.remove(&xid) else {
            return Outcome::Continue;
        };
        match (what, result) {
            // getBrokerAndEpochsInCluster: the ids, then each one's epoch.
            (Read::BrokerIds, ClientResult::Children(ids)) => {
                let ids: BTreeSet<i32> = ids.iter().filter_map(|i| i.parse().ok()).collect();
                for b in &ids {
                    self.read(client, Read::BrokerEpoch(*b), ctx);
                }
                self.listing = Some((ids, BTreeMap::new()));
                self.listed(client, ctx);
            }
            (Read::BrokerEpoch(b), ClientResult::Node(n)) => {
                if let Some((ids, epochs)) = self.listing.as_mut() {
                    match n {
                        Some(n) => {
                            epochs.insert(b, n.czxid);
                        }
                        None => {
                            ids.remove(&b);
                        }
                    }
                }
                self.listed(client, ctx);
            }
            (Read::Topics, ClientResult::Children(names)) => {
                let new: Vec<String> = names
                    .into_iter()
                    .filter(|t| !self.topics.contains_key(t))
                    .collect();
                for t in &new {
                    self.read(client, Read::Assignment(t.clone()), ctx);
                }
                if self.stage != Stage::Loading {
                    self.new_topics.extend(new);
                }
            }
            (Read::Assignment(t), ClientResult::Node(Some(n))) => {
                if let Some(a) = json::parse_assignment(&n.data) {
                    if self.stage == Stage::Loading {
                        for p in 0..a.len() as u32 {
                            self.read(client, Read::State(t.clone(), p), ctx);
                        }
                    }
                    self.topics.insert(t, a);
                }
            }
            (Read::State(t, p), ClientResult::Node(Some(n))) => {
                let replicas = self
                    .topics
                    .get(&t)
                    .and_then(|a| a.get(p as usize))
                    .cloned()
                    .unwrap_or_default();
                if let Some(s) = json::parse_partition_state(&t, p, &n.data, &replicas) {
                    self.states.insert((t, p), (s, n.version));
                }
            }
            (Read::Epoch, ClientResult::Node(n))
                if n.as_ref().map(|n| n.version) != Some(self.epoch_version) =>
            {
                return Outcome::Moved;
            }
            (Read::Modelled, ClientResult::Node(Some(n))) => {
                self.modelled = json::parse_modelled(&n.data).unwrap_or_default();
                self.modelled_version = n.version;
            }
            _ => {}
        }
        self.advance(client, ctx);
        Outcome::Continue
    }

    /// Moves on when the current piece of work is done: its reads and writes answered and
    /// its modelled time spent.
    pub fn advance(&mut self, client: &mut ZkClient, ctx: &mut Ctx) {
        self.last_poll = ctx.now;
        loop {
            if !self.reads.is_empty() || !self.writes.is_empty() || ctx.now < self.busy_until {
                return;
            }
            match std::mem::replace(&mut self.stage, Stage::Ready) {
                Stage::Loading => {
                    let total = self.modelled_total() + self.states.len() as u64;
                    let load_end =
                        self.elected_at + self.modelled_total() * self.costs.zk_read_partition_us;
                    if ctx.now < load_end {
                        self.busy_until = load_end;
                        self.stage = Stage::Loading;
                        ctx.emit(Event::ZkControllerPhase {
                            epoch: self.epoch,
                            phase: "reading partition states",
                            partitions: total,
                            until: Some(load_end),
                        });
                        continue;
                    }
                    ctx.emit(Event::ZkControllerPhase {
                        epoch: self.epoch,
                        phase: "metadata loaded",
                        partitions: total,
                        until: None,
                    });
                    let all: Vec<(String, u32)> = self.states.keys().cloned().collect();
                    self.send_states(&all, &self.live.clone(), self.modelled_total(), ctx);
                    self.busy_until = ctx.now + total * self.costs.zk_push_partition_us;
                    self.stage = Stage::Pushing;
                    ctx.emit(Event::ZkControllerPhase {
                        epoch: self.epoch,
                        phase: "pushing metadata to brokers",
                        partitions: total,
                        until: Some(self.busy_until),
                    });
                }
                Stage::Pushing => {
                    ctx.emit(Event::ZkControllerPhase {
                        epoch: self.epoch,
                        phase: "brokers updated",
                        partitions: self.modelled_total() + self.states.len() as u64,
                        until: None,
                    });
                    let gone: BTreeSet<i32> = self
                        .modelled
                        .keys()
                        .copied()
                        .chain(self.states.values().map(|(s, _)| s.leader))
                        .filter(|b| !self.live.contains(b))
                        .collect();
                    // Replicas on dead brokers go offline: out of their ISRs too.
                    self.start_moves(MoveWhy::Failover, &gone, &gone, client, ctx);
                }
                Stage::Moving(why) => self.finish_moves(why, ctx),
                Stage::Reading(Task::TopicChange) => {
                    let new = std::mem::take(&mut self.new_topics);
                    if !new.is_empty() {
                        self.create_partitions(new, client, ctx);
                    }
                }
                Stage::Reading(_) | Stage::Ready => {
                    let Some(task) = self.tasks.pop_front() else {
                        return;
                    };
                    match task {
                        Task::BrokerChange => {
                            self.stage = Stage::Reading(Task::BrokerChange);
                            self.read(client, Read::BrokerIds, ctx);
                        }
                        Task::TopicChange => {
                            self.stage = Stage::Reading(Task::TopicChange);
                            self.read(client, Read::Topics, ctx);
                        }
                        Task::ControlledShutdown { broker, from } => {
                            let away: BTreeSet<i32> = [broker].into();
                            self.start_moves(
                                MoveWhy::ControlledShutdown { broker, from },
                                &away,
                                &away,
                                client,
                                ctx,
                            );
                        }
                    }
                }
            }
        }
    }

    /// Once every listed broker's epoch is known: the live set (while loading) or the change.
    fn listed(&mut self, client: &mut ZkClient, ctx: &mut Ctx) {
        let complete = self
            .listing
            .as_ref()
            .is_some_and(|(ids, epochs)| ids.len() == epochs.len());
        if !complete {
            return;
        }
        let (ids, epochs) = self.listing.take().expect("complete");
        if self.stage == Stage::Loading {
            self.live = ids;
            self.broker_epochs = epochs;
        } else {
            self.broker_change(ids, epochs, client, ctx);
        }
    }

    /// `/brokers/ids` now lists `ids` with `epochs`. As Kafka's BrokerChange: the gone and the
    /// bounced (same id, new epoch) fail first — the partitions they led get new leaders —
    /// then the new and the bounced start: the metadata, their replicas back in the ISRs,
    /// leaders for partitions left without one.
    fn broker_change(
        &mut self,
        ids: BTreeSet<i32>,
        epochs: BTreeMap<i32, u64>,
        client: &mut ZkClient,
        ctx: &mut Ctx,
    ) {
        let bounced: BTreeSet<i32> = ids
            .intersection(&self.live)
            .filter(|b| epochs.get(b) != self.broker_epochs.get(b))
            .copied()
            .collect();
        let dead: BTreeSet<i32> = self
            .live
            .difference(&ids)
            .chain(bounced.iter())
            .copied()
            .collect();
        let born: BTreeSet<i32> = ids
            .difference(&self.live)
            .chain(bounced.iter())
            .copied()
            .collect();
        self.broker_epochs = epochs;
        if !dead.is_empty() {
            self.live = self.live.difference(&dead).copied().collect();
            ctx.emit(Event::ZkBrokersChanged {
                joined: Vec::new(),
                left: dead.iter().copied().collect(),
            });
            self.start_moves(
                MoveWhy::BrokerFailure(dead.iter().copied().collect()),
                &dead,
                &dead,
                client,
                ctx,
            );
        }
        self.live = ids;
        if !born.is_empty() {
            ctx.emit(Event::ZkBrokersChanged {
                joined: born.iter().copied().collect(),
                left: Vec::new(),
            });
            // onBrokerStartup: the returning replicas rejoin their ISRs (the model's brokers
            // have no data to catch up), leaderless partitions get a leader.
            let keys: Vec<(String, u32)> = self.states.keys().cloned().collect();
            let mut ops = Vec::new();
            for k in keys {
                let (s, v) = self.states.get_mut(&k).expect("listed");
                let mut changed = false;
                for b in &born {
                    if s.replicas.contains(b) && !s.isr.contains(b) {
                        s.isr.push(*b);
                        changed = true;
                    }
                }
                if s.leader < 0 {
                    if let Some(l) = s.isr.iter().find(|r| self.live.contains(r)) {
                        s.leader = *l;
                        s.leader_epoch += 1;
                        changed = true;
                    }
                }
                if changed {
                    ops.push(state_write(&k, s, v, self.epoch));
                    self.changed.insert(k);
                }
            }
            if !ops.is_empty() {
                self.write(client, ops, ctx);
            }
            let all: Vec<(String, u32)> = self.states.keys().cloned().collect();
            self.send_states(&all, &self.live.clone(), self.modelled_total(), ctx);
        }
        if dead.is_empty() && !born.is_empty() && self.modelled.get(&-1).is_some_and(|n| *n > 0) {
            // triggerOnlinePartitionStateChange: the modelled offline partitions get leaders
            // among the live brokers (drawn ones were handled above, replica by replica).
            self.start_moves(
                MoveWhy::BrokerStartup(born.iter().copied().collect()),
                &BTreeSet::new(),
                &BTreeSet::new(),
                client,
                ctx,
            );
        }
    }

    /// Moves leadership away from `away` and drops `out_of_isr` from ISRs: one conditional
    /// write per drawn partition, and the modelled ones charged `zk-move-leader` each.
    fn start_moves(
        &mut self,
        why: MoveWhy,
        away: &BTreeSet<i32>,
        out_of_isr: &BTreeSet<i32>,
        client: &mut ZkClient,
        ctx: &mut Ctx,
    ) {
        let eligible: Vec<i32> = self
            .live
            .iter()
            .copied()
            .filter(|b| !away.contains(b))
            .collect();
        let mut ops = Vec::new();
        let mut moved = 0u64;
        let keys: Vec<(String, u32)> = self.states.keys().cloned().collect();
        for k in keys {
            let (s, v) = self.states.get_mut(&k).expect("listed");
            let mut changed = false;
            let leader_gone =
                s.leader < 0 || away.contains(&s.leader) || !self.live.contains(&s.leader);
            let before = s.isr.len();
            let old_isr = s.isr.clone();
            s.isr.retain(|b| !out_of_isr.contains(b));
            if leader_gone {
                let next = old_isr
                    .iter()
                    .chain(s.replicas.iter())
                    .find(|b| eligible.contains(b) && old_isr.contains(b))
                    .copied();
                match next {
                    Some(l) => {
                        s.leader = l;
                        s.leader_epoch += 1;
                        moved += 1;
                        changed = true;
                    }
                    None if s.leader >= 0 => {
                        // No eligible replica in the ISR: leaderless, the last ISR kept
                        // (unclean election is off).
                        s.leader = -1;
                        s.leader_epoch += 1;
                        s.isr = old_isr.clone();
                        changed = true;
                    }
                    None => s.isr = old_isr.clone(),
                }
                if s.leader >= 0 && s.isr.is_empty() {
                    s.isr.push(s.leader);
                }
            } else if s.isr.len() != before {
                s.leader_epoch += 1;
                changed = true;
            }
            if s.isr.is_empty() && s.leader < 0 {
                s.isr = old_isr;
            }
            if changed {
                ops.push(state_write(&k, s, v, self.epoch));
                self.changed.insert(k);
            }
        }
        // Modelled partitions: those led by `away` (or leaderless) spread over the rest.
        let mut modelled_moved = 0u64;
        let from: Vec<i32> = self
            .modelled
            .keys()
            .copied()
            .filter(|b| *b < 0 || away.contains(b) || !self.live.contains(b))
            .collect();
        let pool: u64 = from.iter().map(|b| self.modelled[b]).sum();
        if pool > 0 && !eligible.is_empty() {
            for b in &from {
                self.modelled.insert(*b, 0);
            }
            let n = eligible.len() as u64;
            for (i, b) in eligible.iter().enumerate() {
                let share = pool / n + u64::from((i as u64) < pool % n);
                *self.modelled.entry(*b).or_default() += share;
            }
            self.modelled.retain(|b, n| *n > 0 || *b >= 0);
            modelled_moved = pool;
            ops.push(Op::SetData {
                path: MODELLED_PATH.into(),
                data: json::modelled(&self.modelled),
                version: Some(self.modelled_version),
            });
            self.modelled_version += 1;
        } else if pool > 0 {
            for b in &from {
                let n = self.modelled.remove(b).unwrap_or(0);
                *self.modelled.entry(-1).or_default() += n;
            }
        }
        self.moved = moved + modelled_moved;
        let cost = self.moved * self.costs.zk_move_leader_us;
        self.busy_until = ctx.now + cost;
        if !ops.is_empty() {
            self.write(client, ops, ctx);
        }
        if self.moved > 0 {
            ctx.emit(Event::LeaderMoves {
                partitions: self.moved,
                until: self.busy_until,
                why: self.why_text(&why),
            });
        }
        self.stage = Stage::Moving(why);
    }

    fn why_text(&self, why: &MoveWhy) -> String {
        match why {
            MoveWhy::Failover => "leaderless partitions found on failover".into(),
            MoveWhy::BrokerFailure(b) => format!("broker {} gone", join_ids(b)),
            MoveWhy::BrokerStartup(b) => format!("broker {} back", join_ids(b)),
            MoveWhy::ControlledShutdown { broker, .. } => {
                format!("controlled shutdown of broker {broker}")
            }
            MoveWhy::NewTopics(t) => format!("new topics {}", t.join(",")),
        }
    }

    fn finish_moves(&mut self, why: MoveWhy, ctx: &mut Ctx) {
        let changed: Vec<(String, u32)> = std::mem::take(&mut self.changed).into_iter().collect();
        let live = self.live.clone();
        if !changed.is_empty() || self.moved > 0 {
            self.send_states(&changed, &live, self.moved, ctx);
        }
        if let MoveWhy::ControlledShutdown { broker, from } = &why {
            let remaining = self
                .states
                .values()
                .filter(|(s, _)| s.leader == *broker)
                .count() as u64
                + self.modelled.get(broker).copied().unwrap_or(0);
            ctx.send(
                *from,
                kafka(KafkaMsg::ControlledShutdownResponse { remaining }),
            );
        }
        if self.moved > 0 || why == MoveWhy::Failover {
            ctx.emit(Event::LeaderMovesDone {
                offline: self.offline(),
            });
        }
        if why == MoveWhy::Failover {
            ctx.emit(Event::ZkControllerPhase {
                epoch: self.epoch,
                phase: "failover complete",
                partitions: self.modelled_total() + self.states.len() as u64,
                until: None,
            });
        }
        self.moved = 0;
        self.stage = Stage::Ready;
    }

    /// `onNewPartitionCreation`: each new partition's first leader is its first live replica,
    /// its ISR the live replicas.
    fn create_partitions(&mut self, topics: Vec<String>, client: &mut ZkClient, ctx: &mut Ctx) {
        let mut ops = Vec::new();
        for t in &topics {
            let Some(assignment) = self.topics.get(t).cloned() else {
                continue;
            };
            ops.push(Op::Create {
                path: format!("/brokers/topics/{t}/partitions"),
                data: String::new(),
                ephemeral: false,
            });
            for (p, replicas) in assignment.iter().enumerate() {
                let isr: Vec<i32> = replicas
                    .iter()
                    .copied()
                    .filter(|r| self.live.contains(r))
                    .collect();
                let s = PartitionState {
                    topic: t.clone(),
                    partition: p as u32,
                    leader: isr.first().copied().unwrap_or(-1),
                    leader_epoch: 0,
                    isr: if isr.is_empty() {
                        replicas.clone()
                    } else {
                        isr
                    },
                    replicas: replicas.clone(),
                };
                ops.push(Op::Create {
                    path: format!("/brokers/topics/{t}/partitions/{p}"),
                    data: String::new(),
                    ephemeral: false,
                });
                ops.push(Op::Create {
                    path: format!("/brokers/topics/{t}/partitions/{p}/state"),
                    data: json::partition_state(&s, self.epoch),
                    ephemeral: false,
                });
                self.states.insert((t.clone(), p as u32), (s, 0));
                self.changed.insert((t.clone(), p as u32));
            }
        }
        if !ops.is_empty() {
            self.write(client, ops, ctx);
        }
        self.moved = 0;
        self.stage = Stage::Moving(MoveWhy::NewTopics(topics));
    }

    /// The connection to `broker` was reset, so it may have missed a push: it gets every
    /// partition state and the live brokers again (nothing while the controller still loads;
    /// the push that ends loading reaches it then).
    pub fn resend_to(&self, broker: i32, ctx: &mut Ctx) {
        if !self.live.contains(&broker) || matches!(self.stage, Stage::Loading) {
            return;
        }
        let all: Vec<(String, u32)> = self.states.keys().cloned().collect();
        self.send_states_to(
            &all,
            &[broker].into(),
            &self.live,
            self.modelled_total(),
            ctx,
        );
    }

    /// LeaderAndIsr to each replica of `keys`, UpdateMetadata to every live broker; `bulk`
    /// modelled partitions ride along.
    fn send_states(&self, keys: &[(String, u32)], live: &BTreeSet<i32>, bulk: u64, ctx: &mut Ctx) {
        self.send_states_to(keys, live, live, bulk, ctx);
    }

    /// The same, to `targets` only.
    fn send_states_to(
        &self,
        keys: &[(String, u32)],
        targets: &BTreeSet<i32>,
        live: &BTreeSet<i32>,
        bulk: u64,
        ctx: &mut Ctx,
    ) {
        let states: Vec<PartitionState> = keys
            .iter()
            .filter_map(|k| self.states.get(k).map(|(s, _)| s.clone()))
            .collect();
        let n = live.len().max(1) as u64;
        for b in targets {
            let mine: Vec<PartitionState> = states
                .iter()
                .filter(|s| s.replicas.contains(b))
                .cloned()
                .collect();
            if !mine.is_empty() || bulk > 0 {
                ctx.send(
                    broker_node(*b),
                    kafka(KafkaMsg::LeaderAndIsr {
                        controller_epoch: self.epoch,
                        controller: self.me,
                        partitions: mine,
                        bulk: bulk.min(bulk * 3 / n),
                    }),
                );
            }
            ctx.send(
                broker_node(*b),
                kafka(KafkaMsg::UpdateMetadata {
                    controller_epoch: self.epoch,
                    controller: self.me,
                    live_brokers: live.iter().copied().collect(),
                    partitions: states.clone(),
                    bulk,
                }),
            );
        }
    }

    /// When it next needs a poll (its modelled work ending).
    pub fn next_deadline(&self) -> SimTime {
        if self.busy_until > self.last_poll {
            self.busy_until
        } else {
            SimTime::NEVER
        }
    }
}

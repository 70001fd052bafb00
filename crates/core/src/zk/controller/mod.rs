//! The ZooKeeper-mode controller (Kafka ≤ 3.9's `KafkaController`), running inside the broker
//! that won `/controller` (docs/fidelity.md, ZooKeeper mode).
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
//!
//! Where things happen:
//! - this file: the controller, its stages and queued tasks, and `advance`, which steps
//!   through the failover (load, push, elect) and then the queued work;
//! - `zookeeper.rs`: its reads and epoch-checked writes, and what their answers change (the
//!   load, and a zombie controller finding out it was replaced);
//! - `broker_change.rs`: `/brokers/ids` changed: brokers gone, bounced or back;
//! - `moves.rs`: moving partition leadership (failover, broker failure or startup, controlled
//!   shutdown) with one conditional write per partition;
//! - `topics.rs`: new topics get their partitions' first state;
//! - `push.rs`: LeaderAndIsr and UpdateMetadata to the brokers.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::flat::{FlatMap, FlatSet};

use crate::costs::CostModel;
use crate::effect::Ctx;
use crate::trace::Event;
use crate::types::{NodeId, SimTime};

use super::client::ZkClient;
use super::rpc::PartitionState;

mod broker_change;
mod moves;
mod push;
mod topics;
mod zookeeper;

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
    reads: FlatMap<u64, Read>,
    writes: FlatSet<u64>,
    live: FlatSet<i32>,
    /// Each live broker's epoch (the czxid of its `/brokers/ids/N`): a changed one means it
    /// bounced — died and came back between two reads of `/brokers/ids`.
    broker_epochs: FlatMap<i32, u64>,
    /// A `/brokers/ids` listing whose brokers' epochs are being read.
    listing: Option<(FlatSet<i32>, FlatMap<i32, u64>)>,
    topics: BTreeMap<String, Vec<Vec<i32>>>,
    states: BTreeMap<(String, u32), (PartitionState, i32)>,
    modelled: FlatMap<i32, u64>,
    modelled_version: i32,
    tasks: VecDeque<Task>,
    /// Partitions whose state changed in the current move, to send to brokers.
    changed: BTreeSet<(String, u32)>,
    moved: u64,
    new_topics: Vec<String>,
    costs: CostModel,
    last_poll: SimTime,
}

/// Broker ids as Kafka's logs list them: `1,2`.
pub(crate) fn join_ids<'a>(ids: impl IntoIterator<Item = &'a i32>) -> String {
    ids.into_iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(",")
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
            reads: FlatMap::new(),
            writes: FlatSet::new(),
            live: FlatSet::new(),
            broker_epochs: FlatMap::new(),
            listing: None,
            topics: BTreeMap::new(),
            states: BTreeMap::new(),
            modelled: FlatMap::new(),
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
    pub fn live(&self) -> &FlatSet<i32> {
        &self.live
    }

    /// Drawn partitions' states as it knows them.
    pub fn partition_states(&self) -> impl Iterator<Item = &PartitionState> {
        self.states.values().map(|(s, _)| s)
    }

    /// Modelled partitions led by each broker (`-1`: leaderless).
    pub fn modelled_leaders(&self) -> &FlatMap<i32, u64> {
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
                    let gone: FlatSet<i32> = self
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
                            let away: FlatSet<i32> = [broker].into();
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

    /// When it next needs a poll (its modelled work ending).
    pub fn next_deadline(&self) -> SimTime {
        if self.busy_until > self.last_poll {
            self.busy_until
        } else {
            SimTime::NEVER
        }
    }
}

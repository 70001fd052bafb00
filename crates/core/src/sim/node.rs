//! A simulated machine: a process that can crash, stop, restart and stall, and a disk that
//! survives all of it.

use crate::flat::FlatMap;

use crate::kraft::{Disk, Replica};
use crate::message::Envelope;
use crate::server::config::NodeConfig;
use crate::server::Server;
use crate::trace::TimerKind;
use crate::types::{NodeId, SimTime};
use crate::zk::server::ZkDisk;
use crate::zk::ZkProcess;

/// What a node runs (by `process.roles`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeKind {
    /// A KRaft controller: a voter of the metadata quorum.
    Controller,
    /// A broker: an observer that tails the metadata log.
    Broker,
    /// Both roles in one process (combined mode).
    Combined,
    /// A ZooKeeper server (ZooKeeper mode).
    ZooKeeper,
    /// A ZooKeeper-mode Kafka broker (any of them may be the controller).
    ZkBroker,
}

impl NodeKind {
    /// Lower-case name (`controller`, `broker`, `combined`).
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Controller => "controller",
            NodeKind::Broker => "broker",
            NodeKind::Combined => "combined",
            NodeKind::ZooKeeper => "zookeeper",
            NodeKind::ZkBroker => "zk-broker",
        }
    }

    /// The kind `process.roles` describes.
    pub fn of(config: &NodeConfig) -> NodeKind {
        match (config.roles.broker, config.roles.controller) {
            (true, true) => NodeKind::Combined,
            (true, false) => NodeKind::Broker,
            _ => NodeKind::Controller,
        }
    }

    /// True if the node runs a KRaft controller.
    pub fn has_controller(self) -> bool {
        matches!(self, NodeKind::Controller | NodeKind::Combined)
    }

    /// True if the node runs a broker (either mode).
    pub fn has_broker(self) -> bool {
        matches!(
            self,
            NodeKind::Broker | NodeKind::Combined | NodeKind::ZkBroker
        )
    }

    /// True for ZooKeeper mode's processes.
    pub fn is_zk_mode(self) -> bool {
        matches!(self, NodeKind::ZooKeeper | NodeKind::ZkBroker)
    }
}

/// Whether the process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeStatus {
    /// Running.
    Up,
    /// Stalled (like a long GC pause) until the given time: nothing is processed, messages
    /// queue up, timers fire late.
    Paused {
        /// When it resumes.
        until: SimTime,
    },
    /// Crashed: memory lost, disk kept.
    Crashed,
    /// Stopped by a graceful shutdown: disk kept.
    Stopped,
}

impl NodeStatus {
    /// The UI's `data-status` value: `up`, `paused` or `crashed` (a stopped node is down too).
    pub fn label(self) -> &'static str {
        match self {
            NodeStatus::Up => "up",
            NodeStatus::Paused { .. } => "paused",
            NodeStatus::Crashed => "crashed",
            NodeStatus::Stopped => "stopped",
        }
    }

    /// True if the process exists (running or stalled).
    pub fn is_live(self) -> bool {
        matches!(self, NodeStatus::Up | NodeStatus::Paused { .. })
    }
}

/// When a timer was started and when it fires, for the UI's timer arcs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerSpan {
    /// When the current countdown began.
    pub started: SimTime,
    /// When it fires.
    pub deadline: SimTime,
}

/// The process a node runs: one field for both modes, so a node runs at most one process and
/// the world matches on its mode instead of testing two options.
#[derive(Clone, Debug)]
pub(crate) enum Process {
    /// KRaft mode: a controller, a broker, or both (combined). Boxed, as `ZkProcess` boxes its
    /// own, so that the enum is not a kilobyte for every ZooKeeper-mode node.
    Kraft(Box<Server>),
    /// ZooKeeper mode: a ZooKeeper server or a ZooKeeper-mode broker.
    Zk(ZkProcess),
}

impl Process {
    /// The KRaft server, mutably, if this is one.
    pub(crate) fn kraft_mut(&mut self) -> Option<&mut Server> {
        match self {
            Process::Kraft(s) => Some(s.as_mut()),
            Process::Zk(_) => None,
        }
    }

    /// The ZooKeeper-mode process, if this is one.
    pub(crate) fn zk(&self) -> Option<&ZkProcess> {
        match self {
            Process::Zk(p) => Some(p),
            Process::Kraft(_) => None,
        }
    }

    /// The ZooKeeper-mode process, mutably, if this is one.
    pub(crate) fn zk_mut(&mut self) -> Option<&mut ZkProcess> {
        match self {
            Process::Zk(p) => Some(p),
            Process::Kraft(_) => None,
        }
    }

    /// When it next needs a poll, whichever mode it runs.
    pub(crate) fn next_deadline(&self) -> SimTime {
        match self {
            Process::Kraft(s) => s.next_deadline(),
            Process::Zk(p) => p.next_deadline(),
        }
    }
}

/// One machine of the simulated cluster.
#[derive(Clone, Debug)]
pub struct SimNode {
    /// The machine (its `node.id` as first configured; messages to that id arrive here).
    pub id: NodeId,
    /// What it runs.
    pub kind: NodeKind,
    /// Its `server.properties`; changes take effect at the next start.
    pub config: NodeConfig,
    /// The running (or stalled) process, KRaft or ZooKeeper mode; `None` while it is down.
    pub(crate) process: Option<Process>,
    /// A ZooKeeper server's data while it is down.
    pub(crate) zk_disk: Option<ZkDisk>,
    /// Why the process stopped by itself or refused to start.
    pub(crate) failure: Option<String>,
    /// The KRaft storage (`meta.properties`, the log, `quorum-state`) while no KRaft process
    /// holds it. Kept apart from `zk_disk`: `format` and `unformat` write it on any stopped
    /// node, a ZooKeeper-mode one included, whose ZooKeeper data stays.
    pub(crate) disk: Option<Disk>,
    pub(crate) status: NodeStatus,
    /// Messages that arrived while paused, handled on resume.
    pub(crate) inbox: Vec<Envelope>,
    pub(crate) wake_at: Option<SimTime>,
    /// `(time, count)` of wake-ups at one instant, to stop a node that never moves its
    /// deadline from spinning forever.
    pub(crate) spin: (SimTime, u32),
    pub(crate) timers: FlatMap<TimerKind, TimerSpan>,
    /// How many times `kafka-storage format` ran on this node since the cluster was built:
    /// each format writes a new directory id ([`crate::uuid::directory_id`]).
    pub(crate) formats: u32,
}

impl SimNode {
    /// A node whose process is not started yet.
    pub(crate) fn new(id: NodeId, config: NodeConfig, disk: Disk) -> SimNode {
        SimNode {
            id,
            kind: NodeKind::of(&config),
            config,
            process: None,
            zk_disk: None,
            failure: None,
            disk: Some(disk),
            status: NodeStatus::Stopped,
            inbox: Vec::new(),
            wake_at: None,
            spin: (SimTime::ZERO, 0),
            timers: FlatMap::new(),
            formats: 0,
        }
    }

    /// Running, stalled, crashed or stopped.
    pub fn status(&self) -> NodeStatus {
        self.status
    }

    /// The running (or stalled) replica.
    pub fn replica(&self) -> Option<&Replica> {
        self.server().map(|s| s.raft())
    }

    /// The running (or stalled) process.
    pub fn server(&self) -> Option<&Server> {
        match &self.process {
            Some(Process::Kraft(s)) => Some(s.as_ref()),
            _ => None,
        }
    }

    /// The ZooKeeper-mode process, if this node runs one.
    pub fn zk(&self) -> Option<&ZkProcess> {
        self.process.as_ref().and_then(Process::zk)
    }

    /// What a stopped ZooKeeper server left on disk (its epoch and last zxid for listings).
    pub fn zk_disk(&self) -> Option<&ZkDisk> {
        self.zk_disk.as_ref()
    }

    /// The ZooKeeper server's data: live, or what it left behind.
    pub fn zk_data(&self) -> Option<&crate::zk::tree::DataTree> {
        match self.zk() {
            Some(ZkProcess::Server(s)) => Some(s.tree()),
            _ => self.zk_disk.as_ref().map(|d| &*d.tree),
        }
    }

    /// Why the process stopped by itself or refused to start.
    pub fn failure(&self) -> Option<&str> {
        self.failure.as_deref()
    }

    /// The disk: the replica's while it runs, or what it left behind.
    pub fn disk(&self) -> Option<&Disk> {
        match self.server() {
            Some(r) => Some(r.raft().disk()),
            None => self.disk.as_ref(),
        }
    }

    /// The timers running now, with when they started, for timer arcs.
    pub fn timers(&self) -> &FlatMap<TimerKind, TimerSpan> {
        &self.timers
    }

    /// Refreshes the timer table from the replica: a timer whose deadline changed restarted now.
    pub(crate) fn refresh_timers(&mut self, now: SimTime) {
        let Some(Process::Kraft(server)) = &self.process else {
            self.timers.clear();
            return;
        };
        let current = server.raft().timers();
        self.timers
            .retain(|k, _| current.iter().any(|(c, _)| c == k));
        for (kind, deadline) in current {
            match self.timers.get_mut(&kind) {
                Some(span) if span.deadline == deadline => {}
                Some(span) => {
                    *span = TimerSpan {
                        started: now,
                        deadline,
                    }
                }
                None => {
                    self.timers.insert(
                        kind,
                        TimerSpan {
                            started: now,
                            deadline,
                        },
                    );
                }
            }
        }
    }
}

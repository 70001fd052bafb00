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

/// A machine's clock, which may run fast or slow (the `drift` action): its local time is a
/// piecewise linear function of the world's time, `anchor_local + (t - anchor_global) × rate`,
/// with the rate in parts per million (1,000,000: a perfect clock). Integer arithmetic only,
/// so native and WebAssembly runs agree. A process sees only local time; the world turns the
/// deadlines it reports back into world time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// Local microseconds per million world microseconds.
    pub rate_ppm: u32,
    anchor_global: SimTime,
    anchor_local: SimTime,
}

impl Default for Clock {
    fn default() -> Clock {
        Clock {
            rate_ppm: Clock::EXACT,
            anchor_global: SimTime::ZERO,
            anchor_local: SimTime::ZERO,
        }
    }
}

impl Clock {
    /// The rate of a perfect clock.
    pub const EXACT: u32 = 1_000_000;

    /// True for a perfect clock that never drifted (local time is world time).
    pub fn is_exact(&self) -> bool {
        self.rate_ppm == Clock::EXACT && self.anchor_global == self.anchor_local
    }

    /// The local time at world time `t`.
    pub fn local(&self, t: SimTime) -> SimTime {
        if self.is_exact() || t == SimTime::NEVER {
            return t;
        }
        let d = t.since(self.anchor_global) as u128 * self.rate_ppm as u128 / 1_000_000;
        SimTime(
            self.anchor_local
                .0
                .saturating_add(d.min(u64::MAX as u128) as u64),
        )
    }

    /// The first world time at which local time reaches `l` (at or after the anchor).
    pub fn global(&self, l: SimTime) -> SimTime {
        if self.is_exact() || l == SimTime::NEVER {
            return l;
        }
        let d = l.since(self.anchor_local) as u128 * 1_000_000;
        let d = d.div_ceil(self.rate_ppm.max(1) as u128);
        SimTime(
            self.anchor_global
                .0
                .saturating_add(d.min(u64::MAX as u128) as u64),
        )
    }

    /// From world time `now` on, the clock runs at `rate_ppm`.
    pub fn set_rate(&mut self, now: SimTime, rate_ppm: u32) {
        let local = self.local(now);
        *self = Clock {
            rate_ppm,
            anchor_global: now,
            anchor_local: local,
        };
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
    /// The machine's clock (see [`Clock`]; exact unless a `drift` action changed it).
    pub(crate) clock: Clock,
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
            clock: Clock::default(),
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

    /// The machine's clock: how fast it runs against the world's time.
    pub fn clock(&self) -> &Clock {
        &self.clock
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
        let clock = self.clock;
        let current: Vec<_> = server
            .raft()
            .timers()
            .into_iter()
            .map(|(k, d)| (k, clock.global(d)))
            .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drifting_clock_maps_deadlines_both_ways() {
        let mut c = Clock::default();
        assert!(c.is_exact());
        assert_eq!(c.local(SimTime(5)), SimTime(5));
        c.set_rate(SimTime(1_000_000), 1_050_000);
        assert_eq!(c.local(SimTime(1_000_000)), SimTime(1_000_000));
        assert_eq!(c.local(SimTime(2_000_000)), SimTime(2_050_000));
        // A local deadline is reached at the first world time whose local time is past it.
        for d in [1_000_001, 1_500_000, 2_050_000, 7_777_777] {
            let g = c.global(SimTime(d));
            assert!(c.local(g) >= SimTime(d));
            assert!(c.local(SimTime(g.0 - 1)) < SimTime(d), "{d}");
        }
        // Slower again, continuous at the change.
        c.set_rate(SimTime(2_000_000), 900_000);
        assert_eq!(c.local(SimTime(2_000_000)), SimTime(2_050_000));
        assert_eq!(c.local(SimTime(3_000_000)), SimTime(2_950_000));
        assert_eq!(c.global(SimTime::NEVER), SimTime::NEVER);
        assert_eq!(
            c.global(SimTime(0)),
            SimTime(2_000_000),
            "a past deadline is now"
        );
    }
}

//! `ClusterView`: a plain-data snapshot of the world for the UI (docs/architecture.md, Everything
//! observable is a trace event). The UI
//! renders it and never reaches into protocol state; nothing here holds a reference into the
//! world.

use super::observe::Violation;
use crate::kraft::state::VoteState;
use crate::kraft::{Role, State};
use crate::message::Outcome;
use crate::trace::TimerKind;
use crate::types::{Epoch, NodeId, Offset, SimTime};
use crate::zk::server::ZkRole;

use super::network::NetworkConfig;
use super::node::{NodeKind, NodeStatus};
use super::world::World;

/// A running timer, for the arc drawn around a node.
#[derive(Clone, Debug, PartialEq)]
pub struct TimerView {
    /// Which timer.
    pub kind: TimerKind,
    /// When the countdown started.
    pub started: SimTime,
    /// When it fires.
    pub deadline: SimTime,
}

/// One record near the end of a log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntryView {
    /// Offset.
    pub offset: Offset,
    /// Epoch of the batch.
    pub epoch: Epoch,
    /// Record type name (`LeaderChangeMessage`, `Data`, …).
    pub kind: &'static str,
    /// One-line rendering.
    pub summary: String,
}

/// What the UI shows of one node.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    /// `node.id`.
    pub id: NodeId,
    /// Controller or broker.
    pub kind: NodeKind,
    /// Up, paused, crashed or stopped.
    pub status: NodeStatus,
    /// The replica's state; `None` while down.
    pub role: Option<Role>,
    /// In the voter set?
    pub is_voter: bool,
    /// Epoch (the persisted one while down).
    pub epoch: Epoch,
    /// Known leader.
    pub leader: Option<NodeId>,
    /// Vote in this epoch.
    pub voted: Option<NodeId>,
    /// High watermark.
    pub high_watermark: Option<Offset>,
    /// Log end offset.
    pub log_end_offset: Offset,
    /// Log start offset.
    pub log_start_offset: Offset,
    /// Running timers.
    pub timers: Vec<TimerView>,
    /// A prospective's or candidate's tally: each voter's answer.
    pub votes: Vec<(NodeId, VoteState)>,
    /// Graceful shutdown in progress.
    pub shutting_down: bool,
    /// Nodes whose Fetch the leader holds in purgatory.
    pub parked_fetches: Vec<NodeId>,
    /// The last records of the log, oldest first.
    pub log_tail: Vec<LogEntryView>,
    /// The broker lifecycle state (`STARTING`, `RECOVERY`, `RUNNING`,
    /// `PENDING_CONTROLLED_SHUTDOWN`) of a running broker.
    pub broker_state: Option<&'static str>,
    /// Fenced in the metadata (the active controller's image); `None` if not registered.
    pub fenced: Option<bool>,
    /// This node is the active controller.
    pub active_controller: bool,
    /// Offset of the node's metadata image (everything below is applied).
    pub metadata_offset: Option<Offset>,
    /// How far that image is behind the active controller's high watermark.
    pub metadata_lag: Option<Offset>,
    /// Partitions in the node's image.
    pub partitions: Option<usize>,
    /// End offset of the latest snapshot on its disk.
    pub snapshot_end: Option<Offset>,
    /// Why the process stopped by itself or refused to start.
    pub failure: Option<String>,
    /// ZooKeeper mode: a server's role.
    pub zk_role: Option<ZkRole>,
    /// ZooKeeper mode: the controller epoch if this broker is the controller.
    pub zk_controller_epoch: Option<u32>,
    /// ZooKeeper mode: what the controller is doing.
    pub zk_controller_stage: Option<ControllerStage>,
    /// ZooKeeper mode: the broker's session is connected.
    pub zk_connected: Option<bool>,
    /// ZooKeeper mode: what the node menu lists for a ZooKeeper server or a broker, as
    /// (label, value) rows: mode, leader, last zxid, connections; session, server, the
    /// controller it obeys.
    pub zk_details: Vec<(&'static str, String)>,
}

impl NodeView {
    /// The UI's `data-role`: the state name, `observer` for a non-voter, the node kind while
    /// down.
    pub fn role_label(&self) -> &'static str {
        if self.kind == NodeKind::ZooKeeper && self.status.is_live() {
            return match self.zk_role {
                Some(ZkRole::Leading) => "zk-leader",
                Some(ZkRole::Following) => "zk-follower",
                _ => "zk-looking",
            };
        }
        if self.kind == NodeKind::ZkBroker && self.status.is_live() {
            return if self.zk_controller_epoch.is_some() {
                "zk-controller"
            } else {
                "zk-broker"
            };
        }
        match self.role {
            None => self.kind.name(),
            Some(Role::Follower | Role::Unattached) if !self.is_voter => "observer",
            Some(r) => r.name(),
        }
    }
}

/// What a ZooKeeper-mode controller is doing, as the picture labels it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerStage {
    /// Reading the cluster's state from ZooKeeper after winning `/controller`.
    Loading,
    /// Sending every partition's state to every broker.
    Pushing,
    /// Moving partition leadership.
    Moving,
    /// Reading what a watch said changed.
    Reading,
    /// Waiting for work.
    Ready,
}

impl ControllerStage {
    /// The stage of a controller's work.
    pub fn of(stage: &crate::zk::controller::Stage) -> ControllerStage {
        use crate::zk::controller::Stage;
        match stage {
            Stage::Loading => ControllerStage::Loading,
            Stage::Pushing => ControllerStage::Pushing,
            Stage::Moving(_) => ControllerStage::Moving,
            Stage::Reading(_) => ControllerStage::Reading,
            Stage::Ready => ControllerStage::Ready,
        }
    }

    /// The label drawn under the controller (`LOADING`, …); empty while ready.
    pub fn label(self) -> &'static str {
        match self {
            ControllerStage::Loading => "LOADING",
            ControllerStage::Pushing => "PUSHING",
            ControllerStage::Moving => "MOVING",
            ControllerStage::Reading => "READING",
            ControllerStage::Ready => "",
        }
    }
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageView {
    /// Message id (for `drop`).
    pub id: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// API name.
    pub name: &'static str,
    /// All fields, one line.
    pub detail: String,
    /// Request or response.
    pub is_request: bool,
    /// Departure.
    pub sent_at: SimTime,
    /// Arrival.
    pub deliver_at: SimTime,
    /// Will be lost on the way.
    pub doomed: bool,
    /// What a response reports (a vote granted or refused, an error).
    pub outcome: Option<Outcome>,
}

/// Which voters hold one offset of the active controller's log (with the leader's epoch for
/// it): the majority that makes a record committed, drawn by the log view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OffsetHolders {
    /// The offset.
    pub offset: Offset,
    /// The epoch of the leader's record at that offset.
    pub epoch: Epoch,
    /// Voters whose log holds that record (same offset, same epoch), ascending.
    pub voters: Vec<NodeId>,
    /// How many voters there are.
    pub voter_count: usize,
}

/// The whole picture at one instant.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterView {
    /// Virtual time.
    pub now: SimTime,
    /// Every node, by id.
    pub nodes: Vec<NodeView>,
    /// Messages in flight.
    pub messages: Vec<MessageView>,
    /// Cut directed links.
    pub cuts: Vec<(NodeId, NodeId)>,
    /// The active controller.
    pub leader: Option<NodeId>,
    /// Invariant violations so far.
    pub violations: Vec<Violation>,
    /// Network parameters.
    pub network: NetworkConfig,
    /// The metadata the active controller holds: offset, topics, partitions.
    pub metadata: MetadataSummary,
    /// For each offset of the active controller's log tail, the voters that hold it.
    pub holders: Vec<OffsetHolders>,
}

/// A few numbers about the cluster's metadata (the image the active controller loaded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MetadataSummary {
    /// The image's offset.
    pub offset: Offset,
    /// Topic names, in order (at most the first 200).
    pub topics: Vec<String>,
    /// How many topics.
    pub topic_count: usize,
    /// How many partitions.
    pub partition_count: usize,
    /// The image's content fingerprint (changes when anything but NoOps was applied).
    pub digest: u64,
}

impl ClusterView {
    /// Snapshots `world`, keeping the last `log_tail` records of each log.
    pub fn build(world: &World, log_tail: usize) -> ClusterView {
        let authority = world.authority_image().ok();
        let hw = world
            .active_leader()
            .and_then(|l| world.node(l))
            .and_then(|n| n.replica())
            .and_then(|r| r.high_watermark());
        let nodes: Vec<NodeView> = world
            .nodes()
            .map(|n| {
                let server = n.server();
                let image = server.map(|s| s.image());
                let replica = n.replica();
                let disk = n.disk();
                let log = disk.map(|d| &d.log);
                let end = log.map(|l| l.end_offset()).unwrap_or(0);
                let start = log.map(|l| l.start_offset()).unwrap_or(0);
                let tail_from = end.saturating_sub(log_tail as u64).max(start);
                let log_tail = log
                    .map(|l| {
                        l.entries(tail_from, end)
                            .map(|(offset, epoch, r)| LogEntryView {
                                offset,
                                epoch,
                                kind: r.type_name(),
                                summary: r.to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let votes = match replica.map(|r| r.state()) {
                    Some(State::Prospective(p)) => p.tally.all().collect(),
                    Some(State::Candidate(c)) => c.tally.all().collect(),
                    _ => Vec::new(),
                };
                let parked_fetches = replica
                    .and_then(|r| r.leader_state())
                    .map(|l| l.parked.iter().map(|p| p.from).collect())
                    .unwrap_or_default();
                NodeView {
                    id: n.id,
                    kind: n.kind,
                    status: n.status(),
                    role: replica.map(|r| r.role()),
                    is_voter: world.is_voter(n.id),
                    epoch: replica
                        .map(|r| r.epoch())
                        .or(disk.map(|d| d.election.epoch))
                        .or(n.zk().and_then(|p| p.server()).map(|z| z.epoch()))
                        .or(n
                            .zk()
                            .and_then(|p| p.broker())
                            .map(|b| b.controller_epoch()))
                        .unwrap_or(0),
                    leader: replica.and_then(|r| r.leader()),
                    voted: replica.and_then(|r| r.voted()),
                    high_watermark: replica.and_then(|r| r.high_watermark()),
                    log_end_offset: end,
                    log_start_offset: start,
                    timers: n
                        .timers()
                        .iter()
                        .map(|(kind, span)| TimerView {
                            kind: *kind,
                            started: span.started,
                            deadline: span.deadline,
                        })
                        .collect(),
                    votes,
                    shutting_down: replica.is_some_and(|r| r.is_shutting_down()),
                    parked_fetches,
                    log_tail,
                    broker_state: server.and_then(|s| s.broker()).map(|b| b.state().name()),
                    fenced: n
                        .kind
                        .has_broker()
                        .then(|| {
                            authority
                                .and_then(|a| a.brokers.get(&n.id.0))
                                .map(|b| b.fenced)
                        })
                        .flatten(),
                    active_controller: server.is_some_and(|s| s.is_active_controller()),
                    metadata_offset: image.map(|i| i.offset),
                    metadata_lag: image.zip(hw).map(|(i, hw)| hw.saturating_sub(i.offset)),
                    partitions: image.map(|i| i.partition_count),
                    snapshot_end: disk
                        .and_then(|d| d.snapshot.as_ref())
                        .map(|s| s.id.end_offset),
                    failure: n.failure().map(str::to_string),
                    zk_role: n.zk().and_then(|p| p.server()).map(|z| z.role()),
                    zk_controller_epoch: n
                        .zk()
                        .and_then(|p| p.broker())
                        .and_then(|b| b.controller())
                        .map(|c| c.epoch()),
                    zk_controller_stage: n
                        .zk()
                        .and_then(|p| p.broker())
                        .and_then(|b| b.controller())
                        .map(|c| ControllerStage::of(c.stage())),
                    zk_connected: n
                        .zk()
                        .and_then(|p| p.broker())
                        .map(|b| b.client().connected()),
                    zk_details: zk_details(n),
                }
            })
            .collect();
        let messages = world
            .network()
            .in_flight()
            .map(|e| MessageView {
                id: e.id,
                from: e.from,
                to: e.to,
                name: e.payload.name(),
                detail: e.payload.to_string(),
                is_request: e.payload.is_request(),
                sent_at: e.sent_at,
                deliver_at: e.deliver_at,
                doomed: e.doomed,
                outcome: e.payload.outcome(),
            })
            .collect();
        let holders = holders(&nodes, world.active_leader());
        ClusterView {
            now: world.now(),
            holders,
            nodes,
            messages,
            cuts: world.network().blocked().collect(),
            leader: world.active_leader(),
            violations: world.violations().to_vec(),
            network: world.network().config.clone(),
            metadata: authority
                .map(|a| MetadataSummary {
                    offset: a.offset,
                    topics: a
                        .topic_ids
                        .keys()
                        .take(200)
                        .map(|n| n.to_string())
                        .collect(),
                    topic_count: a.topics.len(),
                    partition_count: a.partition_count,
                    digest: a.digest,
                })
                .or_else(|| {
                    // ZooKeeper mode keeps no metadata image: the topics are znodes.
                    let (topics, topic_count, partition_count, digest) =
                        crate::tools::zookeeper::topic_summary(world)?;
                    Some(MetadataSummary {
                        offset: 0,
                        topics,
                        topic_count,
                        partition_count,
                        digest,
                    })
                })
                .unwrap_or_default(),
        }
    }

    /// One node's view.
    pub fn node(&self, id: NodeId) -> Option<&NodeView> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The voters holding `offset` of the active controller's log, if it is in the tail.
    pub fn holders_of(&self, offset: Offset) -> Option<&OffsetHolders> {
        self.holders.iter().find(|h| h.offset == offset)
    }
}

/// Which voters hold each record of the leader's log tail (same offset, same epoch).
fn holders(nodes: &[NodeView], leader: Option<NodeId>) -> Vec<OffsetHolders> {
    let Some(leader) = leader.and_then(|l| nodes.iter().find(|n| n.id == l)) else {
        return Vec::new();
    };
    let voters: Vec<&NodeView> = nodes.iter().filter(|n| n.is_voter).collect();
    leader
        .log_tail
        .iter()
        .map(|e| OffsetHolders {
            offset: e.offset,
            epoch: e.epoch,
            voters: voters
                .iter()
                .filter(|n| {
                    n.log_tail
                        .iter()
                        .any(|x| x.offset == e.offset && x.epoch == e.epoch)
                })
                .map(|n| n.id)
                .collect(),
            voter_count: voters.len(),
        })
        .collect()
}

/// The node menu's ZooKeeper-mode rows for one node (empty in KRaft mode).
fn zk_details(n: &super::node::SimNode) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(z) = n.zk().and_then(|p| p.server()) {
        out.push(("Mode", z.role().name().to_string()));
        out.push((
            "Serving",
            if z.serving() {
                "yes"
            } else {
                "no (electing or syncing)"
            }
            .into(),
        ));
        out.push((
            "Leader",
            z.leader()
                .map(|l| l.to_string())
                .unwrap_or_else(|| "none".into()),
        ));
        out.push(("Last zxid", format!("0x{:x}", z.last_zxid())));
        out.push(("Sessions", z.sessions().len().to_string()));
        out.push(("Connections", z.client_count().to_string()));
        out.push(("Queued requests", z.outstanding().to_string()));
    } else if let Some(d) = n.zk_disk() {
        out.push(("Epoch on disk", d.epoch.to_string()));
        out.push(("Last zxid on disk", format!("0x{:x}", d.last_zxid)));
    }
    if let Some(b) = n.zk().and_then(|p| p.broker()) {
        let c = b.client();
        out.push((
            "ZooKeeper session",
            match (c.session(), c.connected()) {
                (Some(s), true) => format!("0x{s:x} via {}", c.server()),
                (Some(s), false) => format!("0x{s:x}, reconnecting (trying {})", c.server()),
                (None, _) => format!("none yet (asking {})", c.server()),
            },
        ));
        out.push((
            "Registered",
            b.broker_epoch()
                .map(|e| format!("/brokers/ids/{} (broker epoch {e})", b.id()))
                .unwrap_or_else(|| "no".into()),
        ));
        out.push((
            "Obeys controller",
            match b.controller_id() {
                Some(c) => format!("{c} (controller epoch {})", b.controller_epoch()),
                None => "none known".into(),
            },
        ));
        if let Some(ctl) = b.controller() {
            out.push((
                "Controller work",
                format!("{} (epoch {})", ctl.stage().name(), ctl.epoch()),
            ));
        }
    }
    out
}

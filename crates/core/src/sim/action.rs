//! What a user can do to a running cluster. A run is `(seed, spec, [(time, UserAction)])`;
//! replaying the same list reproduces the run exactly.
//!
//! Every action is checked: one that makes no sense now (restarting a running node, dropping a
//! message that already arrived) is answered with a clear message and changes nothing.
//!
//! This file is the action type and its spelling (`UserAction`, `to_command`); how the world
//! applies one is `apply.rs`.

use std::fmt;

use crate::limits::Cost;

use crate::message::MsgId;
use crate::server::AdminOp;
use crate::types::{format_duration, Micros, NodeId};

use super::network::NetworkChange;

/// One user action, the one list of everything a user (a click, a typed command, a lesson's
/// `{run}` chip, a share link, a sweep) can do to a cluster. `N` is how nodes are named: the
/// engine applies `UserAction<NodeId>`; the scenario language parses `UserAction<NodeRef>`
/// (`leader`, a bound name, …) and resolves it when the line runs. Adding an action is one
/// variant here, its spelling in [`UserAction::to_command`], its parse, and its effect in
/// `World::apply`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserAction<N = NodeId> {
    /// Hard crash: the process dies, its disk survives.
    Crash(N),
    /// Start a crashed or stopped node from its disk.
    Restart(N),
    /// Graceful shutdown (a leader resigns with EndQuorumEpoch first).
    Shutdown(N),
    /// Stall the process for a while, like a long GC pause.
    Pause(N, Micros),
    /// Make the node's election or fetch timer fire now.
    TimeoutNow(N),
    /// Cut every link to and from the node.
    Isolate(N),
    /// Cut every link between nodes of different groups (both ways).
    Partition(Vec<Vec<N>>),
    /// Cut the links from every node of `from` to every node of `to` (one way only).
    PartitionOneWay {
        /// Senders whose messages are cut.
        from: Vec<N>,
        /// Receivers that no longer hear them.
        to: Vec<N>,
    },
    /// A bridge (non-transitive) partition, Jepsen's "bridge" nemesis: every link between
    /// `left` and `right` is cut both ways, and `node` keeps (or gets back) its links to both
    /// sides, so it can talk to nodes that cannot talk to each other.
    Bridge {
        /// The bridge node.
        node: N,
        /// One side.
        left: Vec<N>,
        /// The other side.
        right: Vec<N>,
    },
    /// A machine's clock runs fast or slow from now on: its local time advances `rate_ppm`
    /// microseconds per million of the world's, so its timers (election, fetch, check-quorum,
    /// heartbeats, sessions) fire early or late (`drift 3001 1.05`: 5% fast; `drift 3001 1`:
    /// exact again). Raft's safety does not depend on clocks; liveness and timing do.
    Drift(N, u32),
    /// Restore every link.
    Heal,
    /// Drop one message in flight.
    DropMessage(MsgId),
    /// Drop the next message to arrive that matches (`drop next [<Api>] [from …] [to …]`).
    DropNext {
        /// API name (`Fetch`, `Vote`, …), any case.
        name: Option<String>,
        /// Sender.
        from: Option<N>,
        /// Receiver.
        to: Option<N>,
    },
    /// Ask the active controller (or a given node) to append `count` records.
    Write {
        /// How many records.
        count: u32,
        /// A specific node to ask instead of the active controller.
        to: Option<N>,
    },
    /// Change some of the network's latency, loss, duplication or reordering.
    SetNetwork(NetworkChange),
    /// An admin operation, sent to the active controller.
    Admin(AdminOp),
    /// Change a key of a node's `server.properties` (effective at its next start).
    Configure {
        /// The node.
        node: N,
        /// The key (`node.id`, `process.roles`, `controller.quorum.voters`, `zookeeper.connect`).
        key: String,
        /// The value.
        value: String,
    },
    /// `kafka-storage format`: wipe a stopped node's storage and format it for a cluster id
    /// (the cluster's own if none is given).
    Format {
        /// The node.
        node: N,
        /// The cluster id to write.
        cluster_id: Option<String>,
    },
    /// Delete a stopped node's storage: it is no longer formatted.
    Unformat(N),
    /// `kafka-metadata-quorum add-controller`: a controller that caught up as an observer
    /// becomes a voter (dynamic quorum, KIP-853).
    AddController(N),
    /// `kafka-metadata-quorum remove-controller`: a voter leaves the voter set.
    RemoveController(N),
}

pub(super) fn ids<N: fmt::Display>(list: &[N]) -> String {
    list.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl<N> UserAction<N> {
    /// The same action with every node renamed by `f` (the scenario language resolves
    /// `leader` or a bound name to an id this way); the first refusal stops it.
    pub fn try_map_nodes<M, E>(
        &self,
        mut f: impl FnMut(&N) -> Result<M, E>,
    ) -> Result<UserAction<M>, E> {
        let mut many = |list: &[N]| list.iter().map(&mut f).collect::<Result<Vec<M>, E>>();
        Ok(match self {
            UserAction::Crash(n) => UserAction::Crash(f(n)?),
            UserAction::Restart(n) => UserAction::Restart(f(n)?),
            UserAction::Shutdown(n) => UserAction::Shutdown(f(n)?),
            UserAction::Pause(n, d) => UserAction::Pause(f(n)?, *d),
            UserAction::TimeoutNow(n) => UserAction::TimeoutNow(f(n)?),
            UserAction::Isolate(n) => UserAction::Isolate(f(n)?),
            UserAction::Partition(groups) => {
                let mut out = Vec::with_capacity(groups.len());
                for g in groups {
                    out.push(many(g)?);
                }
                UserAction::Partition(out)
            }
            UserAction::PartitionOneWay { from, to } => UserAction::PartitionOneWay {
                from: many(from)?,
                to: many(to)?,
            },
            UserAction::Bridge { node, left, right } => {
                let (left, right) = (many(left)?, many(right)?);
                UserAction::Bridge {
                    node: f(node)?,
                    left,
                    right,
                }
            }
            UserAction::Drift(n, rate) => UserAction::Drift(f(n)?, *rate),
            UserAction::Heal => UserAction::Heal,
            UserAction::DropMessage(id) => UserAction::DropMessage(*id),
            UserAction::DropNext { name, from, to } => UserAction::DropNext {
                name: name.clone(),
                from: from.as_ref().map(&mut f).transpose()?,
                to: to.as_ref().map(&mut f).transpose()?,
            },
            UserAction::Write { count, to } => UserAction::Write {
                count: *count,
                to: to.as_ref().map(&mut f).transpose()?,
            },
            UserAction::SetNetwork(c) => UserAction::SetNetwork(c.clone()),
            UserAction::Admin(op) => UserAction::Admin(op.clone()),
            UserAction::Configure { node, key, value } => UserAction::Configure {
                node: f(node)?,
                key: key.clone(),
                value: value.clone(),
            },
            UserAction::Format { node, cluster_id } => UserAction::Format {
                node: f(node)?,
                cluster_id: cluster_id.clone(),
            },
            UserAction::Unformat(n) => UserAction::Unformat(f(n)?),
            UserAction::AddController(n) => UserAction::AddController(f(n)?),
            UserAction::RemoveController(n) => UserAction::RemoveController(f(n)?),
        })
    }

    /// The one node the action targets, which `… as <name>` binds; `None` for actions on
    /// several nodes or none.
    pub fn target(&self) -> Option<&N> {
        match self {
            UserAction::Crash(n)
            | UserAction::Restart(n)
            | UserAction::Shutdown(n)
            | UserAction::Pause(n, _)
            | UserAction::TimeoutNow(n)
            | UserAction::Isolate(n)
            | UserAction::Drift(n, _)
            | UserAction::Configure { node: n, .. }
            | UserAction::Format { node: n, .. }
            | UserAction::Unformat(n)
            | UserAction::AddController(n)
            | UserAction::RemoveController(n) => Some(n),
            _ => None,
        }
    }

    /// What the action asks of the run's budget ([`crate::limits`]): the records the
    /// controller will be asked to write and the partitions it will create. Known from the
    /// action alone, so a script or a link is checked before anything runs.
    pub fn cost(&self) -> Cost {
        let records = |n: u64| Cost {
            records: n,
            partitions: 0,
        };
        match self {
            UserAction::Write { count, .. } => records(u64::from(*count)),
            UserAction::Admin(AdminOp::CreateTopic {
                partitions,
                configs,
                ..
            }) => Cost {
                records: 1 + u64::from(*partitions) + configs.len() as u64,
                partitions: u64::from(*partitions),
            },
            UserAction::Admin(AdminOp::CreateTopics {
                count, partitions, ..
            }) => Cost {
                records: u64::from(*count) * (1 + u64::from(*partitions)),
                partitions: u64::from(*count) * u64::from(*partitions),
            },
            UserAction::Admin(_)
            | UserAction::AddController(_)
            | UserAction::RemoveController(_) => records(1),
            _ => Cost::default(),
        }
    }

    /// The command word (`crash`, `partition`, …): what lessons and exercises count.
    pub fn op(&self) -> &'static str {
        match self {
            UserAction::Crash(_) => "crash",
            UserAction::Restart(_) => "restart",
            UserAction::Shutdown(_) => "shutdown",
            UserAction::Pause(..) => "pause",
            UserAction::TimeoutNow(_) => "timeout",
            UserAction::Isolate(_) => "isolate",
            UserAction::Partition(_) | UserAction::PartitionOneWay { .. } => "partition",
            UserAction::Bridge { .. } => "bridge",
            UserAction::Drift(..) => "drift",
            UserAction::Heal => "heal",
            UserAction::DropMessage(_) | UserAction::DropNext { .. } => "drop",
            UserAction::Write { .. } => "write",
            UserAction::SetNetwork(_) => "network",
            UserAction::Admin(AdminOp::CreateTopic { .. }) => "create-topic",
            UserAction::Admin(AdminOp::CreateTopics { .. }) => "create-topics",
            UserAction::Admin(AdminOp::DeleteTopic { .. }) => "delete-topic",
            UserAction::Admin(AdminOp::AlterConfig { .. }) => "alter-config",
            UserAction::Configure { .. } => "configure",
            UserAction::Format { .. } => "format",
            UserAction::Unformat(_) => "unformat",
            UserAction::AddController(_) => "add-controller",
            UserAction::RemoveController(_) => "remove-controller",
        }
    }
}

/// Every command word [`UserAction::op`] returns: the one list of the user's actions that the
/// scenario language's parser ("did you mean"), its `actions <word> …` condition and the fuzz
/// test read (a test holds it to `op`).
pub const OPS: &[&str] = &[
    "crash",
    "restart",
    "shutdown",
    "pause",
    "timeout",
    "isolate",
    "partition",
    "bridge",
    "drift",
    "heal",
    "drop",
    "write",
    "network",
    "create-topic",
    "create-topics",
    "delete-topic",
    "alter-config",
    "configure",
    "format",
    "unformat",
    "add-controller",
    "remove-controller",
];

impl<N: fmt::Display> UserAction<N> {
    /// The action as a line of the scenario language (the inverse of parsing it).
    pub fn to_command(&self) -> String {
        match self {
            UserAction::Crash(n) => format!("crash {n}"),
            UserAction::Restart(n) => format!("restart {n}"),
            UserAction::Shutdown(n) => format!("shutdown {n}"),
            UserAction::Pause(n, d) => format!("pause {n} {}", format_duration(*d)),
            UserAction::TimeoutNow(n) => format!("timeout {n}"),
            UserAction::Isolate(n) => format!("isolate {n}"),
            UserAction::Partition(groups) => format!(
                "partition {}",
                groups
                    .iter()
                    .map(|g| ids(g))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            UserAction::PartitionOneWay { from, to } => {
                format!("partition {} -> {}", ids(from), ids(to))
            }
            UserAction::Bridge { node, left, right } => {
                format!("bridge {node} {} | {}", ids(left), ids(right))
            }
            UserAction::Drift(n, rate) => format!("drift {n} {}", drift_factor(*rate)),
            UserAction::Heal => "heal".into(),
            UserAction::DropMessage(id) => format!("drop {id}"),
            UserAction::DropNext { name, from, to } => {
                let mut s = "drop next".to_string();
                if let Some(n) = name {
                    s += &format!(" {n}");
                }
                if let Some(f) = from {
                    s += &format!(" from {f}");
                }
                if let Some(t) = to {
                    s += &format!(" to {t}");
                }
                s
            }
            UserAction::Write { count, to: None } => format!("write {count}"),
            UserAction::Write { count, to: Some(n) } => format!("write {count} to {n}"),
            UserAction::Admin(op) => op.to_command(),
            UserAction::Configure { node, key, value } => format!("configure {node} {key}={value}"),
            UserAction::Format {
                node,
                cluster_id: None,
            } => format!("format {node}"),
            UserAction::Format {
                node,
                cluster_id: Some(c),
            } => format!("format {node} cluster-id={c}"),
            UserAction::Unformat(node) => format!("unformat {node}"),
            UserAction::AddController(node) => format!("add-controller {node}"),
            UserAction::RemoveController(node) => format!("remove-controller {node}"),
            UserAction::SetNetwork(c) => format!("network {}", c.to_settings()),
        }
    }
}

/// A clock rate in parts per million as the factor `drift` takes (`1.05`, `0.9`, `1`).
pub fn drift_factor(rate_ppm: u32) -> String {
    let s = crate::decimal::scaled(rate_ppm.into(), 6);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The slowest and fastest clock `drift` accepts, in parts per million (half and double
/// speed: far beyond real clock drift, which is parts per million, but enough to show what a
/// fast or slow timer does).
pub const DRIFT_RANGE: std::ops::RangeInclusive<u32> = 500_000..=2_000_000;

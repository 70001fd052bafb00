//! The scenario language's syntax tree: commands, node references, what `show` prints, and
//! the errors every floor above reports with a line number. Actions are the engine's own
//! [`UserAction`], with nodes still as the scenario names them ([`NodeRef`]).

use std::collections::BTreeMap;
use std::fmt;

use crate::sim::{ClusterSpec, UserAction, World};
use crate::trace::Verbosity;
use crate::types::{Micros, NodeId};

use super::condition::Condition;

/// A scenario that could not be parsed or whose run failed, with the 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// 1-based line number (0 when no line applies).
    pub line: usize,
    /// What went wrong, and what was expected.
    pub message: String,
}

impl ScenarioError {
    /// An error on `line`.
    pub fn new(line: usize, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// A node as a scenario names it: an id, a role alias resolved when the line runs, or a name
/// bound earlier with `as`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// A `node.id` (`3001`, `0`, `zk1`).
    Id(NodeId),
    /// The active controller at that moment.
    Leader,
    /// The lowest-numbered live voter following the active controller.
    Follower,
    /// A name bound by `… as <name>`.
    Name(String),
    /// The controller: ZooKeeper mode's `/controller` broker, KRaft's active controller.
    Controller,
    /// ZooKeeper mode: the serving ZooKeeper leader.
    ZkLeader,
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Id(id) => write!(f, "{id}"),
            NodeRef::Leader => write!(f, "leader"),
            NodeRef::Follower => write!(f, "follower"),
            NodeRef::Name(n) => write!(f, "{n}"),
            NodeRef::Controller => write!(f, "controller"),
            NodeRef::ZkLeader => write!(f, "zk-leader"),
        }
    }
}

/// Words that cannot be names bound with `as`.
pub(crate) const RESERVED: &[&str] = &[
    "leader",
    "follower",
    "controller",
    "zk-leader",
    "as",
    "and",
    "not",
    "to",
    "from",
    "next",
    "within",
    "until",
];

impl NodeRef {
    /// Parses a node reference: an id, `leader`, `follower`, `controller`, `zk-leader` or a
    /// name bound with `as`.
    pub fn parse(token: &str) -> Result<NodeRef, String> {
        match token {
            "leader" => Ok(NodeRef::Leader),
            "follower" => Ok(NodeRef::Follower),
            "controller" => Ok(NodeRef::Controller),
            "zk-leader" => Ok(NodeRef::ZkLeader),
            t => {
                if let Some(id) = NodeId::parse(t) {
                    Ok(NodeRef::Id(id))
                } else if t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    && !RESERVED.contains(&t)
                {
                    Ok(NodeRef::Name(t.to_string()))
                } else {
                    Err(format!("`{t}` is not a node: expected a node id (3000, 0, zk1), `leader`, `follower` or a name bound with `as`"))
                }
            }
        }
    }

    /// The node this reference means now in `world`, with `names` bound earlier by `as`.
    pub fn resolve(
        &self,
        world: &World,
        names: &BTreeMap<String, NodeId>,
    ) -> Result<NodeId, String> {
        match self {
            NodeRef::Id(id) => {
                if world.node(*id).is_some() {
                    Ok(*id)
                } else {
                    Err(format!(
                        "there is no node {id} in this cluster (nodes: {})",
                        world
                            .nodes()
                            .map(|n| n.id.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            }
            NodeRef::Leader => world
                .active_leader()
                .ok_or_else(|| "`leader`: there is no active controller right now".to_string()),
            NodeRef::Follower => world.a_follower().ok_or_else(|| {
                "`follower`: no live voter follows an active controller right now".to_string()
            }),
            NodeRef::Controller => world
                .zk_controller()
                .map(|(id, _)| id)
                .or_else(|| world.active_leader())
                .ok_or_else(|| "`controller`: there is no controller right now".to_string()),
            NodeRef::ZkLeader => world.zk_leader().ok_or_else(|| {
                "`zk-leader`: no ZooKeeper server leads right now (or this is a KRaft cluster)"
                    .to_string()
            }),
            NodeRef::Name(n) => names.get(n).copied().ok_or_else(|| {
                format!("`{n}` is not a known name; bind one first, like `crash leader as {n}`")
            }),
        }
    }
}

/// An action as a scenario writes it: the engine's action with nodes not yet resolved.
pub type Action = UserAction<NodeRef>;

/// What `show` prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Show {
    /// `kafka-metadata-quorum describe --status`
    Status,
    /// `kafka-metadata-quorum describe --replication [--human-readable]`
    Replication {
        /// `--human-readable`
        human_readable: bool,
    },
    /// A node's log.
    Log(NodeRef),
    /// One line per node.
    Nodes,
    /// Messages in flight.
    Messages,
    /// Invariant violations.
    Violations,
    /// `show metadata-log [<node>] [from <offset>]`: `kafka-dump-log --cluster-metadata-decoder`.
    MetadataLog(Option<NodeRef>, u64),
    /// `show topics [<name>] [on <node>]`: `kafka-topics --describe`.
    Topics(Option<String>, Option<NodeRef>),
    /// `show image <node>`: the node's metadata image.
    Image(NodeRef),
    /// `show config <node>`: `server.properties` and `meta.properties`.
    Config(NodeRef),
    /// `show zk-tree [<server>]`: the ZooKeeper data tree.
    ZkTree(Option<NodeRef>),
    /// `show controller`: who the controller is and what it is doing.
    Controller,
    /// `show srvr`: each ZooKeeper server's `srvr` answer.
    Srvr,
}

/// One command of the language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `cluster kraft …`: build a new cluster.
    Cluster(Box<ClusterSpec>),
    /// `run <duration>`
    Run(Micros),
    /// `run until <condition> within <duration>`
    RunUntil {
        /// What must come to hold.
        condition: Condition,
        /// How long to wait at most.
        within: Micros,
    },
    /// `at <time> <command>`: run until the absolute time, then do the command.
    At(Micros, Box<Command>),
    /// An action, optionally binding the node it targets to a name (`crash leader as old`).
    Do(Action, Option<String>),
    /// `expect <condition>`
    Expect(Condition),
    /// `show …`
    Show(Show),
    /// `trace off|elections|events|all`: how much `run` prints.
    Trace(Verbosity),
}

/// A parsed line with its number and text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number.
    pub number: usize,
    /// The source text (comment stripped).
    pub text: String,
    /// The command.
    pub command: Command,
}

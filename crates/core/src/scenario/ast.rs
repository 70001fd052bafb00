//! The scenario language's syntax tree: commands, node references, what `show` prints, and
//! the errors every floor above reports with a line number. Actions are the engine's own
//! [`UserAction`], with nodes still as the scenario names them ([`NodeRef`]).

use std::fmt;

use crate::sim::{ClusterSpec, UserAction};
use crate::trace::Verbosity;
use crate::types::Micros;

use super::condition::Condition;
use super::node_ref::NodeRef;

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
    /// `name <node> as <name>`: binds a name to the node a reference means now, without acting
    /// (a lesson remembers "the leader as it is now").
    Name(NodeRef, String),
    /// `begin`: the history that `ever`, `never`, `actions`, `restarted` and `no committed
    /// record lost` read starts again now (an exercise begins here).
    Begin,
    /// `allow violations`: the run goes on after an invariant breaks (for scenarios that break
    /// a rule on purpose, with a teaching switch or a misconfiguration); check what broke with
    /// `expect violated <property>`.
    AllowViolations,
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

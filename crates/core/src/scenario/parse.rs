//! Parsing the scenario language. Every error names its line and what was expected; nothing a
//! user writes can make the parser panic.

use std::fmt;

use crate::kraft::QuorumConfig;
use crate::sim::{ClusterSpec, NetworkConfig};
use crate::trace::Verbosity;
use crate::types::{parse_duration, Micros, NodeId};

use super::condition::{parse_condition, Condition};
use crate::text::suggest;

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

/// Changes to the network's parameters (`network …`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkChange {
    /// New latency range.
    pub latency: Option<(Micros, Micros)>,
    /// New loss probability (ppm).
    pub loss_ppm: Option<u32>,
    /// New duplication probability (ppm).
    pub duplicate_ppm: Option<u32>,
    /// Reordering on or off.
    pub reorder: Option<bool>,
}

impl NetworkChange {
    /// Applies the change to `cfg`.
    pub fn apply_to(&self, cfg: &mut NetworkConfig) {
        if let Some((a, b)) = self.latency {
            cfg.latency_min = a;
            cfg.latency_max = b;
        }
        if let Some(p) = self.loss_ppm {
            cfg.loss_ppm = p;
        }
        if let Some(p) = self.duplicate_ppm {
            cfg.duplicate_ppm = p;
        }
        if let Some(r) = self.reorder {
            cfg.reorder = r;
        }
    }
}

/// An action on the cluster, with nodes still unresolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Act {
    /// `crash <node>`
    Crash(NodeRef),
    /// `restart <node>`
    Restart(NodeRef),
    /// `shutdown <node>`
    Shutdown(NodeRef),
    /// `pause <node> <duration>`
    Pause(NodeRef, Micros),
    /// `timeout <node>` ("time out now")
    Timeout(NodeRef),
    /// `isolate <node>`
    Isolate(NodeRef),
    /// `partition a,b | c,d`
    Partition(Vec<Vec<NodeRef>>),
    /// `partition a,b -> c,d`
    PartitionOneWay(Vec<NodeRef>, Vec<NodeRef>),
    /// `heal`
    Heal,
    /// `drop <message id>`
    DropId(u64),
    /// `drop next [<Api>] [from <node>] [to <node>]`
    DropNext {
        /// API name (`Fetch`, `Vote`, …).
        name: Option<String>,
        /// Sender.
        from: Option<NodeRef>,
        /// Receiver.
        to: Option<NodeRef>,
    },
    /// `write <n> [to <node>]`
    Write(u32, Option<NodeRef>),
    /// `network latency=… loss=… duplicate=… reorder=…`
    Network(NetworkChange),
    /// `create-topic <name> partitions=<n> rf=<n> [<config>=<value> …]`
    CreateTopic {
        /// Topic name.
        name: String,
        /// Partition count.
        partitions: u32,
        /// Replication factor.
        replication_factor: u32,
        /// Topic configs.
        configs: Vec<(String, String)>,
    },
    /// `create-topics <prefix> count=<n> partitions=<n> rf=<n>`: many topics at once.
    CreateTopics {
        /// Name prefix.
        prefix: String,
        /// Number of the first topic.
        first: u32,
        /// How many.
        count: u32,
        /// Partitions each.
        partitions: u32,
        /// Replication factor.
        replication_factor: u32,
    },
    /// `delete-topic <name>`
    DeleteTopic(String),
    /// `alter-config <topic | broker | broker:<id>> <key>=<value | none>`
    AlterConfig {
        /// The resource.
        resource: String,
        /// Key.
        key: String,
        /// Value, `None` to delete.
        value: Option<String>,
    },
    /// `configure <node> <key>=<value>`: edit `server.properties` (effective at restart).
    Configure(NodeRef, String, String),
    /// `format <node> [cluster-id=<id>]`: `kafka-storage format`.
    Format(NodeRef, Option<String>),
    /// `unformat <node>`: delete the node's storage.
    Unformat(NodeRef),
    /// `add-controller <node>`: `kafka-metadata-quorum add-controller`.
    AddController(NodeRef),
    /// `remove-controller <node>`: `kafka-metadata-quorum remove-controller`.
    RemoveController(NodeRef),
}

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
    Do(Act, Option<String>),
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

/// The command words, for "did you mean" hints.
pub const COMMANDS: &[&str] = &[
    "cluster",
    "run",
    "at",
    "write",
    "crash",
    "restart",
    "shutdown",
    "pause",
    "timeout",
    "isolate",
    "partition",
    "heal",
    "drop",
    "network",
    "expect",
    "show",
    "trace",
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

const RESERVED: &[&str] = &[
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

/// Parses a whole scenario. Blank lines and `#` comments are skipped.
pub fn parse_script(text: &str) -> Result<Vec<Line>, ScenarioError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let number = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let command = parse_command(content).map_err(|m| ScenarioError::new(number, m))?;
        out.push(Line {
            number,
            text: content.to_string(),
            command,
        });
    }
    Ok(out)
}

/// Splits a line into words, making `|`, `->` and `,` separate tokens.
pub(crate) fn tokenize(line: &str) -> Vec<String> {
    let spaced = line
        .replace("->", " -> ")
        .replace('|', " | ")
        .replace(',', " , ");
    spaced.split_whitespace().map(|s| s.to_string()).collect()
}

/// Parses one command line (without comment).
pub fn parse_command(line: &str) -> Result<Command, String> {
    let tokens = tokenize(line);
    let Some(first) = tokens.first() else {
        return Err("empty command".into());
    };
    let rest = &tokens[1..];
    match first.as_str() {
        "cluster" => parse_cluster(rest).map(|s| Command::Cluster(Box::new(s))),
        "run" => parse_run(rest),
        "at" => {
            let time = rest
                .first()
                .and_then(|t| parse_duration(t))
                .ok_or("`at` needs a time and a command, like `at 2.5s crash 3001`")?;
            if rest.len() < 2 {
                return Err(
                    "`at` needs a command after the time, like `at 2.5s crash 3001`".into(),
                );
            }
            let inner = parse_command(&rest[1..].join(" "))?;
            if matches!(inner, Command::Cluster(_) | Command::At(..)) {
                return Err("`at` cannot hold `cluster` or another `at`".into());
            }
            Ok(Command::At(time, Box::new(inner)))
        }
        "expect" => {
            if rest.is_empty() {
                return Err("`expect` needs a condition, like `expect leader == 3001`".into());
            }
            parse_condition(rest).map(Command::Expect)
        }
        "show" => parse_show(rest).map(Command::Show),
        "trace" => {
            let level = rest.first().map(|s| s.as_str()).unwrap_or("");
            Verbosity::parse(level)
                .filter(|_| rest.len() == 1)
                .map(Command::Trace)
                .ok_or_else(|| {
                    format!(
                        "`trace` takes one of off, elections, events, all (got `{}`)",
                        rest.join(" ")
                    )
                })
        }
        word => {
            let (act_tokens, bind) = split_binding(rest)?;
            match parse_act(word, act_tokens)? {
                Some(act) => {
                    if bind.is_some() && bound_target(&act).is_none() {
                        return Err(format!(
                            "`as <name>` only works with a command on one node, not `{word}`"
                        ));
                    }
                    Ok(Command::Do(act, bind))
                }
                None => Err(format!(
                    "unknown command `{word}`{}",
                    suggest(word, COMMANDS)
                )),
            }
        }
    }
}

/// The one node an action targets, which `as <name>` binds.
pub fn bound_target(act: &Act) -> Option<&NodeRef> {
    match act {
        Act::Crash(n)
        | Act::Restart(n)
        | Act::Shutdown(n)
        | Act::Pause(n, _)
        | Act::Timeout(n)
        | Act::Isolate(n)
        | Act::Configure(n, _, _)
        | Act::Format(n, _)
        | Act::Unformat(n)
        | Act::AddController(n)
        | Act::RemoveController(n) => Some(n),
        _ => None,
    }
}

fn split_binding(tokens: &[String]) -> Result<(&[String], Option<String>), String> {
    match tokens.iter().position(|t| t == "as") {
        None => Ok((tokens, None)),
        Some(i) => {
            let name = tokens
                .get(i + 1)
                .ok_or("`as` needs a name, like `crash leader as old`")?;
            if tokens.len() != i + 2 {
                return Err("`as <name>` must end the line".into());
            }
            let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                && !RESERVED.contains(&name.as_str())
                && NodeId::parse(name).is_none();
            if !valid {
                return Err(format!("`{name}` cannot be a name: use letters, digits, `_` or `-`, starting with a letter, and not a keyword"));
            }
            Ok((&tokens[..i], Some(name.clone())))
        }
    }
}

/// Parses a node reference.
pub fn parse_node(token: &str) -> Result<NodeRef, String> {
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

/// Parses `a , b , c` into nodes.
fn parse_node_list(tokens: &[String]) -> Result<Vec<NodeRef>, String> {
    let mut out = Vec::new();
    let mut expect_node = true;
    for t in tokens {
        if t == "," {
            if expect_node {
                return Err("a node list has an empty item".into());
            }
            expect_node = true;
        } else {
            if !expect_node {
                return Err(format!("expected `,` between nodes, got `{t}`"));
            }
            out.push(parse_node(t)?);
            expect_node = false;
        }
    }
    if out.is_empty() || expect_node {
        return Err("expected a list of nodes like `3000,3001`".into());
    }
    Ok(out)
}

fn one_node(word: &str, tokens: &[String]) -> Result<NodeRef, String> {
    match tokens {
        [t] => parse_node(t),
        [] => Err(format!(
            "`{word}` needs a node, like `{word} 3001` or `{word} leader`"
        )),
        _ => Err(format!(
            "`{word}` takes one node, got `{}`",
            tokens.join(" ")
        )),
    }
}

fn parse_act(word: &str, tokens: &[String]) -> Result<Option<Act>, String> {
    Ok(Some(match word {
        "crash" => Act::Crash(one_node(word, tokens)?),
        "restart" => Act::Restart(one_node(word, tokens)?),
        "shutdown" => Act::Shutdown(one_node(word, tokens)?),
        "timeout" => Act::Timeout(one_node(word, tokens)?),
        "isolate" => Act::Isolate(one_node(word, tokens)?),
        "heal" => {
            if !tokens.is_empty() {
                return Err("`heal` takes nothing: it restores every link".into());
            }
            Act::Heal
        }
        "pause" => match tokens {
            [node, d] => Act::Pause(
                parse_node(node)?,
                parse_duration(d).filter(|d| *d > 0).ok_or_else(|| format!("`{d}` is not a duration like `8s`"))?,
            ),
            _ => return Err("`pause` needs a node and a duration, like `pause 3001 8s`".into()),
        },
        "write" => {
            let count = tokens
                .first()
                .and_then(|t| t.parse::<u32>().ok())
                .filter(|n| (1..=100_000).contains(n))
                .ok_or("`write` needs a number of records between 1 and 100000, like `write 5`")?;
            match &tokens[1..] {
                [] => Act::Write(count, None),
                [to, node] if to == "to" => Act::Write(count, Some(parse_node(node)?)),
                _ => return Err("expected `write <n>` or `write <n> to <node>`".into()),
            }
        }
        "partition" => {
            if let Some(arrow) = tokens.iter().position(|t| t == "->") {
                let from = parse_node_list(&tokens[..arrow])?;
                let to = parse_node_list(&tokens[arrow + 1..])?;
                Act::PartitionOneWay(from, to)
            } else {
                let groups: Vec<&[String]> = tokens.split(|t| t == "|").collect();
                if groups.len() < 2 {
                    return Err("`partition` needs groups separated by `|` (like `partition 3000 | 3001,3002`) or a one-way cut (`partition 3000 -> 3001`)".into());
                }
                Act::Partition(groups.into_iter().map(parse_node_list).collect::<Result<_, _>>()?)
            }
        }
        "drop" => match tokens {
            [id] if id.parse::<u64>().is_ok() => Act::DropId(id.parse().unwrap_or(0)),
            [next, rest @ ..] if next == "next" => {
                let mut name = None;
                let mut from = None;
                let mut to = None;
                let mut i = 0;
                while i < rest.len() {
                    match rest[i].as_str() {
                        "from" | "to" => {
                            let node = rest.get(i + 1).ok_or_else(|| format!("`{}` needs a node", rest[i]))?;
                            let n = parse_node(node)?;
                            if rest[i] == "from" {
                                from = Some(n);
                            } else {
                                to = Some(n);
                            }
                            i += 2;
                        }
                        api if i == 0 => {
                            name = Some(api.to_string());
                            i += 1;
                        }
                        other => return Err(format!("unexpected `{other}` in `drop next [<Api>] [from <node>] [to <node>]`")),
                    }
                }
                Act::DropNext { name, from, to }
            }
            _ => return Err("`drop` takes a message id (`drop 42`) or `drop next [<Api>] [from <node>] [to <node>]`".into()),
        },
        "network" => Act::Network(parse_network(tokens)?),
        "create-topic" => parse_create_topic(tokens)?,
        "create-topics" => {
            let usage = "`create-topics` takes a prefix, `count=<n>`, `partitions=<n>` and `rf=<n>`, like `create-topics load count=1000 partitions=100 rf=3`";
            let (prefix, rest) = tokens.split_first().ok_or(usage)?;
            if prefix.contains('=') {
                return Err(usage.into());
            }
            let (mut count, mut partitions, mut rf, mut first) = (None, 1, 1, 0);
            for (k, v) in key_values(rest)? {
                let n = v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n >= 1 || k == "first")
                    .ok_or_else(|| format!("`{k}` takes a whole number from 1, got `{v}`"))?;
                match k.as_str() {
                    "first" if n <= 10_000_000 => first = n,
                    "count" if n <= 100_000 => count = Some(n),
                    "partitions" if n <= 100_000 => partitions = n,
                    "rf" | "replication-factor" if n <= 50 => rf = n,
                    _ => return Err(format!("`{k}={v}` is not a setting of create-topics (count ≤ 100000, partitions ≤ 100000, rf ≤ 50)")),
                }
            }
            Act::CreateTopics {
                prefix: prefix.clone(),
                first,
                count: count.ok_or(usage)?,
                partitions,
                replication_factor: rf,
            }
        }
        "delete-topic" => match tokens {
            [name] => Act::DeleteTopic(name.clone()),
            _ => return Err("`delete-topic` takes one topic name, like `delete-topic orders`".into()),
        },
        "alter-config" => match tokens {
            [resource, kv] => {
                let (key, value) = kv
                    .split_once('=')
                    .filter(|(k, _)| !k.is_empty())
                    .ok_or_else(|| format!("expected `key=value`, got `{kv}`"))?;
                Act::AlterConfig {
                    resource: resource.clone(),
                    key: key.to_string(),
                    value: (value != "none").then(|| value.to_string()),
                }
            }
            _ => return Err("`alter-config` takes a resource and one setting, like `alter-config orders retention.ms=60000` (`broker`, `broker:1` for brokers; `=none` deletes)".into()),
        },
        "configure" => {
            // `controller.quorum.voters=3000@h:9093,3001@h:9093` was split at the commas.
            let (node, rest) = tokens
                .split_first()
                .ok_or("`configure` needs a node and a setting, like `configure 3002 node.id=3001`")?;
            let setting: String = rest.concat();
            let (key, value) = setting
                .split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .ok_or("`configure` needs a setting `key=value`, like `configure 3002 node.id=3001`")?;
            Act::Configure(parse_node(node)?, key.to_string(), value.to_string())
        }
        "format" => match tokens {
            [node] => Act::Format(parse_node(node)?, None),
            [node, c] => {
                let id = c
                    .strip_prefix("cluster-id=")
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| format!("expected `cluster-id=<id>`, got `{c}`"))?;
                Act::Format(parse_node(node)?, Some(id.to_string()))
            }
            _ => return Err("`format` takes a node and optionally `cluster-id=<id>`".into()),
        },
        "unformat" => Act::Unformat(one_node(word, tokens)?),
        "add-controller" => Act::AddController(one_node(word, tokens)?),
        "remove-controller" => Act::RemoveController(one_node(word, tokens)?),
        _ => return Ok(None),
    }))
}

fn parse_create_topic(tokens: &[String]) -> Result<Act, String> {
    let usage = "`create-topic` takes a name, `partitions=<n>` and `rf=<n>`, like `create-topic orders partitions=3 rf=3`";
    let (name, rest) = tokens.split_first().ok_or(usage)?;
    if name.contains('=') {
        return Err(usage.into());
    }
    let mut partitions = None;
    let mut replication_factor = None;
    let mut configs = Vec::new();
    for (k, v) in key_values(rest)? {
        match k.as_str() {
            "partitions" => {
                partitions = Some(
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| (1..=100_000).contains(n))
                        .ok_or_else(|| format!("`partitions` takes 1 to 100000, got `{v}`"))?,
                )
            }
            "rf" | "replication-factor" => {
                replication_factor = Some(
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| (1..=50).contains(n))
                        .ok_or_else(|| format!("`rf` takes 1 to 50, got `{v}`"))?,
                )
            }
            _ => configs.push((k, v)),
        }
    }
    Ok(Act::CreateTopic {
        name: name.clone(),
        partitions: partitions.unwrap_or(1),
        replication_factor: replication_factor.unwrap_or(1),
        configs,
    })
}

fn parse_run(tokens: &[String]) -> Result<Command, String> {
    match tokens {
        [d] => parse_duration(d)
            .map(Command::Run)
            .ok_or_else(|| format!("`{d}` is not a duration like `5s` or `250ms`")),
        [until, rest @ ..] if until == "until" => {
            let within = rest
                .iter()
                .position(|t| t == "within")
                .ok_or("`run until` needs a limit, like `run until leader within 10s`")?;
            let limit = &rest[within + 1..];
            let within_us = match limit {
                [d] => parse_duration(d)
                    .ok_or_else(|| format!("`{d}` is not a duration like `10s`"))?,
                _ => return Err("`within` takes one duration, like `within 10s`".into()),
            };
            let condition = parse_condition(&rest[..within])?;
            Ok(Command::RunUntil {
                condition,
                within: within_us,
            })
        }
        _ => Err(
            "`run` takes a duration (`run 5s`) or `run until <condition> within <duration>`".into(),
        ),
    }
}

fn parse_show(tokens: &[String]) -> Result<Show, String> {
    let words: Vec<&str> = tokens.iter().map(|s| s.as_str()).collect();
    Ok(match words.as_slice() {
        ["status"] => Show::Status,
        ["replication"] => Show::Replication {
            human_readable: false,
        },
        ["replication", "--human-readable"] => Show::Replication {
            human_readable: true,
        },
        ["log", node] => Show::Log(parse_node(node)?),
        ["nodes"] => Show::Nodes,
        ["messages"] => Show::Messages,
        ["violations"] => Show::Violations,
        ["image", node] => Show::Image(parse_node(node)?),
        ["config", node] => Show::Config(parse_node(node)?),
        ["zk-tree"] => Show::ZkTree(None),
        ["zk-tree", node] => Show::ZkTree(Some(parse_node(node)?)),
        ["controller"] => Show::Controller,
        ["srvr"] => Show::Srvr,
        ["metadata-log", rest @ ..] => {
            let (node, from) = match rest {
                [] => (None, 0),
                ["from", o] => (None, parse_offset(o)?),
                [n] => (Some(parse_node(n)?), 0),
                [n, "from", o] => (Some(parse_node(n)?), parse_offset(o)?),
                _ => return Err("expected `show metadata-log [<node>] [from <offset>]`".into()),
            };
            Show::MetadataLog(node, from)
        }
        ["topics", rest @ ..] => {
            let (name, on) = match rest {
                [] => (None, None),
                ["on", n] => (None, Some(parse_node(n)?)),
                [t] => (Some(t.to_string()), None),
                [t, "on", n] => (Some(t.to_string()), Some(parse_node(n)?)),
                _ => return Err("expected `show topics [<name>] [on <node>]`".into()),
            };
            Show::Topics(name, on)
        }
        [] => return Err(format!("`show` needs what to show: {}", SHOWS.join(", "))),
        [w, ..] => {
            return Err(format!(
                "cannot show `{}`: expected {}{}",
                tokens.join(" "),
                SHOWS.join(", "),
                suggest(w, SHOW_WORDS)
            ))
        }
    })
}

const SHOWS: &[&str] = &[
    "status",
    "replication [--human-readable]",
    "log <node>",
    "nodes",
    "messages",
    "violations",
    "metadata-log [<node>] [from <offset>]",
    "topics [<name>] [on <node>]",
    "image <node>",
    "config <node>",
    "zk-tree [<server>]",
    "controller",
];

const SHOW_WORDS: &[&str] = &[
    "status",
    "replication",
    "log",
    "nodes",
    "messages",
    "violations",
    "metadata-log",
    "topics",
    "image",
    "config",
    "zk-tree",
    "controller",
    "srvr",
];

fn parse_offset(v: &str) -> Result<u64, String> {
    v.parse()
        .map_err(|_| format!("`{v}` is not an offset (a whole number)"))
}

fn parse_percent(v: &str) -> Result<u32, String> {
    let number = v.strip_suffix('%').unwrap_or(v);
    let p: f64 = number
        .parse()
        .ok()
        .filter(|p: &f64| p.is_finite() && (0.0..=100.0).contains(p))
        .ok_or_else(|| format!("`{v}` is not a percentage between 0% and 100%"))?;
    Ok((p * 10_000.0).round() as u32)
}

fn parse_on_off(key: &str, v: &str) -> Result<bool, String> {
    match v {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        _ => Err(format!("`{key}` takes on or off, got `{v}`")),
    }
}

/// Parses `10ms..20ms` or a single `15ms`.
fn parse_latency(v: &str) -> Result<(Micros, Micros), String> {
    let err = || format!("`latency` takes a duration or a range like `10ms..20ms`, got `{v}`");
    let (a, b) = match v.split_once("..") {
        Some((a, b)) => (
            parse_duration(a).ok_or_else(err)?,
            parse_duration(b).ok_or_else(err)?,
        ),
        None => {
            let d = parse_duration(v).ok_or_else(err)?;
            (d, d)
        }
    };
    if a > b {
        return Err(format!("latency range `{v}` goes backwards"));
    }
    if b > 60_000_000 {
        return Err("latency above one minute is not supported".into());
    }
    Ok((a, b))
}

fn key_values(tokens: &[String]) -> Result<Vec<(String, String)>, String> {
    tokens
        .iter()
        .map(|t| {
            t.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| format!("expected `key=value`, got `{t}`"))
        })
        .collect()
}

fn parse_network(tokens: &[String]) -> Result<NetworkChange, String> {
    if tokens.is_empty() {
        return Err("`network` needs settings like `network latency=5ms..10ms loss=1%`".into());
    }
    let mut change = NetworkChange::default();
    for (k, v) in key_values(tokens)? {
        match k.as_str() {
            "latency" => change.latency = Some(parse_latency(&v)?),
            "loss" => change.loss_ppm = Some(parse_percent(&v)?),
            "duplicate" | "duplication" => change.duplicate_ppm = Some(parse_percent(&v)?),
            "reorder" => change.reorder = Some(parse_on_off("reorder", &v)?),
            _ => {
                return Err(format!(
                    "unknown network setting `{k}`{}: expected latency, loss, duplicate or reorder",
                    suggest(&k, &["latency", "loss", "duplicate", "reorder"])
                ))
            }
        }
    }
    Ok(change)
}

const CLUSTER_KEYS: &[&str] = &[
    "voters",
    "brokers",
    "seed",
    "prevote",
    "latency",
    "loss",
    "duplicate",
    "reorder",
    "election-timeout",
    "fetch-timeout",
    "fetch-hw",
    "linger",
    "buggify",
    "combined",
    "snapshot-every",
    "quorum",
    "spare-controllers",
    "zookeepers",
    "partitions",
    "zk-clients",
    "session-timeout",
    "tick",
    "cost.<name>",
];

fn parse_count(k: &str, v: &str, max: usize, min: usize) -> Result<usize, String> {
    v.parse::<usize>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| format!("`{k}` takes a number from {min} to {max}, got `{v}`"))
}

fn parse_ms_setting(k: &str, v: &str) -> Result<u64, String> {
    parse_duration(v)
        .filter(|d| *d >= 1_000 && *d <= 600_000_000)
        .map(|d| d / 1_000)
        .ok_or_else(|| format!("`{k}` takes a duration from 1ms to 10m, got `{v}`"))
}

fn parse_cluster(tokens: &[String]) -> Result<ClusterSpec, String> {
    let mode = tokens
        .first()
        .ok_or("`cluster` needs a mode: `cluster kraft voters=3 brokers=3 seed=42`")?;
    let zk_mode = match mode.as_str() {
        "kraft" => false,
        "zk" | "zookeeper" => true,
        other => {
            return Err(format!(
                "unknown cluster mode `{other}`: expected `kraft` or `zk`"
            ))
        }
    };
    let mut voters = None;
    let mut zookeepers = 3;
    let mut partitions = 0u64;
    let mut zk_clients = 0u64;
    let mut zk = crate::zk::server::ZkConfig::default();
    let mut costs = crate::costs::CostModel::default();
    let mut brokers = None;
    let mut combined = 0;
    let mut dynamic = false;
    let mut spares = 0;
    let mut seed = 1;
    let mut quorum = QuorumConfig::default();
    let mut network = NetworkConfig::default();
    for (k, v) in key_values(&tokens[1..])? {
        match k.as_str() {
            "voters" | "controllers" => voters = Some(parse_count(&k, &v, 11, 0)?),
            "brokers" => brokers = Some(parse_count(&k, &v, 50, 0)?),
            "combined" => combined = parse_count(&k, &v, 11, 1)?,
            "quorum" => {
                dynamic = match v.as_str() {
                    "dynamic" => true,
                    "static" => false,
                    _ => return Err(format!("`quorum` takes static or dynamic, got `{v}`")),
                }
            }
            "spare-controllers" => spares = parse_count(&k, &v, 5, 0)?,
            "zookeepers" => {
                zookeepers = parse_count(&k, &v, 7, 1)?;
                if zookeepers % 2 == 0 {
                    return Err(format!(
                        "`zookeepers` takes an odd number (3 or 5 as in production): {zookeepers} servers tolerate no more failures than {}",
                        zookeepers - 1
                    ));
                }
            }
            "partitions" => {
                partitions = v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 10_000_000)
                    .ok_or_else(|| {
                        format!("`partitions` takes a count of modelled partitions up to 10000000, got `{v}`")
                    })?
            }
            "zk-clients" => {
                zk_clients = v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 100_000)
                    .ok_or_else(|| {
                        format!("`zk-clients` takes a number of sessions per ZooKeeper server up to 100000, got `{v}`")
                    })?
            }
            "session-timeout" => {
                zk.session_timeout_ms = parse_ms_setting(&k, &v)?;
            }
            "tick" => {
                zk.tick_ms = parse_ms_setting(&k, &v)?;
            }
            c if c.starts_with("cost.") => {
                let name = &c["cost.".len()..];
                let us = v.parse::<u64>().ok().filter(|n| *n <= 10_000_000).ok_or_else(|| {
                    format!("`{c}` takes microseconds per partition up to 10000000, got `{v}`")
                })?;
                if !costs.set(name, us) {
                    return Err(format!(
                        "unknown cost `{name}`{}: expected one of {}",
                        suggest(name, crate::costs::CostModel::NAMES),
                        crate::costs::CostModel::NAMES.join(", ")
                    ));
                }
            }
            "seed" => {
                seed = v
                    .parse()
                    .map_err(|_| format!("`seed` takes a whole number, got `{v}`"))?
            }
            "prevote" => quorum.prevote = parse_on_off(&k, &v)?,
            "fetch-hw" => quorum.fetch_sends_high_watermark = parse_on_off(&k, &v)?,
            "snapshot-every" => {
                quorum.snapshot_records = v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (10..=10_000_000).contains(n))
                    .ok_or_else(|| {
                        format!(
                        "`snapshot-every` takes a number of records from 10 to 10000000, got `{v}`"
                    )
                    })?
            }
            "election-timeout" => quorum.election_timeout_ms = parse_ms_setting(&k, &v)?,
            "fetch-timeout" => quorum.fetch_timeout_ms = parse_ms_setting(&k, &v)?,
            "linger" => {
                quorum.append_linger_ms = parse_duration(&v)
                    .filter(|d| *d <= 10_000_000)
                    .map(|d| d / 1_000)
                    .ok_or_else(|| format!("`linger` takes a duration up to 10s, got `{v}`"))?
            }
            "buggify" => {
                for name in v.split(',').filter(|n| !n.is_empty()) {
                    if !quorum.buggify.set(name) {
                        return Err(format!(
                            "unknown buggify switch `{name}`{}: expected {}",
                            suggest(name, crate::kraft::config::Buggify::NAMES),
                            crate::kraft::config::Buggify::NAMES.join(", ")
                        ));
                    }
                }
            }
            "latency" | "loss" | "duplicate" | "reorder" => {
                parse_network(&[format!("{k}={v}")])?.apply_to(&mut network)
            }
            _ => {
                return Err(format!(
                    "unknown cluster option `{k}`{}: expected one of {}",
                    suggest(&k, CLUSTER_KEYS),
                    CLUSTER_KEYS.join(", ")
                ))
            }
        }
    }
    if zk_mode {
        if voters.is_some() || combined > 0 || dynamic || spares > 0 {
            return Err("a ZooKeeper-mode cluster has no KRaft controllers: use `zookeepers=` and `brokers=`".into());
        }
        let brokers = brokers.unwrap_or(3);
        if brokers == 0 {
            return Err("a ZooKeeper-mode cluster needs at least one broker".into());
        }
        let mut spec = ClusterSpec::zookeeper(zookeepers, brokers, seed);
        spec.quorum = quorum;
        spec.quorum.modelled_partitions = partitions;
        spec.quorum.costs = costs;
        spec.network = network;
        spec.zk = zk;
        spec.zk_clients = zk_clients;
        return Ok(spec);
    }
    if zk_clients > 0 || zk != crate::zk::server::ZkConfig::default() {
        return Err(
            "`zk-clients`, `session-timeout` and `tick` configure ZooKeeper: use `cluster zk`"
                .into(),
        );
    }
    // Combined nodes are voters too: with `combined=`, dedicated controllers and brokers
    // default to none.
    let voters = voters.unwrap_or(if combined > 0 { 0 } else { 3 });
    let brokers = brokers.unwrap_or(if combined > 0 { 0 } else { 3 });
    if voters + combined == 0 {
        return Err("a KRaft cluster needs at least one voter: `voters=` or `combined=`".into());
    }
    if voters + combined > 11 {
        return Err("at most 11 voters (controllers and combined nodes together)".into());
    }
    let mut spec = if combined > 0 {
        let mut s = ClusterSpec::combined_mode(combined, brokers, seed);
        s.controllers = (0..voters as i32).map(|i| NodeId(3000 + i)).collect();
        s
    } else {
        ClusterSpec::kraft(voters, brokers, seed)
    };
    spec.quorum = quorum;
    spec.quorum.modelled_partitions = partitions;
    spec.quorum.costs = costs;
    spec.network = network;
    spec.quorum.dynamic_quorum = dynamic;
    if spares > 0 && !dynamic {
        return Err(
            "spare controllers can only join a dynamic quorum: add `quorum=dynamic`".into(),
        );
    }
    let first_spare = 3000 + voters as i32;
    spec.spare_controllers = (0..spares as i32)
        .map(|i| NodeId(first_spare + i))
        .collect();
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_core_commands() {
        let script = "\
# a comment
cluster kraft voters=3 brokers=3 seed=42   # trailing comment
run 5s
run until leader within 10s
write 5
crash leader as old
restart old
shutdown 3001
pause 3002 8s
partition 3000 | 3001,3002
partition 3000 -> 3001, 3002
isolate 3000
heal
expect leader != 3000 and epoch >= 2
show status
show replication --human-readable
show log leader
at 20s crash 3001
drop next Fetch from 3001
network latency=1ms..2ms loss=1.5%
";
        let lines = parse_script(script).unwrap();
        assert_eq!(lines.len(), 19);
        assert_eq!(lines[0].number, 2);
        assert!(
            matches!(lines[0].command, Command::Cluster(ref s) if s.seed == 42 && s.controllers.len() == 3)
        );
        assert_eq!(
            lines[4].command,
            Command::Do(Act::Crash(NodeRef::Leader), Some("old".into()))
        );
        assert_eq!(
            lines[8].command,
            Command::Do(
                Act::Partition(vec![
                    vec![NodeRef::Id(NodeId(3000))],
                    vec![NodeRef::Id(NodeId(3001)), NodeRef::Id(NodeId(3002))]
                ]),
                None
            )
        );
        assert!(matches!(
            lines[9].command,
            Command::Do(Act::PartitionOneWay(..), None)
        ));
    }

    #[test]
    fn parses_the_metadata_commands() {
        let c = parse_command("create-topic orders partitions=3 rf=2 retention.ms=1000").unwrap();
        assert_eq!(
            c,
            Command::Do(
                Act::CreateTopic {
                    name: "orders".into(),
                    partitions: 3,
                    replication_factor: 2,
                    configs: vec![("retention.ms".into(), "1000".into())],
                },
                None
            )
        );
        assert_eq!(
            parse_command("alter-config broker:1 log.retention.ms=none").unwrap(),
            Command::Do(
                Act::AlterConfig {
                    resource: "broker:1".into(),
                    key: "log.retention.ms".into(),
                    value: None
                },
                None
            )
        );
        // A voter list is split at its commas by the tokenizer and glued back.
        assert_eq!(
            parse_command("configure 3001 controller.quorum.voters=3000@h:9093,3001@h:9093")
                .unwrap(),
            Command::Do(
                Act::Configure(
                    NodeRef::Id(NodeId(3001)),
                    "controller.quorum.voters".into(),
                    "3000@h:9093,3001@h:9093".into()
                ),
                None
            )
        );
        assert_eq!(
            parse_command("format 2 cluster-id=abc").unwrap(),
            Command::Do(
                Act::Format(NodeRef::Id(NodeId(2)), Some("abc".into())),
                None
            )
        );
        assert_eq!(
            parse_command("show topics orders on 1").unwrap(),
            Command::Show(Show::Topics(
                Some("orders".into()),
                Some(NodeRef::Id(NodeId(1)))
            ))
        );
        assert_eq!(
            parse_command("show metadata-log from 12").unwrap(),
            Command::Show(Show::MetadataLog(None, 12))
        );
        assert!(matches!(
            parse_command("cluster kraft combined=3").unwrap(),
            Command::Cluster(ref s) if s.combined.len() == 3 && s.controllers.is_empty() && s.brokers.is_empty()
        ));
        for bad in [
            "create-topic",
            "create-topic partitions=3",
            "create-topic t partitions=0",
            "create-topic t rf=x",
            "delete-topic",
            "delete-topic a b",
            "alter-config orders",
            "alter-config orders =5",
            "configure 3000",
            "configure 3000 node.id",
            "format",
            "format 1 cluster=x",
            "show metadata-log 1 from x",
            "show topics a b c",
            "cluster kraft voters=0",
            "cluster kraft combined=9 voters=3",
        ] {
            assert!(parse_command(bad).is_err(), "`{bad}` should not parse");
        }
    }

    #[test]
    fn errors_name_the_line_and_suggest() {
        let err = parse_script("cluster kraft\nrun 1s\ncrsh 3000\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("did you mean `crash`"),
            "{}",
            err.message
        );
        let err = parse_script("cluster kraft votrs=3").unwrap_err();
        assert!(
            err.message.contains("did you mean `voters`"),
            "{}",
            err.message
        );
        for bad in [
            "run",
            "run five",
            "run until leader",
            "pause 3000",
            "write 0",
            "write many",
            "partition 3000",
            "partition 3000 |",
            "cluster kraft voters=0",
            "cluster kraft voters=x",
            "expect",
            "show",
            "show lgo 3000",
            "crash",
            "crash banana!",
            "crash leader as leader",
            "trace loud",
            "at",
            "at 5s",
            "network loss=200%",
            "cluster kraft latency=5ms..1ms",
            "drop",
            "crash 3000 3001",
            "heal now",
            "at 1s at 2s heal",
        ] {
            let e = parse_command(bad);
            assert!(e.is_err(), "`{bad}` should not parse");
            assert!(!e.unwrap_err().is_empty());
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut rng = crate::rng::SimRng::new(3);
        let alphabet: Vec<char> = "cluster kraft run until within leader 3000 | -> , = . s ms % # \n\t\u{00e9}as and not ==>=<= 9999999999999999999999".chars().collect();
        for _ in 0..2_000 {
            let len = rng.below(60) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect();
            let _ = parse_script(&text);
        }
    }
}

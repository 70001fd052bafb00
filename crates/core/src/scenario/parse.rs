//! Parsing the scenario language. Every error names its line and what was expected; nothing a
//! user writes can make the parser panic.
//!
//! Over 800 lines only with its tests: the parser is about 530 lines.

use crate::server::AdminOp;
use crate::sim::action::DRIFT_RANGE;
use crate::sim::UserAction;
use crate::text::suggest;
use crate::trace::Verbosity;
use crate::types::{parse_duration, NodeId};

use super::ast::{Action, Command, Line, ScenarioError, Show};
use super::cluster::{parse_cluster, parse_network};
use super::condition::parse_condition;
use super::node_ref::{NodeRef, RESERVED};
use super::values::{key_values, parse_offset};

/// The scenario language's own command words (the user's actions are [`crate::sim::action::OPS`]).
pub const COMMANDS: &[&str] = &[
    "cluster", "run", "at", "expect", "show", "trace", "allow", "name", "begin",
];

/// Every first word of a scenario line: the language's own commands and the user's actions
/// ([`crate::sim::action::OPS`]), for "did you mean".
pub fn command_words() -> Vec<&'static str> {
    COMMANDS
        .iter()
        .chain(crate::sim::action::OPS)
        .copied()
        .collect()
}

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
        "name" => match rest {
            [node, as_, name] if as_ == "as" => {
                let (_, bind) = split_binding(&rest[1..])?;
                let name = bind.unwrap_or_else(|| name.clone());
                Ok(Command::Name(NodeRef::parse(node)?, name))
            }
            _ => Err("expected `name <node> as <name>`, like `name leader as first`".into()),
        },
        "begin" => {
            if rest.is_empty() {
                Ok(Command::Begin)
            } else {
                Err("`begin` takes nothing: the history starts again now".into())
            }
        }
        "allow" => match rest {
            [w] if w == "violations" => Ok(Command::AllowViolations),
            _ => Err("expected `allow violations`".into()),
        },
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
            match parse_action(word, act_tokens)? {
                Some(act) => {
                    if bind.is_some() && act.target().is_none() {
                        return Err(format!(
                            "`as <name>` only works with a command on one node, not `{word}`"
                        ));
                    }
                    Ok(Command::Do(act, bind))
                }
                None => Err(format!(
                    "unknown command `{word}`{}",
                    suggest(word, &command_words())
                )),
            }
        }
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
            out.push(NodeRef::parse(t)?);
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
        [t] => NodeRef::parse(t),
        [] => Err(format!(
            "`{word}` needs a node, like `{word} 3001` or `{word} leader`"
        )),
        _ => Err(format!(
            "`{word}` takes one node, got `{}`",
            tokens.join(" ")
        )),
    }
}

/// Parses an action word and its arguments; `None` if `word` is not an action.
fn parse_action(word: &str, tokens: &[String]) -> Result<Option<Action>, String> {
    Ok(Some(match word {
        "crash" => UserAction::Crash(one_node(word, tokens)?),
        "restart" => UserAction::Restart(one_node(word, tokens)?),
        "shutdown" => UserAction::Shutdown(one_node(word, tokens)?),
        "timeout" => UserAction::TimeoutNow(one_node(word, tokens)?),
        "isolate" => UserAction::Isolate(one_node(word, tokens)?),
        "heal" => {
            if !tokens.is_empty() {
                return Err("`heal` takes nothing: it restores every link".into());
            }
            UserAction::Heal
        }
        "pause" => match tokens {
            [node, d] => UserAction::Pause(
                NodeRef::parse(node)?,
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
                [] => UserAction::Write { count, to: None },
                [to, node] if to == "to" => UserAction::Write { count, to: Some(NodeRef::parse(node)?) },
                _ => return Err("expected `write <n>` or `write <n> to <node>`".into()),
            }
        }
        "partition" => {
            if let Some(arrow) = tokens.iter().position(|t| t == "->") {
                let from = parse_node_list(&tokens[..arrow])?;
                let to = parse_node_list(&tokens[arrow + 1..])?;
                UserAction::PartitionOneWay { from, to }
            } else {
                let groups: Vec<&[String]> = tokens.split(|t| t == "|").collect();
                if groups.len() < 2 {
                    return Err("`partition` needs groups separated by `|` (like `partition 3000 | 3001,3002`) or a one-way cut (`partition 3000 -> 3001`)".into());
                }
                UserAction::Partition(groups.into_iter().map(parse_node_list).collect::<Result<_, _>>()?)
            }
        }
        "bridge" => {
            let usage = "`bridge` takes a node and two sides, like `bridge 3001 3000 | 3002,0`: the sides are cut from each other, the bridge talks to both";
            let (node, rest) = tokens.split_first().ok_or(usage)?;
            let sides: Vec<&[String]> = rest.split(|t| t == "|").collect();
            let [left, right] = sides.as_slice() else {
                return Err(usage.into());
            };
            UserAction::Bridge {
                node: NodeRef::parse(node)?,
                left: parse_node_list(left)?,
                right: parse_node_list(right)?,
            }
        }
        "drift" => match tokens {
            [node, factor] => {
                // Millionths, read exactly (no float parser in the bundle).
                let rate = crate::decimal::parse_scaled(factor, 6)
                    .map(|r| r.rounded())
                    .filter(|r| (u64::from(*DRIFT_RANGE.start())..=u64::from(*DRIFT_RANGE.end())).contains(r))
                    .ok_or_else(|| format!("`drift` takes a clock rate from 0.5 to 2 (1.05 runs 5% fast), got `{factor}`"))?;
                UserAction::Drift(NodeRef::parse(node)?, rate as u32)
            }
            _ => return Err("`drift` takes a node and a clock rate, like `drift 3001 1.05` (5% fast) or `drift 3001 1` (exact)".into()),
        },
        "drop" => match tokens {
            [id] if id.parse::<u64>().is_ok() => UserAction::DropMessage(id.parse().unwrap_or(0)),
            [next, rest @ ..] if next == "next" => {
                let mut name = None;
                let mut from = None;
                let mut to = None;
                let mut i = 0;
                while i < rest.len() {
                    match rest[i].as_str() {
                        "from" | "to" => {
                            let node = rest.get(i + 1).ok_or_else(|| format!("`{}` needs a node", rest[i]))?;
                            let n = NodeRef::parse(node)?;
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
                UserAction::DropNext { name, from, to }
            }
            _ => return Err("`drop` takes a message id (`drop 42`) or `drop next [<Api>] [from <node>] [to <node>]`".into()),
        },
        "network" => UserAction::SetNetwork(parse_network(tokens)?),
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
            UserAction::Admin(AdminOp::CreateTopics {
                prefix: prefix.clone(),
                first,
                count: count.ok_or(usage)?,
                partitions,
                replication_factor: rf,
            })
        }
        "delete-topic" => match tokens {
            [name] => UserAction::Admin(AdminOp::DeleteTopic { name: name.clone() }),
            _ => return Err("`delete-topic` takes one topic name, like `delete-topic orders`".into()),
        },
        "alter-config" => match tokens {
            [resource, kv] => {
                let (key, value) = kv
                    .split_once('=')
                    .filter(|(k, _)| !k.is_empty())
                    .ok_or_else(|| format!("expected `key=value`, got `{kv}`"))?;
                UserAction::Admin(AdminOp::AlterConfig {
                    resource: resource.clone(),
                    key: key.to_string(),
                    value: (value != "none").then(|| value.to_string()),
                })
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
            UserAction::Configure { node: NodeRef::parse(node)?, key: key.to_string(), value: value.to_string() }
        }
        "format" => match tokens {
            [node] => UserAction::Format { node: NodeRef::parse(node)?, cluster_id: None },
            [node, c] => {
                let id = c
                    .strip_prefix("cluster-id=")
                    .filter(|id| !id.is_empty())
                    .ok_or_else(|| format!("expected `cluster-id=<id>`, got `{c}`"))?;
                UserAction::Format { node: NodeRef::parse(node)?, cluster_id: Some(id.to_string()) }
            }
            _ => return Err("`format` takes a node and optionally `cluster-id=<id>`".into()),
        },
        "unformat" => UserAction::Unformat(one_node(word, tokens)?),
        "add-controller" => UserAction::AddController(one_node(word, tokens)?),
        "remove-controller" => UserAction::RemoveController(one_node(word, tokens)?),
        _ => return Ok(None),
    }))
}

fn parse_create_topic(tokens: &[String]) -> Result<Action, String> {
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
    Ok(UserAction::Admin(AdminOp::CreateTopic {
        name: name.clone(),
        partitions: partitions.unwrap_or(1),
        replication_factor: replication_factor.unwrap_or(1),
        configs,
    }))
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
        ["log", node] => Show::Log(NodeRef::parse(node)?),
        ["nodes"] => Show::Nodes,
        ["messages"] => Show::Messages,
        ["violations"] => Show::Violations,
        ["image", node] => Show::Image(NodeRef::parse(node)?),
        ["config", node] => Show::Config(NodeRef::parse(node)?),
        ["zk-tree"] => Show::ZkTree(None),
        ["zk-tree", node] => Show::ZkTree(Some(NodeRef::parse(node)?)),
        ["controller"] => Show::Controller,
        ["srvr"] => Show::Srvr,
        ["metadata-log", rest @ ..] => {
            let (node, from) = match rest {
                [] => (None, 0),
                ["from", o] => (None, parse_offset(o)?),
                [n] => (Some(NodeRef::parse(n)?), 0),
                [n, "from", o] => (Some(NodeRef::parse(n)?), parse_offset(o)?),
                _ => return Err("expected `show metadata-log [<node>] [from <offset>]`".into()),
            };
            Show::MetadataLog(node, from)
        }
        ["topics", rest @ ..] => {
            let (name, on) = match rest {
                [] => (None, None),
                ["on", n] => (None, Some(NodeRef::parse(n)?)),
                [t] => (Some(t.to_string()), None),
                [t, "on", n] => (Some(t.to_string()), Some(NodeRef::parse(n)?)),
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
            Command::Do(UserAction::Crash(NodeRef::Leader), Some("old".into()))
        );
        assert_eq!(
            lines[8].command,
            Command::Do(
                UserAction::Partition(vec![
                    vec![NodeRef::Id(NodeId(3000))],
                    vec![NodeRef::Id(NodeId(3001)), NodeRef::Id(NodeId(3002))]
                ]),
                None
            )
        );
        assert!(matches!(
            lines[9].command,
            Command::Do(UserAction::PartitionOneWay { .. }, None)
        ));
    }

    #[test]
    fn parses_the_metadata_commands() {
        let c = parse_command("create-topic orders partitions=3 rf=2 retention.ms=1000").unwrap();
        assert_eq!(
            c,
            Command::Do(
                UserAction::Admin(AdminOp::CreateTopic {
                    name: "orders".into(),
                    partitions: 3,
                    replication_factor: 2,
                    configs: vec![("retention.ms".into(), "1000".into())],
                }),
                None
            )
        );
        assert_eq!(
            parse_command("alter-config broker:1 log.retention.ms=none").unwrap(),
            Command::Do(
                UserAction::Admin(AdminOp::AlterConfig {
                    resource: "broker:1".into(),
                    key: "log.retention.ms".into(),
                    value: None
                }),
                None
            )
        );
        // A voter list is split at its commas by the tokenizer and glued back.
        assert_eq!(
            parse_command("configure 3001 controller.quorum.voters=3000@h:9093,3001@h:9093")
                .unwrap(),
            Command::Do(
                UserAction::Configure {
                    node: NodeRef::Id(NodeId(3001)),
                    key: "controller.quorum.voters".into(),
                    value: "3000@h:9093,3001@h:9093".into()
                },
                None
            )
        );
        assert_eq!(
            parse_command("format 2 cluster-id=abc").unwrap(),
            Command::Do(
                UserAction::Format {
                    node: NodeRef::Id(NodeId(2)),
                    cluster_id: Some("abc".into())
                },
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
    fn every_action_word_is_one_op_and_every_op_is_listed() {
        let examples = [
            "crash 3000",
            "restart 3000",
            "shutdown 3000",
            "pause 3000 1s",
            "timeout 3000",
            "isolate 3000",
            "partition 3000 | 3001",
            "bridge 3001 3000 | 3002",
            "drift 3001 1.05",
            "heal",
            "drop next",
            "write 1",
            "network loss=1%",
            "create-topic t partitions=1 rf=1",
            "create-topics t count=2 partitions=1 rf=1",
            "delete-topic t",
            "alter-config t retention.ms=1000",
            "configure 3000 node.id=3000",
            "format 3000",
            "unformat 3000",
            "add-controller 3003",
            "remove-controller 3002",
        ];
        let ops: Vec<&str> = examples
            .iter()
            .map(|line| match parse_command(line) {
                Ok(Command::Do(action, None)) => action.op(),
                other => panic!("{line}: {other:?}"),
            })
            .collect();
        assert_eq!(
            ops,
            crate::sim::action::OPS,
            "OPS lists op() of every action, in order"
        );
        assert!(
            parse_command("expect actions bridge >= 1").is_ok(),
            "bridge is counted"
        );
    }

    #[test]
    fn bridges_and_drift_parse_and_print_back() {
        for line in [
            "bridge 3001 3000 | 3002,0",
            "drift 3001 1.05",
            "drift leader 0.9",
            "drift 2 1",
            "drift 3000 0.912345",
        ] {
            let Command::Do(act, None) = parse_command(line).unwrap() else {
                panic!("{line}")
            };
            assert_eq!(act.to_command(), line);
        }
        for bad in [
            "bridge 3001",
            "bridge 3001 3000",
            "bridge 3001 3000 | ",
            "bridge 3001 3000 | 3002 | 1",
            "drift 3001",
            "drift 3001 3",
            "drift 3001 0.1",
            "drift 3001 fast",
            "drift 3001 NaN",
        ] {
            assert!(parse_command(bad).is_err(), "`{bad}` should not parse");
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

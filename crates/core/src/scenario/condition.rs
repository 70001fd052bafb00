//! Conditions of `expect` and `run until`: small facts about the cluster joined by `and`.
//!
//! ```text
//! leader | no leader | leader == <node> | leader != <node>
//! epoch <op> <n>          the highest epoch of any live voter
//! hw <op> <n>             the active controller's high watermark
//! hw <node> <op> <n>      a node's high watermark
//! leo <node> <op> <n>     a node's log end offset
//! <node> is [not] <state> up, down, crashed, stopped, paused, leader, follower, candidate,
//!                         prospective, unattached, resigned, observer, voter
//! no violations           no invariant has been broken
//! broker <id> fenced | unfenced        as the active controller's image says
//! broker <id> lag <op> <n>             the broker's image behind the leader's HW
//! topic <name> on <node>               the topic is in the node's image
//! leader of <topic>-<p> == | != <broker | none>
//! isr of <topic>-<p> has <broker>
//! controller | no controller | controller == <node> | controller epoch <op> <n>
//! controller is ready|loading|pushing|moving|reading   the ZooKeeper-mode controller's work
//! <zk server> is leading|following|looking
//! not <condition>
//! ```
//! `<op>` is one of `>=`, `<=`, `==`, `!=`, `>`, `<`.
//!
//! Not split yet: the seam is between reading a condition (`parse_condition`, `parse_atom`) and
//! judging it (`Condition::eval`); both follow the one `Atom` list, which is why they still share a
//! file.

use crate::flat::FlatMap;
use std::fmt;

use crate::kraft::Role;
use crate::sim::{NodeStatus, World};
use crate::types::{format_duration, parse_duration, Micros, NodeId};

use super::history::History;
use super::node_ref::NodeRef;

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `<`
    Lt,
}

impl Cmp {
    fn parse(t: &str) -> Option<Cmp> {
        Some(match t {
            ">=" => Cmp::Ge,
            "<=" => Cmp::Le,
            "==" | "=" => Cmp::Eq,
            "!=" => Cmp::Ne,
            ">" => Cmp::Gt,
            "<" => Cmp::Lt,
            _ => return None,
        })
    }

    /// Applies the comparison.
    pub fn holds(self, a: u64, b: u64) -> bool {
        match self {
            Cmp::Ge => a >= b,
            Cmp::Le => a <= b,
            Cmp::Eq => a == b,
            Cmp::Ne => a != b,
            Cmp::Gt => a > b,
            Cmp::Lt => a < b,
        }
    }
}

/// The states `<node> is <state>` knows.
pub const NODE_STATES: &[&str] = &[
    "up",
    "down",
    "crashed",
    "stopped",
    "paused",
    "leader",
    "follower",
    "candidate",
    "prospective",
    "unattached",
    "resigned",
    "observer",
    "voter",
    "active",
    "starting",
    "recovery",
    "running",
    "refused",
    "leading",
    "following",
    "looking",
    "controller",
];

/// What `controller is <stage>` can say of a ZooKeeper-mode controller.
pub const CONTROLLER_STAGES: &[&str] = &["ready", "loading", "pushing", "moving", "reading"];

/// One fact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Atom {
    /// Some live node is leader.
    Leader,
    /// No live node is leader.
    NoLeader,
    /// The active controller is this node.
    LeaderIs(NodeRef),
    /// The active controller exists and is not this node.
    LeaderIsNot(NodeRef),
    /// Highest epoch of a live voter.
    Epoch(Cmp, u64),
    /// The active controller's HW.
    Hw(Cmp, u64),
    /// A node's HW.
    NodeHw(NodeRef, Cmp, u64),
    /// A node's log end offset.
    NodeLeo(NodeRef, Cmp, u64),
    /// `<node> is <state>`.
    NodeIs(NodeRef, String),
    /// No invariant broken.
    NoViolations,
    /// `violated <property>`: that invariant broke at some point of the run.
    Violated(&'static str),
    /// `broker <id> fenced` (`false`: `unfenced`).
    BrokerFenced(i32, bool),
    /// `broker <id> lag <op> <n>`.
    BrokerLag(NodeRef, Cmp, u64),
    /// `topic <name> on <node>`.
    TopicOn(String, NodeRef),
    /// `leader of <topic>-<p> == <broker>` (`None`: `none`); negated for `!=`.
    PartitionLeader(String, u32, Option<i32>),
    /// `isr of <topic>-<p> has <broker>`.
    IsrHas(String, u32, i32),
    /// `controller`: there is one (ZooKeeper: a live broker holds `/controller`; KRaft: an
    /// active controller).
    Controller,
    /// `controller == <node>`.
    ControllerIs(NodeRef),
    /// `controller epoch <op> <n>`.
    ControllerEpoch(Cmp, u64),
    /// `controller is ready|loading|…` (ZooKeeper mode).
    ControllerStage(String),
    /// `zk-leader`: a ZooKeeper server leads and serves.
    ZkLeader,
    /// `zk-leader == <node>`.
    ZkLeaderIs(NodeRef),
    /// `ever <condition>`: the condition held at some moment since the history began (a lesson
    /// step opened, the scenario's `begin`, or its cluster started).
    Ever(Box<Condition>),
    /// `never <condition> for more than <duration>`: it never held longer than that without a
    /// break since the history began.
    Never(Box<Condition>, Micros),
    /// `actions [<command>] <op> <n>`: how many user actions (of one command word) were taken
    /// since the history began.
    Actions(Option<&'static str>, Cmp, u64),
    /// `restarted <node>`: started again since the history began, after a crash or shutdown
    /// (before or after it began).
    Restarted(NodeRef),
    /// `no committed record lost`: since the history began, no committed record was lost or
    /// changed (the `committed_durable` checker's verdict).
    NoCommittedRecordLost,
    /// `record <offset> is <RecordType>`: the active controller's log holds a record of that
    /// type at that offset.
    RecordIs(u64, String),
}

/// The command words `actions <command> …` counts (`UserAction::op`).
pub use crate::sim::action::OPS as ACTION_WORDS;

/// Facts joined by `and`, each possibly negated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// `(negated, fact)`.
    pub atoms: Vec<(bool, Atom)>,
    /// The source text, for messages.
    pub text: String,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Splits operators glued to words (`leader==3000`) into their own tokens.
fn split_ops(tokens: &[String]) -> Vec<String> {
    let text = tokens.join(" ");
    let mut out = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        if [">=", "<=", "==", "!="].contains(&two.as_str()) {
            out.push(' ');
            out.push_str(&two);
            out.push(' ');
            i += 2;
        } else if matches!(chars[i], '>' | '<' | '=') {
            out.push(' ');
            out.push(chars[i]);
            out.push(' ');
            i += 1;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out.split_whitespace().map(|s| s.to_string()).collect()
}

fn number(t: &str) -> Result<u64, String> {
    t.parse()
        .map_err(|_| format!("expected a whole number, got `{t}`"))
}

fn op(t: &str) -> Result<Cmp, String> {
    Cmp::parse(t).ok_or_else(|| format!("expected a comparison (>=, <=, ==, !=, >, <), got `{t}`"))
}

/// Splits `orders-2` into the topic and the partition (topic names may hold `-`).
fn topic_partition(t: &str) -> Result<(String, u32), String> {
    t.rsplit_once('-')
        .and_then(|(name, p)| Some((name.to_string(), p.parse().ok()?)))
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| format!("expected a partition like `orders-0`, got `{t}`"))
}

fn broker_id(t: &str) -> Result<i32, String> {
    t.parse::<i32>()
        .ok()
        .filter(|b| *b >= 0)
        .ok_or_else(|| format!("expected a broker id, got `{t}`"))
}

fn parse_atom(tokens: &[String]) -> Result<(bool, Atom), String> {
    let words: Vec<&str> = tokens.iter().map(|s| s.as_str()).collect();
    if let ["not", rest @ ..] = words.as_slice() {
        let (neg, atom) = parse_atom(&rest.iter().map(|s| s.to_string()).collect::<Vec<_>>())?;
        return Ok((!neg, atom));
    }
    let atom = match words.as_slice() {
        ["leader"] => Atom::Leader,
        ["no", "leader"] => Atom::NoLeader,
        ["no", "violations"] => Atom::NoViolations,
        ["no", "committed", "record", "lost"] => Atom::NoCommittedRecordLost,
        ["restarted", n] => Atom::Restarted(NodeRef::parse(n)?),
        ["actions", o, n] => Atom::Actions(None, op(o)?, number(n)?),
        ["actions", word, o, n] => match ACTION_WORDS.iter().find(|w| *w == word) {
            Some(w) => Atom::Actions(Some(w), op(o)?, number(n)?),
            None => {
                return Err(format!(
                    "`{word}` is not a command word{}: `actions <command> <op> <n>` counts one of {}",
                    crate::text::suggest(word, ACTION_WORDS),
                    ACTION_WORDS.join(", ")
                ))
            }
        },
        ["record", offset, "is", kind] => {
            let offset = number(offset)?;
            if !crate::record::TYPE_NAMES.contains(kind) {
                return Err(format!(
                    "`{kind}` is not a metadata record type{}: expected one of {}",
                    crate::text::suggest(kind, crate::record::TYPE_NAMES),
                    crate::record::TYPE_NAMES.join(", ")
                ));
            }
            Atom::RecordIs(offset, kind.to_string())
        }
        ["ever", ..] | ["never", ..] => {
            return Err(
                "`ever` and `never` take a whole condition and cannot be joined with `and`".into(),
            )
        }
        ["violated", name] => {
            let names: Vec<&'static str> =
                crate::check::PROPERTIES.iter().map(|p| p.name).collect();
            match names.iter().find(|n| **n == *name) {
                Some(n) => Atom::Violated(n),
                None => {
                    return Err(format!(
                        "`{name}` is not an invariant{}: expected one of {}",
                        crate::text::suggest(name, &names),
                        names.join(", ")
                    ))
                }
            }
        }
        ["controller"] => Atom::Controller,
        ["zk-leader"] => Atom::ZkLeader,
        ["no", "zk-leader"] => return Ok((true, Atom::ZkLeader)),
        ["zk-leader", o, n] if *o == "==" || *o == "!=" => {
            return Ok((*o == "!=", Atom::ZkLeaderIs(NodeRef::parse(n)?)));
        }
        ["no", "controller"] => {
            return Ok((true, Atom::Controller));
        }
        ["controller", "epoch", o, n] => Atom::ControllerEpoch(op(o)?, number(n)?),
        ["controller", o, n] if *o == "==" || *o == "!=" => {
            let atom = Atom::ControllerIs(NodeRef::parse(n)?);
            return Ok((*o == "!=", atom));
        }
        ["controller", "is", stage] if CONTROLLER_STAGES.contains(stage) => {
            Atom::ControllerStage(stage.to_string())
        }
        ["leader", o, n] => match op(o)? {
            Cmp::Eq => Atom::LeaderIs(NodeRef::parse(n)?),
            Cmp::Ne => Atom::LeaderIsNot(NodeRef::parse(n)?),
            _ => return Err("`leader` compares with == or != a node".into()),
        },
        ["epoch", o, n] => Atom::Epoch(op(o)?, number(n)?),
        ["hw", o, n] => Atom::Hw(op(o)?, number(n)?),
        ["hw", node, o, n] => Atom::NodeHw(NodeRef::parse(node)?, op(o)?, number(n)?),
        ["leo", node, o, n] => Atom::NodeLeo(NodeRef::parse(node)?, op(o)?, number(n)?),
        ["broker", b, "fenced"] => Atom::BrokerFenced(broker_id(b)?, true),
        ["broker", b, "unfenced"] => Atom::BrokerFenced(broker_id(b)?, false),
        ["broker", b, "lag", o, n] => Atom::BrokerLag(NodeRef::parse(b)?, op(o)?, number(n)?),
        ["topic", name, "on", node] => Atom::TopicOn(name.to_string(), NodeRef::parse(node)?),
        ["leader", "of", tp, o, b] => {
            let (topic, p) = topic_partition(tp)?;
            let who = if *b == "none" { None } else { Some(broker_id(b)?) };
            let atom = Atom::PartitionLeader(topic, p, who);
            return match op(o)? {
                Cmp::Eq => Ok((false, atom)),
                Cmp::Ne => Ok((true, atom)),
                _ => Err("a partition's leader compares with == or != a broker (or `none`)".into()),
            };
        }
        ["isr", "of", tp, "has", b] => {
            let (topic, p) = topic_partition(tp)?;
            Atom::IsrHas(topic, p, broker_id(b)?)
        }
        [node, "is", "not", state] => {
            return parse_atom(&[node.to_string(), "is".into(), state.to_string()]).map(|(n, a)| (!n, a))
        }
        [node, "is", state] => {
            if !NODE_STATES.contains(state) {
                return Err(format!(
                    "`{state}` is not a node state: expected one of {}{}",
                    NODE_STATES.join(", "),
                    crate::text::suggest(state, NODE_STATES)
                ));
            }
            Atom::NodeIs(NodeRef::parse(node)?, state.to_string())
        }
        [] => return Err("a condition is empty (check `and`)".into()),
        _ => {
            return Err(format!(
                "cannot read condition `{}`: expected leader, no leader, leader == <node>, epoch >= <n>, hw >= <n>, hw <node> >= <n>, leo <node> >= <n>, <node> is <state>, no violations, broker <id> fenced|unfenced, broker <id> lag >= <n>, topic <name> on <node>, leader of <topic>-<p> == <broker>, isr of <topic>-<p> has <broker>, controller, no controller, controller == <node>, controller epoch >= <n>, controller is ready|loading|pushing|moving, zk-leader, zk-leader == <node>",
                words.join(" ")
            ))
        }
    };
    Ok((false, atom))
}

/// Parses `a and b and not c`, or a condition over the run's history: `ever <condition>`,
/// `never <condition> for more than <duration>`.
pub fn parse_condition(tokens: &[String]) -> Result<Condition, String> {
    let tokens = split_ops(tokens);
    if tokens.is_empty() {
        return Err("expected a condition, like `leader` or `epoch >= 2`".into());
    }
    let temporal = |inner: &[String]| -> Result<Box<Condition>, String> {
        let c = parse_condition(inner)?;
        if c.is_temporal() {
            return Err("`ever` and `never` cannot be nested".into());
        }
        Ok(Box::new(c))
    };
    match tokens[0].as_str() {
        "ever" => {
            let inner = temporal(&tokens[1..])?;
            return Ok(Condition {
                atoms: vec![(false, Atom::Ever(inner))],
                text: tokens.join(" "),
            });
        }
        "never" => {
            let at = tokens
                .windows(3)
                .position(|w| w[0] == "for" && w[1] == "more" && w[2] == "than")
                .ok_or("expected `never <condition> for more than <duration>`")?;
            let limit = match &tokens[at + 3..] {
                [d] => {
                    parse_duration(d).ok_or_else(|| format!("`{d}` is not a duration like `2s`"))?
                }
                _ => {
                    return Err(
                        "`for more than` takes one duration, like `for more than 2s`".into(),
                    )
                }
            };
            let inner = temporal(&tokens[1..at])?;
            return Ok(Condition {
                atoms: vec![(false, Atom::Never(inner, limit))],
                text: tokens.join(" "),
            });
        }
        _ => {}
    }
    let atoms = tokens
        .split(|t| t == "and")
        .map(parse_atom)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Condition {
        atoms,
        text: tokens.join(" "),
    })
}

/// The run's history, which `ever`, `never`, `actions`, `restarted` and `no committed record
/// lost` read.
fn history(world: &World) -> Result<&History, String> {
    world.observer::<History>().ok_or_else(|| {
        "this condition reads the run's history, kept only in scenarios, lessons and exercises"
            .to_string()
    })
}

fn not_watched(inner: &Condition) -> String {
    format!("`{inner}` was not watched from the start: `ever` and `never` work in goal rows and in scenario files")
}

fn highest_epoch(world: &World) -> u64 {
    world
        .voters()
        .iter()
        .filter_map(|v| world.node(*v))
        .filter_map(|n| n.replica())
        .map(|r| r.epoch() as u64)
        .max()
        .unwrap_or(0)
}

impl Condition {
    /// True for `ever …` and `never … for more than …`, which need a watched history.
    pub fn is_temporal(&self) -> bool {
        self.atoms
            .iter()
            .any(|(_, a)| matches!(a, Atom::Ever(_) | Atom::Never(..)))
    }

    /// True for a condition that, once false, stays false for the rest of the history: one
    /// `never … for more than …`, `no committed record lost`, `no violations`, or an upper
    /// bound on `actions`. An exercise's goal row like that, once unmet, means the attempt
    /// has failed, and the player can say so at once instead of letting the learner go on.
    pub fn only_gets_worse(&self) -> bool {
        match self.atoms.as_slice() {
            [(false, atom)] => matches!(
                atom,
                Atom::Never(..)
                    | Atom::NoCommittedRecordLost
                    | Atom::NoViolations
                    | Atom::Actions(_, Cmp::Lt | Cmp::Le, _)
            ),
            _ => false,
        }
    }

    /// Evaluates the condition now. `Ok((holds, what was seen))`; `Err` if a node cannot be
    /// resolved.
    pub fn eval(
        &self,
        world: &World,
        names: &FlatMap<String, NodeId>,
    ) -> Result<(bool, String), String> {
        let mut seen = Vec::new();
        let mut all = true;
        for (negated, atom) in &self.atoms {
            let (holds, what) = eval_atom(atom, world, names)?;
            all &= holds != *negated;
            seen.push(what);
        }
        Ok((all, seen.join("; ")))
    }
}

fn leader_text(world: &World) -> String {
    match world.active_leader() {
        Some(l) => format!(
            "the leader is {l} (epoch {})",
            world
                .node(l)
                .and_then(|n| n.replica())
                .map(|r| r.epoch())
                .unwrap_or(0)
        ),
        None => "there is no leader".into(),
    }
}

fn zk_role_name(state: &str) -> &'static str {
    match state {
        "leading" => "leader",
        "following" => "follower",
        _ => "looking",
    }
}

/// The controller in either mode, with its epoch.
fn controller_of(world: &World) -> Option<(NodeId, u64)> {
    if world.spec().is_zk() {
        return world.zk_controller().map(|(id, e)| (id, e as u64));
    }
    let l = world.active_leader()?;
    let s = world.node(l)?.server()?;
    s.controller()
        .and_then(|c| c.active_epoch())
        .map(|e| (l, e as u64))
}

fn zk_leader_text(world: &World) -> String {
    match world.zk_leader() {
        Some(l) => format!("the ZooKeeper leader is {l}"),
        None => "no ZooKeeper server leads".into(),
    }
}

/// ZooKeeper mode: a partition's state as the serving ZooKeeper leader holds it.
fn zk_partition(world: &World, topic: &str, p: u32) -> Result<Option<(i32, Vec<i32>)>, String> {
    let leader = world
        .zk_leader()
        .ok_or("no ZooKeeper server leads: the partition state cannot be read")?;
    let tree = world
        .node(leader)
        .and_then(|n| n.zk_data())
        .ok_or("no ZooKeeper data")?;
    Ok(tree
        .get(&format!("/brokers/topics/{topic}/partitions/{p}/state"))
        .and_then(|z| crate::zk::json::leader_and_isr(&z.data)))
}

/// A partition's leader and ISR: the state znode in ZooKeeper mode, the active controller's
/// (or the most advanced) image in KRaft mode.
fn partition_state(world: &World, topic: &str, p: u32) -> Result<Option<(i32, Vec<i32>)>, String> {
    if world.spec().is_zk() {
        return zk_partition(world, topic, p);
    }
    let image = world.authority_image()?;
    Ok(image
        .topic(topic)
        .and_then(|t| t.partitions.get(p as usize))
        .map(|part| (part.leader, part.isr.to_vec())))
}

fn controller_text(world: &World) -> String {
    match controller_of(world) {
        Some((id, e)) => format!("the controller is {id} (epoch {e})"),
        None => "there is no controller".into(),
    }
}

fn eval_atom(
    atom: &Atom,
    world: &World,
    names: &FlatMap<String, NodeId>,
) -> Result<(bool, String), String> {
    Ok(match atom {
        Atom::Leader => (world.active_leader().is_some(), leader_text(world)),
        Atom::Controller => (controller_of(world).is_some(), controller_text(world)),
        Atom::ZkLeader => (world.zk_leader().is_some(), zk_leader_text(world)),
        Atom::ZkLeaderIs(n) => {
            let id = n.resolve(world, names)?;
            (world.zk_leader() == Some(id), zk_leader_text(world))
        }
        Atom::ControllerIs(n) => {
            let id = n.resolve(world, names)?;
            (
                controller_of(world).is_some_and(|(c, _)| c == id),
                controller_text(world),
            )
        }
        Atom::ControllerEpoch(cmp, n) => (
            controller_of(world).is_some_and(|(_, e)| cmp.holds(e, *n)),
            controller_text(world),
        ),
        Atom::ControllerStage(stage) => {
            let now = world
                .zk_controller()
                .and_then(|(id, _)| world.node(id))
                .and_then(|n| n.zk())
                .and_then(|p| p.broker())
                .and_then(|b| b.controller())
                .map(|c| c.stage().name());
            (
                now == Some(stage.as_str()),
                match now {
                    Some(s) => format!("{}, {s}", controller_text(world)),
                    None => controller_text(world),
                },
            )
        }
        Atom::NoLeader => (world.active_leader().is_none(), leader_text(world)),
        Atom::LeaderIs(n) => {
            let id = n.resolve(world, names)?;
            (world.active_leader() == Some(id), leader_text(world))
        }
        Atom::LeaderIsNot(n) => {
            let id = n.resolve(world, names)?;
            let l = world.active_leader();
            (l.is_some() && l != Some(id), leader_text(world))
        }
        Atom::Epoch(c, v) => {
            let e = highest_epoch(world);
            (c.holds(e, *v), format!("the highest epoch is {e}"))
        }
        Atom::Hw(c, v) => match world
            .active_leader()
            .and_then(|l| world.node(l))
            .and_then(|n| n.replica())
            .and_then(|r| r.high_watermark())
        {
            Some(hw) => (
                c.holds(hw, *v),
                format!("the leader's high watermark is {hw}"),
            ),
            None => (false, "the leader's high watermark is unknown".into()),
        },
        Atom::NodeHw(n, c, v) => {
            let id = n.resolve(world, names)?;
            match world
                .node(id)
                .and_then(|n| n.replica())
                .and_then(|r| r.high_watermark())
            {
                Some(hw) => (c.holds(hw, *v), format!("{id}'s high watermark is {hw}")),
                None => (false, format!("{id}'s high watermark is unknown")),
            }
        }
        Atom::NodeLeo(n, c, v) => {
            let id = n.resolve(world, names)?;
            let leo = world
                .node(id)
                .and_then(|n| n.disk())
                .map(|d| d.log.end_offset())
                .unwrap_or(0);
            (c.holds(leo, *v), format!("{id}'s log end offset is {leo}"))
        }
        Atom::NodeIs(n, state) => {
            let id = n.resolve(world, names)?;
            let node = world
                .node(id)
                .ok_or_else(|| format!("there is no node {id}"))?;
            let status = node.status();
            let role = node.replica().map(|r| r.role());
            let voter = world.is_voter(id);
            let holds = match state.as_str() {
                "up" => status.is_live(),
                "down" => !status.is_live(),
                "crashed" => status == NodeStatus::Crashed,
                "stopped" => status == NodeStatus::Stopped,
                "paused" => matches!(status, NodeStatus::Paused { .. }),
                "voter" => voter,
                "observer" => !voter,
                "leader" => role == Some(Role::Leader),
                "follower" => role == Some(Role::Follower),
                "candidate" => role == Some(Role::Candidate),
                "prospective" => role == Some(Role::Prospective),
                "unattached" => role == Some(Role::Unattached),
                "resigned" => role == Some(Role::Resigned),
                "active" => node.server().is_some_and(|s| s.is_active_controller()),
                "starting" | "recovery" | "running" => node
                    .server()
                    .and_then(|s| s.broker())
                    .is_some_and(|b| b.state().name().eq_ignore_ascii_case(state)),
                "refused" => status == NodeStatus::Stopped && node.failure().is_some(),
                "leading" | "following" | "looking" => node
                    .zk()
                    .and_then(|p| p.server())
                    .is_some_and(|z| z.role().name() == zk_role_name(state)),
                "controller" => node
                    .zk()
                    .and_then(|p| p.broker())
                    .is_some_and(|b| b.controller().is_some()),
                _ => false,
            };
            let broker = node
                .server()
                .and_then(|s| s.broker())
                .map(|b| format!(", broker {}", b.state().name()))
                .unwrap_or_default();
            let zk = node
                .zk()
                .and_then(|p| p.server())
                .map(|z| format!(", ZooKeeper {} in epoch {}", z.role().name(), z.epoch()))
                .unwrap_or_default();
            let broker = format!("{broker}{zk}");
            let now = match (role, node.failure()) {
                (None, None) if status.is_live() => format!("{id} is {}{broker}", status.label()),
                (Some(r), _) => format!("{id} is {} and {}{broker}", status.label(), r.name()),
                (None, Some(why)) => format!("{id} is down ({}: {why})", status.label()),
                (None, None) => format!("{id} is down ({})", status.label()),
            };
            (holds, now)
        }
        Atom::BrokerFenced(b, fenced) => {
            let image = world.authority_image()?;
            match image.brokers.get(b) {
                Some(reg) => (
                    reg.fenced == *fenced,
                    format!(
                        "broker {b} is {} (image at offset {})",
                        if reg.fenced { "fenced" } else { "unfenced" },
                        image.offset
                    ),
                ),
                None => (false, format!("broker {b} is not registered")),
            }
        }
        Atom::BrokerLag(n, c, v) => {
            let id = n.resolve(world, names)?;
            match world.metadata_lag(id) {
                Ok(lag) => (c.holds(lag, *v), format!("{id}'s metadata lag is {lag}")),
                Err(e) => (false, e),
            }
        }
        Atom::TopicOn(topic, n) => {
            let id = n.resolve(world, names)?;
            match world.image_of(id) {
                Ok(image) => {
                    let has = image.topic(topic).is_some();
                    (
                        has,
                        format!(
                            "{id}'s image (offset {}) {} topic {topic}",
                            image.offset,
                            if has { "has" } else { "does not have" }
                        ),
                    )
                }
                Err(e) => (false, e),
            }
        }
        Atom::PartitionLeader(topic, p, who) => match partition_state(world, topic, *p)? {
            Some((l, _)) => {
                let leader = (l >= 0).then_some(l);
                let shown = leader
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| "none".into());
                (
                    leader == *who,
                    format!("the leader of {topic}-{p} is {shown}"),
                )
            }
            None => (false, format!("there is no partition {topic}-{p}")),
        },
        Atom::IsrHas(topic, p, b) => match partition_state(world, topic, *p)? {
            Some((_, isr)) => {
                let shown: Vec<String> = isr.iter().map(|b| b.to_string()).collect();
                (
                    isr.contains(b),
                    format!("the ISR of {topic}-{p} is [{}]", shown.join(",")),
                )
            }
            None => (false, format!("there is no partition {topic}-{p}")),
        },
        Atom::Violated(name) => {
            let hit = world.violations().iter().find(|v| v.property == *name);
            (
                hit.is_some(),
                match hit {
                    Some(v) => format!("{v}"),
                    None => format!("{name} has not been violated"),
                },
            )
        }
        Atom::Ever(inner) => {
            let w = history(world)?
                .watched(inner)
                .ok_or_else(|| not_watched(inner))?;
            match w.first_held {
                Some(t) => (true, format!("`{inner}` held at {}", format_duration(t.0))),
                None => (false, format!("`{inner}` has not held yet")),
            }
        }
        Atom::Never(inner, limit) => {
            let h = history(world)?;
            let w = h.watched(inner).ok_or_else(|| not_watched(inner))?;
            let (longest, _) = w.longest_at(world.now());
            (
                longest <= *limit,
                h.describe_never(inner, *limit, world.now()),
            )
        }
        Atom::Actions(word, cmp, n) => {
            let count = history(world)?.action_count(*word) as u64;
            (
                cmp.holds(count, *n),
                match word {
                    Some(w) => format!("{count} `{w}` action(s) so far"),
                    None => format!("{count} action(s) so far"),
                },
            )
        }
        Atom::Restarted(n) => {
            let id = n.resolve(world, names)?;
            let yes = history(world)?.was_restarted(id);
            (
                yes,
                if yes {
                    format!("{id} went down and started again")
                } else {
                    format!("{id} has not been restarted")
                },
            )
        }
        Atom::NoCommittedRecordLost => match history(world)?.committed_loss(world) {
            None => (true, "no committed record was lost".into()),
            Some(v) => (false, format!("a committed record was lost: {v}")),
        },
        Atom::RecordIs(offset, kind) => {
            let leader = world
                .active_leader()
                .ok_or("there is no active controller to read the log of")?;
            let found = world
                .node(leader)
                .and_then(|n| n.disk())
                .and_then(|d| d.log.entry(*offset))
                .map(|(_, r)| r.type_name());
            (
                found == Some(kind.as_str()),
                match found {
                    Some(t) => format!("offset {offset} of {leader}'s log is a {t}"),
                    None => format!("{leader}'s log holds no record at offset {offset}"),
                },
            )
        }
        Atom::NoViolations => {
            let v = world.violations();
            (
                v.is_empty(),
                match v.first() {
                    None => "no invariant is broken".into(),
                    Some(first) => format!("{} violation(s), first: {first}", v.len()),
                },
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse::tokenize;

    fn cond(text: &str) -> Result<Condition, String> {
        parse_condition(&tokenize(text))
    }

    #[test]
    fn parses_glued_operators_and_negation() {
        let c = cond("leader==3001 and epoch>=2 and not 3000 is leader").unwrap();
        assert_eq!(c.atoms.len(), 3);
        assert_eq!(
            c.atoms[0],
            (false, Atom::LeaderIs(NodeRef::Id(NodeId(3001))))
        );
        assert_eq!(c.atoms[1], (false, Atom::Epoch(Cmp::Ge, 2)));
        assert!(c.atoms[2].0);
        assert!(cond("3000 is not resigned").unwrap().atoms[0].0);
    }

    #[test]
    fn rejects_nonsense_with_a_reason() {
        for bad in [
            "",
            "leader >= 3",
            "epoch",
            "3000 is sleepy",
            "hw >= x",
            "leader and",
            "banana",
        ] {
            assert!(cond(bad).is_err(), "{bad}");
        }
        assert!(cond("3000 is leadr")
            .unwrap_err()
            .contains("did you mean `leader`"));
    }
}

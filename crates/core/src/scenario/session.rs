//! Running a scenario: one [`Session`] holds the world and the names bound with `as`, and
//! executes parsed lines one at a time. Tests, lessons, the CLI and the app all drive it.

use std::collections::BTreeMap;

use crate::server::AdminOp;
use crate::sim::{ClusterView, NetworkConfig, UserAction, World};
use crate::tools::{listing, metadata, quorum};
use crate::trace::{TraceEvent, Verbosity};
use crate::types::{format_duration, NodeId, SimTime};

use super::parse::{bound_target, parse_script, Act, Command, Line, NodeRef, ScenarioError, Show};

/// Resolves a node reference against the cluster as it is now.
pub fn resolve(
    node: &NodeRef,
    world: &World,
    names: &BTreeMap<String, NodeId>,
) -> Result<NodeId, String> {
    match node {
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

/// A running scenario.
#[derive(Clone, Debug)]
pub struct Session {
    world: Option<World>,
    names: BTreeMap<String, NodeId>,
    verbosity: Verbosity,
    /// Output of a command that then failed, so the trace up to the failure is not lost.
    unreported: String,
}

impl Session {
    /// A session with no cluster yet; `run` prints trace events up to `verbosity`.
    pub fn new(verbosity: Verbosity) -> Session {
        Session {
            world: None,
            names: BTreeMap::new(),
            verbosity,
            unreported: String::new(),
        }
    }

    /// A session around an existing world (the app's playground).
    pub fn with_world(world: World, verbosity: Verbosity) -> Session {
        Session {
            world: Some(world),
            names: BTreeMap::new(),
            verbosity,
            unreported: String::new(),
        }
    }

    /// The cluster, once `cluster` ran.
    pub fn world(&self) -> Option<&World> {
        self.world.as_ref()
    }

    /// The cluster, mutably.
    pub fn world_mut(&mut self) -> Option<&mut World> {
        self.world.as_mut()
    }

    /// Takes the world out (the app continues from a lesson step in free play).
    pub fn into_world(self) -> Option<World> {
        self.world
    }

    /// Names bound with `as`.
    pub fn names(&self) -> &BTreeMap<String, NodeId> {
        &self.names
    }

    /// The trace level `run` prints.
    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    fn world_or_err(&mut self, line: usize) -> Result<&mut World, ScenarioError> {
        self.world.as_mut().ok_or_else(|| {
            ScenarioError::new(
                line,
                "no cluster yet: start with `cluster kraft voters=3 brokers=3`",
            )
        })
    }

    /// Collects the recorded trace at the session's verbosity and checks that no invariant
    /// broke meanwhile.
    fn drain(&mut self, line: usize, violations_before: usize) -> Result<String, ScenarioError> {
        let verbosity = self.verbosity;
        let world = self.world_or_err(line)?;
        let events: Vec<TraceEvent> = world.take_trace();
        let mut out = String::new();
        for e in events.iter().filter(|e| e.level() <= verbosity) {
            out += &e.line();
            out.push('\n');
        }
        if let Some(v) = world.violations().get(violations_before) {
            let v = v.to_string();
            self.unreported += &out;
            return Err(ScenarioError::new(line, format!("invariant violated: {v}")));
        }
        Ok(out)
    }

    /// Output produced by a command that then failed; taken once.
    pub fn take_unreported(&mut self) -> String {
        std::mem::take(&mut self.unreported)
    }

    /// Executes one line; returns what it prints.
    pub fn execute(&mut self, line: &Line) -> Result<String, ScenarioError> {
        self.execute_command(&line.command, line.number)
    }

    /// Executes one command attributed to `line`.
    pub fn execute_command(
        &mut self,
        command: &Command,
        line: usize,
    ) -> Result<String, ScenarioError> {
        let err = |m: String| ScenarioError::new(line, m);
        if let Command::Cluster(spec) = command {
            let world =
                crate::check::checked_world((**spec).clone(), self.verbosity != Verbosity::Off);
            self.world = Some(world);
            self.names.clear();
            return self.drain(line, 0);
        }
        if let Command::Trace(v) = command {
            self.verbosity = *v;
            if let Some(w) = self.world.as_mut() {
                w.set_recording(*v != Verbosity::Off);
                w.take_trace();
            }
            return Ok(String::new());
        }
        let record = self.verbosity != Verbosity::Off;
        let before = {
            let w = self.world_or_err(line)?;
            w.set_recording(record);
            w.violations().len()
        };
        match command {
            Command::Cluster(_) | Command::Trace(_) => unreachable!("handled above"),
            Command::Run(d) => {
                self.world_or_err(line)?.run_for(*d);
                self.drain(line, before)
            }
            Command::RunUntil { condition, within } => {
                let names = self.names.clone();
                let world = self.world_or_err(line)?;
                let start = world.now();
                let limit = start + *within;
                let mut failure = None;
                let held = world.run_until_cond(limit, |w| match condition.eval(w, &names) {
                    Ok((h, _)) => h,
                    Err(e) => {
                        failure.get_or_insert(e);
                        false
                    }
                });
                let elapsed = world.now().since(start);
                let (_, seen) = condition
                    .eval(world, &names)
                    .unwrap_or((false, String::new()));
                let mut out = self.drain(line, before)?;
                if let Some(e) = failure.filter(|_| !held) {
                    self.unreported += &out;
                    return Err(err(e));
                }
                if !held {
                    self.unreported += &out;
                    return Err(err(format!(
                        "`{condition}` did not hold within {}: {seen}",
                        format_duration(*within)
                    )));
                }
                out += &format!("ok: `{condition}` after {}\n", format_duration(elapsed));
                Ok(out)
            }
            Command::At(time, inner) => {
                let now = self.world_or_err(line)?.now();
                if SimTime(*time) < now {
                    return Err(err(format!(
                        "`at {}` is in the past: the time is already {}",
                        format_duration(*time),
                        format_duration(now.0)
                    )));
                }
                self.world_or_err(line)?.run_until(SimTime(*time));
                let mut out = self.drain(line, before)?;
                out += &self.execute_command(inner, line)?;
                Ok(out)
            }
            Command::Expect(condition) => {
                let names = self.names.clone();
                let world = self.world_or_err(line)?;
                let (holds, seen) = condition.eval(world, &names).map_err(err)?;
                if holds {
                    Ok(String::new())
                } else {
                    Err(err(format!("expected `{condition}`, but {seen}")))
                }
            }
            Command::Show(what) => {
                let names = self.names.clone();
                let world = self.world_or_err(line)?;
                let text = match what {
                    Show::Status => {
                        quorum::describe_quorum(world).map(|q| quorum::describe_status(&q))
                    }
                    Show::Replication { human_readable } => quorum::describe_quorum(world)
                        .map(|q| quorum::describe_replication(&q, *human_readable)),
                    Show::Log(n) => {
                        resolve(n, world, &names).and_then(|id| listing::log(world, id))
                    }
                    Show::Nodes => Ok(listing::nodes(world)),
                    Show::Messages => Ok(listing::messages(world)),
                    Show::MetadataLog(n, from) => {
                        let id = match n {
                            Some(n) => resolve(n, world, &names),
                            None => resolve(&NodeRef::Leader, world, &names),
                        };
                        id.and_then(|id| metadata::dump_log(world, id, *from))
                    }
                    Show::Topics(name, on) => {
                        let image = match on {
                            Some(n) => resolve(n, world, &names).and_then(|id| world.image_of(id)),
                            None => world.leader_image(),
                        };
                        image.and_then(|i| metadata::describe_topics(i, name.as_deref()))
                    }
                    Show::Image(n) => {
                        resolve(n, world, &names).and_then(|id| metadata::describe_image(world, id))
                    }
                    Show::Config(n) => resolve(n, world, &names)
                        .and_then(|id| metadata::describe_config(world, id)),
                    Show::ZkTree(n) => match n {
                        Some(n) => resolve(n, world, &names)
                            .and_then(|id| crate::tools::zookeeper::zk_tree(world, Some(id))),
                        None => crate::tools::zookeeper::zk_tree(world, None),
                    },
                    Show::Controller => Ok(crate::tools::zookeeper::describe_controller(world)),
                    Show::Srvr => crate::tools::zookeeper::srvr(world),
                    Show::Violations => Ok(if world.violations().is_empty() {
                        "no invariant violations\n".to_string()
                    } else {
                        world
                            .violations()
                            .iter()
                            .map(|v| format!("{v}\n"))
                            .collect()
                    }),
                };
                // The quorum tool's "no leader" answer is output, not a scenario failure.
                Ok(text.unwrap_or_else(|e| format!("{e}\n")))
            }
            Command::Do(act, bind) => {
                let names = self.names.clone();
                let world = self.world_or_err(line)?;
                if let (Some(name), Some(target)) = (bind, bound_target(act)) {
                    let id = resolve(target, world, &names).map_err(err)?;
                    self.names.insert(name.clone(), id);
                }
                let names = self.names.clone();
                let world = self.world_or_err(line)?;
                let action = to_action(act, world, &names).map_err(err)?;
                let result = world.apply(&action);
                let mut out = self.drain(line, before)?;
                match (result, act) {
                    (Ok(_), _) => {}
                    // A refused write is what a client would see; the scenario goes on.
                    (Err(why), Act::Write(..)) => {
                        if self.verbosity == Verbosity::Off {
                            out += &format!("write rejected: {why}\n");
                        }
                    }
                    (Err(why), _) => {
                        self.unreported += &out;
                        return Err(err(why));
                    }
                }
                Ok(out)
            }
        }
    }
}

/// Turns a parsed action into a user action on this world.
pub fn to_action(
    act: &Act,
    world: &World,
    names: &BTreeMap<String, NodeId>,
) -> Result<UserAction, String> {
    to_action_with(
        act,
        &|n| resolve(n, world, names),
        &world.network().config,
        Some(world),
    )
}

/// Turns a parsed action into a user action, resolving nodes with `one` and changing
/// `network` for `network …`. `drop next` needs the `world` to find the message; share links,
/// which replay without one, must drop by id.
pub fn to_action_with(
    act: &Act,
    one: &dyn Fn(&NodeRef) -> Result<NodeId, String>,
    network: &NetworkConfig,
    world: Option<&World>,
) -> Result<UserAction, String> {
    let many = |list: &[NodeRef]| list.iter().map(one).collect::<Result<Vec<_>, _>>();
    Ok(match act {
        Act::Crash(n) => UserAction::Crash(one(n)?),
        Act::Restart(n) => UserAction::Restart(one(n)?),
        Act::Shutdown(n) => UserAction::Shutdown(one(n)?),
        Act::Pause(n, d) => UserAction::Pause(one(n)?, *d),
        Act::Timeout(n) => UserAction::TimeoutNow(one(n)?),
        Act::Isolate(n) => UserAction::Isolate(one(n)?),
        Act::Partition(groups) => {
            UserAction::Partition(groups.iter().map(|g| many(g)).collect::<Result<_, _>>()?)
        }
        Act::PartitionOneWay(from, to) => UserAction::PartitionOneWay {
            from: many(from)?,
            to: many(to)?,
        },
        Act::Heal => UserAction::Heal,
        Act::DropId(id) => UserAction::DropMessage(*id),
        Act::DropNext { name, from, to } => {
            let world = world.ok_or("`drop next` cannot be replayed; drop by id")?;
            let from = from.as_ref().map(one).transpose()?;
            let to = to.as_ref().map(one).transpose()?;
            let msg = world
                .network()
                .in_flight()
                .filter(|e| !e.doomed)
                .filter(|e| {
                    name.as_deref()
                        .is_none_or(|n| e.payload.name().eq_ignore_ascii_case(n))
                })
                .filter(|e| from.is_none_or(|f| e.from == f))
                .filter(|e| to.is_none_or(|t| e.to == t))
                .min_by_key(|e| (e.deliver_at, e.id))
                .ok_or("no message in flight matches")?;
            UserAction::DropMessage(msg.id)
        }
        Act::Write(count, to) => UserAction::Write {
            count: *count,
            to: to.as_ref().map(one).transpose()?,
        },
        Act::Network(change) => {
            let mut cfg = network.clone();
            change.apply_to(&mut cfg);
            UserAction::SetNetwork(cfg)
        }
        Act::CreateTopic {
            name,
            partitions,
            replication_factor,
            configs,
        } => UserAction::Admin(AdminOp::CreateTopic {
            name: name.clone(),
            partitions: *partitions,
            replication_factor: *replication_factor,
            configs: configs.clone(),
        }),
        Act::CreateTopics {
            prefix,
            first,
            count,
            partitions,
            replication_factor,
        } => UserAction::Admin(AdminOp::CreateTopics {
            prefix: prefix.clone(),
            first: *first,
            count: *count,
            partitions: *partitions,
            replication_factor: *replication_factor,
        }),
        Act::DeleteTopic(name) => UserAction::Admin(AdminOp::DeleteTopic { name: name.clone() }),
        Act::AlterConfig {
            resource,
            key,
            value,
        } => UserAction::Admin(AdminOp::AlterConfig {
            resource: resource.clone(),
            key: key.clone(),
            value: value.clone(),
        }),
        Act::Configure(n, key, value) => UserAction::Configure {
            node: one(n)?,
            key: key.clone(),
            value: value.clone(),
        },
        Act::Format(n, cluster_id) => UserAction::Format {
            node: one(n)?,
            cluster_id: cluster_id.clone(),
        },
        Act::Unformat(n) => UserAction::Unformat(one(n)?),
        Act::AddController(n) => UserAction::AddController(one(n)?),
        Act::RemoveController(n) => UserAction::RemoveController(one(n)?),
    })
}

/// What running a whole script produced.
#[derive(Clone, Debug)]
pub struct ScriptOutcome {
    /// Everything printed, in order.
    pub output: String,
    /// The first error, if the script failed.
    pub error: Option<ScenarioError>,
    /// The session at the end (or at the failure).
    pub session: Session,
}

/// Parses and runs a whole scenario, stopping at the first error.
pub fn run_script(text: &str, verbosity: Verbosity) -> ScriptOutcome {
    let mut session = Session::new(verbosity);
    let lines = match parse_script(text) {
        Ok(l) => l,
        Err(e) => {
            return ScriptOutcome {
                output: String::new(),
                error: Some(e),
                session,
            }
        }
    };
    let mut output = String::new();
    for line in &lines {
        match session.execute(line) {
            Ok(o) => output += &o,
            Err(e) => {
                output += &session.take_unreported();
                return ScriptOutcome {
                    output,
                    error: Some(e),
                    session,
                };
            }
        }
    }
    ScriptOutcome {
        output,
        error: None,
        session,
    }
}

/// A snapshot of the session's world for the UI, if a cluster exists.
pub fn view(session: &Session) -> Option<ClusterView> {
    session.world().map(|w| ClusterView::build(w, 32))
}

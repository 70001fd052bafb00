//! Running a scenario: one [`Session`] holds the world and the names bound with `as`, and
//! executes parsed lines one at a time. Tests, lessons, the CLI and the app all drive it.

use crate::flat::FlatMap;

use crate::limits::{Budget, Limits};
use crate::sim::{ClusterView, UserAction, World};
use crate::tools::{listing, metadata, quorum};
use crate::trace::{TraceEvent, Verbosity};
use crate::types::{format_duration, NodeId, SimTime};

use super::ast::{Command, Line, ScenarioError, Show};
use super::condition::Condition;
use super::history::History;
use super::node_ref::NodeRef;
use super::parse::parse_script;

/// A running scenario.
#[derive(Clone, Debug)]
pub struct Session {
    world: Option<World>,
    names: FlatMap<String, NodeId>,
    verbosity: Verbosity,
    /// Output of a command that then failed, so the trace up to the failure is not lost.
    unreported: String,
    /// `allow violations`: an invariant that breaks is reported, not fatal.
    allow_violations: bool,
    /// Conditions over the history (`ever`, `never`) the script asks about somewhere: watched
    /// from the cluster's start (or `begin`).
    watches: Vec<Condition>,
    /// Properties already reported as violated (each is printed once: a broken rule keeps
    /// breaking at every event).
    reported: std::collections::BTreeSet<&'static str>,
    /// The limits every cluster this session builds is held to.
    limits: Limits,
}

impl Session {
    /// A session with no cluster yet; `run` prints trace events up to `verbosity`.
    pub fn new(verbosity: Verbosity) -> Session {
        Session {
            world: None,
            names: FlatMap::new(),
            verbosity,
            unreported: String::new(),
            allow_violations: false,
            reported: Default::default(),
            watches: Vec::new(),
            limits: Limits::DEFAULT,
        }
    }

    /// A session whose clusters are held to `limits` instead of the defaults (the command
    /// line's `--limits off` or `--limit NAME=VALUE`).
    pub fn with_limits(verbosity: Verbosity, limits: Limits) -> Session {
        Session {
            limits,
            ..Session::new(verbosity)
        }
    }

    /// A session around an existing world (the app's playground); the world keeps its limits.
    pub fn with_world(world: World, verbosity: Verbosity) -> Session {
        Session {
            limits: *world.limits(),
            world: Some(world),
            names: FlatMap::new(),
            verbosity,
            unreported: String::new(),
            allow_violations: false,
            reported: Default::default(),
            watches: Vec::new(),
        }
    }

    /// Watches these history conditions (`ever`, `never`) from the cluster's start or the next
    /// `begin` (the script's conditions, found before it runs).
    pub fn watch(&mut self, conditions: impl IntoIterator<Item = Condition>) {
        self.watches.extend(conditions);
        if let Some(mut world) = self.world.take() {
            self.install_history(&mut world);
            self.world = Some(world);
        }
    }

    fn install_history(&self, world: &mut World) {
        let watched: Vec<&Condition> = self.watches.iter().collect();
        History::install(world, &self.names, &watched);
    }

    /// Binds `name` to `id` (and tells the history, which resolves its watched conditions).
    fn bind(&mut self, name: &str, id: NodeId) {
        self.names.insert(name.to_string(), id);
        if let Some(h) = self
            .world
            .as_mut()
            .and_then(|w| w.observer_mut::<History>())
        {
            h.bind(name.to_string(), id);
        }
    }

    /// Evaluates a condition now, with the names bound so far.
    pub fn eval(&self, condition: &Condition) -> Result<(bool, String), String> {
        let world = self
            .world
            .as_ref()
            .ok_or("no cluster yet: start with a `cluster` line")?;
        condition.eval(world, &self.names)
    }

    /// Starts the history again now (as `begin`), also watching the temporal parts of
    /// `conditions` (a lesson step's goal rows).
    pub fn begin_with(&mut self, conditions: &[Condition]) -> Result<(), String> {
        self.reinstall(|world, names, watched| {
            let mut all = watched.to_vec();
            all.extend(conditions);
            History::install(world, names, &all);
        })
    }

    /// Starts the history again now, as [`Session::begin_with`], and latches the first event
    /// after which every row of `goal` holds: a lesson step's goal, judged as the app's player
    /// judges it (a goal that held at one moment stays reached).
    pub fn begin_with_goal(&mut self, goal: &[Condition]) -> Result<(), String> {
        self.reinstall(|world, names, watched| {
            History::install_with_goal(world, names, watched, goal)
        })
    }

    /// Replaces the world's history by what `install` builds from the bound names and the
    /// scenario's watched conditions.
    fn reinstall(
        &mut self,
        install: impl FnOnce(&mut World, &FlatMap<String, NodeId>, &[&Condition]),
    ) -> Result<(), String> {
        let mut world = self
            .world
            .take()
            .ok_or("no cluster yet: start with a `cluster` line")?;
        let watched: Vec<&Condition> = self.watches.iter().collect();
        install(&mut world, &self.names, &watched);
        self.world = Some(world);
        Ok(())
    }

    /// When the goal given to [`Session::begin_with_goal`] first held, if it has.
    pub fn goal_met_at(&self) -> Option<SimTime> {
        self.world
            .as_ref()
            .and_then(|w| w.observer::<History>())
            .and_then(|h| h.goal_met_at)
    }

    /// How many user actions were taken since the history began (what `par` counts).
    pub fn actions_taken(&self) -> usize {
        self.world
            .as_ref()
            .and_then(|w| w.observer::<History>())
            .map_or(0, |h| h.actions.len())
    }

    /// Lets the run go on after an invariant breaks (`allow violations`).
    pub fn allow_violations(&mut self) {
        self.allow_violations = true;
    }

    /// The limits this session's clusters are held to.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// True once the scenario said `allow violations`.
    pub fn allows_violations(&self) -> bool {
        self.allow_violations
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
    pub fn names(&self) -> &FlatMap<String, NodeId> {
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
        let new: Vec<(&'static str, String)> = world.violations()
            [violations_before.min(world.violations().len())..]
            .iter()
            .map(|v| (v.property, v.to_string()))
            .collect();
        if let Some((_, v)) = new.first() {
            if !self.allow_violations {
                self.unreported += &out;
                return Err(ScenarioError::new(line, format!("invariant violated: {v}")));
            }
            for (property, v) in new {
                if self.reported.insert(property) {
                    out += &format!(
                        "invariant violated: {v} (later violations of {property} are not shown)\n"
                    );
                }
            }
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
            self.limits
                .check_counted_partitions(spec.quorum.modelled_partitions)
                .map_err(err)?;
            let mut world =
                crate::check::checked_world((**spec).clone(), self.verbosity != Verbosity::Off);
            world.set_limits(self.limits);
            self.names.clear();
            self.install_history(&mut world);
            self.world = Some(world);
            return self.drain(line, 0);
        }
        if let Command::Begin = command {
            let mut world = self.world.take().ok_or_else(|| {
                ScenarioError::new(line, "no cluster yet: start with a `cluster` line")
            })?;
            self.install_history(&mut world);
            self.world = Some(world);
            return Ok(String::new());
        }
        if let Command::Name(node, name) = command {
            let names = self.names.clone();
            let world = self.world_or_err(line)?;
            let id = node.resolve(world, &names).map_err(err)?;
            self.bind(name, id);
            return Ok(String::new());
        }
        if let Command::AllowViolations = command {
            self.allow_violations = true;
            return Ok(String::new());
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
            Command::Cluster(_)
            | Command::Trace(_)
            | Command::AllowViolations
            | Command::Begin
            | Command::Name(..) => {
                unreachable!("handled above")
            }
            Command::Run(d) => {
                let world = self.world_or_err(line)?;
                world.limits().check_run_for(world.now(), *d).map_err(err)?;
                world.run_for(*d);
                self.drain(line, before)
            }
            Command::RunUntil { condition, within } => {
                let names = self.names.clone();
                let world = self.world_or_err(line)?;
                world
                    .limits()
                    .check_run_for(world.now(), *within)
                    .map_err(err)?;
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
                let world = self.world_or_err(line)?;
                world.limits().check_time(SimTime(*time)).map_err(err)?;
                world.run_until(SimTime(*time));
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
                let text = render_show(world, &names, what);
                // The quorum tool's "no leader" answer is output, not a scenario failure.
                Ok(text.unwrap_or_else(|e| format!("{e}\n")))
            }
            Command::Do(act, bind) => {
                let names = self.names.clone();
                let world = self.world_or_err(line)?;
                if let (Some(name), Some(target)) = (bind, act.target()) {
                    if let Some(bound) = names.get(name) {
                        return Err(err(format!(
                            "`{name}` is already bound to {bound}; choose another name"
                        )));
                    }
                    let id = target.resolve(world, &names).map_err(err)?;
                    self.bind(name, id);
                }
                let names = self.names.clone();
                let world = self.world_or_err(line)?;
                let action = act
                    .try_map_nodes(|n| n.resolve(world, &names))
                    .map_err(err)?;
                let result = world.apply(&action);
                let mut out = self.drain(line, before)?;
                match (result, act) {
                    (Ok(_), _) => {}
                    // A refused write is what a client would see; the scenario goes on.
                    (Err(why), UserAction::Write { .. }) => {
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

/// What `show …` prints about `world` (Kafka's tools, listings, violations); `Err` is the
/// tool's own refusal, which is output too (a quorum with no leader cannot be described).
pub fn render_show(
    world: &World,
    names: &FlatMap<String, NodeId>,
    what: &Show,
) -> Result<String, String> {
    match what {
        Show::Status => {
            quorum::describe_quorum(world).map(|q| quorum::describe_status(&q).to_string())
        }
        Show::Replication { human_readable } => quorum::describe_quorum(world)
            .map(|q| quorum::describe_replication(&q, *human_readable).to_string()),
        Show::Log(n) => n
            .resolve(world, names)
            .and_then(|id| listing::log(world, id)),
        Show::Nodes => Ok(listing::nodes(world)),
        Show::Messages => Ok(listing::messages(world)),
        Show::MetadataLog(n, from) => {
            let id = match n {
                Some(n) => n.resolve(world, names),
                None => NodeRef::Leader.resolve(world, names),
            };
            id.and_then(|id| metadata::dump_log(world, id, *from))
        }
        Show::Topics(name, on) => {
            let image = match on {
                Some(n) => n.resolve(world, names).and_then(|id| world.image_of(id)),
                None => world.leader_image(),
            };
            image.and_then(|i| metadata::describe_topics(i, name.as_deref()))
        }
        Show::Image(n) => n
            .resolve(world, names)
            .and_then(|id| metadata::describe_image(world, id)),
        Show::Config(n) => n
            .resolve(world, names)
            .and_then(|id| metadata::describe_config(world, id)),
        Show::ZkTree(n) => match n {
            Some(n) => n
                .resolve(world, names)
                .and_then(|id| crate::tools::zookeeper::zk_tree(world, Some(id))),
            None => crate::tools::zookeeper::zk_tree(world, None),
        },
        Show::Controller => Ok(crate::tools::zookeeper::describe_controller(world)),
        Show::Srvr => crate::tools::zookeeper::srvr(world).map(|t| t.to_string()),
        Show::Violations => Ok(if world.violations().is_empty() {
            "no invariant violations\n".to_string()
        } else {
            world
                .violations()
                .iter()
                .map(|v| format!("{v}\n"))
                .collect()
        }),
    }
}

/// The conditions over the history (`ever`, `never`) that `expect` and `run until` lines ask
/// about: they must be watched from the start.
pub fn temporal_conditions(lines: &[Line]) -> Vec<Condition> {
    fn of(c: &Command, out: &mut Vec<Condition>) {
        match c {
            Command::Expect(cond)
            | Command::RunUntil {
                condition: cond, ..
            } if cond.is_temporal() => out.push(cond.clone()),
            Command::At(_, inner) => of(inner, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for l in lines {
        of(&l.command, &mut out);
    }
    out
}

/// What `run_script` prints for a scenario without a single command.
pub const NOTHING_RAN: &str =
    "the scenario holds no commands (only blank lines or comments): nothing ran\n";

/// Parses and runs a whole scenario, stopping at the first error.
pub fn run_script(text: &str, verbosity: Verbosity) -> ScriptOutcome {
    run_script_with_limits(text, verbosity, Limits::DEFAULT)
}

/// Parses and runs a whole scenario held to `limits`, stopping at the first error. The
/// whole script is checked against the limits first ([`check_plan`]), so a script that
/// would exceed them is refused before its first line runs.
pub fn run_script_with_limits(text: &str, verbosity: Verbosity, limits: Limits) -> ScriptOutcome {
    let mut session = Session::with_limits(verbosity, limits);
    let lines = match parse_script(text).and_then(|l| check_plan(&l, &limits).map(|_| l)) {
        Ok(l) => l,
        Err(e) => {
            return ScriptOutcome {
                output: String::new(),
                error: Some(e),
                session,
            }
        }
    };
    session.watch(temporal_conditions(&lines));
    if lines.is_empty() {
        return ScriptOutcome {
            output: NOTHING_RAN.to_string(),
            error: None,
            session,
        };
    }
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

/// Checks a whole script against `limits` before anything runs: every action is charged to
/// its cluster's budget as if accepted, and virtual time is bounded from above (`run` and
/// `within` add their durations, `at` moves to its time). The first line that would exceed
/// a limit is refused, naming it. A `cluster` line starts a new budget.
pub fn check_plan(lines: &[Line], limits: &Limits) -> Result<(), ScenarioError> {
    let mut budget = Budget::new(*limits, 0);
    let mut time = SimTime::ZERO;
    for line in lines {
        let err = |m: String| ScenarioError::new(line.number, m);
        let mut command = &line.command;
        if let Command::At(t, inner) = command {
            limits.check_time(SimTime(*t)).map_err(err)?;
            time = time.max(SimTime(*t));
            command = inner;
        }
        match command {
            Command::Cluster(spec) => {
                let counted = spec.quorum.modelled_partitions;
                limits.check_counted_partitions(counted).map_err(err)?;
                budget = Budget::new(*limits, counted);
                time = SimTime::ZERO;
            }
            Command::Run(d) | Command::RunUntil { within: d, .. } => {
                limits.check_run_for(time, *d).map_err(err)?;
                time = time + *d;
            }
            Command::Do(act, _) => budget.spend(act.cost(), &act.to_command()).map_err(err)?,
            _ => {}
        }
    }
    Ok(())
}

/// A snapshot of the session's world for the UI, if a cluster exists.
pub fn view(session: &Session) -> Option<ClusterView> {
    session.world().map(|w| ClusterView::build(w, 32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_bound_once_per_cluster() {
        let script = "cluster kraft voters=3 brokers=0 seed=1\nrun until leader within 5s\nrun 1s\ncrash follower as old\nrestart old\n\ncrash leader as old\n";
        let outcome = run_script(script, Verbosity::Off);
        let e = outcome.error.expect("refused");
        assert_eq!(e.line, 7);
        assert!(
            e.message.starts_with("`old` is already bound to 300")
                && e.message.ends_with("; choose another name"),
            "{e}"
        );
        // A new cluster forgets every name.
        let again = "cluster kraft voters=3 brokers=0 seed=1\nrun until leader within 5s\ncrash leader as old\ncluster kraft voters=3 brokers=0 seed=2\nrun until leader within 5s\ncrash leader as old\n";
        assert!(run_script(again, Verbosity::Off).error.is_none());
    }

    #[test]
    fn topic_and_broker_configs_are_validated_by_the_controller() {
        let start = "cluster kraft voters=3 brokers=3 seed=1\nrun until leader within 5s\nrun 3s\n";
        for (line, why) in [
            (
                "create-topic orders partitions=3 rf=3 retention.mss=1",
                "INVALID_CONFIG: Unknown topic config name: retention.mss",
            ),
            (
                "create-topic orders partitions=3 rf=3 retention.ms=abc",
                "INVALID_CONFIG: Invalid value abc for configuration retention.ms: Not a number of type LONG",
            ),
            (
                "alter-config broker log.retention.ms=abc",
                "INVALID_CONFIG: Invalid value abc for configuration log.retention.ms: Not a number of type LONG",
            ),
        ] {
            let e = run_script(&format!("{start}{line}\n"), Verbosity::Off)
                .error
                .expect("refused");
            assert_eq!(e.line, 4);
            assert_eq!(e.message, why);
        }
        let ok = format!("{start}create-topic orders partitions=3 rf=3 retention.ms=60000 cleanup.policy=compact\nrun 1s\nalter-config orders min.insync.replicas=2\nalter-config broker:1 log.retention.ms=1000\n");
        assert!(run_script(&ok, Verbosity::Off).error.is_none());
        let e = run_script(&format!("{start}create-topic orders partitions=3 rf=3\nrun 1s\nalter-config orders min.insync.replicas=0\n"), Verbosity::Off).error.expect("refused");
        assert!(e.message.ends_with("Value must be at least 1"), "{e}");
    }
}

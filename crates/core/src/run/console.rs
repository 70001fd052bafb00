//! The scenario language typed at a running [`Timeline`]: the app's console, a lesson's
//! `{run}` chips and scenario blocks, an embedding page's commands. Actions apply now (and are
//! recorded, so time travel and share links keep them); `run` and `run until` advance the
//! timeline at once; `show` prints Kafka's tools; `cluster` starts a new run. The same
//! history (`ever`, `actions`, `restarted`, …) that scenario files read is kept.

use crate::flat::FlatMap;
use crate::scenario::ast::Command;
use crate::scenario::condition::Condition;
use crate::scenario::history::History;
use crate::scenario::parse::parse_command;
use crate::scenario::session::render_show;
use crate::sim::World;
use crate::types::{format_duration, NodeId, SimTime};

use super::timeline::Timeline;

/// The console's own state: names bound with `as`, the history's watched conditions, and
/// whether a broken invariant stops it.
#[derive(Clone, Debug, Default)]
pub struct Console {
    /// Names bound with `as` or `name … as …`.
    pub names: FlatMap<String, NodeId>,
    watches: Vec<Condition>,
    allow_violations: bool,
}

impl Console {
    /// A console with no names bound.
    pub fn new() -> Console {
        Console::default()
    }

    /// Parses and runs one line; `Ok` is what it prints.
    pub fn run_text(&mut self, timeline: &mut Timeline, text: &str) -> Result<String, String> {
        let content = text.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            return Ok(String::new());
        }
        let command = parse_command(content)?;
        self.run(timeline, &command)
    }

    /// Starts the history again now, watching `conditions` too (a lesson step's goal rows).
    pub fn begin_with(&mut self, timeline: &mut Timeline, conditions: &[Condition]) {
        let mut watched: Vec<&Condition> = self.watches.iter().collect();
        watched.extend(conditions);
        History::install(timeline.world_mut(), &self.names, &watched);
    }

    /// Starts the history again now, as [`Console::begin_with`], and latches the first event
    /// after which every row of `goal` holds (a lesson step's goal: a row that held for one
    /// event between two frames still counts).
    pub fn begin_with_goal(&mut self, timeline: &mut Timeline, goal: &[Condition]) {
        let watched: Vec<&Condition> = self.watches.iter().collect();
        History::install_with_goal(timeline.world_mut(), &self.names, &watched, goal);
    }

    /// When the goal given to [`Console::begin_with_goal`] first held, if it has.
    pub fn goal_met_at(&self, timeline: &Timeline) -> Option<SimTime> {
        timeline
            .world()
            .observer::<History>()
            .and_then(|h| h.goal_met_at)
    }

    /// How many user actions were taken since the history began (what `par` counts).
    pub fn actions_taken(&self, timeline: &Timeline) -> usize {
        timeline
            .world()
            .observer::<History>()
            .map_or(0, |h| h.actions.len())
    }

    /// True once a broken invariant no longer stops the console.
    pub fn allows_violations(&self) -> bool {
        self.allow_violations
    }

    /// Lets the run go on after an invariant breaks.
    pub fn allow_violations(&mut self) {
        self.allow_violations = true;
    }

    /// Evaluates a condition now.
    pub fn eval(
        &self,
        timeline: &Timeline,
        condition: &Condition,
    ) -> Result<(bool, String), String> {
        condition.eval(timeline.world(), &self.names)
    }

    fn bind(&mut self, timeline: &mut Timeline, name: &str, id: NodeId) {
        self.names.insert(name.to_string(), id);
        if let Some(h) = timeline.world_mut().observer_mut::<History>() {
            h.bind(name.to_string(), id);
        }
    }

    fn check_violations(&self, world: &World, before: usize) -> Result<(), String> {
        match world.violations().get(before) {
            Some(v) if !self.allow_violations => Err(format!("invariant violated: {v}")),
            _ => Ok(()),
        }
    }

    /// Runs one parsed command.
    pub fn run(&mut self, timeline: &mut Timeline, command: &Command) -> Result<String, String> {
        let before = timeline.world().violations().len();
        let out = match command {
            Command::Cluster(spec) => {
                timeline
                    .world()
                    .limits()
                    .check_counted_partitions(spec.quorum.modelled_partitions)?;
                *timeline = Timeline::new((**spec).clone());
                self.names.clear();
                self.begin_with(timeline, &[]);
                return Ok(String::new());
            }
            Command::Begin => {
                self.begin_with(timeline, &[]);
                String::new()
            }
            Command::AllowViolations => {
                self.allow_violations = true;
                String::new()
            }
            Command::Trace(_) => String::new(),
            Command::Name(node, name) => {
                let id = node.resolve(timeline.world(), &self.names)?;
                self.bind(timeline, name, id);
                String::new()
            }
            Command::Run(d) => {
                let world = timeline.world();
                world.limits().check_run_for(world.now(), *d)?;
                let t = timeline.now() + *d;
                timeline.advance_to(t);
                String::new()
            }
            Command::RunUntil { condition, within } => {
                let world = timeline.world();
                world.limits().check_run_for(world.now(), *within)?;
                let start = timeline.now();
                let names = self.names.clone();
                let held = timeline.advance_until(start + *within, |w| {
                    condition.eval(w, &names).is_ok_and(|(h, _)| h)
                });
                let (_, seen) = condition
                    .eval(timeline.world(), &names)
                    .unwrap_or((false, String::new()));
                if !held {
                    return Err(format!(
                        "`{condition}` did not hold within {}: {seen}",
                        format_duration(*within)
                    ));
                }
                format!(
                    "ok: `{condition}` after {}\n",
                    format_duration(timeline.now().since(start))
                )
            }
            Command::At(t, inner) => {
                timeline.world().limits().check_time(SimTime(*t))?;
                if SimTime(*t) < timeline.now() {
                    return Err(format!(
                        "`at {}` is in the past: the time is already {}",
                        format_duration(*t),
                        format_duration(timeline.now().0)
                    ));
                }
                timeline.advance_to(SimTime(*t));
                return self.run(timeline, inner);
            }
            Command::Expect(condition) => {
                let (holds, seen) = condition.eval(timeline.world(), &self.names)?;
                if !holds {
                    return Err(format!("expected `{condition}`, but {seen}"));
                }
                format!("ok: `{condition}`\n")
            }
            Command::Show(what) => render_show(timeline.world(), &self.names, what)
                .unwrap_or_else(|e| format!("{e}\n")),
            Command::Do(act, bind) => {
                if let (Some(name), Some(target)) = (bind, act.target()) {
                    let id = target.resolve(timeline.world(), &self.names)?;
                    self.bind(timeline, name, id);
                }
                let action = act.try_map_nodes(|n| n.resolve(timeline.world(), &self.names))?;
                let text = timeline.act(action)?;
                format!("{text}\n")
            }
        };
        self.check_violations(timeline.world(), before)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::ClusterSpec;

    #[test]
    fn commands_drive_a_timeline_and_keep_the_history() {
        let mut t = Timeline::new(ClusterSpec::kraft(3, 0, 7));
        let mut c = Console::new();
        assert!(c.run_text(&mut t, "crash leader").is_err(), "no leader yet");
        let out = c.run_text(&mut t, "run until leader within 10s").unwrap();
        assert!(out.starts_with("ok: `leader` after"), "{out}");
        c.run_text(&mut t, "name leader as first").unwrap();
        c.run_text(&mut t, "begin").unwrap();
        c.run_text(&mut t, "crash first").unwrap();
        c.run_text(&mut t, "run until leader != first within 10s")
            .unwrap();
        c.run_text(&mut t, "restart first").unwrap();
        c.run_text(&mut t, "run 1s").unwrap();
        assert!(c
            .run_text(&mut t, "expect restarted first and actions == 2")
            .is_ok());
        assert!(c.run_text(&mut t, "expect actions crash == 2").is_err());
        assert!(c
            .run_text(&mut t, "show status")
            .unwrap()
            .contains("LeaderId:"));
        assert_eq!(
            t.actions().len(),
            2,
            "the actions are recorded for time travel"
        );
        assert!(c
            .run_text(&mut t, "crahs 3000")
            .unwrap_err()
            .contains("did you mean"));
    }

    #[test]
    fn typed_commands_are_held_to_the_limits_before_any_work() {
        let mut t = Timeline::new(ClusterSpec::kraft(3, 0, 7));
        let mut c = Console::new();
        for line in [
            "run 100h",
            "run until no leader within 30h",
            "at 400h heal",
            "cluster kraft voters=3 brokers=3 partitions=9000000",
        ] {
            let e = c.run_text(&mut t, line).unwrap_err();
            assert!(e.contains("limit"), "{line}: {e}");
        }
        assert_eq!(t.now(), SimTime::ZERO, "nothing ran");
        assert_eq!(t.spec().brokers.len(), 0, "the cluster was not replaced");
    }

    #[test]
    fn run_until_stops_where_a_scenario_file_stops() {
        let text = "cluster kraft voters=3 brokers=3 seed=9\nrun until leader within 10s\nwrite 3\nrun until hw >= 5 within 5s\n";
        let file = crate::scenario::run_script(text, crate::trace::Verbosity::Off);
        assert!(file.error.is_none());
        let expected = file.session.world().unwrap().now();
        let mut t = Timeline::new(ClusterSpec::kraft(1, 0, 1));
        let mut c = Console::new();
        for line in text.lines() {
            c.run_text(&mut t, line).unwrap();
        }
        assert_eq!(
            t.now(),
            expected,
            "the app's replay of a lesson matches the checker's"
        );
    }
}

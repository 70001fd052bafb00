//! What happened since a moment — a lesson step opening, an exercise beginning, a scenario's
//! `begin` or its cluster starting: the learner's actions, the nodes restarted, whether a
//! committed record was lost, and conditions watched after every event (`ever …`,
//! `never … for more than …`). It is an observer of the world, so it sees every event of
//! every driver (the scenario session, the app's timeline) and travels in time with the
//! world's checkpoints.

use crate::check::committed_durable;
use crate::flat::{FlatMap, FlatSet};
use crate::sim::observe::{Observer, Violation};
use crate::sim::{UserAction, World};
use crate::trace::{Event, TraceEvent};
use crate::types::{format_duration, Micros, NodeId, SimTime};

use super::condition::{Atom, Condition};

/// A condition watched after every event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    /// The condition watched.
    pub condition: Condition,
    /// When it first held (for `ever`).
    pub first_held: Option<SimTime>,
    /// Since when it has been holding without a break, if it holds now.
    pub holding_since: Option<SimTime>,
    /// Its longest unbroken stretch so far, and when that stretch began.
    pub longest: (Micros, SimTime),
}

impl Watch {
    fn new(condition: Condition) -> Watch {
        Watch {
            condition,
            first_held: None,
            holding_since: None,
            longest: (0, SimTime::ZERO),
        }
    }

    /// The longest unbroken stretch as of `now`, counting one still going on.
    pub fn longest_at(&self, now: SimTime) -> (Micros, SimTime) {
        match self.holding_since {
            Some(start) if now.since(start) > self.longest.0 => (now.since(start), start),
            _ => self.longest,
        }
    }
}

/// The record of a run since a moment; install it with [`History::install`].
#[derive(Clone, Debug)]
pub struct History {
    /// When the history began.
    pub since: SimTime,
    /// The user actions applied since, with their times.
    pub actions: Vec<(SimTime, UserAction)>,
    /// For each action, the part its target node played just before it (`the active
    /// controller`, `a follower`, …), for "where your run went differently".
    pub targets: Vec<Option<String>>,
    /// Each node's part as of the last event, so an action's target can be described as it
    /// was before the action.
    parts: FlatMap<NodeId, String>,
    went_down: FlatSet<NodeId>,
    restarted: FlatSet<NodeId>,
    violations_before: usize,
    names: FlatMap<String, NodeId>,
    watches: Vec<Watch>,
    /// A lesson step's goal rows, checked together after every event.
    goal: Vec<Condition>,
    /// When every goal row first held at once.
    pub goal_met_at: Option<SimTime>,
}

/// One action of an attempt or a solution: when, what, and the part its target node played
/// just before (`the active controller`, `a follower`, …) when it has one.
pub type Move = (SimTime, UserAction, Option<String>);

impl History {
    /// The actions since the history began, oldest first, each with its target's part.
    pub fn moves(&self) -> Vec<Move> {
        self.actions
            .iter()
            .zip(&self.targets)
            .map(|((t, a), tg)| (*t, a.clone(), tg.clone()))
            .collect()
    }

    /// A history of `world` from now, watching the temporal parts of `conditions` (their
    /// `ever` and `never` atoms) with the bound `names`.
    pub fn new(
        world: &World,
        names: &FlatMap<String, NodeId>,
        conditions: &[&Condition],
    ) -> History {
        let mut h = History {
            since: world.now(),
            actions: Vec::new(),
            targets: Vec::new(),
            parts: FlatMap::new(),
            went_down: FlatSet::new(),
            restarted: FlatSet::new(),
            violations_before: world.violations().len(),
            names: names.clone(),
            watches: Vec::new(),
            goal: Vec::new(),
            goal_met_at: None,
        };
        for c in conditions {
            h.watch(c);
        }
        // A node already down when the history begins is restarted by starting it again.
        h.went_down = world
            .nodes()
            .filter(|n| !n.status().is_live())
            .map(|n| n.id)
            .collect();
        h.evaluate(world);
        h.parts = parts_of(world);
        h
    }

    /// Replaces the world's history with a fresh one from now that also checks `goal` (a lesson
    /// step's rows) after every event, latching the moment they all hold at once.
    pub fn install_with_goal(
        world: &mut World,
        names: &FlatMap<String, NodeId>,
        watched: &[&Condition],
        goal: &[Condition],
    ) {
        let mut h = History::new(world, names, watched);
        for g in goal {
            h.watch(g);
        }
        h.goal = goal.to_vec();
        h.evaluate(world);
        world.remove_observers::<History>();
        world.add_observer(Box::new(h));
    }

    /// Replaces the world's history (if any) with a fresh one from now.
    pub fn install(world: &mut World, names: &FlatMap<String, NodeId>, conditions: &[&Condition]) {
        let h = History::new(world, names, conditions);
        world.remove_observers::<History>();
        world.add_observer(Box::new(h));
    }

    /// Watches the temporal atoms of `c` from now on (once each).
    fn watch(&mut self, c: &Condition) {
        for (_, atom) in &c.atoms {
            let inner = match atom {
                Atom::Ever(inner) | Atom::Never(inner, _) => inner,
                _ => continue,
            };
            if !self.watches.iter().any(|w| w.condition.text == inner.text) {
                self.watches.push(Watch::new((**inner).clone()));
            }
        }
    }

    /// The watch of an inner condition, by its text.
    pub fn watched(&self, inner: &Condition) -> Option<&Watch> {
        self.watches.iter().find(|w| w.condition.text == inner.text)
    }

    /// Actions since the history began; of one command word only with `op`.
    pub fn action_count(&self, op: Option<&str>) -> usize {
        self.actions
            .iter()
            .filter(|(_, a)| op.is_none_or(|o| a.op() == o))
            .count()
    }

    /// True if `node` was started again since the history began, after going down (before
    /// or after it began).
    pub fn was_restarted(&self, node: NodeId) -> bool {
        self.restarted.contains(&node)
    }

    /// Committed records lost since the history began, as the `committed_durable` checker
    /// saw it (the first report, if any).
    pub fn committed_loss<'w>(&self, world: &'w World) -> Option<&'w Violation> {
        world
            .violations()
            .get(self.violations_before..)
            .unwrap_or(&[])
            .iter()
            .find(|v| v.property == committed_durable::PROPERTY.name)
    }

    /// The names bound when the history began (or learned since).
    pub fn bind(&mut self, name: String, id: NodeId) {
        self.names.insert(name, id);
    }

    fn evaluate(&mut self, world: &World) {
        let now = world.now();
        if self.goal_met_at.is_none() && !self.goal.is_empty() {
            // The goal's temporal rows read this history, which the world holds elsewhere
            // during this call: they are judged from the watches as they stood before this
            // event (a history condition never needs the event that made it true).
            let all = self.goal.iter().all(|g| {
                if g.is_temporal() {
                    self.temporal_holds(g, now)
                } else {
                    g.eval(world, &self.names).is_ok_and(|(h, _)| h)
                }
            });
            if all {
                self.goal_met_at = Some(now);
            }
        }
        for w in &mut self.watches {
            let holds = w
                .condition
                .eval(world, &self.names)
                .map(|(h, _)| h)
                .unwrap_or(false);
            if holds {
                w.first_held.get_or_insert(now);
                let start = *w.holding_since.get_or_insert(now);
                if now.since(start) > w.longest.0 {
                    w.longest = (now.since(start), start);
                }
            } else if let Some(start) = w.holding_since.take() {
                if now.since(start) > w.longest.0 {
                    w.longest = (now.since(start), start);
                }
            }
        }
    }

    /// Whether a temporal condition (`ever …`, `never … for more than …`) holds now, read from
    /// this history's watches.
    fn temporal_holds(&self, c: &Condition, now: SimTime) -> bool {
        c.atoms.iter().all(|(negated, atom)| {
            let holds = match atom {
                Atom::Ever(inner) => self.watched(inner).is_some_and(|w| w.first_held.is_some()),
                Atom::Never(inner, limit) => self
                    .watched(inner)
                    .is_some_and(|w| w.longest_at(now).0 <= *limit),
                _ => false,
            };
            holds != *negated
        })
    }

    /// A line for a watched `never … for more than …`, as the goal checklist explains it.
    pub fn describe_never(&self, inner: &Condition, limit: Micros, now: SimTime) -> String {
        match self.watched(inner) {
            None => format!("`{inner}` is not watched"),
            Some(w) => {
                let (longest, from) = w.longest_at(now);
                if longest == 0 && w.holding_since.is_none() && w.first_held.is_none() {
                    format!(
                        "`{inner}` has not held since {}",
                        format_duration(self.since.0)
                    )
                } else {
                    format!(
                        "`{inner}` held for {} at the longest (from {}), the limit is {}",
                        format_duration(longest),
                        format_duration(from.0),
                        format_duration(limit)
                    )
                }
            }
        }
    }
}

/// What each node is, in a learner's words: the active controller, a follower, a broker, down.
/// The part a broker plays, as an action's target: the same for every broker (what tells two
/// apart is which partitions they lead, so "where your run went differently" compares brokers
/// by id).
pub const BROKER_PART: &str = "a broker";

fn parts_of(world: &World) -> FlatMap<NodeId, String> {
    let leader = world.active_leader();
    world
        .nodes()
        .map(|n| {
            let part = if !n.status().is_live() {
                "down".to_string()
            } else if Some(n.id) == leader {
                "the active controller".to_string()
            } else if n.kind.has_controller() && world.voters().contains(&n.id) {
                match n.replica().map(|r| r.role()) {
                    Some(crate::kraft::Role::Follower) => "a follower".into(),
                    Some(r) => format!("a voter ({})", r.name()),
                    None => "a voter".into(),
                }
            } else if n.kind.has_controller() {
                "a controller that is not a voter".into()
            } else {
                BROKER_PART.into()
            };
            (n.id, part)
        })
        .collect()
}

impl Observer<World> for History {
    fn observe(&mut self, world: &World, events: &[TraceEvent]) -> Vec<Violation> {
        for e in events {
            match e.event {
                Event::Crashed | Event::Stopped => {
                    self.went_down.insert(e.node);
                }
                Event::Restarted if self.went_down.contains(&e.node) => {
                    self.restarted.insert(e.node);
                }
                _ => {}
            }
        }
        self.evaluate(world);
        self.parts = parts_of(world);
        Vec::new()
    }

    fn acted(&mut self, world: &World) {
        if let Some(a) = world.last_action() {
            // The part alone (`the active controller`): the action's own text names the node,
            // and two runs compare deeds by part, not by id.
            let target = a.1.target().and_then(|id| self.parts.get(id).cloned());
            self.actions.push(a.clone());
            self.targets.push(target);
        }
    }
}

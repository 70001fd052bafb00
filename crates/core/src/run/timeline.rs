//! Time travel over a run (RaftScope's `state.js`, with a seed): the UI's timeline.
//!
//! A run is `(spec, [(time, action)])`. The timeline keeps the world at the current time, a
//! list of checkpoints (clones of the world) and the recorded actions. Seeking back restores
//! the nearest earlier checkpoint and replays forward; seeking forward replays recorded actions
//! as their times come. Acting at a time before the end of the recording **forks**: the
//! recorded future is dropped, exactly as RaftScope's `fork()` does.
//!
//! It also keeps the narrated event feed, so the feed always matches the current time.

use std::collections::VecDeque;

use crate::types::{secs, Micros, NodeId, SimTime};

use crate::sim::action::UserAction;
use crate::sim::{ClusterSpec, World};

/// One line of the event feed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FeedItem {
    /// Position in the run's feed (counts from 0 at the start of the run, the same on every
    /// replay), a stable key for the UI's list.
    pub seq: u64,
    /// When it happened.
    pub at: SimTime,
    /// Where.
    pub node: NodeId,
    /// The narration.
    pub text: String,
    /// How much of the story the line is: the app shows only [`FeedLevel::Story`] by default,
    /// so that a crash and the election it sets off stay in view for minutes.
    pub level: FeedLevel,
}

/// The feed's levels, from the story to the chatter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeedLevel {
    /// What a learner follows: faults and restarts, nodes standing for election, elections won
    /// and lost, resignations, fencing, truncation, commits of admin requests, ZooKeeper's
    /// sessions and controllers.
    Story,
    /// How each step went: every vote, every node that follows a new leader, broker
    /// registrations and state changes.
    Detail,
    /// The heartbeat of a healthy quorum: the leader's appends (mostly NoOpRecords, every 500 ms)
    /// and its high-watermark steps.
    Routine,
}

impl FeedLevel {
    /// The level of a narrated event.
    fn of(event: &crate::trace::Event) -> FeedLevel {
        use crate::kraft::Role;
        use crate::trace::Event;
        match event {
            Event::Appended { .. } | Event::HighWatermark { .. } | Event::MetadataLoaded { .. } => {
                FeedLevel::Routine
            }
            Event::VoteCast { .. }
            | Event::Transition {
                to: Role::Follower | Role::Unattached,
                ..
            }
            | Event::FetchTimerOverridden { .. }
            | Event::BrokerRegistered { .. }
            | Event::ZkBrokerRegistered { .. }
            | Event::BrokerStateChanged { .. }
            | Event::BrokerRequestRefused { .. }
            | Event::ZkControllerPhase { .. }
            | Event::ZkControllerRequestApplied { .. }
            | Event::SnapshotLoaded { .. }
            // Said already by "won the election and is the active controller".
            | Event::ControllerActivated { .. } => FeedLevel::Detail,
            _ => FeedLevel::Story,
        }
    }
}

/// Most checkpoints kept; beyond this, every other one is dropped and the spacing doubles, so
/// memory stays bounded and seeking stays cheap on long runs. Each checkpoint shares all but
/// what changed since the one before (mostly the log written since), so the timeline levels
/// off at about 64 such differences: 9 MiB after an hour of the default cluster, 59 MiB after
/// a day, 68 MiB after two (`examples/memory.rs`); a seek replays at most two spacings (under
/// two minutes of virtual time in the first hour).
const MAX_CHECKPOINTS: usize = 64;
/// Most feed lines kept.
const MAX_FEED: usize = 400;

/// A run with time travel.
#[derive(Clone, Debug)]
pub struct Timeline {
    spec: ClusterSpec,
    world: World,
    actions: Vec<(SimTime, UserAction)>,
    /// Index of the first recorded action not yet applied to `world`.
    next_action: usize,
    checkpoints: Vec<World>,
    checkpoint_every: Micros,
    horizon: SimTime,
    feed: VecDeque<FeedItem>,
    /// Feed lines narrated so far (kept or dropped), for [`FeedItem::seq`].
    narrated: u64,
}

/// How a frame of wall time moved the run (see [`Timeline::advance_paced`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pacing {
    /// Idle time was being skipped (nothing in flight).
    pub skipping: bool,
    /// The frame ran out of its budget before reaching its target time.
    pub behind: bool,
    /// The stop condition of [`Timeline::advance_paced_until`] came true.
    pub stopped: bool,
}

/// How much faster than the chosen speed idle stretches run when skipping.
const SKIP_FACTOR: f64 = 20.0;

impl Timeline {
    /// A fresh run of `spec`.
    pub fn new(spec: ClusterSpec) -> Timeline {
        let mut world = crate::check::checked_world(spec.clone(), false);
        world.set_recording(true);
        let mut t = Timeline {
            checkpoints: vec![world.clone()],
            spec,
            world,
            actions: Vec::new(),
            next_action: 0,
            checkpoint_every: secs(1),
            horizon: SimTime::ZERO,
            feed: VecDeque::new(),
            narrated: 0,
        };
        t.collect();
        t
    }

    /// Replays a recorded run up to its last action.
    pub fn replay(spec: ClusterSpec, actions: Vec<(SimTime, UserAction)>) -> Timeline {
        let mut t = Timeline::pending(spec, actions);
        while !t.replay_slice(|| false) {}
        t
    }

    /// A recorded run not replayed yet: at time zero, its actions recorded as the future, its
    /// horizon at the last action. [`Timeline::replay_slice`] then replays it a slice at a
    /// time, so that the page can show progress and stay responsive.
    pub fn pending(spec: ClusterSpec, actions: Vec<(SimTime, UserAction)>) -> Timeline {
        let mut t = Timeline::new(spec);
        let end = actions.last().map(|(at, _)| *at).unwrap_or(SimTime::ZERO);
        t.actions = actions;
        t.horizon = end;
        t
    }

    /// Replays towards the horizon in slices of one checkpoint interval, asking `over_budget`
    /// after each; true once the whole recording has been replayed.
    pub fn replay_slice(&mut self, mut over_budget: impl FnMut() -> bool) -> bool {
        let end = self.horizon;
        while self.now() < end {
            let next = (self.now() + self.checkpoint_every).min(end);
            self.advance_to(next);
            if self.now() < end && over_budget() {
                return false;
            }
        }
        true
    }

    /// The cluster's shape and settings.
    pub fn spec(&self) -> &ClusterSpec {
        &self.spec
    }

    /// The world at the current time.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The current time.
    pub fn now(&self) -> SimTime {
        self.world.now()
    }

    /// The end of the recording: how far the run has gone.
    pub fn horizon(&self) -> SimTime {
        self.horizon
    }

    /// Recorded actions, in order.
    pub fn actions(&self) -> &[(SimTime, UserAction)] {
        &self.actions
    }

    /// The narrated feed up to now, oldest first.
    pub fn feed(&self) -> impl DoubleEndedIterator<Item = &FeedItem> + ExactSizeIterator {
        self.feed.iter()
    }

    fn collect(&mut self) {
        for e in self.world.take_trace() {
            // Appends and HW moves are the story only at the leader; at every follower and
            // broker they would bury it. (Decided by the event itself, so a replay narrates
            // exactly what the first run did.)
            let minor = matches!(
                e.event,
                crate::trace::Event::Appended {
                    by_leader: false,
                    ..
                } | crate::trace::Event::HighWatermark {
                    by_leader: false,
                    ..
                }
            );
            if let Some(text) = e.narrate().filter(|_| !minor) {
                self.feed.push_back(FeedItem {
                    seq: self.narrated,
                    at: e.at,
                    node: e.node,
                    text,
                    level: FeedLevel::of(&e.event),
                });
                self.narrated += 1;
                if self.feed.len() > MAX_FEED {
                    // Routine lines go first, then details, so the story outlives the chatter.
                    let least = self.feed.iter().map(|f| f.level).max();
                    match least.and_then(|l| self.feed.iter().position(|f| f.level == l)) {
                        Some(i) => {
                            self.feed.remove(i);
                        }
                        None => {
                            self.feed.pop_front();
                        }
                    }
                }
            }
        }
    }

    fn maybe_checkpoint(&mut self) {
        let last = self
            .checkpoints
            .last()
            .map(|w| w.now())
            .unwrap_or(SimTime::ZERO);
        if self.world.now().since(last) >= self.checkpoint_every {
            self.checkpoints.push(self.world.clone());
            if self.checkpoints.len() > MAX_CHECKPOINTS {
                let kept: Vec<World> = self
                    .checkpoints
                    .drain(..)
                    .enumerate()
                    .filter(|(i, _)| i % 2 == 0)
                    .map(|(_, w)| w)
                    .collect();
                self.checkpoints = kept;
                self.checkpoint_every *= 2;
            }
        }
    }

    /// Advances by `wall_ms` of wall time (clamped to 100 ms) at `speed` virtual seconds per
    /// wall second, in small virtual slices, asking `over_budget` after each: heavy moments (a
    /// million partitions being replayed) then run slower than asked instead of freezing the
    /// page. With `skip_idle`, stretches where nothing is in flight (followers waiting for a
    /// timer, a parked Fetch waiting out its long-poll) run 20 × faster, but never past the
    /// next event, so no message is ever skipped.
    pub fn advance_paced(
        &mut self,
        wall_ms: f64,
        speed: f64,
        skip_idle: bool,
        over_budget: impl FnMut() -> bool,
    ) -> Pacing {
        self.advance_paced_until(wall_ms, speed, skip_idle, over_budget, None)
    }

    /// As [`Timeline::advance_paced`], but stops at the event after which `stop` first holds
    /// (checked after every event): a lesson's `wait` pauses the animation exactly where its
    /// condition came true, as `run until` does headless. [`Pacing::stopped`] says it did.
    pub fn advance_paced_until(
        &mut self,
        wall_ms: f64,
        speed: f64,
        skip_idle: bool,
        mut over_budget: impl FnMut() -> bool,
        mut stop: Option<&mut dyn FnMut(&World) -> bool>,
    ) -> Pacing {
        let wall_us = wall_ms.clamp(0.0, 100.0) * 1_000.0;
        let now = self.now();
        let idle = self.world.network().in_flight_count() == 0;
        let skipping = skip_idle && idle;
        let target = if skipping {
            let fast = (speed * SKIP_FACTOR).max(speed);
            let next = self.world.next_event_time().unwrap_or(SimTime::NEVER);
            (now + (wall_us * fast) as u64).min(next.max(now))
        } else {
            now + (wall_us * speed) as u64
        };
        // A run stops at its time limit ([`crate::limits`]): playing on never takes it past.
        let target = target.min(SimTime(self.world.limits().time_per_run).max(now));
        let slice = ((target.0 - now.0) / 8).max(1_000);
        let mut behind = false;
        let mut stopped = false;
        while self.now() < target {
            let next = (self.now() + slice).min(target);
            match stop.as_mut() {
                Some(c) => {
                    if self.advance(next, Some(&mut **c)) {
                        stopped = true;
                        break;
                    }
                }
                None => self.advance_to(next),
            }
            if self.now() < target && over_budget() {
                behind = true;
                break;
            }
        }
        Pacing {
            skipping,
            behind,
            stopped,
        }
    }

    /// True once the run has reached its time limit (`time-per-run`, [`crate::limits`]):
    /// [`Timeline::advance_paced`] goes no further, and the page should say so.
    pub fn at_time_limit(&self) -> bool {
        self.now().0 >= self.world.limits().time_per_run
    }

    /// Runs forward to `t`, applying recorded actions as their times come and taking
    /// checkpoints on the way. Moves the horizon if `t` is beyond it.
    pub fn advance_to(&mut self, t: SimTime) {
        self.advance(t, None);
    }

    /// Runs forward until `cond` holds (checked after every event, as `run until` does) or
    /// until `limit`; returns whether it held. The clock stops at the event that made it hold.
    pub fn advance_until(&mut self, limit: SimTime, mut cond: impl FnMut(&World) -> bool) -> bool {
        self.advance(limit, Some(&mut cond))
    }

    fn advance(&mut self, t: SimTime, mut cond: Option<&mut dyn FnMut(&World) -> bool>) -> bool {
        if let Some(c) = cond.as_mut() {
            if c(&self.world) {
                return true;
            }
        }
        let mut held = false;
        'run: loop {
            let next_action = self.actions.get(self.next_action).map(|(at, _)| *at);
            let stop = match next_action {
                Some(at) if at <= t => at,
                _ => t,
            };
            // Run in slices so that checkpoints land about every interval. The trace recorded
            // meanwhile is narrated into the feed first, so that a checkpoint never copies it:
            // a checkpoint holds the world, not its history.
            while self.world.now() < stop {
                let slice = (self.world.now() + self.checkpoint_every).min(stop);
                match cond.as_mut() {
                    Some(c) => {
                        if self.world.run_until_cond(slice, |w| c(w)) {
                            held = true;
                            break 'run;
                        }
                    }
                    None => self.world.run_until(slice),
                }
                self.collect();
                self.maybe_checkpoint();
            }
            self.world.run_until(stop);
            match next_action {
                Some(at) if at <= t => {
                    let (_, action) = self.actions[self.next_action].clone();
                    let _ = self.world.apply(&action);
                    self.next_action += 1;
                    if let Some(c) = cond.as_mut() {
                        if c(&self.world) {
                            held = true;
                            break 'run;
                        }
                    }
                }
                _ => break,
            }
        }
        self.collect();
        self.horizon = self.horizon.max(self.world.now());
        held
    }

    /// The world, for installing an observer (a lesson's goal history): nothing that changes
    /// what the run does.
    pub fn world_mut(&mut self) -> &mut World {
        &mut self.world
    }

    /// Processes the next event only (the "step" control); applies a recorded action first if
    /// one is due before it. Returns false if nothing is left to do.
    pub fn step(&mut self) -> bool {
        let next_event = self.world.next_event_time();
        let next_action = self.actions.get(self.next_action).map(|(at, _)| *at);
        let stepped = match (next_event, next_action) {
            (_, Some(at)) if next_event.is_none_or(|e| at <= e) => {
                self.world.run_until(at);
                let (_, action) = self.actions[self.next_action].clone();
                let _ = self.world.apply(&action);
                self.next_action += 1;
                true
            }
            (Some(_), _) => self.world.step(),
            _ => false,
        };
        // No checkpoint here: one taken just after an action would replay it twice.
        self.collect();
        self.horizon = self.horizon.max(self.world.now());
        stepped
    }

    /// Moves to time `t` within the recording (clamped to `[0, horizon]`).
    pub fn seek(&mut self, t: SimTime) {
        let t = t.min(self.horizon);
        if t < self.world.now() {
            let i = self
                .checkpoints
                .partition_point(|w| w.now() <= t)
                .saturating_sub(1);
            self.checkpoints.truncate(self.checkpoints.len().max(i + 1));
            self.world = self.checkpoints[i].clone();
            self.world.set_recording(true);
            let restored = self.world.now();
            // Checkpoints are taken only in `advance_to`, before any action due at the same
            // instant is applied, so every action at or after the checkpoint's time replays.
            self.next_action = self.actions.partition_point(|(at, _)| *at < restored);
            while self.feed.back().is_some_and(|f| f.at > restored) {
                self.feed.pop_back();
            }
            self.narrated = self.feed.back().map(|f| f.seq + 1).unwrap_or(0);
            self.world.take_trace();
        }
        self.advance_to(t);
    }

    /// Applies a user action now. If the recording goes on beyond now, its future is dropped
    /// first (fork). Only accepted actions are recorded.
    pub fn act(&mut self, action: UserAction) -> Result<String, String> {
        let now = self.world.now();
        self.actions.truncate(self.next_action);
        self.checkpoints.retain(|w| w.now() <= now);
        self.horizon = now;
        let result = self.world.apply(&action);
        if result.is_ok() {
            self.actions.push((now, action));
            self.next_action = self.actions.len();
        }
        self.collect();
        result
    }

    /// The run as a scenario file: `cluster …` and one `at <time> <action>` per action.
    pub fn to_scenario(&self) -> String {
        let mut out = crate::scenario::share::cluster_line(&self.spec);
        out.push('\n');
        for (t, a) in &self.actions {
            out += &format!(
                "at {} {}\n",
                crate::types::format_duration(t.0),
                a.to_command()
            );
        }
        out
    }
}

#[cfg(test)]
mod replay_tests {
    use super::*;
    use crate::scenario::share;

    #[test]
    fn a_run_replayed_in_slices_is_the_run_replayed_at_once() {
        let link = share::encode(
            &ClusterSpec::kraft(3, 3, 42),
            &[
                (
                    SimTime(2_000_000),
                    UserAction::Crash(crate::types::NodeId(3000)),
                ),
                (SimTime(600_000_000), UserAction::Heal),
            ],
        );
        let run = share::decode(&link).unwrap();
        let whole = Timeline::replay(run.spec.clone(), run.actions.clone());
        let mut sliced = Timeline::pending(run.spec, run.actions);
        let mut slices = 0;
        let mut calls = 0;
        while !sliced.replay_slice(|| {
            calls += 1;
            calls % 7 == 0
        }) {
            slices += 1;
            assert!(slices < 10_000, "replay makes progress");
        }
        assert!(slices > 10, "600 s came in many slices ({slices})");
        assert_eq!(sliced.now(), whole.now());
        assert!(
            crate::sim::ClusterView::build(sliced.world(), 24)
                == crate::sim::ClusterView::build(whole.world(), 24),
            "the same cluster, node by node"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ms;

    fn lines(t: &Timeline) -> Vec<String> {
        t.feed()
            .map(|f| format!("{} {} {}", f.at.0, f.node, f.text))
            .collect()
    }

    #[test]
    fn seeking_back_and_forth_matches_a_straight_run() {
        let spec = ClusterSpec::kraft(3, 2, 9);
        let mut live = Timeline::new(spec.clone());
        live.advance_to(SimTime(secs(3)));
        live.act(UserAction::Crash(NodeId(3000))).ok();
        live.advance_to(SimTime(secs(6)));
        live.act(UserAction::Write { count: 3, to: None }).ok();
        live.advance_to(SimTime(secs(12)));
        let straight = lines(&live);
        let world_hw = |t: &Timeline| {
            t.world()
                .nodes()
                .map(|n| (n.id, n.disk().map(|d| d.log.end_offset())))
                .collect::<Vec<_>>()
        };
        let end_state = world_hw(&live);

        live.seek(SimTime(secs(2)));
        assert_eq!(live.now(), SimTime(secs(2)));
        assert!(live.feed().all(|f| f.at <= SimTime(secs(2))));
        live.seek(SimTime(ms(7_500)));
        live.seek(SimTime(secs(12)));
        assert_eq!(lines(&live), straight);
        assert_eq!(world_hw(&live), end_state);
    }

    #[test]
    fn acting_in_the_past_forks_the_future() {
        let mut t = Timeline::new(ClusterSpec::kraft(3, 0, 4));
        t.advance_to(SimTime(secs(3)));
        t.act(UserAction::Crash(NodeId(3001))).unwrap();
        t.advance_to(SimTime(secs(8)));
        assert_eq!(t.actions().len(), 1);
        t.seek(SimTime(secs(2)));
        assert_eq!(t.horizon(), SimTime(secs(8)));
        t.act(UserAction::Crash(NodeId(3002))).unwrap();
        assert_eq!(t.horizon(), SimTime(secs(2)));
        assert_eq!(
            t.actions(),
            &[(SimTime(secs(2)), UserAction::Crash(NodeId(3002)))]
        );
        t.advance_to(SimTime(secs(5)));
        assert!(t.world().node(NodeId(3001)).unwrap().status().is_live());
    }

    #[test]
    fn refused_actions_are_not_recorded_and_change_nothing() {
        let mut a = Timeline::new(ClusterSpec::kraft(3, 1, 2));
        let mut b = a.clone();
        a.advance_to(SimTime(ms(500)));
        b.advance_to(SimTime(ms(500)));
        assert!(a.act(UserAction::Write { count: 2, to: None }).is_err());
        assert!(a.act(UserAction::Restart(NodeId(3000))).is_err());
        assert!(a.actions().is_empty());
        a.advance_to(SimTime(secs(5)));
        b.advance_to(SimTime(secs(5)));
        a.act(UserAction::Write { count: 1, to: None }).unwrap();
        b.act(UserAction::Write { count: 1, to: None }).unwrap();
        a.advance_to(SimTime(secs(6)));
        b.advance_to(SimTime(secs(6)));
        assert_eq!(a.world().stats(), b.world().stats());
    }

    #[test]
    fn a_replayed_run_ends_where_the_original_did() {
        let mut t = Timeline::new(ClusterSpec::kraft(3, 3, 77));
        for (at, a) in [
            (2, UserAction::Write { count: 2, to: None }),
            (3, UserAction::Crash(NodeId(3002))),
            (7, UserAction::Restart(NodeId(3002))),
        ] {
            t.advance_to(SimTime(secs(at)));
            let _ = t.act(a);
        }
        let copy = Timeline::replay(t.spec().clone(), t.actions().to_vec());
        assert_eq!(copy.now(), t.now());
        assert_eq!(copy.world().stats(), t.world().stats());
        assert_eq!(lines(&copy), lines(&t));
    }

    #[test]
    fn stepping_processes_one_event_at_a_time() {
        let mut t = Timeline::new(ClusterSpec::kraft(3, 0, 1));
        let before = t.world().stats().events;
        assert!(t.step());
        assert_eq!(t.world().stats().events, before + 1);
    }

    #[test]
    fn routine_lines_are_marked_and_leave_first() {
        let mut t = Timeline::new(ClusterSpec::kraft(3, 3, 5));
        t.advance_to(SimTime(secs(4)));
        let _ = t.act(UserAction::Crash(
            t.world().active_leader().expect("a leader"),
        ));
        let crash = t
            .feed()
            .last()
            .map(|f| f.seq)
            .expect("the crash is narrated");
        assert!(t
            .feed()
            .last()
            .is_some_and(|f| f.level == FeedLevel::Story && f.text.contains("crashed")));
        // Minutes of NoOps and high-watermark steps later, far more than the feed keeps:
        t.advance_to(SimTime(secs(400)));
        assert!(
            t.feed().any(|f| f.level == FeedLevel::Routine),
            "appends and HW steps are routine"
        );
        assert!(t
            .feed()
            .any(|f| f.level == FeedLevel::Detail && f.text.contains("voted for")));
        assert!(t
            .feed()
            .any(|f| f.level == FeedLevel::Story && f.text.contains("won the election")));
        assert!(
            t.feed().any(|f| f.seq == crash),
            "the story outlives the chatter: the crash is still kept"
        );
        assert!(t.feed().len() <= MAX_FEED);
    }
}

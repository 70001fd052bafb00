//! The one context the components share: the run the page drives ([`Run`]) and the chrome
//! around it ([`Ui`]). Components never touch protocol state: they read the `ClusterView`
//! snapshot and the tools' outputs, and send `UserAction`s through [`Lab::act`].

use std::collections::VecDeque;

use kraftlab_core::run::Timeline;
use kraftlab_core::sim::{ClusterSpec, NodeStatus, UserAction};
use kraftlab_core::types::SimTime;
use leptos::prelude::*;

use crate::lesson::player::{FrameMode, Player};
use crate::route::Route;
use crate::run::Run;
use crate::ui::Ui;

/// How much slower the run goes while the pointer rests on a message.
const HOLD_SLOWDOWN: f64 = 20.0;

/// The run and the chrome, provided as context. Cheap to copy.
#[derive(Clone, Copy)]
pub struct Lab {
    /// The simulation and what is read of it.
    pub run: Run,
    /// Dialogs, toasts, selection, hover.
    pub ui: Ui,
    /// The lesson being played, if any.
    pub player: Player,
    /// Where the page is (playground, lessons, a lesson, the comparison).
    pub route: RwSignal<Route>,
}

impl Lab {
    /// A lab running `spec`.
    pub fn new(spec: ClusterSpec, embed: bool) -> Lab {
        Self::from_timeline(Timeline::new(spec), embed)
    }

    /// A lab around an existing run (a shared link).
    pub fn from_timeline(timeline: Timeline, embed: bool) -> Lab {
        Lab {
            run: Run::new(timeline),
            ui: Ui::new(embed),
            player: Player::new(),
            route: RwSignal::new(Route::Playground),
        }
    }

    /// Applies a user action now and says how it went. Acting in the past drops the
    /// recorded future (a fork): the toast then says what was dropped and offers Undo.
    pub fn act(&self, action: UserAction) {
        if self.replaying() {
            return;
        }
        let fork = self.before_fork();
        match self.run.act(action) {
            Ok(text) => self.after_fork(fork, text),
            Err(text) => {
                self.run.undo.set_value(None);
                self.ui.say(text, true)
            }
        }
        self.player.check(*self);
        self.remember();
    }

    /// If acting now would drop a recorded future, keeps the whole run for Undo and returns
    /// what will be dropped: (later actions, recorded time beyond now).
    fn before_fork(&self) -> Option<(usize, SimTime)> {
        let (now, horizon, later) = self.run.timeline.with_value(|t| {
            let now = t.now();
            let later = t.actions().iter().filter(|(at, _)| *at >= now).count();
            (now, t.horizon(), later)
        });
        if now >= horizon {
            return None;
        }
        self.run
            .undo
            .set_value(Some(self.run.timeline.with_value(Clone::clone)));
        Some((later, SimTime(horizon.0 - now.0)))
    }

    /// Says what an action did; after a fork (the recorded future is gone), also what it
    /// dropped, with Undo.
    fn after_fork(&self, fork: Option<(usize, SimTime)>, text: String) {
        let dropped = self.run.timeline.with_value(|t| t.horizon() <= t.now());
        match fork.filter(|_| dropped) {
            None => {
                self.run.undo.set_value(None);
                self.ui.say(text, false)
            }
            Some((later, span)) => {
                let actions = match later {
                    0 => String::new(),
                    1 => " and the 1 action in it".to_string(),
                    n => format!(" and the {n} actions in it"),
                };
                self.ui.toast_with(
                    format!(
                        "{text}. You acted in the past: the recorded future ({} of run{actions}) was dropped.",
                        kraftlab_core::types::format_duration(span.0)
                    ),
                    false,
                    true,
                );
            }
        }
    }

    /// Puts back the run as it was before the last fork (the toast's Undo).
    pub fn undo_fork(&self) {
        if let Some(t) = self.run.undo.try_update_value(Option::take).flatten() {
            self.run.load(t);
            self.ui
                .say("undone: the recorded future is back".into(), false);
            self.remember();
        }
    }

    /// Keeps the playground's run in the address bar, so that a reload reopens it (lessons and
    /// embeds keep their own address).
    pub fn remember(&self) {
        if !self.ui.embed && self.route.get_untracked() == Route::Playground {
            crate::share::remember(self.run.timeline.with_value(crate::share::run_text));
        }
    }

    /// Runs a line of the scenario language (a lesson's `{run}` chip, the console) and says
    /// what it printed.
    pub fn run_text(&self, text: &str) {
        let fork = self.before_fork();
        match self.player.run_text(*self, text) {
            Ok(out) if out.trim().is_empty() => self.after_fork(fork, format!("ran `{text}`")),
            Ok(out) => self.after_fork(fork, out.trim().to_string()),
            Err(e) => self.ui.say(e, true),
        }
        self.remember();
    }

    /// Advances the run by a frame of wall time within the frame's budget; while a lesson
    /// plays, stops exactly where its step's wait (or a solution's `run until`) comes true.
    pub fn frame(&self, wall_ms: f64, clock_ms: f64, over_budget: impl FnMut() -> bool) {
        if self.replaying() {
            return;
        }
        // A pointer on a message slows the run (see cluster_picture's message layer) so it can be caught.
        let wall_ms = if self.ui.held_message.get_untracked().is_some() {
            wall_ms / HOLD_SLOWDOWN
        } else {
            wall_ms
        };
        match self.player.frame_mode() {
            // Held at a step's end: what the panels and the clock show catches up.
            FrameMode::Hold => self.run.catch_up_panels(),
            FrameMode::Free => self.run.advance(wall_ms, clock_ms, over_budget, None),
            FrameMode::StopWhen(mut stop) => {
                self.run
                    .advance(wall_ms, clock_ms, over_budget, Some(&mut *stop))
            }
        }
        self.player.check(*self);
        if self.run.playing.get_untracked() && self.run.timeline.with_value(|t| t.at_time_limit()) {
            self.run.playing.set(false);
            let limit = self
                .run
                .timeline
                .with_value(|t| t.world().limits().time_per_run);
            self.say(
                format!(
                    "This run has reached its limit of {} of virtual time (time-per-run): start a new cluster to go on.",
                    kraftlab_core::limits::human_duration(limit)
                ),
                true,
            );
        }
    }

    /// True while a shared run is being replayed in slices (crate::replay): the run is not
    /// the user's to move until it is open.
    pub fn replaying(&self) -> bool {
        self.run.replaying.with_untracked(|r| r.is_some())
    }

    /// Processes exactly one event (and pauses).
    pub fn step(&self) {
        if self.replaying() {
            return;
        }
        self.run.step();
        self.player.check(*self);
    }

    /// Moves to virtual time `t` within the recording.
    pub fn seek(&self, t: SimTime) {
        if self.replaying() {
            return;
        }
        self.run.seek(t);
        self.player.check(*self);
    }

    /// Shows the run at `t` (a link's start time): within the recording by seeking; beyond
    /// it by running on, at most [`kraftlab_core::run::script::MAX_SCRIPT_TIME`] from the
    /// start, as the whole stretch runs before the page shows anything.
    pub fn show_at(&self, t: SimTime) {
        let cap = SimTime(kraftlab_core::run::script::MAX_SCRIPT_TIME);
        self.run.timeline.update_value(|tl| {
            if t <= tl.horizon() {
                tl.seek(t);
            } else {
                tl.advance_to(t.min(cap).max(tl.now()));
            }
        });
        self.run.refresh();
        if t > cap {
            self.say(
                format!(
                    "The link asks to start at {}; an embed starts at most {} in.",
                    kraftlab_core::types::format_duration(t.0),
                    kraftlab_core::types::format_duration(cap.0)
                ),
                true,
            );
        }
    }

    /// Submits the next slice of a scale run and says when it ends.
    pub fn bulk_step(&self) {
        match self.run.bulk_step() {
            Some(Ok(text)) => self.ui.say(text, false),
            Some(Err(text)) => self.ui.say(text, true),
            None => {}
        }
    }

    /// Replaces the run with a fresh cluster.
    pub fn reset(&self, spec: ClusterSpec) {
        self.run.reset(spec);
        self.ui.deselect();
        self.remember();
    }

    /// Replaces the run (a loaded link).
    pub fn load(&self, timeline: Timeline) {
        self.run.load(timeline);
        self.ui.deselect();
    }

    /// Shows a toast.
    pub fn say(&self, text: String, error: bool) {
        self.ui.say(text, error);
    }

    /// Restarts every crashed or stopped node.
    pub fn restart_all(&self) {
        let down: Vec<_> = self.run.view.with_untracked(|v| {
            v.nodes
                .iter()
                .filter(|n| matches!(n.status, NodeStatus::Crashed | NodeStatus::Stopped))
                .map(|n| n.id)
                .collect()
        });
        if down.is_empty() {
            self.say("every node is running".into(), true);
        }
        for id in down {
            self.act(UserAction::Restart(id));
        }
    }
}

/// Keeps a bounded history of values (frame times for the performance probe).
#[derive(Default)]
pub struct Ring {
    values: VecDeque<f64>,
}

impl Ring {
    /// Adds a value, dropping the oldest beyond 600.
    pub fn push(&mut self, v: f64) {
        self.values.push_back(v);
        if self.values.len() > 600 {
            self.values.pop_front();
        }
    }

    /// The values, oldest first.
    pub fn values(&self) -> Vec<f64> {
        self.values.iter().copied().collect()
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.values.clear();
    }
}

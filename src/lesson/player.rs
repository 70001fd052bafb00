//! The lesson being played: which step is open, what it waits for, its goal rows, hints,
//! solution and prediction, and the learner's progress. The run itself is the lab's
//! [`Timeline`](kraftlab_core::run::Timeline) (so "continue in free play" keeps time travel);
//! the step semantics are the core's (`kraftlab_core::lesson::live`), shared with the checker.
//!
//! Moving on with Next continues from the state the learner is in; any other move (Back, a
//! step from the list, replaying a step, a reload) replays steps 1..N−1 headless — their
//! scenario, wait and solution — and opens step N, as DESIGN §4.1 says.

use std::collections::VecDeque;

use kraftlab_core::lesson::{self, fill, live, Lesson, Step};
use kraftlab_core::run::console::Console;
use kraftlab_core::scenario::ast::{Command, Line};
use kraftlab_core::scenario::condition::Condition;
use kraftlab_core::sim::World;
use kraftlab_core::types::{format_duration, SimTime};
use leptos::prelude::*;

pub use super::attempt::Attempt;
use super::catalog;
use super::progress::{self, Progress};
use crate::lab::Lab;
use crate::route::{self, Route};

/// Whether a lesson is there to play.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Load {
    /// No lesson asked for.
    Idle,
    /// Fetching the lesson called this.
    Loading(String),
    /// It could not be loaded or read: the file, the line and what was expected.
    Failed(String),
    /// Loaded.
    Ready,
}

/// The step's `wait`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitState {
    /// The step has no wait.
    None,
    /// The run is animating towards it.
    Running,
    /// It held; the run paused there.
    Met,
    /// Its time ran out (the learner's actions took the run elsewhere).
    Missed,
}

/// The step's `predict`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prediction {
    /// The step asks nothing.
    None,
    /// Waiting for the learner's choice; the run does not go on meanwhile.
    Asking,
    /// Chosen (by index); the answer is read when the wait is met.
    Chosen(usize),
    /// Judged.
    Verdict {
        /// The learner's choice.
        chosen: usize,
        /// Whether it was right.
        right: bool,
        /// What the run says (Markdown).
        text: String,
    },
}

/// The step's solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Solution {
    /// Not asked for.
    Hidden,
    /// Asked for: "are you sure?".
    Confirming,
    /// Being played, with animation.
    Playing,
    /// Played.
    Played,
}

/// One goal row as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalRow {
    /// The row's label.
    pub label: String,
    /// Whether it holds (all rows count as held once the goal was reached).
    pub done: bool,
    /// What the run shows for it now.
    pub seen: String,
}

/// What a frame of animation may do while a lesson plays.
pub enum FrameMode {
    /// Run freely.
    Free,
    /// Do not advance (a prediction is being asked).
    Hold,
    /// Run, stopping at the event after which this holds.
    StopWhen(Box<dyn FnMut(&World) -> bool>),
}

/// A pending stop of the animation: a condition, or the end of a duration.
#[derive(Clone, Debug)]
struct Stop {
    condition: Option<Condition>,
    deadline: SimTime,
}

/// Delay between two commands of a solution played with animation (ms).
const SOLUTION_PACE_MS: u32 = 700;

/// The lesson player's state. All fields are cheap handles.
#[derive(Clone, Copy)]
pub struct Player {
    /// Whether a lesson is loaded.
    pub load: RwSignal<Load>,
    /// The loaded lesson's slug and text hash.
    pub key: RwSignal<Option<(String, u64)>>,
    pub(super) lesson: StoredValue<Option<Lesson>>,
    pub(super) console: StoredValue<Console>,
    /// True while the lesson drives the run (false in free play).
    pub active: RwSignal<bool>,
    /// The open step, 0-based.
    pub step: RwSignal<usize>,
    /// Bumped whenever a step opens, for views of the step's static parts.
    pub opened: RwSignal<u64>,
    /// The step's narration (Markdown), filled from the run.
    pub narration: RwSignal<String>,
    /// The step's wait.
    pub wait: RwSignal<WaitState>,
    wait_stop: StoredValue<Option<Stop>>,
    /// The goal rows (empty: no goal).
    pub goal: RwSignal<Vec<GoalRow>>,
    /// The goal was reached (latched, checked after every event).
    pub goal_done: RwSignal<bool>,
    /// How many hints are shown.
    pub hints_shown: RwSignal<usize>,
    /// The solution's state.
    pub solution: RwSignal<Solution>,
    script: StoredValue<VecDeque<Line>>,
    script_stop: StoredValue<Option<Stop>>,
    /// The prediction's state.
    pub predict: RwSignal<Prediction>,
    /// The learner's progress in this lesson.
    pub progress: RwSignal<Progress>,
    /// Something the player wants the learner to know (a replay instead of a continue, …).
    pub notice: RwSignal<Option<String>>,
    /// Virtual time at which the step opened.
    pub opened_at: RwSignal<SimTime>,
    /// Actions the learner took since the step opened (what par counts).
    pub actions: RwSignal<usize>,
    /// How an exercise attempt stands.
    pub attempt: RwSignal<Attempt>,
}

impl Default for Player {
    fn default() -> Self {
        Self::new()
    }
}

impl Player {
    /// No lesson.
    pub fn new() -> Player {
        Player {
            load: RwSignal::new(Load::Idle),
            key: RwSignal::new(None),
            lesson: StoredValue::new(None),
            console: StoredValue::new(Console::new()),
            active: RwSignal::new(false),
            step: RwSignal::new(0),
            opened: RwSignal::new(0),
            narration: RwSignal::new(String::new()),
            wait: RwSignal::new(WaitState::None),
            wait_stop: StoredValue::new(None),
            goal: RwSignal::new(Vec::new()),
            goal_done: RwSignal::new(false),
            hints_shown: RwSignal::new(0),
            solution: RwSignal::new(Solution::Hidden),
            script: StoredValue::new(VecDeque::new()),
            script_stop: StoredValue::new(None),
            predict: RwSignal::new(Prediction::None),
            progress: RwSignal::new(Progress::default()),
            notice: RwSignal::new(None),
            opened_at: RwSignal::new(SimTime::ZERO),
            actions: RwSignal::new(0),
            attempt: RwSignal::new(Attempt::Open),
        }
    }

    /// Reads the loaded lesson (untracked: track `opened` or `load` to re-render).
    pub fn with_lesson<R>(&self, f: impl FnOnce(&Lesson) -> R) -> Option<R> {
        self.lesson.with_value(|l| l.as_ref().map(f))
    }

    /// Reads the open step.
    pub fn with_step<R>(&self, f: impl FnOnce(&Step) -> R) -> Option<R> {
        let n = self.step.get_untracked();
        self.lesson
            .with_value(|l| l.as_ref().and_then(|l| l.steps.get(n)).map(f))
    }

    /// The number of steps of the loaded lesson.
    pub fn step_count(&self) -> usize {
        self.with_lesson(|l| l.steps.len()).unwrap_or(0)
    }

    /// Follows the route: loads the lesson if needed, then shows the step asked for (or where
    /// the learner left off).
    pub fn follow(&self, lab: Lab, slug: String, step: Option<usize>) {
        let loaded = self
            .key
            .with_untracked(|k| k.as_ref().map(|(s, _)| s == &slug))
            == Some(true)
            && self.load.get_untracked() == Load::Ready;
        if loaded {
            let n = step.unwrap_or_else(|| self.progress.with_untracked(|p| p.last.max(1)));
            let current = self.step.get_untracked() + 1;
            if !self.active.get_untracked() || n != current {
                self.goto(lab, n, false);
            }
            return;
        }
        let Some(entry) = catalog::find(&slug) else {
            self.fail(format!(
                "There is no lesson called `{slug}`: see the list of lessons."
            ));
            return;
        };
        self.stop();
        self.load.set(Load::Loading(slug.clone()));
        let player = *self;
        leptos::task::spawn_local(async move {
            let text = super::fetch::lesson_text(entry.file).await;
            // The learner may have gone elsewhere meanwhile.
            if player.load.get_untracked() != Load::Loading(slug.clone()) {
                return;
            }
            let lesson = text.and_then(|t| {
                let hash = super::fnv::fnv1a(t.as_bytes());
                lesson::parse(&format!("lessons/{}", entry.file), &t)
                    .map(|l| (l, hash))
                    .map_err(|e| e.to_string())
            });
            match lesson {
                Err(e) => player.fail(e),
                Ok((l, _)) if l.meta.slug != slug => player.fail(format!(
                    "lessons/{}: its slug is `{}`, but the index lists it as `{slug}`",
                    entry.file, l.meta.slug
                )),
                Ok((l, hash)) => {
                    let progress = progress::load(&slug, hash);
                    let n = step.unwrap_or(progress.last.max(1));
                    player.progress.set(progress);
                    player.lesson.set_value(Some(l));
                    player.key.set(Some((slug, hash)));
                    player.load.set(Load::Ready);
                    player.goto(lab, n, true);
                }
            }
        });
    }

    fn fail(&self, why: String) {
        self.stop();
        self.lesson.set_value(None);
        self.key.set(None);
        self.load.set(Load::Failed(why));
    }

    /// The lesson no longer drives the run: free play (the run and its time travel stay).
    pub fn stop(&self) {
        self.active.set(false);
        self.wait_stop.set_value(None);
        self.script_stop.set_value(None);
        self.script.update_value(|s| s.clear());
    }

    /// Opens step `n` (1-based). Next from a finished step continues from the learner's state;
    /// anything else replays (as does `replay`).
    pub fn goto(&self, lab: Lab, n: usize, replay: bool) {
        let count = self.step_count();
        if count == 0 {
            return;
        }
        let n = n.clamp(1, count) - 1;
        let continues = !replay
            && self.active.get_untracked()
            && n == self.step.get_untracked() + 1
            && self.step_finished();
        self.notice.set(None);
        if continues {
            if let Err(e) = self.open(lab, n, false) {
                // The learner's own actions left a state this step cannot start from.
                if self.open(lab, n, true).is_ok() {
                    self.notice.set(Some(format!(
                        "This step could not start from where your cluster was ({e}), so the lesson was replayed up to here."
                    )));
                }
            }
        } else if let Err(e) = self.open(lab, n, true) {
            self.fail(e);
        }
        let key = self.key.get_untracked();
        if let Some((slug, _)) = key {
            let here = Route::Lesson {
                slug,
                step: Some(n + 1),
            };
            match route::current() {
                r if r == here => {}
                // Filling in the step of `#/lessons/<slug>` is not a move of its own.
                Route::Lesson { step: None, .. } => route::replace(&here),
                _ => route::go(&here),
            }
        }
    }

    /// True when the open step's wait, goal and prediction are all settled.
    pub fn step_finished(&self) -> bool {
        let wait_ok = matches!(self.wait.get_untracked(), WaitState::None | WaitState::Met);
        let goal_ok = self.goal.with_untracked(|g| g.is_empty()) || self.goal_done.get_untracked();
        let predict_ok = matches!(
            self.predict.get_untracked(),
            Prediction::None | Prediction::Verdict { .. }
        );
        wait_ok && goal_ok && predict_ok
    }

    fn open(&self, lab: Lab, n: usize, replay: bool) -> Result<(), String> {
        self.stop();
        let opened = self.lesson.with_value(|l| -> Result<(), String> {
            let l = l.as_ref().ok_or("no lesson is loaded")?;
            let step = l.steps.get(n).ok_or("no such step")?;
            if replay {
                let (mut timeline, mut console) =
                    live::replay_to(l, n).map_err(|e| e.to_string())?;
                live::open_step(l, &mut console, &mut timeline, step).map_err(|e| e.to_string())?;
                lab.run.load(timeline);
                self.console.set_value(console);
                Ok(())
            } else {
                let mut result = Ok(());
                self.console.update_value(|c| {
                    lab.run.timeline.update_value(|t| {
                        result = live::open_step(l, c, t, step).map_err(|e| e.to_string());
                    })
                });
                lab.run.refresh();
                result
            }
        });
        opened?;
        lab.ui.deselect();
        let now = lab.run.timeline.with_value(|t| t.now());
        self.opened_at.set(now);
        self.step.set(n);
        self.hints_shown.set(0);
        self.solution.set(Solution::Hidden);
        self.goal_done.set(false);
        self.actions.set(0);
        self.attempt.set(Attempt::Open);
        let (wait, goal_labels, asks) = self
            .with_step(|s| {
                (
                    s.wait.as_ref().map(|w| Stop {
                        condition: Some(w.condition.clone()),
                        deadline: now + w.within,
                    }),
                    s.goal
                        .as_ref()
                        .map(|g| g.rows.iter().map(|r| r.label.clone()).collect::<Vec<_>>())
                        .unwrap_or_default(),
                    s.predict.is_some(),
                )
            })
            .unwrap_or((None, Vec::new(), false));
        let has_wait = wait.is_some();
        let has_goal = !goal_labels.is_empty();
        self.wait.set(if has_wait {
            WaitState::Running
        } else {
            WaitState::None
        });
        self.wait_stop.set_value(wait);
        self.goal.set(
            goal_labels
                .into_iter()
                .map(|label| GoalRow {
                    label,
                    done: false,
                    seen: String::new(),
                })
                .collect(),
        );
        self.predict.set(if asks {
            Prediction::Asking
        } else {
            Prediction::None
        });
        self.active.set(true);
        self.opened.update(|o| *o += 1);
        self.refill(lab);
        // A wait animates towards its condition and a goal needs the clock running; a step
        // that only narrates (or asks first) holds still, so what it describes stays put.
        lab.run.playing.set((has_wait || has_goal) && !asks);
        self.update_progress(|p| p.last = n + 1);
        self.check(lab);
        Ok(())
    }

    fn names(&self) -> kraftlab_core::flat::FlatMap<String, kraftlab_core::types::NodeId> {
        self.console.with_value(|c| c.names.clone())
    }

    /// Fills the narration's placeholders from the run as it is now.
    pub fn refill(&self, lab: Lab) {
        let text = self.with_step(|s| s.narration.clone()).unwrap_or_default();
        self.narration.set(self.filled(lab, &text));
    }

    /// Lesson Markdown with the run's values filled in (`{{leader}}`, names bound with `as`).
    pub fn filled(&self, lab: Lab, text: &str) -> String {
        let names = self.names();
        lab.run
            .timeline
            .with_value(|t| fill(text, t.world(), &names))
    }

    fn update_progress(&self, f: impl FnOnce(&mut Progress)) {
        let Some((slug, hash)) = self.key.get_untracked() else {
            return;
        };
        self.progress.update(f);
        self.progress
            .with_untracked(|p| progress::save(&slug, hash, p));
    }

    /// What the next animation frame may do.
    pub fn frame_mode(&self) -> FrameMode {
        if !self.active.get_untracked() {
            return FrameMode::Free;
        }
        if self.predict.get_untracked() == Prediction::Asking {
            return FrameMode::Hold;
        }
        let stops: Vec<Stop> = [self.wait_stop.get_value(), self.script_stop.get_value()]
            .into_iter()
            .flatten()
            .collect();
        if stops.is_empty() {
            return FrameMode::Free;
        }
        let names = self.names();
        FrameMode::StopWhen(Box::new(move |w: &World| {
            stops.iter().any(|s| {
                w.now() >= s.deadline
                    || s.condition
                        .as_ref()
                        .is_some_and(|c| c.eval(w, &names).is_ok_and(|(h, _)| h))
            })
        }))
    }

    /// After a frame, an action or a seek: settles the wait and the solution's pending run,
    /// ticks the goal rows.
    pub fn check(&self, lab: Lab) {
        if !self.active.get_untracked() {
            return;
        }
        let names = self.names();
        let (wait_held, script_held) = lab.run.timeline.with_value(|t| {
            let w = t.world();
            let held = |s: &Option<Stop>| {
                s.as_ref().map(|s| {
                    (
                        s.condition
                            .as_ref()
                            .is_some_and(|c| c.eval(w, &names).is_ok_and(|(h, _)| h)),
                        w.now() >= s.deadline,
                    )
                })
            };
            (
                held(&self.wait_stop.get_value()),
                held(&self.script_stop.get_value()),
            )
        });
        if let Some((held, late)) = wait_held {
            if held {
                self.wait_stop.set_value(None);
                self.wait.set(WaitState::Met);
                lab.run.playing.set(false);
                self.judge(lab);
                self.refill(lab);
            } else if late {
                self.wait_stop.set_value(None);
                self.wait.set(WaitState::Missed);
                lab.run.playing.set(false);
                if let Prediction::Chosen(chosen) = self.predict.get_untracked() {
                    self.predict.set(Prediction::Verdict {
                        chosen,
                        right: false,
                        text: "The run never got there, so this prediction cannot be judged: replay the step to try again.".into(),
                    });
                }
            }
        }
        if let Some((held, late)) = script_held {
            let is_run_until = self
                .script_stop
                .with_value(|s| s.as_ref().is_some_and(|s| s.condition.is_some()));
            if held || (late && !is_run_until) {
                self.script_stop.set_value(None);
                self.pump(lab);
            } else if late {
                self.script_stop.set_value(None);
                self.script.update_value(|s| s.clear());
                self.solution.set(Solution::Played);
                lab.say(
                    "The solution's run did not reach its condition in time: your own actions changed the run. Replay the step to see it from the start.".into(),
                    true,
                );
            }
        }
        self.tick_goal(lab);
        if self.step_finished() {
            let n = self.step.get_untracked() + 1;
            if !self.progress.with_untracked(|p| p.done.contains(&n)) {
                self.update_progress(|p| {
                    p.mark_done(n);
                });
            }
        }
    }

    fn tick_goal(&self, lab: Lab) {
        if self.goal.with_untracked(|g| g.is_empty()) {
            return;
        }
        let rows: Vec<Condition> = self
            .with_step(|s| {
                s.goal
                    .iter()
                    .flat_map(|g| g.rows.iter().map(|r| r.condition.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let (evals, met) = self.console.with_value(|c| {
            lab.run.timeline.with_value(|t| {
                let evals: Vec<(bool, String)> = rows
                    .iter()
                    .map(|r| c.eval(t, r).unwrap_or_else(|e| (false, e)))
                    .collect();
                let met = c.goal_met_at(t).is_some() || evals.iter().all(|(h, _)| *h);
                (evals, met)
            })
        });
        let latched = self.goal_done.get_untracked() || met;
        // Counted, not copied: this runs after every frame.
        let taken = self
            .console
            .with_value(|c| lab.run.timeline.with_value(|t| c.actions_taken(t)));
        if self.actions.get_untracked() != taken {
            self.actions.set(taken);
        }
        let exercise = self.is_exercise();
        if exercise
            && !latched
            && self
                .attempt
                .with_untracked(|a| matches!(a, Attempt::Open | Attempt::Checked { .. }))
        {
            // A row that can only get worse and no longer holds: say so now, and where the
            // run left the solution's path.
            let lost = self.goal.with_untracked(|shown| {
                rows.iter()
                    .zip(&evals)
                    .zip(shown)
                    .find_map(|((c, (held, seen)), row)| {
                        (!held && c.only_gets_worse()).then(|| format!("{} — {seen}", row.label))
                    })
            });
            if let Some(why) = lost {
                lab.run.playing.set(false);
                self.attempt.set(Attempt::Failed {
                    why,
                    divergence: self.divergence(lab),
                });
            }
        }
        let shown: Vec<GoalRow> = self.goal.with_untracked(|g| {
            g.iter()
                .zip(evals)
                .map(|(row, (held, seen))| GoalRow {
                    label: row.label.clone(),
                    done: latched || held,
                    seen,
                })
                .collect()
        });
        if self.goal.with_untracked(|g| *g != shown) {
            self.goal.set(shown);
        }
        if latched && !self.goal_done.get_untracked() {
            self.goal_done.set(true);
            // Hold the moment the goal was reached, as a wait does: the narration quotes it.
            lab.run.playing.set(false);
            let n = self.step.get_untracked() + 1;
            let by_hand = self.solution.get_untracked() == Solution::Hidden;
            let par = self.with_lesson(|l| l.meta.par).flatten();
            let best = by_hand && par.is_some_and(|par| taken <= par as usize);
            self.update_progress(|p| {
                if by_hand {
                    progress::solved(p, n);
                }
                if best {
                    progress::best(p, n);
                }
            });
            if exercise && by_hand {
                self.attempt.set(Attempt::Solved { actions: taken });
            }
            self.refill(lab);
            if by_hand {
                lab.say("Goal reached — well done.".into(), false);
            }
        }
    }

    /// Reads the prediction's answer from the run and judges the learner's choice.
    fn judge(&self, lab: Lab) {
        let Prediction::Chosen(chosen) = self.predict.get_untracked() else {
            return;
        };
        let names = self.names();
        let Some((answer, choices, why)) = self
            .with_step(|s| {
                s.predict
                    .as_ref()
                    .map(|p| (p.answer.clone(), p.choices.clone(), p.why.clone()))
            })
            .flatten()
        else {
            return;
        };
        let value = lab
            .run
            .timeline
            .with_value(|t| answer.value(t.world(), &names));
        let (right, mut text) = match value {
            Err(e) => (
                false,
                format!("The run cannot say yet ({e}), so this prediction is not judged."),
            ),
            Ok(v) if !choices.contains(&v) => (
                false,
                format!("The run went another way: the answer is now **{v}**, which is none of the choices (your own actions changed the run)."),
            ),
            Ok(v) if choices[chosen] == v => (true, format!("**Right: {v}.**")),
            Ok(v) => (
                false,
                format!("**Not this time: it is {v}**, not {}.", choices[chosen]),
            ),
        };
        if let Some(why) = why {
            text.push(' ');
            text.push_str(&why);
        }
        let text = self.filled(lab, &text);
        let n = self.step.get_untracked() + 1;
        self.update_progress(|p| {
            p.predictions.retain(|(s, _)| *s != n);
            p.predictions.push((n, right));
        });
        self.predict.set(Prediction::Verdict {
            chosen,
            right,
            text,
        });
    }

    /// The learner picks choice `i`: the run goes on (or, with no wait, is judged now).
    pub fn choose(&self, lab: Lab, i: usize) {
        if self.predict.get_untracked() != Prediction::Asking {
            return;
        }
        self.predict.set(Prediction::Chosen(i));
        if self.wait.get_untracked() == WaitState::Running {
            lab.run.playing.set(true);
        } else {
            self.judge(lab);
            self.check(lab);
        }
    }

    /// Shows the next hint.
    pub fn hint(&self) {
        let count = self.with_step(|s| s.hints.len()).unwrap_or(0);
        self.hints_shown.update(|h| *h = (*h + 1).min(count));
    }

    /// Plays the step's solution with animation: actions one by one, `run until` animated.
    pub fn play_solution(&self, lab: Lab) {
        let lines = self.with_step(|s| s.solution.clone()).unwrap_or_default();
        if lines.is_empty() {
            return;
        }
        let n = self.step.get_untracked() + 1;
        self.update_progress(|p| progress::solution_shown(p, n));
        self.solution.set(Solution::Playing);
        self.script.set_value(lines.into());
        self.pump(lab);
    }

    /// Runs the solution's next commands up to the next one that needs time.
    fn pump(&self, lab: Lab) {
        if !self.active.get_untracked() {
            return;
        }
        let Some(line) = self.script.try_update_value(|s| s.pop_front()).flatten() else {
            self.solution.set(Solution::Played);
            self.check(lab);
            return;
        };
        let now = lab.run.timeline.with_value(|t| t.now());
        match &line.command {
            Command::RunUntil { condition, within } => {
                self.script_stop.set_value(Some(Stop {
                    condition: Some(condition.clone()),
                    deadline: now + *within,
                }));
                lab.run.playing.set(true);
            }
            Command::Run(d) => {
                self.script_stop.set_value(Some(Stop {
                    condition: None,
                    deadline: now + *d,
                }));
                lab.run.playing.set(true);
            }
            command => {
                let out = self.run_command(lab, command);
                if let Err(e) = out {
                    self.script.update_value(|s| s.clear());
                    self.solution.set(Solution::Played);
                    lab.say(format!("`{}`: {e}", line.text), true);
                    return;
                }
                lab.say(format!("solution: {}", line.text), false);
                let player = *self;
                let pace = if lab.ui.reduced_motion.get_untracked() {
                    0
                } else {
                    SOLUTION_PACE_MS
                };
                gloo_timers::callback::Timeout::new(pace, move || player.pump(lab)).forget();
            }
        }
    }

    fn run_command(&self, lab: Lab, command: &Command) -> Result<String, String> {
        let mut out = Err("the run is gone".to_string());
        self.console.update_value(|c| {
            lab.run.timeline.update_value(|t| out = c.run(t, command));
        });
        lab.run.refresh();
        out
    }

    /// Runs a line of the scenario language typed or clicked by the learner (a `{run}` chip);
    /// returns what it printed.
    pub fn run_text(&self, lab: Lab, text: &str) -> Result<String, String> {
        let mut out = Err("the run is gone".to_string());
        self.console.update_value(|c| {
            lab.run.timeline.update_value(|t| out = c.run_text(t, text));
        });
        lab.run.refresh();
        self.check(lab);
        out
    }

    /// The wait's time left, for the step's status line.
    pub fn wait_left(&self, now: SimTime) -> Option<String> {
        self.wait_stop
            .get_value()
            .map(|s| format_duration(s.deadline.0.saturating_sub(now.0)))
    }
}

//! An exercise attempt as the player judges it (`kind: exercise`): how it stands, "How am I
//! doing?", and where the learner's run went differently from the solution. The step itself
//! is played by [`super::player`]; this is what exercises add on top.

use kraftlab_core::lesson::diverge::{self, Move};
use kraftlab_core::lesson::{live, Kind};
use kraftlab_core::types::SimTime;
use leptos::prelude::*;

use super::player::Player;
use crate::lab::Lab;

/// How an exercise attempt stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Attempt {
    /// Going on.
    #[default]
    Open,
    /// A goal row that can only get worse (`never … for more than …`, `no committed record
    /// lost`, …) no longer holds: this attempt cannot succeed.
    Failed {
        /// The row and what the run shows for it.
        why: String,
        /// Where the run went differently from the solution.
        divergence: String,
    },
    /// The learner asked how they are doing before the goal was reached.
    Checked {
        /// The rows not met yet, each with what the run shows.
        unmet: Vec<String>,
        /// Where the run went differently from the solution.
        divergence: String,
    },
    /// Solved by the learner's own hand.
    Solved {
        /// Actions taken in the step (judged against the lesson's `par`).
        actions: usize,
    },
}

impl Player {
    /// True when the loaded lesson is an exercise (par, attempts and "where your run went
    /// differently" apply).
    pub fn is_exercise(&self) -> bool {
        self.with_lesson(|l| l.meta.kind == Kind::Exercise) == Some(true)
    }

    /// "How am I doing?": the rows not met yet and where the run left the solution's path.
    pub fn check_attempt(&self, lab: Lab) {
        let unmet = self.goal.with_untracked(|g| {
            g.iter()
                .filter(|r| !r.done)
                .map(|r| format!("{} — {}", r.label, r.seen))
                .collect()
        });
        self.attempt.set(Attempt::Checked {
            unmet,
            divergence: self.divergence(lab),
        });
    }

    /// Where the learner's actions in this step first differ from the solution's: the step is
    /// replayed headless from its opening with the solution (deterministic, so the same
    /// opening the learner had when they came by a replay), and the two lists of actions are
    /// compared by deed (the core's `lesson::diverge`).
    pub(super) fn divergence(&self, lab: Lab) -> String {
        let n = self.step.get_untracked();
        let solution: Option<(SimTime, Vec<Move>)> = self.lesson.with_value(|l| {
            let l = l.as_ref()?;
            let step = l.steps.get(n)?;
            let (mut t, mut c) = live::replay_to(l, n).ok()?;
            live::open_step(l, &mut c, &mut t, step).ok()?;
            live::run_wait(l, &mut c, &mut t, step).ok()?;
            live::run_lines(l, &mut c, &mut t, &step.solution).ok()?;
            diverge::moves(t.world())
        });
        let attempt = lab.run.timeline.with_value(|t| diverge::moves(t.world()));
        match (attempt, solution) {
            (Some((since, a)), Some((s_since, s))) => {
                diverge::first_difference(&a, since, &s, s_since)
                    .unwrap_or_else(|| diverge::SAME_MOVES.to_string())
            }
            _ => "the solution could not be replayed to compare with".to_string(),
        }
    }
}

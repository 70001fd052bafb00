//! Checking a lesson headless, as `kraftlab lesson FILE` and `cargo test` do: every step runs
//! in order; every `wait` must be met within its bound; every `goal` must not hold when its
//! step opens and must hold after its `solution`; every `predict` answer must name exactly one
//! of its choices. And grading an exercise attempt: a learner's commands run in place of the
//! solution, and the goal rows give the verdict.

use crate::scenario::ast::{Command, Line};
use crate::scenario::session::Session;
use crate::trace::Verbosity;
use crate::types::format_duration;

use super::format::{Goal, Lesson, LessonError, Step};

/// What one step did when checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReport {
    /// 1-based step number.
    pub number: usize,
    /// The step's title.
    pub title: String,
    /// What was checked, in a line.
    pub summary: String,
}

fn err(lesson: &Lesson, line: usize, message: impl Into<String>) -> LessonError {
    LessonError {
        file: lesson.file.clone(),
        line,
        message: message.into(),
    }
}

fn run_lines(lesson: &Lesson, session: &mut Session, lines: &[Line]) -> Result<(), LessonError> {
    for l in lines {
        session
            .execute(l)
            .map_err(|e| err(lesson, l.number, e.message))?;
    }
    Ok(())
}

/// Which rows of `goal` hold now, with what was seen.
pub fn goal_rows(session: &Session, goal: &Goal) -> Vec<(bool, String)> {
    goal.rows
        .iter()
        .map(|r| match session.eval(&r.condition) {
            Ok((holds, seen)) => (holds, seen),
            Err(e) => (false, e),
        })
        .collect()
}

/// Opens step `step`: runs its scenario block, and for a goal step starts the history the goal
/// rows read (actions, restarts, `ever`/`never`) from now.
pub fn open_step(lesson: &Lesson, session: &mut Session, step: &Step) -> Result<(), LessonError> {
    run_lines(lesson, session, &step.scenario)?;
    // A cluster with a teaching switch breaks a rule on purpose: the checkers report it (the
    // safety panel shows it) and the lesson goes on.
    if session
        .world()
        .is_some_and(|w| !w.spec().quorum.buggify.enabled().is_empty())
    {
        session.allow_violations();
    }
    if let Some(goal) = &step.goal {
        let rows: Vec<_> = goal.rows.iter().map(|r| r.condition.clone()).collect();
        session
            .begin_with_goal(&rows)
            .map_err(|e| err(lesson, goal.line, e))?;
    }
    Ok(())
}

/// Runs a step's `wait` (headless: `run until … within …`).
pub fn run_wait(lesson: &Lesson, session: &mut Session, step: &Step) -> Result<(), LessonError> {
    if let Some(w) = &step.wait {
        let cmd = Command::RunUntil {
            condition: w.condition.clone(),
            within: w.within,
        };
        session
            .execute_command(&cmd, w.line)
            .map_err(|e| err(lesson, w.line, e.message))?;
    }
    Ok(())
}

/// Replays steps `0..n` (0-based) headless, solutions included, as jumping to step `n + 1`
/// does: the learner's own actions in earlier steps are not replayed.
pub fn replay_to(lesson: &Lesson, n: usize) -> Result<Session, LessonError> {
    let mut session = Session::new(Verbosity::Off);
    for step in lesson.steps.iter().take(n) {
        open_step(lesson, &mut session, step)?;
        run_wait(lesson, &mut session, step)?;
        run_lines(lesson, &mut session, &step.solution)?;
    }
    Ok(session)
}

/// Checks every step of `lesson` headless; one report per step, or the first failure with its
/// line.
pub fn check(lesson: &Lesson) -> Result<Vec<StepReport>, LessonError> {
    let mut session = Session::new(Verbosity::Off);
    let mut out = Vec::new();
    for (i, step) in lesson.steps.iter().enumerate() {
        if i == 0
            && !step
                .scenario
                .iter()
                .any(|l| matches!(l.command, Command::Cluster(_)))
        {
            return Err(err(
                lesson,
                step.line,
                "the first step must start a cluster (a `cluster` line in its `scenario` block)",
            ));
        }
        open_step(lesson, &mut session, step)?;
        let mut parts = Vec::new();
        if let Some(goal) = &step.goal {
            let rows = goal_rows(&session, goal);
            if rows.iter().all(|(holds, _)| *holds) {
                return Err(err(
                    lesson,
                    goal.line,
                    "the goal already holds when the step opens: there is nothing for the learner to do",
                ));
            }
        }
        if let Some(w) = &step.wait {
            let before = session.world().map(|w| w.now());
            run_wait(lesson, &mut session, step)?;
            let after = session.world().map(|w| w.now());
            parts.push(format!(
                "wait `{}` met after {}",
                w.condition,
                format_duration(after.unwrap_or_default().since(before.unwrap_or_default()))
            ));
        }
        if let Some(p) = &step.predict {
            let world = session
                .world()
                .ok_or_else(|| err(lesson, p.line, "no cluster to read the answer from"))?;
            let value = p
                .answer
                .value(world, session.names())
                .map_err(|e| err(lesson, p.line, format!("the answer cannot be read: {e}")))?;
            let matching = p.choices.iter().filter(|c| **c == value).count();
            if matching != 1 {
                return Err(err(
                    lesson,
                    p.line,
                    format!(
                        "the answer is `{value}`, which is {} of the choices ({})",
                        if matching == 0 {
                            "none"
                        } else {
                            "more than one"
                        },
                        p.choices.join(", ")
                    ),
                ));
            }
            parts.push(format!("predict answer `{value}`"));
        }
        if let Some(goal) = &step.goal {
            run_lines(lesson, &mut session, &step.solution)?;
            let rows = goal_rows(&session, goal);
            // Reached at some moment (latched, as the player judges it) or at the end.
            let latched = session.goal_met_at().is_some();
            if let Some((row, (_, seen))) = goal
                .rows
                .iter()
                .zip(&rows)
                .find(|(_, (holds, _))| !holds && !latched)
            {
                return Err(err(
                    lesson,
                    row.line,
                    format!(
                        "after the solution the goal row `{}` does not hold: {seen}",
                        row.label
                    ),
                ));
            }
            parts.push(format!(
                "goal of {} row(s) unmet at open, met by the solution ({} command(s))",
                goal.rows.len(),
                step.solution.len()
            ));
        }
        if parts.is_empty() {
            parts.push("narration".into());
        }
        out.push(StepReport {
            number: i + 1,
            title: step.title.clone(),
            summary: parts.join("; "),
        });
    }
    Ok(out)
}

/// How an exercise attempt went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttemptReport {
    /// Each goal row: its label, whether it holds, what was seen.
    pub rows: Vec<(String, bool, String)>,
    /// Every row holds.
    pub solved: bool,
    /// Actions the attempt took.
    pub actions: usize,
    /// Where the attempt first went differently from the solution, if it did.
    pub divergence: Option<String>,
}

/// Runs step `number` (1-based) of `lesson` with `attempt` (scenario commands) as the
/// learner's actions and grades it against the step's goal.
pub fn check_attempt(
    lesson: &Lesson,
    number: usize,
    attempt: &[Line],
) -> Result<AttemptReport, LessonError> {
    let step = number
        .checked_sub(1)
        .and_then(|i| lesson.steps.get(i))
        .ok_or_else(|| {
            err(
                lesson,
                0,
                format!(
                    "there is no step {number} (the lesson has {})",
                    lesson.steps.len()
                ),
            )
        })?;
    let goal = step.goal.as_ref().ok_or_else(|| {
        err(
            lesson,
            step.line,
            format!("step {number} has no goal to grade"),
        )
    })?;
    let mut session = replay_to(lesson, number - 1)?;
    open_step(lesson, &mut session, step)?;
    run_wait(lesson, &mut session, step)?;
    let mut solution = session.clone();
    let mut failed = None;
    for l in attempt {
        if let Err(e) = session.execute(l) {
            failed = Some(format!("line {}: {}", l.number, e.message));
            break;
        }
    }
    // As the player judges it: the goal is reached at the first moment every row held at
    // once (latched after every event), or if every row holds at the end.
    let latched = session.goal_met_at().is_some();
    let rows: Vec<(String, bool, String)> = goal
        .rows
        .iter()
        .zip(goal_rows(&session, goal))
        .map(|(r, (holds, seen))| (r.label.clone(), holds || latched, seen))
        .collect();
    let solved = failed.is_none() && rows.iter().all(|(_, h, _)| *h);
    run_lines(lesson, &mut solution, &step.solution)?;
    let divergence = failed.or_else(|| {
        if solved {
            return None;
        }
        let (since, moves) = session.world().and_then(super::diverge::moves)?;
        let (s_since, s_moves) = solution.world().and_then(super::diverge::moves)?;
        Some(
            super::diverge::first_difference(&moves, since, &s_moves, s_since)
                .unwrap_or_else(|| super::diverge::SAME_MOVES.to_string()),
        )
    });
    Ok(AttemptReport {
        actions: session.actions_taken(),
        rows,
        solved,
        divergence,
    })
}

//! A lesson played on a [`Timeline`], as the app's player does it (with time travel, so "continue
//! in free play" keeps the whole run): opening a step, running its `wait` headless, and replaying
//! steps 1..N−1 to jump to step N. The semantics are those of [`super::check`], which plays the
//! same blocks on a scenario session; a test keeps the two in step.

use crate::run::console::Console;
use crate::run::timeline::Timeline;
use crate::scenario::ast::{Command, Line};
use crate::sim::ClusterSpec;

use super::format::{Lesson, LessonError, Step};

fn err(lesson: &Lesson, line: usize, message: impl Into<String>) -> LessonError {
    LessonError {
        file: lesson.file.clone(),
        line,
        message: message.into(),
    }
}

/// Runs scenario lines one after another; the first failure names its line.
pub fn run_lines(
    lesson: &Lesson,
    console: &mut Console,
    timeline: &mut Timeline,
    lines: &[Line],
) -> Result<(), LessonError> {
    for l in lines {
        console
            .run(timeline, &l.command)
            .map_err(|e| err(lesson, l.number, e))?;
    }
    Ok(())
}

/// Opens `step`: runs its scenario block; lets the run go on past broken invariants when the
/// cluster has a teaching switch on (the safety panel shows them); starts the history the goal
/// reads (a goal step only, as the checker does), latching the moment its rows all hold.
pub fn open_step(
    lesson: &Lesson,
    console: &mut Console,
    timeline: &mut Timeline,
    step: &Step,
) -> Result<(), LessonError> {
    run_lines(lesson, console, timeline, &step.scenario)?;
    if !timeline.spec().quorum.buggify.enabled().is_empty() {
        console.allow_violations();
    }
    // As the checker does: only a goal step starts the history afresh.
    if let Some(goal) = &step.goal {
        let rows: Vec<_> = goal.rows.iter().map(|r| r.condition.clone()).collect();
        console.begin_with_goal(timeline, &rows);
    }
    Ok(())
}

/// Runs `step`'s `wait` at once (`run until … within …`).
pub fn run_wait(
    lesson: &Lesson,
    console: &mut Console,
    timeline: &mut Timeline,
    step: &Step,
) -> Result<(), LessonError> {
    if let Some(w) = &step.wait {
        let cmd = Command::RunUntil {
            condition: w.condition.clone(),
            within: w.within,
        };
        console
            .run(timeline, &cmd)
            .map_err(|e| err(lesson, w.line, e))?;
    }
    Ok(())
}

/// Finishes `step` headless as a replay does: its `wait`, then its `solution`.
pub fn finish_step(
    lesson: &Lesson,
    console: &mut Console,
    timeline: &mut Timeline,
    step: &Step,
) -> Result<(), LessonError> {
    run_wait(lesson, console, timeline, step)?;
    run_lines(lesson, console, timeline, &step.solution)
}

/// Replays steps `0..n` (0-based) headless, solutions included: the state step `n + 1` opens
/// from when the learner jumps to it.
pub fn replay_to(lesson: &Lesson, n: usize) -> Result<(Timeline, Console), LessonError> {
    let mut timeline = Timeline::new(ClusterSpec::kraft(3, 0, 1));
    let mut console = Console::new();
    for step in lesson.steps.iter().take(n) {
        open_step(lesson, &mut console, &mut timeline, step)?;
        finish_step(lesson, &mut console, &mut timeline, step)?;
    }
    Ok((timeline, console))
}

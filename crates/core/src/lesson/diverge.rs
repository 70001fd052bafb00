//! "Where your run went differently": the simulator is deterministic, so an attempt and the
//! solution, started from the same state, differ exactly where their actions differ. The
//! first such action is named, with what its target node was at that moment.

use crate::scenario::session::Session;
use crate::types::format_duration;

/// The first point where `attempt`'s actions differ from `solution`'s, in a sentence; `None`
/// if they are the same.
pub fn first_difference(attempt: &Session, solution: &Session) -> Option<String> {
    let a = attempt.history_actions();
    let s = solution.history_actions();
    let describe = |(t, action, target): &(
        crate::types::SimTime,
        crate::sim::UserAction,
        Option<String>,
    )| {
        let what = format!("`{}`", action.to_command());
        let at = format_duration(t.0);
        match target {
            Some(tg) => format!("{what} at {at} ({tg})"),
            None => format!("{what} at {at}"),
        }
    };
    for i in 0..a.len().max(s.len()) {
        match (a.get(i), s.get(i)) {
            (Some(x), Some(y)) if x.0 == y.0 && x.1 == y.1 => continue,
            (Some(x), Some(y)) => {
                return Some(format!(
                    "your action {} was {}; the solution's is {}",
                    i + 1,
                    describe(x),
                    describe(y)
                ))
            }
            (Some(x), None) => {
                return Some(format!(
                    "after the solution's {} action(s) you went on with {}",
                    s.len(),
                    describe(x)
                ))
            }
            (None, Some(y)) => {
                return Some(format!(
                    "you stopped after {} action(s); the solution goes on with {}",
                    a.len(),
                    describe(y)
                ))
            }
            (None, None) => break,
        }
    }
    None
}

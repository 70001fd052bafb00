//! "Where your run went differently": the simulator is deterministic, so an attempt and the
//! solution, started from the same state, differ where their actions differ. Actions are
//! compared by what they did to whom — the command word and the part its target node played
//! just before (`crash` of `the active controller`) — not by node id or instant, so a learner
//! who crashed the leader half a second later than the solution did the same thing. The first
//! action that differs is named, with when it came after the step opened.

use crate::scenario::history::{History, BROKER_PART};
use crate::sim::World;
use crate::types::{format_duration, SimTime};

pub use crate::scenario::history::Move;

/// The moves `world`'s history recorded (since the step opened, or the scenario's `begin`),
/// oldest first, and when the history began; `None` without a history.
pub fn moves(world: &World) -> Option<(SimTime, Vec<Move>)> {
    let h = world.observer::<History>()?;
    Some((h.since, h.moves()))
}

/// The same deed: the same command word, on a target that played the same part (or, for an
/// action without a single target, the same command). Brokers are told apart by id: `a
/// broker` says nothing of which partitions it leads, and that is usually what matters.
fn same(a: &Move, b: &Move) -> bool {
    a.1.op() == b.1.op()
        && match (&a.2, &b.2) {
            (Some(x), Some(_)) if x == BROKER_PART => a.1 == b.1,
            (Some(x), Some(y)) => x == y,
            _ => a.1 == b.1,
        }
}

fn describe(m: &Move, since: SimTime) -> String {
    let what = format!("`{}`", m.1.to_command());
    let at = format_duration(m.0.since(since));
    match &m.2 {
        Some(target) => format!("{what} ({target}) at {at}"),
        None => format!("{what} at {at}"),
    }
}

/// The first point where `attempt` (its history began at `since`) differs from `solution`
/// (begun at `solution_since`), in a sentence; `None` if they did the same things in the same
/// order (then only their timing can differ).
pub fn first_difference(
    attempt: &[Move],
    since: SimTime,
    solution: &[Move],
    solution_since: SimTime,
) -> Option<String> {
    let n = attempt.len().max(solution.len());
    (0..n).find_map(|i| match (attempt.get(i), solution.get(i)) {
        (Some(a), Some(s)) if same(a, s) => None,
        (Some(a), Some(s)) => Some(format!(
            "your action {} was {}; the solution's is {}",
            i + 1,
            describe(a, since),
            describe(s, solution_since)
        )),
        (Some(a), None) => Some(format!(
            "you did what the solution does ({} action(s)), then went on with {}",
            solution.len(),
            describe(a, since)
        )),
        (None, Some(s)) => Some(format!(
            "you stopped after {} action(s); the solution goes on with {}",
            attempt.len(),
            describe(s, solution_since)
        )),
        (None, None) => None,
    })
}

/// What to tell a learner whose actions match the solution's but whose attempt failed.
pub const SAME_MOVES: &str =
    "you did what the solution does, in the same order: what differed is when you did it";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::UserAction;
    use crate::types::NodeId;

    fn crash(t: u64, id: i32, part: &str) -> Move {
        (SimTime(t), UserAction::Crash(NodeId(id)), Some(part.into()))
    }

    #[test]
    fn deeds_are_compared_by_the_part_their_target_played_not_by_id_or_instant() {
        let solution = [crash(1_000_000, 3000, "the active controller")];
        let later_same = [crash(1_500_000, 3002, "the active controller")];
        assert_eq!(
            first_difference(&later_same, SimTime(0), &solution, SimTime(0)),
            None
        );
        let follower = [crash(2_300_000, 3001, "a follower")];
        let said = first_difference(&follower, SimTime(0), &solution, SimTime(0)).unwrap();
        assert!(said.contains("`crash 3001` (a follower) at 2.3s"), "{said}");
        assert!(
            said.contains("the solution's is `crash 3000` (the active controller)"),
            "{said}"
        );
        let none: [Move; 0] = [];
        let said = first_difference(&none, SimTime(0), &solution, SimTime(0)).unwrap();
        assert!(said.starts_with("you stopped after 0 action(s)"), "{said}");
    }
}

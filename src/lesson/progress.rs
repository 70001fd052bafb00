//! What the learner has done in each lesson — steps done, goals solved by their own hand,
//! solutions shown, predictions — kept in local storage under the lesson's slug and the hash of
//! its text. Where storage is unavailable (private windows, sandboxed iframes) it is kept in
//! memory for the visit instead, and everything else works the same.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One lesson's progress. Step numbers are 1-based, as in the routes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Progress {
    /// Steps whose wait was met, goal reached or prediction answered (or that had nothing to do).
    pub done: Vec<usize>,
    /// Goal steps the learner solved without showing the solution.
    pub solved: Vec<usize>,
    /// Goal steps whose solution was shown.
    pub solution_shown: Vec<usize>,
    /// Predictions: step and whether the learner was right.
    pub predictions: Vec<(usize, bool)>,
    /// Exercise steps solved by hand in at most `par` actions.
    pub best: Vec<usize>,
    /// The step the learner was on.
    pub last: usize,
}

impl Progress {
    /// Marks `step` done; true if it was not before.
    pub fn mark_done(&mut self, step: usize) -> bool {
        insert(&mut self.done, step)
    }

    /// True when every one of `steps` steps is done.
    pub fn complete(&self, steps: usize) -> bool {
        steps > 0 && (1..=steps).all(|s| self.done.contains(&s))
    }
}

fn insert(v: &mut Vec<usize>, n: usize) -> bool {
    match v.binary_search(&n) {
        Ok(_) => false,
        Err(at) => {
            v.insert(at, n);
            true
        }
    }
}

/// Records that the learner solved `step`'s goal (unless they had asked for the solution).
pub fn solved(p: &mut Progress, step: usize) {
    if !p.solution_shown.contains(&step) {
        insert(&mut p.solved, step);
    }
}

/// Records that the learner solved `step` at or under par.
pub fn best(p: &mut Progress, step: usize) {
    insert(&mut p.best, step);
}

/// Records that `step`'s solution was shown: the step no longer counts as solved by hand.
pub fn solution_shown(p: &mut Progress, step: usize) {
    insert(&mut p.solution_shown, step);
    p.solved.retain(|s| *s != step);
}

thread_local! {
    /// Progress kept for the visit when local storage cannot be used.
    static MEMORY: RefCell<BTreeMap<String, String>> = const { RefCell::new(BTreeMap::new()) };
}

/// The storage key of a lesson's progress.
pub fn key(slug: &str, hash: u64) -> String {
    format!("kraftlab.progress.{slug}.{hash:016x}")
}

fn storage() -> Option<web_sys::Storage> {
    // Reading `localStorage` throws in sandboxed iframes; that is an `Err` here, not a panic.
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved progress of a lesson (empty if none, or if what was saved cannot be read).
pub fn load(slug: &str, hash: u64) -> Progress {
    let key = key(slug, hash);
    let text = storage()
        .and_then(|s| s.get_item(&key).ok().flatten())
        .or_else(|| MEMORY.with(|m| m.borrow().get(&key).cloned()));
    text.and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Saves a lesson's progress; falls back to memory when storage refuses (absent, full, denied).
pub fn save(slug: &str, hash: u64, progress: &Progress) {
    let key = key(slug, hash);
    let Ok(text) = serde_json::to_string(progress) else {
        return;
    };
    let stored = storage().is_some_and(|s| s.set_item(&key, &text).is_ok());
    if !stored {
        MEMORY.with(|m| m.borrow_mut().insert(key, text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_solution_is_not_solved_by_hand() {
        let mut p = Progress::default();
        solved(&mut p, 2);
        assert_eq!(p.solved, [2]);
        solution_shown(&mut p, 2);
        assert!(p.solved.is_empty());
        solved(&mut p, 2);
        assert!(p.solved.is_empty(), "showing the solution is remembered");
        assert!(p.mark_done(3) && p.mark_done(1) && !p.mark_done(3));
        assert_eq!(p.done, [1, 3]);
        assert!(!p.complete(3));
        p.mark_done(2);
        assert!(p.complete(3));
    }

    #[test]
    fn progress_round_trips_and_bad_json_is_empty() {
        let mut p = Progress::default();
        p.mark_done(1);
        p.predictions.push((1, true));
        let text = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<Progress>(&text).unwrap(), p);
        assert!(serde_json::from_str::<Progress>("{\"done\": 3").is_err());
        assert_eq!(
            serde_json::from_str::<Progress>("{\"last\": 2}")
                .unwrap()
                .last,
            2,
            "missing fields default"
        );
    }
}

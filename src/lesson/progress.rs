//! What the learner has done in each lesson — steps done, goals solved by their own hand,
//! solutions shown, predictions — kept in local storage under the lesson's slug and the hash of
//! its text. Where storage is unavailable (private windows, sandboxed iframes) it is kept in
//! memory for the visit instead, and everything else works the same.

use std::cell::RefCell;
use std::collections::BTreeMap;

/// One lesson's progress. Step numbers are 1-based, as in the routes.
///
/// It is stored as one JSON array of numbers (serde_json reads and writes it): the format
/// (1), the last step, then each list as its length followed by its items (a prediction is
/// two numbers: the step and 1 if the learner was right). A flat array of numbers costs the
/// first load far less code than an object per field would.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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

/// The stored format's version, first in the array.
const FORMAT: u32 = 1;

impl Progress {
    /// The numbers this progress is stored as.
    fn to_numbers(&self) -> Vec<u32> {
        let mut out = vec![FORMAT, self.last as u32];
        for list in [&self.done, &self.solved, &self.solution_shown] {
            out.push(list.len() as u32);
            out.extend(list.iter().map(|n| *n as u32));
        }
        out.push(self.predictions.len() as u32);
        for (step, right) in &self.predictions {
            out.extend([*step as u32, *right as u32]);
        }
        out.push(self.best.len() as u32);
        out.extend(self.best.iter().map(|n| *n as u32));
        out
    }

    /// The progress stored as `numbers`, or `None` if they are not in the format.
    fn from_numbers(numbers: &[u32]) -> Option<Progress> {
        let mut rest = numbers.iter().map(|n| *n as usize);
        if rest.next()? != FORMAT as usize {
            return None;
        }
        let last = rest.next()?;
        let mut list = |pairs: bool| -> Option<Vec<usize>> {
            let n = rest.next()?;
            let want = if pairs { n.checked_mul(2)? } else { n };
            (want <= numbers.len()).then_some(())?;
            (0..want).map(|_| rest.next()).collect()
        };
        let (done, solved, solution_shown) = (list(false)?, list(false)?, list(false)?);
        let predictions = list(true)?.chunks(2).map(|p| (p[0], p[1] == 1)).collect();
        let best = list(false)?;
        Some(Progress {
            done,
            solved,
            solution_shown,
            predictions,
            best,
            last,
        })
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

/// The page's `localStorage`, if it may be read (saved progress, the orientation card).
pub(crate) fn storage() -> Option<web_sys::Storage> {
    // Reading `localStorage` throws in sandboxed iframes; that is an `Err` here, not a panic.
    web_sys::window()?.local_storage().ok().flatten()
}

/// The saved progress of a lesson (empty if none, or if what was saved cannot be read).
pub fn load(slug: &str, hash: u64) -> Progress {
    let key = key(slug, hash);
    let text = storage()
        .and_then(|s| s.get_item(&key).ok().flatten())
        .or_else(|| MEMORY.with(|m| m.borrow().get(&key).cloned()));
    text.and_then(|t| serde_json::from_str::<Vec<u32>>(&t).ok())
        .and_then(|n| Progress::from_numbers(&n))
        .unwrap_or_default()
}

/// Saves a lesson's progress; falls back to memory when storage refuses (absent, full, denied).
pub fn save(slug: &str, hash: u64, progress: &Progress) {
    let key = key(slug, hash);
    let Ok(text) = serde_json::to_string(&progress.to_numbers()) else {
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
    fn progress_round_trips_and_anything_else_is_refused() {
        let mut p = Progress::default();
        p.mark_done(1);
        p.mark_done(4);
        p.predictions.push((1, true));
        p.predictions.push((3, false));
        solution_shown(&mut p, 2);
        best(&mut p, 4);
        p.last = 4;
        let text = serde_json::to_string(&p.to_numbers()).unwrap();
        assert_eq!(text, "[1,4,2,1,4,0,1,2,2,1,1,3,0,1,4]");
        let numbers: Vec<u32> = serde_json::from_str(&text).unwrap();
        assert_eq!(Progress::from_numbers(&numbers), Some(p));
        assert_eq!(
            Progress::from_numbers(&[1, 0, 0, 0, 0, 0, 0]),
            Some(Progress::default())
        );
        // Another format, a list longer than what follows, a truncated array.
        assert_eq!(Progress::from_numbers(&[2, 0, 0, 0, 0, 0, 0]), None);
        assert_eq!(Progress::from_numbers(&[1, 0, 4_000_000_000]), None);
        assert_eq!(Progress::from_numbers(&[1, 0, 2, 1]), None);
        assert_eq!(Progress::from_numbers(&[]), None);
        // What older builds stored (an object) does not read as numbers: an empty progress.
        assert!(serde_json::from_str::<Vec<u32>>("{\"done\":[1]}").is_err());
    }
}

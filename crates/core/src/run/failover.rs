//! How long a KRaft failover takes, over many seeds: the figure behind "KRaft fails over in
//! milliseconds". Each seed builds the default cluster (3 controllers, 3 brokers), lets it
//! settle, crashes the active controller and measures until another controller is active.
//! It also counts split votes: failovers that needed more than one new epoch because both
//! followers stood at once and each voted for itself.

use crate::sim::{ClusterSpec, UserAction, World};
use crate::types::{secs, Micros, SimTime};

/// One seed's failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failover {
    /// The seed.
    pub seed: u64,
    /// From the crash until another controller is active (microseconds).
    pub took: Micros,
    /// Epochs the new leader is above the crashed one's (1: no split vote).
    pub epochs: u32,
}

/// What many seeds' failovers add up to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Distribution {
    /// Every failover, in seed order (a seed with no new leader within 60 s is left out
    /// and counted in `stuck`).
    pub runs: Vec<Failover>,
    /// Seeds whose cluster had no new active controller 60 s after the crash.
    pub stuck: u64,
}

impl Distribution {
    /// The `q`-quantile (0.0–1.0) of the failover times, in microseconds.
    pub fn quantile(&self, q: f64) -> Micros {
        let mut t: Vec<Micros> = self.runs.iter().map(|r| r.took).collect();
        t.sort_unstable();
        if t.is_empty() {
            return 0;
        }
        let i = ((t.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
        t[i]
    }

    /// How many failovers went through a split vote (more than one new epoch).
    pub fn split_votes(&self) -> usize {
        self.runs.iter().filter(|r| r.epochs > 1).count()
    }
}

/// Crashes the active controller of `spec`'s cluster once it has settled and measures the
/// failover.
pub fn failover(spec: ClusterSpec) -> Option<Failover> {
    let seed = spec.seed;
    let mut w = World::new(spec);
    let settled = w.run_until_cond(SimTime(secs(10)), |w| w.active_leader().is_some());
    if !settled {
        return None;
    }
    // Let the brokers register and the first NoOps commit.
    w.run_for(secs(3));
    let leader = w.active_leader()?;
    let epoch = w.node(leader)?.replica()?.epoch();
    let crashed_at = w.now();
    w.apply(&UserAction::Crash(leader)).ok()?;
    let limit = crashed_at + secs(60);
    let active = |w: &World| {
        w.active_leader().filter(|l| {
            *l != leader
                && w.node(*l)
                    .and_then(|n| n.server())
                    .is_some_and(|s| s.is_active_controller())
        })
    };
    if !w.run_until_cond(limit, |w| active(w).is_some()) {
        return None;
    }
    let new = active(&w)?;
    let new_epoch = w.node(new)?.replica()?.epoch();
    Some(Failover {
        seed,
        took: w.now().since(crashed_at),
        epochs: new_epoch.saturating_sub(epoch),
    })
}

/// The failover of the default cluster (3 controllers, 3 brokers) for `count` seeds from
/// `start`, with pre-vote on (Kafka 4.x) or off (3.9).
pub fn distribution(start: u64, count: u64, prevote: bool) -> Distribution {
    let mut d = Distribution::default();
    for seed in start..start + count {
        let mut spec = ClusterSpec::kraft(3, 3, seed);
        spec.quorum.prevote = prevote;
        match failover(spec) {
            Some(f) => d.runs.push(f),
            None => d.stuck += 1,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failover_takes_at_least_the_fetch_timeout() {
        let f = failover(ClusterSpec::kraft(3, 3, 11)).expect("a new leader within 60 s");
        // Nobody notices a crashed leader before its fetch timeout: 2 s from the last answer
        // it got, which can be up to the 500 ms long-poll before the crash.
        assert!(f.took >= crate::types::ms(1_500), "{f:?}");
        assert!(f.epochs >= 1);
    }

    #[test]
    fn quantiles_read_the_sorted_times() {
        let d = Distribution {
            runs: [3, 1, 2]
                .iter()
                .map(|s| Failover {
                    seed: 0,
                    took: secs(*s),
                    epochs: 1,
                })
                .collect(),
            stuck: 0,
        };
        assert_eq!(d.quantile(0.0), secs(1));
        assert_eq!(d.quantile(0.5), secs(2));
        assert_eq!(d.quantile(1.0), secs(3));
    }
}

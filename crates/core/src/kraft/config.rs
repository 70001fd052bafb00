//! Quorum timings, with Kafka's defaults (docs/fidelity.md, Defaults, `QuorumConfig.java`).

use crate::types::{ms, Micros};

/// The `controller.quorum.*` settings and the hard-coded constants of `KafkaRaftClient`.
///
/// Every value is configurable so that a lesson can slow an election down or make a timeout
/// short enough to watch, but the defaults are Kafka's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuorumConfig {
    /// `controller.quorum.election.timeout.ms` (1000): the effective timeout is drawn from
    /// `[t, 2t)` on every transition that starts an election timer.
    pub election_timeout_ms: u64,
    /// `controller.quorum.fetch.timeout.ms` (2000): a follower voter without a successful Fetch
    /// for this long starts an election. Also the base of check-quorum (×1.5) and of the
    /// BeginQuorumEpoch resend period (÷2).
    pub fetch_timeout_ms: u64,
    /// `controller.quorum.election.backoff.max.ms` (1000): cap of the exponential election
    /// backoff and of the EndQuorumEpoch successor stagger.
    pub election_backoff_max_ms: u64,
    /// `controller.quorum.request.timeout.ms` (2000): how long an RPC may go unanswered.
    pub request_timeout_ms: u64,
    /// `controller.quorum.retry.backoff.ms` (20): wait before retrying a failed request.
    pub retry_backoff_ms: u64,
    /// `controller.quorum.append.linger.ms` (25): how long the leader batches client writes.
    pub append_linger_ms: u64,
    /// `MAX_FETCH_WAIT_MS` (500): how long the leader parks a Fetch with nothing to return.
    pub fetch_max_wait_ms: u64,
    /// Stand-in for `MAX_FETCH_SIZE_BYTES` (8 MiB): most records one Fetch response carries.
    pub fetch_max_records: usize,
    /// KIP-996 pre-vote (Kafka 4.x behaviour). Off models Kafka 3.9.
    pub prevote: bool,
    /// KIP-1166 (Kafka 4.1, KAFKA-14145): a Fetch carries the follower's high watermark and
    /// the leader answers at once when its own is higher, so a new HW reaches followers in one
    /// round trip instead of after a 500 ms long-poll.
    pub fetch_sends_high_watermark: bool,
    /// Stand-in for `metadata.log.max.record.bytes.between.snapshots` (20 MiB): every node
    /// snapshots its image once this many records were applied since its last snapshot.
    pub snapshot_records: u64,
    /// `metadata.log.max.snapshot.interval.ms` (1 h): a node also snapshots when this long
    /// has passed since its last snapshot and records were applied meanwhile.
    pub snapshot_interval_ms: u64,
    /// Dynamic quorum (KIP-853, `kraft.version=1`, `controller.quorum.bootstrap.servers`): the
    /// voter set lives in the log and changes with add-controller / remove-controller. Its
    /// RPCs name the voter they are meant for, so a replica that has not yet heard it became
    /// a voter still votes (no `INCONSISTENT_VOTER_SET` between differing voter sets).
    pub dynamic_quorum: bool,
    /// Partitions the cluster holds beyond the drawn ones, as counts (see [`crate::costs`]):
    /// their leader moves cost the active controller modelled time.
    pub modelled_partitions: u64,
    /// What bulk metadata work costs.
    pub costs: crate::costs::CostModel,
    /// Teaching switches that each remove one safety rule, all off by default. Lessons use
    /// them to show why a rule exists; tests use them to prove the invariant checkers catch
    /// the breakage.
    pub buggify: Buggify,
}

/// One broken rule per switch (after FoundationDB's BUGGIFY, as named toggles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Buggify {
    /// Grant votes without the "log at least as up to date" check.
    pub vote_without_log_check: bool,
    /// Count observers (brokers) when computing the high watermark.
    pub count_observers: bool,
    /// Let a new leader commit older records before one of its own epoch (Raft Figure 8).
    pub commit_before_own_epoch: bool,
    /// Keep the vote in memory only: a restarted voter forgets whom it voted for.
    pub forget_vote_on_restart: bool,
    /// The metadata loader applies records as soon as they are in the log, committed or not.
    pub apply_uncommitted: bool,
    /// Fencing a broker takes it out of the ISRs but leaves it leading its partitions.
    pub fence_without_reelection: bool,
    /// A controller that loses leadership stays active and keeps acting on brokers.
    pub stale_controller_acts: bool,
    /// ZooKeeper mode: brokers apply LeaderAndIsr and UpdateMetadata from any controller
    /// epoch, so a zombie controller's requests get through.
    pub accept_stale_controller: bool,
    /// Grant a binding vote without writing it to `quorum-state` first: the voter can then
    /// grant a second candidate of the same epoch.
    pub skip_vote_persist: bool,
}

impl Buggify {
    /// The switch names the scenario language accepts (`buggify=<name>,…`).
    pub const NAMES: &'static [&'static str] = &[
        "vote-without-log-check",
        "count-observers",
        "commit-before-own-epoch",
        "forget-vote-on-restart",
        "apply-uncommitted",
        "fence-without-reelection",
        "stale-controller-acts",
        "accept-stale-controller",
        "skip-vote-persist",
    ];

    /// What the switch called `name` breaks, in a line (the new-cluster dialog shows it).
    pub fn describe(name: &str) -> &'static str {
        match name {
            "vote-without-log-check" => {
                "voters grant votes without checking the candidate's log is up to date"
            }
            "count-observers" => "brokers (observers) count towards the high watermark",
            "commit-before-own-epoch" => {
                "a new leader commits older records before one of its own epoch (Raft Figure 8)"
            }
            "forget-vote-on-restart" => {
                "the vote is kept in memory only: a restarted voter forgets it"
            }
            "apply-uncommitted" => "brokers apply metadata records before they are committed",
            "fence-without-reelection" => "fencing a broker leaves it leading its partitions",
            "stale-controller-acts" => "a controller that lost leadership keeps acting on brokers",
            "accept-stale-controller" => {
                "ZooKeeper mode: brokers obey requests from any controller epoch"
            }
            "skip-vote-persist" => "a vote is granted before it is written to quorum-state",
            _ => "",
        }
    }

    /// Turns on the switch called `name`.
    pub fn set(&mut self, name: &str) -> bool {
        match name {
            "vote-without-log-check" => self.vote_without_log_check = true,
            "count-observers" => self.count_observers = true,
            "commit-before-own-epoch" => self.commit_before_own_epoch = true,
            "forget-vote-on-restart" => self.forget_vote_on_restart = true,
            "apply-uncommitted" => self.apply_uncommitted = true,
            "fence-without-reelection" => self.fence_without_reelection = true,
            "stale-controller-acts" => self.stale_controller_acts = true,
            "accept-stale-controller" => self.accept_stale_controller = true,
            "skip-vote-persist" => self.skip_vote_persist = true,
            _ => return false,
        }
        true
    }

    /// The names of the switches that are on.
    pub fn enabled(&self) -> Vec<&'static str> {
        let flags = [
            self.vote_without_log_check,
            self.count_observers,
            self.commit_before_own_epoch,
            self.forget_vote_on_restart,
            self.apply_uncommitted,
            self.fence_without_reelection,
            self.stale_controller_acts,
            self.accept_stale_controller,
            self.skip_vote_persist,
        ];
        Self::NAMES
            .iter()
            .zip(flags)
            .filter(|(_, on)| *on)
            .map(|(n, _)| *n)
            .collect()
    }
}

/// `RETRY_BACKOFF_BASE_MS` in `KafkaRaftClient`: the unit of the election backoff.
pub const RETRY_BACKOFF_BASE_MS: u64 = 100;

/// Time after which the leader forgets an observer that stopped fetching
/// (`LeaderState.OBSERVER_SESSION_TIMEOUT_MS`).
pub const OBSERVER_SESSION_TIMEOUT_MS: u64 = 300_000;

/// How long a graceful shutdown may wait for a successor before giving up (Kafka's default
/// shutdown timeout of the raft client).
pub const SHUTDOWN_TIMEOUT_MS: u64 = 5_000;

impl Default for QuorumConfig {
    fn default() -> Self {
        QuorumConfig {
            election_timeout_ms: 1000,
            fetch_timeout_ms: 2000,
            election_backoff_max_ms: 1000,
            request_timeout_ms: 2000,
            retry_backoff_ms: 20,
            append_linger_ms: 25,
            fetch_max_wait_ms: 500,
            fetch_max_records: 8192,
            prevote: true,
            fetch_sends_high_watermark: true,
            snapshot_records: 20_000,
            dynamic_quorum: false,
            modelled_partitions: 0,
            costs: crate::costs::CostModel::default(),
            snapshot_interval_ms: 3_600_000,
            buggify: Buggify::default(),
        }
    }
}

impl QuorumConfig {
    /// The fetch timeout in microseconds.
    pub fn fetch_timeout(&self) -> Micros {
        ms(self.fetch_timeout_ms)
    }

    /// Check-quorum: a leader resigns if no majority fetched within 1.5 × the fetch timeout.
    pub fn check_quorum_timeout(&self) -> Micros {
        ms(self.fetch_timeout_ms * 3 / 2)
    }

    /// BeginQuorumEpoch resend period: half the fetch timeout.
    pub fn begin_quorum_epoch_period(&self) -> Micros {
        ms(self.fetch_timeout_ms / 2)
    }

    /// Binary-exponential election backoff after `retries` failed candidacies (retries ≥ 1):
    /// `min(100 ms × random.nextInt(2 << min(20, retries-1)), backoff max)`, as in Kafka 3.9.
    /// `draw(n)` must return a uniform integer in `[0, n)`.
    pub fn election_backoff(&self, retries: u32, draw: impl FnOnce(u64) -> u64) -> Micros {
        let retries = retries.max(1);
        let bound = 2u64 << (retries - 1).min(20);
        let backoff = RETRY_BACKOFF_BASE_MS * draw(bound);
        ms(backoff.min(self.election_backoff_max_ms))
    }

    /// EndQuorumEpoch successor stagger: 0 for the first preferred successor, then
    /// `min(max, (max >> (n-1)) << (position-1))`, and `max` for a voter not in the list
    /// (`strictExponentialElectionBackoffMs`).
    pub fn successor_backoff(&self, position: Option<usize>, successors: usize) -> Micros {
        let max = self.election_backoff_max_ms;
        let Some(position) = position else {
            return ms(max);
        };
        if position == 0 {
            return 0;
        }
        let shift_down = (successors.saturating_sub(1)).min(63) as u32;
        let shift_up = (position - 1).min(63) as u32;
        let value = (max >> shift_down)
            .checked_shl(shift_up)
            .unwrap_or(u64::MAX);
        ms(value.min(max))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_kafkas() {
        let c = QuorumConfig::default();
        assert_eq!(c.check_quorum_timeout(), ms(3000));
        assert_eq!(c.begin_quorum_epoch_period(), ms(1000));
        assert!(c.prevote);
    }

    #[test]
    fn election_backoff_grows_then_caps() {
        let c = QuorumConfig::default();
        // Retry 1 draws from {0, 1}: 0 or 100 ms.
        assert_eq!(c.election_backoff(1, |n| n - 1), ms(100));
        assert_eq!(c.election_backoff(1, |_| 0), 0);
        // Retry 2 draws from {0..3}: at most 300 ms.
        assert_eq!(c.election_backoff(2, |n| n - 1), ms(300));
        // Later retries are capped at election.backoff.max.ms.
        assert_eq!(c.election_backoff(9, |n| n - 1), ms(1000));
    }

    #[test]
    fn successor_stagger_matches_kafka() {
        let c = QuorumConfig::default();
        assert_eq!(c.successor_backoff(Some(0), 2), 0);
        assert_eq!(c.successor_backoff(Some(1), 2), ms(500));
        assert_eq!(c.successor_backoff(Some(1), 4), ms(125));
        assert_eq!(c.successor_backoff(Some(3), 4), ms(500));
        assert_eq!(c.successor_backoff(None, 4), ms(1000));
    }
}

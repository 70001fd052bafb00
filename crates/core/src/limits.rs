//! One budget for every input: how much a run may ask of the simulator, whoever asks.
//!
//! Each field of the scenario language has its own range (`write` takes up to 100000
//! records, `create-topics` up to 100000 topics of up to 100000 partitions), but ranges per
//! field multiply: `create-topics t count=100000 partitions=100000` is ten billion partitions,
//! and forty lines of `write 100000` held 865 MB. So every way into a run — a typed or
//! scripted command ([`crate::scenario::Session`]), a whole script checked before its first
//! line runs, a share link checked before any replay ([`crate::scenario::share`]), and the
//! engine's own [`crate::sim::World::apply`] — charges one [`Budget`], and a refusal names the
//! limit and its value.
//!
//! The defaults keep the worst run about 1 GiB natively (measured: a million records
//! written take ~260 MiB, a million partitions with replication factor 3 ~450 MiB, on 3
//! controllers and 3 brokers) and well under what a browser tab may hold (wasm32 pointers are
//! half the size). One command covers at most an hour of virtual time: the largest cluster
//! (11 voters, 50 brokers, a lossy network) runs an hour in about 3 s natively, so no typed
//! command freezes a page for long; a run reaches at most a day. The command
//! line raises them for benchmarks (`--limits off`, `--limit NAME=VALUE`).
//!
//! This module sits on the lowest floor (it imports only `types`), so the engine, the
//! scenario language and the drivers all read the same numbers.

use crate::types::{format_duration, parse_duration, Micros, SimTime};

/// The limits a run is held to. Counts are plain numbers, times virtual microseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `partitions`: partitions in a cluster, counted (`partitions=` of `cluster`) plus every
    /// partition created during the run (a deleted topic's partitions still count: their
    /// records stay in the log).
    pub partitions: u64,
    /// `records-per-command`: metadata or data records one command may ask the controller
    /// to write (`write n`: n; `create-topic`: 1 + partitions + configs; `create-topics`:
    /// count × (1 + partitions); any other admin or voter change: 1).
    pub records_per_command: u64,
    /// `records-per-run`: the same, added up over the run.
    pub records_per_run: u64,
    /// `time-per-command`: virtual time one `run` or `run until … within` may cover.
    pub time_per_command: Micros,
    /// `time-per-run`: how far virtual time may go in one run (`at` times, the end of a
    /// link, everything `run` reaches).
    pub time_per_run: Micros,
    /// `actions-per-run`: accepted user actions in one run.
    pub actions_per_run: u64,
}

const HOUR: Micros = 3_600_000_000;

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}

impl Limits {
    /// The limits every run gets unless the command line raises them.
    pub const DEFAULT: Limits = Limits {
        partitions: 2_000_000,
        records_per_command: 1_000_000,
        records_per_run: 2_000_000,
        time_per_command: HOUR,
        time_per_run: 24 * HOUR,
        actions_per_run: 100_000,
    };

    /// No limit at all (`--limits off`), for benchmarks that know what they ask. Times stop
    /// at ten years, where durations stop parsing anyway, so arithmetic stays safe.
    pub const OFF: Limits = Limits {
        partitions: u64::MAX,
        records_per_command: u64::MAX,
        records_per_run: u64::MAX,
        time_per_command: 320_000_000_000_000,
        time_per_run: 320_000_000_000_000,
        actions_per_run: u64::MAX,
    };

    /// The limits' names, as `--limit NAME=VALUE` and the refusals spell them.
    pub const NAMES: &'static [&'static str] = &[
        "partitions",
        "records-per-command",
        "records-per-run",
        "time-per-command",
        "time-per-run",
        "actions-per-run",
    ];

    /// Sets one limit by name (`records-per-run=5000000`, `time-per-run=72h`); the times take
    /// a duration, the others a whole number.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), String> {
        let count = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("the limit `{name}` takes a whole number, got `{value}`"))
        };
        let time = || {
            parse_duration(value).filter(|d| *d > 0).ok_or_else(|| {
                format!("the limit `{name}` takes a duration like `72h`, got `{value}`")
            })
        };
        match name {
            "partitions" => self.partitions = count()?,
            "records-per-command" => self.records_per_command = count()?,
            "records-per-run" => self.records_per_run = count()?,
            "time-per-command" => self.time_per_command = time()?,
            "time-per-run" => self.time_per_run = time()?,
            "actions-per-run" => self.actions_per_run = count()?,
            _ => {
                return Err(format!(
                    "unknown limit `{name}`{}: expected one of {}",
                    crate::text::suggest(name, Limits::NAMES),
                    Limits::NAMES.join(", ")
                ))
            }
        }
        Ok(())
    }

    /// The limits as `name=value` lines, for `kraftlab limits` and the docs.
    pub fn describe(&self) -> String {
        let count = |n: u64| {
            if n == u64::MAX {
                "off".to_string()
            } else {
                n.to_string()
            }
        };
        let time = |t: Micros| {
            if t >= Limits::OFF.time_per_run {
                "off".to_string()
            } else {
                human_duration(t)
            }
        };
        format!(
            "partitions={}\nrecords-per-command={}\nrecords-per-run={}\ntime-per-command={}\ntime-per-run={}\nactions-per-run={}\n",
            count(self.partitions),
            count(self.records_per_command),
            count(self.records_per_run),
            time(self.time_per_command),
            time(self.time_per_run),
            count(self.actions_per_run)
        )
    }

    /// Refuses a cluster whose counted partitions (`partitions=`) alone exceed the limit.
    pub fn check_counted_partitions(&self, counted: u64) -> Result<(), String> {
        if counted > self.partitions {
            return Err(format!(
                "`partitions={counted}` is more than the limit partitions={} (partitions in a cluster, counted and created)",
                self.partitions
            ));
        }
        Ok(())
    }

    /// Refuses a `run <d>` or `run until … within <d>` from `now` that covers more virtual
    /// time than one command or the whole run may.
    pub fn check_run_for(&self, now: SimTime, d: Micros) -> Result<(), String> {
        if d > self.time_per_command {
            return Err(format!(
                "{} of virtual time is more than the limit time-per-command={} (split it into several `run` commands, up to time-per-run={} in all)",
                human_duration(d),
                human_duration(self.time_per_command),
                human_duration(self.time_per_run)
            ));
        }
        self.check_time(now + d)
    }

    /// Refuses a run that would reach virtual time `t` beyond the limit.
    pub fn check_time(&self, t: SimTime) -> Result<(), String> {
        if t.0 > self.time_per_run {
            return Err(format!(
                "this would take the run to {}, beyond the limit time-per-run={}",
                human_duration(t.0),
                human_duration(self.time_per_run)
            ));
        }
        Ok(())
    }
}

/// What one action asks of the budget: records the controller will write and partitions it
/// will create (see [`Limits::records_per_command`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    /// Records the action asks to be written.
    pub records: u64,
    /// Partitions the action asks to be created.
    pub partitions: u64,
}

/// What a run has used so far. Only accepted actions are charged, so replaying the accepted
/// actions of a run uses exactly the same budget.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Partitions counted plus created.
    pub partitions: u64,
    /// Records asked for.
    pub records: u64,
    /// Actions accepted.
    pub actions: u64,
}

/// Limits and what has been used of them: the one budget a run draws on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    /// The limits.
    pub limits: Limits,
    /// What has been used.
    pub used: Usage,
}

impl Budget {
    /// A fresh budget for a cluster with `counted` modelled partitions.
    pub fn new(limits: Limits, counted: u64) -> Budget {
        Budget {
            limits,
            used: Usage {
                partitions: counted,
                ..Usage::default()
            },
        }
    }

    /// Checks that one more action costing `cost` fits, without charging it. `what` names the
    /// action in the refusal (its command, like `write 100000`).
    pub fn check(&self, cost: Cost, what: &str) -> Result<(), String> {
        let l = &self.limits;
        let u = &self.used;
        if u.actions >= l.actions_per_run {
            return Err(format!(
                "`{what}` would be action {} of this run, beyond the limit actions-per-run={}",
                u.actions.saturating_add(1),
                l.actions_per_run
            ));
        }
        if cost.records > l.records_per_command {
            return Err(format!(
                "`{what}` asks for {} records, more than the limit records-per-command={}",
                cost.records, l.records_per_command
            ));
        }
        let records = u.records.saturating_add(cost.records);
        if records > l.records_per_run {
            return Err(format!(
                "`{what}` would bring the run to {records} records, beyond the limit records-per-run={} ({} used so far)",
                l.records_per_run, u.records
            ));
        }
        let partitions = u.partitions.saturating_add(cost.partitions);
        if partitions > l.partitions {
            return Err(format!(
                "`{what}` would bring the cluster to {partitions} partitions, beyond the limit partitions={} ({} so far, counted and created)",
                l.partitions, u.partitions
            ));
        }
        Ok(())
    }

    /// Charges an accepted action.
    pub fn charge(&mut self, cost: Cost) {
        self.used.actions = self.used.actions.saturating_add(1);
        self.used.records = self.used.records.saturating_add(cost.records);
        self.used.partitions = self.used.partitions.saturating_add(cost.partitions);
    }

    /// Checks and charges in one go (a plan checked before it runs).
    pub fn spend(&mut self, cost: Cost, what: &str) -> Result<(), String> {
        self.check(cost, what)?;
        self.charge(cost);
        Ok(())
    }
}

/// A duration as a person writes it: `24h`, `90m`, `1.5s`.
pub fn human_duration(us: Micros) -> String {
    if us >= HOUR && us.is_multiple_of(HOUR) {
        format!("{}h", us / HOUR)
    } else if us >= 60_000_000 && us.is_multiple_of(60_000_000) {
        format!("{}m", us / 60_000_000)
    } else {
        format_duration(us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_limit_and_its_value() {
        let mut b = Budget::new(Limits::DEFAULT, 0);
        for _ in 0..20 {
            b.spend(
                Cost {
                    records: 100_000,
                    partitions: 0,
                },
                "write 100000",
            )
            .unwrap();
        }
        let why = b
            .check(
                Cost {
                    records: 100_000,
                    partitions: 0,
                },
                "write 100000",
            )
            .unwrap_err();
        assert!(why.contains("records-per-run=2000000"), "{why}");
        let why = Budget::new(Limits::DEFAULT, 0)
            .check(
                Cost {
                    records: 1,
                    partitions: 10_000_000_000,
                },
                "create-topics",
            )
            .unwrap_err();
        assert!(why.contains("partitions=2000000"), "{why}");
        let why = Limits::DEFAULT
            .check_run_for(SimTime::ZERO, 3650 * 24 * HOUR)
            .unwrap_err();
        assert!(why.contains("time-per-command=1h"), "{why}");
        assert!(Limits::DEFAULT
            .check_time(SimTime(25 * HOUR))
            .unwrap_err()
            .contains("time-per-run=24h"));
        assert!(Limits::DEFAULT.check_run_for(SimTime::ZERO, HOUR).is_ok());
    }

    #[test]
    fn limits_are_set_by_name() {
        let mut l = Limits::DEFAULT;
        l.set("time-per-run", "72h").unwrap();
        assert_eq!(l.time_per_run, 72 * HOUR);
        l.set("records-per-run", "5000000").unwrap();
        assert_eq!(l.records_per_run, 5_000_000);
        assert!(l
            .set("records-per-rnu", "1")
            .unwrap_err()
            .contains("did you mean"));
        assert!(l.set("partitions", "many").is_err());
        assert!(Limits::OFF.describe().contains("partitions=off"));
        assert!(Limits::DEFAULT.describe().contains("time-per-run=24h"));
    }
}

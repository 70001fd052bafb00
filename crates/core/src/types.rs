//! Small value types shared by every layer: node ids, virtual time, epochs and offsets.
//!
//! Virtual time is an integer count of **microseconds** since the start of a run. Kafka's
//! timers are milliseconds, but microseconds let the teaching network have sub-millisecond
//! latencies and let the cost model charge a few microseconds per partition without rounding.

use std::fmt;
use std::ops::{Add, Sub};

/// A Kafka `node.id`. Controllers use 3000, 3001, …, brokers 0, 1, …, as in Kafka's own docs.
///
/// ZooKeeper servers live in the same id space above [`NodeId::ZK_BASE`] so that one network
/// and one event queue can carry both modes; they print as `zk1`, `zk2`, ….
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct NodeId(pub i32);

impl NodeId {
    /// First id used for ZooKeeper servers (`zk1` is `ZK_BASE + 1`).
    pub const ZK_BASE: i32 = 1_000_000_000;

    /// The id of ZooKeeper server `zk<n>`.
    pub fn zk(n: i32) -> NodeId {
        NodeId(Self::ZK_BASE + n)
    }

    /// True for ZooKeeper servers, which are not Kafka nodes.
    pub fn is_zk(self) -> bool {
        self.0 > Self::ZK_BASE
    }

    /// Parses `3001`, `0` or `zk2`; `None` for anything else.
    pub fn parse(text: &str) -> Option<NodeId> {
        if let Some(rest) = text.strip_prefix("zk") {
            let n: i32 = rest.parse().ok()?;
            return (1..=255).contains(&n).then(|| NodeId::zk(n));
        }
        let n: i32 = text.parse().ok()?;
        (0..NodeId::ZK_BASE).contains(&n).then_some(NodeId(n))
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zk() {
            write!(f, "zk{}", self.0 - Self::ZK_BASE)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// A KRaft leader epoch (Raft's term). Kafka stores it as an `int32`; epochs start at 0 and the
/// first elected leader has epoch 1.
pub type Epoch = u32;

/// A position in the metadata log (Raft's index). The first record has offset 0.
pub type Offset = u64;

/// A span of virtual time in microseconds.
pub type Micros = u64;

/// Microseconds in `ms` milliseconds.
pub const fn ms(ms: u64) -> Micros {
    ms * 1_000
}

/// Microseconds in `s` seconds.
pub const fn secs(s: u64) -> Micros {
    s * 1_000_000
}

/// A point in virtual time: microseconds since the run started.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// A time that never comes; used for "no deadline".
    pub const NEVER: SimTime = SimTime(u64::MAX);

    /// Whole milliseconds, as Kafka's timestamps are.
    pub fn as_ms(self) -> u64 {
        self.0 / 1_000
    }

    /// Milliseconds as a float, for display and animation.
    pub fn as_ms_f64(self) -> f64 {
        self.0 as f64 / 1_000.0
    }

    /// Time elapsed since `earlier`, zero if `earlier` is later.
    pub fn since(self, earlier: SimTime) -> Micros {
        self.0.saturating_sub(earlier.0)
    }

    /// Wall-clock epoch milliseconds that Kafka tools would print for this virtual time. Runs
    /// start at a fixed instant (2024-01-01T00:00:00Z) so that the output looks like Kafka's and
    /// stays reproducible.
    pub fn wall_clock_ms(self) -> u64 {
        1_704_067_200_000 + self.as_ms()
    }
}

impl Add<Micros> for SimTime {
    type Output = SimTime;
    fn add(self, rhs: Micros) -> SimTime {
        SimTime(self.0.saturating_add(rhs))
    }
}

impl Sub<SimTime> for SimTime {
    type Output = Micros;
    fn sub(self, rhs: SimTime) -> Micros {
        self.0.saturating_sub(rhs.0)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", format_duration(self.0))
    }
}

/// Formats microseconds the way the scenario language reads them: `1.234s`, `25ms`, `0.5ms`.
pub fn format_duration(us: Micros) -> String {
    if us == 0 {
        return "0ms".to_string();
    }
    if us.is_multiple_of(1_000_000) {
        return format!("{}s", us / 1_000_000);
    }
    if us >= 1_000_000 {
        let s = crate::decimal::fixed(us as f64 / 1_000_000.0, 6);
        return format!("{}s", s.trim_end_matches('0').trim_end_matches('.'));
    }
    if us.is_multiple_of(1_000) {
        return format!("{}ms", us / 1_000);
    }
    let s = crate::decimal::fixed(us as f64 / 1_000.0, 3);
    format!("{}ms", s.trim_end_matches('0').trim_end_matches('.'))
}

/// Parses `250ms`, `5s`, `1.5s`, `2m`, `800us`; a bare number means milliseconds.
pub fn parse_duration(text: &str) -> Option<Micros> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1_000.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000_000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000_000.0)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 3_600_000_000.0)
    } else {
        (text, 1_000.0)
    };
    if number.is_empty() || number.starts_with('-') || number.starts_with('+') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    let us = (value * scale).round();
    // Ten years of virtual time is far beyond any sensible run and keeps arithmetic safe.
    (0.0..=3.2e14).contains(&us).then_some(us as Micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_ids_round_trip_through_text() {
        for text in ["0", "3001", "zk1", "zk3"] {
            assert_eq!(NodeId::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(NodeId::parse("zk0"), None);
        assert_eq!(NodeId::parse("-1"), None);
        assert_eq!(NodeId::parse("leader"), None);
    }

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(parse_duration("250ms"), Some(250_000));
        assert_eq!(parse_duration("1.5s"), Some(1_500_000));
        assert_eq!(parse_duration("2m"), Some(120_000_000));
        assert_eq!(parse_duration("40"), Some(40_000));
        assert_eq!(parse_duration("abc"), None);
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("1e400s"), None);
        assert_eq!(format_duration(1_500_000), "1.5s");
        assert_eq!(format_duration(25_000), "25ms");
        assert_eq!(format_duration(2_000_000), "2s");
        assert_eq!(format_duration(1_250), "1.25ms");
    }
}

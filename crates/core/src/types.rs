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
    // Read exactly as a whole number of microseconds (no float parser in the bundle).
    let (number, decimals) = if let Some(n) = text.strip_suffix("us") {
        (n, 0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 3)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 6)
    } else if let Some(n) = text.strip_suffix('m') {
        return minutes_or_hours(n, 60);
    } else if let Some(n) = text.strip_suffix('h') {
        return minutes_or_hours(n, 3_600);
    } else {
        (text, 3)
    };
    within_range(crate::decimal::parse_scaled(number, decimals)?.rounded())
}

/// Ten years of virtual time is far beyond any sensible run and keeps arithmetic safe.
fn within_range(us: Micros) -> Option<Micros> {
    (us <= 320_000_000_000_000).then_some(us)
}

/// `2m` or `1.5h`: minutes or hours in whole microseconds (`seconds` per unit), rounded.
fn minutes_or_hours(number: &str, seconds: u64) -> Option<Micros> {
    // Exactly, in millionths of a microsecond: then rounded once.
    let v = crate::decimal::parse_scaled(number, 12)?;
    let pico = u128::from(v.units) * u128::from(seconds);
    let us = pico / 1_000_000 + u128::from(pico % 1_000_000 >= 500_000);
    within_range(u64::try_from(us).ok()?)
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

    /// The float reading this module used before: the oracle for [`parse_duration`].
    fn duration_by_float(text: &str) -> Option<Micros> {
        let text = text.trim();
        let (number, scale) = [
            ("us", 1.0),
            ("ms", 1e3),
            ("s", 1e6),
            ("m", 6e7),
            ("h", 3.6e9),
        ]
        .into_iter()
        .find_map(|(unit, scale)| Some((text.strip_suffix(unit)?, scale)))
        .unwrap_or((text, 1e3));
        if number.is_empty() || number.starts_with(['-', '+']) {
            return None;
        }
        let value: f64 = number.parse().ok()?;
        let us = (value * scale).round();
        (value.is_finite() && (0.0..=3.2e14).contains(&us)).then_some(us as Micros)
    }

    #[test]
    fn durations_read_as_the_float_parser_read_them() {
        let mut x = 7u64;
        let mut texts = vec![
            "1e3ms".to_string(),
            "0.5ms".into(),
            "2.25m".into(),
            "1.5h".into(),
            "0.0001h".into(),
            "3.2e8s".into(),
            "3.3e8s".into(),
            "88888h".into(),
            "10.5us".into(),
            "nan".into(),
            "inf".into(),
            "".into(),
            "s".into(),
            "+1s".into(),
            " 7 ".into(),
            "1.2.3s".into(),
        ];
        for _ in 0..4000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let whole = (x >> 33) % 100_000;
            let frac = (x >> 13) % 1_000;
            let unit = ["us", "ms", "s", "m", "h", ""][(x % 6) as usize];
            let decimals = match unit {
                "us" => 0,
                "ms" | "" => 3,
                "s" => 6,
                _ => 3,
            };
            let width = ((x >> 60) as usize % 3).min(decimals) + 1;
            texts.push(format!("{whole}{unit}"));
            if decimals > 0 {
                texts.push(format!(
                    "{whole}.{:0width$}{unit}",
                    frac % 10u64.pow(width as u32)
                ));
            }
        }
        for t in &texts {
            assert_eq!(parse_duration(t), duration_by_float(t), "{t}");
        }
        // Every printed duration reads back exactly.
        for us in [1, 999, 1_001, 1_234_567, 10_238_226, 3_600_000_001] {
            assert_eq!(parse_duration(&format_duration(us)), Some(us));
        }
    }
}

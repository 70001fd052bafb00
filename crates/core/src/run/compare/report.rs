//! How a comparison is told: the readable report (`kraftlab compare`), its JSON
//! (`--json`), the model's assumptions and the sweep's table.

use serde::Serialize;

use super::*;

/// Seconds with one decimal.
fn s(ms: u64) -> String {
    format!("{} s", fixed(ms as f64 / 1000.0, 1))
}

impl Comparison {
    /// A readable report: both timelines, the speed-up, the model's assumptions.
    pub fn report(&self) -> String {
        let mut out = format!(
            "Fault: {}, {} brokers, {} partitions (seed {})\n",
            self.fault.name(),
            self.shape.brokers,
            self.shape.partitions,
            self.shape.seed
        );
        for r in [&self.zookeeper, &self.kraft] {
            out += &format!(
                "\n{} mode: recovered in {}\n",
                if r.mode == "kraft" {
                    "KRaft"
                } else {
                    "ZooKeeper"
                },
                r.recovery_ms
                    .map(s)
                    .unwrap_or_else(|| "(not within 3 h)".into())
            );
            for p in &r.phases {
                out += &format!(
                    "  {:<20} {:>10} .. {:>10}  ({})\n",
                    p.name,
                    s(p.start_ms),
                    s(p.end_ms),
                    s(p.end_ms - p.start_ms)
                );
            }
        }
        if let (Some(z), Some(k)) = (self.zookeeper.recovery_ms, self.kraft.recovery_ms) {
            if k > 0 {
                out += &format!(
                    "\nKRaft recovered {}× faster.\n",
                    fixed(z as f64 / k as f64, 1)
                );
            }
        }
        if self.show_story {
            for r in [&self.zookeeper, &self.kraft] {
                out += &format!("\nWhat happened ({}):\n", r.mode);
                for line in &r.story {
                    out += &format!("  {line}\n");
                }
            }
        }
        out += "\nModel assumptions:\n";
        for a in assumptions(&self.shape) {
            out += &format!("  - {a}\n");
        }
        out
    }

    /// One JSON object: per mode the phases (name, start_ms, end_ms) and `recovery_ms`.
    pub fn to_json(&self) -> String {
        let mode = |r: &'_ ModeResult| ModeJson {
            phases: r
                .phases
                .iter()
                .map(|p| PhaseJson {
                    name: p.name,
                    start_ms: p.start_ms,
                    end_ms: p.end_ms,
                })
                .collect(),
            recovery_ms: r.recovery_ms,
        };
        let json = ComparisonJson {
            fault: self.fault.name(),
            brokers: self.shape.brokers,
            partitions: self.shape.partitions,
            seed: self.shape.seed,
            zookeeper: mode(&self.zookeeper),
            kraft: mode(&self.kraft),
            assumptions: assumptions(&self.shape),
        };
        serde_json::to_string(&json)
            .unwrap_or_else(|_| unreachable!("the comparison is plain data"))
    }
}

/// [`Comparison::to_json`]'s object, fields in the order the CLI has always printed them.
#[derive(Serialize)]
struct ComparisonJson {
    fault: String,
    brokers: usize,
    partitions: u64,
    seed: u64,
    zookeeper: ModeJson,
    kraft: ModeJson,
    assumptions: Vec<String>,
}

/// One mode in [`ComparisonJson`]; `recovery_ms` is `null` when it did not recover.
#[derive(Serialize)]
struct ModeJson {
    phases: Vec<PhaseJson>,
    recovery_ms: Option<u64>,
}

/// One phase in [`ModeJson`].
#[derive(Serialize)]
struct PhaseJson {
    name: &'static str,
    start_ms: u64,
    end_ms: u64,
}

/// The model's assumptions, printed with its results.
pub fn assumptions(shape: &Shape) -> Vec<String> {
    let mut a = shape.costs.describe();
    a.push("ZooKeeper: 3 servers, tickTime 2 s, syncLimit 5, zookeeper.session.timeout.ms 18 s; the controller is also a broker".into());
    a.push("KRaft: the first 3 brokers are combined broker-controllers; broker.session.timeout.ms 9 s, controller.quorum.fetch.timeout.ms 2 s".into());
    a
}

/// `compare --sweep`: recovery per partition count, as a table.
pub fn sweep_table(fault: Fault, rows: &[Comparison]) -> String {
    let mut out = format!(
        "Fault: {} ({} brokers)\n{:>12}  {:>14}  {:>14}  {:>8}\n",
        fault.name(),
        rows.first().map(|r| r.shape.brokers).unwrap_or(3),
        "partitions",
        "ZooKeeper",
        "KRaft",
        "speed-up"
    );
    for r in rows {
        let z = r.zookeeper.recovery_ms;
        let k = r.kraft.recovery_ms;
        out += &format!(
            "{:>12}  {:>14}  {:>14}  {:>8}\n",
            r.shape.partitions,
            z.map(s).unwrap_or_else(|| "-".into()),
            k.map(s).unwrap_or_else(|| "-".into()),
            match (z, k) {
                (Some(z), Some(k)) if k > 0 => format!("{}×", fixed(z as f64 / k as f64, 1)),
                _ => "-".into(),
            }
        );
    }
    out
}

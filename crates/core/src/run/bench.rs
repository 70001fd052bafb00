//! The benchmarks (issue figures). [`core_bench`]: the quorum itself, 3 voters and 3
//! observers with a write every 100 ms for some hours of virtual time (`kraftlab bench`, and
//! compiled to wasm32 by `crates/wasm-bench` for Node and Chromium, `scripts/bench-core.sh`).
//! [`metadata_bench`]: a 3-controller, 3-broker cluster creates
//! `topics × partitions` partitions and every node replays them into its image. Deterministic
//! and clock-free, so the same function runs natively (`kraftlab bench-metadata`) and in a
//! wasm32 build under Node (`scripts/bench-metadata.sh`); the callers time it and read memory.

use crate::flat::FlatSet;
use std::sync::Arc;

use crate::limits::{Budget, Limits};
use crate::server::AdminOp;
use crate::types::{ms, secs, SimTime};

use crate::sim::action::UserAction;
use crate::sim::{ClusterSpec, World};

/// What the core benchmark did, for the report.
#[derive(Clone, Debug)]
pub struct CoreBench {
    /// Events the world processed.
    pub events: u64,
    /// Messages sent.
    pub messages: u64,
    /// Writes the active controller accepted.
    pub accepted: u64,
    /// The active controller's high watermark at the end.
    pub high_watermark: u64,
    /// Invariant violations (with `checks`; none expected).
    pub violations: usize,
}

/// The core benchmark: 3 voters and 3 observers (`ClusterSpec::kraft(3, 3, 7)`), a write of
/// one record every 100 ms of virtual time for `hours`, every invariant checked after every
/// event if `checks`. Deterministic and clock-free: the callers time it. `limits` is what the
/// run is held to (the caller checks it first).
pub fn core_bench(hours: u64, checks: bool, limits: Limits) -> CoreBench {
    let spec = ClusterSpec::kraft(3, 3, 7);
    let mut world = if checks {
        crate::check::checked_world(spec, false)
    } else {
        World::new(spec)
    };
    world.set_limits(limits);
    let end = SimTime(secs(3600 * hours));
    let mut t = SimTime::ZERO;
    let mut accepted = 0u64;
    while t < end {
        t = t + ms(100);
        world.run_until(t);
        if world
            .apply(&UserAction::Write { count: 1, to: None })
            .is_ok()
        {
            accepted += 1;
        }
    }
    let stats = world.stats();
    CoreBench {
        events: stats.events,
        messages: stats.messages,
        accepted,
        high_watermark: world
            .active_leader()
            .and_then(|l| world.node(l))
            .and_then(|n| n.replica())
            .and_then(|r| r.high_watermark())
            .unwrap_or(0),
        violations: world.violations().len(),
    }
}

/// What the metadata benchmark did, for the report.
#[derive(Clone, Debug)]
pub struct MetadataBench {
    /// Partitions created.
    pub partitions: usize,
    /// Metadata records the controller wrote for them.
    pub records: u64,
    /// Virtual time from the first CreateTopics to the last node's image holding every
    /// partition.
    pub virtual_time: SimTime,
    /// True once every running node's image held every partition.
    pub complete: bool,
    /// Distinct topic maps among the six images: 1 means every node shares one structure.
    pub distinct_topic_maps: usize,
    /// Distinct topics (by allocation) among the six images.
    pub distinct_topics: usize,
}

/// Creates `topics` topics of `partitions` partitions (replication factor 3) and runs until
/// every node has applied them all (or an hour of virtual time passes), held to the default
/// limits (a million partitions fit).
pub fn metadata_bench(topics: usize, partitions: u32) -> MetadataBench {
    metadata_bench_with(topics, partitions, Limits::DEFAULT).unwrap_or_else(|_| {
        metadata_bench_with(topics, partitions, Limits::OFF).expect("no limits")
    })
}

/// The benchmark held to `limits`: refused up front, naming the limit, if the partitions and
/// records it would create do not fit.
pub fn metadata_bench_with(
    topics: usize,
    partitions: u32,
    limits: Limits,
) -> Result<MetadataBench, String> {
    let mut plan = Budget::new(limits, 0);
    for t in 0..topics {
        let op: UserAction = UserAction::Admin(AdminOp::CreateTopic {
            name: format!("topic-{t:05}"),
            partitions,
            replication_factor: 3,
            configs: Vec::new(),
        });
        plan.spend(op.cost(), &op.to_command())?;
    }
    let mut world = World::new(ClusterSpec::kraft(3, 3, 11));
    world.set_limits(limits);
    let ready = |w: &World| {
        w.active_leader().is_some_and(|l| {
            w.node(l)
                .and_then(|n| n.server())
                .is_some_and(|s| s.is_active_controller() && s.image().usable_brokers().len() == 3)
        })
    };
    world.run_until_cond(SimTime(secs(30)), ready);
    let start = world.now();
    let mut records = 0u64;
    for t in 0..topics {
        let op = AdminOp::CreateTopic {
            name: format!("topic-{t:05}"),
            partitions,
            replication_factor: 3,
            configs: Vec::new(),
        };
        if world.apply(&UserAction::Admin(op)).is_ok() {
            records += 1 + partitions as u64;
        }
    }
    let want = topics * partitions as usize;
    let done = |w: &World| {
        w.nodes()
            .filter_map(|n| n.server())
            .all(|s| s.image().partition_count >= want)
    };
    let limit = start + secs(3600);
    let mut complete = false;
    while world.now() < limit {
        let next = world.now() + ms(10);
        if world.run_until_cond(next, done) {
            complete = true;
            break;
        }
    }
    let elapsed = world.now().since(start);
    let images: Vec<_> = world
        .nodes()
        .filter_map(|n| n.server())
        .map(|s| s.image().clone())
        .collect();
    let maps: FlatSet<usize> = images
        .iter()
        .map(|i| Arc::as_ptr(&i.topics) as usize)
        .collect();
    let topic_ptrs: FlatSet<usize> = images
        .iter()
        .flat_map(|i| i.topics.values().map(|t| Arc::as_ptr(t) as usize))
        .collect();
    Ok(MetadataBench {
        partitions: want,
        records,
        virtual_time: SimTime(elapsed),
        complete,
        distinct_topic_maps: maps.len(),
        distinct_topics: topic_ptrs.len(),
    })
}

/// The size of this WebAssembly module's linear memory in bytes (0 natively). A wasm memory
/// only grows, so after a run it is the peak: the figure both the app's scale measurement and
/// the wasm benchmark report.
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65_536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

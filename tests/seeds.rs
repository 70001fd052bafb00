//! Seeded fault sweeps in `cargo test`: hundreds of seeds, each a random cluster shape and a
//! random stream of faults, with every invariant checked after every event, then a liveness
//! phase (see `kraftlab_core::run::swarm`). A failure prints the seed and a scenario file
//! that replays it exactly.
//!
//! `SIM_SEED=<n>` runs one seed; `SIM_SEEDS=<count>` changes how many each test sweeps. The
//! long sweep (10,000 seeds × 60 s) is `cargo run -p kraftlab-core --release -- sweep --seeds 10000`.

use kraftlab_core::run::swarm::{run_seed, SwarmOptions, SwarmReport};
use kraftlab_core::types::secs;

fn options() -> SwarmOptions {
    SwarmOptions {
        safety: secs(60),
        ..SwarmOptions::default()
    }
}

fn describe(r: &SwarmReport) -> String {
    let mut s = format!("seed {} failed", r.seed);
    for v in r.violations.iter().take(5) {
        s += &format!("\n  {v}");
    }
    if let Some(l) = &r.liveness_failure {
        s += &format!("\n  liveness: {l}");
    }
    s += &format!(
        "\n  reproduce: SIM_SEED={} cargo test -p kraftlab-core --test seeds\n  or replay this scenario with `kraftlab run`:\n{}",
        r.seed,
        r.to_scenario()
    );
    s
}

fn sweep(range: std::ops::Range<u64>) {
    if let Ok(seed) = std::env::var("SIM_SEED") {
        let seed: u64 = seed.parse().expect("SIM_SEED is a number");
        if range.contains(&seed) {
            let r = run_seed(seed, options());
            assert!(r.passed(), "{}", describe(&r));
        }
        return;
    }
    let count: u64 = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(range.end - range.start);
    let mut failures = Vec::new();
    let mut elections = 0;
    let mut truncations = 0;
    for seed in range.start..range.start + count {
        let r = run_seed(seed, options());
        elections += r.stats.elections;
        truncations += r.stats.truncations;
        if !r.passed() {
            failures.push(describe(&r));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The sweep must actually exercise the protocol, or passing means nothing.
    assert!(
        elections >= count,
        "only {elections} elections in {count} seeds"
    );
    assert!(
        truncations > 0,
        "no truncation in {count} seeds: divergence was never exercised"
    );
}

#[test]
fn seeds_0_to_99() {
    sweep(0..100);
}

#[test]
fn seeds_100_to_199() {
    sweep(100..200);
}

#[test]
fn seeds_200_to_299() {
    sweep(200..300);
}

#[test]
fn seeds_300_to_399() {
    sweep(300..400);
}

/// The checkers can fail: each teaching switch removes one safety rule, and a sweep finds a
/// violation of the property that rule protects. Without this, a sweep that never fails could
/// mean checkers that never look. (ZooKeeper mode's switch, `accept-stale-controller`, is
/// proven on the zombie-controller scenario in `zk_mode.rs`: sweeps rarely stall a controller
/// past its session in mid-failover.)
#[test]
fn each_broken_rule_is_caught_by_its_invariant() {
    use kraftlab_core::run::swarm::kraft_shape;
    use kraftlab_core::run::swarm::run_spec;
    let cases: [(&str, &[&str]); 8] = [
        ("count-observers", &["observers_never_count"]),
        (
            "vote-without-log-check",
            &["committed_durable", "log_matching"],
        ),
        // KRaft writes a LeaderChangeMessage at once, so the rule mostly protects what Kafka says
        // it does (QuorumState.transitionToLeader): the monotonic global high watermark.
        (
            "commit-before-own-epoch",
            &[
                "monotonic_high_watermark",
                "committed_durable",
                "log_matching",
            ],
        ),
        (
            "forget-vote-on-restart",
            &["single_vote", "election_safety"],
        ),
        // The vote is granted on the wire but never written: single_vote reads the granted
        // VoteResponses a node sends, so it catches a second grant in the same epoch.
        ("skip-vote-persist", &["single_vote"]),
        ("apply-uncommitted", &["applied_below_hw"]),
        ("fence-without-reelection", &["leader_in_isr"]),
        ("stale-controller-acts", &["one_active_controller"]),
    ];
    for (switch, properties) in cases {
        let mut found = None;
        for seed in 0..3_000 {
            let mut spec = kraft_shape(seed);
            spec.quorum.buggify.set(switch);
            let report = run_spec(seed, spec, options());
            if let Some(v) = report
                .violations
                .iter()
                .find(|v| properties.contains(&v.property))
            {
                found = Some((seed, v.clone()));
                break;
            }
        }
        let (seed, v) =
            found.unwrap_or_else(|| panic!("buggify {switch}: no seed broke {properties:?}"));
        println!("buggify {switch}: seed {seed} broke {}", v);
    }
}

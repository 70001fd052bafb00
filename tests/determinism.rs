//! Same seed + same actions = same run, byte for byte (docs/architecture.md, Determinism).

use kraftlab_core::run::swarm::{run_seed, SwarmOptions};
use kraftlab_core::scenario::run_script;
use kraftlab_core::sim::{ClusterSpec, UserAction};
use kraftlab_core::trace::Verbosity;
use kraftlab_core::types::{ms, secs, NodeId, SimTime};

fn full_trace(seed: u64) -> Vec<String> {
    let mut w = kraftlab_core::check::checked_world(ClusterSpec::kraft(5, 3, seed), false);
    w.set_recording(true);
    let script = [
        (secs(3), UserAction::Write { count: 3, to: None }),
        (secs(4), UserAction::Crash(NodeId(3000))),
        (
            secs(5),
            UserAction::Partition(vec![
                vec![NodeId(3001), NodeId(0)],
                vec![NodeId(3002), NodeId(3003), NodeId(3004)],
            ]),
        ),
        (secs(8), UserAction::Heal),
        (secs(9), UserAction::Restart(NodeId(3000))),
        (secs(10), UserAction::Pause(NodeId(3002), ms(2500))),
        (secs(11), UserAction::Write { count: 2, to: None }),
    ];
    let mut lines = Vec::new();
    for (t, action) in script {
        w.run_until(SimTime(t));
        let _ = w.apply(&action);
        lines.extend(w.take_trace().iter().map(|e| e.line()));
    }
    w.run_for(secs(5));
    lines.extend(w.take_trace().iter().map(|e| e.line()));
    lines
}

#[test]
fn same_seed_same_trace() {
    let a = full_trace(42);
    let b = full_trace(42);
    assert!(
        a.len() > 1_000,
        "the trace should be substantial, got {} lines",
        a.len()
    );
    assert_eq!(a, b);
}

#[test]
fn different_seeds_differ() {
    assert_ne!(full_trace(1), full_trace(2));
}

#[test]
fn a_swarm_run_replays_exactly_from_its_scenario() {
    let options = SwarmOptions {
        safety: secs(20),
        ..SwarmOptions::default()
    };
    for seed in [3, 17, 99] {
        let report = run_seed(seed, options);
        assert!(report.passed());
        let scenario = report.to_scenario();
        let first = run_script(&scenario, Verbosity::All);
        let second = run_script(&scenario, Verbosity::All);
        assert!(first.error.is_none(), "{:?}", first.error);
        assert_eq!(first.output, second.output);
        let world = first.session.world().expect("a cluster");
        assert_eq!(
            world.stats(),
            report.stats,
            "seed {seed}: the replay must do exactly what the sweep did"
        );
    }
}

#[test]
fn a_swarm_run_with_lost_disks_drift_and_bridges_replays_exactly() {
    // Seeds whose faults include `format` (a dynamic quorum's lost disk), `drift` and `bridge`.
    for seed in [1, 11] {
        let report = run_seed(seed, SwarmOptions::default());
        assert!(report.passed(), "seed {seed}: {:?}", report.violations);
        let scenario = report.to_scenario();
        for op in [" format ", " drift ", " bridge "] {
            assert!(scenario.contains(op), "seed {seed} has no{op}fault");
        }
        let replay = run_script(&scenario, Verbosity::Off);
        assert!(replay.error.is_none(), "{:?}", replay.error);
        let world = replay.session.world().expect("a cluster");
        assert_eq!(world.stats(), report.stats, "seed {seed}");
    }
}

#[test]
fn a_checkpoint_continues_like_the_original() {
    let mut w = kraftlab_core::check::checked_world(ClusterSpec::kraft(3, 2, 5), false);
    w.run_until(SimTime(secs(3)));
    let mut copy = w.clone();
    for world in [&mut w, &mut copy] {
        world.set_recording(true);
        let _ = world.apply(&UserAction::Crash(NodeId(3001)));
        world.run_for(secs(5));
    }
    let a: Vec<String> = w.take_trace().iter().map(|e| e.line()).collect();
    let b: Vec<String> = copy.take_trace().iter().map(|e| e.line()).collect();
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

/// The reference run's digest is recorded in `tests/golden/reference-run.txt`; the browser
/// test (`tests/web.rs`) checks the same file, so both targets replay the same run.
/// `REWRITE=1` records a new digest after an intended behaviour change.
#[test]
fn the_reference_run_matches_its_recorded_digest() {
    use kraftlab_core::run::reference::{digest, reference_trace};
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/reference-run.txt");
    let actual = digest(&reference_trace());
    assert_eq!(
        actual,
        digest(&reference_trace()),
        "the reference run must be repeatable"
    );
    if std::env::var("REWRITE").is_ok_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&path, &actual).expect("writable golden file");
    }
    let expected = std::fs::read_to_string(&path).expect("tests/golden/reference-run.txt exists");
    assert_eq!(
        actual, expected,
        "the reference run changed (REWRITE=1 if intended)"
    );
}

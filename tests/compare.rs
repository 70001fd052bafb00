//! The calibration test: with the default cost model, the comparison reproduces the published
//! figures (docs/fidelity.md, The comparison's cost model) within ±25%. Each run is a real
//! simulation of both modes; only the
//! per-partition costs are modelled.

use kraftlab_core::run::compare::{compare, Fault, Shape};

fn within(measured_ms: u64, published_s: f64) -> bool {
    let m = measured_ms as f64 / 1000.0;
    (m - published_s).abs() <= 0.25 * published_s
}

fn shape(partitions: u64) -> Shape {
    Shape {
        partitions,
        ..Shape::default()
    }
}

#[test]
fn uncontrolled_shutdown_at_two_million_partitions() {
    let c = compare(Fault::CrashController, &shape(2_000_000)).unwrap();
    let zk = c.zookeeper.recovery_ms.expect("ZooKeeper mode recovers");
    let kraft = c.kraft.recovery_ms.expect("KRaft recovers");
    assert!(
        within(zk, 503.0),
        "ZooKeeper: {zk} ms, published 503 s\n{}",
        c.report()
    );
    assert!(
        within(kraft, 37.0),
        "KRaft: {kraft} ms, published 37 s\n{}",
        c.report()
    );
    // The ZooKeeper controller's failover has every phase, in order.
    let names: Vec<&str> = c.zookeeper.phases.iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "failure detected",
            "controller elected",
            "metadata loaded",
            "brokers updated",
            "writes possible",
            "all partitions led"
        ]
    );
    // KRaft's standby loads nothing.
    let load = c.kraft.phase("metadata loaded").unwrap();
    assert_eq!(load.start_ms, load.end_ms);
}

#[test]
fn controlled_shutdown_at_two_million_partitions() {
    let c = compare(Fault::ControlledShutdown, &shape(2_000_000)).unwrap();
    let zk = c.zookeeper.recovery_ms.unwrap();
    let kraft = c.kraft.recovery_ms.unwrap();
    assert!(
        within(zk, 135.0),
        "ZooKeeper: {zk} ms, published 135 s\n{}",
        c.report()
    );
    assert!(
        within(kraft, 32.0),
        "KRaft: {kraft} ms, published 32 s\n{}",
        c.report()
    );
}

#[test]
fn zookeeper_reload_of_100k_partitions_takes_about_14_s() {
    let c = compare(Fault::CrashController, &shape(100_000)).unwrap();
    let load = c.zookeeper.phase("metadata loaded").expect("a reload");
    assert!(
        within(load.end_ms - load.start_ms, 14.0),
        "reload took {} ms\n{}",
        load.end_ms - load.start_ms,
        c.report()
    );
}

#[test]
fn the_session_storm_keeps_zookeeper_mode_down_much_longer() {
    let shape = Shape {
        zk_clients: 3_000,
        ..shape(100_000)
    };
    let c = compare(Fault::PauseZk(kraftlab_core::types::secs(40)), &shape).unwrap();
    let zk = c.zookeeper.recovery_ms.unwrap();
    let kraft = c.kraft.recovery_ms.unwrap();
    // The controller lost its session in the storm and a new one reloaded everything.
    assert!(
        c.zookeeper.phase("controller elected").is_some(),
        "{}",
        c.report()
    );
    assert!(
        zk > 3 * kraft,
        "ZooKeeper {zk} ms vs KRaft {kraft} ms\n{}",
        c.report()
    );
}

#[test]
fn json_output_has_phases_and_recovery_per_mode() {
    let c = compare(Fault::CrashBroker, &shape(10_000)).unwrap();
    let j = c.to_json();
    assert!(j.starts_with('{') && j.ends_with('}'));
    for key in [
        "\"zookeeper\":{\"phases\":[",
        "\"kraft\":{\"phases\":[",
        "\"recovery_ms\":",
        "\"start_ms\":",
        "\"end_ms\":",
        "\"assumptions\":[",
    ] {
        assert!(j.contains(key), "{key} missing in {j}");
    }
}

#[test]
fn the_same_shape_and_seed_give_the_same_comparison() {
    let a = compare(Fault::CrashBroker, &shape(1_000)).unwrap();
    let b = compare(Fault::CrashBroker, &shape(1_000)).unwrap();
    assert_eq!(a, b);
}

/// The story is told on the phase table's clock: each line starts with its time after the
/// fault, in order, the first (the fault itself) at +0.000 s.
#[test]
fn the_story_counts_from_the_fault() {
    let c = compare(Fault::CrashController, &shape(10_000)).unwrap();
    for r in [&c.zookeeper, &c.kraft] {
        assert!(!r.story.is_empty(), "{}", r.mode);
        let times: Vec<f64> = r
            .story
            .iter()
            .map(|l| {
                let (t, text) = l
                    .strip_prefix('+')
                    .and_then(|l| l.split_once(" s  "))
                    .unwrap_or_else(|| panic!("{l}"));
                assert!(!text.is_empty(), "{l}");
                t.parse().unwrap_or_else(|_| panic!("{l}"))
            })
            .collect();
        assert_eq!(times[0], 0.0, "{}: {}", r.mode, r.story[0]);
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{:?}", r.story);
        // The recovery's end is within the story's span or after it, never before its start.
        assert!(times[times.len() - 1] * 1000.0 <= r.recovery_ms.unwrap() as f64 + 30_000.0);
    }
}

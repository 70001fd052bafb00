//! ZooKeeper mode end to end: the ensemble elects a leader, brokers register, one becomes the
//! controller, and faults play out as Kafka ≤ 3.9 would.

use kraftlab_core::sim::{ClusterSpec, UserAction, World};
use kraftlab_core::types::secs;

fn world(partitions: u64) -> World {
    let mut spec = ClusterSpec::zookeeper(3, 3, 7);
    spec.quorum.modelled_partitions = partitions;
    let mut w = kraftlab_core::check::checked_world(spec, true);
    w.run_for(secs(30));
    w
}

fn show(w: &mut World) {
    for e in w.take_trace() {
        if std::env::var("SHOW").is_ok() {
            println!("{}", e.line());
        }
    }
}

#[test]
fn a_controller_is_elected_and_brokers_register() {
    let mut w = world(0);
    show(&mut w);
    assert!(w.zk_leader().is_some(), "a ZooKeeper leader serves");
    let (c, epoch) = w.zk_controller().expect("a controller");
    assert_eq!(epoch, 1);
    let leader = w.zk_leader().unwrap();
    let tree = w.node(leader).unwrap().zk_data().unwrap();
    assert_eq!(tree.children("/brokers/ids"), vec!["0", "1", "2"]);
    assert!(tree
        .get("/controller")
        .unwrap()
        .data
        .contains(&format!("\"brokerid\":{}", c.0)));
    assert!(w.violations().is_empty(), "{:?}", w.violations());
}

#[test]
fn crashing_the_controller_elects_another_after_the_session_timeout() {
    let mut w = world(0);
    let (c, _) = w.zk_controller().unwrap();
    let t0 = w.now();
    w.apply(&UserAction::Crash(c)).unwrap();
    show(&mut w);
    let ok = w.run_until_cond(t0 + secs(60), |w| {
        w.zk_controller().is_some_and(|(_, e)| e == 2)
    });
    show(&mut w);
    assert!(ok, "a new controller in epoch 2");
    let took = w.now().since(t0);
    assert!(
        took >= secs(12) && took <= secs(25),
        "took {took} µs: the 18 s session must expire first"
    );
}

#[test]
fn a_cluster_with_many_other_clients_settles() {
    let mut spec = ClusterSpec::zookeeper(3, 3, 7);
    spec.zk_clients = 3000;
    let mut w = kraftlab_core::check::checked_world(spec, true);
    w.run_for(secs(120));
    show(&mut w);
    assert!(
        w.zk_controller().is_some(),
        "a controller after the start-up storm"
    );
}

/// The zombie-controller golden (`tests/scenarios/zk_zombie_controller.txt`) with the
/// teaching switch that removes the brokers' controller-epoch check: the zombie's push now
/// lands, and the `zk_zombie_rejected` checker must say so. Without this, a checker that never
/// fires would look the same as a model that never lets a zombie through.
#[test]
fn brokers_that_obey_a_zombie_controller_are_caught() {
    use kraftlab_core::scenario::run_script;
    use kraftlab_core::trace::Verbosity;
    let golden = include_str!("scenarios/zk_zombie_controller.txt");
    // The commands only (the golden's output blocks are not input).
    let commands: String = golden
        .split("\n\n")
        .filter_map(|block| block.split("\n----").next())
        .collect::<Vec<_>>()
        .join("\n");
    let honest = run_script(&commands, Verbosity::Events);
    assert!(honest.error.is_none(), "{:?}", honest.error);
    assert!(honest.output.contains("STALE_CONTROLLER_EPOCH"));

    let broken = commands.replace(
        "partitions=100000",
        "partitions=100000 buggify=accept-stale-controller",
    );
    let run = run_script(&broken, Verbosity::Off);
    let error = run
        .error
        .expect("the checker must catch the zombie's push")
        .to_string();
    assert!(
        error.contains("zk_zombie_rejected") && error.contains("of epoch 1 after epoch 2"),
        "{error}"
    );
}

//! One budget for every input (`crate::limits`): what a user types, a script, a share link
//! and the engine's own `World::apply` are all held to the same limits, checked before the
//! work starts, and every refusal names the limit and its value.

use kraftlab_core::limits::Limits;
use kraftlab_core::scenario::share::{decode, encode};
use kraftlab_core::scenario::{parse_script, run_script, run_script_with_limits, Session};
use kraftlab_core::server::AdminOp;
use kraftlab_core::sim::{ClusterSpec, UserAction, World};
use kraftlab_core::trace::Verbosity;
use kraftlab_core::types::{secs, SimTime};

const START: &str = "cluster kraft voters=3 brokers=3\nrun until leader within 10s\n";

#[test]
fn the_product_of_two_fields_is_capped() {
    // 100000 topics of 100000 partitions: each field in range, ten billion partitions in all.
    let script = format!("{START}create-topics t count=100000 partitions=100000 rf=1\n");
    let outcome = run_script(&script, Verbosity::Off);
    let e = outcome.error.expect("refused");
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("records-per-command=1000000"), "{e}");
    assert!(outcome.output.is_empty(), "refused before anything ran");
    // Counted partitions (`partitions=`) and created ones share the partitions limit.
    let script = "cluster kraft partitions=1500000\nrun until leader within 10s\ncreate-topics t count=5 partitions=99999 rf=1\ncreate-topics u count=1 partitions=99999 rf=1\n";
    let e = run_script(script, Verbosity::Off).error.expect("refused");
    assert!(e.message.contains("partitions=2000000"), "{e}");
    assert_eq!(e.line, 4);
    // The engine refuses it too, whoever calls it, and changes nothing.
    let mut world = World::new(ClusterSpec::kraft(3, 3, 1));
    world.run_until(SimTime(secs(10)));
    let huge = UserAction::Admin(AdminOp::CreateTopics {
        prefix: "t".into(),
        first: 0,
        count: 100_000,
        partitions: 100_000,
        replication_factor: 1,
    });
    let why = world.apply(&huge).unwrap_err();
    assert!(why.contains("records-per-command"), "{why}");
    assert_eq!(world.usage().records, 0);
}

#[test]
fn a_ten_year_run_is_refused() {
    for (script, limit) in [
        (format!("{START}run 87600h\n"), "time-per-command=1h"),
        (
            format!("{START}run until no leader within 87600h\n"),
            "time-per-command=1h",
        ),
        (format!("{START}at 87600h heal\n"), "time-per-run=24h"),
        // Twenty-five runs of an hour each fit one command but not one run.
        (
            format!("{START}{}", "run 1h\n".repeat(25)),
            "time-per-run=24h",
        ),
    ] {
        let outcome = run_script(&script, Verbosity::Off);
        let e = outcome.error.expect("refused");
        assert!(e.message.contains(limit), "{e}");
        assert!(outcome.output.is_empty(), "refused before anything ran");
    }
    // Typed one line at a time, the session refuses the line too.
    let mut session = Session::new(Verbosity::Off);
    for line in parse_script(START).unwrap() {
        session.execute(&line).unwrap();
    }
    let line = &parse_script("\n\nrun 87600h").unwrap()[0];
    let e = session.execute(line).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.message.contains("time-per-command=1h"), "{e}");
    assert!(session.world().unwrap().now() < SimTime(secs(60)));
}

#[test]
fn forty_writes_of_a_hundred_thousand_records_are_refused_before_they_run() {
    let script = format!("{START}{}", "write 100000\n".repeat(40));
    let outcome = run_script(&script, Verbosity::Off);
    let e = outcome.error.expect("refused");
    // Lines 3..=22 are the first twenty writes: two million records, the limit.
    assert_eq!(e.line, 23, "{e}");
    assert!(e.message.contains("records-per-run=2000000"), "{e}");
    assert!(outcome.output.is_empty());
    assert!(outcome.session.world().is_none(), "no cluster was built");
    // The command line's `--limits off` lets a benchmark ask for more.
    let small = format!("{START}{}", "write 10\n".repeat(3));
    let mut tight = Limits::DEFAULT;
    tight.set("records-per-run", "25").unwrap();
    let e = run_script_with_limits(&small, Verbosity::Off, tight)
        .error
        .expect("refused");
    assert!(e.message.contains("records-per-run=25"), "{e}");
    assert!(run_script_with_limits(&small, Verbosity::Off, Limits::OFF)
        .error
        .is_none());
}

#[test]
fn the_engine_refuses_the_write_that_would_pass_the_limit() {
    let mut session = Session::new(Verbosity::Off);
    for line in parse_script(START).unwrap() {
        session.execute(&line).unwrap();
    }
    let world = session.world_mut().unwrap();
    let mut limits = Limits::DEFAULT;
    limits.set("records-per-run", "250").unwrap();
    world.set_limits(limits);
    let write = UserAction::Write {
        count: 100,
        to: None,
    };
    assert!(world.apply(&write).is_ok());
    assert!(world.apply(&write).is_ok());
    let why = world.apply(&write).unwrap_err();
    assert!(why.contains("records-per-run=250"), "{why}");
    assert_eq!(world.usage().records, 200);
}

#[test]
fn an_over_budget_link_is_refused_by_decode_with_the_limit_named() {
    let spec = ClusterSpec::kraft(3, 3, 7);
    let writes: Vec<(SimTime, UserAction)> = (0..40)
        .map(|i| {
            (
                SimTime(secs(5 + i)),
                UserAction::Write {
                    count: 100_000,
                    to: None,
                },
            )
        })
        .collect();
    let why = decode(&encode(&spec, &writes)).unwrap_err();
    assert!(why.contains("records-per-run=2000000"), "{why}");
    assert!(why.contains("action 21"), "{why}");
    // A link whose last action is beyond the run's time limit.
    let late = vec![(SimTime(secs(25 * 3600)), UserAction::Heal)];
    let why = decode(&encode(&spec, &late)).unwrap_err();
    assert!(why.contains("time-per-run=24h"), "{why}");
    // Too many counted partitions.
    let mut big = spec.clone();
    big.quorum.modelled_partitions = 3_000_000;
    let why = decode(&encode(&big, &[])).unwrap_err();
    assert!(why.contains("partitions=2000000"), "{why}");
    // Within the limits, the same link loads.
    assert!(decode(&encode(&spec, &writes[..20])).is_ok());
}

#[test]
fn an_empty_scenario_says_it_ran_nothing() {
    for text in ["", "\n\n", "# only a comment\n   # and another\n"] {
        let outcome = run_script(text, Verbosity::Off);
        assert!(outcome.error.is_none());
        assert!(outcome.output.contains("nothing ran"), "{}", outcome.output);
    }
}

//! A bounded property test of everything a user types or pastes: the scenario parser
//! (`parse_script`) and the share-link decoder (`share::decode`).
//!
//! - Random and mutated input never panics either of them.
//! - What parses prints back and parses equal: every action line through
//!   `UserAction::to_command`, and every decoded link through `share::encode`.
//!
//! Inputs come from three generators: noise over the language's own alphabet, lines built
//! from the grammar's words (most of which parse, so the round trip is exercised), and valid
//! scenarios and links with a few bytes changed. The case counts keep the whole file to a
//! few seconds in `cargo test --release`.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use kraftlab_core::scenario::share::{decode, decode_with_current_engine, encode};
use kraftlab_core::scenario::{parse_command, parse_script, Command};
use kraftlab_core::sim::action::OPS;

/// Action lines printed back and parsed again, to show the test exercises the round trip.
static ROUND_TRIPS: AtomicUsize = AtomicUsize::new(0);

/// Words the grammar uses besides the actions' ([`OPS`]), and values in and out of range.
const OTHER_WORDS: &[&str] = &[
    "cluster",
    "kraft",
    "zk",
    "run",
    "until",
    "within",
    "at",
    "to",
    "next",
    "from",
    "expect",
    "show",
    "trace",
    "allow",
    "violations",
    "leader",
    "follower",
    "controller",
    "zk-leader",
    "as",
    "old",
    "not",
    "and",
    "is",
    "epoch",
    "hw",
    "leo",
    "==",
    "!=",
    ">=",
    "<",
    "|",
    "->",
    ",",
    "3000",
    "3001",
    "3002",
    "0",
    "1",
    "zk1",
    "5",
    "100000",
    "100001",
    "4294967296",
    "-1",
    "1.05",
    "0.9",
    "2",
    "0.1",
    "5s",
    "250ms",
    "1.5s",
    "2m",
    "1h",
    "87600h",
    "800us",
    "0ms",
    "voters=3",
    "brokers=3",
    "seed=42",
    "quorum=dynamic",
    "partitions=3",
    "rf=2",
    "count=2",
    "loss=1.5%",
    "latency=1ms..2ms",
    "reorder=on",
    "retention.ms=1000",
    "cleanup.policy=compact",
    "cluster-id=abc",
    "node.id=3001",
    "Fetch",
    "Vote",
    "#",
    "\t",
    "é",
];

/// Every word the generated lines draw from.
fn words() -> Vec<&'static str> {
    OPS.iter().chain(OTHER_WORDS).copied().collect()
}
/// Lines that parse, to mutate and to build links from.
const GOOD: &str = "\
cluster kraft voters=3 brokers=2 seed=7 quorum=dynamic spare-controllers=1
run until leader within 10s
write 5
crash leader as old
restart old
pause 3001 1.5s
partition 3000 | 3001,3002
partition 3000 -> 3001
bridge 3001 3000 | 3002,0
drift 3002 1.05
isolate 3000
heal
drop next Fetch from 3001 to 3000
network latency=1ms..2ms loss=1.5% duplicate=0.5% reorder=on
create-topic orders partitions=3 rf=2 retention.ms=1000
create-topics load count=3 partitions=2 rf=1 first=4
delete-topic orders
alter-config broker:1 log.retention.ms=none
configure 3001 controller.quorum.voters=3000@h:9093,3001@h:9093
format 3001 cluster-id=abc
unformat 3001
add-controller 3003
remove-controller 3002
at 20s timeout 3001
expect leader != 3000 and epoch >= 2
show replication --human-readable
trace elections
allow violations
";

fn word_line() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(words()), 0..9).prop_map(|w| w.join(" "))
}

fn noise() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(
            "crash leader 3000 , | -> = . % s ms us # \n\t é 9 0 - _ a z"
                .chars()
                .collect::<Vec<_>>(),
        ),
        0..80,
    )
    .prop_map(|c| c.into_iter().collect())
}

/// `GOOD` with up to six bytes replaced, inserted or removed (kept valid UTF-8).
fn mutated() -> impl Strategy<Value = String> {
    prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..7).prop_map(|edits| {
        let mut bytes = GOOD.as_bytes().to_vec();
        for (at, b, kind) in edits {
            let i = at % bytes.len().max(1);
            let b = b" ,|=.-:%#0123456789abclrs\n"[b as usize % 26];
            match kind {
                0 => bytes[i] = b,
                1 => bytes.insert(i, b),
                _ => {
                    bytes.remove(i);
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Every action line of `text` that parses (each line on its own, so one bad line does not
/// hide the others) prints back (`to_command`) to a line that parses to the same action.
/// `parse_script` of the whole text must not panic either.
fn actions_round_trip(text: &str) -> Result<(), TestCaseError> {
    let _ = parse_script(text);
    for raw in text.lines() {
        let content = raw.split('#').next().unwrap_or("").trim();
        let Ok(command) = parse_command(content) else {
            continue;
        };
        let action = match &command {
            Command::Do(act, _) => act,
            Command::At(_, inner) => match inner.as_ref() {
                Command::Do(act, _) => act,
                _ => continue,
            },
            _ => continue,
        };
        let printed = action.to_command();
        ROUND_TRIPS.fetch_add(1, Ordering::Relaxed);
        match parse_command(&printed) {
            Ok(Command::Do(again, None)) => {
                prop_assert_eq!(&again, action, "`{}` printed as `{}`", content, printed)
            }
            other => prop_assert!(
                false,
                "`{}` printed as `{}`, which parses to {:?}",
                content,
                printed,
                other
            ),
        }
    }
    Ok(())
}

/// An action word with one to four argument words: lines that often parse.
fn action_line() -> impl Strategy<Value = String> {
    (
        prop::sample::select(OPS),
        prop::collection::vec(prop::sample::select(words()), 1..5),
    )
        .prop_map(|(a, rest)| format!("{a} {}", rest.join(" ")))
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn the_parser_never_panics_and_actions_print_back() {
    let lines = prop::collection::vec(prop_oneof![word_line(), action_line(), noise()], 0..6)
        .prop_map(|l| l.join("\n"));
    runner(20_000)
        .run(&prop_oneof![lines, mutated()], |text| {
            actions_round_trip(&text)
        })
        .unwrap();
    let exercised = ROUND_TRIPS.load(Ordering::Relaxed);
    assert!(
        exercised > 5_000,
        "only {exercised} action lines printed back"
    );
    // The whole of GOOD parses and prints back.
    assert!(parse_script(GOOD).is_ok());
    actions_round_trip(GOOD).unwrap();
}

#[test]
fn the_link_decoder_never_panics_and_links_round_trip() {
    // Links made from scripts that parse as a run: a cluster line and timed actions.
    let timed: Vec<String> = GOOD
        .lines()
        .filter(|l| match parse_command(l) {
            Ok(Command::Do(act, None)) => act
                .try_map_nodes(|n| match n {
                    kraftlab_core::scenario::NodeRef::Id(id) => Ok(*id),
                    _ => Err(()),
                })
                .is_ok(),
            _ => false,
        })
        .map(|l| l.to_string())
        .collect();
    assert!(timed.len() > 15, "{timed:?}");
    let runs = prop::collection::vec(prop::sample::select(timed), 0..8).prop_map(|lines| {
        let mut text =
            "cluster kraft voters=3 brokers=2 seed=7 quorum=dynamic spare-controllers=1\n"
                .to_string();
        for (i, l) in lines.iter().enumerate() {
            text += &format!("at {}ms {l}\n", i * 250);
        }
        text
    });
    runner(2_000)
        .run(
            &(
                runs,
                prop::collection::vec((any::<usize>(), any::<u8>()), 0..5),
            ),
            |(text, damage)| {
                let lines = parse_script(&text).expect("built to parse");
                let Command::Cluster(spec) = &lines[0].command else {
                    panic!("a cluster first")
                };
                let actions: Vec<_> = lines[1..]
                    .iter()
                    .map(|l| match &l.command {
                        Command::At(t, inner) => match inner.as_ref() {
                            Command::Do(act, None) => (
                                kraftlab_core::types::SimTime(*t),
                                act.try_map_nodes(|n| match n {
                                    kraftlab_core::scenario::NodeRef::Id(id) => Ok::<_, ()>(*id),
                                    _ => Err(()),
                                })
                                .expect("ids only"),
                            ),
                            _ => panic!("an action"),
                        },
                        _ => panic!("a timed line"),
                    })
                    .collect();
                let link = encode(spec, &actions);
                let run = decode(&link).map_err(TestCaseError::fail)?;
                prop_assert_eq!(&run.spec, spec.as_ref());
                prop_assert_eq!(&run.actions, &actions);
                prop_assert_eq!(decode(&encode(&run.spec, &run.actions)).ok(), Some(run));
                // Damaged: never a panic, and what still decodes round-trips.
                let mut bytes = link.into_bytes();
                const B64: &[u8] =
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
                for (at, b) in damage {
                    let i = 3 + at % (bytes.len() - 3);
                    bytes[i] = B64[b as usize % B64.len()];
                }
                let damaged = String::from_utf8_lossy(&bytes).into_owned();
                for run in [decode(&damaged), decode_with_current_engine(&damaged)]
                    .into_iter()
                    .flatten()
                {
                    prop_assert_eq!(decode(&encode(&run.spec, &run.actions)).ok(), Some(run));
                }
                Ok(())
            },
        )
        .unwrap();
    // Noise never panics the decoder.
    runner(10_000)
        .run(
            &(
                noise(),
                prop::collection::vec(32u8..127, 0..60)
                    .prop_map(|v| String::from_utf8(v).expect("ASCII")),
            ),
            |(a, b)| {
                let _ = decode(&a);
                let _ = decode(&format!("v2.{b}"));
                let _ = decode(&format!("#run=v1.{b}"));
                Ok(())
            },
        )
        .unwrap();
}

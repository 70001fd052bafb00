//! The space-time diagram end to end (`kraftlab_core::tools::diagram`, driven by
//! `kraftlab_core::run::diagram`): the golden of a small failover, drawn from its scenario file
//! in both renderings; Mermaid's grammar on every example; a share link replayed into a
//! diagram twice, byte for byte; an hour-long run held to the bound; refusals; and the command
//! line's `run FILE --diagram`.
//!
//! `REWRITE=1 cargo test -p kraftlab-core --test diagram` rewrites the goldens in
//! `tests/diagram/`; read the Mermaid diff (it tells the story in order) before committing.

use std::path::{Path, PathBuf};
use std::process::Command;

use kraftlab_core::limits::Limits;
use kraftlab_core::run::diagram::{link_diagram, script_diagram, TAIL_AFTER_LAST_ACTION};
use kraftlab_core::scenario::share::link_text;
use kraftlab_core::sim::{ClusterSpec, UserAction};
use kraftlab_core::tools::diagram::{DiagramOptions, Window, MAX_MESSAGES};
use kraftlab_core::types::{secs, NodeId, SimTime};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Compares `actual` with the golden file, or rewrites it under `REWRITE=1`.
fn golden(name: &str, actual: &str) {
    let path = root().join("tests/diagram").join(name);
    if std::env::var("REWRITE").is_ok_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&path, actual).expect("write the golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its golden at line {} (REWRITE=1 to update, then read the diff):\n  golden: {:?}\n  now:    {:?}",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

/// Mermaid's `sequenceDiagram` as the diagram writes it: the header, then participants
/// (declared once, plain ids), arrows `^\s*\w+ (->>|-x|-->>) \w+: .+$` between declared
/// participants, notes over declared participants, comments; no text holding a character
/// Mermaid reads as a separator, comment or entity (`;`, `#`, `:`, `%`, `<`, `>`, `&`, quotes,
/// braces).
fn assert_mermaid(text: &str) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    let word = |w: &str| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut declared: Vec<String> = Vec::new();
    for line in lines {
        let l = line.trim_start();
        assert!(line.len() > l.len(), "not indented: `{line}`");
        if l.starts_with("%%") {
            continue;
        }
        let text = if let Some(rest) = l.strip_prefix("participant ") {
            let (id, alias) = rest.split_once(" as ").expect("an alias");
            assert!(word(id), "participant id `{id}`");
            assert!(!declared.iter().any(|d| d == id), "{id} declared twice");
            declared.push(id.to_string());
            alias
        } else if let Some(rest) = l.strip_prefix("Note over ") {
            let (over, text) = rest.split_once(": ").expect("a note's text");
            assert!(
                over.split(',').all(|id| declared.iter().any(|d| d == id)),
                "`{line}`"
            );
            text
        } else {
            let (head, text) = l.split_once(": ").unwrap_or_else(|| panic!("`{line}`"));
            let parts: Vec<&str> = head.split(' ').collect();
            assert!(
                parts.len() == 3
                    && word(parts[0])
                    && word(parts[2])
                    && ["->>", "-x", "-->>"].contains(&parts[1]),
                "not an arrow: `{line}`"
            );
            for id in [parts[0], parts[2]] {
                assert!(
                    declared.iter().any(|d| d == id),
                    "undeclared {id}: `{line}`"
                );
            }
            text
        };
        assert!(!text.trim().is_empty(), "empty text: `{line}`");
        assert!(
            !text.contains([';', '#', ':', '%', '<', '>', '&', '"', '{', '}']),
            "a character Mermaid reads specially: `{line}`"
        );
    }
    assert!(!declared.is_empty());
}

/// Index of the first line containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with `{needle}`"))
}

#[test]
fn the_failover_golden_tells_its_story() {
    let file = root().join("tests/diagram/leader-crash.scenario");
    let text = std::fs::read_to_string(&file).expect("the scenario");
    let drawn = script_diagram(&text, Limits::DEFAULT, DiagramOptions::default())
        .expect("the scenario draws");
    assert_eq!(drawn.error, None);
    let m = drawn.diagram.to_mermaid();
    let svg = drawn.diagram.to_svg();
    assert_mermaid(&m);
    golden("leader-crash.mmd", &m);
    golden("leader-crash.svg", &svg);

    // The story, in order: 3002 stands (pre-vote, then vote) and leads epoch 1; it commits;
    // it crashes; what is sent to it is lost; the survivors notice at their fetch timeout,
    // split their votes in epoch 2, and 3000 leads epoch 3 and commits.
    let stands = line_of(&m, "Note over C3002: candidate, epoch 1");
    let votes = line_of(&m, "C3002 ->> C3001: Vote e1");
    let leads = line_of(&m, "Note over C3002: leader, epoch 1");
    let commits = line_of(&m, "Note over C3002: HW");
    let crash = line_of(&m, "Note over C3002: crashed");
    let lost = line_of(&m, "-x C3002: PreVote e1 (receiver down)");
    let timeout = line_of(&m, "prospective, epoch 1 (fetch timeout)");
    let split = line_of(&m, "VoteResponse e2 refused");
    let new_leader = line_of(&m, "Note over C3000: leader, epoch 3");
    let new_commit = m
        .lines()
        .skip(new_leader)
        .position(|l| l.starts_with("    Note over C3000: HW"))
        .expect("the new leader commits");
    assert!(stands < votes && votes < leads && leads < commits && commits < crash);
    assert!(crash < timeout && timeout < lost && lost < split && split < new_leader);
    assert!(new_commit > 0);
    // Nothing reaches the dead node after its crash.
    assert!(m
        .lines()
        .skip(crash)
        .all(|l| !(l.contains("->> C3002") || l.contains("-->> C3002"))));
    assert!(
        svg.contains(">crashed</text>") && svg.contains(">leader, epoch 3 (election won)</text>")
    );
}

#[test]
fn every_single_cluster_example_draws_valid_mermaid_and_svg() {
    let mut drawn = 0;
    for entry in std::fs::read_dir(root().join("examples")).expect("examples") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        match script_diagram(&text, Limits::DEFAULT, DiagramOptions::default()) {
            Ok(d) => {
                assert_eq!(d.error, None, "{}", path.display());
                assert_mermaid(&d.diagram.to_mermaid());
                let svg = d.diagram.to_svg();
                assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
                assert_eq!(svg.matches("<g>").count(), svg.matches("</g>").count());
                assert!(!svg.contains("<script"));
                assert!(d.diagram.arrows().count() <= MAX_MESSAGES);
                drawn += 1;
            }
            Err(e) => assert!(
                e.contains("a diagram draws one cluster"),
                "{}: {e}",
                path.display()
            ),
        }
    }
    assert!(drawn >= 5);
}

/// A link's text: a failover with a partition and a heal.
fn failover_link() -> String {
    let actions = vec![
        (SimTime(secs(3)), UserAction::Crash(NodeId(3000))),
        (
            SimTime(secs(4)),
            UserAction::Partition(vec![vec![NodeId(3001)], vec![NodeId(3002), NodeId(0)]]),
        ),
        (SimTime(secs(6)), UserAction::Heal),
        (SimTime(secs(7)), UserAction::Restart(NodeId(3000))),
    ];
    link_text(&ClusterSpec::kraft(3, 1, 42), &actions)
}

#[test]
fn a_link_replays_to_the_same_diagram_every_time() {
    let text = failover_link();
    let options = DiagramOptions {
        max_messages: 5_000,
        ..DiagramOptions::default()
    };
    let a = link_diagram(&text, options).expect("draws");
    let b = link_diagram(&text, options).expect("draws");
    assert!(!a.is_cut());
    assert_eq!(a.to_svg(), b.to_svg());
    assert_eq!(a.to_mermaid(), b.to_mermaid());
    assert_mermaid(&a.to_mermaid());
    // The default window runs past the last action, so the restart's aftermath shows.
    assert_eq!(a.end(), SimTime(secs(7) + TAIL_AFTER_LAST_ACTION));
    let m = a.to_mermaid();
    assert!(m.contains("restarted at 7 s"), "{m}");
    assert!(m.contains("(partitioned)"), "{m}");

    // A window shows its part of the same run.
    let window = Window {
        from: SimTime(secs(3)),
        to: Some(SimTime(secs(5))),
    };
    let part = link_diagram(
        &text,
        DiagramOptions {
            window,
            ..DiagramOptions::default()
        },
    )
    .expect("draws");
    assert!(part.arrows().all(|x| window.contains(x.sent)));
    assert!(part.to_mermaid().contains("crashed at 3 s"));
    assert!(!part.to_mermaid().contains("restarted"));
}

#[test]
fn an_hour_long_run_stays_under_the_bound_and_says_so() {
    let text = link_text(
        &ClusterSpec::kraft(3, 3, 1),
        &[(
            SimTime(secs(3600)),
            UserAction::Write { count: 1, to: None },
        )],
    );
    let d = link_diagram(&text, DiagramOptions::default()).expect("draws");
    assert!(d.is_cut());
    assert!(d.arrows().count() <= MAX_MESSAGES);
    assert!(d.not_drawn() > 10_000, "{}", d.not_drawn());
    let svg = d.to_svg();
    assert!(svg.len() < 400_000, "{} bytes", svg.len());
    assert!(svg.contains(&format!("{} more messages not drawn", d.not_drawn())));
    assert!(svg.contains("choose a shorter window"));
    assert!(d.to_mermaid().contains("choose a shorter window"));
}

#[test]
fn bad_links_and_windows_are_refused_with_a_reason() {
    let text = failover_link();
    let refuse = |text: &str, window: Window| {
        link_diagram(
            text,
            DiagramOptions {
                window,
                ..DiagramOptions::default()
            },
        )
        .expect_err("refused")
    };
    let e = refuse(
        &text,
        Window {
            from: SimTime(secs(5)),
            to: Some(SimTime(secs(2))),
        },
    );
    assert!(e.contains("its start must come first"), "{e}");
    let e = refuse(
        &text,
        Window {
            from: SimTime::ZERO,
            to: Some(SimTime(secs(48 * 3600))),
        },
    );
    assert!(e.contains("time-per-run"), "{e}");
    let e = refuse(&text.replace("# engine ", "# engine 9"), Window::WHOLE);
    assert!(e.contains("engine version"), "{e}");
    let e = refuse("cluster kraft voters=3\nat 1s bogus\n", Window::WHOLE);
    assert!(e.contains("does not say which engine"), "{e}");
    let e = refuse(&"#".repeat(2 << 20), Window::WHOLE);
    assert!(e.contains("larger than"), "{e}");

    let e = script_diagram("run 1s\n", Limits::DEFAULT, DiagramOptions::default())
        .expect_err("no cluster");
    assert!(e.contains("starts no cluster"), "{e}");
}

#[test]
fn a_failing_scenario_still_draws_up_to_its_failure() {
    let text = "cluster kraft voters=3 brokers=0 seed=7\nrun until leader within 5s\nexpect epoch >= 9\nrun 1s\n";
    let d = script_diagram(text, Limits::DEFAULT, DiagramOptions::default()).expect("draws");
    let error = d.error.expect("the expect fails");
    assert!(error.starts_with("line 3:"), "{error}");
    assert!(d.diagram.to_mermaid().contains("leader, epoch 1"));
}

#[test]
fn the_command_line_prints_a_diagram_or_refuses_a_bad_flag() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_kraftlab"))
            .arg("run")
            .arg(root().join("tests/diagram/leader-crash.scenario"))
            .args(args)
            .output()
            .expect("kraftlab runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, _) = run(&["--diagram", "mermaid"]);
    assert_eq!(code, Some(0));
    let golden =
        std::fs::read_to_string(root().join("tests/diagram/leader-crash.mmd")).expect("golden");
    assert_eq!(out, golden);
    let (code, out, _) = run(&["--diagram", "svg", "--from", "2s", "--to", "4.9s"]);
    assert_eq!(code, Some(0));
    assert!(
        out.starts_with("<svg ") && out.contains("2 s to 4.9 s"),
        "{out}"
    );
    for (args, why) in [
        (&["--diagram", "png"][..], "--diagram takes svg or mermaid"),
        (
            &["--diagram", "svg", "--from", "soon"][..],
            "--from: cannot read `soon`",
        ),
        (
            &["--diagram", "svg", "--from", "3s", "--to", "1s"][..],
            "--from must come before --to",
        ),
        (&["--from", "1s"][..], "--from goes with --diagram"),
        (&["--diagram"][..], "--diagram needs a value"),
        (
            &["--diagram", "svg", "--trace", "all"][..],
            "leave out --trace",
        ),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.contains(why), "{args:?}: {err}");
    }
}

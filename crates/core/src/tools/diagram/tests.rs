//! Unit tests of the diagram: the recorder on a live world, both renderings, folding, the
//! window and the bound. The golden, the share-link and command-line paths are in
//! `tests/diagram.rs`.

use super::mermaid::safe;
use super::svg::esc;
use super::*;
use crate::sim::{ClusterSpec, UserAction};
use crate::types::{ms, secs};

/// A world of `spec` watched by a diagram from its start, driven by `drive`; the diagram as
/// it ends.
fn drawn(spec: ClusterSpec, options: DiagramOptions, drive: impl FnOnce(&mut World)) -> Diagram {
    let mut world = World::observed(spec, true, vec![Box::new(Diagram::new(options))]);
    drive(&mut world);
    let mut d = world.observer::<Diagram>().cloned().expect("installed");
    d.close(world.now());
    d
}

/// Elect, crash the leader, elect again.
fn failover(world: &mut World) {
    world.run_for(secs(3));
    let leader = world.active_leader().expect("a leader after 3 s");
    world.apply(&UserAction::Crash(leader)).expect("crash");
    world.run_for(secs(6));
}

/// The checks a Mermaid text must pass to be read by Mermaid's `sequenceDiagram` grammar as
/// this module writes it: the header, declared participants with plain ids, arrows and notes
/// of the expected shape over declared participants only, and no character that Mermaid reads
/// as a separator, a comment or an entity in a text.
pub(crate) fn assert_mermaid(text: &str) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"), "{text}");
    let mut declared: Vec<&str> = Vec::new();
    let plain =
        |id: &str| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    for line in lines {
        let l = line.trim_start();
        if l.starts_with("%%") {
            continue;
        }
        let (head, text) = if let Some(rest) = l.strip_prefix("participant ") {
            let (id, alias) = rest.split_once(" as ").expect("participant with alias");
            assert!(plain(id), "participant id `{id}`");
            assert!(!declared.contains(&id), "declared twice: {id}");
            declared.push(id);
            (None, alias)
        } else if let Some(rest) = l.strip_prefix("Note over ") {
            let (over, text) = rest.split_once(": ").expect("a note's text");
            for id in over.split(',') {
                assert!(
                    declared.contains(&id),
                    "note over undeclared `{id}` in `{line}`"
                );
            }
            (None, text)
        } else {
            let (arrow, text) = l
                .split_once(": ")
                .unwrap_or_else(|| panic!("not an arrow: `{line}`"));
            let parts: Vec<&str> = arrow.split(' ').collect();
            assert_eq!(parts.len(), 3, "arrow `{line}`");
            assert!(["->>", "-->>", "-x"].contains(&parts[1]), "arrow `{line}`");
            (Some((parts[0], parts[2])), text)
        };
        if let Some((from, to)) = head {
            assert!(
                declared.contains(&from) && declared.contains(&to),
                "undeclared in `{line}`"
            );
        }
        assert!(!text.trim().is_empty(), "empty text in `{line}`");
        assert!(
            !text.contains([';', '#', ':', '%', '<', '>', '&', '"', '{', '}']),
            "a character Mermaid reads specially in `{line}`"
        );
    }
}

/// Checks that an SVG document is well formed as far as this module writes one: every tag
/// closed in order, attributes quoted, every `&` an entity, no `<` or `>` in text; returns the
/// text content, for the caller to read.
pub(crate) fn assert_svg(svg: &str) -> String {
    let mut stack: Vec<&str> = Vec::new();
    let mut text = String::new();
    let mut rest = svg;
    let entity_ok = |s: &str| {
        let mut it = s.split('&');
        it.next();
        it.all(|e| {
            ["amp;", "lt;", "gt;", "quot;", "#39;"]
                .iter()
                .any(|k| e.starts_with(k))
        })
    };
    while let Some(open) = rest.find('<') {
        let between = &rest[..open];
        assert!(!between.contains('>'), "a raw `>` in text: {between}");
        assert!(entity_ok(between), "a raw `&` in text: {between}");
        text += between;
        let close = rest[open..].find('>').expect("an unclosed tag") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "`<` inside a tag: {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
        assert!(entity_ok(tag), "a raw `&` in an attribute: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "closing `{name}` out of order");
        } else if !tag.ends_with('/') {
            stack.push(tag.split([' ', '\n']).next().unwrap_or(tag));
        }
        if stack.is_empty() {
            assert!(
                rest[close + 1..].trim().is_empty(),
                "content after the root"
            );
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(!svg.contains("<script") && !svg.contains("href") && !svg.contains("<style"));
    text
}

#[test]
fn lanes_put_controllers_first_then_brokers_in_both_modes() {
    let d = drawn(
        ClusterSpec::kraft(3, 2, 1),
        DiagramOptions::default(),
        |w| w.run_for(ms(10)),
    );
    let keys: Vec<&str> = d.lanes().iter().map(|l| l.key.as_str()).collect();
    assert_eq!(keys, ["C3000", "C3001", "C3002", "B0", "B1"]);
    assert_eq!(d.lanes()[0].label, "controller 3000");
    assert_eq!(d.lanes()[3].label, "broker 0");

    let d = drawn(
        ClusterSpec::zookeeper(3, 2, 1),
        DiagramOptions::default(),
        |w| w.run_for(ms(10)),
    );
    let keys: Vec<&str> = d.lanes().iter().map(|l| l.key.as_str()).collect();
    assert_eq!(keys, ["ZK1", "ZK2", "ZK3", "B0", "B1"]);
    assert_eq!(d.lanes()[0].label, "zookeeper zk1");
}

#[test]
fn a_failover_is_drawn_with_its_elections_crash_and_commits() {
    let d = drawn(
        ClusterSpec::kraft(3, 0, 7),
        DiagramOptions::default(),
        failover,
    );
    let texts: Vec<&str> = d.marks().iter().map(|m| m.text.as_str()).collect();
    let leaders = d
        .marks()
        .iter()
        .filter(|m| m.kind == MarkKind::Leader)
        .count();
    assert_eq!(leaders, 2, "{texts:?}");
    assert!(texts.contains(&"crashed"), "{texts:?}");
    assert!(d.marks().iter().any(|m| m.kind == MarkKind::Election));
    assert!(d.marks().iter().any(|m| m.kind == MarkKind::Commit));
    let crash = d
        .marks()
        .iter()
        .find(|m| m.text == "crashed")
        .expect("crash")
        .at;
    // The second leader is elected after the crash, in a higher epoch.
    let second = d
        .marks()
        .iter()
        .filter(|m| m.kind == MarkKind::Leader)
        .nth(1)
        .expect("two");
    assert!(
        second.at > crash
            && second.node
                != d.marks()
                    .iter()
                    .find(|m| m.text == "crashed")
                    .and_then(|m| m.node)
    );
    // Messages to the dead leader end in a cross.
    assert!(d
        .arrows()
        .any(|a| matches!(a.fate, Fate::Dropped(_, DropReason::ReceiverDown))));
    let m = d.to_mermaid();
    assert_mermaid(&m);
    assert!(m.contains(" -x "), "{m}");
    assert!(m.contains("->> ") && m.contains(": Vote e"), "{m}");
    assert!(
        m.contains("Note over") && m.contains("leader, epoch"),
        "{m}"
    );
    let text = assert_svg(&d.to_svg());
    assert!(text.contains("crashed") && text.contains("leader, epoch"));
}

#[test]
fn every_arrow_mermaid_writes_is_one_the_diagram_kept_in_arrival_order() {
    let d = drawn(
        ClusterSpec::kraft(3, 1, 3),
        DiagramOptions::default(),
        failover,
    );
    let m = d.to_mermaid();
    let arrows = m
        .lines()
        .filter(|l| {
            l.contains(": ")
                && !l.trim_start().starts_with("Note")
                && !l.trim_start().starts_with("participant")
        })
        .count();
    let ended = d.arrows().filter(|a| a.end().is_some()).count();
    assert_eq!(arrows, ended);
    let ends: Vec<(SimTime, u64)> = d
        .story()
        .iter()
        .map(|i| match i {
            Item::Arrow(a) => (a.end().expect("ended"), a.seq),
            Item::Mark(m) => (m.at, m.seq),
        })
        .collect();
    assert!(ends.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn folding_counts_idle_fetch_round_trips_but_keeps_elections_and_commits() {
    let run = |fold| {
        let options = DiagramOptions {
            fold_routine: fold,
            max_messages: usize::MAX,
            ..DiagramOptions::default()
        };
        drawn(ClusterSpec::kraft(3, 2, 5), options, |w| {
            w.run_for(secs(4));
            w.apply(&UserAction::Write { count: 1, to: None })
                .expect("write");
            w.run_for(secs(4));
        })
    };
    let (folded, all) = (run(true), run(false));
    assert_eq!(all.folded(), 0);
    assert!(folded.folded() > 50, "folded {}", folded.folded());
    assert_eq!(
        folded.arrows().count() as u64 + folded.folded(),
        all.arrows().count() as u64
    );
    let count = |d: &Diagram, name: &str| d.arrows().filter(|a| a.label.starts_with(name)).count();
    for name in [
        "Vote ",
        "PreVote ",
        "VoteResponse",
        "BeginQuorumEpoch",
        "BrokerRegistration",
    ] {
        assert_eq!(count(&folded, name), count(&all, name), "{name}");
    }
    assert_eq!(folded.marks(), all.marks());
    // What replicates a record is never folded.
    assert!(folded.arrows().any(|a| a.label.contains("records")));
    assert!(folded.to_mermaid().contains("routine messages folded"));
}

#[test]
fn zookeeper_pings_are_folded() {
    let d = drawn(
        ClusterSpec::zookeeper(3, 1, 2),
        DiagramOptions::default(),
        |w| w.run_for(secs(8)),
    );
    assert!(d.folded() > 0);
    assert!(!d
        .arrows()
        .any(|a| a.label.contains("Ping") || a.label.contains("Pong")));
    assert!(d.marks().iter().any(|m| m.kind == MarkKind::Leader));
    assert_mermaid(&d.to_mermaid());
    assert_svg(&d.to_svg());
}

#[test]
fn a_window_keeps_only_what_happens_inside_it() {
    let window = Window {
        from: SimTime(secs(2)),
        to: Some(SimTime(secs(5))),
    };
    let options = DiagramOptions {
        window,
        ..DiagramOptions::default()
    };
    let d = drawn(ClusterSpec::kraft(3, 1, 7), options, failover);
    assert!(d.arrows().count() > 0);
    for a in d.arrows() {
        assert!(window.contains(a.sent), "{a:?}");
        assert!(a.end().is_none_or(|t| window.contains(t)), "{a:?}");
    }
    assert!(d.marks().iter().all(|m| window.contains(m.at)));
    assert_eq!(d.end(), SimTime(secs(5)));
    // The lanes say where each node stood when the window opened: one leader by then.
    let states: Vec<String> = d.lanes().iter().map(|l| d.lane_state(l.id)).collect();
    assert_eq!(
        states.iter().filter(|s| s.starts_with("leader")).count(),
        1,
        "{states:?}"
    );
}

#[test]
fn past_its_bound_a_diagram_stops_and_says_how_much_it_left_out() {
    let options = DiagramOptions {
        max_messages: 30,
        ..DiagramOptions::default()
    };
    let d = drawn(ClusterSpec::kraft(3, 3, 7), options, failover);
    assert!(d.is_cut());
    assert!(d.arrows().count() <= 30);
    assert!(d.not_drawn() > 100, "{}", d.not_drawn());
    let note = format!("… {} more messages not drawn", d.not_drawn());
    let svg = d.to_svg();
    assert!(svg.contains(&note), "{note}");
    assert!(svg.contains("choose a shorter window"));
    let m = d.to_mermaid();
    assert_mermaid(&m);
    assert!(m.contains(&format!("{} more messages not drawn", d.not_drawn())));
    assert!(d.marks().iter().all(|mk| mk.at <= d.end()));
}

#[test]
fn a_partition_s_drops_end_in_a_cross_with_their_reason() {
    let d = drawn(
        ClusterSpec::kraft(3, 0, 7),
        DiagramOptions::default(),
        |w| {
            w.run_for(secs(3));
            let leader = w.active_leader().expect("leader");
            w.apply(&UserAction::Isolate(leader)).expect("isolate");
            w.run_for(secs(4));
        },
    );
    assert!(d
        .marks()
        .iter()
        .any(|m| m.kind == MarkKind::Network && m.node.is_none()));
    let m = d.to_mermaid();
    assert_mermaid(&m);
    assert!(
        m.lines()
            .any(|l| l.contains(" -x ") && l.ends_with("(partitioned)")),
        "{m}"
    );
    assert!(m.contains("Note over C3000,C3002: network"), "{m}");
}

#[test]
fn a_diagram_begun_on_a_running_world_takes_the_messages_in_flight() {
    let mut world = crate::check::checked_world(ClusterSpec::kraft(3, 0, 7), true);
    world.run_until_cond(SimTime(secs(5)), |w| {
        w.now() >= SimTime(ms(2_500)) && w.network().in_flight_count() > 0
    });
    let flying = world.network().in_flight_count();
    let began = world.now();
    assert!(flying > 0);
    let d = Diagram::begin(&world, DiagramOptions::default());
    assert_eq!(d.arrows().count(), flying);
    assert!(d
        .arrows()
        .all(|a| a.sent <= began && a.fate == Fate::InFlight));
    world.add_observer(Box::new(d));
    world.run_for(secs(1));
    let d = world.observer::<Diagram>().expect("installed");
    // What was in flight has arrived since; only what was sent in the last moments may not.
    assert!(d
        .arrows()
        .all(|a| a.end().is_some() || a.sent >= began + ms(900)));

    assert!(d.lane_state(NodeId(3000)).contains("epoch"));
}

#[test]
fn text_from_the_run_is_escaped_in_svg_and_made_safe_in_mermaid() {
    let mut d = drawn(
        ClusterSpec::kraft(3, 0, 7),
        DiagramOptions::default(),
        |w| w.run_for(secs(2)),
    );
    let nasty = "network: <script>alert('x')</script> & \"q\"; #1 %% 50% {a}";
    d.mark(SimTime(secs(2)), None, MarkKind::Network, nasty.into());
    d.mark(
        SimTime(secs(2)),
        Some(NodeId(3001)),
        MarkKind::Note,
        nasty.into(),
    );
    let svg = d.to_svg();
    let text = assert_svg(&svg);
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"));
    assert!(text.contains("&lt;script&gt;"));
    let m = d.to_mermaid();
    assert_mermaid(&m);
    assert!(
        m.contains("network, script alert('x') /script q 1 pctpct 50pct a at 2 s"),
        "{m}"
    );
}

#[test]
fn escaping_helpers() {
    assert_eq!(esc("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&#39; ");
    assert_eq!(safe("Fetch e2 off=12"), "Fetch e2 off=12");
    assert_eq!(safe("a;b#c:d"), "a b c,d");
    assert_eq!(safe("<>"), "-");
    assert_eq!(safe("… 3 more"), "... 3 more");
    assert_eq!(fmt_time(0), "0 ms");
    assert_eq!(fmt_time(15_234), "15.2 ms");
    assert_eq!(fmt_time(250_000), "250 ms");
    assert_eq!(fmt_time(2_315_000), "2.315 s");
    assert_eq!(fmt_time(2_300_000), "2.3 s");
    assert_eq!(fmt_time(62_000_000), "62 s");
}

#[test]
fn the_same_run_draws_the_same_bytes() {
    let once = || {
        drawn(
            ClusterSpec::kraft(3, 2, 11),
            DiagramOptions::default(),
            failover,
        )
    };
    let (a, b) = (once(), once());
    assert_eq!(a.to_svg(), b.to_svg());
    assert_eq!(a.to_mermaid(), b.to_mermaid());
}

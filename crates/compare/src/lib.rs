//! ZooKeeper vs KRaft, side by side, as safe HTML: one fault applied to both modes with the
//! same shape and partition count (a real simulation of each, the bulk work charged by the
//! cost model, `kraftlab_core::run::compare`), each recovery drawn as a bar of phases, and a
//! sweep over partition counts plotted on log axes. The app's comparison panel shows what this
//! returns; it runs in a Web Worker (`main.rs`), so the simulations and the drawing code are
//! not part of the app's first load and the page keeps animating while they run.
//!
//! Every text that comes from the run (phase names, the story, an error) is escaped; the rest
//! is this file's own markup. The test ids are the ones the end-to-end tests read.
//!
//! The same worker draws a run as a space-time diagram ([`diagram_json`]): a share link's run
//! replayed by the core (`kraftlab_core::run::diagram::link_diagram`) and answered as JSON
//! holding the SVG and the Mermaid text, so that the replay, possibly long, stays off the
//! page's thread too.

use std::fmt::Write as _;

use kraftlab_core::decimal::fixed;
use kraftlab_core::run::compare::{compare, Comparison, Fault, ModeResult, Shape, SWEEP};
use kraftlab_core::run::diagram::link_diagram;
use kraftlab_core::tools::diagram::{DiagramOptions, Window};
use kraftlab_core::types::{secs, SimTime};
use pulldown_cmark_escape::escape_html;

/// What the panel asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The sweep over [`SWEEP`] instead of one comparison.
    pub sweep: bool,
    /// The fault's name (`Fault::NAMES`).
    pub fault: String,
    /// How long a `pause-zk` fault pauses the ZooKeeper leader, in seconds.
    pub pause_s: u64,
    /// Partitions counted in both clusters (the sweep ignores it).
    pub partitions: u64,
    /// Brokers in both clusters.
    pub brokers: usize,
    /// Other ZooKeeper clients per server.
    pub zk_clients: u64,
}

/// Phase colours, in phase order (colour-blind safe, and each bar is also labelled).
const PHASE_COLOURS: &[(&str, &str)] = &[
    ("failure detected", "#9e9e9e"),
    ("controller elected", "#e69f00"),
    ("metadata loaded", "#d55e00"),
    ("brokers updated", "#cc79a7"),
    ("writes possible", "#0072b2"),
    ("all partitions led", "#009e73"),
];

fn colour(name: &str) -> &'static str {
    PHASE_COLOURS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .unwrap_or("#777")
}

fn esc(text: &str) -> String {
    let mut out = String::new();
    let _ = escape_html(&mut out, text);
    out
}

fn secs_text(ms: u64) -> String {
    format!("{} s", fixed(ms as f64 / 1000.0, 1))
}

fn num(x: f64) -> String {
    let s = fixed(x, 1);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The comparison or the sweep `r` asks for, as HTML (an error as an alert paragraph).
pub fn render(r: &Request) -> String {
    let fault = match Fault::parse(&r.fault, secs(r.pause_s.clamp(1, 600))) {
        Ok(f) => f,
        Err(e) => return error(&e),
    };
    let shape = |partitions: u64| Shape {
        brokers: r.brokers.clamp(3, 12),
        partitions: partitions.clamp(1, 2_000_000),
        zk_clients: r.zk_clients.min(20_000),
        ..Shape::default()
    };
    if r.sweep {
        match SWEEP
            .iter()
            .map(|p| compare(fault, &shape(*p)))
            .collect::<Result<Vec<_>, _>>()
        {
            Ok(rows) => sweep_view(&rows),
            Err(e) => error(&e),
        }
    } else {
        match compare(fault, &shape(r.partitions)) {
            Ok(c) => result_view(&c),
            Err(e) => error(&e),
        }
    }
}

/// What the app asks the worker to draw: `[id, "diagram", link_text, from_ms, to_ms]`, with
/// an optional sixth element `fold` (`false` draws routine Fetch round trips too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiagramRequest {
    /// The run as a share link packs it before compression (`scenario::share::link_text`):
    /// `# engine N`, a `cluster …` line, then `at <time> <action>` lines.
    pub link_text: String,
    /// The window's start in virtual milliseconds (`None`: the run's start).
    pub from_ms: Option<u64>,
    /// The window's end in virtual milliseconds (`None`: 10 s after the last action).
    pub to_ms: Option<u64>,
    /// Fold routine traffic (the core's `DiagramOptions::fold_routine`).
    pub fold: bool,
}

/// The diagram `r` asks for, as the JSON the worker answers with: `{"svg": "<svg …>",
/// "mermaid": "sequenceDiagram …", "error": null}`, or `{"svg": null, "mermaid": null,
/// "error": "why"}` when the link or the window is refused. The SVG is self-contained and its
/// texts are escaped by the core, so the app may show it as it is.
pub fn diagram_json(r: &DiagramRequest) -> String {
    let ms = |v: u64| SimTime(v.saturating_mul(1_000));
    let options = DiagramOptions {
        window: Window {
            from: r.from_ms.map(ms).unwrap_or(SimTime::ZERO),
            to: r.to_ms.map(ms),
        },
        fold_routine: r.fold,
        ..DiagramOptions::default()
    };
    let answer = match link_diagram(&r.link_text, options) {
        Ok(d) => serde_json::json!({
            "svg": d.to_svg(),
            "mermaid": d.to_mermaid(),
            "error": null,
        }),
        Err(e) => serde_json::json!({ "svg": null, "mermaid": null, "error": e }),
    };
    answer.to_string()
}

fn error(e: &str) -> String {
    format!("<p class=\"error\" role=\"alert\">{}</p>", esc(e))
}

/// One mode's recovery as a bar of phases scaled to `scale_ms`, and its phase table.
fn timeline(out: &mut String, r: &ModeResult, scale_ms: u64) {
    let width = 520.0;
    let scale = width / scale_ms.max(1) as f64;
    let title = if r.mode == "kraft" {
        "KRaft"
    } else {
        "ZooKeeper"
    };
    let total = r
        .recovery_ms
        .map(secs_text)
        .unwrap_or_else(|| "not within 3 h".into());
    let _ = write!(
        out,
        "<div class=\"compare-mode\" data-testid=\"compare-mode\" data-mode=\"{}\" data-recovery-ms=\"{}\">\
         <h3>{title}: recovered in {total}</h3>\
         <svg viewBox=\"0 0 {} 40\" class=\"compare-bar\" role=\"img\" aria-label=\"{title} recovery timeline, {total}\">\
         <text x=\"0\" y=\"12\" class=\"compare-axis\">0 s</text>\
         <text x=\"{}\" y=\"12\" text-anchor=\"end\" class=\"compare-axis\">{}</text>",
        esc(r.mode),
        r.recovery_ms.map(|v| v.to_string()).unwrap_or_default(),
        num(width + 4.0),
        num(width),
        secs_text(scale_ms),
    );
    for p in &r.phases {
        let x = p.start_ms as f64 * scale;
        let w = ((p.end_ms - p.start_ms) as f64 * scale).max(1.5);
        let _ = write!(
            out,
            "<rect x=\"{}\" y=\"18\" width=\"{}\" height=\"18\" fill=\"{}\" data-phase=\"{name}\"><title>{name}: {} → {} ({})</title></rect>",
            num(x),
            num(w),
            colour(p.name),
            secs_text(p.start_ms),
            secs_text(p.end_ms),
            secs_text(p.end_ms - p.start_ms),
            name = esc(p.name),
        );
    }
    out.push_str("</svg><table class=\"compare-phases\"><thead><tr><th>phase</th><th>from</th><th>to</th><th>took</th></tr></thead><tbody>");
    for p in &r.phases {
        let _ = write!(
            out,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            colour(p.name),
            esc(p.name),
            secs_text(p.start_ms),
            secs_text(p.end_ms),
            secs_text(p.end_ms - p.start_ms)
        );
    }
    out.push_str("</tbody></table></div>");
}

fn result_view(c: &Comparison) -> String {
    let scale = c
        .zookeeper
        .recovery_ms
        .max(c.kraft.recovery_ms)
        .unwrap_or(1)
        .max(1);
    let speedup = match (c.zookeeper.recovery_ms, c.kraft.recovery_ms) {
        (Some(z), Some(k)) if k > 0 => format!(
            "KRaft recovered {}× faster ({} vs {}).",
            fixed(z as f64 / k as f64, 1),
            secs_text(k),
            secs_text(z)
        ),
        _ => String::new(),
    };
    let mut out = format!(
        "<div data-testid=\"compare-result\"><p class=\"compare-headline\">{}: {} brokers, {} partitions. <strong>{speedup}</strong></p>",
        esc(&c.fault.name()),
        c.shape.brokers,
        c.shape.partitions
    );
    timeline(&mut out, &c.zookeeper, scale);
    timeline(&mut out, &c.kraft, scale);
    out.push_str("<details><summary>What happened</summary>");
    for (title, r) in [("ZooKeeper mode", &c.zookeeper), ("KRaft", &c.kraft)] {
        let _ = write!(out, "<h4>{title}</h4><ol class=\"compare-story\">");
        for line in r.story.iter().take(40) {
            let _ = write!(out, "<li>{}</li>", esc(line));
        }
        out.push_str("</ol>");
    }
    out.push_str("</details></div>");
    out
}

/// The sweep as a log–log plot (both axes labelled, in seconds and partitions, with grid
/// lines at 1, 2 and 5 of each decade) and a table.
fn sweep_view(rows: &[Comparison]) -> String {
    // The plot area inside the picture: room on the left for the seconds, below for the
    // partition counts and the axis title, above for the legend.
    let (w, h) = (560.0, 240.0);
    let (left, right, top, bottom) = (58.0, 14.0, 34.0, 40.0);
    let recoveries: Vec<u64> = rows
        .iter()
        .flat_map(|r| [r.zookeeper.recovery_ms, r.kraft.recovery_ms])
        .flatten()
        .collect();
    let max_ms = recoveries.iter().copied().max().unwrap_or(1000) as f64;
    // The seconds axis starts at the decade below the quickest recovery (at least 1 s).
    let quickest = recoveries.iter().copied().min().unwrap_or(1000).max(1000) as f64;
    let min_ms = 10f64.powf(quickest.log10().floor());
    let (y_lo, y_hi) = (min_ms.log10(), max_ms.max(min_ms * 10.0).log10());
    let x = |p: u64| {
        let (a, b) = (
            (SWEEP[0] as f64).log10(),
            (SWEEP[SWEEP.len() - 1] as f64).log10(),
        );
        left + ((p as f64).log10() - a) / (b - a) * (w - left - right)
    };
    let y = |ms: f64| {
        let v = ms.max(min_ms).log10();
        h - bottom - (v - y_lo) / (y_hi - y_lo) * (h - top - bottom)
    };
    let line = |pick: fn(&Comparison) -> Option<u64>| {
        rows.iter()
            .filter_map(|r| {
                pick(r).map(|ms| format!("{},{}", num(x(r.shape.partitions)), num(y(ms as f64))))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = format!(
        "<div data-testid=\"compare-sweep-result\">\
         <svg viewBox=\"0 0 {} {}\" class=\"compare-plot\" role=\"img\" aria-label=\"Recovery time in seconds against partition count, ZooKeeper and KRaft, both axes logarithmic\">",
        num(w),
        num(h),
    );
    // The y axis: seconds at 1, 2 and 5 of each decade in range, a grid line at each.
    let top_ms = 10f64.powf(y_hi);
    let mut decade = min_ms / 1000.0;
    while decade * 1000.0 <= top_ms {
        for m in [1.0, 2.0, 5.0] {
            let ms = decade * m * 1000.0;
            if ms > top_ms * 1.0001 {
                break;
            }
            let ty = y(ms);
            let _ = write!(
                out,
                "<line x1=\"{l}\" x2=\"{r}\" y1=\"{ty}\" y2=\"{ty}\" class=\"compare-grid\"></line>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"end\" class=\"compare-axis\" data-tick-ms=\"{}\">{} s</text>",
                num(left - 6.0),
                num(ty + 4.0),
                ms as u64,
                ms as u64 / 1000,
                l = num(left),
                r = num(w - right),
                ty = num(ty),
            );
        }
        decade *= 10.0;
    }
    for r in rows {
        let p = r.shape.partitions;
        let text = if p >= 1_000_000 {
            format!("{}M", p / 1_000_000)
        } else {
            format!("{}K", p / 1000)
        };
        let _ = write!(
            out,
            "<line x1=\"{px}\" x2=\"{px}\" y1=\"{}\" y2=\"{}\" class=\"compare-grid\"></line>\
             <text x=\"{px}\" y=\"{}\" text-anchor=\"middle\" class=\"compare-axis\">{text}</text>",
            num(top),
            num(h - bottom),
            num(h - bottom + 15.0),
            px = num(x(p)),
        );
    }
    let _ = write!(
        out,
        "<line x1=\"{l}\" x2=\"{l}\" y1=\"{t}\" y2=\"{b}\" class=\"compare-axis-line\"></line>\
         <line x1=\"{l}\" x2=\"{r}\" y1=\"{b}\" y2=\"{b}\" class=\"compare-axis-line\"></line>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" class=\"compare-axis\">partitions in the cluster (log scale)</text>\
         <text transform=\"translate(12 {}) rotate(-90)\" text-anchor=\"middle\" class=\"compare-axis\">recovery time (log scale)</text>\
         <polyline points=\"{}\" fill=\"none\" stroke=\"#d55e00\" stroke-width=\"2.5\"></polyline>\
         <polyline points=\"{}\" fill=\"none\" stroke=\"#0072b2\" stroke-width=\"2.5\" stroke-dasharray=\"6 3\"></polyline>\
         <text x=\"{}\" y=\"14\" fill=\"#d55e00\" class=\"compare-axis\">ZooKeeper (solid)</text>\
         <text x=\"{}\" y=\"28\" fill=\"#0072b2\" class=\"compare-axis\">KRaft (dashed)</text>",
        num((left + w - right) / 2.0),
        num(h - 6.0),
        num((top + h - bottom) / 2.0),
        line(|r| r.zookeeper.recovery_ms),
        line(|r| r.kraft.recovery_ms),
        num(left + 4.0),
        num(left + 4.0),
        l = num(left),
        r = num(w - right),
        t = num(top),
        b = num(h - bottom),
    );
    out.push_str("</svg><table class=\"compare-phases\"><thead><tr><th>partitions</th><th>ZooKeeper</th><th>KRaft</th><th>speed-up</th></tr></thead><tbody>");
    for r in rows {
        let (z, k) = (r.zookeeper.recovery_ms, r.kraft.recovery_ms);
        let ratio = match (z, k) {
            (Some(z), Some(k)) if k > 0 => format!("{}×", fixed(z as f64 / k as f64, 1)),
            _ => "-".into(),
        };
        let _ = write!(
            out,
            "<tr data-partitions=\"{p}\"><td>{p}</td><td>{}</td><td>{}</td><td>{ratio}</td></tr>",
            z.map(secs_text).unwrap_or_else(|| "-".into()),
            k.map(secs_text).unwrap_or_else(|| "-".into()),
            p = r.shape.partitions,
        );
    }
    out.push_str("</tbody></table></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(fault: &str, sweep: bool) -> Request {
        Request {
            sweep,
            fault: fault.into(),
            pause_s: 40,
            partitions: 100_000,
            brokers: 3,
            zk_clients: 0,
        }
    }

    #[test]
    fn a_comparison_draws_both_modes_with_their_phases_and_recovery_times() {
        let html = render(&request("crash-controller", false));
        assert!(
            html.starts_with("<div data-testid=\"compare-result\">"),
            "{html}"
        );
        assert_eq!(html.matches("data-testid=\"compare-mode\"").count(), 2);
        assert!(html.contains("data-mode=\"zookeeper\" data-recovery-ms=\""));
        assert!(html.contains("data-mode=\"kraft\" data-recovery-ms=\""));
        assert!(html.contains("data-phase=\"controller elected\""));
        assert!(html.contains("KRaft recovered"));
        // The same figures as the core's comparison, not a drawing of something else.
        let c = compare(
            Fault::parse("crash-controller", secs(40)).unwrap(),
            &Shape {
                partitions: 100_000,
                ..Shape::default()
            },
        )
        .unwrap();
        let ms = c.kraft.recovery_ms.unwrap().to_string();
        assert!(html.contains(&format!("data-mode=\"kraft\" data-recovery-ms=\"{ms}\"")));
    }

    #[test]
    fn a_sweep_has_a_row_per_partition_count() {
        let html = render(&request("controlled-shutdown", true));
        assert!(html.starts_with("<div data-testid=\"compare-sweep-result\">"));
        for p in SWEEP {
            assert!(
                html.contains(&format!("<tr data-partitions=\"{p}\">")),
                "{p}"
            );
        }
        assert_eq!(html.matches("<polyline").count(), 2);
        // Both axes say what they measure, and the seconds axis has ticks up to near
        // the slowest recovery in the table.
        assert!(html.contains(">partitions in the cluster (log scale)</text>"));
        assert!(html.contains(">recovery time (log scale)</text>"));
        // The seconds axis's ticks (ms), and the recoveries the table shows (s; "12.3 s").
        let ticks: Vec<u64> = html
            .split("data-tick-ms=\"")
            .skip(1)
            .map(|t| t[..t.find('"').unwrap()].parse::<u64>().unwrap())
            .collect();
        let seconds: Vec<f64> = html
            .split("<td>")
            .filter_map(|c| c.split_once(" s</td>"))
            .filter_map(|(v, _)| v.parse::<f64>().ok())
            .collect();
        let (top_tick, lowest_tick) = (*ticks.iter().max().unwrap(), *ticks.iter().min().unwrap());
        let slowest = seconds.iter().copied().fold(0.0f64, f64::max) * 1000.0;
        assert!(slowest > 0.0);
        // The axis starts at the decade below the quickest recovery, and no tick is lower.
        let quickest = seconds.iter().copied().fold(f64::MAX, f64::min).max(1.0);
        let floor = 10f64.powf(quickest.log10().floor()) as u64 * 1000;
        assert_eq!(lowest_tick, floor, "quickest {quickest} s");
        // The highest tick is at most 2.5 steps (of 1, 2, 5) below the slowest recovery.
        assert!((top_tick as f64) * 5.0 > slowest, "{top_tick} vs {slowest}");
        assert!(top_tick >= 10_000, "{top_tick}");
    }

    fn diagram(link_text: String, from_ms: Option<u64>, to_ms: Option<u64>) -> serde_json::Value {
        let json = diagram_json(&DiagramRequest {
            link_text,
            from_ms,
            to_ms,
            fold: true,
        });
        serde_json::from_str(&json).expect("the answer is JSON")
    }

    #[test]
    fn a_diagram_request_answers_svg_and_mermaid_as_json() {
        use kraftlab_core::scenario::share::link_text;
        use kraftlab_core::sim::{ClusterSpec, UserAction};
        use kraftlab_core::types::NodeId;
        let text = link_text(
            &ClusterSpec::kraft(3, 1, 42),
            &[(SimTime(secs(3)), UserAction::Crash(NodeId(3000)))],
        );
        let v = diagram(text.clone(), Some(2_500), Some(7_000));
        assert!(v["error"].is_null(), "{v}");
        let svg = v["svg"].as_str().expect("svg");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("2.5 s to 7 s"), "{svg}");
        let mermaid = v["mermaid"].as_str().expect("mermaid");
        assert!(mermaid.starts_with("sequenceDiagram\n"));
        assert!(mermaid.contains("crashed at 3 s"), "{mermaid}");
        // The same request, the same answer.
        assert_eq!(v, diagram(text, Some(2_500), Some(7_000)));
    }

    #[test]
    fn a_bad_diagram_request_is_an_error_in_the_json() {
        let v = diagram("<script>".into(), None, None);
        assert!(v["svg"].is_null() && v["mermaid"].is_null());
        let e = v["error"].as_str().expect("an error");
        assert!(e.contains("does not say which engine"), "{e}");
        use kraftlab_core::scenario::share::link_text;
        let text = link_text(&kraftlab_core::sim::ClusterSpec::kraft(3, 0, 1), &[]);
        let v = diagram(text, Some(5_000), Some(1_000));
        assert!(v["error"]
            .as_str()
            .expect("an error")
            .contains("start must come first"));
    }

    #[test]
    fn a_bad_request_is_an_escaped_error_never_a_panic() {
        let html = render(&request("<script>", false));
        assert!(
            html.starts_with("<p class=\"error\" role=\"alert\">"),
            "{html}"
        );
        assert!(!html.contains("<script>"));
        let odd = Request {
            brokers: 0,
            partitions: u64::MAX,
            zk_clients: u64::MAX,
            pause_s: 0,
            ..request("pause-zk", false)
        };
        assert!(
            render(&odd).contains("compare-result"),
            "clamped, not refused"
        );
    }
}

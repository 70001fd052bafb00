//! The diagram as a self-contained SVG: inline attributes only (no stylesheet, no script, no
//! external reference), every text escaped, so it can be saved as a file, put in an `<img>`
//! or inlined in a page as it is.
//!
//! Time runs down the page. Its scale follows the events, not the clock: each instant that
//! holds an event gets a row, consecutive instants are 3 px per millisecond apart (at least
//! 16 px, so that labels do not pile up), and a stretch with no event longer than
//! [`IDLE_US`] is drawn as a short grey band saying how long it was. So a diagram's height
//! grows with what happened, and an idle minute costs one band.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::flat::FlatMap;
use crate::sim::NodeKind;
use crate::types::{NodeId, SimTime};

use super::{fmt_time, Arrow, Diagram, Family, Fate, Lane, MarkKind};

/// Width of the time axis column on the left.
const LEFT: i64 = 96;
/// Width of one lane.
const LANE_W: i64 = 220;
/// Room on the right for the last lane's marks.
const RIGHT: i64 = 150;
/// Where the lane headers begin, under the title.
const HEAD_TOP: i64 = 30;
/// Height of a lane header.
const HEAD_H: i64 = 34;
/// The first instant's row.
const TOP: i64 = HEAD_TOP + HEAD_H + 24;
/// Least distance between two instants.
const MIN_GAP: i64 = 16;
/// Pixels per millisecond between two instants closer than [`IDLE_US`].
const PX_PER_MS: i64 = 3;
/// A stretch without events longer than this (30 ms, two network latencies at most) is
/// compressed into a band.
pub const IDLE_US: u64 = 30_000;
/// Height of a compressed stretch.
const IDLE_GAP: i64 = 30;
/// Height of one mark, when several share an instant on a lane.
const MARK_H: i64 = 13;
/// Least distance between two labels of the time axis.
const LABEL_GAP: i64 = 36;

/// XML-escapes text for an element or an attribute value.
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A family's colour (Okabe–Ito, colour-blind safe; each arrow is labelled too) and name.
fn colour(family: Family) -> (&'static str, &'static str) {
    match family {
        Family::Vote => ("#b07800", "vote"),
        Family::Epoch => ("#d55e00", "epoch"),
        Family::Fetch => ("#0072b2", "fetch"),
        Family::Snapshot => ("#009e73", "snapshot"),
        Family::Controller => ("#cc79a7", "controller"),
        Family::ZooKeeper => ("#56b4e9", "zookeeper"),
    }
}

const FAMILIES: [Family; 6] = [
    Family::Vote,
    Family::Epoch,
    Family::Fetch,
    Family::Snapshot,
    Family::Controller,
    Family::ZooKeeper,
];

/// Where every instant is drawn, and the compressed stretches.
struct Layout {
    y: BTreeMap<SimTime, i64>,
    /// Compressed stretches: the band's top, and how long the stretch was.
    bands: Vec<(i64, u64)>,
    bottom: i64,
}

impl Layout {
    fn of(d: &Diagram, lane_of: &FlatMap<NodeId, usize>, end: SimTime) -> Layout {
        // How many marks each instant stacks on its busiest lane.
        let mut stacks: BTreeMap<SimTime, FlatMap<usize, i64>> = BTreeMap::new();
        for m in &d.marks {
            let lanes: Vec<usize> = match m.node {
                Some(n) => lane_of.get(&n).copied().into_iter().collect(),
                None => (0..lane_of.len()).collect(),
            };
            let at = stacks.entry(m.at).or_default();
            for l in lanes {
                *at.entry(l).or_default() += 1;
            }
        }
        let mut times: Vec<SimTime> = d
            .arrows
            .values()
            .flat_map(|a| [Some(a.sent), a.end()])
            .flatten()
            .chain(stacks.keys().copied())
            .chain([d.options.window.from, end])
            .filter(|t| *t >= d.options.window.from && *t <= end)
            .collect();
        times.sort();
        times.dedup();
        let mut y = BTreeMap::new();
        let mut bands = Vec::new();
        let mut at = TOP;
        let mut previous: Option<(SimTime, i64)> = None;
        for t in times {
            if let Some((before, stack)) = previous {
                let dt = t.since(before);
                if dt > IDLE_US {
                    bands.push((at + stack, dt));
                    at += stack + IDLE_GAP;
                } else {
                    let gap = (dt as i64 * PX_PER_MS / 1_000).max(MIN_GAP);
                    at += gap.max(stack);
                }
            }
            let stack = stacks
                .get(&t)
                .and_then(|s| s.values().max().copied())
                .unwrap_or(0)
                * MARK_H;
            y.insert(t, at);
            previous = Some((t, stack));
        }
        let bottom = at + previous.map(|(_, s)| s).unwrap_or(0) + 16;
        Layout { y, bands, bottom }
    }

    /// The row of instant `t` (the nearest drawn instant at or before it).
    fn at(&self, t: SimTime) -> i64 {
        self.y
            .range(..=t)
            .next_back()
            .or_else(|| self.y.iter().next())
            .map(|(_, y)| *y)
            .unwrap_or(TOP)
    }
}

fn lane_x(i: usize) -> i64 {
    LEFT + i as i64 * LANE_W + LANE_W / 2
}

/// Where along its way a message that did not arrive is drawn to end: the share of its
/// journey done by `t`, in thousandths, kept between a fifth and nine tenths so that the
/// cross sits visibly between the two lanes.
fn share(a: &Arrow, t: SimTime) -> i64 {
    let total = a.due.since(a.sent);
    if total == 0 {
        return 200;
    }
    ((t.since(a.sent) * 1_000 / total) as i64).clamp(200, 900)
}

impl Diagram {
    /// The diagram as a self-contained SVG document (see the module doc of `svg.rs`).
    pub fn to_svg(&self) -> String {
        let lanes = self.drawn_lanes();
        let lane_of: FlatMap<NodeId, usize> =
            lanes.iter().enumerate().map(|(i, l)| (l.id, i)).collect();
        let end = self.end();
        let layout = Layout::of(self, &lane_of, end);
        let notes = self.footnotes();
        let width = LEFT + lanes.len().max(1) as i64 * LANE_W + RIGHT;
        let height = layout.bottom + 24 + notes.len() as i64 * 16 + 8;
        let from = self.options.window.from;
        let title = format!(
            "Space-time diagram, {} to {}: {} messages drawn, {} marks",
            fmt_time(from.0),
            fmt_time(end.0),
            self.arrows.len(),
            self.marks.len()
        );

        let mut s = String::new();
        let _ = write!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"10\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\n<defs>",
            t = esc(&title)
        );
        for f in FAMILIES {
            let (c, name) = colour(f);
            let _ = write!(
                s,
                "<marker id=\"kl-arrow-{name}\" viewBox=\"0 0 8 8\" refX=\"8\" refY=\"4\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"{c}\"/></marker>"
            );
        }
        s.push_str("</defs>\n");
        let _ = writeln!(
            s,
            "<text x=\"8\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{}</text>",
            esc(&title)
        );

        // Compressed stretches, behind everything.
        for (top, dt) in &layout.bands {
            let _ = writeln!(
                s,
                "<rect x=\"4\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#f0f0f0\"/><text x=\"8\" y=\"{}\" fill=\"#666666\" font-style=\"italic\">{}</text>",
                top + 4,
                width - 8,
                IDLE_GAP - 8,
                top + IDLE_GAP / 2 + 3,
                esc(&format!("… {} later", fmt_time(*dt)))
            );
        }

        self.svg_lanes(&mut s, &lanes, &layout);
        self.svg_axis(&mut s, &layout);
        for a in self.arrows.values() {
            svg_arrow(&mut s, a, &lanes, &lane_of, &layout, end);
        }
        self.svg_marks(&mut s, &lanes, &lane_of, &layout);

        for (i, note) in notes.iter().enumerate() {
            let _ = writeln!(
                s,
                "<text x=\"8\" y=\"{}\" font-size=\"11\" fill=\"#333333\">{}</text>",
                layout.bottom + 30 + i as i64 * 16,
                esc(note)
            );
        }
        s.push_str("</svg>\n");
        s
    }

    /// Lane headers, lane lines (solid while up, dashed red while down, dotted while paused)
    /// and the lane names again at the bottom.
    fn svg_lanes(&self, s: &mut String, lanes: &[Lane], layout: &Layout) {
        let top = HEAD_TOP + HEAD_H;
        for (i, lane) in lanes.iter().enumerate() {
            let x = lane_x(i);
            let fill = match lane.kind {
                NodeKind::Controller | NodeKind::Combined => "#e8f1fa",
                NodeKind::ZooKeeper => "#fdf1dc",
                NodeKind::Broker | NodeKind::ZkBroker => "#f2f2f2",
            };
            let _ = writeln!(
                s,
                "<rect x=\"{}\" y=\"{HEAD_TOP}\" width=\"{}\" height=\"{HEAD_H}\" rx=\"4\" fill=\"{fill}\" stroke=\"#888888\"/><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\">{}</text><text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555555\">{}</text>",
                x - LANE_W / 2 + 8,
                LANE_W - 16,
                HEAD_TOP + 15,
                esc(&lane.label),
                HEAD_TOP + 28,
                esc(&self.lane_state(lane.id))
            );
            // The lane's stretches: up, down or paused, from where it stood at the window's
            // opening through its marks.
            let first = self.state_at_from(lane.id);
            let mut state = if first.down {
                MarkKind::Down
            } else if first.paused {
                MarkKind::Paused
            } else {
                MarkKind::Up
            };
            let mut since = top;
            let mut stretches = Vec::new();
            for m in self.marks.iter().filter(|m| m.node == Some(lane.id)) {
                let next = match m.kind {
                    MarkKind::Down => MarkKind::Down,
                    MarkKind::Up | MarkKind::Resumed => MarkKind::Up,
                    MarkKind::Paused => MarkKind::Paused,
                    _ => continue,
                };
                let y = layout.at(m.at);
                stretches.push((since, y, state));
                since = y;
                state = next;
            }
            stretches.push((since, layout.bottom, state));
            for (y0, y1, state) in stretches.into_iter().filter(|(a, b, _)| b > a) {
                let style = match state {
                    MarkKind::Down => {
                        "stroke=\"#d55e00\" stroke-width=\"1.5\" stroke-dasharray=\"4 4\""
                    }
                    MarkKind::Paused => {
                        "stroke=\"#999999\" stroke-width=\"1.5\" stroke-dasharray=\"1 3\""
                    }
                    _ => "stroke=\"#999999\" stroke-width=\"1.5\"",
                };
                let _ = writeln!(
                    s,
                    "<line x1=\"{x}\" y1=\"{y0}\" x2=\"{x}\" y2=\"{y1}\" {style}/>"
                );
            }
            let _ = writeln!(
                s,
                "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555555\">{}</text>",
                layout.bottom + 12,
                esc(&lane.label)
            );
        }
    }

    /// The time axis: the virtual time of instants at least [`LABEL_GAP`] apart, and of the
    /// first instant after each compressed stretch.
    fn svg_axis(&self, s: &mut String, layout: &Layout) {
        let after_band: Vec<i64> = layout
            .bands
            .iter()
            .filter_map(|(top, _)| layout.y.values().find(|y| **y > *top).copied())
            .collect();
        let mut last: Option<i64> = None;
        for (t, y) in &layout.y {
            if last.is_some_and(|l| y - l < LABEL_GAP) && !after_band.contains(y) {
                continue;
            }
            last = Some(*y);
            let _ = writeln!(
                s,
                "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#bbbbbb\"/><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#444444\">{}</text>",
                LEFT - 6,
                LEFT,
                LEFT - 8,
                y + 3,
                esc(&fmt_time(t.0))
            );
        }
    }

    /// Every mark, stacked when several share an instant on one lane.
    fn svg_marks(
        &self,
        s: &mut String,
        lanes: &[Lane],
        lane_of: &FlatMap<NodeId, usize>,
        layout: &Layout,
    ) {
        let mut stacked: BTreeMap<(SimTime, usize), i64> = BTreeMap::new();
        let last_x = lane_x(lanes.len().saturating_sub(1));
        for m in &self.marks {
            let tip = esc(&format!("{}: {}", fmt_time(m.at.0), m.text));
            let Some(node) = m.node else {
                // Across every lane: a network change.
                let mut n = 0;
                for i in 0..lanes.len() {
                    let k = stacked.entry((m.at, i)).or_default();
                    n = n.max(*k);
                    *k += 1;
                }
                let y = layout.at(m.at) + n * MARK_H;
                let _ = writeln!(
                    s,
                    "<g><title>{tip}</title><line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#7a3e63\" stroke-dasharray=\"6 3\"/><text x=\"{}\" y=\"{}\" fill=\"#7a3e63\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text></g>",
                    LEFT,
                    last_x + 20,
                    last_x + 24,
                    y + 3,
                    esc(&m.text)
                );
                continue;
            };
            let Some(&i) = lane_of.get(&node) else {
                continue;
            };
            let k = stacked.entry((m.at, i)).or_default();
            let y = layout.at(m.at) + *k * MARK_H;
            *k += 1;
            let x = lane_x(i);
            let (shape, text_fill, weight) = match m.kind {
                MarkKind::Leader => (
                    format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"5\" fill=\"#e69f00\" stroke=\"#000000\"/>"),
                    "#000000",
                    "bold",
                ),
                MarkKind::Election => (
                    format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"4\" fill=\"#ffffff\" stroke=\"#e69f00\" stroke-width=\"2\"/>"),
                    "#8a5a00",
                    "normal",
                ),
                MarkKind::Down => (
                    format!(
                        "<path d=\"M{},{} L{},{} M{},{} L{},{}\" stroke=\"#cc0000\" stroke-width=\"2.5\"/>",
                        x - 5, y - 5, x + 5, y + 5, x - 5, y + 5, x + 5, y - 5
                    ),
                    "#cc0000",
                    "bold",
                ),
                MarkKind::Up | MarkKind::Resumed => (
                    format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"4\" fill=\"#009e73\"/>"),
                    "#00704f",
                    "bold",
                ),
                MarkKind::Paused => (
                    format!("<rect x=\"{}\" y=\"{}\" width=\"8\" height=\"8\" fill=\"#888888\"/>", x - 4, y - 4),
                    "#555555",
                    "bold",
                ),
                MarkKind::Commit => (
                    format!("<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#0072b2\" stroke-width=\"3\"/>", x - 6, x + 6),
                    "#0072b2",
                    "normal",
                ),
                MarkKind::Role | MarkKind::Note | MarkKind::Network => (
                    format!("<circle cx=\"{x}\" cy=\"{y}\" r=\"3\" fill=\"#777777\"/>"),
                    "#555555",
                    "normal",
                ),
            };
            let _ = writeln!(
                s,
                "<g><title>{tip}</title>{shape}<text x=\"{}\" y=\"{}\" fill=\"{text_fill}\" font-weight=\"{weight}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text></g>",
                x + 8,
                y + 3,
                esc(&m.text)
            );
        }
    }
}

/// One message: a line from its sender when it left to its receiver when it arrived, with an
/// arrowhead; to a red cross part of the way for one not delivered; dotted to the bottom for
/// one still travelling. Its label sits two fifths of the way from the sender, so that the
/// labels of two messages crossing each other do not meet in the middle.
fn svg_arrow(
    s: &mut String,
    a: &Arrow,
    lanes: &[Lane],
    lane_of: &FlatMap<NodeId, usize>,
    layout: &Layout,
    end: SimTime,
) {
    let (Some(&i), Some(&j)) = (lane_of.get(&a.from), lane_of.get(&a.to)) else {
        return;
    };
    let x1 = lane_x(i);
    let x2 = if i == j { x1 + 30 } else { lane_x(j) };
    let y1 = layout.at(a.sent);
    let (colour, family) = colour(a.family);
    let dash = if a.request {
        ""
    } else {
        " stroke-dasharray=\"5 3\""
    };
    let name = |k: usize| lanes.get(k).map(|l| l.label.as_str()).unwrap_or("?");
    let (xe, ye, label, tip, head) = match a.fate {
        Fate::Delivered(t) => (
            x2,
            layout.at(t),
            a.label.clone(),
            format!(
                "{} → {}, sent {}, delivered {}: {}",
                name(i),
                name(j),
                fmt_time(a.sent.0),
                fmt_time(t.0),
                a.detail
            ),
            true,
        ),
        Fate::Dropped(t, reason) => (
            x1 + (x2 - x1) * share(a, t) / 1_000,
            layout.at(t),
            format!("{} ✕ {}", a.label, reason.label()),
            format!(
                "{} → {}, sent {}, {} at {}: {}",
                name(i),
                name(j),
                fmt_time(a.sent.0),
                reason.label(),
                fmt_time(t.0),
                a.detail
            ),
            false,
        ),
        Fate::InFlight => (
            x1 + (x2 - x1) * share(a, end) / 1_000,
            layout.at(end),
            format!("{} (in flight)", a.label),
            format!(
                "{} → {}, sent {}, still in flight: {}",
                name(i),
                name(j),
                fmt_time(a.sent.0),
                a.detail
            ),
            false,
        ),
    };
    let marker = if head {
        format!(" marker-end=\"url(#kl-arrow-{family})\"")
    } else {
        String::new()
    };
    let _ = write!(
        s,
        "<g><title>{}</title><line x1=\"{x1}\" y1=\"{y1}\" x2=\"{xe}\" y2=\"{ye}\" stroke=\"{colour}\" stroke-width=\"1.3\"{dash}{marker}/>",
        esc(&tip)
    );
    if let Fate::Dropped(..) = a.fate {
        let _ = write!(
            s,
            "<path d=\"M{},{} L{},{} M{},{} L{},{}\" stroke=\"#cc0000\" stroke-width=\"2\"/>",
            xe - 4,
            ye - 4,
            xe + 4,
            ye + 4,
            xe - 4,
            ye + 4,
            xe + 4,
            ye - 4
        );
    }
    let _ = writeln!(
        s,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text></g>",
        x1 + (xe - x1) * 2 / 5,
        y1 + (ye - y1) * 2 / 5 - 3,
        esc(&label)
    );
}

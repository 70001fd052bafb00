//! The cluster picture: controllers on a ring, brokers in a row beneath, messages moving
//! between them, parked Fetches waiting at the leader, and cut links.
//!
//! Visual vocabulary after RaftScope (which users know): the epoch is a colour *and* a
//! numeral, election and fetch timers are arcs around the node, a candidate shows one mark per
//! voter (✓ granted, ✕ rejected, ○ waiting), requests are filled and responses hollow. Nothing
//! is carried by colour alone: roles are written, message types differ in shape, states have
//! icons.

use std::collections::BTreeMap;

use kraftlab_core::kraft::state::VoteState;
use kraftlab_core::kraft::Role;
use kraftlab_core::sim::view::{MessageView, TimerView};
use kraftlab_core::sim::{ClusterView, NodeKind, NodeStatus};
use kraftlab_core::trace::TimerKind;
use kraftlab_core::types::{NodeId, SimTime};
use leptos::prelude::*;

use crate::state::Lab;
use crate::theme::{epoch_colour, message_style, MessageShape};

/// Where each node is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Node centres.
    pub pos: BTreeMap<NodeId, (f64, f64)>,
    /// Height of the picture.
    pub height: f64,
    /// Width of the picture.
    pub width: f64,
}

/// Width of the picture's coordinate system on wide screens.
pub const WIDTH: f64 = 640.0;
/// Width on phones: a narrower system draws everything larger.
pub const NARROW_WIDTH: f64 = 420.0;
const CONTROLLER_R: f64 = 28.0;
const BROKER_R: f64 = 20.0;

/// Places controllers on a ring and brokers in rows under it, in a picture `width` wide.
pub fn layout(view: &ClusterView, width: f64) -> Layout {
    let controllers: Vec<NodeId> = view
        .nodes
        .iter()
        .filter(|n| n.kind.has_controller() || n.kind == NodeKind::ZooKeeper)
        .map(|n| n.id)
        .collect();
    let brokers: Vec<NodeId> = view
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Broker | NodeKind::ZkBroker))
        .map(|n| n.id)
        .collect();
    let mut pos = BTreeMap::new();
    let n = controllers.len().max(1) as f64;
    let ring = if controllers.len() <= 1 {
        0.0
    } else {
        (55.0 + 22.0 * n).min(150.0).min(width / 2.0 - 50.0)
    };
    let cx = width / 2.0;
    let cy = 40.0 + ring + CONTROLLER_R;
    for (i, id) in controllers.iter().enumerate() {
        let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / n;
        pos.insert(*id, (cx + ring * a.cos(), cy + ring * a.sin()));
    }
    let mut height = cy + ring + CONTROLLER_R + 40.0;
    if !brokers.is_empty() {
        let per_row = if width < WIDTH { 5usize } else { 8 };
        let rows = brokers.len().div_ceil(per_row);
        let top = height + 20.0;
        for (i, id) in brokers.iter().enumerate() {
            let row = i / per_row;
            let in_row = brokers.len().min((row + 1) * per_row) - row * per_row;
            let col = i % per_row;
            let spacing = (width - 80.0) / in_row as f64;
            let x = 40.0 + spacing * (col as f64 + 0.5);
            pos.insert(*id, (x, top + row as f64 * 70.0));
        }
        height = top + (rows - 1) as f64 * 70.0 + BROKER_R + 36.0;
    }
    Layout { pos, height, width }
}

/// What a node's drawing depends on; compared so that unchanged nodes are not redrawn.
#[derive(Clone, Debug, PartialEq)]
struct Glyph {
    kind: NodeKind,
    status: NodeStatus,
    role: Option<Role>,
    role_label: &'static str,
    epoch: u32,
    is_voter: bool,
    timers: Vec<TimerView>,
    votes: Vec<(NodeId, VoteState)>,
    shutting_down: bool,
    leo: u64,
    hw: Option<u64>,
    broker_state: Option<&'static str>,
    fenced: Option<bool>,
    active_controller: bool,
    failure: Option<String>,
    lag: Option<u64>,
    zk_role: Option<&'static str>,
    zk_controller_epoch: Option<u32>,
    zk_controller_stage: Option<&'static str>,
    zk_connected: Option<bool>,
}

fn glyph(view: &ClusterView, id: NodeId) -> Option<Glyph> {
    let n = view.node(id)?;
    Some(Glyph {
        kind: n.kind,
        status: n.status,
        role: n.role,
        role_label: n.role_label(),
        epoch: n.epoch,
        is_voter: n.is_voter,
        timers: n.timers.clone(),
        votes: n.votes.clone(),
        shutting_down: n.shutting_down,
        leo: n.log_end_offset,
        hw: n.high_watermark,
        broker_state: n.broker_state,
        fenced: n.fenced,
        active_controller: n.active_controller,
        failure: n.failure.clone(),
        lag: n.metadata_lag,
        zk_role: n.zk_role,
        zk_controller_epoch: n.zk_controller_epoch,
        zk_controller_stage: n.zk_controller_stage,
        zk_connected: n.zk_connected,
    })
}

/// An SVG arc path: a circle of radius `r` around `(cx, cy)`, `fraction` of it drawn
/// clockwise from the top.
fn arc(cx: f64, cy: f64, r: f64, fraction: f64) -> String {
    let f = fraction.clamp(0.0, 1.0);
    if f <= 0.0 {
        return String::new();
    }
    if f >= 0.999 {
        return format!(
            "M {cx} {} A {r} {r} 0 1 1 {cx} {} A {r} {r} 0 1 1 {cx} {}",
            cy - r,
            cy + r,
            cy - r
        );
    }
    let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * f;
    let (x, y) = (cx + r * a.cos(), cy + r * a.sin());
    let large = if f > 0.5 { 1 } else { 0 };
    format!("M {cx} {} A {r} {r} 0 {large} 1 {x:.2} {y:.2}", cy - r)
}

fn status_word(status: NodeStatus) -> &'static str {
    match status {
        NodeStatus::Up => "running",
        NodeStatus::Paused { .. } => "paused",
        NodeStatus::Crashed => "crashed",
        NodeStatus::Stopped => "stopped",
    }
}

/// The aria label and tooltip of a node.
fn describe(id: NodeId, g: &Glyph) -> String {
    let what = match g.kind {
        NodeKind::Controller => "Controller",
        NodeKind::Broker => "Broker",
        NodeKind::Combined => "Combined controller and broker",
        NodeKind::ZooKeeper => "ZooKeeper server",
        NodeKind::ZkBroker => "ZooKeeper-mode broker",
    };
    let mut s = format!("{what} {id}, {}", status_word(g.status));
    if let Some(why) = &g.failure {
        s += &format!(" ({why})");
    }
    if let Some(role) = g.zk_role {
        s += &format!(", ZooKeeper {role}, epoch {}", g.epoch);
        return s;
    }
    if let Some(e) = g.zk_controller_epoch {
        s += &format!(", controller (controller epoch {e})");
    }
    if let Some(role) = g.role {
        s += &format!(", {}", if g.is_voter { role.name() } else { "observer" });
    }
    s += &format!(", epoch {}, log end offset {}", g.epoch, g.leo);
    if let Some(hw) = g.hw {
        s += &format!(", high watermark {hw}");
    }
    if g.shutting_down {
        s += ", shutting down";
    }
    if g.active_controller {
        s += ", active controller";
    }
    if let Some(state) = g.broker_state {
        s += &format!(", broker {state}");
    }
    if g.fenced == Some(true) {
        s += ", fenced";
    }
    if let Some(lag) = g.lag {
        s += &format!(", metadata lag {lag}");
    }
    s
}

/// The second line under a node: the metadata role (active controller, broker state, fenced).
fn meta_line(g: &Glyph) -> String {
    if !g.status.is_live() {
        return if g.failure.is_some() {
            "REFUSED".into()
        } else if g.fenced == Some(true) {
            "FENCED".into()
        } else {
            String::new()
        };
    }
    let mut parts: Vec<&str> = Vec::new();
    if let Some(role) = g.zk_role {
        return role.to_uppercase();
    }
    if g.zk_controller_epoch.is_some() {
        parts.push("CONTROLLER");
        if let Some(stage) = g.zk_controller_stage.filter(|s| *s != "ready") {
            parts.push(match stage {
                "loading" => "LOADING",
                "pushing" => "PUSHING",
                "moving" => "MOVING",
                _ => "BUSY",
            });
        }
    }
    if g.zk_connected == Some(false) {
        parts.push("NO SESSION");
    }
    if g.active_controller {
        parts.push("ACTIVE");
    }
    if g.fenced == Some(true) {
        parts.push("FENCED");
    } else if let Some(s) = g.broker_state {
        parts.push(match s {
            "PENDING_CONTROLLED_SHUTDOWN" => "SHUTTING DOWN",
            other => other,
        });
    }
    parts.join(" · ")
}

/// One node: shape, epoch colour and numeral, role label, timers, vote marks, state icons.
///
/// The elements are created once; only their attributes follow the state, so a busy node costs
/// attribute updates, not DOM churn.
#[component]
fn NodeGlyph(id: NodeId, layout: Memo<Layout>) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let data = Memo::new(move |_| lab.view.with(|v| glyph(v, id)));
    let kind = lab
        .view
        .with_untracked(|v| v.node(id).map(|n| n.kind))
        .unwrap_or(NodeKind::Controller);
    let r = if matches!(kind, NodeKind::Broker | NodeKind::ZkBroker) {
        BROKER_R
    } else {
        CONTROLLER_R
    };
    let meta = move || data.with(|d| d.as_ref().map(meta_line).unwrap_or_default());
    let xy = move || layout.with(|l| l.pos.get(&id).copied().unwrap_or((0.0, 0.0)));
    let up = move || data.with(|d| d.as_ref().is_some_and(|d| d.status.is_live()));
    let fill = move || {
        data.with(|d| match d {
            Some(d) if d.status.is_live() => epoch_colour(d.epoch).to_string(),
            _ => "var(--down)".to_string(),
        })
    };
    let label = move || data.with(|d| d.as_ref().map(|d| describe(id, d)).unwrap_or_default());
    let open = move || {
        lab.selected_node.set(Some(id));
        lab.selected_message.set(None);
    };
    // One arc per timer family; its path follows the clock.
    let timer_arc = move |family: &'static [TimerKind]| {
        move || {
            let now = lab.view.with(|v| v.now);
            let (x, y) = xy();
            data.with(|d| {
                d.as_ref()
                    .filter(|d| d.status.is_live())
                    .and_then(|d| d.timers.iter().find(|t| family.contains(&t.kind)))
                    .filter(|t| t.deadline != SimTime::NEVER && t.deadline > t.started)
                    .map(|t| {
                        let total = t.deadline.0.saturating_sub(t.started.0) as f64;
                        let left = t.deadline.0.saturating_sub(now.0) as f64;
                        arc(x, y, r + 6.0, left / total)
                    })
                    .unwrap_or_default()
            })
        }
    };
    let timer_title = move |family: &'static [TimerKind]| {
        move || {
            let now = lab.view.with(|v| v.now);
            data.with(|d| {
                d.as_ref()
                    .and_then(|d| d.timers.iter().find(|t| family.contains(&t.kind)))
                    .map(|t| {
                        format!(
                            "{}: {:.0} ms left",
                            t.kind.label(),
                            t.deadline.0.saturating_sub(now.0) as f64 / 1000.0
                        )
                    })
                    .unwrap_or_default()
            })
        }
    };
    const ELECTION: &[TimerKind] = &[TimerKind::Election, TimerKind::Backoff];
    const FETCH: &[TimerKind] = &[TimerKind::Fetch];
    const CHECK: &[TimerKind] = &[TimerKind::CheckQuorum];
    let votes = move || {
        let (x, y) = xy();
        data.with(|d| {
            let Some(d) = d.as_ref().filter(|d| d.status.is_live()) else {
                return Vec::new();
            };
            let count = d.votes.len();
            d.votes
                .iter()
                .enumerate()
                .map(|(i, (voter, vote))| {
                    let vx = x + (i as f64 - (count as f64 - 1.0) / 2.0) * 13.0;
                    let vy = y + r + 14.0;
                    let (class, mark, word) = match vote {
                        VoteState::Granted => ("vote vote-granted", "✓", "granted"),
                        VoteState::Rejected => ("vote vote-rejected", "✕", "rejected"),
                        VoteState::Unrecorded => ("vote vote-waiting", "", "no answer yet"),
                    };
                    let title = format!("{voter}: {word}");
                    view! {
                        <g class=class>
                            <circle cx=vx cy=vy r="5.5"></circle>
                            <text x=vx y=vy + 3.5 text-anchor="middle">{mark}</text>
                            <title>{title}</title>
                        </g>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let role_text = move || {
        data.with(|d| match d {
            Some(d) if d.status.is_live() => {
                let mut s = d.role_label.to_uppercase();
                if d.shutting_down {
                    s += " ■";
                }
                s
            }
            Some(d) => status_word(d.status).to_uppercase(),
            None => String::new(),
        })
    };
    let role_y = move || {
        let voting = data.with(|d| {
            d.as_ref()
                .is_some_and(|d| !d.votes.is_empty() && d.status.is_live())
        });
        xy().1 + r + if voting { 33.0 } else { 16.0 }
    };
    let overlay = move || {
        data.with(|d| match d.as_ref().map(|d| d.status) {
            Some(NodeStatus::Crashed) => "✕",
            Some(NodeStatus::Stopped) => "■",
            Some(NodeStatus::Paused { .. }) => "❚❚",
            _ => "",
        })
    };
    let class = move || {
        let mut c = String::from("node");
        data.with(|d| {
            if let Some(d) = d {
                if d.role == Some(Role::Leader) && d.status.is_live() {
                    c += " node-leader";
                }
                match d.status {
                    NodeStatus::Up => {}
                    NodeStatus::Paused { .. } => c += " node-paused",
                    _ => c += " node-down",
                }
                if d.fenced == Some(true) {
                    c += " node-fenced";
                }
                if d.active_controller {
                    c += " node-active";
                }
            }
        });
        if lab.hovered_node.get() == Some(id) || lab.selected_node.get() == Some(id) {
            c += " node-highlight";
        }
        c
    };
    let body = if kind == NodeKind::Broker {
        view! {
            <rect
                class="node-body"
                x=move || xy().0 - r
                y=move || xy().1 - r
                width=2.0 * r
                height=2.0 * r
                rx="7"
                fill=fill
            ></rect>
        }
        .into_any()
    } else {
        view! { <circle class="node-body" cx=move || xy().0 cy=move || xy().1 r=r fill=fill></circle> }.into_any()
    };
    view! {
        <g
            class=class
            data-testid=format!("node-{id}")
            data-role=move || data.with(|d| d.as_ref().map(|d| d.role_label).unwrap_or(""))
            data-status=move || data.with(|d| d.as_ref().map(|d| d.status.label()).unwrap_or(""))
            data-epoch=move || data.with(|d| d.as_ref().map(|d| d.epoch).unwrap_or(0))
            data-fenced=move || data.with(|d| d.as_ref().and_then(|d| d.fenced).map(|f| f.to_string()).unwrap_or_default())
            data-broker-state=move || data.with(|d| d.as_ref().and_then(|d| d.broker_state).unwrap_or(""))
            role="button"
            tabindex="0"
            aria-haspopup="dialog"
            aria-label=label
            on:click=move |_| open()
            on:keydown=move |ev| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    open();
                }
            }
            on:mouseenter=move |_| lab.hovered_node.set(Some(id))
            on:mouseleave=move |_| lab.hovered_node.set(None)
            on:focus=move |_| lab.hovered_node.set(Some(id))
            on:blur=move |_| lab.hovered_node.set(None)
        >
            <title>{label}</title>
            <path class="timer timer-election" d=timer_arc(ELECTION)><title>{timer_title(ELECTION)}</title></path>
            <path class="timer timer-fetch" d=timer_arc(FETCH)><title>{timer_title(FETCH)}</title></path>
            <path class="timer timer-check" d=timer_arc(CHECK)><title>{timer_title(CHECK)}</title></path>
            {body}
            <text class="node-epoch" x=move || xy().0 y=move || xy().1 + 1.0 text-anchor="middle" dominant-baseline="middle">
                {move || if up() { data.with(|d| d.as_ref().map(|d| format!("e{}", d.epoch)).unwrap_or_default()) } else { String::new() }}
            </text>
            <text class="node-overlay" x=move || xy().0 y=move || xy().1 + 1.0 text-anchor="middle" dominant-baseline="middle">
                {overlay}
            </text>
            <text class="node-id" x=move || xy().0 y=move || xy().1 - r - 12.0 text-anchor="middle">
                {id.to_string()}
            </text>
            <text class="node-role" x=move || xy().0 y=role_y text-anchor="middle">
                {role_text}
            </text>
            <text class="node-meta" x=move || xy().0 y=move || role_y() + 12.0 text-anchor="middle">
                {meta}
            </text>
            {votes}
        </g>
    }
}

/// A message's position: a linear interpolation of its send and arrival times, so the
/// animation is exact at any speed and when scrubbing.
fn message_xy(m: &MessageView, now: SimTime, layout: &Layout) -> Option<(f64, f64, f64)> {
    let (x1, y1) = *layout.pos.get(&m.from)?;
    let (x2, y2) = *layout.pos.get(&m.to)?;
    let span = m.deliver_at.0.saturating_sub(m.sent_at.0).max(1) as f64;
    let t = (now.0.saturating_sub(m.sent_at.0) as f64 / span).clamp(0.0, 1.0);
    // Keep the message off the node bodies.
    let dx = x2 - x1;
    let dy = y2 - y1;
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let pad = CONTROLLER_R / len;
    let f = pad + (1.0 - 2.0 * pad) * t;
    // Requests and responses on the same link use slightly different lanes.
    let lane = if m.is_request { 4.0 } else { -4.0 };
    let (nx, ny) = (-dy / len * lane, dx / len * lane);
    Some((x1 + dx * f + nx, y1 + dy * f + ny, t))
}

/// One message in flight. Its shape and text are fixed when it appears; only its position (and
/// whether it is selected or doomed) changes.
#[component]
fn MessageGlyph(id: u64, layout: Memo<Layout>) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let Some(m) = lab
        .view
        .with_untracked(|v| v.messages.iter().find(|m| m.id == id).cloned())
    else {
        return ().into_any();
    };
    let style = message_style(m.name);
    let title = format!("{} {} → {}: {}", m.name, m.from, m.to, m.detail);
    let glyph = response_glyph(&m);
    let (from, to, is_request, doomed, name) = (m.from, m.to, m.is_request, m.doomed, m.name);
    let label = title.clone();
    let place = Memo::new(move |_| {
        let now = lab.view.with(|v| v.now);
        let at = if lab.reduced_motion.get() {
            // No travel animation: messages sit half way, labelled.
            SimTime(m.sent_at.0 + (m.deliver_at.0 - m.sent_at.0) / 2)
        } else {
            now
        };
        layout
            .with(|l| message_xy(&m, at, l))
            .map(|(x, y, _)| (x, y))
            .unwrap_or((-100.0, -100.0))
    });
    let x = move || place.get().0;
    let y = move || place.get().1;
    let class = move || {
        let mut class = format!("msg msg-{}", style.css);
        if !is_request {
            class += " msg-response";
        }
        if doomed || lab.view.with(|v| v.cuts.contains(&(from, to))) {
            class += " msg-doomed";
        }
        if lab.selected_message.get() == Some(id) {
            class += " msg-selected";
        }
        class
    };
    let shape = match style.shape {
        MessageShape::Circle => view! { <circle cx=x cy=y r="6.5" fill=style.colour stroke=style.colour></circle> }.into_any(),
        MessageShape::Diamond => {
            let points = move || {
                let (x, y) = place.get();
                format!("{x},{} {},{y} {x},{} {},{y}", y - 8.0, x + 8.0, y + 8.0, x - 8.0)
            };
            view! { <polygon points=points fill=style.colour stroke=style.colour></polygon> }.into_any()
        }
        MessageShape::Square => view! {
            <rect x=move || x() - 6.0 y=move || y() - 6.0 width="12" height="12" fill=style.colour stroke=style.colour></rect>
        }
        .into_any(),
        MessageShape::Triangle => {
            let points = move || {
                let (x, y) = place.get();
                format!("{x},{} {},{} {},{}", y - 8.0, x + 7.0, y + 6.0, x - 7.0, y + 6.0)
            };
            view! { <polygon points=points fill=style.colour stroke=style.colour></polygon> }.into_any()
        }
    };
    view! {
        <g
            class=class
            data-testid="message"
            data-name=name
            role="button"
            tabindex="-1"
            aria-label=label
            on:click=move |ev| {
                ev.stop_propagation();
                lab.selected_message.set(Some(id));
                lab.selected_node.set(None);
            }
        >
            <title>{title}</title>
            {shape}
            <text x=x y=move || y() + 3.0 text-anchor="middle" class="msg-glyph">{glyph}</text>
        </g>
    }
    .into_any()
}

/// RaftScope's reply glyph: "+" granted or successful, "−" refused or failed.
fn response_glyph(m: &MessageView) -> &'static str {
    if m.is_request {
        return "";
    }
    if m.detail.contains("granted=true") {
        "+"
    } else if m.detail.contains("granted=false") || m.detail.contains("error=") {
        "−"
    } else {
        ""
    }
}

/// The cluster picture.
#[component]
pub fn ClusterPicture() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let layout = Memo::new(move |_| {
        let width = if lab.narrow.get() {
            NARROW_WIDTH
        } else {
            WIDTH
        };
        lab.view.with(|v| layout(v, width))
    });
    let node_ids = Memo::new(move |_| {
        lab.view
            .with(|v| v.nodes.iter().map(|n| n.id).collect::<Vec<_>>())
    });
    let message_ids = Memo::new(move |_| {
        lab.view
            .with(|v| v.messages.iter().map(|m| m.id).collect::<Vec<_>>())
    });
    let cuts = move || {
        lab.view.with(|v| {
            let mut seen = Vec::new();
            for (a, b) in &v.cuts {
                let both = v.cuts.contains(&(*b, *a));
                if both && seen.iter().any(|(x, y, _)| (x, y) == (b, a)) {
                    continue;
                }
                seen.push((*a, *b, both));
            }
            seen
        })
        .into_iter()
        .filter_map(|(a, b, both)| {
            let (x1, y1) = layout.with(|l| l.pos.get(&a).copied())?;
            let (x2, y2) = layout.with(|l| l.pos.get(&b).copied())?;
            let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
            let title = if both { format!("link {a} ⇄ {b} cut") } else { format!("link {a} → {b} cut (one way)") };
            Some(view! {
                <g class="cut">
                    <line x1=x1 y1=y1 x2=x2 y2=y2></line>
                    <text x=mx y=my + 4.0 text-anchor="middle">{if both { "✂" } else { "✂→" }}</text>
                    <title>{title}</title>
                </g>
            })
        })
        .collect::<Vec<_>>()
    };
    let parked = move || {
        lab.view
            .with(|v| {
                let mut out = Vec::new();
                for n in &v.nodes {
                    for from in &n.parked_fetches {
                        out.push((n.id, *from));
                    }
                }
                out
            })
            .into_iter()
            .filter_map(|(leader, from)| {
                let (x1, y1) = layout.with(|l| l.pos.get(&leader).copied())?;
                let (x2, y2) = layout.with(|l| l.pos.get(&from).copied())?;
                let (dx, dy) = (x2 - x1, y2 - y1);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let (x, y) = (
                    x1 + dx / len * (CONTROLLER_R + 6.0),
                    y1 + dy / len * (CONTROLLER_R + 6.0),
                );
                let title = format!(
                    "Fetch from {from} parked at the leader: it waits up to 500 ms for new records"
                );
                Some(view! {
                    <g class="parked" data-testid="parked-fetch">
                        <circle cx=x cy=y r="5"></circle>
                        <title>{title}</title>
                    </g>
                })
            })
            .collect::<Vec<_>>()
    };
    let summary = move || {
        lab.view.with(|v| {
            let leader = v
                .leader
                .map(|l| format!("the active controller is {l}"))
                .unwrap_or_else(|| "there is no active controller".into());
            format!(
                "Cluster of {} nodes at {:.3} s; {leader}; {} messages in flight",
                v.nodes.len(),
                v.now.as_ms_f64() / 1000.0,
                v.messages.len()
            )
        })
    };
    view! {
        <svg
            class="cluster"
            data-testid="cluster-view"
            viewBox=move || layout.with(|l| format!("0 0 {} {}", l.width, l.height))
            role="group"
            aria-label=summary
            on:click=move |_| lab.selected_message.set(None)
        >
            <g class="cuts">{cuts}</g>
            <For each=move || node_ids.get() key=|id| *id children=move |id| view! { <NodeGlyph id layout /> } />
            <g class="parked-fetches">{parked}</g>
            <g class="messages">
                <For each=move || message_ids.get() key=|id| *id children=move |id| view! { <MessageGlyph id layout /> } />
            </g>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arcs_start_at_the_top() {
        assert!(arc(10.0, 10.0, 5.0, 0.0).is_empty());
        assert!(arc(10.0, 10.0, 5.0, 0.25).starts_with("M 10 5 A 5 5 0 0 1 15"));
        assert!(arc(10.0, 10.0, 5.0, 1.0).contains("A 5 5 0 1 1 10 15"));
    }
}

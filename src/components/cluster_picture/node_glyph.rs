//! One node of the picture: shape, epoch colour and numeral, role label, timer arcs, vote
//! marks and state icons.

use crate::math::num;
use kraftlab_core::kraft::state::VoteState;
use kraftlab_core::kraft::Role;
use kraftlab_core::sim::view::{ControllerStage, TimerView};
use kraftlab_core::sim::{ClusterView, NodeKind, NodeStatus};
use kraftlab_core::trace::TimerKind;
use kraftlab_core::types::{NodeId, SimTime};
use kraftlab_core::zk::server::ZkRole;
use leptos::prelude::*;

use super::layout::{Layout, BROKER_R, CONTROLLER_R};
use crate::components::orientation::explain;
use crate::lab::Lab;
use crate::theme::epoch_colour;

/// What a node's drawing depends on; compared so that unchanged nodes are not redrawn.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Glyph {
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
    zk_role: Option<ZkRole>,
    zk_controller_epoch: Option<u32>,
    zk_controller_stage: Option<ControllerStage>,
    zk_connected: Option<bool>,
    /// ZooKeeper mode: a server's last zxid (ZAB's transaction id, `0x…`).
    zxid: Option<String>,
    /// A leader of an epoch the cluster has moved past (a paused or cut-off old leader): it
    /// only thinks it leads, and nothing it writes can commit.
    stale: bool,
}

pub(super) fn glyph(view: &ClusterView, id: NodeId) -> Option<Glyph> {
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
        zxid: n
            .zk_details
            .iter()
            .find(|(k, _)| *k == "Last zxid")
            .map(|(_, v)| v.clone()),
        stale: n.role == Some(Role::Leader) && view.nodes.iter().any(|m| m.epoch > n.epoch),
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
            num(cy - r),
            num(cy + r),
            num(cy - r),
            cx = num(cx),
            r = num(r),
        );
    }
    let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * f;
    let (x, y) = (cx + r * crate::math::cos(a), cy + r * crate::math::sin(a));
    let large = if f > 0.5 { 1 } else { 0 };
    format!(
        "M {} {} A {r} {r} 0 {large} 1 {} {}",
        num(cx),
        num(cy - r),
        kraftlab_core::decimal::fixed(x, 2),
        kraftlab_core::decimal::fixed(y, 2),
        r = num(r),
    )
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
        s += &format!(", ZooKeeper {}, epoch {}", role.name(), g.epoch);
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
    if g.stale {
        s += ", a stale leader: the cluster has moved to a later epoch, so this node only thinks it leads and nothing it appends can commit";
    } else if g.active_controller {
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
    if g.zk_role.is_some() {
        // The role is the line above (LEADER, FOLLOWER, LOOKING); below it, how far the
        // server's ZAB log reaches.
        return g
            .zxid
            .as_ref()
            .map(|z| format!("zxid {z}"))
            .unwrap_or_default();
    }
    if g.zk_controller_epoch.is_some() {
        parts.push("CONTROLLER");
        if let Some(stage) = g
            .zk_controller_stage
            .filter(|s| *s != ControllerStage::Ready)
        {
            parts.push(stage.label());
        }
    }
    if g.zk_connected == Some(false) {
        parts.push("NO SESSION");
    }
    if g.stale {
        parts.push("THINKS IT LEADS");
    } else if g.active_controller {
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
pub fn NodeGlyph(id: NodeId, layout: Memo<Layout>) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let data = Memo::new(move |_| lab.run.view.with(|v| glyph(v, id)));
    let kind = lab
        .run
        .view
        .with_untracked(|v| v.node(id).map(|n| n.kind))
        .unwrap_or(NodeKind::Controller);
    let r = if matches!(kind, NodeKind::Broker | NodeKind::ZkBroker) {
        BROKER_R
    } else {
        CONTROLLER_R
    };
    // Read by the line and by its tooltip: computed once per change.
    let meta = Memo::new(move |_| data.with(|d| d.as_ref().map(meta_line).unwrap_or_default()));
    let xy = move || layout.with(|l| l.pos.get(&id).copied().unwrap_or((0.0, 0.0)));
    let up = move || data.with(|d| d.as_ref().is_some_and(|d| d.status.is_live()));
    let fill = move || {
        data.with(|d| match d {
            Some(d) if d.status.is_live() => epoch_colour(d.epoch).to_string(),
            _ => "var(--down)".to_string(),
        })
    };
    // Computed once per change of the node, for its tooltip, its aria-label and the words' fallback.
    let label =
        Memo::new(move |_| data.with(|d| d.as_ref().map(|d| describe(id, d)).unwrap_or_default()));
    let open = move || {
        lab.ui.selected_node.set(Some(id));
        lab.ui.selected_message.set(None);
    };
    // One arc per timer family; its path follows the transport bar's clock (paced while
    // playing, like the clock it counts down against).
    let timer_arc = move |family: &'static [TimerKind]| {
        move || {
            let now = lab.run.shown_now.get();
            let (x, y) = xy();
            data.with(|d| {
                d.as_ref()
                    .filter(|d| d.status.is_live())
                    .and_then(|d| d.timers.iter().find(|t| family.contains(&t.kind)))
                    .filter(|t| t.deadline != SimTime::NEVER && t.deadline > t.started)
                    .map(|t| {
                        let total = t.deadline.0.saturating_sub(t.started.0) as f64;
                        let left = t.deadline.0.saturating_sub(now.0) as f64;
                        // In steps of 1/240 of a turn: at the default speed the path then
                        // changes every few frames, not every frame, and looks the same.
                        arc(x, y, r + 6.0, (left / total * 240.0).ceil() / 240.0)
                    })
                    .unwrap_or_default()
            })
        }
    };
    // A timer's tooltip names it; how long is left is in the node menu (a text that changed
    // every frame would cost the page a DOM and accessibility update per frame per node).
    let timer_title = move |family: &'static [TimerKind]| {
        move || {
            data.with(|d| {
                d.as_ref()
                    .and_then(|d| d.timers.iter().find(|t| family.contains(&t.kind)))
                    .map(|t| format!("{} (the arc is the time left)", t.kind.label()))
                    .unwrap_or_default()
            })
        }
    };
    const ELECTION: &[TimerKind] = &[TimerKind::Election, TimerKind::Backoff];
    const FETCH: &[TimerKind] = &[TimerKind::Fetch];
    const CHECK: &[TimerKind] = &[TimerKind::CheckQuorum];
    // Compared: an arc's path is written only when its (stepped) length changed.
    let arc_of = move |family: &'static [TimerKind]| {
        let path = timer_arc(family);
        Memo::new(move |_| path())
    };
    let (election_d, fetch_d, check_d) = (arc_of(ELECTION), arc_of(FETCH), arc_of(CHECK));
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
                            <circle cx=num(vx) cy=num(vy) r="5.5"></circle>
                            <text x=num(vx) y=num(vy + 3.5) text-anchor="middle">{mark}</text>
                            <title>{title}</title>
                        </g>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    let role_text = move || {
        data.with(|d| match d {
            Some(d) if d.status.is_live() && d.stale => format!("STALE LEADER e{}", d.epoch),
            // A ZooKeeper server: its ZAB role, without the zk- of its data-role (the names
            // zk1… and the legend say it is a ZooKeeper server).
            Some(d) if d.status.is_live() && d.zk_role.is_some() => d
                .zk_role
                .map(|r| r.name().to_ascii_uppercase())
                .unwrap_or_default(),
            // A ZooKeeper-mode broker: BROKER, with CONTROLLER on the line below if it holds
            // /controller (not ZK-CONTROLLER over CONTROLLER).
            Some(d) if d.status.is_live() && d.kind == NodeKind::ZkBroker => "BROKER".into(),
            Some(d) if d.status.is_live() => {
                let mut s = d.role_label.to_ascii_uppercase();
                if d.shutting_down {
                    s += " ■";
                }
                s
            }
            Some(d) => status_word(d.status).to_ascii_uppercase(),
            None => String::new(),
        })
    };
    // The glossary's entry for a word under the node, or the node's description if the
    // glossary has none.
    let help_for = move |word: &str| {
        let help = if word.is_empty() {
            String::new()
        } else {
            explain(word)
        };
        if help.is_empty() {
            label.get()
        } else {
            help
        }
    };
    let role_help = Memo::new(move |_| {
        help_for(data.with(|d| match d {
            Some(d) if d.status.is_live() && !d.stale && d.zk_role.is_some() => "zxid",
            Some(d) if d.status.is_live() && !d.stale && d.role.is_some() => d.role_label,
            _ => "",
        }))
    });
    let meta_help = Memo::new(move |_| {
        help_for(meta.with(|m| {
            if m.contains("FENCED") {
                "Fenced broker"
            } else if m.contains("ACTIVE") {
                "Active controller"
            } else {
                ""
            }
        }))
    });
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
    let paused = move || {
        data.with(|d| {
            d.as_ref()
                .is_some_and(|d| matches!(d.status, NodeStatus::Paused { .. }))
        })
    };
    let class = move || {
        let mut c = String::from("node");
        data.with(|d| {
            if let Some(d) = d {
                if d.stale {
                    c += " node-stale";
                } else if (d.role == Some(Role::Leader) || d.zk_role == Some(ZkRole::Leading))
                    && d.status.is_live()
                {
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
        if lab.ui.hovered_node.get() == Some(id) || lab.ui.selected_node.get() == Some(id) {
            c += " node-highlight";
        }
        c
    };
    let body = if kind == NodeKind::Broker {
        view! {
            <rect
                class="node-body"
                x=move || num(xy().0 - r)
                y=move || num(xy().1 - r)
                width=num(2.0 * r)
                height=num(2.0 * r)
                rx="7"
                fill=fill
            ></rect>
        }
        .into_any()
    } else {
        view! { <circle class="node-body" cx=move || num(xy().0) cy=move || num(xy().1) r=num(r) fill=fill></circle> }.into_any()
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
            aria-label=move || label.get()
            // A message drawn over the node is on top: a click on it is the message's (the
            // picture's click handler opens it).
            on:click=move |_| {
                if lab.ui.held_message.get_untracked().is_none() {
                    open();
                }
            }
            on:keydown=move |ev| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    open();
                }
            }
            on:mouseenter=move |_| lab.ui.hovered_node.set(Some(id))
            on:mouseleave=move |_| lab.ui.hovered_node.set(None)
            on:focus=move |_| lab.ui.hovered_node.set(Some(id))
            on:blur=move |_| lab.ui.hovered_node.set(None)
        >
            <title>{move || label.get()}</title>
            <path class="timer timer-election" d=move || election_d.get()><title>{timer_title(ELECTION)}</title></path>
            <path class="timer timer-fetch" d=move || fetch_d.get()><title>{timer_title(FETCH)}</title></path>
            <path class="timer timer-check" d=move || check_d.get()><title>{timer_title(CHECK)}</title></path>
            {body}
            <text class="node-epoch" x=move || num(xy().0) y=move || num(xy().1 + 1.0) text-anchor="middle" dominant-baseline="middle">
                {move || if up() { data.with(|d| d.as_ref().map(|d| format!("e{}", d.epoch)).unwrap_or_default()) } else { String::new() }}
            </text>
            <text class="node-overlay" class:node-badge=paused x=move || num(xy().0 + if paused() { r * 0.8 } else { 0.0 }) y=move || num(xy().1 + 1.0 - if paused() { r * 0.8 } else { 0.0 }) text-anchor="middle" dominant-baseline="middle">
                {overlay}
            </text>
            <text class="node-id" x=move || num(xy().0) y=move || num(xy().1 - r - 12.0) text-anchor="middle">
                {id.to_string()}
            </text>
            // The words under a node explain themselves on hover (the glossary's entry).
            <g class="node-words">
                <title>{move || role_help.get()}</title>
                <text class="node-role" x=move || num(xy().0) y=move || num(role_y()) text-anchor="middle">
                    {role_text}
                </text>
            </g>
            <g class="node-words">
                <title>{move || meta_help.get()}</title>
                <text class="node-meta" x=move || num(xy().0) y=move || num(role_y() + 12.0) text-anchor="middle">
                    {move || meta.get()}
                </text>
            </g>
            {votes}
        </g>
    }
}

/// A message's position: a linear interpolation of its send and arrival times, so the
/// animation is exact at any speed and when scrubbing.
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

//! The per-node menu: what the node is doing, and what you can do to it.

use kraftlab_core::sim::view::NodeView;
use kraftlab_core::sim::{NodeKind, NodeStatus, UserAction};
use kraftlab_core::types::{ms, NodeId};
use leptos::prelude::*;

use crate::components::cluster_picture::layout::{layout, WIDTH};
use crate::format::clock;
use crate::html::push_text;
use crate::lab::Lab;

fn details(n: &NodeView, now: kraftlab_core::types::SimTime) -> Vec<(&'static str, String)> {
    let opt = |v: Option<NodeId>| v.map(|x| x.to_string()).unwrap_or_else(|| "none".into());
    if matches!(n.kind, NodeKind::ZooKeeper | NodeKind::ZkBroker) {
        // No Raft state here: what ZooKeeper and a ZooKeeper-mode broker know instead.
        let mut out = vec![
            (
                "Kind",
                if n.kind == NodeKind::ZooKeeper {
                    "ZooKeeper server".to_string()
                } else {
                    "broker (ZooKeeper mode)".to_string()
                },
            ),
            ("Status", status(n.status)),
            ("Epoch", n.epoch.to_string()),
        ];
        out.extend(n.zk_details.iter().cloned());
        if let Some(why) = &n.failure {
            out.push(("Not running", why.clone()));
        }
        return out;
    }
    let mut out = vec![
        (
            "Kind",
            match (n.kind, n.is_voter) {
                (NodeKind::Controller, true) => "controller (voter)".into(),
                (NodeKind::Controller, false) => "controller (not a voter: observer)".into(),
                (NodeKind::Combined, _) => "combined: controller and broker".into(),
                (NodeKind::Broker, _) => "broker (observer)".into(),
                (NodeKind::ZooKeeper, _) => "ZooKeeper server".into(),
                (NodeKind::ZkBroker, _) => "broker (ZooKeeper mode)".into(),
            },
        ),
        ("Status", status(n.status)),
        (
            "State",
            n.role.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
        ),
        ("Epoch", n.epoch.to_string()),
        ("Leader", opt(n.leader)),
        ("Voted for", opt(n.voted)),
        ("Log end offset", n.log_end_offset.to_string()),
        (
            "High watermark",
            n.high_watermark
                .map(|h| h.to_string())
                .unwrap_or_else(|| "unknown".into()),
        ),
    ];
    if let Some(why) = &n.failure {
        out.push(("Not running", why.clone()));
    }
    if n.active_controller {
        out.push(("Controller", "active".into()));
    } else if n.kind.has_controller() && n.status.is_live() {
        out.push(("Controller", "standby (hot: its image is current)".into()));
    }
    if let Some(s) = n.broker_state {
        out.push(("Broker state", s.to_string()));
    }
    if let Some(f) = n.fenced {
        out.push(("Registration", if f { "fenced" } else { "unfenced" }.into()));
    }
    if let Some(o) = n.metadata_offset {
        let lag = n
            .metadata_lag
            .map(|l| format!(", lag {l}"))
            .unwrap_or_default();
        out.push(("Metadata image", format!("offset {o}{lag}")));
    }
    if let Some(p) = n.partitions {
        out.push(("Partitions known", p.to_string()));
    }
    if let Some(s) = n.snapshot_end {
        out.push(("Snapshot", format!("up to offset {s}")));
    }
    for t in &n.timers {
        let left = t.deadline.0.saturating_sub(now.0);
        out.push((
            "Timer",
            format!(
                "{} in {} ms",
                t.kind.label(),
                kraftlab_core::decimal::fixed(left as f64 / 1000.0, 0)
            ),
        ));
    }
    out
}

fn status(s: NodeStatus) -> String {
    match s {
        NodeStatus::Up => "running".to_string(),
        NodeStatus::Paused { until } => format!("paused until {}", clock(until)),
        NodeStatus::Crashed => "crashed (disk kept)".into(),
        NodeStatus::Stopped => "stopped (disk kept)".into(),
    }
}

/// What the menu's buttons and placement depend on.
#[derive(Clone, Copy, PartialEq)]
struct Shape {
    id: NodeId,
    live: bool,
    up: bool,
    is_voter: bool,
    is_leader: bool,
    has_controller: bool,
    right: bool,
}

/// The menu of the selected node.
#[component]
pub fn NodeMenu() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // What the buttons depend on, compared: the menu is rebuilt when the node's state
    // changes, not every frame (only its details follow the clock).
    let node = Memo::new(move |_| {
        let id = lab.ui.selected_node.get()?;
        lab.run.view.with(|v| {
            let n = v.node(id)?;
            let x = layout(v, WIDTH).pos.get(&id).map(|p| p.0).unwrap_or(0.0);
            Some(Shape {
                id,
                live: n.status.is_live(),
                up: n.status == NodeStatus::Up,
                is_voter: n.is_voter,
                is_leader: n.role == Some(kraftlab_core::kraft::Role::Leader),
                has_controller: n.kind.has_controller(),
                // The menu opens on the side away from the node, so the node stays in view.
                right: x < WIDTH / 2.0,
            })
        })
    });
    let close = move || lab.ui.selected_node.set(None);
    // Clicks are delegated by `data-act`; an action closes the menu, so that it never hides
    // what the action sets off (the election after a crash, the node coming back).
    let on_click = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let Some(id) = lab.ui.selected_node.get_untracked() else {
            return;
        };
        let Some(act) = crate::html::act_of(&ev) else {
            return;
        };
        let pause_for = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|m| m.query_selector("select[name=pause]").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
            .and_then(|s| s.value().parse::<u64>().ok())
            .unwrap_or(8);
        let action = match act.as_str() {
            "close" => None,
            "crash" => Some(UserAction::Crash(id)),
            "restart" => Some(UserAction::Restart(id)),
            "shutdown" => Some(UserAction::Shutdown(id)),
            "pause" => Some(UserAction::Pause(id, ms(pause_for * 1000))),
            "timeout" => Some(UserAction::TimeoutNow(id)),
            "isolate" => Some(UserAction::Isolate(id)),
            "remove-controller" => Some(UserAction::RemoveController(id)),
            "add-controller" => Some(UserAction::AddController(id)),
            _ => return,
        };
        if let Some(action) = action {
            lab.act(action);
        }
        close();
    };
    // The details follow the clock; the rest only the node's state (the Memo above).
    let rows = move || {
        lab.run.view.with(|v| {
            let mut out = String::new();
            if let Some(n) = lab.ui.selected_node.get().and_then(|id| v.node(id)) {
                for (k, text) in details(n, lab.run.now.get()) {
                    out += &format!("<dt>{k}</dt><dd>");
                    push_text(&mut out, &text);
                    out += "</dd>";
                }
            }
            out
        })
    };
    move || {
        let n = node.get()?;
        Some(view! {
            <div class="node-menu" class:menu-right=n.right data-testid="node-menu" role="dialog" aria-label=format!("Node {}", n.id)
                on:click=on_click
                on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                <header>
                    <h3>{format!("Node {}", n.id)}</h3>
                    <button class="btn btn-small" aria-label="Close" data-testid="node-menu-close" data-act="close">"✕"</button>
                </header>
                <dl inner_html=rows></dl>
                <div class="actions" inner_html=actions_html(n)></div>
            </div>
        })
    }
}

/// The menu's buttons for a node in state `n`.
fn actions_html(n: Shape) -> String {
    let off = |b: bool| if b { " disabled" } else { "" };
    let mut out = format!(
        "<button class=\"btn btn-danger\" data-testid=\"action-crash\" data-act=\"crash\" autofocus title=\"Hard crash: the process dies, its disk (epoch, vote, log) survives\"{}>✕ Crash</button>\
<button class=\"btn\" data-testid=\"action-restart\" data-act=\"restart\" title=\"Start from the disk\"{}>↻ Restart</button>\
<button class=\"btn\" data-testid=\"action-shutdown\" data-act=\"shutdown\" title=\"{}\"{}>■ Shut down</button>\
<span class=\"pause-group\"><button class=\"btn\" data-testid=\"action-pause\" data-act=\"pause\" title=\"Stall the process, like a long GC pause: messages queue, timers fire late\"{}>❚❚ Pause</button>\
<select name=\"pause\" aria-label=\"Pause length\" data-testid=\"pause-length\"><option value=\"2\">2 s</option><option value=\"8\" selected>8 s</option><option value=\"20\">20 s</option></select></span>\
<button class=\"btn\" data-testid=\"action-timeout\" data-act=\"timeout\" title=\"Make its election (or fetch) timer fire now\"{}>◷ Time out now</button>\
<button class=\"btn\" data-testid=\"action-isolate\" data-act=\"isolate\" title=\"Cut every link to and from it\">✂ Isolate</button>",
        off(!n.live),
        off(n.live),
        if n.is_leader { "Graceful shutdown: resign, send EndQuorumEpoch, stop" } else { "Graceful shutdown" },
        off(!n.up),
        off(!n.up),
        off(!(n.up && n.is_voter && !n.is_leader)),
    );
    if n.has_controller {
        out += if n.is_voter {
            "<button class=\"btn\" data-testid=\"action-remove-controller\" data-act=\"remove-controller\" title=\"kafka-metadata-quorum remove-controller: a VotersRecord without it (dynamic quorum only)\">⊖ Remove from voters</button>"
        } else {
            "<button class=\"btn\" data-testid=\"action-add-controller\" data-act=\"add-controller\" title=\"kafka-metadata-quorum add-controller: once caught up as an observer it becomes a voter (dynamic quorum only)\">⊕ Add to voters</button>"
        };
    }
    out
}

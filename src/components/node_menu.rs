//! The per-node menu: what the node is doing, and what you can do to it.

use kraftlab_core::sim::view::NodeView;
use kraftlab_core::sim::{NodeKind, NodeStatus, UserAction};
use kraftlab_core::types::{ms, NodeId};
use leptos::prelude::*;

use crate::format::clock;
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

/// The menu of the selected node.
#[component]
pub fn NodeMenu() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let pause_for = RwSignal::new(8u64);
    let node = move || {
        let id = lab.ui.selected_node.get()?;
        lab.run.view.with(|v| v.node(id).cloned())
    };
    let close = move || lab.ui.selected_node.set(None);
    // An action closes the menu, so that it never hides what the action sets off (the
    // election after a crash, the node coming back after a restart).
    let act = move |action: UserAction| {
        lab.act(action);
        close();
    };
    move || {
        let n = node()?;
        let id = n.id;
        let now = lab.run.view.with_untracked(|v| v.now);
        let live = n.status.is_live();
        let up = n.status == NodeStatus::Up;
        let rows = details(&n, now)
            .into_iter()
            .map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> })
            .collect::<Vec<_>>();
        let is_leader = n.role == Some(kraftlab_core::kraft::Role::Leader);
        Some(view! {
            <div class="node-menu" data-testid="node-menu" role="dialog" aria-label=format!("Node {id}") on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    close();
                }
            }>
                <header>
                    <h3>{format!("Node {id}")}</h3>
                    <button class="btn btn-small" aria-label="Close" data-testid="node-menu-close" on:click=move |_| close()>"✕"</button>
                </header>
                <dl>{rows}</dl>
                <div class="actions">
                    <button class="btn btn-danger" data-testid="action-crash" disabled=!live autofocus=true
                        title="Hard crash: the process dies, its disk (epoch, vote, log) survives"
                        on:click=move |_| act(UserAction::Crash(id))>"✕ Crash"</button>
                    <button class="btn" data-testid="action-restart" disabled=live
                        title="Start from the disk"
                        on:click=move |_| act(UserAction::Restart(id))>"↻ Restart"</button>
                    <button class="btn" data-testid="action-shutdown" disabled=!up
                        title=if is_leader { "Graceful shutdown: resign, send EndQuorumEpoch, stop" } else { "Graceful shutdown" }
                        on:click=move |_| act(UserAction::Shutdown(id))>"■ Shut down"</button>
                    <span class="pause-group">
                        <button class="btn" data-testid="action-pause" disabled=!up
                            title="Stall the process, like a long GC pause: messages queue, timers fire late"
                            on:click=move |_| act(UserAction::Pause(id, ms(pause_for.get_untracked() * 1000)))>"❚❚ Pause"</button>
                        <select aria-label="Pause length" data-testid="pause-length"
                            on:change=move |ev| {
                                if let Ok(s) = event_target_value(&ev).parse::<u64>() {
                                    pause_for.set(s);
                                }
                            }>
                            <option value="2">"2 s"</option>
                            <option value="8" selected=true>"8 s"</option>
                            <option value="20">"20 s"</option>
                        </select>
                    </span>
                    <button class="btn" data-testid="action-timeout" disabled=!(up && n.is_voter && !is_leader)
                        title="Make its election (or fetch) timer fire now"
                        on:click=move |_| act(UserAction::TimeoutNow(id))>"◷ Time out now"</button>
                    <button class="btn" data-testid="action-isolate"
                        title="Cut every link to and from it"
                        on:click=move |_| act(UserAction::Isolate(id))>"✂ Isolate"</button>
                    {n.kind.has_controller().then(|| if n.is_voter {
                        view! {
                            <button class="btn" data-testid="action-remove-controller"
                                title="kafka-metadata-quorum remove-controller: a VotersRecord without it (dynamic quorum only)"
                                on:click=move |_| act(UserAction::RemoveController(id))>"⊖ Remove from voters"</button>
                        }.into_any()
                    } else {
                        view! {
                            <button class="btn" data-testid="action-add-controller"
                                title="kafka-metadata-quorum add-controller: once caught up as an observer it becomes a voter (dynamic quorum only)"
                                on:click=move |_| act(UserAction::AddController(id))>"⊕ Add to voters"</button>
                        }.into_any()
                    })}
                </div>
            </div>
        })
    }
}

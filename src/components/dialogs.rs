//! Dialogs: a new cluster, the partition tool, keyboard shortcuts, sharing.

use kraftlab_core::kraft::config::Buggify;
use kraftlab_core::sim::{ClusterSpec, UserAction};
use kraftlab_core::types::{ms, NodeId};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::lab::Lab;
use crate::share;
use crate::ui::Dialog;

/// A modal frame: closes on Escape and on the backdrop.
#[component]
fn Modal(title: &'static str, testid: &'static str, children: Children) -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <div class="backdrop" on:click=move |_| lab.ui.dialog.set(Dialog::None)>
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-label=title
                data-testid=testid
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        lab.ui.dialog.set(Dialog::None);
                    }
                }
            >
                <header>
                    <h2>{title}</h2>
                    <button class="btn btn-small" aria-label="Close" on:click=move |_| lab.ui.dialog.set(Dialog::None)>"✕"</button>
                </header>
                {children()}
            </div>
        </div>
    }
}

/// Build a new cluster.
#[component]
pub fn NewClusterDialog() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let spec = lab.run.timeline.with_value(|t| t.spec().clone());
    let voters = RwSignal::new(spec.controllers.len());
    let brokers = RwSignal::new(spec.brokers.len());
    let seed = RwSignal::new(spec.seed);
    let prevote = RwSignal::new(spec.quorum.prevote);
    let combined = RwSignal::new(!spec.combined.is_empty());
    let dynamic = RwSignal::new(spec.quorum.dynamic_quorum);
    let spares = RwSignal::new(spec.spare_controllers.len());
    let zk_mode = RwSignal::new(spec.is_zk());
    let zookeepers = RwSignal::new(spec.zookeepers.len().max(3));
    let partitions = RwSignal::new(spec.quorum.modelled_partitions);
    let latency_min = RwSignal::new(spec.network.latency_min / 1000);
    let latency_max = RwSignal::new(spec.network.latency_max / 1000);
    let switches = RwSignal::new(spec.quorum.buggify.enabled());
    let number = |s: RwSignal<usize>, min: usize, max: usize| {
        move |ev: leptos::ev::Event| {
            if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                s.set(v.clamp(min, max));
            }
        }
    };
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (v, b, s) = (
            voters.get_untracked(),
            brokers.get_untracked(),
            seed.get_untracked(),
        );
        let mut spec = if zk_mode.get_untracked() {
            ClusterSpec::zookeeper(zookeepers.get_untracked(), b.max(1), s)
        } else if combined.get_untracked() {
            ClusterSpec::combined_mode(v, b, s)
        } else {
            ClusterSpec::kraft(v, b, s)
        };
        spec.quorum.prevote = prevote.get_untracked();
        spec.quorum.modelled_partitions = partitions.get_untracked();
        for name in switches.get_untracked() {
            spec.quorum.buggify.set(name);
        }
        if dynamic.get_untracked() && !spec.is_zk() {
            spec.quorum.dynamic_quorum = true;
            let first = spec
                .controllers
                .iter()
                .chain(&spec.combined)
                .map(|i| i.0)
                .max()
                .map(|m| m.max(2999) + 1)
                .unwrap_or(3000);
            spec.spare_controllers = (0..spares.get_untracked() as i32)
                .map(|i| kraftlab_core::types::NodeId(first.max(3000) + i))
                .collect();
        }
        let (a, b) = (latency_min.get_untracked(), latency_max.get_untracked());
        spec.network.latency_min = ms(a.min(b));
        spec.network.latency_max = ms(a.max(b));
        lab.reset(spec);
        lab.ui.dialog.set(Dialog::None);
        lab.run.playing.set(true);
    };
    view! {
        <Modal title="New cluster" testid="new-cluster-dialog">
            <form class="form" on:submit=create>
                <fieldset>
                    <legend>"Mode"</legend>
                    <label class="check">
                        <input type="radio" name="mode" data-testid="new-mode-kraft" prop:checked=move || !zk_mode.get() on:change=move |_| zk_mode.set(false) />
                        " KRaft"
                    </label>
                    <label class="check">
                        <input type="radio" name="mode" data-testid="new-mode-zk" prop:checked=move || zk_mode.get() on:change=move |_| zk_mode.set(true) />
                        " ZooKeeper (Kafka ≤ 3.9): an ensemble, and a controller among the brokers"
                    </label>
                    <label>"ZooKeeper servers "
                        <select data-testid="new-zookeepers" prop:disabled=move || !zk_mode.get()
                            on:change=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<usize>() {
                                    zookeepers.set(v)
                                }
                            }>
                            <option value="3" selected=move || zookeepers.get() == 3>"3"</option>
                            <option value="5" selected=move || zookeepers.get() == 5>"5"</option>
                        </select>
                    </label>
                </fieldset>
                <label>"Modelled partitions (counted, not drawn; their bulk work takes modelled time) "
                    <input type="number" min="0" max="2000000" step="1000" data-testid="new-partitions" prop:value=move || partitions.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                                partitions.set(v.min(2_000_000))
                            }
                        } />
                </label>
                <label>"Controllers (voters) "
                    <input type="number" min="1" max="7" prop:disabled=move || zk_mode.get() data-testid="new-voters" prop:value=move || voters.get().to_string() on:input=number(voters, 1, 7) />
                </label>
                <label>"Brokers (observers) "
                    <input type="number" min="0" max="8" data-testid="new-brokers" prop:value=move || brokers.get().to_string() on:input=number(brokers, 0, 8) />
                </label>
                <label>"Seed "
                    <input type="number" min="0" data-testid="new-seed" prop:value=move || seed.get().to_string()
                        on:input=move |ev| {
                            if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                                seed.set(v)
                            }
                        } />
                    <button type="button" class="btn btn-small" on:click=move |_| seed.set((js_sys::Math::random() * 1e9) as u64)>"random"</button>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="new-prevote" prop:checked=move || prevote.get() on:change=move |ev| prevote.set(event_target_checked(&ev)) />
                    " Pre-vote (KIP-996, Kafka 4.x); off behaves like Kafka 3.9"
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="new-combined" prop:checked=move || combined.get() on:change=move |ev| combined.set(event_target_checked(&ev)) />
                    " Combined mode: the controllers are brokers too (process.roles=broker,controller)"
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="new-dynamic" prop:checked=move || dynamic.get() on:change=move |ev| dynamic.set(event_target_checked(&ev)) />
                    " Dynamic quorum (KIP-853): voters live in the log; add and remove controllers"
                </label>
                <label>"Spare controllers (not voters yet) "
                    <input type="number" min="0" max="3" data-testid="new-spares" prop:value=move || spares.get().to_string() on:input=number(spares, 0, 3)
                        prop:disabled=move || !dynamic.get() />
                </label>
                <details class="switches" open=!switches.get_untracked().is_empty()>
                    <summary>"Teaching switches: break a rule on purpose"</summary>
                    <p class="muted">"Each switch removes one safeguard Kafka relies on (scenario files: "<code>"buggify=…"</code>"). The safety panel shows the invariant that breaks."</p>
                    {Buggify::NAMES.iter().map(|name| {
                        let on = move || switches.with(|s| s.contains(name));
                        view! {
                            <label class="check">
                                <input type="checkbox" data-testid=format!("new-buggify-{name}") prop:checked=on
                                    on:change=move |ev| {
                                        let checked = event_target_checked(&ev);
                                        switches.update(|s| {
                                            s.retain(|n| n != name);
                                            if checked {
                                                s.push(name);
                                            }
                                        });
                                    } />
                                " " <code>{*name}</code> ": " {Buggify::describe(name)}
                            </label>
                        }
                    }).collect_view()}
                </details>
                <fieldset>
                    <legend>"Teaching network, one-way latency (ms)"</legend>
                    <label>"from "
                        <input type="number" min="0" max="1000" prop:value=move || latency_min.get().to_string()
                            on:input=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                                    latency_min.set(v.min(1000))
                                }
                            } />
                    </label>
                    <label>" to "
                        <input type="number" min="0" max="1000" prop:value=move || latency_max.get().to_string()
                            on:input=move |ev| {
                                if let Ok(v) = event_target_value(&ev).parse::<u64>() {
                                    latency_max.set(v.min(1000))
                                }
                            } />
                    </label>
                </fieldset>
                <button type="submit" class="btn btn-primary" data-testid="new-cluster-create">"Create"</button>
            </form>
        </Modal>
    }
}

/// Put every node in group A or B, then cut every link between the groups.
#[component]
pub fn PartitionDialog() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let nodes: Vec<NodeId> = lab
        .run
        .view
        .with_untracked(|v| v.nodes.iter().map(|n| n.id).collect());
    let leader = lab.run.view.with_untracked(|v| v.leader);
    // Start from a sensible split: the leader alone against everyone else.
    let in_b = RwSignal::new(
        nodes
            .iter()
            .map(|n| Some(*n) != leader)
            .collect::<Vec<bool>>(),
    );
    let nodes_for_apply = nodes.clone();
    let apply = move |_| {
        let flags = in_b.get_untracked();
        let a: Vec<NodeId> = nodes_for_apply
            .iter()
            .zip(&flags)
            .filter(|(_, b)| !**b)
            .map(|(n, _)| *n)
            .collect();
        let b: Vec<NodeId> = nodes_for_apply
            .iter()
            .zip(&flags)
            .filter(|(_, b)| **b)
            .map(|(n, _)| *n)
            .collect();
        if a.is_empty() || b.is_empty() {
            lab.say("put at least one node in each group".into(), true);
            return;
        }
        lab.act(UserAction::Partition(vec![a, b]));
        lab.ui.dialog.set(Dialog::None);
    };
    let rows = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let n = *n;
            view! {
                <tr>
                    <th scope="row">{n.to_string()}</th>
                    <td><input type="radio" name=format!("side-{n}") aria-label=format!("{n} in group A")
                        prop:checked=move || !in_b.get()[i] on:change=move |_| in_b.update(|v| v[i] = false) /></td>
                    <td><input type="radio" name=format!("side-{n}") aria-label=format!("{n} in group B")
                        prop:checked=move || in_b.get()[i] on:change=move |_| in_b.update(|v| v[i] = true) /></td>
                </tr>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <Modal title="Partition the network" testid="partition-dialog">
            <p>"Choose a side for each node; every link between the two groups is cut, both ways."</p>
            <table class="partition-table">
                <thead><tr><th>"node"</th><th>"A"</th><th>"B"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <button class="btn btn-primary" data-testid="partition-apply" on:click=apply>"Cut the links"</button>
        </Modal>
    }
}

/// Keyboard shortcuts.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    (". or →", "step to the next event"),
    ("+ / −", "faster / slower"),
    ("[ / ]", "back / forward one second"),
    ("L", "jump to live"),
    ("W", "write a record through the active controller"),
    ("K", "crash the active controller"),
    ("R", "restart every stopped node"),
    ("P", "partition…"),
    ("H", "heal every link"),
    ("N", "new cluster…"),
    ("S", "share…"),
    ("?", "this help"),
    ("Esc", "close menus and dialogs"),
];

/// The shortcut overlay.
#[component]
pub fn HelpDialog() -> impl IntoView {
    let rows = SHORTCUTS
        .iter()
        .map(|(k, v)| view! { <tr><th scope="row"><kbd>{*k}</kbd></th><td>{*v}</td></tr> })
        .collect::<Vec<_>>();
    view! {
        <Modal title="Keyboard shortcuts" testid="help-dialog">
            <table class="shortcuts"><tbody>{rows}</tbody></table>
            <p>"Click or focus a node (Tab, then Enter) for its menu; click a message for its fields."</p>
        </Modal>
    }
}

/// The share link of the current run, and an embed snippet.
#[component]
pub fn ShareDialog() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // The browser packs the link asynchronously: the fields appear once it has.
    let links = RwSignal::new(None::<(String, String)>);
    let text = lab.run.timeline.with_value(share::run_text);
    leptos::task::spawn_local(async move {
        let Some(packed) = share::pack(text).await else {
            lab.say("this browser could not pack the link".into(), true);
            return;
        };
        let link = share::link_for(&packed, false);
        let snippet = format!(
            "<iframe src=\"{}\" title=\"KRaft Lab: a simulated KRaft cluster\" width=\"720\" height=\"520\" style=\"border:0\" loading=\"lazy\"></iframe>",
            share::link_for(&packed, true)
        );
        // The dialog may have been closed meanwhile.
        let _ = links.try_set(Some((link, snippet)));
    });
    let copy = move |text: String| {
        move |_| {
            let Some(w) = web_sys::window() else {
                return;
            };
            let promise = w.navigator().clipboard().write_text(&text);
            // Both outcomes are handled: an unhandled rejection would be a console error.
            let ok = Closure::<dyn FnMut(JsValue)>::new(move |_| lab.say("copied".into(), false));
            let failed = Closure::<dyn FnMut(JsValue)>::new(move |_| {
                lab.say(
                    "copying was not allowed: select the text and copy it".into(),
                    true,
                )
            });
            let _ = promise.then2(&ok, &failed);
            ok.forget();
            failed.forget();
        }
    };
    let count = lab.run.timeline.with_value(|t| t.actions().len());
    view! {
        <Modal title="Share this run" testid="share-dialog">
            <p>{format!("The link replays this cluster and your {count} action(s) exactly, in any browser.")}</p>
            {move || links.get().map(|(link, snippet)| view! {
                <label>"Link"<input readonly=true data-testid="share-link" prop:value=link.clone() /></label>
                <button class="btn" on:click=copy(link)>"Copy link"</button>
                <label>"Embed in a page"<textarea readonly=true rows="3" data-testid="embed-snippet" prop:value=snippet.clone()></textarea></label>
                <button class="btn" on:click=copy(snippet)>"Copy snippet"</button>
            })}
        </Modal>
    }
}

//! Dialogs: a new cluster, the partition tool, keyboard shortcuts (sharing has its own file,
//! `share_dialog.rs`).

use kraftlab_core::kraft::config::Buggify;
use kraftlab_core::sim::{ClusterSpec, UserAction};
use kraftlab_core::types::{ms, NodeId};
use leptos::prelude::*;

use crate::form::Fields;
use crate::lab::Lab;
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

/// Build a new cluster. The form is markup, read when submitted ([`crate::form`]); a change
/// of mode or of the dynamic quorum enables and disables the fields that depend on it.
#[component]
pub fn NewClusterDialog() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let spec = lab.run.timeline.with_value(|t| t.spec().clone());
    let create = move |ev: leptos::ev::SubmitEvent| {
        let f = Fields::of(&ev);
        let (v, b, s) = (
            f.number("voters", 1, 7, 3) as usize,
            f.number("brokers", 0, 8, 3) as usize,
            f.number("seed", 0, u64::MAX, 42),
        );
        let mut spec = if f.text("mode") == "zk" {
            ClusterSpec::zookeeper(f.number("zookeepers", 3, 5, 3) as usize, b.max(1), s)
        } else if f.checked("combined") {
            ClusterSpec::combined_mode(v, b, s)
        } else {
            ClusterSpec::kraft(v, b, s)
        };
        spec.quorum.prevote = f.checked("prevote");
        spec.quorum.modelled_partitions = f.number("partitions", 0, 2_000_000, 0);
        for name in f.all("buggify") {
            // An unknown name (a hand-edited form) is refused by `set`, which knows the list.
            spec.quorum.buggify.set(&name);
        }
        if f.checked("dynamic") && !spec.is_zk() {
            spec.quorum.dynamic_quorum = true;
            let first = spec
                .controllers
                .iter()
                .chain(&spec.combined)
                .map(|i| i.0)
                .max()
                .map(|m| m.max(2999) + 1)
                .unwrap_or(3000);
            spec.spare_controllers = (0..f.number("spares", 0, 3, 0) as i32)
                .map(|i| kraftlab_core::types::NodeId(first.max(3000) + i))
                .collect();
        }
        let (a, b) = (
            f.number("latency-min", 0, 1000, 10),
            f.number("latency-max", 0, 1000, 20),
        );
        spec.network.latency_min = ms(a.min(b));
        spec.network.latency_max = ms(a.max(b));
        lab.reset(spec);
        lab.ui.dialog.set(Dialog::None);
        lab.run.playing.set(true);
    };
    let form_html = new_cluster_html(&spec);
    // The mode and the dynamic quorum enable or disable the fields that only make sense with
    // them (read from the form itself, like the submit).
    let sync = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(form) = ev
            .current_target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let checked = |selector: &str| {
            form.query_selector(selector)
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
                .is_some_and(|i| i.checked())
        };
        let zk = checked("input[name=mode][value=zk]");
        let dynamic = checked("input[name=dynamic]");
        let set = |selector: &str, off: bool| {
            if let Ok(list) = form.query_selector_all(selector) {
                for i in 0..list.length() {
                    if let Some(e) = list
                        .item(i)
                        .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
                    {
                        let _ = if off {
                            e.set_attribute("disabled", "")
                        } else {
                            e.remove_attribute("disabled")
                        };
                    }
                }
            }
        };
        set("[data-kraft]", zk);
        set("[data-zk]", !zk);
        set("[name=spares]", zk || !dynamic);
    };
    let random_seed = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let is_random = crate::html::act_of(&ev).as_deref() == Some("random-seed");
        if let (true, Some(form)) = (is_random, ev.current_target()) {
            if let Some(seed) = form
                .dyn_into::<web_sys::Element>()
                .ok()
                .and_then(|f| f.query_selector("input[name=seed]").ok().flatten())
                .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                seed.set_value(&((js_sys::Math::random() * 1e9) as u64).to_string());
            }
        }
    };
    view! {
        <Modal title="New cluster" testid="new-cluster-dialog">
            <form class="form" on:submit=create on:change=sync on:click=random_seed inner_html=form_html></form>
        </Modal>
    }
}

/// The new-cluster form as markup, filled from the current cluster's spec. Fields marked
/// `data-kraft` mean nothing in ZooKeeper mode, `data-zk` only there.
fn new_cluster_html(spec: &ClusterSpec) -> String {
    let zk = spec.is_zk();
    let on = spec.quorum.buggify.enabled();
    let checked = |b: bool| if b { " checked" } else { "" };
    let off = |b: bool| if b { " disabled" } else { "" };
    let mut out = format!(
        "<fieldset><legend>Mode</legend>\
<label class=\"check\"><input type=\"radio\" name=\"mode\" value=\"kraft\" data-testid=\"new-mode-kraft\"{}><span>KRaft</span></label>\
<label class=\"check\"><input type=\"radio\" name=\"mode\" value=\"zk\" data-testid=\"new-mode-zk\"{}><span>ZooKeeper (Kafka ≤ 3.9): an ensemble, and a controller among the brokers</span></label>\
<label>ZooKeeper servers <select name=\"zookeepers\" data-testid=\"new-zookeepers\" data-zk{}><option value=\"3\"{}>3</option><option value=\"5\"{}>5</option></select></label></fieldset>\
<label>Modelled partitions (counted, not drawn; their bulk work takes modelled time) <input name=\"partitions\" type=\"number\" min=\"0\" max=\"2000000\" step=\"1000\" data-testid=\"new-partitions\" value=\"{}\"></label>\
<label>Controllers (voters) <input name=\"voters\" type=\"number\" min=\"1\" max=\"7\" data-testid=\"new-voters\" data-kraft value=\"{}\"{}></label>\
<label>Brokers (observers) <input name=\"brokers\" type=\"number\" min=\"0\" max=\"8\" data-testid=\"new-brokers\" value=\"{}\"></label>\
<label>Seed <input name=\"seed\" type=\"number\" min=\"0\" data-testid=\"new-seed\" value=\"{}\"> <button type=\"button\" class=\"btn btn-small\" data-act=\"random-seed\">random</button></label>\
<label class=\"check\"><input type=\"checkbox\" name=\"prevote\" data-testid=\"new-prevote\" data-kraft{}{}><span>Pre-vote (KIP-996, Kafka 4.x); off behaves like Kafka 3.9</span></label>\
<label class=\"check\"><input type=\"checkbox\" name=\"combined\" data-testid=\"new-combined\" data-kraft{}{}><span>Combined mode: the controllers are brokers too (process.roles=broker,controller)</span></label>\
<label class=\"check\"><input type=\"checkbox\" name=\"dynamic\" data-testid=\"new-dynamic\" data-kraft{}{}><span>Dynamic quorum (KIP-853): voters live in the log; add and remove controllers</span></label>\
<label>Spare controllers (not voters yet) <input name=\"spares\" type=\"number\" min=\"0\" max=\"3\" data-testid=\"new-spares\" value=\"{}\"{}></label>\
<details class=\"switches\"{}><summary>Teaching switches: break a rule on purpose</summary>\
<p class=\"muted\">Each switch removes one safeguard Kafka relies on (scenario files: <code>buggify=…</code>). The safety panel shows the invariant that breaks.</p>",
        checked(!zk),
        checked(zk),
        off(!zk),
        if spec.zookeepers.len() != 5 { " selected" } else { "" },
        if spec.zookeepers.len() == 5 { " selected" } else { "" },
        spec.quorum.modelled_partitions,
        spec.controllers.len().max(1),
        off(zk),
        spec.brokers.len(),
        spec.seed,
        checked(spec.quorum.prevote),
        off(zk),
        checked(!spec.combined.is_empty()),
        off(zk),
        checked(spec.quorum.dynamic_quorum),
        off(zk),
        spec.spare_controllers.len(),
        off(zk || !spec.quorum.dynamic_quorum),
        if on.is_empty() { "" } else { " open" },
    );
    for name in Buggify::NAMES {
        out += &format!(
            "<label class=\"check\"><input type=\"checkbox\" name=\"buggify\" value=\"{name}\" data-testid=\"new-buggify-{name}\" data-kraft{}{}><span><code>{name}</code>: ",
            checked(on.contains(name)),
            off(zk)
        );
        crate::html::push_text(&mut out, Buggify::describe(name));
        out += "</span></label>";
    }
    out += &format!(
        "</details><fieldset><legend>Teaching network, one-way latency (ms)</legend>\
<label>from <input name=\"latency-min\" type=\"number\" min=\"0\" max=\"1000\" value=\"{}\"></label>\
<label> to <input name=\"latency-max\" type=\"number\" min=\"0\" max=\"1000\" value=\"{}\"></label></fieldset>\
<button type=\"submit\" class=\"btn btn-primary\" data-testid=\"new-cluster-create\">Create</button>",
        spec.network.latency_min / 1000,
        spec.network.latency_max / 1000
    );
    out
}

/// Put every node in group A or B, then cut every link between the groups. The form is read
/// when submitted ([`crate::form`]).
#[component]
pub fn PartitionDialog() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let nodes: Vec<NodeId> = lab
        .run
        .view
        .with_untracked(|v| v.nodes.iter().map(|n| n.id).collect());
    let leader = lab.run.view.with_untracked(|v| v.leader);
    let nodes_for_apply = nodes.clone();
    let apply = move |ev: leptos::ev::SubmitEvent| {
        let f = Fields::of(&ev);
        let (b, a): (Vec<NodeId>, Vec<NodeId>) = nodes_for_apply
            .iter()
            .partition(|n| f.text(&format!("side-{n}")) == "b");
        if a.is_empty() || b.is_empty() {
            lab.say("put at least one node in each group".into(), true);
            return;
        }
        lab.act(UserAction::Partition(vec![a, b]));
        lab.ui.dialog.set(Dialog::None);
    };
    // Start from a sensible split: the leader alone against everyone else.
    let rows: String = nodes
        .iter()
        .map(|n| {
            let in_b = Some(*n) != leader;
            format!(
                "<tr><th scope=\"row\">{n}</th><td><input type=\"radio\" name=\"side-{n}\" value=\"a\" aria-label=\"{n} in group A\"{}></td><td><input type=\"radio\" name=\"side-{n}\" value=\"b\" aria-label=\"{n} in group B\"{}></td></tr>",
                if in_b { "" } else { " checked" },
                if in_b { " checked" } else { "" }
            )
        })
        .collect();
    view! {
        <Modal title="Partition the network" testid="partition-dialog">
            <form on:submit=apply>
                <p>"Choose a side for each node; every link between the two groups is cut, both ways."</p>
                <table class="partition-table">
                    <thead><tr><th>"node"</th><th>"A"</th><th>"B"</th></tr></thead>
                    <tbody inner_html=rows></tbody>
                </table>
                <button type="submit" class="btn btn-primary" data-testid="partition-apply">"Cut the links"</button>
            </form>
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
    (
        "U",
        "undo the last change of the past (after acting with the timeline moved back)",
    ),
    ("W", "write a record through the active controller"),
    ("K", "crash the active controller"),
    ("R", "restart every stopped node"),
    ("P", "partition…"),
    ("H", "heal every link"),
    (
        "M",
        "pause and open a message in flight (again: the next one)",
    ),
    ("N", "new cluster…"),
    ("S", "share…"),
    ("?", "this help"),
    ("Esc", "close menus and dialogs"),
];

/// The shortcut overlay: fixed text, written as markup ([`crate::html`]).
#[component]
pub fn HelpDialog() -> impl IntoView {
    let mut rows = String::from("<tbody>");
    for (k, v) in SHORTCUTS {
        rows += "<tr><th scope=\"row\"><kbd>";
        crate::html::push_text(&mut rows, k);
        rows += "</kbd></th><td>";
        crate::html::push_text(&mut rows, v);
        rows += "</td></tr>";
    }
    rows += "</tbody>";
    view! {
        <Modal title="Keyboard shortcuts" testid="help-dialog">
            <table class="shortcuts" inner_html=rows></table>
            <p>"Click or focus a node (Tab, then Enter) for its menu; click a message for its fields. The shortcuts work everywhere but in text fields."</p>
            <p><button class="btn" data-testid="show-orientation" on:click=move |_| {
                let lab = expect_context::<crate::lab::Lab>();
                lab.ui.dialog.set(crate::ui::Dialog::None);
                lab.ui.orientation.set(true);
            }>"What am I looking at?"</button></p>
        </Modal>
    }
}

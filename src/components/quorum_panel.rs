//! The live output of `kafka-metadata-quorum describe --status` and `--replication`, in
//! Kafka's exact format, with each row linked to its node: hover a row and the node lights up,
//! hover a node and its row does.

use kraftlab_core::tools::ToolText;
use leptos::prelude::*;

use crate::html::push_text;
use crate::lab::Lab;

/// One `<pre>` whose lines link to nodes.
#[component]
fn LinkedText(
    text: RwSignal<ToolText>,
    testid: &'static str,
    label: &'static str,
    /// Lines the tool prints for this cluster at most, reserved from the start.
    reserve: Memo<usize>,
) -> impl IntoView {
    let lab = expect_context::<Lab>();
    // The lines as markup (one write when the tool's output changes, instead of a reactive
    // span per line); a line about a node carries `data-node`, for the hover highlight.
    let html = move || {
        text.with(|t| {
            let mut out = String::new();
            for l in &t.lines {
                match l.node {
                    Some(n) => out += &format!("<span class=\"qline\" data-node=\"{n}\">"),
                    None => out += "<span class=\"qline\">",
                }
                push_text(&mut out, &l.text);
                out += "\n</span>";
            }
            out
        })
    };
    // The box keeps the most lines it has shown, so a failover (when the tools print an
    // error line instead of a table) does not move the panels below it.
    let most = StoredValue::new(0usize);
    let height = move || {
        let n = text
            .with(|t| t.lines.len())
            .max(most.get_value())
            .max(reserve.get());
        most.set_value(n);
        format!("min-height: {n}lh")
    };
    view! {
        <pre
            class="quorum"
            style=height
            class:quorum-error=move || text.with(|t| t.lines.first().is_some_and(|l| l.text.starts_with("Error")))
            data-testid=testid
            aria-label=label
            tabindex="0"
            inner_html=html
            on:mouseover=move |ev| lab.ui.hovered_node.set(crate::html::node_of(&ev))
            on:mouseleave=move |_| lab.ui.hovered_node.set(None)
        >
        </pre>
    }
}

/// Both outputs, with the commands that produce them: `kafka-metadata-quorum` in KRaft mode;
/// in ZooKeeper mode, where there is no metadata quorum, what an operator asked ZooKeeper:
/// each server's `srvr`, and who holds `/controller`.
#[component]
pub fn QuorumPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let zk = move || lab.run.zk_mode.get();
    // `describe --status` prints eight lines; `--replication` a header and a line per node;
    // ZooKeeper mode one `srvr` line per server and `/controller`'s one line.
    let nodes = Memo::new(move |_| lab.run.view.with(|v| v.nodes.len()));
    let status_lines = Memo::new(move |_| if zk() { 5 } else { 8 });
    let replication_lines = Memo::new(move |_| if zk() { 1 } else { nodes.get() + 1 });
    view! {
        <section class="panel quorum-panel" aria-labelledby="quorum-title">
            <h2 id="quorum-title">{move || if zk() { "ZooKeeper, as the tools see it" } else { "Quorum, as the tools see it" }}</h2>
            <p class="cmd">
                {move || if zk() {
                    "$ for s in zk1 zk2 …; do echo srvr | nc $s 2181; done   (abridged)"
                } else {
                    "$ kafka-metadata-quorum --bootstrap-controller … describe --status"
                }}
            </p>
            // The lines of the node under the pointer anywhere on the page, highlighted.
            <style>{move || lab.ui.hovered_node.get().map(|id| format!(".quorum span[data-node=\"{id}\"]{{background:#1e40af}}"))}</style>
            <LinkedText text=lab.run.quorum_status testid="quorum-status" label="status output" reserve=status_lines />
            <p class="cmd">
                {move || if zk() {
                    "$ zookeeper-shell zk1:2181 get /controller"
                } else {
                    "$ kafka-metadata-quorum --bootstrap-controller … describe --replication"
                }}
            </p>
            <LinkedText text=lab.run.quorum_replication testid="quorum-replication" label="replication or controller output" reserve=replication_lines />
        </section>
    }
}

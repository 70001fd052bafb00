//! The live output of `kafka-metadata-quorum describe --status` and `--replication`, in
//! Kafka's exact format, with each row linked to its node: hover a row and the node lights up,
//! hover a node and its row does.

use kraftlab_core::tools::ToolText;
use leptos::prelude::*;

use crate::lab::Lab;

/// One `<pre>` whose lines link to nodes.
#[component]
fn LinkedText(
    text: RwSignal<ToolText>,
    testid: &'static str,
    label: &'static str,
) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let lines = move || {
        text.with(|t| {
            t.lines
                .iter()
                .map(|l| (l.text.clone(), l.node))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <pre
            class="quorum"
            class:quorum-error=move || text.with(|t| t.lines.first().is_some_and(|l| l.text.starts_with("Error")))
            data-testid=testid
            aria-label=label
            tabindex="0"
        >
            {move || {
                lines()
                    .into_iter()
                    .map(|(line, node)| {
                        let class = move || {
                            if node.is_some() && lab.ui.hovered_node.get() == node { "qline qline-hot" } else { "qline" }
                        };
                        view! {
                            <span
                                class=class
                                data-node=node.map(|n| n.to_string()).unwrap_or_default()
                                on:mouseenter=move |_| {
                                    if node.is_some() {
                                        lab.ui.hovered_node.set(node);
                                    }
                                }
                                on:mouseleave=move |_| {
                                    if node.is_some() {
                                        lab.ui.hovered_node.set(None);
                                    }
                                }
                            >
                                {line}
                                "\n"
                            </span>
                        }
                    })
                    .collect::<Vec<_>>()
            }}
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
            <LinkedText text=lab.run.quorum_status testid="quorum-status" label="status output" />
            <p class="cmd">
                {move || if zk() {
                    "$ zookeeper-shell zk1:2181 get /controller"
                } else {
                    "$ kafka-metadata-quorum --bootstrap-controller … describe --replication"
                }}
            </p>
            <LinkedText text=lab.run.quorum_replication testid="quorum-replication" label="replication or controller output" />
        </section>
    }
}

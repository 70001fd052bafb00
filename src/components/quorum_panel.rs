//! The live output of `kafka-metadata-quorum describe --status` and `--replication`, in
//! Kafka's exact format, with each row linked to its node: hover a row and the node lights up,
//! hover a node and its row does.

use kraftlab_core::types::NodeId;
use leptos::prelude::*;

use crate::state::Lab;

/// The node a line of the replication table is about (its first column).
fn row_node(line: &str) -> Option<NodeId> {
    NodeId::parse(line.split_whitespace().next()?)
}

/// One `<pre>` whose lines link to nodes.
#[component]
fn LinkedText(
    text: RwSignal<String>,
    testid: &'static str,
    label: &'static str,
    status: bool,
) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let lines = move || {
        text.with(|t| {
            t.lines()
                .map(|l| {
                    // `describe --status` names the leader on its LeaderId line; a table
                    // (replication, or ZooKeeper's srvr) starts each row with the node.
                    let node = if status {
                        l.strip_prefix("LeaderId:")
                            .and_then(|v| NodeId::parse(v.trim()))
                            .or_else(|| row_node(l).filter(|n| n.is_zk()))
                    } else {
                        row_node(l)
                    };
                    (l.to_string(), node)
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <pre
            class="quorum"
            class:quorum-error=move || text.with(|t| t.starts_with("Error"))
            data-testid=testid
            aria-label=label
            tabindex="0"
        >
            {move || {
                lines()
                    .into_iter()
                    .map(|(line, node)| {
                        let class = move || {
                            if node.is_some() && lab.hovered_node.get() == node { "qline qline-hot" } else { "qline" }
                        };
                        view! {
                            <span
                                class=class
                                data-node=node.map(|n| n.to_string()).unwrap_or_default()
                                on:mouseenter=move |_| {
                                    if node.is_some() {
                                        lab.hovered_node.set(node);
                                    }
                                }
                                on:mouseleave=move |_| {
                                    if node.is_some() {
                                        lab.hovered_node.set(None);
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
    let zk = move || lab.zk_mode.get();
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
            <LinkedText text=lab.quorum_status testid="quorum-status" label="status output" status=true />
            <p class="cmd">
                {move || if zk() {
                    "$ zookeeper-shell zk1:2181 get /controller"
                } else {
                    "$ kafka-metadata-quorum --bootstrap-controller … describe --replication"
                }}
            </p>
            <LinkedText text=lab.quorum_replication testid="quorum-replication" label="replication or controller output" status=false />
        </section>
    }
}

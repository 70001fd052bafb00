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
                    let node = if status {
                        l.strip_prefix("LeaderId:")
                            .and_then(|v| NodeId::parse(v.trim()))
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

/// Both outputs, with the commands that produce them.
#[component]
pub fn QuorumPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <section class="panel quorum-panel" aria-labelledby="quorum-title">
            <h2 id="quorum-title">"Quorum, as the tools see it"</h2>
            <p class="cmd">"$ kafka-metadata-quorum --bootstrap-controller … describe --status"</p>
            <LinkedText text=lab.quorum_status testid="quorum-status" label="describe --status output" status=true />
            <p class="cmd">"$ kafka-metadata-quorum --bootstrap-controller … describe --replication"</p>
            <LinkedText text=lab.quorum_replication testid="quorum-replication" label="describe --replication output" status=false />
        </section>
    }
}

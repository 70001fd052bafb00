//! Every node's metadata log, offset by offset: the epoch of each record (colour and numeral),
//! committed records solid, uncommitted ones dashed, the high watermark and log end offset
//! marked, and under each offset how many voters hold it — the majority that made it
//! committed.

use kraftlab_core::sim::view::NodeView;
use kraftlab_core::sim::{ClusterView, NodeKind};
use leptos::prelude::*;

use crate::lab::Lab;
use crate::theme::epoch_colour;

const COLUMNS: u64 = 14;

fn initial(kind: &str) -> &'static str {
    match kind {
        "LeaderChangeMessage" => "L",
        "NoOpRecord" => "N",
        "Data" => "D",
        _ => "R",
    }
}

/// The offsets shown: the last [`COLUMNS`] up to the longest log end.
fn window(view: &ClusterView) -> (u64, u64) {
    let end = view
        .nodes
        .iter()
        .map(|n| n.log_end_offset)
        .max()
        .unwrap_or(0);
    (end.saturating_sub(COLUMNS), end)
}

/// How many voters hold the leader's record at `offset` (same epoch), and how many voters there
/// are, as the core counted them.
fn holders(view: &ClusterView, offset: u64) -> Option<(usize, usize)> {
    view.holders_of(offset)
        .map(|h| (h.voters.len(), h.voter_count))
}

/// The log matrix.
#[component]
pub fn LogView() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let rows = move || {
        lab.run.view.with(|v| {
            let (from, to) = window(v);
            let mut nodes: Vec<&NodeView> = v.nodes.iter().collect();
            kraftlab_core::flat::insertion_sort_by(&mut nodes, |a, b| {
                (a.kind != NodeKind::Controller, a.id) < (b.kind != NodeKind::Controller, b.id)
            });
            let body = nodes
                .into_iter()
                .map(|n| {
                    let id = n.id;
                    let hw = n.high_watermark;
                    let cells = (from..to)
                        .map(|o| {
                            let entry = n.log_tail.iter().find(|e| e.offset == o);
                            match entry {
                                Some(e) => {
                                    let committed = hw.is_some_and(|h| o < h);
                                    let class = if committed { "cell cell-committed" } else { "cell cell-uncommitted" };
                                    let title = format!(
                                        "offset {o}, epoch {}: {} ({})",
                                        e.epoch,
                                        e.summary,
                                        if committed { "committed" } else { "not committed here yet" }
                                    );
                                    let hw_mark = hw == Some(o);
                                    view! {
                                        <td class=class class:hw-edge=hw_mark style=format!("--epoch: {}", epoch_colour(e.epoch)) title=title>
                                            <span class="cell-epoch">{e.epoch}</span>
                                            <span class="cell-kind">{initial(e.kind)}</span>
                                        </td>
                                    }
                                    .into_any()
                                }
                                None => {
                                    let hw_mark = hw == Some(o);
                                    view! { <td class="cell cell-empty" class:hw-edge=hw_mark></td> }.into_any()
                                }
                            }
                        })
                        .collect::<Vec<_>>();
                    let label = format!(
                        "{} {}",
                        id,
                        if n.status.is_live() { n.role_label() } else { n.status.label() }
                    );
                    let meta = format!(
                        "LEO {} · HW {}",
                        n.log_end_offset,
                        hw.map(|h| h.to_string()).unwrap_or_else(|| "?".into())
                    );
                    let hot = move || lab.ui.hovered_node.get() == Some(id);
                    view! {
                        <tr
                            class:row-hot=hot
                            class:row-down=!n.status.is_live()
                            on:mouseenter=move |_| lab.ui.hovered_node.set(Some(id))
                            on:mouseleave=move |_| lab.ui.hovered_node.set(None)
                        >
                            <th scope="row">{label}<small>{meta}</small></th>
                            {cells}
                        </tr>
                    }
                })
                .collect::<Vec<_>>();
            let head = (from..to).map(|o| view! { <th scope="col">{o}</th> }).collect::<Vec<_>>();
            let foot = (from..to)
                .map(|o| match holders(v, o) {
                    Some((count, total)) => {
                        let majority = count > total / 2;
                        let title = format!("{count} of {total} voters hold offset {o}{}", if majority { ": a majority" } else { "" });
                        view! {
                            <td class="holders" class:majority=majority title=title>
                                {format!("{count}/{total}")}
                                {if majority { "✓" } else { "" }}
                            </td>
                        }
                        .into_any()
                    }
                    None => view! { <td class="holders"></td> }.into_any(),
                })
                .collect::<Vec<_>>();
            (head, body, foot)
        })
    };
    view! {
        <section class="panel log-panel" aria-labelledby="log-title">
            <h2 id="log-title">"Metadata log, per node"</h2>
            <div class="log-scroll" tabindex="0">
                <table class="log" data-testid="log-view">
                    {move || {
                        let (head, body, foot) = rows();
                        view! {
                            <thead>
                                <tr>
                                    <th scope="col">"offset"</th>
                                    {head}
                                </tr>
                            </thead>
                            <tbody>{body}</tbody>
                            <tfoot>
                                <tr>
                                    <th scope="row">"voters holding the leader's record"</th>
                                    {foot}
                                </tr>
                            </tfoot>
                        }
                    }}
                </table>
            </div>
            <p class="hint">
                "Solid: committed (below the node's high watermark). Dashed: not committed yet. "
                "The bar marks the high watermark. L = LeaderChangeMessage, D = a written record."
            </p>
        </section>
    }
}

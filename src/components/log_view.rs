//! Every node's metadata log, offset by offset: the epoch of each record (colour and numeral),
//! committed records solid, uncommitted ones dashed, the high watermark and log end offset
//! marked, and under each offset how many voters hold it — the majority that made it
//! committed.

use kraftlab_core::sim::view::NodeView;
use kraftlab_core::sim::{ClusterView, NodeKind, World};
use kraftlab_core::types::NodeId;
use leptos::prelude::*;

use crate::html::push_text;
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

/// One record in the matrix.
#[derive(Clone, Debug, PartialEq)]
struct Cell {
    epoch: u32,
    kind: &'static str,
    committed: bool,
    summary: String,
}

/// One node's row.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    id: NodeId,
    label: String,
    meta: String,
    down: bool,
    hw: Option<u64>,
    cells: Vec<Option<Cell>>,
}

/// What the table shows, compared: the table is rebuilt when a log, a high watermark or a
/// state changes (about twice a virtual second), not on every frame.
#[derive(Clone, Debug, PartialEq)]
struct Matrix {
    from: u64,
    to: u64,
    /// The longest log's start and end, for the scroll bar.
    start: u64,
    end: u64,
    rows: Vec<Row>,
    holders: Vec<Option<(usize, usize)>>,
}

/// The matrix of the offsets `[from, from + COLUMNS)` (the newest when `at` is `None`), read
/// from the run itself, so any stretch of the whole log can be shown.
fn matrix(world: &World, view: &ClusterView, at: Option<u64>) -> Matrix {
    let logs = || {
        view.nodes
            .iter()
            .filter_map(|n| world.node(n.id)?.disk().map(|d| &d.log))
    };
    let end = logs().map(|l| l.end_offset()).max().unwrap_or(0);
    let start = logs().map(|l| l.start_offset()).min().unwrap_or(0);
    let last = end.saturating_sub(COLUMNS).max(start);
    let from = at.map(|a| a.clamp(start, last)).unwrap_or(last);
    let to = (from + COLUMNS).min(end);
    let mut nodes: Vec<&NodeView> = view.nodes.iter().collect();
    kraftlab_core::flat::insertion_sort_by(&mut nodes, |a, b| {
        (a.kind != NodeKind::Controller, a.id) < (b.kind != NodeKind::Controller, b.id)
    });
    let rows = nodes
        .into_iter()
        .map(|n| {
            let hw = n.high_watermark;
            let mut cells: Vec<Option<Cell>> = vec![None; (to - from) as usize];
            if let Some(log) = world.node(n.id).and_then(|w| w.disk()).map(|d| &d.log) {
                let (a, b) = (from.max(log.start_offset()), to.min(log.end_offset()));
                if a < b {
                    for (offset, epoch, r) in log.entries(a, b) {
                        cells[(offset - from) as usize] = Some(Cell {
                            epoch,
                            kind: r.type_name(),
                            committed: hw.is_some_and(|h| offset < h),
                            summary: r.to_string(),
                        });
                    }
                }
            }
            Row {
                id: n.id,
                label: format!(
                    "{} {}",
                    n.id,
                    if n.status.is_live() {
                        n.role_label()
                    } else {
                        n.status.label()
                    }
                ),
                meta: format!(
                    "LEO {} · HW {}",
                    n.log_end_offset,
                    hw.map(|h| h.to_string()).unwrap_or_else(|| "?".into())
                ),
                down: !n.status.is_live(),
                hw,
                cells,
            }
        })
        .collect();
    let holders = (from..to)
        .map(|o| view.holders_of(o).map(|h| (h.voters.len(), h.voter_count)))
        .collect();
    Matrix {
        from,
        to,
        start,
        end,
        rows,
        holders,
    }
}

/// The matrix as table markup: offsets across, nodes down, voters holding each offset below.
fn table_html(m: &Matrix) -> String {
    let mut out = String::from("<thead><tr><th scope=\"col\">offset</th>");
    for o in m.from..m.to {
        out += &format!("<th scope=\"col\">{o}</th>");
    }
    out += "</tr></thead><tbody>";
    for row in &m.rows {
        out += &format!(
            "<tr data-node=\"{}\"{}><th scope=\"row\">",
            row.id,
            if row.down { " class=\"row-down\"" } else { "" }
        );
        push_text(&mut out, &row.label);
        out += "<small>";
        push_text(&mut out, &row.meta);
        out += "</small></th>";
        for (o, cell) in (m.from..).zip(&row.cells) {
            let edge = if row.hw == Some(o) { " hw-edge" } else { "" };
            match cell {
                Some(e) => {
                    out += &format!(
                        "<td class=\"cell {}{edge}\" style=\"--epoch: {}\" title=\"offset {o}, epoch {}: ",
                        if e.committed { "cell-committed" } else { "cell-uncommitted" },
                        epoch_colour(e.epoch),
                        e.epoch
                    );
                    push_text(&mut out, &e.summary);
                    out += &format!(
                        " ({})\"><span class=\"cell-epoch\">{}</span><span class=\"cell-kind\">{}</span></td>",
                        if e.committed { "committed" } else { "not committed here yet" },
                        e.epoch,
                        initial(e.kind)
                    );
                }
                None => out += &format!("<td class=\"cell cell-empty{edge}\"></td>"),
            }
        }
        out += "</tr>";
    }
    out += "</tbody><tfoot><tr><th scope=\"row\">voters holding the leader's record</th>";
    for (h, o) in m.holders.iter().zip(m.from..) {
        match *h {
            Some((count, total)) => {
                let majority = count > total / 2;
                out += &format!(
                    "<td class=\"holders{}\" title=\"{count} of {total} voters hold offset {o}{}\">{count}/{total}{}</td>",
                    if majority { " majority" } else { "" },
                    if majority { ": a majority" } else { "" },
                    if majority { "✓" } else { "" }
                );
            }
            None => out += "<td class=\"holders\"></td>",
        }
    }
    out + "</tr></tfoot>"
}

/// The log matrix.
#[component]
pub fn LogView() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // The first offset shown when scrolled back; `None` follows the newest records.
    let at = RwSignal::new(None::<u64>);
    // What the matrix depends on, cheap to compare: it changes with a log end, a high
    // watermark or a state (about twice a virtual second), not with every frame's clock.
    let key = Memo::new(move |_| {
        lab.run.with_panel_view(|v| {
            let nodes: Vec<_> = v
                .nodes
                .iter()
                .map(|n| {
                    (
                        n.id,
                        n.log_end_offset,
                        n.high_watermark,
                        n.status,
                        n.role,
                        n.epoch,
                    )
                })
                .collect();
            (nodes, v.leader)
        })
    });
    let data = Memo::new(move |_| {
        let at = at.get();
        key.with(|_| ());
        lab.run
            .view
            .with_untracked(|v| lab.run.timeline.with_value(|t| matrix(t.world(), v, at)))
    });
    // The table as markup: a reactive view per cell would cost first-load code for every
    // attribute; a string costs only its bytes, and the whole table is rebuilt only when the
    // Memo above changed. Hovering a row highlights its node (delegated below).
    let table = move || data.with(table_html);
    let zk = lab.run.zk_mode;
    view! {
        <section class="panel log-panel" aria-labelledby="log-title">
            <h2 id="log-title">{move || if zk.get() { "ZooKeeper: the newest znodes and their zxids" } else { "Metadata log, per node" }}</h2>
            {move || zk.get().then(|| view! { <ZnodeLog /> })}
            <div class="log-kraft" class:hidden=move || zk.get()>
            <label class="log-window">
                <span>{move || data.with(|m| format!("offsets {}–{} of {}–{}", m.from, m.to.saturating_sub(1), m.start, m.end.saturating_sub(1)))}</span>
                <input type="range" data-testid="log-window" aria-label="Scroll through the whole log"
                    prop:min=move || data.with(|m| m.start.to_string())
                    prop:max=move || data.with(|m| m.end.saturating_sub(COLUMNS).max(m.start).to_string())
                    prop:value=move || data.with(|m| m.from.to_string())
                    on:input=move |ev| {
                        let v = event_target_value(&ev).parse::<u64>().ok();
                        let last = data.with_untracked(|m| m.end.saturating_sub(COLUMNS).max(m.start));
                        at.set(v.filter(|v| *v < last));
                    } />
                <button class="btn btn-small" data-testid="log-newest" disabled=move || at.get().is_none() on:click=move |_| at.set(None)>"Newest"</button>
            </label>
            <div class="log-scroll" tabindex="0">
                <table class="log" data-testid="log-view" inner_html=table
                    on:mouseover=move |ev| lab.ui.hovered_node.set(crate::html::node_of(&ev))
                    on:mouseleave=move |_| lab.ui.hovered_node.set(None)>
                </table>
                // The row of the node under the pointer anywhere on the page, highlighted.
                <style>{move || lab.ui.hovered_node.get().map(|id| format!("table.log tr[data-node=\"{id}\"] th{{color:var(--accent)}}"))}</style>
            </div>
            <p class="hint">
                "Solid: committed (below the node's high watermark). Dashed: not committed yet. "
                "The bar marks the high watermark. L = LeaderChangeMessage, N = NoOpRecord, D = a record written with ✎ Write, R = any other metadata record."
            </p>
            </div>
        </section>
    }
}

/// ZooKeeper mode has no metadata log: every change is a ZAB transaction on the ZooKeeper
/// ensemble, numbered by its zxid (the leader's epoch in the high 32 bits, a counter in the
/// low). This lists the serving leader's newest znodes by the zxid that created them.
#[component]
fn ZnodeLog() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let rows = move || {
        lab.run.zk_log.with(|log| {
            log.iter()
                .map(|z| {
                    let (epoch, counter) = (z.czxid >> 32, z.czxid & 0xffff_ffff);
                    view! {
                        <tr>
                            <td class="mono">{format!("0x{:x}", z.czxid)}</td>
                            <td>{epoch}</td>
                            <td>{counter}</td>
                            <td class="mono">{z.path.clone()}</td>
                            <td>{z.version}</td>
                            <td>{if z.ephemeral { "ephemeral" } else { "" }}</td>
                        </tr>
                    }
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="log-scroll" tabindex="0">
            <table class="znode-log" data-testid="znode-log">
                <thead><tr><th>"czxid"</th><th>"epoch"</th><th>"counter"</th><th>"znode"</th><th>"version"</th><th></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <p class="hint">"Each write is a ZAB proposal: the ZooKeeper leader numbers it with the next zxid, a quorum of servers logs it, then every server applies it. A new ZooKeeper leader starts a new epoch, so the counter starts again from 0. "
            "version counts the setData calls on a znode since it was created (a partition's state znode gets one per leader change); ephemeral znodes die with their owner's session."</p>
    }
}

//! The cluster picture: controllers on a ring, brokers in a row beneath, messages moving
//! between them, parked Fetches waiting at the leader, and cut links.
//!
//! Visual vocabulary after RaftScope (which users know): the epoch is a colour *and* a
//! numeral, election and fetch timers are arcs around the node, a candidate shows one mark per
//! voter (✓ granted, ✕ rejected, ○ waiting), requests are filled and responses hollow. Nothing
//! is carried by colour alone: roles are written, message types differ in shape, states have
//! icons.

mod layout;
mod message_glyph;
mod node_glyph;

use crate::math::num;
use leptos::prelude::*;

use crate::lab::Lab;
use layout::{layout, CONTROLLER_R, NARROW_WIDTH, WIDTH};
use message_glyph::MessageGlyph;
use node_glyph::NodeGlyph;

/// The cluster picture.
#[component]
pub fn ClusterPicture() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let layout = Memo::new(move |_| {
        let width = if lab.ui.narrow.get() {
            NARROW_WIDTH
        } else {
            WIDTH
        };
        lab.run.view.with(|v| layout(v, width))
    });
    let node_ids = Memo::new(move |_| {
        lab.run
            .view
            .with(|v| v.nodes.iter().map(|n| n.id).collect::<Vec<_>>())
    });
    let message_ids = Memo::new(move |_| {
        lab.run
            .view
            .with(|v| v.messages.iter().map(|m| m.id).collect::<Vec<_>>())
    });
    let cuts = move || {
        lab.run.view.with(|v| {
            let mut seen = Vec::new();
            for (a, b) in &v.cuts {
                let both = v.cuts.contains(&(*b, *a));
                if both && seen.iter().any(|(x, y, _)| (x, y) == (b, a)) {
                    continue;
                }
                seen.push((*a, *b, both));
            }
            seen
        })
        .into_iter()
        .filter_map(|(a, b, both)| {
            let (x1, y1) = layout.with(|l| l.pos.get(&a).copied())?;
            let (x2, y2) = layout.with(|l| l.pos.get(&b).copied())?;
            let (mx, my) = ((x1 + x2) / 2.0, (y1 + y2) / 2.0);
            let title = if both { format!("link {a} ⇄ {b} cut") } else { format!("link {a} → {b} cut (one way)") };
            Some(view! {
                <g class="cut">
                    <line x1=num(x1) y1=num(y1) x2=num(x2) y2=num(y2)></line>
                    <text x=num(mx) y=num(my + 4.0) text-anchor="middle">{if both { "✂" } else { "✂→" }}</text>
                    <title>{title}</title>
                </g>
            })
        })
        .collect::<Vec<_>>()
    };
    let parked = move || {
        lab.run
            .view
            .with(|v| {
                let mut out = Vec::new();
                for n in &v.nodes {
                    for from in &n.parked_fetches {
                        out.push((n.id, *from));
                    }
                }
                out
            })
            .into_iter()
            .filter_map(|(leader, from)| {
                let (x1, y1) = layout.with(|l| l.pos.get(&leader).copied())?;
                let (x2, y2) = layout.with(|l| l.pos.get(&from).copied())?;
                let (dx, dy) = (x2 - x1, y2 - y1);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let (x, y) = (
                    x1 + dx / len * (CONTROLLER_R + 6.0),
                    y1 + dy / len * (CONTROLLER_R + 6.0),
                );
                let title = format!(
                    "Fetch from {from} parked at the leader: it waits up to 500 ms for new records"
                );
                Some(view! {
                    <g class="parked" data-testid="parked-fetch">
                        <circle cx=num(x) cy=num(y) r="5"></circle>
                        <title>{title}</title>
                    </g>
                })
            })
            .collect::<Vec<_>>()
    };
    let summary = move || {
        lab.run.view.with(|v| {
            let leader = v
                .leader
                .map(|l| format!("the active controller is {l}"))
                .unwrap_or_else(|| "there is no active controller".into());
            format!(
                "Cluster of {} nodes at {} s; {leader}; {} messages in flight",
                v.nodes.len(),
                kraftlab_core::decimal::fixed(v.now.as_ms_f64() / 1000.0, 3),
                v.messages.len()
            )
        })
    };
    view! {
        <svg
            class="cluster"
            data-testid="cluster-view"
            viewBox=move || layout.with(|l| format!("0 0 {} {}", num(l.width), num(l.height)))
            role="group"
            aria-label=summary
            on:click=move |_| lab.ui.selected_message.set(None)
        >
            <g class="cuts">{cuts}</g>
            <For each=move || node_ids.get() key=|id| *id children=move |id| view! { <NodeGlyph id layout /> } />
            <g class="parked-fetches">{parked}</g>
            <g class="messages">
                <For each=move || message_ids.get() key=|id| *id children=move |id| view! { <MessageGlyph id layout /> } />
            </g>
        </svg>
    }
}

//! The cluster picture: controllers on a ring, brokers in a row beneath, messages moving
//! between them, parked Fetches waiting at the leader, and cut links.
//!
//! Visual vocabulary after RaftScope (which users know): the epoch is a colour *and* a
//! numeral, election and fetch timers are arcs around the node, a candidate shows one mark per
//! voter (✓ granted, ✕ rejected, ○ waiting), requests are filled and responses hollow. Nothing
//! is carried by colour alone: roles are written, message types differ in shape, states have
//! icons.

pub(crate) mod layout;
mod message_layer;
mod node_glyph;

use crate::math::num;
use leptos::prelude::*;

use crate::lab::Lab;
use kraftlab_core::types::NodeId;
use layout::{layout, Layout, CONTROLLER_R, NARROW_WIDTH, WIDTH};
use message_layer::{MessageLayer, Pointer};
use node_glyph::NodeGlyph;

/// Clearance a cut keeps from every other node's centre.
const CUT_CLEARANCE: f64 = CONTROLLER_R + 8.0;

/// The path of the cut link `a`–`b`: straight when that misses every other node, otherwise
/// the gentlest curve that goes around them (a line through a third node would read as a cut
/// to it). Returns the path and its midpoint, where the scissors go.
fn cut_path(l: &Layout, a: NodeId, b: NodeId) -> Option<(String, (f64, f64))> {
    let (x1, y1) = l.pos.get(&a).copied()?;
    let (x2, y2) = l.pos.get(&b).copied()?;
    let (dx, dy) = (x2 - x1, y2 - y1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (nx, ny) = (-dy / len, dx / len);
    let others: Vec<(f64, f64)> = l
        .pos
        .iter()
        .filter(|(id, _)| **id != a && **id != b)
        .map(|(_, p)| *p)
        .collect();
    // The quadratic curve through (x1,y1), control point c, (x2,y2), at parameter t.
    let point = |bend: f64, t: f64| {
        let (cx, cy) = ((x1 + x2) / 2.0 + nx * bend, (y1 + y2) / 2.0 + ny * bend);
        let u = 1.0 - t;
        (
            u * u * x1 + 2.0 * u * t * cx + t * t * x2,
            u * u * y1 + 2.0 * u * t * cy + t * t * y2,
        )
    };
    let clear = |bend: f64| {
        (1..20).all(|i| {
            let (px, py) = point(bend, f64::from(i) / 20.0);
            others.iter().all(|(ox, oy)| {
                (px - ox) * (px - ox) + (py - oy) * (py - oy) > CUT_CLEARANCE * CUT_CLEARANCE
            })
        })
    };
    let bend = [0.0, 60.0, -60.0, 120.0, -120.0, 180.0, -180.0]
        .into_iter()
        .find(|b| clear(*b))
        .unwrap_or(0.0);
    let (cx, cy) = ((x1 + x2) / 2.0 + nx * bend, (y1 + y2) / 2.0 + ny * bend);
    Some((
        format!(
            "M {} {} Q {} {} {} {}",
            num(x1),
            num(y1),
            num(cx),
            num(cy),
            num(x2),
            num(y2)
        ),
        point(bend, 0.5),
    ))
}

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
    let pointer = Pointer::default();
    let messages = MessageLayer::new(layout, pointer.clone());
    // The tooltip names the message under the pointer (the canvas has no elements to title).
    let message_title = Memo::new(move |_| {
        let Some(id) = lab.ui.held_message.get() else {
            return String::new();
        };
        lab.run.view.with_untracked(|v| {
            v.messages
                .iter()
                .find(|m| m.id == id)
                .map(|m| format!("{} {} → {}: {}", m.name, m.from, m.to, m.detail))
                .unwrap_or_default()
        })
    });
    let (on_move, on_leave) = (pointer.clone(), pointer);
    // Compared: the cut links and parked Fetches are redrawn when they change, not per frame.
    let cut_links = Memo::new(move |_| {
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
    });
    let cuts = move || {
        cut_links
        .get()
        .into_iter()
        .filter_map(|(a, b, both)| {
            let (path, (mx, my)) = layout.with(|l| cut_path(l, a, b))?;
            let title = if both { format!("link {a} ⇄ {b} cut") } else { format!("link {a} → {b} cut (one way)") };
            Some(view! {
                <g class="cut">
                    <path d=path></path>
                    <text x=num(mx) y=num(my + 4.0) text-anchor="middle">{if both { "✂" } else { "✂→" }}</text>
                    <title>{title}</title>
                </g>
            })
        })
        .collect::<Vec<_>>()
    };
    let parked_fetches = Memo::new(move |_| {
        lab.run.view.with(|v| {
            let mut out = Vec::new();
            for n in &v.nodes {
                for from in &n.parked_fetches {
                    out.push((n.id, *from));
                }
            }
            out
        })
    });
    let parked = move || {
        parked_fetches
            .get()
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
    let summary = Memo::new(move |_| {
        lab.run.view.with(|v| {
            let leader = v
                .leader
                .map(|l| format!("the active controller is {l}"))
                .unwrap_or_else(|| "there is no active controller".into());
            // No clock and no message count: a label that changed every frame would make
            // the browser rebuild the accessibility tree every frame (the clock is beside the
            // scrubber; a message is named under the pointer and opened by a click or M).
            format!("Cluster of {} nodes; {leader}", v.nodes.len())
        })
    });
    view! {
        <div class="picture" title=move || message_title.get()>
            <svg
                class="cluster"
                class:over-message=move || lab.ui.held_message.get().is_some()
                data-testid="cluster-view"
                viewBox=move || layout.with(|l| format!("0 0 {} {}", num(l.width), num(l.height)))
                role="group"
                aria-label=move || summary.get()
                on:pointermove=move |ev| messages.point(&on_move, ev.client_x(), ev.client_y())
                on:pointerleave=move |_| messages.leave(&on_leave)
                on:click=move |ev| messages.click(ev.client_x(), ev.client_y())
            >
                <g class="cuts">{cuts}</g>
                <For each=move || node_ids.get() key=|id| *id children=move |id| view! { <NodeGlyph id layout /> } />
                <g class="parked-fetches">{parked}</g>
            </svg>
            <canvas class="message-layer" aria-hidden="true" node_ref=messages.node_ref()></canvas>
        </div>
    }
}

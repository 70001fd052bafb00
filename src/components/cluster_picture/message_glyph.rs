//! One message in flight, drawn where it is between its sender and receiver at this instant.

use crate::math::num;
use kraftlab_core::message::Outcome;
use kraftlab_core::sim::view::MessageView;
use kraftlab_core::types::SimTime;
use leptos::prelude::*;

use super::layout::{Layout, CONTROLLER_R};
use crate::lab::Lab;
use crate::theme::{message_style, MessageShape};

fn message_xy(m: &MessageView, now: SimTime, layout: &Layout) -> Option<(f64, f64, f64)> {
    let (x1, y1) = *layout.pos.get(&m.from)?;
    let (x2, y2) = *layout.pos.get(&m.to)?;
    let span = m.deliver_at.0.saturating_sub(m.sent_at.0).max(1) as f64;
    let t = (now.0.saturating_sub(m.sent_at.0) as f64 / span).clamp(0.0, 1.0);
    // Keep the message off the node bodies.
    let dx = x2 - x1;
    let dy = y2 - y1;
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let pad = CONTROLLER_R / len;
    let f = pad + (1.0 - 2.0 * pad) * t;
    // Requests and responses on the same link use slightly different lanes.
    let lane = if m.is_request { 4.0 } else { -4.0 };
    let (nx, ny) = (-dy / len * lane, dx / len * lane);
    Some((x1 + dx * f + nx, y1 + dy * f + ny, t))
}

/// One message in flight. Its shape and text are fixed when it appears; only its position (and
/// whether it is selected or doomed) changes.
#[component]
pub fn MessageGlyph(id: u64, layout: Memo<Layout>) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let Some(m) = lab
        .run
        .view
        .with_untracked(|v| v.messages.iter().find(|m| m.id == id).cloned())
    else {
        return ().into_any();
    };
    let style = message_style(m.name);
    let title = format!("{} {} → {}: {}", m.name, m.from, m.to, m.detail);
    let glyph = response_glyph(&m);
    let (from, to, is_request, doomed, name) = (m.from, m.to, m.is_request, m.doomed, m.name);
    let label = title.clone();
    let place = Memo::new(move |_| {
        let now = lab.run.now.get();
        let at = if lab.ui.reduced_motion.get() {
            // No travel animation: messages sit half way, labelled.
            SimTime(m.sent_at.0 + (m.deliver_at.0 - m.sent_at.0) / 2)
        } else {
            now
        };
        layout
            .with(|l| message_xy(&m, at, l))
            .map(|(x, y, _)| (x, y))
            .unwrap_or((-100.0, -100.0))
    });
    // One attribute follows the clock: the group's position; its shapes sit around (0, 0).
    let at = move || {
        let (x, y) = place.get();
        format!("translate({} {})", num(x), num(y))
    };
    let class = move || {
        let mut class = format!("msg msg-{}", style.css);
        if !is_request {
            class += " msg-response";
        }
        if doomed || lab.run.view.with(|v| v.cuts.contains(&(from, to))) {
            class += " msg-doomed";
        }
        if lab.ui.selected_message.get() == Some(id) {
            class += " msg-selected";
        }
        class
    };
    let shape = match style.shape {
        MessageShape::Circle => view! { <circle r="6.5" fill=style.colour stroke=style.colour></circle> }.into_any(),
        MessageShape::Diamond => view! { <polygon points="0,-8 8,0 0,8 -8,0" fill=style.colour stroke=style.colour></polygon> }.into_any(),
        MessageShape::Square => view! { <rect x="-6" y="-6" width="12" height="12" fill=style.colour stroke=style.colour></rect> }.into_any(),
        MessageShape::Triangle => view! { <polygon points="0,-8 7,6 -7,6" fill=style.colour stroke=style.colour></polygon> }.into_any(),
    };
    // A message that leaves the picture under the pointer (a seek, a new run) releases it.
    on_cleanup(move || lab.ui.holding.set(false));
    view! {
        <g
            class=class
            transform=at
            data-testid="message"
            data-name=name
            role="button"
            tabindex="-1"
            aria-label=label
            on:click=move |ev| {
                ev.stop_propagation();
                lab.ui.selected_message.set(Some(id));
                lab.ui.selected_node.set(None);
            }
            // A message in flight is on screen for a fraction of a second: a pointer moved
            // onto it slows the run twentyfold, so it can be read and clicked. (Moved: a
            // message passing under a resting pointer does not slow anything.)
            on:pointermove=move |_| {
                if !lab.ui.holding.get_untracked() {
                    lab.ui.holding.set(true);
                }
            }
            on:mouseleave=move |_| lab.ui.holding.set(false)
        >
            <title>{title}</title>
            <circle class="msg-hit" r="16"></circle>
            {shape}
            <text y="3" text-anchor="middle" class="msg-glyph">{glyph}</text>
        </g>
    }
    .into_any()
}

/// RaftScope's reply glyph: "+" granted, "−" refused or failed.
fn response_glyph(m: &MessageView) -> &'static str {
    match m.outcome {
        Some(Outcome::Granted) => "+",
        Some(Outcome::Refused | Outcome::Error(_)) => "−",
        None => "",
    }
}

//! Details of the selected message, and the button to drop it.

use kraftlab_core::sim::UserAction;
use leptos::prelude::*;

use crate::format::clock;
use crate::html::push_text;
use crate::lab::Lab;

/// The panel of the selected message (it closes when the message arrives).
#[component]
pub fn MessagePanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    // Compared: the panel is rebuilt when another message is chosen, not every frame.
    let message = Memo::new(move |_| {
        let id = lab.ui.selected_message.get()?;
        lab.run
            .view
            .with(|v| v.messages.iter().find(|m| m.id == id).cloned())
    });
    move || {
        let m = message.get()?;
        let id = m.id;
        let mut fields = format!(
            "<dt>sent</dt><dd>{}</dd><dt>arrives</dt><dd>{}{}</dd>",
            clock(m.sent_at),
            clock(m.deliver_at),
            if m.doomed { " (will be lost)" } else { "" }
        );
        for (k, v) in m
            .detail
            .split_whitespace()
            .skip(1)
            .filter_map(|kv| kv.split_once('='))
        {
            fields += "<dt>";
            push_text(&mut fields, k);
            fields += "</dt><dd>";
            push_text(&mut fields, v);
            fields += "</dd>";
        }
        Some(view! {
            <div class="message-panel" data-testid="message-panel" role="dialog" aria-label=format!("{} message", m.name)>
                <header>
                    <h3>{format!("{} {} → {}", m.name, m.from, m.to)}</h3>
                    <button class="btn btn-small" aria-label="Close" on:click=move |_| lab.ui.selected_message.set(None)>"✕"</button>
                </header>
                <dl inner_html=fields></dl>
                <button class="btn btn-danger" data-testid="action-drop" on:click=move |_| {
                    lab.act(UserAction::DropMessage(id));
                    lab.ui.selected_message.set(None);
                }>"Drop this message"</button>
            </div>
        })
    }
}

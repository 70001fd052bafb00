//! The top bar: the title and the actions that are not about one node.

use kraftlab_core::sim::UserAction;
use leptos::prelude::*;

use crate::lab::Lab;
use crate::ui::Dialog;

/// The header.
#[component]
pub fn Header() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let open = move |d: Dialog| move |_| lab.ui.dialog.set(d);
    view! {
        <header class="topbar">
            <div class="brand">
                <span class="logo" aria-hidden="true">"◉"</span>
                <h1>"KRaft Lab"</h1>
                <span class="tag">"Kafka's metadata quorum, live"</span>
            </div>
            <nav class="actions" aria-label="Cluster actions">
                <button class="btn" data-testid="write" title="The active controller appends a record (W)"
                    on:click=move |_| lab.act(UserAction::Write { count: 1, to: None })>"✎ Write"</button>
                <button class="btn" data-testid="write-10"
                    on:click=move |_| lab.act(UserAction::Write { count: 10, to: None })>"✎ ×10"</button>
                <button class="btn" data-testid="open-partition" title="Split the nodes into two groups (P)" on:click=open(Dialog::Partition)>"✂ Partition…"</button>
                <button class="btn" data-testid="heal" title="Restore every link (H)" on:click=move |_| lab.act(UserAction::Heal)>"⇄ Heal"</button>
                <button class="btn" data-testid="restart-all" title="Restart every stopped node (R)" on:click=move |_| lab.restart_all()>"↻ Restart all"</button>
                <button class="btn" data-testid="new-cluster" title="New cluster (N)" on:click=open(Dialog::NewCluster)>"+ New cluster"</button>
                <button class="btn" data-testid="share" title="Share (S)" on:click=open(Dialog::Share)>"⤴ Share"</button>
                <button class="btn" data-testid="help" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" on:click=open(Dialog::Help)>"?"</button>
            </nav>
        </header>
    }
}

//! The top bar: the title, the way to the playground, the lessons and the comparison, and the
//! cluster actions that are not about one node.

use kraftlab_core::sim::UserAction;
use leptos::prelude::*;

use crate::lab::Lab;
use crate::route::Route;
use crate::ui::Dialog;

/// A section link, marked current when its route (or a lesson, for "Lessons") is shown.
fn link(to: Route, label: &'static str, testid: &'static str) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let href = to.hash();
    let current = move || {
        let now = lab.route.get();
        now == to || (to == Route::Lessons && matches!(now, Route::Lesson { .. }))
    };
    view! {
        <a class="route-link" href=href data-testid=testid aria-current=move || current().then_some("page")>{label}</a>
    }
}

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
            <nav class="routes" aria-label="Sections">
                {link(Route::Playground, "Playground", "nav-playground")}
                {link(Route::Lessons, "Lessons", "nav-lessons")}
                {link(Route::Compare, "ZooKeeper vs KRaft", "nav-compare")}
            </nav>
            <Show when=move || !matches!(lab.route.get(), Route::Lessons | Route::Compare)>
            <nav class="actions" aria-label="Cluster actions">
                <button class="btn" data-testid="write" title="The active controller appends a record (W)"
                    on:click=move |_| lab.act(UserAction::Write { count: 1, to: None })>"✎ Write"</button>
                <button class="btn" data-testid="write-10"
                    on:click=move |_| lab.act(UserAction::Write { count: 10, to: None })>"✎ ×10"</button>
                <button class="btn" data-testid="open-partition" title="Split the nodes into two groups (P)" on:click=open(Dialog::Partition)>"✂ Partition…"</button>
                <button class="btn" data-testid="heal" title="Restore every link (H)" on:click=move |_| lab.act(UserAction::Heal)>"⇄ Heal"</button>
                <button class="btn" data-testid="restart-all" title="Restart every stopped node (R)" on:click=move |_| lab.restart_all()>"↻ Restart all"</button>
                <Show when=move || lab.route.get() == Route::Playground>
                    <button class="btn" data-testid="new-cluster" title="New cluster (N)" on:click=open(Dialog::NewCluster)>"+ New cluster"</button>
                </Show>
                <button class="btn" data-testid="share-button" title="Share, embed, export (S)" on:click=open(Dialog::Share)>"⤴ Share"</button>
                <button class="btn" data-testid="help" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts" on:click=open(Dialog::Help)>"?"</button>
            </nav>
            </Show>
        </header>
    }
}

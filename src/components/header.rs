//! The top bar: the title, the way to the playground, the lessons and the comparison, and the
//! cluster actions that are not about one node. Written as markup (it changes only with the
//! route), its buttons dispatched by `data-act`.

use kraftlab_core::sim::UserAction;
use leptos::prelude::*;

use crate::lab::Lab;
use crate::route::Route;
use crate::ui::Dialog;

/// The bar for the page at `route`.
fn header_html(route: &Route) -> String {
    let link = |to: Route, label: &str, testid: &str| {
        let current =
            *route == to || (to == Route::Lessons && matches!(route, Route::Lesson { .. }));
        format!(
            "<a class=\"route-link\" href=\"{}\" data-testid=\"{testid}\"{}>{label}</a>",
            to.hash(),
            if current {
                " aria-current=\"page\""
            } else {
                ""
            }
        )
    };
    let mut out = format!(
        "<div class=\"brand\"><span class=\"logo\" aria-hidden=\"true\">◉</span><h1>KRaft Lab</h1><span class=\"tag\">Kafka's metadata quorum, live</span></div>\
<nav class=\"routes\" aria-label=\"Sections\">{}{}{}</nav>",
        link(Route::Playground, "Playground", "nav-playground"),
        link(Route::Lessons, "Lessons", "nav-lessons"),
        link(Route::Compare, "<span class=\"long\">ZooKeeper vs KRaft</span><span class=\"short\">ZK vs KRaft</span>", "nav-compare"),
    );
    if matches!(route, Route::Lessons | Route::Compare) {
        return out;
    }
    out += "<nav class=\"actions\" aria-label=\"Cluster actions\">\
<button class=\"btn\" data-testid=\"write\" data-act=\"write\" title=\"The active controller appends a record (W)\">✎ Write</button>\
<button class=\"btn\" data-testid=\"write-10\" data-act=\"write-10\">✎ ×10</button>\
<button class=\"btn\" data-testid=\"open-partition\" data-act=\"partition\" title=\"Split the nodes into two groups (P)\">✂ Partition…</button>\
<button class=\"btn\" data-testid=\"heal\" data-act=\"heal\" title=\"Restore every link (H)\">⇄ Heal</button>\
<button class=\"btn\" data-testid=\"restart-all\" data-act=\"restart-all\" title=\"Restart every stopped node (R)\">↻ Restart all</button>";
    if *route == Route::Playground {
        out += "<button class=\"btn\" data-testid=\"new-cluster\" data-act=\"new-cluster\" title=\"New cluster (N)\">+ New cluster</button>";
    }
    out + "<button class=\"btn\" data-testid=\"share-button\" data-act=\"share\" title=\"Share, embed, export (S)\">⤴ Share</button>\
<button class=\"btn\" data-testid=\"help\" data-act=\"help\" title=\"Keyboard shortcuts and the introduction (?)\" aria-label=\"Keyboard shortcuts\">?</button></nav>"
}

/// The header.
#[component]
pub fn Header() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let on_click = move |ev: leptos::ev::MouseEvent| match crate::html::act_of(&ev).as_deref() {
        Some("write") => lab.act(UserAction::Write { count: 1, to: None }),
        Some("write-10") => lab.act(UserAction::Write {
            count: 10,
            to: None,
        }),
        Some("partition") => lab.ui.dialog.set(Dialog::Partition),
        Some("heal") => lab.act(UserAction::Heal),
        Some("restart-all") => lab.restart_all(),
        Some("new-cluster") => lab.ui.dialog.set(Dialog::NewCluster),
        Some("share") => lab.ui.dialog.set(Dialog::Share),
        Some("help") => lab.ui.dialog.set(Dialog::Help),
        _ => {}
    };
    view! {
        <header class="topbar" inner_html=move || lab.route.with(header_html) on:click=on_click></header>
    }
}

//! Plain-language narration of what just happened, newest first. It is an ARIA live region,
//! so screen readers announce elections and failures as they happen.

use leptos::prelude::*;

use crate::lab::Lab;

/// The event feed.
#[component]
pub fn EventFeed() -> impl IntoView {
    let lab = expect_context::<Lab>();
    view! {
        <section class="panel feed-panel" aria-labelledby="feed-title">
            <h2 id="feed-title">"What just happened"</h2>
            <ol class="feed" data-testid="event-feed" aria-live="polite" aria-relevant="additions">
                <For
                    each=move || lab.run.feed.get()
                    key=|f| f.clone()
                    children=move |f| {
                        let node = f.node;
                        view! {
                            <li
                                on:mouseenter=move |_| lab.ui.hovered_node.set(Some(node))
                                on:mouseleave=move |_| lab.ui.hovered_node.set(None)
                            >
                                <time>{format!("{}s", kraftlab_core::decimal::fixed(f.at.as_ms_f64() / 1000.0, 3))}</time>
                                " "
                                {f.text}
                            </li>
                        }
                    }
                />
            </ol>
        </section>
    }
}

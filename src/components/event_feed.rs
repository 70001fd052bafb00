//! Plain-language narration of what just happened, in order, following the newest line unless
//! the reader scrolled back (new lines are appended, so nothing already shown moves). By default it tells the
//! story (faults, elections stood, won and lost, fencing, truncation, commits of admin
//! requests) and folds the details (every vote, every follower) and the routine appends and
//! high-watermark steps into a counter, so a crash stays in view for minutes, not seconds. It is an ARIA live region, so screen readers announce the
//! story as it happens, not the chatter.

use kraftlab_core::run::FeedLevel;
use leptos::prelude::*;

use crate::html::push_text;
use crate::lab::Lab;

/// The event feed.
#[component]
pub fn EventFeed() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let level = lab.run.feed_level;
    let choose = move |ev: leptos::ev::Event| {
        level.set(match event_target_value(&ev).as_str() {
            "detail" => FeedLevel::Detail,
            "all" => FeedLevel::Routine,
            _ => FeedLevel::Story,
        });
        lab.run.refresh();
    };
    // The list is kept by hand, append-only: new lines are added at the end and the oldest
    // dropped, so a screen reader hears each line once (`aria-relevant="additions"`) and no
    // line already shown moves. A change of level, a seek or a new run that rewrites history
    // starts the list again. It follows the newest line while scrolled to its end.
    let list = NodeRef::<leptos::html::Ol>::new();
    let follow = StoredValue::new(true);
    let shown = StoredValue::new(Vec::<(u64, u64)>::new());
    Effect::new(move |_| {
        let Some(ol) = list.get() else {
            return;
        };
        lab.run.feed.with(|feed| {
            let keys: Vec<(u64, u64)> = feed.iter().map(|f| (f.seq, f.at.0)).collect();
            let old = shown.get_value();
            // How many of the old lines are still the first ones of the new list.
            let dropped = old
                .iter()
                .position(|k| keys.first() == Some(k))
                .unwrap_or(old.len());
            let kept = old.len() - dropped;
            let continues = old[dropped..] == keys[..kept.min(keys.len())];
            if !continues {
                ol.set_inner_html("");
            }
            let (skip, from) = if continues { (dropped, kept) } else { (0, 0) };
            for _ in 0..skip {
                if let Some(first) = ol.first_element_child() {
                    first.remove();
                }
            }
            if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
                for f in &feed[from..] {
                    if let Ok(li) = doc.create_element("li") {
                        let class = match f.level {
                            FeedLevel::Story => "",
                            FeedLevel::Detail => "detail",
                            FeedLevel::Routine => "routine",
                        };
                        let mut html = format!(
                            "<time>{}s</time> ",
                            kraftlab_core::decimal::fixed(f.at.as_ms_f64() / 1000.0, 3)
                        );
                        push_text(&mut html, &f.text);
                        li.set_class_name(class);
                        let _ = li.set_attribute("data-node", &f.node.to_string());
                        li.set_inner_html(&html);
                        let _ = ol.append_child(&li);
                    }
                }
            }
            shown.set_value(keys);
        });
        if follow.get_value() {
            ol.set_scroll_top(ol.scroll_height());
        }
    });
    let on_scroll = move |_| {
        if let Some(ol) = list.get_untracked() {
            follow.set_value(ol.scroll_top() + ol.client_height() >= ol.scroll_height() - 8);
        }
    };
    view! {
        <section class="panel feed-panel" aria-labelledby="feed-title">
            <div class="panel-head">
                <h2 id="feed-title">"What just happened"</h2>
                <label class="feed-level">
                    <span class="visually-hidden">"Show "</span>
                    <select data-testid="feed-level" on:change=choose>
                        <option value="story" title="Faults, elections stood, won and lost, fencing, truncation, commits">"The story"</option>
                        <option value="detail" title="Plus every vote, every node following a new leader, broker states">"+ details"</option>
                        <option value="all" title="Plus the leader's appends (mostly NoOpRecords, every 500 ms) and high-watermark steps">"Everything"</option>
                    </select>
                    <small data-testid="feed-folded">{move || match lab.run.feed_folded.get() { 0 => String::new(), n => format!("{n} folded") }}</small>
                </label>
            </div>
            <ol class="feed" data-testid="event-feed" data-level=move || match level.get() { FeedLevel::Story => "story", FeedLevel::Detail => "detail", FeedLevel::Routine => "all" } aria-live="polite" aria-relevant="additions" node_ref=list on:scroll=on_scroll
                on:mouseover=move |ev| lab.ui.hovered_node.set(crate::html::node_of(&ev))
                on:mouseleave=move |_| lab.ui.hovered_node.set(None)>

            </ol>
        </section>
    }
}

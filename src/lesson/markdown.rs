//! Lesson Markdown as safe HTML, rendered off the main thread by the Markdown worker
//! (`crates/markdown`, built by Trunk as a Web Worker): the CommonMark parser stays out of the
//! first load and is fetched the first time a lesson shows text.
//!
//! [`html`] is read inside a view: it returns the rendering if it is known and otherwise asks
//! the worker and returns `None`; when the answer comes, the views that asked render again.
//! If the worker cannot start, the text is shown escaped, as preformatted text.

use std::cell::RefCell;
use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use super::fnv::fnv1a;
use crate::worker::{self, OnDemand};

/// At most this many renderings are kept (a lesson has a few dozen texts).
const CACHE_LIMIT: usize = 512;

thread_local! {
    /// The worker, from its loader script beside the app (`src/markdown-worker.js`).
    static WORKER: OnDemand = const { OnDemand::new("./markdown-worker.js", on_reply, on_fail) };
    static PENDING: RefCell<std::collections::HashSet<u64>> = RefCell::new(Default::default());
    // Reference-counted, not owned by whichever view asked first (and disposed with it).
    static RENDERED: ArcRwSignal<HashMap<u64, String>> = ArcRwSignal::new(HashMap::new());
}

fn escaped(text: &str) -> String {
    let mut out = String::from("<pre class=\"md-fallback\">");
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out.push_str("</pre>");
    out
}

fn on_reply(data: JsValue) {
    let reply = js_sys::Array::from(&data);
    let (Some(key), Some(html)) = (
        reply.get(0).as_string().and_then(|k| k.parse::<u64>().ok()),
        reply.get(1).as_string(),
    ) else {
        return;
    };
    PENDING.with(|p| p.borrow_mut().remove(&key));
    RENDERED.with(|r| {
        r.update(|m| {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(key, html);
        })
    });
}

fn on_fail() {
    PENDING.with(|p| p.borrow_mut().clear());
    // Views that asked read the signal again and fall back to escaped text.
    RENDERED.with(|r| r.update(|_| {}));
}

fn request(key: u64, text: &str) {
    let fresh = PENDING.with(|p| p.borrow_mut().insert(key));
    if !fresh {
        return;
    }
    // Keys are sent as text: a u64 does not fit a JavaScript number.
    let message = js_sys::Array::of2(
        &JsValue::from_str(&key.to_string()),
        &JsValue::from_str(text),
    );
    if !worker::post(&WORKER, message.into()) {
        on_fail();
    }
}

/// The safe HTML of `markdown` if it is rendered yet (reactive: the view re-renders when it
/// arrives); asks the worker otherwise.
pub fn html(markdown: &str) -> Option<String> {
    if markdown.trim().is_empty() {
        return Some(String::new());
    }
    let key = fnv1a(markdown.as_bytes());
    if let Some(html) = RENDERED.with(|r| r.with(|m| m.get(&key).cloned())) {
        return Some(html);
    }
    if worker::failed(&WORKER) {
        return Some(escaped(markdown));
    }
    request(key, markdown);
    None
}

//! The ZooKeeper-vs-KRaft comparison, computed and drawn by the comparison worker
//! (`crates/compare`, built by Trunk as a Web Worker): two simulations, the cost model and the
//! drawing stay out of the first load (about 17 KB gzip), are fetched the first time someone
//! asks for a comparison, and run off the main thread, so the page keeps animating through a
//! sweep. The worker answers with HTML it built itself, every run-derived text escaped.

use std::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use crate::worker::{self, OnDemand};

/// What to do with an answer: the HTML, or why there is none.
type Done = Box<dyn FnOnce(Result<String, String>)>;

thread_local! {
    /// The worker, from its loader script beside the app (`src/compare-worker.js`).
    static WORKER: OnDemand = const { OnDemand::new("./compare-worker.js", on_reply, on_fail) };
    static NEXT: Cell<u32> = const { Cell::new(0) };
    static WAITING: RefCell<Vec<(u32, Done)>> = const { RefCell::new(Vec::new()) };
}

const FAILED: &str =
    "The comparison could not start in this browser (its Web Worker did not load).";

fn on_reply(data: JsValue) {
    let reply = js_sys::Array::from(&data);
    let (Some(id), Some(html)) = (
        reply.get(0).as_string().and_then(|k| k.parse::<u32>().ok()),
        reply.get(1).as_string(),
    ) else {
        return;
    };
    let done = WAITING.with(|w| {
        let mut w = w.borrow_mut();
        w.iter()
            .position(|(i, _)| *i == id)
            .map(|at| w.remove(at).1)
    });
    if let Some(done) = done {
        done(Ok(html));
    }
}

fn on_fail() {
    for (_, done) in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
        done(Err(FAILED.into()));
    }
}

/// Asks the worker for a comparison (`sweep`: over 1K to 2M partitions) of `fault` on a
/// cluster of that shape; `done` gets its HTML, or why there is none.
pub fn request(
    sweep: bool,
    fault: &str,
    pause_s: u64,
    partitions: u64,
    brokers: usize,
    zk_clients: u64,
    done: impl FnOnce(Result<String, String>) + 'static,
) {
    let id = NEXT.with(|n| {
        n.set(n.get().wrapping_add(1));
        n.get()
    });
    let message = js_sys::Array::new();
    for part in [
        id.to_string(),
        if sweep { "sweep" } else { "compare" }.to_string(),
        fault.to_string(),
        pause_s.to_string(),
        partitions.to_string(),
        brokers.to_string(),
        zk_clients.to_string(),
    ] {
        message.push(&JsValue::from_str(&part));
    }
    // Waiting before it is posted: the answer comes in a later task anyway.
    WAITING.with(|w| w.borrow_mut().push((id, Box::new(done))));
    if !worker::post(&WORKER, message.into()) {
        on_fail();
    }
}

//! A Web Worker started on first use, shared by the Markdown worker's client
//! ([`crate::lesson::markdown`]) and the comparison worker's ([`crate::compare_client`]): it is
//! created the first time something is posted to it; it says `"ready"` once its message
//! handler is installed, and what was posted before waits in a queue until then; every other
//! message it sends goes to the client's `on_reply`; if it cannot start or fails, the client's
//! `on_fail` runs and later posts are refused, so the client can fall back.

use std::cell::RefCell;
use std::thread::LocalKey;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

enum State {
    Idle,
    Starting(web_sys::Worker, Vec<JsValue>),
    Ready(web_sys::Worker),
    Failed,
}

/// One worker, kept in a `thread_local!` of its client.
pub struct OnDemand {
    url: &'static str,
    on_reply: fn(JsValue),
    on_fail: fn(),
    state: RefCell<State>,
}

impl OnDemand {
    /// A worker loaded from `url` when first posted to.
    pub const fn new(url: &'static str, on_reply: fn(JsValue), on_fail: fn()) -> OnDemand {
        OnDemand {
            url,
            on_reply,
            on_fail,
            state: RefCell::new(State::Idle),
        }
    }
}

fn on_message(worker: &'static LocalKey<OnDemand>, ev: web_sys::MessageEvent) {
    let data = ev.data();
    if data.as_string().as_deref() == Some("ready") {
        worker.with(|w| {
            let mut state = w.state.borrow_mut();
            if let State::Starting(handle, queue) = std::mem::replace(&mut *state, State::Idle) {
                for m in &queue {
                    let _ = handle.post_message(m);
                }
                *state = State::Ready(handle);
            }
        });
        return;
    }
    let reply = worker.with(|w| w.on_reply);
    reply(data);
}

fn on_error(worker: &'static LocalKey<OnDemand>) {
    let fail = worker.with(|w| {
        *w.state.borrow_mut() = State::Failed;
        w.on_fail
    });
    fail();
}

fn start(worker: &'static LocalKey<OnDemand>, url: &str) -> State {
    let Ok(handle) = web_sys::Worker::new(url) else {
        return State::Failed;
    };
    let message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev| on_message(worker, ev));
    handle.set_onmessage(Some(message.as_ref().unchecked_ref()));
    // The handlers live as long as the page.
    message.forget();
    let error = Closure::<dyn FnMut()>::new(move || on_error(worker));
    handle.set_onerror(Some(error.as_ref().unchecked_ref()));
    error.forget();
    State::Starting(handle, Vec::new())
}

/// Posts `message` to the worker, starting it if need be; false if it could not start.
pub fn post(worker: &'static LocalKey<OnDemand>, message: JsValue) -> bool {
    worker.with(|w| {
        let mut state = w.state.borrow_mut();
        if matches!(*state, State::Idle) {
            *state = start(worker, w.url);
        }
        match &mut *state {
            State::Starting(_, queue) => {
                queue.push(message);
                true
            }
            State::Ready(handle) => {
                let _ = handle.post_message(&message);
                true
            }
            State::Idle | State::Failed => false,
        }
    })
}

/// True once the worker failed to start (or failed later).
pub fn failed(worker: &'static LocalKey<OnDemand>) -> bool {
    worker.with(|w| matches!(*w.state.borrow(), State::Failed))
}

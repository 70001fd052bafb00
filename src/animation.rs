//! The animation loop: `requestAnimationFrame` while playing and visible, nothing otherwise
//! (idle CPU near zero when paused or hidden).
//!
//! Pacing (the speed, skipping idle time, the frame budget) is the timeline's
//! (`Timeline::advance_paced`); this module only turns frames into wall time.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::lab::{Lab, Ring};

thread_local! {
    static FRAME_TIMES: RefCell<Ring> = RefCell::new(Ring::default());
}

/// Script time of recent frames (ms), for the performance probe of the e2e tests.
#[wasm_bindgen]
pub fn frame_times() -> Vec<f64> {
    FRAME_TIMES.with(|r| r.borrow().values())
}

/// The size of the app's WebAssembly memory in bytes (it only grows: after a run, the peak),
/// for the scale measurement of `tests/e2e/measure.mjs`.
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    kraftlab_core::run::bench::wasm_memory_bytes()
}

/// Forgets recorded frame times.
#[wasm_bindgen]
pub fn clear_frame_times() {
    FRAME_TIMES.with(|r| r.borrow_mut().clear());
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.visibility_state() == web_sys::VisibilityState::Hidden)
        .unwrap_or(false)
}

/// Script time a frame may spend simulating before it yields to the page (ms).
const FRAME_BUDGET_MS: f64 = 8.0;

/// Advances the run by one frame's wall time, within the frame's script budget.
pub fn advance(lab: &Lab, wall_ms: f64) {
    let began = now_ms();
    lab.frame(wall_ms, began, move || now_ms() - began > FRAME_BUDGET_MS);
}

/// The `requestAnimationFrame` callback.
type FrameCallback = Closure<dyn FnMut(f64)>;

/// Starts the loop machinery: it runs while `playing` is true and the page is visible.
pub fn install(lab: Lab) {
    let running = Rc::new(Cell::new(false));
    let last = Rc::new(Cell::new(None::<f64>));
    let callback: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));

    let schedule = {
        let callback = callback.clone();
        move || {
            if let (Some(w), Some(cb)) = (web_sys::window(), callback.borrow().as_ref()) {
                let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
            }
        }
    };

    {
        let running = running.clone();
        let last = last.clone();
        let schedule = schedule.clone();
        *callback.borrow_mut() = Some(Closure::new(move |ts: f64| {
            if !lab.run.playing.get_untracked() || page_hidden() {
                running.set(false);
                last.set(None);
                // The panels follow a playing run at their own pace: a stop shows them as
                // the run is.
                lab.run.catch_up_panels();
                return;
            }
            let start = now_ms();
            let dt = last.get().map(|l| ts - l).unwrap_or(16.7);
            last.set(Some(ts));
            lab.bulk_step();
            advance(&lab, dt);
            // Leptos applies DOM updates in a microtask queued when the first signal changed;
            // this microtask runs after it, so the probe covers the frame's whole script time
            // (simulation, snapshot and rendering), not just the callback.
            let done = Closure::once(move |_: JsValue| {
                FRAME_TIMES.with(|r| r.borrow_mut().push(now_ms() - start))
            });
            let _ = js_sys::Promise::resolve(&JsValue::UNDEFINED).then(&done);
            done.forget();
            schedule();
        }));
    }

    let ensure = {
        let running = running.clone();
        let last = last.clone();
        move || {
            if lab.run.playing.get_untracked() && !page_hidden() && !running.get() {
                running.set(true);
                last.set(None);
                schedule();
            }
        }
    };

    {
        let ensure = ensure.clone();
        Effect::new(move |_| {
            if lab.run.playing.get() {
                ensure();
            } else {
                lab.run.catch_up_panels();
            }
        });
    }
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let on_visibility = Closure::<dyn FnMut()>::new(ensure);
        let _ = doc.add_event_listener_with_callback(
            "visibilitychange",
            on_visibility.as_ref().unchecked_ref(),
        );
        on_visibility.forget();
    }
    // The closure lives as long as the page.
    std::mem::forget(callback);
}

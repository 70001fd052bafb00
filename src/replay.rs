//! Opening a long shared run without freezing the page: the link's run is replayed a slice at
//! a time (about 10 ms of work per 16 ms tick, from a gloo-timers interval), with a progress
//! bar and a cancel button over the picture. A link over the run's limits never gets here: it
//! is refused, with the limit named, before any work (`kraftlab_core::scenario::share`).

use std::cell::RefCell;

use gloo_timers::callback::Interval;
use kraftlab_core::types::SimTime;
use leptos::prelude::*;

use crate::lab::Lab;

/// Script time one tick may spend replaying (ms).
const TICK_BUDGET_MS: f64 = 10.0;

thread_local! {
    /// The running replay's timer; dropping it stops the replay.
    static TIMER: RefCell<Option<Interval>> = const { RefCell::new(None) };
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Replays the lab's recorded run up to its horizon in slices, then shows it from `at` (its
/// start, or the time the link asks for).
pub fn start(lab: Lab, at: SimTime) {
    let (now, end) = lab.run.timeline.with_value(|t| (t.now(), t.horizon()));
    if now >= end {
        return;
    }
    let was_playing = lab.run.playing.get_untracked();
    lab.run.playing.set(false);
    lab.run.replaying.set(Some((now, end)));
    let tick = move || {
        let began = now_ms();
        let (done, reached) = lab
            .run
            .timeline
            .try_update_value(|t| {
                let done = t.replay_slice(|| now_ms() - began > TICK_BUDGET_MS);
                (done, t.now())
            })
            .unwrap_or((true, end));
        if done {
            stop();
            lab.run.replaying.set(None);
            lab.show_at(at);
            lab.run.playing.set(was_playing);
        } else {
            lab.run.replaying.set(Some((reached, end)));
        }
    };
    TIMER.with(|t| *t.borrow_mut() = Some(Interval::new(16, tick)));
}

fn stop() {
    TIMER.with(|t| t.borrow_mut().take());
}

/// Gives up a replay: the page opens a fresh cluster instead.
pub fn cancel(lab: Lab) {
    stop();
    lab.run.replaying.set(None);
    let spec = crate::share::start_without_link();
    if let crate::share::Start::Fresh(spec) = spec {
        lab.reset(spec);
    }
    if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some("#/"));
    }
    lab.say(
        "The shared run was not opened (replay cancelled): this is a fresh cluster.".into(),
        false,
    );
}

/// The progress bar over the picture while a shared run is replayed.
#[component]
pub fn ReplayOverlay() -> impl IntoView {
    let lab = expect_context::<Lab>();
    move || {
        lab.run.replaying.get().map(|(at, end)| {
            let pct = (at.0 as f64 * 100.0 / end.0.max(1) as f64).clamp(0.0, 100.0) as u32;
            view! {
                <div class="replay-overlay" role="dialog" aria-label="Opening a shared run" data-testid="replay">
                    <div class="replay-box">
                        <p>"Opening the shared run: replaying " {crate::format::clock(at)} " of " {crate::format::clock(end)}</p>
                        <progress max="100" value=pct data-testid="replay-progress" data-percent=pct>{pct}"%"</progress>
                        <button type="button" class="btn" data-testid="replay-cancel" on:click=move |_| cancel(lab)>"Cancel"</button>
                    </div>
                </div>
            }
        })
    }
}

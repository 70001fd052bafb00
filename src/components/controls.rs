//! Play, pause, step, speed, skip idle time, the timeline scrubber and the clock.

use kraftlab_core::types::SimTime;
use leptos::prelude::*;

use crate::format::{clock, slider_from_speed, speed_from_slider, speed_label};
use crate::lab::Lab;

/// A scrubber mark's class by what the action does: faults, repairs, the rest.
fn mark_class(command: &str) -> &'static str {
    let word = command.split(' ').next().unwrap_or("");
    match word {
        "crash" | "pause" | "shutdown" | "isolate" | "partition" | "drop" | "drift" | "format"
        | "unformat" => "mark mark-fault",
        "restart" | "heal" => "mark mark-heal",
        _ => "mark",
    }
}

/// The transport bar.
#[component]
pub fn Controls() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let playing = lab.run.playing;
    // The clock and the scrubber follow the run's paced signals while playing.
    let now = move || lab.run.shown_now.get();
    let horizon = lab.run.shown_horizon;
    let live = move || now() >= horizon.get();
    view! {
        <div class="controls" role="toolbar" aria-label="Simulation controls">
            <button
                class="btn btn-primary"
                data-testid="play-pause"
                aria-pressed=move || playing.get().to_string()
                title="Play or pause (Space)"
                on:click=move |_| playing.update(|p| *p = !*p)
            >
                {move || if playing.get() { "❚❚ Pause" } else { "▶ Play" }}
            </button>
            <button class="btn" data-testid="step" title="Process the next event (. or →)" on:click=move |_| lab.step()>
                "▶❘ Step"
            </button>
            <label class="speed">
                <span>"Speed "<output data-testid="speed-value">{move || speed_label(lab.run.speed.get())}</output></span>
                <input
                    type="range"
                    data-testid="speed"
                    min="-200"
                    max="100"
                    step="5"
                    aria-label="Speed, logarithmic from 0.01× to 10×"
                    // A whole number already: printed as an integer, since an f64's Display
                    // would bring the float printer (Grisu, Dragon, tables) back into the bundle.
                    prop:value=move || (slider_from_speed(lab.run.speed.get()) as i32).to_string()
                    on:input=move |ev| {
                        let v = event_target::<web_sys::HtmlInputElement>(&ev).value_as_number();
                        if v.is_finite() {
                            lab.run.speed.set(speed_from_slider(v));
                        }
                    }
                />
            </label>
            <label class="check" title="Fast-forward while nothing is in flight">
                <input
                    type="checkbox"
                    data-testid="skip-idle"
                    prop:checked=move || lab.run.skip_idle.get()
                    on:change=move |ev| lab.run.skip_idle.set(event_target_checked(&ev))
                />
                " Skip idle time"
                <span class="skipping" aria-hidden="true">{move || if lab.run.skipping.get() && playing.get() { " »" } else { "" }}</span>
            </label>
            <div class="timeline">
                <div class="track">
                <svg class="marks" aria-hidden="true" preserveAspectRatio="none" data-testid="timeline-marks"
                    viewBox=move || format!("0 0 {} 10", (horizon.get().0 / 1_000).max(1))>
                    {move || lab.run.marks.get().into_iter().map(|(at, what)| {
                        let class = mark_class(&what);
                        view! { <line class=class x1=at.to_string() x2=at.to_string() y1="0" y2="10"><title>{format!("{} {what}", clock(SimTime(at * 1_000)))}</title></line> }
                    }).collect::<Vec<_>>()}
                </svg>
                <input
                    type="range"
                    data-testid="timeline"
                    min="0"
                    aria-label="Timeline: drag to travel in time"
                    prop:max=move || (horizon.get().0 / 1_000).to_string()
                    prop:value=move || (now().0 / 1_000).to_string()
                    on:input=move |ev| {
                        if let Ok(ms) = event_target_value(&ev).parse::<u64>() {
                            lab.run.playing.set(false);
                            lab.seek(SimTime(ms * 1_000));
                        }
                    }
                />
                </div>
                <span class="clock" data-testid="sim-time" aria-live="off">{move || clock(now())}</span>
                <button
                    class="btn btn-small"
                    data-testid="go-live"
                    disabled=live
                    title="Jump to the end of the recording (L)"
                    on:click=move |_| lab.seek(lab.run.horizon.get_untracked())
                >
                    "Live"
                </button>
            </div>
        </div>
    }
}

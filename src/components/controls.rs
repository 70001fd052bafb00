//! Play, pause, step, speed, skip idle time, the timeline scrubber and the clock.

use kraftlab_core::types::SimTime;
use leptos::prelude::*;

use crate::state::Lab;

/// Speed slider position (−200…100) to speed (0.01×…10×), logarithmic.
pub fn speed_from_slider(v: f64) -> f64 {
    10f64.powf(v / 100.0)
}

/// Speed to slider position.
pub fn slider_from_speed(s: f64) -> f64 {
    (s.log10() * 100.0).round()
}

/// Formats a speed for humans: `0.1×`, `2×`.
pub fn speed_label(s: f64) -> String {
    if s >= 1.0 {
        format!("{}×", (s * 10.0).round() / 10.0)
    } else if s >= 0.1 {
        format!("{}×", (s * 100.0).round() / 100.0)
    } else {
        format!("{}×", (s * 1000.0).round() / 1000.0)
    }
}

/// Formats virtual time: `12.345 s`.
pub fn clock(t: SimTime) -> String {
    format!("{}.{:03} s", t.0 / 1_000_000, (t.0 / 1_000) % 1_000)
}

/// The transport bar.
#[component]
pub fn Controls() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let playing = lab.playing;
    let now = move || lab.view.with(|v| v.now);
    let horizon = lab.horizon;
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
                <span>"Speed "<output data-testid="speed-value">{move || speed_label(lab.speed.get())}</output></span>
                <input
                    type="range"
                    data-testid="speed"
                    min="-200"
                    max="100"
                    step="5"
                    aria-label="Speed, logarithmic from 0.01× to 10×"
                    prop:value=move || slider_from_speed(lab.speed.get()).to_string()
                    on:input=move |ev| {
                        if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                            lab.speed.set(speed_from_slider(v));
                        }
                    }
                />
            </label>
            <label class="check" title="Fast-forward while nothing is in flight">
                <input
                    type="checkbox"
                    data-testid="skip-idle"
                    prop:checked=move || lab.skip_idle.get()
                    on:change=move |ev| lab.skip_idle.set(event_target_checked(&ev))
                />
                " Skip idle time"
                <span class="skipping" aria-hidden="true">{move || if lab.skipping.get() && playing.get() { " »" } else { "" }}</span>
            </label>
            <div class="timeline">
                <input
                    type="range"
                    data-testid="timeline"
                    min="0"
                    aria-label="Timeline: drag to travel in time"
                    prop:max=move || (horizon.get().0 / 1_000).to_string()
                    prop:value=move || (now().0 / 1_000).to_string()
                    on:input=move |ev| {
                        if let Ok(ms) = event_target_value(&ev).parse::<u64>() {
                            lab.playing.set(false);
                            lab.seek(SimTime(ms * 1_000));
                        }
                    }
                />
                <span class="clock" data-testid="sim-time" aria-live="off">{move || clock(now())}</span>
                <button
                    class="btn btn-small"
                    data-testid="go-live"
                    disabled=live
                    title="Jump to the end of the recording (L)"
                    on:click=move |_| lab.seek(lab.horizon.get_untracked())
                >
                    "Live"
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_slider_is_logarithmic() {
        assert!((speed_from_slider(-200.0) - 0.01).abs() < 1e-9);
        assert!((speed_from_slider(0.0) - 1.0).abs() < 1e-9);
        assert!((speed_from_slider(100.0) - 10.0).abs() < 1e-9);
        assert_eq!(slider_from_speed(0.1), -100.0);
        assert_eq!(speed_label(0.1), "0.1×");
        assert_eq!(clock(SimTime(12_345_678)), "12.345 s");
    }
}

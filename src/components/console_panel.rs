//! The console: the scenario language typed at the running cluster (`crash leader`,
//! `run until leader within 10s`, `show status`, …), with what each command printed. Lesson
//! hints refer to it; `{run}` chips go through the same path (`Lab::run_text`).

use leptos::prelude::*;

use crate::lab::Lab;

/// Lines of output kept (older ones scroll away).
const OUTPUT_LINES: usize = 200;

/// Typed commands remembered for ↑ / ↓.
const HISTORY: usize = 50;

/// The console panel.
#[component]
pub fn ConsolePanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let output = RwSignal::new(Vec::<(bool, String)>::new());
    let input = RwSignal::new(String::new());
    let history = StoredValue::new(Vec::<String>::new());
    let cursor = StoredValue::new(0usize);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = input.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let result = lab.player.run_text(lab, &text);
        output.update(|o| {
            o.push((false, format!("> {text}")));
            match result {
                Ok(out) => o.extend(out.lines().map(|l| (false, l.to_string()))),
                Err(e) => o.push((true, e)),
            }
            let extra = o.len().saturating_sub(OUTPUT_LINES);
            o.drain(..extra);
        });
        history.update_value(|h| {
            h.push(text);
            let extra = h.len().saturating_sub(HISTORY);
            h.drain(..extra);
            cursor.set_value(h.len());
        });
        input.set(String::new());
    };
    let recall = move |ev: leptos::ev::KeyboardEvent| {
        let step: isize = match ev.key().as_str() {
            "ArrowUp" => -1,
            "ArrowDown" => 1,
            _ => return,
        };
        ev.prevent_default();
        let (len, at) = (history.with_value(|h| h.len()), cursor.get_value());
        let next = (at as isize + step).clamp(0, len as isize) as usize;
        cursor.set_value(next);
        input.set(history.with_value(|h| h.get(next).cloned().unwrap_or_default()));
    };
    view! {
        <section class="panel console" aria-labelledby="console-title">
            <h2 id="console-title">"Console"</h2>
            <pre class="console-output" data-testid="console-output" aria-live="polite">
                {move || output.get().into_iter().map(|(error, line)| view! {
                    <span class:error=error>{line}"\n"</span>
                }).collect_view()}
            </pre>
            <form class="console-form" on:submit=submit>
                <label class="visually-hidden" for="console-input">"Command"</label>
                <input id="console-input" type="text" data-testid="console-input" autocomplete="off" spellcheck="false"
                    placeholder="crash leader · run until leader within 10s · show status"
                    prop:value=move || input.get()
                    on:input=move |ev| input.set(event_target_value(&ev))
                    on:keydown=recall />
                <button type="submit" class="btn btn-small">"Run"</button>
            </form>
        </section>
    }
}

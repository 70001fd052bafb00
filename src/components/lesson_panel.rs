//! The lesson column beside the live cluster: title, step list, narration with `{run}` chips,
//! the prediction, the wait's status, the goal checklist, hints, the solution, and Back /
//! Replay / Next / Free play. Everything it does goes through the player
//! ([`crate::lesson::player::Player`]).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::html::{escaped, push_text};
use crate::lab::Lab;
use crate::lesson::catalog;
use crate::lesson::markdown;
use crate::lesson::player::{Attempt, Load, Prediction, Solution, WaitState};
use crate::route::{self, Route};
use kraftlab_core::types::format_duration;

/// Runs the command of a clicked `{run}` chip (event delegation: the narration is HTML).
fn on_chip(lab: Lab, ev: leptos::ev::MouseEvent) {
    let command = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("[data-command]").ok().flatten())
        .and_then(|e| e.get_attribute("data-command"));
    if let Some(command) = command {
        ev.prevent_default();
        lab.run_text(&command);
    }
}

/// Lesson Markdown, rendered safe by the Markdown worker; `{run}` chips in it run when clicked.
#[component]
fn Markdown(
    #[prop(into)] text: Signal<String>,
    class: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    let lab = expect_context::<Lab>();
    let html = move || text.with(|t| markdown::html(t));
    view! {
        <div class=class data-testid=testid aria-busy=move || html().is_none().to_string()
            inner_html=move || html().unwrap_or_default()
            on:click=move |ev| on_chip(lab, ev)></div>
    }
}

/// The lesson column.
#[component]
pub fn LessonPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let p = lab.player;
    move || {
        match p.load.get() {
        Load::Idle | Load::Loading(_) => view! {
            <section class="panel lesson" aria-busy="true"><p class="muted">"Loading the lesson…"</p></section>
        }
        .into_any(),
        Load::Failed(why) => view! {
            <section class="panel lesson" role="alert">
                <div class="lesson-error" data-testid="lesson-error">
                    <h2>"This lesson could not be opened"</h2>
                    <pre>{why}</pre>
                </div>
                <p><a href="#/lessons">"← All lessons"</a></p>
            </section>
        }
        .into_any(),
        Load::Ready => view! { <LessonBody /> }.into_any(),
    }
    }
}

/// The lesson once loaded.
#[component]
fn LessonBody() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let p = lab.player;
    let title = p.with_lesson(|l| l.meta.title.clone()).unwrap_or_default();
    let part = p.with_lesson(|l| l.meta.part).unwrap_or(0);
    let count = p.step_count();
    let intro = p
        .with_lesson(|l| p.filled(lab, &l.intro))
        .unwrap_or_default();
    let titles: Vec<String> = p
        .with_lesson(|l| l.steps.iter().map(|s| s.title.clone()).collect())
        .unwrap_or_default();
    let number = move || p.step.get() + 1;
    let step_list = move || {
        let (current, done) = (p.step.get(), p.progress.with(|pr| pr.done.clone()));
        let mut out = String::new();
        for (i, t) in titles.iter().enumerate() {
            let (here, ok) = (current == i, done.contains(&(i + 1)));
            out += &format!(
                "<li class=\"{}{}\"><button type=\"button\" class=\"step-link\" data-act=\"goto:{}\"{}><span class=\"step-mark\" aria-hidden=\"true\">{}</span><span class=\"step-no\">{}. </span>",
                if here { "current" } else { "" },
                if ok { " done" } else { "" },
                i + 1,
                if here { " aria-current=\"step\"" } else { "" },
                if ok { "✓" } else { "" },
                i + 1
            );
            push_text(&mut out, t);
            out += if ok {
                "<span class=\"visually-hidden\"> (done)</span></button></li>"
            } else {
                "</button></li>"
            };
        }
        out
    };
    let next_lesson = move || {
        let slug = p.key.get().map(|(s, _)| s)?;
        let (entries, _) = catalog::entries();
        let at = entries.iter().position(|e| e.meta.slug == slug)?;
        entries
            .get(at + 1)
            .map(|e| (e.meta.slug.clone(), e.meta.title.clone()))
    };
    let step_title = move || {
        p.opened.get();
        p.with_step(|s| s.title.clone()).unwrap_or_default()
    };
    view! {
        <section class="panel lesson" aria-label="Lesson" data-testid="lesson-panel">
            <nav class="crumbs" aria-label="Breadcrumbs">
                <a href="#/lessons">"Lessons"</a>" › "{catalog::part_title(part)}
            </nav>
            <h2 class="lesson-title" data-testid="lesson-title">{title}</h2>
            <details class="step-list" open=!lab.ui.narrow.get_untracked()>
                <summary data-testid="lesson-step" data-step=number data-steps=count>
                    "Step " {number} " of " {count} ": " {step_title}
                </summary>
                <ol inner_html=step_list on:click=move |ev| on_act(lab, ev)></ol>
            </details>
            <Show when=move || p.step.get() == 0>
                <Markdown text=intro.clone() class="narration intro" />
            </Show>
            <h3 class="step-title">{step_title}</h3>
            <Markdown text=p.narration class="narration" testid="narration" />
            // Everything below follows the player's state, written as markup (a reactive view
            // per button would cost first-load code); clicks are delegated by `data-act`.
            <div class="lesson-live" on:click=move |ev| on_act(lab, ev)>
                // One box per part, so a goal row's change rewrites the goal alone.
                <div inner_html=move || live_part(lab, predict_html)></div>
                <div inner_html=move || live_part(lab, wait_html)></div>
                <div inner_html=move || live_part(lab, goal_html)></div>
                <div inner_html=move || live_part(lab, attempt_html)></div>
                <div inner_html=move || live_part(lab, hints_html)></div>
                <div inner_html=move || live_part(lab, solution_html)></div>
                <div inner_html=move || nav_html(lab, count, &next_lesson)></div>
            </div>
        </section>
    }
}

/// What a click in the lesson's markup asks for, by the `data-act` of the button under it.
fn on_act(lab: Lab, ev: leptos::ev::MouseEvent) {
    let Some(act) = crate::html::act_of(&ev) else {
        return;
    };
    let p = lab.player;
    let here = p.step.get_untracked();
    match act.split_once(':') {
        Some(("goto", n)) => {
            if let Ok(n) = n.parse::<usize>() {
                p.goto(lab, n, true);
            }
        }
        Some(("choose", i)) => {
            if let Ok(i) = i.parse::<usize>() {
                p.choose(lab, i);
            }
        }
        _ => match act.as_str() {
            "back" => p.goto(lab, here, true),
            "replay" => p.goto(lab, here + 1, true),
            "next" => p.goto(lab, here + 2, false),
            "free" => {
                p.stop();
                route::go(&Route::Playground);
            }
            "play" => lab.run.playing.set(true),
            "hint" => p.hint(),
            "check" => p.check_attempt(lab),
            "solution" => p.solution.set(Solution::Confirming),
            "solution-confirm" => p.play_solution(lab),
            "solution-cancel" => p.solution.set(Solution::Hidden),
            _ => return,
        },
    }
    // The markup is written anew: keep the keyboard where it was.
    let refocus = act.clone();
    gloo_timers::callback::Timeout::new(0, move || {
        if let Some(e) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!(".lesson [data-act=\"{refocus}\"]"))
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = e.focus();
        }
    })
    .forget();
}

/// A button of the lesson's markup.
fn button(out: &mut String, class: &str, testid: &str, act: &str, disabled: bool, label: &str) {
    *out += &format!(
        "<button type=\"button\" class=\"btn {class}\" data-testid=\"{testid}\" data-act=\"{act}\"{}>",
        if disabled { " disabled" } else { "" }
    );
    push_text(out, label);
    *out += "</button>";
}

/// Lesson Markdown rendered by the worker (safe HTML), or nothing while it renders.
fn markdown_html(out: &mut String, text: &str, class: &str) {
    *out += &format!("<div class=\"{class}\">");
    *out += &markdown::html(text).unwrap_or_default();
    *out += "</div>";
}

/// One part of the step's live markup, written after the step opened.
fn live_part(lab: Lab, write: fn(Lab, &mut String)) -> String {
    lab.player.opened.get();
    let mut out = String::new();
    write(lab, &mut out);
    out
}

/// The notice and the navigation, as markup.
fn nav_html(lab: Lab, count: usize, next_lesson: &dyn Fn() -> Option<(String, String)>) -> String {
    let p = lab.player;
    p.opened.get();
    let mut out = String::new();
    if let Some(n) = p.notice.get() {
        out += "<p class=\"notice\" role=\"status\">";
        push_text(&mut out, &n);
        out += "</p>";
    }
    out += "<div class=\"lesson-nav\">";
    let step = p.step.get();
    button(&mut out, "", "lesson-back", "back", step == 0, "← Back");
    out += "<button type=\"button\" class=\"btn\" data-testid=\"lesson-replay\" data-act=\"replay\" title=\"Open this step again from its start\">↺ Replay step</button>";
    out += "<button type=\"button\" class=\"btn\" data-testid=\"free-play\" data-act=\"free\" title=\"Leave the lesson and keep playing with this cluster in the playground (time travel included)\">Continue in free play</button>";
    if step + 1 == count {
        let (href, label) = match next_lesson() {
            Some((slug, title)) => (
                format!("#/lessons/{}", escaped(&slug)),
                format!("Next lesson: {title} →"),
            ),
            None => ("#/lessons".to_string(), "All lessons →".to_string()),
        };
        out +=
            &format!("<a class=\"btn btn-primary\" data-testid=\"lesson-next\" href=\"{href}\">");
        push_text(&mut out, &label);
        out += "</a>";
    } else {
        p.wait.get();
        p.goal_done.get();
        p.predict.get();
        let ready = p.step_finished();
        out += &format!(
            "<button type=\"button\" class=\"btn{}\" data-testid=\"lesson-next\" data-act=\"next\" title=\"{}\">{}</button>",
            if ready { " btn-primary" } else { "" },
            if ready { "Go on to the next step" } else { "Skip ahead: the lesson plays this step to its end first" },
            if ready { "Next →" } else { "Skip →" }
        );
    }
    out + "</div>"
}

/// The prediction: choices before the run goes on, then the verdict.
fn predict_html(lab: Lab, out: &mut String) {
    let p = lab.player;
    let Some((question, choices)) = p
        .with_step(|s| {
            s.predict
                .as_ref()
                .map(|q| (p.filled(lab, &q.question), q.choices.clone()))
        })
        .flatten()
    else {
        return;
    };
    let state = p.predict.get();
    *out += "<div class=\"predict\" data-testid=\"predict\" role=\"group\" aria-label=\"Predict\"><div class=\"predict-q\"><strong>Predict</strong>";
    markdown_html(out, &question, "question");
    *out += "</div><div class=\"choices\">";
    for (i, c) in choices.iter().enumerate() {
        let chosen = matches!(state, Prediction::Chosen(k) | Prediction::Verdict { chosen: k, .. } if k == i);
        *out += &format!(
            "<button type=\"button\" class=\"btn choice{}\" data-testid=\"predict-choice\" data-choice=\"{}\" data-act=\"choose:{i}\" aria-pressed=\"{chosen}\"{}>",
            if chosen { " chosen" } else { "" },
            escaped(c),
            if state != Prediction::Asking { " disabled" } else { "" }
        );
        push_text(out, c);
        *out += "</button>";
    }
    *out += "</div>";
    match state {
        Prediction::Asking => {
            *out += "<p class=\"muted\">Choose an answer: the run goes on once you have.</p>"
        }
        Prediction::Chosen(_) => *out += "<p class=\"muted\">Locked in. Watch the run…</p>",
        Prediction::Verdict { right, text, .. } => {
            *out += &format!(
                "<p class=\"verdict {}\" data-testid=\"predict-verdict\" data-right=\"{right}\" role=\"status\"><span aria-hidden=\"true\">{}</span>",
                if right { "right" } else { "wrong" },
                if right { "✓ " } else { "✗ " }
            );
            markdown_html(out, &text, "verdict-text");
            *out += "</p>";
        }
        Prediction::None => {}
    }
    *out += "</div>";
}

/// What the step's wait is doing.
fn wait_html(lab: Lab, out: &mut String) {
    let p = lab.player;
    let Some((condition, within)) = p
        .with_step(|s| s.wait.as_ref().map(|w| (w.condition.to_string(), w.within)))
        .flatten()
    else {
        return;
    };
    let (condition, within) = (escaped(&condition), format_duration(within));
    match p.wait.get() {
        WaitState::None => {}
        WaitState::Running => {
            *out += &format!(
                "<p class=\"wait running\" data-testid=\"wait\" data-state=\"running\"><span aria-hidden=\"true\">⏵ </span>Running until <code>{condition}</code> (at most {within})"
            );
            let asking = p.predict.get() == Prediction::Asking;
            if asking {
                *out += " — after your prediction";
            } else if !lab.run.playing.get() {
                *out += " — paused: press <button type=\"button\" class=\"btn btn-small\" data-act=\"play\">▶ Play</button>";
            }
            *out += "</p>";
        }
        WaitState::Met => {
            let at = lab.run.now.get_untracked();
            let since = at.0.saturating_sub(p.opened_at.get_untracked().0);
            *out += &format!(
                "<p class=\"wait met\" data-testid=\"wait\" data-state=\"met\"><span aria-hidden=\"true\">✓ </span><code>{condition}</code> held after {} of virtual time. The run is paused there: look around, then go on.</p>",
                format_duration(since)
            );
        }
        WaitState::Missed => {
            *out += &format!(
                "<p class=\"wait missed\" data-testid=\"wait\" data-state=\"missed\" role=\"status\"><span aria-hidden=\"true\">✗ </span><code>{condition}</code> did not happen within {within}: the run went another way. "
            );
            button(
                out,
                "btn-small",
                "wait-replay",
                "replay",
                false,
                "↺ Replay this step",
            );
            *out += "</p>";
        }
    }
}

/// The goal checklist.
fn goal_html(lab: Lab, out: &mut String) {
    let p = lab.player;
    let rows = p.goal.get();
    if rows.is_empty() {
        return;
    }
    let done = p.goal_done.get();
    let by_hand = p.solution.get() == Solution::Hidden;
    *out += &format!(
        "<div class=\"goal{}\" data-testid=\"goal\" data-done=\"{done}\" role=\"group\" aria-label=\"Goal\"><h4>{}</h4><ul>",
        if done { " done" } else { "" },
        if done { "Goal reached" } else { "Your goal" }
    );
    for r in rows {
        *out += &format!(
            "<li data-testid=\"goal-row\" data-done=\"{}\"{}><span class=\"tick\" aria-hidden=\"true\">{}</span><span class=\"label\">",
            r.done,
            if r.done { " class=\"done\"" } else { "" },
            if r.done { "✓" } else { "○" }
        );
        push_text(out, &r.label);
        *out += &format!(
            "</span><span class=\"visually-hidden\">{}</span>",
            if r.done { " (holds)" } else { " (not yet)" }
        );
        if !r.done && !r.seen.is_empty() {
            *out += "<span class=\"seen\">";
            push_text(out, &r.seen);
            *out += "</span>";
        }
        *out += "</li>";
    }
    *out += "</ul>";
    if p.is_exercise() {
        let actions = p.actions.get();
        let count = match p.with_lesson(|l| l.meta.par).flatten() {
            Some(par) => format!("Your actions: {actions} · par {par}"),
            None => format!("Your actions: {actions}"),
        };
        *out += &format!("<p class=\"goal-count\" data-testid=\"goal-actions\">{count}</p>");
    }
    if done && by_hand {
        *out += "<p class=\"goal-praise\" role=\"status\">Solved by your own hand.</p>";
    }
    if done && !by_hand {
        *out += "<p class=\"muted\">Solved by the shown solution — replay the step to try it yourself.</p>";
    }
    *out += "</div>";
}

/// An exercise attempt: "How am I doing?", a failed attempt with where it left the
/// solution's path, or the verdict against par.
fn attempt_html(lab: Lab, out: &mut String) {
    let p = lab.player;
    if !p.is_exercise() || p.goal.with(|g| g.is_empty()) {
        return;
    }
    // (state, what to say, where the run went differently, the button's test id and label)
    let (verdict, said, divergence, button_of) = match p.attempt.get() {
        Attempt::Open => (
            "open",
            String::new(),
            None,
            Some(("check-attempt", "How am I doing?")),
        ),
        Attempt::Failed { why, divergence } => (
            "failed",
            format!("This attempt can no longer succeed: {why}"),
            Some(format!("Where your run went differently: {divergence}.")),
            Some(("attempt-retry", "↺ Try the step again")),
        ),
        Attempt::Checked { unmet, divergence } => (
            "unmet",
            format!("Not there yet: {}", unmet.join("; ")),
            Some(format!("Compared with the solution: {divergence}.")),
            Some(("check-attempt", "Check again")),
        ),
        Attempt::Solved { actions } => match p.with_lesson(|l| l.meta.par).flatten() {
            Some(par) if actions <= par as usize => (
                "best",
                format!("Solved in {actions} action(s), at or under par {par}: best."),
                None,
                None,
            ),
            Some(par) => (
                "solved",
                format!("Solved in {actions} action(s). Par is {par}: can you do it in fewer?"),
                None,
                None,
            ),
            None => (
                "solved",
                format!("Solved in {actions} action(s)."),
                None,
                None,
            ),
        },
    };
    let retry = verdict == "failed";
    *out += &format!(
        "<div class=\"attempt\" data-testid=\"attempt-verdict\" data-verdict=\"{verdict}\" role=\"{}\">",
        if retry { "alert" } else { "status" }
    );
    if !said.is_empty() {
        *out += "<p>";
        push_text(out, &said);
        *out += "</p>";
    }
    if let Some(d) = divergence {
        *out += "<p data-testid=\"divergence\">";
        push_text(out, &d);
        *out += "</p>";
    }
    if let Some((id, label)) = button_of {
        let act = if retry { "replay" } else { "check" };
        button(out, "btn-small", id, act, p.goal_done.get(), label);
    }
    *out += "</div>";
}

/// Hints, one at a time.
fn hints_html(lab: Lab, out: &mut String) {
    let p = lab.player;
    let hints = p.with_step(|s| s.hints.clone()).unwrap_or_default();
    if hints.is_empty() {
        return;
    }
    let (total, shown) = (hints.len(), p.hints_shown.get());
    *out += "<div class=\"hints\">";
    for (i, h) in hints.iter().take(shown).enumerate() {
        *out += &format!(
            "<div class=\"hint\" data-testid=\"hint\"><span class=\"hint-no\">Hint {}: </span>",
            i + 1
        );
        markdown_html(out, &p.filled(lab, h), "hint-text");
        *out += "</div>";
    }
    // The hints not asked for yet are rendered now (the Markdown worker answers
    // asynchronously), so that the next one shows the moment it is asked for.
    for h in hints.iter().skip(shown) {
        let _ = markdown::html(&p.filled(lab, h));
    }
    let label = if shown == 0 {
        format!("💡 Hint (1 of {total})")
    } else if shown < total {
        format!("💡 Another hint ({} of {total})", shown + 1)
    } else {
        "No more hints".to_string()
    };
    button(
        out,
        "btn-small",
        "hint-button",
        "hint",
        shown >= total,
        &label,
    );
    *out += "</div>";
}

/// "Show solution": asks first, then plays it with animation.
fn solution_html(lab: Lab, out: &mut String) {
    let p = lab.player;
    let lines: Vec<String> = p
        .with_step(|s| s.solution.iter().map(|l| l.text.clone()).collect())
        .unwrap_or_default();
    if lines.is_empty() {
        return;
    }
    *out += "<div class=\"solution\">";
    match p.solution.get() {
        Solution::Hidden => button(
            out,
            "btn-small",
            "solution-button",
            "solution",
            p.goal_done.get(),
            "Show solution",
        ),
        Solution::Confirming => {
            *out += "<div class=\"confirm\" role=\"alertdialog\" aria-label=\"Show the solution?\"><p>Show the solution? It will play on your cluster, and this step will not count as solved by you.</p>";
            button(
                out,
                "btn-small btn-primary",
                "solution-confirm",
                "solution-confirm",
                false,
                "Yes, show it",
            );
            *out += " ";
            button(
                out,
                "btn-small",
                "solution-cancel",
                "solution-cancel",
                false,
                "Not yet",
            );
            *out += "</div>";
        }
        state @ (Solution::Playing | Solution::Played) => {
            *out += &format!(
                "<div data-testid=\"solution\"><p class=\"muted\">{}</p><pre class=\"solution-text\">",
                if state == Solution::Playing { "Playing the solution…" } else { "The solution:" }
            );
            push_text(out, &lines.join("\n"));
            *out += "</pre></div>";
        }
    }
    *out += "</div>";
}

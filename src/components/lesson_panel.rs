//! The lesson column beside the live cluster: title, step list, narration with `{run}` chips,
//! the prediction, the wait's status, the goal checklist, hints, the solution, and Back /
//! Replay / Next / Free play. Everything it does goes through the player
//! ([`crate::lesson::player::Player`]).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

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
    let step_list = titles
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let done = move || p.progress.with(|pr| pr.done.contains(&(i + 1)));
            view! {
                <li class:current=move || p.step.get() == i class:done=done>
                    <button type="button" class="step-link"
                        aria-current=move || (p.step.get() == i).then_some("step")
                        on:click=move |_| p.goto(lab, i + 1, true)>
                        <span class="step-mark" aria-hidden="true">{move || if done() { "✓" } else { "" }}</span>
                        <span class="step-no">{i + 1}". "</span>{t}
                        <span class="visually-hidden">{move || if done() { " (done)" } else { "" }}</span>
                    </button>
                </li>
            }
        })
        .collect_view();
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
                <ol>{step_list}</ol>
            </details>
            <Show when=move || p.step.get() == 0>
                <Markdown text=intro.clone() class="narration intro" />
            </Show>
            <h3 class="step-title">{step_title}</h3>
            <Markdown text=p.narration class="narration" testid="narration" />
            <PredictBox />
            <WaitStatus />
            <GoalBox />
            <AttemptBox />
            <HintsBox />
            <SolutionBox />
            {move || p.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <div class="lesson-nav">
                <button type="button" class="btn" data-testid="lesson-back"
                    disabled=move || p.step.get() == 0
                    on:click=move |_| p.goto(lab, p.step.get_untracked(), true)>"← Back"</button>
                <button type="button" class="btn" data-testid="lesson-replay" title="Open this step again from its start"
                    on:click=move |_| p.goto(lab, p.step.get_untracked() + 1, true)>"↺ Replay step"</button>
                <button type="button" class="btn" data-testid="free-play" title="Leave the lesson and keep playing with this cluster in the playground (time travel included)"
                    on:click=move |_| { p.stop(); route::go(&Route::Playground); }>"Continue in free play"</button>
                {move || {
                    let last = number() == count;
                    let ready = {
                        p.opened.get();
                        p.wait.get();
                        p.goal_done.get();
                        p.predict.get();
                        p.step_finished()
                    };
                    if last {
                        let (href, label) = match next_lesson() {
                            Some((slug, title)) => (format!("#/lessons/{slug}"), format!("Next lesson: {title} →")),
                            None => ("#/lessons".to_string(), "All lessons →".to_string()),
                        };
                        view! { <a class="btn btn-primary" data-testid="lesson-next" href=href>{label}</a> }.into_any()
                    } else {
                        view! {
                            <button type="button" class="btn" class:btn-primary=ready data-testid="lesson-next"
                                title=if ready { "Go on to the next step" } else { "Skip ahead: the lesson plays this step to its end first" }
                                on:click=move |_| p.goto(lab, p.step.get_untracked() + 2, false)>
                                {if ready { "Next →" } else { "Skip →" }}
                            </button>
                        }.into_any()
                    }
                }}
            </div>
        </section>
    }
}

/// The prediction: choices before the run goes on, then the verdict.
#[component]
fn PredictBox() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let p = lab.player;
    move || {
        p.opened.get();
        let (question, choices) = p
            .with_step(|s| {
                s.predict
                    .as_ref()
                    .map(|q| (p.filled(lab, &q.question), q.choices.clone()))
            })
            .flatten()?;
        let buttons = choices
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let state = move || p.predict.get();
                let chosen = move || match state() {
                    Prediction::Chosen(k) | Prediction::Verdict { chosen: k, .. } => k == i,
                    _ => false,
                };
                view! {
                    <button type="button" class="btn choice" data-testid="predict-choice" data-choice=c.clone()
                        class:chosen=chosen aria-pressed=move || chosen().to_string()
                        disabled=move || state() != Prediction::Asking
                        on:click=move |_| p.choose(lab, i)>{c.clone()}</button>
                }
            })
            .collect_view();
        Some(view! {
            <div class="predict" data-testid="predict" role="group" aria-label="Predict">
                <div class="predict-q"><strong>"Predict"</strong><Markdown text=question class="question" /></div>
                <div class="choices">{buttons}</div>
                {move || match p.predict.get() {
                    Prediction::Asking => Some(view! { <p class="muted">"Choose an answer: the run goes on once you have."</p> }.into_any()),
                    Prediction::Chosen(_) => Some(view! { <p class="muted">"Locked in. Watch the run…"</p> }.into_any()),
                    Prediction::Verdict { right, text, .. } => Some(view! {
                        <p class="verdict" class:right=right class:wrong=!right data-testid="predict-verdict"
                            data-right=right.to_string() role="status">
                            <span aria-hidden="true">{if right { "✓ " } else { "✗ " }}</span>
                            <Markdown text=text class="verdict-text" />
                        </p>
                    }.into_any()),
                    Prediction::None => None,
                }}
            </div>
        })
    }
}

/// What the step's wait is doing.
#[component]
fn WaitStatus() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let p = lab.player;
    move || {
        p.opened.get();
        let (condition, within) = p
            .with_step(|s| s.wait.as_ref().map(|w| (w.condition.to_string(), w.within)))
            .flatten()?;
        let within = format_duration(within);
        Some(match p.wait.get() {
            WaitState::None => return None,
            WaitState::Running => view! {
                <p class="wait running" data-testid="wait" data-state="running">
                    <span aria-hidden="true">"⏵ "</span>"Running until "<code>{condition}</code>
                    " (at most " {within} ")"
                    {move || (p.predict.get() == Prediction::Asking).then_some(" — after your prediction")}
                    {move || (!lab.run.playing.get() && p.predict.get() != Prediction::Asking).then(|| view! {
                        " — paused: press "<button type="button" class="btn btn-small" on:click=move |_| lab.run.playing.set(true)>"▶ Play"</button>
                    })}
                </p>
            }
            .into_any(),
            WaitState::Met => {
                let at = lab.run.view.with_untracked(|v| v.now);
                let since = at.0.saturating_sub(p.opened_at.get_untracked().0);
                view! {
                    <p class="wait met" data-testid="wait" data-state="met">
                        <span aria-hidden="true">"✓ "</span><code>{condition}</code>" held after "
                        {format_duration(since)} " of virtual time. The run is paused there: look around, then go on."
                    </p>
                }
                .into_any()
            }
            WaitState::Missed => view! {
                <p class="wait missed" data-testid="wait" data-state="missed" role="status">
                    <span aria-hidden="true">"✗ "</span><code>{condition}</code>" did not happen within "
                    {within} ": the run went another way. "
                    <button type="button" class="btn btn-small" data-testid="wait-replay"
                        on:click=move |_| p.goto(lab, p.step.get_untracked() + 1, true)>"↺ Replay this step"</button>
                </p>
            }
            .into_any(),
        })
    }
}

/// The goal checklist.
#[component]
fn GoalBox() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let p = lab.player;
    move || {
        let rows = p.goal.get();
        if rows.is_empty() {
            return None;
        }
        let done = p.goal_done.get();
        let by_hand = p.solution.get() == Solution::Hidden;
        let count = p.is_exercise().then(|| {
            let actions = p.actions.get();
            match p.with_lesson(|l| l.meta.par).flatten() {
                Some(par) => format!("Your actions: {actions} · par {par}"),
                None => format!("Your actions: {actions}"),
            }
        });
        let items = rows
            .into_iter()
            .map(|r| {
                view! {
                    <li data-testid="goal-row" data-done=r.done.to_string() class:done=r.done>
                        <span class="tick" aria-hidden="true">{if r.done { "✓" } else { "○" }}</span>
                        <span class="label">{r.label}</span>
                        <span class="visually-hidden">{if r.done { " (holds)" } else { " (not yet)" }}</span>
                        {(!r.done && !r.seen.is_empty()).then(|| view! { <span class="seen">{r.seen}</span> })}
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <div class="goal" data-testid="goal" data-done=done.to_string() class:done=done role="group" aria-label="Goal">
                <h4>{if done { "Goal reached" } else { "Your goal" }}</h4>
                <ul>{items}</ul>
                {count.map(|c| view! { <p class="goal-count" data-testid="goal-actions">{c}</p> })}
                {(done && by_hand).then(|| view! { <p class="goal-praise" role="status">"Solved by your own hand."</p> })}
                {(done && !by_hand).then(|| view! { <p class="muted">"Solved by the shown solution — replay the step to try it yourself."</p> })}
            </div>
        })
    }
}

/// An exercise attempt: "How am I doing?", a failed attempt with where it left the
/// solution's path, or the verdict against par, in one element whose texts follow the state.
#[component]
fn AttemptBox() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let p = lab.player;
    move || {
        if !p.is_exercise() || p.goal.with(|g| g.is_empty()) {
            return None;
        }
        // (state, what to say, where the run went differently, the button's test id and label)
        let (verdict, said, divergence, button) = match p.attempt.get() {
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
        Some(view! {
            <div class="attempt" data-testid="attempt-verdict" data-verdict=verdict
                role=if retry { "alert" } else { "status" }>
                {(!said.is_empty()).then(|| view! { <p>{said}</p> })}
                {divergence.map(|d| view! { <p data-testid="divergence">{d}</p> })}
                {button.map(|(id, label)| view! {
                    <button type="button" class="btn btn-small" data-testid=id
                        disabled=move || p.goal_done.get()
                        on:click=move |_| if retry { p.goto(lab, p.step.get_untracked() + 1, true) } else { p.check_attempt(lab) }>
                        {label}
                    </button>
                })}
            </div>
        })
    }
}

/// Hints, one at a time.
#[component]
fn HintsBox() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let p = lab.player;
    move || {
        p.opened.get();
        let hints = p.with_step(|s| s.hints.clone()).unwrap_or_default();
        if hints.is_empty() {
            return None;
        }
        let total = hints.len();
        let shown = move || p.hints_shown.get();
        let list = move || {
            hints
                .iter()
                .take(shown())
                .enumerate()
                .map(|(i, h)| {
                    let html = p.filled(lab, h);
                    view! {
                        <div class="hint" data-testid="hint">
                            <span class="hint-no">"Hint " {i + 1} ": "</span>
                            <Markdown text=html class="hint-text" />
                        </div>
                    }
                })
                .collect_view()
        };
        let all_shown = move || shown() >= total;
        Some(view! {
            <div class="hints">
                {list}
                <button type="button" class="btn btn-small" data-testid="hint-button"
                    disabled=all_shown
                    on:click=move |_| p.hint()>
                    {move || if shown() == 0 { format!("💡 Hint (1 of {total})") } else if shown() < total { format!("💡 Another hint ({} of {total})", shown() + 1) } else { "No more hints".to_string() }}
                </button>
            </div>
        })
    }
}

/// "Show solution": asks first, then plays it with animation.
#[component]
fn SolutionBox() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let p = lab.player;
    move || {
        p.opened.get();
        let lines: Vec<String> = p
            .with_step(|s| s.solution.iter().map(|l| l.text.clone()).collect())
            .unwrap_or_default();
        if lines.is_empty() {
            return None;
        }
        let listing = lines.join("\n");
        Some(view! {
            <div class="solution">
                {move || match p.solution.get() {
                    Solution::Hidden => view! {
                        <button type="button" class="btn btn-small" data-testid="solution-button"
                            disabled=move || p.goal_done.get()
                            on:click=move |_| p.solution.set(Solution::Confirming)>"Show solution"</button>
                    }.into_any(),
                    Solution::Confirming => view! {
                        <div class="confirm" role="alertdialog" aria-label="Show the solution?">
                            <p>"Show the solution? It will play on your cluster, and this step will not count as solved by you."</p>
                            <button type="button" class="btn btn-small btn-primary" data-testid="solution-confirm"
                                on:click=move |_| p.play_solution(lab)>"Yes, show it"</button>
                            " "
                            <button type="button" class="btn btn-small" data-testid="solution-cancel"
                                on:click=move |_| p.solution.set(Solution::Hidden)>"Not yet"</button>
                        </div>
                    }.into_any(),
                    Solution::Playing | Solution::Played => view! {
                        <div data-testid="solution">
                            <p class="muted">{move || if p.solution.get() == Solution::Playing { "Playing the solution…" } else { "The solution:" }}</p>
                            <pre class="solution-text">{listing.clone()}</pre>
                        </div>
                    }.into_any(),
                }}
            </div>
        })
    }
}

//! The lesson index (`#/lessons`): the curriculum by part, each lesson with its duration, what
//! it teaches in a line, and how far the learner got.

use kraftlab_core::lesson::Kind;
use leptos::prelude::*;

use crate::lesson::catalog::{self, part_title, Entry};
use crate::lesson::progress;

fn card(e: Entry) -> impl IntoView {
    let p = progress::load(&e.meta.slug, e.hash);
    let done = p.complete(e.steps);
    let started = !p.done.is_empty();
    let exercise = e.meta.kind == Kind::Exercise;
    let status = if exercise && !p.best.is_empty() {
        "★ Best".to_string()
    } else if exercise && !p.solved.is_empty() {
        "✓ Solved".to_string()
    } else if done {
        "✓ Done".to_string()
    } else if started {
        format!("{} of {} steps", p.done.len().min(e.steps), e.steps)
    } else {
        format!("{} steps", e.steps)
    };
    let href = format!("#/lessons/{}", e.meta.slug);
    let testid = format!("lesson-link-{}", e.meta.slug);
    let number = match e.meta.kind {
        Kind::Lesson => e.meta.order.to_string(),
        Kind::Exercise => format!("E{}", e.meta.order),
    };
    view! {
        <li>
            <a class="lesson-card" class:done=done href=href data-testid=testid data-done=done.to_string()>
                <span class="lesson-no" aria-hidden="true">{number}</span>
                <span class="lesson-text">
                    <strong class="lesson-name">{e.meta.title.clone()}</strong>
                    <span class="lesson-summary">{e.meta.summary.clone()}</span>
                </span>
                <span class="lesson-meta">
                    <span class="duration">{e.meta.duration.clone()}</span>
                    <span class="status" class:done=done>{status}</span>
                </span>
            </a>
        </li>
    }
}

/// The index page.
#[component]
pub fn LessonIndex() -> impl IntoView {
    let (entries, broken) = catalog::entries();
    let mut parts: Vec<(String, Vec<Entry>)> = Vec::new();
    for e in entries {
        let title = match e.meta.kind {
            Kind::Exercise => "Exercises — checked by the app".to_string(),
            Kind::Lesson => part_title(e.meta.part).to_string(),
        };
        match parts.last_mut() {
            Some((t, list)) if *t == title => list.push(e),
            _ => parts.push((title, vec![e])),
        }
    }
    let sections = parts
        .into_iter()
        .map(|(title, list)| {
            view! {
                <section class="lesson-part">
                    <h2>{title}</h2>
                    <ol class="lesson-cards">{list.into_iter().map(card).collect_view()}</ol>
                </section>
            }
        })
        .collect_view();
    view! {
        <main class="lessons-page" data-testid="lesson-index">
            <h1>"Lessons"</h1>
            <p class="lead">
                "Each lesson runs a real simulated cluster beside its text: you watch KRaft elect, replicate and recover, "
                "predict what happens next, and break things on purpose. Numbers in the text come from the run or from Kafka's defaults."
            </p>
            {sections}
            {(!broken.is_empty()).then(|| view! {
                <section class="lesson-part" role="alert">
                    <h2>"Lessons that could not be read"</h2>
                    <ul>{broken.into_iter().map(|b| view! { <li><code>{b}</code></li> }).collect_view()}</ul>
                </section>
            })}
        </main>
    }
}

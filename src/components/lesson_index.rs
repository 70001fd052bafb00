//! The lesson index (`#/lessons`): the curriculum by part, each lesson with its duration, what
//! it teaches in a line, and how far the learner got. It is written as markup
//! ([`crate::html`]): it does not change while it is shown, and its links are plain hash
//! links the router follows.

use kraftlab_core::lesson::Kind;
use leptos::prelude::*;

use crate::html::{escaped, push_text};
use crate::lesson::catalog::{self, part_title, Entry};
use crate::lesson::progress;

/// One lesson's card.
fn card(out: &mut String, e: &Entry) {
    let p = progress::load(&e.meta.slug, e.hash);
    let done = p.complete(e.steps);
    let exercise = e.meta.kind == Kind::Exercise;
    let status = if exercise && !p.best.is_empty() {
        "★ Best".to_string()
    } else if exercise && !p.solved.is_empty() {
        "✓ Solved".to_string()
    } else if done {
        "✓ Done".to_string()
    } else if !p.done.is_empty() {
        format!("{} of {} steps", p.done.len().min(e.steps), e.steps)
    } else {
        format!("{} steps", e.steps)
    };
    let number = match e.meta.kind {
        Kind::Lesson => e.meta.order.to_string(),
        Kind::Exercise => format!("E{}", e.meta.order),
    };
    let done_class = if done { " done" } else { "" };
    let slug = escaped(&e.meta.slug);
    *out += &format!(
        "<li><a class=\"lesson-card{done_class}\" href=\"#/lessons/{slug}\" data-testid=\"lesson-link-{slug}\" data-done=\"{done}\"><span class=\"lesson-no\" aria-hidden=\"true\">{number}</span><span class=\"lesson-text\"><strong class=\"lesson-name\">"
    );
    push_text(out, &e.meta.title);
    *out += "</strong><span class=\"lesson-summary\">";
    push_text(out, &e.meta.summary);
    *out += "</span></span><span class=\"lesson-meta\"><span class=\"duration\">";
    push_text(out, &e.meta.duration);
    *out += &format!("</span><span class=\"status{done_class}\">{status}</span></span></a></li>");
}

/// The index's markup.
fn index_html() -> String {
    let (entries, broken) = catalog::entries();
    let mut out = String::from(
        "<h1>Lessons</h1><p class=\"lead\">Each lesson runs a real simulated cluster beside its text: you watch KRaft elect, replicate and recover, \
         predict what happens next, and break things on purpose. Numbers in the text come from the run or from Kafka's defaults.</p>",
    );
    let mut part = None;
    for e in &entries {
        let title = match e.meta.kind {
            Kind::Exercise => "Exercises — checked by the app",
            Kind::Lesson => part_title(e.meta.part),
        };
        if part != Some(title) {
            if part.is_some() {
                out += "</ol></section>";
            }
            out += "<section class=\"lesson-part\"><h2>";
            push_text(&mut out, title);
            out += "</h2><ol class=\"lesson-cards\">";
            part = Some(title);
        }
        card(&mut out, e);
    }
    if part.is_some() {
        out += "</ol></section>";
    }
    if !broken.is_empty() {
        out += "<section class=\"lesson-part\" role=\"alert\"><h2>Lessons that could not be read</h2><ul>";
        for b in &broken {
            out += "<li><code>";
            push_text(&mut out, b);
            out += "</code></li>";
        }
        out += "</ul></section>";
    }
    out
}

/// The index page.
#[component]
pub fn LessonIndex() -> impl IntoView {
    view! { <main class="lessons-page" data-testid="lesson-index" inner_html=index_html()></main> }
}

//! The live safety panel: every invariant the core's checkers enforce, with its status, and a
//! broken one explained in plain words with the moment and the node where it broke (a teaching
//! switch, `buggify=`, breaks a rule on purpose so that a learner can watch this happen).

use kraftlab_core::check::PROPERTIES;
use leptos::prelude::*;

use crate::format::clock;
use crate::html::push_text;
use crate::lab::Lab;

/// The panel.
#[component]
pub fn SafetyPanel() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let violations = Memo::new(move |_| lab.run.view.with(|v| v.violations.clone()));
    let switches = Memo::new(move |_| {
        // The spec changes only with the run; the snapshot says when that may have happened.
        lab.run.view.track();
        lab.run
            .timeline
            .with_value(|t| t.spec().quorum.buggify.enabled().join(", "))
    });
    // The invariants as markup (a reactive view per row would cost first-load code); the
    // "Go to that moment" buttons carry the time in `data-at`.
    let rows = move || {
        violations.with(|vs| {
            let mut out = String::new();
            for prop in PROPERTIES {
                let broken = vs.iter().find(|v| v.property == prop.name);
                out += &format!(
                    "<li class=\"invariant{}\" data-testid=\"invariant-{}\" data-status=\"{}\"><span class=\"mark\" aria-hidden=\"true\">{}</span><span class=\"what\"><span class=\"statement\">",
                    if broken.is_some() { " violated" } else { "" },
                    prop.name,
                    if broken.is_some() { "violated" } else { "ok" },
                    if broken.is_some() { "✗" } else { "✓" }
                );
                push_text(&mut out, prop.statement);
                out += &format!("</span><span class=\"name\">{}</span></span>", prop.name);
                if let Some(v) = broken {
                    out += &format!("<span class=\"why\" role=\"status\">Broken at {} on {}: ", clock(v.at), v.node);
                    push_text(&mut out, &v.detail);
                    out += &format!(
                        " <button type=\"button\" class=\"btn btn-small\" data-at=\"{}\">Go to that moment</button></span>",
                        v.at.0
                    );
                }
                out += "</li>";
            }
            out
        })
    };
    let go = move |ev: leptos::ev::MouseEvent| {
        use wasm_bindgen::JsCast;
        let at = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.get_attribute("data-at"))
            .and_then(|a| a.parse::<u64>().ok());
        if let Some(at) = at {
            lab.run.playing.set(false);
            lab.seek(kraftlab_core::types::SimTime(at));
        }
    };
    let summary = move || {
        let n = violations.with(|v| {
            let mut names: Vec<_> = v.iter().map(|x| x.property).collect();
            names.sort_unstable();
            names.dedup();
            names.len()
        });
        if n == 0 {
            format!("Safety: all {} invariants hold", PROPERTIES.len())
        } else {
            format!(
                "Safety: {n} invariant{} violated",
                if n == 1 { "" } else { "s" }
            )
        }
    };
    view! {
        <details class="panel safety" data-testid="safety-panel"
            class:alarm=move || violations.with(|v| !v.is_empty())
            prop:open=move || violations.with(|v| !v.is_empty())>
            <summary><h2>{summary}</h2></summary>
            {move || {
                let s = switches.get();
                (!s.is_empty()).then(|| view! {
                    <p class="switches">"Teaching switches on: " <code>{s}</code> " — this cluster breaks a rule on purpose."</p>
                })
            }}
            <ul class="invariants" inner_html=rows on:click=go></ul>
        </details>
    }
}

//! The live safety panel: every invariant the core's checkers enforce, with its status, and a
//! broken one explained in plain words with the moment and the node where it broke (a teaching
//! switch, `buggify=`, breaks a rule on purpose so that a learner can watch this happen).

use kraftlab_core::check::PROPERTIES;
use leptos::prelude::*;

use crate::format::clock;
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
    let rows = PROPERTIES
        .iter()
        .map(|prop| {
            let broken = move || {
                violations.with(|vs| vs.iter().find(|v| v.property == prop.name).cloned())
            };
            let status = move || if broken().is_some() { "violated" } else { "ok" };
            view! {
                <li class="invariant" class:violated=move || broken().is_some()
                    data-testid=format!("invariant-{}", prop.name) data-status=status>
                    <span class="mark" aria-hidden="true">{move || if broken().is_some() { "✗" } else { "✓" }}</span>
                    <span class="what">
                        <span class="statement">{prop.statement}</span>
                        <span class="name">{prop.name}</span>
                    </span>
                    {move || broken().map(|v| view! {
                        <span class="why" role="status">
                            "Broken at " {clock(v.at)} " on " {v.node.to_string()} ": " {v.detail.clone()} " "
                            <button type="button" class="btn btn-small" on:click=move |_| { lab.run.playing.set(false); lab.seek(v.at); }>
                                "Go to that moment"
                            </button>
                        </span>
                    })}
                </li>
            }
        })
        .collect_view();
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
            <ul class="invariants">{rows}</ul>
        </details>
    }
}

//! Why the URL's link was not opened, over the picture: the reason, the text the link held
//! (so the author of a hand-written scenario sees the line that failed), and, for a link made
//! by another engine, the choice to open it with this one (`engine=current`, docs/embedding.md,
//! Compatibility). A link is never half-loaded: until the reader chooses, a fresh cluster runs.
//! The box is fixed text once shown, so it is written as markup ([`crate::html`]); its two
//! buttons are handled where they sit.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::html::push_text;
use crate::lab::Lab;
use crate::share::LinkError;

/// Reloads the page with `engine=current` added to its query.
fn open_with_current_engine() {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let search = location.search().unwrap_or_default();
    let joined = if search.is_empty() {
        "?engine=current".to_string()
    } else {
        format!("{search}&engine=current")
    };
    let _ = location.set_search(&joined);
}

/// The box's markup.
fn markup(e: &LinkError) -> String {
    let mut out = String::from("<p>");
    push_text(&mut out, &e.message);
    out += "</p>";
    if let Some(text) = &e.text {
        out += "<details open><summary>What the link holds</summary><pre data-testid=\"link-error-text\">";
        push_text(&mut out, text);
        out += "</pre></details>";
    }
    out += "<p class=\"muted\">";
    if e.other_engine {
        out += &format!("Opening it with this engine (version {}) replays the same cluster and actions, which may now play out differently. ", kraftlab_core::ENGINE_VERSION);
    }
    out += "A fresh cluster runs meanwhile.</p><div class=\"row\">";
    if e.other_engine {
        out += "<button type=\"button\" class=\"btn btn-primary\" data-testid=\"open-current-engine\">Open with the current engine</button>";
    }
    out + "<button type=\"button\" class=\"btn\" data-testid=\"link-error-dismiss\">Dismiss</button></div>"
}

/// The refusal box.
#[component]
pub fn LinkErrorBox() -> impl IntoView {
    let lab = expect_context::<Lab>();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let clicked = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.get_attribute("data-testid"));
        match clicked.as_deref() {
            Some("open-current-engine") => open_with_current_engine(),
            Some("link-error-dismiss") => lab.ui.link_error.set(None),
            _ => {}
        }
    };
    move || {
        lab.ui.link_error.with(|e| {
            e.as_ref().map(|e| {
                view! {
                    <div class="link-error" role="alert" data-testid="link-error" data-other-engine=e.other_engine.to_string()
                        on:click=on_click inner_html=markup(e)></div>
                }
            })
        })
    }
}

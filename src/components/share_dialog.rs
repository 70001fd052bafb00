//! The share dialog: the links-and-embeds builder, for this run or the open lesson step.
//!
//! The builder — what to share (this run, the run as a scenario the writer can edit, the open
//! lesson step, the comparison), its options, a live preview, iframe / Markdown / link
//! snippets, and the exports (scenario file, picture as SVG, space-time diagram) — is a
//! static page of the site, `share.html` (`embed/share.html`), shown here in an iframe.
//! Written as Leptos views it cost 26 KB of the first load's 500 KB budget; as a page it
//! costs nothing until the dialog opens. For the same reason this frame is a native
//! `<dialog>` built once with plain DOM calls rather than a reactive view: nothing in it
//! changes while it is open.

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::html::escaped;
use crate::lab::Lab;
use crate::route::Route;
use crate::share;
use crate::ui::Dialog;

/// Opens the dialog whenever the chrome asks for it (the Share button, the S key).
pub fn install(lab: Lab) {
    Effect::new(move |_| {
        if lab.ui.dialog.get() == Dialog::Share {
            untrack(move || open(lab));
        }
    });
}

/// Shows the dialog on what is on screen: the open lesson step, the comparison, or else this
/// run, whose link the browser packs first (asynchronously).
fn open(lab: Lab) {
    let count = lab.run.timeline.with_value(|t| t.actions().len());
    let mut query = format!(
        "engine={}&app={}",
        kraftlab_core::ENGINE_VERSION,
        js_sys::encode_uri_component(&share::page_address())
    );
    let place = match lab.route.get_untracked() {
        Route::Lesson { slug, .. } => {
            let step = lab.player.step.get_untracked() + 1;
            query += &format!(
                "&lesson={slug}&steps={}&step={step}",
                lab.player.step_count()
            );
            Some(format!("#/lessons/{slug}/{step}"))
        }
        Route::Compare => Some("#/compare".to_string()),
        _ => None,
    };
    leptos::task::spawn_local(async move {
        let hash = match place {
            Some(place) => place,
            None => match share::pack(lab.run.timeline.with_value(share::run_text)).await {
                Some(packed) => format!("#run={packed}"),
                None => {
                    lab.say("this browser could not pack the link".into(), true);
                    lab.ui.dialog.set(Dialog::None);
                    return;
                }
            },
        };
        let builder = format!("{}share.html?{query}{hash}", share::site_dir());
        if show(lab, count, &builder).is_err() {
            lab.say("the share dialog could not open".into(), true);
            lab.ui.dialog.set(Dialog::None);
        }
    });
}

/// Builds and opens the `<dialog>` (its fixed content written as markup, [`crate::html`]);
/// closing it (Escape, the ✕) removes it.
fn show(lab: Lab, count: usize, builder: &str) -> Result<(), JsValue> {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or(JsValue::NULL)?;
    if let Some(old) = document.query_selector("dialog.share-dialog")? {
        old.remove();
    }
    let dialog = document.create_element("dialog")?;
    dialog.set_class_name("modal share-dialog");
    dialog.set_attribute("data-testid", "share-dialog")?;
    dialog.set_attribute("aria-label", "Share and embed")?;
    // A form with method="dialog" closes its dialog natively: no handler to keep.
    dialog.set_inner_html(&format!(
        "<header><h2>Share and embed</h2><form method=\"dialog\"><button class=\"btn btn-small\" aria-label=\"Close\" data-testid=\"share-close\">✕</button></form></header>\
         <p class=\"small\">This run: the cluster and your {} action(s), replayed exactly in any browser. The link, the iframe and Markdown snippets, the preview and the exports are below.</p>\
         <iframe src=\"{}\" title=\"Links, embeds and exports\" class=\"builder-frame\" data-testid=\"share-builder\" allow=\"clipboard-write\"></iframe>",
        count,
        escaped(builder),
    ));
    document
        .body()
        .ok_or(JsValue::NULL)?
        .append_child(&dialog)?;
    let dialog: web_sys::HtmlDialogElement = dialog.unchecked_into();
    // A dialog closes once (it is removed then): the handler frees itself after that call.
    let on_close = Closure::once_into_js({
        let dialog = dialog.clone();
        move || {
            dialog.remove();
            lab.ui.dialog.set(Dialog::None);
        }
    });
    dialog.add_event_listener_with_callback("close", on_close.unchecked_ref())?;
    dialog.show_modal()
}

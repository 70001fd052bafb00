//! A panic must never leave a frozen page: this hook logs it and puts a readable message with
//! a way out on top of the app.

use wasm_bindgen::JsCast;

/// Installs the hook.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("KRaft Lab stopped: {info}").into());
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        if doc.get_element_by_id("panic-overlay").is_some() {
            return;
        }
        let Ok(el) = doc.create_element("div") else {
            return;
        };
        el.set_id("panic-overlay");
        el.set_attribute("role", "alertdialog").ok();
        el.set_attribute("data-testid", "panic-overlay").ok();
        let message = info.to_string().replace('&', "&amp;").replace('<', "&lt;");
        el.set_inner_html(&format!(
            "<div class=\"panic-box\"><h2>Something went wrong in KRaft Lab</h2>\
             <p>The simulation stopped because of a bug. Reloading the page starts a new run; \
             your share links still work.</p><pre>{message}</pre>\
             <button onclick=\"location.hash='';location.reload()\">Reload</button></div>"
        ));
        if let Some(body) = doc.body() {
            let _ = body.append_child(el.unchecked_ref());
        }
    }));
}

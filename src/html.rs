//! Markup written as text, for the parts of the page that never change while they are shown
//! (the legend, the model notes, the shortcut table, the lesson index). A reactive view costs
//! code in the first load for every element it builds; a string costs only its bytes, and
//! compresses well. Every text that does not come from this file is escaped.

/// Appends `text` to `out`, HTML-escaped.
pub fn push_text(out: &mut String, text: &str) {
    let _ = pulldown_cmark_escape::escape_html(out, text);
}

/// `text`, HTML-escaped.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_text(&mut out, text);
    out
}

/// The `data-act` of the element a click in markup written here landed on (its target or the
/// nearest ancestor that has one), unless it is disabled: markup has no event handlers of its
/// own, so its buttons say what they do and one handler on the container dispatches.
pub fn act_of(ev: &web_sys::MouseEvent) -> Option<String> {
    use wasm_bindgen::JsCast;
    let button = ev
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("[data-act]")
        .ok()??;
    if button.has_attribute("disabled") {
        return None;
    }
    button.get_attribute("data-act")
}

/// The node of the markup element under the pointer: the nearest `data-node` (a table row, a
/// feed line, a tool's output line), for the hover highlight that links panels and picture.
pub fn node_of(ev: &web_sys::MouseEvent) -> Option<kraftlab_core::types::NodeId> {
    use wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let row = target.closest("[data-node]").ok()??;
    kraftlab_core::types::NodeId::parse(&row.get_attribute("data-node")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escaped("<b>&\"x\"</b>"),
            "&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;"
        );
    }
}

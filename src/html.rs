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

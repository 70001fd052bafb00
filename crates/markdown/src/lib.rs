//! Lesson narration, from Markdown to HTML that is safe to put in the page: rendered by
//! pulldown-cmark (CommonMark), with any HTML inside the lesson escaped rather than injected,
//! links limited to harmless schemes, and inline code marked `{run}` turned into a chip (a
//! button carrying the command in `data-command`, which the player runs when clicked).

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag};
use pulldown_cmark_escape::escape_html;

/// The marker after inline code that makes it a chip.
const RUN: &str = "{run}";

/// True for link targets a lesson may use: the web, mail, and places inside the app.
fn safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    match lower.find(':') {
        // No scheme, or a colon only after a path, query or fragment started: relative.
        None => true,
        Some(colon) if lower[..colon].contains(['/', '?', '#']) => true,
        Some(_) => {
            lower.starts_with("https:")
                || lower.starts_with("http:")
                || lower.starts_with("mailto:")
        }
    }
}

fn chip(command: &str) -> String {
    let mut escaped = String::new();
    // Writing to a String cannot fail.
    let _ = escape_html(&mut escaped, command);
    format!(
        "<button type=\"button\" class=\"chip\" data-command=\"{escaped}\" title=\"Run this command\"><span aria-hidden=\"true\">▶ </span><code>{escaped}</code></button>"
    )
}

/// Renders `markdown` to safe HTML.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut events: Vec<Event> = Vec::new();
    for event in Parser::new_ext(markdown, options) {
        let event = match event {
            // Raw HTML is shown as text, never injected.
            Event::Html(s) | Event::InlineHtml(s) => Event::Text(s),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("#")
                },
                title,
                id,
            }),
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Image {
                link_type,
                dest_url: if safe_url(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("")
                },
                title,
                id,
            }),
            Event::Text(t) if t.starts_with(RUN) => {
                if let Some(Event::Code(code)) = events.last() {
                    let button = chip(code);
                    events.pop();
                    events.push(Event::InlineHtml(button.into()));
                    let rest = t[RUN.len()..].to_string();
                    if !rest.is_empty() {
                        events.push(Event::Text(rest.into()));
                    }
                    continue;
                }
                Event::Text(t)
            }
            other => other,
        };
        events.push(event);
    }
    let mut out = String::new();
    html::push_html(&mut out, events.into_iter());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered() {
        let html =
            render("Some *emphasis* and a [link](https://kafka.apache.org).\n\n- one\n- two\n");
        assert!(html.contains("<em>emphasis</em>"), "{html}");
        assert!(html.contains("href=\"https://kafka.apache.org\""), "{html}");
        assert!(html.contains("<li>two</li>"), "{html}");
    }

    #[test]
    fn html_in_a_lesson_is_escaped() {
        let html = render("Hi <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_links_go_nowhere() {
        let html = render(
            "[a](javascript:alert(1)) [b](JaVaScRiPt:x) [c](#/lessons) [d](data:text/html,x)",
        );
        assert!(!html.to_lowercase().contains("javascript:"), "{html}");
        assert!(!html.contains("data:"), "{html}");
        assert!(html.contains("href=\"#/lessons\""), "{html}");
    }

    #[test]
    fn run_chips_become_buttons() {
        let html = render("Try `crash leader`{run}. Or read `show status`.");
        assert!(html.contains("data-command=\"crash leader\""), "{html}");
        assert!(
            html.contains("</button>. Or read <code>show status</code>"),
            "{html}"
        );
        let tricky = render("`x\" onclick=\"y`{run}");
        assert!(
            tricky.contains("data-command=\"x&quot; onclick=&quot;y\""),
            "{tricky}"
        );
    }
}

//! The diagram as Mermaid `sequenceDiagram` text, to paste into a Markdown file, an issue or
//! a pull request (GitHub and GitLab draw it).
//!
//! Mermaid draws one message per row, in the order written, and has no time axis; so the
//! messages are written **in the order they arrived** (a dropped one when it was dropped),
//! which keeps cause before effect: a node's answer always arrives after the message it
//! answers. Marks become `Note over` lines with their virtual time.
//!
//! Mermaid's grammar is strict about a few characters, so every text is reduced to a safe set:
//! participant ids are letters and digits (`C3000`, `B1`, `ZK2`), and message and note texts
//! hold no `;` (a line break to Mermaid), `#` (a comment or an entity), `%` (`%%` starts a
//! comment), `:` (the separator), `<`, `>`, `&` or quotes.

use std::fmt::Write as _;

use super::{fmt_time, Diagram, Fate, Item};

/// `text` with only characters Mermaid reads as plain message text: letters, digits, blanks
/// and `=()[].,+/'_-`; `…` becomes `...`, `:` a comma, `%` `pct`, anything else a blank. Never empty.
pub(super) fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            ' ' | '=' | '(' | ')' | '[' | ']' | '.' | ',' | '+' | '/' | '\'' | '_' | '-' => {
                out.push(c)
            }
            '…' => out.push_str("..."),
            ':' => out.push(','),
            '%' => out.push_str("pct"),
            _ => out.push(' '),
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if out.is_empty() {
        "-".into()
    } else {
        out
    }
}

impl Diagram {
    /// The diagram as Mermaid `sequenceDiagram` text (see the module doc of `mermaid.rs`):
    /// messages in the order they arrived.
    pub fn to_mermaid(&self) -> String {
        let lanes = self.drawn_lanes();
        let key = |id| {
            lanes
                .iter()
                .find(|l| l.id == id)
                .map(|l| l.key.as_str())
                .unwrap_or("unknown")
        };
        let everyone = match (lanes.first(), lanes.last()) {
            (Some(a), Some(b)) if a.id != b.id => format!("{},{}", a.key, b.key),
            (Some(a), _) => a.key.clone(),
            _ => "nobody".into(),
        };
        let mut s = String::from("sequenceDiagram\n");
        let _ = writeln!(
            s,
            "    %% KRaft Lab space-time diagram, {} to {}, messages in the order they arrived",
            safe(&fmt_time(self.options.window.from.0)),
            safe(&fmt_time(self.end().0))
        );
        for l in &lanes {
            let _ = writeln!(
                s,
                "    participant {} as {}",
                l.key,
                safe(&format!("{}, {}", l.label, self.lane_state(l.id)))
            );
        }
        for item in self.story() {
            match item {
                Item::Arrow(a) => {
                    let (arrow, text) = match a.fate {
                        Fate::Delivered(_) if a.request => ("->>", a.label.clone()),
                        Fate::Delivered(_) => ("-->>", a.label.clone()),
                        Fate::Dropped(_, reason) => {
                            ("-x", format!("{} ({})", a.label, reason.label()))
                        }
                        Fate::InFlight => continue,
                    };
                    let _ = writeln!(
                        s,
                        "    {} {arrow} {}: {}",
                        key(a.from),
                        key(a.to),
                        safe(&text)
                    );
                }
                Item::Mark(m) => {
                    let over = match m.node {
                        Some(n) => key(n).to_string(),
                        None => everyone.clone(),
                    };
                    let _ = writeln!(
                        s,
                        "    Note over {over}: {}",
                        safe(&format!("{} at {}", m.text, fmt_time(m.at.0)))
                    );
                }
            }
        }
        for note in self.footnotes() {
            let _ = writeln!(s, "    Note over {everyone}: {}", safe(&note));
        }
        s
    }
}

//! Text renderings that Kafka users know: `kafka-metadata-quorum describe --status` and
//! `--replication` (in [`quorum`]), a listing of a replica's log and of the nodes ([`listing`]),
//! and the metadata layer: `kafka-dump-log`, `kafka-topics --describe`, images and configs
//! ([`metadata`]); and a run drawn as a space-time diagram, in SVG or Mermaid ([`diagram`]).

use std::fmt;

use crate::types::NodeId;

pub mod diagram;
pub mod listing;
pub mod metadata;
pub mod quorum;
pub mod zookeeper;

/// Kafka's `ToolsUtils.prettyPrintTable`: every cell padded to its column's width and followed
/// by a tab (the last one too), one row per line.
pub fn pretty_print_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.len());
            }
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        for (i, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            for _ in cell.len()..widths[i] {
                out.push(' ');
            }
            out.push('\t');
        }
        out.push('\n');
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(|s| s.as_str()).collect());
    }
    out
}

/// A tool's output with each line tied to the node it speaks of, so that the app can link a
/// line to its node (hover one, the other lights up) without reading the text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolText {
    /// The lines, without their line breaks.
    pub lines: Vec<ToolLine>,
}

/// One line of a tool's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolLine {
    /// The text as the tool prints it.
    pub text: String,
    /// The node the line is about, if one.
    pub node: Option<NodeId>,
}

impl ToolText {
    /// `text` split into lines, each tied to the node `node_of` gives for its index.
    pub fn from_text(text: &str, mut node_of: impl FnMut(usize) -> Option<NodeId>) -> ToolText {
        ToolText {
            lines: text
                .lines()
                .enumerate()
                .map(|(i, l)| ToolLine {
                    text: l.to_string(),
                    node: node_of(i),
                })
                .collect(),
        }
    }
}

impl fmt::Display for ToolText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in &self.lines {
            writeln!(f, "{}", l.text)?;
        }
        Ok(())
    }
}

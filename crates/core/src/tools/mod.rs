//! Text renderings that Kafka users know: `kafka-metadata-quorum describe --status` and
//! `--replication` (in [`quorum`]), a listing of a replica's log and of the nodes ([`listing`]),
//! and the metadata layer: `kafka-dump-log`, `kafka-topics --describe`, images and configs
//! ([`metadata`]).

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

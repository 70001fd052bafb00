//! A scenario script turned into a recorded run: what an embed of a docs page's own scenario
//! text plays. The script runs once, at a console, from its `cluster` line to its end; every
//! action it takes is recorded with the node it resolved to (`crash leader` becomes
//! `crash 3001` at the instant it ran), so the embed can then show the run from its start,
//! seek in it and share it, exactly as a share link's run.
//!
//! The whole script runs before anything is shown, so it is held to a tighter bound than a
//! run in the playground: at most [`MAX_SCRIPT_BYTES`] of text and [`MAX_SCRIPT_TIME`] of
//! virtual time, checked before any work. A script that does not parse, or whose `expect` or
//! `run until` fails, is refused with the line and the reason: an embed never shows a run
//! that differs from what its author wrote.

use crate::limits::Limits;
use crate::scenario::ast::Command;
use crate::scenario::parse::parse_script;
use crate::scenario::session::check_plan;
use crate::scenario::share::{other_engine, other_engine_of};
use crate::sim::ClusterSpec;
use crate::types::Micros;

use super::console::Console;
use super::timeline::Timeline;

/// Most bytes of scenario text an embed takes (64 KiB: pages of scenario, far beyond a docs
/// example).
pub const MAX_SCRIPT_BYTES: usize = 64 * 1024;

/// Most virtual time an embedded script may run (one hour, about a second of work in a
/// browser): the script runs in full before the embed shows it.
pub const MAX_SCRIPT_TIME: Micros = 3_600_000_000;

/// Runs `text` and returns its recorded run, at the script's end. With `check_engine`, a
/// script whose first line pins another engine (`# engine <N>`) is refused; a script with no
/// such line runs on this engine. A script without a `cluster` line runs on the default
/// cluster (3 voters, 3 brokers, seed 42).
pub fn record(text: &str, check_engine: bool) -> Result<Timeline, String> {
    if text.len() > MAX_SCRIPT_BYTES {
        return Err(format!(
            "the scenario is {} KiB, more than the {} KiB an embed takes",
            text.len().div_ceil(1024),
            MAX_SCRIPT_BYTES / 1024
        ));
    }
    if let Some(v) = other_engine_of(text, false).filter(|_| check_engine) {
        return Err(other_engine(v));
    }
    let lines = parse_script(text).map_err(|e| e.to_string())?;
    // One cluster, on the first command: refused before any of the script runs.
    if let Some(extra) = lines
        .iter()
        .skip(1)
        .find(|l| matches!(l.command, Command::Cluster(_)))
    {
        return Err(format!(
            "line {}: an embedded scenario holds one cluster, on its first command",
            extra.number
        ));
    }
    let limits = Limits {
        time_per_run: MAX_SCRIPT_TIME,
        ..Limits::DEFAULT
    };
    check_plan(&lines, &limits)
        .map_err(|e| format!("{e} (an embedded scenario runs in full before it is shown)"))?;
    let mut timeline = Timeline::new(ClusterSpec::kraft(3, 3, 42));
    let mut console = Console::new();
    for line in &lines {
        console
            .run(&mut timeline, &line.command)
            .map_err(|e| format!("line {}: {e}", line.number))?;
    }
    Ok(timeline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::UserAction;
    use crate::types::SimTime;

    const SCRIPT: &str = "# engine 4\ncluster kraft voters=3 brokers=1 seed=7\nrun until leader within 10s\ncrash leader\nrun until leader within 15s\nrun 1s\n";

    #[test]
    fn a_script_becomes_a_recorded_run_with_resolved_nodes() {
        let script = SCRIPT.replace("engine 4", &format!("engine {}", crate::ENGINE_VERSION));
        let t = record(&script, true).unwrap();
        assert_eq!(t.spec().seed, 7);
        assert_eq!(t.spec().controllers.len(), 3);
        let [(at, UserAction::Crash(id))] = t.actions() else {
            panic!("expected one crash, got {:?}", t.actions());
        };
        assert!(*at > SimTime::ZERO);
        assert!(t.spec().controllers.iter().any(|c| c == id));
        assert_eq!(t.now(), t.horizon());
        // Deterministic: the same text is the same run.
        let again = record(&script, true).unwrap();
        assert_eq!(again.actions(), t.actions());
        assert_eq!(again.now(), t.now());
    }

    #[test]
    fn refusals_name_the_line_and_the_reason() {
        let e = record("cluster kraft voters=3\nfrobnicate\n", true).unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        let e = record("cluster kraft voters=3\nexpect leader\n", true).unwrap_err();
        assert!(e.starts_with("line 2: expected"), "{e}");
        let e = record("run 2h\n", true).unwrap_err();
        assert!(e.contains("time-per-run=1h"), "{e}");
        let e = record(&"# a comment line\n".repeat(5000), true).unwrap_err();
        assert!(e.contains("more than the 64 KiB"), "{e}");
        let e = record("cluster kraft\nrun 1s\ncluster kraft\n", true).unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
    }

    #[test]
    fn a_pinned_engine_is_checked_unless_the_reader_chose_this_one() {
        let e = record("# engine 999\nrun 1s\n", true).unwrap_err();
        assert!(e.contains("engine version 999 (a newer KRaft Lab"), "{e}");
        assert!(record("# engine 999\nrun 1s\n", false).is_ok());
        assert_eq!(record("run 1s\n", true).unwrap().now().0, 1_000_000);
    }
}

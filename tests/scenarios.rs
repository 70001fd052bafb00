//! Golden scenario files (datadriven style, after etcd-io/raft's `testdata/*.txt`).
//!
//! Each file in `tests/scenarios/` is a sequence of directives:
//!
//! ```text
//! # prose explaining the scenario
//! <one scenario-language command>
//! ----
//! <the exact output it produced>
//! <blank line>
//! ```
//!
//! Outputs are trace lines (at the file's `trace` level, `elections` by default), `show`
//! tables, and `ok: …` for `run until`. A command that fails prints `error: …` — except
//! `expect` and `run until`, whose failure fails the test outright, and any invariant
//! violation, which does too: a golden file cannot record a broken invariant as expected.
//!
//! `REWRITE=1 cargo test -p kraftlab-core --test scenarios` rewrites the outputs; read the diff
//! before committing it. `RUN=<substring>` narrows the walk to matching files.

use std::fs;
use std::path::{Path, PathBuf};

use kraftlab_core::scenario::{parse_command, Command, Session};
use kraftlab_core::trace::Verbosity;

struct Directive {
    /// Lines (comments, blank lines) that precede the command, kept on rewrite.
    preamble: Vec<String>,
    command: String,
    line: usize,
}

fn parse_file(text: &str) -> Result<(Vec<Directive>, Vec<String>), String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut preamble = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l.trim().is_empty() || l.starts_with('#') {
            preamble.push(l.to_string());
            i += 1;
            continue;
        }
        let command = l.to_string();
        let line = i + 1;
        if lines.get(i + 1) != Some(&"----") {
            return Err(format!("line {}: expected `----` after `{command}`", i + 2));
        }
        i += 2;
        // The recorded output is compared as part of the whole file, so it is skipped here.
        while i < lines.len() && !lines[i].is_empty() {
            i += 1;
        }
        // The blank line that ends the output belongs to the directive.
        if i < lines.len() {
            i += 1;
        }
        out.push(Directive {
            preamble: std::mem::take(&mut preamble),
            command,
            line,
        });
    }
    Ok((out, preamble))
}

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

/// Runs one file; returns the actual text of the file and a list of hard failures.
fn run_file(path: &Path) -> (String, String, Vec<String>) {
    let text = fs::read_to_string(path).expect("readable scenario file");
    let (directives, trailer) = match parse_file(&text) {
        Ok(d) => d,
        Err(e) => return (text.clone(), text, vec![format!("{}: {e}", path.display())]),
    };
    let mut session = Session::new(Verbosity::Elections);
    let mut failures = Vec::new();
    let mut actual = String::new();
    for d in &directives {
        for p in &d.preamble {
            actual += p;
            actual.push('\n');
        }
        let output = match parse_command(&d.command) {
            Err(e) => format!("error: {e}\n"),
            Ok(cmd) => match session.execute_command(&cmd, d.line) {
                Ok(o) => o,
                Err(e) => {
                    let hard = matches!(cmd, Command::Expect(_) | Command::RunUntil { .. })
                        || e.message.starts_with("invariant violated");
                    if hard {
                        failures.push(format!("{}:{}: {}", path.display(), d.line, e.message));
                    }
                    format!("{}error: {}\n", session.take_unreported(), e.message)
                }
            },
        };
        actual += &d.command;
        actual += "\n----\n";
        actual += &output;
        actual.push('\n');
    }
    for p in &trailer {
        actual += p;
        actual.push('\n');
    }
    while actual.ends_with("\n\n") {
        actual.pop();
    }
    // A scenario that breaks a rule on purpose says so with `allow violations` (and checks
    // what broke with `expect violated …`); any other violation fails the file.
    if let Some(w) = session.world().filter(|_| !session.allows_violations()) {
        for v in w.violations() {
            failures.push(format!("{}: invariant violated: {v}", path.display()));
        }
    }
    let mut expected = text;
    while expected.ends_with("\n\n") {
        expected.pop();
    }
    (expected, actual, failures)
}

#[test]
fn golden_scenarios() {
    let rewrite = std::env::var("REWRITE").is_ok_and(|v| !v.is_empty() && v != "0");
    let filter = std::env::var("RUN").unwrap_or_default();
    let mut files: Vec<PathBuf> = fs::read_dir(scenario_dir())
        .expect("tests/scenarios exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter(|p| p.to_string_lossy().contains(&filter))
        .collect();
    files.sort();
    assert!(
        !filter.is_empty() || files.len() >= 9,
        "expected the golden scenarios of the core issue, found {}",
        files.len()
    );
    assert!(!files.is_empty(), "no scenario file matches RUN={filter}");
    let mut problems = Vec::new();
    for path in &files {
        let (expected, actual, failures) = run_file(path);
        problems.extend(failures);
        if expected != actual {
            if rewrite {
                fs::write(path, &actual).expect("writable scenario file");
            } else {
                let diff = first_difference(&expected, &actual);
                problems.push(format!(
                    "{}: output differs from the golden file (REWRITE=1 to update, then read the diff)\n{diff}",
                    path.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}

fn first_difference(expected: &str, actual: &str) -> String {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    for i in 0..e.len().max(a.len()) {
        if e.get(i) != a.get(i) {
            return format!(
                "  line {}:\n  expected: {}\n  actual:   {}",
                i + 1,
                e.get(i).unwrap_or(&"<end of file>"),
                a.get(i).unwrap_or(&"<end of file>")
            );
        }
    }
    String::new()
}

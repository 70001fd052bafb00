//! Picks up every lesson in `lessons/` (adding one needs no Rust): writes an index of their file
//! names, front matter and text hashes into the app. The lesson texts themselves are copied
//! beside the app by Trunk (`copy-dir lessons`) and fetched when a lesson opens, so the first
//! load carries only the index.

use std::fmt::Write as _;
use std::path::Path;

#[path = "src/lesson/fnv.rs"]
mod fnv;

fn main() {
    println!("cargo:rerun-if-changed=lessons");
    let mut files: Vec<_> = std::fs::read_dir("lessons")
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.extension().is_some_and(|e| e == "md") && p.file_name().is_some_and(|n| n != "README.md")
    });
    files.sort();
    let mut out = String::from("&[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        // The front matter: from the first `---` to the next (a malformed file is indexed
        // by its first lines, and the player reports its error when it is opened).
        let front = match text.strip_prefix("---\n") {
            Some(rest) => match rest.find("\n---") {
                Some(end) => &text[..end + 8],
                None => text.as_str(),
            },
            None => text.as_str(),
        };
        let front: Vec<&str> = front.lines().take(40).collect();
        let front = front.join("\n");
        // Steps: `## ` headings outside fenced blocks (the index shows "3 of 7 steps").
        let mut fenced = false;
        let mut steps = 0;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
            } else if !fenced && line.starts_with("## ") {
                steps += 1;
            }
        }
        let _ = writeln!(
            out,
            "    crate::lesson::catalog::LessonFile {{ file: {name:?}, front_matter: {front:?}, hash: {:#x}, steps: {steps} }},",
            fnv::fnv1a(text.as_bytes())
        );
    }
    out.push(']');
    let dest = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lessons.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

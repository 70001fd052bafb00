//! Which lessons exist: the index `build.rs` wrote from `lessons/` (file, front matter, text
//! hash), read with the core's own front-matter parser and ordered by part and order.

use kraftlab_core::lesson::{parse_meta, Kind, Meta};

/// One file of `lessons/` as the build saw it.
#[derive(Clone, Copy, Debug)]
pub struct LessonFile {
    /// The file name inside `lessons/` (the player fetches `lessons/<file>`).
    pub file: &'static str,
    /// The front matter, as written.
    pub front_matter: &'static str,
    /// FNV-1a of the whole text, which keys saved progress.
    pub hash: u64,
    /// How many steps it has.
    pub steps: usize,
}

/// Every lesson file, in file-name order.
pub const FILES: &[LessonFile] = include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// A lesson as the index lists it.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The file inside `lessons/`.
    pub file: &'static str,
    /// Its front matter.
    pub meta: Meta,
    /// Its text's hash.
    pub hash: u64,
    /// How many steps it has.
    pub steps: usize,
}

/// The names of the curriculum's parts (docs/lessons.md), by number.
pub fn part_title(part: u32) -> &'static str {
    match part {
        1 => "Part I — Consensus in KRaft's words",
        2 => "Part II — The metadata log",
        3 => "Part III — ZooKeeper vs KRaft",
        4 => "Part IV — Operating a quorum",
        _ => "More lessons",
    }
}

/// The lessons and exercises, by part then order; files whose front matter does not parse
/// are listed separately with their error (they are shown, not hidden).
pub fn entries() -> (Vec<Entry>, Vec<String>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for f in FILES {
        match parse_meta(f.file, f.front_matter) {
            Ok(meta) => ok.push(Entry {
                file: f.file,
                meta,
                hash: f.hash,
                steps: f.steps,
            }),
            Err(e) => bad.push(e.to_string()),
        }
    }
    ok.sort_by(|a, b| {
        // Exercises come after the lessons, numbered by their order alone (E1, E2, …).
        let key = |e: &Entry| {
            let exercise = e.meta.kind == Kind::Exercise;
            (
                exercise,
                if exercise { 0 } else { e.meta.part },
                e.meta.order,
            )
        };
        key(a).cmp(&key(b)).then_with(|| a.file.cmp(b.file))
    });
    (ok, bad)
}

/// The lesson called `slug`.
pub fn find(slug: &str) -> Option<Entry> {
    entries().0.into_iter().find(|e| e.meta.slug == slug)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_is_indexed_with_a_unique_slug() {
        let (ok, bad) = entries();
        assert!(bad.is_empty(), "{bad:?}");
        assert!(ok.len() >= 11, "lessons 1-11 are in the index");
        let mut slugs: Vec<_> = ok.iter().map(|e| e.meta.slug.clone()).collect();
        slugs.dedup();
        assert_eq!(slugs.len(), ok.len(), "slugs are unique");
        assert_eq!(ok[0].meta.part, 1);
        assert!(find(&ok[0].meta.slug).is_some());
    }
}

//! Every lesson in `lessons/` passes `kraftlab lesson`: so a lesson cannot rot when the
//! simulator changes. Each step runs in order, every `wait` is met within its bound, every
//! `goal` is unmet when its step opens and met after its `solution`, every `predict` answer
//! names one of its choices.

use std::path::PathBuf;

use kraftlab_core::lesson::{check, parse, Kind};

fn lessons() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../lessons");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("lessons/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter(|p| p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_lesson_checks_headless() {
    let files = lessons();
    assert!(
        files.len() >= 11,
        "Parts I and II have 11 lessons, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    let mut slugs = std::collections::BTreeSet::new();
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).expect("readable lesson");
        let lesson = match parse(&name, &text) {
            Ok(l) => l,
            Err(e) => {
                failures.push(e.to_string());
                continue;
            }
        };
        if !slugs.insert(lesson.meta.slug.clone()) {
            failures.push(format!("{name}: slug `{}` is used twice", lesson.meta.slug));
        }
        if lesson.meta.kind == Kind::Lesson
            && !lesson
                .steps
                .iter()
                .any(|s| s.goal.is_some() || s.predict.is_some())
        {
            failures.push(format!(
                "{name}: a lesson needs a goal or a prediction the app checks"
            ));
        }
        if let Err(e) = check(&lesson) {
            failures.push(e.to_string());
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

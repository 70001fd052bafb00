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

/// The player plays lessons on a time-travel `Timeline` (`lesson::live`), the checker on a
/// scenario session (`lesson::check`): after every step both must stand at the same moment with
/// the same active controller, and jumping to a step must land where walking to it does.
#[test]
fn the_player_and_the_checker_agree_step_by_step() {
    use kraftlab_core::lesson::{check::replay_to, live};
    let mut failures = Vec::new();
    for path in lessons() {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("readable lesson");
        let Ok(lesson) = parse(&name, &text) else {
            continue; // reported by every_lesson_checks_headless
        };
        let mut console = kraftlab_core::run::console::Console::new();
        let mut timeline =
            kraftlab_core::run::Timeline::new(kraftlab_core::sim::ClusterSpec::kraft(3, 0, 1));
        for (i, step) in lesson.steps.iter().enumerate() {
            let walked = live::open_step(&lesson, &mut console, &mut timeline, step)
                .and_then(|_| live::finish_step(&lesson, &mut console, &mut timeline, step));
            if let Err(e) = walked {
                failures.push(format!("walking: {e}"));
                break;
            }
            let session = match replay_to(&lesson, i + 1) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("checking: {e}"));
                    break;
                }
            };
            let world = session.world().expect("a cluster");
            let live_world = timeline.world();
            if (world.now(), world.active_leader())
                != (live_world.now(), live_world.active_leader())
            {
                failures.push(format!(
                    "{name} step {}: the checker is at {:?} with leader {:?}, the player at {:?} with leader {:?}",
                    i + 1,
                    world.now(),
                    world.active_leader(),
                    live_world.now(),
                    live_world.active_leader()
                ));
                break;
            }
            match live::replay_to(&lesson, i + 1) {
                Ok((jumped, _)) if jumped.now() == live_world.now() => {}
                Ok((jumped, _)) => failures.push(format!(
                    "{name} step {}: jumping lands at {:?}, walking at {:?}",
                    i + 1,
                    jumped.now(),
                    live_world.now()
                )),
                Err(e) => failures.push(format!("jumping: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every wrong attempt in `tests/exercises/` (a scenario file whose header names the exercise,
/// the step and a failing row) is rejected for that reason, with "where your run went
/// differently" said; and every exercise has one.
#[test]
fn wrong_attempts_at_the_exercises_fail_for_their_reason() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/exercises");
    let mut attempts: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/exercises/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "scenario"))
        .collect();
    attempts.sort();
    let mut covered = std::collections::BTreeSet::new();
    for path in &attempts {
        let text = std::fs::read_to_string(path).expect("readable attempt");
        let header = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("# {key}: ")))
                .unwrap_or_else(|| panic!("{}: no `# {key}:` line", path.display()))
                .trim()
                .to_string()
        };
        let (file, step, fails) = (header("lesson"), header("step"), header("fails"));
        let lesson_path = dir.join("../../lessons").join(&file);
        let lesson = parse(
            &file,
            &std::fs::read_to_string(&lesson_path).expect("the attempt's exercise exists"),
        )
        .expect("the exercise parses");
        assert_eq!(lesson.meta.kind, Kind::Exercise, "{file}");
        let lines = kraftlab_core::scenario::parse_script(&text).expect("the attempt parses");
        let report = kraftlab_core::lesson::check_attempt(&lesson, step.parse().unwrap(), &lines)
            .expect("the attempt runs");
        assert!(!report.solved, "{}: solved {report:?}", path.display());
        assert!(
            report
                .rows
                .iter()
                .any(|(label, holds, seen)| !holds
                    && (label.contains(&fails) || seen.contains(&fails))),
            "{}: no failing row says `{fails}`: {:?}",
            path.display(),
            report.rows
        );
        assert!(
            report.divergence.is_some(),
            "{}: a failed attempt says where it went differently",
            path.display()
        );
        covered.insert(file);
    }
    // Every exercise with a goal step has a wrong attempt.
    for path in lessons() {
        let text = std::fs::read_to_string(&path).unwrap();
        let lesson = parse(&path.display().to_string(), &text).unwrap();
        if lesson.meta.kind == Kind::Exercise && lesson.steps.iter().any(|s| s.goal.is_some()) {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            assert!(
                covered.contains(&name),
                "{name} has no wrong attempt in tests/exercises/"
            );
        }
    }
}

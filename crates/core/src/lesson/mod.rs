//! Lessons and exercises as data: one Markdown file each, in the lesson format (front matter,
//! `## ` steps, fenced blocks `scenario`, `wait`, `goal`, `hint`, `solution`, `predict`; see
//! docs/lessons.md). The app's lesson player and `kraftlab lesson` share this module: it
//! parses a file ([`parse`]), fills narration placeholders from the run ([`fill`]), evaluates a
//! prediction's answer ([`answer`]) and checks a whole lesson headless ([`check`]).

pub mod answer;
pub mod check;
pub mod diverge;
pub mod format;
pub mod live;
pub mod placeholders;

pub use answer::Answer;
pub use check::{check, check_attempt, AttemptReport, StepReport};
pub use format::{
    parse, parse_meta, Goal, GoalRow, Kind, Lesson, LessonError, Meta, Predict, Step, Wait,
};
pub use placeholders::fill;

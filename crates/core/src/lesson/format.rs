//! Reading a lesson file. Every error names the file, the line and what was expected; nothing
//! in a lesson file can make the parser panic.

use std::fmt;

use crate::scenario::ast::{Command, Line};
use crate::scenario::condition::{parse_condition, Condition};
use crate::scenario::parse::{parse_command, tokenize};
use crate::text::suggest;
use crate::types::{parse_duration, Micros};

use super::answer::Answer;

/// A lesson that could not be read: where, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// The file, as given.
    pub file: String,
    /// 1-based line (0: the file as a whole).
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for LessonError {}

/// A lesson, or an exercise (the same format with `kind: exercise`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Narrated steps that teach.
    Lesson,
    /// A challenge the app checks.
    Exercise,
}

/// The front matter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meta {
    /// The title.
    pub title: String,
    /// A unique kebab-case name, used in routes (`#/lessons/<slug>`).
    pub slug: String,
    /// The curriculum part (1: consensus, 2: the metadata log, …).
    pub part: u32,
    /// The order within the part.
    pub order: u32,
    /// How long it takes, as people say it (`10 min`).
    pub duration: String,
    /// Lesson or exercise.
    pub kind: Kind,
    /// What it teaches, in a line.
    pub summary: String,
    /// Exercises: the number of actions a best solution takes.
    pub par: Option<u32>,
}

/// A `wait` block: animate until the condition holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    /// The condition.
    pub condition: Condition,
    /// How long at most.
    pub within: Micros,
    /// Its line in the file.
    pub line: usize,
}

/// One row of a goal checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalRow {
    /// What the learner reads (`# …`).
    pub label: String,
    /// The condition that ticks it.
    pub condition: Condition,
    /// Its line in the file.
    pub line: usize,
}

/// A `goal` block: a checklist that ticks as the run goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goal {
    /// The rows, in order.
    pub rows: Vec<GoalRow>,
    /// The block's first line.
    pub line: usize,
}

/// A `predict` block: a question asked before the run goes on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Predict {
    /// The question (Markdown).
    pub question: String,
    /// The choices, in order.
    pub choices: Vec<String>,
    /// What decides which choice is right, read from the run when the step's `wait` is met.
    pub answer: Answer,
    /// Why the answer is what it is (Markdown, optional `why:` line after `answer:`), shown
    /// with the verdict.
    pub why: Option<String>,
    /// The block's first line.
    pub line: usize,
}

/// One `## ` step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The heading.
    pub title: String,
    /// The heading's line.
    pub line: usize,
    /// The narration: the step's Markdown without its lesson blocks.
    pub narration: String,
    /// Commands run when the step opens.
    pub scenario: Vec<Line>,
    /// Animate until this holds.
    pub wait: Option<Wait>,
    /// A checklist the learner makes true.
    pub goal: Option<Goal>,
    /// Hints, shown one at a time (Markdown).
    pub hints: Vec<String>,
    /// Commands that reach the goal from the state the step opened in.
    pub solution: Vec<Line>,
    /// A question asked before the run goes on.
    pub predict: Option<Predict>,
}

/// A whole lesson file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// The file it came from.
    pub file: String,
    /// The front matter.
    pub meta: Meta,
    /// Markdown before the first step.
    pub intro: String,
    /// The steps.
    pub steps: Vec<Step>,
}

impl Lesson {
    /// The goal and `wait` conditions of every step, for tools that list what a lesson checks.
    pub fn conditions(&self) -> impl Iterator<Item = &Condition> {
        self.steps.iter().flat_map(|s| {
            s.wait.iter().map(|w| &w.condition).chain(
                s.goal
                    .iter()
                    .flat_map(|g| g.rows.iter().map(|r| &r.condition)),
            )
        })
    }
}

const KEYS: &[&str] = &[
    "title", "slug", "part", "order", "duration", "kind", "summary", "par",
];

/// The lesson blocks (fenced code blocks with these info strings); any other fence is
/// narration.
const BLOCKS: &[&str] = &["scenario", "wait", "goal", "hint", "solution", "predict"];

/// Lessons are small: a file above this size is refused before any work.
pub const MAX_LESSON_BYTES: usize = 256 * 1024;

struct Cursor<'a> {
    file: &'a str,
}

impl Cursor<'_> {
    fn err(&self, line: usize, message: impl Into<String>) -> LessonError {
        LessonError {
            file: self.file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// Reads only a lesson's front matter (the lesson index needs no more).
pub fn parse_meta(file: &str, text: &str) -> Result<Meta, LessonError> {
    let c = Cursor { file };
    let lines: Vec<&str> = text.lines().collect();
    parse_front_matter(&c, &lines).map(|(m, _)| m)
}

/// Reads a lesson from its text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<Lesson, LessonError> {
    let c = Cursor { file };
    if text.len() > MAX_LESSON_BYTES {
        return Err(c.err(
            0,
            format!(
                "the file is {} KiB; a lesson may be at most {} KiB",
                text.len() / 1024,
                MAX_LESSON_BYTES / 1024
            ),
        ));
    }
    let lines: Vec<&str> = text.lines().collect();
    let (meta, body_start) = parse_front_matter(&c, &lines)?;
    let mut intro = String::new();
    let mut steps: Vec<Step> = Vec::new();
    let mut i = body_start;
    while i < lines.len() {
        let raw = lines[i];
        let number = i + 1;
        if let Some(title) = raw.strip_prefix("## ") {
            let title = title.trim();
            if title.is_empty() {
                return Err(c.err(number, "a step needs a title after `## `"));
            }
            steps.push(Step {
                title: title.to_string(),
                line: number,
                narration: String::new(),
                scenario: Vec::new(),
                wait: None,
                goal: None,
                hints: Vec::new(),
                solution: Vec::new(),
                predict: None,
            });
            i += 1;
            continue;
        }
        let fence = raw.trim_start();
        if let Some(info) = fence.strip_prefix("```") {
            let info = info.trim();
            let end = (i + 1..lines.len())
                .find(|j| lines[*j].trim_start().starts_with("```"))
                .ok_or_else(|| c.err(number, "this code block is never closed with ```"))?;
            let body: Vec<(usize, &str)> = (i + 1..end).map(|j| (j + 1, lines[j])).collect();
            if BLOCKS.contains(&info) {
                let step = steps.last_mut().ok_or_else(|| {
                    c.err(
                        number,
                        format!("a `{info}` block must be inside a step (after a `## ` heading)"),
                    )
                })?;
                add_block(&c, step, info, number, &body)?;
            } else {
                let close = lines[end];
                let text = std::iter::once(raw)
                    .chain(body.iter().map(|(_, l)| *l))
                    .chain(std::iter::once(close))
                    .collect::<Vec<_>>()
                    .join("\n");
                push_text(steps.last_mut(), &mut intro, &text);
            }
            i = end + 1;
            continue;
        }
        push_text(steps.last_mut(), &mut intro, raw);
        i += 1;
    }
    if steps.is_empty() {
        return Err(c.err(0, "a lesson needs at least one step (a `## ` heading)"));
    }
    for s in &mut steps {
        s.narration = s.narration.trim().to_string();
        if s.goal.is_some() && s.solution.is_empty() {
            return Err(c.err(
                s.line,
                format!("step `{}` has a goal but no `solution` block", s.title),
            ));
        }
        if !s.solution.is_empty() && s.goal.is_none() {
            return Err(c.err(
                s.line,
                format!("step `{}` has a solution but no `goal` block", s.title),
            ));
        }
    }
    Ok(Lesson {
        file: file.to_string(),
        meta,
        intro: intro.trim().to_string(),
        steps,
    })
}

fn push_text(step: Option<&mut Step>, intro: &mut String, text: &str) {
    let target = match step {
        Some(s) => &mut s.narration,
        None => intro,
    };
    target.push_str(text);
    target.push('\n');
}

/// Reads the front matter; returns it and the index of the first body line.
fn parse_front_matter(c: &Cursor, lines: &[&str]) -> Result<(Meta, usize), LessonError> {
    if lines.first().map(|l| l.trim()) != Some("---") {
        return Err(c.err(
            1,
            "a lesson starts with front matter: a line `---`, then `key: value` lines, then `---`",
        ));
    }
    let end = (1..lines.len())
        .find(|i| lines[*i].trim() == "---")
        .ok_or_else(|| c.err(1, "the front matter is never closed with a line `---`"))?;
    let mut title = None;
    let mut slug = None;
    let mut part = None;
    let mut order = None;
    let mut duration = None;
    let mut kind = None;
    let mut summary = None;
    let mut par = None;
    for (i, line) in lines.iter().enumerate().take(end).skip(1) {
        let number = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| c.err(number, format!("expected `key: value`, got `{line}`")))?;
        let key = key.trim();
        let value = value.trim().to_string();
        if value.is_empty() {
            return Err(c.err(number, format!("`{key}` needs a value")));
        }
        let whole = |v: &str| -> Result<u32, LessonError> {
            v.parse()
                .map_err(|_| c.err(number, format!("`{key}` takes a whole number, got `{v}`")))
        };
        match key {
            "title" => title = Some(value),
            "slug" => {
                let ok = value.split('-').all(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit())
                });
                if !ok {
                    return Err(c.err(number, format!("`slug` must be kebab-case (lower-case words joined by `-`), got `{value}`")));
                }
                slug = Some(value)
            }
            "part" => part = Some(whole(&value)?),
            "order" => order = Some(whole(&value)?),
            "duration" => duration = Some(value),
            "kind" => {
                kind = Some(match value.as_str() {
                    "lesson" => Kind::Lesson,
                    "exercise" => Kind::Exercise,
                    other => {
                        return Err(c.err(
                            number,
                            format!("`kind` is `lesson` or `exercise`, got `{other}`"),
                        ))
                    }
                })
            }
            "summary" => summary = Some(value),
            "par" => par = Some(whole(&value)?),
            other => {
                return Err(c.err(
                    number,
                    format!(
                        "unknown front matter key `{other}`{}: expected {}",
                        suggest(other, KEYS),
                        KEYS.join(", ")
                    ),
                ))
            }
        }
    }
    let missing = |k: &str| c.err(1, format!("the front matter has no `{k}`"));
    let meta = Meta {
        title: title.ok_or_else(|| missing("title"))?,
        slug: slug.ok_or_else(|| missing("slug"))?,
        part: part.ok_or_else(|| missing("part"))?,
        order: order.ok_or_else(|| missing("order"))?,
        duration: duration.ok_or_else(|| missing("duration"))?,
        kind: kind.ok_or_else(|| missing("kind"))?,
        summary: summary.ok_or_else(|| missing("summary"))?,
        par,
    };
    if par.is_some() && meta.kind != Kind::Exercise {
        return Err(c.err(1, "`par` is for exercises (`kind: exercise`)"));
    }
    Ok((meta, end + 1))
}

/// Parses the commands of a `scenario` or `solution` block, keeping the file's line numbers.
fn commands(c: &Cursor, body: &[(usize, &str)]) -> Result<Vec<Line>, LessonError> {
    let mut out = Vec::new();
    for (number, raw) in body {
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let command = parse_command(content).map_err(|m| c.err(*number, m))?;
        if matches!(command, Command::Trace(_)) {
            return Err(c.err(*number, "`trace` has no meaning in a lesson"));
        }
        out.push(Line {
            number: *number,
            text: content.to_string(),
            command,
        });
    }
    Ok(out)
}

/// Parses `<condition> within <duration>`.
fn condition_within(
    c: &Cursor,
    number: usize,
    text: &str,
) -> Result<(Condition, Micros), LessonError> {
    let tokens = tokenize(text);
    let at = tokens.iter().position(|t| t == "within").ok_or_else(|| {
        c.err(
            number,
            "a `wait` is `<condition> within <duration>`, like `leader within 10s`",
        )
    })?;
    let within = match &tokens[at + 1..] {
        [d] => parse_duration(d)
            .filter(|d| *d > 0)
            .ok_or_else(|| c.err(number, format!("`{d}` is not a duration like `10s`")))?,
        _ => return Err(c.err(number, "`within` takes one duration, like `within 10s`")),
    };
    let condition = parse_condition(&tokens[..at]).map_err(|m| c.err(number, m))?;
    Ok((condition, within))
}

fn add_block(
    c: &Cursor,
    step: &mut Step,
    info: &str,
    number: usize,
    body: &[(usize, &str)],
) -> Result<(), LessonError> {
    let once = |taken: bool| {
        if taken {
            Err(c.err(number, format!("a step has at most one `{info}` block")))
        } else {
            Ok(())
        }
    };
    let meaningful: Vec<(usize, &str)> = body
        .iter()
        .copied()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    match info {
        "scenario" => step.scenario.extend(commands(c, body)?),
        "solution" => {
            once(!step.solution.is_empty())?;
            step.solution = commands(c, body)?;
            if step.solution.is_empty() {
                return Err(c.err(number, "a `solution` block needs at least one command"));
            }
        }
        "wait" => {
            once(step.wait.is_some())?;
            let [(line, text)] = meaningful.as_slice() else {
                return Err(c.err(
                    number,
                    "a `wait` block is one line: `<condition> within <duration>`",
                ));
            };
            let (condition, within) = condition_within(c, *line, text)?;
            step.wait = Some(Wait {
                condition,
                within,
                line: *line,
            });
        }
        "goal" => {
            once(step.goal.is_some())?;
            let mut rows = Vec::new();
            let mut label: Option<String> = None;
            for (line, text) in &meaningful {
                let text = text.trim();
                if let Some(l) = text.strip_prefix('#') {
                    label = Some(l.trim().to_string());
                    continue;
                }
                let lbl = label.take().ok_or_else(|| {
                    c.err(
                        *line,
                        "each goal row is a `# <label>` line followed by a condition",
                    )
                })?;
                let condition = parse_condition(&tokenize(text)).map_err(|m| c.err(*line, m))?;
                rows.push(GoalRow {
                    label: lbl,
                    condition,
                    line: *line,
                });
            }
            if label.is_some() {
                return Err(c.err(number, "the last goal label has no condition under it"));
            }
            if rows.is_empty() {
                return Err(c.err(
                    number,
                    "a `goal` block needs at least one `# <label>` and condition",
                ));
            }
            step.goal = Some(Goal { rows, line: number });
        }
        "hint" => {
            let text = body.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
            if text.trim().is_empty() {
                return Err(c.err(number, "a `hint` block is empty"));
            }
            step.hints.push(text.trim().to_string());
        }
        "predict" => {
            once(step.predict.is_some())?;
            let mut question = Vec::new();
            let mut choices = Vec::new();
            let mut answer = None;
            let mut why = None;
            for (line, text) in &meaningful {
                let t = text.trim();
                if let Some(w) = t.strip_prefix("why:") {
                    if answer.is_none() {
                        return Err(c.err(*line, "`why:` comes after `answer:`"));
                    }
                    why = Some(w.trim().to_string());
                } else if let Some(choice) = t.strip_prefix("- ") {
                    choices.push(choice.trim().to_string());
                } else if let Some(a) = t.strip_prefix("answer:") {
                    answer = Some(Answer::parse(a.trim()).map_err(|m| c.err(*line, m))?);
                } else if choices.is_empty() {
                    question.push(t);
                } else {
                    return Err(c.err(
                        *line,
                        format!("expected a choice `- …` or `answer: …`, got `{t}`"),
                    ));
                }
            }
            if question.is_empty() {
                return Err(c.err(number, "a `predict` block starts with its question"));
            }
            if choices.len() < 2 {
                return Err(c.err(
                    number,
                    "a `predict` block needs at least two choices (`- …` lines)",
                ));
            }
            let answer = answer.ok_or_else(|| {
                c.err(
                    number,
                    "a `predict` block ends with `answer: <expression>`, like `answer: leader`",
                )
            })?;
            step.predict = Some(Predict {
                question: question.join(" "),
                choices,
                answer,
                why,
                line: number,
            });
        }
        _ => unreachable!("only lesson blocks reach here"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "---\ntitle: T\nslug: t-one\npart: 1\norder: 2\nduration: 5 min\nkind: lesson\nsummary: S\n---\n";

    fn lesson(body: &str) -> Result<Lesson, LessonError> {
        parse("t.md", &format!("{HEAD}{body}"))
    }

    fn error(body: &str) -> LessonError {
        lesson(body).expect_err("the lesson should not parse")
    }

    #[test]
    fn reads_every_block_kind() {
        let l = lesson(
            "Intro *text*.\n\n## One\n\nSay `crash leader`{run}.\n\n```scenario\ncluster kraft voters=3 brokers=0 seed=7\nname leader as first\n```\n\n```predict\nWho wins?\n- 3000\n- 3001\nanswer: leader\n```\n\n```wait\nleader within 10s\n```\n\n```text\nkept as narration\n```\n\n## Two\n\n```goal\n# Another leader\nleader != first\n# Higher epoch\nepoch >= 2\n```\n\n```hint\nFirst hint.\n```\n\n```hint\nSecond hint.\n```\n\n```solution\ncrash leader\nrun until leader within 10s\n```\n",
        )
        .unwrap();
        assert_eq!(l.meta.slug, "t-one");
        assert_eq!(
            (l.meta.part, l.meta.order, l.meta.kind),
            (1, 2, Kind::Lesson)
        );
        assert_eq!(l.intro, "Intro *text*.");
        assert_eq!(l.steps.len(), 2);
        let one = &l.steps[0];
        assert_eq!(one.title, "One");
        assert_eq!(one.line, 12);
        assert_eq!(one.scenario.len(), 2);
        assert_eq!(one.scenario[0].number, 17);
        assert!(one.narration.contains("`crash leader`{run}"));
        assert!(one.narration.contains("kept as narration"));
        assert_eq!(one.wait.as_ref().unwrap().within, 10_000_000);
        let p = one.predict.as_ref().unwrap();
        assert_eq!((p.question.as_str(), p.choices.len()), ("Who wins?", 2));
        assert_eq!(p.why, None);
        let two = &l.steps[1];
        let g = two.goal.as_ref().unwrap();
        assert_eq!(g.rows[1].label, "Higher epoch");
        assert_eq!(two.hints, ["First hint.", "Second hint."]);
        assert_eq!(two.solution.len(), 2);
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let cases: &[(&str, usize, &str)] = &[
            (
                "## S\n```scenario\ncrahs leader\n```\n",
                12,
                "did you mean `crash`",
            ),
            ("## S\n```wait\nleader\n```\n", 12, "within"),
            (
                "## S\n```wait\nleader within soon\n```\n",
                12,
                "not a duration",
            ),
            (
                "## S\n```goal\nleader\n```\n```solution\nheal\n```\n",
                12,
                "`# <label>`",
            ),
            ("## S\n```goal\n# x\nleader\n```\n", 10, "no `solution`"),
            ("## S\n```solution\nheal\n```\n", 10, "no `goal`"),
            (
                "## S\n```predict\nQ?\n- a\nanswer: leader\n```\n",
                11,
                "two choices",
            ),
            ("## S\n```predict\nQ?\n- a\n- b\n```\n", 11, "answer:"),
            (
                "## S\n```predict\nQ?\n- a\n- b\nwhy: early\nanswer: leader\n```\n",
                15,
                "after `answer:`",
            ),
            (
                "## S\n```predict\nQ?\n- a\n- b\nanswer: 3 + 4\n```\n",
                15,
                "cannot read answer",
            ),
            ("## S\n```scenario\nheal\n", 11, "never closed"),
            ("```scenario\nheal\n```\n", 10, "inside a step"),
            ("Only text.\n", 0, "at least one step"),
            (
                "## S\n```wait\nleader within 1s\n```\n```wait\nleader within 1s\n```\n",
                14,
                "at most one",
            ),
        ];
        for (body, line, text) in cases {
            let e = error(body);
            assert_eq!(e.line, *line, "{body:?}: {e}");
            assert!(e.message.contains(text), "{body:?}: {e}");
            assert_eq!(e.file, "t.md");
        }
    }

    #[test]
    fn a_prediction_can_say_why() {
        let l = lesson(
            "## S\n```scenario\ncluster kraft voters=3 brokers=0 seed=7\n```\n```predict\nWho?\n- 3000\n- 3001\nanswer: leader\nwhy: the *first* timer wins\n```\n",
        )
        .unwrap();
        let p = l.steps[0].predict.as_ref().unwrap();
        assert_eq!(p.why.as_deref(), Some("the *first* timer wins"));
    }

    #[test]
    fn front_matter_is_checked() {
        let e = parse("x.md", "no front matter\n## S\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("x.md", "---\ntitle: T\nslug: s\npart: 1\norder: 1\nduration: 1 min\nkind: lesson\nsumary: S\n---\n## S\n").unwrap_err();
        assert!(e.message.contains("did you mean `summary`"), "{e}");
        assert_eq!(e.line, 8);
        let e = parse("x.md", "---\ntitle: T\nslug: Not Kebab\npart: 1\norder: 1\nduration: 1 min\nkind: lesson\nsummary: S\n---\n## S\n").unwrap_err();
        assert!(e.message.contains("kebab-case"), "{e}");
        let e = parse("x.md", "---\ntitle: T\nslug: s\npart: one\norder: 1\nduration: 1 min\nkind: lesson\nsummary: S\n---\n## S\n").unwrap_err();
        assert!(e.message.contains("whole number"), "{e}");
        let e = parse("x.md", "---\ntitle: T\nslug: s\npart: 1\norder: 1\nduration: 1 min\nkind: lesson\nsummary: S\npar: 1\n---\n## S\n").unwrap_err();
        assert!(e.message.contains("exercises"), "{e}");
        let e = parse("x.md", "---\ntitle: T\n").unwrap_err();
        assert!(e.message.contains("never closed"), "{e}");
        let e = parse("x.md", "---\ntitle: T\n---\n## S\n").unwrap_err();
        assert!(e.message.contains("no `slug`"), "{e}");
    }

    #[test]
    fn arbitrary_text_never_panics() {
        let mut rng = crate::rng::SimRng::new(3);
        let alphabet: Vec<char> = "-#`:\n abcdefgh{}|ls0123=.\u{e9}".chars().collect();
        for _ in 0..2_000 {
            let n = rng.below(300) as usize;
            let body: String = (0..n)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect();
            let _ = parse("fuzz.md", &body);
            let _ = parse("fuzz.md", &format!("{HEAD}{body}"));
        }
        assert!(parse("big.md", &"x".repeat(MAX_LESSON_BYTES + 1)).is_err());
    }
}

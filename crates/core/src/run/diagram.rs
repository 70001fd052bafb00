//! A run drawn as a space-time diagram ([`crate::tools::diagram`]), from what people hold: a
//! share link's text ([`link_diagram`], what the app's worker calls) or a scenario file
//! ([`script_diagram`], what `kraftlab run FILE --diagram svg|mermaid` calls). Both replay the
//! run deterministically with the diagram installed as an observer, up to the window's end.

use crate::limits::Limits;
use crate::scenario::ast::Command;
use crate::scenario::parse::parse_script;
use crate::scenario::session::{check_plan, temporal_conditions, Session};
use crate::scenario::share::{run_from_v2_text, MAX_TEXT_BYTES};
use crate::sim::World;
use crate::tools::diagram::{Diagram, DiagramOptions};
use crate::trace::Verbosity;
use crate::types::{format_duration, secs, Micros, SimTime};

/// How far past a link's last action its diagram goes when the window names no end: long
/// enough for the reaction to the last action (a failover takes about three seconds) to show.
pub const TAIL_AFTER_LAST_ACTION: Micros = secs(10);

/// Refuses a window that ends before it begins, or past the time a run may reach.
fn check_window(options: &DiagramOptions, to: SimTime, limits: &Limits) -> Result<(), String> {
    let from = options.window.from;
    if from > to {
        return Err(format!(
            "the window begins at {} but ends at {}: its start must come first",
            format_duration(from.0),
            format_duration(to.0)
        ));
    }
    limits
        .check_time(to)
        .map_err(|why| format!("the window's end: {why}"))
}

/// The diagram of a share link's run (its text as `scenario::share::link_text` writes it and
/// the app packs it: `# engine N`, a `cluster …` line, `at <time> <action>` lines), replayed
/// to the window's end: the window's `to`, or [`TAIL_AFTER_LAST_ACTION`] past the last action.
/// A link of another engine, a damaged or oversized text, or a window that does not fit the
/// run's limits is refused with the reason. Replaying is bounded by the run's time limit, and
/// the diagram by its own bounds; once the diagram is full the trace is no longer recorded.
pub fn link_diagram(text: &str, options: DiagramOptions) -> Result<Diagram, String> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(format!(
            "the run's text is larger than {} KiB, so it was not drawn",
            MAX_TEXT_BYTES / 1024
        ));
    }
    let run = run_from_v2_text(text.as_bytes().to_vec(), true)?;
    let last = run.actions.last().map(|(t, _)| *t).unwrap_or(SimTime::ZERO);
    let to = options.window.to.unwrap_or(last + TAIL_AFTER_LAST_ACTION);
    check_window(&options, to, &Limits::DEFAULT)?;
    let mut options = options;
    options.window.to = Some(to);
    let mut world = World::observed(run.spec, true, vec![Box::new(Diagram::new(options))]);
    // The replay goes as a share link's does (`Timeline::replay`): each action applied when
    // its time comes, one refused by the world skipped as it was when the run was made.
    for (at, action) in run.actions.iter().filter(|(at, _)| *at <= to) {
        run_to(&mut world, *at);
        let _ = world.apply(action);
    }
    run_to(&mut world, to);
    let mut diagram = world
        .observer::<Diagram>()
        .cloned()
        .ok_or("the diagram was not installed")?;
    diagram.close(world.now());
    Ok(diagram)
}

/// Runs `world` to `t` a second at a time, dropping the recorded trace as it goes (the diagram
/// has seen it), and no longer recording once the diagram can draw nothing more.
fn run_to(world: &mut World, t: SimTime) {
    while world.now() < t {
        let next = (world.now() + secs(1)).min(t);
        world.run_until(next);
        world.take_trace();
        if world.observer::<Diagram>().is_some_and(Diagram::is_settled) {
            world.set_recording(false);
        }
    }
}

/// What [`script_diagram`] drew, and how the scenario went.
#[derive(Clone, Debug)]
pub struct ScriptDiagram {
    /// The diagram of the cluster's run, as far as the scenario went.
    pub diagram: Diagram,
    /// The scenario's failure (`line N: …`), if a line failed: the diagram then shows the run
    /// up to it, which is often the picture wanted.
    pub error: Option<String>,
}

/// The diagram of a scenario file's run: its one `cluster` line starts the diagram, and every
/// line then runs as `kraftlab run` runs it (`trace` lines aside: the diagram needs the whole
/// trace). The file is checked against `limits` before it runs. A file that does not parse,
/// or that starts no cluster or more than one, is refused; a line that fails stops the run,
/// and the diagram shows it up to there ([`ScriptDiagram::error`]).
pub fn script_diagram(
    text: &str,
    limits: Limits,
    options: DiagramOptions,
) -> Result<ScriptDiagram, String> {
    let lines = parse_script(text)
        .and_then(|l| check_plan(&l, &limits).map(|_| l))
        .map_err(|e| e.to_string())?;
    let clusters: Vec<usize> = lines
        .iter()
        .filter(|l| matches!(l.command, Command::Cluster(_)))
        .map(|l| l.number)
        .collect();
    match clusters.as_slice() {
        [] => return Err("the scenario starts no cluster: nothing to draw".into()),
        [_] => {}
        more => {
            let at: Vec<String> = more.iter().map(|n| n.to_string()).collect();
            return Err(format!(
                "a diagram draws one cluster, and this scenario starts {} (lines {}): split it",
                more.len(),
                at.join(", ")
            ));
        }
    }
    if let Some(to) = options.window.to {
        check_window(&options, to, &limits)?;
    }
    let mut session = Session::with_limits(Verbosity::Elections, limits);
    session.watch(temporal_conditions(&lines));
    let mut error = None;
    for line in &lines {
        if matches!(line.command, Command::Trace(_)) {
            continue;
        }
        if let Err(e) = session.execute(line) {
            error = Some(e.to_string());
            break;
        }
        if let Some(world) = session.world_mut() {
            if world.observer::<Diagram>().is_none() {
                let diagram = Diagram::begin(world, options);
                world.add_observer(Box::new(diagram));
            }
        }
    }
    let world = session.world().ok_or_else(|| {
        error
            .clone()
            .unwrap_or_else(|| "the scenario started no cluster".into())
    })?;
    let mut diagram = world
        .observer::<Diagram>()
        .cloned()
        .ok_or("the diagram was not installed")?;
    diagram.close(world.now());
    Ok(ScriptDiagram { diagram, error })
}

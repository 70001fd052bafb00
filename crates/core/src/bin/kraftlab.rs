//! `kraftlab`: the command line of KRaft Lab's core.
//!
//! ```text
//! kraftlab run FILE [--trace off|elections|events|all] [--limits off] [--limit NAME=VALUE]
//! kraftlab run FILE --diagram svg|mermaid [--from D] [--to D] [--unfold]   a space-time diagram
//! kraftlab sweep [--seeds N] [--start S] [--secs T] [--threads K] [--seed S --scenario]
//! kraftlab bench [--hours H] [--checks]                  the core benchmark
//! kraftlab bench-metadata [--topics N] [--partitions P]  the metadata benchmark
//! kraftlab compare --fault F --partitions N [--brokers B] [--json]   ZooKeeper vs KRaft
//! kraftlab compare --sweep [--fault F] [--json]
//! kraftlab failover [--seeds N] [--prevote on|off]           the failover-time distribution
//! kraftlab lesson FILE... [--attempt STEP=FILE]          check lessons, or grade an attempt
//! ```
//!
//! This binary is the only place in the core crate that reads the wall clock, and only to
//! report how long benchmarks and sweeps took; the simulation itself never does.

use std::process::ExitCode;
use std::time::Instant;

use kraftlab_core::limits::Limits;
use kraftlab_core::run::diagram::script_diagram;
use kraftlab_core::run::swarm::{run_seed, run_spec, zk_shape, SwarmOptions};
use kraftlab_core::scenario::run_script_with_limits;
use kraftlab_core::tools::diagram::{DiagramOptions, Window};
use kraftlab_core::trace::Verbosity;
use kraftlab_core::types::{secs, SimTime};

const USAGE: &str = "\
kraftlab: KRaft Lab's simulator on the command line

USAGE:
  kraftlab run FILE [--trace off|elections|events|all] [LIMITS]
      Run a scenario file. Prints every `show` (and the trace at the chosen level);
      exits 1 naming the line of the first unmet `expect` or malformed command.
  kraftlab run FILE --diagram svg|mermaid [--from DURATION] [--to DURATION] [--unfold] [LIMITS]
      Print the run of the file's one cluster as a space-time diagram instead: a lane per
      node, every message an arrow from send to delivery (a lost one ends in a cross),
      elections, crashes and commits marked. svg: a self-contained SVG document; mermaid:
      Mermaid sequenceDiagram text. --from/--to: the window of virtual time (default: the
      whole run), e.g. --from 2s --to 6.5s. At most 400 messages are drawn; routine Fetch
      round trips that carried nothing new (and ZooKeeper pings) are folded unless --unfold.
      Still exits 1 (after printing the diagram) if a line of the file fails.
  kraftlab limits [LIMITS]
      Print the limits every run is held to (with LIMITS applied).
  LIMITS (for run, bench, bench-metadata and limits):
      --limits off            no limit at all (benchmarks that know what they ask)
      --limit NAME=VALUE      raise or lower one limit; repeatable. NAME is one of
                              partitions, records-per-command, records-per-run,
                              time-per-command, time-per-run, actions-per-run
  kraftlab sweep [--seeds N] [--start S] [--secs T] [--threads K]
      Seeded fault sweep: N seeds from S, T seconds of faults each, then healing;
      every fifth seed is a ZooKeeper-mode cluster. Exits 1 and prints a reproducing scenario for every failing seed.
  kraftlab sweep --seed S --scenario
      Print the scenario file that replays seed S.
  kraftlab sweep --zk [...]
      The same with every seed a ZooKeeper-mode cluster (ensemble, sessions, controller).
  kraftlab bench [--hours H] [--checks] [LIMITS]
      3 voters + 3 observers, a write every 100 ms, H hours of virtual time (default 1;
      beyond 24 h raise time-per-run, e.g. --limit time-per-run=48h, or --limits off).
  kraftlab bench-metadata [--topics N] [--partitions P] [LIMITS]
      3 controllers + 3 brokers create N topics of P partitions (default 1000 x 100, rf 3)
      and every node replays them; prints wall time and peak resident memory.
  kraftlab compare --fault F --partitions N [--brokers B] [--pause T] [--seed S]
                   [--zk-clients C] [--cost NAME=US ...] [--story] [--json]
      Apply one fault to a ZooKeeper-mode and to a KRaft cluster of the same shape and
      print both recoveries phase by phase, with the cost model's assumptions
      (--story: and what happened, narrated).
      F: crash-controller, crash-broker, controlled-shutdown, pause-zk, pause-controller
      (pauses last --pause, default 30s). Defaults: 3 brokers, 100000 partitions.
  kraftlab compare --sweep [--fault F] [--brokers B] [--json]
      The same for 1K, 10K, 100K, 1M and 2M partitions, as a table.
  kraftlab lesson FILE... [--attempt STEP=FILE]
      Check lesson files headless: every step runs in order, every wait is met within its
      bound, every goal is unmet when its step opens and met after its solution, every
      predict answer names one of its choices; one line per step, exit 1 naming the file
      and line of the first failure. With --attempt, run step STEP with the commands of
      ANSWER as the learner's actions and print the goal checklist, the verdict and where
      the attempt went differently from the solution (exit 1 if not solved).
  kraftlab failover [--seeds N] [--start S] [--prevote on|off]
      Crash the active controller of the default cluster (3 controllers, 3 brokers) for N
      seeds (default 200) and print how long until another controller is active: quantiles,
      a histogram and how many failovers went through a split vote.
";

fn flag<T: std::str::FromStr>(args: &[String], name: &str) -> Result<Option<T>, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => {
            let v = args
                .get(i + 1)
                .ok_or_else(|| format!("{name} needs a value"))?;
            v.parse()
                .map(Some)
                .map_err(|_| format!("{name}: cannot read `{v}`"))
        }
    }
}

/// The limits the command line asks for: the defaults, `--limits off`, then every
/// `--limit NAME=VALUE` in order.
fn limits_from(args: &[String]) -> Result<Limits, String> {
    let mut limits = Limits::DEFAULT;
    match flag::<String>(args, "--limits")?.as_deref() {
        None | Some("on") | Some("default") => {}
        Some("off") => limits = Limits::OFF,
        Some(v) => return Err(format!("--limits takes off (or on), got `{v}`")),
    }
    for (i, a) in args.iter().enumerate() {
        if a == "--limit" {
            let v = args.get(i + 1).ok_or("--limit needs NAME=VALUE")?;
            let (name, value) = v
                .split_once('=')
                .ok_or_else(|| format!("--limit: expected NAME=VALUE, got `{v}`"))?;
            limits.set(name, value)?;
        }
    }
    Ok(limits)
}

fn cmd_limits(args: &[String]) -> Result<ExitCode, String> {
    print!("{}", limits_from(args)?.describe());
    Ok(ExitCode::SUCCESS)
}

/// The two renderings of `run --diagram`.
enum DiagramFormat {
    Svg,
    Mermaid,
}

/// `--diagram svg|mermaid` with its window (`--from`, `--to`) and `--unfold`, if asked for.
fn diagram_from(args: &[String]) -> Result<Option<(DiagramFormat, DiagramOptions)>, String> {
    let format = match flag::<String>(args, "--diagram")?.as_deref() {
        None => {
            for other in ["--from", "--to", "--unfold"] {
                if args.iter().any(|a| a == other) {
                    return Err(format!("{other} goes with --diagram svg|mermaid"));
                }
            }
            return Ok(None);
        }
        Some("svg") => DiagramFormat::Svg,
        Some("mermaid") => DiagramFormat::Mermaid,
        Some(v) => return Err(format!("--diagram takes svg or mermaid, got `{v}`")),
    };
    let time = |name: &str| -> Result<Option<SimTime>, String> {
        match flag::<String>(args, name)? {
            None => Ok(None),
            Some(v) => kraftlab_core::types::parse_duration(&v)
                .map(|d| Some(SimTime(d)))
                .ok_or_else(|| {
                    format!("{name}: cannot read `{v}` as a duration (try 2s or 1500ms)")
                }),
        }
    };
    let mut options = DiagramOptions {
        fold_routine: !args.iter().any(|a| a == "--unfold"),
        ..DiagramOptions::default()
    };
    options.window = Window {
        from: time("--from")?.unwrap_or(SimTime::ZERO),
        to: time("--to")?,
    };
    if let Some(to) = options.window.to.filter(|to| *to < options.window.from) {
        return Err(format!(
            "--from must come before --to (got {} and {})",
            kraftlab_core::types::format_duration(options.window.from.0),
            kraftlab_core::types::format_duration(to.0)
        ));
    }
    Ok(Some((format, options)))
}

fn cmd_run(args: &[String]) -> Result<ExitCode, String> {
    let file = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .ok_or("run needs a FILE")?;
    let verbosity = match flag::<String>(args, "--trace")? {
        None => Verbosity::Off,
        Some(v) => Verbosity::parse(&v).ok_or_else(|| format!("--trace: unknown level `{v}`"))?,
    };
    let limits = limits_from(args)?;
    let diagram = diagram_from(args)?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    if let Some((format, options)) = diagram {
        if verbosity != Verbosity::Off {
            return Err("--diagram replaces the usual output: leave out --trace".into());
        }
        let drawn = script_diagram(&text, limits, options).map_err(|e| format!("{file}: {e}"))?;
        match format {
            DiagramFormat::Svg => print!("{}", drawn.diagram.to_svg()),
            DiagramFormat::Mermaid => print!("{}", drawn.diagram.to_mermaid()),
        }
        return Ok(match drawn.error {
            None => ExitCode::SUCCESS,
            Some(e) => {
                eprintln!("{file}:{e}");
                ExitCode::FAILURE
            }
        });
    }
    let outcome = run_script_with_limits(&text, verbosity, limits);
    print!("{}", outcome.output);
    match outcome.error {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("{file}:{e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn cmd_sweep(args: &[String]) -> Result<ExitCode, String> {
    let zk = args.iter().any(|a| a == "--zk");
    let secs_per_seed: u64 = flag(args, "--secs")?.unwrap_or(60);
    let options = SwarmOptions {
        safety: secs(secs_per_seed),
        ..SwarmOptions::default()
    };

    if let Some(seed) = flag::<u64>(args, "--seed")? {
        let report = if zk {
            run_spec(seed, zk_shape(seed), options)
        } else {
            run_seed(seed, options)
        };
        if args.iter().any(|a| a == "--scenario") {
            print!("{}", report.to_scenario());
        } else {
            println!(
                "seed {seed}: {}",
                if report.passed() { "ok" } else { "FAILED" }
            );
        }
        return Ok(if report.passed() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let count: u64 = flag(args, "--seeds")?.unwrap_or(1000);
    let start: u64 = flag(args, "--start")?.unwrap_or(0);
    let threads: u64 = flag(args, "--threads")?
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get() as u64)
                .unwrap_or(2)
        })
        .max(1);
    let began = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                let mut mix: std::collections::BTreeMap<&'static str, u64> = Default::default();
                let mut long = 0u64;
                let mut totals = [0u64; 3];
                let mut slowest = [(0, 0); 3];
                let mut seed = start + t;
                while seed < start + count {
                    let r = if zk {
                        run_spec(seed, zk_shape(seed), options)
                    } else {
                        run_seed(seed, options)
                    };
                    for (_, a) in &r.actions {
                        *mix.entry(a.op()).or_default() += 1;
                    }
                    if r.safety > options.safety {
                        long += 1;
                    }
                    totals[0] += r.stats.events;
                    totals[1] += r.stats.elections;
                    totals[2] += r.stats.truncations;
                    if let Some(c) = r.converged_after {
                        let i = if r.spec.is_zk() {
                            2
                        } else {
                            usize::from(r.spec.quorum.prevote)
                        };
                        slowest[i] = slowest[i].max((c, r.seed));
                    }
                    if !r.passed() {
                        failures.push(r);
                    }
                    seed += threads;
                }
                (failures, totals, slowest, mix, long)
            })
        })
        .collect();
    let mut failures = Vec::new();
    let mut totals = [0u64; 3];
    let mut slowest = [(0, 0); 3];
    let mut mix: std::collections::BTreeMap<&'static str, u64> = Default::default();
    let mut long = 0u64;
    for h in handles {
        let (f, e, s, m, l) = h
            .join()
            .map_err(|_| "a sweep thread panicked".to_string())?;
        failures.extend(f);
        for (op, n) in m {
            *mix.entry(op).or_default() += n;
        }
        long += l;
        for i in 0..3 {
            totals[i] += e[i];
        }
        for i in 0..3 {
            slowest[i] = slowest[i].max(s[i]);
        }
    }
    let elapsed = began.elapsed();
    failures.sort_by_key(|r| r.seed);
    for r in &failures {
        println!("seed {} FAILED", r.seed);
        for v in r.violations.iter().take(5) {
            println!("  {v}");
        }
        if r.violations.len() > 5 {
            println!("  … and {} more", r.violations.len() - 5);
        }
        if let Some(l) = &r.liveness_failure {
            println!("  liveness: {l}");
        }
        println!("  reproduce: cargo run -p kraftlab-core --release -- sweep --seed {}{} --scenario > repro.txt && cargo run -p kraftlab-core --release -- run repro.txt --trace events", r.seed, if zk { " --zk" } else { "" });
    }
    let d = kraftlab_core::types::format_duration;
    let mut slowest_text = Vec::new();
    if !zk {
        slowest_text.push(format!(
            "KRaft {} with pre-vote (seed {}), {} without (seed {})",
            d(slowest[1].0),
            slowest[1].1,
            d(slowest[0].0),
            slowest[0].1
        ));
    }
    slowest_text.push(format!(
        "ZooKeeper mode {} (seed {})",
        d(slowest[2].0),
        slowest[2].1
    ));
    println!(
        "swept {count} seeds ({start}..{}) x {secs_per_seed}s of faults on {threads} threads in {:.1}s: {} failed; {} events, {} KRaft elections, {} truncations\nslowest convergence after healing: {}",
        start + count,
        elapsed.as_secs_f64(),
        failures.len(),
        totals[0],
        totals[1],
        totals[2],
        slowest_text.join("; ")
    );
    let mix: Vec<String> = mix.iter().map(|(op, n)| format!("{op} {n}")).collect();
    println!(
        "actions applied (faults, writes, and the heal and restarts of each liveness phase): {}\nseeds with a long (4x) safety phase: {long}",
        mix.join(", ")
    );
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn cmd_bench(args: &[String]) -> Result<ExitCode, String> {
    let hours: u64 = flag(args, "--hours")?.unwrap_or(1);
    if hours == 0 || hours > 100_000 {
        return Err("--hours takes 1 to 100000".into());
    }
    let checks = args.iter().any(|a| a == "--checks");
    let limits = limits_from(args)?;
    let end = SimTime(secs(3600 * hours));
    // Refused up front, naming the limit, rather than stopping half-way.
    let raise = "raise it with --limit NAME=VALUE or --limits off";
    limits
        .check_time(end)
        .map_err(|why| format!("bench: {why}; {raise}"))?;
    let writes = hours * 36_000;
    for (name, limit) in [
        ("records-per-run", limits.records_per_run),
        ("actions-per-run", limits.actions_per_run),
    ] {
        if writes > limit {
            return Err(format!(
                "bench: {hours}h asks for {writes} writes of one record, more than the limit {name}={limit}; {raise}"
            ));
        }
    }
    let began = Instant::now();
    let r = kraftlab_core::run::bench::core_bench(hours, checks, limits);
    let elapsed = began.elapsed().as_secs_f64();
    println!(
        "bench: {hours}h of virtual time, 3 voters + 3 observers, a write every 100 ms (checks {}): {elapsed:.3}s wall, {} events, {} messages, {} writes accepted, high watermark {}, {:.0} events/s, {} violations",
        if checks { "on" } else { "off" },
        r.events,
        r.messages,
        r.accepted,
        r.high_watermark,
        r.events as f64 / elapsed,
        r.violations
    );
    Ok(if r.violations == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Peak resident memory of this process in MiB (`VmHWM`), where /proc exists.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn cmd_bench_metadata(args: &[String]) -> Result<ExitCode, String> {
    let topics: u64 = flag(args, "--topics")?.unwrap_or(1_000);
    let partitions: u64 = flag(args, "--partitions")?.unwrap_or(100);
    if topics == 0 || partitions == 0 || partitions > 100_000 || topics > 100_000 {
        return Err("--topics and --partitions take 1 to 100000".into());
    }
    let limits = limits_from(args)?;
    let began = Instant::now();
    let r =
        kraftlab_core::run::bench::metadata_bench_with(topics as usize, partitions as u32, limits)
            .map_err(|why| {
                format!("bench-metadata: {why}; raise it with --limit NAME=VALUE or --limits off")
            })?;
    let elapsed = began.elapsed().as_secs_f64();
    let rss = peak_rss_mib()
        .map(|m| format!("{m:.0} MiB"))
        .unwrap_or_else(|| "unknown".into());
    println!(
        "bench-metadata: {} partitions ({topics} topics x {partitions}, rf 3) created and replayed on 3 controllers + 3 brokers: {elapsed:.3}s wall, peak RSS {rss}, {} records, {} virtual, complete={}, images share {} topic map(s) and {} topic(s) between 6 nodes",
        r.partitions,
        r.records,
        kraftlab_core::types::format_duration(r.virtual_time.0),
        r.complete,
        r.distinct_topic_maps,
        r.distinct_topics
    );
    Ok(if r.complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn cmd_compare(args: &[String]) -> Result<ExitCode, String> {
    use kraftlab_core::run::compare::{compare, sweep_table, Fault, Shape, SWEEP};
    let pause = match flag::<String>(args, "--pause")? {
        Some(v) => kraftlab_core::types::parse_duration(&v)
            .filter(|d| *d > 0)
            .ok_or_else(|| format!("--pause: cannot read `{v}` (try 30s)"))?,
        None => secs(30),
    };
    let fault_name = flag::<String>(args, "--fault")?;
    let sweep = args.iter().any(|a| a == "--sweep");
    let json = args.iter().any(|a| a == "--json");
    let fault = match (&fault_name, sweep) {
        (Some(f), _) => Fault::parse(f, pause)?,
        (None, true) => Fault::CrashController,
        (None, false) => return Err("compare needs --fault F (or --sweep)".into()),
    };
    let mut shape = Shape::default();
    if let Some(b) = flag::<usize>(args, "--brokers")? {
        shape.brokers = b;
    }
    if let Some(p) = flag::<u64>(args, "--partitions")? {
        shape.partitions = p;
    }
    if let Some(seed) = flag::<u64>(args, "--seed")? {
        shape.seed = seed;
    }
    if let Some(c) = flag::<u64>(args, "--zk-clients")? {
        shape.zk_clients = c;
    }
    for (i, a) in args.iter().enumerate() {
        if a == "--cost" {
            let v = args.get(i + 1).ok_or("--cost needs NAME=MICROSECONDS")?;
            let (k, us) = v
                .split_once('=')
                .and_then(|(k, u)| Some((k, u.parse::<u64>().ok()?)))
                .ok_or_else(|| format!("--cost: cannot read `{v}` (try zk-read-partition=140)"))?;
            if !shape.costs.set(k, us) {
                return Err(format!(
                    "--cost: unknown cost `{k}`: expected one of {}",
                    kraftlab_core::costs::CostModel::NAMES.join(", ")
                ));
            }
        }
    }
    if sweep {
        let mut rows = Vec::new();
        for p in SWEEP {
            let shape = Shape {
                partitions: *p,
                ..shape.clone()
            };
            rows.push(compare(fault, &shape)?);
        }
        if json {
            let items: Vec<String> = rows.iter().map(|r| r.to_json()).collect();
            println!("{{\"sweep\":[{}]}}", items.join(","));
        } else {
            print!("{}", sweep_table(fault, &rows));
            println!("\nModel assumptions:");
            for a in kraftlab_core::run::compare::assumptions(&shape) {
                println!("  - {a}");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut c = compare(fault, &shape)?;
    c.show_story = args.iter().any(|a| a == "--story");
    if json {
        println!("{}", c.to_json());
    } else {
        print!("{}", c.report());
    }
    Ok(ExitCode::SUCCESS)
}

fn cmd_lesson(args: &[String]) -> Result<ExitCode, String> {
    use kraftlab_core::lesson::{check, check_attempt, parse};
    let attempt = match flag::<String>(args, "--attempt")? {
        None => None,
        Some(a) => {
            let (n, file) = a
                .split_once('=')
                .ok_or("--attempt takes STEP=FILE, like --attempt 3=answer.scenario")?;
            let n: usize = n
                .parse()
                .map_err(|_| format!("--attempt: `{n}` is not a step number"))?;
            Some((n, file.to_string()))
        }
    };
    let files: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && (*i == 0 || args[*i - 1] != "--attempt"))
        .map(|(_, a)| a)
        .collect();
    if files.is_empty() {
        return Err("lesson needs one or more lesson FILEs".into());
    }
    let mut failed = false;
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        let lesson = match parse(file, &text) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{e}");
                failed = true;
                continue;
            }
        };
        if let Some((n, answer)) = &attempt {
            let text = std::fs::read_to_string(answer)
                .map_err(|e| format!("cannot read {answer}: {e}"))?;
            let lines = kraftlab_core::scenario::parse_script(&text)
                .map_err(|e| format!("{answer}: {e}"))?;
            match check_attempt(&lesson, *n, &lines) {
                Ok(r) => {
                    println!("{file} step {n} with {answer}:");
                    for (label, holds, seen) in &r.rows {
                        println!("  [{}] {label}: {seen}", if *holds { "x" } else { " " });
                    }
                    println!("  {} action(s)", r.actions);
                    if let Some(d) = &r.divergence {
                        println!("  where it went differently: {d}");
                    }
                    if r.solved {
                        let best = lesson.meta.par.is_some_and(|p| r.actions <= p as usize);
                        println!(
                            "  solved{}",
                            if best { " (best: at or under par)" } else { "" }
                        );
                    } else {
                        println!("  not solved");
                        failed = true;
                    }
                }
                Err(e) => {
                    eprintln!("{e}");
                    failed = true;
                }
            }
            continue;
        }
        match check(&lesson) {
            Ok(steps) => {
                for s in steps {
                    println!("{file}: step {} `{}`: {}", s.number, s.title, s.summary);
                }
                println!("{file}: ok, {} step(s)", lesson.steps.len());
            }
            Err(e) => {
                eprintln!("{e}");
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn cmd_failover(args: &[String]) -> Result<ExitCode, String> {
    use kraftlab_core::run::failover::distribution;
    use kraftlab_core::types::format_duration;
    let seeds: u64 = flag(args, "--seeds")?.unwrap_or(200);
    let start: u64 = flag(args, "--start")?.unwrap_or(0);
    let prevote = match flag::<String>(args, "--prevote")?.as_deref() {
        None | Some("on") => true,
        Some("off") => false,
        Some(v) => return Err(format!("--prevote takes on or off, got `{v}`")),
    };
    let d = distribution(start, seeds, prevote);
    let q = |p: f64| format_duration(d.quantile(p));
    println!(
        "failover of the active controller, 3 controllers + 3 brokers, pre-vote {}, seeds {}..{}:",
        if prevote {
            "on (Kafka 4.x)"
        } else {
            "off (Kafka 3.9)"
        },
        start,
        start + seeds
    );
    println!(
        "  crash -> new active controller: min {}  median {}  p90 {}  p99 {}  max {}",
        q(0.0),
        q(0.5),
        q(0.9),
        q(0.99),
        q(1.0)
    );
    println!(
        "  split votes (a new leader more than one epoch up): {} of {} ({:.0}%)",
        d.split_votes(),
        d.runs.len(),
        100.0 * d.split_votes() as f64 / d.runs.len().max(1) as f64
    );
    // 0.5 s buckets; the first and the last are open-ended, so every run is counted under a
    // label that is true of it.
    let mut buckets = [0usize; 10];
    for r in &d.runs {
        let i = ((r.took / 500_000) as usize).saturating_sub(2).min(9);
        buckets[i] += 1;
    }
    println!("  histogram (0.5 s buckets):");
    for (i, n) in buckets.iter().enumerate() {
        let from = 1.0 + i as f64 * 0.5;
        let label = match i {
            0 => format!("< {:.1} s", from + 0.5),
            9 => format!(">= {from:.1} s"),
            _ => format!("{from:.1}-{:.1} s", from + 0.5),
        };
        println!(
            "    {label:>11} {:>4} {}",
            n,
            "#".repeat(*n * 60 / d.runs.len().max(1))
        );
    }
    if d.stuck > 0 {
        println!(
            "  no new active controller within 60 s: {} seed(s)",
            d.stuck
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(|s| s.as_str()) {
        Some("run") => cmd_run(&args[1..]),
        Some("sweep") => cmd_sweep(&args[1..]),
        Some("bench") => cmd_bench(&args[1..]),
        Some("bench-metadata") => cmd_bench_metadata(&args[1..]),
        Some("compare") => cmd_compare(&args[1..]),
        Some("failover") => cmd_failover(&args[1..]),
        Some("lesson") => cmd_lesson(&args[1..]),
        Some("limits") => cmd_limits(&args[1..]),
        Some("help") | Some("--help") | Some("-h") => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

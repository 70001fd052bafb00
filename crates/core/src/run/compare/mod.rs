//! The ZooKeeper-vs-KRaft comparison (CURRICULUM part III): one fault, applied to a ZooKeeper
//! -mode cluster and to a KRaft cluster of the same shape and partition count, each run in the
//! simulator from the same seed, and the recovery split into phases read off the trace.
//!
//! Phases, each `(name, start, end)` relative to the fault:
//! - **failure detected**: a ZooKeeper session expired or a ZooKeeper server went looking (ZK);
//!   a voter timed out on the leader or a broker was fenced (KRaft); the controlled shutdown
//!   request reached the controller (both);
//! - **controller elected**: `/controller` won (ZK); a new active controller (KRaft);
//! - **metadata loaded**: every partition's state read back from ZooKeeper (ZK); nothing to
//!   load, the standby already replayed the log (KRaft, zero length);
//! - **brokers updated**: every partition's state pushed to every broker (ZK); every broker
//!   fetching from the new leader (KRaft);
//! - **writes possible**: the controller accepts metadata changes again;
//! - **all partitions led**: every partition has a live leader again.
//!
//! `recovery_ms` is when the last phase ends. The cluster shape: `brokers` Kafka brokers;
//! ZooKeeper mode adds a 3-server ensemble, KRaft mode runs the first three brokers as
//! combined broker-controllers (so a crashed controller also leads a share of the partitions,
//! as in the published measurement).
//!
//! Not split: the phases, the cost model's use and the report are one pipeline read top to bottom
//! (the cost model itself is `costs.rs`, the drawing `crates/compare`).

use crate::costs::CostModel;
use crate::decimal::fixed;
use crate::kraft::Role;
use crate::server::AdminOp;
use crate::sim::{ClusterSpec, NodeStatus, UserAction, World};
use crate::trace::{Event, TraceEvent};
use crate::types::{secs, Micros, SimTime};
use crate::zk::controller::Stage;

mod report;
pub use report::{assumptions, sweep_table};

/// A fault both modes can suffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Hard crash of the controller (ZK: the broker holding `/controller`; KRaft: the active
    /// controller, a combined node).
    CrashController,
    /// Hard crash of a broker that is not the controller.
    CrashBroker,
    /// Controlled shutdown of a broker that is not the controller.
    ControlledShutdown,
    /// A ZooKeeper server (the leader) stalls for this long; in KRaft mode a controller
    /// follower stalls for as long (KRaft has no external ensemble).
    PauseZk(Micros),
    /// The controller stalls for this long.
    PauseController(Micros),
}

impl Fault {
    /// The names `compare --fault` takes.
    pub const NAMES: &'static [&'static str] = &[
        "crash-controller",
        "crash-broker",
        "controlled-shutdown",
        "pause-zk",
        "pause-controller",
    ];

    /// Parses a fault name; pauses last `pause`.
    pub fn parse(name: &str, pause: Micros) -> Result<Fault, String> {
        Ok(match name {
            "crash-controller" => Fault::CrashController,
            "crash-broker" => Fault::CrashBroker,
            "controlled-shutdown" => Fault::ControlledShutdown,
            "pause-zk" => Fault::PauseZk(pause),
            "pause-controller" => Fault::PauseController(pause),
            other => {
                return Err(format!(
                    "unknown fault `{other}`: expected one of {}",
                    Fault::NAMES.join(", ")
                ))
            }
        })
    }

    /// Its name.
    pub fn name(&self) -> String {
        match self {
            Fault::CrashController => "crash-controller".into(),
            Fault::CrashBroker => "crash-broker".into(),
            Fault::ControlledShutdown => "controlled-shutdown".into(),
            Fault::PauseZk(d) => format!("pause-zk {}", crate::types::format_duration(*d)),
            Fault::PauseController(d) => {
                format!("pause-controller {}", crate::types::format_duration(*d))
            }
        }
    }
}

/// What a comparison runs on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Kafka brokers.
    pub brokers: usize,
    /// Partitions (rf 3), all modelled.
    pub partitions: u64,
    /// Seed of both runs.
    pub seed: u64,
    /// The cost model.
    pub costs: CostModel,
    /// Other applications' sessions on each ZooKeeper server.
    pub zk_clients: u64,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            brokers: 3,
            partitions: 100_000,
            seed: 1,
            costs: CostModel::default(),
            zk_clients: 0,
        }
    }
}

/// One phase of a recovery, in ms after the fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    /// Its name.
    pub name: &'static str,
    /// Start.
    pub start_ms: u64,
    /// End.
    pub end_ms: u64,
}

/// One mode's recovery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModeResult {
    /// `zookeeper` or `kraft`.
    pub mode: &'static str,
    /// Phases, in order.
    pub phases: Vec<Phase>,
    /// When the last phase ended; `None` if it did not recover within the limit.
    pub recovery_ms: Option<u64>,
    /// What happened, in a few lines (the narrated trace's key events), each starting with
    /// its time after the fault (`+1.234 s`), the clock the phase table uses.
    pub story: Vec<String>,
}

impl ModeResult {
    /// The phase named `name`.
    pub fn phase(&self, name: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.name == name)
    }
}

/// Both modes' recoveries from one fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// The fault.
    pub fault: Fault,
    /// The shape.
    pub shape: Shape,
    /// ZooKeeper mode.
    pub zookeeper: ModeResult,
    /// KRaft mode.
    pub kraft: ModeResult,
    /// Print the narrated story with the report.
    pub show_story: bool,
}

/// How long a run may take to recover before it is called stuck.
const LIMIT: Micros = secs(3 * 3600);

/// The ZooKeeper-mode cluster of `shape`.
pub fn zk_spec(shape: &Shape) -> ClusterSpec {
    let mut spec = ClusterSpec::zookeeper(3, shape.brokers, shape.seed);
    spec.quorum.modelled_partitions = shape.partitions;
    spec.quorum.costs = shape.costs;
    spec.zk_clients = shape.zk_clients;
    spec
}

/// The KRaft cluster of `shape`.
pub fn kraft_spec(shape: &Shape) -> ClusterSpec {
    let combined = shape.brokers.clamp(1, 3);
    let mut spec = ClusterSpec::combined_mode(combined, shape.brokers - combined, shape.seed);
    spec.quorum.modelled_partitions = shape.partitions;
    spec.quorum.costs = shape.costs;
    spec
}

/// Runs the comparison.
pub fn compare(fault: Fault, shape: &Shape) -> Result<Comparison, String> {
    if shape.brokers < 3 {
        return Err("the comparison needs at least 3 brokers (replication factor 3)".into());
    }
    if shape.brokers > 50 {
        return Err("at most 50 brokers".into());
    }
    if shape.partitions > 10_000_000 {
        return Err("at most 10,000,000 partitions".into());
    }
    Ok(Comparison {
        fault,
        shape: shape.clone(),
        zookeeper: run_zk(fault, shape)?,
        kraft: run_kraft(fault, shape)?,
        show_story: false,
    })
}

fn ms_after(t: SimTime, t0: SimTime) -> u64 {
    t.since(t0) / 1_000
}

/// Builds phases from the times each was reached (in order; missing ones are skipped).
fn phases(t0: SimTime, marks: &[(&'static str, Option<SimTime>)]) -> Vec<Phase> {
    let mut out = Vec::new();
    let mut start = t0;
    for (name, at) in marks {
        if let Some(at) = at {
            let at = (*at).max(start);
            out.push(Phase {
                name,
                start_ms: ms_after(start, t0),
                end_ms: ms_after(at, t0),
            });
            start = at;
        }
    }
    out
}

/// Records the first time each named condition holds after the fault.
#[derive(Default)]
struct Marks {
    detected: Option<SimTime>,
    elected: Option<SimTime>,
    loaded: Option<SimTime>,
    updated: Option<SimTime>,
    writes: Option<SimTime>,
    led: Option<SimTime>,
    story: Vec<String>,
    /// Some partitions lost their leader (leader moves began, or a new controller came).
    lost: bool,
    /// Leader moves are under way.
    moving: bool,
}

impl Marks {
    /// The phases' end times, in order.
    fn phase_ends(&self) -> [(&'static str, Option<SimTime>); 6] {
        [
            ("failure detected", self.detected),
            ("controller elected", self.elected),
            ("metadata loaded", self.loaded),
            ("brokers updated", self.updated),
            ("writes possible", self.writes),
            ("all partitions led", self.led),
        ]
    }
}

/// Who a fault hits in one mode.
struct Targets {
    controller: crate::types::NodeId,
    other_broker: crate::types::NodeId,
    /// ZooKeeper mode: the ZooKeeper leader; KRaft: a controller follower.
    pause_zk: crate::types::NodeId,
}

fn fault_action(fault: Fault, t: &Targets) -> UserAction {
    match fault {
        Fault::CrashController => UserAction::Crash(t.controller),
        Fault::CrashBroker => UserAction::Crash(t.other_broker),
        Fault::ControlledShutdown => UserAction::Shutdown(t.other_broker),
        Fault::PauseZk(d) => UserAction::Pause(t.pause_zk, d),
        Fault::PauseController(d) => UserAction::Pause(t.controller, d),
    }
}

/// Applies the fault, then steps the world, feeding every event to `on_event` and, once the
/// failure was detected, the world after every step to `after_step`; stops 30 s after writes
/// became possible with every lost partition led again and nothing paused (or at the limit).
fn watch_recovery(
    w: &mut World,
    fault: Fault,
    targets: &Targets,
    mut on_event: impl FnMut(&TraceEvent, &mut Marks),
    mut after_step: impl FnMut(&World, &mut Marks),
) -> Result<(SimTime, Marks), String> {
    w.set_recording(true);
    w.take_trace();
    let t0 = w.now();
    w.apply(&fault_action(fault, targets))?;
    let mut m = Marks::default();
    let end = t0 + LIMIT;
    while w.now() < end {
        if !w.step() {
            break;
        }
        for e in w.take_trace() {
            if story_worthy(&e) {
                let text = e
                    .narrate()
                    .unwrap_or_else(|| format!("{} {}", e.node, e.detail()));
                let ms = ms_after(e.at, t0);
                m.story
                    .push(format!("+{}.{:03} s  {text}", ms / 1000, ms % 1000));
            }
            on_event(&e, &mut m);
        }
        if m.detected.is_none() {
            continue;
        }
        after_step(w, &mut m);
        let now = w.now();
        let paused = w
            .nodes()
            .any(|n| matches!(n.status(), NodeStatus::Paused { .. }));
        let done = m.writes.is_some() && !m.moving && (m.led.is_some() || !m.lost) && !paused;
        if done && now.since(m.writes.unwrap_or(now)) >= secs(30) {
            break;
        }
    }
    Ok((t0, m))
}

fn story_worthy(e: &TraceEvent) -> bool {
    matches!(
        e.event,
        Event::Crashed
            | Event::Paused { .. }
            | Event::Resumed
            | Event::ShutdownStarted
            | Event::Stopped
            | Event::ZkRoleChanged { .. }
            | Event::ZkReconnectStorm { .. }
            | Event::ZkControllerElected { .. }
            | Event::ZkControllerResigned { .. }
            | Event::ZkControllerPhase { .. }
            | Event::ZkBrokersChanged { .. }
            | Event::LeaderMoves { .. }
            | Event::LeaderMovesDone { .. }
            | Event::ControllerActivated { .. }
            | Event::ControllerResigned
            | Event::BrokerFenced { .. }
            | Event::ZkStaleControllerRejected { .. }
    ) || matches!(
        e.event,
        Event::ZkSession {
            what: "expired",
            ..
        }
    )
}

fn settle_zk(w: &mut World) -> Result<(), String> {
    let ok = w.run_until_cond(SimTime(LIMIT), |w| {
        zk_ready(w) && w.zk_leader().is_some() && zk_all_registered(w)
    });
    if !ok {
        return Err("the ZooKeeper-mode cluster did not settle".into());
    }
    // Let sessions, pings and metadata requests reach a steady state.
    w.run_for(secs(10));
    Ok(())
}

fn zk_all_registered(w: &World) -> bool {
    w.nodes()
        .filter_map(|n| n.zk().and_then(|p| p.broker()))
        .all(|b| b.broker_epoch().is_some())
}

/// The ZooKeeper-mode controller is idle with every partition led, and can write: its
/// session is connected and alive on the serving ZooKeeper leader.
fn zk_ready(w: &World) -> bool {
    let idle = zk_controller_state(w)
        .is_some_and(|(stage, offline)| stage == Stage::Ready && offline == 0);
    let session_alive = (|| {
        let (id, _) = w.zk_controller()?;
        let client = w.node(id)?.zk()?.broker()?.client();
        let session = client.session().filter(|_| client.connected())?;
        let leader = w.node(w.zk_leader()?)?.zk()?.server()?;
        Some(leader.sessions().contains_key(&session))
    })()
    .unwrap_or(false);
    idle && session_alive
}

fn zk_controller_state(w: &World) -> Option<(Stage, u64)> {
    let (id, _) = w.zk_controller()?;
    let c = w.node(id)?.zk()?.broker()?.controller()?;
    Some((c.stage().clone(), c.offline()))
}

fn run_zk(fault: Fault, shape: &Shape) -> Result<ModeResult, String> {
    let mut w = World::new(zk_spec(shape));
    settle_zk(&mut w)?;
    let (controller, epoch0) = w.zk_controller().ok_or("no controller")?;
    let other_broker = w
        .nodes()
        .filter(|n| n.kind == crate::sim::NodeKind::ZkBroker && n.id != controller)
        .map(|n| n.id)
        .next()
        .ok_or("no other broker")?;
    let targets = Targets {
        controller,
        other_broker,
        pause_zk: w.zk_leader().ok_or("no ZooKeeper leader")?,
    };
    let on_event = |e: &TraceEvent, m: &mut Marks| {
        let at = e.at;
        match &e.event {
            Event::ZkSession {
                what: "expired", ..
            }
            | Event::ZkRoleChanged {
                role: "looking", ..
            }
            | Event::ZkBrokersChanged { .. }
            | Event::ZkControllerResigned { .. }
            | Event::LeaderMoves { .. } => {
                m.detected.get_or_insert(at);
            }
            _ => {}
        }
        match &e.event {
            Event::ZkControllerElected { epoch } if *epoch > epoch0 => {
                m.elected = Some(at);
                m.lost = true;
                m.loaded = None;
                m.updated = None;
                m.writes = None;
                m.led = None;
            }
            Event::ZkControllerPhase { phase, .. } if m.elected.is_some() => match *phase {
                "metadata loaded" => m.loaded = Some(at),
                "brokers updated" => m.updated = Some(at),
                _ => {}
            },
            Event::LeaderMoves { .. } => m.lost = true,
            _ => {}
        }
    };
    // The controller's event queue is single-threaded: it takes writes, and has every
    // partition led, only once it is idle again.
    let after_step = |w: &World, m: &mut Marks| {
        let ready = zk_ready(w) && w.zk_leader().is_some();
        let now = w.now();
        if ready && m.writes.is_none() {
            m.writes = Some(now);
        }
        if !ready {
            m.writes = None;
        }
        if ready && m.lost && m.led.is_none() {
            m.led = Some(now);
        }
    };
    let (t0, mut m) = watch_recovery(&mut w, fault, &targets, on_event, after_step)?;
    if m.led.is_none() && m.lost {
        m.led = m.writes;
    }
    Ok(finish("zookeeper", t0, m))
}

fn finish(mode: &'static str, t0: SimTime, m: Marks) -> ModeResult {
    let marks = m.phase_ends();
    let phases = phases(t0, &marks);
    let recovered = marks
        .iter()
        .find(|(n, _)| *n == "writes possible")
        .is_some_and(|(_, t)| t.is_some());
    let recovery_ms = recovered
        .then(|| phases.iter().map(|p| p.end_ms).max())
        .flatten();
    ModeResult {
        mode,
        phases,
        recovery_ms,
        story: m.story,
    }
}

fn kraft_settled(w: &World) -> bool {
    let Some(leader) = w.active_leader() else {
        return false;
    };
    let active = w
        .node(leader)
        .and_then(|n| n.server())
        .is_some_and(|s| s.is_active_controller());
    active
        && w.nodes().filter(|n| n.kind.has_broker()).all(|n| {
            n.server()
                .and_then(|s| s.broker())
                .is_some_and(|b| b.state() == crate::server::broker::BrokerState::Running)
        })
}

fn run_kraft(fault: Fault, shape: &Shape) -> Result<ModeResult, String> {
    let mut w = World::new(kraft_spec(shape));
    if !w.run_until_cond(SimTime(LIMIT), kraft_settled) {
        return Err("the KRaft cluster did not settle".into());
    }
    w.run_for(secs(10));
    // A topic, so the controller has real records to move too.
    let _ = w.apply(&UserAction::Admin(AdminOp::CreateTopic {
        name: "orders".into(),
        partitions: 6,
        replication_factor: 3,
        configs: Vec::new(),
    }));
    w.run_for(secs(10));
    let leader = w.active_leader().ok_or("no active controller")?;
    let other = w
        .nodes()
        .filter(|n| n.kind.has_broker() && n.id != leader)
        .map(|n| n.id)
        .next()
        .ok_or("no other broker")?;
    let targets = Targets {
        controller: leader,
        other_broker: other,
        pause_zk: w.a_follower().unwrap_or(other),
    };
    let on_event = |e: &TraceEvent, m: &mut Marks| {
        let at = e.at;
        match &e.event {
            Event::Transition {
                to: Role::Prospective | Role::Candidate,
                ..
            }
            | Event::BrokerFenced { .. }
            | Event::ControllerResigned
            | Event::LeaderMoves { .. } => {
                m.detected.get_or_insert(at);
            }
            _ => {}
        }
        match &e.event {
            Event::ControllerActivated { .. } => {
                m.elected = Some(at);
                m.loaded = Some(at);
                m.updated = None;
            }
            Event::LeaderMoves { .. } => {
                m.lost = true;
                m.moving = true;
            }
            Event::LeaderMovesDone { .. } => {
                m.moving = false;
                m.led = Some(at);
            }
            _ => {}
        }
    };
    let after_step = |w: &World, m: &mut Marks| {
        let now = w.now();
        let active = w
            .active_leader()
            .and_then(|l| w.node(l))
            .and_then(|n| n.server())
            .is_some_and(|s| s.is_active_controller());
        if active && m.writes.is_none() {
            m.writes = Some(now);
        }
        if !active {
            m.writes = None;
        }
        if m.elected.is_some() && m.updated.is_none() && brokers_follow_leader(w) {
            m.updated = Some(now);
        }
    };
    let (t0, mut m) = watch_recovery(&mut w, fault, &targets, on_event, after_step)?;
    if !m.lost {
        m.led = None;
    }
    Ok(finish("kraft", t0, m))
}

/// Every live broker follows the active controller's epoch.
fn brokers_follow_leader(w: &World) -> bool {
    let Some(leader) = w.active_leader() else {
        return false;
    };
    let Some(epoch) = w.node(leader).and_then(|n| n.replica()).map(|r| r.epoch()) else {
        return false;
    };
    w.nodes()
        .filter(|n| n.kind.has_broker() && n.status() == NodeStatus::Up)
        .all(|n| {
            n.replica()
                .is_some_and(|r| r.epoch() == epoch && r.leader() == Some(leader))
        })
}

/// The partition counts of `compare --sweep`.
pub const SWEEP: &[u64] = &[1_000, 10_000, 100_000, 1_000_000, 2_000_000];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_and_refuse_unknown_names() {
        assert_eq!(Fault::parse("crash-broker", 0), Ok(Fault::CrashBroker));
        assert!(Fault::parse("explode", 0)
            .unwrap_err()
            .contains("crash-controller"));
    }

    #[test]
    fn small_shapes_are_refused() {
        let shape = Shape {
            brokers: 2,
            ..Shape::default()
        };
        assert!(compare(Fault::CrashBroker, &shape).is_err());
    }

    /// The JSON the CLI prints (`compare --json`), byte for byte as the former hand-written
    /// formatter printed it: field order, `null` for no recovery, escaped strings.
    #[test]
    fn json_is_the_same_byte_for_byte() {
        let shape = Shape {
            brokers: 4,
            partitions: 10,
            seed: 7,
            ..Shape::default()
        };
        let c = Comparison {
            fault: Fault::PauseZk(secs(2)),
            shape: shape.clone(),
            zookeeper: ModeResult {
                mode: "zookeeper",
                phases: vec![
                    Phase {
                        name: "failure detected",
                        start_ms: 0,
                        end_ms: 1500,
                    },
                    Phase {
                        name: "writes possible",
                        start_ms: 1500,
                        end_ms: 2000,
                    },
                ],
                recovery_ms: Some(2000),
                story: vec!["not in the JSON".into()],
            },
            kraft: ModeResult {
                mode: "kraft",
                phases: vec![],
                recovery_ms: None,
                story: vec![],
            },
            show_story: true,
        };
        let quoted: Vec<String> = assumptions(&shape)
            .iter()
            .map(|a| format!("\"{a}\""))
            .collect();
        assert_eq!(
            c.to_json(),
            format!(
                "{{\"fault\":\"pause-zk 2s\",\"brokers\":4,\"partitions\":10,\"seed\":7,\"zookeeper\":{{\"phases\":[{{\"name\":\"failure detected\",\"start_ms\":0,\"end_ms\":1500}},{{\"name\":\"writes possible\",\"start_ms\":1500,\"end_ms\":2000}}],\"recovery_ms\":2000}},\"kraft\":{{\"phases\":[],\"recovery_ms\":null}},\"assumptions\":[{}]}}",
                quoted.join(",")
            )
        );
        // Strings are escaped (serde_json): quotes, backslashes and newlines.
        assert_eq!(
            serde_json::to_string("a\"b\\c\n").unwrap(),
            "\"a\\\"b\\\\c\\n\""
        );
    }
}

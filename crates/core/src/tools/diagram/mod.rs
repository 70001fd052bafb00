//! A space-time (sequence) diagram of a run, or of a window of it: one lane per node
//! (controllers first, by id, then brokers; in ZooKeeper mode the ZooKeeper servers, then the
//! brokers), every message an arrow from its sender when it left to its receiver when it
//! arrived, a lost message an arrow that ends in a cross with the reason, and the story's
//! moments marked on their lanes: a node standing for election (prospective, candidate), the
//! leader elected with its epoch, crashes and restarts, and commits (the leader's high
//! watermark moving). Issue 15's "Exports": a picture of what the run did, to paste into a
//! design review or a bug report.
//!
//! [`Diagram`] is an observer of the world (`Observer`, `record.rs`): install it on a world that records
//! its trace (`World::set_recording`), from the start ([`World::observed`]) or on a running
//! world ([`Diagram::begin`]), and it keeps what falls in its [`Window`]. It then draws itself
//! as a self-contained SVG ([`Diagram::to_svg`], `svg.rs`) or as Mermaid `sequenceDiagram` text
//! ([`Diagram::to_mermaid`], `mermaid.rs`). The drivers that replay a share link or a scenario
//! file into a diagram are in `crate::run::diagram`.
//!
//! Size is bounded whatever the window: at most [`DiagramOptions::max_messages`] arrows and
//! [`MAX_MARKS`] marks are kept; past either the diagram stops and says how many messages it
//! did not draw. Routine traffic can be folded ([`DiagramOptions::fold_routine`]): a Fetch
//! round trip that carried nothing new (asked and answered exactly as the fetcher's round
//! trip before with the same replica, without records) and ZooKeeper's pings are counted, not
//! drawn. Elections, drops and everything else are always drawn.

use std::collections::BTreeMap;

use crate::flat::FlatMap;
use crate::kraft::rpc::ErrorCode;
use crate::kraft::Role;
use crate::message::MsgId;
use crate::sim::{NodeKind, World};
use crate::trace::DropReason;
use crate::types::{Epoch, Micros, NodeId, Offset, SimTime};

mod mermaid;
mod record;
mod svg;

#[cfg(test)]
mod tests;

/// Most arrows one diagram draws (the default of [`DiagramOptions::max_messages`]). The
/// default cluster sends a few dozen messages a second (every follower and broker fetches
/// about twice a second, brokers heartbeat every 2 s), so this is some ten seconds of routine
/// traffic, or a minute and more with routine round trips folded: enough for an election and
/// its aftermath, and small enough (a few hundred kilobytes of SVG) for a page to show and a
/// person to read. A longer window is cut here with a note saying to choose a shorter one.
pub const MAX_MESSAGES: usize = 400;

/// Most marks (elections, crashes, commits, …) one diagram keeps: twice the arrows, since a
/// commit or a role change comes with a message or two. Past it the diagram is cut as for
/// arrows.
pub const MAX_MARKS: usize = 2 * MAX_MESSAGES;

/// The stretch of virtual time a diagram shows: `[from, to]`, `to` open when `None` (the run
/// as far as it goes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The first instant shown; messages sent before it are not drawn.
    pub from: SimTime,
    /// The last instant shown; what happens after it is not drawn (a message still travelling
    /// then is drawn as in flight). `None`: as far as the run goes.
    pub to: Option<SimTime>,
}

impl Window {
    /// The whole run.
    pub const WHOLE: Window = Window {
        from: SimTime::ZERO,
        to: None,
    };

    /// True if `t` falls in the window.
    pub fn contains(&self, t: SimTime) -> bool {
        t >= self.from && self.to.is_none_or(|to| t <= to)
    }
}

/// What a diagram shows and how much of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiagramOptions {
    /// The window of virtual time.
    pub window: Window,
    /// Most arrows drawn; past it the diagram stops with a note ([`MAX_MESSAGES`] by default).
    pub max_messages: usize,
    /// Fold routine traffic: Fetch round trips that carried nothing new, and ZooKeeper's
    /// pings, are counted in a note instead of drawn. On by default, so that an election is
    /// not buried under fetches; never hides an election, a drop or a record replicated.
    pub fold_routine: bool,
}

impl Default for DiagramOptions {
    fn default() -> DiagramOptions {
        DiagramOptions {
            window: Window::WHOLE,
            max_messages: MAX_MESSAGES,
            fold_routine: true,
        }
    }
}

/// One node's lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// The node.
    pub id: NodeId,
    /// What it runs.
    pub kind: NodeKind,
    /// Its Mermaid participant id: letters and digits only (`C3000`, `B1`, `ZK2`).
    pub key: String,
    /// Its name for people (`controller 3000`, `broker 1`, `zookeeper zk2`).
    pub label: String,
}

impl Lane {
    fn of(id: NodeId, kind: NodeKind) -> Lane {
        let number = if id.is_zk() {
            (id.0 - NodeId::ZK_BASE).to_string()
        } else {
            id.0.to_string()
        };
        // A negative id would put a `-` in the participant id, which Mermaid reads as an arrow.
        let number = number.replace('-', "m");
        let (prefix, name) = match kind {
            NodeKind::Controller => ("C", "controller"),
            NodeKind::Combined => ("K", "combined"),
            NodeKind::Broker | NodeKind::ZkBroker => ("B", "broker"),
            NodeKind::ZooKeeper => ("ZK", "zookeeper"),
        };
        Lane {
            id,
            kind,
            key: format!("{prefix}{number}"),
            label: format!("{name} {id}"),
        }
    }

    /// A lane for an id no node of the cluster has (a misconfigured voter set can send to
    /// one): drawn after the others so that every arrow has both ends.
    fn unknown(id: NodeId) -> Lane {
        Lane {
            id,
            kind: NodeKind::Controller,
            key: format!("N{}", id.0).replace('-', "m"),
            label: format!("node {id} (not in the cluster)"),
        }
    }

    /// Lanes in drawing order: controllers (and ZooKeeper servers) by id, then brokers.
    fn order(&self) -> (u8, NodeId) {
        (
            u8::from(self.kind.has_broker() && !self.kind.has_controller()),
            self.id,
        )
    }
}

/// How a message's journey ended, as far as the diagram saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    /// Still travelling when the diagram ended.
    InFlight,
    /// Handed to its receiver at this time.
    Delivered(SimTime),
    /// Not delivered: dropped at this time, for this reason.
    Dropped(SimTime, DropReason),
}

/// Which kind of RPC a message is, for its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// Vote and PreVote.
    Vote,
    /// BeginQuorumEpoch and EndQuorumEpoch.
    Epoch,
    /// Fetch.
    Fetch,
    /// FetchSnapshot.
    Snapshot,
    /// Broker ↔ controller RPCs (registration, heartbeats, AlterPartition).
    Controller,
    /// ZooKeeper mode's messages.
    ZooKeeper,
}

/// One message drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrow {
    /// Its run-wide id.
    pub id: MsgId,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// When it left.
    pub sent: SimTime,
    /// When the network meant it to arrive.
    pub due: SimTime,
    /// How it ended.
    pub fate: Fate,
    /// Its short label, in Kafka's words (`Vote e2`, `Fetch e2 off=12`).
    pub label: String,
    /// The whole message as the trace prints it, for a tooltip.
    pub detail: String,
    /// Its colour family.
    pub family: Family,
    /// A request (drawn solid) or a response (dashed).
    pub request: bool,
    /// Order in which its fate became known (ties at one instant keep the run's order).
    seq: u64,
    /// Folded on delivery when routine traffic is folded (a ZooKeeper ping).
    fold_alone: bool,
    /// A FetchResponse that carried nothing new: folded with this Fetch once both arrived.
    fold_with: Option<MsgId>,
}

impl Arrow {
    /// When its journey ended, if it did.
    pub fn end(&self) -> Option<SimTime> {
        match self.fate {
            Fate::InFlight => None,
            Fate::Delivered(t) | Fate::Dropped(t, _) => Some(t),
        }
    }
}

/// What a mark on a lane says happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// Became the leader (or ZooKeeper leader, or controller).
    Leader,
    /// Stands for election: prospective or candidate (ZooKeeper: looking).
    Election,
    /// Another role change (follower, unattached, resigned, …).
    Role,
    /// The process crashed or stopped.
    Down,
    /// The process started again.
    Up,
    /// The process stalls.
    Paused,
    /// The stall is over.
    Resumed,
    /// The leader's high watermark moved: records committed.
    Commit,
    /// Something else worth a note (a truncation, a snapshot, a broker fenced, …).
    Note,
    /// The network changed (a partition, a heal): a mark across every lane.
    Network,
}

/// One mark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// When.
    pub at: SimTime,
    /// On which lane; `None` across every lane.
    pub node: Option<NodeId>,
    /// What kind of moment.
    pub kind: MarkKind,
    /// What it says (`leader, epoch 2`, `crashed`, `HW 12`).
    pub text: String,
    seq: u64,
}

/// A node's state as the diagram tracks it, to draw its lane and say where it stood when the
/// window opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct NodeState {
    down: bool,
    paused: bool,
    role: Option<(Role, Epoch)>,
}

/// A space-time diagram being collected (see the module doc). Install it as an observer; read
/// it with [`Diagram::to_svg`] and [`Diagram::to_mermaid`].
#[derive(Clone, Debug)]
pub struct Diagram {
    options: DiagramOptions,
    lanes: Vec<Lane>,
    arrows: BTreeMap<MsgId, Arrow>,
    marks: Vec<Mark>,
    /// Every node's state now, followed from every event (inside the window or not).
    state: FlatMap<NodeId, NodeState>,
    /// Every node's state when the window opened, once it has.
    at_from: Option<FlatMap<NodeId, NodeState>>,
    /// When the diagram stopped drawing (a bound was reached).
    cut_at: Option<SimTime>,
    /// Messages sent in the window after the cut.
    not_drawn: u64,
    /// Messages folded as routine: Fetch round trips, and ZooKeeper pings.
    folded: (u64, u64),
    seq: u64,
    /// The latest time the world was seen at, or the time [`Diagram::close`] gave.
    end: SimTime,
    /// Each fetcher's Fetch still waiting for its answer, by (fetcher, leader): its
    /// correlation id, its message id, and whether its fetch offset was that of the one before.
    pending_fetch: FlatMap<(NodeId, NodeId), (u64, MsgId, bool)>,
    /// The epoch and fetch offset of each fetcher's last Fetch to each replica it asked.
    last_fetch: FlatMap<(NodeId, NodeId), (Epoch, Offset)>,
    /// What each replica's last record-less FetchResponse to each fetcher said: epoch, leader,
    /// error and high watermark (`None` after one that carried records or news).
    last_answer: FlatMap<(NodeId, NodeId), Option<Answer>>,
}

/// What a FetchResponse without records says: epoch, leader, error, high watermark.
type Answer = (Epoch, Option<NodeId>, ErrorCode, Option<Offset>);

impl Diagram {
    /// A diagram to install on a world from its start (`World::observed(spec, true, …)`):
    /// it learns the lanes from the first step it sees.
    pub fn new(options: DiagramOptions) -> Diagram {
        Diagram {
            options,
            lanes: Vec::new(),
            arrows: BTreeMap::new(),
            marks: Vec::new(),
            state: FlatMap::new(),
            at_from: None,
            cut_at: None,
            not_drawn: 0,
            folded: (0, 0),
            seq: 0,
            end: SimTime::ZERO,
            pending_fetch: FlatMap::new(),
            last_fetch: FlatMap::new(),
            last_answer: FlatMap::new(),
        }
    }

    /// A diagram of a running world from now on (to install with `World::add_observer`, as
    /// the command line does after a scenario's `cluster` line): the lanes and each node's
    /// state are read from the world, and the messages already travelling are taken as sent.
    pub fn begin(world: &World, options: DiagramOptions) -> Diagram {
        let mut d = Diagram::new(options);
        d.learn_lanes(world);
        for env in world.network().in_flight() {
            d.on_sent(env.sent_at, env);
        }
        d.reach(world.now());
        d
    }

    /// The lanes to draw: the cluster's, then any id a kept arrow names that no node has.
    fn drawn_lanes(&self) -> Vec<Lane> {
        let mut lanes = self.lanes.clone();
        let mut extra: Vec<NodeId> = self
            .arrows
            .values()
            .flat_map(|a| [a.from, a.to])
            .filter(|id| !self.lanes.iter().any(|l| l.id == *id))
            .collect();
        extra.sort();
        extra.dedup();
        lanes.extend(extra.into_iter().map(Lane::unknown));
        lanes
    }

    /// What the diagram was asked to show.
    pub fn options(&self) -> &DiagramOptions {
        &self.options
    }

    /// The lanes, in drawing order.
    pub fn lanes(&self) -> &[Lane] {
        &self.lanes
    }

    /// The arrows kept, by message id (send order).
    pub fn arrows(&self) -> impl Iterator<Item = &Arrow> {
        self.arrows.values()
    }

    /// The marks kept, in time order.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// True once a bound stopped the diagram: it says so, and how many messages it left out.
    pub fn is_cut(&self) -> bool {
        self.cut_at.is_some()
    }

    /// Messages sent in the window after the diagram stopped drawing.
    pub fn not_drawn(&self) -> u64 {
        self.not_drawn
    }

    /// Routine messages counted instead of drawn.
    pub fn folded(&self) -> u64 {
        self.folded.0 + self.folded.1
    }

    /// True once nothing more can be drawn: cut, with every arrow kept already ended. A
    /// driver may stop recording the trace then (the diagram still counts what it leaves out).
    pub fn is_settled(&self) -> bool {
        self.is_cut() && self.arrows.values().all(|a| a.fate != Fate::InFlight)
    }

    /// Says the run went as far as `now` (the world's clock may have moved past the last
    /// event), so that the diagram ends there (or at the window's end, if sooner).
    pub fn close(&mut self, now: SimTime) {
        self.reach(now);
        self.end = self.end.max(now);
    }

    /// The last instant drawn: the window's end, the run's end, or where the diagram was cut
    /// (or the last arrow kept arrived, if later).
    pub fn end(&self) -> SimTime {
        let run_end = match self.options.window.to {
            Some(to) => self.end.min(to),
            None => self.end,
        };
        let end = match self.cut_at {
            Some(cut) => self
                .arrows
                .values()
                .filter_map(Arrow::end)
                .fold(cut, SimTime::max),
            None => run_end,
        };
        end.max(self.options.window.from)
    }

    /// Each node's role and whether it was up when the window opened.
    fn state_at_from(&self, id: NodeId) -> NodeState {
        self.at_from
            .as_ref()
            .unwrap_or(&self.state)
            .get(&id)
            .copied()
            .unwrap_or_default()
    }

    /// The words under a lane's name: where the node stood when the window opened.
    pub fn lane_state(&self, id: NodeId) -> String {
        let s = self.state_at_from(id);
        if s.down {
            return "down".into();
        }
        let mut text = match s.role {
            Some((role, epoch)) => format!("{}, epoch {epoch}", role.name()),
            None => "up".into(),
        };
        if s.paused {
            text += ", paused";
        }
        text
    }

    /// Marks and arrows in the order their moments came (an arrow at its end), for Mermaid,
    /// which draws one message per row.
    fn story(&self) -> Vec<Item<'_>> {
        let mut items: Vec<(SimTime, u64, Item<'_>)> = self
            .arrows
            .values()
            .filter_map(|a| a.end().map(|t| (t, a.seq, Item::Arrow(a))))
            .chain(self.marks.iter().map(|m| (m.at, m.seq, Item::Mark(m))))
            .collect();
        items.sort_by_key(|(t, seq, _)| (*t, *seq));
        items.into_iter().map(|(_, _, item)| item).collect()
    }

    /// Arrows still travelling at the end.
    fn in_flight(&self) -> usize {
        self.arrows
            .values()
            .filter(|a| a.fate == Fate::InFlight)
            .count()
    }

    /// The notes under a diagram: what was cut, folded or left travelling.
    fn footnotes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(cut) = self.cut_at {
            notes.push(format!(
                "… {} more messages not drawn after {}: choose a shorter window",
                self.not_drawn,
                fmt_time(cut.0)
            ));
        }
        let (fetches, pings) = self.folded;
        if fetches > 0 {
            notes.push(format!(
                "{fetches} routine messages folded: Fetch round trips that carried nothing new"
            ));
        }
        if pings > 0 {
            notes.push(format!("{pings} routine messages folded: ZooKeeper pings"));
        }
        let flying = self.in_flight();
        if flying > 0 {
            notes.push(format!("{flying} messages still in flight at the end"));
        }
        notes
    }
}

/// A mark or an arrow, in story order.
enum Item<'a> {
    Arrow(&'a Arrow),
    Mark(&'a Mark),
}

/// Virtual time for people, without floats: `0 ms`, `15.2 ms`, `250 ms`, `2.315 s`, `62 s`.
pub fn fmt_time(us: Micros) -> String {
    if us < 1_000_000 {
        let tenths = us % 1_000 / 100;
        if tenths == 0 {
            format!("{} ms", us / 1_000)
        } else {
            format!("{}.{tenths} ms", us / 1_000)
        }
    } else {
        let millis = format!("{:03}", us % 1_000_000 / 1_000);
        let millis = millis.trim_end_matches('0');
        if millis.is_empty() {
            format!("{} s", us / 1_000_000)
        } else {
            format!("{}.{millis} s", us / 1_000_000)
        }
    }
}

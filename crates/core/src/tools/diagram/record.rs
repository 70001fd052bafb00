//! How a diagram is collected: the world's [`Observer`] hooks, each message seen as it is
//! sent (recorded or not), its fate read from the trace, each node's state followed from every
//! event, and what the window holds kept as arrows and marks, within the bounds. Also the
//! short labels messages get, in Kafka's words.

use crate::kraft::rpc::{ErrorCode, RaftRpc};
use crate::kraft::Role;
use crate::message::{Envelope, MsgId, Payload};
use crate::sim::observe::{Observer, Violation};
use crate::sim::World;
use crate::trace::{DropReason, Event, TraceEvent};
use crate::types::{NodeId, SimTime};

use super::{fmt_time, Arrow, Diagram, Family, Fate, Lane, Mark, MarkKind, MAX_MARKS};

impl Diagram {
    /// Reads the lanes, and each node's state, from the world the first time it is seen.
    pub(super) fn learn_lanes(&mut self, world: &World) {
        if !self.lanes.is_empty() {
            return;
        }
        self.lanes = world.nodes().map(|n| Lane::of(n.id, n.kind)).collect();
        self.lanes.sort_by_key(Lane::order);
        for n in world.nodes() {
            let state = self.state.entry(n.id).or_default();
            state.down = !n.status().is_live();
            state.paused = matches!(n.status(), crate::sim::NodeStatus::Paused { .. });
            state.role = n.replica().map(|r| (r.role(), r.epoch()));
        }
    }

    /// Notes that time `t` has come: the window's opening state is taken the first time.
    pub(super) fn reach(&mut self, t: SimTime) {
        if self.at_from.is_none() && t >= self.options.window.from {
            self.at_from = Some(self.state.clone());
        }
        self.end = self.end.max(t);
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A message put on the network.
    pub(super) fn on_sent(&mut self, at: SimTime, env: &Envelope) {
        if !self.options.window.contains(at) || self.arrows.contains_key(&env.id) {
            return;
        }
        if self.cut_at.is_some() {
            self.not_drawn += 1;
            return;
        }
        if self.arrows.len() >= self.options.max_messages {
            self.cut_at = Some(at);
            self.not_drawn += 1;
            return;
        }
        let (label, family) = label_of(&env.payload);
        let mut arrow = Arrow {
            id: env.id,
            from: env.from,
            to: env.to,
            sent: at,
            due: env.deliver_at.max(at),
            fate: Fate::InFlight,
            label,
            detail: capped(env.payload.to_string(), 240),
            family,
            request: env.payload.is_request(),
            seq: 0,
            fold_alone: false,
            fold_with: None,
        };
        self.classify(env, &mut arrow);
        self.arrows.insert(env.id, arrow);
    }

    /// Decides whether a message is routine: a ZooKeeper ping, or a Fetch round trip that
    /// brought nothing new: the same epoch and fetch offset as the fetcher's Fetch before to
    /// the same replica, answered exactly as that one was (same epoch, leader, error and high
    /// watermark, no records, no divergence, no snapshot). An unattached voter looking for the
    /// leader, told again and again that the replica it asked is not the leader, is routine
    /// too once the diagram has shown it once. Followed whether or not folding is on.
    fn classify(&mut self, env: &Envelope, arrow: &mut Arrow) {
        let fold = self.options.fold_routine;
        match &env.payload {
            Payload::Raft(m) => match &m.rpc {
                RaftRpc::FetchRequest {
                    epoch,
                    fetch_offset,
                    ..
                } => {
                    let pair = (env.from, env.to);
                    let asked = (*epoch, *fetch_offset);
                    let same = self.last_fetch.insert(pair, asked) == Some(asked);
                    self.pending_fetch
                        .insert(pair, (m.correlation, env.id, same));
                }
                RaftRpc::FetchResponse {
                    epoch,
                    leader,
                    error,
                    high_watermark,
                    diverging_epoch,
                    snapshot_id,
                    batches,
                    ..
                } => {
                    let plain =
                        diverging_epoch.is_none() && snapshot_id.is_none() && batches.is_empty();
                    let answer = plain.then_some((*epoch, *leader, *error, *high_watermark));
                    let before = self.last_answer.insert((env.from, env.to), answer);
                    let nothing_new = answer.is_some() && before == Some(answer);
                    let pair = (env.to, env.from);
                    if let Some((correlation, request, same)) =
                        self.pending_fetch.get(&pair).copied()
                    {
                        if correlation == m.correlation {
                            self.pending_fetch.remove(&pair);
                            if fold && same && nothing_new {
                                arrow.fold_with = Some(request);
                            }
                        }
                    }
                }
                _ => {}
            },
            Payload::Zk(_) => {
                arrow.fold_alone =
                    fold && matches!(env.payload.name(), "ZkPing" | "SessionPing" | "SessionPong");
            }
            Payload::Controller(_) => {}
        }
    }

    /// A message handed to its receiver.
    fn on_delivered(&mut self, at: SimTime, id: MsgId) {
        let seq = self.next_seq();
        let Some(arrow) = self.arrows.get_mut(&id) else {
            return;
        };
        if arrow.fate != Fate::InFlight {
            return;
        }
        arrow.fate = Fate::Delivered(at);
        arrow.seq = seq;
        if arrow.fold_alone {
            self.arrows.remove(&id);
            self.folded.1 += 1;
        } else if let Some(request) = arrow.fold_with {
            let delivered = self
                .arrows
                .get(&request)
                .is_some_and(|r| matches!(r.fate, Fate::Delivered(_)));
            if delivered {
                self.arrows.remove(&request);
                self.arrows.remove(&id);
                self.folded.0 += 2;
            }
        }
    }

    /// A message the network did not deliver (or, in ZooKeeper mode, one that found its
    /// connection reset just as it arrived).
    fn on_dropped(&mut self, at: SimTime, id: MsgId, reason: DropReason) {
        let seq = self.next_seq();
        if let Some(arrow) = self.arrows.get_mut(&id) {
            arrow.fate = Fate::Dropped(at, reason);
            arrow.seq = seq;
        }
    }

    /// A process went down: messages that had reached it but waited in a stalled node's inbox
    /// die with it, unseen by the network, so they end here.
    fn on_down(&mut self, at: SimTime, node: NodeId) {
        let waiting: Vec<MsgId> = self
            .arrows
            .values()
            .filter(|a| a.to == node && a.fate == Fate::InFlight && a.due <= at)
            .map(|a| a.id)
            .collect();
        for id in waiting {
            self.on_dropped(at, id, DropReason::ReceiverDown);
        }
    }

    pub(super) fn mark(&mut self, at: SimTime, node: Option<NodeId>, kind: MarkKind, text: String) {
        if self.cut_at.is_some_and(|cut| at > cut) {
            return;
        }
        if self.marks.len() >= MAX_MARKS {
            self.cut_at.get_or_insert(at);
            return;
        }
        let seq = self.next_seq();
        self.marks.push(Mark {
            at,
            node,
            kind,
            text,
            seq,
        });
    }

    /// One trace event: follows the node's state, and draws what the window holds.
    fn on_event(&mut self, e: &TraceEvent) {
        // The window's opening state is taken before an event at its first instant, which
        // is drawn as a mark instead.
        self.reach(e.at);
        let state = self.state.entry(e.node).or_default();
        match &e.event {
            Event::Crashed | Event::Stopped | Event::StartRefused { .. } => {
                state.down = true;
                state.paused = false;
                state.role = None;
            }
            Event::Restarted => state.down = false,
            Event::Paused { .. } => state.paused = true,
            Event::Resumed => state.paused = false,
            Event::Transition { to, epoch, .. } => state.role = Some((*to, *epoch)),
            _ => {}
        }
        if !self.options.window.contains(e.at) {
            return;
        }
        let node = Some(e.node);
        let (kind, text) = match &e.event {
            Event::Sent(_) => return, // seen through `Observer::sent`, recorded or not
            Event::Delivered { id, .. } => return self.on_delivered(e.at, *id),
            Event::Dropped { id, reason, .. } => return self.on_dropped(e.at, *id, *reason),
            Event::Transition {
                to, epoch, reason, ..
            } => {
                if *reason == crate::trace::Reason::Startup && *to == Role::Unattached {
                    return; // where every node starts; the lane's header says it
                }
                let kind = match to {
                    Role::Leader => MarkKind::Leader,
                    Role::Prospective | Role::Candidate => MarkKind::Election,
                    _ => MarkKind::Role,
                };
                (kind, format!("{}, epoch {epoch} ({reason})", to.name()))
            }
            Event::Crashed => {
                self.on_down(e.at, e.node);
                (MarkKind::Down, "crashed".into())
            }
            Event::Stopped => {
                self.on_down(e.at, e.node);
                (MarkKind::Down, "stopped".into())
            }
            Event::StartRefused { .. } => (MarkKind::Down, "refused to start".into()),
            Event::ShutdownStarted => (MarkKind::Note, "graceful shutdown begins".into()),
            Event::Restarted => (MarkKind::Up, "restarted".into()),
            Event::Paused { until } => (
                MarkKind::Paused,
                format!("paused for {}", fmt_time(until.since(e.at))),
            ),
            Event::Resumed => (MarkKind::Resumed, "resumed".into()),
            Event::HighWatermark {
                hw,
                by_leader: true,
                ..
            } => (MarkKind::Commit, format!("HW {hw}")),
            Event::Truncated { to_offset, removed } => (
                MarkKind::Note,
                format!("truncated {removed} records to offset {to_offset}"),
            ),
            Event::SnapshotFetched { end_offset, .. } => (
                MarkKind::Note,
                format!("loaded the snapshot up to offset {end_offset}"),
            ),
            Event::StorageFormatted { cluster_id } => (
                MarkKind::Note,
                if cluster_id.is_some() {
                    "storage formatted"
                } else {
                    "storage deleted"
                }
                .into(),
            ),
            Event::ControllerActivated { epoch } => {
                (MarkKind::Note, format!("active controller, epoch {epoch}"))
            }
            Event::ControllerResigned => (MarkKind::Note, "no longer the active controller".into()),
            Event::BrokerFenced { broker, .. } => {
                (MarkKind::Note, format!("fenced broker {broker}"))
            }
            Event::BrokerStateChanged { state } => {
                (MarkKind::Note, format!("broker state {state}"))
            }
            Event::ZkRoleChanged { role, epoch, .. } => {
                let kind = match *role {
                    "leader" => MarkKind::Leader,
                    "looking" => MarkKind::Election,
                    _ => MarkKind::Role,
                };
                (kind, format!("{role}, epoch {epoch}"))
            }
            Event::ZkControllerElected { epoch } => (
                MarkKind::Leader,
                format!("controller, controller epoch {epoch}"),
            ),
            Event::ZkControllerResigned { epoch, .. } => (
                MarkKind::Role,
                format!("no longer controller (controller epoch {epoch})"),
            ),
            Event::Network { description } => {
                return self.mark(
                    e.at,
                    None,
                    MarkKind::Network,
                    format!("network: {description}"),
                )
            }
            _ => return,
        };
        self.mark(e.at, node, kind, text);
    }
}

impl Observer<World> for Diagram {
    fn observe(&mut self, world: &World, events: &[TraceEvent]) -> Vec<Violation> {
        self.learn_lanes(world);
        for e in events {
            self.on_event(e);
        }
        self.reach(world.now());
        Vec::new()
    }

    fn sent(&mut self, at: SimTime, env: &Envelope, _out: &mut Vec<Violation>) {
        self.on_sent(at, env);
    }
}

/// A message's short label and colour family, in Kafka's words.
fn label_of(payload: &Payload) -> (String, Family) {
    let error = |e: ErrorCode| {
        if e == ErrorCode::None {
            String::new()
        } else {
            format!(" {}", e.name())
        }
    };
    match payload {
        Payload::Raft(m) => {
            let name = m.rpc.name();
            let e = m.rpc.epoch();
            match &m.rpc {
                RaftRpc::VoteRequest { .. } => (format!("{name} e{e}"), Family::Vote),
                RaftRpc::VoteResponse {
                    granted,
                    error: err,
                    ..
                } => {
                    let answer = if *err != ErrorCode::None {
                        err.name()
                    } else if *granted {
                        "granted"
                    } else {
                        "refused"
                    };
                    (format!("{name} e{e} {answer}"), Family::Vote)
                }
                RaftRpc::BeginQuorumEpochRequest { .. } | RaftRpc::EndQuorumEpochRequest { .. } => {
                    (format!("{name} e{e}"), Family::Epoch)
                }
                RaftRpc::BeginQuorumEpochResponse { error: err, .. }
                | RaftRpc::EndQuorumEpochResponse { error: err, .. } => {
                    (format!("{name} e{e}{}", error(*err)), Family::Epoch)
                }
                RaftRpc::FetchRequest { fetch_offset, .. } => {
                    (format!("{name} e{e} off={fetch_offset}"), Family::Fetch)
                }
                RaftRpc::FetchResponse {
                    error: err,
                    high_watermark,
                    diverging_epoch,
                    snapshot_id,
                    batches,
                    ..
                } => {
                    let mut text = format!("{name} e{e}");
                    if *err != ErrorCode::None {
                        text += &error(*err);
                    } else {
                        if let Some(hw) = high_watermark {
                            text += &format!(" hw={hw}");
                        }
                        let records: usize = batches.iter().map(|b| b.len()).sum();
                        if records > 0 {
                            text += &format!(" +{records} records");
                        }
                        if diverging_epoch.is_some() {
                            text += " diverging";
                        }
                        if snapshot_id.is_some() {
                            text += " snapshot";
                        }
                    }
                    (text, Family::Fetch)
                }
                RaftRpc::FetchSnapshotRequest { .. } => (format!("{name} e{e}"), Family::Snapshot),
                RaftRpc::FetchSnapshotResponse { error: err, .. } => {
                    (format!("{name} e{e}{}", error(*err)), Family::Snapshot)
                }
            }
        }
        Payload::Controller(m) => {
            let mut text = m.rpc.name().to_string();
            if let Some(e) = m.rpc.error().filter(|e| *e != "NONE") {
                text += &format!(" {e}");
            }
            (text, Family::Controller)
        }
        Payload::Zk(m) => {
            let mut text = m.name().to_string();
            if let Some(e) = m.error() {
                text += &format!(" {e}");
            }
            (text, Family::ZooKeeper)
        }
    }
}

/// `text` cut to at most `max` bytes (on a character boundary), with `…` when cut.
fn capped(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

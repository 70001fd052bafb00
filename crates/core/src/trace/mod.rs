//! Everything observable in a run is a trace event (DESIGN.md §2 rule 3).
//!
//! The animation, the event feed, the scenario output, the invariant checkers and the golden
//! tests all read these same events. [`TraceEvent::narrate`] turns one into the plain-language
//! sentence the event feed shows; [`TraceEvent::line`] into the compact line golden files hold.

use std::fmt;

use crate::kraft::Role;
use crate::message::{Envelope, MsgId};
use crate::types::{format_duration, Epoch, Micros, NodeId, Offset, SimTime};

/// Why the network did not deliver a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DropReason {
    /// Lost by the lossy network.
    Lost,
    /// A partition cuts the link.
    Partitioned,
    /// The receiver is down.
    ReceiverDown,
    /// The user dropped it by hand.
    UserDropped,
    /// Its ZooKeeper-mode connection had lost an earlier message and was reset.
    ConnectionReset,
}

impl DropReason {
    /// Lower-case label used in traces.
    pub fn label(self) -> &'static str {
        match self {
            DropReason::Lost => "lost",
            DropReason::Partitioned => "partitioned",
            DropReason::ReceiverDown => "receiver down",
            DropReason::UserDropped => "dropped by the user",
            DropReason::ConnectionReset => "connection reset",
        }
    }
}

/// Which timer of a replica fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// The randomized election timeout (Unattached, Prospective, Candidate, Resigned).
    Election,
    /// A follower's fixed fetch timeout.
    Fetch,
    /// The leader's check-quorum timer.
    CheckQuorum,
    /// A candidate's election backoff.
    Backoff,
}

impl TimerKind {
    /// Lower-case label.
    pub fn label(self) -> &'static str {
        match self {
            TimerKind::Election => "election timeout",
            TimerKind::Fetch => "fetch timeout",
            TimerKind::CheckQuorum => "check-quorum timeout",
            TimerKind::Backoff => "election backoff",
        }
    }
}

/// Why a replica changed state; shown in the event feed and golden traces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Process start (or restart) from the persisted `quorum-state`.
    Startup,
    /// The election timer fired.
    ElectionTimeout,
    /// No successful Fetch within the fetch timeout.
    FetchTimeout,
    /// A message from `from` carried a higher epoch.
    HigherEpoch {
        /// Who sent it.
        from: NodeId,
    },
    /// A message from `from` named the leader of this epoch.
    LeaderDiscovered {
        /// Who told us.
        from: NodeId,
    },
    /// This node granted its vote to `candidate`.
    Voted {
        /// The candidate.
        candidate: NodeId,
    },
    /// A majority granted the pre-vote.
    PreVoteWon,
    /// The pre-vote was rejected by a majority or timed out.
    PreVoteLost,
    /// A majority granted the vote.
    ElectionWon,
    /// The candidacy failed; the backoff is over and the node tries again.
    BackoffOver,
    /// The leader heard from no majority within the check-quorum timeout.
    CheckQuorum,
    /// Graceful shutdown.
    Shutdown,
    /// The user pressed "time out now".
    TimeoutNow,
    /// The voter set changed and this node is no longer (or now) a voter.
    VoterSetChanged,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Startup => write!(f, "startup"),
            Reason::ElectionTimeout => write!(f, "election timeout"),
            Reason::FetchTimeout => write!(f, "fetch timeout"),
            Reason::HigherEpoch { from } => write!(f, "higher epoch from {from}"),
            Reason::LeaderDiscovered { from } => write!(f, "leader learned from {from}"),
            Reason::Voted { candidate } => write!(f, "voted for {candidate}"),
            Reason::PreVoteWon => write!(f, "pre-vote won"),
            Reason::PreVoteLost => write!(f, "pre-vote lost"),
            Reason::ElectionWon => write!(f, "election won"),
            Reason::BackoffOver => write!(f, "backoff over"),
            Reason::CheckQuorum => write!(f, "check-quorum"),
            Reason::Shutdown => write!(f, "shutdown"),
            Reason::TimeoutNow => write!(f, "timeout now"),
            Reason::VoterSetChanged => write!(f, "voter set changed"),
        }
    }
}

/// One observable step.
#[derive(Clone, Debug)]
pub enum Event {
    /// A message left its sender.
    Sent(Envelope),
    /// A message reached its receiver.
    Delivered {
        /// Message id.
        id: MsgId,
        /// Sender.
        from: NodeId,
        /// API name.
        name: &'static str,
    },
    /// The network did not deliver a message.
    Dropped {
        /// Message id.
        id: MsgId,
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// API name.
        name: &'static str,
        /// Why.
        reason: DropReason,
    },
    /// A timer fired.
    TimerExpired(TimerKind),
    /// The replica changed state.
    Transition {
        /// State before.
        from: Role,
        /// State after.
        to: Role,
        /// Epoch after the transition.
        epoch: Epoch,
        /// Why.
        reason: Reason,
    },
    /// This node answered a Vote or PreVote.
    VoteCast {
        /// The requester.
        candidate: NodeId,
        /// The request's epoch.
        epoch: Epoch,
        /// PreVote or a binding vote.
        pre_vote: bool,
        /// The answer.
        granted: bool,
        /// Why, in words.
        why: &'static str,
    },
    /// A candidate lost; it waits before trying again.
    BackingOff {
        /// How long.
        backoff: Micros,
    },
    /// A follower got EndQuorumEpoch and will start an election after `after`.
    FetchTimerOverridden {
        /// The resigning leader.
        leader: NodeId,
        /// The new timeout.
        after: Micros,
    },
    /// Records were appended to this node's log.
    Appended {
        /// First offset.
        base_offset: Offset,
        /// Number of records.
        count: u64,
        /// Epoch of the batch.
        epoch: Epoch,
        /// Appended by the leader (as opposed to copied by a fetcher).
        by_leader: bool,
    },
    /// The log was truncated after a DivergingEpoch.
    Truncated {
        /// New log end offset.
        to_offset: Offset,
        /// Records removed.
        removed: u64,
    },
    /// This node's high watermark moved.
    HighWatermark {
        /// New HW.
        hw: Offset,
        /// Moved by the leader (as opposed to learned by a follower).
        by_leader: bool,
        /// The voters the leader counted (a dynamic quorum's set changes over time); `None`
        /// for a follower learning the HW.
        voters: Option<std::sync::Arc<Vec<NodeId>>>,
    },
    /// A request got no answer in time.
    RequestTimedOut {
        /// Who did not answer.
        to: NodeId,
        /// API name.
        name: &'static str,
    },
    /// A client write reached the leader.
    WriteAccepted {
        /// Records queued.
        count: u64,
    },
    /// A client write was refused.
    WriteRejected {
        /// Why.
        why: String,
    },
    /// The process crashed (memory lost, disk kept).
    Crashed,
    /// The process started again from its disk.
    Restarted,
    /// A graceful shutdown began.
    ShutdownStarted,
    /// The process stopped after a graceful shutdown.
    Stopped,
    /// The process stalls (a long GC pause) until `until`.
    Paused {
        /// When it resumes.
        until: SimTime,
    },
    /// The stall is over.
    Resumed,
    /// The network topology or its parameters changed.
    Network {
        /// What changed, in words.
        description: String,
    },
    /// A protocol rule was about to be broken; the step was refused.
    Illegal {
        /// What was refused.
        what: String,
    },
    /// The process refused to start (a configuration or storage mistake), with Kafka's reason.
    StartRefused {
        /// The reason.
        why: String,
    },
    /// A configuration Kafka allows but that buys nothing (for example an even voter count).
    ConfigWarning {
        /// What.
        what: String,
    },
    /// This controller became the active controller of `epoch`.
    ControllerActivated {
        /// Its epoch.
        epoch: Epoch,
    },
    /// This controller is no longer active.
    ControllerResigned,
    /// An admin operation's records committed.
    AdminCompleted {
        /// What was done.
        what: String,
    },
    /// The active controller fenced a broker.
    BrokerFenced {
        /// The broker.
        broker: i32,
        /// Why.
        why: String,
    },
    /// This broker registered and got its broker epoch.
    BrokerRegistered {
        /// Its broker epoch.
        epoch: i64,
    },
    /// A ZooKeeper-mode broker created its ephemeral `/brokers/ids/N`: registered, with no
    /// fencing step (the controller learns of it through its watch).
    ZkBrokerRegistered {
        /// Its broker epoch: the znode's czxid.
        epoch: i64,
    },
    /// A quorum peer refused this node's request because their configurations disagree
    /// (reported once per peer and error, not at every retry).
    QuorumRequestRefused {
        /// The refusing peer.
        by: NodeId,
        /// Which request.
        what: &'static str,
        /// Kafka's error name.
        error: &'static str,
    },
    /// The node's storage was formatted (`kafka-storage format`) or deleted (`None`): its log,
    /// epoch and vote are gone.
    StorageFormatted {
        /// The cluster id written to `meta.properties`, if formatted.
        cluster_id: Option<String>,
    },
    /// The voter set in force on this node changed (a VotersRecord appended or truncated).
    VotersChanged {
        /// The new set.
        voters: Vec<NodeId>,
    },
    /// This node froze its metadata image as a snapshot and deleted the log it covers.
    SnapshotTaken {
        /// End offset of the snapshot.
        end_offset: Offset,
        /// Epoch of its last record.
        epoch: Epoch,
        /// The log start offset afterwards.
        log_start: Offset,
        /// How many records were deleted.
        deleted: Offset,
    },
    /// The leader answered a Fetch with a SnapshotId: this node is behind its log start.
    SnapshotNeeded {
        /// The leader.
        from: NodeId,
        /// End offset of the snapshot named.
        end_offset: Offset,
    },
    /// This node loaded the leader's snapshot with FetchSnapshot, replacing its log.
    SnapshotFetched {
        /// The leader.
        from: NodeId,
        /// End offset of the snapshot.
        end_offset: Offset,
        /// Epoch of its last record.
        epoch: Epoch,
        /// How many records of its own log it dropped.
        replaced: Offset,
    },
    /// The metadata loader replaced the image with a snapshot's (`handleLoadSnapshot`).
    SnapshotLoaded {
        /// The image's new metadata offset.
        offset: Offset,
    },
    /// The controller refused a broker request.
    BrokerRequestRefused {
        /// Which request.
        what: &'static str,
        /// Kafka's error name.
        error: &'static str,
    },
    /// This broker's lifecycle state changed.
    BrokerStateChanged {
        /// The new state (`RUNNING`, …).
        state: &'static str,
    },
    /// This broker gave up registering and stops.
    BrokerGaveUp {
        /// Why.
        why: String,
    },
    /// The user changed the node's configuration (effective at its next start).
    Configured {
        /// `key=value`.
        setting: String,
    },
    /// A ZooKeeper server changed role (`looking`, `leader-elect`, `leader`, `follower`).
    ZkRoleChanged {
        /// The new role.
        role: &'static str,
        /// Its ZooKeeper epoch.
        epoch: u32,
        /// Why.
        why: String,
    },
    /// A ZooKeeper session changed (created, expired, closed; or, on a client, established).
    ZkSession {
        /// The session id.
        session: u64,
        /// What happened.
        what: &'static str,
    },
    /// A ZooKeeper server that stopped serving dropped its modelled client connections.
    ZkClientsDisconnected {
        /// How many.
        count: u64,
    },
    /// A ZooKeeper server serves again and its modelled clients all reconnect at once.
    ZkReconnectStorm {
        /// Clients reconnecting.
        clients: u64,
        /// How many of them find their session expired before their turn comes.
        expired: u64,
        /// When the server's queue drains.
        busy_until: SimTime,
    },
    /// This broker won `/controller`: controller of `epoch`.
    ZkControllerElected {
        /// The controller epoch.
        epoch: u32,
    },
    /// This broker stopped being the controller.
    ZkControllerResigned {
        /// The epoch it had.
        epoch: u32,
        /// Why.
        why: String,
    },
    /// A step of a ZooKeeper-mode controller's failover.
    ZkControllerPhase {
        /// The controller epoch.
        epoch: u32,
        /// The phase (`loading metadata`, `metadata loaded`, `brokers updated`, …).
        phase: &'static str,
        /// Partitions concerned.
        partitions: u64,
        /// When the phase's modelled work ends, if it takes time.
        until: Option<SimTime>,
    },
    /// The ZooKeeper-mode controller saw brokers join or leave `/brokers/ids`.
    ZkBrokersChanged {
        /// New brokers.
        joined: Vec<i32>,
        /// Gone brokers.
        left: Vec<i32>,
    },
    /// A controller (either mode) started moving partition leadership.
    LeaderMoves {
        /// Partitions moved (drawn and modelled).
        partitions: u64,
        /// When the moves are done.
        until: SimTime,
        /// Why.
        why: String,
    },
    /// The moves are done.
    LeaderMovesDone {
        /// Partitions still without a leader.
        offline: u64,
    },
    /// This broker refused a request from an older controller epoch.
    ZkStaleControllerRejected {
        /// The sender.
        controller: i32,
        /// Its epoch.
        epoch: u32,
        /// The broker's current controller epoch.
        current: u32,
    },
    /// This broker applied a controller request.
    ZkControllerRequestApplied {
        /// The sender.
        controller: i32,
        /// Its epoch.
        epoch: u32,
        /// `LeaderAndIsr` or `UpdateMetadata`.
        what: &'static str,
        /// Partitions carried.
        partitions: u64,
    },
    /// This node's metadata image moved forward.
    MetadataLoaded {
        /// The image's new metadata offset.
        offset: Offset,
        /// The node's high watermark when it did.
        high_watermark: Offset,
    },
}

/// An event with its time and the node it happened on.
#[derive(Clone, Debug)]
pub struct TraceEvent {
    /// Virtual time.
    pub at: SimTime,
    /// The node (the receiver for deliveries, the sender for sends and drops).
    pub node: NodeId,
    /// What happened.
    pub event: Event,
}

/// How much of the trace a listing shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Nothing.
    Off,
    /// State changes, elections, faults, truncations (no appends, HW moves or messages).
    Elections,
    /// Plus appends, HW moves and refused writes.
    Events,
    /// Plus every message sent, delivered and dropped, and every timer.
    All,
}

impl Verbosity {
    /// Parses `off`, `elections`, `events` or `all`.
    pub fn parse(text: &str) -> Option<Verbosity> {
        match text {
            "off" | "none" => Some(Verbosity::Off),
            "elections" => Some(Verbosity::Elections),
            "events" => Some(Verbosity::Events),
            "all" | "messages" => Some(Verbosity::All),
            _ => None,
        }
    }
}

impl TraceEvent {
    /// The least verbose level at which this event is shown.
    pub fn level(&self) -> Verbosity {
        match &self.event {
            Event::Sent(_) | Event::Delivered { .. } | Event::TimerExpired(_) => Verbosity::All,
            Event::RequestTimedOut { .. } => Verbosity::All,
            Event::Dropped { reason, .. } => {
                if *reason == DropReason::UserDropped {
                    Verbosity::Elections
                } else {
                    Verbosity::All
                }
            }
            Event::Appended { .. }
            | Event::HighWatermark { .. }
            | Event::WriteAccepted { .. }
            | Event::WriteRejected { .. }
            | Event::MetadataLoaded { .. }
            | Event::BrokerRequestRefused { .. }
            | Event::ZkSession { .. }
            | Event::ZkControllerRequestApplied { .. } => Verbosity::Events,
            _ => Verbosity::Elections,
        }
    }

    /// A compact, stable one-line rendering for golden files and the CLI.
    pub fn line(&self) -> String {
        format!(
            "{:>10} {:>4} {}",
            format_ms(self.at),
            self.node,
            self.detail()
        )
    }

    fn detail(&self) -> String {
        match &self.event {
            Event::Sent(env) => {
                let fate = if env.doomed { " (will be lost)" } else { "" };
                format!("-> {} {}{fate}", env.to, env.payload)
            }
            Event::Delivered { from, name, .. } => format!("<- {from} {name}"),
            Event::Dropped {
                from,
                to,
                name,
                reason,
                ..
            } => format!("dropped {from}->{to} {name}: {}", reason.label()),
            Event::TimerExpired(t) => format!("{} fired", t.label()),
            Event::Transition {
                from,
                to,
                epoch,
                reason,
            } => format!("{from} -> {to} epoch={epoch} ({reason})"),
            Event::VoteCast {
                candidate,
                epoch,
                pre_vote,
                granted,
                why,
            } => format!(
                "{} {} to {candidate} in epoch {epoch} ({why})",
                if *granted { "grants" } else { "rejects" },
                if *pre_vote { "pre-vote" } else { "vote" },
            ),
            Event::BackingOff { backoff } => {
                format!("election lost, backing off {}", format_duration(*backoff))
            }
            Event::FetchTimerOverridden { leader, after } => format!(
                "EndQuorumEpoch from {leader}: election in {}",
                format_duration(*after)
            ),
            Event::Appended {
                base_offset,
                count,
                epoch,
                ..
            } => format!(
                "appended offsets {base_offset}..{} epoch={epoch}",
                base_offset + count
            ),
            Event::Truncated { to_offset, removed } => {
                format!("truncated {removed} record(s), log end offset now {to_offset}")
            }
            Event::HighWatermark { hw, .. } => format!("high watermark -> {hw}"),
            Event::RequestTimedOut { to, name } => format!("{name} to {to} timed out"),
            Event::WriteAccepted { count } => format!("accepted a write of {count} record(s)"),
            Event::WriteRejected { why } => format!("write rejected: {why}"),
            Event::Crashed => "crashed".into(),
            Event::Restarted => "restarted".into(),
            Event::ShutdownStarted => "graceful shutdown started".into(),
            Event::Stopped => "stopped".into(),
            Event::Paused { until } => format!("paused until {}", format_ms(*until)),
            Event::Resumed => "resumed".into(),
            Event::Network { description } => format!("network: {description}"),
            Event::Illegal { what } => format!("ILLEGAL: {what}"),
            Event::StartRefused { why } => format!("refused to start: {why}"),
            Event::ConfigWarning { what } => format!("warning: {what}"),
            Event::ControllerActivated { epoch } => format!("active controller in epoch {epoch}"),
            Event::ControllerResigned => "no longer the active controller".into(),
            Event::AdminCompleted { what } => format!("committed: {what}"),
            Event::BrokerFenced { broker, why } => format!("fenced broker {broker}: {why}"),
            Event::BrokerRegistered { epoch } | Event::ZkBrokerRegistered { epoch } => {
                format!("registered, broker epoch {epoch}")
            }
            Event::BrokerRequestRefused { what, error } => format!("{what} refused: {error}"),
            Event::QuorumRequestRefused { by, what, error } => {
                format!("{what} refused by {by}: {error}")
            }
            Event::StorageFormatted {
                cluster_id: Some(c),
            } => format!("storage formatted for cluster {c}"),
            Event::StorageFormatted { cluster_id: None } => "storage deleted".into(),
            Event::SnapshotTaken {
                end_offset,
                epoch,
                log_start,
                ..
            } => format!("snapshot {end_offset}@{epoch} taken; log start -> {log_start}"),
            Event::SnapshotFetched {
                from,
                end_offset,
                epoch,
                ..
            } => format!("fetched snapshot {end_offset}@{epoch} from {from}"),
            Event::VotersChanged { voters } => format!(
                "voters -> [{}]",
                voters
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Event::SnapshotNeeded { from, end_offset } => {
                format!("behind {from}'s log start: needs snapshot up to {end_offset}")
            }
            Event::SnapshotLoaded { offset } => {
                format!("metadata image loaded from snapshot at offset {offset}")
            }
            Event::BrokerStateChanged { state } => format!("broker state {state}"),
            Event::BrokerGaveUp { why } => format!("broker stops: {why}"),
            Event::MetadataLoaded { offset, .. } => format!("metadata image at offset {offset}"),
            Event::Configured { setting } => format!("configured {setting} (effective at restart)"),
            Event::ZkRoleChanged { role, epoch, why } => {
                format!("zookeeper {role} epoch={epoch} ({why})")
            }
            Event::ZkSession { session, what } => format!("session 0x{session:x} {what}"),
            Event::ZkClientsDisconnected { count } => {
                format!("{count} modelled client(s) disconnected")
            }
            Event::ZkReconnectStorm {
                clients,
                expired,
                busy_until,
            } => format!(
                "reconnection storm: {clients} client(s), {expired} find their session expired, busy until {}",
                format_ms(*busy_until)
            ),
            Event::ZkControllerElected { epoch } => format!("controller (controller epoch {epoch})"),
            Event::ZkControllerResigned { epoch, why } => {
                format!("resigned as controller of epoch {epoch}: {why}")
            }
            Event::ZkControllerPhase {
                epoch,
                phase,
                partitions,
                until,
            } => match until {
                Some(u) => format!(
                    "controller epoch {epoch}: {phase}, {partitions} partition(s), until {}",
                    format_ms(*u)
                ),
                None => format!("controller epoch {epoch}: {phase}, {partitions} partition(s)"),
            },
            Event::ZkBrokersChanged { joined, left } => {
                format!("brokers joined {joined:?} left {left:?}")
            }
            Event::LeaderMoves {
                partitions,
                until,
                why,
            } => format!(
                "moving leadership of {partitions} partition(s) until {} ({why})",
                format_ms(*until)
            ),
            Event::LeaderMovesDone { offline } => {
                format!("leader moves done, {offline} partition(s) without a leader")
            }
            Event::ZkStaleControllerRejected {
                controller,
                epoch,
                current,
            } => format!(
                "rejected request from controller {controller} epoch {epoch}: STALE_CONTROLLER_EPOCH (current {current})"
            ),
            Event::ZkControllerRequestApplied {
                controller,
                epoch,
                what,
                partitions,
            } => format!("applied {what} from controller {controller} epoch {epoch} ({partitions} partition(s))"),
        }
    }

    /// A plain-language sentence for the event feed, or `None` for events too small to narrate
    /// (individual messages, timers).
    pub fn narrate(&self) -> Option<String> {
        let n = self.node;
        Some(match &self.event {
            Event::Transition {
                to, epoch, reason, ..
            } => match (to, reason) {
                (Role::Prospective, Reason::FetchTimeout) => format!(
                    "{n} heard nothing from the leader for the fetch timeout and asks the voters for a pre-vote in epoch {epoch}"
                ),
                (Role::Prospective, _) => {
                    format!("{n} ({reason}) asks the voters for a pre-vote before standing in epoch {}", epoch + 1)
                }
                (Role::Candidate, Reason::FetchTimeout) => format!(
                    "{n} timed out waiting for the leader and started an election in epoch {epoch}"
                ),
                (Role::Candidate, Reason::PreVoteWon) => format!(
                    "{n} won the pre-vote and started an election in epoch {epoch}"
                ),
                (Role::Candidate, _) => {
                    format!("{n} started an election in epoch {epoch} ({reason})")
                }
                (Role::Leader, _) => format!(
                    "{n} won the election and is the active controller for epoch {epoch}"
                ),
                (Role::Follower, _) => format!("{n} follows the leader of epoch {epoch} ({reason})"),
                (Role::Resigned, Reason::CheckQuorum) => format!(
                    "{n} heard from no majority for 1.5 × the fetch timeout and resigned in epoch {epoch}"
                ),
                (Role::Resigned, Reason::Startup) => format!(
                    "{n} restarted as the former leader of epoch {epoch}: it comes back Resigned and cannot vote in that epoch"
                ),
                (Role::Resigned, _) => format!("{n} resigned as leader of epoch {epoch} ({reason})"),
                (Role::Unattached, Reason::Voted { candidate }) => {
                    format!("{n} voted for {candidate} in epoch {epoch}")
                }
                (Role::Unattached, _) => format!("{n} is unattached in epoch {epoch} ({reason})"),
            },
            Event::VoteCast {
                candidate,
                epoch,
                pre_vote,
                granted,
                why,
            } => format!(
                "{n} {} {candidate}'s {} in epoch {epoch}: {why}",
                if *granted { "granted" } else { "rejected" },
                if *pre_vote { "pre-vote" } else { "vote request" }
            ),
            Event::BackingOff { backoff } => format!(
                "{n} lost the election and backs off {} before trying again",
                format_duration(*backoff)
            ),
            Event::FetchTimerOverridden { leader, after } => format!(
                "{n} got EndQuorumEpoch from {leader} and will start an election in {}",
                format_duration(*after)
            ),
            Event::Truncated { to_offset, removed } => format!(
                "{n} found its log diverged from the leader's and truncated {removed} uncommitted record(s) back to offset {to_offset}"
            ),
            Event::HighWatermark { hw, .. } => {
                format!("{n}'s high watermark moved to {hw}: offsets below it are committed")
            }
            Event::Appended {
                base_offset,
                count,
                epoch,
                ..
            } => format!(
                "{n} appended {count} record(s) at offset {base_offset} in epoch {epoch}"
            ),
            Event::WriteAccepted { count } => {
                format!("the active controller {n} accepted {count} record(s)")
            }
            Event::WriteRejected { why } => format!("write rejected: {why}"),
            Event::Crashed => format!("{n} crashed: its memory is gone, its disk is kept"),
            Event::Restarted => format!("{n} restarted from its disk"),
            Event::ShutdownStarted => format!("{n} began a graceful shutdown"),
            Event::Stopped => format!("{n} shut down"),
            Event::Paused { until } => format!(
                "{n} stalls (like a long GC pause) until {}",
                format_ms(*until)
            ),
            Event::Resumed => format!("{n} resumed; its timers fire late"),
            Event::Network { description } => format!("network: {description}"),
            Event::Dropped {
                from,
                to,
                name,
                reason: DropReason::UserDropped,
                ..
            } => format!("you dropped a {name} from {from} to {to}"),
            Event::Illegal { what } => format!("refused an illegal step on {n}: {what}"),
            Event::StartRefused { why } => format!("{n} refused to start: {why}"),
            Event::ConfigWarning { what } => format!("{n}: warning: {what}"),
            Event::ControllerActivated { epoch } => format!(
                "{n} is now the active controller (epoch {epoch}); it already held the metadata, so it reloads nothing"
            ),
            Event::AdminCompleted { what } => format!("committed: {what}"),
            Event::BrokerFenced { broker, why } => format!("the active controller {n} fenced broker {broker}: {why}"),
            Event::BrokerRegistered { epoch } => format!("broker {n} registered (broker epoch {epoch}) and starts fenced"),
            Event::ZkBrokerRegistered { epoch } => format!(
                "broker {n} created its ephemeral /brokers/ids/{n} (broker epoch {epoch}, the znode's czxid); it lives as long as the session"
            ),
            Event::BrokerRequestRefused { what, error } => format!("broker {n}'s {what} was refused: {error}"),
            Event::StorageFormatted {
                cluster_id: Some(c),
            } => format!("{n}'s storage was formatted for cluster {c}: its log, epoch and vote are gone"),
            Event::StorageFormatted { cluster_id: None } => {
                format!("{n}'s storage was deleted: it is no longer formatted")
            }
            Event::SnapshotTaken {
                end_offset,
                deleted,
                ..
            } => format!(
                "{n} froze its metadata image as a snapshot up to offset {end_offset} and deleted {deleted} record(s) of log it no longer needs"
            ),
            Event::SnapshotFetched {
                from, end_offset, ..
            } => format!(
                "{n} was behind {from}'s log start, so it loaded {from}'s snapshot (up to offset {end_offset}) with FetchSnapshot instead of replaying the log"
            ),
            Event::SnapshotLoaded { .. }
            | Event::SnapshotNeeded { .. }
            | Event::VotersChanged { .. } => return None,
            Event::QuorumRequestRefused { by, what, error } => {
                let hint = match *error {
                    "INCONSISTENT_CLUSTER_ID" => " (the two nodes were formatted with different cluster ids)",
                    "INCONSISTENT_VOTER_SET" => " (their controller.quorum.voters disagree)",
                    _ => "",
                };
                format!("{by} refused {n}'s {what}: {error}{hint}")
            }
            Event::BrokerStateChanged { state } => format!("broker {n} is {state}"),
            Event::BrokerGaveUp { why } => format!("broker {n} stops: {why}"),
            Event::Configured { setting } => format!("{n}'s configuration now has {setting}; it takes effect when {n} restarts"),
            Event::ZkRoleChanged { role, epoch, why } => match *role {
                "looking" => format!("ZooKeeper server {n} is looking for a leader ({why}); it serves no client meanwhile"),
                "leader" => format!("ZooKeeper server {n} leads epoch {epoch} ({why}) and serves clients again"),
                "follower" => format!("ZooKeeper server {n} follows: {why}"),
                _ => format!("ZooKeeper server {n}: {role} in epoch {epoch} ({why})"),
            },
            Event::ZkSession { session, what: "expired" } => format!(
                "ZooKeeper expired session 0x{session:x}: nobody renewed it for its timeout, so its ephemeral znodes are deleted"
            ),
            Event::ZkClientsDisconnected { count } => format!(
                "{count} client(s) of ZooKeeper server {n} lost their connection and will reconnect elsewhere"
            ),
            Event::ZkReconnectStorm { clients, expired, busy_until } => format!(
                "{clients} client(s) reconnect to ZooKeeper server {n} at once; its queue is full until {}{}",
                format_ms(*busy_until),
                if *expired > 0 { format!(", and {expired} of them find their session expired") } else { String::new() }
            ),
            Event::ZkControllerElected { epoch } => format!(
                "broker {n} created /controller first: it is the controller (controller epoch {epoch}) and must now read every partition's state from ZooKeeper"
            ),
            Event::ZkControllerResigned { epoch, why } => {
                format!("broker {n} is no longer the controller of epoch {epoch}: {why}")
            }
            Event::ZkControllerPhase { phase, partitions, until, .. } => match until {
                Some(u) => format!("controller {n}: {phase} ({partitions} partitions, until {})", format_ms(*u)),
                None => format!("controller {n}: {phase} ({partitions} partitions)"),
            },
            Event::ZkBrokersChanged { joined, left } if left.is_empty() => {
                format!("controller {n} saw broker(s) {joined:?} register in /brokers/ids")
            }
            Event::ZkBrokersChanged { left, .. } => format!(
                "controller {n} saw broker(s) {left:?} leave /brokers/ids (their sessions ended)"
            ),
            Event::LeaderMoves { partitions, until, why } => format!(
                "controller {n} moves the leadership of {partitions} partition(s) ({why}); done at {}",
                format_ms(*until)
            ),
            Event::LeaderMovesDone { offline: 0 } => {
                format!("controller {n}: every partition has a live leader again")
            }
            Event::LeaderMovesDone { offline } => {
                format!("controller {n}: {offline} partition(s) have no live replica to lead them")
            }
            Event::ZkStaleControllerRejected { controller, epoch, current } => format!(
                "broker {n} refused a request from controller {controller} of epoch {epoch}: it already follows epoch {current} (STALE_CONTROLLER_EPOCH)"
            ),
            _ => return None,
        })
    }
}

/// Milliseconds with three decimals: `1234.567ms`.
pub fn format_ms(t: SimTime) -> String {
    format!("{}.{:03}ms", t.0 / 1000, t.0 % 1000)
}

impl fmt::Display for TraceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

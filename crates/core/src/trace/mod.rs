//! Everything observable in a run is a trace event (docs/architecture.md, Everything observable is
//! a trace event).
//!
//! The animation, the event feed, the scenario output, the invariant checkers and the golden
//! tests all read these same events. [`TraceEvent::narrate`] turns one into the plain-language
//! sentence the event feed shows; [`TraceEvent::line`] into the compact line golden files hold.
//!
//! - this file: the events themselves ([`Event`], [`TraceEvent`]), why they happen ([`Reason`],
//!   [`DropReason`], [`TimerKind`]), how much of them a listing shows ([`Verbosity`]) and the
//!   trace's clock ([`format_ms`]), which lines, narration and listings all print;
//! - `line.rs`: the one-line rendering (`--trace`, scenario output, golden files);
//! - `narrate.rs`: the plain-language sentence for the app's event feed.

use std::fmt;

use crate::kraft::Role;
use crate::message::{Envelope, MsgId};
use crate::types::{Epoch, Micros, NodeId, Offset, SimTime};

mod line;
mod narrate;

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
    /// The replica started as the only voter, so it stands at once instead of waiting for a
    /// timer (`KafkaRaftClient.initialize`).
    OnlyVoter,
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
            Reason::OnlyVoter => write!(f, "only voter"),
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
    /// A Kafka 4.x candidate lost (a majority refused): it waits out the rest of its random
    /// election timeout, then asks for pre-votes again.
    ElectionLost {
        /// How long it still waits.
        wait: Micros,
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
}

/// Milliseconds with three decimals: `1234.567ms`. The trace's clock: the one-line rendering,
/// the narration and the CLI listings all print virtual time this way.
pub fn format_ms(t: SimTime) -> String {
    format!("{}.{:03}ms", t.0 / 1000, t.0 % 1000)
}

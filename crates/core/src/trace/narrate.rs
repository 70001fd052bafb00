//! Plain-language narration of a trace event: the sentence the app's event feed and the
//! comparison's story show, written for someone learning KRaft rather than for a golden file.

use super::{DropReason, Event, Reason, TraceEvent};
use crate::kraft::Role;
use crate::text::List;
use crate::types::{format_duration, Micros};

/// How long something lasts from the event on, to the millisecond: narration says "for 13.7s"
/// rather than an absolute "until", so the comparison's story (which counts from the fault)
/// and the feed (which counts from the run's start) both read it right.
fn took(us: Micros) -> String {
    format_duration(us / 1_000 * 1_000)
}

impl TraceEvent {
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
                (Role::Prospective, Reason::OnlyVoter) => format!(
                    "{n} is the only voter: it stands for epoch {} at once instead of waiting for its election timer (its own pre-vote is a majority of one)",
                    epoch + 1
                ),
                (Role::Prospective, _) => {
                    format!("{n} ({reason}) asks the voters for a pre-vote before standing in epoch {}", epoch + 1)
                }
                (Role::Candidate, Reason::FetchTimeout) => format!(
                    "{n} timed out waiting for the leader and started an election in epoch {epoch}"
                ),
                (Role::Candidate, Reason::OnlyVoter) => format!(
                    "{n} is the only voter, so it started an election in epoch {epoch} at once instead of waiting for its election timer"
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
            Event::ElectionLost { wait } => format!(
                "{n} lost the election (a majority refused, or voted for another candidate of the same epoch: a split vote); it waits {} for its random election timeout before asking again, and whoever's timer fires first will likely win",
                format_duration(*wait)
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
                "{n} stalls (like a long GC pause) for {}",
                took(until.since(self.at))
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
                "{clients} client(s) reconnect to ZooKeeper server {n} at once; its queue stays full for {}{}",
                took(busy_until.since(self.at)),
                if *expired > 0 { format!(", and {expired} of them find their session expired") } else { String::new() }
            ),
            Event::ZkControllerElected { epoch } => format!(
                "broker {n} created /controller first: it is the controller (controller epoch {epoch}) and must now read every partition's state from ZooKeeper"
            ),
            Event::ZkControllerResigned { epoch, why } => {
                format!("broker {n} is no longer the controller of epoch {epoch}: {why}")
            }
            Event::ZkControllerPhase { phase, partitions, until, .. } => match until {
                Some(u) => format!("controller {n}: {phase} ({partitions} partitions, for {})", took(u.since(self.at))),
                None => format!("controller {n}: {phase} ({partitions} partitions)"),
            },
            Event::ZkBrokersChanged { joined, left } if left.is_empty() => {
                format!("controller {n} saw broker(s) {} register in /brokers/ids", List(joined))
            }
            Event::ZkBrokersChanged { left, .. } => format!(
                "controller {n} saw broker(s) {} leave /brokers/ids (their sessions ended)",
                List(left)
            ),
            Event::LeaderMoves { partitions, until, why } => format!(
                "controller {n} moves the leadership of {partitions} partition(s) ({why}); done in {}",
                took(until.since(self.at))
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

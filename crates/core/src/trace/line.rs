//! The compact one-line rendering of a trace event: what `--trace` prints, what scenario
//! output shows and what the golden files under `tests/scenarios` hold. Stable on purpose: a
//! change here changes every golden file.

use std::fmt;

use super::{format_ms, Event, TraceEvent};
use crate::text::List;
use crate::types::format_duration;

impl TraceEvent {
    /// A compact, stable one-line rendering for golden files and the CLI.
    pub fn line(&self) -> String {
        format!(
            "{:>10} {:>4} {}",
            format_ms(self.at),
            self.node,
            self.detail()
        )
    }

    /// The line without its time and node: what the comparison's story shows for an event
    /// that has no narration, after its own time since the fault.
    pub(crate) fn detail(&self) -> String {
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
            Event::ElectionLost { wait } => {
                format!("election lost, waiting {} for the election timeout", format_duration(*wait))
            }
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
                format!("brokers joined {} left {}", List(joined), List(left))
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
}

impl fmt::Display for TraceEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

//! The KRaft RPCs, with Kafka's field names (docs/fidelity.md).
//!
//! Every request carries a correlation id that its response echoes; a replica only acts on the
//! response to a request it still waits for, as Kafka's `RequestManager` does.

use std::fmt;

use super::log::{Batch, Snapshot, SnapshotId};
use crate::types::{Epoch, NodeId, Offset};
use crate::uuid::Uuid;

/// Kafka error codes that the quorum RPCs use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorCode {
    /// No error.
    None,
    /// The request's epoch is older than the receiver's.
    FencedLeaderEpoch,
    /// The request's epoch is newer than the receiver's.
    UnknownLeaderEpoch,
    /// The receiver is not the leader of the request's epoch.
    NotLeaderOrFollower,
    /// The receiver is shutting down.
    BrokerNotAvailable,
    /// The request is malformed (for example a candidate whose last epoch is not below its
    /// candidate epoch).
    InvalidRequest,
    /// The request's cluster id differs from the receiver's.
    InconsistentClusterId,
    /// FetchSnapshot asked for a snapshot the leader no longer (or never) had.
    SnapshotNotFound,
    /// A voter-only request named the receiver with another directory id: it is not the
    /// replica the sender's voter set holds (KIP-853, a reformatted disk).
    InvalidVoterKey,
}

impl ErrorCode {
    /// Kafka's spelling, as logs print it.
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::None => "NONE",
            ErrorCode::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ErrorCode::UnknownLeaderEpoch => "UNKNOWN_LEADER_EPOCH",
            ErrorCode::NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            ErrorCode::BrokerNotAvailable => "BROKER_NOT_AVAILABLE",
            ErrorCode::InvalidRequest => "INVALID_REQUEST",
            ErrorCode::InconsistentClusterId => "INCONSISTENT_CLUSTER_ID",
            ErrorCode::SnapshotNotFound => "SNAPSHOT_NOT_FOUND",
            ErrorCode::InvalidVoterKey => "INVALID_VOTER_KEY",
        }
    }
}

/// One quorum RPC, request or response.
#[derive(Clone, Debug)]
pub enum RaftRpc {
    /// `Vote` (apiKey 52). With `pre_vote` it is KIP-996's non-binding PreVote.
    VoteRequest {
        /// Candidate epoch (for a PreVote, the sender's current epoch; it is not bumped).
        epoch: Epoch,
        /// The candidate (`CandidateId` / `ReplicaId`).
        candidate: NodeId,
        /// `LastOffsetEpoch`: epoch of the candidate's last record.
        last_offset_epoch: Epoch,
        /// `LastOffset`: the candidate's log end offset.
        last_offset: Offset,
        /// `PreVote` (Vote v2).
        pre_vote: bool,
        /// `VoterDirectoryId`: the receiver's directory id as the candidate's voter set
        /// holds it ([`Uuid::ZERO`] if known by id only).
        voter_directory_id: Uuid,
    },
    /// Answer to a Vote.
    VoteResponse {
        /// The responder's epoch.
        epoch: Epoch,
        /// The leader the responder knows, if any.
        leader: Option<NodeId>,
        /// `VoteGranted`.
        granted: bool,
        /// Echo of the request's `PreVote`.
        pre_vote: bool,
        /// Error code.
        error: ErrorCode,
    },
    /// `BeginQuorumEpoch` (apiKey 53): a new leader announces itself, since pull-based
    /// replication has no heartbeat push.
    BeginQuorumEpochRequest {
        /// The leader's epoch.
        epoch: Epoch,
        /// The leader.
        leader: NodeId,
        /// `VoterDirectoryId`: the receiver's directory id as the leader's voter set holds it.
        voter_directory_id: Uuid,
    },
    /// Answer to BeginQuorumEpoch.
    BeginQuorumEpochResponse {
        /// The responder's epoch.
        epoch: Epoch,
        /// The leader the responder knows.
        leader: Option<NodeId>,
        /// Error code.
        error: ErrorCode,
    },
    /// `EndQuorumEpoch` (apiKey 54): a resigning leader asks the voters to elect a successor,
    /// ranked by replication progress.
    EndQuorumEpochRequest {
        /// The resigning leader's epoch.
        epoch: Epoch,
        /// The resigning leader.
        leader: NodeId,
        /// `PreferredSuccessors`, most caught up first.
        preferred_successors: Vec<NodeId>,
    },
    /// Answer to EndQuorumEpoch.
    EndQuorumEpochResponse {
        /// The responder's epoch.
        epoch: Epoch,
        /// The leader the responder knows.
        leader: Option<NodeId>,
        /// Error code.
        error: ErrorCode,
    },
    /// `Fetch` (apiKey 1) for `__cluster_metadata-0`: how followers and observers replicate.
    FetchRequest {
        /// `CurrentLeaderEpoch`: the fetcher's epoch.
        epoch: Epoch,
        /// `ReplicaId`: the fetcher.
        replica: NodeId,
        /// `ReplicaDirectoryId`: the fetcher's directory id, so a reformatted voter fetching
        /// is told apart from the voter it was (KIP-853).
        replica_directory_id: Uuid,
        /// `FetchOffset`: the fetcher's log end offset.
        fetch_offset: Offset,
        /// `LastFetchedEpoch`: epoch of the fetcher's last record.
        last_fetched_epoch: Epoch,
        /// `MaxWaitMs`: how long the leader may park the request (500).
        max_wait_ms: u64,
        /// `HighWatermark` (Fetch v18, KIP-1166, Kafka 4.1): the fetcher's HW, so the leader
        /// answers at once when its own is higher instead of parking the request. `None` when
        /// the field is not sent (older Kafka).
        high_watermark: Option<Offset>,
    },
    /// Answer to a Fetch.
    FetchResponse {
        /// The responder's epoch (`CurrentLeader.LeaderEpoch`).
        epoch: Epoch,
        /// `CurrentLeader.LeaderId`.
        leader: Option<NodeId>,
        /// Error code.
        error: ErrorCode,
        /// `HighWatermark`, if the leader knows it.
        high_watermark: Option<Offset>,
        /// `LogStartOffset`.
        log_start_offset: Offset,
        /// `DivergingEpoch{Epoch, EndOffset}`: truncate before fetching again.
        diverging_epoch: Option<(Epoch, Offset)>,
        /// `SnapshotId`: the fetch offset is below the log start; load this snapshot first.
        snapshot_id: Option<SnapshotId>,
        /// The records, in whole batches.
        batches: Vec<Batch>,
    },
    /// `FetchSnapshot` (apiKey 59): a fetcher behind the leader's log start asks for the
    /// snapshot a Fetch answer named.
    FetchSnapshotRequest {
        /// The fetcher's epoch.
        epoch: Epoch,
        /// The fetcher.
        replica: NodeId,
        /// `ReplicaDirectoryId`.
        replica_directory_id: Uuid,
        /// `SnapshotId` it wants.
        snapshot_id: SnapshotId,
    },
    /// Answer to FetchSnapshot: the whole snapshot (Kafka sends it in chunks).
    FetchSnapshotResponse {
        /// The responder's epoch.
        epoch: Epoch,
        /// The leader the responder knows.
        leader: Option<NodeId>,
        /// Error code.
        error: ErrorCode,
        /// The snapshot asked for.
        snapshot_id: SnapshotId,
        /// The snapshot, if found.
        snapshot: Option<Box<Snapshot>>,
    },
}

impl RaftRpc {
    /// Kafka's API name, as the UI labels a message.
    pub fn name(&self) -> &'static str {
        match self {
            RaftRpc::VoteRequest { pre_vote: true, .. } => "PreVote",
            RaftRpc::VoteRequest { .. } => "Vote",
            RaftRpc::VoteResponse { pre_vote: true, .. } => "PreVoteResponse",
            RaftRpc::VoteResponse { .. } => "VoteResponse",
            RaftRpc::BeginQuorumEpochRequest { .. } => "BeginQuorumEpoch",
            RaftRpc::BeginQuorumEpochResponse { .. } => "BeginQuorumEpochResponse",
            RaftRpc::EndQuorumEpochRequest { .. } => "EndQuorumEpoch",
            RaftRpc::EndQuorumEpochResponse { .. } => "EndQuorumEpochResponse",
            RaftRpc::FetchRequest { .. } => "Fetch",
            RaftRpc::FetchResponse { .. } => "FetchResponse",
            RaftRpc::FetchSnapshotRequest { .. } => "FetchSnapshot",
            RaftRpc::FetchSnapshotResponse { .. } => "FetchSnapshotResponse",
        }
    }

    /// True for requests, false for responses.
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            RaftRpc::VoteRequest { .. }
                | RaftRpc::BeginQuorumEpochRequest { .. }
                | RaftRpc::EndQuorumEpochRequest { .. }
                | RaftRpc::FetchRequest { .. }
                | RaftRpc::FetchSnapshotRequest { .. }
        )
    }

    /// The response that refuses this request with `error`, carrying the responder's epoch
    /// and leader (`None` for a response).
    pub fn refusal(
        &self,
        epoch: Epoch,
        leader: Option<NodeId>,
        error: ErrorCode,
    ) -> Option<RaftRpc> {
        Some(match self {
            RaftRpc::VoteRequest { pre_vote, .. } => RaftRpc::VoteResponse {
                epoch,
                leader,
                granted: false,
                pre_vote: *pre_vote,
                error,
            },
            RaftRpc::BeginQuorumEpochRequest { .. } => RaftRpc::BeginQuorumEpochResponse {
                epoch,
                leader,
                error,
            },
            RaftRpc::EndQuorumEpochRequest { .. } => RaftRpc::EndQuorumEpochResponse {
                epoch,
                leader,
                error,
            },
            RaftRpc::FetchRequest { .. } => RaftRpc::FetchResponse {
                epoch,
                leader,
                error,
                high_watermark: None,
                log_start_offset: 0,
                diverging_epoch: None,
                snapshot_id: None,
                batches: Vec::new(),
            },
            RaftRpc::FetchSnapshotRequest { snapshot_id, .. } => RaftRpc::FetchSnapshotResponse {
                epoch,
                leader,
                error,
                snapshot_id: *snapshot_id,
                snapshot: None,
            },
            _ => return None,
        })
    }

    /// True for the requests only voters exchange (Kafka's `validateVoterOnlyRequest`).
    pub fn is_voter_only(&self) -> bool {
        matches!(
            self,
            RaftRpc::VoteRequest { .. }
                | RaftRpc::BeginQuorumEpochRequest { .. }
                | RaftRpc::EndQuorumEpochRequest { .. }
        )
    }

    /// A response's error code (`None` for requests).
    pub fn error(&self) -> Option<ErrorCode> {
        match self {
            RaftRpc::VoteResponse { error, .. }
            | RaftRpc::BeginQuorumEpochResponse { error, .. }
            | RaftRpc::EndQuorumEpochResponse { error, .. }
            | RaftRpc::FetchResponse { error, .. }
            | RaftRpc::FetchSnapshotResponse { error, .. } => Some(*error),
            _ => None,
        }
    }

    /// The epoch the message carries.
    pub fn epoch(&self) -> Epoch {
        match self {
            RaftRpc::VoteRequest { epoch, .. }
            | RaftRpc::VoteResponse { epoch, .. }
            | RaftRpc::BeginQuorumEpochRequest { epoch, .. }
            | RaftRpc::BeginQuorumEpochResponse { epoch, .. }
            | RaftRpc::EndQuorumEpochRequest { epoch, .. }
            | RaftRpc::EndQuorumEpochResponse { epoch, .. }
            | RaftRpc::FetchRequest { epoch, .. }
            | RaftRpc::FetchResponse { epoch, .. }
            | RaftRpc::FetchSnapshotRequest { epoch, .. }
            | RaftRpc::FetchSnapshotResponse { epoch, .. } => *epoch,
        }
    }
}

fn opt(id: &Option<NodeId>) -> String {
    id.map(|i| i.to_string()).unwrap_or_else(|| "none".into())
}

impl fmt::Display for RaftRpc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RaftRpc::VoteRequest {
                epoch,
                candidate,
                last_offset_epoch,
                last_offset,
                pre_vote,
                ..
            } => write!(
                f,
                "{} epoch={epoch} candidate={candidate} lastOffsetEpoch={last_offset_epoch} lastOffset={last_offset}",
                if *pre_vote { "PreVote" } else { "Vote" }
            ),
            RaftRpc::VoteResponse {
                epoch,
                leader,
                granted,
                pre_vote,
                error,
            } => {
                write!(
                    f,
                    "{} epoch={epoch} leader={} granted={granted}",
                    if *pre_vote { "PreVoteResponse" } else { "VoteResponse" },
                    opt(leader)
                )?;
                if *error != ErrorCode::None {
                    write!(f, " error={}", error.name())?;
                }
                Ok(())
            }
            RaftRpc::BeginQuorumEpochRequest { epoch, leader, .. } => {
                write!(f, "BeginQuorumEpoch epoch={epoch} leader={leader}")
            }
            RaftRpc::BeginQuorumEpochResponse { epoch, leader, error }
            | RaftRpc::EndQuorumEpochResponse { epoch, leader, error } => {
                write!(f, "{} epoch={epoch} leader={}", self.name(), opt(leader))?;
                if *error != ErrorCode::None {
                    write!(f, " error={}", error.name())?;
                }
                Ok(())
            }
            RaftRpc::EndQuorumEpochRequest {
                epoch,
                leader,
                preferred_successors,
            } => write!(
                f,
                "EndQuorumEpoch epoch={epoch} leader={leader} preferredSuccessors=[{}]",
                preferred_successors
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            RaftRpc::FetchRequest {
                epoch,
                replica,
                fetch_offset,
                last_fetched_epoch,
                max_wait_ms,
                high_watermark,
                ..
            } => {
                write!(
                    f,
                    "Fetch epoch={epoch} replica={replica} fetchOffset={fetch_offset} lastFetchedEpoch={last_fetched_epoch} maxWaitMs={max_wait_ms}"
                )?;
                if let Some(hw) = high_watermark {
                    write!(f, " highWatermark={hw}")?;
                }
                Ok(())
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
                write!(f, "FetchResponse epoch={epoch} leader={}", opt(leader))?;
                if *error != ErrorCode::None {
                    return write!(f, " error={}", error.name());
                }
                match high_watermark {
                    Some(hw) => write!(f, " highWatermark={hw}")?,
                    None => write!(f, " highWatermark=none")?,
                }
                if let Some((e, o)) = diverging_epoch {
                    write!(f, " divergingEpoch={e}@{o}")?;
                }
                if let Some(s) = snapshot_id {
                    write!(f, " snapshotId={}@{}", s.end_offset, s.epoch)?;
                }
                let records: usize = batches.iter().map(|b| b.len()).sum();
                if records > 0 {
                    let first = batches[0].base_offset;
                    write!(f, " records={first}..{}", first + records as u64)?;
                }
                Ok(())
            }
            RaftRpc::FetchSnapshotRequest {
                epoch,
                replica,
                snapshot_id,
                ..
            } => write!(
                f,
                "FetchSnapshot epoch={epoch} replica={replica} snapshotId={}@{}",
                snapshot_id.end_offset, snapshot_id.epoch
            ),
            RaftRpc::FetchSnapshotResponse {
                epoch,
                leader,
                error,
                snapshot_id,
                snapshot,
            } => {
                write!(
                    f,
                    "FetchSnapshotResponse epoch={epoch} leader={} snapshotId={}@{}",
                    opt(leader),
                    snapshot_id.end_offset,
                    snapshot_id.epoch
                )?;
                if let Some(s) = snapshot {
                    write!(f, " partitions={}", s.image.partition_count)?;
                }
                if *error != ErrorCode::None {
                    write!(f, " error={}", error.name())?;
                }
                Ok(())
            }
        }
    }
}

//! The controller RPCs of the metadata layer (docs/fidelity.md, The metadata layer): brokers
//! register and heartbeat
//! to the active controller; partition leaders ask it to change ISRs.

use std::fmt;
use std::sync::Arc;

use crate::record::BrokerId;
use crate::uuid::Uuid;

/// Error codes of the controller RPCs, with Kafka's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ControllerError {
    /// No error.
    None,
    /// The receiver is not the active controller.
    NotController,
    /// Another live broker holds this id.
    DuplicateBrokerRegistration,
    /// The broker epoch is not the registered one.
    StaleBrokerEpoch,
    /// The broker is not registered.
    BrokerIdNotRegistered,
    /// The cluster id differs.
    InconsistentClusterId,
    /// The partition epoch of an AlterPartition is old.
    InvalidUpdateVersion,
    /// The leader epoch of an AlterPartition is old.
    FencedLeaderEpoch,
    /// The request asked for something invalid.
    InvalidRequest,
}

impl ControllerError {
    /// Kafka's spelling.
    pub fn name(self) -> &'static str {
        match self {
            ControllerError::None => "NONE",
            ControllerError::NotController => "NOT_CONTROLLER",
            ControllerError::DuplicateBrokerRegistration => "DUPLICATE_BROKER_REGISTRATION",
            ControllerError::StaleBrokerEpoch => "STALE_BROKER_EPOCH",
            ControllerError::BrokerIdNotRegistered => "BROKER_ID_NOT_REGISTERED",
            ControllerError::InconsistentClusterId => "INCONSISTENT_CLUSTER_ID",
            ControllerError::InvalidUpdateVersion => "INVALID_UPDATE_VERSION",
            ControllerError::FencedLeaderEpoch => "FENCED_LEADER_EPOCH",
            ControllerError::InvalidRequest => "INVALID_REQUEST",
        }
    }
}

/// One ISR change a partition leader asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IsrChange {
    /// Topic id.
    pub topic_id: Uuid,
    /// Partition id.
    pub partition: i32,
    /// The leader epoch the leader knows.
    pub leader_epoch: i32,
    /// The partition epoch the leader knows.
    pub partition_epoch: i32,
    /// The ISR it wants.
    pub new_isr: Arc<[BrokerId]>,
}

/// A controller RPC.
#[derive(Clone, Debug)]
pub enum ControllerRpc {
    /// `BrokerRegistration` (apiKey 62).
    BrokerRegistrationRequest {
        /// `BrokerId`.
        broker_id: BrokerId,
        /// `ClusterId` from the broker's meta.properties.
        cluster_id: String,
        /// `IncarnationId`: new on every process start.
        incarnation_id: Uuid,
    },
    /// Answer to BrokerRegistration.
    BrokerRegistrationResponse {
        /// Error.
        error: ControllerError,
        /// The broker epoch granted.
        broker_epoch: i64,
    },
    /// `BrokerHeartbeat` (apiKey 63).
    BrokerHeartbeatRequest {
        /// `BrokerId`.
        broker_id: BrokerId,
        /// `BrokerEpoch`.
        broker_epoch: i64,
        /// `CurrentMetadataOffset`: the offset of the last record its image applied, -1
        /// before any (`MetadataLoader.lastAppliedOffset`).
        current_metadata_offset: i64,
        /// `WantFence`.
        want_fence: bool,
        /// `WantShutDown`: asks for a controlled shutdown.
        want_shut_down: bool,
    },
    /// Answer to BrokerHeartbeat.
    BrokerHeartbeatResponse {
        /// Error.
        error: ControllerError,
        /// `IsCaughtUp`.
        is_caught_up: bool,
        /// `IsFenced`.
        is_fenced: bool,
        /// `ShouldShutDown`.
        should_shut_down: bool,
    },
    /// `AlterPartition` (apiKey 56): a partition leader changes ISRs.
    AlterPartitionRequest {
        /// The leader broker.
        broker_id: BrokerId,
        /// Its epoch.
        broker_epoch: i64,
        /// The changes.
        changes: Vec<IsrChange>,
    },
    /// Answer to AlterPartition.
    AlterPartitionResponse {
        /// Error for the whole request.
        error: ControllerError,
    },
}

impl ControllerRpc {
    /// A response's error code name, if it is not NONE.
    pub fn error(&self) -> Option<&'static str> {
        match self {
            ControllerRpc::BrokerRegistrationResponse { error, .. }
            | ControllerRpc::BrokerHeartbeatResponse { error, .. }
            | ControllerRpc::AlterPartitionResponse { error, .. }
                if *error != ControllerError::None =>
            {
                Some(error.name())
            }
            _ => None,
        }
    }

    /// Kafka's API name.
    pub fn name(&self) -> &'static str {
        match self {
            ControllerRpc::BrokerRegistrationRequest { .. } => "BrokerRegistration",
            ControllerRpc::BrokerRegistrationResponse { .. } => "BrokerRegistrationResponse",
            ControllerRpc::BrokerHeartbeatRequest { .. } => "BrokerHeartbeat",
            ControllerRpc::BrokerHeartbeatResponse { .. } => "BrokerHeartbeatResponse",
            ControllerRpc::AlterPartitionRequest { .. } => "AlterPartition",
            ControllerRpc::AlterPartitionResponse { .. } => "AlterPartitionResponse",
        }
    }

    /// True for requests.
    pub fn is_request(&self) -> bool {
        matches!(
            self,
            ControllerRpc::BrokerRegistrationRequest { .. }
                | ControllerRpc::BrokerHeartbeatRequest { .. }
                | ControllerRpc::AlterPartitionRequest { .. }
        )
    }
}

impl fmt::Display for ControllerRpc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControllerRpc::BrokerRegistrationRequest { broker_id, cluster_id, incarnation_id } => write!(
                f,
                "BrokerRegistration brokerId={broker_id} clusterId={cluster_id} incarnationId={incarnation_id}"
            ),
            ControllerRpc::BrokerRegistrationResponse { error, broker_epoch } => {
                write!(f, "BrokerRegistrationResponse brokerEpoch={broker_epoch}")?;
                if *error != ControllerError::None {
                    write!(f, " error={}", error.name())?;
                }
                Ok(())
            }
            ControllerRpc::BrokerHeartbeatRequest {
                broker_id,
                broker_epoch,
                current_metadata_offset,
                want_fence,
                want_shut_down,
            } => write!(
                f,
                "BrokerHeartbeat brokerId={broker_id} brokerEpoch={broker_epoch} currentMetadataOffset={current_metadata_offset} wantFence={want_fence} wantShutDown={want_shut_down}"
            ),
            ControllerRpc::BrokerHeartbeatResponse {
                error,
                is_caught_up,
                is_fenced,
                should_shut_down,
            } => {
                write!(
                    f,
                    "BrokerHeartbeatResponse isCaughtUp={is_caught_up} isFenced={is_fenced} shouldShutDown={should_shut_down}"
                )?;
                if *error != ControllerError::None {
                    write!(f, " error={}", error.name())?;
                }
                Ok(())
            }
            ControllerRpc::AlterPartitionRequest { broker_id, changes, .. } => {
                write!(f, "AlterPartition brokerId={broker_id} partitions={}", changes.len())
            }
            ControllerRpc::AlterPartitionResponse { error } => {
                write!(f, "AlterPartitionResponse")?;
                if *error != ControllerError::None {
                    write!(f, " error={}", error.name())?;
                }
                Ok(())
            }
        }
    }
}

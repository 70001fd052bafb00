//! Records of the `__cluster_metadata` log, with Kafka's names and key fields (KRAFT.md §3.1).
//!
//! The quorum writes control records (`LeaderChangeMessage`, `VotersRecord`); the active
//! controller writes metadata records (`RegisterBrokerRecord`, `TopicRecord`, …); the
//! scenario command `write <n>` appends opaque stand-in records. Every node — controllers and
//! brokers alike — applies committed records to its metadata image.

use std::fmt;
use std::sync::Arc;

use crate::types::{Epoch, NodeId};
use crate::uuid::Uuid;

/// A broker id in a record (Kafka's `int32`; -1 means "none", -2 "no change").
pub type BrokerId = i32;

/// Leader value meaning "no leader".
pub const NO_LEADER: BrokerId = -1;
/// Leader value in a PartitionChangeRecord meaning "unchanged".
pub const NO_LEADER_CHANGE: BrokerId = -2;

/// One record of the metadata log, named as in Kafka.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Record {
    /// Control record: the first record of a new leader's epoch. The HW cannot move until a
    /// record of the leader's own epoch commits (KRAFT.md §2.4.1).
    LeaderChange(LeaderChangeMessage),
    /// Control record: the voter set (KIP-853); effective as soon as it is appended.
    Voters(Box<VotersRecord>),
    /// An opaque record written by the scenario command `write <n>` (a stand-in for any
    /// metadata change); the number is run-wide.
    Data(u64),
    /// `NoOpRecord`: the idle active controller writes one every 500 ms to keep the HW moving.
    NoOp,
    /// `FeatureLevelRecord`: `metadata.version` and friends, written at bootstrap.
    FeatureLevel(Box<FeatureLevelRecord>),
    /// `RegisterBrokerRecord`: a broker (re)registered; the offset is its broker epoch.
    RegisterBroker(Box<RegisterBrokerRecord>),
    /// `BrokerRegistrationChangeRecord`: fenced, unfenced, controlled shutdown.
    BrokerRegistrationChange(BrokerRegistrationChangeRecord),
    /// `TopicRecord`: a topic was created.
    Topic(Box<TopicRecord>),
    /// `PartitionRecord`: a partition was created, with its replicas, ISR and leader.
    Partition(PartitionRecord),
    /// `PartitionChangeRecord`: a partition's leader or ISR changed.
    PartitionChange(PartitionChangeRecord),
    /// `ConfigRecord`: a dynamic config was set or removed.
    Config(Box<ConfigRecord>),
    /// `RemoveTopicRecord`: a topic was deleted.
    RemoveTopic(RemoveTopicRecord),
}

/// `LeaderChangeMessage{Version, LeaderId, Voters[], GrantingVoters[]}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LeaderChangeMessage {
    /// The leader that won the election.
    pub leader: NodeId,
    /// The epoch it won, carried here so that two leaders' messages never compare equal.
    pub epoch: Epoch,
    /// The voter set at the time of the election.
    pub voters: Vec<NodeId>,
    /// The voters whose votes made it leader (itself included).
    pub granting_voters: Vec<NodeId>,
}

/// `VotersRecord{Version, Voters[]{VoterId, VoterDirectoryId, Endpoints, KRaftVersionFeature}}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VotersRecord {
    /// The voters, ascending by id.
    pub voters: Vec<NodeId>,
}

/// `FeatureLevelRecord{Name, FeatureLevel}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FeatureLevelRecord {
    /// Feature name, e.g. `metadata.version`.
    pub name: String,
    /// Its level.
    pub feature_level: i16,
}

/// `RegisterBrokerRecord{BrokerId, IncarnationId, BrokerEpoch, EndPoints, Rack, Fenced,
/// InControlledShutdown}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RegisterBrokerRecord {
    /// `BrokerId`.
    pub broker_id: BrokerId,
    /// `IncarnationId`: new on every process start.
    pub incarnation_id: Uuid,
    /// `BrokerEpoch`: the offset of this record.
    pub broker_epoch: i64,
    /// `EndPoints`, as `PLAINTEXT://broker-0:9092`.
    pub endpoint: String,
    /// `Fenced`: brokers register fenced.
    pub fenced: bool,
    /// `InControlledShutdown`.
    pub in_controlled_shutdown: bool,
}

/// `BrokerRegistrationChangeRecord{BrokerId, BrokerEpoch, Fenced, InControlledShutdown}`.
/// `fenced`: 1 fence, -1 unfence, 0 unchanged; `in_controlled_shutdown`: 1 yes, 0 unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BrokerRegistrationChangeRecord {
    /// `BrokerId`.
    pub broker_id: BrokerId,
    /// `BrokerEpoch` of the registration it changes.
    pub broker_epoch: i64,
    /// `Fenced`.
    pub fenced: i8,
    /// `InControlledShutdown`.
    pub in_controlled_shutdown: i8,
}

/// `TopicRecord{Name, TopicId}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TopicRecord {
    /// `Name`.
    pub name: String,
    /// `TopicId`.
    pub topic_id: Uuid,
}

/// `PartitionRecord{PartitionId, TopicId, Replicas, Isr, Leader, LeaderEpoch,
/// PartitionEpoch}`. The replica and ISR lists are shared (`Arc`) with the images that apply
/// this record, so a million partitions are not copied once per node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionRecord {
    /// `PartitionId`.
    pub partition_id: i32,
    /// `TopicId`.
    pub topic_id: Uuid,
    /// `Replicas`, in assignment order (the first is the preferred leader).
    pub replicas: Arc<[BrokerId]>,
    /// `Isr`.
    pub isr: Arc<[BrokerId]>,
    /// `Leader` (-1: none).
    pub leader: BrokerId,
    /// `LeaderEpoch`.
    pub leader_epoch: i32,
    /// `PartitionEpoch`.
    pub partition_epoch: i32,
}

/// `PartitionChangeRecord{PartitionId, TopicId, Isr?, Leader}`: only what changes. On replay
/// a leader change bumps the leader epoch; every change bumps the partition epoch
/// (`PartitionRegistration.merge`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionChangeRecord {
    /// `PartitionId`.
    pub partition_id: i32,
    /// `TopicId`.
    pub topic_id: Uuid,
    /// `Isr`, if it changes.
    pub isr: Option<Arc<[BrokerId]>>,
    /// `Leader`: -1 none, -2 unchanged.
    pub leader: BrokerId,
}

/// Config resource types, as Kafka numbers them.
pub const CONFIG_TOPIC: u8 = 2;
/// Broker config resource.
pub const CONFIG_BROKER: u8 = 4;

/// `ConfigRecord{ResourceType, ResourceName, Name, Value}` (`None` deletes).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ConfigRecord {
    /// `ResourceType`: 2 topic, 4 broker.
    pub resource_type: u8,
    /// `ResourceName`: the topic name or broker id ("" for the cluster default).
    pub resource_name: String,
    /// `Name`.
    pub name: String,
    /// `Value`.
    pub value: Option<String>,
}

/// `RemoveTopicRecord{TopicId}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RemoveTopicRecord {
    /// `TopicId`.
    pub topic_id: Uuid,
}

impl Record {
    /// Kafka's name for the record type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Record::LeaderChange(_) => "LeaderChangeMessage",
            Record::Voters(_) => "VotersRecord",
            Record::Data(_) => "Data",
            Record::NoOp => "NoOpRecord",
            Record::FeatureLevel(_) => "FeatureLevelRecord",
            Record::RegisterBroker(_) => "RegisterBrokerRecord",
            Record::BrokerRegistrationChange(_) => "BrokerRegistrationChangeRecord",
            Record::Topic(_) => "TopicRecord",
            Record::Partition(_) => "PartitionRecord",
            Record::PartitionChange(_) => "PartitionChangeRecord",
            Record::Config(_) => "ConfigRecord",
            Record::RemoveTopic(_) => "RemoveTopicRecord",
        }
    }

    /// The record type as `kafka-dump-log --cluster-metadata-decoder` prints it
    /// (`REGISTER_BROKER_RECORD`, …); control records have no metadata type.
    pub fn metadata_type(&self) -> Option<&'static str> {
        Some(match self {
            Record::NoOp => "NO_OP_RECORD",
            Record::FeatureLevel(_) => "FEATURE_LEVEL_RECORD",
            Record::RegisterBroker(_) => "REGISTER_BROKER_RECORD",
            Record::BrokerRegistrationChange(_) => "BROKER_REGISTRATION_CHANGE_RECORD",
            Record::Topic(_) => "TOPIC_RECORD",
            Record::Partition(_) => "PARTITION_RECORD",
            Record::PartitionChange(_) => "PARTITION_CHANGE_RECORD",
            Record::Config(_) => "CONFIG_RECORD",
            Record::RemoveTopic(_) => "REMOVE_TOPIC_RECORD",
            Record::LeaderChange(_) | Record::Voters(_) | Record::Data(_) => return None,
        })
    }

    /// A 64-bit fingerprint of the record, so checkers can compare logs without keeping
    /// copies. Stable within a run (not across targets, which nothing relies on).
    pub fn digest(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }

    /// True for KRaft control records, which live in control batches.
    pub fn is_control(&self) -> bool {
        matches!(self, Record::LeaderChange(_) | Record::Voters(_))
    }

    /// The record's fields as the JSON `kafka-dump-log --cluster-metadata-decoder` prints.
    pub fn json(&self) -> String {
        let ids = |v: &[BrokerId]| {
            v.iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let nodes = |v: &[NodeId]| {
            v.iter()
                .map(|b| b.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let data = match self {
            Record::LeaderChange(m) => {
                return format!(
                    "LeaderChange: {{\"version\":0,\"leaderId\":{},\"voters\":[{}],\"grantingVoters\":[{}]}}",
                    m.leader,
                    m.voters.iter().map(|v| format!("{{\"voterId\":{v}}}")).collect::<Vec<_>>().join(","),
                    m.granting_voters.iter().map(|v| format!("{{\"voterId\":{v}}}")).collect::<Vec<_>>().join(",")
                )
            }
            Record::Voters(v) => {
                return format!(
                    "KRaftVoters: {{\"version\":0,\"voters\":[{}]}}",
                    v.voters.iter().map(|v| format!("{{\"voterId\":{v}}}")).collect::<Vec<_>>().join(",")
                )
            }
            Record::Data(n) => return format!("Data: {{\"sequence\":{n}}}"),
            Record::NoOp => "{}".to_string(),
            Record::FeatureLevel(r) => format!("{{\"name\":\"{}\",\"featureLevel\":{}}}", r.name, r.feature_level),
            Record::RegisterBroker(r) => format!(
                "{{\"brokerId\":{},\"isMigratingZkBroker\":false,\"incarnationId\":\"{}\",\"brokerEpoch\":{},\"endPoints\":[{{\"name\":\"PLAINTEXT\",\"host\":\"{}\",\"port\":9092,\"securityProtocol\":0}}],\"rack\":null,\"fenced\":{},\"inControlledShutdown\":{}}}",
                r.broker_id,
                r.incarnation_id,
                r.broker_epoch,
                r.endpoint,
                r.fenced,
                r.in_controlled_shutdown
            ),
            Record::BrokerRegistrationChange(r) => format!(
                "{{\"brokerId\":{},\"brokerEpoch\":{},\"fenced\":{},\"inControlledShutdown\":{}}}",
                r.broker_id, r.broker_epoch, r.fenced, r.in_controlled_shutdown
            ),
            Record::Topic(r) => format!("{{\"name\":\"{}\",\"topicId\":\"{}\"}}", r.name, r.topic_id),
            Record::Partition(r) => format!(
                "{{\"partitionId\":{},\"topicId\":\"{}\",\"replicas\":[{}],\"isr\":[{}],\"removingReplicas\":[],\"addingReplicas\":[],\"leader\":{},\"leaderRecoveryState\":0,\"leaderEpoch\":{},\"partitionEpoch\":{}}}",
                r.partition_id,
                r.topic_id,
                ids(&r.replicas),
                ids(&r.isr),
                r.leader,
                r.leader_epoch,
                r.partition_epoch
            ),
            Record::PartitionChange(r) => {
                let mut s = format!("{{\"partitionId\":{},\"topicId\":\"{}\"", r.partition_id, r.topic_id);
                if let Some(isr) = &r.isr {
                    s += &format!(",\"isr\":[{}]", ids(isr));
                }
                s += &format!(",\"leader\":{}}}", r.leader);
                s
            }
            Record::Config(r) => format!(
                "{{\"resourceType\":{},\"resourceName\":\"{}\",\"name\":\"{}\",\"value\":{}}}",
                r.resource_type,
                r.resource_name,
                r.name,
                r.value.as_ref().map(|v| format!("\"{v}\"")).unwrap_or_else(|| "null".into())
            ),
            Record::RemoveTopic(r) => format!("{{\"topicId\":\"{}\"}}", r.topic_id),
        };
        let _ = nodes;
        format!(
            "payload: {{\"type\":\"{}\",\"version\":0,\"data\":{data}}}",
            self.metadata_type().unwrap_or("UNKNOWN")
        )
    }
}

fn join(ids: &[NodeId]) -> String {
    ids.iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

fn brokers(ids: &[BrokerId]) -> String {
    ids.iter()
        .map(|id| id.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Record::LeaderChange(m) => write!(
                f,
                "LeaderChangeMessage(leaderId={}, voters=[{}], grantingVoters=[{}])",
                m.leader,
                join(&m.voters),
                join(&m.granting_voters)
            ),
            Record::Voters(v) => write!(f, "VotersRecord(voters=[{}])", join(&v.voters)),
            Record::Data(n) => write!(f, "Data(#{n})"),
            Record::NoOp => write!(f, "NoOpRecord()"),
            Record::FeatureLevel(r) => write!(f, "FeatureLevelRecord(name={}, featureLevel={})", r.name, r.feature_level),
            Record::RegisterBroker(r) => write!(
                f,
                "RegisterBrokerRecord(brokerId={}, brokerEpoch={}, fenced={})",
                r.broker_id, r.broker_epoch, r.fenced
            ),
            Record::BrokerRegistrationChange(r) => {
                write!(f, "BrokerRegistrationChangeRecord(brokerId={}, brokerEpoch={}", r.broker_id, r.broker_epoch)?;
                if r.fenced != 0 {
                    write!(f, ", fenced={}", r.fenced)?;
                }
                if r.in_controlled_shutdown != 0 {
                    write!(f, ", inControlledShutdown={}", r.in_controlled_shutdown)?;
                }
                write!(f, ")")
            }
            Record::Topic(r) => write!(f, "TopicRecord(name={}, topicId={})", r.name, r.topic_id),
            Record::Partition(r) => write!(
                f,
                "PartitionRecord(topicId={}, partitionId={}, replicas=[{}], isr=[{}], leader={}, leaderEpoch={}, partitionEpoch={})",
                r.topic_id,
                r.partition_id,
                brokers(&r.replicas),
                brokers(&r.isr),
                r.leader,
                r.leader_epoch,
                r.partition_epoch
            ),
            Record::PartitionChange(r) => {
                write!(f, "PartitionChangeRecord(topicId={}, partitionId={}", r.topic_id, r.partition_id)?;
                if let Some(isr) = &r.isr {
                    write!(f, ", isr=[{}]", brokers(isr))?;
                }
                if r.leader != NO_LEADER_CHANGE {
                    write!(f, ", leader={}", r.leader)?;
                }
                write!(f, ")")
            }
            Record::Config(r) => write!(
                f,
                "ConfigRecord(resourceType={}, resourceName={}, name={}, value={})",
                r.resource_type,
                r.resource_name,
                r.name,
                r.value.as_deref().unwrap_or("null")
            ),
            Record::RemoveTopic(r) => write!(f, "RemoveTopicRecord(topicId={})", r.topic_id),
        }
    }
}

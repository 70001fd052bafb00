//! Records of the `__cluster_metadata` log.
//!
//! KRaft replicates opaque records; what they mean belongs to the layer above. The quorum itself
//! writes control records (`LeaderChangeMessage`), the simulator's `write` command appends
//! opaque data records, and the metadata layer appends Kafka's metadata records.

use std::fmt;

use crate::types::{Epoch, NodeId};

/// One record in the metadata log, named as in Kafka.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Record {
    /// Control record written by a new leader as the first record of its epoch. The leader
    /// cannot advance the high watermark until this record of its own epoch is committed
    /// (KRAFT.md §2.4.1), which is Raft's "commit an entry from the current term" rule.
    LeaderChange(LeaderChangeMessage),
    /// An opaque client record, written by the scenario command `write <n>`; the number is a
    /// run-wide sequence so that every written record is distinguishable.
    Data(u64),
    /// `NoOpRecord`: written by an idle active controller every 500 ms to keep the HW moving.
    NoOp,
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

impl Record {
    /// Kafka's name for the record type, as `kafka-dump-log` prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Record::LeaderChange(_) => "LeaderChangeMessage",
            Record::Data(_) => "Data",
            Record::NoOp => "NoOpRecord",
        }
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
        matches!(self, Record::LeaderChange(_))
    }
}

fn join(ids: &[NodeId]) -> String {
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
            Record::Data(n) => write!(f, "Data(#{n})"),
            Record::NoOp => write!(f, "NoOpRecord()"),
        }
    }
}

//! What travels on the simulated network: one envelope type for every layer's messages.

use std::fmt;

use crate::kraft::rpc::RaftRpc;
use crate::metadata::rpc::ControllerRpc;
use crate::types::{NodeId, SimTime};

/// A message id, unique within a run; the UI and the `drop` action refer to messages by it.
pub type MsgId = u64;

/// A quorum RPC with the correlation id that matches a response to its request.
#[derive(Clone, Debug)]
pub struct RaftMessage {
    /// Chosen by the requester; echoed by the response.
    pub correlation: u64,
    /// `ClusterId` of the sender's `meta.properties`: a receiver formatted for another cluster
    /// answers `INCONSISTENT_CLUSTER_ID` and does nothing else.
    pub cluster_id: Option<std::sync::Arc<str>>,
    /// The RPC itself.
    pub rpc: RaftRpc,
}

/// A controller RPC (broker registration, heartbeat, AlterPartition) with its correlation id.
#[derive(Clone, Debug)]
pub struct ControllerMessage {
    /// Chosen by the requester; echoed by the response.
    pub correlation: u64,
    /// The RPC.
    pub rpc: ControllerRpc,
}

/// The body of a network message.
#[derive(Clone, Debug)]
pub enum Payload {
    /// A KRaft quorum RPC.
    Raft(RaftMessage),
    /// A broker ↔ controller RPC of the metadata layer.
    Controller(ControllerMessage),
    /// ZooKeeper mode: ensemble, client sessions, and the ZooKeeper-mode controller's RPCs.
    Zk(crate::zk::rpc::ZkMessage),
}

impl Payload {
    /// Kafka's API name (`Fetch`, `Vote`, …) for labels and colours.
    pub fn name(&self) -> &'static str {
        match self {
            Payload::Raft(m) => m.rpc.name(),
            Payload::Controller(m) => m.rpc.name(),
            Payload::Zk(m) => m.name(),
        }
    }

    /// True for requests, false for responses.
    pub fn is_request(&self) -> bool {
        match self {
            Payload::Raft(m) => m.rpc.is_request(),
            Payload::Controller(m) => m.rpc.is_request(),
            Payload::Zk(m) => m.is_request(),
        }
    }
}

/// How a response came out, for the picture's mark on a message in flight (a vote granted or
/// refused, an error) without reading its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A vote or pre-vote granted.
    Granted,
    /// A vote or pre-vote refused.
    Refused,
    /// An error code other than NONE.
    Error(&'static str),
}

impl Payload {
    /// The outcome a response reports; `None` for requests and plain successes.
    pub fn outcome(&self) -> Option<Outcome> {
        match self {
            Payload::Raft(m) => match &m.rpc {
                crate::kraft::rpc::RaftRpc::VoteResponse { granted, error, .. }
                    if *error == crate::kraft::rpc::ErrorCode::None =>
                {
                    Some(if *granted {
                        Outcome::Granted
                    } else {
                        Outcome::Refused
                    })
                }
                rpc => rpc
                    .error()
                    .filter(|e| *e != crate::kraft::rpc::ErrorCode::None)
                    .map(|e| Outcome::Error(e.name())),
            },
            Payload::Controller(m) => m.rpc.error().map(Outcome::Error),
            Payload::Zk(m) => m.error().map(Outcome::Error),
        }
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Raft(m) => write!(f, "{}", m.rpc),
            Payload::Controller(m) => write!(f, "{}", m.rpc),
            Payload::Zk(m) => write!(f, "{m}"),
        }
    }
}

/// A message in flight: who sent it, to whom, and when it left and will arrive. The UI draws it
/// at `lerp(sent_at, deliver_at, now)`, so the animation is exact at any speed.
#[derive(Clone, Debug)]
pub struct Envelope {
    /// Run-wide message id.
    pub id: MsgId,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// When it was sent.
    pub sent_at: SimTime,
    /// When it arrives (if it is not dropped on the way).
    pub deliver_at: SimTime,
    /// The message.
    pub payload: Payload,
    /// Set when the network has already decided to lose it: it travels, then vanishes.
    pub doomed: bool,
}

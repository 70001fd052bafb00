//! What travels in ZooKeeper mode: between ZooKeeper servers (leader election notifications
//! and the ZAB broadcast), between clients (Kafka brokers) and servers (sessions, requests,
//! watch events), and between the ZooKeeper-mode controller and brokers (LeaderAndIsr,
//! UpdateMetadata, ControlledShutdown).

use std::fmt;
use std::sync::Arc;

use crate::text::Quoted;
use crate::types::NodeId;

use super::tree::{DataTree, Op, SessionId, WatchKind, ZkError, Znode, Zxid};

/// A leader-election vote: the proposed leader and its last zxid, in election round `round`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vote {
    /// Proposed leader.
    pub leader: NodeId,
    /// Its last zxid.
    pub zxid: Zxid,
    /// Its epoch (the upper half of the zxid counts it too).
    pub epoch: u32,
}

impl Vote {
    /// FastLeaderElection's total order: epoch, then zxid, then server id.
    pub fn beats(&self, other: &Vote) -> bool {
        (self.epoch, self.zxid, self.leader) > (other.epoch, other.zxid, other.leader)
    }
}

/// A replicated transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Txn {
    /// Writes by a session (a multi when several).
    Write {
        /// The writing session.
        session: SessionId,
        /// The operations.
        ops: Vec<Op>,
    },
    /// A new session with its negotiated timeout; its id is the txn's zxid.
    CreateSession {
        /// Negotiated timeout (ms).
        timeout_ms: u64,
    },
    /// A session closed or expired: its ephemerals go.
    CloseSession {
        /// The session.
        session: SessionId,
        /// True if the leader expired it (false: the client closed it).
        expired: bool,
    },
}

/// Where a write came from, so the server its client talks to can answer it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The server the client is connected to.
    pub server: NodeId,
    /// The client.
    pub client: NodeId,
    /// The client's request id.
    pub xid: u64,
}

/// Server to server.
#[derive(Clone, Debug)]
pub enum PeerMsg {
    /// FastLeaderElection notification: my vote, and whether I am still looking.
    Notification {
        /// The vote.
        vote: Vote,
        /// The sender is LOOKING (false: it follows or leads `vote.leader`).
        looking: bool,
    },
    /// A follower introduces itself to the leader it elected.
    FollowerInfo {
        /// Its last zxid.
        last_zxid: Zxid,
        /// The newest epoch it accepted: the leader's epoch must be above it...
        accepted_epoch: u32,
        /// ...unless this leader is the one that led it.
        epoch_leader: Option<NodeId>,
    },
    /// The leader brings a follower up to date (a whole snapshot: `SNAP`).
    NewLeader {
        /// The leader's new epoch.
        epoch: u32,
        /// The leader's data.
        tree: Arc<DataTree>,
        /// Open sessions with their timeouts.
        sessions: Arc<Vec<(SessionId, u64)>>,
        /// Last zxid in that data.
        zxid: Zxid,
    },
    /// The follower is in sync.
    AckNewLeader {
        /// The epoch acknowledged.
        epoch: u32,
    },
    /// ZAB: a transaction to log.
    Proposal {
        /// Its zxid.
        zxid: Zxid,
        /// The transaction.
        txn: Txn,
        /// Who asked for it.
        origin: Option<Origin>,
    },
    /// ZAB: logged.
    Ack {
        /// The zxid.
        zxid: Zxid,
    },
    /// ZAB: a quorum logged it; apply.
    Commit {
        /// The zxid.
        zxid: Zxid,
    },
    /// Leader to follower every half tick; follower to leader in reply, with the sessions its
    /// clients touched.
    Ping {
        /// Sessions touched since the last ping (follower to leader).
        touched: Vec<SessionId>,
    },
    /// A follower forwards a client's write to the leader.
    Forward {
        /// The transaction.
        txn: Txn,
        /// Who asked.
        origin: Origin,
    },
    /// The leader refuses a forwarded write (for example, it writes to an expired session).
    Refused {
        /// Why.
        error: ZkError,
        /// Who asked.
        origin: Origin,
    },
}

/// A read or write a client asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientOp {
    /// `getData`, optionally leaving a data watch.
    GetData {
        /// Path.
        path: String,
        /// Leave a watch.
        watch: bool,
    },
    /// `exists`, optionally leaving a watch that also fires on creation.
    Exists {
        /// Path.
        path: String,
        /// Leave a watch.
        watch: bool,
    },
    /// `getChildren`, optionally leaving a child watch.
    GetChildren {
        /// Path.
        path: String,
        /// Leave a watch.
        watch: bool,
    },
    /// One write or a multi.
    Write(Vec<Op>),
}

/// The answer to a [`ClientOp`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientResult {
    /// A znode (or none) for getData / exists.
    Node(Option<Znode>),
    /// Child names.
    Children(Vec<String>),
    /// The write was applied at this zxid.
    Written(Zxid),
    /// It failed.
    Error(ZkError),
}

/// Client and server.
#[derive(Clone, Debug)]
pub enum ClientMsg {
    /// Open a session (`None`) or resume one after a reconnect.
    Connect {
        /// The session to resume.
        session: Option<SessionId>,
        /// Requested timeout (ms).
        timeout_ms: u64,
        /// Which connection this is: an answer to an earlier attempt, or to the process that
        /// ran before a crash, travelled on a TCP connection that no longer exists.
        attempt: u64,
    },
    /// The session, with its negotiated timeout, or `None` if it expired.
    Connected {
        /// The session, `None` if expired.
        session: Option<SessionId>,
        /// Negotiated timeout (ms).
        timeout_ms: u64,
        /// The attempt answered.
        attempt: u64,
    },
    /// The server closed this session (it expired): its connection is closed too.
    Expired {
        /// The session.
        session: SessionId,
    },
    /// A request.
    Request {
        /// Request id.
        xid: u64,
        /// What.
        op: ClientOp,
    },
    /// Its answer.
    Response {
        /// Request id.
        xid: u64,
        /// The result.
        result: ClientResult,
    },
    /// Keep-alive.
    Ping,
    /// Keep-alive answer.
    Pong,
    /// A watch fired.
    Watch {
        /// Path.
        path: String,
        /// What happened.
        kind: WatchKind,
    },
    /// The server will not serve (it has no leader, or is shutting down): reconnect elsewhere.
    Disconnect,
    /// The client closes its session (a clean shutdown): its ephemerals go at once.
    Close,
}

/// The state of one partition as the controller sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionState {
    /// Topic.
    pub topic: String,
    /// Partition.
    pub partition: u32,
    /// Leader, -1 for none.
    pub leader: i32,
    /// Leader epoch.
    pub leader_epoch: i32,
    /// ISR.
    pub isr: Vec<i32>,
    /// Replicas.
    pub replicas: Vec<i32>,
}

/// Controller and broker in ZooKeeper mode.
#[derive(Clone, Debug)]
pub enum KafkaMsg {
    /// `LeaderAndIsr`: become leader or follower of these partitions.
    LeaderAndIsr {
        /// Controller epoch: a broker ignores older ones (zombie fencing).
        controller_epoch: u32,
        /// The controller.
        controller: i32,
        /// Real partitions.
        partitions: Vec<PartitionState>,
        /// How many modelled (not drawn) partitions this request also carries.
        bulk: u64,
    },
    /// `UpdateMetadata`: the cluster's live brokers and partition states.
    UpdateMetadata {
        /// Controller epoch.
        controller_epoch: u32,
        /// The controller.
        controller: i32,
        /// Live brokers.
        live_brokers: Vec<i32>,
        /// Real partitions.
        partitions: Vec<PartitionState>,
        /// Modelled partitions carried.
        bulk: u64,
    },
    /// The answer to either: `STALE_CONTROLLER_EPOCH` when the sender was a zombie.
    ControllerResponse {
        /// Which request.
        what: &'static str,
        /// `None` or the error name.
        error: Option<&'static str>,
    },
    /// `ControlledShutdown`: a broker asks to move its leadership away before it stops.
    ControlledShutdown {
        /// The broker.
        broker: i32,
        /// Its epoch (czxid of its registration).
        broker_epoch: u64,
    },
    /// The answer: how many partitions it still leads (0: stop now).
    ControlledShutdownResponse {
        /// Partitions still led.
        remaining: u64,
    },
}

/// Any ZooKeeper-mode message.
#[derive(Clone, Debug)]
pub enum ZkMessage {
    /// Between ZooKeeper servers.
    Peer(PeerMsg),
    /// Between a client and a server.
    Client(ClientMsg),
    /// Between Kafka brokers (one being the controller).
    Kafka(KafkaMsg),
    /// Not sent by anyone: the simulator's word that the TCP connection with the sender was
    /// reset because a message on it was lost (a cut link). Every protocol here runs over
    /// TCP and relies on it never skipping a message, so each end drops its connection state
    /// and reconnects, as a real client or server does after a reset.
    Reset,
}

impl ZkMessage {
    /// A response's error name (`NODEEXISTS`, `SESSIONEXPIRED`, Kafka's controller errors), if
    /// it reports one.
    pub fn error(&self) -> Option<&'static str> {
        match self {
            ZkMessage::Client(ClientMsg::Response {
                result: ClientResult::Error(e),
                ..
            }) => Some(e.name()),
            ZkMessage::Client(ClientMsg::Connected { session: None, .. }) => Some("SESSIONEXPIRED"),
            ZkMessage::Kafka(KafkaMsg::ControllerResponse { error, .. }) => *error,
            _ => None,
        }
    }

    /// A short API name for labels.
    pub fn name(&self) -> &'static str {
        match self {
            ZkMessage::Peer(p) => match p {
                PeerMsg::Notification { .. } => "Notification",
                PeerMsg::FollowerInfo { .. } => "FollowerInfo",
                PeerMsg::NewLeader { .. } => "NewLeader",
                PeerMsg::AckNewLeader { .. } => "AckNewLeader",
                PeerMsg::Proposal { .. } => "Proposal",
                PeerMsg::Ack { .. } => "Ack",
                PeerMsg::Commit { .. } => "Commit",
                PeerMsg::Ping { .. } => "ZkPing",
                PeerMsg::Forward { .. } => "Forward",
                PeerMsg::Refused { .. } => "Refused",
            },
            ZkMessage::Client(c) => match c {
                ClientMsg::Connect { .. } => "ConnectRequest",
                ClientMsg::Connected { .. } => "ConnectResponse",
                ClientMsg::Expired { .. } => "SessionExpired",
                ClientMsg::Request { op, .. } => match op {
                    ClientOp::GetData { .. } => "getData",
                    ClientOp::Exists { .. } => "exists",
                    ClientOp::GetChildren { .. } => "getChildren",
                    ClientOp::Write(ops) if ops.len() > 1 => "multi",
                    ClientOp::Write(_) => "write",
                },
                ClientMsg::Response { .. } => "ZkResponse",
                ClientMsg::Ping => "SessionPing",
                ClientMsg::Pong => "SessionPong",
                ClientMsg::Watch { .. } => "WatchEvent",
                ClientMsg::Disconnect => "Disconnect",
                ClientMsg::Close => "closeSession",
            },
            ZkMessage::Reset => "ConnectionReset",
            ZkMessage::Kafka(k) => match k {
                KafkaMsg::LeaderAndIsr { .. } => "LeaderAndIsr",
                KafkaMsg::UpdateMetadata { .. } => "UpdateMetadata",
                KafkaMsg::ControllerResponse { .. } => "ControllerResponse",
                KafkaMsg::ControlledShutdown { .. } => "ControlledShutdown",
                KafkaMsg::ControlledShutdownResponse { .. } => "ControlledShutdownResponse",
            },
        }
    }

    /// True for requests (and one-way pushes), false for answers.
    pub fn is_request(&self) -> bool {
        !matches!(
            self,
            ZkMessage::Peer(
                PeerMsg::Ack { .. } | PeerMsg::AckNewLeader { .. } | PeerMsg::Refused { .. }
            ) | ZkMessage::Client(
                ClientMsg::Connected { .. } | ClientMsg::Response { .. } | ClientMsg::Pong
            ) | ZkMessage::Kafka(
                KafkaMsg::ControllerResponse { .. } | KafkaMsg::ControlledShutdownResponse { .. }
            )
        )
    }
}

impl fmt::Display for ZkMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ZkMessage::Peer(PeerMsg::Notification { vote, looking }) => write!(
                f,
                "Notification vote={} zxid=0x{:x} epoch={} {}",
                vote.leader,
                vote.zxid,
                vote.epoch,
                if *looking { "LOOKING" } else { "settled" }
            ),
            ZkMessage::Peer(PeerMsg::Proposal { zxid, txn, .. }) => {
                write!(f, "Proposal zxid=0x{zxid:x} {}", txn_label(txn))
            }
            ZkMessage::Peer(PeerMsg::Ack { zxid }) => write!(f, "Ack zxid=0x{zxid:x}"),
            ZkMessage::Peer(PeerMsg::Commit { zxid }) => write!(f, "Commit zxid=0x{zxid:x}"),
            ZkMessage::Peer(PeerMsg::NewLeader { epoch, zxid, .. }) => {
                write!(f, "NewLeader epoch={epoch} zxid=0x{zxid:x}")
            }
            ZkMessage::Client(ClientMsg::Connect {
                session,
                timeout_ms,
                ..
            }) => write!(
                f,
                "ConnectRequest session={} timeout={timeout_ms}ms",
                session
                    .map(|s| format!("0x{s:x}"))
                    .unwrap_or_else(|| "new".into())
            ),
            ZkMessage::Client(ClientMsg::Connected {
                session,
                timeout_ms,
                ..
            }) => match session {
                Some(s) => write!(f, "ConnectResponse session=0x{s:x} timeout={timeout_ms}ms"),
                None => write!(f, "ConnectResponse SESSIONEXPIRED"),
            },
            ZkMessage::Client(ClientMsg::Request { xid, op }) => {
                write!(f, "{} xid={xid} ", self.name())?;
                debug_op(f, op)
            }
            ZkMessage::Client(ClientMsg::Response { xid, result }) => {
                write!(f, "ZkResponse xid={xid} ")?;
                debug_result(f, result)
            }
            ZkMessage::Client(ClientMsg::Watch { path, kind }) => {
                write!(f, "WatchEvent {} {path}", kind.name())
            }
            ZkMessage::Kafka(KafkaMsg::LeaderAndIsr {
                controller_epoch,
                partitions,
                bulk,
                ..
            }) => write!(
                f,
                "LeaderAndIsr controllerEpoch={controller_epoch} partitions={}",
                partitions.len() as u64 + bulk
            ),
            ZkMessage::Kafka(KafkaMsg::UpdateMetadata {
                controller_epoch,
                live_brokers,
                partitions,
                bulk,
                ..
            }) => write!(
                f,
                "UpdateMetadata controllerEpoch={controller_epoch} liveBrokers={} partitions={}",
                crate::text::List(live_brokers),
                partitions.len() as u64 + bulk
            ),
            ZkMessage::Kafka(KafkaMsg::ControllerResponse { what, error }) => {
                write!(f, "{what}Response error={}", error.unwrap_or("NONE"))
            }
            ZkMessage::Kafka(KafkaMsg::ControlledShutdown { broker, .. }) => {
                write!(f, "ControlledShutdown broker={broker}")
            }
            ZkMessage::Kafka(KafkaMsg::ControlledShutdownResponse { remaining }) => {
                write!(
                    f,
                    "ControlledShutdownResponse partitionsRemaining={remaining}"
                )
            }
            other => write!(f, "{}", other.name()),
        }
    }
}

/// Writes a client request exactly as `{:?}` prints it (`GetData { path: "/controller",
/// watch: true }`), without the derived `Debug` in the bundle.
fn debug_op(f: &mut fmt::Formatter<'_>, op: &ClientOp) -> fmt::Result {
    let (name, path, watch) = match op {
        ClientOp::GetData { path, watch } => ("GetData", path, watch),
        ClientOp::Exists { path, watch } => ("Exists", path, watch),
        ClientOp::GetChildren { path, watch } => ("GetChildren", path, watch),
        ClientOp::Write(ops) => {
            f.write_str("Write([")?;
            for (i, op) in ops.iter().enumerate() {
                f.write_str(if i == 0 { "" } else { ", " })?;
                match op {
                    Op::Create {
                        path,
                        data,
                        ephemeral,
                    } => write!(
                        f,
                        "Create {{ path: {}, data: {}, ephemeral: {ephemeral} }}",
                        Quoted(path),
                        Quoted(data)
                    )?,
                    Op::SetData {
                        path,
                        data,
                        version,
                    } => write!(
                        f,
                        "SetData {{ path: {}, data: {}, version: {} }}",
                        Quoted(path),
                        Quoted(data),
                        debug_option(*version)
                    )?,
                    Op::Delete { path, version } => write!(
                        f,
                        "Delete {{ path: {}, version: {} }}",
                        Quoted(path),
                        debug_option(*version)
                    )?,
                    Op::Check { path, version } => {
                        write!(f, "Check {{ path: {}, version: {version} }}", Quoted(path))?
                    }
                }
            }
            return f.write_str("])");
        }
    };
    write!(f, "{name} {{ path: {}, watch: {watch} }}", Quoted(path))
}

/// Writes a client answer exactly as `{:?}` prints it (`Node(Some(Znode { data: "…", … }))`).
fn debug_result(f: &mut fmt::Formatter<'_>, result: &ClientResult) -> fmt::Result {
    match result {
        ClientResult::Node(None) => f.write_str("Node(None)"),
        ClientResult::Node(Some(z)) => write!(
            f,
            "Node(Some(Znode {{ data: {}, version: {}, czxid: {}, ephemeral_owner: {} }}))",
            Quoted(&z.data),
            z.version,
            z.czxid,
            debug_option(z.ephemeral_owner)
        ),
        ClientResult::Children(names) => {
            f.write_str("Children([")?;
            for (i, name) in names.iter().enumerate() {
                write!(f, "{}{}", if i == 0 { "" } else { ", " }, Quoted(name))?;
            }
            f.write_str("])")
        }
        ClientResult::Written(zxid) => write!(f, "Written({zxid})"),
        ClientResult::Error(e) => write!(f, "Error({})", e.variant()),
    }
}

/// `Some(3)` / `None`, as `{:?}` prints an optional number.
fn debug_option<T: fmt::Display>(value: Option<T>) -> String {
    value.map_or("None".into(), |v| format!("Some({v})"))
}

fn txn_label(txn: &Txn) -> String {
    match txn {
        Txn::Write { ops, .. } if ops.len() == 1 => {
            format!("{} {}", op_name(&ops[0]), ops[0].path())
        }
        Txn::Write { ops, .. } => format!("multi({} ops)", ops.len()),
        Txn::CreateSession { timeout_ms } => format!("createSession timeout={timeout_ms}ms"),
        Txn::CloseSession { session, expired } => format!(
            "closeSession 0x{session:x}{}",
            if *expired { " (expired)" } else { "" }
        ),
    }
}

fn op_name(op: &Op) -> &'static str {
    match op {
        Op::Create { .. } => "create",
        Op::SetData { .. } => "setData",
        Op::Delete { .. } => "delete",
        Op::Check { .. } => "check",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Requests and answers print as they did through `{:?}`, byte for byte.
    #[test]
    fn client_messages_print_as_debug_did() {
        let json = r#"{"version":2,"brokerid":1,"timestamp":"1234"}"#.to_string();
        let ops = vec![
            ClientOp::GetData {
                path: "/controller".into(),
                watch: true,
            },
            ClientOp::Exists {
                path: "/admin/reassign_partitions".into(),
                watch: false,
            },
            ClientOp::GetChildren {
                path: "/brokers/ids".into(),
                watch: true,
            },
            ClientOp::Write(vec![]),
            ClientOp::Write(vec![
                Op::Create {
                    path: "/brokers/ids/1".into(),
                    data: json.clone(),
                    ephemeral: true,
                },
                Op::SetData {
                    path: "/controller_epoch".into(),
                    data: "7".into(),
                    version: Some(3),
                },
                Op::SetData {
                    path: "/a\"b\\c\n".into(),
                    data: String::new(),
                    version: None,
                },
                Op::Delete {
                    path: "/x".into(),
                    version: None,
                },
                Op::Delete {
                    path: "/x".into(),
                    version: Some(-1),
                },
                Op::Check {
                    path: "/controller_epoch".into(),
                    version: 4,
                },
            ]),
        ];
        for (xid, op) in ops.into_iter().enumerate() {
            let xid = xid as u64;
            let expected = format!("xid={xid} {op:?}");
            let msg = ZkMessage::Client(ClientMsg::Request { xid, op });
            assert_eq!(msg.to_string(), format!("{} {expected}", msg.name()));
        }
        let mut results = vec![
            ClientResult::Node(None),
            ClientResult::Node(Some(Znode {
                data: json,
                version: 2,
                czxid: 0x1_0000_0005,
                ephemeral_owner: Some(0x77),
            })),
            ClientResult::Node(Some(Znode {
                data: String::new(),
                version: 0,
                czxid: 0,
                ephemeral_owner: None,
            })),
            ClientResult::Children(vec![]),
            ClientResult::Children(vec!["0".into(), "topic-ü".into()]),
            ClientResult::Written(42),
        ];
        for e in [
            ZkError::NodeExists,
            ZkError::NoNode,
            ZkError::BadVersion,
            ZkError::NotEmpty,
            ZkError::SessionExpired,
            ZkError::ConnectionLoss,
        ] {
            results.push(ClientResult::Error(e));
        }
        for result in results {
            let expected = format!("ZkResponse xid=9 {result:?}");
            let msg = ZkMessage::Client(ClientMsg::Response { xid: 9, result });
            assert_eq!(msg.to_string(), expected);
        }
    }
}

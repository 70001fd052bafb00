//! How a scenario names a node: by `node.id`, by role at the moment the line runs (`leader`,
//! `follower`, `controller`, `zk-leader`), or by a name bound earlier with `as`.

use crate::flat::FlatMap;
use std::fmt;

use crate::sim::World;
use crate::types::NodeId;

/// A node as a scenario names it: an id, a role alias resolved when the line runs, or a name
/// bound earlier with `as`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// A `node.id` (`3001`, `0`, `zk1`).
    Id(NodeId),
    /// The active controller at that moment.
    Leader,
    /// The lowest-numbered live voter following the active controller.
    Follower,
    /// A name bound by `… as <name>`.
    Name(String),
    /// The controller: ZooKeeper mode's `/controller` broker, KRaft's active controller.
    Controller,
    /// ZooKeeper mode: the serving ZooKeeper leader.
    ZkLeader,
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeRef::Id(id) => write!(f, "{id}"),
            NodeRef::Leader => write!(f, "leader"),
            NodeRef::Follower => write!(f, "follower"),
            NodeRef::Name(n) => write!(f, "{n}"),
            NodeRef::Controller => write!(f, "controller"),
            NodeRef::ZkLeader => write!(f, "zk-leader"),
        }
    }
}

/// Words that cannot be names bound with `as`.
pub(crate) const RESERVED: &[&str] = &[
    "leader",
    "follower",
    "controller",
    "zk-leader",
    "as",
    "and",
    "not",
    "to",
    "from",
    "next",
    "within",
    "until",
];

impl NodeRef {
    /// Parses a node reference: an id, `leader`, `follower`, `controller`, `zk-leader` or a
    /// name bound with `as`.
    pub fn parse(token: &str) -> Result<NodeRef, String> {
        match token {
            "leader" => Ok(NodeRef::Leader),
            "follower" => Ok(NodeRef::Follower),
            "controller" => Ok(NodeRef::Controller),
            "zk-leader" => Ok(NodeRef::ZkLeader),
            t => {
                if let Some(id) = NodeId::parse(t) {
                    Ok(NodeRef::Id(id))
                } else if t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    && !RESERVED.contains(&t)
                {
                    Ok(NodeRef::Name(t.to_string()))
                } else {
                    Err(format!("`{t}` is not a node: expected a node id (3000, 0, zk1), `leader`, `follower` or a name bound with `as`"))
                }
            }
        }
    }

    /// The node this reference means now in `world`, with `names` bound earlier by `as`.
    pub fn resolve(
        &self,
        world: &World,
        names: &FlatMap<String, NodeId>,
    ) -> Result<NodeId, String> {
        match self {
            NodeRef::Id(id) => {
                if world.node(*id).is_some() {
                    Ok(*id)
                } else {
                    Err(format!(
                        "there is no node {id} in this cluster (nodes: {})",
                        world
                            .nodes()
                            .map(|n| n.id.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            }
            NodeRef::Leader => world
                .active_leader()
                .ok_or_else(|| "`leader`: there is no active controller right now".to_string()),
            NodeRef::Follower => world.a_follower().ok_or_else(|| {
                "`follower`: no live voter follows an active controller right now".to_string()
            }),
            NodeRef::Controller => world
                .zk_controller()
                .map(|(id, _)| id)
                .or_else(|| world.active_leader())
                .ok_or_else(|| "`controller`: there is no controller right now".to_string()),
            NodeRef::ZkLeader => world.zk_leader().ok_or_else(|| {
                "`zk-leader`: no ZooKeeper server leads right now (or this is a KRaft cluster)"
                    .to_string()
            }),
            NodeRef::Name(n) => names.get(n).copied().ok_or_else(|| {
                format!("`{n}` is not a known name; bind one first, like `crash leader as {n}`")
            }),
        }
    }
}

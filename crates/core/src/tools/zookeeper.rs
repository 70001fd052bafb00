//! ZooKeeper-mode views: the data tree as `zookeeper-shell`'s `ls -R` plus `get` would show it,
//! and who the controller is (both modes).

use crate::sim::{NodeStatus, World};
use crate::types::{format_duration, NodeId};
use crate::zk::controller::Stage;

use super::{ToolLine, ToolText};

/// `show zk-tree [<server>]`: every znode of a ZooKeeper server (the serving leader's by
/// default) with its data, version and, for ephemerals, the owning session.
pub fn zk_tree(world: &World, server: Option<NodeId>) -> Result<String, String> {
    if !world.spec().is_zk() {
        return Err("this cluster runs in KRaft mode: there is no ZooKeeper".into());
    }
    let id = match server {
        Some(id) => id,
        None => world
            .zk_leader()
            .or_else(|| world.spec().zookeepers.first().copied())
            .ok_or("no ZooKeeper server")?,
    };
    let node = world.node(id).ok_or_else(|| format!("no node {id}"))?;
    let tree = node
        .zk_data()
        .ok_or_else(|| format!("{id} is not a ZooKeeper server"))?;
    let mut out = format!("{id} ({}):\n", node.status().label());
    for (path, z) in tree.iter() {
        if path == "/" {
            continue;
        }
        let owner = z
            .ephemeral_owner
            .map(|s| format!(" ephemeralOwner=0x{s:x}"))
            .unwrap_or_default();
        let data = if z.data.is_empty() {
            String::new()
        } else {
            format!(" {}", z.data)
        };
        out += &format!("{path} (version {}{owner}){data}\n", z.version);
    }
    Ok(out)
}

/// `show srvr`: each ZooKeeper server's answer to the `srvr` four-letter word (abridged to
/// the lines that matter here), one server per line. A server that is electing answers as the
/// real one does: it is not serving.
pub fn srvr(world: &World) -> Result<ToolText, String> {
    if !world.spec().is_zk() {
        return Err("this cluster runs in KRaft mode: there is no ZooKeeper".into());
    }
    let mut out = ToolText::default();
    for id in &world.spec().zookeepers {
        let Some(node) = world.node(*id) else {
            continue;
        };
        let server = node.zk().and_then(|p| p.server());
        let line = match (node.status(), server) {
            (NodeStatus::Up, Some(z)) if z.serving() => format!(
                "Mode: {}  Zxid: 0x{:x}  Epoch: {}  Connections: {}  Outstanding: {}  Node count: {}",
                z.role().name(),
                z.last_zxid(),
                z.epoch(),
                z.client_count(),
                z.outstanding(),
                z.tree().len()
            ),
            (NodeStatus::Up, Some(_)) => {
                "This ZooKeeper instance is not currently serving requests".into()
            }
            (NodeStatus::Paused { .. }, _) => "(no answer: the server is paused)".into(),
            _ => "(connection refused: the server is down)".into(),
        };
        out.lines.push(ToolLine {
            text: format!("{id}  {line}"),
            node: Some(*id),
        });
    }
    Ok(out)
}

/// `zookeeper-shell <leader> get <path>`: a znode's data as the shell prints it, or its
/// NoNode error.
pub fn get(world: &World, path: &str) -> Result<String, String> {
    if !world.spec().is_zk() {
        return Err("this cluster runs in KRaft mode: there is no ZooKeeper".into());
    }
    let Some(leader) = world.zk_leader() else {
        return Err("Error: no ZooKeeper server is serving (the ensemble has no leader); zookeeper-shell keeps trying to connect".into());
    };
    let tree = world
        .node(leader)
        .and_then(|n| n.zk_data())
        .ok_or("no ZooKeeper data")?;
    Ok(match tree.get(path) {
        Some(z) => format!("{}\n", z.data),
        None => format!(
            "org.apache.zookeeper.KeeperException$NoNodeException: KeeperErrorCode = NoNode for {path}\n"
        ),
    })
}

/// `show controller`: the controller, its epoch and what it is doing.
pub fn describe_controller(world: &World) -> String {
    if !world.spec().is_zk() {
        return match world.active_leader().and_then(|l| {
            let s = world.node(l)?.server()?;
            s.is_active_controller()
                .then(|| (l, s.controller().and_then(|c| c.active_epoch())))
        }) {
            Some((l, epoch)) => format!(
                "active controller: {l} (epoch {})\nmode: KRaft (hot standby: the metadata is already in memory)\n",
                epoch.unwrap_or(0)
            ),
            None => "no active controller\n".into(),
        };
    }
    let Some((id, epoch)) = world.zk_controller() else {
        let named = world
            .zk_leader()
            .and_then(|l| world.node(l)?.zk_data()?.get("/controller").cloned());
        return match named {
            Some(z) => format!(
                "no running controller: /controller still names broker {}, which is not acting (down, paused or resigned); its ephemeral znode goes with its session\n",
                crate::zk::json::controller_broker(&z.data).unwrap_or(-1)
            ),
            None => "no controller: /controller does not exist\n".into(),
        };
    };
    let Some(c) = world
        .node(id)
        .and_then(|n| n.zk())
        .and_then(|p| p.broker())
        .and_then(|b| b.controller())
    else {
        return "no controller\n".into();
    };
    let now = world.now();
    let stage = match c.stage() {
        Stage::Ready => "ready".to_string(),
        s if c.busy_until() > now => format!(
            "{} ({} left)",
            s.name(),
            format_duration(c.busy_until().since(now))
        ),
        s => s.name().to_string(),
    };
    let paused = matches!(
        world.node(id).map(|n| n.status()),
        Some(NodeStatus::Paused { .. })
    );
    let modelled: u64 = c.modelled_leaders().values().sum();
    let mut out = format!(
        "controller: broker {id} (controller epoch {epoch}){}\nstate: {stage}\nlive brokers: {}\npartitions: {} drawn, {modelled} modelled; {} without a leader\n",
        if paused { ", paused" } else { "" },
        crate::zk::controller::join_ids(c.live()),
        c.partition_states().count(),
        c.offline()
    );
    if c.queued() > 0 {
        out += &format!("queued work: {}\n", c.queued());
    }
    out
}

/// The data tree the ZooKeeper-mode tools read: the serving leader's, or while the ensemble
/// elects, the most advanced server's (what the next leader will serve).
fn serving_tree(world: &World) -> Option<(NodeId, &crate::zk::tree::DataTree)> {
    if let Some(id) = world.zk_leader() {
        return Some((id, world.node(id)?.zk_data()?));
    }
    world
        .spec()
        .zookeepers
        .iter()
        .filter_map(|id| Some((*id, world.node(*id)?.zk_data()?)))
        .max_by_key(|(_, t)| t.iter().map(|(_, z)| z.czxid).max().unwrap_or(0))
}

/// ZooKeeper mode's topics as the metadata panel counts them: the names under
/// `/brokers/topics`, how many there are, their partitions (from each topic's assignment), and
/// a fingerprint of the tree that changes whenever a znode is created or deleted.
pub fn topic_summary(world: &World) -> Option<(Vec<String>, usize, usize, u64)> {
    let (_, tree) = serving_tree(world)?;
    let names = tree.children("/brokers/topics");
    let partitions = names
        .iter()
        .filter_map(|t| tree.get(&format!("/brokers/topics/{t}")))
        .filter_map(|z| crate::zk::json::parse_assignment(&z.data))
        .map(|a| a.len())
        .sum();
    let digest = tree
        .iter()
        .map(|(_, z)| z.czxid ^ ((z.version as u64) << 40))
        .fold(tree.len() as u64, |h, x| h.rotate_left(7) ^ x);
    let count = names.len();
    Some((names, count, partitions, digest))
}

/// `kafka-topics --describe` in ZooKeeper mode: the assignment from `/brokers/topics/<t>` and
/// each partition's leader and ISR from its `state` znode, which the controller writes.
pub fn describe_topics(world: &World) -> Result<String, String> {
    if !world.spec().is_zk() {
        return Err("this cluster runs in KRaft mode: there is no ZooKeeper".into());
    }
    let (_, tree) = serving_tree(world).ok_or("no ZooKeeper server holds any data")?;
    let mut out = String::new();
    for t in tree.children("/brokers/topics") {
        let Some(assignment) = tree
            .get(&format!("/brokers/topics/{t}"))
            .and_then(|z| crate::zk::json::parse_assignment(&z.data))
        else {
            continue;
        };
        let rf = assignment.first().map(Vec::len).unwrap_or(0);
        out += &format!(
            "Topic: {t}\tPartitionCount: {}\tReplicationFactor: {rf}\n",
            assignment.len()
        );
        for (p, replicas) in assignment.iter().enumerate() {
            let state = tree
                .get(&format!("/brokers/topics/{t}/partitions/{p}/state"))
                .and_then(|z| crate::zk::json::leader_and_isr(&z.data));
            let (leader, isr) = match state {
                Some((l, isr)) if l >= 0 => (l.to_string(), join(&isr)),
                Some((_, isr)) => ("none".to_string(), join(&isr)),
                // The controller has not written the partition's state yet.
                None => ("none".to_string(), "(no state znode yet)".to_string()),
            };
            out += &format!(
                "\tTopic: {t}\tPartition: {p}\tLeader: {leader}\tReplicas: {}\tIsr: {isr}\n",
                join(replicas)
            );
        }
    }
    if out.is_empty() {
        out = "(no topics yet: create one)".into();
    }
    Ok(out)
}

fn join(ids: &[i32]) -> String {
    ids.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// One znode as the ZooKeeper-mode log panel lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZnodeChange {
    /// The zxid of the transaction that created it.
    pub czxid: u64,
    /// Its path.
    pub path: String,
    /// How many times its data was set since.
    pub version: i32,
    /// Ephemeral: deleted when its owner's session ends.
    pub ephemeral: bool,
}

/// The newest `count` znodes of a ZooKeeper server's tree by creation zxid, newest first:
/// ZooKeeper mode's counterpart of the metadata log's tail (each ZAB transaction gets the
/// next zxid; the epoch is its high 32 bits).
pub fn newest_znodes(world: &World, server: NodeId, count: usize) -> Vec<ZnodeChange> {
    let Some(tree) = world.node(server).and_then(|n| n.zk_data()) else {
        return Vec::new();
    };
    let mut all: Vec<ZnodeChange> = tree
        .iter()
        .filter(|(path, _)| path.as_str() != "/")
        .map(|(path, z)| ZnodeChange {
            czxid: z.czxid,
            path: path.clone(),
            version: z.version,
            ephemeral: z.ephemeral_owner.is_some(),
        })
        .collect();
    all.sort_by(|a, b| b.czxid.cmp(&a.czxid).then_with(|| a.path.cmp(&b.path)));
    all.truncate(count);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::Timeline;
    use crate::scenario::cluster::parse_cluster;
    use crate::server::AdminOp;
    use crate::sim::UserAction;
    use crate::types::{secs, SimTime};

    #[test]
    fn a_topic_created_in_zookeeper_mode_is_described_from_its_znodes() {
        let words: Vec<String> = "zk zookeepers=3 brokers=3 seed=3"
            .split(' ')
            .map(String::from)
            .collect();
        let spec = parse_cluster(&words).expect("a spec");
        let mut t = Timeline::new(spec);
        t.advance_to(SimTime(secs(15)));
        assert_eq!(topic_summary(t.world()).map(|s| s.1), Some(0));
        t.act(UserAction::Admin(AdminOp::CreateTopic {
            name: "orders".into(),
            partitions: 2,
            replication_factor: 3,
            configs: Vec::new(),
        }))
        .expect("the controller takes the request");
        t.advance_to(SimTime(secs(20)));
        let (names, topics, partitions, _) = topic_summary(t.world()).expect("a summary");
        assert_eq!(
            (names, topics, partitions),
            (vec!["orders".to_string()], 1, 2)
        );
        let text = describe_topics(t.world()).expect("a description");
        assert!(
            text.starts_with("Topic: orders\tPartitionCount: 2\tReplicationFactor: 3\n"),
            "{text}"
        );
        assert!(text.contains("\tPartition: 1\tLeader: "), "{text}");
        assert!(
            !text.contains("no state znode"),
            "the controller wrote every state: {text}"
        );
        let newest = newest_znodes(t.world(), t.world().zk_leader().expect("a leader"), 5);
        assert!(newest.windows(2).all(|w| w[0].czxid >= w[1].czxid));
        assert!(newest
            .iter()
            .any(|z| z.path.starts_with("/brokers/topics/orders")));
        assert!(t
            .act(UserAction::Write { count: 1, to: None })
            .is_err_and(|e| e.contains("znodes")));
    }
}

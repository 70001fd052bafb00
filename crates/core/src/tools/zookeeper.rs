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

//! Plain listings for the scenario language: one node per line (`show nodes`), one record per
//! line (`show log`), the messages in flight (`show messages`).

use crate::sim::{NodeStatus, World};
use crate::trace::format_ms;
use crate::types::NodeId;

use super::pretty_print_table;

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

/// `show nodes`: every node's status, state, epoch, leader, vote, log end and HW (in
/// ZooKeeper mode, what `srvr` and the broker know instead: see [`zk_nodes`]).
pub fn nodes(world: &World) -> String {
    if world.spec().is_zk() {
        return zk_nodes(world);
    }
    let rows: Vec<Vec<String>> = world
        .nodes()
        .map(|n| {
            let r = n.replica();
            let disk = n.disk();
            let status = status(n.status());
            let role = match r {
                Some(r) if !r.is_voter() => format!("{} (observer)", r.role()),
                Some(r) => r.role().to_string(),
                None => "-".into(),
            };
            vec![
                n.id.to_string(),
                n.kind.name().to_string(),
                status,
                role,
                r.map(|r| r.epoch())
                    .or(disk.map(|d| d.election.epoch))
                    .unwrap_or(0)
                    .to_string(),
                opt(r.and_then(|r| r.leader())),
                opt(r.and_then(|r| r.voted())),
                disk.map(|d| d.log.end_offset()).unwrap_or(0).to_string(),
                opt(r.and_then(|r| r.high_watermark())),
            ]
        })
        .collect();
    pretty_print_table(
        &[
            "Node",
            "Kind",
            "Status",
            "State",
            "Epoch",
            "Leader",
            "Voted",
            "LogEndOffset",
            "HighWatermark",
        ],
        &rows,
    )
}

fn status(status: NodeStatus) -> String {
    match status {
        NodeStatus::Up => "up".to_string(),
        NodeStatus::Paused { until } => format!("paused until {}", format_ms(until)),
        NodeStatus::Crashed => "crashed".to_string(),
        NodeStatus::Stopped => "stopped".to_string(),
    }
}

/// `show nodes` for a ZooKeeper-mode cluster: a server's mode, epoch, leader and last zxid
/// (as `srvr` reports them; a stopped server's from its disk), and a broker's view: is it the
/// controller, which controller and controller epoch it obeys, its session.
pub fn zk_nodes(world: &World) -> String {
    let rows: Vec<Vec<String>> = world
        .nodes()
        .map(|n| {
            let server = n.zk().and_then(|p| p.server());
            let broker = n.zk().and_then(|p| p.broker());
            let (role, epoch, leader, zxid, session) = match (server, broker) {
                (Some(z), _) => (
                    z.role().name().to_string(),
                    z.epoch().to_string(),
                    opt(z.leader()),
                    format!("0x{:x}", z.last_zxid()),
                    "-".to_string(),
                ),
                (_, Some(b)) => (
                    if b.controller().is_some() {
                        "controller".to_string()
                    } else if b.broker_epoch().is_some() {
                        "broker".to_string()
                    } else {
                        "unregistered".to_string()
                    },
                    b.controller_epoch().to_string(),
                    opt(b.controller_id()),
                    "-".to_string(),
                    b.client()
                        .session()
                        .map(|s| format!("0x{s:x}"))
                        .unwrap_or_else(|| "-".into()),
                ),
                (None, None) => {
                    let disk = n.zk_disk();
                    (
                        "-".to_string(),
                        disk.map(|d| d.epoch).unwrap_or(0).to_string(),
                        "-".to_string(),
                        disk.map(|d| format!("0x{:x}", d.last_zxid))
                            .unwrap_or_else(|| "-".into()),
                        "-".to_string(),
                    )
                }
            };
            vec![
                n.id.to_string(),
                n.kind.name().to_string(),
                status(n.status()),
                role,
                epoch,
                leader,
                zxid,
                session,
            ]
        })
        .collect();
    pretty_print_table(
        &[
            "Node", "Kind", "Status", "Mode", "Epoch", "Leader", "LastZxid", "Session",
        ],
        &rows,
    )
}

/// `show log <node>`: the node's log, one record per line, with what is committed.
pub fn log(world: &World, id: NodeId) -> Result<String, String> {
    let node = world
        .node(id)
        .ok_or_else(|| format!("there is no node {id}"))?;
    let disk = node.disk().ok_or_else(|| format!("{id} has no disk"))?;
    let hw = node.replica().and_then(|r| r.high_watermark());
    let log = &disk.log;
    let mut out = format!(
        "Log of {id}: LogStartOffset={} LogEndOffset={} HighWatermark={}\n",
        log.start_offset(),
        log.end_offset(),
        hw.map(|h| h.to_string())
            .unwrap_or_else(|| "unknown".into())
    );
    let rows: Vec<Vec<String>> = log
        .entries(log.start_offset(), log.end_offset())
        .map(|(offset, epoch, record)| {
            let committed = match hw {
                Some(h) if offset < h => "yes",
                Some(_) => "no",
                None => "?",
            };
            vec![
                offset.to_string(),
                epoch.to_string(),
                committed.into(),
                record.to_string(),
            ]
        })
        .collect();
    out += &pretty_print_table(&["Offset", "Epoch", "Committed", "Record"], &rows);
    Ok(out)
}

/// `show messages`: what is on the wire now.
pub fn messages(world: &World) -> String {
    let rows: Vec<Vec<String>> = world
        .network()
        .in_flight()
        .map(|e| {
            vec![
                e.id.to_string(),
                format!("{}->{}", e.from, e.to),
                format_ms(e.sent_at),
                format_ms(e.deliver_at),
                format!(
                    "{}{}",
                    e.payload,
                    if e.doomed { " (will be lost)" } else { "" }
                ),
            ]
        })
        .collect();
    pretty_print_table(&["Id", "Link", "Sent", "Arrives", "Message"], &rows)
}

//! `kafka-metadata-quorum describe --status` and `describe --replication`, in Kafka's exact
//! format (`MetadataQuorumCommand.java`, docs/fidelity.md, DescribeQuorum).
//!
//! Like the real tool, the answer comes from the active controller's DescribeQuorum view: the
//! leader's own bookkeeping of each voter and observer, not the replicas' true state. With no
//! active controller the tool cannot answer.

use crate::kraft::leader::ReplicaProgress;
use crate::kraft::Replica;
use crate::sim::World;
use crate::types::{NodeId, SimTime};

use super::{pretty_print_table, ToolText};
use crate::uuid::{cluster_id, ZERO_UUID};

/// One row of DescribeQuorum's `ReplicaState`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaRow {
    /// `ReplicaId`.
    pub id: NodeId,
    /// `ReplicaDirectoryId`.
    pub directory_id: String,
    /// `LogEndOffset`, -1 if unknown.
    pub log_end_offset: i64,
    /// `LastFetchTimestamp` in epoch ms, if known.
    pub last_fetch_ms: Option<u64>,
    /// `LastCaughtUpTimestamp` in epoch ms, if known.
    pub last_caught_up_ms: Option<u64>,
}

/// The DescribeQuorum response the active controller would give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuorumInfo {
    /// `LeaderId`.
    pub leader_id: NodeId,
    /// `LeaderEpoch`.
    pub leader_epoch: u32,
    /// `HighWatermark` (-1 if unknown).
    pub high_watermark: i64,
    /// `CurrentVoters`, ascending.
    pub voters: Vec<ReplicaRow>,
    /// `Observers`, ascending.
    pub observers: Vec<ReplicaRow>,
    /// Cluster id.
    pub cluster_id: String,
    /// Wall-clock ms "now", for the leader's own row and `--human-readable`.
    pub now_ms: u64,
}

fn row(id: NodeId, p: &ReplicaProgress) -> ReplicaRow {
    ReplicaRow {
        id,
        directory_id: p.directory_id.to_string(),
        log_end_offset: p.end_offset.map(|o| o as i64).unwrap_or(-1),
        last_fetch_ms: p.last_fetch.map(SimTime::wall_clock_ms),
        last_caught_up_ms: p.last_caught_up.map(SimTime::wall_clock_ms),
    }
}

/// Asks the active controller, as the admin client does.
pub fn describe_quorum(world: &World) -> Result<QuorumInfo, String> {
    let leader = world.active_leader().ok_or_else(|| {
        "Error: no active controller. describeMetadataQuorum is answered by the leader only; \
         the admin client would retry until it times out."
            .to_string()
    })?;
    let replica: &Replica = world
        .node(leader)
        .and_then(|n| n.replica())
        .ok_or("the leader vanished")?;
    let state = replica.leader_state().ok_or("the leader is not leading")?;
    let seed = world.spec().seed;
    let now = world.now();
    // A static quorum (`controller.quorum.voters`, kraft.version 0) knows its voters by id
    // only: their directory id is Kafka's zero UUID (`VoterSet.fromInetSocketAddresses`). A
    // dynamic quorum's voters are shown with the directory id the voter set holds, which is
    // not the node's current disk if it was reformatted (that disk fetches as an observer).
    let static_quorum = !world.spec().quorum.dynamic_quorum;
    let voter_dir = |id: NodeId| {
        if static_quorum {
            ZERO_UUID.to_string()
        } else {
            replica.voter_directory(id).to_string()
        }
    };
    let voters = state
        .voters
        .iter()
        .map(|(id, p)| {
            if *id == leader {
                // The leader reports itself as fetched and caught up "now".
                ReplicaRow {
                    id: *id,
                    directory_id: voter_dir(*id),
                    log_end_offset: replica.log().end_offset() as i64,
                    last_fetch_ms: Some(now.wall_clock_ms()),
                    last_caught_up_ms: Some(now.wall_clock_ms()),
                }
            } else {
                ReplicaRow {
                    directory_id: voter_dir(*id),
                    ..row(*id, p)
                }
            }
        })
        .collect();
    let observers = state.observers.iter().map(|(id, p)| row(*id, p)).collect();
    Ok(QuorumInfo {
        leader_id: leader,
        leader_epoch: replica.epoch(),
        high_watermark: replica.high_watermark().map(|h| h as i64).unwrap_or(-1),
        voters,
        observers,
        cluster_id: cluster_id(seed),
        now_ms: now.wall_clock_ms(),
    })
}

/// One voter or observer as `describe --status` lists it; the zero UUID prints as `null`.
fn node_json(r: &ReplicaRow, endpoint: bool) -> String {
    let dir = if r.directory_id == ZERO_UUID {
        "null".to_string()
    } else {
        format!("\"{}\"", r.directory_id)
    };
    let mut s = format!("{{\"id\": {}, \"directoryId\": {dir}", r.id);
    if endpoint {
        s += &format!(
            ", \"endpoints\": [\"CONTROLLER://controller-{}:9093\"]",
            r.id
        );
    }
    s.push('}');
    s
}

/// `kafka-metadata-quorum describe --status`; the `LeaderId` line is tied to the leader.
pub fn describe_status(info: &QuorumInfo) -> ToolText {
    let leader = info.voters.iter().find(|v| v.id == info.leader_id);
    let laggard = info.voters.iter().min_by_key(|v| v.log_end_offset);
    let (lag, lag_time) = match (leader, laggard) {
        (Some(l), Some(m)) => {
            let lag = l.log_end_offset - m.log_end_offset;
            let time = if l.id == m.id {
                0
            } else {
                match (l.last_caught_up_ms, m.last_caught_up_ms) {
                    (Some(a), Some(b)) => a as i64 - b as i64,
                    _ => -1,
                }
            };
            (lag, time)
        }
        _ => (0, -1),
    };
    let list = |rows: &[ReplicaRow], endpoints: bool| {
        let items: Vec<String> = rows.iter().map(|r| node_json(r, endpoints)).collect();
        format!("[{}]", items.join(", "))
    };
    let text = format!(
        "ClusterId:              {}\n\
         LeaderId:               {}\n\
         LeaderEpoch:            {}\n\
         HighWatermark:          {}\n\
         MaxFollowerLag:         {}\n\
         MaxFollowerLagTimeMs:   {}\n\
         CurrentVoters:          {}\n\
         CurrentObservers:       {}\n",
        info.cluster_id,
        info.leader_id,
        info.leader_epoch,
        info.high_watermark,
        lag,
        lag_time,
        list(&info.voters, true),
        list(&info.observers, false),
    );
    ToolText::from_text(&text, |i| (i == 1).then_some(info.leader_id))
}

/// `kafka-metadata-quorum describe --replication [--human-readable]`; each row is tied to its
/// replica.
pub fn describe_replication(info: &QuorumInfo, human_readable: bool) -> ToolText {
    let leader_end = info
        .voters
        .iter()
        .find(|v| v.id == info.leader_id)
        .map(|v| v.log_end_offset)
        .unwrap_or(0);
    let stamp = |t: Option<u64>| match t {
        None => "-1".to_string(),
        Some(ms) if human_readable => format!("{} ms ago", info.now_ms.saturating_sub(ms)),
        Some(ms) => ms.to_string(),
    };
    let to_row = |r: &ReplicaRow, status: &str| {
        vec![
            r.id.to_string(),
            r.directory_id.clone(),
            r.log_end_offset.to_string(),
            (leader_end - r.log_end_offset).to_string(),
            stamp(r.last_fetch_ms),
            stamp(r.last_caught_up_ms),
            status.to_string(),
        ]
    };
    let mut rows = Vec::new();
    let mut ids = vec![None];
    ids.extend(
        info.voters
            .iter()
            .filter(|v| v.id == info.leader_id)
            .chain(info.voters.iter().filter(|v| v.id != info.leader_id))
            .chain(&info.observers)
            .map(|v| Some(v.id)),
    );
    rows.extend(
        info.voters
            .iter()
            .filter(|v| v.id == info.leader_id)
            .map(|v| to_row(v, "Leader")),
    );
    rows.extend(
        info.voters
            .iter()
            .filter(|v| v.id != info.leader_id)
            .map(|v| to_row(v, "Follower")),
    );
    rows.extend(info.observers.iter().map(|v| to_row(v, "Observer")));
    let text = pretty_print_table(
        &[
            "NodeId",
            "DirectoryId",
            "LogEndOffset",
            "Lag",
            "LastFetchTimestamp",
            "LastCaughtUpTimestamp",
            "Status",
        ],
        &rows,
    );
    ToolText::from_text(&text, |i| ids.get(i).copied().flatten())
}

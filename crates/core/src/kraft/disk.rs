//! What a KRaft replica keeps on disk: the election state (`quorum-state`), the metadata log,
//! the latest snapshot and `meta.properties`. A crash loses everything else; a restart starts
//! from this.

use crate::types::NodeId;

use super::log::{Log, Snapshot};
use super::state::ElectionState;

/// `meta.properties`, written by `kafka-storage format`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MetaProperties {
    /// `cluster.id`.
    pub cluster_id: String,
    /// `node.id` at format time.
    pub node_id: NodeId,
}

/// What survives a crash: the `quorum-state` file and the log (KRAFT.md §1.2).
///
/// Appends are durable as soon as they happen (the simulator's disks flush instantly), which is
/// what Kafka guarantees for voters before they fetch again.
#[derive(Clone, Debug, Default)]
pub struct Disk {
    /// The persisted election state.
    pub election: ElectionState,
    /// The metadata log.
    pub log: Log,
    /// How many times the process has started; makes correlation ids unique across restarts.
    pub incarnation: u32,
    /// `meta.properties`, written by `kafka-storage format`; `None` if never formatted.
    pub meta: Option<MetaProperties>,
    /// The latest snapshot; the log holds only what follows (or a little before) it.
    pub snapshot: Option<Snapshot>,
}

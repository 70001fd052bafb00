//! What a KRaft replica keeps on disk: the election state (`quorum-state`), the metadata log,
//! the latest snapshot and `meta.properties`. A crash loses everything else; a restart starts
//! from this.

use std::sync::Arc;

use crate::record::Voter;
use crate::types::NodeId;
use crate::uuid::Uuid;

use super::log::{Log, Snapshot};
use super::state::ElectionState;

/// `meta.properties`, written by `kafka-storage format`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MetaProperties {
    /// `cluster.id`.
    pub cluster_id: String,
    /// `node.id` at format time.
    pub node_id: NodeId,
    /// `directory.id` (KIP-858, KIP-853): the log directory's own id, new at every format. In
    /// a dynamic quorum a voter is `(node.id, directory.id)`, so a reformatted disk is a new
    /// replica that cannot vote in its old place.
    pub directory_id: Uuid,
}

/// What survives a crash: the `quorum-state` file and the log (docs/fidelity.md, Quorum states and
/// transitions).
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
    /// The bootstrap checkpoint `kafka-storage format --initial-controllers` writes in a
    /// dynamic quorum: the first voter set, each voter with its directory id. `None` for a
    /// static quorum and for a disk formatted later (`--no-initial-controllers`: the node
    /// joins as an observer and learns the voters from the leader).
    pub bootstrap_voters: Option<Arc<Vec<Voter>>>,
}

//! Every node's metadata image equals the replay of the committed log up to its metadata
//! offset (docs/fidelity.md, The metadata layer: the `MetadataLoader` builds the image from
//! committed batches only,
//! in order, once each).
//!
//! The checker replays the committed log itself into a reference image and remembers the
//! reference's fingerprint at every offset. It reads the committed records from the leader's
//! log only (a follower may hold a divergent copy), and jumps over what the leader holds only
//! in a snapshot. When a node reports a new metadata offset, its image must have exactly the
//! fingerprint the reference had at that offset: a loader that skipped, repeated or reordered
//! a record, applied one that was later truncated, or shared a memoized image it should not
//! have, shows up here. (That the committed log itself is the same everywhere is
//! `log_matching`'s and `committed_durable`'s business.)
//!
//! The fingerprints below every replica's log start are forgotten ([`Check::forget_below`]).

use super::{violation, Property, Violation};
use crate::chunked::OffsetVec;
use crate::kraft::Role;
use crate::metadata::image::MetadataImage;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::Offset;

/// The property.
pub const PROPERTY: Property = Property {
    name: "image_matches_log",
    statement: "every node's metadata image is the replay of the committed log up to its offset",
    source: "Kafka: MetadataLoader.handleCommit, MetadataDelta.replay",
};

/// The reference image and its `(digest, partitions)` at every offset so far (`None` for
/// offsets jumped over with a leader's snapshot), in shared chunks: checkpoints of the world
/// copy only what changed.
#[derive(Clone, Debug, Default)]
pub struct Check {
    reference: MetadataImage,
    at: OffsetVec<Option<(u64, usize)>>,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        let offset = match e.event {
            Event::MetadataLoaded { offset, .. } | Event::SnapshotLoaded { offset } => offset,
            _ => return,
        };
        let Some(node) = world.node(e.node) else {
            return;
        };
        let (Some(server), Some(disk)) = (node.server(), node.disk()) else {
            return;
        };
        if self.at.end() == 0 {
            self.at.push(Some((self.reference.digest, 0)));
        }
        let mut image = server.image().as_ref();
        if image.offset > offset && matches!(e.event, Event::SnapshotLoaded { .. }) {
            // The loader went on past the snapshot in the same step (a restarted only voter
            // leads, and knows its HW, at once): that step's MetadataLoaded checks the node's
            // image, and here the snapshot it loaded is checked, while it is still on disk.
            match disk.snapshot.as_ref().filter(|s| s.id.end_offset == offset) {
                Some(snapshot) => image = snapshot.image.as_ref(),
                None => return,
            }
        }
        if image.offset != offset {
            out.push(violation(
                &PROPERTY,
                e,
                format!(
                    "reported metadata offset {offset} but its image is at {}",
                    image.offset
                ),
            ));
            return;
        }
        // Extend the reference with the committed records, from the leader's log only.
        let leads = server.raft().role() == Role::Leader;
        if leads && offset > self.reference.offset {
            if let Some(snapshot) = disk.snapshot.as_ref().filter(|s| {
                s.id.end_offset > self.reference.offset
                    && disk.log.start_offset() > self.reference.offset
            }) {
                self.reference = (*snapshot.image).clone();
                self.at.fill_to(snapshot.id.end_offset, None);
                self.at.push(Some((
                    self.reference.digest,
                    self.reference.partition_count,
                )));
            }
            let reached = self.reference.offset;
            for (o, epoch, record) in disk.log.entries(reached, offset) {
                if let Err(why) = self.reference.apply(o, epoch, record) {
                    out.push(violation(
                        &PROPERTY,
                        e,
                        format!("the committed record at offset {o} does not replay: {why}"),
                    ));
                    return;
                }
                self.at.push(Some((
                    self.reference.digest,
                    self.reference.partition_count,
                )));
            }
        }
        let Some(&Some((digest, partitions))) = self.at.get(offset) else {
            // Not replayed yet, jumped over with a snapshot, or forgotten (`forget_below`):
            // nothing to compare.
            return;
        };
        if (image.digest, image.partition_count) != (digest, partitions) {
            out.push(violation(
                &PROPERTY,
                e,
                format!(
                    "its image at offset {offset} ({} partitions) differs from the replay of the committed log ({partitions} partitions)",
                    image.partition_count
                ),
            ));
        }
    }

    /// Forgets the fingerprints below `offset`, the lowest log start of every replica (the
    /// caller passes it after a snapshot moved one). Why that is safe: a node reports either
    /// a snapshot it holds, whose end is at or above its log start, or records it loaded from
    /// its own log, so every report is at or above its log start. A log start only moves up,
    /// except when a disk is wiped: its log then starts again at 0, empty, and gets records
    /// below `offset` only from a leader holding them — the first one elected with a log that
    /// ends below `offset`, below the committed end, which `committed_durable` reports at
    /// once. Only after that violation can a report below `offset` go unchecked here.
    pub fn forget_below(&mut self, offset: Offset) {
        self.at.forget_below(offset);
    }

    /// The reference's offset (for tests).
    pub fn replayed_to(&self) -> Offset {
        self.reference.offset
    }
}

//! A partition's leader epoch and partition epoch never decrease (docs/fidelity.md, The metadata
//! layer: on replay a
//! leader change increments leaderEpoch and every change increments partitionEpoch; brokers
//! and AlterPartition requests rely on them to reject stale state).
//!
//! Checked per node and process lifetime: every image a node loads is compared with the one
//! it loaded before, for the partitions that changed.

use super::loaded_images::LoadedImages;
use super::{violation, Property, Violation};
use crate::metadata::image::changed_partitions;
use crate::sim::World;
use crate::trace::TraceEvent;

/// The property.
pub const PROPERTY: Property = Property {
    name: "monotonic_partition_epochs",
    statement: "a partition's leader epoch and partition epoch never decrease",
    source: "Kafka: PartitionRegistration.merge: leaderEpoch and partitionEpoch",
};

/// The image each running node loaded last.
#[derive(Clone, Debug, Default)]
pub struct Check {
    images: LoadedImages,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        let Some((Some(prev), image)) = self.images.observe(world, e) else {
            return;
        };
        for (topic, p, before, now) in changed_partitions(&prev, &image) {
            let Some(before) = before else { continue };
            if now.leader_epoch < before.leader_epoch
                || now.partition_epoch < before.partition_epoch
            {
                out.push(violation(
                    &PROPERTY,
                    e,
                    format!(
                        "{}-{p} went from leader epoch {} / partition epoch {} to {} / {}",
                        topic.name,
                        before.leader_epoch,
                        before.partition_epoch,
                        now.leader_epoch,
                        now.partition_epoch
                    ),
                ));
            }
        }
    }
}

//! A partition's leader is always a member of its ISR (docs/fidelity.md, The metadata layer:
//! fencing and controlled
//! shutdown move leadership *and* shrink ISRs in the same PartitionChangeRecords; the
//! controller elects leaders from the ISR only).
//!
//! Checked on every image a node loads, for the partitions that changed since its previous
//! image (images share unchanged topics, so this is cheap).

use super::loaded_images::LoadedImages;
use super::{violation, Property, Violation};
use crate::metadata::image::changed_partitions;
use crate::record::NO_LEADER;
use crate::sim::World;
use crate::trace::TraceEvent;

/// The property.
pub const PROPERTY: Property = Property {
    name: "leader_in_isr",
    statement: "a partition's leader is always in its ISR",
    source: "Kafka: ReplicationControlManager.handleBrokerFenced, PartitionChangeBuilder",
};

/// The image each running node loaded last.
#[derive(Clone, Debug, Default)]
pub struct Check {
    images: LoadedImages,
}

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, world: &World, e: &TraceEvent, out: &mut Vec<Violation>) {
        let Some((prev, image)) = self.images.observe(world, e) else {
            return;
        };
        // A node's first image is checked whole.
        let prev = prev.unwrap_or_default();
        for (topic, p, _, now) in changed_partitions(&prev, &image) {
            if now.leader != NO_LEADER && !now.isr.contains(&now.leader) {
                out.push(violation(
                    &PROPERTY,
                    e,
                    format!(
                        "{}-{p} is led by {} but its ISR is {} (image offset {})",
                        topic.name,
                        now.leader,
                        crate::text::List(&now.isr),
                        image.offset
                    ),
                ));
            }
        }
    }
}

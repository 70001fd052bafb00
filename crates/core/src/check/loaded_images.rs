//! The image each running node loaded last, for the checkers that compare a node's new
//! metadata image with its previous one (only the partitions that changed are looked at).

use crate::flat::FlatMap;
use std::sync::Arc;

use crate::metadata::image::MetadataImage;
use crate::sim::World;
use crate::trace::{Event, TraceEvent};
use crate::types::NodeId;

/// The last image per running node; a crash, stop or restart forgets it.
#[derive(Clone, Debug, Default)]
pub struct LoadedImages {
    last: FlatMap<NodeId, Arc<MetadataImage>>,
}

impl LoadedImages {
    /// On an image load, the node's previous image (if it had one) and the new one, which is
    /// remembered; `None` for every other event.
    pub fn observe(
        &mut self,
        world: &World,
        e: &TraceEvent,
    ) -> Option<(Option<Arc<MetadataImage>>, Arc<MetadataImage>)> {
        match e.event {
            Event::Crashed | Event::Stopped | Event::Restarted => {
                self.last.remove(&e.node);
                None
            }
            Event::MetadataLoaded { .. } | Event::SnapshotLoaded { .. } => {
                let image = world.node(e.node)?.server()?.image().clone();
                let prev = self.last.insert(e.node, image.clone());
                Some((prev, image))
            }
            _ => None,
        }
    }
}

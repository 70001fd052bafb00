//! Questions about the metadata the world's nodes hold, asked by the views, the tools, the
//! conditions and the sweeps: whose image is authoritative, how far behind a node is.

use std::sync::Arc;

use crate::message::MsgId;
use crate::metadata::image::MetadataImage;
use crate::types::{NodeId, Offset};

use super::world::World;

impl World {
    /// The committed image a running node holds, or why there is none.
    pub fn image_of(&self, id: NodeId) -> Result<&Arc<MetadataImage>, String> {
        let node = self
            .node(id)
            .ok_or_else(|| format!("there is no node {id}"))?;
        node.server().map(|s| s.image()).ok_or_else(|| {
            format!(
                "{id} is down: its metadata image was in memory (a restart rebuilds it from its log)"
            )
        })
    }

    /// The image of the active controller, which `kafka-topics` and the conditions consult.
    pub fn leader_image(&self) -> Result<&Arc<MetadataImage>, String> {
        let leader = self
            .active_leader()
            .ok_or("there is no active controller right now")?;
        self.image_of(leader)
    }

    /// The image conditions consult: the active controller's, or during an election the most
    /// advanced image of a running controller (the metadata survives the leader).
    pub fn authority_image(&self) -> Result<&Arc<MetadataImage>, String> {
        if let Ok(image) = self.leader_image() {
            return Ok(image);
        }
        self.nodes()
            .filter(|n| n.kind.has_controller())
            .filter_map(|n| n.server())
            .map(|s| s.image())
            .max_by_key(|i| i.offset)
            .ok_or_else(|| "no controller is running: nobody holds the metadata".to_string())
    }

    /// How far a node's image is behind the active controller's high watermark.
    pub fn metadata_lag(&self, id: NodeId) -> Result<Offset, String> {
        let image = self.image_of(id)?;
        let hw = self
            .active_leader()
            .and_then(|l| self.node(l))
            .and_then(|n| n.replica())
            .and_then(|r| r.high_watermark())
            .ok_or("there is no active controller with a known high watermark")?;
        Ok(hw.saturating_sub(image.offset))
    }

    /// The next message to arrive that matches an API name (any case), a sender and a
    /// receiver, for `drop next`.
    pub fn next_message(
        &self,
        name: Option<&str>,
        from: Option<NodeId>,
        to: Option<NodeId>,
    ) -> Option<MsgId> {
        self.network()
            .in_flight()
            .filter(|e| !e.doomed)
            .filter(|e| name.is_none_or(|n| e.payload.name().eq_ignore_ascii_case(n)))
            .filter(|e| from.is_none_or(|f| e.from == f))
            .filter(|e| to.is_none_or(|t| e.to == t))
            .min_by_key(|e| (e.deliver_at, e.id))
            .map(|e| e.id)
    }
}

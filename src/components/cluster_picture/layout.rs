//! Where the picture places each node: controllers (or ZooKeeper servers) on a ring, brokers in
//! rows beneath it.

use kraftlab_core::flat::FlatMap;

use kraftlab_core::sim::{ClusterView, NodeKind};
use kraftlab_core::types::NodeId;

/// Where each node is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Node centres.
    pub pos: FlatMap<NodeId, (f64, f64)>,
    /// Height of the picture.
    pub height: f64,
    /// Width of the picture.
    pub width: f64,
}

/// Width of the picture's coordinate system on wide screens.
pub const WIDTH: f64 = 640.0;
/// Width on phones: a narrower system draws everything larger.
pub const NARROW_WIDTH: f64 = 420.0;
/// Radius of a controller's circle.
pub const CONTROLLER_R: f64 = 28.0;
/// Half the side of a broker's square.
pub const BROKER_R: f64 = 20.0;

/// Places controllers on a ring and brokers in rows under it, in a picture `width` wide.
pub fn layout(view: &ClusterView, width: f64) -> Layout {
    let controllers: Vec<NodeId> = view
        .nodes
        .iter()
        .filter(|n| n.kind.has_controller() || n.kind == NodeKind::ZooKeeper)
        .map(|n| n.id)
        .collect();
    let brokers: Vec<NodeId> = view
        .nodes
        .iter()
        .filter(|n| matches!(n.kind, NodeKind::Broker | NodeKind::ZkBroker))
        .map(|n| n.id)
        .collect();
    let mut pos = FlatMap::new();
    let n = controllers.len().max(1) as f64;
    let ring = if controllers.len() <= 1 {
        0.0
    } else {
        (55.0 + 22.0 * n).min(150.0).min(width / 2.0 - 50.0)
    };
    let cx = width / 2.0;
    let cy = 40.0 + ring + CONTROLLER_R;
    for (i, id) in controllers.iter().enumerate() {
        let a = -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI * i as f64 / n;
        pos.insert(
            *id,
            (
                cx + ring * crate::math::cos(a),
                cy + ring * crate::math::sin(a),
            ),
        );
    }
    let mut height = cy + ring + CONTROLLER_R + 40.0;
    if !brokers.is_empty() {
        let per_row = if width < WIDTH { 5usize } else { 8 };
        let rows = brokers.len().div_ceil(per_row);
        let top = height + 20.0;
        for (i, id) in brokers.iter().enumerate() {
            let row = i / per_row;
            let in_row = brokers.len().min((row + 1) * per_row) - row * per_row;
            let col = i % per_row;
            let spacing = (width - 80.0) / in_row as f64;
            let x = 40.0 + spacing * (col as f64 + 0.5);
            pos.insert(*id, (x, top + row as f64 * 70.0));
        }
        height = top + (rows - 1) as f64 * 70.0 + BROKER_R + 36.0;
    }
    Layout { pos, height, width }
}

//! The engine: the deterministic discrete-event simulator (clock, event queue, network, nodes,
//! faults). It imports nothing above it: checkers watch it through [`observe`], drivers
//! (`crate::run`) and the scenario language drive it from above.
//!
//! - [`world`]: the world and its event loop;
//! - [`spec`]: what a run is built from ([`ClusterSpec`]): the cluster's shape, seed and settings;
//! - [`network`]: links, latency, loss, duplication, reordering, partitions;
//! - [`node`]: a machine's process and disk; crash, stop, pause;
//! - [`action`]: what a user can do, validated;
//! - [`observe`]: the hook through which the invariant checkers watch every step;
//! - [`queue`]: the (time, sequence) event queue;
//! - [`query`]: which node's metadata image answers a question, and how far behind a node is;
//! - [`view`]: the plain-data snapshot the UI renders;

pub mod action;
mod apply;
pub mod network;
pub mod node;
pub mod observe;
pub mod query;
pub mod queue;
pub mod spec;
pub mod view;
pub mod world;

pub use action::UserAction;
pub use network::{NetworkChange, NetworkConfig};
pub use node::{Clock, NodeKind, NodeStatus, SimNode};
pub use spec::ClusterSpec;
pub use view::ClusterView;
pub use world::{Stats, World};

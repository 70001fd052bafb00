//! The deterministic discrete-event simulator: clock, event queue, network, nodes, faults.
//!
//! - [`world`]: the world and its event loop;
//! - [`network`]: links, latency, loss, duplication, reordering, partitions;
//! - [`node`]: a machine's process and disk; crash, stop, pause;
//! - [`action`]: what a user can do, validated;
//! - [`observe`]: the hook through which the invariant checkers watch every step;
//! - [`queue`]: the (time, sequence) event queue;
//! - [`query`]: which node's metadata image answers a question, and how far behind a node is;
//! - [`swarm`]: seeded fault sweeps (safety, then liveness);
//! - [`view`]: the plain-data snapshot the UI renders;
//! - [`timeline`]: time travel (checkpoints, seek, fork-on-action) and the event feed;
//! - [`share`]: runs as share links;
//! - [`bench`]: the metadata benchmark (shared by the CLI and the wasm32 build).

pub mod action;
pub mod bench;
pub mod network;
pub mod node;
pub mod observe;
pub mod query;
pub mod queue;
pub mod reference;
pub mod share;
pub mod swarm;
pub mod timeline;
pub mod view;
pub mod world;

pub use action::UserAction;
pub use network::NetworkConfig;
pub use node::{NodeKind, NodeStatus, SimNode};
pub use timeline::{FeedItem, Timeline};
pub use view::ClusterView;
pub use world::{ClusterSpec, Stats, World};

//! The metadata layer on top of KRaft: records become a metadata image on every node.
//!
//! - [`image`]: the image and how records apply to it (shared between nodes by a memo);
//! - [`placement`]: where new replicas go;
//! - [`rpc`]: the controller RPCs (broker registration, heartbeat, AlterPartition).

pub mod image;
pub mod placement;
pub mod rpc;

//! The metadata layer on top of KRaft: records become a metadata image on every node.
//!
//! - [`configs`]: topic and broker configs, validated as Kafka validates them;
//! - [`image`]: the image and how records apply to it (shared between nodes by a memo);
//! - [`placement`]: where new replicas go;
//! - [`rpc`]: the controller RPCs (broker registration, heartbeat, AlterPartition).

pub mod configs;
pub mod image;
pub mod placement;
pub mod rpc;

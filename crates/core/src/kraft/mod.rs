//! KRaft: Kafka's pull-based dialect of Raft, one replica at a time, sans-IO.
//!
//! Where things happen:
//! - [`state`]: the states and the transition table (Kafka's `QuorumState`);
//! - `transition.rs`: the one function every state change goes through;
//! - `election.rs`: Vote, PreVote, candidacy, backoff, BeginQuorumEpoch;
//! - `replication.rs`: Fetch, the long-poll, divergence and truncation, the high watermark;
//! - `resign.rs`: graceful shutdown, EndQuorumEpoch, the Resigned state;
//! - `membership.rs`: the voter set from VotersRecords, add and remove a voter (KIP-853);
//! - [`snapshot`]: taking, serving and loading snapshots (KIP-630, FetchSnapshot);
//! - [`leader`]: the leader's per-replica progress and check-quorum;
//! - [`log`]: the replicated log and its epoch cache;
//! - [`rpc`]: the messages; [`config`]: the timings, with Kafka's defaults.
//!
//! KRaft vs textbook Raft, in one breath: followers *pull* with Fetch instead of receiving
//! AppendEntries; divergence is found by epoch and fixed in one truncation; the leader announces
//! itself with BeginQuorumEpoch because it has no heartbeat push; the high watermark is Raft's
//! commit index and moves only once a record of the leader's own epoch is on a majority of
//! voters; observers (brokers) replicate but never vote or count.

pub mod config;
pub mod disk;
mod election;
pub mod leader;
pub mod log;
mod membership;
mod replica;
mod replication;
pub mod requests;
mod resign;
pub mod rpc;
pub mod snapshot;
pub mod state;
#[cfg(test)]
pub(crate) mod testing;
mod transition;

pub use config::QuorumConfig;
pub use disk::{Disk, MetaProperties};
pub use replica::Replica;
pub use state::{ElectionState, Role, State};

//! # KRaft Lab core
//!
//! A deterministic simulator of a Kafka cluster's metadata quorum: KRaft controllers and brokers
//! (and, for comparison, the ZooKeeper-mode controller), the network between them, and the
//! faults a user can inject. The same code runs natively (tests, the `kraftlab` command) and in
//! the browser (compiled to WebAssembly).
//!
//! Rules the whole crate follows:
//! - **Sans-IO.** A replica never touches time, the network, storage or randomness; it reacts
//!   to a message or a poll and returns effects ([`effect`]). It asks for random values as
//!   ranges; only the simulator draws them.
//! - **Deterministic.** One event queue ordered by (time, sequence), one seeded generator
//!   ([`rng`]), ordered collections only. The same seed and the same user actions give the same
//!   run, byte for byte, on every target.
//! - **Observable.** Every step is a [`trace`] event; the UI, the scenario runner and the
//!   invariant checkers all read them.
//! - **Kafka's words.** Epoch, offset, high watermark, voters, observers, Fetch, Vote,
//!   BeginQuorumEpoch, EndQuorumEpoch, and Kafka's record names.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// The core's version, shown by the app and the CLI.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The simulation engine's behaviour version. A share link stores it; a link made by an engine
/// that would replay differently is refused rather than half-loaded. Bump it whenever a change
/// alters what a given seed and action list produce.
pub const ENGINE_VERSION: u32 = 4;

pub mod check;
pub mod chunked;
pub mod costs;
pub mod decimal;
pub mod effect;
pub mod flat;
pub mod kraft;
pub mod lesson;
pub mod limits;
pub mod message;
pub mod metadata;
pub mod record;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod server;
pub mod sim;
pub mod text;
pub mod tools;
pub mod trace;
pub mod types;
pub mod uuid;
pub mod zk;

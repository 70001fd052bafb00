//! Drivers above the engine: they build worlds, push actions into them and read what happens.
//!
//! - [`timeline`]: time travel for the app (checkpoints, seek, fork-on-action) and its feed;
//! - [`console`]: the scenario language typed at a running timeline (console, lesson chips);
//! - [`swarm`]: seeded fault sweeps (a safety phase, then a liveness phase);
//! - [`bench`]: the core and metadata benchmarks (shared by the CLI and the wasm32 build);
//! - [`reference`]: the reference run whose digest must match natively and in the browser;
//! - [`script`]: a scenario script recorded as a run (an embed of a page's own scenario);
//! - [`compare`]: one fault replayed in ZooKeeper mode and in KRaft mode;
//! - [`diagram`]: a share link's run or a scenario file's drawn as a space-time diagram;
//! - [`failover`]: how long a KRaft failover takes, over many seeds.

pub mod bench;
pub mod compare;
pub mod console;
pub mod diagram;
pub mod failover;
pub mod reference;
pub mod script;
pub mod swarm;
pub mod timeline;

pub use timeline::{FeedItem, FeedLevel, Pacing, Timeline};

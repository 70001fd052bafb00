//! The lesson player's pieces that are not drawing: which lessons exist ([`catalog`]), their
//! Markdown made safe ([`markdown`]), what the learner has done ([`progress`]) and the step
//! being played ([`player`]), and an exercise attempt ([`attempt`]). The lesson format and its checks live in the core
//! (`kraftlab_core::lesson`), shared with `kraftlab lesson` and the tests.

pub mod attempt;
pub mod catalog;
pub mod fetch;
pub mod fnv;
pub mod markdown;
pub mod player;
pub mod progress;

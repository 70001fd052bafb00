//! The world's one hook for whatever watches a run: after every step the world hands the
//! step's events to its observer and files what it reports. The invariant checkers
//! (`crate::check`) are the observer of every test and of the app; the engine itself knows
//! only this trait, so it never imports a checker.

use std::any::Any;
use std::fmt;

use crate::message::Envelope;
use crate::trace::TraceEvent;
use crate::types::{NodeId, SimTime};

/// Watches a run of a world `W` (the engine's `World`) step by step. Cloning the world clones
/// its observer, so a checkpoint carries what the observer has learned so far. The world type
/// is a parameter so that this hook does not depend on the world it is installed in. Any
/// `Clone` observer gets its copying and finding-by-type for free ([`ObserverObject`]).
pub trait Observer<W>: ObserverObject<W> {
    /// Looks at one step's events, with the world as it is after them; returns what broke.
    fn observe(&mut self, world: &W, events: &[TraceEvent]) -> Vec<Violation>;

    /// Sees a message as it is put on the network (delivered later, or lost), whether or not
    /// the trace is being recorded: a checker judges what a node *sent*, not only what it
    /// stored. Anything broken is reported with the step's other findings.
    fn sent(&mut self, at: SimTime, env: &Envelope, out: &mut Vec<Violation>) {
        let _ = (at, env, out);
    }

    /// Sees a user action the world just applied (it is the world's `last_action`): what a
    /// lesson's goals count.
    fn acted(&mut self, world: &W) {
        let _ = world;
    }
}

/// What the world needs of an installed observer besides watching: a copy for a cloned world,
/// and `Any` so that whoever installed it can find it again by its type. Implemented once, for
/// every `Clone` observer.
pub trait ObserverObject<W>: Send + Sync + Any {
    /// A copy of this observer for a cloned world.
    fn clone_box(&self) -> Box<dyn Observer<W>>;

    /// The observer as `Any`.
    fn as_any(&self) -> &dyn Any;

    /// The observer as `Any`, for change.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<W: 'static, T: Observer<W> + Clone + Send + Sync> ObserverObject<W> for T {
    fn clone_box(&self) -> Box<dyn Observer<W>> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl<W: 'static> Clone for Box<dyn Observer<W>> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// An observer prints as its name only. `Debug` is not a supertrait of [`Observer`]: it would
/// put every checker's derived `Debug` (and the images they hold) in the trait's vtable, and so
/// in the browser bundle, where nothing prints them.
impl<W> fmt::Debug for dyn Observer<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer")
    }
}

/// A broken invariant: which property, where, when, and what was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// When it was detected.
    pub at: SimTime,
    /// The property's name (see `crate::check::PROPERTIES`).
    pub property: &'static str,
    /// The node it was seen on.
    pub node: NodeId,
    /// What was seen.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {} on {}: {}",
            self.property,
            crate::trace::format_ms(self.at),
            self.node,
            self.detail
        )
    }
}

//! The boundary between a sans-IO node and the simulator.
//!
//! A node never touches time, the network or randomness itself. The simulator calls it with a
//! [`Ctx`] that tells the current virtual time, lends the world's one seeded generator (so that
//! election timeouts are drawn in a reproducible order) and collects what the node wants done:
//! messages to send and events to trace.

use crate::message::Payload;
use crate::rng::SimRng;
use crate::trace::Event;
use crate::types::{NodeId, SimTime};

/// Something a node asks the simulator to do.
#[derive(Clone, Debug)]
pub enum Output {
    /// Put a message on the network.
    Send {
        /// Receiver.
        to: NodeId,
        /// The message.
        payload: Payload,
    },
    /// Record an observable step (state change, vote, append, …).
    Event(Event),
    /// The process has finished: a graceful shutdown completed, or (with a reason) it gave up.
    ShutdownComplete {
        /// Why it stopped on its own, if it did.
        why: Option<String>,
    },
}

/// What a node gets on every call: the time, the randomness, and somewhere to put effects.
pub struct Ctx<'a> {
    /// Current virtual time.
    pub now: SimTime,
    /// The world's generator; draws happen in event order, which keeps runs reproducible.
    pub rng: &'a mut SimRng,
    /// Effects, in the order the node produced them.
    pub out: &'a mut Vec<Output>,
}

impl<'a> Ctx<'a> {
    /// Bundles the pieces the simulator lends a node for one call.
    pub fn new(now: SimTime, rng: &'a mut SimRng, out: &'a mut Vec<Output>) -> Ctx<'a> {
        Ctx { now, rng, out }
    }

    /// Queues a message.
    pub fn send(&mut self, to: NodeId, payload: Payload) {
        self.out.push(Output::Send { to, payload });
    }

    /// Records an event.
    pub fn emit(&mut self, event: Event) {
        self.out.push(Output::Event(event));
    }
}

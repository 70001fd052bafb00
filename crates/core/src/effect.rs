//! The boundary between a sans-IO node and the simulator.
//!
//! A node never touches time, the network or randomness itself. The simulator calls it with a
//! [`Ctx`] that tells the current virtual time, resolves the node's requests for random values
//! and collects what the node wants done: messages to send and events to trace.
//!
//! ## Randomness: nodes ask for ranges, only the simulator draws
//!
//! A node that needs a random value (an election timeout, a backoff, which voter to fetch from,
//! a topic id) states what it wants: a range ([`Ctx::draw`]), a set to choose from
//! ([`Ctx::choose`]) or a fresh id ([`Ctx::draw_uuid`]). The simulator resolves the request
//! from the world's one seeded generator, in event order, so the same seed and the same user
//! actions always give the same values. The generator itself stays private to the simulator: a
//! node cannot draw behind its back or in an order of its own.
//!
//! The request is answered synchronously, inside the call, rather than as an [`Output`] the
//! simulator answers later: a poll-based replica like Kafka's `KafkaRaftClient` owns its
//! deadlines, so it must know its next election timeout before the call returns.

use std::ops::Range;

use crate::message::Payload;
use crate::rng::SimRng;
use crate::trace::Event;
use crate::types::{NodeId, SimTime};
use crate::uuid::Uuid;

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

/// What a node gets on every call: the time, answers to its requests for random values, and
/// somewhere to put effects.
pub struct Ctx<'a> {
    /// Current virtual time.
    pub now: SimTime,
    /// The world's generator. Private: a node asks through [`Ctx::draw`] and friends and the
    /// simulator draws, in event order, which keeps runs reproducible.
    rng: &'a mut SimRng,
    /// Effects, in the order the node produced them.
    pub out: &'a mut Vec<Output>,
}

impl<'a> Ctx<'a> {
    /// Bundles the pieces the simulator lends a node for one call.
    pub fn new(now: SimTime, rng: &'a mut SimRng, out: &'a mut Vec<Output>) -> Ctx<'a> {
        Ctx { now, rng, out }
    }

    /// A uniform value in `range` (end excluded), resolved by the simulator from the world's
    /// generator; `range.start` if the range is empty. Draws exactly what
    /// `range.start + SimRng::below(len)` draws, so a run stays value-stable.
    pub fn draw(&mut self, range: Range<u64>) -> u64 {
        range.start + self.rng.below(range.end.saturating_sub(range.start))
    }

    /// One of `items`, chosen uniformly by the simulator; `None` (and no draw) if it is empty.
    pub fn choose<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        self.rng.pick(items)
    }

    /// A fresh random 128-bit id (a topic id, a broker incarnation): the simulator draws the
    /// high 64 bits, then the low 64 bits.
    pub fn draw_uuid(&mut self) -> Uuid {
        let high = self.rng.next_u64();
        let low = self.rng.next_u64();
        Uuid(((high as u128) << 64) | low as u128)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The requests draw exactly what the direct calls they replaced drew, so every recorded
    /// run replays unchanged.
    #[test]
    fn requests_draw_what_the_former_direct_calls_drew() {
        for seed in [0, 1, 42, 7_777] {
            let mut world_rng = SimRng::new(seed);
            let mut direct = SimRng::new(seed);
            let mut out = Vec::new();
            let mut ctx = Ctx::new(SimTime(0), &mut world_rng, &mut out);
            // The election timeout: t + below(t).
            assert_eq!(ctx.draw(1000..2000), 1000 + direct.below(1000));
            // A ZooKeeper client's attempt number: the top 48 bits of one draw (a power-of-two
            // bound never rejects).
            assert_eq!(ctx.draw(0..1 << 48), direct.next_u64() >> 16);
            assert_eq!(ctx.choose(&[3, 5, 8]), direct.pick(&[3, 5, 8]));
            assert_eq!(ctx.choose::<u8>(&[]), None);
            let high = direct.next_u64() as u128;
            let low = direct.next_u64() as u128;
            assert_eq!(ctx.draw_uuid(), Uuid((high << 64) | low));
            // An empty range draws nothing.
            assert_eq!(ctx.draw(5..5), 5);
            assert_eq!(ctx.draw(0..10), direct.below(10));
        }
    }
}

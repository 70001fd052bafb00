//! The one event queue, ordered by (virtual time, sequence number).
//!
//! The sequence number breaks ties in insertion order, which is what makes two runs of the same
//! seed process simultaneous events in the same order (Kafka's `RaftEventSimulationTest` does
//! the same).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::message::MsgId;
use crate::types::{NodeId, SimTime};

/// What happens when an entry comes due.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// A message arrives.
    Deliver(MsgId),
    /// A node's next deadline: poll it.
    Wake(NodeId),
    /// A paused node resumes.
    Resume(NodeId),
    /// A component with its own clock (ZooKeeper, cost-model work) has something due.
    Tick(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    at: SimTime,
    seq: u64,
    due: Due,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: invert to pop the earliest first.
        other.at.cmp(&self.at).then(other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A deterministic priority queue of due events.
#[derive(Clone, Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl EventQueue {
    /// Schedules `due` at `at`.
    pub fn push(&mut self, at: SimTime, due: Due) {
        self.seq += 1;
        self.heap.push(Entry {
            at,
            seq: self.seq,
            due,
        });
    }

    /// The time of the earliest entry.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.at)
    }

    /// Removes and returns the earliest entry.
    pub fn pop(&mut self) -> Option<(SimTime, Due)> {
        self.heap.pop().map(|e| (e.at, e.due))
    }

    /// Number of queued entries (some may be stale wake-ups).
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True if nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earliest_first_then_insertion_order() {
        let mut q = EventQueue::default();
        q.push(SimTime(20), Due::Wake(NodeId(1)));
        q.push(SimTime(10), Due::Wake(NodeId(2)));
        q.push(SimTime(10), Due::Wake(NodeId(3)));
        q.push(SimTime(10), Due::Deliver(9));
        assert_eq!(q.pop(), Some((SimTime(10), Due::Wake(NodeId(2)))));
        assert_eq!(q.pop(), Some((SimTime(10), Due::Wake(NodeId(3)))));
        assert_eq!(q.pop(), Some((SimTime(10), Due::Deliver(9))));
        assert_eq!(q.pop(), Some((SimTime(20), Due::Wake(NodeId(1)))));
        assert_eq!(q.pop(), None);
    }
}

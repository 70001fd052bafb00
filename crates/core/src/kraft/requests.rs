//! Outstanding requests, one per destination, as Kafka's `RequestManager` keeps them.
//!
//! A replica has at most one request in flight to each node. A response is acted on only if it
//! answers that request (same correlation id); an unanswered request times out after
//! `controller.quorum.request.timeout.ms` and the destination is then backed off for
//! `controller.quorum.retry.backoff.ms`. Every state transition resets all of it, so a response
//! to a request sent in an older state is ignored.

use crate::flat::FlatMap;

use crate::types::{NodeId, SimTime};

#[derive(Clone, Debug)]
struct InFlight {
    correlation: u64,
    name: &'static str,
    deadline: SimTime,
}

/// Per-destination connection state.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    in_flight: FlatMap<NodeId, InFlight>,
    backoff_until: FlatMap<NodeId, SimTime>,
}

impl Requests {
    /// True if a new request to `to` may be sent now.
    pub fn is_ready(&self, to: NodeId, now: SimTime) -> bool {
        !self.in_flight.contains_key(&to)
            && self
                .backoff_until
                .get(&to)
                .is_none_or(|until| *until <= now)
    }

    /// True if a request to `to` is waiting for its answer.
    pub fn is_awaiting(&self, to: NodeId) -> bool {
        self.in_flight.contains_key(&to)
    }

    /// True if `to` is being backed off after a failure.
    pub fn is_backing_off(&self, to: NodeId, now: SimTime) -> bool {
        self.backoff_until
            .get(&to)
            .is_some_and(|until| *until > now)
    }

    /// Records a request just sent.
    pub fn sent(&mut self, to: NodeId, correlation: u64, name: &'static str, deadline: SimTime) {
        self.backoff_until.remove(&to);
        self.in_flight.insert(
            to,
            InFlight {
                correlation,
                name,
                deadline,
            },
        );
    }

    /// Accepts a response if it answers the request in flight to `from`; returns false for
    /// stale or unexpected responses, which the caller ignores.
    pub fn accept_response(&mut self, from: NodeId, correlation: u64) -> bool {
        match self.in_flight.get(&from) {
            Some(f) if f.correlation == correlation => {
                self.in_flight.remove(&from);
                true
            }
            _ => false,
        }
    }

    /// Marks `to` as failed: it is backed off until `until`.
    pub fn fail(&mut self, to: NodeId, until: SimTime) {
        self.in_flight.remove(&to);
        self.backoff_until.insert(to, until);
    }

    /// Removes every request whose deadline has passed and backs its destination off until
    /// `retry_at`; returns the destinations and API names that timed out.
    pub fn expire(&mut self, now: SimTime, retry_at: SimTime) -> Vec<(NodeId, &'static str)> {
        let expired: Vec<(NodeId, &'static str)> = self
            .in_flight
            .iter()
            .filter(|(_, f)| f.deadline <= now)
            .map(|(to, f)| (*to, f.name))
            .collect();
        for (to, _) in &expired {
            self.fail(*to, retry_at);
        }
        self.backoff_until.retain(|_, until| *until > now);
        expired
    }

    /// The earliest time something here changes on its own (a timeout or a backoff ending).
    pub fn next_deadline(&self, now: SimTime) -> SimTime {
        let timeouts = self.in_flight.values().map(|f| f.deadline);
        let backoffs = self.backoff_until.values().copied().filter(|t| *t > now);
        timeouts.chain(backoffs).min().unwrap_or(SimTime::NEVER)
    }

    /// Forgets everything, as Kafka does on every state transition.
    pub fn reset(&mut self) {
        self.in_flight.clear();
        self.backoff_until.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_request_per_destination_and_matching_responses_only() {
        let mut r = Requests::default();
        let a = NodeId(1);
        assert!(r.is_ready(a, SimTime(0)));
        r.sent(a, 7, "Fetch", SimTime(100));
        assert!(!r.is_ready(a, SimTime(0)));
        assert!(!r.accept_response(a, 8));
        assert!(r.accept_response(a, 7));
        assert!(r.is_ready(a, SimTime(0)));
    }

    #[test]
    fn timeouts_back_off() {
        let mut r = Requests::default();
        let a = NodeId(1);
        r.sent(a, 1, "Vote", SimTime(100));
        assert_eq!(r.next_deadline(SimTime(0)), SimTime(100));
        assert!(r.expire(SimTime(50), SimTime(70)).is_empty());
        assert_eq!(r.expire(SimTime(100), SimTime(120)), vec![(a, "Vote")]);
        assert!(!r.is_ready(a, SimTime(110)));
        assert!(r.is_ready(a, SimTime(120)));
    }
}

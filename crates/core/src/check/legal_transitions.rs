//! Only the moves of the transition table happen (docs/fidelity.md, Quorum states and transitions,
//! Kafka's `QuorumState`). The
//! replica refuses an illegal move and records it; any such record is a violation.

use super::{violation, Property, Violation};
use crate::trace::{Event, TraceEvent};

/// The property.
pub const PROPERTY: Property = Property {
    name: "legal_transitions",
    statement: "only transitions of the table happen, and no protocol step is refused",
    source: "Kafka: QuorumState transition table",
};

/// Stateless.
#[derive(Clone, Debug, Default)]
pub struct Check;

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, e: &TraceEvent, out: &mut Vec<Violation>) {
        if let Event::Illegal { what } = &e.event {
            out.push(violation(&PROPERTY, e, what.clone()));
        }
    }
}

//! No record is applied above the high watermark (docs/fidelity.md, The metadata layer: the
//! metadata loader only
//! receives committed batches; an applied record that a new leader then truncates would leave
//! a broker acting on metadata that never existed).

use super::{violation, Property, Violation};
use crate::trace::{Event, TraceEvent};

/// The property.
pub const PROPERTY: Property = Property {
    name: "applied_below_hw",
    statement: "no metadata record is applied above the high watermark",
    source: "Kafka: RaftClient.Listener.handleCommit delivers committed batches only",
};

/// Stateless: each load is compared with the high watermark the node had when it loaded
/// (the event carries it: after the step the replica may have moved on to a new epoch, which
/// forgets the HW until it learns the new one).
#[derive(Clone, Debug, Default)]
pub struct Check;

impl Check {
    /// Checks one event.
    pub fn observe(&mut self, e: &TraceEvent, out: &mut Vec<Violation>) {
        let Event::MetadataLoaded {
            offset,
            high_watermark,
        } = e.event
        else {
            return;
        };
        if offset > high_watermark {
            out.push(violation(
                &PROPERTY,
                e,
                format!(
                    "applied records up to offset {offset}, above its high watermark {high_watermark}"
                ),
            ));
        }
    }
}

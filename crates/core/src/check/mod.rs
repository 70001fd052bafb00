//! Invariants, one module per property, each citing where it comes from. They run after every
//! event of every test run and are shown live in the UI.
//!
//! Each checker reads the events of the step that just ran (and the world, where it needs to
//! look at logs); all of them together cost a few lookups per event, so seed sweeps can afford
//! to check every event.

use crate::message::Envelope;
use crate::sim::observe::Observer;
pub use crate::sim::observe::Violation;
use crate::sim::{ClusterSpec, World};
use crate::trace::{Event, TraceEvent};
use crate::types::{Offset, SimTime};

pub mod applied_below_hw;
pub mod committed_durable;
pub mod election_safety;
pub mod image_matches_log;
pub mod leader_in_isr;
pub mod legal_transitions;
pub mod loaded_images;
pub mod log_matching;
pub mod monotonic_epoch;
pub mod monotonic_high_watermark;
pub mod monotonic_partition_epochs;
pub mod observers_never_count;
pub mod one_active_controller;
pub mod single_vote;
pub mod zk_leader_in_isr;
pub mod zk_one_controller_per_epoch;
pub mod zk_zombie_rejected;

/// A property the checkers enforce, for listings and the UI.
#[derive(Clone, Copy, Debug)]
pub struct Property {
    /// Short name, also the module name.
    pub name: &'static str,
    /// What it says.
    pub statement: &'static str,
    /// Where it comes from.
    pub source: &'static str,
}

/// Every property, in the order the UI lists them.
pub const PROPERTIES: &[Property] = &[
    election_safety::PROPERTY,
    monotonic_epoch::PROPERTY,
    monotonic_high_watermark::PROPERTY,
    log_matching::PROPERTY,
    committed_durable::PROPERTY,
    single_vote::PROPERTY,
    observers_never_count::PROPERTY,
    legal_transitions::PROPERTY,
    image_matches_log::PROPERTY,
    applied_below_hw::PROPERTY,
    leader_in_isr::PROPERTY,
    monotonic_partition_epochs::PROPERTY,
    one_active_controller::PROPERTY,
    zk_one_controller_per_epoch::PROPERTY,
    zk_zombie_rejected::PROPERTY,
    zk_leader_in_isr::PROPERTY,
];

/// All checkers together.
#[derive(Clone, Debug, Default)]
pub struct Checker {
    election_safety: election_safety::Check,
    monotonic_epoch: monotonic_epoch::Check,
    monotonic_high_watermark: monotonic_high_watermark::Check,
    log_matching: log_matching::Check,
    committed_durable: committed_durable::Check,
    single_vote: single_vote::Check,
    observers_never_count: observers_never_count::Check,
    legal_transitions: legal_transitions::Check,
    image_matches_log: image_matches_log::Check,
    applied_below_hw: applied_below_hw::Check,
    leader_in_isr: leader_in_isr::Check,
    monotonic_partition_epochs: monotonic_partition_epochs::Check,
    one_active_controller: one_active_controller::Check,
    zk_one_controller_per_epoch: zk_one_controller_per_epoch::Check,
    zk_zombie_rejected: zk_zombie_rejected::Check,
    zk_leader_in_isr: zk_leader_in_isr::Check,
}

/// A world built from `spec` with every checker watching it from its first event (recording
/// its trace from the start when `record` is set).
pub fn checked_world(spec: ClusterSpec, record: bool) -> World {
    World::observed(spec, record, vec![Box::new(Checker::default())])
}

impl Observer<World> for Checker {
    fn sent(&mut self, at: SimTime, env: &Envelope, out: &mut Vec<Violation>) {
        self.single_vote.sent(at, env, out);
        self.monotonic_high_watermark.sent(at, env, out);
    }

    fn observe(&mut self, world: &World, events: &[TraceEvent]) -> Vec<Violation> {
        let mut out = Vec::new();
        for e in events {
            self.election_safety.observe(e, &mut out);
            self.monotonic_epoch.observe(e, &mut out);
            self.monotonic_high_watermark.observe(world, e, &mut out);
            self.log_matching.observe(world, e, &mut out);
            self.committed_durable.observe(world, e, &mut out);
            self.single_vote.observe(world, e, &mut out);
            self.observers_never_count.observe(world, e, &mut out);
            self.legal_transitions.observe(e, &mut out);
            self.image_matches_log.observe(world, e, &mut out);
            self.applied_below_hw.observe(e, &mut out);
            self.leader_in_isr.observe(world, e, &mut out);
            self.monotonic_partition_epochs.observe(world, e, &mut out);
            self.one_active_controller.observe(e, &mut out);
            self.zk_one_controller_per_epoch.observe(e, &mut out);
            self.zk_zombie_rejected.observe(e, &mut out);
        }
        if let Some(last) = events.last() {
            self.zk_leader_in_isr.observe(world, last, &mut out);
        }
        // A log start moves only with a snapshot (taken or fetched): then the per-offset
        // memory below every replica's log start is forgotten, so that it follows the log the
        // replicas hold rather than the length of the run (each checker says why it is safe).
        let moved = events.iter().any(|e| {
            matches!(
                e.event,
                Event::SnapshotTaken { .. } | Event::SnapshotFetched { .. }
            )
        });
        if let Some(start) = moved.then(|| lowest_log_start(world)).flatten() {
            self.log_matching.forget_below(start);
            self.committed_durable.forget_below(start);
            self.image_matches_log.forget_below(start);
        }
        out
    }
}

/// The lowest log start offset of every KRaft disk, running or not (a crashed node's log
/// still counts: it may come back and be checked), empty or not (an empty log is where a
/// wiped disk starts again). `None` in ZooKeeper mode.
fn lowest_log_start(world: &World) -> Option<Offset> {
    world
        .nodes()
        .filter_map(|n| n.disk())
        .map(|d| d.log.start_offset())
        .min()
}

/// Builds a violation of `property` from an event.
pub(crate) fn violation(property: &Property, e: &TraceEvent, detail: String) -> Violation {
    Violation {
        at: e.at,
        property: property.name,
        node: e.node,
        detail,
    }
}

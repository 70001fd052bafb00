//! The quorum controller (Kafka's `QuorumController`), on every controller node.
//!
//! A standby controller does nothing here: its metadata loader replays committed records, so
//! its image is always current (a *hot* standby). When its raft replica leads and has applied
//! every record before its epoch, it becomes the **active controller**: it handles broker
//! registrations and heartbeats, fences brokers whose session expired (one at a time), runs
//! controlled shutdowns, creates and deletes topics, changes configs and ISRs, and writes a
//! `NoOpRecord` when idle. Every decision is a list of records: they are appended to the
//! metadata log and applied at once to the controller's working image, and the answer is sent
//! only once they are committed (docs/fidelity.md, The metadata layer).
//!
//! Where things happen:
//! - this file: the controller and its active state, activation from the raft state, writing
//!   records and answering once they commit, the timers, and the broker RPC dispatch;
//! - `cluster.rs`: cluster membership: broker registration, heartbeats, fencing, controlled
//!   shutdown;
//! - `partitions.rs`: AlterPartition (ISR changes) and the cost of moving partition leadership;
//! - `admin.rs`: the admin requests: CreateTopics, DeleteTopics, IncrementalAlterConfigs;
//! - `records.rs`: the records that fence, unfence or shut down a broker and move the
//!   leadership of its partitions.

use crate::flat::FlatMap;
use std::sync::Arc;

use crate::effect::Ctx;
use crate::kraft::Replica;
use crate::message::{ControllerMessage, Payload};
use crate::metadata::image::MetadataImage;
use crate::metadata::rpc::{ControllerError, ControllerRpc};
use crate::record::{BrokerId, FeatureLevelRecord, Record};
use crate::trace::Event;
use crate::types::{ms, Epoch, Micros, NodeId, Offset, SimTime};

mod admin;
mod cluster;
mod partitions;
mod records;
#[cfg(test)]
pub(crate) mod testing;

/// `broker.session.timeout.ms`: a broker without a heartbeat for this long is fenced.
pub const BROKER_SESSION_TIMEOUT_MS: u64 = 9_000;
/// `metadata.max.idle.interval.ms`: the idle active controller writes a NoOpRecord this often.
pub const MAX_IDLE_INTERVAL_MS: u64 = 500;
/// The `metadata.version` written at bootstrap (3.9-IV0).
pub const METADATA_VERSION: i16 = 21;

/// What to do once records commit.
#[derive(Clone, Debug)]
enum Pending {
    /// Answer an RPC.
    Reply {
        to: NodeId,
        correlation: u64,
        rpc: ControllerRpc,
    },
    /// Report an admin operation as done.
    Done { what: String },
}

/// When the active controller last heard from a broker (`BrokerHeartbeatState.lastContactNs`),
/// and the order of that contact among all contacts: Kafka keeps the unfenced brokers in a
/// list sorted by last contact, each contact moving the broker to the end of it, so the list
/// is in order of the latest contact, ties by arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Contact {
    at: SimTime,
    seq: u64,
}

/// State only the active controller has.
#[derive(Clone, Debug)]
struct Active {
    epoch: Epoch,
    /// The committed image plus this controller's own uncommitted records.
    image: MetadataImage,
    /// Last contact per broker (`BrokerHeartbeatManager`).
    sessions: FlatMap<BrokerId, Contact>,
    /// How many contacts so far: the next one's [`Contact::seq`].
    contacts: u64,
    /// The metadata offset each broker reported last (`BrokerHeartbeatState.metadataOffset`):
    /// the offset of the last record it applied.
    broker_offsets: FlatMap<BrokerId, i64>,
    /// Brokers in controlled shutdown, with the offset of the last record of their leadership
    /// moves (`controlledShutdownOffset`).
    controlled_shutdown: FlatMap<BrokerId, i64>,
    /// Work waiting for records to commit, by the offset they must reach.
    pending: Vec<(Offset, Pending)>,
    /// The offset just past this controller's latest write: until it is committed, an answer
    /// that writes nothing waits for it too (`deferredEventQueue.highestPendingOffset`).
    last_write_end: Offset,
    /// When the last record was written.
    last_write: SimTime,
    /// Next NoOp check.
    noop_at: SimTime,
    /// A fencing could not be written (a stale controller, with a teaching switch on): no
    /// more are tried.
    fencing_blocked: bool,
    /// When the modelled partitions' leader moves under way are done (see [`crate::costs`]).
    moves_until: Option<SimTime>,
}

/// The controller component of a node.
#[derive(Clone, Debug)]
pub struct Controller {
    cluster_id: String,
    active: Option<Active>,
}

/// Records and what they leave for later.
type Decision = (Vec<Record>, Option<Pending>);

impl Controller {
    /// A standby controller of cluster `cluster_id`.
    pub fn new(cluster_id: String) -> Controller {
        Controller {
            cluster_id,
            active: None,
        }
    }

    /// True while this controller is the active one.
    pub fn is_active(&self) -> bool {
        self.active.is_some()
    }

    /// The epoch it is active in.
    pub fn active_epoch(&self) -> Option<Epoch> {
        self.active.as_ref().map(|a| a.epoch)
    }

    /// The working image of the active controller.
    pub fn working_image(&self) -> Option<&MetadataImage> {
        self.active.as_ref().map(|a| &a.image)
    }

    /// Follows the raft state: become active once leading with everything before the epoch
    /// applied; stand by otherwise. Every broker gets a fresh session on activation.
    pub fn sync_with_raft(
        &mut self,
        raft: &mut Replica,
        committed: &Arc<MetadataImage>,
        ctx: &mut Ctx,
    ) {
        let leading = raft
            .leader_state()
            .map(|l| (raft.epoch(), l.epoch_start_offset));
        match (leading, &self.active) {
            (Some((epoch, start)), None)
                if committed.offset >= start && !raft.is_shutting_down() =>
            {
                let now = ctx.now;
                // `ClusterControlManager.activate`: every registration, in id order.
                let sessions: FlatMap<BrokerId, Contact> = committed
                    .brokers
                    .keys()
                    .enumerate()
                    .map(|(seq, b)| {
                        let seq = seq as u64;
                        (*b, Contact { at: now, seq })
                    })
                    .collect();
                let contacts = sessions.len() as u64;
                self.active = Some(Active {
                    epoch,
                    image: (**committed).clone(),
                    sessions,
                    contacts,
                    broker_offsets: FlatMap::new(),
                    controlled_shutdown: FlatMap::new(),
                    pending: Vec::new(),
                    last_write_end: 0,
                    last_write: now,
                    noop_at: now + ms(MAX_IDLE_INTERVAL_MS),
                    fencing_blocked: false,
                    moves_until: None,
                });
                ctx.emit(Event::ControllerActivated { epoch });
                if committed.features.is_empty() {
                    let bootstrap = vec![Record::FeatureLevel(Box::new(FeatureLevelRecord {
                        name: "metadata.version".into(),
                        feature_level: METADATA_VERSION,
                    }))];
                    self.write(raft, bootstrap, None, ctx);
                }
            }
            // Everything this controller wrote is committed and loaded: the working image
            // becomes the loaded one again, so the two share structure instead of the
            // controller keeping a second copy of every partition.
            (Some((epoch, _)), Some(a))
                if a.epoch == epoch
                    && !raft.is_shutting_down()
                    && committed.offset == a.image.offset
                    && raft.next_offset() == a.image.offset =>
            {
                if let Some(a) = self.active.as_mut() {
                    a.image = (**committed).clone();
                }
            }
            (Some((epoch, _)), Some(a)) if a.epoch == epoch && !raft.is_shutting_down() => {}
            (_, Some(_)) if raft.config().buggify.stale_controller_acts => {}
            (_, Some(_)) => {
                // Lost leadership: the uncommitted working state is dropped (Kafka reverts to the
                // last committed offset).
                self.active = None;
                ctx.emit(Event::ControllerResigned);
            }
            _ => {}
        }
    }

    /// Appends records, applies them to the working image, and remembers what to do when they
    /// commit. Returns the offset just past the records.
    ///
    /// A decision that writes nothing was read from the working image, which may hold
    /// uncommitted records: its answer waits until this controller's latest write is committed,
    /// and goes at once only if everything it wrote is (`ControllerWriteEvent.run`).
    fn write(
        &mut self,
        raft: &mut Replica,
        records: Vec<Record>,
        then: Option<Pending>,
        ctx: &mut Ctx,
    ) -> Option<Offset> {
        let active = self.active.as_mut()?;
        let count = records.len() as Offset;
        if count == 0 {
            let hw = raft.high_watermark().unwrap_or(0);
            let end = active.last_write_end;
            match then {
                Some(p) if end > hw => active.pending.push((end, p)),
                Some(p) => complete(p, ctx),
                None => {}
            }
            return Some(end.max(hw));
        }
        let base = match raft.append_quietly(records.clone(), ctx) {
            Ok(base) => base,
            Err(_) => return None,
        };
        if let Err(why) = active.image.apply_all(base, active.epoch, &records) {
            ctx.emit(Event::Illegal {
                what: format!("the controller wrote records it cannot apply: {why}"),
            });
        }
        active.last_write = ctx.now;
        let end = base + count;
        active.last_write_end = end;
        if let Some(p) = then {
            active.pending.push((end, p));
        }
        Some(end)
    }

    /// Timers and commits: replies whose records committed, broker fencing, the NoOp.
    pub fn poll(&mut self, raft: &mut Replica, ctx: &mut Ctx) {
        let Some(active) = self.active.as_mut() else {
            return;
        };
        let hw = raft.high_watermark().unwrap_or(0);
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut active.pending)
            .into_iter()
            .partition(|(o, _)| *o <= hw);
        active.pending = waiting;
        for (_, p) in ready {
            complete(p, ctx);
        }
        self.fence_expired_session(raft, ctx);
        let Some(active) = self.active.as_mut() else {
            return;
        };
        if active.moves_until.is_some_and(|t| ctx.now >= t) {
            active.moves_until = None;
            ctx.emit(Event::LeaderMovesDone { offline: 0 });
        }
        if ctx.now >= active.noop_at {
            active.noop_at = ctx.now + ms(MAX_IDLE_INTERVAL_MS);
            if ctx.now.since(active.last_write) >= ms(MAX_IDLE_INTERVAL_MS) {
                self.write(raft, vec![Record::NoOp], None, ctx);
            }
        }
    }

    /// The controller's next deadline.
    pub fn next_deadline(&self) -> SimTime {
        let Some(a) = &self.active else {
            return SimTime::NEVER;
        };
        let session = a
            .sessions
            .iter()
            .filter(|(b, _)| a.image.brokers.get(b).is_some_and(|r| !r.fenced))
            .map(|(_, c)| c.at + ms(BROKER_SESSION_TIMEOUT_MS))
            .min()
            .filter(|_| !a.fencing_blocked)
            .unwrap_or(SimTime::NEVER);
        a.noop_at
            .min(session)
            .min(a.moves_until.unwrap_or(SimTime::NEVER))
    }

    /// Handles a controller RPC from `from`.
    pub fn handle(
        &mut self,
        raft: &mut Replica,
        from: NodeId,
        msg: ControllerMessage,
        ctx: &mut Ctx,
    ) {
        let ControllerMessage { correlation, rpc } = msg;
        let reply = |rpc: ControllerRpc, ctx: &mut Ctx| {
            ctx.send(
                from,
                Payload::Controller(ControllerMessage { correlation, rpc }),
            )
        };
        if self.active.is_none() {
            let error = ControllerError::NotController;
            let rpc = match rpc {
                ControllerRpc::BrokerRegistrationRequest { .. } => {
                    ControllerRpc::BrokerRegistrationResponse {
                        error,
                        broker_epoch: -1,
                    }
                }
                ControllerRpc::BrokerHeartbeatRequest { .. } => {
                    ControllerRpc::BrokerHeartbeatResponse {
                        error,
                        is_caught_up: false,
                        is_fenced: true,
                        should_shut_down: false,
                    }
                }
                ControllerRpc::AlterPartitionRequest { .. } => {
                    ControllerRpc::AlterPartitionResponse { error }
                }
                _ => return,
            };
            return reply(rpc, ctx);
        }
        let decision = match rpc {
            ControllerRpc::BrokerRegistrationRequest {
                broker_id,
                cluster_id,
                incarnation_id,
            } => self.register(
                raft,
                from,
                correlation,
                broker_id,
                &cluster_id,
                incarnation_id,
                ctx,
            ),
            ControllerRpc::BrokerHeartbeatRequest {
                broker_id,
                broker_epoch,
                current_metadata_offset,
                want_fence,
                want_shut_down,
            } => self.heartbeat(
                raft,
                from,
                correlation,
                broker_id,
                broker_epoch,
                current_metadata_offset,
                (want_fence, want_shut_down),
                ctx,
            ),
            ControllerRpc::AlterPartitionRequest {
                broker_id,
                broker_epoch,
                changes,
            } => self.alter_partition(from, correlation, broker_id, broker_epoch, changes),
            _ => return,
        };
        match decision {
            Ok((records, then)) => {
                self.write(raft, records, then, ctx);
            }
            Err(rpc) => reply(rpc, ctx),
        }
    }
}

/// Does what waited for a commit: sends the answer, or reports the admin operation done.
fn complete(p: Pending, ctx: &mut Ctx) {
    match p {
        Pending::Reply {
            to,
            correlation,
            rpc,
        } => ctx.send(
            to,
            Payload::Controller(ControllerMessage { correlation, rpc }),
        ),
        Pending::Done { what } => ctx.emit(Event::AdminCompleted { what }),
    }
}

impl Active {
    /// A contact from broker `b` now (`BrokerHeartbeatManager.touch`): its session starts
    /// again, and it goes to the end of the order in which stale brokers are fenced.
    fn touch(&mut self, b: BrokerId, now: SimTime) {
        let seq = self.contacts;
        self.contacts += 1;
        self.sessions.insert(b, Contact { at: now, seq });
    }
}

/// How long a controller's pending admin work may wait; exposed for views.
pub fn session_timeout() -> Micros {
    ms(BROKER_SESSION_TIMEOUT_MS)
}

//! The quorum controller (Kafka's `QuorumController`), on every controller node.
//!
//! A standby controller does nothing here: its metadata loader replays committed records, so
//! its image is always current (a *hot* standby). When its raft replica leads and has applied
//! every record before its epoch, it becomes the **active controller**: it handles broker
//! registrations and heartbeats, fences brokers whose session expired (one at a time), runs
//! controlled shutdowns, creates and deletes topics, changes configs and ISRs, and writes a
//! `NoOpRecord` when idle. Every decision is a list of records: they are appended to the
//! metadata log and applied at once to the controller's working image, and the answer is sent
//! only once they are committed (KRAFT.md §3.2).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::effect::Ctx;
use crate::kraft::Replica;
use crate::message::{ControllerMessage, Payload};
use crate::metadata::image::MetadataImage;
use crate::metadata::placement;
use crate::metadata::rpc::{ControllerError, ControllerRpc, IsrChange};
use crate::record::*;
use crate::trace::Event;
use crate::types::{ms, Epoch, Micros, NodeId, Offset, SimTime};
use crate::uuid::Uuid;

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

/// State only the active controller has.
#[derive(Clone, Debug)]
struct Active {
    epoch: Epoch,
    /// The committed image plus this controller's own uncommitted records.
    image: MetadataImage,
    /// Last heartbeat per broker (`BrokerHeartbeatManager`).
    sessions: BTreeMap<BrokerId, SimTime>,
    /// The metadata offset each broker reported last.
    broker_offsets: BTreeMap<BrokerId, Offset>,
    /// Brokers in controlled shutdown, with the offset their leadership moves end at.
    controlled_shutdown: BTreeMap<BrokerId, Offset>,
    /// Work waiting for records to commit, by the offset they must reach.
    pending: Vec<(Offset, Pending)>,
    /// When the last record was written.
    last_write: SimTime,
    /// Next NoOp check.
    noop_at: SimTime,
    /// A fencing in flight: no other broker is fenced until it commits.
    fencing_until: Option<Offset>,
    /// When the modelled partitions' leader moves under way are done (see [`crate::costs`]).
    moves_until: Option<SimTime>,
}

impl Active {
    /// Charges the leader moves of the modelled partitions broker `b` leads: with `m`
    /// modelled partitions spread evenly over the unfenced brokers, `m / unfenced` of them,
    /// `kraft-move-leader` each (a PartitionChangeRecord written, replicated, replayed).
    fn charge_moves(
        &mut self,
        b: BrokerId,
        cfg: &crate::kraft::QuorumConfig,
        why: &str,
        ctx: &mut Ctx,
    ) {
        let m = cfg.modelled_partitions;
        let unfenced = self.image.brokers.values().filter(|r| !r.fenced).count() as u64;
        if m == 0 || unfenced == 0 {
            return;
        }
        let moves = m / unfenced;
        let start = self.moves_until.unwrap_or(ctx.now).max(ctx.now);
        let until = start + moves * cfg.costs.kraft_move_leader_us;
        self.moves_until = Some(until);
        ctx.emit(Event::LeaderMoves {
            partitions: moves,
            until,
            why: format!("{why} of broker {b}"),
        });
    }
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
                let sessions = committed.brokers.keys().map(|b| (*b, now)).collect();
                self.active = Some(Active {
                    epoch,
                    image: (**committed).clone(),
                    sessions,
                    broker_offsets: BTreeMap::new(),
                    controlled_shutdown: BTreeMap::new(),
                    pending: Vec::new(),
                    last_write: now,
                    noop_at: now + ms(MAX_IDLE_INTERVAL_MS),
                    fencing_until: None,
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
            let end = active.image.offset.max(raft.log().end_offset());
            if let Some(p) = then {
                active.pending.push((end, p));
            }
            return Some(end);
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
        if active.fencing_until.is_some_and(|o| o <= hw) {
            active.fencing_until = None;
        }
        if active.fencing_until.is_none() {
            let expired = active.sessions.iter().find_map(|(b, last)| {
                let reg = active.image.brokers.get(b)?;
                (!reg.fenced && ctx.now.since(*last) >= ms(BROKER_SESSION_TIMEOUT_MS)).then_some(*b)
            });
            if let Some(b) = expired {
                let keep_leader = raft.config().buggify.fence_without_reelection;
                active.charge_moves(b, raft.config(), "fencing", ctx);
                let records = fence_records(&active.image, b, keep_leader);
                ctx.emit(Event::BrokerFenced {
                    broker: b,
                    why: "no heartbeat for broker.session.timeout.ms (9 s)".into(),
                });
                // A controller that cannot write (only a stale one, with a teaching switch on)
                // stops fencing instead of trying again at every poll.
                let end = self.write(raft, records, None, ctx).unwrap_or(Offset::MAX);
                if let Some(a) = self.active.as_mut() {
                    a.fencing_until = Some(end);
                }
            }
        }
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
            .map(|(_, t)| *t + ms(BROKER_SESSION_TIMEOUT_MS))
            .min()
            .filter(|_| a.fencing_until.is_none())
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

    #[allow(clippy::too_many_arguments)]
    fn register(
        &mut self,
        raft: &Replica,
        from: NodeId,
        correlation: u64,
        broker_id: BrokerId,
        cluster_id: &str,
        incarnation_id: Uuid,
        ctx: &mut Ctx,
    ) -> Result<Decision, ControllerRpc> {
        let active = self.active.as_mut().expect("checked by the caller");
        let refuse = |error| ControllerRpc::BrokerRegistrationResponse {
            error,
            broker_epoch: -1,
        };
        if cluster_id != self.cluster_id {
            return Err(refuse(ControllerError::InconsistentClusterId));
        }
        if let Some(existing) = active.image.brokers.get(&broker_id) {
            let live = active
                .sessions
                .get(&broker_id)
                .is_some_and(|t| ctx.now.since(*t) < ms(BROKER_SESSION_TIMEOUT_MS));
            if live && !existing.fenced && existing.incarnation != incarnation_id {
                return Err(refuse(ControllerError::DuplicateBrokerRegistration));
            }
            if existing.incarnation == incarnation_id {
                // The same process asking again: keep its epoch.
                let rpc = ControllerRpc::BrokerRegistrationResponse {
                    error: ControllerError::None,
                    broker_epoch: existing.epoch,
                };
                return Ok((
                    Vec::new(),
                    Some(Pending::Reply {
                        to: from,
                        correlation,
                        rpc,
                    }),
                ));
            }
        }
        // The broker epoch is the offset this record will get.
        let epoch = raft.next_offset() as i64;
        active.sessions.insert(broker_id, ctx.now);
        let record = Record::RegisterBroker(Box::new(RegisterBrokerRecord {
            broker_id,
            incarnation_id,
            broker_epoch: epoch,
            endpoint: format!("broker-{broker_id}"),
            fenced: true,
            in_controlled_shutdown: false,
        }));
        let rpc = ControllerRpc::BrokerRegistrationResponse {
            error: ControllerError::None,
            broker_epoch: epoch,
        };
        Ok((
            vec![record],
            Some(Pending::Reply {
                to: from,
                correlation,
                rpc,
            }),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn heartbeat(
        &mut self,
        raft: &Replica,
        from: NodeId,
        correlation: u64,
        broker_id: BrokerId,
        broker_epoch: i64,
        offset: Offset,
        (want_fence, want_shut_down): (bool, bool),
        ctx: &mut Ctx,
    ) -> Result<Decision, ControllerRpc> {
        let active = self.active.as_mut().expect("checked by the caller");
        let answer = |error, caught_up, fenced, shut| ControllerRpc::BrokerHeartbeatResponse {
            error,
            is_caught_up: caught_up,
            is_fenced: fenced,
            should_shut_down: shut,
        };
        let Some(reg) = active.image.brokers.get(&broker_id).cloned() else {
            return Err(answer(
                ControllerError::BrokerIdNotRegistered,
                false,
                true,
                false,
            ));
        };
        if reg.epoch != broker_epoch {
            return Err(answer(
                ControllerError::StaleBrokerEpoch,
                false,
                true,
                false,
            ));
        }
        active.sessions.insert(broker_id, ctx.now);
        active.broker_offsets.insert(broker_id, offset);
        let caught_up = offset >= reg.epoch as Offset;
        let later = |rpc| {
            Some(Pending::Reply {
                to: from,
                correlation,
                rpc,
            })
        };
        if reg.fenced {
            if want_shut_down {
                active.sessions.remove(&broker_id);
                return Err(answer(ControllerError::None, caught_up, true, true));
            }
            if !want_fence && caught_up {
                let records = unfence_records(&active.image, broker_id);
                return Ok((
                    records,
                    later(answer(ControllerError::None, true, false, false)),
                ));
            }
            return Err(answer(ControllerError::None, caught_up, true, false));
        }
        let modelled = raft.config().modelled_partitions > 0;
        if want_shut_down
            && !reg.in_controlled_shutdown
            && active.image.led_by(broker_id) == 0
            && !modelled
        {
            // Leads nothing: SHUTDOWN_NOW at once, fenced and out of every ISR.
            active.sessions.remove(&broker_id);
            let records = fence_records(&active.image, broker_id, false);
            return Ok((
                records,
                later(answer(ControllerError::None, caught_up, true, true)),
            ));
        }
        if want_shut_down || reg.in_controlled_shutdown {
            if !reg.in_controlled_shutdown {
                active.charge_moves(broker_id, raft.config(), "controlled shutdown", ctx);
                let records = controlled_shutdown_records(&active.image, broker_id);
                let end = raft.next_offset() + records.len() as Offset;
                active.controlled_shutdown.insert(broker_id, end);
                return Ok((
                    records,
                    later(answer(ControllerError::None, caught_up, false, false)),
                ));
            }
            let moved_by = active
                .controlled_shutdown
                .get(&broker_id)
                .copied()
                .unwrap_or(0);
            let others_caught_up = active
                .image
                .brokers
                .values()
                .filter(|b| b.id != broker_id && !b.fenced)
                .all(|b| {
                    active
                        .broker_offsets
                        .get(&b.id)
                        .is_some_and(|o| *o >= moved_by)
                });
            let moved = active.moves_until.is_none_or(|t| ctx.now >= t);
            if active.image.led_by(broker_id) == 0 && others_caught_up && moved {
                active.sessions.remove(&broker_id);
                let records = vec![Record::BrokerRegistrationChange(
                    BrokerRegistrationChangeRecord {
                        broker_id,
                        broker_epoch: reg.epoch,
                        fenced: 1,
                        in_controlled_shutdown: 0,
                    },
                )];
                return Ok((
                    records,
                    later(answer(ControllerError::None, caught_up, true, true)),
                ));
            }
            return Err(answer(ControllerError::None, caught_up, false, false));
        }
        Err(answer(ControllerError::None, caught_up, false, false))
    }

    fn alter_partition(
        &mut self,
        from: NodeId,
        correlation: u64,
        broker_id: BrokerId,
        broker_epoch: i64,
        changes: Vec<IsrChange>,
    ) -> Result<Decision, ControllerRpc> {
        let active = self.active.as_mut().expect("checked by the caller");
        let refuse = |error| ControllerRpc::AlterPartitionResponse { error };
        if active.image.brokers.get(&broker_id).map(|b| b.epoch) != Some(broker_epoch) {
            return Err(refuse(ControllerError::StaleBrokerEpoch));
        }
        let mut records = Vec::new();
        for c in changes {
            let Some(p) = active
                .image
                .topics
                .get(&c.topic_id)
                .and_then(|t| t.partitions.get(c.partition as usize))
            else {
                continue;
            };
            let usable = c.new_isr.iter().all(|b| {
                p.replicas.contains(b)
                    && active
                        .image
                        .brokers
                        .get(b)
                        .is_some_and(|r| !r.fenced && !r.in_controlled_shutdown)
            });
            if p.leader != broker_id
                || c.leader_epoch != p.leader_epoch
                || c.partition_epoch != p.partition_epoch
                || !c.new_isr.contains(&broker_id)
                || !usable
            {
                continue; // stale or invalid: the leader will look again
            }
            records.push(Record::PartitionChange(PartitionChangeRecord {
                partition_id: c.partition,
                topic_id: c.topic_id,
                isr: Some(c.new_isr),
                leader: NO_LEADER_CHANGE,
            }));
        }
        let rpc = refuse(ControllerError::None);
        Ok((
            records,
            Some(Pending::Reply {
                to: from,
                correlation,
                rpc,
            }),
        ))
    }

    /// The active controller's state, or the NOT_CONTROLLER error an admin request gets
    /// from any other node.
    fn active_or_refuse(&mut self) -> Result<&mut Active, String> {
        self.active
            .as_mut()
            .ok_or_else(|| "NOT_CONTROLLER: this node is not the active controller".into())
    }

    /// `CreateTopics`: a TopicRecord, the configs, then one PartitionRecord per partition,
    /// replicas placed as Kafka does without racks.
    pub fn create_topic(
        &mut self,
        raft: &mut Replica,
        name: &str,
        partitions: u32,
        replication_factor: u32,
        configs: &[(String, String)],
        ctx: &mut Ctx,
    ) -> Result<String, String> {
        let active = self.active_or_refuse()?;
        validate_topic_name(name)?;
        if active.image.topic_ids.contains_key(name) {
            return Err(format!(
                "TOPIC_ALREADY_EXISTS: Topic '{name}' already exists."
            ));
        }
        let brokers = active.image.usable_brokers();
        let assignment = placement::assign(partitions, replication_factor, &brokers, &mut |n| {
            ctx.draw(0..n)
        })?;
        let topic_id = ctx.draw_uuid();
        let mut records = Vec::with_capacity(2 + partitions as usize + configs.len());
        records.push(Record::Topic(Box::new(TopicRecord {
            name: name.to_string(),
            topic_id,
        })));
        for (k, v) in configs {
            records.push(Record::Config(Box::new(ConfigRecord {
                resource_type: CONFIG_TOPIC,
                resource_name: name.to_string(),
                name: k.clone(),
                value: Some(v.clone()),
            })));
        }
        for (p, replicas) in assignment.into_iter().enumerate() {
            let replicas: Arc<[BrokerId]> = replicas.into();
            records.push(Record::Partition(PartitionRecord {
                partition_id: p as i32,
                topic_id,
                leader: replicas[0],
                isr: replicas.clone(),
                replicas,
                leader_epoch: 0,
                partition_epoch: 0,
            }));
        }
        let what = format!("created topic {name} ({partitions} partition(s), replication factor {replication_factor})");
        let end = self
            .write(raft, records, Some(Pending::Done { what }), ctx)
            .ok_or("the controller could not write")?;
        Ok(format!(
            "CreateTopics {name}: records written, committed when the high watermark passes {end}"
        ))
    }

    /// `DeleteTopics`: a RemoveTopicRecord.
    pub fn delete_topic(
        &mut self,
        raft: &mut Replica,
        name: &str,
        ctx: &mut Ctx,
    ) -> Result<String, String> {
        let active = self.active_or_refuse()?;
        let topic_id = *active
            .image
            .topic_ids
            .get(name)
            .ok_or_else(|| format!("UNKNOWN_TOPIC_OR_PARTITION: This server does not host this topic-partition ({name})."))?;
        let what = format!("deleted topic {name}");
        self.write(
            raft,
            vec![Record::RemoveTopic(RemoveTopicRecord { topic_id })],
            Some(Pending::Done { what }),
            ctx,
        )
        .ok_or("the controller could not write")?;
        Ok(format!("DeleteTopics {name}: RemoveTopicRecord written"))
    }

    /// `IncrementalAlterConfigs` on a topic or a broker (`broker:<id>` or `broker` for the
    /// cluster default).
    pub fn alter_config(
        &mut self,
        raft: &mut Replica,
        resource: &str,
        key: &str,
        value: Option<&str>,
        ctx: &mut Ctx,
    ) -> Result<String, String> {
        let active = self.active_or_refuse()?;
        let (resource_type, resource_name) = if let Some(b) = resource.strip_prefix("broker:") {
            (CONFIG_BROKER, b.to_string())
        } else if resource == "broker" {
            (CONFIG_BROKER, String::new())
        } else {
            if !active.image.topic_ids.contains_key(resource) {
                return Err(format!(
                    "UNKNOWN_TOPIC_OR_PARTITION: topic {resource} does not exist"
                ));
            }
            (CONFIG_TOPIC, resource.to_string())
        };
        let record = Record::Config(Box::new(ConfigRecord {
            resource_type,
            resource_name,
            name: key.to_string(),
            value: value.map(str::to_string),
        }));
        let what = format!("set {key}={} on {resource}", value.unwrap_or("(deleted)"));
        self.write(raft, vec![record], Some(Pending::Done { what }), ctx)
            .ok_or("the controller could not write")?;
        Ok(format!(
            "IncrementalAlterConfigs {resource}: ConfigRecord written"
        ))
    }
}

/// Kafka's topic name rule.
fn validate_topic_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "." || name == ".." {
        return Err(format!(
            "INVALID_TOPIC_EXCEPTION: Topic name \"{name}\" is illegal"
        ));
    }
    if name.len() > 249 {
        return Err("INVALID_TOPIC_EXCEPTION: Topic name is illegal, it can't be longer than 249 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        return Err(format!(
            "INVALID_TOPIC_EXCEPTION: Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

/// Is `b` fit to lead: registered, unfenced, not shutting down?
fn can_lead(image: &MetadataImage, b: BrokerId) -> bool {
    image
        .brokers
        .get(&b)
        .is_some_and(|r| !r.fenced && !r.in_controlled_shutdown)
}

/// PartitionChangeRecords that take broker `b` out of every ISR and move the leadership it had
/// to the first other ISR member that can lead (or to none). If `b` is the last ISR member, the
/// ISR is kept and the partition goes leaderless, as Kafka keeps the last replica in the ISR.
/// `keep_leader` is the teaching switch that forgets to move the leadership.
fn leave_partitions(image: &MetadataImage, b: BrokerId, keep_leader: bool) -> Vec<Record> {
    let mut out = Vec::new();
    for t in image.topics.values() {
        for (i, p) in t.partitions.iter().enumerate() {
            if !p.isr.contains(&b) && p.leader != b {
                continue;
            }
            let isr: Vec<BrokerId> = p.isr.iter().copied().filter(|x| *x != b).collect();
            let record = if isr.is_empty() {
                PartitionChangeRecord {
                    partition_id: i as i32,
                    topic_id: t.id,
                    isr: None,
                    leader: if p.leader == b {
                        NO_LEADER
                    } else {
                        NO_LEADER_CHANGE
                    },
                }
            } else {
                let leader = if keep_leader {
                    NO_LEADER_CHANGE
                } else if p.leader == b || p.leader == NO_LEADER {
                    p.replicas
                        .iter()
                        .copied()
                        .find(|r| isr.contains(r) && can_lead(image, *r))
                        .unwrap_or(NO_LEADER)
                } else {
                    NO_LEADER_CHANGE
                };
                PartitionChangeRecord {
                    partition_id: i as i32,
                    topic_id: t.id,
                    isr: Some(isr.into()),
                    leader,
                }
            };
            if record.isr.is_some() || record.leader != NO_LEADER_CHANGE {
                out.push(Record::PartitionChange(record));
            }
        }
    }
    out
}

/// Fencing an expired broker: partition changes first, then the fence record.
fn fence_records(image: &MetadataImage, b: BrokerId, keep_leader: bool) -> Vec<Record> {
    let mut records = leave_partitions(image, b, keep_leader);
    if let Some(reg) = image.brokers.get(&b) {
        records.push(Record::BrokerRegistrationChange(
            BrokerRegistrationChangeRecord {
                broker_id: b,
                broker_epoch: reg.epoch,
                fenced: 1,
                in_controlled_shutdown: 0,
            },
        ));
    }
    records
}

/// Entering a controlled shutdown: mark it, then move leadership away.
fn controlled_shutdown_records(image: &MetadataImage, b: BrokerId) -> Vec<Record> {
    let mut records = Vec::new();
    if let Some(reg) = image.brokers.get(&b) {
        records.push(Record::BrokerRegistrationChange(
            BrokerRegistrationChangeRecord {
                broker_id: b,
                broker_epoch: reg.epoch,
                fenced: 0,
                in_controlled_shutdown: 1,
            },
        ));
    }
    let mut after = image.clone();
    let _ = after.apply_all(image.offset, image.last_epoch, &records);
    records.extend(leave_partitions(&after, b, false));
    records
}

/// Unfencing: the unfence record, then leadership for leaderless partitions it is in the ISR of.
fn unfence_records(image: &MetadataImage, b: BrokerId) -> Vec<Record> {
    let mut records = Vec::new();
    let Some(reg) = image.brokers.get(&b) else {
        return records;
    };
    records.push(Record::BrokerRegistrationChange(
        BrokerRegistrationChangeRecord {
            broker_id: b,
            broker_epoch: reg.epoch,
            fenced: -1,
            in_controlled_shutdown: 0,
        },
    ));
    for t in image.topics.values() {
        for (i, p) in t.partitions.iter().enumerate() {
            if p.leader == NO_LEADER && p.isr.contains(&b) {
                records.push(Record::PartitionChange(PartitionChangeRecord {
                    partition_id: i as i32,
                    topic_id: t.id,
                    isr: None,
                    leader: b,
                }));
            }
        }
    }
    records
}

/// How long a controller's pending admin work may wait; exposed for views.
pub fn session_timeout() -> Micros {
    ms(BROKER_SESSION_TIMEOUT_MS)
}

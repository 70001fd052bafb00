//! A Kafka process in KRaft mode (Kafka's `KafkaRaftServer`): the raft replica of the
//! metadata log, the metadata loader that applies committed records to the image, and — by
//! `process.roles` — a controller, a broker, or both (combined mode: a pause or crash hits
//! both roles).
//!
//! - [`config`]: `server.properties`, `meta.properties`, and the start-up checks;
//! - [`controller`]: the quorum controller (active or hot standby);
//! - [`broker`]: the broker lifecycle.

pub mod broker;
pub mod config;
pub mod controller;

use std::sync::Arc;

use crate::effect::{Ctx, Output};
use crate::kraft::{Disk, QuorumConfig, Replica};
use crate::message::Payload;
use crate::metadata::image::{ImageMemo, MetadataImage};
use crate::record::Record;
use crate::trace::Event;
use crate::types::{NodeId, Offset, SimTime};

use broker::Broker;
use config::{validate, voter_count_warning, NodeConfig};
use controller::Controller;

/// An admin operation, sent to the active controller (as the admin client would route it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdminOp {
    /// `CreateTopics`.
    CreateTopic {
        /// Name.
        name: String,
        /// Partitions.
        partitions: u32,
        /// Replication factor.
        replication_factor: u32,
        /// Topic configs.
        configs: Vec<(String, String)>,
    },
    /// Many `CreateTopics` at once (`<prefix>-00000`, `<prefix>-00001`, …), for scale runs.
    CreateTopics {
        /// Name prefix.
        prefix: String,
        /// Number of the first topic (`<prefix>-<first>`): a long run is submitted in slices.
        first: u32,
        /// How many topics.
        count: u32,
        /// Partitions per topic.
        partitions: u32,
        /// Replication factor.
        replication_factor: u32,
    },
    /// `DeleteTopics`.
    DeleteTopic {
        /// Name.
        name: String,
    },
    /// `IncrementalAlterConfigs` (`value: None` deletes the key).
    AlterConfig {
        /// `<topic>`, `broker:<id>` or `broker`.
        resource: String,
        /// Key.
        key: String,
        /// Value.
        value: Option<String>,
    },
}

impl AdminOp {
    /// The operation as a line of the scenario language.
    pub fn to_command(&self) -> String {
        match self {
            AdminOp::CreateTopic {
                name,
                partitions,
                replication_factor,
                configs,
            } => {
                let mut s =
                    format!("create-topic {name} partitions={partitions} rf={replication_factor}");
                for (k, v) in configs {
                    s += &format!(" {k}={v}");
                }
                s
            }
            AdminOp::CreateTopics {
                prefix,
                first,
                count,
                partitions,
                replication_factor,
            } => format!(
                "create-topics {prefix} first={first} count={count} partitions={partitions} rf={replication_factor}"
            ),
            AdminOp::DeleteTopic { name } => format!("delete-topic {name}"),
            AdminOp::AlterConfig {
                resource,
                key,
                value,
            } => format!(
                "alter-config {resource} {key}={}",
                value.as_deref().unwrap_or("none")
            ),
        }
    }
}

/// One running process.
#[derive(Clone, Debug)]
pub struct Server {
    config: NodeConfig,
    raft: Replica,
    image: Arc<MetadataImage>,
    controller: Option<Controller>,
    broker: Option<Broker>,
    shutting_down: bool,
    stopped: bool,
}

/// Why a process refused to start, with its disk handed back untouched so that the node can
/// be fixed (configured, formatted) and started again.
#[derive(Debug)]
pub struct Refused {
    /// Kafka's message for the refusal.
    pub why: String,
    /// The disk, as it was.
    pub disk: Disk,
}

impl Server {
    /// Starts a process from its configuration and disk, or refuses to start with Kafka's
    /// reason (the disk is handed back untouched).
    pub fn start(
        config: NodeConfig,
        disk: Disk,
        quorum: Arc<QuorumConfig>,
        ctx: &mut Ctx,
    ) -> Result<Server, Box<Refused>> {
        if let Err(why) = validate(&config, disk.meta.as_ref()) {
            return Err(Box::new(Refused { why, disk }));
        }
        let cluster_id = disk
            .meta
            .as_ref()
            .map(|m| m.cluster_id.clone())
            .unwrap_or_default();
        // The voters a controller starts with: `controller.quorum.voters`, or in a dynamic
        // quorum the bootstrap checkpoint's (its bootstrap servers list every controller).
        let initial_voters = if config.dynamic_quorum {
            disk.bootstrap_voters.as_ref().map(|v| v.len())
        } else {
            Some(config.quorum_voters.len())
        };
        if config.roles.controller {
            if let Some(w) = initial_voters.and_then(voter_count_warning) {
                ctx.emit(Event::ConfigWarning { what: w });
            }
        }
        let voters = Arc::new(config.quorum_voters.clone());
        let raft = Replica::start(config.node_id, voters, quorum, disk, ctx);
        let controller = config
            .roles
            .controller
            .then(|| Controller::new(cluster_id.clone()));
        let broker = config.roles.broker.then(|| {
            let incarnation = ctx.draw_uuid();
            Broker::new(config.node_id.0, cluster_id.clone(), incarnation, ctx.now)
        });
        Ok(Server {
            config,
            raft,
            image: Arc::new(MetadataImage::default()),
            controller,
            broker,
            shutting_down: false,
            stopped: false,
        })
    }

    /// Stops the process: what is left is the disk.
    pub fn into_disk(self) -> Disk {
        self.raft.into_disk()
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// The raft replica.
    pub fn raft(&self) -> &Replica {
        &self.raft
    }

    /// The metadata image built from committed records.
    pub fn image(&self) -> &Arc<MetadataImage> {
        &self.image
    }

    /// The controller component, on controller nodes.
    pub fn controller(&self) -> Option<&Controller> {
        self.controller.as_ref()
    }

    /// The broker component, on broker nodes.
    pub fn broker(&self) -> Option<&Broker> {
        self.broker.as_ref()
    }

    /// True if this process is the active controller.
    pub fn is_active_controller(&self) -> bool {
        self.controller.as_ref().is_some_and(|c| c.is_active())
    }

    /// Handles a delivered message, then polls.
    pub fn handle(&mut self, from: NodeId, payload: Payload, ctx: &mut Ctx, memo: &mut ImageMemo) {
        match payload {
            Payload::Raft(msg) => self.raft.handle(from, msg, ctx),
            Payload::Controller(msg) => {
                if msg.rpc.is_request() {
                    // A node without the controller role leaves the request unanswered.
                    if let Some(c) = &mut self.controller {
                        c.handle(&mut self.raft, from, msg, ctx);
                    }
                } else if let Some(b) = &mut self.broker {
                    b.handle(from, msg, ctx);
                }
            }
            // A KRaft node does not speak ZooKeeper mode's protocols.
            Payload::Zk(_) => {}
        }
        self.poll(ctx, memo);
    }

    /// Runs whatever is due in every component.
    pub fn poll(&mut self, ctx: &mut Ctx, memo: &mut ImageMemo) {
        if self.stopped {
            return;
        }
        self.raft.poll(ctx);
        self.load_committed(ctx, memo);
        self.maybe_snapshot(ctx);
        if let Some(c) = &mut self.controller {
            c.sync_with_raft(&mut self.raft, &self.image, ctx);
            c.poll(&mut self.raft, ctx);
        }
        if let Some(b) = &mut self.broker {
            let controller = self
                .raft
                .leader()
                .filter(|l| *l != self.config.node_id || self.config.roles.controller);
            b.poll(controller, &self.image, ctx);
        }
        if self.shutting_down {
            let broker_done = self.broker.as_ref().is_none_or(|b| b.is_done());
            if broker_done {
                self.raft.begin_shutdown(ctx);
                self.raft.poll(ctx);
            }
            let raft_done = self.raft.shutdown_complete();
            if raft_done && broker_done {
                self.stopped = true;
                ctx.out.push(Output::ShutdownComplete { why: None });
            }
        } else if let Some(why) = self.broker.as_ref().and_then(|b| b.gave_up()) {
            self.stopped = true;
            ctx.out.push(Output::ShutdownComplete {
                why: Some(why.to_string()),
            });
        }
    }

    /// The snapshot generator (`SnapshotGenerator`): freezes the image once enough records
    /// were applied since the last snapshot, or enough time passed.
    fn maybe_snapshot(&mut self, ctx: &mut Ctx) {
        let cfg = self.raft.config();
        let (last_end, last_at) = self
            .raft
            .latest_snapshot()
            .map(|s| (s.id.end_offset, s.taken_at))
            .unwrap_or((0, SimTime::ZERO));
        let applied = self.image.offset.saturating_sub(last_end);
        if applied == 0 {
            return;
        }
        if applied >= cfg.snapshot_records
            || ctx.now.since(last_at) >= crate::types::ms(cfg.snapshot_interval_ms)
        {
            self.raft.take_snapshot(self.image.clone(), ctx);
        }
    }

    /// Applies committed batches to the image (`MetadataLoader`): only records below the high
    /// watermark, never above. A snapshot newer than the image replaces it first
    /// (`handleLoadSnapshot`): after a restart, or once a snapshot was fetched.
    fn load_committed(&mut self, ctx: &mut Ctx, memo: &mut ImageMemo) {
        if let Some(snapshot) = self.raft.latest_snapshot() {
            if snapshot.id.end_offset > self.image.offset {
                self.image = snapshot.image.clone();
                ctx.emit(Event::SnapshotLoaded {
                    offset: self.image.offset,
                });
            }
        }
        let hw = self.raft.high_watermark();
        // Teaching switch: apply whatever the log holds, committed or not.
        let limit = if self.raft.config().buggify.apply_uncommitted {
            Some(self.raft.log().end_offset())
        } else {
            hw
        };
        let Some(limit) = limit else {
            return;
        };
        if self.image.offset == 0 {
            self.image = memo.empty();
        }
        let start = self.image.offset;
        while self.image.offset < limit {
            let log = self.raft.log();
            let Some(batch) = log.batch_containing(self.image.offset) else {
                break;
            };
            let from = (self.image.offset - batch.base_offset) as usize;
            let to = (limit.min(batch.end_offset()) - batch.base_offset) as usize;
            let next = if from == 0 {
                memo.apply(
                    &self.image,
                    batch.base_offset,
                    batch.epoch,
                    &batch.records,
                    to,
                )
            } else {
                let mut img = (*self.image).clone();
                img.apply_all(self.image.offset, batch.epoch, &batch.records[from..to])
                    .map(|()| Arc::new(img))
            };
            match next {
                Ok(img) => self.image = img,
                Err(why) => {
                    ctx.emit(Event::Illegal {
                        what: format!(
                            "the metadata loader could not apply a committed record: {why}"
                        ),
                    });
                    break;
                }
            }
        }
        if self.image.offset != start {
            ctx.emit(Event::MetadataLoaded {
                offset: self.image.offset,
                high_watermark: hw.unwrap_or(0),
            });
        }
    }

    /// When the process next needs a poll.
    pub fn next_deadline(&self) -> SimTime {
        if self.stopped {
            return SimTime::NEVER;
        }
        let c = self
            .controller
            .as_ref()
            .map(|c| c.next_deadline())
            .unwrap_or(SimTime::NEVER);
        let b = self
            .broker
            .as_ref()
            .map(|b| b.next_deadline())
            .unwrap_or(SimTime::NEVER);
        self.raft.next_deadline().min(c).min(b)
    }

    /// Starts a graceful shutdown. As in Kafka's `KafkaRaftServer.shutdown`, the broker role
    /// goes first (a controlled shutdown, which in combined mode this node's own controller
    /// may have to grant), then the raft replica resigns; the process stops when both are done.
    pub fn begin_shutdown(&mut self, ctx: &mut Ctx) {
        if self.shutting_down {
            return;
        }
        self.shutting_down = true;
        ctx.emit(Event::ShutdownStarted);
        match &mut self.broker {
            Some(b) => b.begin_shutdown(ctx.now),
            None => self.raft.begin_shutdown(ctx),
        }
    }

    /// "Time out now" on the raft replica.
    pub fn timeout_now(&mut self, ctx: &mut Ctx) -> Result<(), String> {
        self.raft.timeout_now(ctx)
    }

    /// Appends opaque records through the raft leader (`write <n>`).
    pub fn write(&mut self, records: Vec<Record>, ctx: &mut Ctx) -> Result<Offset, String> {
        self.raft.write(records, ctx)
    }

    /// `AddRaftVoter` / `RemoveRaftVoter` on this node's raft replica (it must lead).
    pub fn change_voters(
        &mut self,
        add: bool,
        id: NodeId,
        ctx: &mut Ctx,
    ) -> Result<String, String> {
        if add {
            self.raft.add_voter(id, ctx)
        } else {
            self.raft.remove_voter(id, ctx)
        }
    }

    /// Runs an admin operation; only the active controller accepts them.
    pub fn admin(&mut self, op: &AdminOp, ctx: &mut Ctx) -> Result<String, String> {
        let c = self
            .controller
            .as_mut()
            .filter(|c| c.is_active())
            .ok_or_else(|| {
                format!(
                    "NOT_CONTROLLER: {} is not the active controller",
                    self.config.node_id
                )
            })?;
        match op {
            AdminOp::CreateTopic {
                name,
                partitions,
                replication_factor,
                configs,
            } => c.create_topic(
                &mut self.raft,
                name,
                *partitions,
                *replication_factor,
                configs,
                ctx,
            ),
            AdminOp::CreateTopics {
                prefix,
                first,
                count,
                partitions,
                replication_factor,
            } => {
                for i in *first..first.saturating_add(*count) {
                    c.create_topic(
                        &mut self.raft,
                        &format!("{prefix}-{i:05}"),
                        *partitions,
                        *replication_factor,
                        &[],
                        ctx,
                    )
                    .map_err(|e| format!("topic {i} of {count}: {e}"))?;
                }
                Ok(format!(
                    "CreateTopics: {count} topics of {partitions} partitions written ({} partitions)",
                    *count as u64 * *partitions as u64
                ))
            }
            AdminOp::DeleteTopic { name } => c.delete_topic(&mut self.raft, name, ctx),
            AdminOp::AlterConfig {
                resource,
                key,
                value,
            } => c.alter_config(&mut self.raft, resource, key, value.as_deref(), ctx),
        }
    }
}

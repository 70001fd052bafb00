//! Step-level test harness for the quorum controller (test builds only).
//!
//! A test builds the metadata log a controller starts from ([`Given`]: the `metadata.version`,
//! registered brokers, topics with their partitions), starts one KRaft process with the
//! controller role on it — the only voter of a one-voter quorum, so it elects itself, replays
//! the log and becomes the **active controller** ([`Given::active`]) — and then drives one input
//! at a time: a broker's request, or the clock ([`Ctl`]). Each step reports what it did
//! ([`Step`]): the records it appended to the metadata log, the answers it sent and the trace
//! events it emitted, so that a test reads "given brokers 0, 1, 2 and topic orders, when broker
//! 0 stops heartbeating for 9 s, then these records are written".
//!
//! Conventions:
//! - the controller is node 3000; brokers are 0, 1, 2…; broker `b`'s process has the
//!   incarnation [`incarnation`]`(b)` (a restarted process: [`other_incarnation`]`(b)`);
//! - the given log is written in epoch 1, from offset 0; a registered broker's epoch is the
//!   offset of its `RegisterBrokerRecord` ([`Ctl::broker_epoch`]);
//! - records and answers are compared as the trace prints them, with topic ids replaced by the
//!   topic's name (`PartitionChangeRecord(topicId=orders, partitionId=0, isr=[1,2], leader=1)`);
//! - time is in milliseconds **since the controller became active** ([`Ctl::poll_at`]): that
//!   is when every registered broker's session starts (`BrokerHeartbeatManager.touch` on
//!   activation);
//! - the controller answers a request that writes records only once they are committed: after
//!   the 25 ms linger of the raft leader. [`Ctl::deliver`] is the handling alone; [`Ctl::commit`]
//!   runs the clock until what was written is committed; [`Ctl::request`] does both.

use std::fmt;
use std::sync::Arc;

use crate::effect::{Ctx, Output};
use crate::kraft::testing::batch;
use crate::kraft::{Disk, MetaProperties, QuorumConfig};
use crate::message::{ControllerMessage, Payload};
use crate::metadata::image::{ImageMemo, MetadataImage};
use crate::metadata::rpc::ControllerRpc;
use crate::record::{
    BrokerId, FeatureLevelRecord, PartitionRecord, Record, RegisterBrokerRecord, TopicRecord,
};
use crate::rng::SimRng;
use crate::server::config::{NodeConfig, Roles};
use crate::server::Server;
use crate::trace::Event;
use crate::types::{ms, NodeId, Offset, SimTime};
use crate::uuid::Uuid;

use super::{Controller, METADATA_VERSION};

/// The controller's node id.
pub(crate) const CONTROLLER: i32 = 3000;
/// The cluster id in every `meta.properties` and request.
pub(crate) const CLUSTER: &str = "MkU3OEVBNTcwNTJENDM2Qg";

/// The incarnation id of broker `b`'s process.
pub(crate) fn incarnation(b: BrokerId) -> Uuid {
    Uuid(0xB0B0_0000_0000_0000_0000_0000_0000_0000 | b as u128)
}

/// The incarnation id of another process of broker `b` (a restart, or an impostor).
pub(crate) fn other_incarnation(b: BrokerId) -> Uuid {
    Uuid(0xCAFE_0000_0000_0000_0000_0000_0000_0000 | b as u128)
}

// ----- requests ------------------------------------------------------------------------------

/// `BrokerRegistration` from broker `b` with incarnation `inc`, of this cluster.
pub(crate) fn register(b: BrokerId, inc: Uuid) -> ControllerRpc {
    ControllerRpc::BrokerRegistrationRequest {
        broker_id: b,
        cluster_id: CLUSTER.into(),
        incarnation_id: inc,
    }
}

/// A `BrokerHeartbeat`, built field by field: by default at metadata offset 0, not asking to
/// be fenced and not shutting down.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Heartbeat {
    broker: BrokerId,
    epoch: i64,
    offset: i64,
    want_fence: bool,
    want_shut_down: bool,
}

/// A heartbeat from broker `b` with broker epoch `epoch`.
pub(crate) fn heartbeat(b: BrokerId, epoch: i64) -> Heartbeat {
    Heartbeat {
        broker: b,
        epoch,
        offset: 0,
        want_fence: false,
        want_shut_down: false,
    }
}

impl Heartbeat {
    /// `CurrentMetadataOffset`: the offset of the last record the broker applied.
    pub(crate) fn offset(mut self, offset: i64) -> Heartbeat {
        self.offset = offset;
        self
    }

    /// `WantFence=true` (a STARTING broker).
    pub(crate) fn want_fence(mut self) -> Heartbeat {
        self.want_fence = true;
        self
    }

    /// `WantShutDown=true` (a broker in PENDING_CONTROLLED_SHUTDOWN).
    pub(crate) fn want_shut_down(mut self) -> Heartbeat {
        self.want_shut_down = true;
        self
    }
}

impl From<Heartbeat> for ControllerRpc {
    fn from(h: Heartbeat) -> ControllerRpc {
        ControllerRpc::BrokerHeartbeatRequest {
            broker_id: h.broker,
            broker_epoch: h.epoch,
            current_metadata_offset: h.offset,
            want_fence: h.want_fence,
            want_shut_down: h.want_shut_down,
        }
    }
}

// ----- what one step did ---------------------------------------------------------------------

/// What one step did.
#[derive(Clone, Default)]
pub(crate) struct Step {
    /// Controller answers sent: `(to, line)`.
    answers: Vec<(i32, String)>,
    /// Records appended to the metadata log, as printed (topic ids replaced by names).
    records: Vec<String>,
    /// Trace events.
    events: Vec<Event>,
}

impl Step {
    /// The answers sent, `(broker, line)`, in order.
    pub(crate) fn answers(&self) -> Vec<(i32, &str)> {
        self.answers.iter().map(|(b, l)| (*b, l.as_str())).collect()
    }

    /// The records appended, in log order.
    pub(crate) fn records(&self) -> Vec<&str> {
        self.records.iter().map(String::as_str).collect()
    }

    /// The records appended, without the idle controller's `NoOpRecord`s.
    pub(crate) fn records_but_noops(&self) -> Vec<&str> {
        self.records()
            .into_iter()
            .filter(|r| *r != "NoOpRecord()")
            .collect()
    }

    /// The trace events.
    pub(crate) fn events(&self) -> &[Event] {
        &self.events
    }

    /// The brokers fenced for an expired session, in order.
    pub(crate) fn fenced(&self) -> Vec<BrokerId> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::BrokerFenced { broker, .. } => Some(*broker),
                _ => None,
            })
            .collect()
    }

    /// This step followed by `next`.
    pub(crate) fn then(mut self, next: Step) -> Step {
        self.answers.extend(next.answers);
        self.records.extend(next.records);
        self.events.extend(next.events);
        self
    }
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in &self.records {
            writeln!(f, "  record {r}")?;
        }
        for (to, a) in &self.answers {
            writeln!(f, "  -> {to}: {a}")?;
        }
        for e in &self.events {
            writeln!(f, "  event {e:?}")?;
        }
        Ok(())
    }
}

// ----- building a controller -----------------------------------------------------------------

/// The metadata log a controller starts from.
pub(crate) struct Given {
    records: Vec<Record>,
    topics: Vec<(Uuid, String)>,
}

impl Given {
    /// A formatted cluster whose log holds only `metadata.version` (3.9-IV0).
    pub(crate) fn cluster() -> Given {
        Given::empty_log().record(Record::FeatureLevel(Box::new(FeatureLevelRecord {
            name: "metadata.version".into(),
            feature_level: METADATA_VERSION,
        })))
    }

    /// A freshly formatted cluster: an empty metadata log.
    pub(crate) fn empty_log() -> Given {
        Given {
            records: Vec::new(),
            topics: Vec::new(),
        }
    }

    fn record(mut self, r: Record) -> Given {
        self.records.push(r);
        self
    }

    fn register(self, b: BrokerId, fenced: bool) -> Given {
        let epoch = self.records.len() as i64;
        self.record(Record::RegisterBroker(Box::new(RegisterBrokerRecord {
            broker_id: b,
            incarnation_id: incarnation(b),
            broker_epoch: epoch,
            endpoint: format!("broker-{b}"),
            fenced,
            in_controlled_shutdown: false,
        })))
    }

    /// Brokers registered (one RegisterBrokerRecord each, in order) and unfenced.
    pub(crate) fn brokers(mut self, ids: &[BrokerId]) -> Given {
        for b in ids {
            self = self.register(*b, false);
        }
        self
    }

    /// A broker registered and still fenced.
    pub(crate) fn fenced_broker(self, b: BrokerId) -> Given {
        self.register(b, true)
    }

    /// A topic whose partitions have these replicas, each with its first replica leading and
    /// every replica in the ISR.
    pub(crate) fn topic(self, name: &str, partitions: &[&[BrokerId]]) -> Given {
        let parts: Vec<(&[BrokerId], &[BrokerId], BrokerId)> =
            partitions.iter().map(|r| (*r, *r, r[0])).collect();
        self.topic_with(name, &parts)
    }

    /// A topic whose partitions have these `(replicas, isr, leader)`.
    pub(crate) fn topic_with(
        mut self,
        name: &str,
        partitions: &[(&[BrokerId], &[BrokerId], BrokerId)],
    ) -> Given {
        let topic_id = Uuid(0x7091_C000 + self.topics.len() as u128);
        self.topics.push((topic_id, name.to_string()));
        self = self.record(Record::Topic(Box::new(TopicRecord {
            name: name.to_string(),
            topic_id,
        })));
        for (i, (replicas, isr, leader)) in partitions.iter().enumerate() {
            self = self.record(Record::Partition(PartitionRecord {
                partition_id: i as i32,
                topic_id,
                replicas: Arc::from(*replicas),
                isr: Arc::from(*isr),
                leader: *leader,
                leader_epoch: 0,
                partition_epoch: 0,
            }));
        }
        self
    }

    fn start(self, voters: &[i32]) -> Ctl {
        let mut log = crate::kraft::log::Log::new();
        if !self.records.is_empty() {
            log.append(batch(0, 1, self.records))
                .expect("a fresh log accepts a batch");
        }
        let disk = Disk {
            log,
            meta: Some(MetaProperties {
                cluster_id: CLUSTER.into(),
                node_id: NodeId(CONTROLLER),
                directory_id: crate::uuid::directory_id(1, NodeId(CONTROLLER), 0),
            }),
            ..Disk::default()
        };
        let config = NodeConfig {
            node_id: NodeId(CONTROLLER),
            roles: Roles::CONTROLLER,
            quorum_voters: voters.iter().map(|v| NodeId(*v)).collect(),
            zookeeper_connect: None,
            dynamic_quorum: false,
        };
        let mut rng = SimRng::new(7);
        let mut out = Vec::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &mut rng, &mut out);
        let server = Server::start(config, disk, Arc::new(QuorumConfig::default()), &mut ctx)
            .unwrap_or_else(|r| panic!("the controller refused to start: {}", r.why));
        let names = self
            .topics
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone()))
            .collect();
        Ctl {
            server,
            rng,
            memo: ImageMemo::default(),
            now: SimTime::ZERO,
            activated_at: SimTime::ZERO,
            seen: 0,
            names,
            correlation: 100,
            startup: Step::default(),
        }
    }

    /// The only voter of its quorum, run until it is the active controller and everything it
    /// wrote on activation is committed. Time 0 of the test is the activation.
    pub(crate) fn active(self) -> Ctl {
        let mut c = self.start(&[CONTROLLER]);
        for _ in 0..64 {
            let at = c.server.next_deadline();
            assert!(
                at != SimTime::NEVER,
                "the controller has nothing to wait for"
            );
            c.now = c.now.max(at);
            let step = c.poll_now();
            c.startup = std::mem::take(&mut c.startup).then(step);
            if c.activated_at == SimTime::ZERO && c.server.is_active_controller() {
                c.activated_at = c.now;
            }
            if c.server.is_active_controller() && c.settled() {
                c.seen = c.server.raft().log().end_offset();
                return c;
            }
        }
        panic!("the controller never became active");
    }

    /// One voter of three that has not won an election: a standby controller.
    pub(crate) fn standby(self) -> Ctl {
        let c = self.start(&[CONTROLLER, CONTROLLER + 1, CONTROLLER + 2]);
        assert!(!c.server.is_active_controller());
        c
    }
}

/// One controller process under test, with its clock.
pub(crate) struct Ctl {
    server: Server,
    rng: SimRng,
    memo: ImageMemo,
    now: SimTime,
    activated_at: SimTime,
    /// The log end offset the last step reported up to.
    seen: Offset,
    /// Topic ids as printed, and the names that replace them.
    names: Vec<(String, String)>,
    correlation: u64,
    /// What starting and becoming active did (elections, activation, bootstrap records).
    pub(crate) startup: Step,
}

impl Ctl {
    fn controller(&self) -> &Controller {
        self.server.controller().expect("a controller node")
    }

    /// Everything the controller wrote is in the log and committed, and every answer waiting
    /// for a commit is sent.
    fn settled(&self) -> bool {
        let raft = self.server.raft();
        let end = raft.log().end_offset();
        raft.next_offset() == end
            && raft.high_watermark() == Some(end)
            && self.server.image().offset == end
            && self
                .controller()
                .active
                .as_ref()
                .is_none_or(|a| a.pending.is_empty())
    }

    fn record(&mut self, out: Vec<Output>) -> Step {
        let mut step = Step::default();
        for o in out {
            match o {
                Output::Send {
                    to,
                    payload: Payload::Controller(m),
                } => step.answers.push((to.0, m.rpc.to_string())),
                // A standby's raft replica looks for a leader: not what these tests are about.
                Output::Send {
                    payload: Payload::Raft(_),
                    ..
                } => {}
                Output::Send { to, payload } => panic!("the controller sent {payload} to {to}"),
                Output::Event(e) => step.events.push(e),
                Output::ShutdownComplete { .. } => panic!("the controller stopped"),
            }
        }
        let end = self.server.raft().log().end_offset();
        step.records = self.lines(self.seen, end);
        self.seen = end;
        step
    }

    /// The records at offsets `from..to`, as printed, topic ids replaced by names.
    fn lines(&self, from: Offset, to: Offset) -> Vec<String> {
        let log = self.server.raft().log();
        (from..to)
            .map(|o| {
                let (_, r) = log.entry(o).expect("in the log");
                let mut line = r.to_string();
                for (id, name) in &self.names {
                    line = line.replace(id.as_str(), name);
                }
                line
            })
            .collect()
    }

    /// Every record of the metadata log, as printed.
    pub(crate) fn log(&self) -> Vec<String> {
        self.lines(0, self.server.raft().log().end_offset())
    }

    fn poll_now(&mut self) -> Step {
        let mut out = Vec::new();
        let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
        self.server.poll(&mut ctx, &mut self.memo);
        self.record(out)
    }

    /// A request from broker `from`, handled (and, as the simulator does after every message,
    /// followed by a poll) at the current time.
    pub(crate) fn deliver(&mut self, from: BrokerId, rpc: impl Into<ControllerRpc>) -> Step {
        self.correlation += 1;
        let msg = ControllerMessage {
            correlation: self.correlation,
            rpc: rpc.into(),
        };
        let mut out = Vec::new();
        let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
        self.server.handle(
            NodeId(from),
            Payload::Controller(msg),
            &mut ctx,
            &mut self.memo,
        );
        self.record(out)
    }

    /// Runs the clock, deadline by deadline, until what the controller wrote is appended and
    /// committed and the answers waiting for it are sent (at most 1 s, or 1000 polls).
    pub(crate) fn commit(&mut self) -> Step {
        let limit = self.now + ms(1_000);
        let mut step = Step::default();
        for _ in 0..1_000 {
            if self.settled() {
                return step;
            }
            let at = self.server.next_deadline().max(self.now);
            assert!(at <= limit, "nothing committed within 1 s:\n{step:?}");
            self.now = at;
            step = step.then(self.poll_now());
        }
        panic!("the controller keeps asking to be polled and commits nothing:\n{step:?}");
    }

    /// [`Ctl::deliver`], then [`Ctl::commit`].
    pub(crate) fn request(&mut self, from: BrokerId, rpc: impl Into<ControllerRpc>) -> Step {
        let handled = self.deliver(from, rpc);
        handled.then(self.commit())
    }

    /// Moves the clock to `t_ms` after the activation (never backwards) and polls.
    pub(crate) fn poll_at(&mut self, t_ms: u64) -> Step {
        self.set_time(t_ms);
        self.poll_now()
    }

    /// Moves the clock to `t_ms` after the activation without polling.
    pub(crate) fn set_time(&mut self, t_ms: u64) {
        let t = self.activated_at + ms(t_ms);
        assert!(t >= self.now, "time does not go backwards");
        self.now = t;
    }

    // ----- what the controller is now -------------------------------------------------------

    /// The committed metadata image.
    pub(crate) fn image(&self) -> &MetadataImage {
        self.server.image()
    }

    /// The metadata offset of a broker that has applied every committed record (what its
    /// heartbeat reports as `CurrentMetadataOffset`: the offset of the last one).
    pub(crate) fn caught_up(&self) -> i64 {
        self.image().offset as i64 - 1
    }

    /// The offset the next record will get.
    pub(crate) fn next_offset(&self) -> Offset {
        self.server.raft().next_offset()
    }

    /// Broker `b`'s epoch, as the committed image knows it.
    pub(crate) fn broker_epoch(&self, b: BrokerId) -> i64 {
        self.image().brokers.get(&b).expect("registered").epoch
    }

    /// True if the controller is active.
    pub(crate) fn is_active(&self) -> bool {
        self.server.is_active_controller()
    }

    /// `(leader, isr)` of partition `p` of `topic` in the committed image.
    pub(crate) fn partition(&self, topic: &str, p: usize) -> (BrokerId, Vec<BrokerId>) {
        let t = self.image().topic(topic).expect("a topic");
        let p = &t.partitions[p];
        (p.leader, p.isr.to_vec())
    }
}

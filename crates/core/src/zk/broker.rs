//! A ZooKeeper-mode Kafka broker (Kafka ≤ 3.9's `KafkaServer`), sans-IO (docs/fidelity.md,
//! ZooKeeper mode).
//!
//! On start it opens a ZooKeeper session, makes sure the top-level paths exist, registers the
//! ephemeral `/brokers/ids/<id>` (its czxid is the broker epoch) and runs for controller:
//! whoever first creates the ephemeral `/controller`, in one multi with the `/controller_epoch`
//! bump, is the controller ([`super::controller`]); the others watch `/controller` and run
//! again when it is deleted. It applies `LeaderAndIsr` and `UpdateMetadata` from the
//! controller, refusing any from an older controller epoch (`STALE_CONTROLLER_EPOCH`: a zombie
//! is fenced). A clean shutdown asks the controller to move its leadership away first
//! (`ControlledShutdown`, retried 3 times 5 s apart), then closes the session.

use std::collections::{BTreeMap, BTreeSet};

use crate::flat::FlatMap;

use crate::costs::CostModel;
use crate::effect::{Ctx, Output};
use crate::message::Payload;
use crate::trace::Event;
use crate::types::{ms, NodeId, SimTime};

use super::client::{ZkClient, ZkClientEvent};
use super::controller::{Outcome, Task, ZkController};
use super::json;
use super::rpc::{ClientOp, ClientResult, KafkaMsg, PartitionState, ZkMessage};
use super::tree::{Op, WatchKind, ZkError, Znode, Zxid};

/// `controlled.shutdown.max.retries`.
pub const CONTROLLED_SHUTDOWN_RETRIES: u32 = 3;
/// `controlled.shutdown.retry.backoff.ms`.
pub const CONTROLLED_SHUTDOWN_BACKOFF_MS: u64 = 5_000;
/// How long a broker waits for a ControlledShutdown answer (`controller.socket.timeout.ms`).
pub const CONTROLLED_SHUTDOWN_TIMEOUT_MS: u64 = 30_000;

/// What configures every ZooKeeper-mode broker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZkKafkaConfig {
    /// `zookeeper.connect`.
    pub zk_servers: Vec<NodeId>,
    /// `zookeeper.session.timeout.ms` (18000).
    pub session_timeout_ms: u64,
    /// The cost model.
    pub costs: CostModel,
    /// Teaching switch `accept-stale-controller`: no STALE_CONTROLLER_EPOCH check.
    pub accept_stale_controller: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Purpose {
    EnsurePath,
    Register,
    WhoIsController,
    ControllerEpoch,
    /// After NODEEXISTS on registering: is the znode ours (our own create, answered on a
    /// connection that was lost and so sent again)?
    CheckRegistration,
    Elect {
        epoch: u32,
        version: i32,
    },
    /// After an error on the election multi: did our own earlier try win? First
    /// `/controller`, then `/controller_epoch`.
    CheckElected {
        epoch: u32,
        version: i32,
    },
    CheckElectedEpoch {
        epoch: u32,
        version: i32,
    },
    CreateTopic(String),
}

#[derive(Clone, Debug)]
struct Shutdown {
    tries: u32,
    next_try: SimTime,
    waiting: bool,
}

/// One ZooKeeper-mode broker.
#[derive(Clone, Debug)]
pub struct ZkBroker {
    id: i32,
    cfg: ZkKafkaConfig,
    client: ZkClient,
    pending: FlatMap<u64, Purpose>,
    broker_epoch: Option<Zxid>,
    controller_id: Option<i32>,
    controller: Option<ZkController>,
    /// Highest controller epoch it accepted requests from.
    controller_epoch: u32,
    partitions: BTreeMap<(String, u32), PartitionState>,
    live_brokers: Vec<i32>,
    modelled_known: u64,
    shutdown: Option<Shutdown>,
    last_poll: SimTime,
}

fn kafka(msg: KafkaMsg) -> Payload {
    Payload::Zk(ZkMessage::Kafka(msg))
}

impl ZkBroker {
    /// Starts broker `id`: connects to ZooKeeper.
    pub fn start(id: NodeId, cfg: ZkKafkaConfig, ctx: &mut Ctx) -> ZkBroker {
        let client = ZkClient::new(
            cfg.zk_servers.clone(),
            cfg.session_timeout_ms,
            id.0.max(0) as usize,
            ctx,
        );
        ZkBroker {
            id: id.0,
            cfg,
            client,
            pending: FlatMap::new(),
            broker_epoch: None,
            controller_id: None,
            controller: None,
            controller_epoch: 0,
            partitions: BTreeMap::new(),
            live_brokers: Vec::new(),
            modelled_known: 0,
            shutdown: None,
            last_poll: ctx.now,
        }
    }

    /// The broker id.
    pub fn id(&self) -> i32 {
        self.id
    }

    /// Its ZooKeeper client.
    pub fn client(&self) -> &ZkClient {
        &self.client
    }

    /// Its broker epoch (the czxid of its registration), once registered.
    pub fn broker_epoch(&self) -> Option<Zxid> {
        self.broker_epoch
    }

    /// The controller it knows of.
    pub fn controller_id(&self) -> Option<i32> {
        self.controller_id
    }

    /// Its controller state, if it is the controller.
    pub fn controller(&self) -> Option<&ZkController> {
        self.controller.as_ref()
    }

    /// The highest controller epoch it accepted requests from.
    pub fn controller_epoch(&self) -> u32 {
        self.controller_epoch
    }

    /// Its metadata cache of drawn partitions.
    pub fn partitions(&self) -> impl Iterator<Item = &PartitionState> {
        self.partitions.values()
    }

    /// Live brokers per the last UpdateMetadata.
    pub fn live_brokers(&self) -> &[i32] {
        &self.live_brokers
    }

    /// Modelled partitions it has metadata for.
    pub fn modelled_known(&self) -> u64 {
        self.modelled_known
    }

    /// True while a controlled shutdown is under way.
    pub fn shutting_down(&self) -> bool {
        self.shutdown.is_some()
    }

    fn request(&mut self, op: ClientOp, why: Purpose, ctx: &mut Ctx) {
        let xid = self.client.request(op, ctx);
        self.pending.insert(xid, why);
    }

    fn on_session(&mut self, ctx: &mut Ctx) {
        for path in ["/brokers", "/brokers/ids", "/brokers/topics"] {
            self.request(
                ClientOp::Write(vec![Op::Create {
                    path: path.into(),
                    data: String::new(),
                    ephemeral: false,
                }]),
                Purpose::EnsurePath,
                ctx,
            );
        }
        self.register(ctx);
        self.who_is_controller(ctx);
    }

    /// Creates the ephemeral `/brokers/ids/N` of this session.
    fn register(&mut self, ctx: &mut Ctx) {
        self.request(
            ClientOp::Write(vec![Op::Create {
                path: format!("/brokers/ids/{}", self.id),
                data: json::broker_registration(self.id),
                ephemeral: true,
            }]),
            Purpose::Register,
            ctx,
        );
    }

    /// Reads a znode (no watch) for `why`.
    fn read(&mut self, path: impl Into<String>, why: Purpose, ctx: &mut Ctx) {
        let op = ClientOp::GetData {
            path: path.into(),
            watch: false,
        };
        self.request(op, why, ctx);
    }

    /// True if `z` is an ephemeral znode of this broker's current session.
    fn ours(&self, z: &Znode) -> bool {
        z.ephemeral_owner.is_some() && z.ephemeral_owner == self.client.session()
    }

    fn who_is_controller(&mut self, ctx: &mut Ctx) {
        if self
            .pending
            .values()
            .any(|p| *p == Purpose::WhoIsController)
        {
            return;
        }
        self.request(
            ClientOp::GetData {
                path: "/controller".into(),
                watch: true,
            },
            Purpose::WhoIsController,
            ctx,
        );
    }

    fn resign(&mut self, why: &str, ctx: &mut Ctx) {
        if let Some(c) = self.controller.take() {
            ctx.emit(Event::ZkControllerResigned {
                epoch: c.epoch(),
                why: why.to_string(),
            });
        }
    }

    /// Handles a message.
    pub fn handle(&mut self, from: NodeId, msg: ZkMessage, ctx: &mut Ctx) {
        match msg {
            ZkMessage::Client(m) => {
                let events = self.client.handle(from, m, ctx);
                for e in events {
                    self.on_client_event(e, ctx);
                }
            }
            ZkMessage::Kafka(k) => self.on_kafka(from, k, ctx),
            ZkMessage::Peer(_) => {}
            ZkMessage::Reset => self.on_reset(from, ctx),
        }
        self.poll(ctx);
    }

    /// A connection lost a message and was reset. To its ZooKeeper server: the client
    /// reconnects. To a broker, as the controller: what that broker should know is sent again
    /// (the controller's request thread retries on a new connection). To the controller, while
    /// asking to shut down: that try failed, and the next one follows after the backoff.
    fn on_reset(&mut self, from: NodeId, ctx: &mut Ctx) {
        if from == self.client.server() {
            return self.client.on_reset(from, ctx);
        }
        if let Some(c) = &self.controller {
            c.resend_to(from.0, ctx);
        }
        if let Some(s) = self.shutdown.as_mut() {
            if s.waiting && self.controller_id == Some(from.0) {
                s.waiting = false;
                s.next_try = ctx.now + ms(CONTROLLED_SHUTDOWN_BACKOFF_MS);
            }
        }
    }

    fn on_client_event(&mut self, e: ZkClientEvent, ctx: &mut Ctx) {
        match e {
            ZkClientEvent::Connected { session, new } => {
                if new {
                    ctx.emit(Event::ZkSession {
                        session,
                        what: "established",
                    });
                    if self.shutdown.is_none() {
                        self.on_session(ctx);
                    }
                }
            }
            ZkClientEvent::Expired(session) => {
                ctx.emit(Event::ZkSession {
                    session,
                    what: "expired (told on reconnect)",
                });
                self.pending.clear();
                self.broker_epoch = None;
                self.controller_id = None;
                self.resign("its ZooKeeper session expired", ctx);
            }
            ZkClientEvent::Response { xid, result } => {
                if let Some(c) = self.controller.as_mut() {
                    if c.owns(xid) {
                        if c.on_response(xid, result, &mut self.client, ctx) == Outcome::Moved {
                            self.resign("a write found /controller_epoch moved on", ctx);
                            self.who_is_controller(ctx);
                        }
                        return;
                    }
                }
                if let Some(why) = self.pending.remove(&xid) {
                    self.on_response(why, result, ctx);
                }
            }
            ZkClientEvent::Watch { path, kind } => self.on_watch(&path, kind, ctx),
        }
    }

    fn on_response(&mut self, why: Purpose, result: ClientResult, ctx: &mut Ctx) {
        match (why, result) {
            (Purpose::Register, ClientResult::Written(zxid)) => {
                self.broker_epoch = Some(zxid);
                ctx.emit(Event::ZkBrokerRegistered { epoch: zxid as i64 });
            }
            // Kafka's checkedEphemeralCreate: NODEEXISTS is fine if the znode is ours.
            (Purpose::Register, ClientResult::Error(ZkError::NodeExists)) => self.read(
                format!("/brokers/ids/{}", self.id),
                Purpose::CheckRegistration,
                ctx,
            ),
            (Purpose::CheckRegistration, ClientResult::Node(Some(n))) if self.ours(&n) => {
                self.broker_epoch = Some(n.czxid);
                ctx.emit(Event::ZkBrokerRegistered {
                    epoch: n.czxid as i64,
                });
            }
            (Purpose::CheckRegistration, ClientResult::Node(None)) => self.register(ctx),
            (Purpose::CheckRegistration, ClientResult::Node(Some(_))) => {
                let why = format!(
                    "Error while creating ephemeral at /brokers/ids/{}, node already exists and owner does not match current session",
                    self.id
                );
                ctx.emit(Event::BrokerGaveUp { why: why.clone() });
                self.client.close(ctx);
                ctx.out.push(Output::ShutdownComplete { why: Some(why) });
            }
            (Purpose::WhoIsController, ClientResult::Node(Some(n))) => {
                let id = json::controller_broker(&n.data);
                if self.controller.is_some() && id != Some(self.id) {
                    self.resign("/controller names another broker", ctx);
                }
                self.controller_id = id;
                let electing = self.pending.values().any(|p| {
                    matches!(
                        p,
                        Purpose::ControllerEpoch
                            | Purpose::Elect { .. }
                            | Purpose::CheckElected { .. }
                            | Purpose::CheckElectedEpoch { .. }
                    )
                });
                if id == Some(self.id)
                    && self.ours(&n)
                    && self.controller.is_none()
                    && self.shutdown.is_none()
                    && !electing
                {
                    // It resigned, yet /controller still names it: give the seat up, as
                    // Kafka's triggerControllerMove does, so that an election follows.
                    self.request(
                        ClientOp::Write(vec![Op::Delete {
                            path: "/controller".into(),
                            version: None,
                        }]),
                        Purpose::EnsurePath,
                        ctx,
                    );
                }
            }
            (Purpose::WhoIsController, ClientResult::Node(None)) => {
                self.controller_id = None;
                self.resign("/controller is gone", ctx);
                if self.shutdown.is_none() {
                    self.read("/controller_epoch", Purpose::ControllerEpoch, ctx);
                }
            }
            (Purpose::ControllerEpoch, ClientResult::Node(node)) => {
                let (epoch, version) = match &node {
                    Some(n) => (n.data.trim().parse::<u32>().unwrap_or(0), n.version),
                    None => (0, -1),
                };
                let mut ops = vec![Op::Create {
                    path: "/controller".into(),
                    data: json::controller(self.id, ctx.now.0 / 1000),
                    ephemeral: true,
                }];
                ops.push(match node {
                    Some(_) => Op::SetData {
                        path: "/controller_epoch".into(),
                        data: (epoch + 1).to_string(),
                        version: Some(version),
                    },
                    None => Op::Create {
                        path: "/controller_epoch".into(),
                        data: "1".into(),
                        ephemeral: false,
                    },
                });
                self.request(
                    ClientOp::Write(ops),
                    Purpose::Elect {
                        epoch: epoch + 1,
                        version: version + 1,
                    },
                    ctx,
                );
            }
            (Purpose::Elect { epoch, version }, ClientResult::Written(_)) => {
                self.controller_id = Some(self.id);
                let c = ZkController::elected(
                    self.id,
                    epoch,
                    version,
                    self.cfg.costs,
                    &mut self.client,
                    ctx,
                );
                self.controller = Some(c);
            }
            // Kafka's checkControllerAndEpoch: the multi may have won on a try whose answer
            // was lost with its connection; then /controller is ours.
            (Purpose::Elect { epoch, version }, ClientResult::Error(_)) => {
                self.read("/controller", Purpose::CheckElected { epoch, version }, ctx)
            }
            (Purpose::CheckElected { epoch, version }, ClientResult::Node(Some(n)))
                if self.controller.is_none() && self.ours(&n) =>
            {
                self.read(
                    "/controller_epoch",
                    Purpose::CheckElectedEpoch { epoch, version },
                    ctx,
                )
            }
            (Purpose::CheckElectedEpoch { epoch, version }, ClientResult::Node(Some(n)))
                if self.controller.is_none()
                    && n.version == version
                    && n.data.trim() == epoch.to_string() =>
            {
                self.on_response(
                    Purpose::Elect { epoch, version },
                    ClientResult::Written(0),
                    ctx,
                )
            }
            (Purpose::CheckElected { .. } | Purpose::CheckElectedEpoch { .. }, _) => {
                self.who_is_controller(ctx)
            }
            (Purpose::CreateTopic(t), ClientResult::Error(e)) => ctx.emit(Event::WriteRejected {
                why: format!("creating topic {t}: {}", e.name()),
            }),
            (Purpose::CreateTopic(t), ClientResult::Written(_)) => {
                ctx.emit(Event::AdminCompleted {
                    what: format!("topic {t} written to /brokers/topics/{t}"),
                })
            }
            _ => {}
        }
    }

    fn on_watch(&mut self, path: &str, _kind: WatchKind, ctx: &mut Ctx) {
        match path {
            "/controller" => self.who_is_controller(ctx),
            "/brokers/ids" => {
                if let Some(c) = self.controller.as_mut() {
                    c.enqueue(Task::BrokerChange, &mut self.client, ctx);
                }
            }
            "/brokers/topics" => {
                if let Some(c) = self.controller.as_mut() {
                    c.enqueue(Task::TopicChange, &mut self.client, ctx);
                }
            }
            _ => {}
        }
    }

    fn on_kafka(&mut self, from: NodeId, msg: KafkaMsg, ctx: &mut Ctx) {
        match msg {
            KafkaMsg::LeaderAndIsr {
                controller_epoch,
                controller,
                partitions,
                bulk,
            } => {
                let what = "LeaderAndIsr";
                if self.accept(
                    from,
                    what,
                    controller,
                    controller_epoch,
                    partitions,
                    bulk,
                    ctx,
                ) {
                    ctx.send(
                        from,
                        kafka(KafkaMsg::ControllerResponse { what, error: None }),
                    );
                }
            }
            KafkaMsg::UpdateMetadata {
                controller_epoch,
                controller,
                live_brokers,
                partitions,
                bulk,
            } => {
                let what = "UpdateMetadata";
                if self.accept(
                    from,
                    what,
                    controller,
                    controller_epoch,
                    partitions,
                    bulk,
                    ctx,
                ) {
                    self.live_brokers = live_brokers;
                    self.modelled_known = self.modelled_known.max(bulk);
                }
            }
            KafkaMsg::ControlledShutdown { broker, .. } => {
                if let Some(c) = self.controller.as_mut() {
                    c.enqueue(
                        Task::ControlledShutdown { broker, from },
                        &mut self.client,
                        ctx,
                    );
                }
            }
            KafkaMsg::ControlledShutdownResponse { remaining } => {
                if let Some(s) = self.shutdown.as_mut() {
                    s.waiting = false;
                    if remaining == 0 {
                        self.finish_shutdown("leadership moved away", ctx);
                    }
                }
            }
            KafkaMsg::ControllerResponse { .. } => {}
        }
    }

    /// Applies a controller request's partition states, or refuses it when it comes from an
    /// older controller epoch than one already followed (a zombie). Returns whether it applied.
    #[allow(clippy::too_many_arguments)]
    fn accept(
        &mut self,
        from: NodeId,
        what: &'static str,
        controller: i32,
        epoch: u32,
        partitions: Vec<PartitionState>,
        bulk: u64,
        ctx: &mut Ctx,
    ) -> bool {
        if epoch < self.controller_epoch && !self.cfg.accept_stale_controller {
            ctx.emit(Event::ZkStaleControllerRejected {
                controller,
                epoch,
                current: self.controller_epoch,
            });
            ctx.send(
                from,
                kafka(KafkaMsg::ControllerResponse {
                    what,
                    error: Some("STALE_CONTROLLER_EPOCH"),
                }),
            );
            return false;
        }
        self.controller_epoch = self.controller_epoch.max(epoch);
        ctx.emit(Event::ZkControllerRequestApplied {
            controller,
            epoch,
            what,
            partitions: partitions.len() as u64 + bulk,
        });
        for p in partitions {
            self.partitions.insert((p.topic.clone(), p.partition), p);
        }
        true
    }

    fn finish_shutdown(&mut self, why: &str, ctx: &mut Ctx) {
        let _ = why;
        self.resign("shutting down", ctx);
        self.client.close(ctx);
        ctx.out.push(Output::ShutdownComplete { why: None });
    }

    /// Starts a controlled shutdown.
    pub fn begin_shutdown(&mut self, ctx: &mut Ctx) {
        if self.shutdown.is_none() {
            ctx.emit(Event::ShutdownStarted);
            self.shutdown = Some(Shutdown {
                tries: 0,
                next_try: ctx.now,
                waiting: false,
            });
        }
        self.poll(ctx);
    }

    /// A `kafka-topics --create` sent to this broker: it writes the assignment to
    /// `/brokers/topics/<topic>`; the controller's watch does the rest.
    pub fn create_topic(
        &mut self,
        name: &str,
        partitions: u32,
        rf: u32,
        ctx: &mut Ctx,
    ) -> Result<String, String> {
        let mut live: Vec<i32> = self.live_brokers.clone();
        crate::flat::insertion_sort(&mut live);
        if live.is_empty() {
            return Err("no live brokers known yet".into());
        }
        if rf as usize > live.len() {
            return Err(format!(
                "INVALID_REPLICATION_FACTOR: replication factor {rf} larger than available brokers {}",
                live.len()
            ));
        }
        let replicas: Vec<Vec<i32>> = (0..partitions as usize)
            .map(|p| {
                (0..rf as usize)
                    .map(|i| live[(p + i) % live.len()])
                    .collect()
            })
            .collect();
        self.request(
            ClientOp::Write(vec![Op::Create {
                path: format!("/brokers/topics/{name}"),
                data: json::assignment(&replicas),
                ephemeral: false,
            }]),
            Purpose::CreateTopic(name.to_string()),
            ctx,
        );
        Ok(format!("{} asked to create {name}", self.id))
    }

    /// Timers: the session's pings, the controller's bulk work, controlled-shutdown retries.
    pub fn poll(&mut self, ctx: &mut Ctx) {
        self.last_poll = ctx.now;
        self.client.poll(ctx);
        if let Some(c) = self.controller.as_mut() {
            c.advance(&mut self.client, ctx);
        }
        let controller = self.controller_id;
        let me = self.id;
        let epoch = self.broker_epoch.unwrap_or(0);
        let mut give_up = false;
        if let Some(s) = self.shutdown.as_mut() {
            if !s.waiting && ctx.now >= s.next_try {
                if s.tries >= CONTROLLED_SHUTDOWN_RETRIES {
                    give_up = true;
                } else {
                    s.tries += 1;
                    s.next_try = ctx.now + ms(CONTROLLED_SHUTDOWN_BACKOFF_MS);
                    if let Some(c) = controller {
                        {
                            s.waiting = true;
                            s.next_try = ctx.now + ms(CONTROLLED_SHUTDOWN_TIMEOUT_MS);
                            ctx.send(
                                NodeId(c),
                                kafka(KafkaMsg::ControlledShutdown {
                                    broker: me,
                                    broker_epoch: epoch,
                                }),
                            );
                        }
                    }
                }
            } else if s.waiting && ctx.now >= s.next_try {
                // No answer within the request timeout: that try failed.
                s.waiting = false;
                s.next_try = ctx.now + ms(CONTROLLED_SHUTDOWN_BACKOFF_MS);
            }
        }
        if give_up {
            ctx.emit(Event::BrokerGaveUp {
                why: "controlled shutdown failed 3 times; shutting down uncleanly".into(),
            });
            self.finish_shutdown("retries exhausted", ctx);
        }
    }

    /// When it next needs a poll.
    pub fn next_deadline(&self) -> SimTime {
        let mut t = self.client.next_deadline();
        if let Some(c) = &self.controller {
            t = t.min(c.next_deadline());
        }
        if let Some(s) = &self.shutdown {
            t = t.min(s.next_try);
        }
        if t <= self.last_poll {
            self.last_poll + ms(1)
        } else {
            t
        }
    }

    /// The partitions (drawn) it leads.
    pub fn led(&self) -> BTreeSet<(String, u32)> {
        self.partitions
            .values()
            .filter(|p| p.leader == self.id)
            .map(|p| (p.topic.clone(), p.partition))
            .collect()
    }
}

//! The broker component of a node (Kafka's `BrokerLifecycleManager`), docs/fidelity.md, The
//! metadata layer:
//! 1. register with the active controller (`RegisterBrokerRecord`, fenced);
//! 2. heartbeat 2 s after each answer with its metadata offset; once it has caught up to its
//!    own registration record it is unfenced (`STARTING → RECOVERY → RUNNING`);
//! 3. on a graceful shutdown ask for a controlled shutdown and stop when told to.
//!
//! As a partition leader it also asks the controller to put replicas back in the ISR
//! (AlterPartition) once their brokers are unfenced. Model note: data replication is not
//! simulated, so a returning replica counts as caught up as soon as its broker is unfenced.
//!
//! Over 800 lines only with its step tests: the lifecycle is about 480 lines; the tests stay beside
//! the steps they test.

use crate::effect::Ctx;
use crate::message::{ControllerMessage, Payload};
use std::sync::Arc;

use crate::metadata::image::{MetadataImage, TopicImage};
use crate::metadata::rpc::{ControllerError, ControllerRpc, IsrChange};
use crate::record::BrokerId;
use crate::trace::Event;
use crate::types::{ms, secs, Micros, NodeId, SimTime};
use crate::uuid::Uuid;

/// `broker.heartbeat.interval.ms`.
pub const HEARTBEAT_INTERVAL_MS: u64 = 2_000;
/// `initial.broker.registration.timeout.ms`: a broker that cannot register for this long
/// gives up and stops.
pub const INITIAL_REGISTRATION_TIMEOUT_MS: u64 = 60_000;
/// How long a broker waits for a controlled shutdown before stopping anyway.
pub const CONTROLLED_SHUTDOWN_TIMEOUT: Micros = secs(30);
/// `BrokerLifecycleManager.resendExponentialBackoff`: after a failed heartbeat the next one
/// goes 100 ms × 2ⁿ later (n failures in a row before it), at most `broker.session.timeout.ms`,
/// with 2% jitter.
const RESEND_BACKOFF_INITIAL_MS: u64 = 100;
const RESEND_BACKOFF_MAX_MS: u64 = crate::server::controller::BROKER_SESSION_TIMEOUT_MS;

/// `ExponentialBackoff(100, 2, broker.session.timeout.ms, 0.02).backoff(attempts)` in ms:
/// `(long) (U[0.98, 1.02) × 100 × 2^min(attempts, log2(9000 / 100)))`, at most 9000. The
/// factor is drawn in millionths, so the arithmetic is exact and the same on every platform.
fn resend_backoff_ms(attempts: u32, ctx: &mut Ctx) -> u64 {
    let cap = RESEND_BACKOFF_MAX_MS;
    // 100 × 2ⁿ while that is below the cap (n < 7), the cap after.
    let term = if attempts < 7 {
        (RESEND_BACKOFF_INITIAL_MS << attempts).min(cap)
    } else {
        cap
    };
    let factor = ctx.draw(980_000..1_020_000);
    (term * factor / 1_000_000).min(cap)
}

/// The broker's lifecycle state (`BrokerState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrokerState {
    /// Registering, or registered but not caught up.
    Starting,
    /// Caught up with the metadata log, still fenced.
    Recovery,
    /// Unfenced: it may lead partitions.
    Running,
    /// Asked for a controlled shutdown; leadership is moving away.
    PendingControlledShutdown,
}

impl BrokerState {
    /// Kafka's name.
    pub fn name(self) -> &'static str {
        match self {
            BrokerState::Starting => "STARTING",
            BrokerState::Recovery => "RECOVERY",
            BrokerState::Running => "RUNNING",
            BrokerState::PendingControlledShutdown => "PENDING_CONTROLLED_SHUTDOWN",
        }
    }
}

#[derive(Clone, Debug)]
struct InFlight {
    to: NodeId,
    correlation: u64,
    deadline: SimTime,
}

/// The broker component.
#[derive(Clone, Debug)]
pub struct Broker {
    id: BrokerId,
    cluster_id: String,
    incarnation: Uuid,
    state: BrokerState,
    epoch: Option<i64>,
    started: SimTime,
    next_send: SimTime,
    lifecycle: Option<InFlight>,
    alter: Option<InFlight>,
    alter_again: SimTime,
    shutdown_since: Option<SimTime>,
    /// A heartbeat answer already said the controlled shutdown is pending.
    got_shutdown_answer: bool,
    done: bool,
    last_error: Option<ControllerError>,
    gave_up: Option<String>,
    /// Heartbeats that failed in a row since the last answer without error
    /// (`failedAttempts`): the exponent of the resend backoff.
    failed_attempts: u32,
    /// The last correlation id used. It starts from a base drawn from the incarnation id, so
    /// a restarted process never takes an answer meant for its previous process (in Kafka that
    /// answer would come back on the old process's connection, which is gone).
    correlation: u64,
    /// When it was last polled: deadlines at or before it are not reported again.
    last_poll: SimTime,
    /// The image whose ISR scan found nothing to ask for. The next scan only reads the topics
    /// that changed since (images share unchanged topics), unless the brokers changed: a
    /// million partitions are not re-read every second. Both images are alive, so sharing
    /// (not the allocator) decides what counts as changed.
    quiet_scan: Option<Arc<MetadataImage>>,
}

impl Broker {
    /// A broker process that just started.
    pub fn new(id: BrokerId, cluster_id: String, incarnation: Uuid, now: SimTime) -> Broker {
        Broker {
            id,
            cluster_id,
            incarnation,
            state: BrokerState::Starting,
            epoch: None,
            started: now,
            next_send: now,
            lifecycle: None,
            alter: None,
            alter_again: now,
            shutdown_since: None,
            got_shutdown_answer: false,
            done: false,
            last_error: None,
            gave_up: None,
            failed_attempts: 0,
            correlation: (incarnation.0 as u64) << 32,
            last_poll: now,
            quiet_scan: None,
        }
    }

    /// Its lifecycle state.
    pub fn state(&self) -> BrokerState {
        self.state
    }

    /// Its broker epoch, once registered.
    pub fn epoch(&self) -> Option<i64> {
        self.epoch
    }

    /// Why it gave up registering, if it did.
    pub fn gave_up(&self) -> Option<&str> {
        self.gave_up.as_deref()
    }

    /// The last error the controller answered.
    pub fn last_error(&self) -> Option<ControllerError> {
        self.last_error
    }

    /// True once a controlled shutdown (or giving up) has finished.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Starts a controlled shutdown.
    pub fn begin_shutdown(&mut self, now: SimTime) {
        if self.shutdown_since.is_none() {
            self.shutdown_since = Some(now);
            self.next_send = now;
            if self.epoch.is_none() {
                self.done = true;
            }
        }
    }

    fn send(&mut self, to: NodeId, rpc: ControllerRpc, ctx: &mut Ctx) -> InFlight {
        self.correlation = self.correlation.wrapping_add(1);
        ctx.send(
            to,
            Payload::Controller(ControllerMessage {
                correlation: self.correlation,
                rpc,
            }),
        );
        InFlight {
            to,
            correlation: self.correlation,
            deadline: ctx.now + ms(2_000),
        }
    }

    /// Sends what is due: registration, heartbeat, ISR expansions.
    pub fn poll(&mut self, controller: Option<NodeId>, image: &Arc<MetadataImage>, ctx: &mut Ctx) {
        self.last_poll = ctx.now;
        if self.done {
            return;
        }
        for slot in [&mut self.lifecycle, &mut self.alter] {
            if slot.as_ref().is_some_and(|f| ctx.now >= f.deadline) {
                *slot = None;
            }
        }
        if let Some(since) = self.shutdown_since {
            if ctx.now.since(since) >= CONTROLLED_SHUTDOWN_TIMEOUT {
                self.done = true;
                return;
            }
        }
        // `RegistrationTimeoutEvent`: scheduled when the broker starts, it stops a broker that
        // has not registered by then, whether or not it ever knew of a controller and whatever
        // is in flight.
        if self.epoch.is_none()
            && ctx.now.since(self.started) >= ms(INITIAL_REGISTRATION_TIMEOUT_MS)
        {
            let why = match self.last_error {
                Some(e) => format!(
                    "gave up after initial.broker.registration.timeout.ms (60 s): the controller kept answering {}",
                    e.name()
                ),
                None => "gave up after initial.broker.registration.timeout.ms (60 s): no controller answered its registration".to_string(),
            };
            ctx.emit(Event::BrokerGaveUp { why: why.clone() });
            self.gave_up = Some(why);
            self.done = true;
            return;
        }
        let Some(controller) = controller else {
            return;
        };
        if self.lifecycle.is_none() && ctx.now >= self.next_send {
            match self.epoch {
                None => {
                    let rpc = ControllerRpc::BrokerRegistrationRequest {
                        broker_id: self.id,
                        cluster_id: self.cluster_id.clone(),
                        incarnation_id: self.incarnation,
                    };
                    self.lifecycle = Some(self.send(controller, rpc, ctx));
                }
                Some(epoch) => {
                    let rpc = ControllerRpc::BrokerHeartbeatRequest {
                        broker_id: self.id,
                        broker_epoch: epoch,
                        // `MetadataLoader.lastAppliedOffset`: the offset of the last record
                        // applied (the image's offset is one past it), -1 before any.
                        current_metadata_offset: image.offset as i64 - 1,
                        // Like Kafka's `readyToUnfence`: only once the controller has said
                        // it caught up (RECOVERY) does the broker ask to be unfenced.
                        want_fence: self.state == BrokerState::Starting,
                        want_shut_down: self.shutdown_since.is_some(),
                    };
                    self.lifecycle = Some(self.send(controller, rpc, ctx));
                    // Rescheduled when the answer comes; this is the resend if none does.
                    self.next_send = ctx.now + ms(HEARTBEAT_INTERVAL_MS);
                }
            }
        }
        let unchanged = self.quiet_scan.as_ref().is_some_and(|q| {
            Arc::ptr_eq(&q.topics, &image.topics) && Arc::ptr_eq(&q.brokers, &image.brokers)
        });
        if self.state == BrokerState::Running
            && self.alter.is_none()
            && ctx.now >= self.alter_again
            && !unchanged
        {
            let since = self
                .quiet_scan
                .as_ref()
                .filter(|q| Arc::ptr_eq(&q.brokers, &image.brokers));
            let changes = isr_expansions(self.id, image, since.map(|q| &**q));
            if changes.is_empty() {
                self.quiet_scan = Some(image.clone());
            }
            if !changes.is_empty() {
                let rpc = ControllerRpc::AlterPartitionRequest {
                    broker_id: self.id,
                    broker_epoch: self.epoch.unwrap_or(-1),
                    changes,
                };
                self.alter = Some(self.send(controller, rpc, ctx));
                self.alter_again = ctx.now + ms(1_000);
            }
        }
    }

    /// When the broker next needs a poll. Only future times count: a send that is due but
    /// waits for a known controller, or an ISR check with nothing to change, is woken by the
    /// raft replica's own events instead.
    pub fn next_deadline(&self) -> SimTime {
        if self.done {
            return SimTime::NEVER;
        }
        let mut candidates: Vec<SimTime> = [self.lifecycle.as_ref(), self.alter.as_ref()]
            .into_iter()
            .flatten()
            .map(|f| f.deadline)
            .collect();
        if self.lifecycle.is_none() {
            candidates.push(self.next_send);
        }
        if self.epoch.is_none() {
            candidates.push(self.started + ms(INITIAL_REGISTRATION_TIMEOUT_MS));
        }
        if let Some(since) = self.shutdown_since {
            candidates.push(since + CONTROLLED_SHUTDOWN_TIMEOUT);
        }
        candidates.push(self.alter_again);
        candidates
            .into_iter()
            .filter(|t| *t > self.last_poll)
            .min()
            .unwrap_or(SimTime::NEVER)
    }

    /// Handles a response from the controller.
    pub fn handle(&mut self, from: NodeId, msg: ControllerMessage, ctx: &mut Ctx) {
        let ControllerMessage { correlation, rpc } = msg;
        let matches = |slot: &Option<InFlight>| {
            slot.as_ref()
                .is_some_and(|f| f.to == from && f.correlation == correlation)
        };
        match rpc {
            ControllerRpc::BrokerRegistrationResponse {
                error,
                broker_epoch,
            } if matches(&self.lifecycle) => {
                self.lifecycle = None;
                if error == ControllerError::None {
                    self.epoch = Some(broker_epoch);
                    self.last_error = None;
                    self.next_send = ctx.now;
                    ctx.emit(Event::BrokerRegistered {
                        epoch: broker_epoch,
                    });
                } else {
                    self.last_error = Some(error);
                    let wait = if error == ControllerError::NotController {
                        100
                    } else {
                        1_000
                    };
                    self.next_send = ctx.now + ms(wait);
                    ctx.emit(Event::BrokerRequestRefused {
                        what: "registration",
                        error: error.name(),
                    });
                }
            }
            ControllerRpc::BrokerHeartbeatResponse {
                error,
                is_caught_up,
                is_fenced,
                should_shut_down,
            } if matches(&self.lifecycle) => {
                self.lifecycle = None;
                match error {
                    ControllerError::None => {
                        self.last_error = None;
                        self.failed_attempts = 0;
                        let before = self.state;
                        if should_shut_down {
                            self.done = true;
                            return;
                        }
                        if self.shutdown_since.is_some() {
                            self.state = BrokerState::PendingControlledShutdown;
                        } else if !is_fenced {
                            self.state = BrokerState::Running;
                        } else if is_caught_up {
                            self.state = BrokerState::Recovery;
                        } else {
                            self.state = BrokerState::Starting;
                        }
                        if before != self.state {
                            ctx.emit(Event::BrokerStateChanged {
                                state: self.state.name(),
                            });
                        }
                        // When the next heartbeat goes, as `BrokerLifecycleManager` schedules it,
                        // counted from this answer.
                        match (before, self.state) {
                            // Caught up: nothing to recover in the model, so the broker is
                            // ready to unfence and says so at once (`setReadyToUnfence`).
                            (BrokerState::Starting, BrokerState::Recovery) => {
                                self.next_send = ctx.now
                            }
                            // Still catching up: again after only 10 ms.
                            (BrokerState::Starting, BrokerState::Starting) => {
                                self.next_send = ctx.now + ms(10)
                            }
                            // The first "pending" answer of a controlled shutdown: 50 ms.
                            (_, BrokerState::PendingControlledShutdown)
                                if !self.got_shutdown_answer =>
                            {
                                self.got_shutdown_answer = true;
                                self.next_send = ctx.now + ms(50);
                            }
                            // `scheduleNextCommunicationAfterSuccess`: 2 s from now.
                            _ => self.next_send = ctx.now + ms(HEARTBEAT_INTERVAL_MS),
                        }
                    }
                    ControllerError::NotController => self.next_send = ctx.now + ms(100),
                    other => {
                        // `scheduleNextCommunicationAfterFailure`: the broker keeps its epoch
                        // and heartbeats again after the backoff. Only a change to its own
                        // registration in the metadata makes Kafka's broker register again
                        // (`BrokerRegistrationTracker`); an error answer never does.
                        self.last_error = Some(other);
                        let backoff = resend_backoff_ms(self.failed_attempts, ctx);
                        self.failed_attempts = self.failed_attempts.saturating_add(1);
                        self.next_send = ctx.now + ms(backoff);
                    }
                }
            }
            ControllerRpc::AlterPartitionResponse { error } if matches(&self.alter) => {
                self.alter = None;
                if error != ControllerError::None {
                    self.alter_again = ctx.now + ms(1_000);
                }
            }
            _ => {}
        }
    }
}

/// ISR additions this partition leader wants: replicas back on unfenced brokers. With
/// `since`, only the topics that changed after that image are read.
fn isr_expansions(
    me: BrokerId,
    image: &MetadataImage,
    since: Option<&MetadataImage>,
) -> Vec<IsrChange> {
    let usable = |b: &BrokerId| {
        image
            .brokers
            .get(b)
            .is_some_and(|r| !r.fenced && !r.in_controlled_shutdown)
    };
    let mut out = Vec::new();
    let changed = |id: &Uuid, t: &Arc<TopicImage>| {
        since.is_none_or(|s| s.topics.get(id).is_none_or(|old| !Arc::ptr_eq(old, t)))
    };
    for (_, t) in image.topics.iter().filter(|(id, t)| changed(id, t)) {
        for (i, p) in t.partitions.iter().enumerate() {
            if p.leader != me {
                continue;
            }
            let missing: Vec<BrokerId> = p
                .replicas
                .iter()
                .copied()
                .filter(|r| !p.isr.contains(r) && usable(r))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let isr: Vec<BrokerId> = p
                .replicas
                .iter()
                .copied()
                .filter(|r| p.isr.contains(r) || missing.contains(r))
                .collect();
            out.push(IsrChange {
                topic_id: t.id,
                partition: i as i32,
                leader_epoch: p.leader_epoch,
                partition_epoch: p.partition_epoch,
                new_isr: isr.into(),
            });
            if out.len() >= 1_000 {
                return out;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! The broker's side of the lifecycle, one step at a time: registration, then heartbeats
    //! scheduled as Kafka's `BrokerLifecycleManager` schedules them, counted from the answer —
    //! 10 ms while STARTING, at once when ready to unfence, 50 ms after the first
    //! pending-shutdown answer, otherwise `broker.heartbeat.interval.ms` (2 s); after an error
    //! answer 100 ms doubling, keeping the broker epoch — each reporting the offset of the last
    //! record applied, and giving up `initial.broker.registration.timeout.ms` (60 s) after the
    //! start without a registration.

    use super::*;
    use crate::effect::Output;
    use crate::rng::SimRng;

    const CONTROLLER: NodeId = NodeId(3000);

    /// What one step did: the requests sent (as printed) and the events.
    #[derive(Debug, Default)]
    struct Did {
        sent: Vec<String>,
        events: Vec<Event>,
    }

    /// One broker (id 0) under test, with its clock and the image its loader has built.
    struct Harness {
        broker: Broker,
        rng: SimRng,
        now: SimTime,
        image: Arc<MetadataImage>,
        controller: Option<NodeId>,
        /// The correlation id of the last request sent.
        last: u64,
    }

    fn answer(caught_up: bool, fenced: bool, shut_down: bool) -> ControllerRpc {
        ControllerRpc::BrokerHeartbeatResponse {
            error: ControllerError::None,
            is_caught_up: caught_up,
            is_fenced: fenced,
            should_shut_down: shut_down,
        }
    }

    fn error(error: ControllerError) -> ControllerRpc {
        ControllerRpc::BrokerHeartbeatResponse {
            error,
            is_caught_up: false,
            is_fenced: true,
            should_shut_down: false,
        }
    }

    fn heartbeat(offset: i64, want_fence: bool, want_shut_down: bool) -> String {
        format!(
            "BrokerHeartbeat brokerId=0 brokerEpoch=8 currentMetadataOffset={offset} wantFence={want_fence} wantShutDown={want_shut_down}"
        )
    }

    impl Harness {
        /// Broker 0, started at time 0 (nothing sent yet), whose loader has applied the
        /// record at offset 0: its heartbeats report `currentMetadataOffset=0`.
        fn start() -> Harness {
            Harness {
                broker: Broker::new(0, "cluster".into(), Uuid(0xB0B), SimTime::ZERO),
                rng: SimRng::new(1),
                now: SimTime::ZERO,
                image: Arc::new(MetadataImage {
                    offset: 1,
                    ..MetadataImage::default()
                }),
                controller: Some(CONTROLLER),
                last: 0,
            }
        }

        /// Started, registered with broker epoch 8 at time 0, and its first heartbeat sent.
        fn registered() -> Harness {
            let mut h = Harness::start();
            h.poll_at(0);
            let did = h.answer(ControllerRpc::BrokerRegistrationResponse {
                error: ControllerError::None,
                broker_epoch: 8,
            });
            assert_eq!(did.sent, [heartbeat(0, true, false)]);
            h
        }

        /// Registered, unfenced and RUNNING at time 0; the last heartbeat left at time 0.
        fn running() -> Harness {
            let mut h = Harness::registered();
            h.answer(answer(true, true, false));
            h.answer(answer(true, false, false));
            assert_eq!(h.broker.state(), BrokerState::Running);
            h
        }

        fn record(&mut self, out: Vec<Output>) -> Did {
            let mut did = Did::default();
            for o in out {
                match o {
                    Output::Send {
                        to,
                        payload: Payload::Controller(m),
                    } => {
                        assert_eq!(to, CONTROLLER);
                        self.last = m.correlation;
                        did.sent.push(m.rpc.to_string());
                    }
                    Output::Event(e) => did.events.push(e),
                    other => panic!("unexpected {other:?}"),
                }
            }
            did
        }

        fn poll(&mut self) -> Did {
            let mut out = Vec::new();
            let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
            self.broker.poll(self.controller, &self.image, &mut ctx);
            self.record(out)
        }

        /// Moves the clock to `t_ms` and polls.
        fn poll_at(&mut self, t_ms: u64) -> Did {
            self.set_time(t_ms);
            self.poll()
        }

        fn set_time(&mut self, t_ms: u64) {
            let t = SimTime(ms(t_ms));
            assert!(t >= self.now, "time does not go backwards");
            self.now = t;
        }

        /// The controller's answer to the last request, handled and (as the process does after
        /// every message) followed by a poll, at the current time.
        fn answer(&mut self, rpc: ControllerRpc) -> Did {
            let msg = ControllerMessage {
                correlation: self.last,
                rpc,
            };
            let mut out = Vec::new();
            let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
            self.broker.handle(CONTROLLER, msg, &mut ctx);
            let mut did = self.record(out);
            let polled = self.poll();
            did.sent.extend(polled.sent);
            did.events.extend(polled.events);
            did
        }

        /// When the broker next wants a poll, in ms.
        fn next_ms(&self) -> u64 {
            self.broker.next_deadline().as_ms()
        }
    }

    #[test]
    fn registers_first_then_heartbeats_at_once_asking_to_stay_fenced() {
        let mut h = Harness::start();

        let did = h.poll_at(0);
        assert_eq!(did.sent.len(), 1);
        assert!(
            did.sent[0].starts_with("BrokerRegistration brokerId=0 clusterId=cluster "),
            "{did:?}"
        );

        h.set_time(4);
        let did = h.answer(ControllerRpc::BrokerRegistrationResponse {
            error: ControllerError::None,
            broker_epoch: 8,
        });
        assert!(matches!(
            did.events[..],
            [Event::BrokerRegistered { epoch: 8 }]
        ));
        assert_eq!(did.sent, [heartbeat(0, true, false)]);
        assert_eq!(h.broker.state(), BrokerState::Starting);
    }

    #[test]
    fn a_starting_broker_not_caught_up_heartbeats_again_10_ms_after_the_answer() {
        let mut h = Harness::registered();
        h.set_time(3);

        let did = h.answer(answer(false, true, false));

        assert_eq!(did.sent, Vec::<String>::new());
        assert_eq!(h.broker.state(), BrokerState::Starting);
        assert_eq!(h.next_ms(), 13);
        assert_eq!(h.poll_at(12).sent, Vec::<String>::new());
        assert_eq!(h.poll_at(13).sent, [heartbeat(0, true, false)]);
    }

    #[test]
    fn a_caught_up_broker_enters_recovery_and_asks_to_be_unfenced_at_once() {
        let mut h = Harness::registered();
        // The loader applied offsets 0..=9.
        h.image = Arc::new(MetadataImage {
            offset: 10,
            ..MetadataImage::default()
        });
        h.set_time(3);

        let did = h.answer(answer(true, true, false));

        assert!(matches!(
            did.events[..],
            [Event::BrokerStateChanged { state: "RECOVERY" }]
        ));
        assert_eq!(did.sent, [heartbeat(9, false, false)]);
    }

    #[test]
    fn an_unfenced_broker_runs_and_heartbeats_every_2_s() {
        let mut h = Harness::registered();
        h.answer(answer(true, true, false));

        let did = h.answer(answer(true, false, false));

        assert!(matches!(
            did.events[..],
            [Event::BrokerStateChanged { state: "RUNNING" }]
        ));
        assert_eq!(did.sent, Vec::<String>::new());
        assert_eq!(h.next_ms(), 2_000);
        assert_eq!(h.poll_at(1_999).sent, Vec::<String>::new());
        assert_eq!(h.poll_at(2_000).sent, [heartbeat(0, false, false)]);
    }

    #[test]
    fn the_2_s_interval_counts_from_the_answer() {
        let mut h = Harness::running();
        h.poll_at(2_000);
        h.set_time(2_005);

        h.answer(answer(true, false, false));

        assert_eq!(h.next_ms(), 4_005);
    }

    #[test]
    fn controlled_shutdown_heartbeats_at_once_then_50_ms_after_the_first_pending_answer() {
        let mut h = Harness::running();
        h.set_time(500);

        h.broker.begin_shutdown(h.now);
        let did = h.poll();
        assert_eq!(did.sent, [heartbeat(0, false, true)]);

        // The first "not yet": again 50 ms after it.
        h.set_time(503);
        let did = h.answer(answer(true, false, false));
        assert!(matches!(
            did.events[..],
            [Event::BrokerStateChanged {
                state: "PENDING_CONTROLLED_SHUTDOWN"
            }]
        ));
        assert_eq!(h.next_ms(), 553);
        assert_eq!(h.poll_at(552).sent, Vec::<String>::new());
        assert_eq!(h.poll_at(553).sent, [heartbeat(0, false, true)]);

        // The next "not yet": the usual interval.
        h.answer(answer(true, false, false));
        assert_eq!(h.next_ms(), 2_553);

        // Told to shut down: done, nothing more to send.
        h.poll_at(2_553);
        h.answer(answer(true, true, true));
        assert!(h.broker.is_done());
        assert_eq!(h.broker.next_deadline(), SimTime::NEVER);
    }

    #[test]
    fn a_broker_never_registered_gives_up_after_60_s() {
        let mut h = Harness::start();
        let mut did = h.poll_at(0);
        let mut registrations = 0;
        while h.broker.gave_up().is_none() {
            assert_eq!(did.sent.len(), 1, "{did:?}");
            registrations += 1;
            // Every controller it asks says it is not the active one.
            h.answer(ControllerRpc::BrokerRegistrationResponse {
                error: ControllerError::NotController,
                broker_epoch: -1,
            });
            let at = h.broker.next_deadline();
            assert!(at != SimTime::NEVER);
            h.set_time(at.as_ms());
            did = h.poll();
        }

        assert!(did
            .events
            .iter()
            .any(|e| matches!(e, Event::BrokerGaveUp { .. })));
        // Every 100 ms after a NOT_CONTROLLER, from 0 to 59.9 s.
        assert_eq!(registrations, 600);
        assert_eq!(h.now.as_ms(), 60_000);
        assert!(registrations > 1);
        assert_eq!(
            h.broker.gave_up(),
            Some("gave up after initial.broker.registration.timeout.ms (60 s): the controller kept answering NOT_CONTROLLER")
        );
        assert!(h.broker.is_done());
    }

    #[test]
    fn a_broker_that_never_finds_a_controller_gives_up_after_60_s_too() {
        let mut h = Harness::start();
        h.controller = None;

        h.poll_at(59_999);
        assert_eq!(h.broker.gave_up(), None);
        let did = h.poll_at(60_000);

        assert!(did
            .events
            .iter()
            .any(|e| matches!(e, Event::BrokerGaveUp { .. })));
        assert!(h.broker.is_done());
        assert_eq!(
            h.broker.gave_up(),
            Some("gave up after initial.broker.registration.timeout.ms (60 s): no controller answered its registration")
        );
    }

    #[test]
    fn a_stale_broker_epoch_answer_is_retried_as_a_heartbeat_without_registering_again() {
        let mut h = Harness::running();
        h.poll_at(62_000);

        let did = h.answer(error(ControllerError::StaleBrokerEpoch));
        assert_eq!(did.sent, Vec::<String>::new());
        assert_eq!(h.broker.gave_up(), None);
        assert_eq!(h.broker.epoch(), Some(8));

        let at = h.next_ms();
        assert!((62_098..=62_102).contains(&at), "next heartbeat at {at} ms");
        assert_eq!(h.poll_at(at).sent, [heartbeat(0, false, false)]);
    }

    #[test]
    fn heartbeat_errors_in_a_row_back_off_doubling_up_to_the_session_timeout() {
        let mut h = Harness::running();
        h.poll_at(2_000);
        let mut waits = Vec::new();
        for _ in 0..9 {
            h.answer(error(ControllerError::StaleBrokerEpoch));
            let at = h.next_ms();
            waits.push(at - h.now.as_ms());
            assert_eq!(h.poll_at(at).sent, [heartbeat(0, false, false)]);
        }
        // 100 ms × 2ⁿ, 2% jitter, at most broker.session.timeout.ms (9 s).
        for (n, wait) in waits.iter().enumerate() {
            let term = (100u64 << n).min(9_000);
            assert!(
                term * 98 / 100 <= *wait && *wait <= (term * 102 / 100).min(9_000),
                "wait {n} was {wait} ms: {waits:?}"
            );
        }

        // An answer without error starts again from 100 ms.
        h.answer(answer(true, false, false));
        assert_eq!(h.next_ms(), h.now.as_ms() + 2_000);
        h.poll_at(h.next_ms());
        h.answer(error(ControllerError::StaleBrokerEpoch));
        assert!(h.next_ms() - h.now.as_ms() <= 102);
        assert_eq!(h.broker.epoch(), Some(8));
    }

    #[test]
    fn a_restarted_broker_ignores_the_answer_to_its_previous_process_registration() {
        // The first process sends its first registration and stops before the answer.
        let mut old = Harness::start();
        old.poll_at(0);
        let old_request = old.last;

        // The new process (another incarnation) sends its own first registration.
        let mut h = Harness::start();
        h.broker = Broker::new(0, "cluster".into(), Uuid(0xC0FFEE), SimTime::ZERO);
        h.poll_at(0);
        assert_ne!(h.last, old_request);

        // The answer to the old request reaches the new process: not its request.
        let msg = ControllerMessage {
            correlation: old_request,
            rpc: ControllerRpc::BrokerRegistrationResponse {
                error: ControllerError::None,
                broker_epoch: 15,
            },
        };
        let mut out = Vec::new();
        let mut ctx = Ctx::new(h.now, &mut h.rng, &mut out);
        h.broker.handle(CONTROLLER, msg, &mut ctx);
        assert_eq!(h.broker.epoch(), None);

        // Its own answer is taken.
        let did = h.answer(ControllerRpc::BrokerRegistrationResponse {
            error: ControllerError::None,
            broker_epoch: 16,
        });
        assert_eq!(h.broker.epoch(), Some(16));
        assert!(matches!(
            did.events[..],
            [Event::BrokerRegistered { epoch: 16 }]
        ));
    }

    #[test]
    fn a_heartbeat_reports_the_offset_of_the_last_applied_record() {
        let mut h = Harness::registered();
        // The loader applied offsets 0..=9.
        h.image = Arc::new(MetadataImage {
            offset: 10,
            ..MetadataImage::default()
        });
        h.set_time(3);

        let did = h.answer(answer(true, true, false));

        assert_eq!(did.sent, [heartbeat(9, false, false)]);
    }
}

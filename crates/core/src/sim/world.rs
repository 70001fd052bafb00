//! The simulated world: the clock, the event queue, the network, the nodes and the one RNG.
//!
//! The world owns everything non-deterministic a real cluster would have (time, the network,
//! disks, randomness) and nothing else; replicas own the protocol. [`World::step`] processes one
//! due event; after every step the invariant checkers look at what happened.
//!
//! Not split further: the event loop, delivery and the observers' calls are one step of the engine
//! (see docs/architecture.md, One step of the engine); the spec, queries and views already live
//! beside it.

use crate::flat::FlatMap;
use std::sync::Arc;

use crate::effect::{Ctx, Output};
use crate::kraft::{Disk, QuorumConfig, Role};
use crate::limits::{Budget, Limits, Usage};
use crate::message::{Envelope, Payload};
use crate::metadata::image::ImageMemo;
use crate::rng::SimRng;
use crate::server::{Refused, Server};
use crate::trace::{DropReason, Event, TraceEvent};
use crate::types::{ms, NodeId, SimTime};

use super::network::{Network, SendOutcome};
use super::node::{NodeKind, NodeStatus, Process, SimNode};
use super::observe::{Observer, Violation};
use super::queue::{Due, EventQueue};
use super::spec::ClusterSpec;
use crate::zk::broker::ZkBroker;
use crate::zk::rpc::ZkMessage;
use crate::zk::server::ZkServer;
use crate::zk::ZkProcess;

/// Run-wide counters, for benchmarks and the UI's footer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Events taken off the queue.
    pub events: u64,
    /// Messages put on the network.
    pub messages: u64,
    /// Elections won.
    pub elections: u64,
    /// Log truncations after a divergence.
    pub truncations: u64,
}

/// A whole simulated cluster. Cloning it is a checkpoint.
#[derive(Clone, Debug)]
pub struct World {
    spec: ClusterSpec,
    now: SimTime,
    rng: SimRng,
    queue: EventQueue,
    pub(crate) net: Network,
    pub(crate) nodes: FlatMap<NodeId, SimNode>,
    quorum: Arc<QuorumConfig>,
    voters: Arc<Vec<NodeId>>,
    /// Shared results of applying batches to images (see `ImageMemo`).
    memo: ImageMemo,
    /// Events of the step in progress.
    step_events: Vec<TraceEvent>,
    /// Recorded events not yet taken by a consumer.
    trace: Vec<TraceEvent>,
    record: bool,
    /// Who watches every step (the invariant checkers, a lesson's goals), in install order.
    observers: Vec<Box<dyn Observer<World>>>,
    /// The last user action applied, and when (what `Observer::acted` reads).
    last_action: Option<(SimTime, crate::sim::UserAction)>,
    violations: Vec<Violation>,
    out: Vec<Output>,
    pub(crate) next_data: u64,
    stats: Stats,
    /// The run's limits and what the accepted actions used of them.
    pub(crate) budget: Budget,
}

impl World {
    /// Tells the observers about the action just applied (see [`World::last_action`]).
    pub(crate) fn tell_acted(&mut self, action: &crate::sim::UserAction) {
        self.last_action = Some((self.now, action.clone()));
        if !self.observers.is_empty() {
            let mut observers = std::mem::take(&mut self.observers);
            for o in &mut observers {
                o.acted(self);
            }
            self.observers = observers;
        }
    }

    /// Builds the cluster and starts every node at time zero, with nobody watching (see
    /// [`World::observed`] for a run the invariant checkers watch).
    pub fn new(spec: ClusterSpec) -> World {
        World::observed(spec, false, Vec::new())
    }

    /// Builds the cluster like [`World::new`], recording the trace from the very start when
    /// `record` is set (start-up warnings and refusals happen before the first step) and
    /// handing every step, the start-up included, to `observers`.
    pub fn observed(
        spec: ClusterSpec,
        record: bool,
        observers: Vec<Box<dyn Observer<World>>>,
    ) -> World {
        let voters = spec.voters();
        let mut nodes = FlatMap::new();
        for id in spec
            .controllers
            .iter()
            .chain(&spec.combined)
            .chain(&spec.spare_controllers)
            .chain(&spec.brokers)
        {
            nodes.insert(
                *id,
                SimNode::new(*id, spec.config_of(*id), spec.formatted_disk(*id)),
            );
        }
        if spec.is_zk() {
            for b in &spec.brokers {
                if let Some(n) = nodes.get_mut(b) {
                    n.kind = NodeKind::ZkBroker;
                    n.disk = None;
                }
            }
            let initial = spec.zk_initial_disk();
            for z in &spec.zookeepers {
                let mut n = SimNode::new(*z, spec.config_of(*z), Disk::default());
                n.kind = NodeKind::ZooKeeper;
                n.disk = None;
                n.zk_disk = Some(initial.clone());
                nodes.insert(*z, n);
            }
        }
        let mut world = World {
            now: SimTime::ZERO,
            rng: SimRng::new(spec.seed),
            queue: EventQueue::default(),
            net: Network::new(spec.network.clone()),
            nodes,
            quorum: Arc::new(spec.quorum.clone()),
            voters: Arc::new(voters),
            memo: ImageMemo::default(),
            step_events: Vec::new(),
            trace: Vec::new(),
            record,
            observers,
            last_action: None,
            violations: Vec::new(),
            out: Vec::new(),
            next_data: 0,
            stats: Stats::default(),
            budget: Budget::new(Limits::DEFAULT, spec.quorum.modelled_partitions),
            spec,
        };
        let ids: Vec<NodeId> = world.nodes.keys().copied().collect();
        for id in ids {
            world.start_process(id);
        }
        world.finish_step();
        world
    }

    // ----- configuration and views ---------------------------------------------------------

    /// The spec this world was built from.
    pub fn spec(&self) -> &ClusterSpec {
        &self.spec
    }

    /// Current virtual time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The voter set in force: the active controller's (with a dynamic quorum it follows
    /// VotersRecords), or the bootstrap set while there is none.
    pub fn voters(&self) -> &[NodeId] {
        self.active_leader()
            .and_then(|l| self.nodes.get(&l))
            .and_then(|n| n.replica())
            .map(|r| r.voters())
            .unwrap_or(&self.voters)
    }

    /// True if node `id`, with the disk it has now, is a voter of the set in force: by id,
    /// and in a dynamic quorum by directory id too (KIP-853), so a reformatted controller is
    /// not a voter until it is added again. Judged by the active controller's voter set, or,
    /// while there is none, by the node's own replica (or the bootstrap ids if it is down).
    pub fn is_voter(&self, id: NodeId) -> bool {
        let node = self.nodes.get(&id);
        let dir = node
            .and_then(|n| n.disk())
            .and_then(|d| d.meta.as_ref())
            .map(|m| m.directory_id)
            .unwrap_or_default();
        if let Some(r) = self
            .active_leader()
            .and_then(|l| self.nodes.get(&l))
            .and_then(|n| n.replica())
        {
            return r.is_voter_key(id, dir);
        }
        match node.and_then(|n| n.replica()) {
            Some(r) => r.is_voter(),
            None => self.voters.contains(&id),
        }
    }

    /// Every node, by id.
    pub fn nodes(&self) -> impl Iterator<Item = &SimNode> {
        self.nodes.values()
    }

    /// One node.
    pub fn node(&self, id: NodeId) -> Option<&SimNode> {
        self.nodes.get(&id)
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.net
    }

    /// Run-wide counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The limits this run is held to ([`crate::limits`]); [`Limits::DEFAULT`] unless raised.
    pub fn limits(&self) -> &Limits {
        &self.budget.limits
    }

    /// Changes the limits (the command line raises them for benchmarks); what was used so far
    /// stays used.
    pub fn set_limits(&mut self, limits: Limits) {
        self.budget.limits = limits;
    }

    /// What the run's accepted actions used of its budget so far.
    pub fn usage(&self) -> Usage {
        self.budget.used
    }

    /// The active controller: the live node in the Leader state with the highest epoch.
    pub fn active_leader(&self) -> Option<NodeId> {
        self.nodes
            .values()
            .filter(|n| n.status.is_live())
            .filter_map(|n| n.replica())
            .filter(|r| r.role() == Role::Leader)
            .max_by_key(|r| (r.epoch(), std::cmp::Reverse(r.id())))
            .map(|r| r.id())
    }

    /// ZooKeeper mode: the live broker acting as controller with the highest controller
    /// epoch, and that epoch.
    pub fn zk_controller(&self) -> Option<(NodeId, u32)> {
        self.nodes
            .values()
            .filter(|n| n.status.is_live())
            .filter_map(|n| n.zk().and_then(|p| p.broker()).map(|b| (n.id, b)))
            .filter_map(|(id, b)| b.controller().map(|c| (id, c.epoch())))
            .max_by_key(|(id, e)| (*e, std::cmp::Reverse(*id)))
    }

    /// ZooKeeper mode: the serving ZooKeeper leader (running, not stalled).
    pub fn zk_leader(&self) -> Option<NodeId> {
        self.nodes
            .values()
            .filter(|n| n.status == NodeStatus::Up)
            .filter_map(|n| n.zk().and_then(|p| p.server()))
            .filter(|s| s.role() == crate::zk::server::ZkRole::Leading && s.serving())
            .max_by_key(|s| s.epoch())
            .map(|s| s.id())
    }

    /// The lowest-numbered live voter that follows the active controller.
    pub fn a_follower(&self) -> Option<NodeId> {
        let leader = self.active_leader()?;
        let epoch = self.nodes.get(&leader)?.replica()?.epoch();
        self.voters.iter().copied().find(|v| {
            self.nodes.get(v).is_some_and(|n| {
                n.status.is_live()
                    && n.replica().is_some_and(|r| {
                        r.role() == Role::Follower
                            && r.leader() == Some(leader)
                            && r.epoch() == epoch
                    })
            })
        })
    }

    /// Invariant violations found so far.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Installs an observer that watches every step from now on.
    pub fn add_observer(&mut self, observer: Box<dyn Observer<World>>) {
        self.observers.push(observer);
    }

    /// Removes every observer of type `T`.
    pub fn remove_observers<T: 'static>(&mut self) {
        self.observers.retain(|o| !o.as_any().is::<T>());
    }

    /// The installed observer of type `T`, if any (the first one).
    pub fn observer<T: 'static>(&self) -> Option<&T> {
        self.observers
            .iter()
            .find_map(|o| o.as_any().downcast_ref::<T>())
    }

    /// The installed observer of type `T`, for change.
    pub fn observer_mut<T: 'static>(&mut self) -> Option<&mut T> {
        self.observers
            .iter_mut()
            .find_map(|o| o.as_any_mut().downcast_mut::<T>())
    }

    /// True while an observer (the invariant checkers) looks at every step.
    pub fn is_observed(&self) -> bool {
        !self.observers.is_empty()
    }

    /// The last user action applied, and when.
    pub fn last_action(&self) -> Option<&(SimTime, crate::sim::UserAction)> {
        self.last_action.as_ref()
    }

    /// Starts or stops recording trace events for [`World::take_trace`].
    pub fn set_recording(&mut self, on: bool) {
        self.record = on;
    }

    /// Takes the events recorded since the last call.
    pub fn take_trace(&mut self) -> Vec<TraceEvent> {
        std::mem::take(&mut self.trace)
    }

    /// The time of the next due event, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.queue.peek_time()
    }

    // ----- running ----------------------------------------------------------------------------

    /// Processes the next due event. Returns false if nothing is queued.
    pub fn step(&mut self) -> bool {
        let Some((at, due)) = self.queue.pop() else {
            return false;
        };
        self.now = self.now.max(at);
        self.stats.events += 1;
        match due {
            Due::Deliver(id) => self.deliver(id),
            Due::Wake(node) => self.wake(node, at),
            Due::Resume(node) => self.resume(node, at),
            Due::Tick(_) => {}
        }
        self.finish_step();
        true
    }

    /// Processes every event due at or before `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: SimTime) {
        while self.queue.peek_time().is_some_and(|next| next <= t) {
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// Runs for `d` microseconds of virtual time.
    pub fn run_for(&mut self, d: crate::types::Micros) {
        let t = self.now + d;
        self.run_until(t);
    }

    /// Runs until `cond` holds (checked after every event) or `limit` passes; returns whether
    /// it held.
    pub fn run_until_cond(&mut self, limit: SimTime, mut cond: impl FnMut(&World) -> bool) -> bool {
        if cond(self) {
            return true;
        }
        while self.queue.peek_time().is_some_and(|next| next <= limit) {
            self.step();
            if cond(self) {
                return true;
            }
        }
        self.now = self.now.max(limit);
        cond(self)
    }

    /// Hands the step's events to every observer and files what they found.
    pub(crate) fn finish_step(&mut self) {
        if !self.observers.is_empty() {
            let mut observers = std::mem::take(&mut self.observers);
            for o in &mut observers {
                let found = o.observe(self, &self.step_events);
                self.violations.extend(found);
            }
            self.observers = observers;
        }
        if self.record {
            self.trace.append(&mut self.step_events);
        } else {
            self.step_events.clear();
        }
    }

    /// Records an event on `node` now.
    pub(crate) fn emit(&mut self, node: NodeId, event: Event) {
        match &event {
            Event::Transition {
                to: Role::Leader, ..
            } => self.stats.elections += 1,
            Event::Truncated { .. } => self.stats.truncations += 1,
            _ => {}
        }
        self.step_events.push(TraceEvent {
            at: self.now,
            node,
            event,
        });
    }

    // ----- driving nodes ----------------------------------------------------------------------

    /// Calls `f` on a running ZooKeeper-mode process, polls it, and carries out what it asked
    /// for.
    pub(crate) fn call_zk<R>(
        &mut self,
        id: NodeId,
        f: impl FnOnce(&mut ZkProcess, &mut Ctx) -> R,
    ) -> Option<R> {
        self.drive(id, |node, ctx, _| {
            let p = node.process.as_mut()?.zk_mut()?;
            let result = f(p, ctx);
            p.poll(ctx);
            Some(result)
        })
    }

    /// Polls a node's process, whichever mode it runs.
    pub(crate) fn poke(&mut self, id: NodeId) {
        if self.nodes.get(&id).is_some_and(|n| n.zk().is_some()) {
            self.call_zk(id, |_, _| ());
        } else {
            self.call(id, |_, _, _| ());
        }
    }

    /// Calls `f` on a running replica, polls it, and carries out what it asked for.
    pub(crate) fn call<R>(
        &mut self,
        id: NodeId,
        f: impl FnOnce(&mut Server, &mut Ctx, &mut ImageMemo) -> R,
    ) -> Option<R> {
        self.drive(id, |node, ctx, memo| {
            let server = node.process.as_mut()?.kraft_mut()?;
            let result = f(server, ctx, memo);
            server.poll(ctx, memo);
            Some(result)
        })
    }

    /// The one way into a node, whichever mode it runs: `f` gets the node if it is up, then
    /// whatever it asked for is carried out and its next poll scheduled.
    fn drive<R>(
        &mut self,
        id: NodeId,
        f: impl FnOnce(&mut SimNode, &mut Ctx, &mut ImageMemo) -> Option<R>,
    ) -> Option<R> {
        let now = self.now;
        let mut out = std::mem::take(&mut self.out);
        let result = match self.nodes.get_mut(&id) {
            Some(node) if node.status == NodeStatus::Up => {
                // A process sees its machine's clock (see `Clock`: drift).
                let mut ctx = Ctx::new(node.clock.local(now), &mut self.rng, &mut out);
                f(node, &mut ctx, &mut self.memo)
            }
            _ => None,
        };
        if result.is_some() {
            self.dispatch(id, &mut out);
        }
        self.out = out;
        if result.is_some() {
            self.reschedule(id);
        }
        result
    }

    /// Carries out a node's effects in order.
    fn dispatch(&mut self, from: NodeId, out: &mut Vec<Output>) {
        for o in out.drain(..) {
            match o {
                Output::Send { to, payload } => self.send(from, to, payload),
                Output::Event(e) => self.emit(from, e),
                Output::ShutdownComplete { why } => self.stop(from, why),
            }
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, payload: Payload) {
        self.stats.messages += 1;
        match self.net.send(from, to, payload, self.now, &mut self.rng) {
            SendOutcome::InFlight(envs) => {
                for env in envs {
                    for o in &mut self.observers {
                        o.sent(self.now, &env, &mut self.violations);
                    }
                    self.queue.push(env.deliver_at, Due::Deliver(env.id));
                    if self.record {
                        self.emit(from, Event::Sent(env));
                    }
                }
            }
            SendOutcome::Cut(env) => {
                for o in &mut self.observers {
                    o.sent(self.now, &env, &mut self.violations);
                }
                if matches!(env.payload, Payload::Zk(_)) {
                    self.net.break_stream(from, to);
                }
                if self.record {
                    self.emit(
                        from,
                        Event::Dropped {
                            id: env.id,
                            from,
                            to,
                            name: env.payload.name(),
                            reason: DropReason::Partitioned,
                        },
                    );
                }
            }
        }
    }

    /// Records that a message was not delivered (always for the user's drops, which the feed
    /// shows; otherwise only when recording).
    pub(crate) fn drop_message(&mut self, env: &Envelope, reason: DropReason) {
        // A ZooKeeper-mode stream that lost a message cannot go on (see `ZkMessage::Reset`).
        // A dead receiver's connections died with it; its peers time out as for any crash.
        if matches!(env.payload, Payload::Zk(_))
            && !matches!(
                reason,
                DropReason::ReceiverDown | DropReason::ConnectionReset
            )
        {
            self.net.break_stream(env.from, env.to);
        }
        if self.record || reason == DropReason::UserDropped {
            self.emit(
                env.from,
                Event::Dropped {
                    id: env.id,
                    from: env.from,
                    to: env.to,
                    name: env.payload.name(),
                    reason,
                },
            );
        }
    }

    fn deliver(&mut self, id: crate::message::MsgId) {
        let Some(env) = self.net.take(id) else {
            return; // dropped by the user meanwhile
        };
        if env.doomed {
            return self.drop_message(&env, DropReason::Lost);
        }
        if !self.net.is_connected(env.from, env.to) {
            return self.drop_message(&env, DropReason::Partitioned);
        }
        let status = self.nodes.get(&env.to).map(|n| n.status);
        match status {
            Some(NodeStatus::Up) => self.handle(env),
            Some(NodeStatus::Paused { .. }) => {
                if let Some(n) = self.nodes.get_mut(&env.to) {
                    n.inbox.push(env);
                }
            }
            _ => self.drop_message(&env, DropReason::ReceiverDown),
        }
    }

    fn handle(&mut self, env: Envelope) {
        if self.record {
            self.emit(
                env.to,
                Event::Delivered {
                    id: env.id,
                    from: env.from,
                    name: env.payload.name(),
                },
            );
        }
        let from = env.from;
        if self.nodes.get(&env.to).is_some_and(|n| n.zk().is_some()) {
            if self.net.take_broken(from, env.to)
                && !matches!(env.payload, Payload::Zk(ZkMessage::Reset))
            {
                self.drop_message(&env, DropReason::ConnectionReset);
                return self.reset_stream(from, env.to);
            }
            if let Payload::Zk(msg) = env.payload {
                self.call_zk(env.to, |p, ctx| p.handle(from, msg, ctx));
            }
            return;
        }
        self.call(env.to, |s, ctx, memo| {
            s.handle(from, env.payload, ctx, memo)
        });
    }

    /// Resets the ZooKeeper-mode connection between `a` and `b` at both ends: each learns at
    /// once (a paused end when it resumes), because the message that found the hole travelled.
    fn reset_stream(&mut self, a: NodeId, b: NodeId) {
        for (to, peer) in [(b, a), (a, b)] {
            match self.nodes.get_mut(&to) {
                Some(n) if n.status == NodeStatus::Up => {
                    self.call_zk(to, |p, ctx| p.handle(peer, ZkMessage::Reset, ctx));
                }
                Some(n) if matches!(n.status, NodeStatus::Paused { .. }) => {
                    n.inbox.push(Envelope {
                        id: 0,
                        from: peer,
                        to,
                        sent_at: self.now,
                        deliver_at: self.now,
                        payload: Payload::Zk(ZkMessage::Reset),
                        doomed: false,
                    })
                }
                _ => {}
            }
        }
    }

    fn wake(&mut self, id: NodeId, at: SimTime) {
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        if node.wake_at != Some(at) || node.status != NodeStatus::Up {
            return; // superseded
        }
        node.wake_at = None;
        if node.spin.0 == at {
            node.spin.1 += 1;
        } else {
            node.spin = (at, 1);
        }
        if node.spin.1 > 1_000 {
            if node.spin.1 == 1_001 {
                self.emit(
                    id,
                    Event::Illegal {
                        what: "the replica keeps asking to be polled at the same instant".into(),
                    },
                );
            }
            self.reschedule(id);
            return;
        }
        self.poke(id);
    }

    fn resume(&mut self, id: NodeId, at: SimTime) {
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        if node.status != (NodeStatus::Paused { until: at }) {
            return;
        }
        node.status = NodeStatus::Up;
        let inbox = std::mem::take(&mut node.inbox);
        self.emit(id, Event::Resumed);
        // Kafka's loop polls its timers before it reads the messages that queued up, so a
        // stalled follower's fetch timer fires before the leader's answers are seen.
        self.poke(id);
        // Each queued message is observed as a step of its own, as it would be had it not
        // waited: the checkers read the node's state after each one (a leader whose HW moves
        // twice while it drains its inbox loads its image twice, and each load is checked
        // against the image it made).
        for env in inbox {
            self.finish_step();
            if self
                .nodes
                .get(&id)
                .is_some_and(|n| n.status == NodeStatus::Up)
            {
                self.handle(env);
            }
        }
        self.reschedule(id);
    }

    /// Schedules the node's next poll at its next deadline.
    pub(crate) fn reschedule(&mut self, id: NodeId) {
        let now = self.now;
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        node.refresh_timers(now);
        if node.status != NodeStatus::Up {
            node.wake_at = None;
            return;
        }
        // The process reports its deadline on its own clock.
        let mut deadline = match &node.process {
            Some(p) => node.clock.global(p.next_deadline()),
            None => return,
        };
        if deadline == SimTime::NEVER {
            node.wake_at = None;
            return;
        }
        if node.spin.1 > 1_000 && node.spin.0 == now {
            deadline = deadline.max(now + ms(1));
        }
        let deadline = deadline.max(now);
        if node.wake_at != Some(deadline) {
            node.wake_at = Some(deadline);
            self.queue.push(deadline, Due::Wake(id));
        }
    }

    /// Starts a node's process from its disk.
    pub(crate) fn start_process(&mut self, id: NodeId) {
        if self.nodes.get(&id).is_some_and(|n| n.kind.is_zk_mode()) {
            return self.start_zk_process(id);
        }
        let now = self.now;
        let quorum = self.quorum.clone();
        // Two controller processes cannot share a node.id: the second is refused (a model
        // simplification; Kafka would let them fight over one voter slot).
        let duplicate = self.nodes.get(&id).and_then(|me| {
            let wanted = me.config.node_id;
            self.nodes
                .values()
                .filter(|n| n.id != id && n.status.is_live())
                .filter_map(|n| n.server())
                .find(|s| {
                    s.config().node_id == wanted
                        && s.config().roles.controller
                        && me.config.roles.controller
                })
                .map(|_| wanted)
        });
        let mut out = std::mem::take(&mut self.out);
        let refused = {
            let Some(node) = self.nodes.get_mut(&id) else {
                self.out = out;
                return;
            };
            let disk = node.disk.take().unwrap_or_default();
            node.kind = NodeKind::of(&node.config);
            let mut ctx = Ctx::new(node.clock.local(now), &mut self.rng, &mut out);
            let started = match duplicate {
                Some(dup) => Err(Box::new(Refused {
                    why: format!("node.id {dup} is already used by another running controller"),
                    disk,
                })),
                None => Server::start(node.config.clone(), disk, quorum, &mut ctx),
            };
            match started {
                Ok(server) => {
                    node.process = Some(Process::Kraft(Box::new(server)));
                    node.status = NodeStatus::Up;
                    node.failure = None;
                    node.spin = (SimTime::ZERO, 0);
                    None
                }
                Err(refused) => {
                    let Refused { why, disk } = *refused;
                    node.disk = Some(disk);
                    node.status = NodeStatus::Stopped;
                    node.failure = Some(why.clone());
                    Some(why)
                }
            }
        };
        self.dispatch(id, &mut out);
        self.out = out;
        match refused {
            None => {
                self.call(id, |_, _, _| ());
            }
            Some(why) => self.emit(id, Event::StartRefused { why }),
        }
    }

    /// Starts a ZooKeeper server or a ZooKeeper-mode broker.
    fn start_zk_process(&mut self, id: NodeId) {
        let now = self.now;
        let mut out = std::mem::take(&mut self.out);
        {
            let Some(node) = self.nodes.get_mut(&id) else {
                self.out = out;
                return;
            };
            let mut ctx = Ctx::new(node.clock.local(now), &mut self.rng, &mut out);
            let process = if node.kind == NodeKind::ZooKeeper {
                let disk = node.zk_disk.take().unwrap_or_default();
                ZkProcess::Server(Box::new(ZkServer::start(
                    id,
                    Arc::new(self.spec.zookeepers.clone()),
                    self.spec.zk,
                    self.spec.quorum.costs,
                    disk,
                    self.spec.zk_clients,
                    &mut ctx,
                )))
            } else {
                ZkProcess::Broker(Box::new(ZkBroker::start(
                    id,
                    self.spec.zk_kafka_config(),
                    &mut ctx,
                )))
            };
            node.process = Some(Process::Zk(process));
            node.status = NodeStatus::Up;
            node.failure = None;
            node.spin = (SimTime::ZERO, 0);
        }
        self.dispatch(id, &mut out);
        self.out = out;
        self.poke(id);
    }

    /// Ends a node's process; its disk stays.
    pub(crate) fn kill(&mut self, id: NodeId, status: NodeStatus) {
        let Some(node) = self.nodes.get_mut(&id) else {
            return;
        };
        match node.process.take() {
            Some(Process::Kraft(server)) => node.disk = Some(server.into_disk()),
            Some(Process::Zk(p)) => {
                if let Some(d) = p.into_disk() {
                    node.zk_disk = Some(d);
                }
            }
            None => {}
        }
        node.status = status;
        node.inbox.clear();
        self.net.forget_streams(id);
        node.wake_at = None;
        node.timers.clear();
    }

    fn stop(&mut self, id: NodeId, why: Option<String>) {
        self.kill(id, NodeStatus::Stopped);
        if let Some(node) = self.nodes.get_mut(&id) {
            node.failure = why;
        }
        self.emit(id, Event::Stopped);
    }

    /// Schedules the end of a pause.
    pub(crate) fn schedule_resume(&mut self, id: NodeId, at: SimTime) {
        self.queue.push(at, Due::Resume(id));
    }

    /// Draws the next run-wide data record number.
    pub(crate) fn next_data_id(&mut self) -> u64 {
        self.next_data += 1;
        self.next_data
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::sim::action::UserAction;
    use crate::types::secs;

    /// Remembers the most messages any one step delivered.
    #[derive(Clone, Default)]
    struct Deliveries {
        most: Arc<AtomicUsize>,
        resumes: Arc<AtomicUsize>,
    }

    impl Observer<World> for Deliveries {
        fn observe(&mut self, _world: &World, events: &[TraceEvent]) -> Vec<Violation> {
            let delivered = events
                .iter()
                .filter(|e| matches!(e.event, Event::Delivered { .. }))
                .count();
            self.most.fetch_max(delivered, Ordering::Relaxed);
            if events.iter().any(|e| matches!(e.event, Event::Resumed)) {
                self.resumes.fetch_add(1, Ordering::Relaxed);
            }
            Vec::new()
        }
    }

    #[test]
    fn a_resumed_node_s_queued_messages_are_observed_one_step_each() {
        let seen = Deliveries::default();
        let mut world = World::observed(
            ClusterSpec::kraft(3, 1, 7),
            true,
            vec![Box::new(seen.clone())],
        );
        world.run_for(secs(3));
        let leader = world
            .nodes()
            .find(|n| n.replica().is_some_and(|r| r.role() == Role::Leader))
            .map(|n| n.id)
            .expect("a leader after 3 s");
        // Heartbeats, and the followers' PreVotes once their fetch timeout ran out, queue up
        // while the leader is paused.
        world
            .apply(&UserAction::Pause(leader, ms(4_000)))
            .expect("the leader can be paused");
        world.run_for(secs(5));

        assert_eq!(seen.resumes.load(Ordering::Relaxed), 1);
        assert_eq!(seen.most.load(Ordering::Relaxed), 1);
    }
}

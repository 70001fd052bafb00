//! One ZooKeeper server of the ensemble (docs/fidelity.md, ZooKeeper mode), sans-IO like the KRaft
//! replica.
//!
//! - **Leader election** (FastLeaderElection, simplified): a LOOKING server votes for itself,
//!   adopts any better vote it hears — higher epoch, then higher zxid, then higher id — and
//!   decides once a quorum shares its vote and `finalizeWait` (200 ms) brought nothing better.
//!   A server that already follows or leads answers with the settled leader, so a restarted
//!   server joins the running ensemble.
//! - **ZAB broadcast**: followers sync from the leader's snapshot (`NEWLEADER`); the leader
//!   serves once a quorum is in sync. A write is a Proposal, acknowledged by each follower, and
//!   committed once a quorum acknowledged it; every server applies commits in zxid order.
//!   Nothing is written while there is no leader.
//! - **Liveness**: the leader pings followers every half tick; a follower that hears nothing for
//!   `syncLimit × tickTime` (10 s) looks for a new leader, and a leader without a quorum of
//!   followers for as long steps down. Clients of a server that stops serving are disconnected.
//! - **Sessions**: created and closed by transactions; the leader tracks their expiry (each
//!   ping, forwarded by the client's server, renews it), and expires them with a
//!   `closeSession` transaction that deletes their ephemeral znodes. A new leader gives every
//!   session a full timeout. Watches are kept by the server a client talks to and fire once.
//! - **Load**: client work queues on a server (`zk-connect`, `zk-request` costs), so a
//!   reconnection storm delays everyone, the controller's session included.
//!
//! Where things happen:
//! - this file: the server, its disk, its roles and their state; start, the message dispatch,
//!   `poll` and `next_deadline`;
//! - `election.rs`: FastLeaderElection (votes, notifications, the decision);
//! - `zab.rs`: ZAB: leading and following, sync (`FOLLOWERINFO`, `NEWLEADER`), proposals,
//!   acknowledgements and commits, and how a leader and a follower notice they lost each other;
//! - `sessions.rs`: the client side: the request queue, connections, reads and watches,
//!   sessions, pings and expiry, and the modelled clients' reconnection storm.

use crate::flat::{FlatMap, FlatSet};
use std::collections::VecDeque;
use std::sync::Arc;

use crate::costs::CostModel;
use crate::effect::Ctx;
use crate::message::Payload;
use crate::types::{ms, NodeId, SimTime};

use super::rpc::{ClientMsg, Origin, PeerMsg, Txn, Vote, ZkMessage};
use super::tree::{DataTree, SessionId, Zxid};

mod election;
mod sessions;
#[cfg(test)]
mod testing;
mod zab;

/// The ensemble's timing (`zoo.cfg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ZkConfig {
    /// `tickTime` (ms): 2000 in the stock `zoo_sample.cfg`.
    pub tick_ms: u64,
    /// `initLimit` (ticks) for a follower to connect and sync.
    pub init_limit: u64,
    /// `syncLimit` (ticks) a follower may go without hearing from the leader.
    pub sync_limit: u64,
    /// FastLeaderElection's `finalizeWait` (ms).
    pub finalize_wait_ms: u64,
    /// The session timeout Kafka asks for, `zookeeper.session.timeout.ms` (18000).
    pub session_timeout_ms: u64,
}

impl Default for ZkConfig {
    fn default() -> Self {
        ZkConfig {
            tick_ms: 2_000,
            init_limit: 10,
            sync_limit: 5,
            finalize_wait_ms: 200,
            session_timeout_ms: 18_000,
        }
    }
}

impl ZkConfig {
    /// The server clamps a requested session timeout to [2, 20] × tickTime.
    pub fn negotiate(&self, requested_ms: u64) -> u64 {
        requested_ms.clamp(2 * self.tick_ms, 20 * self.tick_ms)
    }
}

/// What survives a crash: the data (ZooKeeper's snapshot and transaction log), the open
/// sessions, and how far it got.
#[derive(Clone, Debug)]
pub struct ZkDisk {
    /// The data tree.
    pub tree: Arc<DataTree>,
    /// Open sessions and their negotiated timeouts.
    pub sessions: FlatMap<SessionId, u64>,
    /// Last applied zxid.
    pub last_zxid: Zxid,
    /// The newest epoch it accepted (ZooKeeper's acceptedEpoch): a leader proposing an epoch
    /// must go above it.
    pub epoch: u32,
    /// The epoch whose history it holds (currentEpoch): set when it syncs with a leader or its
    /// own leadership is established. Election votes carry this one, so a server that only
    /// heard an epoch proposed — by a leader that never got its quorum — cannot win with a
    /// stale log.
    pub current_epoch: u32,
    /// Who led that epoch: an epoch number offered by another leader is a different epoch.
    pub epoch_leader: Option<NodeId>,
    /// Proposals it logged (a follower logs before it acknowledges; a leader before it
    /// broadcasts) and has not seen committed. They count in its election vote, and a new
    /// leader commits those it holds, so that nothing a quorum acknowledged is lost.
    pub accepted: FlatMap<Zxid, Txn>,
}

impl Default for ZkDisk {
    fn default() -> Self {
        ZkDisk {
            tree: Arc::new(DataTree::new()),
            sessions: FlatMap::new(),
            last_zxid: 0,
            epoch: 0,
            current_epoch: 0,
            epoch_leader: None,
            accepted: FlatMap::new(),
        }
    }
}

/// A server's role, as `srvr` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZkRole {
    /// Electing a leader.
    Looking,
    /// Following the leader.
    Following,
    /// Leading.
    Leading,
}

impl ZkRole {
    /// The name `srvr` prints (`Mode:`).
    pub fn name(self) -> &'static str {
        match self {
            ZkRole::Looking => "looking",
            ZkRole::Following => "follower",
            ZkRole::Leading => "leader",
        }
    }
}

#[derive(Clone, Debug)]
struct Looking {
    vote: Vote,
    votes: FlatMap<NodeId, (Vote, bool)>,
    finalize_at: Option<SimTime>,
    resend_at: SimTime,
    resend_every: u64,
}

#[derive(Clone, Debug)]
struct Following {
    leader: NodeId,
    epoch: u32,
    synced: bool,
    last_heard: SimTime,
    joined: SimTime,
    /// When to introduce itself again if the leader has not answered (it may still have
    /// been finishing its election).
    hello_at: SimTime,
    touched: FlatSet<SessionId>,
    pending: FlatMap<Zxid, (Txn, Option<Origin>)>,
    commit_upto: Zxid,
}

#[derive(Clone, Debug)]
struct FollowerView {
    synced: bool,
    last_heard: SimTime,
}

#[derive(Clone, Debug)]
struct ProposalState {
    txn: Txn,
    acks: FlatSet<NodeId>,
    origin: Option<Origin>,
}

#[derive(Clone, Debug)]
struct Leading {
    epoch: u32,
    counter: u64,
    followers: FlatMap<NodeId, FollowerView>,
    established: bool,
    started: SimTime,
    proposals: FlatMap<Zxid, ProposalState>,
    expires: FlatMap<SessionId, SimTime>,
    closing: FlatSet<SessionId>,
    next_ping: SimTime,
    next_expiry_check: SimTime,
    /// Writes forwarded before a quorum synced: proposed once it has.
    held: Vec<(Txn, Origin)>,
    /// A quorum joined and the epoch is fixed: followers get NEWLEADER.
    epoch_set: bool,
}

#[derive(Clone, Debug)]
enum State {
    Looking(Looking),
    Following(Following),
    Leading(Leading),
}

/// Which watch a client left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum WatchClass {
    Data,
    Child,
}

/// One ZooKeeper server.
#[derive(Clone, Debug)]
pub struct ZkServer {
    id: NodeId,
    ensemble: Arc<Vec<NodeId>>,
    cfg: ZkConfig,
    costs: CostModel,
    disk: ZkDisk,
    state: State,
    /// Connected clients and their sessions.
    clients: FlatMap<NodeId, SessionId>,
    watches: FlatMap<String, FlatSet<(NodeId, WatchClass)>>,
    /// Client messages waiting for the request processor, with when each will be done.
    queue: VecDeque<(SimTime, NodeId, ClientMsg)>,
    busy_until: SimTime,
    /// Modelled clients (other applications' sessions) this server holds; they reconnect
    /// when it stops serving, and load whoever they reconnect to.
    background_clients: u64,
    background_disconnected: bool,
    background_lost_at: SimTime,
    /// True once it has served clients (a fresh server's clients arrive over time).
    served: bool,
    last_poll: SimTime,
}

fn zk(msg: PeerMsg) -> Payload {
    Payload::Zk(ZkMessage::Peer(msg))
}

fn client(msg: ClientMsg) -> Payload {
    Payload::Zk(ZkMessage::Client(msg))
}

impl ZkServer {
    /// Starts (or restarts) a server from its disk: it looks for a leader.
    pub fn start(
        id: NodeId,
        ensemble: Arc<Vec<NodeId>>,
        cfg: ZkConfig,
        costs: CostModel,
        disk: ZkDisk,
        background_clients: u64,
        ctx: &mut Ctx,
    ) -> ZkServer {
        let restarted = disk.epoch > 0;
        let mut s = ZkServer {
            id,
            ensemble,
            cfg,
            costs,
            disk,
            state: State::Looking(Looking {
                vote: Vote {
                    leader: id,
                    zxid: 0,
                    epoch: 0,
                },
                votes: FlatMap::new(),
                finalize_at: None,
                resend_at: SimTime::ZERO,
                resend_every: 200,
            }),
            clients: FlatMap::new(),
            watches: FlatMap::new(),
            queue: VecDeque::new(),
            busy_until: ctx.now,
            background_clients,
            // A fresh ensemble's clients arrive over time (no storm); a restarted server's
            // clients come back all at once.
            background_disconnected: restarted,
            background_lost_at: ctx.now,
            served: false,
            last_poll: ctx.now,
        };
        s.become_looking("startup", ctx);
        s
    }

    /// Stops the process: what is left is the disk.
    pub fn into_disk(mut self) -> ZkDisk {
        self.keep_log();
        self.disk
    }

    /// Moves the proposals logged in the current role to the disk's accepted log.
    fn keep_log(&mut self) {
        let logged: Vec<(Zxid, Txn)> = match &mut self.state {
            State::Following(f) => std::mem::take(&mut f.pending)
                .into_iter()
                .map(|(z, (t, _))| (z, t))
                .collect(),
            State::Leading(l) => std::mem::take(&mut l.proposals)
                .into_iter()
                .map(|(z, p)| (z, p.txn))
                .collect(),
            State::Looking(_) => Vec::new(),
        };
        let last = self.disk.last_zxid;
        self.disk
            .accepted
            .extend(logged.into_iter().filter(|(z, _)| *z > last));
    }

    /// This server's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// Looking, following or leading.
    pub fn role(&self) -> ZkRole {
        match self.state {
            State::Looking(_) => ZkRole::Looking,
            State::Following(_) => ZkRole::Following,
            State::Leading(_) => ZkRole::Leading,
        }
    }

    /// The leader it follows (or itself when leading).
    pub fn leader(&self) -> Option<NodeId> {
        match &self.state {
            State::Looking(_) => None,
            State::Following(f) => Some(f.leader),
            State::Leading(_) => Some(self.id),
        }
    }

    /// The epoch it last followed or led.
    pub fn epoch(&self) -> u32 {
        self.disk.epoch
    }

    /// Last applied zxid.
    pub fn last_zxid(&self) -> Zxid {
        self.disk.last_zxid
    }

    /// The data tree.
    pub fn tree(&self) -> &DataTree {
        &self.disk.tree
    }

    /// Open sessions (id, timeout).
    pub fn sessions(&self) -> &FlatMap<SessionId, u64> {
        &self.disk.sessions
    }

    /// Connected clients.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// How long its request queue is, in time.
    pub fn backlog(&self, now: SimTime) -> crate::types::Micros {
        self.busy_until.since(now)
    }

    /// Client requests waiting in its queue (`srvr`'s "Outstanding").
    pub fn outstanding(&self) -> usize {
        self.queue.len()
    }

    /// True if it answers clients: a leader with a quorum in sync, or a synced follower.
    pub fn serving(&self) -> bool {
        match &self.state {
            State::Leading(l) => l.established,
            State::Following(f) => f.synced,
            State::Looking(_) => false,
        }
    }

    fn quorum(&self) -> usize {
        self.ensemble.len() / 2 + 1
    }

    fn peers(&self) -> Vec<NodeId> {
        self.ensemble
            .iter()
            .copied()
            .filter(|p| *p != self.id)
            .collect()
    }

    /// Handles a message.
    pub fn handle(&mut self, from: NodeId, msg: ZkMessage, ctx: &mut Ctx) {
        match msg {
            ZkMessage::Peer(p) => self.handle_peer(from, p, ctx),
            ZkMessage::Client(c) => self.enqueue(from, c, ctx.now),
            ZkMessage::Kafka(_) => {}
            ZkMessage::Reset => self.on_reset(from, ctx),
        }
        self.poll(ctx);
    }

    /// A connection lost a message and was reset. A client's connection state goes (the
    /// client reconnects and re-arms its watches); a follower whose leader connection broke
    /// looks for the leader again, as `Follower.followLeader` does when its socket fails; a
    /// leader stops counting that follower until it syncs again.
    fn on_reset(&mut self, from: NodeId, ctx: &mut Ctx) {
        if !self.ensemble.contains(&from) {
            self.clients.remove(&from);
            for set in self.watches.values_mut() {
                set.retain(|(c, _)| *c != from);
            }
            self.watches.retain(|_, set| !set.is_empty());
            return;
        }
        match &mut self.state {
            State::Following(f) if f.leader == from => {
                let why = format!("connection to leader {from} reset");
                self.become_looking(&why, ctx);
            }
            State::Leading(l) => {
                l.followers.remove(&from);
            }
            _ => {}
        }
    }

    fn handle_peer(&mut self, from: NodeId, msg: PeerMsg, ctx: &mut Ctx) {
        match msg {
            PeerMsg::Notification { vote, looking } => {
                self.on_notification(from, vote, looking, ctx)
            }
            PeerMsg::FollowerInfo {
                accepted_epoch,
                epoch_leader,
                ..
            } => self.on_follower_info(from, accepted_epoch, epoch_leader, ctx),
            PeerMsg::NewLeader {
                epoch,
                tree,
                sessions,
                zxid,
            } => self.on_new_leader(from, epoch, tree, sessions, zxid, ctx),
            PeerMsg::AckNewLeader { epoch } => self.on_ack_new_leader(from, epoch, ctx),
            PeerMsg::Proposal { zxid, txn, origin } => {
                self.on_proposal(from, zxid, txn, origin, ctx)
            }
            PeerMsg::Ack { zxid } => self.on_ack(from, zxid, ctx),
            PeerMsg::Commit { zxid } => self.on_commit(from, zxid, ctx),
            PeerMsg::Ping { touched } => self.on_ping(from, touched, ctx),
            PeerMsg::Forward { txn, origin } => self.on_forward(txn, origin, ctx),
            PeerMsg::Refused { error, origin } => self.on_refused(error, origin, ctx),
        }
    }

    /// Timers: election resends and decisions, the leader's pings and session expiry, a
    /// follower's loss of the leader, and the request queue.
    pub fn poll(&mut self, ctx: &mut Ctx) {
        self.last_poll = ctx.now;
        let looking_again = match self.role() {
            ZkRole::Looking => {
                self.poll_election(ctx);
                false
            }
            ZkRole::Following => self.poll_following(ctx),
            ZkRole::Leading => {
                let stepped_down = self.poll_leading(ctx);
                if !stepped_down {
                    self.ping_followers(ctx);
                    self.expire_sessions(ctx);
                }
                stepped_down
            }
        };
        if looking_again {
            // It looks for a leader from now on: poll its election at once.
            return self.poll(ctx);
        }
        self.serve_queue(ctx);
    }

    /// When the server next needs a poll.
    pub fn next_deadline(&self) -> SimTime {
        let sync = ms(self.cfg.tick_ms * self.cfg.sync_limit);
        let init = ms(self.cfg.tick_ms * self.cfg.init_limit);
        let state = match &self.state {
            State::Looking(l) => l.finalize_at.unwrap_or(SimTime::NEVER).min(l.resend_at),
            State::Following(f) => {
                if f.synced {
                    f.last_heard + sync
                } else {
                    (f.joined + init).min(f.hello_at)
                }
            }
            State::Leading(l) => {
                let expiry = if l.established {
                    l.next_expiry_check
                } else {
                    l.started + init
                };
                let stale = l
                    .followers
                    .values()
                    .map(|f| {
                        if f.synced {
                            f.last_heard + sync
                        } else {
                            f.last_heard + sync + init
                        }
                    })
                    .min()
                    .unwrap_or(SimTime::NEVER);
                l.next_ping.min(expiry).min(stale)
            }
        };
        let queue = self
            .queue
            .front()
            .map(|(t, _, _)| *t)
            .unwrap_or(SimTime::NEVER);
        let t = state.min(queue);
        if t <= self.last_poll {
            self.last_poll + ms(1)
        } else {
            t
        }
    }
}

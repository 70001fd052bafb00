//! One ZooKeeper server of the ensemble (KRAFT.md §4.3), sans-IO like the KRaft replica.
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

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use crate::costs::CostModel;
use crate::effect::Ctx;
use crate::message::Payload;
use crate::trace::Event;
use crate::types::{ms, NodeId, SimTime};

use super::rpc::{ClientMsg, ClientOp, ClientResult, Origin, PeerMsg, Txn, Vote, ZkMessage};
use super::tree::{DataTree, SessionId, WatchKind, ZkError, Zxid};

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

/// How soon a follower tries the leader again when it has not answered (it may still be
/// finishing its own election): `leaderConnectDelayDuringRetryMs`, 100 ms.
const LEADER_CONNECT_RETRY_MS: u64 = 100;

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
    pub sessions: BTreeMap<SessionId, u64>,
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
    pub accepted: BTreeMap<Zxid, Txn>,
}

impl Default for ZkDisk {
    fn default() -> Self {
        ZkDisk {
            tree: Arc::new(DataTree::new()),
            sessions: BTreeMap::new(),
            last_zxid: 0,
            epoch: 0,
            current_epoch: 0,
            epoch_leader: None,
            accepted: BTreeMap::new(),
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
    votes: BTreeMap<NodeId, (Vote, bool)>,
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
    touched: BTreeSet<SessionId>,
    pending: BTreeMap<Zxid, (Txn, Option<Origin>)>,
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
    acks: BTreeSet<NodeId>,
    origin: Option<Origin>,
}

#[derive(Clone, Debug)]
struct Leading {
    epoch: u32,
    counter: u64,
    followers: BTreeMap<NodeId, FollowerView>,
    established: bool,
    started: SimTime,
    proposals: BTreeMap<Zxid, ProposalState>,
    expires: BTreeMap<SessionId, SimTime>,
    closing: BTreeSet<SessionId>,
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
    clients: BTreeMap<NodeId, SessionId>,
    watches: BTreeMap<String, BTreeSet<(NodeId, WatchClass)>>,
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
                votes: BTreeMap::new(),
                finalize_at: None,
                resend_at: SimTime::ZERO,
                resend_every: 200,
            }),
            clients: BTreeMap::new(),
            watches: BTreeMap::new(),
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

    /// The last zxid in its log, committed or not: what its election vote carries.
    fn last_logged(&self) -> Zxid {
        let accepted = self.disk.accepted.keys().next_back().copied().unwrap_or(0);
        self.disk.last_zxid.max(accepted)
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
    pub fn sessions(&self) -> &BTreeMap<SessionId, u64> {
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

    fn my_vote(&self) -> Vote {
        Vote {
            leader: self.id,
            zxid: self.last_logged(),
            epoch: self.disk.current_epoch,
        }
    }

    /// Drops every client (they reconnect elsewhere) and its watches.
    fn drop_clients(&mut self, ctx: &mut Ctx) {
        for c in std::mem::take(&mut self.clients).into_keys() {
            ctx.send(c, client(ClientMsg::Disconnect));
        }
        self.watches.clear();
        self.queue.clear();
        if self.background_clients > 0 && self.served && !self.background_disconnected {
            self.background_disconnected = true;
            self.background_lost_at = ctx.now;
            ctx.emit(Event::ZkClientsDisconnected {
                count: self.background_clients,
            });
        }
    }

    fn become_looking(&mut self, why: &str, ctx: &mut Ctx) {
        self.drop_clients(ctx);
        self.keep_log();
        let vote = self.my_vote();
        let mut votes = BTreeMap::new();
        votes.insert(self.id, (vote, true));
        self.state = State::Looking(Looking {
            vote,
            votes,
            finalize_at: None,
            resend_at: ctx.now + ms(400),
            resend_every: 400,
        });
        ctx.emit(Event::ZkRoleChanged {
            role: ZkRole::Looking.name(),
            epoch: self.disk.epoch,
            why: why.to_string(),
        });
        self.broadcast(vote, true, ctx);
        self.maybe_decide(ctx);
    }

    /// Handles a message.
    pub fn handle(&mut self, from: NodeId, msg: ZkMessage, ctx: &mut Ctx) {
        match msg {
            ZkMessage::Peer(p) => self.handle_peer(from, p, ctx),
            ZkMessage::Client(c) => {
                let cost = match &c {
                    ClientMsg::Connect { .. } => self.costs.zk_connect_us,
                    _ => self.costs.zk_request_us,
                };
                self.busy_until = self.busy_until.max(ctx.now) + cost;
                self.queue.push_back((self.busy_until, from, c));
            }
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
            } => {
                let State::Leading(l) = &mut self.state else {
                    return;
                };
                let mine = accepted_epoch == l.epoch && epoch_leader == Some(self.id);
                if accepted_epoch >= l.epoch && !mine {
                    if l.epoch_set {
                        // It saw a newer epoch: this leader is stale and must not sync it
                        // (LearnerHandler refuses; the follower looks again).
                        return;
                    }
                    // ZAB's epoch proposal: the new epoch is above every epoch its quorum
                    // accepted, so that no two leaders ever share one.
                    l.epoch = accepted_epoch + 1;
                    self.disk.epoch = l.epoch;
                    self.disk.epoch_leader = Some(self.id);
                }
                l.followers.insert(
                    from,
                    FollowerView {
                        synced: false,
                        last_heard: ctx.now,
                    },
                );
                if l.epoch_set {
                    return self.sync_follower(from, ctx);
                }
                // The epoch is settled once a quorum has joined (Leader.getEpochToPropose
                // waits for it); only then does anyone get NEWLEADER.
                let quorum = self.ensemble.len() / 2 + 1;
                if 1 + l.followers.len() >= quorum {
                    l.epoch_set = true;
                    let joined: Vec<NodeId> = l.followers.keys().copied().collect();
                    for f in joined {
                        self.sync_follower(f, ctx);
                    }
                }
            }
            PeerMsg::NewLeader {
                epoch,
                tree,
                sessions,
                zxid,
            } => {
                let State::Following(f) = &mut self.state else {
                    return;
                };
                if f.leader != from {
                    return;
                }
                if epoch < self.disk.epoch
                    || (epoch == self.disk.epoch
                        && self.disk.epoch_leader.is_some_and(|l| l != from))
                {
                    let why = format!(
                        "leader {from} offers epoch {epoch}, older than its own {}",
                        self.disk.epoch
                    );
                    return self.become_looking(&why, ctx);
                }
                f.synced = true;
                f.epoch = epoch;
                f.last_heard = ctx.now;
                f.pending.retain(|z, _| *z > zxid);
                self.disk.tree = tree;
                self.disk.sessions = sessions.iter().copied().collect();
                self.disk.last_zxid = zxid;
                // The leader's history replaces its own (what it lacks was never committed;
                // what is outstanding the leader sends again).
                self.disk.accepted.clear();
                self.disk.epoch = epoch;
                self.disk.current_epoch = epoch;
                self.disk.epoch_leader = Some(from);
                ctx.send(from, zk(PeerMsg::AckNewLeader { epoch }));
                ctx.emit(Event::ZkRoleChanged {
                    role: ZkRole::Following.name(),
                    epoch,
                    why: format!("in sync with leader {from}"),
                });
                self.background_reconnect(ctx);
                self.apply_follower_commits(ctx);
            }
            PeerMsg::AckNewLeader { epoch } => {
                let quorum = self.quorum();
                let sessions: Vec<(SessionId, u64)> =
                    self.disk.sessions.iter().map(|(s, t)| (*s, *t)).collect();
                let State::Leading(l) = &mut self.state else {
                    return;
                };
                if epoch != l.epoch {
                    return;
                }
                if let Some(f) = l.followers.get_mut(&from) {
                    f.synced = true;
                    f.last_heard = ctx.now;
                }
                let synced = 1 + l.followers.values().filter(|f| f.synced).count();
                if !l.established && synced >= quorum {
                    l.established = true;
                    // A new leader gives every session a full timeout (SessionTrackerImpl).
                    l.expires = sessions
                        .iter()
                        .map(|(s, t)| (*s, ctx.now + ms(*t)))
                        .collect();
                    let epoch = l.epoch;
                    let held = std::mem::take(&mut l.held);
                    self.disk.current_epoch = epoch;
                    ctx.emit(Event::ZkRoleChanged {
                        role: ZkRole::Leading.name(),
                        epoch,
                        why: format!("{synced} of {} servers in sync", self.ensemble.len()),
                    });
                    for (txn, origin) in held {
                        self.propose(txn, Some(origin), ctx);
                    }
                    self.background_reconnect(ctx);
                }
            }
            PeerMsg::Proposal { zxid, txn, origin } => {
                if let State::Following(f) = &mut self.state {
                    if f.leader == from {
                        f.last_heard = ctx.now;
                        if zxid > self.disk.last_zxid {
                            f.pending.insert(zxid, (txn, origin));
                            ctx.send(from, zk(PeerMsg::Ack { zxid }));
                        }
                        self.apply_follower_commits(ctx);
                    }
                }
            }
            PeerMsg::Ack { zxid } => {
                if let State::Leading(l) = &mut self.state {
                    if let Some(p) = l.proposals.get_mut(&zxid) {
                        p.acks.insert(from);
                    }
                    if let Some(f) = l.followers.get_mut(&from) {
                        f.last_heard = ctx.now;
                    }
                    self.leader_commit(ctx);
                }
            }
            PeerMsg::Commit { zxid } => {
                if let State::Following(f) = &mut self.state {
                    if f.leader == from {
                        f.last_heard = ctx.now;
                        f.commit_upto = f.commit_upto.max(zxid);
                        self.apply_follower_commits(ctx);
                    }
                }
            }
            PeerMsg::Ping { touched } => match &mut self.state {
                State::Following(f) if f.leader == from => {
                    f.last_heard = ctx.now;
                    let touched: Vec<SessionId> =
                        std::mem::take(&mut f.touched).into_iter().collect();
                    ctx.send(from, zk(PeerMsg::Ping { touched }));
                }
                State::Leading(l) => {
                    if let Some(f) = l.followers.get_mut(&from) {
                        f.last_heard = ctx.now;
                    }
                    for s in touched {
                        if let Some(t) = self.disk.sessions.get(&s) {
                            l.expires.insert(s, ctx.now + ms(*t));
                        }
                    }
                }
                _ => {}
            },
            PeerMsg::Forward { txn, origin } => match &mut self.state {
                State::Leading(l) if l.established => self.propose(txn, Some(origin), ctx),
                // A follower synced before the leader had its quorum already serves clients;
                // their writes wait for the leader to be established.
                State::Leading(l) => l.held.push((txn, origin)),
                _ => {}
            },
            PeerMsg::Refused { error, origin } => {
                if origin.server == self.id {
                    ctx.send(
                        origin.client,
                        client(ClientMsg::Response {
                            xid: origin.xid,
                            result: ClientResult::Error(error),
                        }),
                    );
                }
            }
        }
    }

    fn on_notification(&mut self, from: NodeId, vote: Vote, looking: bool, ctx: &mut Ctx) {
        let State::Looking(l) = &mut self.state else {
            // A settled server answers a looking one with the leader it follows or is.
            if let (true, Some(settled)) = (looking, self.settled_vote()) {
                ctx.send(
                    from,
                    zk(PeerMsg::Notification {
                        vote: settled,
                        looking: false,
                    }),
                );
            }
            return;
        };
        l.votes.insert(from, (vote, looking));
        if looking && vote.beats(&l.vote) {
            l.vote = vote;
            l.votes.insert(self.id, (vote, true));
            l.finalize_at = None;
            self.broadcast(vote, true, ctx);
        }
        self.maybe_decide(ctx);
    }

    /// Sends `vote` to every other server.
    fn broadcast(&self, vote: Vote, looking: bool, ctx: &mut Ctx) {
        for p in self.peers() {
            ctx.send(p, zk(PeerMsg::Notification { vote, looking }));
        }
    }

    /// A settled server's vote: the leader it follows or is, in that leader's epoch.
    fn settled_vote(&self) -> Option<Vote> {
        let (leader, epoch) = match &self.state {
            State::Looking(_) => return None,
            State::Following(f) => (f.leader, f.epoch),
            State::Leading(l) => (self.id, l.epoch),
        };
        Some(Vote {
            leader,
            zxid: self.disk.last_zxid,
            epoch,
        })
    }

    /// Decides when a quorum settled on a leader (join it at once), or when a quorum of
    /// looking servers shares this server's vote and `finalizeWait` passed.
    fn maybe_decide(&mut self, ctx: &mut Ctx) {
        let quorum = self.quorum();
        let finalize = ms(self.cfg.finalize_wait_ms);
        let State::Looking(l) = &mut self.state else {
            return;
        };
        // An established ensemble: a quorum names the same settled leader.
        let mut settled: BTreeMap<NodeId, usize> = BTreeMap::new();
        for (who, (v, looking)) in &l.votes {
            if !looking && *who != self.id {
                *settled.entry(v.leader).or_default() += 1;
            }
        }
        // Settled servers plus this one agreeing make a quorum.
        // FastLeaderElection.checkLeader: only if the leader itself says it leads (followers
        // of a dead leader would otherwise lead everyone back to it).
        if let Some((leader, _)) = settled.iter().find(|(leader, n)| {
            **n + 1 >= quorum
                && **leader != self.id
                && l.votes
                    .get(leader)
                    .is_some_and(|(v, looking)| !looking && v.leader == **leader)
        }) {
            let leader = *leader;
            let epoch = l.votes.values().map(|(v, _)| v.epoch).max().unwrap_or(0);
            return self.become_follower(leader, epoch, ctx);
        }
        // Only looking servers' votes count here (FastLeaderElection's recvset); settled
        // ones (outofelection) only through checkLeader above.
        let agree = l
            .votes
            .values()
            .filter(|(v, looking)| *looking && *v == l.vote)
            .count();
        if agree < quorum {
            l.finalize_at = None;
            return;
        }
        match l.finalize_at {
            None => l.finalize_at = Some(ctx.now + finalize),
            Some(t) if ctx.now >= t => {
                let vote = l.vote;
                if vote.leader == self.id {
                    self.become_leader(ctx);
                } else {
                    self.become_follower(vote.leader, vote.epoch, ctx);
                }
            }
            Some(_) => {}
        }
    }

    fn become_leader(&mut self, ctx: &mut Ctx) {
        // Its log is the new history: what it logged from earlier epochs is committed now
        // (ZAB's new leader proposes its whole history with NEWLEADER).
        for (zxid, txn) in std::mem::take(&mut self.disk.accepted) {
            self.apply(zxid, txn, None, ctx);
        }
        let epoch = self.disk.epoch + 1;
        self.disk.epoch = epoch;
        self.disk.epoch_leader = Some(self.id);
        self.state = State::Leading(Leading {
            epoch,
            counter: 0,
            followers: BTreeMap::new(),
            established: self.ensemble.len() == 1,
            started: ctx.now,
            proposals: BTreeMap::new(),
            expires: BTreeMap::new(),
            closing: BTreeSet::new(),
            next_ping: ctx.now,
            next_expiry_check: ctx.now + ms(self.cfg.tick_ms),
            held: Vec::new(),
            epoch_set: self.ensemble.len() == 1,
        });
        ctx.emit(Event::ZkRoleChanged {
            role: "leader-elect",
            epoch,
            why: "won the election; waiting for a quorum to sync".into(),
        });
        if let Some(vote) = self.settled_vote() {
            self.broadcast(vote, false, ctx);
        }
        if self.ensemble.len() == 1 {
            self.disk.current_epoch = epoch;
            let sessions: Vec<(SessionId, u64)> =
                self.disk.sessions.iter().map(|(s, t)| (*s, *t)).collect();
            if let State::Leading(l) = &mut self.state {
                l.expires = sessions
                    .iter()
                    .map(|(s, t)| (*s, ctx.now + ms(*t)))
                    .collect();
            }
            ctx.emit(Event::ZkRoleChanged {
                role: ZkRole::Leading.name(),
                epoch,
                why: "a single server".into(),
            });
            self.background_reconnect(ctx);
        }
    }

    fn become_follower(&mut self, leader: NodeId, epoch: u32, ctx: &mut Ctx) {
        self.state = State::Following(Following {
            leader,
            epoch,
            synced: false,
            last_heard: ctx.now,
            joined: ctx.now,
            hello_at: ctx.now + ms(LEADER_CONNECT_RETRY_MS),
            touched: BTreeSet::new(),
            pending: BTreeMap::new(),
            commit_upto: 0,
        });
        ctx.send(
            leader,
            zk(PeerMsg::FollowerInfo {
                last_zxid: self.disk.last_zxid,
                accepted_epoch: self.disk.epoch,
                epoch_leader: self.disk.epoch_leader,
            }),
        );
    }

    /// The leader brings a follower up to date: its snapshot (NEWLEADER), then the proposals
    /// still waiting for a quorum, as LearnerHandler queues them after a sync — without them
    /// a proposal sent while the quorum was away would never commit.
    fn sync_follower(&mut self, to: NodeId, ctx: &mut Ctx) {
        let State::Leading(l) = &self.state else {
            return;
        };
        let sessions: Vec<(SessionId, u64)> =
            self.disk.sessions.iter().map(|(s, t)| (*s, *t)).collect();
        ctx.send(
            to,
            zk(PeerMsg::NewLeader {
                epoch: l.epoch,
                tree: self.disk.tree.clone(),
                sessions: Arc::new(sessions),
                zxid: self.disk.last_zxid,
            }),
        );
        for (&zxid, p) in &l.proposals {
            ctx.send(
                to,
                zk(PeerMsg::Proposal {
                    zxid,
                    txn: p.txn.clone(),
                    origin: p.origin,
                }),
            );
        }
    }

    /// The leader's part of a write: assign the next zxid and broadcast the proposal.
    fn propose(&mut self, txn: Txn, origin: Option<Origin>, ctx: &mut Ctx) {
        let me = self.id;
        let State::Leading(l) = &mut self.state else {
            return;
        };
        l.counter += 1;
        let zxid = ((l.epoch as u64) << 32) | l.counter;
        let mut acks = BTreeSet::new();
        acks.insert(me);
        l.proposals.insert(
            zxid,
            ProposalState {
                txn: txn.clone(),
                acks,
                origin,
            },
        );
        let targets: Vec<NodeId> = l.followers.keys().copied().collect();
        for f in targets {
            ctx.send(
                f,
                zk(PeerMsg::Proposal {
                    zxid,
                    txn: txn.clone(),
                    origin,
                }),
            );
        }
        self.leader_commit(ctx);
    }

    /// Commits, in order, every proposal a quorum acknowledged.
    fn leader_commit(&mut self, ctx: &mut Ctx) {
        let quorum = self.quorum();
        loop {
            let State::Leading(l) = &mut self.state else {
                return;
            };
            let Some((&zxid, p)) = l.proposals.iter().next() else {
                return;
            };
            let synced_acks = p
                .acks
                .iter()
                .filter(|a| **a == self.id || l.followers.get(a).is_some_and(|f| f.synced))
                .count();
            if synced_acks < quorum {
                return;
            }
            let p = l.proposals.remove(&zxid).expect("just seen");
            let followers: Vec<NodeId> = l.followers.keys().copied().collect();
            for f in followers {
                ctx.send(f, zk(PeerMsg::Commit { zxid }));
            }
            self.apply(zxid, p.txn, p.origin, ctx);
        }
    }

    fn apply_follower_commits(&mut self, ctx: &mut Ctx) {
        loop {
            let State::Following(f) = &mut self.state else {
                return;
            };
            if !f.synced {
                return;
            }
            let Some((&zxid, _)) = f.pending.iter().next() else {
                return;
            };
            if zxid > f.commit_upto {
                return;
            }
            let (txn, origin) = f.pending.remove(&zxid).expect("just seen");
            self.apply(zxid, txn, origin, ctx);
        }
    }

    /// Applies a committed transaction: data, sessions, watches, and the answer to the
    /// client if it is connected here.
    fn apply(&mut self, zxid: Zxid, txn: Txn, origin: Option<Origin>, ctx: &mut Ctx) {
        if zxid <= self.disk.last_zxid {
            return;
        }
        self.disk.last_zxid = zxid;
        let here = origin.filter(|o| o.server == self.id);
        let (fired, answer) = match txn {
            Txn::Write { session, ops } => {
                if !self.disk.sessions.contains_key(&session) {
                    (
                        Vec::new(),
                        Some(ClientResult::Error(ZkError::SessionExpired)),
                    )
                } else {
                    match Arc::make_mut(&mut self.disk.tree).apply(&ops, session, zxid) {
                        Ok(fired) => (fired, Some(ClientResult::Written(zxid))),
                        Err(e) => (Vec::new(), Some(ClientResult::Error(e))),
                    }
                }
            }
            Txn::CreateSession { timeout_ms } => {
                self.disk.sessions.insert(zxid, timeout_ms);
                if let State::Leading(l) = &mut self.state {
                    l.expires.insert(zxid, ctx.now + ms(timeout_ms));
                }
                if let Some(o) = here {
                    // A client that asked twice (it gave up waiting and asked again) uses the
                    // session of its latest attempt; the other is never used and expires.
                    self.clients.insert(o.client, zxid);
                    ctx.send(
                        o.client,
                        client(ClientMsg::Connected {
                            session: Some(zxid),
                            timeout_ms,
                            attempt: o.xid,
                        }),
                    );
                }
                ctx.emit(Event::ZkSession {
                    session: zxid,
                    what: "created",
                });
                (Vec::new(), None)
            }
            Txn::CloseSession { session, expired } => {
                self.disk.sessions.remove(&session);
                if let State::Leading(l) = &mut self.state {
                    l.expires.remove(&session);
                    l.closing.remove(&session);
                }
                let fired = Arc::make_mut(&mut self.disk.tree).close_session(session);
                // A client of this server whose session expired is told so.
                let gone: Vec<NodeId> = self
                    .clients
                    .iter()
                    .filter(|(_, s)| **s == session)
                    .map(|(c, _)| *c)
                    .collect();
                for c in gone {
                    self.clients.remove(&c);
                    ctx.send(c, client(ClientMsg::Expired { session }));
                }
                if self.role() == ZkRole::Leading {
                    ctx.emit(Event::ZkSession {
                        session,
                        what: if expired { "expired" } else { "closed" },
                    });
                }
                (fired, None)
            }
        };
        if let (Some(o), Some(result)) = (here, answer) {
            ctx.send(o.client, client(ClientMsg::Response { xid: o.xid, result }));
        }
        self.fire(&fired, ctx);
    }

    fn fire(&mut self, fired: &[(String, WatchKind)], ctx: &mut Ctx) {
        for (path, kind) in fired {
            let Some(set) = self.watches.get_mut(path) else {
                continue;
            };
            let wanted = match kind {
                WatchKind::ChildrenChanged => vec![WatchClass::Child],
                WatchKind::Deleted => vec![WatchClass::Data, WatchClass::Child],
                WatchKind::Created | WatchKind::DataChanged => vec![WatchClass::Data],
            };
            let hit: Vec<(NodeId, WatchClass)> = set
                .iter()
                .filter(|(_, c)| wanted.contains(c))
                .copied()
                .collect();
            let mut told = BTreeSet::new();
            for w in hit {
                set.remove(&w);
                if told.insert(w.0) && self.clients.contains_key(&w.0) {
                    ctx.send(
                        w.0,
                        client(ClientMsg::Watch {
                            path: path.clone(),
                            kind: *kind,
                        }),
                    );
                }
            }
            if set.is_empty() {
                self.watches.remove(path);
            }
        }
    }

    /// Serves one queued client message.
    fn serve(&mut self, from: NodeId, msg: ClientMsg, ctx: &mut Ctx) {
        if !self.serving() {
            ctx.send(from, client(ClientMsg::Disconnect));
            return;
        }
        match msg {
            ClientMsg::Connect {
                session: None,
                timeout_ms,
                attempt,
            } => {
                let timeout_ms = self.cfg.negotiate(timeout_ms);
                self.clients.remove(&from);
                // The answer names the attempt: it rides in the origin's xid.
                let origin = Origin {
                    server: self.id,
                    client: from,
                    xid: attempt,
                };
                self.submit(Txn::CreateSession { timeout_ms }, origin, ctx);
            }
            ClientMsg::Connect {
                session: Some(s),
                attempt,
                ..
            } => match self.disk.sessions.get(&s).copied() {
                Some(timeout_ms) => {
                    self.clients.insert(from, s);
                    self.touch(s, ctx);
                    ctx.send(
                        from,
                        client(ClientMsg::Connected {
                            session: Some(s),
                            timeout_ms,
                            attempt,
                        }),
                    );
                }
                None => ctx.send(
                    from,
                    client(ClientMsg::Connected {
                        session: None,
                        timeout_ms: 0,
                        attempt,
                    }),
                ),
            },
            ClientMsg::Close => {
                if let Some(session) = self.clients.remove(&from) {
                    let origin = Origin {
                        server: self.id,
                        client: from,
                        xid: 0,
                    };
                    self.submit(
                        Txn::CloseSession {
                            session,
                            expired: false,
                        },
                        origin,
                        ctx,
                    );
                }
            }
            ClientMsg::Ping => {
                if let Some(s) = self.clients.get(&from).copied() {
                    self.touch(s, ctx);
                    ctx.send(from, client(ClientMsg::Pong));
                } else {
                    ctx.send(from, client(ClientMsg::Disconnect));
                }
            }
            ClientMsg::Request { xid, op } => {
                let Some(session) = self.clients.get(&from).copied() else {
                    ctx.send(from, client(ClientMsg::Disconnect));
                    return;
                };
                self.touch(session, ctx);
                let result = match op {
                    ClientOp::GetData { path, watch } | ClientOp::Exists { path, watch } => {
                        if watch {
                            self.watches
                                .entry(path.clone())
                                .or_default()
                                .insert((from, WatchClass::Data));
                        }
                        ClientResult::Node(self.disk.tree.get(&path).cloned())
                    }
                    ClientOp::GetChildren { path, watch } => {
                        if self.disk.tree.get(&path).is_none() {
                            ClientResult::Error(ZkError::NoNode)
                        } else {
                            if watch {
                                self.watches
                                    .entry(path.clone())
                                    .or_default()
                                    .insert((from, WatchClass::Child));
                            }
                            ClientResult::Children(self.disk.tree.children(&path))
                        }
                    }
                    ClientOp::Write(ops) => {
                        let origin = Origin {
                            server: self.id,
                            client: from,
                            xid,
                        };
                        self.submit(Txn::Write { session, ops }, origin, ctx);
                        return;
                    }
                };
                ctx.send(from, client(ClientMsg::Response { xid, result }));
            }
            _ => {}
        }
    }

    fn submit(&mut self, txn: Txn, origin: Origin, ctx: &mut Ctx) {
        match &self.state {
            State::Leading(_) => self.propose(txn, Some(origin), ctx),
            State::Following(f) => {
                let leader = f.leader;
                ctx.send(leader, zk(PeerMsg::Forward { txn, origin }));
            }
            State::Looking(_) => {}
        }
    }

    fn touch(&mut self, session: SessionId, ctx: &mut Ctx) {
        let timeout = self.disk.sessions.get(&session).copied();
        match &mut self.state {
            State::Leading(l) => {
                if let Some(t) = timeout {
                    l.expires.insert(session, ctx.now + ms(t));
                }
            }
            State::Following(f) => {
                f.touched.insert(session);
            }
            State::Looking(_) => {}
        }
    }

    /// The modelled clients of this server reconnect once it serves again; their handshakes
    /// queue behind each other (the reconnection storm). Those whose turn comes after their
    /// session ran out (a session timeout after they lost their server) find it expired.
    fn background_reconnect(&mut self, ctx: &mut Ctx) {
        self.served = true;
        if !self.background_disconnected || self.background_clients == 0 {
            return;
        }
        self.background_disconnected = false;
        let cost = self.costs.zk_connect_us.max(1);
        let start = self.busy_until.max(ctx.now);
        let deadline = self.background_lost_at + ms(self.cfg.session_timeout_ms);
        let in_time = if deadline <= start {
            0
        } else {
            (deadline.since(start) / cost).min(self.background_clients)
        };
        self.busy_until = start + self.background_clients * cost;
        ctx.emit(Event::ZkReconnectStorm {
            clients: self.background_clients,
            expired: self.background_clients - in_time,
            busy_until: self.busy_until,
        });
    }

    /// Timers: election resends and decisions, the leader's pings and session expiry, a
    /// follower's loss of the leader, and the request queue.
    pub fn poll(&mut self, ctx: &mut Ctx) {
        self.last_poll = ctx.now;
        let tick = ms(self.cfg.tick_ms);
        let sync = ms(self.cfg.tick_ms * self.cfg.sync_limit);
        let init = ms(self.cfg.tick_ms * self.cfg.init_limit);
        let quorum = self.quorum();
        match &mut self.state {
            State::Looking(l) => {
                if ctx.now >= l.resend_at {
                    l.resend_every = (l.resend_every * 2).min(2_000);
                    l.resend_at = ctx.now + ms(l.resend_every);
                    let vote = l.vote;
                    self.broadcast(vote, true, ctx);
                }
                self.maybe_decide(ctx);
            }
            State::Following(f) => {
                if !f.synced && ctx.now >= f.hello_at {
                    f.hello_at = ctx.now + ms(LEADER_CONNECT_RETRY_MS);
                    let leader = f.leader;
                    ctx.send(
                        leader,
                        zk(PeerMsg::FollowerInfo {
                            last_zxid: self.disk.last_zxid,
                            accepted_epoch: self.disk.epoch,
                            epoch_leader: self.disk.epoch_leader,
                        }),
                    );
                }
                let limit = if f.synced { sync } else { init };
                let since = if f.synced { f.last_heard } else { f.joined };
                if ctx.now.since(since) >= limit {
                    let why = format!(
                        "no word from leader {} for {} ticks",
                        f.leader,
                        if f.synced {
                            self.cfg.sync_limit
                        } else {
                            self.cfg.init_limit
                        }
                    );
                    self.become_looking(&why, ctx);
                    return self.poll(ctx);
                }
            }
            State::Leading(l) => {
                // Followers it has not heard from for syncLimit are out of sync.
                for f in l.followers.values_mut() {
                    if ctx.now.since(f.last_heard) >= sync {
                        f.synced = false;
                    }
                }
                l.followers
                    .retain(|_, f| ctx.now.since(f.last_heard) < sync + init);
                let synced = 1 + l.followers.values().filter(|f| f.synced).count();
                let lost = if l.established {
                    synced < quorum
                } else {
                    ctx.now.since(l.started) >= init && synced < quorum
                };
                if lost {
                    self.become_looking("lost its quorum of followers", ctx);
                    return self.poll(ctx);
                }
                if ctx.now >= l.next_ping {
                    l.next_ping = ctx.now + tick / 2;
                    let targets: Vec<NodeId> = l.followers.keys().copied().collect();
                    for f in targets {
                        ctx.send(
                            f,
                            zk(PeerMsg::Ping {
                                touched: Vec::new(),
                            }),
                        );
                    }
                }
                if l.established && ctx.now >= l.next_expiry_check {
                    l.next_expiry_check = ctx.now + tick;
                    let expired: Vec<SessionId> = l
                        .expires
                        .iter()
                        .filter(|(s, t)| **t <= ctx.now && !l.closing.contains(s))
                        .map(|(s, _)| *s)
                        .collect();
                    for s in &expired {
                        l.closing.insert(*s);
                    }
                    for s in expired {
                        self.propose(
                            Txn::CloseSession {
                                session: s,
                                expired: true,
                            },
                            None,
                            ctx,
                        );
                    }
                }
            }
        }
        while self.queue.front().is_some_and(|(t, _, _)| *t <= ctx.now) {
            let (_, from, msg) = self.queue.pop_front().expect("just seen");
            self.serve(from, msg, ctx);
        }
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

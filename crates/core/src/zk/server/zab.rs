//! ZAB, the ZooKeeper atomic broadcast: a decided election starts a leader and its followers;
//! followers sync from the leader's snapshot (`NEWLEADER`) and the leader serves once a quorum
//! is in sync. A write is a proposal, acknowledged by each follower and committed once a quorum
//! acknowledged it; every server applies commits in zxid order. A follower that hears nothing
//! from its leader, or a leader without a quorum of followers, looks for a leader again.

use crate::flat::{FlatMap, FlatSet};
use std::sync::Arc;

use crate::effect::Ctx;
use crate::trace::Event;
use crate::types::{ms, NodeId};
use crate::zk::rpc::{ClientMsg, ClientResult, Origin, PeerMsg, Txn};
use crate::zk::tree::{DataTree, SessionId, ZkError, Zxid};

use super::{client, zk, FollowerView, Following, Leading, ProposalState, State, ZkRole, ZkServer};

/// How soon a follower tries the leader again when it has not answered (it may still be
/// finishing its own election): `leaderConnectDelayDuringRetryMs`, 100 ms.
const LEADER_CONNECT_RETRY_MS: u64 = 100;

impl ZkServer {
    /// The election chose this server: it commits the history it logged, takes a new epoch
    /// and waits for a quorum of followers to sync (at once, for a single server).
    pub(super) fn become_leader(&mut self, ctx: &mut Ctx) {
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
            followers: FlatMap::new(),
            established: self.ensemble.len() == 1,
            started: ctx.now,
            proposals: FlatMap::new(),
            expires: FlatMap::new(),
            closing: FlatSet::new(),
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

    /// The election chose another server: it introduces itself to that leader
    /// (`FOLLOWERINFO`) and waits to be synced.
    pub(super) fn become_follower(&mut self, leader: NodeId, epoch: u32, ctx: &mut Ctx) {
        self.state = State::Following(Following {
            leader,
            epoch,
            synced: false,
            last_heard: ctx.now,
            joined: ctx.now,
            hello_at: ctx.now + ms(LEADER_CONNECT_RETRY_MS),
            touched: FlatSet::new(),
            pending: FlatMap::new(),
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

    /// A follower introduces itself (ZAB discovery): the leader fixes the new epoch above every
    /// epoch its quorum accepted, and syncs the follower once the epoch is settled.
    pub(super) fn on_follower_info(
        &mut self,
        from: NodeId,
        accepted_epoch: u32,
        epoch_leader: Option<NodeId>,
        ctx: &mut Ctx,
    ) {
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

    /// The leader's snapshot (NEWLEADER): the follower takes the leader's history for its own,
    /// acknowledges, and serves clients.
    pub(super) fn on_new_leader(
        &mut self,
        from: NodeId,
        epoch: u32,
        tree: Arc<DataTree>,
        sessions: Arc<Vec<(SessionId, u64)>>,
        zxid: Zxid,
        ctx: &mut Ctx,
    ) {
        let State::Following(f) = &mut self.state else {
            return;
        };
        if f.leader != from {
            return;
        }
        if epoch < self.disk.epoch
            || (epoch == self.disk.epoch && self.disk.epoch_leader.is_some_and(|l| l != from))
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

    /// A follower is in sync: once a quorum is, the leader is established and serves.
    pub(super) fn on_ack_new_leader(&mut self, from: NodeId, epoch: u32, ctx: &mut Ctx) {
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

    /// The leader's part of a write: assign the next zxid and broadcast the proposal.
    pub(super) fn propose(&mut self, txn: Txn, origin: Option<Origin>, ctx: &mut Ctx) {
        let me = self.id;
        let State::Leading(l) = &mut self.state else {
            return;
        };
        l.counter += 1;
        let zxid = ((l.epoch as u64) << 32) | l.counter;
        let mut acks = FlatSet::new();
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

    /// A follower logs the leader's proposal and acknowledges it.
    pub(super) fn on_proposal(
        &mut self,
        from: NodeId,
        zxid: Zxid,
        txn: Txn,
        origin: Option<Origin>,
        ctx: &mut Ctx,
    ) {
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

    /// The leader counts a follower's acknowledgement and commits what a quorum acknowledged.
    pub(super) fn on_ack(&mut self, from: NodeId, zxid: Zxid, ctx: &mut Ctx) {
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

    /// A follower learns the leader committed up to `zxid` and applies what it logged.
    pub(super) fn on_commit(&mut self, from: NodeId, zxid: Zxid, ctx: &mut Ctx) {
        if let State::Following(f) = &mut self.state {
            if f.leader == from {
                f.last_heard = ctx.now;
                f.commit_upto = f.commit_upto.max(zxid);
                self.apply_follower_commits(ctx);
            }
        }
    }

    /// A synced follower applies, in order, the proposals it logged up to the leader's commit.
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

    /// A follower forwarded a client's write: the leader proposes it, or holds it until a quorum
    /// synced.
    pub(super) fn on_forward(&mut self, txn: Txn, origin: Origin, ctx: &mut Ctx) {
        match &mut self.state {
            State::Leading(l) if l.established => self.propose(txn, Some(origin), ctx),
            // A follower synced before the leader had its quorum already serves clients;
            // their writes wait for the leader to be established.
            State::Leading(l) => l.held.push((txn, origin)),
            _ => {}
        }
    }

    /// The leader refused a forwarded write: the server the client talks to answers it.
    pub(super) fn on_refused(&mut self, error: ZkError, origin: Origin, ctx: &mut Ctx) {
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

    /// A follower's timers: it introduces itself again while the leader has not synced it, and
    /// looks for a new leader when it heard nothing for `syncLimit` ticks (`initLimit` before its
    /// sync). True if it went back to looking.
    pub(super) fn poll_following(&mut self, ctx: &mut Ctx) -> bool {
        let sync = ms(self.cfg.tick_ms * self.cfg.sync_limit);
        let init = ms(self.cfg.tick_ms * self.cfg.init_limit);
        let State::Following(f) = &mut self.state else {
            return false;
        };
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
            return true;
        }
        false
    }

    /// The leader's watch on its followers: one not heard from for `syncLimit` is out of sync,
    /// one silent for `syncLimit + initLimit` is forgotten, and a leader left without a quorum in
    /// sync (or that never got one within `initLimit`) looks again. True if it did.
    pub(super) fn poll_leading(&mut self, ctx: &mut Ctx) -> bool {
        let sync = ms(self.cfg.tick_ms * self.cfg.sync_limit);
        let init = ms(self.cfg.tick_ms * self.cfg.init_limit);
        let quorum = self.quorum();
        let State::Leading(l) = &mut self.state else {
            return false;
        };
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
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    //! One message at a time of ZAB: the leader's epoch proposal and NEWLEADER once a quorum
    //! joined, a follower's sync from NEWLEADER, proposals committed once a quorum
    //! acknowledged them, and followers applying on COMMIT.

    use std::sync::Arc;

    use crate::types::NodeId;
    use crate::zk::rpc::{ClientMsg, Origin, PeerMsg, Txn, ZkMessage};
    use crate::zk::tree::DataTree;

    use super::super::testing::*;
    use super::super::{ZkDisk, ZkRole};

    fn line(to: &str, text: &str) -> (String, String) {
        (to.to_string(), text.to_string())
    }

    fn follower_info(accepted_epoch: u32) -> PeerMsg {
        PeerMsg::FollowerInfo {
            last_zxid: 0,
            accepted_epoch,
            epoch_leader: None,
        }
    }

    /// The session every write below belongs to: the first transaction of epoch 1.
    const SESSION: u64 = 0x1_0000_0001;

    fn tree_with(paths: &[&str]) -> DataTree {
        let mut t = DataTree::new();
        for (i, p) in paths.iter().enumerate() {
            t.apply(&[create(p, false)], SESSION, zxid(1, 2 + i as u64))
                .expect("a valid path");
        }
        t
    }

    #[test]
    fn the_leader_fixes_its_epoch_and_sends_newleader_once_a_quorum_joined() {
        // zk5 of five, elected by zk3 and zk4.
        let mut z = Zk::start(5, 5);
        z.peer(3, looking(vote(5, 0, 0)));
        z.peer(4, looking(vote(5, 0, 0)));
        assert_eq!(z.poll_at(200).roles(), ["leader-elect"]);
        assert_eq!(z.server().epoch(), 1);

        // zk3 accepted epoch 4 once: the new epoch must be above it. Two of five have
        // joined: no one is synced yet.
        let s = z.peer(3, follower_info(4));
        assert_eq!(s.sent_but_pings(), []);
        assert_eq!(z.server().epoch(), 5);

        let s = z.peer(4, follower_info(0));
        assert_eq!(
            s.sent_but_pings(),
            [
                line("zk3", "NewLeader epoch=5 zxid=0x0"),
                line("zk4", "NewLeader epoch=5 zxid=0x0"),
            ]
        );
        assert!(!z.server().serving(), "serving once a quorum acknowledged");

        z.peer(3, PeerMsg::AckNewLeader { epoch: 5 });
        assert!(!z.server().serving());
        let s = z.peer(4, PeerMsg::AckNewLeader { epoch: 5 });
        assert!(z.server().serving());
        assert_eq!(s.roles(), ["leader"]);
    }

    #[test]
    fn a_proposal_is_committed_once_a_quorum_acknowledged_it() {
        // zk5 of five, zk3 and zk4 in sync: the leader and two followers are a quorum.
        let mut z = Zk::leading(5);
        let origin = Origin {
            server: zk(3),
            client: NodeId(0),
            xid: 1,
        };

        let s = z.peer(
            3,
            PeerMsg::Forward {
                txn: Txn::CreateSession { timeout_ms: 6_000 },
                origin,
            },
        );
        assert_eq!(
            s.sent(),
            [
                line(
                    "zk3",
                    "Proposal zxid=0x100000001 createSession timeout=6000ms"
                ),
                line(
                    "zk4",
                    "Proposal zxid=0x100000001 createSession timeout=6000ms"
                ),
            ]
        );

        // The leader and zk3: two of five. Not yet.
        let s = z.peer(3, PeerMsg::Ack { zxid: zxid(1, 1) });
        assert_eq!(s.sent(), []);
        assert!(z.server().sessions().is_empty());

        let s = z.peer(4, PeerMsg::Ack { zxid: zxid(1, 1) });
        assert_eq!(
            s.sent(),
            [
                line("zk3", "Commit zxid=0x100000001"),
                line("zk4", "Commit zxid=0x100000001"),
            ]
        );
        assert_eq!(z.server().sessions().get(&zxid(1, 1)), Some(&6_000));
        assert_eq!(z.server().last_zxid(), zxid(1, 1));
    }

    #[test]
    fn a_follower_syncs_from_newleader_and_acknowledges_it() {
        // zk1 logged a proposal of an epoch that never committed.
        let mut disk = ZkDisk::default();
        disk.accepted.insert(
            zxid(0, 3),
            Txn::Write {
                session: 9,
                ops: vec![create("/lost", false)],
            },
        );
        let mut z = Zk::joining_with(disk);
        assert!(!z.server().serving());

        let s = z.peer(
            3,
            PeerMsg::NewLeader {
                epoch: 1,
                tree: Arc::new(tree_with(&["/brokers"])),
                sessions: Arc::new(vec![(SESSION, 6_000)]),
                zxid: zxid(1, 2),
            },
        );

        assert_eq!(s.sent(), [line("zk3", "AckNewLeader")]);
        assert_eq!(s.roles(), ["follower"]);
        assert!(z.server().serving());
        assert_eq!(z.server().epoch(), 1);
        assert_eq!(z.server().last_zxid(), zxid(1, 2));
        assert!(z.server().tree().get("/brokers").is_some());
        assert_eq!(
            z.server().sessions().iter().collect::<Vec<_>>(),
            [(&SESSION, &6_000)]
        );
        // The leader's history replaced its own.
        assert!(z.server().disk.accepted.is_empty());
    }

    #[test]
    fn a_newleader_of_an_older_epoch_sends_the_follower_looking_again() {
        let mut z = Zk::joining_with(ZkDisk {
            epoch: 3,
            current_epoch: 3,
            ..ZkDisk::default()
        });

        let s = z.peer(
            3,
            PeerMsg::NewLeader {
                epoch: 2,
                tree: Arc::new(DataTree::new()),
                sessions: Arc::new(Vec::new()),
                zxid: 0,
            },
        );

        assert_eq!(z.server().role(), ZkRole::Looking);
        assert_eq!(s.roles(), ["looking"]);
        assert!(s.to(zk(3)).iter().all(|l| l.starts_with("Notification")));
    }

    #[test]
    fn a_follower_acknowledges_a_proposal_and_applies_it_on_commit() {
        let mut z = Zk::following(tree_with(&[]), &[(SESSION, 6_000)], zxid(1, 1));
        // The client that asked is connected to zk1.
        let origin = Origin {
            server: zk(1),
            client: NodeId(0),
            xid: 7,
        };

        let s = z.peer(
            3,
            PeerMsg::Proposal {
                zxid: zxid(1, 2),
                txn: Txn::Write {
                    session: SESSION,
                    ops: vec![create("/controller", true)],
                },
                origin: Some(origin),
            },
        );
        assert_eq!(s.sent(), [line("zk3", "Ack zxid=0x100000002")]);
        assert!(z.server().tree().get("/controller").is_none(), "not yet");
        assert_eq!(z.server().last_zxid(), zxid(1, 1));

        let s = z.peer(3, PeerMsg::Commit { zxid: zxid(1, 2) });

        let node = z.server().tree().get("/controller").expect("applied");
        assert_eq!(node.czxid, zxid(1, 2));
        assert_eq!(node.ephemeral_owner, Some(SESSION));
        assert_eq!(z.server().last_zxid(), zxid(1, 2));
        // The server the client talks to answers it.
        assert_eq!(
            s.sent(),
            [line("0", "ZkResponse xid=7 Written(4294967298)")]
        );
        assert!(matches!(
            s.messages()[0].1,
            ZkMessage::Client(ClientMsg::Response { xid: 7, .. })
        ));
    }

    #[test]
    fn a_commit_applies_every_logged_proposal_up_to_it_in_zxid_order() {
        let mut z = Zk::following(tree_with(&[]), &[(SESSION, 6_000)], zxid(1, 1));
        for (n, path) in [(2, "/a"), (3, "/a/b")] {
            z.peer(
                3,
                PeerMsg::Proposal {
                    zxid: zxid(1, n),
                    txn: Txn::Write {
                        session: SESSION,
                        ops: vec![create(path, false)],
                    },
                    origin: None,
                },
            );
        }

        z.peer(3, PeerMsg::Commit { zxid: zxid(1, 3) });

        // /a/b needs /a: applied in order, both are there.
        assert_eq!(z.server().tree().children("/a"), ["b"]);
        assert_eq!(z.server().last_zxid(), zxid(1, 3));
    }
}

//! The client side of a server: client messages queue for the request processor (so a
//! reconnection storm delays everyone, the controller's session included); connections, reads
//! and watches are served here, writes go to the leader. Sessions are renewed by every request
//! and ping, forwarded to the leader in the followers' ping answers, and expired by the leader
//! with a `closeSession` transaction.

use crate::flat::FlatSet;

use crate::effect::Ctx;
use crate::trace::Event;
use crate::types::{ms, NodeId, SimTime};
use crate::zk::rpc::{ClientMsg, ClientOp, ClientResult, Origin, PeerMsg, Txn};
use crate::zk::tree::{SessionId, WatchKind, ZkError};

use super::{client, zk, State, WatchClass, ZkServer};

impl ZkServer {
    /// A client message joins the request queue; it is served once the work ahead of it
    /// (`zk-connect`, `zk-request` costs) is done.
    pub(super) fn enqueue(&mut self, from: NodeId, c: ClientMsg, now: SimTime) {
        let cost = match &c {
            ClientMsg::Connect { .. } => self.costs.zk_connect_us,
            _ => self.costs.zk_request_us,
        };
        self.busy_until = self.busy_until.max(now) + cost;
        self.queue.push_back((self.busy_until, from, c));
    }

    /// Serves every queued client message whose turn has come.
    pub(super) fn serve_queue(&mut self, ctx: &mut Ctx) {
        while self.queue.front().is_some_and(|(t, _, _)| *t <= ctx.now) {
            let (_, from, msg) = self.queue.pop_front().expect("just seen");
            self.serve(from, msg, ctx);
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

    /// A write goes to the leader: proposed here if this server leads, forwarded otherwise.
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

    /// A client's request renews its session: at once on the leader, at the next ping's
    /// answer on a follower.
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

    /// Fires the watches a committed change triggered: each watching client of this server
    /// is told once, and the watch is gone.
    pub(super) fn fire(&mut self, fired: &[(String, WatchKind)], ctx: &mut Ctx) {
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
            let mut told = FlatSet::new();
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

    /// A ping: a follower answers its leader with the sessions its clients touched since the last
    /// one; the leader renews those sessions' expiry.
    pub(super) fn on_ping(&mut self, from: NodeId, touched: Vec<SessionId>, ctx: &mut Ctx) {
        match &mut self.state {
            State::Following(f) if f.leader == from => {
                f.last_heard = ctx.now;
                let touched: Vec<SessionId> = std::mem::take(&mut f.touched).into_iter().collect();
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
        }
    }

    /// The leader pings its followers every half tick; each answers with the sessions its
    /// clients touched (`on_ping`).
    pub(super) fn ping_followers(&mut self, ctx: &mut Ctx) {
        let tick = ms(self.cfg.tick_ms);
        let State::Leading(l) = &mut self.state else {
            return;
        };
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
    }

    /// Once a tick, the established leader expires every session nobody renewed in time, with
    /// a `closeSession` transaction that deletes its ephemeral znodes.
    pub(super) fn expire_sessions(&mut self, ctx: &mut Ctx) {
        let tick = ms(self.cfg.tick_ms);
        let State::Leading(l) = &mut self.state else {
            return;
        };
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

    /// Drops every client (they reconnect elsewhere) and its watches.
    pub(super) fn drop_clients(&mut self, ctx: &mut Ctx) {
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

    /// The modelled clients of this server reconnect once it serves again; their handshakes
    /// queue behind each other (the reconnection storm). Those whose turn comes after their
    /// session ran out (a session timeout after they lost their server) find it expired.
    pub(super) fn background_reconnect(&mut self, ctx: &mut Ctx) {
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
}

#[cfg(test)]
mod tests {
    //! Sessions and watches on the server: expiry (a `closeSession` that deletes the
    //! session's ephemerals and fires the watches on them), pings that renew a session —
    //! on the leader directly, or forwarded in a follower's ping answer — and one-shot watches.

    use crate::types::NodeId;
    use crate::zk::rpc::{ClientMsg, ClientOp, PeerMsg, Txn};

    use super::super::testing::*;
    use crate::trace::Event;

    const A: NodeId = NodeId(0);
    const B: NodeId = NodeId(1);

    fn line(to: &str, text: &str) -> (String, String) {
        (to.to_string(), text.to_string())
    }

    fn exists(path: &str) -> ClientOp {
        ClientOp::Exists {
            path: path.into(),
            watch: true,
        }
    }

    #[test]
    fn an_expired_session_is_closed_its_ephemerals_deleted_and_watchers_told() {
        let mut z = Zk::single();
        // A asks for less than 2 × tickTime and gets 4 s.
        let a = z.connect(A, 1_000);
        assert_eq!(z.server().sessions()[&a], 4_000);
        z.write(
            A,
            1,
            vec![create("/brokers", false), create("/brokers/0", true)],
        );
        let b = z.connect(B, 4_000);
        z.request(B, 1, exists("/brokers/0"));
        // B stays alive; A goes silent.
        z.set_time(3_000);
        assert_eq!(
            z.client(B, ClientMsg::Ping).sent(),
            [line("1", "SessionPong")]
        );
        let expiry = z.expiries_ms()[&a];
        assert_eq!(expiry, 4_210, "4 s after A's last request");

        let s = z.poll_at(expiry - 1);
        assert!(s.sent().is_empty());
        let mut s = s;
        while z.server().sessions().contains_key(&a) {
            s = s.then(z.poll_at_deadline());
            assert!(
                z.now_ms() <= expiry + 2_000,
                "expired within one tick of its deadline"
            );
        }

        assert_eq!(
            s.sent(),
            [
                line("0", "SessionExpired"),
                line("1", "WatchEvent NodeDeleted /brokers/0"),
            ]
        );
        assert!(s.events().iter().any(|e| matches!(
            e,
            Event::ZkSession { session, what: "expired" } if *session == a
        )));
        assert!(z.server().tree().get("/brokers/0").is_none());
        assert!(z.server().tree().get("/brokers").is_some(), "not ephemeral");
        assert!(z.server().sessions().contains_key(&b));
    }

    #[test]
    fn pings_keep_a_session_open_past_its_timeout() {
        let mut z = Zk::single();
        let a = z.connect(A, 4_000);
        z.write(A, 1, vec![create("/a", true)]);

        for t in (1_000..=20_000).step_by(1_000) {
            z.poll_at(t);
            let s = z.client(A, ClientMsg::Ping);
            assert_eq!(s.sent(), [line("0", "SessionPong")], "at {t} ms");
        }

        assert!(z.server().sessions().contains_key(&a));
        assert!(z.server().tree().get("/a").is_some());
        assert_eq!(z.expiries_ms()[&a], 24_000);
    }

    #[test]
    fn the_leader_renews_the_sessions_a_followers_ping_answer_names() {
        // zk3 leads zk2 (zk1 is away); a client of zk2 opens a session through it.
        let mut z = Zk::leading(3);
        let origin = crate::zk::rpc::Origin {
            server: zk(2),
            client: A,
            xid: 1,
        };
        z.peer(
            2,
            PeerMsg::Forward {
                txn: Txn::CreateSession { timeout_ms: 4_000 },
                origin,
            },
        );
        z.peer(2, PeerMsg::Ack { zxid: zxid(1, 1) });
        let session = zxid(1, 1);
        assert_eq!(z.expiries_ms()[&session], 4_200);

        // A ping answer naming nobody changes nothing; one naming the session renews it.
        z.set_time(3_000);
        z.peer(2, PeerMsg::Ping { touched: vec![] });
        assert_eq!(z.expiries_ms()[&session], 4_200);
        z.peer(
            2,
            PeerMsg::Ping {
                touched: vec![session],
            },
        );
        assert_eq!(z.expiries_ms()[&session], 7_000);

        // Nothing is closed before then; at the first check after it, the leader proposes
        // closeSession.
        let mut s = z.poll_at(6_999);
        while z.now_ms() < 9_000 {
            s = s.then(z.poll_at_deadline());
        }
        let proposals: Vec<(String, String)> = s
            .sent()
            .into_iter()
            .filter(|(_, l)| l.starts_with("Proposal"))
            .collect();
        assert_eq!(
            proposals,
            [line(
                "zk2",
                "Proposal zxid=0x100000002 closeSession 0x100000001 (expired)"
            )]
        );
    }

    #[test]
    fn a_data_watch_fires_once_and_must_be_set_again() {
        let mut z = Zk::single();
        z.connect(A, 4_000);
        z.connect(B, 4_000);
        z.write(A, 1, vec![create("/a", false)]);
        z.request(
            B,
            1,
            ClientOp::GetData {
                path: "/a".into(),
                watch: true,
            },
        );

        let s = z.write(A, 2, vec![set("/a", "1")]);
        assert_eq!(s.to(B), ["WatchEvent NodeDataChanged /a"]);
        // Fired: the next change is not reported.
        let s = z.write(A, 3, vec![set("/a", "2")]);
        assert_eq!(s.to(B), Vec::<String>::new());

        z.request(
            B,
            2,
            ClientOp::GetData {
                path: "/a".into(),
                watch: true,
            },
        );
        let s = z.write(A, 4, vec![set("/a", "3")]);
        assert_eq!(s.to(B), ["WatchEvent NodeDataChanged /a"]);
    }

    #[test]
    fn a_child_watch_fires_for_a_new_child_but_not_for_a_data_change() {
        let mut z = Zk::single();
        z.connect(A, 4_000);
        z.connect(B, 4_000);
        z.write(A, 1, vec![create("/brokers", false)]);
        z.request(
            B,
            1,
            ClientOp::GetChildren {
                path: "/brokers".into(),
                watch: true,
            },
        );

        let s = z.write(A, 2, vec![set("/brokers", "x")]);
        assert_eq!(s.to(B), Vec::<String>::new());
        let s = z.write(A, 3, vec![create("/brokers/0", true)]);
        assert_eq!(s.to(B), ["WatchEvent NodeChildrenChanged /brokers"]);
    }

    #[test]
    fn a_failed_multi_changes_nothing_and_fires_no_watch() {
        let mut z = Zk::single();
        z.connect(A, 4_000);
        z.connect(B, 4_000);
        z.write(A, 1, vec![create("/controller_epoch", false)]);
        z.request(B, 1, exists("/controller"));
        z.request(B, 2, exists("/controller_epoch"));

        // Kafka's controller election: create /controller and bump /controller_epoch if its
        // version is still the one read — it is not.
        let s = z.request(
            A,
            2,
            ClientOp::Write(vec![
                create("/controller", true),
                crate::zk::tree::Op::SetData {
                    path: "/controller_epoch".into(),
                    data: "1".into(),
                    version: Some(3),
                },
            ]),
        );

        assert_eq!(s.sent(), [line("0", "ZkResponse xid=2 Error(BadVersion)")]);
        assert!(z.server().tree().get("/controller").is_none());
        assert_eq!(
            z.server().tree().get("/controller_epoch").unwrap().version,
            0
        );
    }
}

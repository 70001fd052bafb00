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

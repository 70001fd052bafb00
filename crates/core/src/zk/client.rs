//! The ZooKeeper client inside a ZooKeeper-mode Kafka broker (Kafka's `ZooKeeperClient` over
//! the ZooKeeper client library), sans-IO.
//!
//! It opens a session with one server, pings every third of the session timeout, and moves to
//! another server when the one it talks to disconnects it or stays silent for two thirds of the
//! timeout — keeping its session, which lives on as long as some server renews it. A server
//! that says the session expired ends it: the broker must start a new one (and re-register;
//! a controller resigns). Requests wait while disconnected and are sent again on reconnect;
//! watches are re-armed on reconnect by telling the owner "something may have changed".

use crate::flat::{FlatMap, FlatSet};

use crate::effect::Ctx;
use crate::message::Payload;
use crate::types::{ms, NodeId, SimTime};

use super::rpc::{ClientMsg, ClientOp, ClientResult, ZkMessage};
use super::tree::{SessionId, WatchKind};

/// The client's connection state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZkClientState {
    /// Asking `server` for a session (new or resumed), since `since`.
    Connecting {
        /// The server asked.
        server: NodeId,
        /// When.
        since: SimTime,
    },
    /// Talking to `server`.
    Connected {
        /// The server.
        server: NodeId,
    },
}

/// What the client reports to its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ZkClientEvent {
    /// A session is established (new: `true`) or resumed.
    Connected {
        /// The session.
        session: SessionId,
        /// True for a new session.
        new: bool,
    },
    /// The session expired; a new one is being opened.
    Expired(SessionId),
    /// An answer.
    Response {
        /// The request id given by [`ZkClient::request`].
        xid: u64,
        /// The result.
        result: ClientResult,
    },
    /// A watch fired (or, after a reconnect, may have).
    Watch {
        /// Path.
        path: String,
        /// What happened.
        kind: WatchKind,
    },
}

/// The client.
#[derive(Clone, Debug)]
pub struct ZkClient {
    servers: Vec<NodeId>,
    next_server: usize,
    timeout_ms: u64,
    session: Option<SessionId>,
    state: ZkClientState,
    last_heard: SimTime,
    last_sent: SimTime,
    next_xid: u64,
    /// Requests not answered yet, resent after a reconnect.
    pending: FlatMap<u64, ClientOp>,
    /// Paths with a watch (data or children), re-armed after a reconnect.
    watched: FlatSet<(String, bool)>,
    last_poll: SimTime,
    /// The current connection attempt (unique to this process: drawn at start, then counted).
    attempt: u64,
}

fn payload(msg: ClientMsg) -> Payload {
    Payload::Zk(ZkMessage::Client(msg))
}

impl ZkClient {
    /// A client of `servers` (`zookeeper.connect`), starting with the one `start` picks.
    pub fn new(servers: Vec<NodeId>, timeout_ms: u64, start: usize, ctx: &mut Ctx) -> ZkClient {
        let first = servers[start % servers.len().max(1)];
        let mut c = ZkClient {
            servers,
            next_server: start + 1,
            timeout_ms,
            session: None,
            state: ZkClientState::Connecting {
                server: first,
                since: ctx.now,
            },
            last_heard: ctx.now,
            last_sent: ctx.now,
            next_xid: 0,
            pending: FlatMap::new(),
            watched: FlatSet::new(),
            last_poll: ctx.now,
            attempt: ctx.draw(0..1 << 48),
        };
        c.connect(first, ctx);
        c
    }

    /// The session, once established.
    pub fn session(&self) -> Option<SessionId> {
        self.session
    }

    /// True while a server answers for the session.
    pub fn connected(&self) -> bool {
        matches!(self.state, ZkClientState::Connected { .. })
    }

    /// The server it talks to (or is trying).
    pub fn server(&self) -> NodeId {
        match self.state {
            ZkClientState::Connecting { server, .. } | ZkClientState::Connected { server } => {
                server
            }
        }
    }

    fn connect(&mut self, server: NodeId, ctx: &mut Ctx) {
        self.state = ZkClientState::Connecting {
            server,
            since: ctx.now,
        };
        self.last_sent = ctx.now;
        self.attempt += 1;
        ctx.send(
            server,
            payload(ClientMsg::Connect {
                session: self.session,
                timeout_ms: self.timeout_ms,
                attempt: self.attempt,
            }),
        );
    }

    fn next(&mut self, ctx: &mut Ctx) {
        let server = self.servers[self.next_server % self.servers.len()];
        self.next_server += 1;
        self.connect(server, ctx);
    }

    /// Sends a request now if connected, else when it is; returns its id.
    pub fn request(&mut self, op: ClientOp, ctx: &mut Ctx) -> u64 {
        self.next_xid += 1;
        let xid = self.next_xid;
        match &op {
            ClientOp::GetData { path, watch: true } | ClientOp::Exists { path, watch: true } => {
                self.watched.insert((path.clone(), false));
            }
            ClientOp::GetChildren { path, watch: true } => {
                self.watched.insert((path.clone(), true));
            }
            _ => {}
        }
        if let ZkClientState::Connected { server } = self.state {
            ctx.send(
                server,
                payload(ClientMsg::Request {
                    xid,
                    op: op.clone(),
                }),
            );
            self.last_sent = ctx.now;
        }
        self.pending.insert(xid, op);
        xid
    }

    /// Closes the session (a clean shutdown): the server deletes its ephemerals at once
    /// instead of after the session timeout.
    pub fn close(&mut self, ctx: &mut Ctx) {
        if let ZkClientState::Connected { server } = self.state {
            ctx.send(server, payload(ClientMsg::Close));
        }
        self.pending.clear();
        self.watched.clear();
    }

    /// Requests sent and not answered yet.
    pub fn outstanding(&self) -> usize {
        self.pending.len()
    }

    /// Handles a message from a server; returns what the owner must know.
    pub fn handle(&mut self, from: NodeId, msg: ClientMsg, ctx: &mut Ctx) -> Vec<ZkClientEvent> {
        if from != self.server() {
            return Vec::new();
        }
        self.last_heard = ctx.now;
        let mut out = Vec::new();
        match msg {
            // A late answer to an earlier attempt (the client gave up waiting and asked again,
            // or a process before a restart asked): only the attempt in progress counts.
            ClientMsg::Connected { attempt, .. }
                if !matches!(self.state, ZkClientState::Connecting { .. })
                    || attempt != self.attempt => {}
            ClientMsg::Connected {
                session: Some(s), ..
            } => {
                let new = self.session != Some(s);
                self.session = Some(s);
                self.state = ZkClientState::Connected { server: from };
                for (xid, op) in &self.pending {
                    ctx.send(
                        from,
                        payload(ClientMsg::Request {
                            xid: *xid,
                            op: op.clone(),
                        }),
                    );
                }
                out.push(ZkClientEvent::Connected { session: s, new });
                if !new {
                    // Re-arm the watches: the owner re-reads what it watched.
                    for (path, children) in std::mem::take(&mut self.watched) {
                        out.push(ZkClientEvent::Watch {
                            path,
                            kind: if children {
                                WatchKind::ChildrenChanged
                            } else {
                                WatchKind::DataChanged
                            },
                        });
                    }
                }
            }
            ClientMsg::Connected { session: None, .. } => self.expired(from, &mut out, ctx),
            ClientMsg::Expired { session } if self.session == Some(session) => {
                self.expired(from, &mut out, ctx)
            }
            ClientMsg::Response { xid, result } if self.pending.remove(&xid).is_some() => {
                out.push(ZkClientEvent::Response { xid, result });
            }
            ClientMsg::Watch { path, kind } => {
                self.watched.retain(|(p, _)| *p != path);
                out.push(ZkClientEvent::Watch { path, kind });
            }
            ClientMsg::Disconnect => self.next(ctx),
            _ => {}
        }
        out
    }

    /// The session is gone: tell the owner, forget what it asked, open a new one.
    fn expired(&mut self, server: NodeId, out: &mut Vec<ZkClientEvent>, ctx: &mut Ctx) {
        if let Some(s) = self.session.take() {
            out.push(ZkClientEvent::Expired(s));
        }
        self.pending.clear();
        self.watched.clear();
        self.connect(server, ctx);
    }

    /// The connection to `server` was reset (it lost a message): like a disconnect, the
    /// client moves to the next server and sends its unanswered requests again there.
    pub fn on_reset(&mut self, server: NodeId, ctx: &mut Ctx) {
        if server == self.server() {
            self.next(ctx);
        }
    }

    /// Pings when idle; moves on from a silent server.
    pub fn poll(&mut self, ctx: &mut Ctx) {
        self.last_poll = ctx.now;
        let read_timeout = ms(self.timeout_ms * 2 / 3);
        let connect_timeout = ms(self.timeout_ms / self.servers.len().max(1) as u64);
        match self.state {
            ZkClientState::Connecting { since, .. } => {
                if ctx.now.since(since) >= connect_timeout {
                    self.next(ctx);
                }
            }
            ZkClientState::Connected { server } => {
                if ctx.now.since(self.last_heard) >= read_timeout {
                    self.next(ctx);
                } else if ctx.now.since(self.last_sent) >= ms(self.timeout_ms / 3) {
                    self.last_sent = ctx.now;
                    ctx.send(server, payload(ClientMsg::Ping));
                }
            }
        }
    }

    /// When it next needs a poll.
    pub fn next_deadline(&self) -> SimTime {
        let t = match self.state {
            ZkClientState::Connecting { since, .. } => {
                since + ms(self.timeout_ms / self.servers.len().max(1) as u64)
            }
            ZkClientState::Connected { .. } => (self.last_heard + ms(self.timeout_ms * 2 / 3))
                .min(self.last_sent + ms(self.timeout_ms / 3)),
        };
        if t <= self.last_poll {
            self.last_poll + ms(1)
        } else {
            t
        }
    }
}

#[cfg(test)]
mod tests {
    //! The client's session keeping: pings every third of the timeout when idle, moving to the
    //! next server (with its session) after two thirds of it in silence, and a new session
    //! once the server says the old one expired.

    use super::*;
    use crate::effect::Output;
    use crate::rng::SimRng;

    struct Harness {
        client: ZkClient,
        rng: SimRng,
        now: SimTime,
        /// The attempt number of the last ConnectRequest sent.
        attempt: u64,
    }

    fn zk(n: i32) -> NodeId {
        NodeId::zk(n)
    }

    impl Harness {
        /// A client of zk1, zk2, zk3 with an 18 s session timeout, connected to zk1 with
        /// session 0x5 at time 0.
        fn connected() -> Harness {
            let mut rng = SimRng::new(9);
            let mut out = Vec::new();
            let mut ctx = Ctx::new(SimTime::ZERO, &mut rng, &mut out);
            let client = ZkClient::new(vec![zk(1), zk(2), zk(3)], 18_000, 0, &mut ctx);
            let mut h = Harness {
                client,
                rng,
                now: SimTime::ZERO,
                attempt: 0,
            };
            let sent = h.record(out);
            assert_eq!(
                sent,
                [(
                    "zk1".to_string(),
                    "ConnectRequest session=new timeout=18000ms".to_string()
                )]
            );
            let (events, _) = h.handle(
                zk(1),
                ClientMsg::Connected {
                    session: Some(5),
                    timeout_ms: 18_000,
                    attempt: h.attempt,
                },
            );
            assert_eq!(
                events,
                [ZkClientEvent::Connected {
                    session: 5,
                    new: true
                }]
            );
            h
        }

        fn record(&mut self, out: Vec<Output>) -> Vec<(String, String)> {
            out.into_iter()
                .map(|o| match o {
                    Output::Send {
                        to,
                        payload: Payload::Zk(m),
                    } => {
                        if let ZkMessage::Client(ClientMsg::Connect { attempt, .. }) = &m {
                            self.attempt = *attempt;
                        }
                        (to.to_string(), m.to_string())
                    }
                    other => panic!("unexpected {other:?}"),
                })
                .collect()
        }

        fn handle(
            &mut self,
            from: NodeId,
            msg: ClientMsg,
        ) -> (Vec<ZkClientEvent>, Vec<(String, String)>) {
            let mut out = Vec::new();
            let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
            let events = self.client.handle(from, msg, &mut ctx);
            (events, self.record(out))
        }

        fn poll_at(&mut self, t_ms: u64) -> Vec<(String, String)> {
            self.now = SimTime(ms(t_ms));
            let mut out = Vec::new();
            let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
            self.client.poll(&mut ctx);
            self.record(out)
        }
    }

    fn line(to: &str, text: &str) -> (String, String) {
        (to.to_string(), text.to_string())
    }

    #[test]
    fn an_idle_client_pings_every_third_of_its_session_timeout() {
        let mut h = Harness::connected();

        assert!(h.poll_at(5_999).is_empty());
        assert_eq!(h.poll_at(6_000), [line("zk1", "SessionPing")]);
        h.handle(zk(1), ClientMsg::Pong);
        assert_eq!(h.client.next_deadline(), SimTime(ms(12_000)));
        assert_eq!(h.poll_at(12_000), [line("zk1", "SessionPing")]);
    }

    #[test]
    fn a_silent_server_is_left_for_the_next_one_with_the_session() {
        let mut h = Harness::connected();
        assert_eq!(h.poll_at(6_000), [line("zk1", "SessionPing")]);

        // zk1 answers nothing for two thirds of the timeout.
        assert!(h.poll_at(11_999).is_empty());
        let sent = h.poll_at(12_000);

        assert_eq!(
            sent,
            [line("zk2", "ConnectRequest session=0x5 timeout=18000ms")]
        );
        assert!(!h.client.connected());
        assert_eq!(h.client.server(), zk(2));
        // zk2 resumes the session: the owner re-arms its watches.
        let (events, _) = h.handle(
            zk(2),
            ClientMsg::Connected {
                session: Some(5),
                timeout_ms: 18_000,
                attempt: h.attempt,
            },
        );
        assert_eq!(
            events,
            [ZkClientEvent::Connected {
                session: 5,
                new: false
            }]
        );
        assert_eq!(h.client.session(), Some(5));
    }

    #[test]
    fn an_expired_session_is_reported_and_a_new_one_opened() {
        let mut h = Harness::connected();
        h.now = SimTime(ms(1_000));

        let (events, sent) = h.handle(zk(1), ClientMsg::Expired { session: 5 });

        assert_eq!(events, [ZkClientEvent::Expired(5)]);
        assert_eq!(
            sent,
            [line("zk1", "ConnectRequest session=new timeout=18000ms")]
        );
        assert_eq!(h.client.session(), None);
    }
}

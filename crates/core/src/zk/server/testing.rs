//! Step-level test harness for one ZooKeeper server (test builds only).
//!
//! A test starts one [`ZkServer`] of an ensemble `zk1..zkN` in a chosen situation — fresh and
//! looking, the elected leader with a quorum in sync ([`Zk::leading`]), a follower synced with
//! its leader ([`Zk::following`]), or the only server of a one-server ensemble
//! ([`Zk::single`]) — then drives exactly one input into it: a message from a peer or a client,
//! or the clock. Each step reports what it did ([`Step`]): the messages it sent, as the trace
//! prints them (`("zk2", "Notification vote=zk3 zxid=0x0 epoch=0 LOOKING")`), and the events.
//!
//! Conventions:
//! - servers are `zk1`, `zk2`, … ([`zk`]); clients (Kafka brokers) are nodes `0`, `1`, …;
//! - time is in milliseconds since the server started; the stock `zoo_sample.cfg` timing
//!   (`tickTime` 2 s, `initLimit` 10, `syncLimit` 5, `finalizeWait` 200 ms);
//! - [`Zk::deliver`] handles one message and, as the simulator does, polls after it; client
//!   messages wait in the server's request queue (`zk-connect` 10 ms, `zk-request` 0.2 ms):
//!   [`Zk::client`] delivers one and runs the clock until the queue is served.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::costs::CostModel;
use crate::effect::{Ctx, Output};
use crate::message::Payload;
use crate::rng::SimRng;
use crate::trace::Event;
use crate::types::{ms, NodeId, SimTime};
use crate::zk::rpc::{ClientMsg, ClientOp, ClientResult, PeerMsg, Vote, ZkMessage};
use crate::zk::tree::{DataTree, Op, SessionId, Zxid};

use super::{State, ZkConfig, ZkDisk, ZkRole, ZkServer};

/// ZooKeeper server `zk<n>`.
pub(crate) fn zk(n: i32) -> NodeId {
    NodeId::zk(n)
}

/// A vote for `zk<leader>` with `zxid`, from the history of `epoch`.
pub(crate) fn vote(leader: i32, zxid: Zxid, epoch: u32) -> Vote {
    Vote {
        leader: zk(leader),
        zxid,
        epoch,
    }
}

/// A notification carrying `vote`, from a server that is still looking.
pub(crate) fn looking(vote: Vote) -> PeerMsg {
    PeerMsg::Notification {
        vote,
        looking: true,
    }
}

/// A notification from a server that follows or leads `vote.leader`.
pub(crate) fn settled(vote: Vote) -> PeerMsg {
    PeerMsg::Notification {
        vote,
        looking: false,
    }
}

/// The zxid of the `counter`-th transaction of `epoch`.
pub(crate) fn zxid(epoch: u32, counter: u64) -> Zxid {
    ((epoch as u64) << 32) | counter
}

/// `create path` (persistent or ephemeral).
pub(crate) fn create(path: &str, ephemeral: bool) -> Op {
    Op::Create {
        path: path.into(),
        data: "x".into(),
        ephemeral,
    }
}

/// `setData path` to `data`, whatever the version.
pub(crate) fn set(path: &str, data: &str) -> Op {
    Op::SetData {
        path: path.into(),
        data: data.into(),
        version: None,
    }
}

/// What one step did.
#[derive(Clone, Default)]
pub(crate) struct Step {
    sent: Vec<(NodeId, ZkMessage)>,
    events: Vec<Event>,
}

impl Step {
    /// Every message sent, `(to, line)`, in order.
    pub(crate) fn sent(&self) -> Vec<(String, String)> {
        self.sent
            .iter()
            .map(|(to, m)| (to.to_string(), m.to_string()))
            .collect()
    }

    /// [`Step::sent`] without the leader's pings (every half tick to each follower).
    pub(crate) fn sent_but_pings(&self) -> Vec<(String, String)> {
        self.sent()
            .into_iter()
            .filter(|(_, line)| line != "ZkPing")
            .collect()
    }

    /// The lines of the messages sent to `to`.
    pub(crate) fn to(&self, to: NodeId) -> Vec<String> {
        self.sent
            .iter()
            .filter(|(t, _)| *t == to)
            .map(|(_, m)| m.to_string())
            .collect()
    }

    /// The messages themselves, `(to, message)`.
    pub(crate) fn messages(&self) -> &[(NodeId, ZkMessage)] {
        &self.sent
    }

    /// The trace events.
    pub(crate) fn events(&self) -> &[Event] {
        &self.events
    }

    /// The roles it took, in order (`looking`, `leader-elect`, `leader`, `follower`).
    pub(crate) fn roles(&self) -> Vec<&'static str> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::ZkRoleChanged { role, .. } => Some(*role),
                _ => None,
            })
            .collect()
    }

    /// This step followed by `next`.
    pub(crate) fn then(mut self, next: Step) -> Step {
        self.sent.extend(next.sent);
        self.events.extend(next.events);
        self
    }
}

impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (to, m) in &self.sent {
            writeln!(f, "  -> {to}: {m}")?;
        }
        for e in &self.events {
            writeln!(f, "  event {e:?}")?;
        }
        Ok(())
    }
}

/// One ZooKeeper server under test, with its clock.
pub(crate) struct Zk {
    server: ZkServer,
    rng: SimRng,
    now: SimTime,
    /// What starting (and reaching the given situation) did.
    pub(crate) startup: Step,
}

impl Zk {
    /// `zk<me>` of an ensemble `zk1..zk<n>`, started at time 0 from `disk`.
    pub(crate) fn start_with(me: i32, n: i32, disk: ZkDisk) -> Zk {
        let ensemble: Vec<NodeId> = (1..=n).map(zk).collect();
        let mut rng = SimRng::new(3);
        let mut out = Vec::new();
        let mut ctx = Ctx::new(SimTime::ZERO, &mut rng, &mut out);
        let server = ZkServer::start(
            zk(me),
            Arc::new(ensemble),
            ZkConfig::default(),
            CostModel::default(),
            disk,
            0,
            &mut ctx,
        );
        let mut z = Zk {
            server,
            rng,
            now: SimTime::ZERO,
            startup: Step::default(),
        };
        z.startup = z.record(out);
        z
    }

    /// `zk<me>` of `zk1..zk<n>`, started on an empty disk: looking, voting for itself.
    pub(crate) fn start(me: i32, n: i32) -> Zk {
        Zk::start_with(me, n, ZkDisk::default())
    }

    /// The only server of a one-server ensemble, leading (it decides after `finalizeWait`).
    pub(crate) fn single() -> Zk {
        let mut z = Zk::start(1, 1);
        let s = z.poll_at(200);
        z.startup = std::mem::take(&mut z.startup).then(s);
        assert_eq!(z.server.role(), ZkRole::Leading);
        assert!(z.server.serving());
        z
    }

    /// `zk<n>` of `zk1..zk<n>`, elected by the `n / 2` servers below it and established in
    /// epoch 1 once they synced (FOLLOWERINFO, NEWLEADER, ACKNEWLEADER), at time 200 ms.
    pub(crate) fn leading(n: i32) -> Zk {
        let mut z = Zk::start(n, n);
        let followers: Vec<i32> = (n - n / 2..n).collect();
        let mut s = Step::default();
        for f in &followers {
            s = s.then(z.peer(*f, looking(vote(n, 0, 0))));
        }
        s = s.then(z.poll_at(200));
        for f in &followers {
            s = s.then(z.peer(
                *f,
                PeerMsg::FollowerInfo {
                    last_zxid: 0,
                    accepted_epoch: 0,
                    epoch_leader: None,
                },
            ));
        }
        for f in &followers {
            s = s.then(z.peer(*f, PeerMsg::AckNewLeader { epoch: 1 }));
        }
        assert!(z.server.serving(), "not established:\n{s:?}");
        z.startup = std::mem::take(&mut z.startup).then(s);
        z
    }

    /// `zk1` of `zk1..zk3` started from `disk`, following `zk3` — zk2 and zk3 both vote for
    /// zk3, whose history is the same as zk1's — but not yet synced (it sent FOLLOWERINFO), at
    /// 200 ms.
    pub(crate) fn joining_with(disk: ZkDisk) -> Zk {
        let mut z = Zk::start_with(1, 3, disk);
        // zk3 has the same history as zk1 and a higher id.
        let mine = z.current_vote();
        let theirs = vote(3, mine.zxid, mine.epoch);
        let mut s = z.peer(3, looking(theirs));
        s = s.then(z.peer(2, looking(theirs)));
        s = s.then(z.poll_at(200));
        assert_eq!(z.server.role(), ZkRole::Following, "{s:?}");
        z.startup = std::mem::take(&mut z.startup).then(s);
        z
    }

    /// `zk1` of `zk1..zk3`, synced with leader `zk3` in epoch 1: the leader's snapshot holds
    /// `tree`, the sessions `sessions` and ends at `last`.
    pub(crate) fn following(tree: DataTree, sessions: &[(SessionId, u64)], last: Zxid) -> Zk {
        let mut z = Zk::joining_with(ZkDisk::default());
        let s = z.peer(
            3,
            PeerMsg::NewLeader {
                epoch: 1,
                tree: Arc::new(tree),
                sessions: Arc::new(sessions.to_vec()),
                zxid: last,
            },
        );
        assert!(z.server.serving(), "{s:?}");
        z.startup = std::mem::take(&mut z.startup).then(s);
        z
    }

    fn record(&mut self, out: Vec<Output>) -> Step {
        let mut step = Step::default();
        for o in out {
            match o {
                Output::Send {
                    to,
                    payload: Payload::Zk(m),
                } => step.sent.push((to, m)),
                Output::Event(e) => step.events.push(e),
                other => panic!("a ZooKeeper server produced {other:?}"),
            }
        }
        step
    }

    /// Any message from `from`, handled (then polled) at the current time.
    pub(crate) fn deliver(&mut self, from: NodeId, msg: ZkMessage) -> Step {
        let mut out = Vec::new();
        let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
        self.server.handle(from, msg, &mut ctx);
        self.record(out)
    }

    /// A message from server `zk<from>`.
    pub(crate) fn peer(&mut self, from: i32, msg: PeerMsg) -> Step {
        self.deliver(zk(from), ZkMessage::Peer(msg))
    }

    /// A message from client `from`, queued, then served: the clock runs until the request
    /// queue is empty.
    pub(crate) fn client(&mut self, from: NodeId, msg: ClientMsg) -> Step {
        let mut step = self.deliver(from, ZkMessage::Client(msg));
        while let Some((at, _, _)) = self.server.queue.front() {
            self.now = self.now.max(*at);
            step = step.then(self.poll());
        }
        step
    }

    /// Client `from` opens a session asking for `timeout_ms`; returns its id.
    pub(crate) fn connect(&mut self, from: NodeId, timeout_ms: u64) -> SessionId {
        let s = self.client(
            from,
            ClientMsg::Connect {
                session: None,
                timeout_ms,
                attempt: 1,
            },
        );
        s.messages()
            .iter()
            .find_map(|(to, m)| match m {
                ZkMessage::Client(ClientMsg::Connected {
                    session: Some(id), ..
                }) if *to == from => Some(*id),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no session for {from}:\n{s:?}"))
    }

    /// Client `from`'s request `op` (request id `xid`), served.
    pub(crate) fn request(&mut self, from: NodeId, xid: u64, op: ClientOp) -> Step {
        self.client(from, ClientMsg::Request { xid, op })
    }

    /// Client `from` writes `ops` (one op or a multi) and gets `Written`; returns the step.
    pub(crate) fn write(&mut self, from: NodeId, xid: u64, ops: Vec<Op>) -> Step {
        let s = self.request(from, xid, ClientOp::Write(ops));
        assert!(
            s.messages().iter().any(|(to, m)| *to == from
                && matches!(
                    m,
                    ZkMessage::Client(ClientMsg::Response {
                        result: ClientResult::Written(_),
                        ..
                    })
                )),
            "the write failed:\n{s:?}"
        );
        s
    }

    /// Polls at the current time.
    pub(crate) fn poll(&mut self) -> Step {
        let mut out = Vec::new();
        let mut ctx = Ctx::new(self.now, &mut self.rng, &mut out);
        self.server.poll(&mut ctx);
        self.record(out)
    }

    /// Moves the clock to `t_ms` (never backwards) and polls.
    pub(crate) fn poll_at(&mut self, t_ms: u64) -> Step {
        self.set_time(t_ms);
        self.poll()
    }

    /// Moves the clock to the server's next deadline and polls.
    pub(crate) fn poll_at_deadline(&mut self) -> Step {
        self.now = self.now.max(self.server.next_deadline());
        self.poll()
    }

    /// Moves the clock to `t_ms` without polling.
    pub(crate) fn set_time(&mut self, t_ms: u64) {
        let t = SimTime(ms(t_ms));
        assert!(t >= self.now, "time does not go backwards");
        self.now = t;
    }

    /// The current time in ms.
    pub(crate) fn now_ms(&self) -> u64 {
        self.now.as_ms()
    }

    /// The server.
    pub(crate) fn server(&self) -> &ZkServer {
        &self.server
    }

    /// The vote a looking server holds now.
    pub(crate) fn current_vote(&self) -> Vote {
        match &self.server.state {
            State::Looking(l) => l.vote,
            _ => panic!("not looking"),
        }
    }

    /// When the leader will expire each session if nobody renews it, in ms.
    pub(crate) fn expiries_ms(&self) -> BTreeMap<SessionId, u64> {
        match &self.server.state {
            State::Leading(l) => l.expires.iter().map(|(s, t)| (*s, t.as_ms())).collect(),
            _ => panic!("not leading"),
        }
    }
}

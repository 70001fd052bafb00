//! FastLeaderElection, simplified: a LOOKING server votes for itself, adopts any better vote it
//! hears (higher epoch, then higher zxid, then higher id) and decides once a quorum shares its
//! vote and `finalizeWait` brought nothing better. A server that already follows or leads
//! answers with the settled leader, so a restarted server joins the running ensemble.

use crate::flat::FlatMap;

use crate::effect::Ctx;
use crate::trace::Event;
use crate::types::{ms, NodeId};
use crate::zk::rpc::{PeerMsg, Vote};
use crate::zk::tree::Zxid;

use super::{zk, Looking, State, ZkRole, ZkServer};

impl ZkServer {
    /// The last zxid in its log, committed or not: what its election vote carries.
    fn last_logged(&self) -> Zxid {
        let accepted = self.disk.accepted.keys().next_back().copied().unwrap_or(0);
        self.disk.last_zxid.max(accepted)
    }

    /// Its own vote: itself, with its last logged zxid and the epoch whose history it holds.
    fn my_vote(&self) -> Vote {
        Vote {
            leader: self.id,
            zxid: self.last_logged(),
            epoch: self.disk.current_epoch,
        }
    }

    /// Drops its clients, keeps what it logged, and starts an election with its own vote.
    pub(super) fn become_looking(&mut self, why: &str, ctx: &mut Ctx) {
        self.drop_clients(ctx);
        self.keep_log();
        let vote = self.my_vote();
        let mut votes = FlatMap::new();
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

    /// A vote from another server: a looking server adopts a better one; a settled server
    /// answers a looking one with its leader.
    pub(super) fn on_notification(
        &mut self,
        from: NodeId,
        vote: Vote,
        looking: bool,
        ctx: &mut Ctx,
    ) {
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
    pub(super) fn broadcast(&self, vote: Vote, looking: bool, ctx: &mut Ctx) {
        for p in self.peers() {
            ctx.send(p, zk(PeerMsg::Notification { vote, looking }));
        }
    }

    /// A settled server's vote: the leader it follows or is, in that leader's epoch.
    pub(super) fn settled_vote(&self) -> Option<Vote> {
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
        let mut settled: FlatMap<NodeId, usize> = FlatMap::new();
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

    /// The looking server's timer: it sends its vote again, less and less often (up to every
    /// 2 s), and decides once `finalizeWait` brought nothing better.
    pub(super) fn poll_election(&mut self, ctx: &mut Ctx) {
        let State::Looking(l) = &mut self.state else {
            return;
        };
        if ctx.now >= l.resend_at {
            l.resend_every = (l.resend_every * 2).min(2_000);
            l.resend_at = ctx.now + ms(l.resend_every);
            let vote = l.vote;
            self.broadcast(vote, true, ctx);
        }
        self.maybe_decide(ctx);
    }
}

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

#[cfg(test)]
mod tests {
    //! One notification or one timer at a time of FastLeaderElection: better votes adopted
    //! and sent on, the `finalizeWait` decision, and settled servers answering looking ones.

    use super::super::testing::*;
    use super::super::{ZkDisk, ZkRole};

    /// Every peer of zk1 in a three-server ensemble, with the line sent to each.
    fn to_peers(line: &str) -> Vec<(String, String)> {
        ["zk2", "zk3"]
            .iter()
            .map(|p| (p.to_string(), line.to_string()))
            .collect()
    }

    #[test]
    fn a_looking_server_votes_for_itself_with_its_last_zxid_and_epoch() {
        let z = Zk::start_with(
            1,
            3,
            ZkDisk {
                last_zxid: zxid(2, 7),
                epoch: 2,
                current_epoch: 2,
                ..ZkDisk::default()
            },
        );

        assert_eq!(z.server().role(), ZkRole::Looking);
        assert_eq!(
            z.startup.sent(),
            to_peers("Notification vote=zk1 zxid=0x200000007 epoch=2 LOOKING")
        );
    }

    #[test]
    fn a_vote_with_a_higher_epoch_then_zxid_then_id_is_adopted_and_sent_to_every_peer() {
        // zk1 holds the history of epoch 1 up to zxid 0x100000005.
        let mut z = Zk::start_with(
            1,
            3,
            ZkDisk {
                last_zxid: zxid(1, 5),
                epoch: 1,
                current_epoch: 1,
                ..ZkDisk::default()
            },
        );
        assert_eq!(z.current_vote(), vote(1, zxid(1, 5), 1));

        // A shorter history loses whatever the id: kept, nothing sent.
        let s = z.peer(3, looking(vote(3, zxid(1, 4), 1)));
        assert_eq!(s.sent(), []);
        assert_eq!(z.current_vote(), vote(1, zxid(1, 5), 1));

        // A newer epoch wins even with a lower zxid (zk2 synced with a leader of epoch 2 that
        // wrote nothing yet): adopted and sent to every peer.
        let s = z.peer(2, looking(vote(2, zxid(1, 4), 2)));
        assert_eq!(
            s.sent(),
            to_peers("Notification vote=zk2 zxid=0x100000004 epoch=2 LOOKING")
        );

        // Same epoch and zxid, higher id: adopted.
        let s = z.peer(3, looking(vote(3, zxid(1, 4), 2)));
        assert_eq!(
            s.sent(),
            to_peers("Notification vote=zk3 zxid=0x100000004 epoch=2 LOOKING")
        );
        // A lower id does not take it back.
        let s = z.peer(2, looking(vote(2, zxid(1, 4), 2)));
        assert_eq!(s.sent(), []);
        assert_eq!(z.current_vote(), vote(3, zxid(1, 4), 2));
        assert_eq!(z.server().role(), ZkRole::Looking);
    }

    #[test]
    fn a_quorum_of_agreeing_votes_decides_after_finalize_wait() {
        let mut z = Zk::start(1, 3);
        z.set_time(50);

        // zk3's vote beats zk1's own; with zk3's own, two of three agree.
        let s = z.peer(3, looking(vote(3, 0, 0)));
        assert_eq!(
            s.sent(),
            to_peers("Notification vote=zk3 zxid=0x0 epoch=0 LOOKING")
        );
        assert_eq!(z.server().role(), ZkRole::Looking);

        // finalizeWait (200 ms) must pass without a better vote.
        assert_eq!(z.poll_at(249).sent(), []);
        assert_eq!(z.server().role(), ZkRole::Looking);
        let s = z.poll_at(250);

        assert_eq!(z.server().role(), ZkRole::Following);
        assert_eq!(z.server().leader(), Some(zk(3)));
        assert_eq!(s.sent(), [("zk3".to_string(), "FollowerInfo".to_string())]);
    }

    #[test]
    fn a_better_vote_during_finalize_wait_starts_the_wait_again() {
        let mut z = Zk::start(1, 3);
        z.peer(3, looking(vote(3, 0, 0)));
        z.set_time(100);

        // zk2 has a longer history: everyone should follow it instead.
        let s = z.peer(2, looking(vote(2, zxid(0, 1), 0)));
        assert_eq!(
            s.sent(),
            to_peers("Notification vote=zk2 zxid=0x1 epoch=0 LOOKING")
        );

        z.poll_at(200);
        assert_eq!(z.server().role(), ZkRole::Looking);
        let s = z.poll_at(300);
        assert_eq!(z.server().leader(), Some(zk(2)));
        assert_eq!(s.sent(), [("zk2".to_string(), "FollowerInfo".to_string())]);
    }

    #[test]
    fn the_server_everyone_votes_for_becomes_leader_elect_and_says_so() {
        let mut z = Zk::start(3, 3);
        z.peer(2, looking(vote(3, 0, 0)));

        let s = z.poll_at(200);

        assert_eq!(z.server().role(), ZkRole::Leading);
        assert_eq!(s.roles(), ["leader-elect"]);
        // Its settled vote, in its new epoch, tells latecomers where to go.
        assert_eq!(
            s.sent(),
            [
                (
                    "zk1".to_string(),
                    "Notification vote=zk3 zxid=0x0 epoch=1 settled".to_string()
                ),
                (
                    "zk2".to_string(),
                    "Notification vote=zk3 zxid=0x0 epoch=1 settled".to_string()
                ),
            ]
        );
        // Not serving until a quorum has synced.
        assert!(!z.server().serving());
    }

    #[test]
    fn a_settled_server_answers_a_looking_one_with_its_leader() {
        let mut z = Zk::following(crate::zk::tree::DataTree::new(), &[], zxid(1, 0));

        let s = z.peer(2, looking(vote(2, 0, 0)));

        assert_eq!(
            s.sent(),
            [(
                "zk2".to_string(),
                "Notification vote=zk3 zxid=0x100000000 epoch=1 settled".to_string()
            )]
        );
        // A settled notification needs no answer.
        assert_eq!(z.peer(2, settled(vote(3, 0, 1))).sent(), []);
        assert_eq!(z.server().role(), ZkRole::Following);
    }

    #[test]
    fn a_looking_server_joins_a_settled_leader_at_once_only_if_the_leader_itself_says_it_leads() {
        // A follower of zk3 says so, but zk3 has not: zk3 may be dead (checkLeader).
        let mut z = Zk::start(1, 3);
        let s = z.peer(2, settled(vote(3, zxid(1, 4), 1)));
        assert_eq!(z.server().role(), ZkRole::Looking);
        assert_eq!(s.sent(), []);

        // zk3 confirms: zk1 follows at once, without waiting for finalizeWait.
        let s = z.peer(3, settled(vote(3, zxid(1, 4), 1)));
        assert_eq!(z.server().role(), ZkRole::Following);
        assert_eq!(z.server().leader(), Some(zk(3)));
        assert_eq!(s.sent(), [("zk3".to_string(), "FollowerInfo".to_string())]);
    }
}

//! Moving partition leadership (`OfflinePartition -> OnlinePartition`): away from gone or
//! shutting-down brokers, or onto leaderless partitions, with one conditional write per drawn
//! partition and `zk-move-leader` charged per modelled one; then the brokers hear of it.

use crate::flat::FlatSet;

use crate::effect::Ctx;
use crate::trace::Event;
use crate::zk::client::ZkClient;
use crate::zk::json;
use crate::zk::rpc::{KafkaMsg, PartitionState};
use crate::zk::tree::Op;

use super::push::kafka;
use super::{join_ids, MoveWhy, Stage, ZkController, MODELLED_PATH};

/// The conditional write of one partition's new state; `version` (the znode's) moves on.
pub(super) fn state_write(
    key: &(String, u32),
    state: &PartitionState,
    version: &mut i32,
    epoch: u32,
) -> Op {
    let op = Op::SetData {
        path: format!("/brokers/topics/{}/partitions/{}/state", key.0, key.1),
        data: json::partition_state(state, epoch),
        version: Some(*version),
    };
    *version += 1;
    op
}

impl ZkController {
    /// Moves leadership away from `away` and drops `out_of_isr` from ISRs: one conditional
    /// write per drawn partition, and the modelled ones charged `zk-move-leader` each.
    pub(super) fn start_moves(
        &mut self,
        why: MoveWhy,
        away: &FlatSet<i32>,
        out_of_isr: &FlatSet<i32>,
        client: &mut ZkClient,
        ctx: &mut Ctx,
    ) {
        let eligible: Vec<i32> = self
            .live
            .iter()
            .copied()
            .filter(|b| !away.contains(b))
            .collect();
        let mut ops = Vec::new();
        let mut moved = 0u64;
        let keys: Vec<(String, u32)> = self.states.keys().cloned().collect();
        for k in keys {
            let (s, v) = self.states.get_mut(&k).expect("listed");
            let mut changed = false;
            let leader_gone =
                s.leader < 0 || away.contains(&s.leader) || !self.live.contains(&s.leader);
            let before = s.isr.len();
            let old_isr = s.isr.clone();
            s.isr.retain(|b| !out_of_isr.contains(b));
            if leader_gone {
                let next = old_isr
                    .iter()
                    .chain(s.replicas.iter())
                    .find(|b| eligible.contains(b) && old_isr.contains(b))
                    .copied();
                match next {
                    Some(l) => {
                        s.leader = l;
                        s.leader_epoch += 1;
                        moved += 1;
                        changed = true;
                    }
                    None if s.leader >= 0 => {
                        // No eligible replica in the ISR: leaderless, the last ISR kept
                        // (unclean election is off).
                        s.leader = -1;
                        s.leader_epoch += 1;
                        s.isr = old_isr.clone();
                        changed = true;
                    }
                    None => s.isr = old_isr.clone(),
                }
                if s.leader >= 0 && s.isr.is_empty() {
                    s.isr.push(s.leader);
                }
            } else if s.isr.len() != before {
                s.leader_epoch += 1;
                changed = true;
            }
            if s.isr.is_empty() && s.leader < 0 {
                s.isr = old_isr;
            }
            if changed {
                ops.push(state_write(&k, s, v, self.epoch));
                self.changed.insert(k);
            }
        }
        // Modelled partitions: those led by `away` (or leaderless) spread over the rest.
        let mut modelled_moved = 0u64;
        let from: Vec<i32> = self
            .modelled
            .keys()
            .copied()
            .filter(|b| *b < 0 || away.contains(b) || !self.live.contains(b))
            .collect();
        let pool: u64 = from.iter().map(|b| self.modelled[b]).sum();
        if pool > 0 && !eligible.is_empty() {
            for b in &from {
                self.modelled.insert(*b, 0);
            }
            let n = eligible.len() as u64;
            for (i, b) in eligible.iter().enumerate() {
                let share = pool / n + u64::from((i as u64) < pool % n);
                *self.modelled.entry(*b).or_default() += share;
            }
            self.modelled.retain(|b, n| *n > 0 || *b >= 0);
            modelled_moved = pool;
            ops.push(Op::SetData {
                path: MODELLED_PATH.into(),
                data: json::modelled(&self.modelled),
                version: Some(self.modelled_version),
            });
            self.modelled_version += 1;
        } else if pool > 0 {
            for b in &from {
                let n = self.modelled.remove(b).unwrap_or(0);
                *self.modelled.entry(-1).or_default() += n;
            }
        }
        self.moved = moved + modelled_moved;
        let cost = self.moved * self.costs.zk_move_leader_us;
        self.busy_until = ctx.now + cost;
        if !ops.is_empty() {
            self.write(client, ops, ctx);
        }
        if self.moved > 0 {
            ctx.emit(Event::LeaderMoves {
                partitions: self.moved,
                until: self.busy_until,
                why: self.why_text(&why),
            });
        }
        self.stage = Stage::Moving(why);
    }

    /// Why leadership moves, in words, for the trace.
    fn why_text(&self, why: &MoveWhy) -> String {
        match why {
            MoveWhy::Failover => "leaderless partitions found on failover".into(),
            MoveWhy::BrokerFailure(b) => format!("broker {} gone", join_ids(b)),
            MoveWhy::BrokerStartup(b) => format!("broker {} back", join_ids(b)),
            MoveWhy::ControlledShutdown { broker, .. } => {
                format!("controlled shutdown of broker {broker}")
            }
            MoveWhy::NewTopics(t) => format!("new topics {}", t.join(",")),
        }
    }

    /// The moves' writes answered and their time spent: the brokers get the changed states,
    /// a controlled shutdown gets its answer, and the controller is ready for more work.
    pub(super) fn finish_moves(&mut self, why: MoveWhy, ctx: &mut Ctx) {
        let changed: Vec<(String, u32)> = std::mem::take(&mut self.changed).into_iter().collect();
        let live = self.live.clone();
        if !changed.is_empty() || self.moved > 0 {
            self.send_states(&changed, &live, self.moved, ctx);
        }
        if let MoveWhy::ControlledShutdown { broker, from } = &why {
            let remaining = self
                .states
                .values()
                .filter(|(s, _)| s.leader == *broker)
                .count() as u64
                + self.modelled.get(broker).copied().unwrap_or(0);
            ctx.send(
                *from,
                kafka(KafkaMsg::ControlledShutdownResponse { remaining }),
            );
        }
        if self.moved > 0 || why == MoveWhy::Failover {
            ctx.emit(Event::LeaderMovesDone {
                offline: self.offline(),
            });
        }
        if why == MoveWhy::Failover {
            ctx.emit(Event::ZkControllerPhase {
                epoch: self.epoch,
                phase: "failover complete",
                partitions: self.modelled_total() + self.states.len() as u64,
                until: None,
            });
        }
        self.moved = 0;
        self.stage = Stage::Ready;
    }
}

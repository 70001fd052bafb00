//! Partitions on the active controller: AlterPartition, the ISR changes a partition leader
//! asks for (Kafka's `ReplicationControlManager`), and the cost of moving the leadership of the
//! modelled partitions when a broker is fenced or shuts down.

use crate::effect::Ctx;
use crate::metadata::rpc::{ControllerError, ControllerRpc, IsrChange};
use crate::record::{BrokerId, PartitionChangeRecord, Record, NO_LEADER_CHANGE};
use crate::trace::Event;
use crate::types::NodeId;

use super::{Active, Controller, Decision, Pending};

impl Active {
    /// Charges the leader moves of the modelled partitions broker `b` leads: with `m`
    /// modelled partitions spread evenly over the unfenced brokers, `m / unfenced` of them,
    /// `kraft-move-leader` each (a PartitionChangeRecord written, replicated, replayed).
    pub(super) fn charge_moves(
        &mut self,
        b: BrokerId,
        cfg: &crate::kraft::QuorumConfig,
        why: &str,
        ctx: &mut Ctx,
    ) {
        let m = cfg.modelled_partitions;
        let unfenced = self.image.brokers.values().filter(|r| !r.fenced).count() as u64;
        if m == 0 || unfenced == 0 {
            return;
        }
        let moves = m / unfenced;
        let start = self.moves_until.unwrap_or(ctx.now).max(ctx.now);
        let until = start + moves * cfg.costs.kraft_move_leader_us;
        self.moves_until = Some(until);
        ctx.emit(Event::LeaderMoves {
            partitions: moves,
            until,
            why: format!("{why} of broker {b}"),
        });
    }
}

impl Controller {
    /// AlterPartition: a partition leader's ISR changes, each checked against the current
    /// leader and epochs and written as a PartitionChangeRecord; stale ones are skipped.
    pub(super) fn alter_partition(
        &mut self,
        from: NodeId,
        correlation: u64,
        broker_id: BrokerId,
        broker_epoch: i64,
        changes: Vec<IsrChange>,
    ) -> Result<Decision, ControllerRpc> {
        let active = self.active.as_mut().expect("checked by the caller");
        let refuse = |error| ControllerRpc::AlterPartitionResponse { error };
        if active.image.brokers.get(&broker_id).map(|b| b.epoch) != Some(broker_epoch) {
            return Err(refuse(ControllerError::StaleBrokerEpoch));
        }
        let mut records = Vec::new();
        for c in changes {
            let Some(p) = active
                .image
                .topics
                .get(&c.topic_id)
                .and_then(|t| t.partitions.get(c.partition as usize))
            else {
                continue;
            };
            let usable = c.new_isr.iter().all(|b| {
                p.replicas.contains(b)
                    && active
                        .image
                        .brokers
                        .get(b)
                        .is_some_and(|r| !r.fenced && !r.in_controlled_shutdown)
            });
            if p.leader != broker_id
                || c.leader_epoch != p.leader_epoch
                || c.partition_epoch != p.partition_epoch
                || !c.new_isr.contains(&broker_id)
                || !usable
            {
                continue; // stale or invalid: the leader will look again
            }
            records.push(Record::PartitionChange(PartitionChangeRecord {
                partition_id: c.partition,
                topic_id: c.topic_id,
                isr: Some(c.new_isr),
                leader: NO_LEADER_CHANGE,
            }));
        }
        let rpc = refuse(ControllerError::None);
        Ok((
            records,
            Some(Pending::Reply {
                to: from,
                correlation,
                rpc,
            }),
        ))
    }
}

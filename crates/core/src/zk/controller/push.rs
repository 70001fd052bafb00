//! What the controller tells the brokers: LeaderAndIsr to each partition's replicas and
//! UpdateMetadata to every live broker, each stamped with the controller epoch.

use crate::flat::FlatSet;

use crate::effect::Ctx;
use crate::message::Payload;
use crate::types::NodeId;
use crate::zk::rpc::{KafkaMsg, PartitionState, ZkMessage};

use super::{Stage, ZkController};

/// A message from the controller to a broker.
pub(super) fn kafka(msg: KafkaMsg) -> Payload {
    Payload::Zk(ZkMessage::Kafka(msg))
}

/// The node a broker id runs on (a broker's id is its node id).
fn broker_node(b: i32) -> NodeId {
    NodeId(b)
}

impl ZkController {
    /// The connection to `broker` was reset, so it may have missed a push: it gets every
    /// partition state and the live brokers again (nothing while the controller still loads;
    /// the push that ends loading reaches it then).
    pub fn resend_to(&self, broker: i32, ctx: &mut Ctx) {
        if !self.live.contains(&broker) || matches!(self.stage, Stage::Loading) {
            return;
        }
        let all: Vec<(String, u32)> = self.states.keys().cloned().collect();
        self.send_states_to(
            &all,
            &[broker].into(),
            &self.live,
            self.modelled_total(),
            ctx,
        );
    }

    /// LeaderAndIsr to each replica of `keys`, UpdateMetadata to every live broker; `bulk`
    /// modelled partitions ride along.
    pub(super) fn send_states(
        &self,
        keys: &[(String, u32)],
        live: &FlatSet<i32>,
        bulk: u64,
        ctx: &mut Ctx,
    ) {
        self.send_states_to(keys, live, live, bulk, ctx);
    }

    /// The same, to `targets` only.
    fn send_states_to(
        &self,
        keys: &[(String, u32)],
        targets: &FlatSet<i32>,
        live: &FlatSet<i32>,
        bulk: u64,
        ctx: &mut Ctx,
    ) {
        let states: Vec<PartitionState> = keys
            .iter()
            .filter_map(|k| self.states.get(k).map(|(s, _)| s.clone()))
            .collect();
        let n = live.len().max(1) as u64;
        for b in targets {
            let mine: Vec<PartitionState> = states
                .iter()
                .filter(|s| s.replicas.contains(b))
                .cloned()
                .collect();
            if !mine.is_empty() || bulk > 0 {
                ctx.send(
                    broker_node(*b),
                    kafka(KafkaMsg::LeaderAndIsr {
                        controller_epoch: self.epoch,
                        controller: self.me,
                        partitions: mine,
                        bulk: bulk.min(bulk * 3 / n),
                    }),
                );
            }
            ctx.send(
                broker_node(*b),
                kafka(KafkaMsg::UpdateMetadata {
                    controller_epoch: self.epoch,
                    controller: self.me,
                    live_brokers: live.iter().copied().collect(),
                    partitions: states.clone(),
                    bulk,
                }),
            );
        }
    }
}

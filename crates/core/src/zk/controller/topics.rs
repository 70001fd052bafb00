//! New topics (`onNewPartitionCreation`): the controller writes each new partition's first
//! state, its leader the first live replica.

use crate::effect::Ctx;
use crate::zk::client::ZkClient;
use crate::zk::json;
use crate::zk::rpc::PartitionState;
use crate::zk::tree::Op;

use super::{MoveWhy, Stage, ZkController};

impl ZkController {
    /// `onNewPartitionCreation`: each new partition's first leader is its first live replica,
    /// its ISR the live replicas.
    pub(super) fn create_partitions(
        &mut self,
        topics: Vec<String>,
        client: &mut ZkClient,
        ctx: &mut Ctx,
    ) {
        let mut ops = Vec::new();
        for t in &topics {
            let Some(assignment) = self.topics.get(t).cloned() else {
                continue;
            };
            ops.push(Op::Create {
                path: format!("/brokers/topics/{t}/partitions"),
                data: String::new(),
                ephemeral: false,
            });
            for (p, replicas) in assignment.iter().enumerate() {
                let isr: Vec<i32> = replicas
                    .iter()
                    .copied()
                    .filter(|r| self.live.contains(r))
                    .collect();
                let s = PartitionState {
                    topic: t.clone(),
                    partition: p as u32,
                    leader: isr.first().copied().unwrap_or(-1),
                    leader_epoch: 0,
                    isr: if isr.is_empty() {
                        replicas.clone()
                    } else {
                        isr
                    },
                    replicas: replicas.clone(),
                };
                ops.push(Op::Create {
                    path: format!("/brokers/topics/{t}/partitions/{p}"),
                    data: String::new(),
                    ephemeral: false,
                });
                ops.push(Op::Create {
                    path: format!("/brokers/topics/{t}/partitions/{p}/state"),
                    data: json::partition_state(&s, self.epoch),
                    ephemeral: false,
                });
                self.states.insert((t.clone(), p as u32), (s, 0));
                self.changed.insert((t.clone(), p as u32));
            }
        }
        if !ops.is_empty() {
            self.write(client, ops, ctx);
        }
        self.moved = 0;
        self.stage = Stage::Moving(MoveWhy::NewTopics(topics));
    }
}

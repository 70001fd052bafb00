//! Kafka's BrokerChange: `/brokers/ids` changed, and once every listed broker's epoch is read
//! the controller knows who is gone, who bounced (same id, new epoch) and who is back.

use crate::flat::{FlatMap, FlatSet};

use crate::effect::Ctx;
use crate::trace::Event;
use crate::zk::client::ZkClient;

use super::moves::state_write;
use super::{MoveWhy, Stage, ZkController};

impl ZkController {
    /// Once every listed broker's epoch is known: the live set (while loading) or the change.
    pub(super) fn listed(&mut self, client: &mut ZkClient, ctx: &mut Ctx) {
        let complete = self
            .listing
            .as_ref()
            .is_some_and(|(ids, epochs)| ids.len() == epochs.len());
        if !complete {
            return;
        }
        let (ids, epochs) = self.listing.take().expect("complete");
        if self.stage == Stage::Loading {
            self.live = ids;
            self.broker_epochs = epochs;
        } else {
            self.broker_change(ids, epochs, client, ctx);
        }
    }

    /// `/brokers/ids` now lists `ids` with `epochs`. As Kafka's BrokerChange: the gone and the
    /// bounced (same id, new epoch) fail first — the partitions they led get new leaders —
    /// then the new and the bounced start: the metadata, their replicas back in the ISRs,
    /// leaders for partitions left without one.
    fn broker_change(
        &mut self,
        ids: FlatSet<i32>,
        epochs: FlatMap<i32, u64>,
        client: &mut ZkClient,
        ctx: &mut Ctx,
    ) {
        let bounced: FlatSet<i32> = ids
            .intersection(&self.live)
            .filter(|b| epochs.get(b) != self.broker_epochs.get(b))
            .copied()
            .collect();
        let dead: FlatSet<i32> = self
            .live
            .difference(&ids)
            .chain(bounced.iter())
            .copied()
            .collect();
        let born: FlatSet<i32> = ids
            .difference(&self.live)
            .chain(bounced.iter())
            .copied()
            .collect();
        self.broker_epochs = epochs;
        if !dead.is_empty() {
            self.live = self.live.difference(&dead).copied().collect();
            ctx.emit(Event::ZkBrokersChanged {
                joined: Vec::new(),
                left: dead.iter().copied().collect(),
            });
            self.start_moves(
                MoveWhy::BrokerFailure(dead.iter().copied().collect()),
                &dead,
                &dead,
                client,
                ctx,
            );
        }
        self.live = ids;
        if !born.is_empty() {
            ctx.emit(Event::ZkBrokersChanged {
                joined: born.iter().copied().collect(),
                left: Vec::new(),
            });
            // onBrokerStartup: the returning replicas rejoin their ISRs (the model's brokers
            // have no data to catch up), leaderless partitions get a leader.
            let keys: Vec<(String, u32)> = self.states.keys().cloned().collect();
            let mut ops = Vec::new();
            for k in keys {
                let (s, v) = self.states.get_mut(&k).expect("listed");
                let mut changed = false;
                for b in &born {
                    if s.replicas.contains(b) && !s.isr.contains(b) {
                        s.isr.push(*b);
                        changed = true;
                    }
                }
                if s.leader < 0 {
                    if let Some(l) = s.isr.iter().find(|r| self.live.contains(r)) {
                        s.leader = *l;
                        s.leader_epoch += 1;
                        changed = true;
                    }
                }
                if changed {
                    ops.push(state_write(&k, s, v, self.epoch));
                    self.changed.insert(k);
                }
            }
            if !ops.is_empty() {
                self.write(client, ops, ctx);
            }
            let all: Vec<(String, u32)> = self.states.keys().cloned().collect();
            self.send_states(&all, &self.live.clone(), self.modelled_total(), ctx);
        }
        if dead.is_empty() && !born.is_empty() && self.modelled.get(&-1).is_some_and(|n| *n > 0) {
            // triggerOnlinePartitionStateChange: the modelled offline partitions get leaders
            // among the live brokers (drawn ones were handled above, replica by replica).
            self.start_moves(
                MoveWhy::BrokerStartup(born.iter().copied().collect()),
                &FlatSet::new(),
                &FlatSet::new(),
                client,
                ctx,
            );
        }
    }
}

//! The controller's conversation with ZooKeeper: its reads, its writes (each a multi that first
//! checks `/controller_epoch`'s version), and what their answers change: the load's brokers,
//! topics and partition states, and a failed write telling a zombie controller it was replaced.

use crate::flat::{FlatMap, FlatSet};

use crate::effect::Ctx;
use crate::zk::client::ZkClient;
use crate::zk::json;
use crate::zk::rpc::{ClientOp, ClientResult};
use crate::zk::tree::{Op, ZkError};

use super::{Outcome, Read, Stage, ZkController, MODELLED_PATH};

impl ZkController {
    /// Reads `what` (watching `/brokers/ids` and `/brokers/topics`); the answer comes to
    /// [`ZkController::on_response`].
    pub(super) fn read(&mut self, client: &mut ZkClient, what: Read, ctx: &mut Ctx) {
        let op = match &what {
            Read::BrokerIds => ClientOp::GetChildren {
                path: "/brokers/ids".into(),
                watch: true,
            },
            Read::Topics => ClientOp::GetChildren {
                path: "/brokers/topics".into(),
                watch: true,
            },
            Read::Assignment(t) => ClientOp::GetData {
                path: format!("/brokers/topics/{t}"),
                watch: false,
            },
            Read::State(t, p) => ClientOp::GetData {
                path: format!("/brokers/topics/{t}/partitions/{p}/state"),
                watch: false,
            },
            Read::Modelled => ClientOp::GetData {
                path: MODELLED_PATH.into(),
                watch: false,
            },
            Read::BrokerEpoch(b) => ClientOp::GetData {
                path: format!("/brokers/ids/{b}"),
                watch: false,
            },
            Read::Epoch => ClientOp::GetData {
                path: "/controller_epoch".into(),
                watch: false,
            },
        };
        let xid = client.request(op, ctx);
        self.reads.insert(xid, what);
    }

    /// A controller write: checked against `/controller_epoch` first.
    pub(super) fn write(&mut self, client: &mut ZkClient, ops: Vec<Op>, ctx: &mut Ctx) {
        let mut all = vec![Op::Check {
            path: "/controller_epoch".into(),
            version: self.epoch_version,
        }];
        all.extend(ops);
        let xid = client.request(ClientOp::Write(all), ctx);
        self.writes.insert(xid);
    }

    /// True if `xid` is one of the controller's requests.
    pub fn owns(&self, xid: u64) -> bool {
        self.reads.contains_key(&xid) || self.writes.contains(&xid)
    }

    /// An answer to one of its requests.
    pub fn on_response(
        &mut self,
        xid: u64,
        result: ClientResult,
        client: &mut ZkClient,
        ctx: &mut Ctx,
    ) -> Outcome {
        if self.writes.remove(&xid) {
            if let ClientResult::Error(e) = result {
                if e == ZkError::BadVersion || e == ZkError::NoNode {
                    // Only a controller writes these znodes, so either another one took
                    // over or this write was applied once already; the epoch tells which.
                    self.read(client, Read::Epoch, ctx);
                    return Outcome::Continue;
                }
            }
            self.advance(client, ctx);
            return Outcome::Continue;
        }
        let Some(what) = self.reads.remove(&xid) else {
            return Outcome::Continue;
        };
        match (what, result) {
            // getBrokerAndEpochsInCluster: the ids, then each one's epoch.
            (Read::BrokerIds, ClientResult::Children(ids)) => {
                let ids: FlatSet<i32> = ids.iter().filter_map(|i| i.parse().ok()).collect();
                for b in &ids {
                    self.read(client, Read::BrokerEpoch(*b), ctx);
                }
                self.listing = Some((ids, FlatMap::new()));
                self.listed(client, ctx);
            }
            (Read::BrokerEpoch(b), ClientResult::Node(n)) => {
                if let Some((ids, epochs)) = self.listing.as_mut() {
                    match n {
                        Some(n) => {
                            epochs.insert(b, n.czxid);
                        }
                        None => {
                            ids.remove(&b);
                        }
                    }
                }
                self.listed(client, ctx);
            }
            (Read::Topics, ClientResult::Children(names)) => {
                let new: Vec<String> = names
                    .into_iter()
                    .filter(|t| !self.topics.contains_key(t))
                    .collect();
                for t in &new {
                    self.read(client, Read::Assignment(t.clone()), ctx);
                }
                if self.stage != Stage::Loading {
                    self.new_topics.extend(new);
                }
            }
            (Read::Assignment(t), ClientResult::Node(Some(n))) => {
                if let Some(a) = json::parse_assignment(&n.data) {
                    if self.stage == Stage::Loading {
                        for p in 0..a.len() as u32 {
                            self.read(client, Read::State(t.clone(), p), ctx);
                        }
                    }
                    self.topics.insert(t, a);
                }
            }
            (Read::State(t, p), ClientResult::Node(Some(n))) => {
                let replicas = self
                    .topics
                    .get(&t)
                    .and_then(|a| a.get(p as usize))
                    .cloned()
                    .unwrap_or_default();
                if let Some(s) = json::parse_partition_state(&t, p, &n.data, &replicas) {
                    self.states.insert((t, p), (s, n.version));
                }
            }
            (Read::Epoch, ClientResult::Node(n))
                if n.as_ref().map(|n| n.version) != Some(self.epoch_version) =>
            {
                return Outcome::Moved;
            }
            (Read::Modelled, ClientResult::Node(Some(n))) => {
                self.modelled = json::parse_modelled(&n.data).unwrap_or_default();
                self.modelled_version = n.version;
            }
            _ => {}
        }
        self.advance(client, ctx);
        Outcome::Continue
    }
}

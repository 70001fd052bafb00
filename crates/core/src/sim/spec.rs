//! What a run is built from: the cluster's shape (controllers, brokers, combined nodes,
//! ZooKeeper servers), its seed, timings and network, and what follows from them (every node's
//! configuration, its formatted disk, ZooKeeper's initial data).

use crate::flat::FlatMap;
use std::sync::Arc;

use crate::kraft::{Disk, MetaProperties, QuorumConfig};
use crate::record::Voter;
use crate::server::config::{NodeConfig, Roles};
use crate::types::NodeId;
use crate::zk::broker::ZkKafkaConfig;
use crate::zk::controller::MODELLED_PATH;
use crate::zk::server::{ZkConfig, ZkDisk};
use crate::zk::tree::Op;

use super::network::NetworkConfig;

/// The shape of a cluster and everything that configures a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterSpec {
    /// The run's seed: with the same spec and the same user actions, the same run.
    pub seed: u64,
    /// Controller ids: the voters (`controller.quorum.voters`).
    pub controllers: Vec<NodeId>,
    /// Broker ids: observers of the metadata log.
    pub brokers: Vec<NodeId>,
    /// Combined nodes (`process.roles=broker,controller`): voters that are also brokers.
    pub combined: Vec<NodeId>,
    /// Spare controllers (`process.roles=controller`) that are not voters at first: with a
    /// dynamic quorum they can join with `add-controller` once they have caught up.
    pub spare_controllers: Vec<NodeId>,
    /// The cluster id every node's storage is formatted with.
    pub cluster_id: String,
    /// Quorum timings.
    pub quorum: QuorumConfig,
    /// The network.
    pub network: NetworkConfig,
    /// ZooKeeper servers (`zk1`, `zk2`, …): when there are any, the cluster runs in ZooKeeper
    /// mode and `brokers` are ZooKeeper-mode brokers.
    pub zookeepers: Vec<NodeId>,
    /// The ensemble's timing (`zoo.cfg`) and Kafka's session timeout.
    pub zk: ZkConfig,
    /// Other applications' sessions each ZooKeeper server holds (modelled, not drawn): they
    /// reconnect when their server stops serving, loading the ensemble.
    pub zk_clients: u64,
}

impl ClusterSpec {
    /// A KRaft cluster with Kafka's default ids: controllers 3000, 3001, …; brokers 0, 1, ….
    pub fn kraft(voters: usize, brokers: usize, seed: u64) -> ClusterSpec {
        ClusterSpec {
            seed,
            controllers: (0..voters as i32).map(|i| NodeId(3000 + i)).collect(),
            brokers: (0..brokers as i32).map(NodeId).collect(),
            combined: Vec::new(),
            spare_controllers: Vec::new(),
            cluster_id: crate::uuid::cluster_id(seed),
            quorum: QuorumConfig::default(),
            network: NetworkConfig::default(),
            zookeepers: Vec::new(),
            zk: ZkConfig::default(),
            zk_clients: 0,
        }
    }

    /// A ZooKeeper-mode cluster: `zookeepers` servers `zk1`, `zk2`, … and `brokers` brokers
    /// 0, 1, … (any of which may become the controller).
    pub fn zookeeper(zookeepers: usize, brokers: usize, seed: u64) -> ClusterSpec {
        let mut spec = ClusterSpec::kraft(0, brokers, seed);
        spec.zookeepers = (1..=zookeepers as i32).map(NodeId::zk).collect();
        spec
    }

    /// True in ZooKeeper mode.
    pub fn is_zk(&self) -> bool {
        !self.zookeepers.is_empty()
    }

    /// The data every ZooKeeper server starts with: the modelled partitions' stand-in znode,
    /// their leadership spread evenly over the brokers (the cluster was running before).
    pub fn zk_initial_disk(&self) -> ZkDisk {
        let mut disk = ZkDisk::default();
        let m = self.quorum.modelled_partitions;
        if m > 0 {
            let n = self.brokers.len().max(1) as u64;
            let leaders: FlatMap<i32, u64> = self
                .brokers
                .iter()
                .enumerate()
                .map(|(i, b)| (b.0, m / n + u64::from((i as u64) < m % n)))
                .collect();
            let ops = vec![
                Op::Create {
                    path: "/lab".into(),
                    data: String::new(),
                    ephemeral: false,
                },
                Op::Create {
                    path: MODELLED_PATH.into(),
                    data: crate::zk::json::modelled(&leaders),
                    ephemeral: false,
                },
            ];
            let tree = Arc::make_mut(&mut disk.tree);
            // A fresh tree always takes these two creates.
            let _ = tree.apply(&ops, 0, 0);
        }
        disk
    }

    /// What configures every ZooKeeper-mode broker.
    pub fn zk_kafka_config(&self) -> ZkKafkaConfig {
        ZkKafkaConfig {
            zk_servers: self.zookeepers.clone(),
            session_timeout_ms: self.zk.session_timeout_ms,
            costs: self.quorum.costs,
            accept_stale_controller: self.quorum.buggify.accept_stale_controller,
        }
    }

    /// A combined-mode cluster: `combined` nodes 1, 2, … running both roles (as in Kafka's
    /// quickstart), plus `brokers` dedicated brokers numbered after them.
    pub fn combined_mode(combined: usize, brokers: usize, seed: u64) -> ClusterSpec {
        let mut spec = ClusterSpec::kraft(0, 0, seed);
        spec.combined = (1..=combined as i32).map(NodeId).collect();
        spec.brokers = (0..brokers as i32)
            .map(|i| NodeId(combined as i32 + 1 + i))
            .collect();
        spec
    }

    /// The voter set every node is configured with: controllers and combined nodes.
    pub fn voters(&self) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = self
            .controllers
            .iter()
            .chain(&self.combined)
            .copied()
            .collect();
        crate::flat::insertion_sort(&mut v);
        v
    }

    /// The configuration of node `id` as the cluster was set up.
    pub fn config_of(&self, id: NodeId) -> NodeConfig {
        let roles = if self.combined.contains(&id) {
            Roles::COMBINED
        } else if self.controllers.contains(&id) || self.spare_controllers.contains(&id) {
            Roles::CONTROLLER
        } else {
            Roles::BROKER
        };
        let zookeeper_connect = self.is_zk().then(|| {
            self.zookeepers
                .iter()
                .map(|z| format!("{z}:2181"))
                .collect::<Vec<_>>()
                .join(",")
        });
        // A dynamic quorum's `controller.quorum.bootstrap.servers` lists every controller,
        // spares too, so that a node that lost its disk can find the leader through any of
        // them; a static quorum's `controller.quorum.voters` lists the voters.
        let quorum_voters = if self.quorum.dynamic_quorum {
            let mut all = self.voters();
            all.extend(&self.spare_controllers);
            crate::flat::insertion_sort(&mut all);
            all
        } else {
            self.voters()
        };
        NodeConfig {
            node_id: id,
            roles,
            quorum_voters,
            zookeeper_connect,
            dynamic_quorum: self.quorum.dynamic_quorum,
        }
    }

    /// A disk formatted for node `id` of this cluster (`kafka-storage format -t <cluster id>`),
    /// with its first directory id. In a dynamic quorum it also holds the bootstrap
    /// checkpoint (`--initial-controllers`): the initial voters with their directory ids.
    pub fn formatted_disk(&self, id: NodeId) -> Disk {
        let bootstrap_voters = self.quorum.dynamic_quorum.then(|| {
            Arc::new(
                self.voters()
                    .into_iter()
                    .map(|v| Voter {
                        id: v,
                        directory_id: crate::uuid::directory_id(self.seed, v, 0),
                    })
                    .collect(),
            )
        });
        Disk {
            meta: Some(MetaProperties {
                cluster_id: self.cluster_id.clone(),
                node_id: id,
                directory_id: crate::uuid::directory_id(self.seed, id, 0),
            }),
            bootstrap_voters,
            ..Disk::default()
        }
    }
}

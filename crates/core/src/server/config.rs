//! A node's configuration (`server.properties`) and what its storage says about it
//! (`meta.properties`), with Kafka's keys, and the start-up checks that make configuration
//! mistakes behave as they do in Kafka: the process refuses to start, with the reason.

use std::fmt;

use crate::kraft::MetaProperties;
use crate::types::NodeId;

/// `process.roles`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Roles {
    /// `broker`
    pub broker: bool,
    /// `controller`
    pub controller: bool,
}

impl Roles {
    /// A dedicated controller.
    pub const CONTROLLER: Roles = Roles {
        broker: false,
        controller: true,
    };
    /// A dedicated broker.
    pub const BROKER: Roles = Roles {
        broker: true,
        controller: false,
    };
    /// Both roles in one process (combined mode).
    pub const COMBINED: Roles = Roles {
        broker: true,
        controller: true,
    };

    /// Parses `broker`, `controller` or `broker,controller` (any order).
    pub fn parse(text: &str) -> Option<Roles> {
        let mut r = Roles {
            broker: false,
            controller: false,
        };
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "broker" => r.broker = true,
                "controller" => r.controller = true,
                _ => return None,
            }
        }
        Some(r)
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.broker, self.controller) {
            (true, true) => write!(f, "broker,controller"),
            (true, false) => write!(f, "broker"),
            (false, true) => write!(f, "controller"),
            (false, false) => write!(f, ""),
        }
    }
}

/// The settings of `server.properties` that matter here.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NodeConfig {
    /// `node.id`.
    pub node_id: NodeId,
    /// `process.roles`.
    pub roles: Roles,
    /// `controller.quorum.voters`, as ids (each `id@controller-<id>:9093`).
    pub quorum_voters: Vec<NodeId>,
    /// `zookeeper.connect`: a ZooKeeper-mode setting that must not be in a KRaft config.
    pub zookeeper_connect: Option<String>,
    /// Dynamic quorum (KIP-853): `controller.quorum.bootstrap.servers` instead of
    /// `controller.quorum.voters`. `quorum_voters` is then the initial voter set written at
    /// format time (`--initial-controllers`); VotersRecords change it, and a controller need
    /// not be in it (it joins with `add-controller`).
    pub dynamic_quorum: bool,
}

impl NodeConfig {
    /// The keys `configure` accepts.
    pub const KEYS: &'static [&'static str] = &[
        "node.id",
        "process.roles",
        "controller.quorum.voters",
        "zookeeper.connect",
    ];

    /// Sets one key; the value `none` removes `zookeeper.connect`.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "node.id" => {
                self.node_id = NodeId::parse(value).filter(|n| !n.is_zk()).ok_or_else(|| {
                    format!("node.id must be a non-negative integer, got `{value}`")
                })?
            }
            "process.roles" => {
                self.roles = Roles::parse(value).ok_or_else(|| {
                    format!(
                    "process.roles takes broker, controller or broker,controller, got `{value}`"
                )
                })?
            }
            "controller.quorum.voters" => {
                let mut ids = Vec::new();
                for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    let id = part.split('@').next().unwrap_or("");
                    ids.push(NodeId::parse(id).filter(|n| !n.is_zk()).ok_or_else(|| {
                        format!(
                            "controller.quorum.voters takes ids like 3000,3001,3002, got `{part}`"
                        )
                    })?);
                }
                crate::flat::insertion_sort(&mut ids);
                ids.dedup();
                self.quorum_voters = ids;
            }
            "zookeeper.connect" => {
                self.zookeeper_connect =
                    (value != "none" && !value.is_empty()).then(|| value.to_string())
            }
            _ => {
                return Err(format!(
                    "unknown configuration key `{key}`{}: expected one of {}",
                    crate::text::suggest(key, Self::KEYS),
                    Self::KEYS.join(", ")
                ))
            }
        }
        Ok(())
    }

    /// `controller.quorum.voters` as Kafka writes it.
    pub fn voters_string(&self) -> String {
        self.quorum_voters
            .iter()
            .map(|v| format!("{v}@controller-{v}:9093"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The file as `show config` prints it.
    pub fn properties(&self) -> String {
        let mut s = format!("process.roles={}\nnode.id={}\n", self.roles, self.node_id);
        if self.dynamic_quorum {
            let servers: Vec<String> = self
                .quorum_voters
                .iter()
                .map(|v| format!("controller-{v}:9093"))
                .collect();
            s += &format!(
                "controller.quorum.bootstrap.servers={}\n",
                servers.join(",")
            );
        } else {
            s += &format!("controller.quorum.voters={}\n", self.voters_string());
        }
        let mut listeners = Vec::new();
        if self.roles.broker {
            listeners.push(format!("PLAINTEXT://broker-{}:9092", self.node_id));
        }
        if self.roles.controller {
            listeners.push(format!("CONTROLLER://controller-{}:9093", self.node_id));
        }
        s += &format!("listeners={}\n", listeners.join(","));
        s += "controller.listener.names=CONTROLLER\n";
        if let Some(zk) = &self.zookeeper_connect {
            s += &format!("zookeeper.connect={zk}\n");
        }
        s
    }
}

/// The start-up checks, in the order Kafka meets them. `Err` is the message the process dies
/// with.
pub fn validate(config: &NodeConfig, meta: Option<&MetaProperties>) -> Result<(), String> {
    if !config.roles.broker && !config.roles.controller {
        return Err(
            "process.roles must be set: this node has no role (broker, controller or both)".into(),
        );
    }
    if let Some(zk) = &config.zookeeper_connect {
        return Err(format!(
            "zookeeper.connect={zk} is set, but process.roles={} selects KRaft mode: ZooKeeper settings belong only to ZooKeeper mode (or a migration); remove them",
            config.roles
        ));
    }
    if config.roles.controller
        && !config.dynamic_quorum
        && !config.quorum_voters.contains(&config.node_id)
    {
        return Err(format!(
            "If process.roles contains the 'controller' role, the node id {} must be included in the set of voters controller.quorum.voters={}",
            config.node_id,
            config.voters_string()
        ));
    }
    let meta = meta.ok_or_else(|| {
        "No readable meta.properties files found: the storage directory was never formatted (run kafka-storage format)"
            .to_string()
    })?;
    if meta.node_id != config.node_id {
        return Err(format!(
            "Stored node id {} doesn't match previous node id {}: meta.properties belongs to another node",
            meta.node_id, config.node_id
        ));
    }
    Ok(())
}

/// Warnings about a voter set that Kafka allows but that buy nothing.
pub fn voter_count_warning(voters: usize) -> Option<String> {
    match voters {
        0 => None,
        1 => Some("1 voter: no failure is tolerated (fine for development only)".into()),
        2 => Some("2 voters: a majority is 2, so no failure is tolerated — worse than 1 voter, with twice the chance that one fails".into()),
        n if n % 2 == 0 => Some(format!(
            "{n} voters: an even count tolerates {} failure(s), the same as {} voters",
            (n - 1) / 2,
            n - 1
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn controller(id: i32) -> NodeConfig {
        NodeConfig {
            node_id: NodeId(id),
            roles: Roles::CONTROLLER,
            quorum_voters: vec![NodeId(3000), NodeId(3001), NodeId(3002)],
            zookeeper_connect: None,
            dynamic_quorum: false,
        }
    }

    #[test]
    fn mistakes_are_refused_with_kafkas_reasons() {
        let meta = MetaProperties {
            cluster_id: "x".into(),
            node_id: NodeId(3000),
            directory_id: crate::uuid::Uuid(7),
        };
        assert!(validate(&controller(3000), Some(&meta)).is_ok());
        assert!(validate(&controller(3000), None)
            .unwrap_err()
            .contains("No readable meta.properties"));
        let mut zk = controller(3000);
        zk.set("zookeeper.connect", "zk1:2181").unwrap();
        assert!(validate(&zk, Some(&meta))
            .unwrap_err()
            .contains("zookeeper.connect"));
        assert!(validate(
            &controller(3005),
            Some(&MetaProperties {
                node_id: NodeId(3005),
                ..meta.clone()
            })
        )
        .unwrap_err()
        .contains("must be included in the set of voters"));
        assert!(validate(&controller(3001), Some(&meta))
            .unwrap_err()
            .contains("Stored node id 3000"));
    }

    #[test]
    fn keys_parse_and_print() {
        let mut c = controller(3000);
        c.set("controller.quorum.voters", "3002@controller-3002:9093,3000")
            .unwrap();
        assert_eq!(c.quorum_voters, vec![NodeId(3000), NodeId(3002)]);
        c.set("process.roles", "controller,broker").unwrap();
        assert_eq!(c.roles, Roles::COMBINED);
        assert!(c.set("process.roles", "zookeeper").is_err());
        assert!(c
            .set("node.idd", "1")
            .unwrap_err()
            .contains("did you mean `node.id`"));
        assert!(c
            .properties()
            .contains("listeners=PLAINTEXT://broker-3000:9092,CONTROLLER://controller-3000:9093"));
        assert!(voter_count_warning(2).unwrap().contains("worse than 1"));
        assert!(voter_count_warning(4).is_some());
        assert!(voter_count_warning(3).is_none());
    }
}

//! How the world applies a user action ([`super::action::UserAction`]): every action is
//! checked first, and one that makes no sense now changes nothing and says why.

use crate::flat::FlatSet;
use crate::record::Record;
use crate::server::AdminOp;
use crate::trace::{DropReason, Event};
use crate::types::{format_duration, NodeId};

use super::action::{drift_factor, ids, UserAction, DRIFT_RANGE};
use super::node::NodeStatus;
use super::world::World;

impl World {
    fn require_node(&self, id: NodeId) -> Result<NodeStatus, String> {
        self.nodes
            .get(&id)
            .map(|n| n.status())
            .ok_or_else(|| format!("there is no node {id} in this cluster"))
    }

    fn require_all(&self, list: &[NodeId]) -> Result<(), String> {
        for id in list {
            self.require_node(*id)?;
        }
        Ok(())
    }

    /// Applies a user action now. `Ok` carries a short description of what was done; `Err`
    /// explains why nothing was done. Every action is charged to the run's budget
    /// ([`crate::limits`]) first: one that does not fit is refused, naming the limit.
    pub fn apply(&mut self, action: &UserAction) -> Result<String, String> {
        let cost = action.cost();
        let result = match self.budget.check(cost, &action.to_command()) {
            Ok(()) => self.apply_inner(action),
            Err(why) => Err(why),
        };
        if result.is_ok() {
            self.budget.charge(cost);
            self.tell_acted(action);
        }
        self.finish_step();
        result
    }

    fn apply_inner(&mut self, action: &UserAction) -> Result<String, String> {
        match action {
            UserAction::Crash(id) => {
                if !self.require_node(*id)?.is_live() {
                    return Err(format!("{id} is already down"));
                }
                self.kill(*id, NodeStatus::Crashed);
                self.emit(*id, Event::Crashed);
                Ok(format!("crashed {id}"))
            }
            UserAction::Restart(id) => {
                if self.require_node(*id)?.is_live() {
                    return Err(format!("{id} is running; crash or shut it down first"));
                }
                self.emit(*id, Event::Restarted);
                self.start_process(*id);
                Ok(format!("restarted {id}"))
            }
            UserAction::Shutdown(id) => match self.require_node(*id)? {
                NodeStatus::Up => {
                    if self.nodes[id].kind.is_zk_mode() {
                        self.call_zk(*id, |p, ctx| p.begin_shutdown(ctx));
                    } else {
                        self.call(*id, |s, ctx, _| s.begin_shutdown(ctx));
                    }
                    Ok(format!("shutting down {id}"))
                }
                NodeStatus::Paused { .. } => Err(format!(
                    "{id} is paused and cannot react; wait for it to resume"
                )),
                _ => Err(format!("{id} is already down")),
            },
            UserAction::Pause(id, duration) => {
                if *duration == 0 {
                    return Err("a pause needs a duration above zero".into());
                }
                let until = self.now() + *duration;
                match self.require_node(*id)? {
                    NodeStatus::Up => {}
                    NodeStatus::Paused { until: old } if old < until => {}
                    NodeStatus::Paused { .. } => {
                        return Err(format!("{id} is already paused for longer"))
                    }
                    _ => return Err(format!("{id} is down; only a running node can pause")),
                }
                let node = self.nodes.get_mut(id).expect("checked above");
                node.status = NodeStatus::Paused { until };
                node.wake_at = None;
                self.schedule_resume(*id, until);
                self.emit(*id, Event::Paused { until });
                Ok(format!("paused {id} for {}", format_duration(*duration)))
            }
            UserAction::TimeoutNow(id) => {
                if self.require_node(*id)? != NodeStatus::Up {
                    return Err(format!("{id} is not running"));
                }
                self.call(*id, |s, ctx, _| s.timeout_now(ctx))
                    .unwrap_or_else(|| Err(format!("{id} is not running")))?;
                Ok(format!("{id}'s timer fires now"))
            }
            UserAction::Isolate(id) => {
                self.require_node(*id)?;
                let others: Vec<NodeId> = self.nodes.keys().copied().filter(|o| o != id).collect();
                for o in others {
                    self.net.cut(*id, o);
                    self.net.cut(o, *id);
                }
                self.emit(
                    *id,
                    Event::Network {
                        description: format!("{id} isolated"),
                    },
                );
                Ok(format!("isolated {id}"))
            }
            UserAction::Partition(groups) => {
                if groups.len() < 2 {
                    return Err(
                        "a partition needs at least two groups, like `partition 3000 | 3001,3002`"
                            .into(),
                    );
                }
                let mut seen = FlatSet::new();
                for g in groups {
                    if g.is_empty() {
                        return Err("a partition group cannot be empty".into());
                    }
                    self.require_all(g)?;
                    for id in g {
                        if !seen.insert(*id) {
                            return Err(format!("{id} appears in two groups"));
                        }
                    }
                }
                for (i, a) in groups.iter().enumerate() {
                    for b in &groups[i + 1..] {
                        for x in a {
                            for y in b {
                                self.net.cut(*x, *y);
                                self.net.cut(*y, *x);
                            }
                        }
                    }
                }
                let text = groups
                    .iter()
                    .map(|g| ids(g))
                    .collect::<Vec<_>>()
                    .join(" | ");
                let first = groups[0][0];
                self.emit(
                    first,
                    Event::Network {
                        description: format!("partitioned {text}"),
                    },
                );
                Ok(format!("partitioned {text}"))
            }
            UserAction::PartitionOneWay { from, to } => {
                if from.is_empty() || to.is_empty() {
                    return Err("a one-way partition needs senders and receivers, like `partition 3000 -> 3001`".into());
                }
                self.require_all(from)?;
                self.require_all(to)?;
                if from.iter().any(|f| to.contains(f)) {
                    return Err("a node cannot be on both sides of a partition".into());
                }
                for x in from {
                    for y in to {
                        self.net.cut(*x, *y);
                    }
                }
                let text = format!("{} -> {}", ids(from), ids(to));
                self.emit(
                    from[0],
                    Event::Network {
                        description: format!("cut {text} (one way)"),
                    },
                );
                Ok(format!("cut {text}"))
            }
            UserAction::Bridge { node, left, right } => {
                if left.is_empty() || right.is_empty() {
                    return Err("a bridge needs two sides, like `bridge 3001 3000 | 3002`".into());
                }
                self.require_node(*node)?;
                self.require_all(left)?;
                self.require_all(right)?;
                if left.contains(node) || right.contains(node) {
                    return Err(format!("the bridge {node} cannot be on a side"));
                }
                if left.iter().any(|l| right.contains(l)) {
                    return Err("a node cannot be on both sides of a bridge".into());
                }
                for x in left {
                    for y in right {
                        self.net.cut(*x, *y);
                        self.net.cut(*y, *x);
                    }
                }
                for x in left.iter().chain(right) {
                    self.net.connect(*node, *x);
                    self.net.connect(*x, *node);
                }
                let text = format!("{} | {} bridged by {node}", ids(left), ids(right));
                self.emit(
                    *node,
                    Event::Network {
                        description: format!("cut {text}"),
                    },
                );
                Ok(format!("cut {text}"))
            }
            UserAction::Drift(id, rate) => {
                self.require_node(*id)?;
                if !DRIFT_RANGE.contains(rate) {
                    return Err(format!(
                        "a clock rate must be between {} and {} (got {})",
                        drift_factor(*DRIFT_RANGE.start()),
                        drift_factor(*DRIFT_RANGE.end()),
                        drift_factor(*rate)
                    ));
                }
                let now = self.now();
                let node = self.nodes.get_mut(id).expect("checked above");
                node.clock.set_rate(now, *rate);
                let text = format!("{id}'s clock runs at {} × real time", drift_factor(*rate));
                self.emit(
                    *id,
                    Event::Network {
                        description: text.clone(),
                    },
                );
                // Its next wake-up moves with its clock.
                if let Some(n) = self.nodes.get_mut(id) {
                    n.wake_at = None;
                }
                self.reschedule(*id);
                Ok(text)
            }
            UserAction::Heal => {
                self.net.heal();
                let first = *self.nodes.keys().next().ok_or("the cluster has no node")?;
                self.emit(
                    first,
                    Event::Network {
                        description: "healed: every link restored".into(),
                    },
                );
                Ok("healed every link".into())
            }
            UserAction::DropNext { name, from, to } => {
                let id = self
                    .next_message(name.as_deref(), *from, *to)
                    .ok_or("no message in flight matches")?;
                self.apply_inner(&UserAction::DropMessage(id))
            }
            UserAction::DropMessage(id) => {
                let env = self.net.take(*id).ok_or_else(|| {
                    format!("message {id} is not in flight (it arrived or was dropped)")
                })?;
                let text = format!(
                    "dropped {} from {} to {}",
                    env.payload.name(),
                    env.from,
                    env.to
                );
                self.drop_message(&env, DropReason::UserDropped);
                Ok(text)
            }
            UserAction::Write { count, to } => {
                if *count == 0 || *count > 100_000 {
                    return Err("write takes between 1 and 100000 records".into());
                }
                if self.spec().is_zk() {
                    return Err("write appends records to KRaft's metadata log, and a ZooKeeper-mode cluster has none: its metadata are znodes that brokers write through ZooKeeper. Create a topic in the metadata panel to see one written".into());
                }
                let target = match to {
                    Some(id) => *id,
                    None => self
                        .active_leader()
                        .ok_or("no active controller: the write cannot be accepted")?,
                };
                let status = self.require_node(target)?;
                if !self.nodes[&target].kind.has_controller() {
                    return Err(format!(
                        "{target} is a broker; writes go to the active controller"
                    ));
                }
                if status != NodeStatus::Up {
                    return Err(format!("{target} is not running"));
                }
                // Refuse before drawing record numbers: a refused action must change nothing,
                // or replaying the successful actions would not reproduce the run.
                let role = self.nodes[&target]
                    .replica()
                    .map(|r| (r.role(), r.leader()));
                if let Some((role, leader)) = role.filter(|(r, _)| *r != crate::kraft::Role::Leader)
                {
                    let why = match leader {
                        Some(l) if l != target => {
                            format!("{target} is not the leader (the leader is {l})")
                        }
                        _ => format!("{target} is not the leader ({})", role.name()),
                    };
                    self.emit(target, Event::WriteRejected { why: why.clone() });
                    return Err(why);
                }
                let records: Vec<Record> = (0..*count)
                    .map(|_| Record::Data(self.next_data_id()))
                    .collect();
                let result = self
                    .call(target, |s, ctx, _| s.write(records, ctx))
                    .unwrap_or_else(|| Err(format!("{target} is not running")));
                match result {
                    Ok(_) => Ok(format!("{target} accepted {count} record(s)")),
                    Err(why) => {
                        self.emit(target, Event::WriteRejected { why: why.clone() });
                        Err(why)
                    }
                }
            }
            UserAction::Admin(op) if self.spec().is_zk() => self.zk_admin(op),
            UserAction::Admin(op) => {
                let leader = self.active_leader().ok_or(
                    "no active controller: the admin client would retry until it times out",
                )?;
                self.call(leader, |s, ctx, _| s.admin(op, ctx))
                    .unwrap_or_else(|| Err(format!("{leader} is not running")))
            }
            UserAction::Configure { node, key, value } => {
                self.require_node(*node)?;
                let n = self.nodes.get_mut(node).expect("checked above");
                n.config.set(key, value)?;
                let text = format!("{node}: {key}={value} (takes effect when it restarts)");
                self.emit(
                    *node,
                    Event::Configured {
                        setting: format!("{key}={value}"),
                    },
                );
                Ok(text)
            }
            UserAction::Format { node, cluster_id } => {
                if self.require_node(*node)?.is_live() {
                    return Err(format!(
                        "{node} is running; stop it before formatting its storage"
                    ));
                }
                let cluster = cluster_id
                    .clone()
                    .unwrap_or_else(|| self.spec().cluster_id.clone());
                let seed = self.spec().seed;
                let n = self.nodes.get_mut(node).expect("checked above");
                n.formats += 1;
                // A new directory id, and no bootstrap checkpoint (`--no-initial-controllers`):
                // in a dynamic quorum the node is a new replica, an observer until it is added
                // with add-controller (KIP-853). In a static quorum the voters are known by id
                // only, so the empty disk votes in its old place: that is how Kafka's static
                // quorums can lose committed records when a voter's disk is lost, and the
                // checkers catch it (docs/fidelity.md).
                n.disk = Some(crate::kraft::Disk {
                    meta: Some(crate::kraft::MetaProperties {
                        cluster_id: cluster.clone(),
                        node_id: n.config.node_id,
                        directory_id: crate::uuid::directory_id(seed, *node, n.formats),
                    }),
                    ..Default::default()
                });
                self.emit(
                    *node,
                    Event::StorageFormatted {
                        cluster_id: Some(cluster.clone()),
                    },
                );
                Ok(format!(
                    "formatted {node}'s storage for cluster {cluster} (its log is gone)"
                ))
            }
            UserAction::Unformat(node) => {
                if self.require_node(*node)?.is_live() {
                    return Err(format!(
                        "{node} is running; stop it before deleting its storage"
                    ));
                }
                self.nodes.get_mut(node).expect("checked above").disk =
                    Some(crate::kraft::Disk::default());
                self.emit(*node, Event::StorageFormatted { cluster_id: None });
                Ok(format!(
                    "deleted {node}'s storage: it is no longer formatted"
                ))
            }
            UserAction::AddController(id) | UserAction::RemoveController(id) => {
                let add = matches!(action, UserAction::AddController(_));
                self.require_node(*id)?;
                if !self.spec().quorum.dynamic_quorum {
                    return Err(format!(
                        "the voters of this cluster are static (controller.quorum.voters): {} needs a dynamic quorum (`cluster kraft quorum=dynamic`, KIP-853)",
                        if add { "add-controller" } else { "remove-controller" }
                    ));
                }
                if add && !self.nodes[id].kind.has_controller() {
                    return Err(format!(
                        "{id} is a broker: only a node with process.roles=controller can become a voter"
                    ));
                }
                let leader = self
                    .active_leader()
                    .ok_or("no active controller: the request would time out")?;
                self.call(leader, |s, ctx, _| s.change_voters(add, *id, ctx))
                    .unwrap_or_else(|| Err(format!("{leader} is not running")))
            }
            UserAction::SetNetwork(change) => {
                let mut cfg = self.net.config.clone();
                change.apply_to(&mut cfg);
                if cfg.latency_min > cfg.latency_max {
                    return Err("the smallest latency must not exceed the largest".into());
                }
                if cfg.latency_max > 60_000_000 {
                    return Err("latency above one minute is not supported".into());
                }
                if cfg.loss_ppm > 1_000_000 || cfg.duplicate_ppm > 1_000_000 {
                    return Err("probabilities must be between 0% and 100%".into());
                }
                self.net.config = cfg.clone();
                let first = *self.nodes.keys().next().ok_or("the cluster has no node")?;
                self.emit(
                    first,
                    Event::Network {
                        description: cfg.describe(),
                    },
                );
                Ok(format!("network: {}", cfg.describe()))
            }
        }
    }
}

impl World {
    /// An admin operation in ZooKeeper mode: `kafka-topics --create` reaches a broker (the
    /// controller if there is one), which writes the assignment znode; the controller's watch
    /// does the rest.
    fn zk_admin(&mut self, op: &AdminOp) -> Result<String, String> {
        let AdminOp::CreateTopic {
            name,
            partitions,
            replication_factor,
            ..
        } = op
        else {
            return Err(
                "only create-topic is modelled in ZooKeeper mode (the comparison needs no more)"
                    .into(),
            );
        };
        if *partitions == 0 || *partitions > 10_000 {
            return Err("create-topic takes 1 to 10000 partitions in ZooKeeper mode".into());
        }
        let target = self
            .zk_controller()
            .map(|(id, _)| id)
            .or_else(|| {
                self.nodes
                    .values()
                    .find(|n| {
                        n.kind == super::node::NodeKind::ZkBroker && n.status == NodeStatus::Up
                    })
                    .map(|n| n.id)
            })
            .ok_or("no running broker to send the request to")?;
        self.call_zk(target, |p, ctx| match p.broker_mut() {
            Some(b) => b.create_topic(name, *partitions, *replication_factor, ctx),
            None => Err("not a broker".into()),
        })
        .unwrap_or_else(|| Err(format!("{target} is not running")))
    }
}

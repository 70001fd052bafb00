//! The simulated network: directed links with a latency range, loss, duplication and
//! reordering; partitions (symmetric and one-way); isolate and heal.
//!
//! Model notes (shown in the UI): the default is a labelled "teaching network" of 10–20 ms one
//! way, slower than a data-centre LAN so that messages can be watched; the user can change it.
//! Links are FIFO like TCP unless reordering is switched on. A message whose link is cut when
//! it is sent, or when it arrives, is dropped; a lost message travels and then vanishes.

use crate::decimal::scaled;
use crate::flat::{FlatMap, FlatSet};

use crate::message::{Envelope, MsgId, Payload};
use crate::rng::SimRng;
use crate::types::{format_duration, ms, Micros, NodeId, SimTime};

/// Network parameters, the same for every link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Smallest one-way latency.
    pub latency_min: Micros,
    /// Largest one-way latency.
    pub latency_max: Micros,
    /// Probability that a message is lost, in parts per million.
    pub loss_ppm: u32,
    /// Probability that a message is delivered twice, in parts per million.
    pub duplicate_ppm: u32,
    /// When true, links are not FIFO: a later message may overtake an earlier one.
    pub reorder: bool,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            latency_min: ms(10),
            latency_max: ms(20),
            loss_ppm: 0,
            duplicate_ppm: 0,
            reorder: false,
        }
    }
}

impl NetworkConfig {
    /// One line describing the parameters, for traces and the UI.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "latency {}..{}",
            format_duration(self.latency_min),
            format_duration(self.latency_max)
        );
        if self.loss_ppm > 0 {
            s += &format!(", loss {}%", scaled(self.loss_ppm.into(), 4));
        }
        if self.duplicate_ppm > 0 {
            s += &format!(", duplication {}%", scaled(self.duplicate_ppm.into(), 4));
        }
        if self.reorder {
            s += ", reordering";
        }
        s
    }
}

/// What the network decided about a message at send time.
#[derive(Clone, Debug)]
pub enum SendOutcome {
    /// Copies in flight (two when duplicated); each may be doomed to vanish.
    InFlight(Vec<Envelope>),
    /// The link is cut: dropped at once.
    Cut(Envelope),
}

/// Links, cuts and the messages in flight.
#[derive(Clone, Debug, Default)]
pub struct Network {
    /// The parameters in force.
    pub config: NetworkConfig,
    /// Directed links that are cut: `(from, to)`.
    blocked: FlatSet<(NodeId, NodeId)>,
    /// Latest delivery time per link, to keep links FIFO.
    last_delivery: FlatMap<(NodeId, NodeId), SimTime>,
    in_flight: FlatMap<MsgId, Envelope>,
    next_id: MsgId,
    /// Pairs of nodes (lower id first) whose ZooKeeper-mode stream lost a message: TCP cannot
    /// deliver past the hole, so the connection is reset the next time the two talk.
    broken: FlatSet<(NodeId, NodeId)>,
}

impl Network {
    /// A fully connected network.
    pub fn new(config: NetworkConfig) -> Network {
        Network {
            config,
            ..Default::default()
        }
    }

    /// True if messages from `from` to `to` get through.
    pub fn is_connected(&self, from: NodeId, to: NodeId) -> bool {
        !self.blocked.contains(&(from, to))
    }

    /// The cut directed links.
    pub fn blocked(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.blocked.iter().copied()
    }

    /// True if some link is cut.
    pub fn is_partitioned(&self) -> bool {
        !self.blocked.is_empty()
    }

    /// Cuts `from → to`.
    pub fn cut(&mut self, from: NodeId, to: NodeId) {
        if from != to {
            self.blocked.insert((from, to));
        }
    }

    /// Restores `from → to` (a bridge node keeps its links to both sides).
    pub fn connect(&mut self, from: NodeId, to: NodeId) {
        self.blocked.remove(&(from, to));
    }

    /// Records that a stream between `a` and `b` lost a message (ZooKeeper mode only).
    pub fn break_stream(&mut self, a: NodeId, b: NodeId) {
        self.broken.insert((a.min(b), a.max(b)));
    }

    /// True (once) if the stream between `a` and `b` lost a message since they last talked:
    /// the caller resets the connection at both ends.
    pub fn take_broken(&mut self, a: NodeId, b: NodeId) -> bool {
        self.broken.remove(&(a.min(b), a.max(b)))
    }

    /// Forgets the broken streams of a node whose process ended: its connections died with
    /// it, and its peers find out by their own timeouts, as they would for any crash.
    pub fn forget_streams(&mut self, node: NodeId) {
        self.broken.retain(|(a, b)| *a != node && *b != node);
    }

    /// Restores every link.
    pub fn heal(&mut self) {
        self.blocked.clear();
    }

    /// Puts a message on the wire, drawing its latency and fate from `rng`.
    pub fn send(
        &mut self,
        from: NodeId,
        to: NodeId,
        payload: Payload,
        now: SimTime,
        rng: &mut SimRng,
    ) -> SendOutcome {
        self.next_id += 1;
        let id = self.next_id;
        if !self.is_connected(from, to) {
            return SendOutcome::Cut(Envelope {
                id,
                from,
                to,
                sent_at: now,
                deliver_at: now,
                payload,
                doomed: true,
            });
        }
        // ZooKeeper mode's connections are TCP streams that nothing in its protocols
        // retries: a lost or duplicated packet is retransmitted or discarded by TCP, and order
        // is kept. The teaching network's loss, duplication and reordering apply to KRaft's
        // RPCs only (whose clients do retry); cuts apply to both.
        let stream = matches!(payload, Payload::Zk(_));
        let duplicate = rng.chance_ppm(self.config.duplicate_ppm);
        let copies = if duplicate && !stream { 2 } else { 1 };
        let mut out = Vec::with_capacity(copies);
        for copy in 0..copies {
            let id = if copy == 0 {
                id
            } else {
                self.next_id += 1;
                self.next_id
            };
            let latency = rng.between(
                self.config.latency_min,
                self.config.latency_max.max(self.config.latency_min),
            );
            let mut deliver_at = now + latency;
            if !self.config.reorder || stream {
                let last = self.last_delivery.entry((from, to)).or_default();
                deliver_at = deliver_at.max(*last);
                *last = deliver_at;
            }
            let doomed = rng.chance_ppm(self.config.loss_ppm) && !stream;
            let env = Envelope {
                id,
                from,
                to,
                sent_at: now,
                deliver_at,
                payload: payload.clone(),
                doomed,
            };
            self.in_flight.insert(id, env.clone());
            out.push(env);
        }
        SendOutcome::InFlight(out)
    }

    /// Takes a message off the wire when it is due (or dropped); `None` if already removed.
    pub fn take(&mut self, id: MsgId) -> Option<Envelope> {
        self.in_flight.remove(&id)
    }

    /// Messages in flight, oldest first.
    pub fn in_flight(&self) -> impl Iterator<Item = &Envelope> {
        self.in_flight.values()
    }

    /// One in-flight message.
    pub fn get(&self, id: MsgId) -> Option<&Envelope> {
        self.in_flight.get(&id)
    }

    /// Number of messages in flight.
    pub fn in_flight_count(&self) -> usize {
        self.in_flight.len()
    }
}

/// Changes to the network's parameters (`network …`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NetworkChange {
    /// New latency range.
    pub latency: Option<(Micros, Micros)>,
    /// New loss probability (ppm).
    pub loss_ppm: Option<u32>,
    /// New duplication probability (ppm).
    pub duplicate_ppm: Option<u32>,
    /// Reordering on or off.
    pub reorder: Option<bool>,
}

impl NetworkChange {
    /// Applies the change to `cfg`.
    pub fn apply_to(&self, cfg: &mut NetworkConfig) {
        if let Some((a, b)) = self.latency {
            cfg.latency_min = a;
            cfg.latency_max = b;
        }
        if let Some(p) = self.loss_ppm {
            cfg.loss_ppm = p;
        }
        if let Some(p) = self.duplicate_ppm {
            cfg.duplicate_ppm = p;
        }
        if let Some(r) = self.reorder {
            cfg.reorder = r;
        }
    }
}

impl NetworkChange {
    /// A change that sets every parameter to `cfg`'s.
    pub fn to(cfg: &NetworkConfig) -> NetworkChange {
        NetworkChange {
            latency: Some((cfg.latency_min, cfg.latency_max)),
            loss_ppm: Some(cfg.loss_ppm),
            duplicate_ppm: Some(cfg.duplicate_ppm),
            reorder: Some(cfg.reorder),
        }
    }

    /// The change as `network …` settings (only the parameters it changes).
    pub fn to_settings(&self) -> String {
        let mut s = Vec::new();
        if let Some((a, b)) = self.latency {
            s.push(format!(
                "latency={}..{}",
                format_duration(a),
                format_duration(b)
            ));
        }
        if let Some(p) = self.loss_ppm {
            s.push(format!("loss={}%", scaled(p.into(), 4)));
        }
        if let Some(p) = self.duplicate_ppm {
            s.push(format!("duplicate={}%", scaled(p.into(), 4)));
        }
        if let Some(r) = self.reorder {
            s.push(format!("reorder={}", if r { "on" } else { "off" }));
        }
        s.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kraft::rpc::RaftRpc;
    use crate::message::RaftMessage;

    fn payload() -> Payload {
        Payload::Raft(RaftMessage {
            correlation: 1,
            cluster_id: None,
            rpc: RaftRpc::BeginQuorumEpochRequest {
                epoch: 1,
                leader: NodeId(1),
                voter_directory_id: crate::uuid::Uuid::ZERO,
            },
        })
    }

    #[test]
    fn fifo_links_never_reorder() {
        let mut net = Network::new(NetworkConfig::default());
        let mut rng = SimRng::new(5);
        let mut last = SimTime::ZERO;
        for i in 0..200 {
            let SendOutcome::InFlight(envs) =
                net.send(NodeId(1), NodeId(2), payload(), SimTime(i * 100), &mut rng)
            else {
                panic!("connected link");
            };
            assert!(envs[0].deliver_at >= last);
            last = envs[0].deliver_at;
        }
    }

    #[test]
    fn cuts_are_directed() {
        let mut net = Network::new(NetworkConfig::default());
        let mut rng = SimRng::new(5);
        net.cut(NodeId(1), NodeId(2));
        assert!(matches!(
            net.send(NodeId(1), NodeId(2), payload(), SimTime(0), &mut rng),
            SendOutcome::Cut(_)
        ));
        assert!(matches!(
            net.send(NodeId(2), NodeId(1), payload(), SimTime(0), &mut rng),
            SendOutcome::InFlight(_)
        ));
        net.heal();
        assert!(net.is_connected(NodeId(1), NodeId(2)));
    }

    #[test]
    fn latency_stays_in_range_and_duplicates_get_new_ids() {
        let mut net = Network::new(NetworkConfig {
            duplicate_ppm: 1_000_000,
            ..NetworkConfig::default()
        });
        let mut rng = SimRng::new(9);
        let SendOutcome::InFlight(envs) =
            net.send(NodeId(1), NodeId(2), payload(), SimTime(0), &mut rng)
        else {
            panic!();
        };
        assert_eq!(envs.len(), 2);
        assert_ne!(envs[0].id, envs[1].id);
        for e in envs {
            assert!(e.deliver_at.0 >= 10_000 && e.deliver_at.0 <= 20_000);
        }
        assert_eq!(net.in_flight_count(), 2);
    }
}

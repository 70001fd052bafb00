//! ZooKeeper mode: the ensemble and the Kafka brokers (one of them the controller) that
//! depended on it before KRaft (docs/fidelity.md, ZooKeeper mode). It shares the simulator, the
//! network and the
//! trace with KRaft mode, so that the same fault can be replayed in both and compared.
//!
//! - [`tree`]: znodes, versions, ephemerals, multi, watch triggers.
//! - [`server`]: one ZooKeeper server: leader election, ZAB, sessions, request load.
//! - [`client`]: the ZooKeeper client inside a broker: session, pings, reconnects.
//! - [`broker`]: a ZooKeeper-mode broker: registration, controller election, requests.
//! - [`controller`]: the ZooKeeper-mode controller: failover, leader moves.
//! - [`rpc`], [`json`]: what travels, and the JSON Kafka keeps in znodes.

pub mod broker;
pub mod client;
pub mod controller;
pub mod json;
pub mod rpc;
pub mod server;
pub mod tree;

use crate::effect::Ctx;
use crate::types::SimTime;

use broker::ZkBroker;
use rpc::ZkMessage;
use server::{ZkDisk, ZkServer};

/// A ZooKeeper-mode process: a ZooKeeper server or a Kafka broker.
#[derive(Clone, Debug)]
pub enum ZkProcess {
    /// A ZooKeeper server.
    Server(Box<ZkServer>),
    /// A ZooKeeper-mode Kafka broker.
    Broker(Box<ZkBroker>),
}

impl ZkProcess {
    /// Handles a message.
    pub fn handle(&mut self, from: crate::types::NodeId, msg: ZkMessage, ctx: &mut Ctx) {
        match self {
            ZkProcess::Server(s) => s.handle(from, msg, ctx),
            ZkProcess::Broker(b) => b.handle(from, msg, ctx),
        }
    }

    /// Timers.
    pub fn poll(&mut self, ctx: &mut Ctx) {
        match self {
            ZkProcess::Server(s) => s.poll(ctx),
            ZkProcess::Broker(b) => b.poll(ctx),
        }
    }

    /// When it next needs a poll.
    pub fn next_deadline(&self) -> SimTime {
        match self {
            ZkProcess::Server(s) => s.next_deadline(),
            ZkProcess::Broker(b) => b.next_deadline(),
        }
    }

    /// A clean stop: a broker's controlled shutdown; a ZooKeeper server just stops.
    pub fn begin_shutdown(&mut self, ctx: &mut Ctx) {
        match self {
            ZkProcess::Server(_) => ctx
                .out
                .push(crate::effect::Output::ShutdownComplete { why: None }),
            ZkProcess::Broker(b) => b.begin_shutdown(ctx),
        }
    }

    /// What survives the process: a server's data (a broker's is not modelled).
    pub fn into_disk(self) -> Option<ZkDisk> {
        match self {
            ZkProcess::Server(s) => Some(s.into_disk()),
            ZkProcess::Broker(_) => None,
        }
    }

    /// The ZooKeeper server, if this is one.
    pub fn server(&self) -> Option<&ZkServer> {
        match self {
            ZkProcess::Server(s) => Some(s),
            ZkProcess::Broker(_) => None,
        }
    }

    /// The broker, if this is one.
    pub fn broker(&self) -> Option<&ZkBroker> {
        match self {
            ZkProcess::Broker(b) => Some(b),
            ZkProcess::Server(_) => None,
        }
    }

    /// The broker, mutably.
    pub fn broker_mut(&mut self) -> Option<&mut ZkBroker> {
        match self {
            ZkProcess::Broker(b) => Some(b),
            ZkProcess::Server(_) => None,
        }
    }
}

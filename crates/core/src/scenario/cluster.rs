//! `cluster kraft|zk …` and `network …`: the options that build a cluster and change its
//! teaching network.

use crate::kraft::QuorumConfig;
use crate::sim::{ClusterSpec, NetworkChange, NetworkConfig};
use crate::text::suggest;
use crate::types::{parse_duration, NodeId};

use super::values::{
    key_values, parse_count, parse_latency, parse_ms_setting, parse_on_off, parse_percent,
};

const CLUSTER_KEYS: &[&str] = &[
    "voters",
    "brokers",
    "seed",
    "prevote",
    "latency",
    "loss",
    "duplicate",
    "reorder",
    "election-timeout",
    "fetch-timeout",
    "fetch-hw",
    "linger",
    "buggify",
    "combined",
    "snapshot-every",
    "quorum",
    "spare-controllers",
    "zookeepers",
    "partitions",
    "zk-clients",
    "session-timeout",
    "tick",
    "cost.<name>",
];

/// Parses the settings of `network …`.
pub(crate) fn parse_network(tokens: &[String]) -> Result<NetworkChange, String> {
    if tokens.is_empty() {
        return Err("`network` needs settings like `network latency=5ms..10ms loss=1%`".into());
    }
    let mut change = NetworkChange::default();
    for (k, v) in key_values(tokens)? {
        match k.as_str() {
            "latency" => change.latency = Some(parse_latency(&v)?),
            "loss" => change.loss_ppm = Some(parse_percent(&v)?),
            "duplicate" | "duplication" => change.duplicate_ppm = Some(parse_percent(&v)?),
            "reorder" => change.reorder = Some(parse_on_off("reorder", &v)?),
            _ => {
                return Err(format!(
                    "unknown network setting `{k}`{}: expected latency, loss, duplicate or reorder",
                    suggest(&k, &["latency", "loss", "duplicate", "reorder"])
                ))
            }
        }
    }
    Ok(change)
}

/// Parses the options of `cluster …` into a spec.
pub(crate) fn parse_cluster(tokens: &[String]) -> Result<ClusterSpec, String> {
    let mode = tokens
        .first()
        .ok_or("`cluster` needs a mode: `cluster kraft voters=3 brokers=3 seed=42`")?;
    let zk_mode = match mode.as_str() {
        "kraft" => false,
        "zk" | "zookeeper" => true,
        other => {
            return Err(format!(
                "unknown cluster mode `{other}`: expected `kraft` or `zk`"
            ))
        }
    };
    let mut voters = None;
    let mut zookeepers = 3;
    let mut partitions = 0u64;
    let mut zk_clients = 0u64;
    let mut zk = crate::zk::server::ZkConfig::default();
    let mut costs = crate::costs::CostModel::default();
    let mut brokers = None;
    let mut combined = 0;
    let mut dynamic = false;
    let mut spares = 0;
    let mut seed = 1;
    let mut quorum = QuorumConfig::default();
    let mut network = NetworkConfig::default();
    for (k, v) in key_values(&tokens[1..])? {
        match k.as_str() {
            "voters" | "controllers" => voters = Some(parse_count(&k, &v, 11, 0)?),
            "brokers" => brokers = Some(parse_count(&k, &v, 50, 0)?),
            "combined" => combined = parse_count(&k, &v, 11, 1)?,
            "quorum" => {
                dynamic = match v.as_str() {
                    "dynamic" => true,
                    "static" => false,
                    _ => return Err(format!("`quorum` takes static or dynamic, got `{v}`")),
                }
            }
            "spare-controllers" => spares = parse_count(&k, &v, 5, 0)?,
            "zookeepers" => {
                zookeepers = parse_count(&k, &v, 7, 1)?;
                if zookeepers % 2 == 0 {
                    return Err(format!(
                        "`zookeepers` takes an odd number (3 or 5 as in production): {zookeepers} servers tolerate no more failures than {}",
                        zookeepers - 1
                    ));
                }
            }
            "partitions" => {
                partitions = v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 10_000_000)
                    .ok_or_else(|| {
                        format!("`partitions` takes a count of modelled partitions up to 10000000, got `{v}`")
                    })?
            }
            "zk-clients" => {
                zk_clients = v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 100_000)
                    .ok_or_else(|| {
                        format!("`zk-clients` takes a number of sessions per ZooKeeper server up to 100000, got `{v}`")
                    })?
            }
            "session-timeout" => {
                zk.session_timeout_ms = parse_ms_setting(&k, &v)?;
            }
            "tick" => {
                zk.tick_ms = parse_ms_setting(&k, &v)?;
            }
            c if c.starts_with("cost.") => {
                let name = &c["cost.".len()..];
                let us = v.parse::<u64>().ok().filter(|n| *n <= 10_000_000).ok_or_else(|| {
                    format!("`{c}` takes microseconds per partition up to 10000000, got `{v}`")
                })?;
                if !costs.set(name, us) {
                    return Err(format!(
                        "unknown cost `{name}`{}: expected one of {}",
                        suggest(name, crate::costs::CostModel::NAMES),
                        crate::costs::CostModel::NAMES.join(", ")
                    ));
                }
            }
            "seed" => {
                seed = v
                    .parse()
                    .map_err(|_| format!("`seed` takes a whole number, got `{v}`"))?
            }
            "prevote" => quorum.prevote = parse_on_off(&k, &v)?,
            "fetch-hw" => quorum.fetch_sends_high_watermark = parse_on_off(&k, &v)?,
            "snapshot-every" => {
                quorum.snapshot_records = v
                    .parse::<u64>()
                    .ok()
                    .filter(|n| (10..=10_000_000).contains(n))
                    .ok_or_else(|| {
                        format!(
                        "`snapshot-every` takes a number of records from 10 to 10000000, got `{v}`"
                    )
                    })?
            }
            "election-timeout" => quorum.election_timeout_ms = parse_ms_setting(&k, &v)?,
            "fetch-timeout" => quorum.fetch_timeout_ms = parse_ms_setting(&k, &v)?,
            "linger" => {
                quorum.append_linger_ms = parse_duration(&v)
                    .filter(|d| *d <= 10_000_000)
                    .map(|d| d / 1_000)
                    .ok_or_else(|| format!("`linger` takes a duration up to 10s, got `{v}`"))?
            }
            "buggify" => {
                for name in v.split(',').filter(|n| !n.is_empty()) {
                    if !quorum.buggify.set(name) {
                        return Err(format!(
                            "unknown buggify switch `{name}`{}: expected {}",
                            suggest(name, crate::kraft::config::Buggify::NAMES),
                            crate::kraft::config::Buggify::NAMES.join(", ")
                        ));
                    }
                }
            }
            "latency" | "loss" | "duplicate" | "reorder" => {
                parse_network(&[format!("{k}={v}")])?.apply_to(&mut network)
            }
            _ => {
                return Err(format!(
                    "unknown cluster option `{k}`{}: expected one of {}",
                    suggest(&k, CLUSTER_KEYS),
                    CLUSTER_KEYS.join(", ")
                ))
            }
        }
    }
    if zk_mode {
        if voters.is_some() || combined > 0 || dynamic || spares > 0 {
            return Err("a ZooKeeper-mode cluster has no KRaft controllers: use `zookeepers=` and `brokers=`".into());
        }
        let brokers = brokers.unwrap_or(3);
        if brokers == 0 {
            return Err("a ZooKeeper-mode cluster needs at least one broker".into());
        }
        let mut spec = ClusterSpec::zookeeper(zookeepers, brokers, seed);
        spec.quorum = quorum;
        spec.quorum.modelled_partitions = partitions;
        spec.quorum.costs = costs;
        spec.network = network;
        spec.zk = zk;
        spec.zk_clients = zk_clients;
        return Ok(spec);
    }
    if zk_clients > 0 || zk != crate::zk::server::ZkConfig::default() {
        return Err(
            "`zk-clients`, `session-timeout` and `tick` configure ZooKeeper: use `cluster zk`"
                .into(),
        );
    }
    // Combined nodes are voters too: with `combined=`, dedicated controllers and brokers
    // default to none.
    let voters = voters.unwrap_or(if combined > 0 { 0 } else { 3 });
    let brokers = brokers.unwrap_or(if combined > 0 { 0 } else { 3 });
    if voters + combined == 0 {
        return Err("a KRaft cluster needs at least one voter: `voters=` or `combined=`".into());
    }
    if voters + combined > 11 {
        return Err("at most 11 voters (controllers and combined nodes together)".into());
    }
    let mut spec = if combined > 0 {
        let mut s = ClusterSpec::combined_mode(combined, brokers, seed);
        s.controllers = (0..voters as i32).map(|i| NodeId(3000 + i)).collect();
        s
    } else {
        ClusterSpec::kraft(voters, brokers, seed)
    };
    spec.quorum = quorum;
    spec.quorum.modelled_partitions = partitions;
    spec.quorum.costs = costs;
    spec.network = network;
    spec.quorum.dynamic_quorum = dynamic;
    if spares > 0 && !dynamic {
        return Err(
            "spare controllers can only join a dynamic quorum: add `quorum=dynamic`".into(),
        );
    }
    let first_spare = 3000 + voters as i32;
    spec.spare_controllers = (0..spares as i32)
        .map(|i| NodeId(first_spare + i))
        .collect();
    Ok(spec)
}

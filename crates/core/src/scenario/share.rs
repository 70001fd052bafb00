//! Share links: a run — engine version, spec, timed actions — as a URL fragment.
//!
//! The payload is the run written in the scenario language (`cluster …` then one
//! `at <time> <action>` per action), base64url-encoded after a version tag:
//! `v1.Y2x1c3Rlci…`. A link from an engine that would replay differently is refused with a
//! message; a damaged link is refused with the line that does not parse. Nothing is ever
//! half-loaded.

use super::ast::Command;
use super::node_ref::NodeRef;
use super::parse::parse_script;
use crate::decimal::scaled;
use crate::types::{format_duration, NodeId, SimTime};

use crate::sim::{ClusterSpec, UserAction};

/// The `cluster …` line that rebuilds `spec`.
pub fn cluster_line(spec: &ClusterSpec) -> String {
    let n = &spec.network;
    let q = &spec.quorum;
    let mut model = String::new();
    if q.modelled_partitions > 0 {
        model += &format!(" partitions={}", q.modelled_partitions);
    }
    let default_costs = crate::costs::CostModel::default();
    for name in crate::costs::CostModel::NAMES {
        let us = q.costs.get(name).unwrap_or(0);
        if Some(us) != default_costs.get(name) {
            model += &format!(" cost.{name}={us}");
        }
    }
    if spec.is_zk() {
        let mut s = format!(
            "cluster zk zookeepers={} brokers={} seed={} latency={}..{} loss={}% duplicate={}% reorder={}{model}",
            spec.zookeepers.len(),
            spec.brokers.len(),
            spec.seed,
            format_duration(n.latency_min),
            format_duration(n.latency_max),
            scaled(n.loss_ppm.into(), 4),
            scaled(n.duplicate_ppm.into(), 4),
            if n.reorder { "on" } else { "off" },
        );
        let zk_defaults = crate::zk::server::ZkConfig::default();
        if spec.zk_clients > 0 {
            s += &format!(" zk-clients={}", spec.zk_clients);
        }
        if spec.zk.session_timeout_ms != zk_defaults.session_timeout_ms {
            s += &format!(" session-timeout={}ms", spec.zk.session_timeout_ms);
        }
        if spec.zk.tick_ms != zk_defaults.tick_ms {
            s += &format!(" tick={}ms", spec.zk.tick_ms);
        }
        return s;
    }
    let mut s = format!(
        "cluster kraft voters={} brokers={} seed={} prevote={} fetch-hw={} latency={}..{} loss={}% duplicate={}% reorder={}",
        spec.controllers.len(),
        spec.brokers.len(),
        spec.seed,
        if q.prevote { "on" } else { "off" },
        if q.fetch_sends_high_watermark { "on" } else { "off" },
        format_duration(n.latency_min),
        format_duration(n.latency_max),
        scaled(n.loss_ppm.into(), 4),
        scaled(n.duplicate_ppm.into(), 4),
        if n.reorder { "on" } else { "off" },
    );
    if spec.quorum.dynamic_quorum {
        s += " quorum=dynamic";
    }
    if !spec.spare_controllers.is_empty() {
        s += &format!(" spare-controllers={}", spec.spare_controllers.len());
    }
    if !spec.combined.is_empty() {
        s += &format!(" combined={}", spec.combined.len());
    }
    let defaults = crate::kraft::QuorumConfig::default();
    if q.election_timeout_ms != defaults.election_timeout_ms {
        s += &format!(" election-timeout={}ms", q.election_timeout_ms);
    }
    if q.fetch_timeout_ms != defaults.fetch_timeout_ms {
        s += &format!(" fetch-timeout={}ms", q.fetch_timeout_ms);
    }
    if q.snapshot_records != defaults.snapshot_records {
        s += &format!(" snapshot-every={}", q.snapshot_records);
    }
    if q.append_linger_ms != defaults.append_linger_ms {
        s += &format!(" linger={}ms", q.append_linger_ms);
    }
    s += &model;
    let bugs = q.buggify.enabled();
    if !bugs.is_empty() {
        s += &format!(" buggify={}", bugs.join(","));
    }
    s
}

/// A run decoded from a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedRun {
    /// The cluster.
    pub spec: ClusterSpec,
    /// The actions with their times.
    pub actions: Vec<(SimTime, UserAction)>,
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len() * 4 / 3 + 3);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = ((b[0] as u32) << 16) | ((b[1] as u32) << 8) | b[2] as u32;
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = B64.iter().position(|x| *x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Encodes a run for a URL fragment.
pub fn encode(spec: &ClusterSpec, actions: &[(SimTime, UserAction)]) -> String {
    let mut text = cluster_line(spec);
    text.push('\n');
    for (t, a) in actions {
        text += &format!("at {} {}\n", format_duration(t.0), a.to_command());
    }
    format!("v{}.{}", crate::ENGINE_VERSION, b64_encode(text.as_bytes()))
}

fn concrete(n: &NodeRef) -> Result<NodeId, String> {
    match n {
        NodeRef::Id(id) => Ok(*id),
        other => Err(format!("a shared run names nodes by id, not `{other}`")),
    }
}

/// Decodes a link made by [`encode`]. Every refusal says why.
pub fn decode(link: &str) -> Result<SharedRun, String> {
    let link = link.trim().trim_start_matches('#');
    let link = link.strip_prefix("run=").unwrap_or(link);
    let (version, payload) = link
        .split_once('.')
        .ok_or("this is not a KRaft Lab run link (expected `v<version>.<data>`)")?;
    let version: u32 = version
        .strip_prefix('v')
        .and_then(|v| v.parse().ok())
        .ok_or("this is not a KRaft Lab run link (bad version tag)")?;
    if version != crate::ENGINE_VERSION {
        return Err(format!(
            "this link was made by engine version {version}, and this is version {}: it would not replay the same run, so it was not loaded",
            crate::ENGINE_VERSION
        ));
    }
    let bytes = b64_decode(payload).ok_or("the link is damaged (it is not valid base64url)")?;
    let text = String::from_utf8(bytes).map_err(|_| "the link is damaged (not UTF-8 text)")?;
    let lines = parse_script(&text).map_err(|e| format!("the link's run does not parse: {e}"))?;
    let mut iter = lines.into_iter();
    let first = iter.next().ok_or("the link holds no run")?;
    let Command::Cluster(spec) = first.command else {
        return Err("the link's run must start with `cluster`".into());
    };
    let mut actions = Vec::new();
    let mut last = SimTime::ZERO;
    for line in iter {
        let fail = |m: String| format!("line {}: {m}", line.number);
        let Command::At(t, inner) = line.command else {
            return Err(fail(
                "a shared run holds only `at <time> <action>` lines".into(),
            ));
        };
        let t = SimTime(t);
        if t < last {
            return Err(fail("actions must be in time order".into()));
        }
        last = t;
        let Command::Do(act, None) = *inner else {
            return Err(fail("expected an action after the time".into()));
        };
        let action = act.try_map_nodes(concrete).map_err(fail)?;
        actions.push((t, action));
    }
    Ok(SharedRun {
        spec: *spec,
        actions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;
    use crate::sim::{NetworkChange, NetworkConfig};
    use crate::types::{ms, secs};

    #[test]
    fn runs_round_trip_through_links() {
        let mut spec = ClusterSpec::kraft(5, 2, 1234);
        spec.quorum.prevote = false;
        spec.network.loss_ppm = 15_000;
        let actions = vec![
            (SimTime(secs(2)), UserAction::Crash(NodeId(3001))),
            (SimTime(ms(2_500)), UserAction::Write { count: 3, to: None }),
            (
                SimTime(secs(3)),
                UserAction::Partition(vec![
                    vec![NodeId(3000), NodeId(0)],
                    vec![NodeId(3002), NodeId(3003)],
                ]),
            ),
            (
                SimTime(secs(4)),
                UserAction::PartitionOneWay {
                    from: vec![NodeId(3004)],
                    to: vec![NodeId(1)],
                },
            ),
            (SimTime(secs(5)), UserAction::Pause(NodeId(3002), ms(8_000))),
            (SimTime(secs(6)), UserAction::Heal),
            (SimTime(secs(6)), UserAction::DropMessage(77)),
            (
                SimTime(secs(7)),
                UserAction::SetNetwork(NetworkChange::to(&NetworkConfig {
                    latency_min: ms(1),
                    latency_max: ms(4),
                    loss_ppm: 0,
                    duplicate_ppm: 10_000,
                    reorder: true,
                })),
            ),
            (SimTime(secs(8)), UserAction::TimeoutNow(NodeId(3000))),
            (SimTime(secs(9)), UserAction::Shutdown(NodeId(3000))),
            (SimTime(secs(10)), UserAction::Restart(NodeId(3001))),
            (SimTime(secs(11)), UserAction::Isolate(NodeId(0))),
            (
                SimTime(secs(12)),
                UserAction::Write {
                    count: 1,
                    to: Some(NodeId(3002)),
                },
            ),
        ];
        let link = encode(&spec, &actions);
        assert!(link.starts_with("v1."));
        let back = decode(&link).unwrap();
        assert_eq!(back.spec, spec);
        assert_eq!(back.actions, actions);
        assert_eq!(decode(&format!("#run={link}")).unwrap(), back);
    }

    #[test]
    fn bad_links_are_refused_with_a_reason() {
        let good = encode(&ClusterSpec::kraft(3, 0, 1), &[]);
        let other_version = good.replacen("v1.", "v999.", 1);
        assert!(decode(&other_version)
            .unwrap_err()
            .contains("engine version 999"));
        assert!(decode("hello").is_err());
        assert!(decode("v1.***").unwrap_err().contains("damaged"));
        let not_a_run = format!("v1.{}", b64_encode(b"crash 3000\n"));
        assert!(decode(&not_a_run)
            .unwrap_err()
            .contains("start with `cluster`"));
        let alias = format!("v1.{}", b64_encode(b"cluster kraft\nat 1s crash leader\n"));
        assert!(decode(&alias).unwrap_err().contains("line 2"));
    }

    #[test]
    fn random_links_never_panic() {
        let mut rng = SimRng::new(11);
        let good = encode(
            &ClusterSpec::kraft(3, 3, 5),
            &[(SimTime(secs(1)), UserAction::Heal)],
        );
        for _ in 0..3_000 {
            let mut bytes = good.clone().into_bytes();
            for _ in 0..rng.between(1, 6) {
                let i = rng.below(bytes.len() as u64) as usize;
                bytes[i] = B64[rng.below(64) as usize];
            }
            let _ = decode(&String::from_utf8_lossy(&bytes));
            let noise: String = (0..rng.below(40))
                .map(|_| rng.below(128) as u8 as char)
                .collect();
            let _ = decode(&noise);
        }
    }
}

//! The metadata layer as Kafka's tools show it: `kafka-dump-log --cluster-metadata-decoder`
//! (`show metadata-log`), `kafka-topics --describe` (`show topics`), a node's metadata image
//! (`show image`) and its configuration files (`show config`).
//!
//! Departures from the real tools, kept on purpose: the dump prints only the batch fields the
//! simulator models (no size, CRC, position or producer fields), and `kafka-topics` omits the
//! ELR columns because eligible leader replicas (KIP-966) are not modelled.

use crate::metadata::image::MetadataImage;
use crate::record::{CONFIG_BROKER, CONFIG_TOPIC, NO_LEADER};
use crate::sim::World;
use crate::types::{NodeId, Offset};

use super::pretty_print_table;

/// `kafka-dump-log --cluster-metadata-decoder` over a node's log, from `from` on.
pub fn dump_log(world: &World, id: NodeId, from: Offset) -> Result<String, String> {
    let node = world
        .node(id)
        .ok_or_else(|| format!("there is no node {id}"))?;
    let disk = node.disk().ok_or_else(|| format!("{id} has no disk"))?;
    let log = &disk.log;
    let hw = node.replica().and_then(|r| r.high_watermark());
    let mut out = format!(
        "Dumping __cluster_metadata-0 of {id} (log start offset {}, log end offset {}, high watermark {})\n",
        log.start_offset(),
        log.end_offset(),
        hw.map(|h| h.to_string()).unwrap_or_else(|| "unknown".into())
    );
    if let Some(snapshot) = &disk.snapshot {
        out += &format!(
            "Snapshot {} covers offsets below {} ({} partitions in its image)\n",
            snapshot.file_name(),
            snapshot.id.end_offset,
            snapshot.image.partition_count
        );
    }
    for batch in log.batches().filter(|b| b.end_offset() > from) {
        let create = batch.append_time.wall_clock_ms();
        let control = batch.records.first().is_some_and(|r| r.is_control());
        out += &format!(
            "baseOffset: {} lastOffset: {} count: {} partitionLeaderEpoch: {} isTransactional: false isControl: {} CreateTime: {}\n",
            batch.base_offset,
            batch.end_offset() - 1,
            batch.len(),
            batch.epoch,
            control,
            create
        );
        for (i, record) in batch.records.iter().enumerate() {
            let offset = batch.base_offset + i as Offset;
            if offset < from {
                continue;
            }
            out += &format!(
                "| offset: {offset} CreateTime: {create} {}\n",
                record.json()
            );
        }
    }
    Ok(out)
}

fn list(ids: &[i32]) -> String {
    ids.iter()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// `kafka-topics --describe [--topic <name>]` answered from `image`.
pub fn describe_topics(image: &MetadataImage, only: Option<&str>) -> Result<String, String> {
    if let Some(name) = only {
        if image.topic(name).is_none() {
            return Err(format!(
                "Error while executing topic command : Topic '{name}' does not exist as expected"
            ));
        }
    }
    let mut out = String::new();
    for (name, id) in image.topic_ids.iter() {
        if only.is_some_and(|o| o != &**name) {
            continue;
        }
        let Some(topic) = image.topics.get(id) else {
            continue;
        };
        let rf = topic
            .partitions
            .first()
            .map(|p| p.replicas.len())
            .unwrap_or(0);
        let configs = image
            .configs
            .get(&(CONFIG_TOPIC, name.to_string()))
            .map(|c| {
                c.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        out += &format!(
            "Topic: {name}\tTopicId: {id}\tPartitionCount: {}\tReplicationFactor: {rf}\tConfigs: {configs}\n",
            topic.partitions.len()
        );
        for (i, p) in topic.partitions.iter().enumerate() {
            let leader = if p.leader == NO_LEADER {
                "none".to_string()
            } else {
                p.leader.to_string()
            };
            out += &format!(
                "\tTopic: {name}\tPartition: {i}\tLeader: {leader}\tReplicas: {}\tIsr: {}\n",
                list(&p.replicas),
                list(&p.isr)
            );
        }
    }
    Ok(out)
}

/// `show image <node>`: what the node's metadata image holds.
pub fn describe_image(world: &World, id: NodeId) -> Result<String, String> {
    let image = world.image_of(id)?;
    let lag = world
        .metadata_lag(id)
        .map(|l| l.to_string())
        .unwrap_or_else(|_| "unknown".into());
    let mut out = format!(
        "Metadata image of {id}: offset {} (epoch {}), lag {lag}, {} topic(s), {} partition(s)\n",
        image.offset,
        image.last_epoch,
        image.topics.len(),
        image.partition_count
    );
    let features: Vec<String> = image
        .features
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    out += &format!("Features: {}\n", features.join(", "));
    if let Some(voters) = &image.voters {
        out += &format!(
            "Voters: {}\n",
            voters
                .iter()
                .map(|v| v.id.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
    }
    let rows: Vec<Vec<String>> = image
        .brokers
        .values()
        .map(|b| {
            let led = image.led_by(b.id);
            vec![
                b.id.to_string(),
                b.epoch.to_string(),
                b.fenced.to_string(),
                b.in_controlled_shutdown.to_string(),
                led.to_string(),
                b.incarnation.to_string(),
            ]
        })
        .collect();
    out += &pretty_print_table(
        &[
            "BrokerId",
            "BrokerEpoch",
            "Fenced",
            "InControlledShutdown",
            "Leads",
            "IncarnationId",
        ],
        &rows,
    );
    for ((kind, name), entries) in image.configs.iter() {
        let what = match (*kind, name.as_str()) {
            (CONFIG_BROKER, "") => "broker default".to_string(),
            (CONFIG_BROKER, b) => format!("broker {b}"),
            (CONFIG_TOPIC, t) => format!("topic {t}"),
            (_, n) => n.to_string(),
        };
        let kv: Vec<String> = entries.iter().map(|(k, v)| format!("{k}={v}")).collect();
        out += &format!("Configs of {what}: {}\n", kv.join(", "));
    }
    if image.partition_count <= 200 {
        out += &describe_topics(image, None)?;
    } else {
        out += &format!(
            "({} partitions: use `show topics <name>` for one topic)\n",
            image.partition_count
        );
    }
    Ok(out)
}

/// `show config <node>`: `server.properties`, `meta.properties`, and why the node is down if
/// it refused to start.
pub fn describe_config(world: &World, id: NodeId) -> Result<String, String> {
    let node = world
        .node(id)
        .ok_or_else(|| format!("there is no node {id}"))?;
    let mut out = format!("# server.properties of {id}\n{}", node.config.properties());
    match node.disk().and_then(|d| d.meta.as_ref()) {
        Some(meta) => {
            out += &format!(
                "# meta.properties\nversion=1\ncluster.id={}\nnode.id={}\ndirectory.id={}\n",
                meta.cluster_id, meta.node_id, meta.directory_id
            )
        }
        None => out += "# meta.properties: none (the storage is not formatted)\n",
    }
    if let Some(why) = node.failure() {
        out += &format!("# not running: {why}\n");
    }
    Ok(out)
}

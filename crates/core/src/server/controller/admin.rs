//! The admin requests the active controller serves: CreateTopics (with Kafka's replica
//! placement), DeleteTopics and IncrementalAlterConfigs. Each is a list of records; the request
//! is reported done once they commit.

use std::sync::Arc;

use crate::effect::Ctx;
use crate::kraft::Replica;
use crate::metadata::configs::{validate_broker_config, validate_topic_config};
use crate::metadata::placement;
use crate::record::{
    BrokerId, ConfigRecord, PartitionRecord, Record, RemoveTopicRecord, TopicRecord, CONFIG_BROKER,
    CONFIG_TOPIC,
};

use super::{Active, Controller, Pending};

impl Controller {
    /// The active controller's state, or the NOT_CONTROLLER error an admin request gets
    /// from any other node.
    fn active_or_refuse(&mut self) -> Result<&mut Active, String> {
        self.active
            .as_mut()
            .ok_or_else(|| "NOT_CONTROLLER: this node is not the active controller".into())
    }

    /// `CreateTopics`: a TopicRecord, the configs, then one PartitionRecord per partition,
    /// replicas placed as Kafka does without racks.
    pub fn create_topic(
        &mut self,
        raft: &mut Replica,
        name: &str,
        partitions: u32,
        replication_factor: u32,
        configs: &[(String, String)],
        ctx: &mut Ctx,
    ) -> Result<String, String> {
        let active = self.active_or_refuse()?;
        validate_topic_name(name)?;
        if active.image.topic_ids.contains_key(name) {
            return Err(format!(
                "TOPIC_ALREADY_EXISTS: Topic '{name}' already exists."
            ));
        }
        for (k, v) in configs {
            validate_topic_config(k, Some(v))?;
        }
        let brokers = active.image.usable_brokers();
        let assignment = placement::assign(partitions, replication_factor, &brokers, &mut |n| {
            ctx.draw(0..n)
        })?;
        let topic_id = ctx.draw_uuid();
        let mut records = Vec::with_capacity(2 + partitions as usize + configs.len());
        records.push(Record::Topic(Box::new(TopicRecord {
            name: name.to_string(),
            topic_id,
        })));
        for (k, v) in configs {
            records.push(Record::Config(Box::new(ConfigRecord {
                resource_type: CONFIG_TOPIC,
                resource_name: name.to_string(),
                name: k.clone(),
                value: Some(v.clone()),
            })));
        }
        for (p, replicas) in assignment.into_iter().enumerate() {
            let replicas: Arc<[BrokerId]> = replicas.into();
            records.push(Record::Partition(PartitionRecord {
                partition_id: p as i32,
                topic_id,
                leader: replicas[0],
                isr: replicas.clone(),
                replicas,
                leader_epoch: 0,
                partition_epoch: 0,
            }));
        }
        let what = format!("created topic {name} ({partitions} partition(s), replication factor {replication_factor})");
        let end = self
            .write(raft, records, Some(Pending::Done { what }), ctx)
            .ok_or("the controller could not write")?;
        Ok(format!(
            "CreateTopics {name}: records written, committed when the high watermark passes {end}"
        ))
    }

    /// `DeleteTopics`: a RemoveTopicRecord.
    pub fn delete_topic(
        &mut self,
        raft: &mut Replica,
        name: &str,
        ctx: &mut Ctx,
    ) -> Result<String, String> {
        let active = self.active_or_refuse()?;
        let topic_id = *active
            .image
            .topic_ids
            .get(name)
            .ok_or_else(|| format!("UNKNOWN_TOPIC_OR_PARTITION: This server does not host this topic-partition ({name})."))?;
        let what = format!("deleted topic {name}");
        self.write(
            raft,
            vec![Record::RemoveTopic(RemoveTopicRecord { topic_id })],
            Some(Pending::Done { what }),
            ctx,
        )
        .ok_or("the controller could not write")?;
        Ok(format!("DeleteTopics {name}: RemoveTopicRecord written"))
    }

    /// `IncrementalAlterConfigs` on a topic or a broker (`broker:<id>` or `broker` for the
    /// cluster default).
    pub fn alter_config(
        &mut self,
        raft: &mut Replica,
        resource: &str,
        key: &str,
        value: Option<&str>,
        ctx: &mut Ctx,
    ) -> Result<String, String> {
        let active = self.active_or_refuse()?;
        let (resource_type, resource_name) = if let Some(b) = resource.strip_prefix("broker:") {
            validate_broker_config(key, value)?;
            (CONFIG_BROKER, b.to_string())
        } else if resource == "broker" {
            validate_broker_config(key, value)?;
            (CONFIG_BROKER, String::new())
        } else {
            if !active.image.topic_ids.contains_key(resource) {
                return Err(format!(
                    "UNKNOWN_TOPIC_OR_PARTITION: topic {resource} does not exist"
                ));
            }
            validate_topic_config(key, value)?;
            (CONFIG_TOPIC, resource.to_string())
        };
        let record = Record::Config(Box::new(ConfigRecord {
            resource_type,
            resource_name,
            name: key.to_string(),
            value: value.map(str::to_string),
        }));
        let what = format!("set {key}={} on {resource}", value.unwrap_or("(deleted)"));
        self.write(raft, vec![record], Some(Pending::Done { what }), ctx)
            .ok_or("the controller could not write")?;
        Ok(format!(
            "IncrementalAlterConfigs {resource}: ConfigRecord written"
        ))
    }
}

/// Kafka's topic name rule.
fn validate_topic_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name == "." || name == ".." {
        return Err(format!(
            "INVALID_TOPIC_EXCEPTION: Topic name \"{name}\" is illegal"
        ));
    }
    if name.len() > 249 {
        return Err("INVALID_TOPIC_EXCEPTION: Topic name is illegal, it can't be longer than 249 characters".into());
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
    {
        return Err(format!(
            "INVALID_TOPIC_EXCEPTION: Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        ));
    }
    Ok(())
}

//! The records the active controller writes when a broker's standing changes: fencing it,
//! unfencing it, or starting its controlled shutdown, with the PartitionChangeRecords that take
//! it out of the ISRs and move the leadership it had. Pure functions of the image.

use crate::metadata::image::MetadataImage;
use crate::record::{
    BrokerId, BrokerRegistrationChangeRecord, PartitionChangeRecord, Record, NO_LEADER,
    NO_LEADER_CHANGE,
};

/// Is `b` fit to lead: registered, unfenced, not shutting down?
fn can_lead(image: &MetadataImage, b: BrokerId) -> bool {
    image
        .brokers
        .get(&b)
        .is_some_and(|r| !r.fenced && !r.in_controlled_shutdown)
}

/// PartitionChangeRecords that take broker `b` out of every ISR and move the leadership it had
/// to the first other ISR member that can lead (or to none). If `b` is the last ISR member, the
/// ISR is kept and the partition goes leaderless, as Kafka keeps the last replica in the ISR.
/// `keep_leader` is the teaching switch that forgets to move the leadership.
fn leave_partitions(image: &MetadataImage, b: BrokerId, keep_leader: bool) -> Vec<Record> {
    let mut out = Vec::new();
    for t in image.topics.values() {
        for (i, p) in t.partitions.iter().enumerate() {
            if !p.isr.contains(&b) && p.leader != b {
                continue;
            }
            let isr: Vec<BrokerId> = p.isr.iter().copied().filter(|x| *x != b).collect();
            let record = if isr.is_empty() {
                PartitionChangeRecord {
                    partition_id: i as i32,
                    topic_id: t.id,
                    isr: None,
                    leader: if p.leader == b {
                        NO_LEADER
                    } else {
                        NO_LEADER_CHANGE
                    },
                }
            } else {
                let leader = if keep_leader {
                    NO_LEADER_CHANGE
                } else if p.leader == b || p.leader == NO_LEADER {
                    p.replicas
                        .iter()
                        .copied()
                        .find(|r| isr.contains(r) && can_lead(image, *r))
                        .unwrap_or(NO_LEADER)
                } else {
                    NO_LEADER_CHANGE
                };
                PartitionChangeRecord {
                    partition_id: i as i32,
                    topic_id: t.id,
                    isr: Some(isr.into()),
                    leader,
                }
            };
            if record.isr.is_some() || record.leader != NO_LEADER_CHANGE {
                out.push(Record::PartitionChange(record));
            }
        }
    }
    out
}

/// Fencing an expired broker: partition changes first, then the fence record.
pub(super) fn fence_records(image: &MetadataImage, b: BrokerId, keep_leader: bool) -> Vec<Record> {
    let mut records = leave_partitions(image, b, keep_leader);
    if let Some(reg) = image.brokers.get(&b) {
        records.push(Record::BrokerRegistrationChange(
            BrokerRegistrationChangeRecord {
                broker_id: b,
                broker_epoch: reg.epoch,
                fenced: 1,
                in_controlled_shutdown: 0,
            },
        ));
    }
    records
}

/// Entering a controlled shutdown: mark it, then move leadership away.
pub(super) fn controlled_shutdown_records(image: &MetadataImage, b: BrokerId) -> Vec<Record> {
    let mut records = Vec::new();
    if let Some(reg) = image.brokers.get(&b) {
        records.push(Record::BrokerRegistrationChange(
            BrokerRegistrationChangeRecord {
                broker_id: b,
                broker_epoch: reg.epoch,
                fenced: 0,
                in_controlled_shutdown: 1,
            },
        ));
    }
    let mut after = image.clone();
    let _ = after.apply_all(image.offset, image.last_epoch, &records);
    records.extend(leave_partitions(&after, b, false));
    records
}

/// Unfencing: the unfence record, then leadership for leaderless partitions it is in the ISR of.
pub(super) fn unfence_records(image: &MetadataImage, b: BrokerId) -> Vec<Record> {
    let mut records = Vec::new();
    let Some(reg) = image.brokers.get(&b) else {
        return records;
    };
    records.push(Record::BrokerRegistrationChange(
        BrokerRegistrationChangeRecord {
            broker_id: b,
            broker_epoch: reg.epoch,
            fenced: -1,
            in_controlled_shutdown: 0,
        },
    ));
    for t in image.topics.values() {
        for (i, p) in t.partitions.iter().enumerate() {
            if p.leader == NO_LEADER && p.isr.contains(&b) {
                records.push(Record::PartitionChange(PartitionChangeRecord {
                    partition_id: i as i32,
                    topic_id: t.id,
                    isr: None,
                    leader: b,
                }));
            }
        }
    }
    records
}

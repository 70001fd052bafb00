//! The metadata image: what a node knows about the cluster after applying committed records
//! (Kafka's `MetadataImage`, built by `MetadataDelta.replay`): features, brokers, topics with
//! their partitions (leader, ISR, epochs), configs, and the voter set.
//!
//! Images are immutable values made of `Arc`-shared parts: applying a record copies only the
//! part it changes. [`ImageMemo`] goes further: applying the same batch to the same image is a
//! pure function, so nodes that apply the same (shared) batches share the resulting image
//! instead of building six copies of a million partitions.

use std::collections::BTreeMap;

use crate::flat::FlatMap;
use std::sync::Arc;

use crate::record::{BrokerId, Record, Voter, NO_LEADER, NO_LEADER_CHANGE};
use crate::types::{Epoch, Offset};
use crate::uuid::Uuid;

/// A broker as the image knows it (`BrokerRegistration`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BrokerRegistration {
    /// `BrokerId`.
    pub id: BrokerId,
    /// `BrokerEpoch`: offset of the RegisterBrokerRecord of this incarnation's first
    /// registration.
    pub epoch: i64,
    /// Offset of its latest RegisterBrokerRecord (`registerBrokerRecordOffset`): the epoch, or
    /// later if the same incarnation registered again (an amended record keeps the epoch). A
    /// heartbeat is caught up once it reports this offset applied.
    pub register_record_offset: Offset,
    /// Its process incarnation.
    pub incarnation: Uuid,
    /// Fenced brokers lead nothing and are not in ISRs.
    pub fenced: bool,
    /// Moving its leadership away before stopping.
    pub in_controlled_shutdown: bool,
}

/// A partition's state (`PartitionRegistration`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PartitionRegistration {
    /// Assigned replicas, preferred leader first.
    pub replicas: Arc<[BrokerId]>,
    /// In-sync replicas.
    pub isr: Arc<[BrokerId]>,
    /// Leader, or -1.
    pub leader: BrokerId,
    /// Bumped when the leader changes.
    pub leader_epoch: i32,
    /// Bumped by every change.
    pub partition_epoch: i32,
}

/// A topic and its partitions (indexed by partition id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicImage {
    /// Topic name.
    pub name: Arc<str>,
    /// Topic id.
    pub id: Uuid,
    /// Partitions by id.
    pub partitions: Vec<PartitionRegistration>,
}

/// The whole image.
#[derive(Clone, Debug, Default)]
pub struct MetadataImage {
    /// Offset just past the last applied record: the node's metadata offset.
    pub offset: Offset,
    /// Epoch of the last applied record.
    pub last_epoch: Epoch,
    /// Finalized features (`metadata.version`, …).
    pub features: Arc<FlatMap<String, i16>>,
    /// Registered brokers.
    pub brokers: Arc<FlatMap<BrokerId, BrokerRegistration>>,
    /// Topic ids by name.
    pub topic_ids: Arc<BTreeMap<Arc<str>, Uuid>>,
    /// Topics by id.
    pub topics: Arc<BTreeMap<Uuid, Arc<TopicImage>>>,
    /// Dynamic configs by (resource type, resource name).
    pub configs: Arc<FlatMap<(u8, String), FlatMap<String, String>>>,
    /// The voter set of the last VotersRecord, if any, each voter with its directory id.
    pub voters: Option<Arc<[Voter]>>,
    /// Number of partitions, all topics together.
    pub partition_count: usize,
    /// Order-independent fingerprint of the content, kept up to date as records apply.
    pub digest: u64,
}

fn h<T: std::hash::Hash>(t: &T) -> u64 {
    use std::hash::Hasher;
    let mut s = std::hash::DefaultHasher::new();
    t.hash(&mut s);
    s.finish()
}

/// Why a record could not be applied (Kafka treats replay errors as fatal).
pub type ReplayError = String;

impl MetadataImage {
    /// Two images with the same offset and content fingerprint.
    pub fn same_content(&self, other: &MetadataImage) -> bool {
        self.offset == other.offset
            && self.digest == other.digest
            && self.partition_count == other.partition_count
    }

    /// The topic called `name`.
    pub fn topic(&self, name: &str) -> Option<&Arc<TopicImage>> {
        self.topics.get(self.topic_ids.get(name)?)
    }

    /// Unfenced brokers that are not shutting down: where new replicas may go.
    pub fn usable_brokers(&self) -> Vec<BrokerId> {
        self.brokers
            .values()
            .filter(|b| !b.fenced && !b.in_controlled_shutdown)
            .map(|b| b.id)
            .collect()
    }

    fn swap_digest(&mut self, old: Option<u64>, new: Option<u64>) {
        if let Some(o) = old {
            self.digest = self.digest.wrapping_sub(o);
        }
        if let Some(n) = new {
            self.digest = self.digest.wrapping_add(n);
        }
    }

    fn partition_hash(topic: Uuid, id: i32, p: &PartitionRegistration) -> u64 {
        h(&("partition", topic, id, p))
    }

    /// Applies one committed record at `offset` of `epoch`.
    pub fn apply(
        &mut self,
        offset: Offset,
        epoch: Epoch,
        record: &Record,
    ) -> Result<(), ReplayError> {
        match record {
            Record::LeaderChange(_) | Record::Data(_) | Record::NoOp => {}
            Record::Voters(v) => {
                let old = self.voters.as_ref().map(|v| h(&("voters", v)));
                let new: Arc<[Voter]> = v.voters.clone().into();
                self.swap_digest(old, Some(h(&("voters", &new))));
                self.voters = Some(new);
            }
            Record::FeatureLevel(r) => {
                let features = Arc::make_mut(&mut self.features);
                let old = features
                    .insert(r.name.clone(), r.feature_level)
                    .map(|l| h(&("feature", &r.name, l)));
                self.swap_digest(old, Some(h(&("feature", &r.name, r.feature_level))));
            }
            Record::RegisterBroker(r) => {
                let reg = BrokerRegistration {
                    id: r.broker_id,
                    epoch: r.broker_epoch,
                    register_record_offset: offset,
                    incarnation: r.incarnation_id,
                    fenced: r.fenced,
                    in_controlled_shutdown: r.in_controlled_shutdown,
                };
                let new = h(&reg);
                let old = Arc::make_mut(&mut self.brokers)
                    .insert(r.broker_id, reg)
                    .map(|o| h(&o));
                self.swap_digest(old, Some(new));
            }
            Record::BrokerRegistrationChange(r) => {
                let brokers = Arc::make_mut(&mut self.brokers);
                let b = brokers.get_mut(&r.broker_id).ok_or_else(|| {
                    format!(
                        "BrokerRegistrationChangeRecord for unknown broker {}",
                        r.broker_id
                    )
                })?;
                if b.epoch != r.broker_epoch {
                    return Err(format!(
                        "BrokerRegistrationChangeRecord for broker {} epoch {} but it is registered with epoch {}",
                        r.broker_id, r.broker_epoch, b.epoch
                    ));
                }
                let old = h(b);
                match r.fenced {
                    1 => b.fenced = true,
                    -1 => b.fenced = false,
                    _ => {}
                }
                if r.in_controlled_shutdown == 1 {
                    b.in_controlled_shutdown = true;
                }
                if r.fenced == -1 {
                    b.in_controlled_shutdown = false;
                }
                let new = h(b);
                self.swap_digest(Some(old), Some(new));
            }
            Record::Topic(r) => {
                if self.topics.contains_key(&r.topic_id) {
                    return Err(format!(
                        "TopicRecord for an existing topic id {}",
                        r.topic_id
                    ));
                }
                let name: Arc<str> = r.name.as_str().into();
                Arc::make_mut(&mut self.topic_ids).insert(name.clone(), r.topic_id);
                Arc::make_mut(&mut self.topics).insert(
                    r.topic_id,
                    Arc::new(TopicImage {
                        name: name.clone(),
                        id: r.topic_id,
                        partitions: Vec::new(),
                    }),
                );
                self.swap_digest(None, Some(h(&("topic", r.topic_id, &*name))));
            }
            Record::Partition(r) => {
                let topics = Arc::make_mut(&mut self.topics);
                let topic = topics
                    .get_mut(&r.topic_id)
                    .ok_or_else(|| format!("PartitionRecord for unknown topic {}", r.topic_id))?;
                let topic = Arc::make_mut(topic);
                let reg = PartitionRegistration {
                    replicas: r.replicas.clone(),
                    isr: r.isr.clone(),
                    leader: r.leader,
                    leader_epoch: r.leader_epoch,
                    partition_epoch: r.partition_epoch,
                };
                let new = Self::partition_hash(r.topic_id, r.partition_id, &reg);
                let index = r.partition_id as usize;
                let old = if index < topic.partitions.len() {
                    let old =
                        Self::partition_hash(r.topic_id, r.partition_id, &topic.partitions[index]);
                    topic.partitions[index] = reg;
                    Some(old)
                } else if index == topic.partitions.len() {
                    topic.partitions.push(reg);
                    self.partition_count += 1;
                    None
                } else {
                    return Err(format!(
                        "PartitionRecord {} of {} skips partitions",
                        r.partition_id, topic.name
                    ));
                };
                self.swap_digest(old, Some(new));
            }
            Record::PartitionChange(r) => {
                let topics = Arc::make_mut(&mut self.topics);
                let topic = topics.get_mut(&r.topic_id).ok_or_else(|| {
                    format!("PartitionChangeRecord for unknown topic {}", r.topic_id)
                })?;
                let topic = Arc::make_mut(topic);
                let p = topic
                    .partitions
                    .get_mut(r.partition_id as usize)
                    .ok_or_else(|| {
                        format!(
                            "PartitionChangeRecord for unknown partition {}",
                            r.partition_id
                        )
                    })?;
                let old = Self::partition_hash(r.topic_id, r.partition_id, p);
                if let Some(isr) = &r.isr {
                    p.isr = isr.clone();
                }
                if r.leader != NO_LEADER_CHANGE && r.leader != p.leader {
                    p.leader = r.leader;
                    p.leader_epoch += 1;
                }
                p.partition_epoch += 1;
                let new = Self::partition_hash(r.topic_id, r.partition_id, p);
                self.swap_digest(Some(old), Some(new));
            }
            Record::Config(r) => {
                let configs = Arc::make_mut(&mut self.configs);
                let key = (r.resource_type, r.resource_name.clone());
                let entry = configs.entry(key.clone()).or_default();
                let old = entry.get(&r.name).map(|v| h(&("config", &key, &r.name, v)));
                let new = match &r.value {
                    Some(v) => {
                        entry.insert(r.name.clone(), v.clone());
                        Some(h(&("config", &key, &r.name, v)))
                    }
                    None => {
                        entry.remove(&r.name);
                        None
                    }
                };
                if entry.is_empty() {
                    configs.remove(&key);
                }
                self.swap_digest(old, new);
            }
            Record::RemoveTopic(r) => {
                let topic = Arc::make_mut(&mut self.topics)
                    .remove(&r.topic_id)
                    .ok_or_else(|| format!("RemoveTopicRecord for unknown topic {}", r.topic_id))?;
                Arc::make_mut(&mut self.topic_ids).remove(&topic.name);
                let mut removed = h(&("topic", topic.id, &*topic.name));
                for (i, p) in topic.partitions.iter().enumerate() {
                    removed = removed.wrapping_add(Self::partition_hash(topic.id, i as i32, p));
                }
                self.partition_count -= topic.partitions.len();
                self.swap_digest(Some(removed), None);
                let key = (crate::record::CONFIG_TOPIC, topic.name.to_string());
                if let Some(cfg) = Arc::make_mut(&mut self.configs).remove(&key) {
                    for (k, v) in cfg {
                        self.swap_digest(Some(h(&("config", &key, &k, &v))), None);
                    }
                }
            }
        }
        self.offset = offset + 1;
        self.last_epoch = epoch;
        Ok(())
    }

    /// Applies `records` starting at `base_offset`.
    pub fn apply_all(
        &mut self,
        base_offset: Offset,
        epoch: Epoch,
        records: &[Record],
    ) -> Result<(), ReplayError> {
        for (i, r) in records.iter().enumerate() {
            self.apply(base_offset + i as Offset, epoch, r)?;
        }
        Ok(())
    }

    /// The partitions a broker leads.
    pub fn led_by(&self, broker: BrokerId) -> usize {
        self.topics
            .values()
            .flat_map(|t| t.partitions.iter())
            .filter(|p| p.leader == broker)
            .count()
    }

    /// True if the leader of every partition is in its ISR (or there is none).
    pub fn leaders_in_isr(&self) -> Result<(), String> {
        for t in self.topics.values() {
            for (i, p) in t.partitions.iter().enumerate() {
                if p.leader != NO_LEADER && !p.isr.contains(&p.leader) {
                    return Err(format!(
                        "{}-{i}: leader {} is not in its ISR {}",
                        t.name,
                        p.leader,
                        crate::text::List(&p.isr)
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The partitions of `now` that are not shared with `before`, with their state in `before`
/// (`None` for a partition `before` lacks). Topics both images share (the same `Arc`) are
/// skipped without looking inside, so comparing consecutive images costs what changed.
pub fn changed_partitions<'a>(
    before: &'a MetadataImage,
    now: &'a MetadataImage,
) -> impl Iterator<
    Item = (
        &'a TopicImage,
        usize,
        Option<&'a PartitionRegistration>,
        &'a PartitionRegistration,
    ),
> + 'a {
    let same = Arc::ptr_eq(&before.topics, &now.topics);
    now.topics
        .iter()
        .filter(move |_| !same)
        .filter(move |(id, t)| before.topics.get(*id).is_none_or(|b| !Arc::ptr_eq(b, t)))
        .flat_map(move |(id, t)| {
            let old = before.topics.get(id);
            t.partitions.iter().enumerate().filter_map(move |(i, p)| {
                let was = old.and_then(|o| o.partitions.get(i));
                (was != Some(p)).then_some((&**t, i, was, p))
            })
        })
}

/// A small cache of `apply(image, batch) -> image`: a pure function, memoized so that nodes
/// applying the same shared batch to the same shared image share the result. It holds strong
/// references to its keys, so a key's address can never be reused by another value.
#[derive(Clone, Debug, Default)]
pub struct ImageMemo {
    entries: Vec<MemoEntry>,
    next: usize,
    empty: Option<Arc<MetadataImage>>,
}

/// One memoized application: (image before, batch, records applied, image after).
type MemoEntry = (
    Arc<MetadataImage>,
    Arc<[Record]>,
    Offset,
    Arc<MetadataImage>,
);

const MEMO_SIZE: usize = 48;

impl ImageMemo {
    /// The one empty image every loader starts from, so that their first applications (and
    /// hence all later ones) meet in the memo.
    pub fn empty(&mut self) -> Arc<MetadataImage> {
        self.empty
            .get_or_insert_with(|| Arc::new(MetadataImage::default()))
            .clone()
    }

    /// `image` with `records[..len]` (starting at `base`) applied, shared if seen before.
    pub fn apply(
        &mut self,
        image: &Arc<MetadataImage>,
        base: Offset,
        epoch: Epoch,
        records: &Arc<[Record]>,
        len: usize,
    ) -> Result<Arc<MetadataImage>, ReplayError> {
        let end = base + len as Offset;
        if let Some((_, _, _, result)) = self
            .entries
            .iter()
            .find(|(i, r, e, _)| Arc::ptr_eq(i, image) && Arc::ptr_eq(r, records) && *e == end)
        {
            return Ok(result.clone());
        }
        let mut next = (**image).clone();
        next.apply_all(base, epoch, &records[..len])?;
        let next = Arc::new(next);
        let entry = (image.clone(), records.clone(), end, next.clone());
        if self.entries.len() < MEMO_SIZE {
            self.entries.push(entry);
        } else {
            self.entries[self.next] = entry;
            self.next = (self.next + 1) % MEMO_SIZE;
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::*;

    fn topic(id: u128, name: &str) -> Record {
        Record::Topic(Box::new(TopicRecord {
            name: name.into(),
            topic_id: Uuid(id),
        }))
    }

    fn partition(t: u128, p: i32, replicas: &[i32]) -> Record {
        let r: Arc<[i32]> = replicas.into();
        Record::Partition(PartitionRecord {
            partition_id: p,
            topic_id: Uuid(t),
            replicas: r.clone(),
            isr: r,
            leader: replicas[0],
            leader_epoch: 0,
            partition_epoch: 0,
        })
    }

    #[test]
    fn changes_bump_epochs_like_kafka() {
        let mut img = MetadataImage::default();
        img.apply_all(0, 1, &[topic(1, "t"), partition(1, 0, &[0, 1, 2])])
            .unwrap();
        let change = |isr: Option<&[i32]>, leader: i32| {
            Record::PartitionChange(PartitionChangeRecord {
                partition_id: 0,
                topic_id: Uuid(1),
                isr: isr.map(|i| i.into()),
                leader,
            })
        };
        img.apply(2, 1, &change(Some(&[0, 1]), NO_LEADER_CHANGE))
            .unwrap();
        let p = &img.topic("t").unwrap().partitions[0];
        assert_eq!(
            (p.leader_epoch, p.partition_epoch),
            (0, 1),
            "an ISR change bumps only the partition epoch"
        );
        img.apply(3, 1, &change(Some(&[1]), 1)).unwrap();
        let p = &img.topic("t").unwrap().partitions[0];
        assert_eq!((p.leader, p.leader_epoch, p.partition_epoch), (1, 1, 2));
        assert_eq!(img.offset, 4);
    }

    #[test]
    fn digest_is_order_independent_and_tracks_content() {
        let mut a = MetadataImage::default();
        a.apply_all(
            0,
            1,
            &[
                topic(1, "a"),
                partition(1, 0, &[0]),
                topic(2, "b"),
                partition(2, 0, &[1]),
            ],
        )
        .unwrap();
        let mut b = MetadataImage::default();
        b.apply_all(
            0,
            1,
            &[
                topic(2, "b"),
                partition(2, 0, &[1]),
                topic(1, "a"),
                partition(1, 0, &[0]),
            ],
        )
        .unwrap();
        assert!(a.same_content(&b));
        let before = a.digest;
        a.apply(
            4,
            1,
            &Record::RemoveTopic(RemoveTopicRecord { topic_id: Uuid(2) }),
        )
        .unwrap();
        assert_ne!(a.digest, before);
        let mut c = MetadataImage::default();
        c.apply_all(0, 1, &[topic(1, "a"), partition(1, 0, &[0])])
            .unwrap();
        assert_eq!(
            a.digest, c.digest,
            "removing a topic takes its fingerprint out"
        );
        assert_eq!(a.partition_count, 1);
    }

    #[test]
    fn bad_records_are_reported_not_applied() {
        let mut img = MetadataImage::default();
        assert!(img.apply(0, 1, &partition(9, 0, &[0])).is_err());
        assert!(img
            .apply(
                0,
                1,
                &Record::BrokerRegistrationChange(BrokerRegistrationChangeRecord {
                    broker_id: 4,
                    broker_epoch: 1,
                    fenced: 1,
                    in_controlled_shutdown: 0
                })
            )
            .is_err());
    }

    #[test]
    fn the_memo_shares_results() {
        let mut memo = ImageMemo::default();
        let base = Arc::new(MetadataImage::default());
        let records: Arc<[Record]> = vec![topic(1, "a"), partition(1, 0, &[0])].into();
        let x = memo.apply(&base, 0, 1, &records, 2).unwrap();
        let y = memo.apply(&base, 0, 1, &records, 2).unwrap();
        assert!(Arc::ptr_eq(&x, &y));
        let other: Arc<[Record]> = vec![topic(1, "a"), partition(1, 0, &[0])].into();
        let z = memo.apply(&base, 0, 1, &other, 2).unwrap();
        assert!(!Arc::ptr_eq(&x, &z));
        assert!(x.same_content(&z));
    }
}

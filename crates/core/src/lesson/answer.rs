//! A prediction's answer: an expression read from the run when the step's `wait` is met, whose
//! value names the right choice. A node (`leader`, `follower`, `controller`, `zk-leader`, a
//! name bound with `as`, `leader of <topic>-<p>`) or a number (`epoch`, `hw`, `hw <node>`,
//! `leo <node>`, `offset of <RecordType> <topic>[-<p>]`). Or, for a question about something
//! the simulator does not model (the order of a migration's phases), a fixed text in double
//! quotes (`answer: "2"`).

use crate::flat::FlatMap;
use crate::record::{Record, TYPE_NAMES};
use crate::scenario::node_ref::NodeRef;
use crate::scenario::parse::tokenize;
use crate::sim::World;
use crate::text::suggest;
use crate::types::NodeId;

/// What a `predict` block's `answer:` reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A node as the scenario language names it.
    Node(NodeRef),
    /// The highest epoch of a live voter.
    Epoch,
    /// The active controller's high watermark (`hw`) or a node's (`hw <node>`).
    Hw(Option<NodeRef>),
    /// A node's log end offset.
    Leo(NodeRef),
    /// The leader of a partition, as the metadata says.
    PartitionLeader(String, u32),
    /// The offset of the first record of a type about a topic (and partition) in the active
    /// controller's log.
    OffsetOf(&'static str, String, Option<u32>),
    /// A fixed answer, `"…"`: for questions the run cannot answer (what the simulator does not
    /// model), so the choice is judged against the text itself.
    Fixed(String),
}

fn topic_partition(t: &str) -> Option<(String, u32)> {
    let (name, p) = t.rsplit_once('-')?;
    Some((name.to_string(), p.parse().ok()?)).filter(|(n, _)| !n.is_empty())
}

impl Answer {
    /// Reads an answer expression.
    pub fn parse(text: &str) -> Result<Answer, String> {
        let trimmed = text.trim();
        if let Some(fixed) = trimmed.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            if fixed.is_empty() || fixed.contains('"') {
                return Err(format!(
                    "a fixed answer is one text in double quotes, got `{trimmed}`"
                ));
            }
            return Ok(Answer::Fixed(fixed.to_string()));
        }
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|s| s.as_str()).collect();
        Ok(match words.as_slice() {
            ["epoch"] => Answer::Epoch,
            ["hw"] => Answer::Hw(None),
            ["hw", n] => Answer::Hw(Some(NodeRef::parse(n)?)),
            ["leo", n] => Answer::Leo(NodeRef::parse(n)?),
            ["leader", "of", tp] => {
                let (t, p) = topic_partition(tp)
                    .ok_or_else(|| format!("expected a partition like `orders-2`, got `{tp}`"))?;
                Answer::PartitionLeader(t, p)
            }
            ["offset", "of", kind, what] => {
                let kind = TYPE_NAMES.iter().find(|k| *k == kind).ok_or_else(|| {
                    format!(
                        "`{kind}` is not a record type{}",
                        suggest(kind, TYPE_NAMES)
                    )
                })?;
                match topic_partition(what) {
                    Some((t, p)) if *kind != "TopicRecord" => {
                        Answer::OffsetOf(kind, t, Some(p))
                    }
                    _ => Answer::OffsetOf(kind, what.to_string(), None),
                }
            }
            [n] => Answer::Node(NodeRef::parse(n)?),
            _ => {
                return Err(format!(
                    "cannot read answer `{text}`: expected a node (leader, follower, a bound name, leader of <topic>-<p>) or a number (epoch, hw, hw <node>, leo <node>, offset of <RecordType> <topic>-<p>)"
                ))
            }
        })
    }

    /// The answer's value now, as a choice would spell it.
    pub fn value(&self, world: &World, names: &FlatMap<String, NodeId>) -> Result<String, String> {
        Ok(match self {
            Answer::Fixed(text) => text.clone(),
            Answer::Node(n) => n.resolve(world, names)?.to_string(),
            Answer::Epoch => world
                .voters()
                .iter()
                .filter_map(|v| world.node(*v)?.replica())
                .map(|r| r.epoch())
                .max()
                .unwrap_or(0)
                .to_string(),
            Answer::Hw(None) => {
                let l = world
                    .active_leader()
                    .ok_or("there is no active controller")?;
                hw_of(world, l)?
            }
            Answer::Hw(Some(n)) => hw_of(world, n.resolve(world, names)?)?,
            Answer::Leo(n) => {
                let id = n.resolve(world, names)?;
                world
                    .node(id)
                    .and_then(|x| x.disk())
                    .map(|d| d.log.end_offset().to_string())
                    .ok_or_else(|| format!("{id} has no log"))?
            }
            Answer::PartitionLeader(t, p) => {
                let image = world.authority_image()?;
                let topic = image
                    .topic(t)
                    .ok_or_else(|| format!("there is no topic {t}"))?;
                let part = topic
                    .partitions
                    .get(*p as usize)
                    .ok_or_else(|| format!("{t} has no partition {p}"))?;
                part.leader.to_string()
            }
            Answer::OffsetOf(kind, topic, partition) => {
                let leader = world
                    .active_leader()
                    .ok_or("there is no active controller to read the log of")?;
                let log = &world
                    .node(leader)
                    .and_then(|n| n.disk())
                    .ok_or("the active controller has no log")?
                    .log;
                let image = world.authority_image()?;
                let id = image
                    .topic(topic)
                    .map(|t| t.id)
                    .ok_or_else(|| format!("there is no topic {topic}"))?;
                log.entries(log.start_offset(), log.end_offset())
                    .find(|(_, _, r)| about(r, kind, id, *partition))
                    .map(|(o, _, _)| o.to_string())
                    .ok_or_else(|| {
                        format!(
                            "the log (from offset {}) holds no {kind} of {topic}",
                            log.start_offset()
                        )
                    })?
            }
        })
    }
}

fn hw_of(world: &World, id: NodeId) -> Result<String, String> {
    world
        .node(id)
        .and_then(|n| n.replica())
        .and_then(|r| r.high_watermark())
        .map(|h| h.to_string())
        .ok_or_else(|| format!("{id} knows no high watermark"))
}

/// True if `r` is a record of type `kind` about topic `id` (and partition `p`).
fn about(r: &Record, kind: &str, id: crate::uuid::Uuid, p: Option<u32>) -> bool {
    if r.type_name() != kind {
        return false;
    }
    match r {
        Record::Topic(t) => t.topic_id == id,
        Record::Partition(x) => x.topic_id == id && p.is_none_or(|p| x.partition_id as u32 == p),
        Record::PartitionChange(x) => {
            x.topic_id == id && p.is_none_or(|p| x.partition_id as u32 == p)
        }
        Record::RemoveTopic(x) => x.topic_id == id,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_answer_is_its_text_and_a_bad_one_says_why() {
        assert_eq!(Answer::parse("\"4\""), Ok(Answer::Fixed("4".into())));
        assert_eq!(
            Answer::parse(" \"card 2\" "),
            Ok(Answer::Fixed("card 2".into()))
        );
        for bad in ["\"\"", "\"a\"b\""] {
            let e = Answer::parse(bad).unwrap_err();
            assert!(e.contains("one text in double quotes"), "{bad}: {e}");
        }
        assert_eq!(
            Answer::parse("leader"),
            Ok(Answer::Node(NodeRef::parse("leader").unwrap()))
        );
    }
}

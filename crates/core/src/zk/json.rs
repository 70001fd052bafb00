//! The JSON Kafka keeps in znodes (`KafkaZkClient`'s formats), written and read back with
//! serde. Each znode has a struct whose field order is the order Kafka writes (serde_json keeps
//! declaration order); maps whose key order matters serialize through a small impl rather than
//! a hash map. Only the shapes Kafka writes are understood: anything else reads as `None`,
//! never a panic.

use crate::flat::FlatMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::rpc::PartitionState;

/// Writes a znode struct. Serializing these plain structs cannot fail.
/// (Not `expect`: printing the error's `Debug` would bring serde_json's error text and
/// `str`'s escaping into the browser bundle.)
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| unreachable!("znode JSON is plain data"))
}

/// An empty JSON object (`{}`): Kafka's empty `features` and replica-move maps.
#[derive(Serialize)]
struct EmptyObject {}

/// `/brokers/ids/<id>`, in `BrokerInfo.toJsonBytes`'s field order.
#[derive(Serialize)]
struct BrokerRegistration<'a> {
    features: EmptyObject,
    listener_security_protocol_map: FlatMap<&'a str, &'a str>,
    endpoints: [String; 1],
    jmx_port: i32,
    port: u16,
    host: String,
    version: u32,
}

/// `/brokers/ids/<id>`: a broker's registration.
pub fn broker_registration(id: i32) -> String {
    to_json(&BrokerRegistration {
        features: EmptyObject {},
        listener_security_protocol_map: FlatMap::from([("PLAINTEXT", "PLAINTEXT")]),
        endpoints: [format!("PLAINTEXT://broker-{id}:9092")],
        jmx_port: -1,
        port: 9092,
        host: format!("broker-{id}"),
        version: 5,
    })
}

/// `/controller`, as `ControllerZNode.encode` writes it (the timestamp is a string there).
#[derive(Serialize)]
struct ControllerZnode {
    version: u32,
    brokerid: i32,
    timestamp: String,
    #[serde(rename = "kraftControllerEpoch")]
    kraft_controller_epoch: i32,
}

/// `/controller`: who is the controller.
pub fn controller(broker: i32, timestamp_ms: u64) -> String {
    to_json(&ControllerZnode {
        version: 2,
        brokerid: broker,
        timestamp: timestamp_ms.to_string(),
        kraft_controller_epoch: -1,
    })
}

/// What is read back from `/controller`: the broker it names (other fields are ignored).
#[derive(Deserialize)]
struct ControllerRead {
    brokerid: i32,
}

/// The broker a `/controller` znode names.
pub fn controller_broker(json: &str) -> Option<i32> {
    serde_json::from_str::<ControllerRead>(json)
        .ok()
        .map(|c| c.brokerid)
}

/// Partition `p`'s replicas under the key `"p"`, in partition order (a string-keyed map
/// would sort `"10"` before `"2"`).
struct ByPartition<'a>(&'a [Vec<i32>]);

impl Serialize for ByPartition<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (p, replicas) in self.0.iter().enumerate() {
            map.serialize_entry(&p, replicas)?;
        }
        map.end()
    }
}

/// `/brokers/topics/<topic>`, in `TopicZNode.encode`'s field order.
#[derive(Serialize)]
struct TopicAssignment<'a> {
    partitions: ByPartition<'a>,
    topic_id: &'a str,
    adding_replicas: EmptyObject,
    removing_replicas: EmptyObject,
    version: u32,
}

/// `/brokers/topics/<topic>`: the replica assignment.
pub fn assignment(replicas: &[Vec<i32>]) -> String {
    to_json(&TopicAssignment {
        partitions: ByPartition(replicas),
        topic_id: "",
        adding_replicas: EmptyObject {},
        removing_replicas: EmptyObject {},
        version: 3,
    })
}

/// What is read back from `/brokers/topics/<topic>`.
#[derive(Deserialize)]
struct AssignmentRead {
    partitions: FlatMap<u32, Vec<i32>>,
}

/// Reads a replica assignment back: partition `p`'s replicas at index `p`; `None` unless the
/// partitions are exactly 0..n.
pub fn parse_assignment(json: &str) -> Option<Vec<Vec<i32>>> {
    let read: AssignmentRead = serde_json::from_str(json).ok()?;
    let ok = read
        .partitions
        .keys()
        .enumerate()
        .all(|(i, p)| *p as usize == i);
    ok.then(|| read.partitions.into_values().collect())
}

/// `/brokers/topics/<topic>/partitions/<p>/state`, in `TopicPartitionStateZNode.encode`'s
/// field order.
#[derive(Serialize)]
struct PartitionStateZnode<'a> {
    controller_epoch: u32,
    leader: i32,
    version: u32,
    leader_epoch: i32,
    isr: &'a [i32],
}

/// `/brokers/topics/<topic>/partitions/<p>/state`.
pub fn partition_state(s: &PartitionState, controller_epoch: u32) -> String {
    to_json(&PartitionStateZnode {
        controller_epoch,
        leader: s.leader,
        version: 1,
        leader_epoch: s.leader_epoch,
        isr: &s.isr,
    })
}

/// What is read back from a partition state znode: its leader, leader epoch and ISR.
#[derive(Deserialize)]
struct PartitionStateRead {
    leader: i32,
    leader_epoch: i32,
    isr: Vec<i32>,
}

/// A partition state znode's leader (-1: none) and ISR.
pub fn leader_and_isr(json: &str) -> Option<(i32, Vec<i32>)> {
    let read: PartitionStateRead = serde_json::from_str(json).ok()?;
    Some((read.leader, read.isr))
}

/// Reads a partition state back.
pub fn parse_partition_state(
    topic: &str,
    partition: u32,
    json: &str,
    replicas: &[i32],
) -> Option<PartitionState> {
    let read: PartitionStateRead = serde_json::from_str(json).ok()?;
    Some(PartitionState {
        topic: topic.to_string(),
        partition,
        leader: read.leader,
        leader_epoch: read.leader_epoch,
        isr: read.isr,
        replicas: replicas.to_vec(),
    })
}

/// The modelled partitions' znode (ours, not Kafka's).
#[derive(Serialize)]
struct Modelled<'a> {
    partitions: u64,
    leaders: &'a FlatMap<i32, u64>,
}

/// The modelled partitions' znode: how many there are and how many each broker leads (`-1`:
/// no leader). Keys in numeric order, as the map holds them.
pub fn modelled(leaders: &FlatMap<i32, u64>) -> String {
    to_json(&Modelled {
        partitions: leaders.values().sum(),
        leaders,
    })
}

/// What is read back from the modelled partitions' znode (the total is derived).
#[derive(Deserialize)]
struct ModelledRead {
    leaders: FlatMap<i32, u64>,
}

/// Reads the modelled partitions' znode back.
pub fn parse_modelled(json: &str) -> Option<FlatMap<i32, u64>> {
    serde_json::from_str::<ModelledRead>(json)
        .ok()
        .map(|m| m.leaders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_back() {
        let a = vec![vec![0, 1, 2], vec![1, 2, 0]];
        assert_eq!(parse_assignment(&assignment(&a)), Some(a));
        let s = PartitionState {
            topic: "t".into(),
            partition: 3,
            leader: 2,
            leader_epoch: 7,
            isr: vec![2, 0],
            replicas: vec![0, 2],
        };
        assert_eq!(
            parse_partition_state("t", 3, &partition_state(&s, 4), &[0, 2]),
            Some(s.clone())
        );
        assert_eq!(
            leader_and_isr(&partition_state(&s, 4)),
            Some((2, vec![2, 0]))
        );
        assert_eq!(controller_broker(&controller(5, 10)), Some(5));
        let m: FlatMap<i32, u64> = [(0, 5), (1, 6), (-1, 0)].into();
        assert_eq!(parse_modelled(&modelled(&m)), Some(m));
    }

    /// The bytes Kafka writes (and the former hand-written formatter wrote), field for field.
    #[test]
    fn formats_are_kafkas_byte_for_byte() {
        assert_eq!(
            broker_registration(2),
            r#"{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://broker-2:9092"],"jmx_port":-1,"port":9092,"host":"broker-2","version":5}"#
        );
        assert_eq!(
            controller(1, 1234),
            r#"{"version":2,"brokerid":1,"timestamp":"1234","kraftControllerEpoch":-1}"#
        );
        let twelve: Vec<Vec<i32>> = (0..12).map(|p| vec![p % 3, (p + 1) % 3]).collect();
        let json = assignment(&twelve);
        assert!(
            json.starts_with(r#"{"partitions":{"0":[0,1],"1":[1,2],"2":[2,0],"3":[0,1],"#),
            "{json}"
        );
        assert!(
            json.ends_with(r#""9":[0,1],"10":[1,2],"11":[2,0]},"topic_id":"","adding_replicas":{},"removing_replicas":{},"version":3}"#),
            "{json}"
        );
        assert_eq!(parse_assignment(&json), Some(twelve));
        let s = PartitionState {
            topic: "t".into(),
            partition: 0,
            leader: -1,
            leader_epoch: 3,
            isr: vec![],
            replicas: vec![0],
        };
        assert_eq!(
            partition_state(&s, 9),
            r#"{"controller_epoch":9,"leader":-1,"version":1,"leader_epoch":3,"isr":[]}"#
        );
        let m: FlatMap<i32, u64> = [(1, 6), (-1, 0), (0, 5)].into();
        assert_eq!(
            modelled(&m),
            r#"{"partitions":11,"leaders":{"-1":0,"0":5,"1":6}}"#
        );
    }

    #[test]
    fn garbage_reads_as_none() {
        assert_eq!(parse_assignment("{\"partitions\":{\"x\":[1]}}"), None);
        assert_eq!(parse_assignment("{\"partitions\":{\"1\":[1]}}"), None);
        assert_eq!(parse_assignment("nonsense"), None);
        assert_eq!(leader_and_isr("{\"leader\":}"), None);
        assert_eq!(leader_and_isr(""), None);
        assert_eq!(controller_broker("{\"brokerid\":\"7\"}"), None);
        assert_eq!(parse_modelled("{\"leaders\":{\"a\":1}}"), None);
        assert_eq!(
            parse_partition_state("t", 0, "{\"leader\":1,\"isr\":[1]}", &[1]),
            None
        );
    }
}

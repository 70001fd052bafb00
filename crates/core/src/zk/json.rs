//! The JSON Kafka keeps in znodes (`KafkaZkClient`'s formats), written and read back. Only the
//! shapes Kafka writes are understood; anything else reads as `None`, never a panic.

use super::rpc::PartitionState;

/// `/brokers/ids/<id>`: a broker's registration.
pub fn broker_registration(id: i32) -> String {
    format!(
        "{{\"features\":{{}},\"listener_security_protocol_map\":{{\"PLAINTEXT\":\"PLAINTEXT\"}},\"endpoints\":[\"PLAINTEXT://broker-{id}:9092\"],\"jmx_port\":-1,\"port\":9092,\"host\":\"broker-{id}\",\"version\":5}}"
    )
}

/// `/controller`: who is the controller.
pub fn controller(broker: i32, timestamp_ms: u64) -> String {
    format!("{{\"version\":2,\"brokerid\":{broker},\"timestamp\":\"{timestamp_ms}\",\"kraftControllerEpoch\":-1}}")
}

/// `/brokers/topics/<topic>`: the replica assignment.
pub fn assignment(replicas: &[Vec<i32>]) -> String {
    let parts: Vec<String> = replicas
        .iter()
        .enumerate()
        .map(|(p, r)| format!("\"{p}\":{}", int_list(r)))
        .collect();
    format!(
        "{{\"partitions\":{{{}}},\"topic_id\":\"\",\"adding_replicas\":{{}},\"removing_replicas\":{{}},\"version\":3}}",
        parts.join(",")
    )
}

/// `/brokers/topics/<topic>/partitions/<p>/state`.
pub fn partition_state(s: &PartitionState, controller_epoch: u32) -> String {
    format!(
        "{{\"controller_epoch\":{controller_epoch},\"leader\":{},\"version\":1,\"leader_epoch\":{},\"isr\":{}}}",
        s.leader,
        s.leader_epoch,
        int_list(&s.isr)
    )
}

fn int_list(v: &[i32]) -> String {
    format!(
        "[{}]",
        v.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// The integer after `"key":`.
pub fn int_field(json: &str, key: &str) -> Option<i64> {
    let at = json.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = json[at..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// The integer list after `"key":`.
pub fn int_list_field(json: &str, key: &str) -> Option<Vec<i32>> {
    let at = json.find(&format!("\"{key}\":"))? + key.len() + 3;
    parse_list(json[at..].trim_start())
}

fn parse_list(text: &str) -> Option<Vec<i32>> {
    let body = text.strip_prefix('[')?;
    let end = body.find(']')?;
    let inner = body[..end].trim();
    if inner.is_empty() {
        return Some(Vec::new());
    }
    inner.split(',').map(|x| x.trim().parse().ok()).collect()
}

/// Reads a replica assignment back: partition `p`'s replicas at index `p`.
pub fn parse_assignment(json: &str) -> Option<Vec<Vec<i32>>> {
    let at = json.find("\"partitions\":{")? + "\"partitions\":{".len();
    let mut rest = &json[at..];
    let mut out: Vec<(u32, Vec<i32>)> = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.starts_with('}') {
            break;
        }
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        let key_body = rest.strip_prefix('"')?;
        let key_end = key_body.find('"')?;
        let p: u32 = key_body[..key_end].parse().ok()?;
        let after = key_body[key_end + 1..]
            .trim_start()
            .strip_prefix(':')?
            .trim_start();
        let list = parse_list(after)?;
        out.push((p, list));
        rest = &after[after.find(']')? + 1..];
    }
    crate::flat::insertion_sort(&mut out);
    let ok = out.iter().enumerate().all(|(i, (p, _))| *p as usize == i);
    ok.then(|| out.into_iter().map(|(_, r)| r).collect())
}

/// Reads a partition state back.
pub fn parse_partition_state(
    topic: &str,
    partition: u32,
    json: &str,
    replicas: &[i32],
) -> Option<PartitionState> {
    Some(PartitionState {
        topic: topic.to_string(),
        partition,
        leader: int_field(json, "leader")? as i32,
        leader_epoch: int_field(json, "leader_epoch")? as i32,
        isr: int_list_field(json, "isr")?,
        replicas: replicas.to_vec(),
    })
}

/// The modelled partitions' znode: how many there are and how many each broker leads (`-1`:
/// no leader).
pub fn modelled(leaders: &crate::flat::FlatMap<i32, u64>) -> String {
    let total: u64 = leaders.values().sum();
    let parts: Vec<String> = leaders
        .iter()
        .map(|(b, n)| format!("\"{b}\":{n}"))
        .collect();
    format!(
        "{{\"partitions\":{total},\"leaders\":{{{}}}}}",
        parts.join(",")
    )
}

/// Reads the modelled partitions' znode back.
pub fn parse_modelled(json: &str) -> Option<crate::flat::FlatMap<i32, u64>> {
    let at = json.find("\"leaders\":{")? + "\"leaders\":{".len();
    let body = &json[at..];
    let end = body.find('}')?;
    let mut out = crate::flat::FlatMap::new();
    for item in body[..end].split(',').filter(|s| !s.trim().is_empty()) {
        let (k, v) = item.split_once(':')?;
        out.insert(
            k.trim().trim_matches('"').parse().ok()?,
            v.trim().parse().ok()?,
        );
    }
    Some(out)
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
            Some(s)
        );
        assert_eq!(int_field(&controller(5, 10), "brokerid"), Some(5));
        let m: crate::flat::FlatMap<i32, u64> = [(0, 5), (1, 6), (-1, 0)].into();
        assert_eq!(parse_modelled(&modelled(&m)), Some(m));
    }

    #[test]
    fn garbage_reads_as_none() {
        assert_eq!(parse_assignment("{\"partitions\":{\"x\":[1]}}"), None);
        assert_eq!(parse_assignment("nonsense"), None);
        assert_eq!(int_field("{\"leader\":}", "leader"), None);
        assert_eq!(parse_modelled("{\"leaders\":{\"a\":1}}"), None);
    }
}

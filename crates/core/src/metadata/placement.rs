//! Where a new topic's replicas go: Kafka's rack-unaware assignment
//! (`AdminUtils.assignReplicasToBrokersRackUnaware`). The first replica of partition p is
//! broker `(p + start) % n`; the others follow at a shift that grows every n partitions, so
//! leaders and followers spread evenly. `start` and the first shift are random.

use crate::record::BrokerId;

/// Replica lists for `partitions` partitions of `replication_factor` replicas over `brokers`
/// (ascending), or why it cannot be done. `draw(n)` must return a uniform integer in `[0, n)`:
/// the controller passes a request to the simulator (`|n| ctx.draw(0..n)`), so placement
/// never holds a generator of its own. It is called twice (start, then first shift), and only
/// when the request is valid.
pub fn assign(
    partitions: u32,
    replication_factor: u32,
    brokers: &[BrokerId],
    draw: &mut dyn FnMut(u64) -> u64,
) -> Result<Vec<Vec<BrokerId>>, String> {
    let n = brokers.len();
    if replication_factor == 0 {
        return Err("INVALID_REPLICATION_FACTOR: Replication factor must be larger than 0.".into());
    }
    if partitions == 0 {
        return Err("INVALID_PARTITIONS: Number of partitions must be larger than 0.".into());
    }
    if replication_factor as usize > n {
        return Err(format!(
            "INVALID_REPLICATION_FACTOR: Unable to replicate the partition {replication_factor} time(s): The target replication factor of {replication_factor} cannot be reached because only {n} broker(s) are registered."
        ));
    }
    let start = draw(n as u64) as usize;
    let mut shift = draw(n as u64) as usize;
    let mut out = Vec::with_capacity(partitions as usize);
    for p in 0..partitions as usize {
        if p > 0 && p % n == 0 {
            shift += 1;
        }
        let first = (p + start) % n;
        let mut replicas = Vec::with_capacity(replication_factor as usize);
        replicas.push(brokers[first]);
        for j in 0..replication_factor as usize - 1 {
            let s = 1 + (shift + j) % (n - 1);
            replicas.push(brokers[(first + s) % n]);
        }
        out.push(replicas);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    #[test]
    fn replicas_are_distinct_and_spread() {
        let mut rng = SimRng::new(4);
        let brokers = [0, 1, 2, 3, 4];
        let a = assign(50, 3, &brokers, &mut |n| rng.below(n)).unwrap();
        assert_eq!(a.len(), 50);
        let mut leaders = [0usize; 5];
        for r in &a {
            assert_eq!(r.len(), 3);
            let mut s = r.clone();
            s.sort();
            s.dedup();
            assert_eq!(s.len(), 3, "{r:?}");
            leaders[r[0] as usize] += 1;
        }
        assert!(leaders.iter().all(|l| *l == 10), "{leaders:?}");
    }

    #[test]
    fn too_few_brokers_is_an_error() {
        let mut rng = SimRng::new(1);
        let e = assign(1, 3, &[0, 1], &mut |n| rng.below(n)).unwrap_err();
        assert!(e.contains("only 2 broker(s)"), "{e}");
        assert!(assign(0, 1, &[0], &mut |n| rng.below(n)).is_err());
    }
}

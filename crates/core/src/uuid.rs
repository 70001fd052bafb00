//! Kafka-style UUIDs (`Uuid.toString`: 16 bytes in URL-safe base64 without padding, 22
//! characters), derived from the run's seed so that output is reproducible.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::rng::SimRng;
use crate::types::NodeId;

/// A Kafka `Uuid` (topic ids, incarnation ids), printed as 22 characters of base64url.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uuid(pub u128);

/// A `Uuid` is written to JSON (dump-log records) as Kafka prints it: its 22-character string.
impl serde::Serialize for Uuid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode(self.0.to_be_bytes()))
    }
}

/// Kafka's `Uuid.ZERO_UUID` as it prints: the directory id of a voter known by id only.
pub const ZERO_UUID: &str = "AAAAAAAAAAAAAAAAAAAAAA";

/// Encodes 16 bytes as Kafka prints a `Uuid` (`Base64.getUrlEncoder().withoutPadding()`).
pub fn encode(bytes: [u8; 16]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn uuid_from_rng(seed: u64) -> Uuid {
    let mut rng = SimRng::new(seed);
    let a = rng.next_u64() as u128;
    let b = rng.next_u64() as u128;
    Uuid((a << 64) | b)
}

fn from_rng(seed: u64) -> String {
    uuid_from_rng(seed).to_string()
}

impl Uuid {
    /// Kafka's `Uuid.ZERO_UUID`: no directory id (a voter known by id only).
    pub const ZERO: Uuid = Uuid(0);
}

/// The cluster id `kafka-storage random-uuid` would have printed for this run.
pub fn cluster_id(seed: u64) -> String {
    from_rng(seed ^ 0x636c_7573_7465_7269)
}

/// A node's metadata log directory id, as `kafka-storage format` writes it into
/// `meta.properties`: derived from the run's seed, the node and how many times the node was
/// formatted before (0 for the storage the cluster was built with), so a reformatted disk gets
/// a new id (KIP-853: a new replica) and every run prints the same ones.
pub fn directory_id(seed: u64, node: NodeId, formats: u32) -> Uuid {
    uuid_from_rng(
        seed.rotate_left(17)
            ^ (node.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ 0x0064_6972_6964
            ^ u64::from(formats).wrapping_mul(0xD6E8_FEB8_6659_FD93),
    )
}

/// A topic id.
pub fn topic_id(seed: u64, name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    from_rng(seed ^ h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_look_like_kafkas() {
        let id = cluster_id(42);
        assert_eq!(id.len(), 22);
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(id, cluster_id(42));
        assert_ne!(id, cluster_id(43));
        assert_ne!(
            directory_id(1, NodeId(3000), 0),
            directory_id(1, NodeId(3001), 0)
        );
        assert_ne!(
            directory_id(1, NodeId(3000), 0),
            directory_id(1, NodeId(3000), 1)
        );
        assert_ne!(directory_id(1, NodeId(3000), 1), Uuid::ZERO);
        // Kafka's ZERO_UUID prints as 22 'A's.
        assert_eq!(encode([0; 16]), "AAAAAAAAAAAAAAAAAAAAAA");
        // The URL-safe alphabet, as the former hand-written encoder printed it.
        assert_eq!(encode([0xfb; 16]), "-_v7-_v7-_v7-_v7-_v7-w");
    }
}

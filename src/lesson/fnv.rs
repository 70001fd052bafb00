//! FNV-1a (64 bit) of a lesson's text: the build script stamps the lesson index with it and the
//! player keys saved progress by it, so editing a lesson starts its progress afresh instead of
//! ticking steps that no longer mean the same thing. (Also compiled into `build.rs`.)

/// The FNV-1a hash of `bytes`.
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

//! The metadata benchmark as a WebAssembly module for Node, so that the memory and time
//! figures of a browser tab can be measured without a browser: the same deterministic
//! [`kraftlab_core::run::bench::metadata_bench`] the native CLI runs, compiled to wasm32.
//! `scripts/bench-metadata.sh` builds it with wasm-bindgen's `nodejs` target and times it.

use wasm_bindgen::prelude::*;

/// Runs the benchmark and reports what it did as JSON (the caller measures the time).
#[wasm_bindgen]
pub fn bench_metadata(topics: u32, partitions: u32) -> String {
    let r = kraftlab_core::run::bench::metadata_bench(topics as usize, partitions);
    format!(
        "{{\"partitions\":{},\"records\":{},\"virtualMs\":{},\"complete\":{},\"distinctTopicMaps\":{},\"distinctTopics\":{}}}",
        r.partitions,
        r.records,
        r.virtual_time.as_ms(),
        r.complete,
        r.distinct_topic_maps,
        r.distinct_topics
    )
}

/// The size of this module's linear memory in bytes: what the browser tab would hold (a
/// WebAssembly memory only grows, so after a run it is the peak).
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    kraftlab_core::run::bench::wasm_memory_bytes()
}

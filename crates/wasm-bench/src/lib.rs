//! The benchmarks as a WebAssembly module, so that the time and memory figures of a browser
//! tab can be measured beside the native run: the same deterministic
//! [`kraftlab_core::run::bench::core_bench`] and [`kraftlab_core::run::bench::metadata_bench`]
//! the native CLI runs, compiled to wasm32. `scripts/bench-metadata.sh` builds it with
//! wasm-bindgen's `nodejs` target and times it under Node; `scripts/bench-core.sh` times the
//! core benchmark natively, under Node and in Chromium (the `web` target).

use wasm_bindgen::prelude::*;

/// Runs the core benchmark for `hours` of virtual time (invariants unchecked, the default
/// limits) and reports what it did as `events messages accepted high_watermark` (the caller
/// measures the time and compares the figures with the native run's).
#[wasm_bindgen]
pub fn bench_core(hours: u32) -> String {
    let r = kraftlab_core::run::bench::core_bench(
        u64::from(hours),
        false,
        kraftlab_core::limits::Limits::DEFAULT,
    );
    format!(
        "{} {} {} {}",
        r.events, r.messages, r.accepted, r.high_watermark
    )
}

/// Runs the metadata benchmark and reports what it did as JSON (the caller measures the time).
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

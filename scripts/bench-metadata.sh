#!/usr/bin/env bash
# The metadata figures of the metadata-log issue: 100,000 partitions (1,000 topics x 100) and
# 1,000,000 partitions (10,000 x 100) created and replayed on 3 controllers + 3 brokers,
# natively (wall time, peak RSS) and in a wasm32 build under Node (time, wasm memory).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

cargo build --locked --release -p kraftlab-core --bin kraftlab
./target/release/kraftlab bench-metadata --topics 1000 --partitions 100
./target/release/kraftlab bench-metadata --topics 10000 --partitions 100

cargo build --locked --release --target wasm32-unknown-unknown -p kraftlab-wasm-bench
wasm-bindgen --target nodejs --out-dir target/wasm-bench \
  target/wasm32-unknown-unknown/release/kraftlab_wasm_bench.wasm
node tests/bench/metadata.mjs target/wasm-bench 1000 100
node tests/bench/metadata.mjs target/wasm-bench 10000 100

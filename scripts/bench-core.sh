#!/usr/bin/env bash
# The core benchmark (one hour of virtual time: 3 voters + 3 observers, a write every 100 ms)
# natively and compiled to wasm32, under Node and in Chromium, as a ratio to native (the
# design's budget is 2x). Also checks that the three runs are the same run (same figures).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
HOURS="${HOURS:-1}"

cargo build --locked --release -p kraftlab-core --bin kraftlab
times=()
for _ in 1 2 3; do
  line=$(./target/release/kraftlab bench --hours "$HOURS")
  times+=("$(sed -E 's/.*: ([0-9.]+)s wall.*/\1/' <<<"$line")")
done
# The median of three, as for the wasm runs.
median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)
# events messages accepted hw, as the wasm build reports them
figures=$(sed -E 's/.* ([0-9]+) events, ([0-9]+) messages, ([0-9]+) writes accepted, high watermark ([0-9]+),.*/\1 \2 \3 \4/' <<<"$line")

cargo build --locked --release --target wasm32-unknown-unknown -p kraftlab-wasm-bench
wasm=target/wasm32-unknown-unknown/release/kraftlab_wasm_bench.wasm
wasm-bindgen --target nodejs --out-dir target/wasm-bench "$wasm"
wasm-bindgen --target web --out-dir target/wasm-bench-web "$wasm"
node tests/bench/core.mjs target/wasm-bench target/wasm-bench-web "$median" "$figures" "$HOURS"

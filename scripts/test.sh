#!/usr/bin/env bash
# Runs every check and test of KRaft Lab (installs what is missing first). CI runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "formatting (cargo fmt --check)"
cargo fmt --all -- --check

step "clippy, host and wasm32, warnings are errors"
cargo clippy --locked -p kraftlab-core --all-targets -- -D warnings
cargo clippy --locked -p kraftlab-core --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p kraftlab-app --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy --locked -p kraftlab-app -- -D warnings
cargo clippy --locked -p kraftlab-wasm-bench --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p kraftlab-markdown --all-targets -- -D warnings
cargo clippy --locked -p kraftlab-markdown --target wasm32-unknown-unknown -- -D warnings
cargo clippy --locked -p kraftlab-compare --all-targets -- -D warnings
cargo clippy --locked -p kraftlab-compare --target wasm32-unknown-unknown -- -D warnings

step "core tests: units, golden scenarios, lessons, seed sweeps, determinism"
cargo test --locked -p kraftlab-core

step "lesson Markdown (the worker's renderer): escaping, links, {run} chips"
cargo test --locked -p kraftlab-markdown

step "the comparison worker's drawing: the core's figures, escaping"
cargo test --locked -p kraftlab-compare

step "command line: run the example scenarios"
cargo build --locked -p kraftlab-core --release
for f in examples/*.scenario; do
  ./target/release/kraftlab run "$f" > /dev/null
  echo "ok  $f"
done

step "app unit tests (natively) and app tests in Chromium (wasm-bindgen-test)"
cargo test --locked -p kraftlab-app --lib
cargo test --locked -p kraftlab-app --target wasm32-unknown-unknown

step "release bundle (trunk build --release)"
trunk build --release

step "end-to-end tests in Chromium (Playwright), the first-load budget included"
node --test tests/e2e/

step "the README's serve command, on this checkout"
scripts/check-serve.sh

printf '\n\033[1mAll tests passed.\033[0m\n'

#!/usr/bin/env bash
# Installs what building and testing KRaft Lab needs, from the registries only (crates.io, npm,
# Debian), and skips whatever is already installed. Called by serve.sh and test.sh; safe to run
# again at any time.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. The WebAssembly target of the Rust toolchain.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. Trunk 0.21.14 (0.22 needs a newer rustc than ours).
if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.14$'; then
  say "installing trunk 0.21.14 (about 6 minutes the first time)"
  cargo install --locked trunk --version 0.21.14
fi

# 3. wasm-bindgen-cli at exactly Cargo.lock's wasm-bindgen version (installed without --locked:
#    the locked build wants a webpki-roots release the registry does not serve).
WASM_BINDGEN=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$WASM_BINDGEN" ]; then
  echo "setup: cannot find wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
if ! grep -q "^wasm_bindgen = \"$WASM_BINDGEN\"" Trunk.toml; then
  echo "setup: Trunk.toml pins a wasm_bindgen other than Cargo.lock's $WASM_BINDGEN; update [tools] in Trunk.toml" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN (about 2 minutes the first time)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN"
fi

# 4. npm tools: binaryen's wasm-opt (Debian's 108 builds a blank page), playwright-core and terser.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/terser ]; then
  say "installing npm tools (binaryen, playwright-core, terser)"
  npm ci --no-audit --no-fund
fi

# 5. Debian's Chromium and ChromeDriver for the browser tests (never a downloaded browser).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  say "installing Debian's chromium and chromium-driver"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
fi

# 6. Crates for offline builds (Trunk passes --offline to cargo).
cargo fetch --locked >/dev/null 2>&1 || cargo fetch

# Sourced by the scripts: puts the npm tools (binaryen's wasm-opt) first on PATH and quiets
# Trunk's update check, which would try the network.
export PATH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export TRUNK_SKIP_VERSION_CHECK=true


#!/usr/bin/env bash
# Builds KRaft Lab and serves it on http://127.0.0.1:8080 (installs what is missing first).
#   scripts/serve.sh          release build (what users get), served by Trunk
#   scripts/serve.sh --dev    debug build, faster to rebuild while editing
# PORT=9000 scripts/serve.sh serves on another port.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
PORT="${PORT:-8080}"
if [ "${1:-}" = "--dev" ]; then
  exec trunk serve --port "$PORT"
fi
# index.html picks the small `web` cargo profile for release builds.
exec trunk serve --release --port "$PORT"

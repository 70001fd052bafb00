#!/usr/bin/env bash
# Builds KRaft Lab and serves it on http://127.0.0.1:8080 (installs what is missing first).
#   scripts/serve.sh          release build (what users get), served by Trunk
#   scripts/serve.sh --dev    debug build, faster to rebuild while editing
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh
if [ "${1:-}" = "--dev" ]; then
  exec trunk serve
fi
exec trunk serve --release --cargo-profile web

#!/usr/bin/env bash
# Proves the README's serve command on this checkout: starts scripts/serve.sh on a spare port,
# fetches the page and the WebAssembly it names from 127.0.0.1, then stops it. A folder that
# exists only on one machine (Trunk refuses to watch a missing one) fails here, not for users.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-18080}"
LOG="$(mktemp)"
PORT="$PORT" setsid scripts/serve.sh > "$LOG" 2>&1 &
PID=$!
stop() { kill -- -"$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
trap stop EXIT
URL="http://127.0.0.1:$PORT/"
for _ in $(seq 1 600); do
  if curl -fsS "$URL" -o /tmp/kraftlab-serve-index.html 2>/dev/null; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "serve.sh stopped before serving:" >&2; cat "$LOG" >&2; exit 1
  fi
  sleep 1
done
if [ ! -s /tmp/kraftlab-serve-index.html ]; then
  echo "serve.sh did not serve $URL within 10 minutes:" >&2; tail -40 "$LOG" >&2; exit 1
fi
WASM=$(grep -o '[A-Za-z0-9_./-]*_bg\.wasm' /tmp/kraftlab-serve-index.html | head -1)
if [ -z "$WASM" ]; then
  echo "the served page names no .wasm file" >&2; exit 1
fi
BYTES=$(curl -fsS "$URL${WASM#./}" | wc -c)
if [ "$BYTES" -lt 10000 ]; then
  echo "the served $WASM is only $BYTES bytes" >&2; exit 1
fi
curl -fsS "${URL}public/favicon.svg" > /dev/null
echo "ok  scripts/serve.sh served the page and $WASM ($BYTES bytes) on $URL"

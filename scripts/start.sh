#!/usr/bin/env bash
# Set up whatever is missing, then run Parley and print a meeting link.
# Configuration comes from PARLEY_* environment variables (see README).
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

ensure_node
ensure_packages "${BUILD_PACKAGES[@]}" curl
ensure_worker
ensure_node_modules
build_parley

cd "$PARLEY_ROOT"
node dist/server/main.js &
server=$!
trap 'kill -TERM "$server" 2>/dev/null' INT TERM

port="${PARLEY_PORT:-8080}"
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
  kill -0 "$server" 2>/dev/null || { wait "$server"; exit $?; }
  sleep 0.2
done
link="$(curl -sf -X POST "http://localhost:$port/api/rooms" |
  sed -n 's/.*"url":"\([^"]*\)".*/\1/p')"
say "Parley is running. Open this meeting link in two tabs or send it to others:"
printf '\n    %s\n\n' "$link"
wait "$server"

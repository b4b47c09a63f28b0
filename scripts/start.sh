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
# A first meeting, so there is something to open straight away.
auth=()
[ -n "${PARLEY_API_KEYS:-}" ] && auth=(-H "Authorization: Bearer ${PARLEY_API_KEYS%%,*}")
room="$(curl -sf -X POST "${auth[@]}" "http://localhost:$port/api/rooms")" || room=''
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p" <<< "$room"; }
say "Parley is running on http://localhost:$port/ (Ctrl-C stops it). A first meeting:"
printf '\n    host link, for you:     %s\n    invite link, to share:  %s\n\n' "$(field hostUrl)" "$(field url)"
wait "$server"

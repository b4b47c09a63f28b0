#!/usr/bin/env bash
# Set up whatever is missing, then run Parley and print a meeting link.
# Configuration comes from PARLEY_* environment variables (see README).
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

ensure_node
ensure_packages "${BUILD_PACKAGES[@]}" curl espeak-ng ffmpeg fonts-dejavu-core
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
# Let the server finish logging the request above, so the links stand alone.
sleep 0.5
print_links() {
  local host_url invite_url line
  host_url="$(field hostUrl)"
  invite_url="$(field url)"
  if [ -z "$invite_url" ]; then
    printf '\n  Parley is running on http://localhost:%s/ (Ctrl-C stops it).\n  Could not create a first meeting; open the start page to create one.\n\n' "$port"
    return
  fi
  local lines=(
    "Parley is running on http://localhost:$port/  (Ctrl-C stops it)"
    ""
    "Host link, for you (makes you the host; keep it private):"
    "  $host_url"
    ""
    "Invite link, to share (guests wait in the lobby until you admit them):"
    "  $invite_url"
  )
  # Rules above and below, no side borders: a host link is long and wraps,
  # and must stay one piece to copy.
  local rule
  rule="$(printf '%*s' 72 '' | tr ' ' '=')"
  printf '\n\n%s\n\n' "$rule"
  for line in "${lines[@]}"; do printf '  %s\n' "$line"; done
  printf '\n%s\n\n\n' "$rule"
}
# On stdout, where the server's own log goes, so the two never cross mid-line.
print_links
wait "$server"

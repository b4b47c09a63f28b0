#!/usr/bin/env bash
# Run one benchmark (forwarding, time-to-first-media, capacity, signalling)
# in the same loopback-only network namespace and set-up as the tests.
# Figures are printed and written to bench-results/NAME.json.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

name="${1:?usage: scripts/bench.sh forwarding|time-to-first-media|capacity|signalling}"
[ -f "$PARLEY_ROOT/scripts/bench/$name.ts" ] || { say "no benchmark named $name"; exit 2; }
ensure_node
ensure_packages "${BUILD_PACKAGES[@]}" chromium fonts-dejavu-core iproute2 util-linux
ensure_worker
ensure_node_modules
build_parley
cd "$PARLEY_ROOT"
exec unshare --net -- sh -c 'ip link set lo up && exec node --import tsx "scripts/bench/$0.ts"' "$name"

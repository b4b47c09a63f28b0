#!/usr/bin/env bash
# Run one benchmark (forwarding, time-to-first-media, capacity, signalling, phone-calls,
# recording, recovery, versus-demo, webinar, whep) in the same loopback-only network namespace
# and set-up as the tests; further arguments go to the benchmark (webinar --quick, webinar
# --chromium-panel, whep --quick).
# Figures are printed and written to bench-results/NAME.json.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

name="${1:?usage: scripts/bench.sh forwarding|time-to-first-media|capacity|signalling|recovery|versus-demo|phone-calls|recording|webinar|whep [--quick]}"
shift
[ -f "$PARLEY_ROOT/scripts/bench/$name.ts" ] || { say "no benchmark named $name"; exit 2; }
prepare_browser_run
# The mediasoup demo is built (or found in the cache) before the namespace
# cuts the network off, since its build installs from the npm registry.
if [ "$name" = versus-demo ]; then
  DEMO_BUILD_DIR="$("$PARLEY_ROOT/scripts/bench/demo/build-demo.sh")"
  export DEMO_BUILD_DIR
fi
cd "$PARLEY_ROOT"
exec unshare --net -- sh -c 'ip link set lo up && exec node --import tsx "scripts/bench/$0.ts" "$@"' "$name" "$@"

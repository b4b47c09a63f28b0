#!/usr/bin/env bash
# The full signalling fuzz run (100,000 messages; FUZZ_MESSAGES to change),
# in the same loopback-only network namespace and set-up as the tests.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

prepare_browser_run
cd "$PARLEY_ROOT"
exec unshare --net -- sh -c 'ip link set lo up && exec node --import tsx scripts/fuzz.ts'

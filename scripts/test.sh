#!/usr/bin/env bash
# Run every test: unit, signalling, the worker build's self-tests and the
# end-to-end calls in real headless Chromium. Sets up what is missing first.
# The tests run inside a private, loopback-only network namespace, so no
# traffic leaves the machine and only 127.0.0.1 ICE candidates exist.
set -euo pipefail
source "$(dirname "$0")/lib/setup.sh"

prepare_browser_run redis-server coturn docker-compose sip-tester
say "type-checking server, client and tests"
(cd "$PARLEY_ROOT" && npm run --silent typecheck >&2)

cd "$PARLEY_ROOT"
say "checking the layering and cycles (scripts/dependency-rules.cjs)"
npx --no-install depcruise --config scripts/dependency-rules.cjs server/src >&2
npx --no-install depcruise --config scripts/dependency-rules.cjs --ts-config client/tsconfig.json client/src >&2
npx --no-install depcruise --config scripts/dependency-rules.cjs --ts-config scripts/tsconfig.json scripts server/testkit >&2
mapfile -t files < <(find server/test -name '*.test.ts' | LC_ALL=C sort)
# Every test, suite and hook has its own { timeout } (server/test/helpers/timeouts.ts);
# --test-timeout is the backstop for any that lacks one: a hang fails, it never stalls the run.
say "running ${#files[@]} test files in a loopback-only network namespace"
exec unshare --net -- sh -c 'ip link set lo up && exec node --import tsx --test --test-reporter=spec --test-timeout=300000 "$@"' sh "${files[@]}"

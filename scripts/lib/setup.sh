# Shared set-up for start.sh and test.sh: Debian packages, the mediasoup
# worker, npm dependencies and the build. Each step is skipped when done.

PARLEY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/worker/lib.sh
source "$PARLEY_ROOT/scripts/worker/lib.sh"

say() { printf '[parley] %s\n' "$*" >&2; }

require_node() {
  command -v node >/dev/null || { say "Node.js 20.19 or later is required: none found on PATH"; return 1; }
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    { say "Node.js 20.19 or later is required; found $(node --version)"; return 1; }
}

# Debian packages: $@ on top of what the worker build needs.
ensure_packages() {
  # shellcheck disable=SC2046
  apt_install $(missing_packages "$@")
}

# An explicit MEDIASOUP_WORKER_BIN wins; otherwise build or reuse the cached
# offline build (scripts/worker/build.sh).
ensure_worker() {
  if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
    [ -x "$MEDIASOUP_WORKER_BIN" ] || { say "MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable"; return 1; }
  else
    MEDIASOUP_WORKER_BIN="$("$PARLEY_ROOT/scripts/worker/build.sh")"
  fi
  export MEDIASOUP_WORKER_BIN
  say "mediasoup worker: $MEDIASOUP_WORKER_BIN"
}

# npm ci when node_modules is missing or older than the lockfile. With
# MEDIASOUP_WORKER_BIN set, mediasoup's postinstall downloads nothing.
ensure_node_modules() {
  local marker="$PARLEY_ROOT/node_modules/.package-lock.json"
  if [ ! -f "$marker" ] || [ "$PARLEY_ROOT/package-lock.json" -nt "$marker" ]; then
    say "installing npm dependencies"
    (cd "$PARLEY_ROOT" && npm ci --no-audit --no-fund >&2)
  fi
}

build_parley() {
  say "building server and client"
  (cd "$PARLEY_ROOT" && npm run --silent build >&2)
}

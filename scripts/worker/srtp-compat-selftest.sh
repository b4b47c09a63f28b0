#!/usr/bin/env bash
# Compile and run the libsrtp compat header's self-test in both API modes.
# Needs g++ and libsrtp2-dev (scripts/worker/build.sh installs them).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for mode in struct policy; do
  define=()
  [ "$mode" = policy ] && define=(-DPARLEY_SRTP_POLICY_API)
  g++ -std=c++17 -Wall -Werror "${define[@]}" -I "$here/shims/libsrtp/compat" \
    "$here/srtp-compat-selftest.cpp" -o "$out/selftest-$mode" $(pkg-config --libs libsrtp2)
  "$out/selftest-$mode"
done

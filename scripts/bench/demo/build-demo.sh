#!/usr/bin/env bash
# Build the mediasoup demo (v3: its server/ and its browser app/) for the
# versus-demo benchmark, and print the build's directory (the only line on
# stdout; progress goes to stderr).
#
# The demo's source is public code that stays out of this repository: the
# build reads a checkout from $MEDIASOUP_DEMO_DIR (default
# $PARLEY_CACHE_DIR/mediasoup-demo), copies it into the cache and makes five
# changes so that it builds from the npm registry and runs on Parley's
# mediasoup versions:
#   1. mediasoup and mediasoup-client pinned to the versions in Parley's
#      package.json (the demo asks for other versions, or for git branches
#      that npm cannot fetch here);
#   2. an "rtp.js" dependency dropped, pinned to a version npm does not have;
#   3. one Babel pass over mediasoup-client: browserify 16's parser stops at
#      its newer syntax (lib/handlers/Chrome111.js) and babelify leaves
#      node_modules alone;
#   4. sctpCapabilities: mediasoup-client 3.24 has no device.sctpCapabilities
#      any more, so the three places the app sends it get the value it used
#      to return; otherwise the server, which enables SCTP on a transport
#      only when the client sends that object, gives the app transports
#      without DataChannels (mediasoup 3.27 ignores the numbers in it);
#   5. a small static HTTPS server for the built app (scripts/bench/demo/
#      static-https.ts, started by the benchmark) instead of the demo's
#      browser-sync live server.
# The build is cached by a hash of this recipe, of Parley's pins and of the
# checkout's files, so a re-run with nothing changed returns at once.
set -euo pipefail
RECIPE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$RECIPE/../../.." && pwd)"
# shellcheck source=scripts/worker/lib.sh
source "$ROOT/scripts/worker/lib.sh"

# The commit the recipe was written against.
DEMO_COMMIT=a7581babb24cc7a25ad0865661b7871652387503
demo="${MEDIASOUP_DEMO_DIR:-$PARLEY_CACHE_DIR/mediasoup-demo}"
say() { printf '[demo] %s\n' "$*" >&2; }

if [ ! -f "$demo/server/server.js" ] || [ ! -f "$demo/app/gulpfile.js" ] || [ ! -f "$demo/app/lib/RoomClient.js" ]; then
  cat >&2 <<MESSAGE
[demo] No mediasoup demo checkout at $demo
[demo] (it needs server/server.js, app/gulpfile.js and app/lib/RoomClient.js).
[demo] Fetch it once, outside this repository:
[demo]   git clone https://github.com/versatica/mediasoup-demo "$demo"
[demo]   git -C "$demo" checkout $DEMO_COMMIT
[demo] or point MEDIASOUP_DEMO_DIR at such a checkout.
MESSAGE
  exit 3
fi

pinned() { node -p "require('$ROOT/package.json').$1['$2']"; }
mediasoup_version="$(pinned dependencies mediasoup)"
client_version="$(pinned devDependencies mediasoup-client)"

checkout_hash() {
  (cd "$demo" && find app server \( -name node_modules -o -name .git -o -path server/public \) -prune -o -type f -print0 |
    LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}
recipe_files_hash() {
  (cd "$RECIPE" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}
key="$(printf '%s\n' "$mediasoup_version" "$client_version" "$(recipe_files_hash)" "$(checkout_hash)" | sha256sum | cut -c1-16)"
build="$PARLEY_CACHE_DIR/mediasoup-demo-build/$key"

mkdir -p "$PARLEY_CACHE_DIR/mediasoup-demo-build"
exec 9> "$PARLEY_CACHE_DIR/mediasoup-demo-build/lock"
flock 9
if [ -f "$build/.built" ]; then
  say "cached build: $build"
  echo "$build"
  exit 0
fi

started=$SECONDS
work="$build.partial"
rm -rf "$work" && mkdir -p "$work"
say "copying $demo into $work"
tar -C "$demo" --exclude=node_modules --exclude=.git --exclude=server/public -cf - app server | tar -C "$work" -xf -

say "1-2. pinning mediasoup $mediasoup_version and mediasoup-client $client_version; dropping rtp.js"
node "$RECIPE/edit-package-json.mjs" "$work/server/package.json" mediasoup "$mediasoup_version"
node "$RECIPE/edit-package-json.mjs" "$work/app/package.json" mediasoup-client "$client_version"

say "4. sctpCapabilities: the value device.sctpCapabilities returned before mediasoup-client 3.24"
client="$work/app/lib/RoomClient.js"
uses="$(grep -c 'this\._mediasoupDevice\.sctpCapabilities' "$client" || true)"
[ "$uses" = 3 ] || { say "expected 3 uses of this._mediasoupDevice.sctpCapabilities in app/lib/RoomClient.js, found $uses"; exit 1; }
sed -i 's/this\._mediasoupDevice\.sctpCapabilities/{ numStreams: { OS: 1024, MIS: 1024 } }/' "$client"

# The demo reads config.js, which its README has you copy from
# config.example.js; ours wraps the example with the bench's loopback and TLS settings.
cp "$RECIPE/demo-config.cjs" "$work/server/config.js"

# mediasoup's postinstall neither downloads nor builds a worker when
# MEDIASOUP_WORKER_BIN is set: the demo runs Parley's cached worker.
export MEDIASOUP_WORKER_BIN="${MEDIASOUP_WORKER_BIN:-$("$ROOT/scripts/worker/build.sh")}"
for part in server app; do
  say "npm install in $part"
  (cd "$work/$part" && npm install --no-audit --no-fund --loglevel=error >&2)
done

say "3. one Babel pass over mediasoup-client"
(cd "$work/app" && node "$RECIPE/babel-pass.cjs" node_modules/mediasoup-client >&2)

say "bundling the app (gulp bundle, html, css, resources) into server/public"
(cd "$work/app" && NODE_ENV=production npx --no-install gulp bundle html css resources >&2)
[ -f "$work/server/public/index.html" ] || { say "the app build left no server/public/index.html"; exit 1; }

touch "$work/.built"
rm -rf "$build" && mv "$work" "$build"
say "built in $((SECONDS - started)) s: $build"
echo "$build"

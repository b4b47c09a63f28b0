#!/usr/bin/env bash
# Build the mediasoup demo (v3: its server/ and its browser app/) for the
# versus-demo benchmark, and print the build's directory (the only line on
# stdout; progress goes to stderr).
#
# The demo's source is public code that stays out of this repository: the
# build reads a checkout from $MEDIASOUP_DEMO_DIR (default
# $PARLEY_CACHE_DIR/mediasoup-demo), copies it into the cache and makes six
# changes so that it builds from the npm registry and runs on Parley's
# mediasoup versions:
#   1. mediasoup and mediasoup-client pinned to the versions in Parley's
#      package.json (the demo asks for other versions, or for git branches
#      that npm cannot fetch here);
#   2. an "rtp.js" dependency dropped, pinned to a version npm does not have;
#   3. one Babel pass over mediasoup-client and its dependencies: browserify
#      16's parser stops at their newer syntax (lib/handlers/Chrome111.js),
#      the app's uglify-es at awaitqueue's class fields, and babelify leaves
#      node_modules alone;
#   4. sctpCapabilities: mediasoup-client 3.24 has no device.sctpCapabilities
#      any more, so the three places the app sends it get the value it used
#      to return; otherwise the server, which enables SCTP on a transport
#      only when the client sends that object, gives the app transports
#      without DataChannels (mediasoup 3.27 ignores the numbers in it);
#   5. a small static HTTPS server for the built app (scripts/bench/demo/
#      static-https.ts, started by the benchmark) instead of the demo's
#      browser-sync live server;
#   6. the app's npm install with --legacy-peer-deps: react-tooltip 3 declares
#      the peer range ">=^16.0.0", which npm 10 and later reject outright
#      (EINVALIDTAGNAME), and riek 1.1 wants React 15.
# The build is cached by a hash of this recipe, of Parley's pins and of the
# checkout's files, so a re-run with nothing changed returns at once.
set -euo pipefail
RECIPE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$RECIPE/../../.." && pwd)"
# shellcheck source=scripts/worker/lib.sh
source "$ROOT/scripts/worker/lib.sh"

# The commit the recipe was written against: the one commit that holds both
# app/lib/RoomClient.js and server/lib/Room.js in the index it was taken from
# (late 2019, the app still built with gulp and browserify).
DEMO_COMMIT=bdb6fe995c0e863f37d45c6e56e5cbf7064767c9
demo="${MEDIASOUP_DEMO_DIR:-$PARLEY_CACHE_DIR/mediasoup-demo}"
say() { printf '[demo] %s\n' "$*" >&2; }

if [ ! -f "$demo/server/server.js" ] || [ ! -f "$demo/app/gulpfile.js" ] || [ ! -f "$demo/app/lib/RoomClient.js" ]; then
  cat >&2 <<MESSAGE
[demo] No mediasoup demo checkout at $demo
[demo] (it needs server/server.js, app/gulpfile.js and app/lib/RoomClient.js).
[demo] Get one once, outside this repository, in either way:
[demo] - with access to GitHub, a git checkout:
[demo]     git clone https://github.com/versatica/mediasoup-demo "$demo"
[demo]     git -C "$demo" checkout $DEMO_COMMIT
[demo] - without it, a reconstruction from a stored index of public code that
[demo]   keeps, per commit, only the files that commit changed: take app/ and
[demo]   server/ of the gulp-era v3 demo file by file, each at commit $DEMO_COMMIT
[demo]   or the stored version nearest to it in API (protoo request names,
[demo]   RoomClient options, redux action types, config keys), fill the few files
[demo]   no version of which is stored (stylus mixins, banner.txt) with trivial
[demo]   stand-ins, and list path -> commit in $demo/PROVENANCE.txt.
[demo] Or point MEDIASOUP_DEMO_DIR at such a directory.
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
say "npm install in server"
(cd "$work/server" && npm install --no-audit --no-fund --loglevel=error >&2)
say "6. npm install in app, with --legacy-peer-deps"
(cd "$work/app" && npm install --no-audit --no-fund --loglevel=error --legacy-peer-deps >&2)

say "3. one Babel pass over mediasoup-client and its dependencies"
(cd "$work/app" && node "$RECIPE/babel-pass.cjs" node_modules/mediasoup-client >&2)

say "bundling the app (gulp bundle, html, css, resources) into server/public"
(cd "$work/app" && NODE_ENV=production npx --no-install gulp bundle html css resources >&2)
[ -f "$work/server/public/index.html" ] || { say "the app build left no server/public/index.html"; exit 1; }

touch "$work/.built"
rm -rf "$build" && mv "$work" "$build"
say "built in $((SECONDS - started)) s: $build"
echo "$build"

# Shared steps of the offline mediasoup worker build. Sourced by build.sh and
# cpp-tests.sh; uses only Debian's archive and the npm registry.

WORKER_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PARLEY_CACHE_DIR="${PARLEY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parley}"

BUILD_PACKAGES=(build-essential pkg-config ninja-build python3 ca-certificates
  libuv1-dev libssl-dev libsrtp2-dev libusrsctp-dev libabsl-dev
  flatbuffers-compiler libflatbuffers-dev)

step() { printf '[worker] %s\n' "$*" >&2; }

# The version pinned in package.json, so the worker always matches the
# mediasoup Node package that spawns it.
pinned_mediasoup_version() {
  sed -n 's/^ *"mediasoup": *"\([0-9][0-9.]*\)".*/\1/p' "$WORKER_SCRIPTS/../../package.json"
}

# The cache key changes whenever any file of the recipe changes.
recipe_hash() {
  (cd "$WORKER_SCRIPTS" && find . -type f ! -name cpp-tests.sh -print0 | LC_ALL=C sort -z |
    xargs -0 sha256sum) | sha256sum | cut -c1-16
}

missing_packages() {
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || echo "$package"
  done
}

apt_install() {
  [ "$#" -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || { echo "missing Debian packages: $* (run as root to install them)" >&2; return 1; }
  step "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update >&2 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >&2; }
}

# apt-get against bookworm plus bookworm-backports, through a private sources
# list and lists directory so the system's apt configuration is untouched.
backports_apt() {
  local dir="$PARLEY_CACHE_DIR/apt-backports" keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mkdir -p "$dir/lists/partial"
  cat > "$dir/sources.list" <<APT
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-backports main
APT
  local options=(-o "Dir::Etc::sourcelist=$dir/sources.list" -o "Dir::Etc::sourceparts=-"
    -o "Dir::State::Lists=$dir/lists")
  DEBIAN_FRONTEND=noninteractive apt-get "${options[@]}" update >&2
  DEBIAN_FRONTEND=noninteractive apt-get "${options[@]}" install -y --no-install-recommends "$@" >&2
}

# mediasoup needs meson >= 1.1; bookworm has 1.0.1, bookworm-backports 1.7.
ensure_build_tools() {
  # shellcheck disable=SC2046
  apt_install $(missing_packages "${BUILD_PACKAGES[@]}")
  if ! meson --version 2>/dev/null | awk -F. '{ exit !($1 > 1 || ($1 == 1 && $2 >= 1)) }'; then
    step "meson >= 1.1 from bookworm-backports"
    backports_apt meson/bookworm-backports
  fi
}

# Unpack mediasoup's npm tarball into $2 and swap every downloading subproject
# for a local shim backed by a Debian library.
prepare_source() {
  local version="$1" dest="$2" tarballs="$PARLEY_CACHE_DIR/tarballs"
  mkdir -p "$tarballs"
  if [ ! -s "$tarballs/mediasoup-$version.tgz" ]; then
    step "npm pack mediasoup@$version (the registry's integrity hash is checked)"
    (cd "$tarballs" && npm pack --silent "mediasoup@$version" >/dev/null)
  fi
  rm -rf "$dest" && mkdir -p "$dest"
  tar -xzf "$tarballs/mediasoup-$version.tgz" -C "$dest" --strip-components=1
  install_shims "$dest/worker"
}

install_shims() {
  local worker="$1" shims="$WORKER_SCRIPTS/shims" wrap name
  local subprojects="$worker/subprojects"
  for wrap in "$subprojects"/*.wrap; do
    name="$(basename "$wrap" .wrap)"
    case "$name" in
      wingetopt) ;; # Windows only
      openssl | libuv | usrsctp | abseil-cpp | catch2 | flatbuffers | liburing)
        rm -f "$wrap"
        cp -r "$shims/$name" "$subprojects/$name"
        cp "$shims/empty.c" "$subprojects/$name/"
        ;;
      libsrtp2 | libsrtp3) install_srtp_shim "$worker" "$name" ;;
      unordered-dense)
        # dependency('unordered_dense') resolves through this wrap's [provide];
        # a directory already present under the wrap's name is used as is.
        local directory
        directory="$(sed -n 's/^directory *= *//p' "$wrap")"
        cp -r "$shims/unordered_dense" "$subprojects/$directory"
        ;;
      *)
        echo "mediasoup wants subproject '$name', which has no offline shim in scripts/worker/shims" >&2
        return 1
        ;;
    esac
  done
}

install_srtp_shim() {
  local worker="$1" name="$2" dir="$1/subprojects/$2" args=""
  # mediasoup 3.20+ creates sessions through libsrtp 3's policy API.
  grep -rq srtp_policy_create "$worker/src" && args="'-DPARLEY_SRTP_POLICY_API'"
  rm -f "$worker/subprojects/$name.wrap"
  mkdir -p "$dir"
  cp -r "$WORKER_SCRIPTS/shims/libsrtp/compat" "$WORKER_SCRIPTS/shims/libsrtp/meson_options.txt" \
    "$WORKER_SCRIPTS/shims/empty.c" "$dir/"
  sed -e "s/@NAME@/$name/g" -e "s/@COMPILE_ARGS@/$args/" \
    "$WORKER_SCRIPTS/shims/libsrtp/meson.build.in" > "$dir/meson.build"
}

# meson options: upstream's release flags, never download, and liburing off
# where the option exists (bookworm's liburing 2.3 is older than the 2.5 needed).
meson_setup() {
  local worker="$1" build="$2"
  shift 2
  local options=(--buildtype release -Db_ndebug=true --wrap-mode=nodownload)
  grep -q "'ms_disable_liburing'" "$worker/meson_options.txt" && options+=(-Dms_disable_liburing=true)
  (cd "$worker" && meson setup "$build" "${options[@]}" "$@" >&2)
}

# ninja prints "[done/total]" per step; show one line per 5 %. The whole
# output goes to BUILD/compile-TARGET.log, and its tail is shown on failure.
compile_with_progress() {
  local build="$1" target="$2" log="$1/compile-$2.log"
  meson compile -C "$build" -j "${JOBS:-$(nproc)}" "$target" 2>&1 | tee "$log" |
    awk -v target="$target" '
      /^\[[0-9]+\/[0-9]+\]/ {
        split(substr($1, 2), n, "/"); pct = int(100 * n[1] / n[2])
        if (pct >= shown + 5 || n[1] == n[2]) {
          shown = pct
          printf "[worker] %s: %3d%% (%d/%d)\n", target, pct, n[1], n[2] > "/dev/stderr"
        }
      }'
  local status="${PIPESTATUS[0]}"
  [ "$status" = 0 ] || { tail -n 40 "$log" >&2; echo "[worker] $target failed; full log: $log" >&2; }
  return "$status"
}

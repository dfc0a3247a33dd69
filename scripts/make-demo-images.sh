#!/usr/bin/env bash
# Build, locally and without pulling anything, the two images that the demo
# project in examples/demo/ names:
#
#   busybox:1.36  scratch + the host's static busybox, applets installed as
#                 symlinks in /bin at build time
#   registry:2    busybox:1.36 + the host's docker-registry binary, the shared
#                 libraries ldd reports for it, and a small config file
#
# The public names are used on purpose: with registry access the real images
# work just as well, so this script is only needed on an offline machine.
#
# Usage: scripts/make-demo-images.sh [--force]
#   --force   rebuild an image even when it is already present
#
# Environment (all optional):
#   BUSYBOX_BIN    static busybox to copy in   (default: /bin/busybox)
#   REGISTRY_BIN   docker-registry to copy in  (default: /usr/bin/docker-registry)
set -euo pipefail

BUSYBOX_IMAGE="busybox:1.36"
REGISTRY_IMAGE="registry:2"
BUSYBOX_BIN="${BUSYBOX_BIN:-/bin/busybox}"
REGISTRY_BIN="${REGISTRY_BIN:-/usr/bin/docker-registry}"
LABEL="esb-demo.made-by=make-demo-images"

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "make-demo-images: unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done

die() { echo "make-demo-images: $*" >&2; exit 1; }

# --- prerequisites ---------------------------------------------------------
command -v docker >/dev/null 2>&1 \
  || die "docker CLI not found (install the 'docker.io' package)"
docker info >/dev/null 2>&1 \
  || die "docker daemon not reachable (is dockerd running? 'docker info' failed)"

[ -x "$BUSYBOX_BIN" ] \
  || die "busybox not found at $BUSYBOX_BIN (install the 'busybox-static' package)"
# A dynamically linked busybox (package 'busybox') cannot run in a scratch image.
if ldd "$BUSYBOX_BIN" >/dev/null 2>&1; then
  die "$BUSYBOX_BIN is dynamically linked; a static one is needed (install the 'busybox-static' package)"
fi

[ -x "$REGISTRY_BIN" ] \
  || die "docker-registry not found at $REGISTRY_BIN (install the 'docker-registry' package)"
command -v ldd >/dev/null 2>&1 \
  || die "ldd not found (install the 'libc-bin' package)"

# --- helpers ---------------------------------------------------------------
workdir="$(mktemp -d "${TMPDIR:-/tmp}/esb-demo-images.XXXXXX")"
trap 'rm -rf "$workdir"' EXIT

image_present() { docker image inspect "$1" >/dev/null 2>&1; }

# build IMAGE CONTEXT_DIR : legacy builder (no buildx here), quiet, log kept
# for the error message only.
build() {
  local image="$1" ctx="$2" log="$workdir/build-${1//[:\/]/_}.log"
  if ! DOCKER_BUILDKIT=0 docker build --quiet --label "$LABEL" --tag "$image" "$ctx" >"$log" 2>&1; then
    echo "make-demo-images: building $image failed:" >&2
    sed 's/^/  | /' "$log" >&2
    exit 1
  fi
}

# Shared libraries a dynamic binary needs, as absolute paths (ldd output has
# "name => /path (addr)" lines and a bare "/path/ld-linux... (addr)" line).
needed_libs() {
  ldd "$1" | awk '
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    $1 ~ /^\//               { print $1 }'
}

# --- busybox:1.36 -----------------------------------------------------------
make_busybox() {
  local ctx="$workdir/busybox"
  mkdir -p "$ctx"
  cp -L "$BUSYBOX_BIN" "$ctx/busybox"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/etc", "/root", "/var"]
RUN ["/bin/busybox", "chmod", "1777", "/tmp"]
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
DOCKERFILE
  build "$BUSYBOX_IMAGE" "$ctx"
}

# --- registry:2 -------------------------------------------------------------
make_registry() {
  local ctx="$workdir/registry" lib
  mkdir -p "$ctx/rootfs/usr/bin" "$ctx/rootfs/etc/docker/registry"
  cp -L "$REGISTRY_BIN" "$ctx/rootfs/usr/bin/docker-registry"
  while IFS= read -r lib; do
    [ -n "$lib" ] || continue
    mkdir -p "$ctx/rootfs$(dirname "$lib")"
    cp -L "$lib" "$ctx/rootfs$lib"
  done < <(needed_libs "$REGISTRY_BIN")

  cat >"$ctx/rootfs/etc/docker/registry/config.yml" <<'YAML'
# Minimal configuration for the demo registry. Every key can be overridden
# with an environment variable, e.g. REGISTRY_HTTP_ADDR=0.0.0.0:5010.
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
YAML

  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $BUSYBOX_IMAGE
COPY rootfs/ /
RUN mkdir -p /var/lib/registry
VOLUME ["/var/lib/registry"]
EXPOSE 5000
ENTRYPOINT ["/usr/bin/docker-registry", "serve", "/etc/docker/registry/config.yml"]
DOCKERFILE
  build "$REGISTRY_IMAGE" "$ctx"
}

# --- main -------------------------------------------------------------------
ensure() {
  local image="$1" maker="$2"
  if [ "$force" -eq 0 ] && image_present "$image"; then
    echo "$image: present"
    return
  fi
  "$maker"
  echo "$image: built"
}

ensure "$BUSYBOX_IMAGE" make_busybox
ensure "$REGISTRY_IMAGE" make_registry

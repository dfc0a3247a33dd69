#!/usr/bin/env bash
# Makes a fresh machine (Node, apt, root) ready for esb-e2e and its demo: the Debian
# packages it needs, a Docker engine (started here when none answers), the npm
# dependencies and build, and the demo's images (made locally; nothing is pulled).
# Idempotent and quick when everything is already there. When it starts dockerd, the
# daemon's pid goes to $ESB_E2E_DOCKERD_PIDFILE (default /tmp/esb-e2e-dockerd.pid) and
# its output to /tmp/esb-e2e-dockerd.log, never to this script's own output.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(docker.io docker-compose busybox-static docker-registry python3-pytest)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

pidfile=${ESB_E2E_DOCKERD_PIDFILE:-/tmp/esb-e2e-dockerd.pid}
if ! docker info >/dev/null 2>&1; then
  echo "setup: starting dockerd (log: /tmp/esb-e2e-dockerd.log)"
  nohup dockerd >/tmp/esb-e2e-dockerd.log 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || { echo "setup: dockerd did not answer within 60 s; see /tmp/esb-e2e-dockerd.log" >&2; exit 1; }
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm run build --silent
fi
bash scripts/make-demo-images.sh

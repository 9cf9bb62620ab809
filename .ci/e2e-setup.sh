#!/usr/bin/env bash
# Installs and starts what the end-to-end suite (npm run test:e2e) drives: a Docker daemon and the
# docker CLI, skopeo, podman, buildah, the CNCF reference registry, a static busybox for runnable
# FROM-scratch images, openssl, for the scanning suite debootstrap (a real Debian image) and
# python3-packaging (its independent ground truth compares PEP 440 versions), and for the console's
# browser test Debian's chromium. Idempotent; runs as root without a terminal (CI=true).
#
# dockerd runs in the background with vfs storage, no iptables and no bridge (nothing here needs
# container networking), its own config file so a system daemon.json cannot conflict with the flags.
# State (pid file, log, env file) lives in $BERTH_E2E_STATE (default /tmp/berth-e2e-state).
# .ci/run sources "$BERTH_E2E_STATE/env" afterwards, for any variable the docker CLI needs.
set -euo pipefail

STATE="${BERTH_E2E_STATE:-/tmp/berth-e2e-state}"
mkdir -p "$STATE"
log() { printf '[e2e-setup] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (installs packages, starts dockerd)"
  exit 1
fi

# --- packages ---------------------------------------------------------------------------------
# chromium: test/e2e/console.test.ts drives it headless with playwright-core (never a downloaded browser).
packages=(docker.io skopeo podman buildah docker-registry debootstrap busybox-static uidmap fuse-overlayfs iptables openssl ca-certificates python3-packaging chromium)
missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  log "installing: ${missing[*]}"
  # Keep package scripts from starting services (dockerd with default settings, for one):
  # this script starts the daemon itself, with the settings it needs.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null
  if [ "$created_policy" -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
else
  log "all packages present: ${packages[*]}"
fi

# --- docker daemon ----------------------------------------------------------------------------
docker_ok() { timeout 20 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if docker_ok; then
  log "docker daemon already reachable"
else
  if [ -s "$STATE/dockerd.pid" ] && kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null; then
    log "dockerd (pid $(cat "$STATE/dockerd.pid")) is running but not answering yet"
  else
    rm -f "$STATE/dockerd.pid"
    echo '{}' > "$STATE/daemon.json"
    log "starting dockerd (vfs storage, no iptables, no bridge); log: $STATE/dockerd.log"
    setsid nohup dockerd \
      --config-file "$STATE/daemon.json" \
      --storage-driver=vfs --iptables=false --ip-masq=false --bridge=none \
      --pidfile "$STATE/dockerd.pid" \
      </dev/null >>"$STATE/dockerd.log" 2>&1 &
  fi
  for _ in $(seq 1 60); do
    if docker_ok; then break; fi
    sleep 1
  done
  if ! docker_ok; then
    log "dockerd did not come up; last lines of its log:"
    tail -n 40 "$STATE/dockerd.log" || true
    exit 1
  fi
fi

# The docker CLI on PATH may be newer than the Debian daemon (e.g. a 28.x client, a 20.10 daemon).
# It negotiates the API version by itself; if that ever fails, pin the daemon's version.
: > "$STATE/env"
if ! docker info >/dev/null 2>&1; then
  api="$(/usr/bin/docker version --format '{{.Server.APIVersion}}' 2>/dev/null || true)"
  if [ -n "$api" ] && DOCKER_API_VERSION="$api" docker info >/dev/null 2>&1; then
    log "pinning DOCKER_API_VERSION=$api for the docker CLI"
    echo "export DOCKER_API_VERSION=$api" >> "$STATE/env"
  else
    log "docker info fails:"
    docker info || true
    exit 1
  fi
fi

log "docker client $(docker version --format '{{.Client.Version}}'), daemon $(docker version --format '{{.Server.Version}}'), storage $(docker info --format '{{.Driver}}')"
log "$(skopeo --version); $(podman --version); $(buildah --version | cut -d' ' -f1-3)"
log "docker-registry $(docker-registry --version 2>/dev/null | awk '{print $NF}' || echo '?'); busybox: $(busybox 2>&1 | head -n1 | cut -d' ' -f1-2)"
log "ready"

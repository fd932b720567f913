#!/usr/bin/env bash
# Prepares podman to stand in for a Docker engine on a Debian 12 machine with
# no Docker and no reachable image registry (our CI machines), as root:
#   1. packages: podman, runc, netavark, debootstrap (apt), and the compose v2
#      CLI plugin built from its Go module (the `docker compose` Docker users run);
#   2. config: runc (crun refuses hybrid cgroups) and default ulimits within
#      the machine's hard limits (podman's own defaults fail in setrlimit);
#      The machine's local CAs go to infra/containers/extra-ca/ for image builds.
#   3. a local Debian base image, localhost/ringleader-debian:bookworm, made with
#      debootstrap from the machine's apt mirror (no registry to pull one from);
#   4. the Docker-compatible API socket (`podman system service`);
#   5. a healthcheck runner: podman runs healthchecks from systemd timers, which
#      this machine has not, so `depends_on: condition: service_healthy` would wait forever.
# Every step is skipped when already done. Then:
#   source /run/ringleader-containers/env     # DOCKER_HOST and friends
#   infra/containers/setup.sh stop            # stops the socket and the runner
set -euo pipefail

RUN_DIR=/run/ringleader-containers
SOCKET="$RUN_DIR/podman.sock"
BASE_IMAGE=localhost/ringleader-debian:bookworm
COMPOSE_VERSION=v2.40.3
COMPOSE_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose
here="$(cd "$(dirname "$0")" && pwd)"

log() { printf '[containers setup %ss] %s\n' "$SECONDS" "$*"; }
die() { echo "infra/containers/setup.sh: $*" >&2; exit 1; }

# A pid file's process, only if it is still the one we started (its command
# line names what we expect), so a reused pid is never signalled.
ours() {
  local file="$1" expect="$2" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$expect" || return 1
  echo "$pid"
}

stop_pid() {
  local file="$1" expect="$2" pid
  if pid="$(ours "$file" "$expect")"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped $expect (pid $pid)"
  fi
  rm -f "$file"
}

stop() {
  stop_pid "$RUN_DIR/healthcheck-runner.pid" healthcheck-runner.sh
  stop_pid "$RUN_DIR/service.pid" "system service"
  rm -f "$SOCKET"
  # netavark's DNS server for container networks can outlive the last of them.
  if [ -z "$(podman ps -q 2>/dev/null)" ]; then
    stop_pid /run/containers/networks/aardvark-dns/aardvark.pid aardvark-dns
  fi
}

packages() {
  local need=()
  for p in podman runc netavark aardvark-dns iptables debootstrap slirp4netns; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  command -v docker >/dev/null || die "the docker CLI is missing (it talks to podman's socket): install docker-ce-cli or docker.io"
  if ! [ -x "$COMPOSE_PLUGIN" ] || ! "$COMPOSE_PLUGIN" version 2>/dev/null | grep -q "${COMPOSE_VERSION#v}"; then
    local go; go="$(command -v go || echo /usr/local/go/bin/go)"
    [ -x "$go" ] || die "go is needed to build the compose plugin ($COMPOSE_VERSION)"
    log "building docker compose $COMPOSE_VERSION from its Go module (a few minutes, once)"
    # Not `go install module@version`: compose's go.mod has exclude directives,
    # which go install refuses, so build inside a copy of the downloaded module.
    local src work
    src="$("$go" mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
    [ -d "$src" ] || die "could not download github.com/docker/compose/v2@$COMPOSE_VERSION"
    work="$(mktemp -d)"
    cp -r "$src/." "$work" && chmod -R u+w "$work"
    mkdir -p "$(dirname "$COMPOSE_PLUGIN")"
    (cd "$work" && "$go" build -trimpath -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" -o "$COMPOSE_PLUGIN" ./cmd)
    rm -rf "$work"
  fi
}

config() {
  local conf=/etc/containers/containers.conf.d/ringleader.conf
  mkdir -p "$(dirname "$conf")"
  cat >"$conf.tmp" <<'EOF'
# Written by ringleader's infra/containers/setup.sh.
[containers]
# Within the machine's hard limits: podman's defaults (nofile 1048576) fail in setrlimit.
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[network]
network_backend = "netavark"

[engine]
# crun refuses hybrid cgroups ("cgroups in hybrid mode not supported").
runtime = "runc"
EOF
  if cmp -s "$conf.tmp" "$conf"; then rm "$conf.tmp"; else mv "$conf.tmp" "$conf"; log "wrote $conf"; fi
}

# Image builds fetch over TLS (Maven Central, npm); where this machine trusts
# local CAs (an egress that re-signs TLS), the builds must trust them too.
extra_ca() {
  local dest="$here/extra-ca" f
  for f in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$f" ] || continue
    cmp -s "$f" "$dest/$(basename "$f")" || { cp "$f" "$dest/"; log "image builds will trust $(basename "$f")"; }
  done
}

apt_mirror() {
  local uri
  uri="$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | grep -v security | head -n 1 || true)"
  [ -n "$uri" ] || uri="$(grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}' | grep -v security | head -n 1 || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}

base_image() {
  if podman image exists "$BASE_IMAGE"; then return; fi
  local mirror root
  mirror="$(apt_mirror)"
  root="$(mktemp -d /var/tmp/ringleader-rootfs.XXXXXX)"
  log "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; die "debootstrap failed (log $root.log)"; }
  echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
  echo "deb $mirror bookworm-updates main" >>"$root/etc/apt/sources.list"
  # Images install what they need; the package lists are fetched in the build.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root" "$root.log"
  log "imported $BASE_IMAGE"
}

service() {
  mkdir -p "$RUN_DIR"
  if ours "$RUN_DIR/service.pid" "system service" >/dev/null && [ -S "$SOCKET" ]; then return; fi
  rm -f "$SOCKET"
  # setsid: the service outlives this script and is stopped by `setup.sh stop`.
  setsid podman system service --time=0 "unix://$SOCKET" >"$RUN_DIR/service.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/service.pid"
  for _ in $(seq 100); do
    [ -S "$SOCKET" ] && DOCKER_HOST="unix://$SOCKET" docker version >/dev/null 2>&1 && break
    sleep 0.1
  done
  DOCKER_HOST="unix://$SOCKET" docker version >/dev/null 2>&1 || die "podman's API socket did not answer; see $RUN_DIR/service.log"
  log "podman API on $SOCKET"
}

healthcheck_runner() {
  if ours "$RUN_DIR/healthcheck-runner.pid" healthcheck-runner.sh >/dev/null; then return; fi
  setsid "$here/healthcheck-runner.sh" >"$RUN_DIR/healthcheck-runner.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/healthcheck-runner.pid"
  log "healthcheck runner started (pid $!)"
}

env_file() {
  cat >"$RUN_DIR/env" <<EOF
export DOCKER_HOST=unix://$SOCKET
export TESTCONTAINERS_RYUK_DISABLED=true
export TESTCONTAINERS_HOST_OVERRIDE=localhost
export COMPOSE_BAKE=false
export DOCKER_BUILDKIT=0
export RINGLEADER_IMAGE_BASE=$BASE_IMAGE
EOF
}

case "${1:-up}" in
  up)
    [ "$(id -u)" = 0 ] || die "run as root (podman runs rootful here)"
    packages
    config
    extra_ca
    base_image
    service
    healthcheck_runner
    env_file
    log "ready: source $RUN_DIR/env"
    ;;
  stop) stop ;;
  *) die "usage: setup.sh [up|stop]" ;;
esac

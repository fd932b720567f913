#!/usr/bin/env bash
# Builds the three images docker-compose.yml and the container test provider
# use: ringleader-zookeeper:local, ringleader-kafka:local, ringleader:local.
# RINGLEADER_IMAGE_BASE sets their Debian 12 base (default debian:bookworm-slim;
# setup.sh's env file sets the local one). Prints each build's time.
set -euo pipefail
cd "$(dirname "$0")/../.."
base="${RINGLEADER_IMAGE_BASE:-debian:bookworm-slim}"
build() {
  local image="$1"; shift
  local t0=$SECONDS
  docker build -q --build-arg "BASE=$base" -t "$image" "$@" >/dev/null
  printf '{"image":"%s","base":"%s","seconds":%d}\n' "$image" "$base" "$((SECONDS - t0))"
}
build ringleader-zookeeper:local -f infra/containers/zookeeper/Dockerfile infra
build ringleader-kafka:local -f infra/containers/kafka/Dockerfile infra
build ringleader:local -f Dockerfile .

#!/usr/bin/env bash
# Runs the healthchecks of running podman containers every few seconds: podman
# schedules them with systemd timers, and without systemd a container's health
# stays "starting" forever. Started and stopped by setup.sh.
set -uo pipefail
interval="${RINGLEADER_HEALTHCHECK_INTERVAL:-2}"
trap 'exit 0' TERM INT
while :; do
  # Only containers that declare a healthcheck have a health status.
  for id in $(podman ps -q --filter health=starting --filter health=healthy --filter health=unhealthy 2>/dev/null); do
    podman healthcheck run "$id" >/dev/null 2>&1 || true
  done
  sleep "$interval" &
  wait $!
done

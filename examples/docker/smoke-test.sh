#!/usr/bin/env bash
# docker-compose.yml for real: `up -d` as a user runs it, wait until the
# sidecar handles the compose producer's first message and the 3 pollers own
# every range, send a batch from the host and wait until the sidecar has
# handled all of it, print `ringleader status --json` (run on the host), then
# `down -v` and check that nothing of the project is left. Prints one JSON
# line of timings at the end.
#
#   docker compose build && examples/docker/smoke-test.sh
#   examples/docker/smoke-test.sh --down-only      (removes what a killed run left)
#
# Needs: a Docker API (Docker, or podman's through infra/containers/setup.sh),
# the compose v2 plugin, the images built, and dist/ (npm ci) for the host CLI.
# Host ports: RINGLEADER_ZK_PORT / RINGLEADER_KAFKA_PORT (default 33181 / 33092).
set -euo pipefail
cd "$(dirname "$0")/../.."
export RINGLEADER_ZK_PORT="${RINGLEADER_ZK_PORT:-33181}"
export RINGLEADER_KAFKA_PORT="${RINGLEADER_KAFKA_PORT:-33092}"
project="${SMOKE_PROJECT:-ringleader-smoke}"
timeout_s="${SMOKE_TIMEOUT:-300}"
batch=300
batch_size=777
zk="127.0.0.1:$RINGLEADER_ZK_PORT"
brokers="127.0.0.1:$RINGLEADER_KAFKA_PORT"
cli=(node dist/cli/main.js)

compose() { docker compose -p "$project" "$@"; }
say() { printf '[smoke %3ss] %s\n' "$((SECONDS - t0))" "$*" >&2; }
fail() {
  say "FAILED: $*"
  compose ps -a >&2 || true
  compose logs --tail 30 >&2 || true
  exit 1
}
down() {
  compose --profile join --profile tools down -v --remove-orphans --timeout 40 >/dev/null 2>&1 || true
}
trap down EXIT

handled() { compose logs --no-log-prefix sidecar 2>/dev/null | grep -c '"msg":"handled"' || true; }

# Every range owned by one of exactly 3 active pollers, the assignment converged.
all_owned() {
  "${cli[@]}" status --json --zk "$zk" --group compose 2>/dev/null | node -e '
    let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
      const j = JSON.parse(s);
      const owners = new Set(j.assignment.map((r) => r.owner));
      const ok = j.ranges === 16 && j.assignment.length === 16 && !owners.has(null) && owners.size === 3 && j.converged;
      process.exit(ok ? 0 : 1);
    });'
}

wait_for() {
  local what="$1"; shift
  local deadline=$((SECONDS + timeout_s))
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$what: not within ${timeout_s}s"
    sleep 1
  done
}

if [ "${1:-}" = --down-only ]; then trap - EXIT; down; exit 0; fi
[ -x dist/cli/main.js ] || { echo "dist/ is missing: run npm ci first" >&2; exit 1; }
t0=$SECONDS
down
say "docker compose up -d (ZooKeeper, Kafka, create, coordinator, sidecar, 3 pollers, producer)"
compose up -d --no-build >/dev/null 2>&1 || fail "compose up"
first_handled() { [ "$(handled)" -gt 0 ]; }
wait_for "a first message handled by the sidecar" first_handled
first_handled_s=$((SECONDS - t0))
say "first message handled"
wait_for "every range owned by the 3 pollers" all_owned
owned_s=$((SECONDS - t0))
say "all 16 ranges owned by 3 pollers ($(handled) messages handled so far)"

# The compose producer's messages are 200 bytes; the host's batch is told
# apart by its size.
say "producing $batch messages of $batch_size bytes from the host to $brokers"
"${cli[@]}" produce --brokers "$brokers" --topic orders --count "$batch" --keys 60 --size "$batch_size" >/dev/null || fail "produce from the host"
batch_handled() { [ "$(compose logs --no-log-prefix sidecar 2>/dev/null | grep -c "\"bytes\":$batch_size," || true)" -ge "$batch" ]; }
wait_for "the sidecar handling the host's batch" batch_handled
batch_s=$((SECONDS - t0))
say "the sidecar handled the host's batch ($(handled) messages handled in all)"

status="$("${cli[@]}" status --json --zk "$zk" --group compose --brokers "$brokers")" || fail "status --json from the host"
echo "$status"
echo "$status" | node -e '
  let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
    const j = JSON.parse(s);
    for (const p of j.pollers) console.error(`  ${p.id} ${p.state} ranges ${p.ranges.join(",")}`);
  });'

say "compose down -v"
t_down=$SECONDS
compose --profile join --profile tools down -v --remove-orphans --timeout 40 >/dev/null 2>&1 || fail "compose down"
down_s=$((SECONDS - t_down))
left="$(docker ps -aq --filter "label=com.docker.compose.project=$project")"
left+="$(docker network ls -q --filter "label=com.docker.compose.project=$project")"
left+="$(docker volume ls -q --filter "label=com.docker.compose.project=$project")"
[ -z "$left" ] || fail "left behind after down: $left"
trap - EXIT
printf '{"smoke":"ok","allRangesOwnedS":%d,"firstHandledS":%d,"batchHandledS":%d,"downS":%d,"totalS":%d}\n' \
  "$owned_s" "$first_handled_s" "$batch_s" "$down_s" "$((SECONDS - t0))"

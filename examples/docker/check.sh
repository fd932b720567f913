#!/usr/bin/env bash
# Checks the Dockerfile and docker-compose.yml without a Docker engine:
#  1. docker-compose.yml parses and its ringleader services are consistent
#     (`docker compose config` too, when the compose plugin is installed);
#  2. the Dockerfile's build steps, run as plain shell in a copy of the
#     context (minus .dockerignore), give a working `ringleader` and sidecar.
# node_modules is linked from the checkout instead of `npm ci` (no network).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

if docker compose version >/dev/null 2>&1; then
  docker compose config --quiet && echo "docker compose config: ok"
else
  echo "docker compose plugin not installed: checking the YAML with python"
fi
python3 - <<'PY'
import yaml
d = yaml.safe_load(open("docker-compose.yml"))
s = d["services"]
need = ["zookeeper", "kafka", "create", "coordinator", "sidecar", "poller-1", "poller-2", "poller-3", "producer"]
missing = [n for n in need if n not in s]
assert not missing, f"missing services: {missing}"
for name, svc in s.items():
    for dep in (svc.get("depends_on") or {}):
        assert dep in s, f"{name} depends on unknown service {dep}"
    if svc.get("image") == "ringleader:local":
        assert svc.get("build") == ".", f"{name}: not built from the Dockerfile"
        assert svc.get("network_mode") == "service:kafka", f"{name}: not on the kafka network"
ids = [svc["command"][2] for n, svc in s.items() if n.startswith("poller-")]
assert len(ids) == len(set(ids)), f"poller ids repeat: {ids}"
print("docker-compose.yml: ok,", len(s), "services")
PY

ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
# The build context as Docker would send it (.dockerignore'd paths left out).
tar --exclude-from=<(sed -e 's|^/||' .dockerignore) -cf - . | tar -xf - -C "$ctx"
cd "$ctx"
ln -s "$root/node_modules" node_modules     # stands in for: npm ci --ignore-scripts
npm run build --silent                       # RUN npm run build
test -x dist/cli/main.js
node dist/cli/main.js --help >/dev/null && echo "ringleader --help: ok"
PORT=18999 node examples/sidecar/server.mjs >sidecar.out &
pid=$!
for _ in $(seq 50); do grep -q listening sidecar.out 2>/dev/null && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'ringleader-key: k%201' -H 'ringleader-range: 0' \
  -H 'ringleader-partition: 0' -H 'ringleader-offset: 7' -H 'ringleader-attempt: 1' --data '{}' http://127.0.0.1:18999/messages)
kill "$pid"; wait "$pid" 2>/dev/null || true
test "$code" = 200 && grep -q '"key":"k 1"' sidecar.out && echo "sidecar: ok"
echo "all checks passed"

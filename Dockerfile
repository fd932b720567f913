# ringleader: the `ringleader` CLI (poller, coordinator, create, status, watch,
# drain, produce) in a small image. ZooKeeper and Kafka are not inside; see
# docker-compose.yml.
#
#   docker build -t ringleader .
#   docker run --rm ringleader --help
#   docker run --rm -e RINGLEADER_ZK=zk:2181 -e RINGLEADER_BROKERS=kafka:9092 ringleader status --group orders

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
# The sidecar example, so the compose file can run it from this image.
COPY examples ./examples
RUN ln -s /app/dist/cli/main.js /usr/local/bin/ringleader
USER node
ENTRYPOINT ["ringleader"]
CMD ["--help"]

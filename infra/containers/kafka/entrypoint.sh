#!/usr/bin/env bash
# Writes server.properties (the settings of infra/kafka-config.ts, with an
# INTERNAL listener for containers and an EXTERNAL one for the host), formats
# the KRaft storage on first start, then becomes the broker (exec: SIGTERM
# reaches the JVM, which shuts down cleanly).
set -euo pipefail
dir=/var/lib/kafka
internal_host="${KAFKA_INTERNAL_HOST:-$(hostname)}"
mkdir -p "$dir/data"
cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=${KAFKA_NODE_ID}
controller.quorum.voters=${KAFKA_NODE_ID}@localhost:9093
listeners=INTERNAL://0.0.0.0:19092,EXTERNAL://0.0.0.0:9092,CONTROLLER://localhost:9093
advertised.listeners=INTERNAL://${internal_host}:19092,EXTERNAL://${KAFKA_EXTERNAL_ADVERTISED}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
log.retention.hours=24
PROPS
cat >"$dir/log4j2.properties" <<'PROPS'
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.kafka-request.name = kafka.request.logger
logger.kafka-request.level = warn
logger.state-change.name = state.change.logger
logger.state-change.level = warn
PROPS
cp=/opt/kafka/lib/*
log4j="-Dlog4j2.configurationFile=$dir/log4j2.properties"
if [ ! -f "$dir/data/meta.properties" ]; then
  # A cluster id never starting with '-' (format would read it as a flag).
  cluster_id="${KAFKA_CLUSTER_ID:-$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | sed 's/^-/A/')}"
  java -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData "$log4j" -cp "$cp" \
    kafka.tools.StorageTool format --cluster-id "$cluster_id" --config "$dir/server.properties" --ignore-formatted
fi
exec java "-Xmx${KAFKA_HEAP}" -Xms128m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
  "$log4j" "-Dkafka.logs.dir=$dir" -cp "$cp" kafka.Kafka "$dir/server.properties"

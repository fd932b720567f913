#!/usr/bin/env bash
# Writes zoo.cfg (the settings of infra/zookeeper-config.ts: 500 ms ticks so
# sessions can be as short as one second) and becomes the server (exec: SIGTERM
# reaches the JVM).
set -euo pipefail
dir=/var/lib/zookeeper
mkdir -p "$dir/data"
tick="${ZOO_TICK_TIME}"
{
  echo "tickTime=$tick"
  echo "minSessionTimeout=$((2 * tick))"
  echo "maxSessionTimeout=60000"
  echo "dataDir=$dir/data"
  echo "clientPort=2181"
  echo "admin.enableServer=false"
  echo "4lw.commands.whitelist=*"
  echo "maxClientCnxns=0"
  echo "autopurge.purgeInterval=0"
  if [ -n "${ZOO_SERVERS:-}" ]; then
    echo "initLimit=20"
    echo "syncLimit=10"
    echo "reconfigEnabled=false"
    echo "standaloneEnabled=false"
    # A peer's own name resolves to its container address; listen on all of them.
    echo "quorumListenOnAllIPs=true"
    for member in $ZOO_SERVERS; do
      echo "server.${member%%=*}=${member#*=}:2888:3888"
    done
  fi
} >"$dir/zoo.cfg"
echo "$ZOO_MY_ID" >"$dir/data/myid"
exec java "-Xmx${ZOO_HEAP}" -Xms32m -XX:+UseSerialGC -XX:-UsePerfData -Djava.awt.headless=true \
  -Dzookeeper.jmx.log4j.disable=true -Dorg.slf4j.simpleLogger.showDateTime=true \
  '-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd HH:mm:ss.SSS' \
  -cp '/opt/zookeeper/lib/*' org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg"

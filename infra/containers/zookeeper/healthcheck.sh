#!/usr/bin/env bash
# Healthy when `srvr` reports a Mode (standalone, leader or follower): the
# server is serving clients. Plain bash, no JVM per check.
set -eu
exec 3<>/dev/tcp/127.0.0.1/2181
printf 'srvr' >&3
timeout 4 cat <&3 | grep -q '^Mode: '

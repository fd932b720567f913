#!/usr/bin/env bash
# Healthy when the broker answers an ApiVersions (v0) request on :9092. Plain
# bash (no JVM per check: a second JVM every few seconds is costly on 2 cores).
# Request: size 10 | api_key 18 | api_version 0 | correlation_id 1 | client_id "" (length 0).
set -eu
exec 3<>/dev/tcp/127.0.0.1/9092
printf '\x00\x00\x00\x0a\x00\x12\x00\x00\x00\x00\x00\x01\x00\x00' >&3
# The reply begins with its size and our correlation id (1).
reply="$(timeout 4 head -c 8 <&3 | od -An -tx1 | tr -d ' \n')"
[ "${reply:8:8}" = "00000001" ]

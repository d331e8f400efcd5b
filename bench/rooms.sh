#!/usr/bin/env bash
# Agents opening Apizee rooms against Odoo (threaded server) and the stand-in Apizee server:
# concurrent clicks, token requests per Apizee user, requests per minute, latency.
#   bench/rooms.sh [--agents 50] [--peak-seconds 60]      (about 5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_setup
ha_bench_server helpdesk_apizee_bench_rooms
"$HA_PY" bench/rooms.py --url "$HA_SERVER_URL" --db helpdesk_apizee_bench_rooms "$@"

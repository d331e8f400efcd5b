#!/usr/bin/env bash
# A burst of Apizee webhook deliveries against a running Odoo (threaded, with its cron
# thread) and the stand-in Apizee server (media downloads): deliveries accepted per
# second against a trivial public route, time to drain the queue, nothing lost or doubled.
#   bench/webhooks.sh [--events 1000] [--concurrency 8]      (about 3 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_setup
HA_BENCH_CRON_THREADS=1 ha_bench_server helpdesk_apizee_bench_webhooks
"$HA_PY" bench/webhooks.py --url "$HA_SERVER_URL" --db helpdesk_apizee_bench_webhooks "$@"

#!/usr/bin/env bash
# A burst of Apizee webhook deliveries against Odoo (with its cron runners) and the
# stand-in Apizee server (media downloads): deliveries accepted per second against a
# trivial public route, time to drain the queue, nothing lost or doubled, applied in
# order.
#   bench/webhooks.sh [--servers 1] [--workers 0] [--events 1000] [--concurrency 8]
#                     [--media-host]                              (about 3 minutes)
# --servers 2 --workers 4: two Odoo servers in prefork mode on one database, each with
# 4 HTTP workers and 2 cron runners; the deliveries are spread over both.
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_bench_main webhooks 1 "$@"

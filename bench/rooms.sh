#!/usr/bin/env bash
# Agents opening Apizee rooms against Odoo and the stand-in Apizee server: concurrent
# clicks, double clicks across servers, token requests per Apizee user, requests per
# minute, added latency.
#   bench/rooms.sh [--servers 1] [--workers 0] [--agents 50] [--peak-seconds 60]
#                  [--accounts own|technical]                     (about 5 minutes)
# --servers 2 --workers 4: two Odoo servers in prefork mode on one database, each with
# 4 HTTP workers and 2 cron runners, as two machines behind a proxy would be.
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_bench_main rooms 0 "$@"

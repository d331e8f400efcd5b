#!/usr/bin/env bash
# Customers opening their tickets' join links at once, against Odoo and the stand-in
# Apizee server: sessions created, Apizee requests per minute and per technical
# account, answers, time to the redirect.
#   bench/join.sh [--servers 1] [--workers 0] [--customers 200] [--pool 10]
#                 [--spread-seconds 60]                        (about 5 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_bench_main join 0 "$@"

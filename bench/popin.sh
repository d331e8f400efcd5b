#!/usr/bin/env bash
# The video pop-in's costs: bootstrap latency (warm cache) against a trivial
# authenticated JSON route, and the source bytes added to the backend bundle (and to
# the module's own bundle, loaded on first use).
#   bench/popin.sh            (about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_setup
ha_bench_server helpdesk_apizee_bench_popin
"$HA_PY" bench/popin.py --url "$HA_SERVER_URL" --db helpdesk_apizee_bench_popin \
    "${HA_ODOO_OPTS[@]}" "$@"

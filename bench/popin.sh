#!/usr/bin/env bash
# The video pop-in's costs: bootstrap latency (warm cache) against a trivial
# authenticated JSON route, and the source bytes added to the backend bundle.
#   bench/popin.sh            (about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_setup
db=helpdesk_apizee_bench_popin
dropdb --if-exists "$db"
ha_log "creating $db"
"${HA_ODOO_BIN[@]}" -d "$db" -i helpdesk_apizee --stop-after-init --log-level=warn
port=$("$HA_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"${HA_ODOO_BIN[@]}" -d "$db" --db-filter="^$db\$" --http-interface=127.0.0.1 \
    --http-port="$port" --workers=0 --max-cron-threads=0 \
    --log-level=warn >"$HA_CACHE/bench-popin.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _i in $(seq 60); do
    curl -sf "http://127.0.0.1:$port/web/health" >/dev/null && break
    sleep 1
done
"$HA_PY" bench/popin.py --url "http://127.0.0.1:$port" --db "$db" "$@"

#!/usr/bin/env bash
# Counts the SQL queries that load one ticket form and an 80-ticket list view, on a
# database with helpdesk_mgmt alone and on one with helpdesk_apizee, in one run.
#   bench/ticket_queries.sh          (creates both databases on first use, ~2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_setup
for pair in "helpdesk_apizee_bench_without:helpdesk_mgmt" "helpdesk_apizee_bench_with:helpdesk_apizee"; do
    db=${pair%%:*} module=${pair##*:}
    if ! psql -d postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
        ha_log "creating $db with $module"
        "${HA_ODOO_BIN[@]}" -d "$db" -i "$module" --stop-after-init --log-level=warn
    fi
    "$HA_PY" "$HA_ODOO/odoo-bin" shell "${HA_ODOO_OPTS[@]}" -d "$db" --log-level=warn \
        --no-http <bench/ticket_queries.py | grep '^BENCH'
done

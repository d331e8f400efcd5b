#!/usr/bin/env bash
# The video sessions report's pivot on 100,000 sessions and 50,000 tickets, timed in
# the same run as a comparable read_group on the tickets alone; the dashboard's
# queries for 1 and for 20 team cards.
#   bench/insight.sh [SESSIONS] [TICKETS]      (creates its database on first use)
set -euo pipefail
cd "$(dirname "$0")/.."
source dev/setup.sh
ha_setup
db=helpdesk_apizee_bench_insight
if ! psql -d postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
    ha_log "creating $db"
    "${HA_ODOO_BIN[@]}" -d "$db" -i helpdesk_apizee --without-demo=all --stop-after-init \
        --log-level=warn
else
    "${HA_ODOO_BIN[@]}" -d "$db" -u helpdesk_apizee --stop-after-init --log-level=warn
fi
# Twice: the rows first (then VACUUM: a table full of dead rows would time its
# scans, not the reports), the figures second
for step in prepare time; do
    BENCH_STEP=$step BENCH_SESSIONS=${1:-100000} BENCH_TICKETS=${2:-50000} \
        "$HA_PY" "$HA_ODOO/odoo-bin" shell "${HA_ODOO_OPTS[@]}" -d "$db" \
        --log-level=warn --no-http <bench/insight.py | { grep '^BENCH' || true; }
    [ "$step" = prepare ] && psql -d "$db" -qc "VACUUM ANALYZE helpdesk_ticket" \
        -c "VACUUM ANALYZE apizee_session"
done

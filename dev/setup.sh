#!/usr/bin/env bash
# Shared setup for dev/run and dev/test: sourced, not run.
#
# Brings, when missing: Debian packages (PostgreSQL, Chromium, build headers), the Odoo 18.0
# source, a virtualenv with Odoo's requirements + helpdesk_mgmt + our dependencies + linters,
# the npm linters, and a private PostgreSQL cluster. Everything lives in one cache folder:
#
#   $HELPDESK_APIZEE_CACHE, default ~/.cache/helpdesk_apizee
#   (as root: /var/cache/helpdesk_apizee, so that the `postgres` user can reach its cluster)
#
# The Odoo source is taken from, in this order: $ODOO_SRC; $CACHE/odoo-18.0; the official
# 18.0 source archive (downloaded into $CACHE/odoo-18.0 where the internet is reachable).
set -euo pipefail

HA_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "$(id -u)" = 0 ]; then
    HA_CACHE=${HELPDESK_APIZEE_CACHE:-/var/cache/helpdesk_apizee}
else
    HA_CACHE=${HELPDESK_APIZEE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/helpdesk_apizee}
fi
HA_VENV=$HA_CACHE/venv
HA_PGDATA=$HA_CACHE/pgdata
HA_PGRUN=$HA_CACHE/pgrun
HA_PGPORT=${HELPDESK_APIZEE_PGPORT:-54329}
HA_DBUSER=odoo
HA_ODOO_URL=${HELPDESK_APIZEE_ODOO_URL:-https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz}
export PGHOST=$HA_PGRUN PGPORT=$HA_PGPORT PGUSER=$HA_DBUSER
mkdir -p "$HA_CACHE"

ha_log() { printf '\033[1m[helpdesk_apizee]\033[0m %s\n' "$*" >&2; }

ha_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ha_apt_packages() {
    local missing=() pkg
    for pkg in postgresql chromium libpq-dev libldap2-dev libsasl2-dev; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    command -v npm >/dev/null || missing+=(nodejs npm)
    [ ${#missing[@]} = 0 ] && return 0
    ha_log "installing Debian packages: ${missing[*]}"
    ha_as_root apt-get update -qq
    ha_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

ha_odoo_source() {
    if [ -n "${ODOO_SRC:-}" ]; then
        [ -f "$ODOO_SRC/odoo-bin" ] || { ha_log "ODOO_SRC=$ODOO_SRC has no odoo-bin"; return 1; }
        HA_ODOO=$(cd "$ODOO_SRC" && pwd)
    else
        HA_ODOO=$HA_CACHE/odoo-18.0
        if [ ! -f "$HA_ODOO/odoo-bin" ]; then
            ha_log "downloading the Odoo 18.0 source into $HA_ODOO"
            mkdir -p "$HA_ODOO.part"
            curl -fL --retry 2 "$HA_ODOO_URL" | tar -xz -C "$HA_ODOO.part" --strip-components=1
            mv "$HA_ODOO.part" "$HA_ODOO"
        fi
    fi
    grep -q "version_info = (18, 0" "$HA_ODOO/odoo/release.py" \
        || { ha_log "$HA_ODOO is not an Odoo 18.0 source tree"; return 1; }
}

ha_venv() {
    local stamp want
    want=$(cat "$HA_ODOO/requirements.txt" "$HA_REPO/dev/requirements-dev.txt" | sha1sum | cut -c1-12)
    stamp=$HA_VENV/.helpdesk_apizee-$want
    if [ ! -f "$stamp" ]; then
        ha_log "building the virtualenv $HA_VENV (first run: a few minutes)"
        rm -rf "$HA_VENV"
        python3 -m venv "$HA_VENV"
        # cbor2 and a few other pinned sdists do not build with setuptools >= 81
        echo 'setuptools<81' >"$HA_CACHE/pip-constraints.txt"
        export PIP_CONSTRAINT=$HA_CACHE/pip-constraints.txt PIP_DISABLE_PIP_VERSION_CHECK=1
        "$HA_VENV/bin/pip" install -q 'setuptools<81' wheel
        "$HA_VENV/bin/pip" install -q -r "$HA_ODOO/requirements.txt"
        # helpdesk_mgmt's own `odoo` requirement cannot be met from the registry: no deps
        "$HA_VENV/bin/pip" install -q --no-deps 'odoo-addon-helpdesk-mgmt==18.0.*'
        "$HA_VENV/bin/pip" install -q -r "$HA_REPO/dev/requirements-dev.txt"
        unset PIP_CONSTRAINT
        touch "$stamp"
    fi
    # The Odoo source goes on sys.path (an editable install breaks odoo.__path__)
    local site
    site=$("$HA_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$HA_ODOO" >"$site/odoo-source.pth"
}

ha_node_tools() {
    local want stamp
    want=$(sha1sum "$HA_REPO/dev/package.json" | cut -c1-12)
    stamp=$HA_CACHE/node/.stamp-$want
    if [ ! -f "$stamp" ]; then
        ha_log "installing prettier and eslint into $HA_CACHE/node"
        rm -rf "$HA_CACHE/node"
        mkdir -p "$HA_CACHE/node"
        cp "$HA_REPO/dev/package.json" "$HA_CACHE/node/"
        (cd "$HA_CACHE/node" && npm install --silent --no-audit --no-fund >/dev/null)
        touch "$stamp"
    fi
    export PATH=$HA_CACHE/node/node_modules/.bin:$PATH
}

# Runs a PostgreSQL binary as the owner of the cluster (`postgres` when we are root).
ha_pg() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$bin/$1" "${@:2}"
    else
        "$bin/$1" "${@:2}"
    fi
}

ha_postgres() {
    mkdir -p "$HA_PGRUN"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$HA_PGRUN"; fi
    if [ ! -f "$HA_PGDATA/PG_VERSION" ]; then
        ha_log "creating a private PostgreSQL cluster in $HA_PGDATA"
        mkdir -p "$HA_PGDATA"
        if [ "$(id -u)" = 0 ]; then chown postgres: "$HA_PGDATA"; fi
        ha_pg initdb -D "$HA_PGDATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ha_pg pg_ctl -D "$HA_PGDATA" status >/dev/null 2>&1 &&
        ! ha_pg pg_isready -q -h "$HA_PGRUN" -p "$HA_PGPORT"; then
        # A postmaster.pid left by a killed server, whose PID another process now has
        ha_log "removing a stale $HA_PGDATA/postmaster.pid"
        rm -f "$HA_PGDATA/postmaster.pid"
    fi
    if ! ha_pg pg_ctl -D "$HA_PGDATA" status >/dev/null 2>&1; then
        ha_log "starting PostgreSQL on port $HA_PGPORT (socket in $HA_PGRUN)"
        ha_pg pg_ctl -D "$HA_PGDATA" -l "$HA_PGDATA/server.log" -w \
            -o "-p $HA_PGPORT -k $HA_PGRUN -c listen_addresses=''" start >/dev/null
    fi
    # Odoo refuses to connect as `postgres`: a dedicated role that may create databases
    ha_pg psql -h "$HA_PGRUN" -p "$HA_PGPORT" -U postgres -d postgres -qtAc \
        "SELECT 1 FROM pg_roles WHERE rolname='$HA_DBUSER'" | grep -q 1 \
        || ha_pg psql -h "$HA_PGRUN" -p "$HA_PGPORT" -U postgres -d postgres -qc \
            "CREATE ROLE $HA_DBUSER LOGIN CREATEDB"
}

# The addons path needs a folder named after the module: the repo root may be named anything.
ha_addons_path() {
    local key
    key=$(printf '%s' "$HA_REPO" | sha1sum | cut -c1-12)
    HA_ADDONS=$HA_CACHE/addons-$key
    mkdir -p "$HA_ADDONS"
    ln -sfn "$HA_REPO" "$HA_ADDONS/helpdesk_apizee"
}

ha_setup() {
    ha_apt_packages
    ha_odoo_source
    ha_venv
    ha_node_tools
    ha_postgres
    ha_addons_path
    HA_PY=$HA_VENV/bin/python
    HA_ODOO_OPTS=(
        --addons-path="$HA_ADDONS"
        --db_host="$HA_PGRUN" --db_port="$HA_PGPORT" --db_user="$HA_DBUSER"
        --data-dir="$HA_CACHE/filestore"
    )
    # `"${HA_ODOO_BIN[@]}" -d DB ...` runs the server; for a sub-command (shell...):
    # `"$HA_PY" "$HA_ODOO/odoo-bin" shell "${HA_ODOO_OPTS[@]}" -d DB`
    HA_ODOO_BIN=("$HA_PY" "$HA_ODOO/odoo-bin" "${HA_ODOO_OPTS[@]}")
}

ha_free_port() {
    "$HA_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# For the benchmarks: a fresh database DB with the module and its demo data, served by a
# threaded Odoo on a free loopback port (HA_SERVER_URL), stopped when the script exits.
# HA_BENCH_CRON_THREADS=1 runs the crons too (none by default).
ha_bench_server() {
    HA_BENCH_SERVERS=1 HA_BENCH_WORKERS=0 ha_bench_servers "$1"
    HA_SERVER_URL=${HA_SERVER_URLS%%,*}
}

# Several Odoo servers on one database, as several machines behind a proxy would be:
# HA_BENCH_SERVERS processes (default 1), each in prefork mode with HA_BENCH_WORKERS
# HTTP workers (0: threaded) and HA_BENCH_CRON_THREADS cron runners, on free loopback
# ports; HA_SERVER_URLS lists them, comma-separated. All stop when the script exits.
ha_bench_servers() {
    local db=$1 port gevent_port n url
    dropdb --if-exists "$db"
    ha_log "creating $db"
    "${HA_ODOO_BIN[@]}" -d "$db" -i helpdesk_apizee --stop-after-init --log-level=warn
    HA_SERVER_PIDS=() HA_SERVER_URLS=
    trap 'kill "${HA_SERVER_PIDS[@]}" 2>/dev/null || true' EXIT
    for n in $(seq "${HA_BENCH_SERVERS:-1}"); do
        port=$(ha_free_port)
        gevent_port=$(ha_free_port)
        "${HA_ODOO_BIN[@]}" -d "$db" --db-filter="^$db\$" --http-interface=127.0.0.1 \
            --http-port="$port" --gevent-port="$gevent_port" \
            --workers="${HA_BENCH_WORKERS:-0}" \
            --max-cron-threads="${HA_BENCH_CRON_THREADS:-0}" \
            --log-level=warn >"$HA_CACHE/$db-$n.log" 2>&1 &
        HA_SERVER_PIDS+=($!)
        url=http://127.0.0.1:$port
        HA_SERVER_URLS=${HA_SERVER_URLS:+$HA_SERVER_URLS,}$url
        for _i in $(seq 60); do
            curl -sf "$url/web/health" >/dev/null && continue 2
            sleep 1
        done
        ha_log "Odoo did not start: see $HA_CACHE/$db-$n.log"
        return 1
    done
    ha_log "$db served by ${HA_BENCH_SERVERS:-1} Odoo server(s), ${HA_BENCH_WORKERS:-0} workers and ${HA_BENCH_CRON_THREADS:-0} cron runners each: $HA_SERVER_URLS"
}

# A bench script's main: `ha_bench_main NAME THREADED_CRONS "$@"` takes --servers N and
# --workers N off the arguments, serves the fresh database helpdesk_apizee_bench_NAME
# (THREADED_CRONS cron runners when threaded, 2 a server in prefork mode) and runs
# bench/NAME.py against it with the other arguments.
ha_bench_main() {
    local name=$1 cron_threads=$2 servers=1 workers=0 args=()
    shift 2
    while [ $# -gt 0 ]; do
        case $1 in
            --servers) servers=$2; shift 2 ;;
            --workers) workers=$2; shift 2 ;;
            *) args+=("$1"); shift ;;
        esac
    done
    ha_setup
    [ "$workers" -gt 0 ] && cron_threads=2
    HA_BENCH_SERVERS=$servers HA_BENCH_WORKERS=$workers HA_BENCH_CRON_THREADS=$cron_threads \
        ha_bench_servers "helpdesk_apizee_bench_$name"
    "$HA_PY" "bench/$name.py" --url "$HA_SERVER_URLS" --db "helpdesk_apizee_bench_$name" \
        --mode "servers=$servers workers=$workers" "${args[@]}"
}

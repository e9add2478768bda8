#!/usr/bin/env bash
# Start (or reuse) a throwaway PostgreSQL server for the tests, on 127.0.0.1:54329.
#
#   eval "$(scripts/postgres.sh)"     # sets SSP_TEST_POSTGRES_URL
#
# Idempotent. Installs PostgreSQL from Debian when no initdb is found (needs root). The cluster
# lives in $SSP_PG_DIR (default /tmp/ssp-pg-$UID), trust auth, TCP on 127.0.0.1 only, unix socket
# inside the data dir, so it never touches a distro cluster on 5432. All chatter goes to stderr;
# stdout carries only the final `export SSP_TEST_POSTGRES_URL=...` line.
#
# Stop it:  runuser -u postgres -- /usr/lib/postgresql/*/bin/pg_ctl -D /tmp/ssp-pg-0 stop
set -euo pipefail

PORT="${SSP_PG_PORT:-54329}"
DATA="${SSP_PG_DIR:-/tmp/ssp-pg-$(id -u)}"
URL="postgresql://postgres@127.0.0.1:${PORT}/postgres"

log() { echo "postgres.sh: $*" >&2; }

find_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -n "$d" && -x "$d/initdb" ]]; then echo "$d"; fi
}

BIN=$(find_bindir)
if [[ -z "$BIN" ]]; then
    if [[ $(id -u) -ne 0 ]]; then
        log "PostgreSQL is not installed. Install it as root, then re-run:"
        log "  sudo apt-get update && sudo apt-get install -y --no-install-recommends postgresql"
        exit 1
    fi
    log "installing PostgreSQL from Debian (apt-get)..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql >&2
    BIN=$(find_bindir)
    [[ -n "$BIN" ]] || { log "apt-get installed postgresql but no initdb found"; exit 1; }
    # The package may have created and started a default cluster on 5432; we don't use it.
    if command -v pg_lsclusters >/dev/null; then
        pg_lsclusters --no-header 2>/dev/null | while read -r ver name port status _; do
            if [[ "$status" == online* ]]; then
                log "stopping the distro's default cluster $ver/$name on port $port (not needed)"
                pg_ctlcluster "$ver" "$name" stop >&2 || true
            fi
        done
    fi
fi
MAJOR=$(basename "$(dirname "$BIN")")

# Run a PostgreSQL binary as a non-root user (initdb and postgres refuse root).
if [[ $(id -u) -eq 0 ]]; then
    OWNER=postgres
    id "$OWNER" >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql \
        --shell /bin/bash "$OWNER"
    as_owner() { runuser -u "$OWNER" -- "$@"; }
else
    OWNER=$(id -un)
    as_owner() { "$@"; }
fi

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres; }

if ready; then
    log "reusing the server already running on 127.0.0.1:$PORT"
    echo "export SSP_TEST_POSTGRES_URL=$URL"
    exit 0
fi

# A missing, half-initialised or other-major-version data dir is rebuilt from scratch.
if [[ -d "$DATA" && "$(cat "$DATA/PG_VERSION" 2>/dev/null || true)" != "$MAJOR" ]]; then
    log "discarding unusable data dir $DATA"
    rm -rf "$DATA"
fi
if [[ ! -d "$DATA" ]]; then
    log "initdb $DATA (PostgreSQL $MAJOR)"
    mkdir -p "$DATA"
    chown "$OWNER" "$DATA"
    chmod 700 "$DATA"
    as_owner "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$DATA/postgresql.conf" <<EOF

# ssp-planner throwaway test server
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
fi
chown -R "$OWNER" "$DATA"

# A server killed without shutdown leaves postmaster.pid behind; drop it if its pid is not ours.
if [[ -f "$DATA/postmaster.pid" ]]; then
    pid=$(head -n 1 "$DATA/postmaster.pid")
    if ! [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" =~ ^postgres ]]; then
        log "removing stale $DATA/postmaster.pid"
        rm -f "$DATA/postmaster.pid"
    fi
fi

log "starting PostgreSQL $MAJOR on 127.0.0.1:$PORT (log: $DATA/server.log)"
if ! as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 start >&2; then
    log "failed to start; last lines of $DATA/server.log:"
    tail -n 20 "$DATA/server.log" >&2 || true
    exit 1
fi
ready || { log "server started but is not accepting connections on $PORT"; exit 1; }

echo "export SSP_TEST_POSTGRES_URL=$URL"

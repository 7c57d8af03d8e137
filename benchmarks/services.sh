# Throwaway PostgreSQL (as the postgres user) and Redis on loopback for
# scripts/benchmark and scripts/loadtest. Sourced after scripts/lib.sh.

start_services() {
    apt_ensure postgresql redis-server libharfbuzz-subset0 fonts-dejavu-core
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    RUN_DIR=$(mktemp -d /tmp/ipgar-bench.XXXXXX)
    chmod 755 "$RUN_DIR"
    PG_DATA="$RUN_DIR/pg"
    PG_PORT=$(free_port)
    REDIS_PORT=$(free_port)
    trap stop_services EXIT INT TERM
    echo "==> PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT"
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres: "$PG_DATA"
    pg "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    # Durable settings as in production (fsync on); sized for a small machine.
    pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -o \
        "-p $PG_PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=256MB -c work_mem=16MB -c maintenance_work_mem=128MB" \
        start >/dev/null
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres ipgar
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
        --daemonize yes --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log"
    export DJANGO_SETTINGS_MODULE=ipgar.settings.bench
    export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/ipgar"
    export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
    export IPGAR_NO_DOTENV=1
    # The documents target: clamd on its local signature database (scripts/lib.sh), a
    # throwaway encryption key and store.
    CLAMD_PORT=$(free_port)
    clamd_prepare "$RUN_DIR/clamav" "$CLAMD_PORT"
    clamd -c "$RUN_DIR/clamav/clamd.conf" >"$RUN_DIR/clamav/clamd.out" 2>&1 &
    CLAMD_PID=$!
    export CLAMD_ADDRESS="127.0.0.1:$CLAMD_PORT"
    export DOCUMENTS_ROOT="$RUN_DIR/documents"
    DOCUMENTS_ENCRYPTION_KEY=$(python3.11 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
    export DOCUMENTS_ENCRYPTION_KEY
    echo "==> clamd on 127.0.0.1:$CLAMD_PORT"
    clamd_wait "$CLAMD_PORT"
}

pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_services() {
    set +e
    pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast stop >/dev/null 2>&1
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1
    [ -n "${CLAMD_PID:-}" ] && kill "$CLAMD_PID" >/dev/null 2>&1
    rm -rf "$RUN_DIR"
}

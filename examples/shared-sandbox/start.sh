#!/usr/bin/env bash
# A shared sandbox on one machine: a PostgreSQL cluster and two apitwin replicas on it, behaving as
# one twin (README "A shared sandbox"). Ctrl-C stops the replicas and PostgreSQL.
#
#   examples/shared-sandbox/start.sh            # replica A on 4010/4020/4021, replica B on 5010/5020/5021
#
# Environment: SANDBOX_DIR (where the cluster lives; default a new temporary directory, removed at
# the end), PGPORT (default 55432), A_PORT / B_PORT (first port of each replica; 0 = any free port),
# PG_BIN (PostgreSQL's bin directory), SANDBOX_JSON=1 (each replica prints one JSON line instead of its banner).
set -euo pipefail
cd "$(dirname "$0")/../.."

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
  echo "PostgreSQL server binaries not found: apt-get install postgresql (or set PG_BIN)" >&2
  exit 1
fi
PGPORT=${PGPORT:-55432}
A_PORT=${A_PORT:-4010}
B_PORT=${B_PORT:-5010}
KEEP_DIR=${SANDBOX_DIR:+1}
SANDBOX_DIR=${SANDBOX_DIR:-$(mktemp -d)}
DATA="$SANDBOX_DIR/pgdata"
mkdir -p "$SANDBOX_DIR"

# PostgreSQL never runs as root: as root, the cluster belongs to the postgres system user
as_pg() { if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ "$(id -u)" = "0" ]; then chown postgres "$SANDBOX_DIR"; fi

if [ ! -f "$DATA/PG_VERSION" ]; then
  as_pg "$PG_BIN/initdb" -D "$DATA" -A trust -U apitwin -E UTF8 --no-instructions >/dev/null
fi
as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$SANDBOX_DIR/postgres.log" -o "-p $PGPORT -k $SANDBOX_DIR -c listen_addresses=127.0.0.1" -w start >/dev/null
"$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U apitwin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'apitwin'" | grep -q 1 ||
  "$PG_BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U apitwin -d postgres -qc "CREATE DATABASE apitwin"
export APITWIN_STORE="postgres://apitwin@127.0.0.1:$PGPORT/apitwin"

[ -f dist/cli.js ] || npm run build --silent
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null || true
  if [ -z "$KEEP_DIR" ]; then rm -rf "$SANDBOX_DIR"; fi
}
trap stop INT TERM EXIT

ports() { if [ "$1" = "0" ]; then echo "--synqly-port 0 --connxio-port 0 --custom-port 0"; else echo "--synqly-port $1 --connxio-port $(($1 + 10)) --custom-port $(($1 + 11))"; fi; }
json=${SANDBOX_JSON:+--json}
# the first replica seeds the demo data into the empty database; the second finds it there
node dist/cli.js serve $(ports "$A_PORT") $json &
pids+=($!)
node dist/cli.js serve $(ports "$B_PORT") $json &
pids+=($!)
wait

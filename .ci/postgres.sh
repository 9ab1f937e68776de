#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster for the storage tests.
# Usage: source .ci/postgres.sh   (sets SALESCORE_TEST_POSTGRES; stop_postgres stops it)
# Installs PostgreSQL from Debian's packages when it is missing; the cluster
# runs as the `postgres` user, listens on 127.0.0.1 only, on a free port.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
fi
PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
PG_DIR=$(mktemp -d /tmp/salescore-pg.XXXXXX)
chown postgres "$PG_DIR"
PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 > /dev/null
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off" start > /dev/null
export SALESCORE_TEST_POSTGRES="host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres"

stop_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop > /dev/null || true
  rm -rf "$PG_DIR"
}

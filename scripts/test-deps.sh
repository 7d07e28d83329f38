#!/usr/bin/env bash
# Installs and starts what the test suite needs, from Debian's packages:
# PostgreSQL (started on loopback, private data dir) and xmllint (libxml2-utils).
# Prints the export line for REGIE_TEST_POSTGRES_URL. Idempotent.
set -euo pipefail

PGPORT="${REGIE_PGPORT:-54329}"
PGDATA="${REGIE_PGDATA:-/tmp/regie-pg-$PGPORT}"

need=()
command -v xmllint >/dev/null 2>&1 || need+=(libxml2-utils)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing ${need[*]} from apt" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi

PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
as_pg() {
  # initdb and postgres refuse to run as root: use the postgres account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  rm -rf "$PGDATA"
  mkdir -p "$PGDATA"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDATA"
  as_pg "$PGBIN/initdb" -D "$PGDATA" -A trust -U regie -E UTF8 >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
    -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >&2
fi
echo "export REGIE_TEST_POSTGRES_URL=postgres://regie@127.0.0.1:$PGPORT/postgres"

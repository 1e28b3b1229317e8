#!/usr/bin/env bash
# initdb on first start (POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, SCRAM over TCP), then
# postgres in the foreground on all addresses. Arguments are passed to postgres (-c fsync=off …).
set -euo pipefail
: "${POSTGRES_PASSWORD:?postgres: config error: POSTGRES_PASSWORD is not set}"
user=${POSTGRES_USER:-postgres} db=${POSTGRES_DB:-$user}
if [[ ! -s $PGDATA/PG_VERSION ]]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile "$pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-instructions >/dev/null
  rm -f "$pwfile"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [[ $db != postgres ]]; then
    postgres -D "$PGDATA" -c listen_addresses='' -k /var/run/postgresql &
    pid=$!
    until pg_isready -q -h /var/run/postgresql; do sleep 0.1; done
    psql -h /var/run/postgresql -U "$user" -d postgres -qc "CREATE DATABASE \"$db\" OWNER \"$user\""
    kill -INT "$pid"; wait "$pid" || true
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -k /var/run/postgresql "$@"

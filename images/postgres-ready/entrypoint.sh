#!/bin/sh
# Starts the cluster made when the image was built (role and database "app"): no initdb here.
# The run's password (POSTGRES_PASSWORD) is set first, in single-user mode, before the server
# listens; printf is the shell's own, so it never shows in a process list. Arguments go to
# postgres (-c fsync=off …). A container started again finds its cluster and sets it again.
set -eu
: "${POSTGRES_PASSWORD:?postgres: config error: POSTGRES_PASSWORD is not set}"
case ${POSTGRES_USER:-app}/${POSTGRES_DB:-app} in
  app/app) ;;
  *) echo "postgres: config error: this image's cluster has the role and database app; got POSTGRES_USER=${POSTGRES_USER:-} POSTGRES_DB=${POSTGRES_DB:-}" >&2; exit 1 ;;
esac
case $POSTGRES_PASSWORD in
  *"'"*) echo "postgres: config error: POSTGRES_PASSWORD must not contain a single quote" >&2; exit 1 ;;
esac
printf "ALTER ROLE app PASSWORD '%s';\n" "$POSTGRES_PASSWORD" | postgres --single -D "$PGDATA" -c log_min_messages=warning postgres >/dev/null
exec postgres -D "$PGDATA" -c listen_addresses='*' -k /var/run/postgresql "$@"

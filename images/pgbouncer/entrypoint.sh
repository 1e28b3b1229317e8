#!/usr/bin/env bash
# Writes pgbouncer.ini and the auth file from the environment, then runs PgBouncer in the foreground.
set -euo pipefail
for v in DB_HOST DB_NAME DB_USER DB_PASSWORD; do
  [[ -n ${!v:-} ]] || { echo "pgbouncer: config error: $v is not set" >&2; exit 78; }
done
cat > /etc/pgbouncer/userlist.txt <<USERS
"${DB_USER}" "${DB_PASSWORD}"
USERS
cat > /etc/pgbouncer/pgbouncer.ini <<INI
[databases]
${DB_NAME} = host=${DB_HOST} port=${DB_PORT:-5432} dbname=${DB_NAME}

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = ${LISTEN_PORT:-6432}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = /etc/pgbouncer/userlist.txt
pool_mode = ${POOL_MODE:-transaction}
max_client_conn = 500
default_pool_size = 20
server_reset_query =
server_login_retry = 1
query_wait_timeout = 30
log_connections = 0
log_disconnections = 0
INI
chmod 600 /etc/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini

#!/bin/sh
# Starts as root only to read the password file (a 0600 secret of the host), then runs
# PostgreSQL as the postgres user: on first start it initialises the cluster with that
# password; then it listens on POSTGRES_LISTEN (default 127.0.0.1) : POSTGRES_PORT.
set -eu
: "${POSTGRES_PORT:=5432}" "${POSTGRES_LISTEN:=127.0.0.1}" "${POSTGRES_USER:=pasaporte}"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
chown postgres:postgres /var/lib/pasaporte-postgres
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD_FILE:-}" ] || [ ! -s "$POSTGRES_PASSWORD_FILE" ]; then
        echo "pasaporte-postgres: POSTGRES_PASSWORD_FILE must name a non-empty file" >&2
        exit 2
    fi
    pwfile=$(mktemp)
    head -n1 "$POSTGRES_PASSWORD_FILE" > "$pwfile"
    chown postgres "$pwfile"
    as_postgres initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-host=scram-sha-256 \
        --auth-local=peer --encoding=UTF8 --locale=C.UTF-8 "$PGDATA" >/dev/null
    rm -f "$pwfile"
    echo "CREATE DATABASE jupyterhub;" | as_postgres postgres --single -D "$PGDATA" template1 >/dev/null
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups \
    postgres -D "$PGDATA" -c listen_addresses="$POSTGRES_LISTEN" -c port="$POSTGRES_PORT"

#!/usr/bin/env bash
# Production on one server with docker-compose: `scripts/production.sh up|down|logs|ps`.
# `make production` builds the images first. Settings come from the environment (README):
# PASAPORTE_STATE_DIR (default /srv/pasaporte/state), PASAPORTE_CONTENT_DIR (default: this
# clone), PASAPORTE_PORT, PASAPORTE_IP, PASAPORTE_ROSTER, PASAPORTE_DB_PORT, limits.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VENV="${PASAPORTE_VENV:-/opt/pasaporte/venv}"
export PASAPORTE_STATE_DIR="${PASAPORTE_STATE_DIR:-/srv/pasaporte/state}"
export PASAPORTE_CONTENT_DIR="${PASAPORTE_CONTENT_DIR:-$ROOT}"
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-pasaporte}"
# The tags these sources build (each names its inputs), for docker-compose.yml.
eval "$("$VENV/bin/pasaporte" images tags | sed 's/^/export /')"
compose() { docker-compose -f "$ROOT/docker-compose.yml" "$@"; }

case "${1:-up}" in
up)
    # Never let docker-compose try a registry: every image must have been built here.
    for image in "$PASAPORTE_HUB_IMAGE" "$PASAPORTE_POSTGRES_IMAGE" "$PASAPORTE_SINGLEUSER_IMAGE"; do
        if ! docker image inspect "$image" >/dev/null 2>&1; then
            echo "Image $image is missing (no registry is used): build it with 'make production' or '$VENV/bin/pasaporte images build'" >&2
            exit 1
        fi
    done
    mkdir -p "$PASAPORTE_STATE_DIR/secrets"
    chmod 700 "$PASAPORTE_STATE_DIR/secrets"
    password="$PASAPORTE_STATE_DIR/secrets/postgres_password"
    if [ ! -s "$password" ]; then
        (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$password")
    fi
    compose up -d
    url="http://${PASAPORTE_IP:-127.0.0.1}:${PASAPORTE_PORT:-8000}"
    for _ in $(seq 1 120); do
        if "$VENV/bin/python" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=5)" \
                "$url/hub/api/" 2>/dev/null; then
            echo "Pasaporte is running at $url/ (state: $PASAPORTE_STATE_DIR)"
            echo "Demo accounts (username,password,role): $PASAPORTE_STATE_DIR/demo-accounts.csv"
            exit 0
        fi
        sleep 2
    done
    echo "The hub did not answer at $url within 240 s; see: scripts/production.sh logs" >&2
    exit 1
    ;;
down) compose down ;;
logs) compose logs --tail=200 ;;
ps) compose ps ;;
*) echo "usage: $0 up|down|logs|ps" >&2; exit 2 ;;
esac

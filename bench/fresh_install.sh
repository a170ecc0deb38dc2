#!/usr/bin/env bash
# Benchmark (not a test): time from `make run` on a clean clone to a portal answering at /hub/login.
# Uses a new Python environment, no pip cache and an empty npm cache, so every Python and Node
# package is downloaded and installed again. Debian packages already on the machine are reused
# (the first `make run` on a bare machine adds their download and install time).
#     bash bench/fresh_install.sh [PORT]
set -euo pipefail
PORT="${1:-9500}"
WORK="$(mktemp -d /tmp/pasaporte-fresh-XXXXXX)"
chmod 755 "$WORK"
git clone -q "$(cd "$(dirname "$0")/.." && pwd)" "$WORK/clone"
export PASAPORTE_VENV="$WORK/venv" PASAPORTE_PORT="$PORT" PASAPORTE_STATE_DIR="$WORK/state"
export PIP_NO_CACHE_DIR=1 npm_config_cache="$WORK/npm-cache"
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

time_run() {  # $1: log file; prints seconds until /hub/login answers
    local start pid
    start=$(now)
    (cd "$WORK/clone" && exec setsid make run > "$1" 2>&1) &
    pid=$!
    until curl -fs -o /dev/null "http://127.0.0.1:$PORT/hub/login"; do
        if ! kill -0 "$pid" 2> /dev/null; then echo "make run failed:" >&2; tail -20 "$1" >&2; exit 1; fi
        sleep 0.5
    done
    seconds "$start" "$(now)"
    kill -INT -- -"$pid" 2> /dev/null || true
    while kill -0 "$pid" 2> /dev/null; do sleep 1; done
}

echo "make run on a clean clone (new venv, no caches) → portal answering: $(time_run "$WORK/run1.log") s"
echo "second make run (installed, state kept)          → portal answering: $(time_run "$WORK/run2.log") s"
rm -rf "$WORK"

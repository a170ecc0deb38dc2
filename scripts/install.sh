#!/usr/bin/env bash
# Installs everything Pasaporte needs on Debian 12: system packages (as root),
# the pinned Python environment, the pinned Node packages and the portal's assets.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

if [ "$(id -u)" = 0 ]; then
    VENV="${PASAPORTE_VENV:-/opt/pasaporte/venv}"
else
    VENV="${PASAPORTE_VENV:-$ROOT/.venv}"
fi
step() { printf '\n==> %s\n' "$*"; }

# --- system packages --------------------------------------------------------
APT_PACKAGES=(python3 python3-venv python3-dev build-essential chromium passwd git hunspell hunspell-es fonts-dejavu-core)
missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# Node.js may come from Debian (nodejs + npm) or from another apt source that bundles npm.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "Missing Debian packages: ${missing[*]}. Run 'make run' once as root, or: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
    step "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Python environment (pinned) ---------------------------------------------
# Debian's own python3 is used on purpose: as root, user servers run under other
# system accounts and must be able to execute the interpreter.
# The stamp covers the lock and this clone's path: the package is installed in editable
# mode, so another clone sharing the environment must re-point it.
LOCK_SHA="$( (cat requirements.txt pyproject.toml; echo "$ROOT") | sha256sum | cut -c1-16)"
if [ ! -x "$VENV/bin/python" ]; then
    step "Creating the Python environment in $VENV"
    mkdir -p "$(dirname "$VENV")"
    /usr/bin/python3 -m venv "$VENV"
fi
if [ "$(cat "$VENV/.pasaporte-lock" 2>/dev/null)" != "$LOCK_SHA" ]; then
    step "Installing pinned Python packages (requirements.txt)"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt
    "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
    echo "$LOCK_SHA" > "$VENV/.pasaporte-lock"
fi

# --- Node packages (pinned by package-lock.json) ------------------------------
NODE_SHA="$(sha256sum package-lock.json | cut -c1-16)"
if [ "$(cat node_modules/.pasaporte-lock 2>/dev/null)" != "$NODE_SHA" ]; then
    step "Installing pinned Node packages (package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$NODE_SHA" > node_modules/.pasaporte-lock
fi

# --- assets into the environment (Voila template, Spanish defaults, nbgrader) --
"$VENV/bin/pasaporte" install-assets

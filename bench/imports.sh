#!/usr/bin/env bash
# What a Jupyter process pays to import its server stack, with and without rfc3987_syntax
# (see pasaporte/views/__init__.py: the environment installs a .pth that keeps it out).
set -euo pipefail
PY="${PASAPORTE_VENV:-/opt/pasaporte/venv}/bin/python"
stack="import jupyter_server.serverapp, jupyterlab, voila.app, nbformat"
for run in 1 2 3; do
    /usr/bin/time -f "with rfc3987_syntax (stock):  %e s wall, %U s user" "$PY" -S -c "import site, sys; site.main(); sys.modules.pop('rfc3987_syntax', None); import rfc3987_syntax; $stack"
    /usr/bin/time -f "without (as installed):       %e s wall, %U s user" "$PY" -c "$stack"
done

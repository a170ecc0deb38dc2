#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine (Debian 12, as root): installs Debian's
# docker.io, docker-compose and debootstrap (base images are made from Debian packages: no
# registry is used), then starts dockerd if nothing answers. An engine that already runs (systemd) is used as is.
set -euo pipefail
step() { printf '\n==> %s\n' "$*"; }

missing=()
for p in docker.io docker-compose debootstrap; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "Missing Debian packages: ${missing[*]}. Run this as root: sudo $0" >&2
        exit 1
    fi
    step "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "No Docker engine answers and only root can start one: sudo $0" >&2
    exit 1
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    step "Starting docker.service"
    systemctl start docker
else
    # No systemd (containers, CI): run dockerd in the background. No default bridge: user
    # containers use host networking on loopback, so none can reach another address.
    LOG=/var/log/pasaporte-dockerd.log
    step "Starting dockerd (log: $LOG)"
    setsid nohup /usr/sbin/dockerd --bridge=none >>"$LOG" 2>&1 < /dev/null &
fi
for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && exit 0
    sleep 1
done
echo "dockerd did not answer within 60 s; see /var/log/pasaporte-dockerd.log" >&2
exit 1

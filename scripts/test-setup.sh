#!/usr/bin/env bash
# Everything the test suite needs on a fresh Debian machine, then `npm ci`:
#  - Debian packages: git, systemd (systemd-analyze verify for the unit test), Docker Engine + the distribution registry (Swarm suite),
#    PostgreSQL and MariaDB (backup suite; the tests start private servers themselves);
#    Pebble (an ACME CA) and BIND (DNS with RFC 2136 updates) for the HTTPS suite; Chromium for the dashboard suite;
#  - a private dockerd with a single-node Swarm and a local registry (scripts/swarm-up.sh).
# Idempotent: packages already installed are not fetched again. Needs root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(git curl ca-certificates openssl openssh-client systemd docker.io docker-registry busybox-static postgresql mariadb-server mariadb-client pebble bind9 bind9-dnsutils chromium fonts-dejavu-core)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test-setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's packages start their own servers where an init system runs; the tests use private ones.

echo "test-setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error

echo "test-setup: starting the private Docker Swarm and registry"
$SUDO bash scripts/swarm-up.sh /tmp/slipway-swarm
echo "test-setup: ready"

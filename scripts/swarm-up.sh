#!/usr/bin/env bash
# Starts a private Docker Engine, a single-node Swarm and a local registry under one directory,
# for the Swarm test suite and for trying Slipway's Swarm driver. Idempotent.
#   scripts/swarm-up.sh [DIR]      (default /tmp/slipway-swarm)
# Writes DIR/env with DOCKER_HOST and SLIPWAY_TEST_REGISTRY. Stop it with scripts/swarm-down.sh DIR.
# Needs root and Debian's docker.io and docker-registry packages.
set -euo pipefail

DIR="${1:-/tmp/slipway-swarm}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
SOCK="$DIR/docker.sock"
export DOCKER_HOST="unix://$SOCK"

for bin in dockerd docker docker-registry curl; do
  command -v "$bin" >/dev/null || { echo "swarm-up: $bin is missing; install it with: apt-get install -y docker.io docker-registry curl" >&2; exit 1; }
done

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local deadline=$((SECONDS + $1)) what="$2"; shift 2
  until "$@" >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "swarm-up: timed out waiting for $what" >&2; return 1; fi
    sleep 0.2
  done
}

# 1. The engine, with its own data-root, exec-root, pidfile and socket.
if alive "$DIR/docker.pid"; then
  echo "swarm-up: dockerd already running (pid $(cat "$DIR/docker.pid"))"
else
  mkdir -p "$DIR/data" "$DIR/exec"
  # setsid: the engine must not die with the shell that started it.
  setsid dockerd --data-root "$DIR/data" --exec-root "$DIR/exec" --pidfile "$DIR/docker.pid" \
    --host "$DOCKER_HOST" >"$DIR/dockerd.log" 2>&1 </dev/null &
  echo "swarm-up: started dockerd (log $DIR/dockerd.log)"
fi
wait_for 60 "dockerd's /_ping on $SOCK" curl -fsS --unix-socket "$SOCK" http://localhost/_ping

# 2. A single-node swarm.
state="$(docker info --format '{{.Swarm.LocalNodeState}}')"
if [ "$state" != "active" ]; then
  docker swarm init --advertise-addr 127.0.0.1 >/dev/null
  echo "swarm-up: swarm initialised"
fi

# 3. A local registry (127.0.0.0/8 registries are insecure by default in Docker: no TLS needed).
if alive "$DIR/registry.pid" && [ -f "$DIR/registry.addr" ]; then
  echo "swarm-up: registry already running at $(cat "$DIR/registry.addr")"
else
  port=5000
  if (exec 3<>/dev/tcp/127.0.0.1/5000) 2>/dev/null; then
    port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  fi
  mkdir -p "$DIR/registry"
  cat >"$DIR/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $DIR/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
  setsid docker-registry serve "$DIR/registry.yml" >"$DIR/registry.log" 2>&1 </dev/null &
  echo $! >"$DIR/registry.pid"
  echo "127.0.0.1:$port" >"$DIR/registry.addr"
  echo "swarm-up: started registry on 127.0.0.1:$port"
fi
REGISTRY="$(cat "$DIR/registry.addr")"
wait_for 30 "the registry at $REGISTRY" curl -fsS "http://$REGISTRY/v2/"

cat >"$DIR/env" <<ENV
DOCKER_HOST=$DOCKER_HOST
SLIPWAY_TEST_REGISTRY=$REGISTRY
ENV
echo "swarm-up: ready; environment in $DIR/env:"
cat "$DIR/env"

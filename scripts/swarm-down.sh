#!/usr/bin/env bash
# Stops exactly what scripts/swarm-up.sh started in DIR (by its pid files).
#   scripts/swarm-down.sh [DIR] [--purge]   (--purge also deletes DIR)
set -euo pipefail

DIR="${1:-/tmp/slipway-swarm}"
PURGE="${2:-}"
[ -d "$DIR" ] || { echo "swarm-down: $DIR does not exist; nothing to stop"; exit 0; }

stop_pid_file() { # stop_pid_file FILE NAME SECONDS
  local file="$1" name="$2" grace="$3" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    local deadline=$((SECONDS + grace))
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then echo "swarm-down: $name (pid $pid) ignored SIGTERM; sending SIGKILL" >&2; kill -KILL "$pid" 2>/dev/null || true; break; fi
      sleep 0.2
    done
    echo "swarm-down: stopped $name (pid $pid)"
  fi
  rm -f "$file"
}

stop_pid_file "$DIR/registry.pid" registry 10
# dockerd stops its containers and its containerd when it gets SIGTERM.
stop_pid_file "$DIR/docker.pid" dockerd 60
rm -f "$DIR/env" "$DIR/registry.addr"

if [ "$PURGE" = "--purge" ]; then
  # Anything still mounted under the data root would make rm fail; unmount it first.
  grep -o " $DIR/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$DIR"
  echo "swarm-down: removed $DIR"
fi

#!/usr/bin/env bash
# Stops the servers that scripts/databases-up.sh DIR started, by their pid files only.
# Usage: scripts/databases-down.sh DIR [--purge]   (--purge also removes DIR)
set -uo pipefail

dir=${1:?usage: databases-down.sh DIR [--purge]}
[ -d "$dir" ] || exit 0

stop_pid_file() {
  local name=$1 file=$2
  [ -s "$file" ] || return 0
  local pid
  pid=$(head -1 "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "databases-down: $name (pid $pid) did not stop in 10 s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
    fi
  fi
  rm -f "$file"
}

# SIGTERM is PostgreSQL's "smart" and MariaDB's normal shutdown; both leave a clean data dir.
stop_pid_file postgres "$dir/pg.pid"
stop_pid_file mariadbd "$dir/mariadb.pid"

if [ "${2:-}" = "--purge" ]; then rm -rf "$dir"; fi

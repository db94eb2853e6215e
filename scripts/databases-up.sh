#!/usr/bin/env bash
# Starts a private PostgreSQL and a private MariaDB under DIR, for tests and benchmarks.
# Each server has its own data dir, socket dir, TCP port on 127.0.0.1 and pid file, so
# nothing collides with a system-wide server. Writes DIR/databases.env with their URLs
# (superuser with a random password). Stop them with scripts/databases-down.sh DIR.
#
# Needs the Debian packages: postgresql (any major version) and mariadb-server.
# Usage: scripts/databases-up.sh DIR [PG_PORT] [MARIADB_PORT]
set -euo pipefail

dir=${1:?usage: databases-up.sh DIR [PG_PORT] [MARIADB_PORT]}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
# The servers run as their own users (postgres, mysql) when started as root: they must be
# able to reach DIR, so DIR and its parents must be traversable (not under a 0700 dir).
chmod 755 "$dir"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
pg_port=${2:-$(free_port)}
my_port=${3:-$(free_port)}
pg_pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
my_pass=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
if [ -f "$dir/databases.env" ]; then
  # A second start over the same DIR keeps the passwords the servers were set up with.
  pg_pass=$(sed -n 's/^SLIPWAY_TEST_PG_PASSWORD=//p' "$dir/databases.env")
  my_pass=$(sed -n 's/^SLIPWAY_TEST_MARIADB_PASSWORD=//p' "$dir/databases.env")
fi

# ---- PostgreSQL -------------------------------------------------------------
pg_bin=""
for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && pg_bin=$d; done
if [ -z "$pg_bin" ]; then
  echo "databases-up: PostgreSQL server binaries not found (apt-get install -y postgresql)" >&2
  exit 1
fi
as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi

pg_data=$dir/pg/data
pg_sock=$dir/pg/sock
mkdir -p "$pg_data" "$pg_sock"
if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir/pg"; fi
pwfile=$dir/pg/.pw
( umask 077; printf '%s\n' "$pg_pass" >"$pwfile" )
if [ "$(id -u)" = 0 ]; then chown postgres "$pwfile"; fi
if [ ! -f "$pg_data/PG_VERSION" ]; then
  "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_data" -U postgres --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log" 2>&1
fi
rm -f "$pwfile"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_data" -l "$dir/pg/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_sock -c fsync=off -c full_page_writes=off" \
  start >/dev/null
# postmaster.pid's first line is the server's pid.
head -1 "$pg_data/postmaster.pid" >"$dir/pg.pid"

# ---- MariaDB ------------------------------------------------------------------
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  echo "databases-up: mariadbd not found (apt-get install -y mariadb-server)" >&2
  exit 1
fi
mariadbd_bin=$(command -v mariadbd || echo /usr/sbin/mariadbd)
my_data=$dir/mariadb/data
my_sock=$dir/mariadb/mariadb.sock
mkdir -p "$my_data"
my_user=()
if [ "$(id -u)" = 0 ]; then chown -R mysql:mysql "$dir/mariadb"; my_user=(--user=mysql); fi
if [ ! -d "$my_data/mysql" ]; then
  mariadb-install-db --no-defaults "${my_user[@]}" --datadir="$my_data" --auth-root-authentication-method=normal \
    --skip-test-db >"$dir/mariadb/install.log" 2>&1
fi
"$mariadbd_bin" --no-defaults "${my_user[@]}" --datadir="$my_data" --socket="$my_sock" --port="$my_port" \
  --bind-address=127.0.0.1 --pid-file="$dir/mariadb/mariadbd.pid" --log-error="$dir/mariadb/server.log" \
  --skip-name-resolve --innodb-flush-log-at-trx-commit=0 >/dev/null 2>&1 &
for _ in $(seq 1 150); do
  [ -S "$my_sock" ] && [ -s "$dir/mariadb/mariadbd.pid" ] && break
  sleep 0.2
done
if [ ! -S "$my_sock" ]; then
  echo "databases-up: mariadbd did not start; see $dir/mariadb/server.log" >&2
  exit 1
fi
cp "$dir/mariadb/mariadbd.pid" "$dir/mariadb.pid"
# A fresh install lets root in through the socket without a password; give it one
# (fed on stdin, never argv) and let it in over TCP too.
if [ ! -f "$dir/mariadb/.configured" ]; then
  printf "ALTER USER 'root'@'localhost' IDENTIFIED BY '%s';\nCREATE OR REPLACE USER 'root'@'127.0.0.1' IDENTIFIED BY '%s';\nGRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;\n" \
    "$my_pass" "$my_pass" | mariadb --no-defaults --socket="$my_sock" -u root
  touch "$dir/mariadb/.configured"
fi

( umask 077; cat >"$dir/databases.env" <<EOF
SLIPWAY_TEST_PG_URL=postgres://postgres:$pg_pass@127.0.0.1:$pg_port/postgres
SLIPWAY_TEST_PG_PASSWORD=$pg_pass
SLIPWAY_TEST_PG_PORT=$pg_port
SLIPWAY_TEST_PG_SOCKET_DIR=$pg_sock
SLIPWAY_TEST_MARIADB_URL=mariadb://root:$my_pass@127.0.0.1:$my_port/mysql
SLIPWAY_TEST_MARIADB_PASSWORD=$my_pass
SLIPWAY_TEST_MARIADB_PORT=$my_port
SLIPWAY_TEST_MARIADB_SOCKET=$my_sock
EOF
)
echo "$dir/databases.env"

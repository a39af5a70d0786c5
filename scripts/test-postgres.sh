#!/usr/bin/env bash
# A throwaway PostgreSQL for the test suite.
#   test-postgres.sh start DIR   → prints the JDBC URL on stdout
#   test-postgres.sh stop DIR
#   test-postgres.sh resume DIR  → starts a stopped cluster again on the same port
# PostgreSQL refuses to run as root, so the cluster runs as the 'postgres' user when we are root.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "test-postgres: PostgreSQL is not installed" >&2; exit 3; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" -ne 0 ] || chown postgres "$dir"
    port=$("$(dirname "$0")/fixed-port.sh") # PostgreSQL cannot bind port 0; resume needs the same port again
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U pki >"$dir/initdb.log" 2>&1
    # max_connections: make test runs its parts side by side, each appliance and responder with a pool of 10
    echo "max_connections = 300" >>"$dir/data/postgresql.conf"
    as_pg "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
    echo "$port" >"$dir/port"
    echo "jdbc:postgresql://127.0.0.1:$port/postgres?user=pki"
    ;;
  resume)
    # start an existing cluster again on its port (tests of "database down, then back")
    port=$(cat "$dir/port")
    as_pg "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
    ;;
  stop)
    [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: test-postgres.sh start|stop|resume DIR" >&2; exit 2 ;;
esac

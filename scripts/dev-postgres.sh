#!/usr/bin/env bash
# The PostgreSQL that `make run` keeps its data in, under a folder of its own (var/pg by default).
#   dev-postgres.sh up DIR     → creates the cluster once, starts it if it is down; prints KEY=VALUE lines:
#                                 PG_URL (JDBC, database pki), PG_USER, PG_PASSWORD_FILE (the owner, for the
#                                 appliance), PG_RO_USER, PG_RO_PASSWORD_FILE (the responder's role, as deployed: a
#                                 member of pki_ocsp_reader, which the appliance's migrations grant the columns it reads)
#   dev-postgres.sh down DIR   → stops it (fast shutdown: committed data is kept)
# Password authentication (scram-sha-256) on 127.0.0.1 only (no TLS: the link never leaves this host); the passwords
# are in DIR.password and DIR.ocsp.password (0600), never on a command line. PostgreSQL refuses to run as root, so as root the cluster belongs to the 'postgres' user.
set -euo pipefail
cmd=${1:?usage: dev-postgres.sh up|down DIR}
dir=${2:?usage: dev-postgres.sh up|down DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "dev-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 3; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
running() { [ -d "$dir/data" ] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

case "$cmd" in
  up)
    umask 077
    password_file="$dir.password"
    if [ ! -d "$dir/data" ]; then
      mkdir -p "$dir"
      if [ "$(id -u)" -eq 0 ]; then
        chown postgres "$dir"
        # the postgres user must reach the cluster: traverse (not read) the folders above it
        p=$(dirname "$dir"); while [ "$p" != "/" ]; do chmod o+x "$p" 2>/dev/null || true; p=$(dirname "$p"); done
      fi
      [ -s "$password_file" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$password_file"
      pwcopy="$dir/.pw"
      cp "$password_file" "$pwcopy"
      [ "$(id -u)" -ne 0 ] || chown postgres "$pwcopy"
      as_pg "$bin/initdb" -D "$dir/data" -U pki --pwfile="$pwcopy" -A scram-sha-256 >"$dir/initdb.log" 2>&1 \
        || { rm -f "$pwcopy"; echo "dev-postgres: initdb failed, see $dir/initdb.log" >&2; exit 1; }
      rm -f "$pwcopy"
      "$(dirname "$0")/fixed-port.sh" >"$dir/.port.tmp" # kept: every run starts this cluster on it again
      as_pg cp "$dir/.port.tmp" "$dir/port" 2>/dev/null || cp "$dir/.port.tmp" "$dir/port"
      rm -f "$dir/.port.tmp"
      fresh=1
    fi
    port=$(cat "$dir/port")
    if ! running; then
      # 9>&-: the server must not inherit make run's lock (it outlives the run)
      as_pg "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start \
        >/dev/null 9>&- || { echo "dev-postgres: PostgreSQL did not start, see $dir/log" >&2; exit 1; }
    fi
    if [ "${fresh:-0}" = 1 ]; then
      PGPASSWORD=$(cat "$password_file") "$bin/psql" -q -h 127.0.0.1 -p "$port" -U pki -d postgres \
        -c "CREATE DATABASE pki" >/dev/null
    fi
    # the responder's role (also in clusters made before it existed); its password goes in on stdin
    ro_password_file="$dir.ocsp.password"
    [ -s "$ro_password_file" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$ro_password_file"
    PGPASSWORD=$(cat "$password_file") "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U pki -d postgres \
      >/dev/null <<SQL || { echo "dev-postgres: could not make the responder's role" >&2; exit 1; }
SELECT 'CREATE ROLE pki_ocsp_reader NOLOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pki_ocsp_reader') \gexec
SELECT 'CREATE ROLE pki_ocsp LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pki_ocsp') \gexec
ALTER ROLE pki_ocsp PASSWORD '$(cat "$ro_password_file")';
SELECT 'GRANT pki_ocsp_reader TO pki_ocsp' WHERE NOT pg_has_role('pki_ocsp', 'pki_ocsp_reader', 'MEMBER') \gexec
SQL
    echo "PG_URL=jdbc:postgresql://127.0.0.1:$port/pki"
    echo "PG_USER=pki"
    echo "PG_PASSWORD_FILE=$password_file"
    echo "PG_RO_USER=pki_ocsp"
    echo "PG_RO_PASSWORD_FILE=$ro_password_file"
    ;;
  down)
    if running; then as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
    ;;
  *) echo "usage: dev-postgres.sh up|down DIR" >&2; exit 2 ;;
esac

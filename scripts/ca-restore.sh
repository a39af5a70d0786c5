#!/usr/bin/env bash
# ca-restore.sh: puts a ca-backup.sh archive onto a fresh host: the token into HSM_DIR, the database into an empty
# PostgreSQL database, the state folder. Refuses to overwrite anything that exists unless --force. Afterwards put
# the token's PIN in HSM_DIR/LABEL.pin (0600, the service user's) and start the appliance. The admin and monitoring
# credentials are not in a backup: the ones kept apart (admin.p12 and admin.pass, ...) work with the restored CA.
#
#   ca-restore.sh --archive ARCHIVE.tar --state-dir DIR [--hsm-dir DIR]
#                 --db-url postgresql://HOST:PORT/DB --db-user USER --db-password-file FILE [--force]
set -euo pipefail
usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "ca-restore: $1" >&2; exit "${2:-2}"; }
archive="" state="" hsm="" url="" user="" pwfile="" force=false
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --archive) archive=${2:?}; shift 2 ;;
    --state-dir) state=${2:?}; shift 2 ;;
    --hsm-dir) hsm=${2:?}; shift 2 ;;
    --db-url) url=${2:?}; shift 2 ;;
    --db-user) user=${2:?}; shift 2 ;;
    --db-password-file) pwfile=${2:?}; shift 2 ;;
    --force) force=true; shift ;;
    *) die "unknown argument '$1' (--help)" ;;
  esac
done
[ -n "$archive" ] && [ -n "$state" ] && [ -n "$url" ] && [ -n "$user" ] && [ -n "$pwfile" ] || { usage >&2; exit 2; }
[ -r "$archive" ] || die "cannot read $archive"
command -v pg_restore >/dev/null || die "pg_restore not found (apt-get install postgresql-client)" 3

umask 077
# beside this script when installed (/opt/hsmca/bin), else in the repository
token_script=$(dirname "$0")/softhsm-token.sh
[ -x "$token_script" ] || token_script=$(dirname "$0")/../hsm-config/scripts/softhsm-token.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar -C "$tmp" -xf "$archive" manifest database.dump state.tar.gz 2>/dev/null || die "$archive is not a ca-backup archive"
if [ -f "$state/ca/root.pem" ] && ! $force; then die "$state already holds a CA (--force replaces it)"; fi
export PGPASSWORD; PGPASSWORD=$(head -n1 "$pwfile")
tables=$(psql -X -At --username "$user" --dbname "$url" -c "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != 0 ] && ! $force; then die "the database is not empty ($tables tables; --force drops them)"; fi

if grep -q '^token=true' "$tmp/manifest"; then
  [ -n "$hsm" ] || die "the archive holds a token: --hsm-dir"
  tar -C "$tmp" -xf "$archive" token.tar.gz
  "$token_script" restore "$hsm" "$tmp/token.tar.gz" $($force && echo --force)
fi
pg_restore --no-owner --no-privileges --exit-on-error $($force && echo --clean --if-exists) --username "$user" \
  --dbname "$url" "$tmp/database.dump"
mkdir -p "$state"
tar -C "$state" -xzf "$tmp/state.tar.gz"
echo "ca-restore: restored into $state and $url; put the token's PIN in place and start the appliance (the admin credential is the one you kept)"

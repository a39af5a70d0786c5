#!/usr/bin/env bash
# ca-backup.sh: one archive with everything a CA needs to come back on a fresh host, taken together so they agree:
# the SoftHSM token (its files, encrypted under the PINs), the PostgreSQL database (pg_dump) and the state folder
# (CA certificates, the admin and monitoring certificates, the audit anchor). No secret in clear is in it: not the
# PINs, the database password, nor the admin and monitoring credentials' keys and passwords (*.p12, *.pass,
# *.key.pem): keep those apart; the restored CA accepts them. With a vendor HSM pass --no-token and use the
# vendor's backup for the keys.
#
#   ca-backup.sh --state-dir DIR [--hsm-dir DIR --label LABEL | --no-token]
#                --db-url postgresql://HOST:PORT/DB --db-user USER --db-password-file FILE --out ARCHIVE.tar
#
# Take it with the appliance stopped (or no revocation/issuance in flight): the audit anchor must not be newer
# than the database, or the restored appliance refuses to start (docs/operations.md).
set -euo pipefail
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "ca-backup: $1" >&2; exit "${2:-2}"; }
state="" hsm="" label="" token=true url="" user="" pwfile="" out=""
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --state-dir) state=${2:?}; shift 2 ;;
    --hsm-dir) hsm=${2:?}; shift 2 ;;
    --label) label=${2:?}; shift 2 ;;
    --no-token) token=false; shift ;;
    --db-url) url=${2:?}; shift 2 ;;
    --db-user) user=${2:?}; shift 2 ;;
    --db-password-file) pwfile=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    *) die "unknown argument '$1' (--help)" ;;
  esac
done
[ -n "$state" ] && [ -n "$url" ] && [ -n "$user" ] && [ -n "$pwfile" ] && [ -n "$out" ] || { usage >&2; exit 2; }
[ -f "$state/ca/root.pem" ] || die "$state holds no CA (no ca/root.pem)"
[ -r "$pwfile" ] || die "cannot read $pwfile"
[ ! -e "$out" ] || die "$out exists; choose another name"
if $token; then [ -n "$hsm" ] && [ -n "$label" ] || die "--hsm-dir and --label (or --no-token)"; fi
command -v pg_dump >/dev/null || die "pg_dump not found (apt-get install postgresql-client)" 3

umask 077
# beside this script when installed (/opt/hsmca/bin), else in the repository
token_script=$(dirname "$0")/softhsm-token.sh
[ -x "$token_script" ] || token_script=$(dirname "$0")/../hsm-config/scripts/softhsm-token.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if $token; then "$token_script" backup "$hsm" "$label" "$tmp/token.tar.gz" >/dev/null; fi
PGPASSWORD=$(head -n1 "$pwfile") pg_dump --format=custom --no-owner --no-privileges --username "$user" \
  --dbname "$url" --file "$tmp/database.dump"
# the token's own folder, when it is inside the state folder, is in token.tar.gz (and holds the PIN file)
hsm_rel=""
if [ -n "$hsm" ] && [ -d "$hsm" ]; then
  state_abs=$(cd "$state" && pwd -P) hsm_abs=$(cd "$hsm" && pwd -P)
  case "$hsm_abs/" in "$state_abs"/?*) hsm_rel=./${hsm_abs#"$state_abs"/} ;; esac
fi
tar -C "$state" -czf "$tmp/state.tar.gz" --exclude=./crl --exclude='./*.lock' --exclude='*.pin' --exclude='*.p12' \
  --exclude='*.pass' --exclude='*.key.pem' --exclude='*.password' ${hsm_rel:+--exclude="$hsm_rel"} .
printf 'made=%s\ntoken=%s\nlabel=%s\n' "$(date -u +%FT%TZ)" "$token" "$label" >"$tmp/manifest"
tar -C "$tmp" -cf "$out" manifest database.dump state.tar.gz $($token && echo token.tar.gz)
echo "ca-backup: $out (PINs, database password and the admin/monitoring keys and passwords not included)"

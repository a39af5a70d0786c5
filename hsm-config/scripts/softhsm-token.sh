#!/usr/bin/env bash
# Creates (once) a private SoftHSM2 token for development or tests.
#
#   softhsm-token.sh HSM_DIR LABEL
#
# HSM_DIR gets softhsm2.conf (its own token directory: nothing global is touched), and, each 0600:
#   HSM_DIR/LABEL.pin     the user PIN the appliance logs in with
#   HSM_DIR/LABEL.so-pin  the security officer PIN
# Running it again with the same label reuses the token. No PIN is ever printed.
set -euo pipefail

hsm_dir=${1:?usage: softhsm-token.sh HSM_DIR LABEL}
label=${2:?usage: softhsm-token.sh HSM_DIR LABEL}
case "$label" in
  *[!A-Za-z0-9._-]*|"") echo "softhsm-token: label must be [A-Za-z0-9._-]+" >&2; exit 2 ;;
esac
if ! command -v softhsm2-util >/dev/null 2>&1; then
  echo "softhsm-token: softhsm2-util not found (apt-get install softhsm2)" >&2; exit 3
fi

umask 077
mkdir -p "$hsm_dir/tokens"
hsm_dir=$(cd "$hsm_dir" && pwd)
conf="$hsm_dir/softhsm2.conf"
if [ ! -f "$conf" ]; then
  cat >"$conf" <<CONF
directories.tokendir = $hsm_dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
fi
export SOFTHSM2_CONF="$conf"

if softhsm2-util --show-slots 2>/dev/null | grep -Eq "^[[:space:]]*Label:[[:space:]]+$label[[:space:]]*$"; then
  exit 0
fi

gen_pin() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-24; }
pin_file="$hsm_dir/$label.pin"
so_pin_file="$hsm_dir/$label.so-pin"
[ -s "$pin_file" ] || gen_pin >"$pin_file"
[ -s "$so_pin_file" ] || gen_pin >"$so_pin_file"
chmod 600 "$pin_file" "$so_pin_file"

softhsm2-util --init-token --free --label "$label" \
  --pin "$(cat "$pin_file")" --so-pin "$(cat "$so_pin_file")" >/dev/null
echo "softhsm-token: created token '$label' in $hsm_dir/tokens (PIN in $pin_file)"

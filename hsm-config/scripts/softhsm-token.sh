#!/usr/bin/env bash
# SoftHSM2 tokens for development, tests and small installs: create, back up, restore, rotate the user PIN.
# PINs travel only in files (0600) or on stdin, and reach pkcs11-tool through its env:VAR form: never on a
# command line, where other users could read them. Nothing overwrites an existing token without --force.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: softhsm-token.sh COMMAND HSM_DIR ...

  create HSM_DIR LABEL [--pin-file F] [--so-pin-file F] [--pin-stdin] [--force]
      Creates token LABEL in HSM_DIR/tokens (HSM_DIR/softhsm2.conf is written once; nothing global is touched).
      PINs: read from --pin-file/--so-pin-file, or the user PIN from stdin (--pin-stdin), else generated; kept in
      HSM_DIR/LABEL.pin and HSM_DIR/LABEL.so-pin (0600). An existing LABEL is reused (exit 0) unless --force,
      which deletes it first.
  backup HSM_DIR LABEL OUT.tar.gz
      Copies the token's files (encrypted under its PINs; the PIN files are NOT included: keep them apart).
  restore HSM_DIR BACKUP.tar.gz [--force]
      Puts a backed-up token into HSM_DIR; refuses when a token of that label exists there, unless --force.
  rotate-pin HSM_DIR LABEL [--new-pin-file F | --new-pin-stdin]
      Changes the user PIN (new one generated unless given) and replaces HSM_DIR/LABEL.pin atomically.

  softhsm-token.sh HSM_DIR LABEL   (no command) is `create HSM_DIR LABEL`.
Exit: 0 done, 2 usage or refused, 3 a tool is missing, 1 the HSM failed.
EOF
}

die() { echo "softhsm-token: $1" >&2; exit "${2:-2}"; }
[ $# -ge 1 ] || { usage >&2; exit 2; }
case "$1" in
  -h|--help|help) usage; exit 0 ;;
  create|backup|restore|rotate-pin) cmd=$1; shift ;;
  *) cmd=create ;;
esac
[ $# -ge 2 ] || { usage >&2; exit 2; }
hsm_dir=$1; shift

module=${PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}
for tool in softhsm2-util pkcs11-tool; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool not found (apt-get install softhsm2 opensc)" 3
done
[ -e "$module" ] || die "PKCS#11 module $module not found (apt-get install softhsm2)" 3

check_label() {
  case "$1" in
    *[!A-Za-z0-9._-]*|"") die "label must be [A-Za-z0-9._-]+ (got '$1')" ;;
  esac
}

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

p11() { pkcs11-tool --module "$module" "$@"; }
# The serial of the token labelled $1, empty when there is none.
serial_of() {
  p11 -L 2>/dev/null | awk -v l="$1" '
    /token label/ { sub(/^[^:]*:[ ]*/, ""); sub(/[ ]+$/, ""); cur = $0 }
    /serial num/  { sub(/^[^:]*:[ ]*/, ""); sub(/[ ]+$/, ""); if (cur == l && !found) { print; found = 1 } }'
}
# The slot id of the token labelled $1 exactly, empty when there is none (pkcs11-tool's --token-label takes the first
# token whose label merely starts with it: "pki-ca" would find "pki-ca-2").
slot_of() {
  p11 -L 2>/dev/null | awk -v l="$1" '
    /^Slot [0-9]+ \(/ { s = $3; gsub(/[():]/, "", s) }
    /token label/      { sub(/^[^:]*:[ ]*/, ""); sub(/[ ]+$/, ""); if ($0 == l && !found) { print s; found = 1 } }'
}
# The token's directory under tokens/ (SoftHSM names it by a UUID; token.object holds the serial).
token_dir_of() {
  local serial=$1 f
  for f in "$hsm_dir"/tokens/*/token.object; do
    [ -e "$f" ] && grep -qF "$serial" "$f" && { dirname "$f"; return 0; }
  done
  return 1
}
gen_pin() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | cut -c1-24; }
read_secret_file() {
  [ -r "$1" ] || die "cannot read $1"
  local v; v=$(head -n1 "$1"); [ ${#v} -ge 4 ] || die "$1: a PIN has at least 4 characters"; printf '%s' "$v"
}

create() {
  local label=$1; shift; check_label "$label"
  local pin_src="" so_src="" stdin=false force=false
  while [ $# -gt 0 ]; do
    case "$1" in
      --pin-file) pin_src=${2:?--pin-file needs a file}; shift 2 ;;
      --so-pin-file) so_src=${2:?--so-pin-file needs a file}; shift 2 ;;
      --pin-stdin) stdin=true; shift ;;
      --force) force=true; shift ;;
      *) die "create: unknown argument '$1'" ;;
    esac
  done
  if [ -n "$(serial_of "$label")" ]; then
    if ! $force; then exit 0; fi
    softhsm2-util --delete-token --token "$label" >/dev/null || die "could not delete token '$label'" 1
    rm -f "$hsm_dir/$label.pin" "$hsm_dir/$label.so-pin"
  fi
  local pin_file="$hsm_dir/$label.pin" so_pin_file="$hsm_dir/$label.so-pin"
  if $stdin; then
    local v; IFS= read -r v || true; [ ${#v} -ge 4 ] || die "the PIN on stdin has fewer than 4 characters"
    printf '%s' "$v" >"$pin_file"
  elif [ -n "$pin_src" ]; then read_secret_file "$pin_src" >"$pin_file"
  elif [ ! -s "$pin_file" ]; then gen_pin >"$pin_file"; fi
  if [ -n "$so_src" ]; then read_secret_file "$so_src" >"$so_pin_file"
  elif [ ! -s "$so_pin_file" ]; then gen_pin >"$so_pin_file"; fi
  chmod 600 "$pin_file" "$so_pin_file"

  local slot
  # awk reads to the end (no early exit): pkcs11-tool must not die of SIGPIPE under pipefail
  slot=$(p11 -L | awk '/^Slot [0-9]+ \(/ { s = $3; gsub(/[():]/, "", s) } /token state:[ ]*uninitialized/ && !found { print s; found = 1 }')
  [ -n "$slot" ] || die "no free slot in $hsm_dir" 1
  SOFTHSM_SO_PIN=$(head -n1 "$so_pin_file") \
    p11 --slot "$slot" --init-token --label "$label" --so-pin env:SOFTHSM_SO_PIN >/dev/null ||
    die "token initialisation failed" 1
  # SoftHSM gives the initialised token a new slot id (from its serial): found again by its exact label
  slot=$(slot_of "$label")
  [ -n "$slot" ] || die "token '$label' not found after its initialisation" 1
  SOFTHSM_SO_PIN=$(head -n1 "$so_pin_file") SOFTHSM_PIN=$(head -n1 "$pin_file") \
    p11 --slot "$slot" --login --login-type so --so-pin env:SOFTHSM_SO_PIN --init-pin --new-pin env:SOFTHSM_PIN \
    >/dev/null || die "token initialisation failed" 1
  echo "softhsm-token: created token '$label' in $hsm_dir/tokens (PIN in $pin_file)"
}

backup() {
  local label=$1 out=${2:?backup needs OUT.tar.gz}; check_label "$label"
  local serial dir; serial=$(serial_of "$label")
  [ -n "$serial" ] || die "no token '$label' in $hsm_dir"
  dir=$(token_dir_of "$serial") || die "token '$label' has no directory under $hsm_dir/tokens" 1
  [ ! -e "$out" ] || die "$out exists; choose another name"
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  printf 'label=%s\nserial=%s\ndir=%s\n' "$label" "$serial" "$(basename "$dir")" >"$tmp/manifest"
  cp -a "$dir" "$tmp/token"
  tar -czf "$out" -C "$tmp" manifest token
  chmod 600 "$out"
  echo "softhsm-token: backed up '$label' (serial $serial) to $out; its PINs are not in it"
}

restore() {
  local archive=${1:?restore needs BACKUP.tar.gz} force=false; shift
  [ "${1:-}" = --force ] && force=true
  [ -r "$archive" ] || die "cannot read $archive"
  local tmp; tmp=$(mktemp -d); trap 'rm -rf "$tmp"' RETURN
  tar -xzf "$archive" -C "$tmp" manifest token 2>/dev/null || die "$archive is not a token backup"
  local label dir
  label=$(sed -n 's/^label=//p' "$tmp/manifest"); dir=$(sed -n 's/^dir=//p' "$tmp/manifest")
  check_label "$label"
  case "$dir" in */*|""|.|..) die "$archive: bad manifest" ;; esac
  if [ -n "$(serial_of "$label")" ] || [ -e "$hsm_dir/tokens/$dir" ]; then
    $force || die "a token '$label' exists in $hsm_dir (restore --force replaces it)"
    [ -z "$(serial_of "$label")" ] || softhsm2-util --delete-token --token "$label" >/dev/null || die "could not delete token '$label'" 1
    rm -rf "${hsm_dir:?}/tokens/$dir"
  fi
  cp -a "$tmp/token" "$hsm_dir/tokens/$dir"
  [ -n "$(serial_of "$label")" ] || die "restored files but SoftHSM does not see token '$label'" 1
  echo "softhsm-token: restored '$label' into $hsm_dir/tokens; put its PIN in $hsm_dir/$label.pin (0600)"
}

rotate_pin() {
  local label=$1; shift; check_label "$label"
  local new=""
  case "${1:-}" in
    --new-pin-file) new=$(read_secret_file "${2:?--new-pin-file needs a file}") ;;
    --new-pin-stdin) IFS= read -r new || true; [ ${#new} -ge 4 ] || die "the PIN on stdin has fewer than 4 characters" ;;
    "") new=$(gen_pin) ;;
    *) die "rotate-pin: unknown argument '$1'" ;;
  esac
  local pin_file="$hsm_dir/$label.pin"
  [ -n "$(serial_of "$label")" ] || die "no token '$label' in $hsm_dir"
  [ -r "$pin_file" ] || die "no PIN file $pin_file"
  # the new PIN is on disk before the token changes, so a crash in between loses neither
  printf '%s' "$new" >"$pin_file.new"
  chmod 600 "$pin_file.new"
  SOFTHSM_PIN=$(head -n1 "$pin_file") SOFTHSM_NEW_PIN=$new \
    pkcs11-tool --module "$module" --slot "$(slot_of "$label")" --login --pin env:SOFTHSM_PIN --change-pin \
    --new-pin env:SOFTHSM_NEW_PIN >/dev/null 2>&1 || { rm -f "$pin_file.new"; die "the token refused the PIN change" 1; }
  cp -p "$pin_file" "$pin_file.prev"
  mv -f "$pin_file.new" "$pin_file"
  echo "softhsm-token: user PIN of '$label' changed; new PIN in $pin_file (old in $pin_file.prev: delete it once the services use the new one)"
}

case "$cmd" in
  create) create "$@" ;;
  backup) backup "$@" ;;
  restore) restore "$@" ;;
  rotate-pin) rotate_pin "$@" ;;
esac

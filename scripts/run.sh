#!/usr/bin/env bash
# `make run`: install what is missing, build, create the dev HSM token, a PostgreSQL and the CA under var/ (once),
# then start the OCSP responder (background) and the appliance (foreground); Ctrl-C stops both, then PostgreSQL.
#
# Settings (environment): PKI_VAR (state folder, default var), PKI_PORT (8443; 0: a free port, written to
# $PKI_VAR/appliance.port once the appliance listens), PKI_OCSP_PORT (8081; fixed: the CA's certificates carry it),
# PKI_SKIP_BUILD=1 (use the jars as built), PKI_RUN_LOCK_WAIT (seconds to wait for a previous run to stop, 120).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

var=${PKI_VAR:-var}
port=${PKI_PORT:-8443}
ocsp_port=${PKI_OCSP_PORT:-8081}
jar=appliance/target/appliance-0.1.0-SNAPSHOT.jar
responder=ocsp-responder/target/ocsp-responder-0.1.0-SNAPSHOT.jar
if [ "${PKI_SKIP_BUILD:-0}" != 1 ] && { [ ! -f "$jar" ] || [ ! -f "$responder" ] || [ -n "$(find appliance/src core/src \
     schema/src ocsp-responder/src -name '*.*' -newer "$jar" -print -quit)" ]; }; then
  mvn -B -ntp -q -DskipTests install
fi

umask 077
mkdir -p "$var"
var=$(cd "$var" && pwd)
# One run per state folder. The lock is inherited by the servers this script starts, so it is free only once
# every one of them has exited: a new run never overlaps the last one's shutdown.
exec 9>"$var/.run.lock"
if ! flock -n 9; then
  echo "make run: waiting for the previous run on $var to stop (its servers still hold $var/.run.lock)..." >&2
  flock -w "${PKI_RUN_LOCK_WAIT:-120}" 9 || { echo "make run: $var is still in use by another run; stop it first" >&2; exit 1; }
fi

if [ -f "$var/db/pki.mv.db" ] && [ ! -d "$var/pg" ]; then
  cat >&2 <<MSG
make run: $var holds a CA made by an older 'make run' in the embedded H2 store; make run now keeps its data in
PostgreSQL under $var/pg. Move the old state aside to start a new CA: mv $var $var.h2-old && make run
MSG
  exit 1
fi

hsm-config/scripts/softhsm-token.sh "$var/hsm" pki-ca
export SOFTHSM2_CONF="$var/hsm/softhsm2.conf"

eval "$(scripts/dev-postgres.sh up "$var/pg")"
# Database settings reach the JVMs through their environment (readable by this user only), never the command line.
export DATASOURCES_DEFAULT_URL="$PG_URL" DATASOURCES_DEFAULT_DRIVER_CLASS_NAME=org.postgresql.Driver \
       DATASOURCES_DEFAULT_USERNAME="$PG_USER" DATASOURCES_DEFAULT_PASSWORD="$(cat "$PG_PASSWORD_FILE")"
# The appliance's settings for this state folder, in a file (no secret in it): this run's commands and server read
# it, and so do bin/appliance's local commands (audit verify, ca status, crl ...) on this state, with or without a run.
settings="$var/appliance.properties"
{
  echo "# written by make run (scripts/run.sh) for this state folder; read by bin/appliance"
  printf '%s=%s\n' datasources.default.url "$PG_URL" datasources.default.driver-class-name org.postgresql.Driver \
    datasources.default.username "$PG_USER" pki.hsm.pin-file "$var/hsm/pki-ca.pin" pki.ca.output-dir "$var/ca" \
    pki.ca.admin-dir "$var/admin" pki.crl.work-dir "$var/crl" pki.audit.anchor-file "$var/audit/anchor" \
    pki.urls.ocsp "http://localhost:$ocsp_port" pki.urls.crl-base "http://localhost:$ocsp_port/crl" \
    pki.urls.ca-issuers-base "http://localhost:$ocsp_port/ca" | sed 's/\\/\\\\/g'
} >"$settings.tmp"
mv "$settings.tmp" "$settings"
props=(-Dmicronaut.config.files="$settings")

java "${props[@]}" -jar "$jar" ca init --if-needed
java "${props[@]}" -jar "$jar" ca status

responder_pid=""
appliance_pid=""
# Both servers stop (and finish their in-flight requests) before their database does.
stop() {
  for pid in $appliance_pid $responder_pid; do kill "$pid" 2>/dev/null || true; done
  for pid in $appliance_pid $responder_pid; do wait "$pid" 2>/dev/null || true; done
  scripts/dev-postgres.sh down "$var/pg" 9>&- || true
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The responder reads the same database, as its own role (what it may read: the migrations' ResponderGrants, as
# deployed); with the HSM it signs nonce requests live, else it serves the responses the appliance pre-signed.
mkdir -p "$var/log"
DATASOURCES_DEFAULT_USERNAME="$PG_RO_USER" DATASOURCES_DEFAULT_PASSWORD="$(cat "$PG_RO_PASSWORD_FILE")" \
  java -Dpki.hsm.enabled=true -Dpki.hsm.pin-file="$var/hsm/pki-ca.pin" -Dmicronaut.server.port="$ocsp_port" \
  -jar "$responder" >"$var/log/ocsp-responder.log" 2>&1 &
responder_pid=$!

shown=$port  # PKI_PORT=0: the port is known once the appliance listens; the lines below read it then
[ "$port" != 0 ] || shown="\$(cat $var/appliance.port)"
cat <<INFO

Appliance:      https://localhost:$shown   (TLS 1.3 only; trust $var/ca/root.pem)
OCSP responder: http://localhost:$ocsp_port    (log: $var/log/ocsp-responder.log); CRLs at http://localhost:$ocsp_port/crl/issuing.crl
Database:       PostgreSQL under $var/pg (stopped when this run ends)
Admin credential (mTLS): $var/admin/admin.p12, password in $var/admin/admin.pass
                         or $var/admin/admin.crt.pem + $var/admin/admin.key.pem
Try:
  curl --cacert $var/ca/root.pem --cert $var/admin/admin.crt.pem --key $var/admin/admin.key.pem https://localhost:$shown/api/v1/certificates
  openssl ocsp -issuer $var/ca/issuing.pem -cert $var/ca/tls.pem -url http://localhost:$ocsp_port -CAfile $var/ca/root.pem

INFO
# Development only: ACME clients tried against this run listen on this machine, so the validator may reach
# loopback and private addresses here (a production appliance refuses them; docs/acme.md).
rm -f "$var/appliance.port"
java "${props[@]}" -Dmicronaut.server.ssl.port="$port" -Dpki.server.port-file="$var/appliance.port" \
  -Dpki.acme.validation.allow-private-addresses=true -jar "$jar" &
appliance_pid=$!
wait "$appliance_pid"

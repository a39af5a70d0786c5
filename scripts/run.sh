#!/usr/bin/env bash
# `make run`: install what is missing, build, create the dev HSM token and the CA under var/ (once),
# then start the OCSP responder (background) and the appliance (foreground); Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

jar=appliance/target/appliance-0.1.0-SNAPSHOT.jar
responder=ocsp-responder/target/ocsp-responder-0.1.0-SNAPSHOT.jar
if [ ! -f "$jar" ] || [ ! -f "$responder" ] || [ -n "$(find appliance/src hsm-config/src schema/src ocsp-responder/src \
     -name '*.*' -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q -DskipTests install
fi

umask 077
mkdir -p var
hsm-config/scripts/softhsm-token.sh var/hsm pki-ca
export SOFTHSM2_CONF="$PWD/var/hsm/softhsm2.conf"

java -jar "$jar" ca init --if-needed
java -jar "$jar" ca status

# The responder reads the same database; with the HSM it signs nonce requests live, else it serves the
# responses the appliance pre-signed.
mkdir -p var/log
java -Dpki.hsm.enabled=true -jar "$responder" >var/log/ocsp-responder.log 2>&1 &
responder_pid=$!
trap 'kill $responder_pid 2>/dev/null || true' EXIT INT TERM

cat <<INFO

Appliance:      https://localhost:8443   (TLS 1.3 only; trust var/ca/root.pem)
OCSP responder: http://localhost:8081    (log: var/log/ocsp-responder.log); CRLs at http://localhost:8081/crl/issuing.crl
Admin credential (mTLS): var/admin/admin.p12, password in var/admin/admin.pass
                         or var/admin/admin.crt.pem + var/admin/admin.key.pem
Try:
  curl --cacert var/ca/root.pem --cert var/admin/admin.crt.pem --key var/admin/admin.key.pem https://localhost:8443/api/v1/certificates
  openssl ocsp -issuer var/ca/issuing.pem -cert var/ca/tls.pem -url http://localhost:8081 -CAfile var/ca/root.pem

INFO
java -jar "$jar"

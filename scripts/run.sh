#!/usr/bin/env bash
# `make run`: install what is missing, build, create the dev HSM token and the CA under var/ (once),
# then start the appliance in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

jar=appliance/target/appliance-0.1.0-SNAPSHOT.jar
if [ ! -f "$jar" ] || [ -n "$(find appliance/src hsm-config/src pom.xml appliance/pom.xml hsm-config/pom.xml -newer "$jar" -print -quit)" ]; then
  mvn -B -ntp -q -DskipTests install
fi

umask 077
mkdir -p var
hsm-config/scripts/softhsm-token.sh var/hsm pki-ca
export SOFTHSM2_CONF="$PWD/var/hsm/softhsm2.conf"

java -jar "$jar" ca init --if-needed
java -jar "$jar" ca status

cat <<INFO

Appliance: https://localhost:8443   (TLS 1.3 only; trust var/ca/root.pem)
Admin credential (mTLS): var/admin/admin.p12, password in var/admin/admin.pass
                         or var/admin/admin.crt.pem + var/admin/admin.key.pem
Try:
  curl --cacert var/ca/root.pem --cert var/admin/admin.crt.pem --key var/admin/admin.key.pem https://localhost:8443/api/v1/certificates

INFO
exec java -jar "$jar"

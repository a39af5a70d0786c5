#!/usr/bin/env bash
# `make testssl`: runs testssl.sh (Debian package) against a throwaway appliance with its own token and CA,
# and fails when it reports a vulnerability or an offered weak protocol/cipher. Takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
command -v testssl >/dev/null 2>&1 || command -v testssl.sh >/dev/null 2>&1 || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends testssl.sh >/dev/null
}
testssl=$(command -v testssl || command -v testssl.sh)
jar=appliance/target/appliance-0.1.0-SNAPSHOT.jar
[ -f "$jar" ] || mvn -B -ntp -q -DskipTests install

work=$(mktemp -d /tmp/hsmca-testssl.XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
hsm-config/scripts/softhsm-token.sh "$work/hsm" testssl >/dev/null
export SOFTHSM2_CONF="$work/hsm/softhsm2.conf"
# Everything of this appliance in $work, and its working directory too: nothing of make run's var/ (its audit
# anchor, its database) is read or written, whatever a default says.
props=(-Dpki.hsm.token-label=testssl -Dpki.hsm.pin-file="$work/hsm/testssl.pin" -Dpki.ca.output-dir="$work/ca"
       -Dpki.ca.admin-dir="$work/admin" -Dpki.crl.work-dir="$work/crl" -Dpki.audit.anchor-file="$work/audit/anchor"
       -Dmicronaut.server.ssl.port=0 -Dpki.server.port-file="$work/port"
       "-Ddatasources.default.url=jdbc:h2:file:$work/db/pki;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH")
jar=$(pwd)/$jar
(cd "$work" && java "${props[@]}" -jar "$jar" ca init) >"$work/init.log" 2>&1 || { cat "$work/init.log" >&2; exit 1; }
(cd "$work" && exec java "${props[@]}" -jar "$jar") >"$work/appliance.log" 2>&1 &
pid=$!
# port 0: the kernel picks a free one; the appliance writes it to $work/port once it listens
up=false
for _ in $(seq 1 180); do
  if [ -s "$work/port" ]; then
    port=$(cat "$work/port")
    curl -sf --cacert "$work/ca/root.pem" "https://localhost:$port/health" >/dev/null && { up=true; break; }
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
$up || { echo "testssl: the throwaway appliance did not start:" >&2; tail -20 "$work/appliance.log" >&2; exit 1; }

"$testssl" --quiet --color 0 --warnings off --add-ca "$work/ca/root.pem" --protocols --std --vulnerable --server-defaults \
  --jsonfile "$work/testssl.json" "localhost:$port" | tee "$work/testssl.txt" | grep -E "^ (SSLv|TLS 1)|VULNERABLE|not vulnerable|offered" || true
# Findings at severity MEDIUM or above fail the target.
bad=$(python3 - "$work/testssl.json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
bad = [f for f in findings if f.get("severity") in ("MEDIUM", "HIGH", "CRITICAL")]
for f in bad:
    print(f"{f['severity']}: {f['id']}: {f['finding']}")
PY
)
if [ -n "$bad" ]; then
  echo "testssl found problems:"; echo "$bad"; exit 1
fi
echo "testssl: no vulnerability, no weak protocol or cipher offered (severity MEDIUM or above: none)"

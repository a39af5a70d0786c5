#!/usr/bin/env bash
# make deploy-check: the Ansible deployment, checked for real on this machine.
#   1. ansible-lint (production profile) and ansible-playbook --syntax-check
#   2. site.yml applied with connection local into a throwaway root (users and a PostgreSQL cluster of its own are
#      made on this machine; services started directly when systemd is not PID 1)
#   3. the rendered units scored by systemd-analyze security --offline=true (printed)
#   4. the agent's certificate from the deployed appliance checked against the deployed responder; the services run
#      as their users with no secret on their command lines
#   5. the database link: TLS only (a connection without it, with another root, or to a name not in the certificate
#      is refused; the servers' sessions are TLS); the responder's role reads what it serves and nothing else
#   6. a second run that changes nothing (changed=0)
# Everything it started is stopped and removed at the end, whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
scripts/deps.sh deploy
command -v wrk >/dev/null 2>&1 || { echo "deploy-check: wrk missing (scripts/deps.sh deploy installs it)" >&2; exit 1; }
for jar in appliance/target/appliance-0.1.0-SNAPSHOT.jar ocsp-responder/target/ocsp-responder-0.1.0-SNAPSHOT.jar client/target/pki-agent.jar; do
  [ -f "$jar" ] || mvn -B -ntp -q -DskipTests install
done

work=$(mktemp -d /tmp/hsmca-deploy.XXXXXX)
chmod 755 "$work"
root="$work/root"
# the deployment is configured with its ports before anything binds them
app_port=$(scripts/fixed-port.sh); ocsp_port=$(scripts/fixed-port.sh); db_port=$(scripts/fixed-port.sh)
cluster="hsmcadeploy$$"
pg_version=$(ls /usr/lib/postgresql | sort -n | tail -n1)
manager=direct
[ "$(ps -p 1 -o comm=)" = systemd ] && [ "${DEPLOY_CHECK_SYSTEMD:-0}" = 1 ] && manager=systemd

cleanup() {
  set +e
  for unit in "$root"/etc/systemd/system/*.service; do
    [ -e "$unit" ] && "$root/opt/hsmca/bin/run-unit" "$unit" stop "$root/run/hsmca" >/dev/null
  done
  pg_dropcluster --stop "$pg_version" "$cluster" 2>/dev/null
  if [ "${DEPLOY_CHECK_KEEP:-0}" = 1 ]; then echo "deploy-check: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

cat >"$work/vars.yml" <<VARS
hsmca_root: $root
hsmca_service_manager: $manager
hsmca_artifacts: $repo
hsmca_controller_secrets: $work/secrets
hsmca_appliance_port: $app_port
hsmca_ocsp_port: $ocsp_port
hsmca_db_port: $db_port
postgresql_cluster: $cluster
VARS

cd ansible
export ANSIBLE_CONFIG="$repo/ansible/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
echo "== ansible-lint (production profile) [${SECONDS} s]"
ansible-lint --offline --profile production --nocolor
echo "== syntax [${SECONDS} s]"
ansible-playbook -i inventory/local.yml --syntax-check site.yml

echo "== apply (into $root, services: $manager) [${SECONDS} s]"
ansible-playbook -i inventory/local.yml site.yml -e "@$work/vars.yml" >"$work/first.log" 2>&1 || {
  tail -n 60 "$work/first.log"; echo "deploy-check: the first run failed" >&2; exit 1; }
grep -A3 "PLAY RECAP" "$work/first.log"

echo "== units (systemd-analyze security --offline=true; lower is safer) [${SECONDS} s]"
mkdir -p "$repo/build/deploy/units"
cp "$root"/etc/systemd/system/*.service "$repo/build/deploy/units/"
for unit in "$repo"/build/deploy/units/*.service; do
  score=$(systemd-analyze security --offline=true "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
  printf '%-40s %s\n' "$(basename "$unit")" "${score:-?}"
  [ -n "$score" ] || { echo "deploy-check: systemd-analyze could not score $unit" >&2; exit 1; }
  awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || { echo "deploy-check: $unit scores $score (> 2.5)" >&2; exit 1; }
done

echo "== the deployment works [${SECONDS} s]"
out="$root/etc/pki/deploycheck"
openssl verify -CAfile "$root/etc/hsmca/ca-root.pem" -untrusted "$out/chain.pem" "$out/cert.pem"
openssl ocsp -issuer "$root/var/lib/hsmca/ca/issuing.pem" -cert "$out/cert.pem" -url "http://127.0.0.1:$ocsp_port" \
  -CAfile "$root/etc/hsmca/ca-root.pem" 2>&1 | tee "$work/ocsp.txt"
grep -q ": good" "$work/ocsp.txt" || { echo "deploy-check: the responder did not say good" >&2; exit 1; }
for unit in hsmca-appliance hsmca-ocsp-responder pki-agent-deploycheck; do
  pid=$(cat "$root/run/hsmca/$unit.pid")
  user=$(ps -o user= -p "$pid")
  printf '%-28s pid %-7s user %s\n' "$unit" "$pid" "$user"
  [ "$user" != root ] || { echo "deploy-check: $unit runs as root" >&2; exit 1; }
  for secret in "$root"/var/lib/hsmca/hsm/*.pin "$work"/secrets/*.password; do
    if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$(head -n1 "$secret")"; then
      echo "deploy-check: a secret is on $unit's command line" >&2; exit 1
    fi
  done
done
stat -L -c "%a %U %n" "$root"/var/lib/hsmca/hsm/pki-ca.pin "$root"/etc/hsmca/secrets/*.yml "$out/key.pem"
if stat -c '%a' "$root"/var/lib/hsmca/hsm/pki-ca.pin "$root"/etc/hsmca/secrets/*.yml | grep -vq '^600$'; then
  echo "deploy-check: a secret file is not 0600" >&2; exit 1
fi

echo "== the database link: TLS with the deployment's database CA; the responder's role reads only what it serves [${SECONDS} s]"
pg_conf="/etc/postgresql/$pg_version/$cluster"
db_ca="$root/etc/hsmca/postgresql-ca.pem"
stat -c "%a %U %n" "$pg_conf/hsmca-server.key" "$pg_conf/hsmca-server.pem" "$pg_conf/pg_hba.conf" "$db_ca" "$work"/secrets/postgresql-ca.*
[ "$(stat -c '%a %U' "$pg_conf/hsmca-server.key")" = "600 postgres" ] || { echo "deploy-check: the server key is not 0600 postgres" >&2; exit 1; }
[ "$(stat -c '%a' "$work/secrets/postgresql-ca.key")" = 600 ] || { echo "deploy-check: the database CA key is not 0600" >&2; exit 1; }
openssl verify -CAfile "$db_ca" "$pg_conf/hsmca-server.pem"
if grep -Ev '^\s*(#|$)' "$pg_conf/pg_hba.conf" | grep -Evq '^(local\s+all\s+postgres\s+peer|hostssl\s.*\sscram-sha-256)\s*$'; then
  echo "deploy-check: pg_hba.conf has a line other than hostssl/scram-sha-256 and the local postgres one" >&2; exit 1
fi
for config in appliance ocsp-responder; do
  grep -q "sslmode=verify-full&sslrootcert=$db_ca\"" "$root/etc/hsmca/$config.yml" \
    || { echo "deploy-check: $config.yml does not ask for verify-full with the database CA" >&2; exit 1; }
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=not the database CA" -days 1 \
  -keyout "$work/other-ca.key" -out "$work/other-ca.pem" 2>/dev/null
# psql (libpq) as a role, password from the controller's secrets, never on a command line
psql_as() { # USER "CONNINFO" SQL
  PGPASSWORD=$(cat "$work/secrets/db-$1.password") psql -X -At -v ON_ERROR_STOP=1 "dbname=pki port=$db_port user=$1 $2" -c "$3" 2>&1
}
refused() { # WHY USER "CONNINFO" SQL: must fail, for that reason
  local out
  if out=$(psql_as "$2" "$3" "$4"); then echo "deploy-check: accepted ($2, $3): $4" >&2; exit 1; fi
  echo "$out" | grep -q "$1" || { echo "deploy-check: ($2, $3) $4 refused, not for '$1': $out" >&2; exit 1; }
  echo "refused ($1): $2, $3: $4"
}
verified="host=127.0.0.1 sslmode=verify-full sslrootcert=$db_ca"
for user in pki_ca pki_ocsp; do
  [ "$(psql_as $user "$verified" "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")" = t ] \
    || { echo "deploy-check: $user cannot connect with TLS and verify-full" >&2; exit 1; }
  refused "no encryption" $user "host=127.0.0.1 sslmode=disable" "SELECT 1"
  refused "certificate verify failed" $user "host=127.0.0.1 sslmode=verify-full sslrootcert=$work/other-ca.pem" "SELECT 1"
done
refused "does not match host name" pki_ocsp "host=db.other.example hostaddr=127.0.0.1 sslmode=verify-full sslrootcert=$db_ca" "SELECT 1"
# pgjdbc with the URL the responder was given: connects; with another root in its place, refused
probe() { PGPASSWORD=$(cat "$work/secrets/db-pki_ocsp.password") java -cp "$root/opt/hsmca/ocsp-responder.jar" \
  "$repo/scripts/DbLinkProbe.java" "$1" pki_ocsp "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"; }
jdbc_url=$(sed -n 's/^ *url: "\(jdbc:postgresql:[^"]*\)"$/\1/p' "$root/etc/hsmca/ocsp-responder.yml")
[ "$(probe "$jdbc_url")" = t ] || { echo "deploy-check: pgjdbc with the responder's URL does not connect over TLS" >&2; exit 1; }
other=$(probe "${jdbc_url/sslrootcert=$db_ca/sslrootcert=$work/other-ca.pem}") \
  && { echo "deploy-check: pgjdbc accepted the server under another root" >&2; exit 1; }
echo "pgjdbc, another root: $other"
# every session the servers hold is TLS
sessions=$(runuser -u postgres -- psql -X -At -p "$db_port" -d pki -c "SELECT a.usename || ' ' || s.ssl FROM pg_stat_activity a
  JOIN pg_stat_ssl s USING (pid) WHERE a.usename IN ('pki_ca', 'pki_ocsp')" | sort | uniq -c)
echo "$sessions"
echo "$sessions" | grep -q " pki_ca true$" && echo "$sessions" | grep -q " pki_ocsp true$" && ! echo "$sessions" | grep -q " false$" \
  || { echo "deploy-check: a server's database session is not TLS" >&2; exit 1; }
# the responder's role: no EAB keys, install tokens, audit, ACME or certificates' names; what it serves, yes
for sql in "SELECT hmac_key FROM acme_eab_keys" "SELECT secret_hash FROM install_tokens" "SELECT * FROM audit_log" \
           "SELECT * FROM audit_pending" "SELECT jwk FROM acme_accounts" "SELECT * FROM acme_orders" \
           "SELECT dns_names FROM certificates" "SELECT key_alias FROM ca_certificates" "SELECT * FROM services" \
           "UPDATE certificates SET status = 'revoked'" "DELETE FROM ocsp_responses"; do
  refused "permission denied" pki_ocsp "$verified" "$sql"
done
for sql in "SELECT count(*) FROM ca_certificates WHERE active AND length(certificate_der) > 0" \
           "SELECT count(*) FROM certificates WHERE status = 'valid' AND revoked_at IS NULL" \
           "SELECT count(*) FROM ocsp_responses WHERE length(response_der) > 0" "SELECT count(*) FROM crls WHERE entries >= 0"; do
  n=$(psql_as pki_ocsp "$verified" "$sql") && [ "$n" -gt 0 ] 2>/dev/null || { echo "deploy-check: the responder cannot read: $sql ($n)" >&2; exit 1; }
  echo "responder reads ($n rows): $sql"
done

echo "== the responder under load stays under 256 MiB resident (its JVM options from group_vars) [${SECONDS} s]"
openssl ocsp -issuer "$root/var/lib/hsmca/ca/issuing.pem" -cert "$out/cert.pem" -no_nonce -reqout "$work/req.der" >/dev/null
get=$(base64 -w0 "$work/req.der" | tr '+/' '-_' | tr -d '=')
ocsp_pid=$(cat "$root/run/hsmca/hsmca-ocsp-responder.pid")
# the class-data archive the playbook's training run made is mapped (a rejected one would be ignored silently)
grep -q "responder-.*\.jsa" "/proc/$ocsp_pid/maps" || { echo "deploy-check: the responder runs without its class-data archive" >&2; exit 1; }
echo "responder maps its class-data archive: $(grep -o 'responder-[^ ]*\.jsa' "/proc/$ocsp_pid/maps" | head -1)"
# the read-only role hears the change feed, so pre-signed answers come from memory
curl -sf "http://127.0.0.1:$ocsp_port/prometheus" | grep -E "^pki_ocsp_change_feed_up(\{[^}]*\})? 1" \
  || { echo "deploy-check: the responder does not hear the database's change feed" >&2; exit 1; }
wrk -t2 -c64 -d5s "http://127.0.0.1:$ocsp_port/$get" | grep -E "Requests/sec|Non-2xx|Socket errors" || true
hwm=$(awk '/VmHWM/ { print int($2 / 1024) }' "/proc/$ocsp_pid/status")
echo "responder peak RSS: ${hwm} MiB"
[ "$hwm" -lt 256 ] || { echo "deploy-check: the responder reached ${hwm} MiB (limit 256)" >&2; exit 1; }

echo "== second run (must change nothing) [${SECONDS} s]"
ansible-playbook -i inventory/local.yml site.yml -e "@$work/vars.yml" >"$work/second.log" 2>&1 || {
  tail -n 40 "$work/second.log"; echo "deploy-check: the second run failed" >&2; exit 1; }
recap=$(grep -A2 "PLAY RECAP" "$work/second.log" | grep localhost)
echo "$recap"
echo "$recap" | grep -q "changed=0 " || { grep -B2 -A8 "changed:" "$work/second.log" | head -n 60; echo "deploy-check: the second run changed something" >&2; exit 1; }
echo "deploy-check: OK [${SECONDS} s]"

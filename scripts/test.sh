#!/usr/bin/env bash
# The whole test suite: unit and integration tests against real SoftHSM2, H2 and a throwaway PostgreSQL, checked
# with real openssl, curl and pkcs11-tool; the benches' smoke run; the Ansible deployment applied to this machine
# and checked. With Maven arguments (scripts/test.sh -pl appliance -Dtest=X), that Maven run only.
#
# One build, then the parts that share nothing side by side, each with its log in target/test-logs/:
#   modules      the modules' own tests (core, server-common, client, ocsp-responder, appliance: in-process), then
#                the Python client's tests (pytest; end to end against the appliance jar just built)
#   integration  integration-tests, in two test JVMs (servers, make run, agents and ACME clients as processes)
#   deploy       the Ansible deployment check (its own PostgreSQL cluster and root), then the benches' smoke run
# They share the throwaway PostgreSQL (a database per test class); every test JVM has its own SoftHSM folder and
# every server under test binds a port the kernel picks. Timings: target/*/surefire-reports (slowest-tests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test

pg_dir=$(mktemp -d /tmp/hsmca-pg.XXXXXX)
trap 'scripts/test-postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
PKI_TEST_PG_URL=$(scripts/test-postgres.sh start "$pg_dir")
export PKI_TEST_PG_URL

# Test tokens live here (SOFTHSM2_CONF, set by surefire per module and fork); start each run clean.
rm -rf target/test-hsm

if [ $# -gt 0 ]; then
  mvn -B -ntp install "$@"
  exit
fi

# the whole machine's busy CPU (every process, the databases' too), in clock ticks: where the suite's time goes
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
machine_cpu() {
  echo "test: the machine's CPUs were busy $(( ($(busy_ticks) - busy0) / $(getconf CLK_TCK) )) s of" \
    "$(( ($(date +%s) - started) * $(nproc) )) s ($(nproc) cores)"
}
started=$(date +%s) busy0=$(busy_ticks)
mvn -B -ntp -q install -DskipTests
echo "test: built in $(( $(date +%s) - started )) s"
mvn="mvn -B -ntp -fae"
# (the Python client's tests follow the modules' tests, the shortest part: whatever either finds, both run)
scripts/parallel.sh target/test-logs \
  modules "$mvn surefire:test -pl core,server-common,client,ocsp-responder,appliance; m=\$?; scripts/test-python.sh && exit \$m" \
  integration "$mvn surefire:test -pl integration-tests -Dtest.forks=2" \
  deploy "scripts/deploy-check.sh && scripts/bench.sh --smoke" \
  || status=$?
# Each part's whole output, one after another (Maven's and pytest's own summaries among it), then the verdict.
for part in modules integration deploy; do
  echo "=== test: $part (target/test-logs/$part.log)"
  cat "target/test-logs/$part.log"
done
machine_cpu
# the throwaway PostgreSQL's share (its postmaster has reaped every backend the tests used): clock ticks to seconds
if pid=$(head -n1 "$pg_dir/data/postmaster.pid" 2>/dev/null); then
  awk -v hz="$(getconf CLK_TCK)" '{ printf "test: the throwaway PostgreSQL used %d s of CPU\n", ($14 + $15 + $16 + $17) / hz }' \
    "/proc/$pid/stat" 2>/dev/null || true
fi
if [ "${status:-0}" -ne 0 ]; then
  echo "test: FAILED after $(( $(date +%s) - started )) s (see the parts above)" >&2
  exit 1
fi
echo "test: all passed in $(( $(date +%s) - started )) s"

#!/usr/bin/env bash
# `make bench`: figures, side by side with peers, in one run on this machine; printed and written to
# bench/results/latest.md. Not part of `make test`, which runs `bench.sh --smoke` (every run about a second, results
# under target/bench-smoke) to check that the benches still work.
#   OCSP        our responder (pre-signed, live) vs openssl ocsp -port, cfssl ocspserve, nginx (wrk)
#   Issuance    1/4/16 HTTPS clients on H2 and PostgreSQL, footprint, a JFR profile of where the time goes
#   HSM         signatures/s in SoftHSM2 and in software, CSR checks
#   Revocation  latency and CRL publication at 10 k / 100 k / 1 M revoked entries
#   CRL         generation time and peak heap at 10 k / 100 k / 1 M on a 512 MiB heap
#   Fuzz        the long mode: 10,000 cases per endpoint (FuzzTest)
set -euo pipefail
cd "$(dirname "$0")/.."
smoke=false
if [ "${1:-}" = --smoke ]; then smoke=true; fi

scripts/deps.sh bench
if $smoke; then
  results=$PWD/target/bench-smoke
else
  results=$PWD/bench/results
  rm -rf target/test-hsm
  mvn -B -ntp -q -DskipTests install
fi
parts=$results/parts
reports=$PWD/target/bench-reports
rm -rf "$parts" "$reports" && mkdir -p "$parts"

# a throwaway PostgreSQL, unless the caller (make test) already runs one
if [ -z "${PKI_TEST_PG_URL:-}" ]; then
  pg_dir=$(mktemp -d /tmp/hsmca-bench-pg.XXXXXX)
  trap 'scripts/test-postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
  PKI_TEST_PG_URL=$(scripts/test-postgres.sh start "$pg_dir")
  export PKI_TEST_PG_URL
fi

# the servers run with the JVM options the Ansible deployment gives them
jvm_opts() {
  python3 - "$1" <<'PY'
import re, sys
text = open("ansible/group_vars/all.yml").read()
m = re.search(r"^" + sys.argv[1] + r":\s*>-\n((?:[ \t]+.*\n)+)", text, re.M)
print(" ".join(m.group(1).split()))
PY
}
appliance_opts=$(jvm_opts hsmca_appliance_java_opts)
responder_opts=$(jvm_opts hsmca_ocsp_java_opts)

# the responder's class-data archive, made by a training run as the deployment makes it (fresh for this build)
cds=$PWD/target/bench-responder.jsa
rm -f "$cds"
# its own SoftHSM folders and reports (make test runs the smoke run beside the other tests); in the measured run, the
# JVM's own compilers and collector for the benches measured in the test JVM (CRL, HSM)
common=(-B -ntp -Dtest.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false "-Dbench.smoke=$smoke"
  "-Dbench.results=$parts"
  "-Dtest.hsm.dir=$PWD/target/test-hsm/bench" "-Dtest.reports=$reports")
if $smoke; then
  # the smoke run checks that the benches work: its JVMs start as the tests start theirs (first JIT tier only, the
  # tests' class-data archives)
  appliance_opts="the tests' options" responder_opts="the tests' options"
else
  common+=("-Dappliance.jvm.options=$appliance_opts" "-Dresponder.jvm.options=$responder_opts" -Dtest.jvm=
    "-Dresponder.cds=$cds")
fi
log=$results/bench.log
: > "$log"
run() {
  if ! mvn "${common[@]}" "$@" >> "$log" 2>&1; then
    grep -E "FAIL|ERROR|Tests run" "$log" | tail -30
    echo "bench: a bench failed; the whole log is $log" >&2
    exit 1
  fi
}
started=$(date +%s)
benches=HsmBench,OcspBench,IssuanceBench,RevocationBench,ConsoleBench,AcmeClientsTest#legoOrdersPerSecond
if $smoke; then
  # one Maven run for both modules (each Maven start is seconds of CPU beside the other parts of make test)
  run -pl appliance,integration-tests surefire:test "-Dtest=CrlBench,$benches" -Dtest.heap=-Xmx512m
else
  run -pl appliance surefire:test -Dtest=CrlBench -Dtest.heap=-Xmx512m
  run -pl integration-tests surefire:test "-Dtest=$benches,FuzzTest" -Dfuzz.cases=10000
fi

{
  echo "# Benchmarks"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$($smoke && echo ', SMOKE RUN (1 s runs, figures meaningless)'),"
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(java -version 2>&1 | head -1),"
  echo "$(openssl version), nginx $(nginx -v 2>&1 | cut -d/ -f2), cfssl $(cfssl version 2>/dev/null | head -1 | awk '{print $2}'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')."
  echo "Clients and servers share the machine. Appliance JVM: \`$appliance_opts\`. Responder JVM: \`$responder_opts\`."
  echo
  cat "$parts"/*.md
  if ! $smoke; then
    echo
    echo "## Fuzz (long mode)"
    echo
    echo '```'
    grep -h "^fuzz " "$reports/dev.hsmca.it.FuzzTest-output.txt" || true
    echo '```'
  fi
} > "$results/latest.md"
cat "$results/latest.md"
echo "bench: $(( $(date +%s) - started )) s; written to $results/latest.md"

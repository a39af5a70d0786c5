#!/usr/bin/env bash
# `make bench`: benchmarks that print figures (not part of make test).
#   - CRL generation: 1,000,000 revoked entries, signed in SoftHSM, on a 512 MiB heap.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
rm -rf target/test-hsm
mvn -B -ntp -q -DskipTests install
mvn -B -ntp -q -pl appliance surefire:test -Dtest=CrlBench -Dtest.excludedGroups= -Dtest.heap=-Xmx512m \
  -Dsurefire.failIfNoSpecifiedTests=false
grep -h "CRL bench" appliance/target/surefire-reports/*CrlBench-output.txt

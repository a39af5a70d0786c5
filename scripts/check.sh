#!/usr/bin/env bash
# `make check`, the inner loop (about 3 minutes on two idle cores): the modules' unit
# tests and in-process integration tests (the appliance's HTTP API on H2 and PostgreSQL, the responder, the client,
# the HSM against SoftHSM2), two test JVMs side by side. Not the process-level suites of integration-tests (the
# servers, make run, the agent and real ACME clients as processes; restart stress), the benches or the deployment
# check: `make test` runs everything.
# Maven arguments are passed on (scripts/check.sh -Dtest=AuditChainTest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh

pg_dir=$(mktemp -d /tmp/hsmca-pg.XXXXXX)
trap 'scripts/test-postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
PKI_TEST_PG_URL=$(scripts/test-postgres.sh start "$pg_dir")
export PKI_TEST_PG_URL

rm -rf target/test-hsm
mvn -B -ntp test -pl '!integration-tests' -Dtest.forks=2 "$@"

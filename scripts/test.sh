#!/usr/bin/env bash
# The whole test suite: unit and integration tests against real SoftHSM2, H2 and a throwaway PostgreSQL,
# checked with real openssl, curl and pkcs11-tool.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test

pg_dir=$(mktemp -d /tmp/hsmca-pg.XXXXXX)
trap 'scripts/test-postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
PKI_TEST_PG_URL=$(scripts/test-postgres.sh start "$pg_dir")
export PKI_TEST_PG_URL

# Test tokens live here (SOFTHSM2_CONF, set by surefire); start each run clean.
rm -rf target/test-hsm
mvn -B -ntp install "$@"

# The Ansible deployment applied to this machine and checked (skipped for partial runs with Maven arguments).
if [ $# -eq 0 ]; then
  scripts/deploy-check.sh
fi

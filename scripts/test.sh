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

# Partial runs with Maven arguments stop here. Otherwise: the Python client's tests (pytest), the benches' smoke run
# (every run about a second: the scripts still work; figures meaningless) and the Ansible deployment applied to this
# machine and checked.
if [ $# -eq 0 ]; then
  # The Python client (clients/python): unit tests, and end to end against the appliance jar just built.
  HSMCA_REQUIRE_ALL=1 PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest -q -rfEs -p no:cacheprovider \
    clients/python/tests
  scripts/bench.sh --smoke
  scripts/deploy-check.sh
fi

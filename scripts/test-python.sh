#!/usr/bin/env bash
# The Python client (clients/python): unit tests, and end to end against the appliance jar already built, with
# Debian's Python 3 (deps.sh test installs what it needs).
set -euo pipefail
cd "$(dirname "$0")/.."
HSMCA_REQUIRE_ALL=1 PYTHONDONTWRITEBYTECODE=1 exec /usr/bin/python3 -m pytest -q -rfEs -p no:cacheprovider \
  clients/python/tests "$@"

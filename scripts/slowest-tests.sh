#!/usr/bin/env bash
# The test classes of the last run by time (surefire-reports of every module), slowest first, with the total per
# module: where `make test`'s time goes.  scripts/slowest-tests.sh [N]  (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - "${1:-0}" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
rows, totals = [], {}
for f in glob.glob("*/target/surefire-reports/TEST-*.xml"):
    suite = ET.parse(f).getroot()
    module, seconds = f.split("/")[0], float(suite.get("time") or 0)
    rows.append((seconds, module, suite.get("name"), suite.get("tests")))
    totals[module] = totals.get(module, 0) + seconds
rows.sort(reverse=True)
n = int(sys.argv[1]) or len(rows)
for seconds, module, name, tests in rows[:n]:
    print(f"{seconds:8.1f} s  {name}  ({tests} tests, {module})")
print("per module: " + ", ".join(f"{m} {t:.0f} s" for m, t in sorted(totals.items(), key=lambda kv: -kv[1])))
PY

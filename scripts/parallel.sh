#!/usr/bin/env bash
# Runs commands side by side, each in a process group of its own with its output in LOGDIR/NAME.log, and reports
# each as it ends (passed or FAILED, how long, and a failure's last lines). Exit 0 when every one passed.
# Ctrl-C or a TERM stops all of them (their whole groups), and nothing else.
#   scripts/parallel.sh LOGDIR NAME 'COMMAND' [NAME 'COMMAND' ...]
set -euo pipefail
[ $# -ge 3 ] && [ $(( ($# - 1) % 2 )) -eq 0 ] || { echo "usage: parallel.sh LOGDIR NAME 'COMMAND' [NAME 'COMMAND' ...]" >&2; exit 2; }
logs=$1; shift
mkdir -p "$logs"

declare -A name_of start_of
running=()
stop_all() {
  trap - INT TERM
  for pid in "${running[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "parallel: stopped" >&2
  exit 130
}
trap stop_all INT TERM

while [ $# -gt 0 ]; do
  name=$1 command=$2; shift 2
  # setsid: a group of its own, so that stopping it reaches every process it started
  # the CPU it used (its processes', once waited for) goes to LOGDIR/NAME.cpu: bash's `times`, whose second line is its children's
  setsid bash -c '(eval "$1"); rc=$?; times >"$2"; exit $rc' _ "$command" "$logs/$name.cpu" \
    >"$logs/$name.log" 2>&1 </dev/null &
  name_of[$!]=$name start_of[$!]=$(date +%s) running+=("$!")
  echo "parallel: $name started (log: $logs/$name.log)"
done

# user + system seconds from a `times` line ("0m12.345s 0m1.234s"); "?" when the part left none
cpu_seconds() {
  [ -s "$1" ] || { echo "?"; return; }
  tail -n1 "$1" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] } printf "%.0f", t }'
}

failed=()
while [ ${#running[@]} -gt 0 ]; do
  status=0
  wait -n -p done "${running[@]}" || status=$?
  name=${name_of[$done]}
  took=$(( $(date +%s) - start_of[$done] ))
  remaining=()
  for pid in "${running[@]}"; do [ "$pid" = "$done" ] || remaining+=("$pid"); done
  running=("${remaining[@]+"${remaining[@]}"}")
  cpu=$(cpu_seconds "$logs/$name.cpu")
  if [ "$status" -eq 0 ]; then
    echo "parallel: $name passed in ${took} s (CPU ${cpu} s)"
  else
    failed+=("$name")
    echo "parallel: $name FAILED (exit $status) in ${took} s (CPU ${cpu} s); the end of $logs/$name.log:"
    tail -n 40 "$logs/$name.log" | sed "s/^/  $name| /"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "parallel: failed: ${failed[*]}" >&2
  exit 1
fi

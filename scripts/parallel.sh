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
  setsid bash -c "$command" >"$logs/$name.log" 2>&1 </dev/null &
  name_of[$!]=$name start_of[$!]=$(date +%s) running+=("$!")
  echo "parallel: $name started (log: $logs/$name.log)"
done

failed=()
while [ ${#running[@]} -gt 0 ]; do
  status=0
  wait -n -p done "${running[@]}" || status=$?
  name=${name_of[$done]}
  took=$(( $(date +%s) - start_of[$done] ))
  remaining=()
  for pid in "${running[@]}"; do [ "$pid" = "$done" ] || remaining+=("$pid"); done
  running=("${remaining[@]+"${remaining[@]}"}")
  if [ "$status" -eq 0 ]; then
    echo "parallel: $name passed in ${took} s"
  else
    failed+=("$name")
    echo "parallel: $name FAILED (exit $status) in ${took} s; the end of $logs/$name.log:"
    tail -n 40 "$logs/$name.log" | sed "s/^/  $name| /"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "parallel: failed: ${failed[*]}" >&2
  exit 1
fi

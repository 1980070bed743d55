#!/usr/bin/env bash
# The scaling of the Spark reference-scoring job on this machine: the same job (the embedded default
# configuration's reference pass: 2,779 sequences of the tiny Llama) on local[1] and local[2], one
# libtorch thread per task, each run on a fresh JVM. Prints a Markdown table with the load average.
#   dpo-spark/scaling-bench.sh [--repeats N] [--masters "local[1] local[2]"] [--set KEY=VALUE]...
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPEATS=2
MASTERS="local[1] local[2]"
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) REPEATS="$2"; shift 2 ;;
    --masters) MASTERS="$2"; shift 2 ;;
    --set) EXTRA+=(--set "$2"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
WORK="$(mktemp -d /tmp/dpo-spark-scaling.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
# First run: generates the data and warms the tiny model up (cached), not timed.
"$ROOT/dpo" spark score --master 'local[2]' "${EXTRA[@]}" >/dev/null 2>"$WORK/warm.err" || { cat "$WORK/warm.err" >&2; exit 1; }
echo "| master | partitions | sequences | seconds (job) | sequences/s | load average before |"
echo "|---|---|---|---|---|---|"
for r in $(seq "$REPEATS"); do
  for m in $MASTERS; do
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    line="$("$ROOT/dpo" spark score --master "$m" "${EXTRA[@]}" 2>/dev/null | grep '^scored')"
    n="$(echo "$line" | awk '{print $2}')"
    s="$(echo "$line" | awk '{print $5}')"
    p="$(echo "$line" | sed -E 's/.*\(([0-9]+) partitions\).*/\1/')"
    echo "| $m | $p | $n | $s | $(awk -v n="$n" -v s="$s" 'BEGIN{printf "%.0f", n/s}') | $load |"
  done
done

#!/usr/bin/env bash
# Benchmarks the log-prob kernel (naive, chunked, single-pass, and the bare lm_head GEMMs) with JMH and prints
# the ratio table. Builds the distribution first when sources changed. Examples:
#   dpo-bench/kernel-bench.sh                                  # all three shapes: tens of minutes
#   dpo-bench/kernel-bench.sh --shapes small --iterations 10   # about a minute
# Options: --shapes small,smollm2-135m,qwen2.5-0.5b  --variants naive,chunked,single_pass,gemm (default: all)
#          --warmup N  --iterations N  --budget BYTES  --output FILE.md
# Environment: THP_MEM_ALLOC_ENABLE=1 makes libtorch back large arrays with huge pages (see docs/kernel.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$ROOT/dpo-cli/target"
STAMP="$DIST/.kernel-bench-build-stamp"

needs_build() {
  [ -f "$STAMP" ] && [ -f "$DIST/dpo-cli.jar" ] && [ -d "$DIST/lib" ] || return 0
  [ -n "$(find "$ROOT" -path "$ROOT/examples" -prune -o \( -name pom.xml -o -path '*/src/main/*' \) \
      -newer "$STAMP" -type f -print -quit 2>/dev/null)" ]
}

if needs_build; then
  echo "kernel-bench: building the distribution..." >&2
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -Dmaven.javadoc.skip=true install -pl dpo-cli -am >&2)
  touch "$STAMP"
fi

export OPT_OUT_TRACKING=true
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xmx512m -Dai.djl.offline=true -cp "$DIST/dpo-cli.jar:$DIST/lib/*" io.dpo4j.bench.jmh.KernelReport "$@"

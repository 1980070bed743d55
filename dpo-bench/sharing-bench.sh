#!/usr/bin/env bash
# Benchmarks prompt sharing and packing: one DPO training step (cached reference) per layout on the same
# pairs, SmolLM2-135M shape with random weights. Builds the distribution first when sources changed.
#   dpo-bench/sharing-bench.sh                                   # long, short, mixed: ~10-20 min here
#   dpo-bench/sharing-bench.sh --scenarios long --steps 2        # prompt 512 / responses 128 only
#   dpo-bench/sharing-bench.sh --shape tiny --steps 1 --warmup 0 # a smoke test, seconds
# Options: --scenarios long,short,mixed  --steps N (2)  --warmup N (1)  --shape smollm2-135m|tiny
#          --layers N (only N of the shape's layers)  --no-checkpointing  --output FILE.md
# The SmolLM2 shape needs ~3-4 GB with checkpointing: on a shared machine run it under flock /work/heavy.lock.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="$ROOT/dpo-cli/target"
STAMP="$DIST/.sharing-bench-build-stamp"

needs_build() {
  [ -f "$STAMP" ] && [ -f "$DIST/dpo-cli.jar" ] && [ -d "$DIST/lib" ] || return 0
  [ -n "$(find "$ROOT" -path "$ROOT/examples" -prune -o \( -name pom.xml -o -path '*/src/main/*' \) \
      -newer "$STAMP" -type f -print -quit 2>/dev/null)" ]
}

if needs_build; then
  echo "sharing-bench: building the distribution..." >&2
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests -Dmaven.javadoc.skip=true install -pl dpo-cli -am >&2)
  touch "$STAMP"
fi

export OPT_OUT_TRACKING=true
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" -Xmx2g -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$DIST/dpo-cli.jar:$DIST/lib/*" io.dpo4j.bench.SharingBenchmark "$@"

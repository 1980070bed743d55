#!/usr/bin/env bash
# Tries the example plugin as a new user would: drop its jar in a folder (next to a broken jar),
# list the objectives, compute a loss by hand, train with it and benchmark it, all by id.
# Run after the plugin is built (mvn -f examples/objective-plugin/pom.xml verify); ./run-tests does.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$ROOT/examples/objective-plugin/target/dpo-objective-plugin-1.0.0.jar"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
[ -f "$JAR" ] || { echo "smoke test: $JAR is missing; build the plugin first" >&2; exit 1; }
mkdir -p "$WORK/plugins"
cp "$JAR" "$WORK/plugins/"
printf 'not a jar' > "$WORK/plugins/broken.jar"
DPO="$ROOT/dpo"
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }

echo "== dpo objectives --plugins (a good jar next to a broken one)"
out=$("$DPO" objectives --plugins "$WORK/plugins" 2>"$WORK/err") || fail "objectives exited $?"
grep -q "^dpo_shift  —" <<<"$out" || fail "dpo_shift is not listed"
grep -q "^simper  —" <<<"$out" || fail "simper is not listed"
grep -q "^23 objectives available:" <<<"$out" || fail "the 21 built-ins and the 2 plugin objectives are not all listed"
grep -q "duplicate objective id" <<<"$out" && fail "the plugin clashes with a built-in id"
grep -q "origin:      plugin $WORK/plugins/dpo-objective-plugin-1.0.0.jar" <<<"$out" || fail "the origin is not the jar"
grep -q "broken.jar: not a valid jar file" "$WORK/err" || fail "the broken jar is not named"
if "$DPO" objectives --plugins "$WORK/plugins" --strict >/dev/null 2>&1; then fail "--strict accepted a broken jar"; fi

echo "== dpo loss with dpo_shift and simper"
for id in dpo_shift simper; do
  case_file="$ROOT/examples/objective-plugin/src/test/resources/golden/$id/case-a.json"
  "$DPO" --plugins "$WORK/plugins" loss --input "$case_file" > "$WORK/$id.json" 2>/dev/null || fail "loss $id"
  grep -q "\"objective\" : \"$id\"" "$WORK/$id.json" || fail "loss output for $id"
done

echo "== dpo train with dpo_shift (by id, plugins from the configuration)"
cat > "$WORK/train.yaml" <<YAML
plugins: [$WORK/plugins]
seed: 5
sft: {steps: 20, batch_size: 16}
data: {max_prompt_length: 16, max_response_length: 16, max_length: 32}
objective: {id: dpo_shift, params: {beta: 0.1, lambda: 0.9}}
batch_size: 8
max_steps: 3
eval_every: 3
evaluation: {sample_prompts: 4, max_new_tokens: 8}
YAML
"$DPO" train "$WORK/train.yaml" --out "$WORK/run" --cache "$WORK/cache" > "$WORK/train.out" 2>&1 || { cat "$WORK/train.out"; fail "train with dpo_shift"; }
grep -q "trained 3 steps" "$WORK/train.out" || fail "train summary"

echo "== dpo bench with simper (by id)"
cat > "$WORK/suite.yaml" <<YAML
name: plugin-smoke
seeds: [1, 2, 3]
lab: {sft_steps: 20, train_prompts: 16, samples_per_prompt: 2, validation_prompts: 8, eval_prompts: 4, max_new_tokens: 6, lrs: [1.0e-3]}
scenarios:
  reward_kl_frontier: {steps: 3, eval_every: 3, objectives: {dpo: [{beta: 0.1}], simper: [{}]}}
YAML
"$DPO" --plugins "$WORK/plugins" bench --suite "$WORK/suite.yaml" --out "$WORK/bench" > "$WORK/bench.out" 2>&1 || { cat "$WORK/bench.out"; fail "bench with simper"; }
grep -q "simper" "$WORK/bench/results.csv" || fail "simper is not in the bench results"
echo "plugin smoke test: passed"

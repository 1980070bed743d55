package io.dpo4j.train;

import ai.djl.ndarray.NDManager;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.math.StandardMetrics;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.generation.GenerationResult;
import io.dpo4j.core.generation.Generator;
import io.dpo4j.core.generation.SamplingOptions;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.tokenizer.TextTokenizer;
import io.dpo4j.core.train.SequenceScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Held-out evaluation: the objective's metrics on the validation examples (accuracy and margins of
 * the implicit reward, log-ratios) through the same {@link ObjectiveStep} as training, and, from
 * responses sampled on held-out prompts, their mean length, EOS rate and — with a reward — mean true
 * reward. The samples keep their policy log-probs, so a KL to the reference can be estimated later
 * without holding the reference model during training.
 */
final class Evaluator {

    /** Sequences per batch of the held-out scoring pass (the memory plan's evaluation phase). */
    static final int SCORE_ROWS = 64;

    private final PreparedData data;
    private final ObjectiveStep step;
    private final LogProbKernel kernel;
    private final int pad;
    private final int eos;
    private final TextTokenizer tokenizer;
    private final EvaluationSettings settings;
    private final long seed;

    Evaluator(PreparedData data, ObjectiveStep step, LogProbKernel kernel, int pad, int eos, TextTokenizer tokenizer,
            EvaluationSettings settings, long seed) {
        this.data = data;
        this.step = step;
        this.kernel = kernel;
        this.pad = pad;
        this.eos = eos;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.seed = seed;
    }

    /** True when there is anything to evaluate. */
    boolean hasWork() {
        return !data.validationPairs().isEmpty() || !data.validationUnpaired().isEmpty()
                || !data.samplePrompts().isEmpty();
    }

    EvaluationEvent evaluate(long at, LlamaModel policy, NDManager root) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<EvaluationEvent.Sample> samples = List.of();
        SequenceScorer scorer = new SequenceScorer(policy, kernel, pad, SCORE_ROWS, step.layout());
        policy.setTrainable(false);
        try {
            StepBatch validation = !data.validationPairs().isEmpty() && data.layout() == DataLayout.PAIRED
                    ? StepBatch.paired(data.validationPairs())
                    : data.validationPairs().isEmpty() && !data.validationUnpaired().isEmpty()
                            ? StepBatch.unpaired(data.validationUnpaired(), pad, false, 0) : null;
            if (validation != null) {
                double[] logps = scorer.score(validation.prompts(), validation.responses(), root, null);
                try (NDManager s = root.newSubManager()) {
                    ObjectiveResult r = step.evaluate(validation, logps, s);
                    r.metrics().forEach((k, v) -> m.put("eval/" + k, v));
                    m.put("eval/loss", r.lossValue());
                }
            } else if (!data.validationPairs().isEmpty()) {
                pairedRewardMetrics(scorer, root, m);
            }
            if (!data.samplePrompts().isEmpty()) {
                samples = sample(at, policy, scorer, root, m);
            }
        } finally {
            policy.setTrainable(true);
        }
        return new EvaluationEvent(at, m, samples);
    }

    /** An unpaired objective (KTO) on paired validation: DPO's implicit reward scale·(π − r) per pair. */
    private void pairedRewardMetrics(SequenceScorer scorer, NDManager root, Map<String, Double> m) {
        StepBatch pairs = StepBatch.paired(data.validationPairs());
        int n = pairs.examples();
        double[] logps = scorer.score(pairs.prompts(), pairs.responses(), root, null);
        double[] ref = step.referenceOf(pairs.prompts(), pairs.responses());
        double[] pc = Arrays.copyOfRange(logps, 0, n);
        double[] pr = Arrays.copyOfRange(logps, n, 2 * n);
        double[] rc = ref == null ? null : Arrays.copyOfRange(ref, 0, n);
        double[] rr = ref == null ? null : Arrays.copyOfRange(ref, n, 2 * n);
        double scale = step.objective().rewardScale();
        StandardMetrics.paired(StandardMetrics.scaledDifference(scale, pc, rc),
                StandardMetrics.scaledDifference(scale, pr, rr), pc, pr,
                rc == null ? null : StandardMetrics.scaledDifference(1, pc, rc),
                rr == null ? null : StandardMetrics.scaledDifference(1, pr, rr)).forEach((k, v) -> m.put("eval/" + k, v));
    }

    private List<EvaluationEvent.Sample> sample(long at, LlamaModel policy, SequenceScorer scorer, NDManager root,
            Map<String, Double> m) {
        List<long[]> prompts = new ArrayList<>();
        for (TokenIds p : data.samplePrompts()) {
            prompts.add(Arrays.stream(p.toArray()).asLongStream().toArray());
        }
        GenerationResult g = Generator.generate(policy, prompts, new SamplingOptions(settings.maxNewTokens(),
                settings.temperature(), settings.topP(), seed * 1_000_003L + at), eos < 0 ? Set.of() : Set.of((long) eos),
                pad);
        double length = 0;
        double ended = 0;
        double reward = 0;
        int rewards = 0;
        List<TokenIds> scoredPrompts = new ArrayList<>();
        List<TokenIds> scoredResponses = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            long[] t = g.tokens().get(i);
            boolean eosEnded = g.finishReasons().get(i) == GenerationResult.FinishReason.EOS;
            int words = eosEnded ? t.length - 1 : t.length;
            length += words;
            ended += eosEnded ? 1 : 0;
            String text = tokenizer.decode(Arrays.copyOf(t, words), true);
            texts.add(text);
            String promptText = data.samplePromptTexts().get(i);
            if (promptText != null && settings.reward() != null) {
                reward += settings.reward().score(promptText, text);
                rewards++;
            }
            if (t.length > 0) {
                scoredPrompts.add(data.samplePrompts().get(i));
                scoredResponses.add(TokenIds.of(Arrays.stream(t).mapToInt(x -> (int) x).toArray()));
            }
        }
        int n = prompts.size();
        m.put("eval/sample_length", length / n);
        m.put("eval/sample_eos_rate", ended / n);
        if (rewards > 0) {
            m.put("eval/sample_reward", reward / rewards);
        }
        double[] logps = scoredPrompts.isEmpty() ? new double[0]
                : scorer.score(scoredPrompts, scoredResponses, root, null);
        List<EvaluationEvent.Sample> out = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < n; i++) {
            long[] t = g.tokens().get(i);
            out.add(new EvaluationEvent.Sample(data.samplePrompts().get(i).toArray(), data.samplePromptTexts().get(i),
                    texts.get(i), t, t.length > 0 ? logps[k++] : null));
        }
        return out;
    }
}

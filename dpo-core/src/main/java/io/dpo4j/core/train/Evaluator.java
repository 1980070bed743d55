package io.dpo4j.core.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.StandardMetrics;
import io.dpo4j.core.config.TrainConfig;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.generation.GenerationResult;
import io.dpo4j.core.generation.Generator;
import io.dpo4j.core.generation.SamplingOptions;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.synthetic.SyntheticDataset;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Held-out evaluation: the objectives' metrics on the validation pairs (accuracy and margins of the
 * implicit reward, log-ratios) and, from responses sampled on held-out prompts, their mean length
 * and — on the built-in language — their mean true reward. Samples are written to
 * {@code samples/step-NNNNNNNN.jsonl} with their policy log-probs, so a KL to the reference can be
 * estimated afterwards without holding the reference model during training.
 */
final class Evaluator {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PreparedData data;
    private final ReferenceCache reference;
    private final int pad;
    private final int eos;
    private final TextTokenizer tokenizer;

    Evaluator(PreparedData data, ReferenceCache reference, int pad, int eos, TextTokenizer tokenizer) {
        this.data = data;
        this.reference = reference;
        this.pad = pad;
        this.eos = eos;
        this.tokenizer = tokenizer;
    }

    /** The β used to read margins as log-ratio gaps (the first objective's beta, lambda, or 1). */
    double beta(TrainConfig config) {
        Map<String, Object> p = config.objectives().get(0).configured().parameters().asMap();
        Object b = p.containsKey("beta") ? p.get("beta") : p.get("lambda");
        return b instanceof Double d ? d : 1.0;
    }

    Map<String, Double> evaluate(long step, LlamaModel policy, LogProbKernel kernel, TrainConfig config,
            NDManager root) throws IOException {
        Map<String, Double> m = new LinkedHashMap<>();
        SequenceScorer scorer = new SequenceScorer(policy, kernel, pad, 64);
        if (!data.validationPairs().isEmpty()) {
            pairedMetrics(scorer, config, root, m);
        } else if (!data.validationUnpaired().isEmpty()) {
            unpairedMetrics(scorer, config, root, m);
        }
        if (!data.samplePrompts().isEmpty()) {
            sampleMetrics(step, policy, scorer, config, root, m);
        }
        return m;
    }

    private void pairedMetrics(SequenceScorer scorer, TrainConfig config, NDManager root, Map<String, Double> m) {
        List<TokenizedPair> pairs = data.validationPairs();
        int n = pairs.size();
        List<TokenIds> prompts = new ArrayList<>();
        List<TokenIds> responses = new ArrayList<>();
        for (TokenizedPair p : pairs) {
            prompts.add(p.prompt());
            responses.add(p.chosen());
        }
        for (TokenizedPair p : pairs) {
            prompts.add(p.prompt());
            responses.add(p.rejected());
        }
        double[] logps = scorer.score(prompts, responses, root, null);
        double[] pc = java.util.Arrays.copyOfRange(logps, 0, n);
        double[] pr = java.util.Arrays.copyOfRange(logps, n, 2 * n);
        double[] nc = new double[n];
        double[] nr = new double[n];
        double[] rc = reference == null ? null : new double[n];
        double[] rr = reference == null ? null : new double[n];
        for (int i = 0; i < n; i++) {
            TokenizedPair p = pairs.get(i);
            nc[i] = p.chosen().length();
            nr[i] = p.rejected().length();
            if (reference != null) {
                rc[i] = ReferencePass.lookup(reference, p.prompt(), p.chosen());
                rr[i] = ReferencePass.lookup(reference, p.prompt(), p.rejected());
            }
        }
        if (data.layout() == DataLayout.PAIRED) {
            try (NDManager s = root.newSubManager()) {
                SequenceStatistics.Builder b = SequenceStatistics.paired()
                        .put(Statistic.POLICY_CHOSEN, s.create(pc)).put(Statistic.POLICY_REJECTED, s.create(pr))
                        .put(Statistic.CHOSEN_TOKENS, s.create(nc)).put(Statistic.REJECTED_TOKENS, s.create(nr));
                if (reference != null) {
                    b.put(Statistic.REFERENCE_CHOSEN, s.create(rc)).put(Statistic.REFERENCE_REJECTED, s.create(rr));
                }
                objectiveMetrics(b.build(), config, m);
            }
        } else {
            // An unpaired objective (KTO) on paired validation: DPO's implicit reward β(π − r) per pair.
            double beta = beta(config);
            m.putAll(prefixed(StandardMetrics.paired(StandardMetrics.scaledDifference(beta, pc, rc),
                    StandardMetrics.scaledDifference(beta, pr, rr), pc, pr,
                    rc == null ? null : StandardMetrics.scaledDifference(1, pc, rc),
                    rr == null ? null : StandardMetrics.scaledDifference(1, pr, rr))));
        }
    }

    private void unpairedMetrics(SequenceScorer scorer, TrainConfig config, NDManager root, Map<String, Double> m) {
        List<TokenizedUnpaired> ex = data.validationUnpaired();
        List<TokenIds> prompts = ex.stream().map(TokenizedUnpaired::prompt).toList();
        List<TokenIds> responses = ex.stream().map(TokenizedUnpaired::completion).toList();
        double[] logps = scorer.score(prompts, responses, root, null);
        double[] tokens = new double[ex.size()];
        double[] desirable = new double[ex.size()];
        double[] ref = reference == null ? null : new double[ex.size()];
        for (int i = 0; i < ex.size(); i++) {
            tokens[i] = ex.get(i).completion().length();
            desirable[i] = ex.get(i).desirable() ? 1 : 0;
            if (reference != null) {
                ref[i] = ReferencePass.lookup(reference, ex.get(i).prompt(), ex.get(i).completion());
            }
        }
        try (NDManager s = root.newSubManager()) {
            SequenceStatistics.Builder b = SequenceStatistics.unpaired().put(Statistic.POLICY, s.create(logps))
                    .put(Statistic.TOKENS, s.create(tokens)).put(Statistic.DESIRABLE, s.create(desirable));
            if (ref != null) {
                b.put(Statistic.REFERENCE, s.create(ref));
            }
            objectiveMetrics(b.build(), config, m);
        }
    }

    private static void objectiveMetrics(SequenceStatistics stats, TrainConfig config, Map<String, Double> m) {
        boolean several = config.objectives().size() > 1;
        double total = 0;
        for (TrainConfig.ObjectiveSpec spec : config.objectives()) {
            ObjectiveResult r = spec.configured().compute(stats);
            total += spec.weight() * r.lossValue();
            r.metrics().forEach((k, v) -> {
                if (!k.equals("loss") || several) {
                    m.put("eval/" + (several ? spec.id() + "/" : "") + k, v);
                }
            });
        }
        m.put("eval/loss", total);
    }

    private static Map<String, Double> prefixed(Map<String, Double> metrics) {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((k, v) -> out.put("eval/" + k, v));
        return out;
    }

    private void sampleMetrics(long step, LlamaModel policy, SequenceScorer scorer, TrainConfig config, NDManager root,
            Map<String, Double> m) throws IOException {
        List<long[]> prompts = new ArrayList<>();
        for (TokenIds p : data.samplePrompts()) {
            prompts.add(java.util.Arrays.stream(p.toArray()).asLongStream().toArray());
        }
        TrainConfig.Evaluation e = config.evaluation();
        GenerationResult g = Generator.generate(policy, prompts, new SamplingOptions(e.maxNewTokens(), e.temperature(),
                e.topP(), config.seed() * 1_000_003L + step), eos < 0 ? Set.of() : Set.of((long) eos), pad);
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
            String text = tokenizer.decode(java.util.Arrays.copyOf(t, words), true);
            texts.add(text);
            String promptText = data.samplePromptTexts().get(i);
            if (promptText != null) {
                reward += SyntheticDataset.reward(promptText, text);
                rewards++;
            }
            if (t.length > 0) {
                scoredPrompts.add(data.samplePrompts().get(i));
                scoredResponses.add(TokenIds.of(java.util.Arrays.stream(t).mapToInt(x -> (int) x).toArray()));
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
        StringBuilder lines = new StringBuilder();
        int k = 0;
        for (int i = 0; i < n; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt_ids", data.samplePrompts().get(i).toArray());
            row.put("prompt", data.samplePromptTexts().get(i));
            row.put("completion", texts.get(i));
            long[] t = g.tokens().get(i);
            row.put("completion_ids", t);
            row.put("policy_logp", t.length > 0 ? logps[k++] : null);
            lines.append(JSON.writeValueAsString(row)).append('\n');
        }
        Path file = config.output().resolve("samples").resolve(String.format("step-%08d.jsonl", step));
        AtomicFiles.writeString(file, lines.toString());
    }
}

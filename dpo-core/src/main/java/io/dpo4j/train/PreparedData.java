package io.dpo4j.train;

import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.DatasetSummary;
import io.dpo4j.api.WeightedSum;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.data.BadRowPolicy;
import io.dpo4j.core.data.DataFingerprint;
import io.dpo4j.core.data.ExampleLayouts;
import io.dpo4j.core.data.ExampleTokenizer;
import io.dpo4j.core.data.PairedExample;
import io.dpo4j.core.data.PreferenceExample;
import io.dpo4j.core.data.TokenEncoder;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedData;
import io.dpo4j.core.data.TokenizedExample;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.data.TruncationSettings;
import io.dpo4j.core.tokenizer.SpecialTokens;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The data of one run, loaded, split, tokenised and accounted for: training examples in the layout
 * the objectives need, paired validation examples (for held-out accuracy and margins), the prompts
 * sampled at evaluations, and the fingerprint that keys the reference cache.
 *
 * @param layout the objectives' layout
 * @param trainPairs paired training examples (paired objectives)
 * @param trainUnpaired unpaired training examples (unpaired objectives)
 * @param validationPairs paired validation examples (may be empty)
 * @param validationUnpaired unpaired validation examples (unpaired objectives)
 * @param samplePrompts prompt ids sampled at evaluations, with their text
 * @param samplePromptTexts the prompts as text (for the true reward of synthetic data)
 * @param fingerprint SHA-256 over the tokenised content and settings
 * @param truncation the tokenisation limits
 */
record PreparedData(DataLayout layout, List<TokenizedPair> trainPairs, List<TokenizedUnpaired> trainUnpaired,
        List<TokenizedPair> validationPairs, List<TokenizedUnpaired> validationUnpaired, List<TokenIds> samplePrompts,
        List<String> samplePromptTexts, String fingerprint, TruncationSettings truncation) {

    /** For models without a chat template: the messages' contents joined by spaces. */
    public static final String PLAIN_TEMPLATE = ExampleTokenizer.PLAIN_TEMPLATE;

    /**
     * The longest training or validation sequence and response after tokenisation and truncation (what the
     * largest micro-batch and evaluation batch are padded to), and the evaluation's batch.
     */
    io.dpo4j.core.memory.DataLengths lengths() {
        int[] longest = {1, 1};
        java.util.function.Consumer<TokenizedPair> pair = p -> {
            int r = Math.max(p.chosen().length(), p.rejected().length());
            longest[1] = Math.max(longest[1], r);
            longest[0] = Math.max(longest[0], p.prompt().length() + r);
        };
        java.util.function.Consumer<TokenizedUnpaired> unpaired = u -> {
            longest[1] = Math.max(longest[1], u.completion().length());
            longest[0] = Math.max(longest[0], u.prompt().length() + u.completion().length());
        };
        trainPairs.forEach(pair);
        trainUnpaired.forEach(unpaired);
        validationPairs.forEach(pair);
        validationUnpaired.forEach(unpaired);
        int heldOut = !validationPairs.isEmpty() ? 2 * validationPairs.size() : validationUnpaired.size();
        return new io.dpo4j.core.memory.DataLengths(longest[0], longest[1], Math.min(Evaluator.SCORE_ROWS, heldOut));
    }

    /** Number of training examples (pairs or unpaired examples). */
    public int trainSize() {
        return layout == DataLayout.PAIRED ? trainPairs.size() : trainUnpaired.size();
    }

    /**
     * Tokenises a run's examples with the model's tokenizer in the layout the objective reads, reporting
     * every dropped row, and picks the prompts sampled at evaluations; the special tokens follow
     * {@link SpecialTokens} and {@code addBos} prepends the model's BOS to plain-text prompts.
     */
    static PreparedData prepare(ConfiguredObjective objective, TrainingData data, TruncationSettings truncation,
            BadRowPolicy onBadRow, boolean addBos, EvaluationSettings evaluation, TextTokenizer tokenizer,
            TokenEncoder encoder, SpecialTokens special, PrintWriter log) {
        DataLayout layout = objective.requirements().layout();
        String firstId = objective instanceof WeightedSum w ? w.terms().get(0).objective().id() : objective.id();
        List<PreferenceExample> trainExamples = data.train();
        List<PreferenceExample> validationExamples = data.validation();
        List<PreferenceExample> all = new ArrayList<>(trainExamples);
        all.addAll(validationExamples);
        ExampleTokenizer tokenize = ExampleTokenizer.forModel(tokenizer, encoder, special, truncation, onBadRow, addBos,
                all, log);

        List<TokenizedPair> trainPairs = List.of();
        List<TokenizedUnpaired> trainUnpaired = List.of();
        List<TokenizedPair> validationPairs = List.of();
        List<TokenizedUnpaired> validationUnpaired = List.of();
        TokenizedData<?> trainTokens;
        if (layout == DataLayout.PAIRED) {
            TokenizedData<TokenizedPair> t = tokenize.tokenizePairs(ExampleLayouts.pairs(trainExamples, firstId));
            trainPairs = t.examples();
            trainTokens = t;
            if (!validationExamples.isEmpty()) {
                validationPairs = tokenize.tokenizePairs(ExampleLayouts.pairs(validationExamples, firstId)).examples();
            }
        } else {
            TokenizedData<TokenizedUnpaired> t = tokenize.tokenizeUnpaired(ExampleLayouts.unpaired(trainExamples));
            trainUnpaired = t.examples();
            trainTokens = t;
            List<PairedExample> valPairs = validationExamples.stream().filter(e -> e instanceof PairedExample)
                    .map(e -> (PairedExample) e).toList();
            if (!valPairs.isEmpty()) {
                validationPairs = tokenize.tokenizePairs(valPairs).examples();
            }
            if (!validationExamples.isEmpty()) {
                validationUnpaired = tokenize.tokenizeUnpaired(ExampleLayouts.unpaired(validationExamples)).examples();
            }
        }
        log.println("tokens: " + trainTokens.summary());
        trainTokens.truncationWarning("training examples").ifPresent(log::println);
        if (trainTokens.examples().isEmpty()) {
            throw new DpoException("no training example is left after tokenisation and truncation ("
                    + trainTokens.summary() + ")");
        }
        DatasetSummary summary = ExampleLayouts.summary(trainExamples, layout);
        objective.checkDataset(summary).forEach(w -> log.println("warning: " + w));

        List<String> promptTexts = new ArrayList<>();
        List<TokenIds> promptIds = new ArrayList<>();
        int wanted = evaluation.samplePrompts();
        boolean reward = evaluation.reward() != null;
        if (evaluation.prompts() != null) {
            for (String p : evaluation.prompts()) {
                if (promptTexts.size() >= wanted) {
                    break;
                }
                promptTexts.add(reward ? p : null);
                promptIds.add(TokenIds.of(encoder.encode(p)));
            }
        } else {
            Set<TokenIds> seen = new LinkedHashSet<>();
            for (TokenizedPair p : validationPairs) {
                if (seen.size() >= wanted) {
                    break;
                }
                seen.add(p.prompt());
            }
            for (TokenizedUnpaired u : validationUnpaired) {
                if (seen.size() >= wanted) {
                    break;
                }
                seen.add(u.prompt());
            }
            for (TokenIds p : seen) {
                promptIds.add(p);
                promptTexts.add(reward ? tokenizer.decode(java.util.Arrays.stream(p.toArray()).asLongStream()
                        .toArray(), true) : null);
            }
        }
        String fingerprint = DataFingerprint.of(trainTokens.examples().stream().map(x -> (TokenizedExample) x)
                .toList(), truncation) + "/" + DataFingerprint.of(new ArrayList<TokenizedExample>(validationPairs),
                        truncation);
        return new PreparedData(layout, trainPairs, trainUnpaired, validationPairs, validationUnpaired, promptIds,
                promptTexts, fingerprint, truncation);
    }
}

package io.dpo4j.core.synthetic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generates the built-in data sets of the controlled-sentiment language as ordinary files that the
 * regular loaders read: a supervised corpus, preference pairs (chosen = higher true reward), held-out
 * prompts, and the word-level tokenizer. Deterministic for a seed.
 *
 * <p>Files written into the output folder:
 * <ul>
 *   <li>{@code sft.jsonl} — {@code {"text": review}}, for supervised warm-up ({@code dpo sft});</li>
 *   <li>{@code train.jsonl}, {@code validation.jsonl} — {@code {"prompt", "chosen", "rejected",
 *       "chosen_reward", "rejected_reward"}}; validation prompts never occur in training;</li>
 *   <li>{@code prompts.jsonl} — {@code {"prompt"}}, held-out prompts for sampling evaluations;</li>
 *   <li>{@code tokenizer.json}, {@code tokenizer_config.json} — the word-level tokenizer;</li>
 *   <li>{@code dataset.json} — the generation settings and the reward's definition.</li>
 * </ul>
 */
public final class SyntheticDataset {

    /** Generation settings. */
    public record Settings(long seed, int sftReviews, int trainPairs, int validationPairs, int heldOutPrompts) {

        /** The sizes the embedded default uses. */
        public static Settings defaults(long seed) {
            return new Settings(seed, 3000, 1200, 200, 100);
        }
    }

    /** A preference pair with its true rewards. */
    public record Pair(String prompt, String chosen, String rejected, double chosenReward, double rejectedReward) {
    }

    private final ReviewGrammar grammar;

    public SyntheticDataset() {
        this(new ReviewGrammar());
    }

    public SyntheticDataset(ReviewGrammar grammar) {
        this.grammar = grammar;
    }

    /** The reward of a completion of a prompt: the reward of the whole review. */
    public static double reward(String prompt, String completion) {
        return SentimentReward.reward(prompt + " " + completion);
    }

    /** {@code n} reviews for the supervised corpus. */
    public List<String> corpus(Random rng, int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(grammar.review(rng));
        }
        return out;
    }

    /**
     * {@code n} preference pairs on prompts not in {@code exclude}: a review is sampled, its first 1 to
     * 6 words (always leaving at least one) become the prompt, its remainder one completion, and a
     * second completion continues the same prompt with fresh choices; the one with the higher true
     * reward is chosen (identical completions and exact ties are resampled). Prompts used are added
     * to {@code used}.
     */
    public List<Pair> pairs(Random rng, int n, Set<String> exclude, Set<String> used) {
        List<Pair> out = new ArrayList<>(n);
        int attempts = 0;
        while (out.size() < n) {
            if (++attempts > 200 * n + 1000) {
                throw new IllegalStateException("could not generate " + n + " preference pairs");
            }
            ReviewGrammar.Review review = grammar.sample(rng);
            int k = promptLength(review, rng);
            String prompt = review.prefix(k);
            if (exclude.contains(prompt)) {
                continue;
            }
            String a = String.join(" ", review.words().subList(k, review.words().size()));
            String b = grammar.continuation(review, k, rng);
            if (a.isEmpty() || b.isEmpty() || a.equals(b)) {
                continue;
            }
            double ra = reward(prompt, a);
            double rb = reward(prompt, b);
            if (ra == rb) {
                continue;
            }
            used.add(prompt);
            out.add(ra > rb ? new Pair(prompt, a, b, ra, rb) : new Pair(prompt, b, a, rb, ra));
        }
        return out;
    }

    private static int promptLength(ReviewGrammar.Review review, Random rng) {
        return 1 + rng.nextInt(Math.min(6, review.words().size() - 1));
    }

    /** A completion of the prompt {@code review.prefix(k)}, drawn from the grammar. */
    public String completion(ReviewGrammar.Review review, int k, Random rng) {
        return grammar.continuation(review, k, rng);
    }

    /** {@code n} distinct prompts (review prefixes of 1 to 6 words), none in {@code exclude}. */
    public List<String> prompts(Random rng, int n, Set<String> exclude) {
        Set<String> seen = new HashSet<>(exclude);
        List<String> out = new ArrayList<>(n);
        int attempts = 0;
        while (out.size() < n && attempts++ < 1000 * n) {
            ReviewGrammar.Review review = grammar.sample(rng);
            if (review.words().size() < 2) {
                continue;
            }
            String p = review.prefix(promptLength(review, rng));
            if (seen.add(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /** Writes every file of the data set into {@code folder}. */
    public void write(Path folder, Settings settings) throws IOException {
        Random rng = new Random(settings.seed());
        ObjectMapper json = new ObjectMapper();
        List<String> corpus = corpus(rng, settings.sftReviews());
        StringBuilder sft = new StringBuilder();
        for (String r : corpus) {
            sft.append(json.writeValueAsString(Map.of("text", r))).append('\n');
        }
        AtomicFiles.writeString(folder.resolve("sft.jsonl"), sft.toString());

        Set<String> validationPrompts = new HashSet<>();
        List<Pair> validation = pairs(rng, settings.validationPairs(), Set.of(), validationPrompts);
        List<String> heldOut = prompts(rng, settings.heldOutPrompts(), Set.of());
        Set<String> excluded = new HashSet<>(validationPrompts);
        excluded.addAll(heldOut);
        List<Pair> train = pairs(rng, settings.trainPairs(), excluded, new HashSet<>());
        AtomicFiles.writeString(folder.resolve("train.jsonl"), pairsJsonl(json, train));
        AtomicFiles.writeString(folder.resolve("validation.jsonl"), pairsJsonl(json, validation));
        StringBuilder prompts = new StringBuilder();
        for (String p : heldOut) {
            prompts.append(json.writeValueAsString(Map.of("prompt", p))).append('\n');
        }
        AtomicFiles.writeString(folder.resolve("prompts.jsonl"), prompts.toString());
        WordLevelTokenizerFiles.write(folder, SentimentLexicon.vocabulary(), 128);

        ObjectNode info = json.createObjectNode();
        info.put("name", "controlled-sentiment reviews");
        info.put("seed", settings.seed());
        info.put("sft_reviews", settings.sftReviews());
        info.put("train_pairs", train.size());
        info.put("validation_pairs", validation.size());
        info.put("held_out_prompts", heldOut.size());
        info.put("reward", "sigma(S/2), S = sum of lexicon values of sentiment words, times the factor of an "
                + "intensifier right before, times -0.8 if 'not' is one or two words before");
        info.put("vocabulary_size", WordLevelTokenizerFiles.vocabularySize(SentimentLexicon.vocabulary()));
        AtomicFiles.writeString(folder.resolve("dataset.json"),
                json.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(info));
    }

    private static String pairsJsonl(ObjectMapper json, List<Pair> pairs) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompt", p.prompt());
            row.put("chosen", p.chosen());
            row.put("rejected", p.rejected());
            row.put("chosen_reward", p.chosenReward());
            row.put("rejected_reward", p.rejectedReward());
            sb.append(json.writeValueAsString(row)).append('\n');
        }
        return sb.toString();
    }
}

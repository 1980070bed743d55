package io.dpo4j.train;

import io.dpo4j.core.DpoException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Held-out evaluation: every {@code every} steps (and before the first and after the last) the
 * objective's metrics on the validation examples, and responses sampled on held-out prompts (their
 * mean length, EOS rate and, with a {@link SampleReward}, their mean true reward).
 *
 * @param every steps between evaluations (&ge; 1)
 * @param samplePrompts prompts sampled at each evaluation (0: no sampling)
 * @param maxNewTokens longest sampled response (&ge; 1)
 * @param temperature sampling temperature (&gt; 0)
 * @param topP nucleus sampling, in (0, 1]
 * @param prompts the prompts to sample from (null: the validation examples' prompts)
 * @param reward scores sampled responses (null: none)
 */
public record EvaluationSettings(int every, int samplePrompts, int maxNewTokens, double temperature, double topP,
        List<String> prompts, SampleReward reward) {

    /** A programmatic reward of a sampled response. */
    @FunctionalInterface
    public interface SampleReward {
        /** The reward of {@code completion} given {@code prompt}. */
        double score(String prompt, String completion);
    }

    public EvaluationSettings {
        OptimizerSettings.require(every >= 1, "eval_every", every, ">= 1");
        OptimizerSettings.require(samplePrompts >= 0, "sample_prompts", samplePrompts, ">= 0");
        OptimizerSettings.require(maxNewTokens >= 1, "max_new_tokens", maxNewTokens, ">= 1");
        OptimizerSettings.require(temperature > 0, "temperature", temperature, "> 0");
        OptimizerSettings.require(topP > 0 && topP <= 1, "top_p", topP, "in (0, 1]");
        prompts = prompts == null ? null : List.copyOf(prompts);
    }

    /** Every 25 steps, 32 sampled prompts of up to 32 tokens at temperature 1, no reward. */
    public static EvaluationSettings defaults() {
        return new EvaluationSettings(25, 32, 32, 1.0, 1.0, null, null);
    }

    /** A copy evaluating every {@code steps} steps. */
    public EvaluationSettings withEvery(int steps) {
        return new EvaluationSettings(steps, samplePrompts, maxNewTokens, temperature, topP, prompts, reward);
    }

    /** A copy sampling {@code count} prompts of up to {@code tokens} new tokens. */
    public EvaluationSettings withSampling(int count, int tokens) {
        return new EvaluationSettings(every, count, tokens, temperature, topP, prompts, reward);
    }

    /** A copy sampling from these prompts. */
    public EvaluationSettings withPrompts(List<String> list) {
        return new EvaluationSettings(every, samplePrompts, maxNewTokens, temperature, topP, list, reward);
    }

    /** A copy scoring samples with this reward. */
    public EvaluationSettings withReward(SampleReward r) {
        return new EvaluationSettings(every, samplePrompts, maxNewTokens, temperature, topP, prompts, r);
    }

    /**
     * The prompts of a JSON Lines file of {@code {"prompt": "…"}} rows.
     *
     * @throws DpoException naming the file and line of a bad row
     */
    public static List<String> promptsFrom(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DpoException("evaluation.prompts = " + file + ": no such file");
        }
        List<String> out = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        int line = 0;
        for (String text : Files.readAllLines(file)) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode n;
            try {
                n = json.readTree(text);
            } catch (IOException e) {
                throw new DpoException(file + ":" + line + ": not valid JSON");
            }
            if (n == null || !n.path("prompt").isTextual() || n.get("prompt").asText().isBlank()) {
                throw new DpoException(file + ":" + line + ": field 'prompt': expected a non-empty string");
            }
            if (n.get("prompt").asText().length() > io.dpo4j.core.data.LoadOptions.DEFAULT_MAX_FIELD_CHARS) {
                throw new DpoException(file + ":" + line + ": field 'prompt': has " + n.get("prompt").asText().length()
                        + " characters, over the limit of " + io.dpo4j.core.data.LoadOptions.DEFAULT_MAX_FIELD_CHARS);
            }
            out.add(n.get("prompt").asText());
        }
        return out;
    }
}

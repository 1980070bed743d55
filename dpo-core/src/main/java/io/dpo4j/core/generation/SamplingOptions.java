package io.dpo4j.core.generation;

/**
 * How tokens are drawn.
 *
 * @param maxNewTokens the most tokens generated per prompt (EOS included)
 * @param temperature logits are divided by it before the softmax; 0 means greedy (argmax)
 * @param topP nucleus sampling: draw only from the most probable tokens whose probabilities first
 *     reach this total (1 keeps every token)
 * @param seed the seed of the random generator: the same seed, model and prompts give the same tokens
 */
public record SamplingOptions(int maxNewTokens, double temperature, double topP, long seed) {

    /** Checks the ranges. */
    public SamplingOptions {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and at least 0, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
    }

    /** Greedy decoding of up to {@code maxNewTokens} tokens. */
    public static SamplingOptions greedy(int maxNewTokens) {
        return new SamplingOptions(maxNewTokens, 0, 1, 0);
    }
}

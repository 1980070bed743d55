package io.dpo4j.core.generation;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Draws one token from a row of logits: argmax at temperature 0, otherwise a sample from
 * {@code softmax(logits / temperature)} restricted to the top-p nucleus (the most probable tokens
 * whose probabilities first reach {@code topP}, at least one), using the caller's random generator.
 */
public final class TokenSampler {

    private final double temperature;
    private final double topP;
    private final RandomGenerator random;

    /** A sampler drawing from {@code random}. */
    public TokenSampler(double temperature, double topP, RandomGenerator random) {
        this.temperature = temperature;
        this.topP = topP;
        this.random = random;
    }

    /** The token drawn from {@code logits[offset .. offset + vocab)}. */
    public int sample(float[] logits, int offset, int vocab) {
        if (temperature == 0) {
            return argmax(logits, offset, vocab);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i] / temperature);
        }
        double[] weights = new double[vocab];
        double total = 0;
        for (int i = 0; i < vocab; i++) {
            weights[i] = Math.exp(logits[offset + i] / temperature - max);
            total += weights[i];
        }
        if (topP < 1) {
            total = keepNucleus(weights, total);
        }
        double u = random.nextDouble() * total;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            if (weights[i] > 0) {
                last = i;
                u -= weights[i];
                if (u < 0) {
                    return i;
                }
            }
        }
        return last; // rounding left u a hair above zero: the last kept token
    }

    /** Zeroes every weight outside the nucleus and returns the kept total. */
    private double keepNucleus(double[] weights, double total) {
        Integer[] order = new Integer[weights.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> a.equals(b) ? 0 : weights[b] != weights[a]
                ? Double.compare(weights[b], weights[a]) : Integer.compare(a, b));
        double kept = 0;
        int k = 0;
        while (k < order.length && (k == 0 || kept < topP * total)) {
            kept += weights[order[k]];
            k++;
        }
        for (int i = k; i < order.length; i++) {
            weights[order[i]] = 0;
        }
        return kept;
    }

    private static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (logits[offset + i] > logits[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}

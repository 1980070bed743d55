package io.dpo4j.core.scoring;

/**
 * The log-probabilities of one response's tokens (EOS included) under a model.
 *
 * @param tokenLogProbs per-token log-probabilities, in response order
 */
public record SequenceScore(float[] tokenLogProbs) {

    /** The summed log-probability (in double). */
    public double sum() {
        double s = 0;
        for (float v : tokenLogProbs) {
            s += v;
        }
        return s;
    }

    /** The number of scored tokens. */
    public int tokens() {
        return tokenLogProbs.length;
    }
}

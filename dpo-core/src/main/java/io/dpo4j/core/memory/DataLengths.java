package io.dpo4j.core.memory;

/**
 * The lengths a run's batches will actually have, known once the data is tokenised (before any model is
 * loaded). Batches are right-padded to their longest row, and over an epoch every example is drawn, so
 * the largest micro-batch the run meets is a full micro-batch padded to the longest sequence in the
 * data: the memory plan sizes activations at {@link #longestSequence()}, not at {@code max_length}, which
 * short data never reaches. That is an upper bound of every micro-batch (never an under-estimate), so a
 * plan at these lengths refuses whatever truly cannot fit.
 *
 * @param longestSequence the longest prompt + response of a training example (the longer response of a pair)
 * @param longestResponse the longest response (what meets the vocabulary in the log-prob kernel)
 */
public record DataLengths(int longestSequence, int longestResponse) {

    /** Checks the numbers. */
    public DataLengths {
        if (longestSequence < 1 || longestResponse < 1 || longestResponse > longestSequence) {
            throw new IllegalArgumentException("invalid data lengths: longest sequence " + longestSequence
                    + ", longest response " + longestResponse);
        }
    }
}

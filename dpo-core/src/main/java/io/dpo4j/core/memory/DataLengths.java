package io.dpo4j.core.memory;

/**
 * The lengths a run's batches will actually have, known once the data is tokenised (before any model is
 * loaded). Batches are right-padded to their longest row, and over an epoch every example is drawn, so
 * the largest micro-batch the run meets is a full micro-batch padded to the longest sequence in the
 * data: the memory plan sizes activations at {@link #longestSequence()}, not at {@code max_length}, which
 * short data never reaches. That is an upper bound of every micro-batch (never an under-estimate), so a
 * plan at these lengths refuses whatever truly cannot fit.
 *
 * @param longestSequence the longest prompt + response of a training or validation example (the longer
 *     response of a pair)
 * @param longestResponse the longest response (what meets the vocabulary in the log-prob kernel)
 * @param evaluationRows sequences per batch of the held-out evaluation's scoring pass (0: no held-out data)
 */
public record DataLengths(int longestSequence, int longestResponse, int evaluationRows) {

    /** Lengths of a run without held-out data. */
    public DataLengths(int longestSequence, int longestResponse) {
        this(longestSequence, longestResponse, 0);
    }

    /** Checks the numbers. */
    public DataLengths {
        if (longestSequence < 1 || longestResponse < 1 || longestResponse > longestSequence || evaluationRows < 0) {
            throw new IllegalArgumentException("invalid data lengths: longest sequence " + longestSequence
                    + ", longest response " + longestResponse + ", evaluation rows " + evaluationRows);
        }
    }
}

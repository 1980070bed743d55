package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the response tokens of a batch are, read once to the host (B·T values, small next to the
 * logits) and checked: every sequence has a response token and every response label is in the
 * vocabulary. Response positions are listed in row-major order.
 */
final class ResponseLayout {

    private final int batchSize;
    private final int sequenceLength;
    private final long[] flatPositions;
    private final long[] labels;
    private final int[] rows;
    private final int[] counts;

    private ResponseLayout(int batchSize, int sequenceLength, long[] flatPositions, long[] labels, int[] rows,
            int[] counts) {
        this.batchSize = batchSize;
        this.sequenceLength = sequenceLength;
        this.flatPositions = flatPositions;
        this.labels = labels;
        this.rows = rows;
        this.counts = counts;
    }

    /**
     * Reads and checks the mask and labels of {@code input}.
     *
     * @throws DpoException naming the rows without a response token, or the first label outside
     *     {@code [0, V)}
     */
    static ResponseLayout of(LogProbInput input) {
        int b = input.batchSize();
        int t = input.sequenceLength();
        int vocabulary = input.vocabularySize();
        float[] mask;
        long[] allLabels;
        try (NDManager scratch = input.manager().newSubManager()) {
            NDArray m = input.responseMask().toType(DataType.FLOAT32, true);
            m.attach(scratch);
            mask = m.toFloatArray();
            allLabels = readLabels(input.labels());
        }
        int[] counts = new int[b];
        int n = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0) {
                counts[i / t]++;
                n++;
            }
        }
        List<Integer> empty = new ArrayList<>();
        for (int row = 0; row < b; row++) {
            if (counts[row] == 0) {
                empty.add(row);
            }
        }
        if (!empty.isEmpty()) {
            throw new DpoException((empty.size() == 1 ? "sequence " + empty.get(0) + " of the batch has"
                    : "sequences " + empty + " of the batch have")
                    + " no response token (response mask all zero): every sequence needs at least one response"
                    + " token to score; check that the response is not empty or truncated away");
        }
        long[] flat = new long[n];
        long[] labels = new long[n];
        int[] rows = new int[n];
        int k = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0) {
                long label = allLabels[i];
                if (label < 0 || label >= vocabulary) {
                    throw new DpoException("sequence " + (i / t) + ", position " + (i % t) + ": label " + label
                            + " is outside the vocabulary [0, " + vocabulary + "); do the tokenizer and the model match?");
                }
                flat[k] = i;
                labels[k] = label;
                rows[k] = i / t;
                k++;
            }
        }
        return new ResponseLayout(b, t, flat, labels, rows, counts);
    }

    private static long[] readLabels(NDArray labels) {
        if (labels.getDataType() == DataType.INT64) {
            return labels.toLongArray();
        }
        int[] ints = labels.toIntArray();
        long[] longs = new long[ints.length];
        for (int i = 0; i < ints.length; i++) {
            longs[i] = ints[i];
        }
        return longs;
    }

    int batchSize() {
        return batchSize;
    }

    int sequenceLength() {
        return sequenceLength;
    }

    /** N: the number of response tokens in the batch. */
    int responseTokens() {
        return flatPositions.length;
    }

    /** {@code b·T + t} of every response token. */
    long[] flatPositions() {
        return flatPositions;
    }

    /** The label of every response token. */
    long[] labels() {
        return labels;
    }

    /** The sequence of every response token. */
    int[] rows() {
        return rows;
    }

    /** Response tokens per sequence. */
    int[] counts() {
        return counts;
    }

    /** Every label, with 0 at non-response positions: safe to gather with over all B·T positions. */
    long[] labelsOrZero() {
        long[] all = new long[batchSize * sequenceLength];
        for (int i = 0; i < flatPositions.length; i++) {
            all[(int) flatPositions[i]] = labels[i];
        }
        return all;
    }

    /** The mask as 0/1, row-major over B·T. */
    float[] maskValues() {
        float[] m = new float[batchSize * sequenceLength];
        for (long p : flatPositions) {
            m[(int) p] = 1f;
        }
        return m;
    }

    /** The counts as a float vector attached to {@code manager}. */
    NDArray countArray(NDManager manager, DataType dtype) {
        double[] c = new double[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i];
        }
        if (dtype == DataType.FLOAT64) {
            return manager.create(c);
        }
        float[] f = new float[c.length];
        for (int i = 0; i < c.length; i++) {
            f[i] = (float) c[i];
        }
        return manager.create(f);
    }
}

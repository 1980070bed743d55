package io.dpo4j.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

/**
 * A {@link SegmentedRows} layout as NDArrays: the trunk's inputs ({@code B×T} int64 ids, rotary positions,
 * segment and branch ids for {@code io.dpo4j.core.model.AttentionMask#segments}) and the kernel's side in the
 * gathered layout of {@code S} sequences × {@code R} response positions: the flat row position predicting
 * each response token ({@link #gatherIndex()}, int64 S×R), the labels (int64 S×R, the pad id past a
 * response's end), the response mask (float32 S×R) and the response token counts (float32 S).
 *
 * @param inputIds token ids, B×T
 * @param positionIds rotary positions, B×T
 * @param segmentIds segment of each position (−1: padding), B×T
 * @param branchIds branch of each position (0: prompt), B×T
 * @param gatherIndex flat (row · T + t) position predicting each response token, S×R (0 past the end)
 * @param labels the response tokens, S×R
 * @param responseMask 1 on response tokens, S×R
 * @param responseTokens response tokens per sequence, S
 */
public record SegmentedArrays(NDArray inputIds, NDArray positionIds, NDArray segmentIds, NDArray branchIds,
        NDArray gatherIndex, NDArray labels, NDArray responseMask, NDArray responseTokens) implements AutoCloseable {

    static SegmentedArrays of(SegmentedRows layout, NDManager manager, int[] ids, int[] positions, int[] segments,
            int[] branches, int[][] predicting, int[][] responses) {
        Shape rows = new Shape(layout.rows(), layout.width());
        int s = layout.sequences();
        int r = layout.longestResponse();
        long[] index = new long[s * r];
        long[] labels = new long[s * r];
        float[] mask = new float[s * r];
        float[] counts = new float[s];
        java.util.Arrays.fill(labels, layout.padId());
        for (int q = 0; q < s; q++) {
            counts[q] = responses[q].length;
            for (int i = 0; i < responses[q].length; i++) {
                index[q * r + i] = predicting[q][i];
                labels[q * r + i] = responses[q][i];
                mask[q * r + i] = 1f;
            }
        }
        Shape gathered = new Shape(s, r);
        return new SegmentedArrays(manager.create(longs(ids), rows), manager.create(longs(positions), rows),
                manager.create(longs(segments), rows), manager.create(longs(branches), rows),
                manager.create(index, gathered), manager.create(labels, gathered), manager.create(mask, gathered),
                manager.create(counts));
    }

    private static long[] longs(int[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /**
     * The hidden states predicting each sequence's response tokens, {@code S×R×d}, gathered from the trunk's
     * {@code B×T×d} output by row lookup (an embedding lookup over the flattened rows, so autograd carries the
     * gradient back, summing it where two sequences share their prompt's last position). Past a response's end
     * the rows are row 0's (masked out by {@link #responseMask()}). On the index's manager.
     */
    public NDArray responseHidden(NDArray hidden) {
        Shape h = hidden.getShape();
        if (h.dimension() != 3 || !h.slice(0, 2).equals(inputIds.getShape())) {
            throw new IllegalArgumentException("hidden states must be " + inputIds.getShape() + "×d, got " + h);
        }
        NDArray flat = hidden.reshape(h.get(0) * h.get(1), h.get(2));
        return gatherIndex.getNDArrayInternal().embedding(gatherIndex, flat, SparseFormat.DENSE).singletonOrThrow();
    }

    @Override
    public void close() {
        for (NDArray a : new NDArray[] {inputIds, positionIds, segmentIds, branchIds, gatherIndex, labels,
                responseMask, responseTokens}) {
            a.close();
        }
    }
}

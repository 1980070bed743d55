package io.dpo4j.core.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Sequences padded on the right to one length: token ids, attention mask (1 for real tokens) and
 * position ids {@code 0..T-1}, ready for a forward pass.
 */
public final class SequenceBatch {

    private final List<ResponseSequence> sequences;
    private final int length;
    private final long padId;

    /** Pads {@code sequences} with {@code padId} (its value never matters: padding is masked). */
    public SequenceBatch(List<ResponseSequence> sequences, long padId) {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("no sequences");
        }
        this.sequences = List.copyOf(sequences);
        this.length = sequences.stream().mapToInt(ResponseSequence::length).max().orElseThrow();
        this.padId = padId;
    }

    /** The sequences, in order. */
    public List<ResponseSequence> sequences() {
        return sequences;
    }

    /** Padded length T. */
    public int length() {
        return length;
    }

    /** Number of sequences B. */
    public int size() {
        return sequences.size();
    }

    /** Token ids {@code B×T} (int64) on {@code manager}. */
    public NDArray inputIds(NDManager manager) {
        long[] ids = new long[size() * length];
        for (int b = 0; b < size(); b++) {
            ResponseSequence s = sequences.get(b);
            for (int t = 0; t < length; t++) {
                ids[b * length + t] = t < s.length() ? s.tokenAt(t) : padId;
            }
        }
        return manager.create(ids, new Shape(size(), length));
    }

    /** Attention mask {@code B×T} (int64, 1 for real tokens) on {@code manager}. */
    public NDArray attentionMask(NDManager manager) {
        long[] mask = new long[size() * length];
        for (int b = 0; b < size(); b++) {
            int n = sequences.get(b).length();
            for (int t = 0; t < n; t++) {
                mask[b * length + t] = 1;
            }
        }
        return manager.create(mask, new Shape(size(), length));
    }

    /** Position ids {@code B×T} ({@code 0..T-1} in every row) on {@code manager}. */
    public NDArray positionIds(NDManager manager) {
        long[] positions = new long[size() * length];
        for (int b = 0; b < size(); b++) {
            for (int t = 0; t < length; t++) {
                positions[b * length + t] = t;
            }
        }
        return manager.create(positions, new Shape(size(), length));
    }
}

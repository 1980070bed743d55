package io.dpo4j.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A batch of B unpaired examples (KTO): one padded row per example, and optionally the B mismatched
 * rows of KTO's KL reference point, row k being the prompt of example k answered by the completion
 * of example {@code (k+1) mod B}. A batch of one has no mismatched row.
 */
public final class UnpairedBatch {

    private final List<String> ids;
    private final boolean[] desirable;
    private final PaddedSequences sequences;
    private final PaddedSequences mismatched;

    private UnpairedBatch(List<String> ids, boolean[] desirable, PaddedSequences sequences, PaddedSequences mismatched) {
        this.ids = ids;
        this.desirable = desirable;
        this.sequences = sequences;
        this.mismatched = mismatched;
    }

    /**
     * Builds a batch.
     *
     * @param examples at least one
     * @param padId the id written past each row's end
     * @param withMismatchedPairs build the mismatched rows (when the objective reads KL statistics)
     * @param maxLength {@code max_length}: a mismatched completion is cut from the right to fit it
     *     after its borrowed prompt (keeping at least one token)
     */
    public static UnpairedBatch of(List<TokenizedUnpaired> examples, int padId, boolean withMismatchedPairs, int maxLength) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one example");
        }
        int b = examples.size();
        List<TokenIds> prompts = new ArrayList<>(b);
        List<TokenIds> completions = new ArrayList<>(b);
        boolean[] desirable = new boolean[b];
        for (int i = 0; i < b; i++) {
            TokenizedUnpaired e = examples.get(i);
            prompts.add(e.prompt());
            completions.add(e.completion());
            desirable[i] = e.desirable();
        }
        PaddedSequences mismatched = null;
        if (withMismatchedPairs && b > 1) {
            List<TokenIds> borrowed = new ArrayList<>(b);
            for (int k = 0; k < b; k++) {
                TokenIds completion = completions.get((k + 1) % b);
                int room = Math.max(1, maxLength - prompts.get(k).length());
                borrowed.add(completion.head(room));
            }
            mismatched = PaddedSequences.of(prompts, borrowed, padId);
        }
        return new UnpairedBatch(examples.stream().map(TokenizedUnpaired::id).toList(), desirable,
                PaddedSequences.of(prompts, completions, padId), mismatched);
    }

    /** Number of examples (B). */
    public int examples() {
        return ids.size();
    }

    /** The examples' ids, in order. */
    public List<String> ids() {
        return ids;
    }

    /** The label of example i. */
    public boolean desirable(int example) {
        return desirable[example];
    }

    /** One row per example. */
    public PaddedSequences sequences() {
        return sequences;
    }

    /** The mismatched rows, when requested and B > 1. */
    public Optional<PaddedSequences> mismatched() {
        return Optional.ofNullable(mismatched);
    }

    /** The examples' rows as NDArrays with float32 masks. */
    public BatchArrays toArrays(NDManager manager) {
        return sequences.toArrays(manager, DataType.FLOAT32);
    }

    /** The mismatched rows as NDArrays with float32 masks, when there are any. */
    public Optional<BatchArrays> mismatchedArrays(NDManager manager) {
        return mismatched().map(m -> m.toArrays(manager, DataType.FLOAT32));
    }

    /** The labels as a float32 vector of 1 (desirable) and 0, as {@code Statistic.DESIRABLE} holds them. */
    public NDArray desirableArray(NDManager manager) {
        float[] values = new float[desirable.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = desirable[i] ? 1f : 0f;
        }
        return manager.create(values);
    }
}

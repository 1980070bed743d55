package io.dpo4j.core.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of B pairs as 2B padded rows: rows {@code 0..B-1} are the chosen sequences, rows
 * {@code B..2B-1} the rejected ones, in pair order (see {@link PaddedSequences} for ids, labels and
 * masks).
 */
public final class PairBatch {

    private final List<String> ids;
    private final PaddedSequences sequences;

    private PairBatch(List<String> ids, PaddedSequences sequences) {
        this.ids = ids;
        this.sequences = sequences;
    }

    /**
     * Builds a batch.
     *
     * @param pairs at least one
     * @param padId the id written past each row's end
     */
    public static PairBatch of(List<TokenizedPair> pairs, int padId) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one pair");
        }
        int b = pairs.size();
        List<TokenIds> prompts = new ArrayList<>(2 * b);
        List<TokenIds> responses = new ArrayList<>(2 * b);
        for (TokenizedPair p : pairs) {
            prompts.add(p.prompt());
            responses.add(p.chosen());
        }
        for (TokenizedPair p : pairs) {
            prompts.add(p.prompt());
            responses.add(p.rejected());
        }
        return new PairBatch(pairs.stream().map(TokenizedPair::id).toList(), PaddedSequences.of(prompts, responses, padId));
    }

    /** Number of pairs (B). */
    public int pairs() {
        return ids.size();
    }

    /** The pairs' ids, in order. */
    public List<String> ids() {
        return ids;
    }

    /** All 2B rows. */
    public PaddedSequences sequences() {
        return sequences;
    }

    /** The row of pair i's chosen sequence ({@code i}). */
    public int chosenRow(int pair) {
        return pair;
    }

    /** The row of pair i's rejected sequence ({@code B + i}). */
    public int rejectedRow(int pair) {
        return ids.size() + pair;
    }

    /** The rows as NDArrays with float32 masks. */
    public BatchArrays toArrays(NDManager manager) {
        return sequences.toArrays(manager, DataType.FLOAT32);
    }

    /** The rows as NDArrays with masks of the given type. */
    public BatchArrays toArrays(NDManager manager, DataType maskType) {
        return sequences.toArrays(manager, maskType);
    }
}

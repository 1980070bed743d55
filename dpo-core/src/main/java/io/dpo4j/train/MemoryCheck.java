package io.dpo4j.train;

import io.dpo4j.core.memory.DataLengths;

/**
 * Called by {@link PreferenceTraining#fit()} once the data is tokenised and before any model is loaded,
 * with the lengths the batches will have: it may print a memory plan and refuse the run (by throwing a
 * {@link io.dpo4j.core.DpoException}), and it returns the reference pass's batch (rows), or 0 to keep
 * {@link PreferenceTraining.Builder#referenceBatchRows(int)}'s. The command line's is its memory plan.
 */
@FunctionalInterface
public interface MemoryCheck {

    /**
     * @param lengths the tokenised data's longest sequence and response
     * @return the reference pass's rows per batch, or 0 for the builder's
     */
    int check(DataLengths lengths);
}

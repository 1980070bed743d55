package io.dpo4j.api;

import java.util.List;

/**
 * A preference objective with validated hyperparameters: an immutable, thread-safe pure function
 * from a batch of per-sequence statistics to a loss and metrics.
 */
public interface ConfiguredObjective {

    /** The id of the objective this was configured from. */
    String id();

    /** The resolved hyperparameters (defaults filled in). */
    Hyperparameters parameters();

    /** What this configuration reads (for example, {@code dpo} with {@code reference_free} reads no reference). */
    ObjectiveRequirements requirements();

    /**
     * Computes the batch loss (a mean over pairs or examples) and metrics. Must not modify its
     * inputs; the loss must be differentiable by autograd with respect to every trainable statistic.
     *
     * @param statistics the batch; holds at least every statistic in {@link #requirements()}
     */
    ObjectiveResult compute(SequenceStatistics statistics);

    /**
     * Warnings about the whole data set for this configuration, shown once before training.
     * Default: none.
     */
    default List<String> checkDataset(DatasetSummary summary) {
        return List.of();
    }
}

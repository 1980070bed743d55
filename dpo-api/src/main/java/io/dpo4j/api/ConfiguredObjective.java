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
     * The scale β of this objective's implicit reward {@code r = β·(log π − log π_ref)}: the trainer
     * reads held-out margins as log-ratio gaps with it (the §10 diagnostics) and scores validation
     * pairs with it for an unpaired objective. An objective whose reward has a scale declares it here;
     * the default, 1, reads the reward as the plain log-ratio.
     */
    default double rewardScale() {
        return 1.0;
    }

    /**
     * Warnings about the whole data set for this configuration, shown once before training.
     * Default: none.
     */
    default List<String> checkDataset(DatasetSummary summary) {
        return List.of();
    }
}

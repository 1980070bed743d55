package io.dpo4j.api;

import java.util.List;
import java.util.Map;

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
     * True when the loss is a mean of per-row terms whose gradient is <em>row-local</em>: the
     * derivative of the loss with respect to one pair's (paired) or one example's (unpaired) policy
     * statistics depends only on that row's statistics and on inputs that do not depend on any other
     * row's policy statistics (token counts and their batch sums, reference statistics, labels, the
     * detached KL pairs, the batch size). A per-row NLL term such as {@code −Σ πw / Σ nw} qualifies (its
     * denominator is token counts); a batch-mean shift of policy rewards or a sort across the batch does
     * not, even under stop-gradient.
     *
     * <p>Declaring it lets the trainer use the single-pass log-prob kernel: the kernel asks for each
     * pair's gradient while that pair's logits are still in memory, with the other rows' policy
     * statistics not yet known (filled with placeholder values), and injects ∂loss/∂H and ∂loss/∂W
     * without recomputing the logits (three lm_head GEMMs instead of four). The contract kit checks the
     * property: gradients of some rows must not move when the other rows' policy statistics change.
     * An objective that is {@linkplain ObjectiveRequirements#batchCoupled() batch-coupled} must not
     * declare it. Default: false (the two-pass path, correct for every objective).
     */
    default boolean rowLocalGradient() {
        return false;
    }

    /**
     * The values of this objective's stop-gradient terms on a batch, by name: batch-level quantities
     * the loss uses but that carry no gradient ({@code bco_pair}'s reward shift δ, KTO's reference
     * point z). The autograd gradient is then not the derivative of the loss value as a function of
     * the statistics; a finite-difference check must hold these terms fixed at their unperturbed
     * values, through {@link #compute(SequenceStatistics, Map)}. Default: none.
     */
    default Map<String, Double> stopGradientTerms(SequenceStatistics statistics) {
        return Map.of();
    }

    /**
     * Computes the loss with the stop-gradient terms held at the given values instead of computed
     * from this batch (see {@link #stopGradientTerms}); an empty map is {@link #compute(SequenceStatistics)}.
     *
     * @param held values by the names {@link #stopGradientTerms} reports
     * @throws IllegalArgumentException for a name this objective does not have
     */
    default ObjectiveResult compute(SequenceStatistics statistics, Map<String, Double> held) {
        if (!held.isEmpty()) {
            throw new IllegalArgumentException("objective '" + id() + "' has no stop-gradient terms, asked to hold "
                    + held.keySet());
        }
        return compute(statistics);
    }

    /**
     * How the loss responds when one policy log-prob rises (what the contract kit's semantics check
     * tests). Default: {@link Semantics#MONOTONE}.
     */
    default Semantics semantics() {
        return Semantics.MONOTONE;
    }

    /**
     * Warnings about the whole data set for this configuration, shown once before training.
     * Default: none.
     */
    default List<String> checkDataset(DatasetSummary summary) {
        return List.of();
    }
}

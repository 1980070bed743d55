package io.dpo4j.api;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an objective needs from the data pipeline, declared as data so that the trainer can plan
 * (load a reference model or not, compute mismatched KL pairs or not) before touching a model.
 *
 * <p><b>Batch coupling.</b> Most objectives are a mean of per-pair terms, so that k accumulated
 * micro-batches give the gradient of one batch k times larger. A <em>batch-coupled</em> objective
 * ({@code aot} and {@code aot_pair} sort across the batch, {@code bco_pair} shifts by a batch mean)
 * is not: its loss depends on which rows share a call. It declares {@link #batchCoupled()}, and then
 * the trainer warns when gradient accumulation splits its batches, the contract kit checks
 * permutation and duplication invariance instead of the accumulation identity, and any fused
 * single-pass kernel must keep it on the two-pass path (whole batch statistics first, then the loss).
 *
 * @param layout paired or unpaired feedback
 * @param reads every statistic the objective reads; all must belong to {@code layout}
 * @param batchCoupled true when the loss is not a mean of per-row terms: it couples the rows of one
 *     call (sorting, batch statistics), so splitting a batch changes the result
 */
public record ObjectiveRequirements(DataLayout layout, Set<Statistic> reads, boolean batchCoupled) {

    public ObjectiveRequirements {
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(reads, "reads");
        if (reads.isEmpty()) {
            throw new IllegalArgumentException("an objective must read at least one statistic");
        }
        for (Statistic s : reads) {
            if (s.layout() != layout) {
                throw new IllegalArgumentException(
                        "statistic '" + s.key() + "' belongs to the " + s.layout().label()
                                + " layout, not " + layout.label());
            }
        }
        reads = Collections.unmodifiableSet(EnumSet.copyOf(reads));
    }

    /** Requirements of an objective that is a mean of per-row terms (not batch-coupled). */
    public ObjectiveRequirements(DataLayout layout, Set<Statistic> reads) {
        this(layout, reads, false);
    }

    /** The same requirements, declared batch-coupled (see the class comment). */
    public ObjectiveRequirements asBatchCoupled() {
        return new ObjectiveRequirements(layout, reads, true);
    }

    /** Requirements of a paired objective reading the given statistics. */
    public static ObjectiveRequirements paired(Statistic... reads) {
        return new ObjectiveRequirements(DataLayout.PAIRED, Set.of(reads));
    }

    /** Requirements of an unpaired objective reading the given statistics. */
    public static ObjectiveRequirements unpaired(Statistic... reads) {
        return new ObjectiveRequirements(DataLayout.UNPAIRED, Set.of(reads));
    }

    /** True when a reference model must be run (some reference statistic is read). */
    public boolean needsReference() {
        return reads.stream().anyMatch(Statistic::isReference);
    }

    /** True when log-probs of mismatched (prompt, completion) pairs must be computed (KTO's KL term). */
    public boolean needsMismatchedPairs() {
        return reads.contains(Statistic.KL_POLICY) || reads.contains(Statistic.KL_REFERENCE);
    }

    /** True when the given statistic is read. */
    public boolean reads(Statistic statistic) {
        return reads.contains(statistic);
    }

    /** A one-line human description, e.g. {@code paired; needs reference model; batch-coupled; reads policy_chosen, ...}. */
    public String describe() {
        return layout.label() + "; " + (needsReference() ? "needs reference model" : "reference-free")
                + (needsMismatchedPairs() ? "; mismatched KL pairs" : "")
                + (batchCoupled ? "; batch-coupled" : "")
                + "; reads " + reads.stream().map(Statistic::key).collect(Collectors.joining(", "));
    }
}

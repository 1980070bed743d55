package io.dpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.Scalars;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.EagerGradient;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.TrunkPass;
import io.dpo4j.core.train.BatchLayout;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.ReferencePass;
import io.dpo4j.core.train.ScoringBatch;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The one step, for both layouts and for evaluation: a batch's per-sequence statistics are assembled
 * here (policy log-probs, token counts, reference statistics, labels, KL rows) and the objective is
 * computed on them. Training scores the rows through the kernel with a gradient and back-propagates
 * the loss scaled by the micro-batch's share of the step; evaluation passes log-probs scored without
 * one.
 */
final class ObjectiveStep {

    /** One micro-batch's measurements. */
    record Measured(double loss, Map<String, Double> metrics, long tokens) {
    }

    private final ConfiguredObjective objective;
    private final LogProbKernel kernel;
    private final ReferenceCache reference;
    private final int pad;
    private final boolean liveReference;
    private final boolean checkpointing;
    private final long seed;
    private final BatchLayout layout;

    /**
     * @param objective the (weighted sum of) objective(s)
     * @param reference the reference statistics, or null for a reference-free objective
     * @param pad the padding id
     */
    ObjectiveStep(ConfiguredObjective objective, LogProbKernel kernel, ReferenceCache reference, int pad) {
        this(objective, kernel, reference, pad, false, false, 0, BatchLayout.padded());
    }

    /**
     * @param reference the reference statistics (with {@code liveReference}: the validation sequences' only),
     *     or null for a reference-free objective
     * @param liveReference training batches' reference log-probs are scored live by the policy with its LoRA
     *     adapters off
     * @param checkpointing activation checkpointing per decoder layer in the training forward
     * @param seed the run's seed (with the batch, it seeds the adapters' dropout)
     * @param layout how the micro-batch's rows are laid out for the trunk (prompt sharing, packing)
     */
    ObjectiveStep(ConfiguredObjective objective, LogProbKernel kernel, ReferenceCache reference, int pad,
            boolean liveReference, boolean checkpointing, long seed, BatchLayout layout) {
        this.objective = objective;
        this.kernel = kernel;
        this.reference = reference;
        this.pad = pad;
        this.liveReference = liveReference;
        this.checkpointing = checkpointing;
        this.seed = seed;
        this.layout = layout;
    }

    ConfiguredObjective objective() {
        return objective;
    }

    ReferenceCache reference() {
        return reference;
    }

    /**
     * Forward, objective and backward of one micro-batch: the gradient of {@code share × loss} is added
     * to the policy's parameters.
     */
    Measured train(LlamaModel policy, StepBatch batch, double share, NDManager root) {
        try (NDManager step = root.newSubManager()) {
            NDArray klPolicy = null;
            double[] klLive = null;
            Optional<PaddedSequences> mismatched = batch.mismatched();
            if (mismatched.isPresent()) {
                // The KL reference point carries no gradient: scored outside the collector.
                PaddedSequences kl = mismatched.get();
                ScoringBatch m = layout.arrange(rowsOf(kl, true), rowsOf(kl, false), pad, policy.config(), step);
                NDArray hm = m.hidden(policy, step);
                klPolicy = kernel.statistics(m.kernelInput(step, hm, policy.lmHeadWeight())).logProbs();
                if (liveReference) {
                    klLive = LoraStage.liveReference(policy, kernel, m, step);
                }
            }
            // The rows in the run's layout (padded, shared prompts, packed): the kernel sees one row per sequence.
            ScoringBatch arrays = layout.arrange(batch.prompts(), batch.responses(), pad, policy.config(), step);
            double[] live = liveReference ? LoraStage.liveReference(policy, kernel, arrays, step) : null;
            try (GradientCollector gc = step.getEngine().newGradientCollector()) {
                // The seed of the micro-batch's LoRA dropout: fixed by the run's seed and the examples, so
                // resuming redraws it.
                TrunkPass pass = arrays.trainingPass(policy, step, checkpointing,
                        seed * 1_000_003L + batch.ids().hashCode());
                NDArray h = pass.hidden();
                LogProbInput input = arrays.kernelInput(step, h, policy.lmHeadWeight());
                Measured measured;
                NDArray kl = klPolicy;
                double[] klRef = klLive;
                Function<NDArray, SequenceStatistics> stats = p -> statistics(batch, p,
                        arrays.responseTokens(), kl, mismatched.orElse(null), live, klRef, step);
                try (KernelForward f = kernel.forward(input, gc, eagerGradient(batch, stats, share, gc))) {
                    NDArray leaf = f.statistics().logProbs().duplicate();
                    leaf.setRequiresGradient(true);
                    ObjectiveResult r = objective.compute(stats.apply(leaf));
                    gc.backward(Scalars.mul(r.loss(), share));
                    f.backward(leaf.getGradient());
                    measured = new Measured(r.lossValue(), r.metrics(),
                            (long) ObjectiveMath.toDoubles(arrays.responseTokens().sum())[0]);
                }
                pass.backward();
                return measured;
            }
        }
    }

    /**
     * For an objective whose gradient is row-local, the single-pass kernel's callback: {@code share ×}
     * the objective's gradient on the statistics as they stand (the kernel fills rows it has not scored
     * yet with placeholders and uses only the rows it has); null keeps the two-pass path.
     */
    private EagerGradient eagerGradient(StepBatch batch, Function<NDArray, SequenceStatistics> stats,
            double share, GradientCollector gc) {
        if (!objective.rowLocalGradient() || objective.requirements().batchCoupled()) {
            return null;
        }
        UnaryOperator<NDArray> gradient = logProbs -> {
            NDArray leaf = logProbs.duplicate();
            leaf.setRequiresGradient(true);
            gc.backward(Scalars.mul(objective.compute(stats.apply(leaf)).loss(), share));
            return leaf.getGradient();
        };
        return batch.layout() == DataLayout.PAIRED ? EagerGradient.pairs(batch.examples(), gradient)
                : EagerGradient.rows(batch.examples(), gradient);
    }

    /** The prompts (or responses) of padded rows. */
    private static List<TokenIds> rowsOf(PaddedSequences rows, boolean prompts) {
        List<TokenIds> out = new java.util.ArrayList<>(rows.rows());
        for (int r = 0; r < rows.rows(); r++) {
            out.add(prompts ? rows.promptIds(r) : rows.responseIds(r));
        }
        return out;
    }

    /** The layout of the training rows (evaluation scores in it too). */
    BatchLayout layout() {
        return layout;
    }

    /** The objective on a batch whose rows' policy log-probs were scored without a gradient. */
    ObjectiveResult evaluate(StepBatch batch, double[] policyLogProbs, NDManager manager) {
        double[] tokens = batch.responses().stream().mapToDouble(TokenIds::length).toArray();
        return objective.compute(statistics(batch, manager.create(policyLogProbs), manager.create(tokens), null, null,
                null, null, manager));
    }

    /** The reference log-prob of each row, or null without a reference. */
    double[] referenceOf(List<TokenIds> prompts, List<TokenIds> responses) {
        if (reference == null) {
            return null;
        }
        double[] out = new double[prompts.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ReferencePass.lookup(reference, prompts.get(i), responses.get(i));
        }
        return out;
    }

    /** The statistics of a batch: the only place they are assembled. */
    private SequenceStatistics statistics(StepBatch batch, NDArray policy, NDArray tokens, NDArray klPolicy,
            PaddedSequences klRows, double[] live, double[] klLive, NDManager m) {
        DataType type = policy.getDataType();
        double[] ref = live != null ? live : referenceOf(batch.prompts(), batch.responses());
        if (batch.layout() == DataLayout.PAIRED) {
            NDIndex first = new NDIndex("0:" + batch.examples());
            NDIndex second = new NDIndex(batch.examples() + ":");
            SequenceStatistics.Builder s = SequenceStatistics.paired()
                    .put(Statistic.POLICY_CHOSEN, policy.get(first)).put(Statistic.POLICY_REJECTED, policy.get(second))
                    .put(Statistic.CHOSEN_TOKENS, tokens.get(first)).put(Statistic.REJECTED_TOKENS, tokens.get(second));
            if (ref != null) {
                NDArray r = m.create(ref).toType(type, false);
                s.put(Statistic.REFERENCE_CHOSEN, r.get(first)).put(Statistic.REFERENCE_REJECTED, r.get(second));
            }
            return s.build();
        }
        SequenceStatistics.Builder s = SequenceStatistics.unpaired().put(Statistic.POLICY, policy)
                .put(Statistic.TOKENS, tokens).put(Statistic.DESIRABLE, batch.desirable(m, type));
        if (ref != null) {
            s.put(Statistic.REFERENCE, m.create(ref).toType(type, false));
        }
        if (klPolicy != null && (klLive != null || reference != null)) {
            double[] kl = klLive != null ? klLive : new double[klRows.rows()];
            for (int r = 0; klLive == null && r < kl.length; r++) {
                kl[r] = ReferencePass.lookup(reference, klRows.promptIds(r), klRows.responseIds(r));
            }
            s.put(Statistic.KL_POLICY, klPolicy).put(Statistic.KL_REFERENCE,
                    m.create(kl).toType(klPolicy.getDataType(), false));
        }
        return s.build();
    }
}

package io.dpo4j.train;

import ai.djl.ndarray.NDManager;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.train.AdamW;
import io.dpo4j.core.train.BatchLayout;
import io.dpo4j.core.train.Gradients;
import io.dpo4j.core.train.ReferenceCache;
import java.util.List;
import java.util.Objects;

/**
 * One optimizer step of preference training on tokenised pairs, exactly as {@link PreferenceTraining}'s
 * loop takes it — the same {@code ObjectiveStep} (trunk forward, the log-prob kernel, the objective with
 * the cached reference statistics, backward), global-norm clipping and the AdamW update — without data
 * loading, evaluation or listeners. For benchmarks and for callers who drive their own loop:
 *
 * <pre>{@code
 * try (TrainingStep step = TrainingStep.builder(policy, new DpoObjective().configureDefaults())
 *         .reference(cache).optimizer(OptimizerSettings.adamW(1e-5)).build()) {
 *     TrainingStep.Result r = step.run(pairs);
 * }
 * }</pre>
 *
 * The policy is set trainable; the optimizer's state lives until {@link #close()}.
 */
public final class TrainingStep implements AutoCloseable {

    /**
     * What one step measured.
     *
     * @param loss the objective's loss
     * @param responseTokens the response tokens of the step
     * @param gradNorm the global gradient norm before clipping
     */
    public record Result(double loss, long responseTokens, double gradNorm) {
    }

    private final LlamaModel policy;
    private final ObjectiveStep step;
    private final NDManager root;
    private final AdamW adam;
    private final double lr;
    private final double maxGradNorm;

    private TrainingStep(Builder b) {
        this.policy = b.policy;
        this.step = new ObjectiveStep(b.objective, b.kernel, b.reference, b.pad, false, b.activationCheckpointing, 0,
                b.layout);
        this.root = NDManager.newBaseManager(policy.manager().getDevice());
        OptimizerSettings o = b.optimizer;
        this.adam = new AdamW(root, o.beta1(), o.beta2(), o.eps(), o.weightDecay());
        this.lr = o.lr();
        this.maxGradNorm = b.maxGradNorm;
        policy.setTrainable(true);
        // The long-lived arrays first, so that every step's activations reuse one region above them.
        adam.prepare(policy.trainableParameters());
    }

    /** A builder for a step of {@code objective} on {@code policy}. */
    public static Builder builder(LlamaModel policy, ConfiguredObjective objective) {
        return new Builder(policy, objective);
    }

    /** One optimizer step on these pairs (one micro-batch): forward, backward, clipping, AdamW. */
    public Result run(List<TokenizedPair> pairs) {
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one pair");
        }
        var parameters = policy.trainableParameters();
        ObjectiveStep.Measured m = step.train(policy, StepBatch.paired(pairs), 1.0, root);
        double gradNorm;
        try (NDManager scratch = root.newSubManager()) {
            gradNorm = Gradients.clipGlobalNorm(parameters, maxGradNorm, scratch);
        }
        adam.update(parameters, lr);
        Gradients.zero(parameters);
        return new Result(m.loss(), m.tokens(), gradNorm);
    }

    /** Frees the optimizer's state (the policy stays the caller's). */
    @Override
    public void close() {
        adam.close();
        root.close();
    }

    /** The step's settings; the defaults are {@link PreferenceTraining}'s. */
    public static final class Builder {
        private final LlamaModel policy;
        private final ConfiguredObjective objective;
        private ReferenceCache reference;
        /** {@link PreferenceTraining}'s default kernel, whatever it is. */
        private LogProbKernel kernel = PreferenceTraining.builder().kernel();
        private OptimizerSettings optimizer = OptimizerSettings.defaults();
        private double maxGradNorm = 1.0;
        private int pad;
        private boolean activationCheckpointing;
        private BatchLayout layout = BatchLayout.defaults();

        private Builder(LlamaModel policy, ConfiguredObjective objective) {
            this.policy = Objects.requireNonNull(policy, "policy");
            this.objective = Objects.requireNonNull(objective, "objective");
        }

        /** The cached reference statistics of every scored sequence (needed when the objective reads them). */
        public Builder reference(ReferenceCache cache) {
            this.reference = cache;
            return this;
        }

        /** The log-prob kernel (default: {@link PreferenceTraining}'s). */
        public Builder kernel(LogProbKernel k) {
            this.kernel = Objects.requireNonNull(k, "kernel");
            return this;
        }

        /** AdamW's settings; the learning rate is constant (default {@link OptimizerSettings#defaults()}). */
        public Builder optimizer(OptimizerSettings settings) {
            this.optimizer = Objects.requireNonNull(settings, "optimizer");
            return this;
        }

        /** Global gradient-norm clipping (0: none; default 1). */
        public Builder maxGradNorm(double norm) {
            OptimizerSettings.require(norm >= 0, "max_grad_norm", norm, ">= 0");
            this.maxGradNorm = norm;
            return this;
        }

        /** The padding id (default 0). */
        public Builder pad(int id) {
            this.pad = id;
            return this;
        }

        /** Activation checkpointing per decoder layer (default false). */
        public Builder activationCheckpointing(boolean on) {
            this.activationCheckpointing = on;
            return this;
        }

        /** How the pairs' rows are laid out: prompt sharing, packing (default {@link BatchLayout#defaults()}, as training's). */
        public Builder batchLayout(BatchLayout value) {
            this.layout = Objects.requireNonNull(value, "batchLayout");
            return this;
        }

        /**
         * Checks the settings.
         *
         * @throws IllegalStateException when the objective reads reference statistics and none were given
         */
        public TrainingStep build() {
            if (objective.requirements().needsReference() && reference == null) {
                throw new IllegalStateException("objective " + objective.id() + " reads reference statistics; "
                        + "give them with reference(cache)");
            }
            return new TrainingStep(this);
        }
    }
}

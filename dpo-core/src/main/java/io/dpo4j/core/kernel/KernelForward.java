package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;

/**
 * One training-mode pass of a {@link LogProbKernel}: the statistics now, the gradient injection
 * later. The flow inside one open {@code GradientCollector}:
 *
 * <pre>{@code
 * KernelForward f = kernel.forward(input, collector);             // (1) statistics
 * NDArray leaf = f.statistics().logProbs().duplicate();            // (2) a leaf for the objective
 * leaf.setRequiresGradient(true);
 * collector.backward(objective.compute(statsFrom(leaf)).loss());   // (3) g = ∂loss/∂logp on the small graph
 * f.backward(leaf.getGradient());                                  // (4) ∂loss/∂H, ∂loss/∂W into the model
 * }</pre>
 *
 * Gradients accumulate into the model's parameters as with any other backward call. Holds
 * native memory (for a chunked kernel: the response rows of H and one logsumexp per token) until
 * {@link #backward} returns or {@link #close} is called.
 */
public interface KernelForward extends AutoCloseable {

    /** The statistics, without gradient, attached to the input's manager. */
    SequenceLogProbs statistics();

    /**
     * Back-propagates {@code Σ_b g[b] · logp(b)} into the hidden states (and so the trunk) and, when
     * they require gradient, the lm_head weight and bias, with one backward call on the collector
     * given to {@link LogProbKernel#forward} (a kernel may add a leaf's share straight into its
     * existing gradient buffer, which is what that backward would do). Releases this pass's memory.
     * Call at most once.
     *
     * @param sequenceGradient {@code g}, shape {@code (B)}: the gradient of the loss with respect to
     *     each sequence's summed log-prob
     * @throws IllegalStateException when called twice or after {@link #close}
     */
    void backward(NDArray sequenceGradient);

    /**
     * How many sequences had their gradient injected in the forward, while their logits were in memory
     * (a single-pass forward), and were not recomputed by {@link #backward}; after backward, for a
     * single-pass forward of a row-local objective, every sequence. Default: 0 (the two-pass path).
     */
    default int eagerSequences() {
        return 0;
    }

    /** Releases this pass's memory without back-propagating. Idempotent. */
    @Override
    void close();
}

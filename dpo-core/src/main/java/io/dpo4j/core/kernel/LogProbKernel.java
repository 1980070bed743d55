package io.dpo4j.core.kernel;

import ai.djl.training.GradientCollector;

/**
 * Turns a causal LM's final hidden states and its lm_head into the per-sequence statistics every
 * objective reads: for each sequence {@code b},
 *
 * <pre>
 * z[b,t]    = W · H[b,t] + bias                                 (logits, never all held at once by a chunked kernel)
 * logp[b,t] = z[b,t][labels[b,t]] − logsumexp(z[b,t])
 * logp(b)   = Σ_t mask[b,t] · logp[b,t]        n(b) = Σ_t mask[b,t]   (n(b) ≥ 1, else a DpoException)
 * </pre>
 *
 * <p>Two modes:
 *
 * <ul>
 *   <li>{@link #statistics}: values only, never recorded by autograd, even inside an open
 *       {@link GradientCollector} (reference and evaluation passes);
 *   <li>{@link #forward}: the training mode. The returned {@link KernelForward} gives the same
 *       statistics; the caller computes the objective's gradient {@code g = ∂loss/∂logp(b)} on the
 *       small graph of the statistics and hands it to {@link KernelForward#backward}, which injects
 *       {@code ∂loss/∂H}, {@code ∂loss/∂W} (and {@code ∂loss/∂bias}) into the model's graph with one
 *       backward call on the caller's collector.
 * </ul>
 *
 * <p>Implementations are stateless and thread-safe; pick one with {@link KernelType}.
 */
public interface LogProbKernel {

    /** The implementation's id, as {@link KernelType#id()}. */
    String name();

    /**
     * Per-sequence response log-probs and token counts, without gradient.
     *
     * @return arrays attached to {@link LogProbInput#manager()}
     * @throws io.dpo4j.core.DpoException when a sequence has no response token or a label is outside
     *     the vocabulary
     */
    SequenceLogProbs statistics(LogProbInput input);

    /**
     * The training forward: computes the statistics and keeps what {@link KernelForward#backward}
     * needs. Call it inside {@code collector}'s scope (the collector that recorded the trunk), and
     * close the result (or call backward) before the input's manager is closed.
     *
     * @throws io.dpo4j.core.DpoException when a sequence has no response token or a label is outside
     *     the vocabulary
     */
    KernelForward forward(LogProbInput input, GradientCollector collector);
}

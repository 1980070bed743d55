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

    /**
     * The training forward of a single-pass kernel: while each group of sequences' logits are in
     * memory it asks {@code eager} for their gradient and forms their share of ∂loss/∂H and ∂loss/∂W
     * right away, without recomputing the logits later. {@link KernelForward#backward} must still be
     * called with the whole batch's {@code g}: it back-propagates {@code Σ_b g[b]·logp(b)} in total,
     * recomputing only the sequences whose eager gradient differed from {@code g} (none for an
     * objective whose gradient is row-local), so the result is the two-pass kernel's either way. The
     * lm_head's eager share may be added to W's gradient buffer before backward is called. Default:
     * the two-pass {@link #forward(LogProbInput, GradientCollector)}, ignoring {@code eager}.
     *
     * @param eager the objective's gradient, or null for the two-pass path
     */
    default KernelForward forward(LogProbInput input, GradientCollector collector, EagerGradient eager) {
        return forward(input, collector);
    }
}

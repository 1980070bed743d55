package io.dpo4j.core.kernel;

import ai.djl.training.GradientCollector;

/**
 * The single-pass kernel: for an objective whose gradient is row-local (every built-in objective), each
 * group of sequences (a pair, or one unpaired example) is scored with its logits kept in memory, the
 * objective's gradient for the group is asked for at once ({@link EagerGradient}), and ∂loss/∂H,
 * ∂loss/∂W and ∂loss/∂bias are formed from the kept logits — three lm_head GEMMs in all (forward, ∂X,
 * ∂W), no recompute: Liger-Kernel's fused-linear-loss idea, with the objective kept outside the kernel.
 *
 * <p>A chunk holds whole groups, at most {@link #chunkBytes()} of logits (float32: N·V·4 bytes), kept as
 * {@code tokens × vocabulary} slices of at most one tile each (the {@code budgetBytes} of
 * {@link ChunkedLogProbKernel}, so every slice is recycled by the native allocator), each with its own
 * row maximum so the logsumexp over the slices needs no second pass. A group too large for a chunk is
 * scored without keeping its logits and takes the two-pass path in {@link KernelForward#backward}, as do
 * sequences whose eager gradient turns out to differ from the batch's (an objective that declares a
 * row-local gradient wrongly): the result is always the two-pass kernel's.
 *
 * <p>Without an eager gradient ({@link #forward(LogProbInput, GradientCollector)}, batch-coupled
 * objectives, third-party objectives that do not declare a row-local gradient) and in statistics mode it
 * is the {@link ChunkedLogProbKernel} with the same tile budget.
 */
public final class SinglePassLogProbKernel implements LogProbKernel {

    /**
     * Default logits kept per chunk: 128 MiB (a pair of 2 × 340 response tokens at SmolLM2's vocabulary
     * of 49152, float32).
     */
    public static final long DEFAULT_CHUNK_BYTES = 128L << 20;

    private final ChunkedLogProbKernel twoPass;
    private final long chunkBytes;

    /** The default tile budget and chunk size. */
    public SinglePassLogProbKernel() {
        this(ChunkedLogProbKernel.DEFAULT_BUDGET_BYTES, DEFAULT_CHUNK_BYTES);
    }

    /**
     * @param budgetBytes the tile budget, as {@link ChunkedLogProbKernel#ChunkedLogProbKernel(long)}
     * @param chunkBytes logits kept at once by the single pass (at least one logit per token is kept)
     * @throws IllegalArgumentException when either is not positive
     */
    public SinglePassLogProbKernel(long budgetBytes, long chunkBytes) {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("the single-pass chunk size must be positive, got " + chunkBytes
                    + " bytes");
        }
        this.twoPass = new ChunkedLogProbKernel(budgetBytes);
        this.chunkBytes = chunkBytes;
    }

    /** The tile budget in bytes. */
    public long budgetBytes() {
        return twoPass.budgetBytes();
    }

    /** The logits kept at once by the single pass, in bytes. */
    public long chunkBytes() {
        return chunkBytes;
    }

    @Override
    public String name() {
        return KernelType.SINGLE_PASS.id();
    }

    @Override
    public SequenceLogProbs statistics(LogProbInput input) {
        return twoPass.statistics(input);
    }

    @Override
    public KernelForward forward(LogProbInput input, GradientCollector collector) {
        return twoPass.forward(input, collector);
    }

    @Override
    public KernelForward forward(LogProbInput input, GradientCollector collector, EagerGradient eager) {
        if (eager == null) {
            return twoPass.forward(input, collector);
        }
        return new SinglePassForward(input, collector, eager, twoPass.budgetBytes(), chunkBytes);
    }
}

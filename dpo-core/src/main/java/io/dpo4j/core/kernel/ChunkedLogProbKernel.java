package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;

/**
 * The default kernel: only response positions meet the vocabulary, and their logits exist one tile
 * at a time.
 *
 * <p><b>Forward</b> (both modes, no autograd): gather the N response rows X of H; for each tile of
 * {@code tokens × vocabulary} entries ({@link TilePlan}), {@code Z = X_c·W_jᵀ + bias_j}, keep the
 * label's logit where it falls in the tile and the tile's {@code logsumexp}; combine the slices'
 * logsumexps per token, then
 *
 * <pre>
 * logp_i = z_i[label_i] − lse_i          logp(b) = Σ_{i ∈ b} logp_i
 * </pre>
 *
 * <p><b>Backward</b>, given {@code g_b = ∂L/∂logp(b)}: recompute each tile, reusing {@code lse} from
 * the forward, and with {@code P = exp(Z − lse)} (the softmax) accumulate
 *
 * <pre>
 * ∂L/∂z_i = g_b(i) · (onehot(label_i) − P_i)
 * ∂L/∂X   = (−g ⊙ (P − onehot)) · W          scattered back to the B×T×d positions, zero elsewhere
 * ∂L/∂W   = (P − onehot)ᵀ · (−g ⊙ X)          ∂L/∂bias = Σ_i −g_b(i) · (P_i − onehot_i)
 * </pre>
 *
 * and inject them with one backward of {@code Σ H ⊙ stopgrad(∂L/∂H) + Σ W ⊙ stopgrad(∂L/∂W)
 * (+ Σ bias ⊙ stopgrad(∂L/∂bias))}. The W and bias terms are computed only when those arrays
 * require gradient. On PyTorch they are added straight into W's (and the bias's) gradient buffer tile
 * by tile, which is what autograd does with a leaf's surrogate term, without the two V×d temporaries
 * that the term would cost ({@code LeafGradients}); the surrogate then holds only the H term. The
 * training pass costs four
 * GEMMs of the lm_head's size (forward, recompute, ∂X, ∂W) against autograd's three, and holds
 * O(N·d) plus the tiles instead of O(B·T·V).
 *
 * <p><b>Why tiles rather than token chunks over the whole vocabulary:</b> accumulating ∂L/∂W over
 * token chunks needs a V×d temporary per chunk; slicing the vocabulary too keeps every temporary
 * small, and small tiles are recycled by the native allocator instead of being page-faulted afresh
 * (on the project's CPU a fresh 100 MB array costs about as much as a GEMM over it).
 */
public final class ChunkedLogProbKernel implements LogProbKernel {

    /**
     * Default budget for logits-shaped scratch: 32 MiB, so one tile is 16 MiB (4 Mi float32 logits),
     * below glibc's largest mmap threshold (32 MiB), which lets freed tiles be reused.
     */
    public static final long DEFAULT_BUDGET_BYTES = 32L << 20;

    private final long budgetBytes;

    /** A kernel with the {@linkplain #DEFAULT_BUDGET_BYTES default budget}. */
    public ChunkedLogProbKernel() {
        this(DEFAULT_BUDGET_BYTES);
    }

    /**
     * A kernel that never holds more than {@code budgetBytes} of logits-shaped scratch (two tiles)
     * at once, except that a tile holds at least one logit.
     *
     * @throws IllegalArgumentException when the budget is not positive
     */
    public ChunkedLogProbKernel(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("the logits memory budget must be positive, got " + budgetBytes + " bytes");
        }
        this.budgetBytes = budgetBytes;
    }

    /** The logits memory budget in bytes. */
    public long budgetBytes() {
        return budgetBytes;
    }

    @Override
    public String name() {
        return KernelType.CHUNKED.id();
    }

    @Override
    public SequenceLogProbs statistics(LogProbInput input) {
        ResponseLayout layout = ResponseLayout.of(input);
        try (NDManager work = input.manager().newSubManager()) {
            return new Pass(input, layout, work).statistics;
        }
    }

    @Override
    public KernelForward forward(LogProbInput input, GradientCollector collector) {
        ResponseLayout layout = ResponseLayout.of(input);
        NDManager work = input.manager().newSubManager();
        try {
            return new Forward(new Pass(input, layout, work), collector);
        } catch (RuntimeException e) {
            work.close();
            throw e;
        }
    }

    /** The forward pass and what the backward needs from it; everything lives in {@code work}. */
    private final class Pass {
        final LogProbInput input;
        final ResponseLayout layout;
        final NDManager work;
        final TilePlan plan;
        final NDArray weight;
        final NDArray bias;
        final NDArray positions;
        /** X: the response rows of H, N × d, detached. */
        final NDArray rows;
        /** logsumexp of each response token's logits, N × 1. */
        final NDArray logSumExp;
        final SequenceLogProbs statistics;

        Pass(LogProbInput input, ResponseLayout layout, NDManager work) {
            this.input = input;
            this.layout = layout;
            this.work = work;
            int n = layout.responseTokens();
            int b = layout.batchSize();
            int t = layout.sequenceLength();
            NDArray hidden = owned(input.hidden().stopGradient(), work);
            DataType dtype = hidden.getDataType();
            this.plan = TilePlan.of(budgetBytes, dtype.getNumOfBytes(), n, input.vocabularySize());
            this.weight = owned(input.weight().stopGradient(), work);
            this.bias = input.bias().map(x -> owned(x.stopGradient(), work)).orElse(null);
            this.positions = work.create(layout.flatPositions());
            NDArray flatHidden = owned(hidden.reshape(b * (long) t, input.hiddenSize()), work);
            this.rows = flatHidden.get(new NDIndex("{}", positions));

            NDArray labelLogits = work.zeros(new Shape(n), dtype);
            List<NDArray> lseChunks = new ArrayList<>();
            for (int c0 = 0; c0 < n; c0 += plan.tokens()) {
                int c1 = Math.min(n, c0 + plan.tokens());
                lseChunks.add(forwardChunk(c0, c1, labelLogits));
            }
            this.logSumExp = lseChunks.size() == 1 ? lseChunks.get(0) : NDArrays.concat(new NDList(lseChunks), 0);
            NDArray tokenLogProbs = labelLogits.sub(logSumExp.reshape(n));

            NDManager out = input.manager();
            NDArray perPosition = work.zeros(new Shape(b * (long) t), dtype);
            perPosition.set(new NDIndex("{}", positions), tokenLogProbs);
            NDArray byRow = perPosition.reshape(b, t);
            NDArray sums = byRow.sum(new int[] {1});
            sums.attach(out);
            NDArray perToken = null;
            if (input.wantsTokenLogProbs()) {
                perToken = byRow;
                perToken.attach(out);
            }
            this.statistics = new SequenceLogProbs(sums, layout.countArray(out, dtype), perToken);
        }

        /** Label logits and logsumexp of tokens [c0, c1), over every vocabulary slice. */
        private NDArray forwardChunk(int c0, int c1, NDArray labelLogits) {
            List<NDArray> slices = new ArrayList<>();
            try (NDManager chunk = work.newSubManager()) {
                for (int v0 = 0; v0 < input.vocabularySize(); v0 += plan.vocabulary()) {
                    int v1 = Math.min(input.vocabularySize(), v0 + plan.vocabulary());
                    try (NDManager tile = chunk.newSubManager()) {
                        NDArray z = logits(tile, c0, c1, v0, v1);
                        LabelHits hits = LabelHits.of(layout.labels(), c0, c1, v0, v1);
                        if (!hits.isEmpty()) {
                            NDArray picked = z.get(new NDIndex("{}, {}", tile.create(hits.rows()),
                                    tile.create(hits.columns())));
                            labelLogits.set(new NDIndex("{}", tile.create(hits.tokens())), picked);
                        }
                        NDArray max = z.max(new int[] {1}, true);
                        z.subi(max);
                        NDArray lse = z.exp().sum(new int[] {1}, true).log().addi(max);
                        lse.attach(chunk);
                        slices.add(lse);
                    }
                }
                NDArray lse = slices.size() == 1 ? slices.get(0) : logSumExpAcross(slices);
                lse.attach(work);
                return lse;
            }
        }

        /** {@code X_c·W_jᵀ + bias_j} for tokens [c0, c1) and vocabulary rows [v0, v1), attached to {@code tile}. */
        NDArray logits(NDManager tile, int c0, int c1, int v0, int v1) {
            NDIndex slice = new NDIndex(v0 + ":" + v1);
            NDArray x = rows.get(tile, new NDIndex(c0 + ":" + c1));
            NDArray w = weight.get(tile, slice);
            NDArray b = bias == null ? null : bias.get(tile, slice);
            return Linear.linear(x, w, b).singletonOrThrow();
        }
    }

    /** {@code log Σ_j exp(lse_j)} of per-slice logsumexps (each c × 1), stably. */
    private static NDArray logSumExpAcross(List<NDArray> slices) {
        NDArray stacked = NDArrays.concat(new NDList(slices), 1);
        NDArray max = stacked.max(new int[] {1}, true);
        return stacked.sub(max).exp().sum(new int[] {1}, true).log().addi(max);
    }

    private static NDArray owned(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    private static final class Forward implements KernelForward {
        private final Pass pass;
        private final GradientCollector collector;
        private boolean done;

        Forward(Pass pass, GradientCollector collector) {
            this.pass = pass;
            this.collector = collector;
        }

        @Override
        public SequenceLogProbs statistics() {
            return pass.statistics;
        }

        @Override
        public void backward(NDArray sequenceGradient) {
            if (done) {
                throw new IllegalStateException("backward was already called or this pass was closed");
            }
            try {
                inject(sequenceGradient);
            } finally {
                close();
            }
        }

        private void inject(NDArray sequenceGradient) {
            ResponseLayout layout = pass.layout;
            NDManager work = pass.work;
            int n = layout.responseTokens();
            NDArray g = SequenceGradients.checkedSequenceGradient(sequenceGradient, pass.statistics.logProbs(), work);
            // −g of each token's sequence, N × 1: the scale of every term.
            NDArray negG = g.get(new NDIndex("{}", work.create(layout.rows()))).neg().reshape(n, 1);
            LmHeadGradients grads = new LmHeadGradients(pass.input, n, pass.rows.getDataType(), collector, work);
            TileRecompute.accumulate(pass.rows, pass.weight, pass.bias, pass.logSumExp, layout.labels(), negG,
                    pass.plan, grads.dRows, grads.dWeight, grads.dBias, work);
            grads.inject(pass.positions);
        }

        @Override
        public void close() {
            done = true;
            pass.work.close();
        }
    }
}

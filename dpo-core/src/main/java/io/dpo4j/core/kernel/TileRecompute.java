package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;

/**
 * The two-pass backward over tiles: recompute each tile's logits, reuse the forward's logsumexp so
 * {@code P = exp(Z − lse)} needs no reduction, subtract 1 at the label entries in place, and
 * accumulate
 *
 * <pre>
 * ∂L/∂X  += (−g ⊙ (P − onehot)) · W_j        (g applied on the n×d side, after the loop)
 * ∂L/∂W_j += (P − onehot)ᵀ · (−g ⊙ X)        ∂L/∂bias_j += (−g)ᵀ · (P − onehot)
 * </pre>
 *
 * Used by {@link ChunkedLogProbKernel} for every token and by {@link SinglePassLogProbKernel} for the
 * tokens whose gradient was not known while their logits were in memory.
 */
final class TileRecompute {

    private TileRecompute() {
    }

    /**
     * @param rows X, n × d, detached
     * @param weight W, V × d, detached
     * @param bias the bias (V), detached, or null
     * @param logSumExp the tokens' logsumexp, n × 1
     * @param labels the tokens' labels, n
     * @param negG −g of each token's sequence, n × 1
     * @param dRows n × d: ∂L/∂X is added into it
     * @param dWeight V × d or null: ∂L/∂W is added into it
     * @param dBias V or null: ∂L/∂bias is added into it
     */
    static void accumulate(NDArray rows, NDArray weight, NDArray bias, NDArray logSumExp, long[] labels,
            NDArray negG, TilePlan plan, NDArray dRows, NDArray dWeight, NDArray dBias, NDManager work) {
        int n = (int) rows.getShape().get(0);
        int vocabulary = (int) weight.getShape().get(0);
        try (NDManager scope = work.newSubManager()) {
            NDArray dX = scope.zeros(dRows.getShape(), dRows.getDataType());
            NDArray scaledRows = dWeight != null ? rows.mul(negG) : null;
            if (scaledRows != null) {
                scaledRows.attach(scope);
            }
            for (int c0 = 0; c0 < n; c0 += plan.tokens()) {
                int c1 = Math.min(n, c0 + plan.tokens());
                NDIndex tokens = new NDIndex(c0 + ":" + c1);
                for (int v0 = 0; v0 < vocabulary; v0 += plan.vocabulary()) {
                    int v1 = Math.min(vocabulary, v0 + plan.vocabulary());
                    NDIndex slice = new NDIndex(v0 + ":" + v1);
                    try (NDManager tile = scope.newSubManager()) {
                        NDArray x = rows.get(tile, tokens);
                        NDArray w = weight.get(tile, slice);
                        NDArray z = Linear.linear(x, w, bias == null ? null : bias.get(tile, slice)).singletonOrThrow();
                        z.subi(logSumExp.get(tile, tokens));
                        NDArray p = z.exp();
                        z.close();
                        LabelHits hits = LabelHits.of(labels, c0, c1, v0, v1);
                        if (!hits.isEmpty()) {
                            NDIndex at = new NDIndex("{}, {}", tile.create(hits.rows()), tile.create(hits.columns()));
                            p.set(at, p.get(at).subi(1));
                        }
                        // p now holds P − onehot for this tile.
                        dX.get(tile, tokens).addi(p.matMul(w));
                        if (dWeight != null) {
                            dWeight.get(tile, slice).addi(p.transpose().matMul(scaledRows.get(tile, tokens)));
                        }
                        if (dBias != null) {
                            NDArray column = negG.get(tile, tokens).transpose().matMul(p);
                            dBias.get(tile, slice).addi(column.reshape(v1 - v0));
                        }
                    }
                }
            }
            dRows.addi(dX.muli(negG));
        }
    }
}

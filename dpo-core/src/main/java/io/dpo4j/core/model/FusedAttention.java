package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Attention through libtorch's fused {@code scaled_dot_product_attention}: {@code softmax(q·kᵀ/√D + bias)·v}
 * computed block by block (libtorch's CPU flash-attention kernel), so neither the scores nor the probabilities
 * are ever materialised. Under autograd the graph keeps the output and one log-sum-exp per query instead of the
 * probabilities, and backward recomputes them block by block (FlashAttention, Dao et al. 2022, "FlashAttention:
 * Fast and Memory-Efficient Exact Attention with IO-Awareness"). Measured at SmolLM2-135M's attention shape
 * (4 rows of 448 tokens, 9 heads of 64, 30 layers, docs/performance.md): the graph held 119 MiB instead of the
 * eager path's 2,718 MiB, and forward + backward took 2.5 s instead of 4.4 s.
 *
 * <p>DJL 0.36 binds no such operator, but it runs TorchScript modules with autograd on. This class defines a
 * one-method TorchScript module whose source calls the operator ({@link ScriptedOperator}), loaded once
 * per process. The caller passes grouped-query attention already grouped — queries
 * {@code B×kvH×(group·T)×D} against keys and values {@code B×kvH×S×D}, the bias tiled to match — because the
 * operator's own {@code enable_gqa} falls back to the unfused path on the CPU. If the engine cannot load the
 * module, {@link #available()} is false and the model uses its eager attention (logged once).
 */
final class FusedAttention {

    /** {@code q, k, v, bias} → the attention output; the scale is the operator's default {@code D^-0.5}. */
    private static final ScriptedOperator OPERATOR = ScriptedOperator.define("Attention",
            List.of("q: Tensor", "k: Tensor", "v: Tensor", "bias: Tensor"), "Tensor",
            List.of("return torch.scaled_dot_product_attention(q, k, v, bias)"));

    private FusedAttention() {
    }

    /** True when the fused operator loaded (once per process). */
    static boolean available() {
        return OPERATOR.available();
    }

    /**
     * The attention output {@code B×G×T×D} of queries {@code B×G×T×D}, keys and values {@code B×G×S×D} and an
     * additive bias broadcastable to {@code B×G×T×S}, on the queries' manager. Records for autograd when a
     * gradient collector is open and an input requires a gradient, as any operator does.
     */
    static NDArray apply(NDArray q, NDArray k, NDArray v, NDArray bias) {
        // Recording: DJL otherwise runs the module with autograd off; a pass without a collector records nothing
        // either way, because the operator follows the thread's gradient mode.
        return OPERATOR.apply(true, q, k, v, bias);
    }
}

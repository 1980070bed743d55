package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;

/**
 * Gradient bookkeeping DJL does not offer: global-norm clipping (DJL's clip is element-wise) and
 * zeroing without leaking the handles {@code getGradient()} creates (each call returns a new handle
 * attached to the parameter's manager, so every one is closed here).
 */
public final class Gradients {

    private Gradients() {
    }

    /**
     * The global L2 norm of every parameter's gradient, {@code sqrt(Σ ‖g‖²)}, in double precision.
     * Every intermediate is closed here: results of an op land in its first input's manager — the
     * parameters' — where one left open per step would pile up for the whole run.
     */
    public static double globalNorm(Map<String, NDArray> parameters, NDManager scratch) {
        double sumSquares = 0;
        for (NDArray p : parameters.values()) {
            // the norm reduces without a gradient-sized array of squares
            try (NDArray g = p.getGradient(); NDArray norm = g.norm();
                    NDArray wide = norm.toType(ai.djl.ndarray.types.DataType.FLOAT64, true)) {
                double n = wide.getDouble();
                sumSquares += n * n;
            }
        }
        return Math.sqrt(sumSquares);
    }

    /**
     * Scales every gradient by {@code maxNorm / norm} when the global norm exceeds {@code maxNorm}
     * (as {@code torch.nn.utils.clip_grad_norm_}); {@code maxNorm <= 0} disables clipping.
     *
     * @return the global norm before clipping
     */
    public static double clipGlobalNorm(Map<String, NDArray> parameters, double maxNorm, NDManager scratch) {
        double norm = globalNorm(parameters, scratch);
        if (maxNorm > 0 && Double.isFinite(norm) && norm > maxNorm) {
            scale(parameters, maxNorm / (norm + 1e-6));
        }
        return norm;
    }

    /** Multiplies every gradient in place by {@code factor}. */
    public static void scale(Map<String, NDArray> parameters, double factor) {
        for (NDArray p : parameters.values()) {
            try (NDArray g = p.getGradient()) {
                g.muli(factor);
            }
        }
    }

    /**
     * The global L2 norm of the weights themselves, {@code sqrt(Σ ‖p‖²)} (each parameter's sum of
     * squares in its own type, added up in double precision). Not finite when a weight is not — or
     * when the weights are so large (beyond about 1e19) that their squares overflow float32.
     */
    public static double weightNorm(Map<String, NDArray> parameters) {
        double sumSquares = 0;
        for (NDArray p : parameters.values()) {
            try (NDArray sq = p.square(); NDArray sum = sq.sum();
                    NDArray wide = sum.toType(ai.djl.ndarray.types.DataType.FLOAT64, true)) {
                sumSquares += wide.getDouble();
            }
        }
        return Math.sqrt(sumSquares);
    }

    /** The name of the first parameter holding a NaN or an infinity, if any. */
    public static java.util.Optional<String> firstNonFinite(Map<String, NDArray> parameters) {
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            try (NDArray nan = e.getValue().isNaN(); NDArray inf = e.getValue().isInfinite();
                    NDArray bad = nan.logicalOr(inf); NDArray any = bad.any()) {
                if (any.getBoolean()) {
                    return java.util.Optional.of(e.getKey());
                }
            }
        }
        return java.util.Optional.empty();
    }

    /** Sets every gradient to zero (also clearing NaN and infinity). */
    public static void zero(Map<String, NDArray> parameters) {
        for (NDArray p : parameters.values()) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
    }
}

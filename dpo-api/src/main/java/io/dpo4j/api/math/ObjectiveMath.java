package io.dpo4j.api.math;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;

/**
 * Numerically stable, differentiable element-wise functions built from DJL's portable operators,
 * preserving the input's dtype (float32 or float64).
 *
 * <p>Constants enter through {@link Scalars} (never {@code NDArray.mul(Number)}), so gradients do
 * not depend on the garbage collector. Each piecewise function evaluates both pieces on inputs clamped into the piece's safe domain,
 * then selects with {@code where}: the unselected piece is always finite, so its masked gradient is
 * exactly zero (never {@code 0 · ∞ = NaN}), and every clamp boundary lies strictly outside the region
 * where its piece is selected, so no selected value sits on a clamp's kink.
 */
public final class ObjectiveMath {

    /** Below this magnitude {@code log1p} and {@code expm1} use a Taylor polynomial. */
    private static final double SERIES_LIMIT = 1e-2;
    private static final double LN2 = Math.log(2);
    /** {@code log1mexp(a)} treats {@code a > -TINY} as {@code -TINY}: a probability of one has infinite odds. */
    private static final double TINY = 1e-30;

    private ObjectiveMath() {
    }

    /**
     * {@code log(1 + v)}, accurate for small {@code |v|}; domain {@code v > -1}.
     * Uses the degree-7 Taylor polynomial for {@code |v| < 0.01} (error below 1e-16 relative).
     */
    public static NDArray log1p(NDArray v) {
        NDArray small = v.abs().lt(SERIES_LIMIT);
        NDArray s = v.clip(-SERIES_LIMIT, SERIES_LIMIT);
        // v - v²/2 + v³/3 - v⁴/4 + v⁵/5 - v⁶/6 + v⁷/7, by Horner's rule
        NDArray poly = Scalars.mul(s, 1.0 / 7).add(-1.0 / 6).mul(s).add(1.0 / 5).mul(s).add(-1.0 / 4).mul(s)
                .add(1.0 / 3).mul(s).add(-1.0 / 2).mul(s).add(1.0).mul(s);
        NDArray direct = v.add(1.0).log();
        return NDArrays.where(small, poly, direct);
    }

    /** {@code exp(x) − 1}, accurate for small {@code |x|}. */
    public static NDArray expm1(NDArray x) {
        NDArray small = x.abs().lt(SERIES_LIMIT);
        NDArray s = x.clip(-SERIES_LIMIT, SERIES_LIMIT);
        // x + x²/2 + x³/6 + x⁴/24 + x⁵/120 + x⁶/720 + x⁷/5040
        NDArray poly = Scalars.mul(s, 1.0 / 5040).add(1.0 / 720).mul(s).add(1.0 / 120).mul(s).add(1.0 / 24).mul(s)
                .add(1.0 / 6).mul(s).add(1.0 / 2).mul(s).add(1.0).mul(s);
        NDArray direct = x.exp().sub(1.0);
        return NDArrays.where(small, poly, direct);
    }

    /**
     * {@code softplus(x) = log(1 + e^x)} without overflow: {@code x + log1p(e^−x)} for {@code x > 0},
     * {@code log1p(e^x)} otherwise. Finite with finite gradient for any finite {@code x}.
     */
    public static NDArray softplus(NDArray x) {
        NDArray positive = x.gt(0);
        NDArray xp = Scalars.maximum(x, -1.0);
        NDArray xn = Scalars.minimum(x, 1.0);
        NDArray forPositive = xp.add(log1p(xp.neg().exp()));
        NDArray forNegative = log1p(xn.exp());
        return NDArrays.where(positive, forPositive, forNegative);
    }

    /** {@code log σ(z) = −softplus(−z)}: never computed as {@code log(sigmoid(z))}. */
    public static NDArray logSigmoid(NDArray z) {
        return softplus(z.neg()).neg();
    }

    /** {@code σ(z) = exp(log σ(z))}, accurate in both tails. */
    public static NDArray sigmoid(NDArray z) {
        return logSigmoid(z).exp();
    }

    /**
     * {@code log(1 − e^a)} for {@code a < 0}, as ORPO needs for its log-odds: {@code log1p(−e^a)} when
     * {@code a < −ln 2} and {@code log(−expm1(a))} otherwise (Mächler 2012). Values of {@code a} in
     * {@code (−1e-30, 0]} are treated as {@code −1e-30} (a probability of one has infinite odds).
     */
    public static NDArray log1mexp(NDArray a) {
        NDArray far = a.lt(-LN2);
        NDArray af = Scalars.minimum(a, -0.5);
        NDArray an = Scalars.minimum(Scalars.maximum(a, -1.0), -TINY);
        NDArray farValue = log1p(af.exp().neg());
        NDArray nearValue = expm1(an).neg().log();
        return NDArrays.where(far, farValue, nearValue);
    }

    /**
     * {@code relu(t) = max(0, t)} with derivative exactly 0 at {@code t = 0} (the right-hand
     * derivative, as {@code torch.relu}; not {@code clamp(min=0)}, whose derivative there is 1, nor a
     * split ½): hinge's kink and dpop's {@code πw = rw} at step 0 both sit on it.
     */
    public static NDArray relu(NDArray t) {
        return NDArrays.where(t.gt(0), t, t.zerosLike());
    }

    /**
     * {@code min(t, c)} as a clamp: derivative 1 for {@code t ≤ c} and 0 above (torch's
     * {@code clamp(max=c)}; not {@code minimum}, which splits the derivative at a tie).
     */
    public static NDArray clampMax(NDArray t, double c) {
        NDArray bound = Scalars.constant(t, c).broadcast(t.getShape());
        return NDArrays.where(t.lte(bound), t, bound);
    }

    /**
     * The stable ascending order of a vector's values: {@code order[k]} is the row holding the k-th
     * smallest value, ties broken by row index. Computed on the host; the values are not modified.
     */
    public static int[] stableOrder(NDArray vector) {
        double[] v = toDoubles(vector);
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> {
            int c = Double.compare(v[a], v[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] order = new int[idx.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = idx[i];
        }
        return order;
    }

    /**
     * A sorted copy of a vector, ascending and stable (ties by row index), through which the gradient
     * flows as a permutation: the k-th entry's gradient goes back to the row it came from. The input
     * is not modified.
     */
    public static NDArray sortedAscending(NDArray vector) {
        int[] order = stableOrder(vector);
        long[] index = new long[order.length];
        for (int i = 0; i < order.length; i++) {
            index[i] = order[i];
        }
        NDArray indices = vector.getManager().create(index);
        return vector.get(indices);
    }

    /** A scalar (or one-element) array as a Java double, whatever its floating dtype. */
    public static double scalar(NDArray a) {
        if (a.size() != 1) {
            throw new IllegalArgumentException("expected one element, got shape " + a.getShape());
        }
        return toDoubles(a)[0];
    }

    /** The array's elements as Java doubles, whatever its numeric dtype. */
    public static double[] toDoubles(NDArray a) {
        if (a.getDataType() == DataType.FLOAT64) {
            return a.toDoubleArray();
        }
        try (NDArray wide = a.toType(DataType.FLOAT64, true)) {
            return wide.toDoubleArray();
        }
    }
}

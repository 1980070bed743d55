package io.dpo4j.bench.stats;

/**
 * Isotonic (monotone non-decreasing) least-squares regression by the pool-adjacent-violators
 * algorithm: the non-decreasing sequence closest to the data in squared error. The benchmark fits
 * each run's KL(π‖π_ref) over its evaluations with it — the true KL of a run moving away from
 * π_ref grows, while each evaluation's estimate from a few dozen samples is noisy — so that "the
 * step where the run reaches a KL budget" is well defined.
 */
public final class Isotonic {

    private Isotonic() {
    }

    /** The non-decreasing least-squares fit of {@code y} (equal weights); NaN values are carried as gaps. */
    public static double[] nonDecreasing(double[] y) {
        int n = y.length;
        double[] out = new double[n];
        int[] index = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (Double.isFinite(y[i])) {
                index[m++] = i;
            } else {
                out[i] = Double.NaN;
            }
        }
        double[] level = new double[m];
        int[] weight = new int[m];
        int blocks = 0;
        for (int k = 0; k < m; k++) {
            level[blocks] = y[index[k]];
            weight[blocks] = 1;
            blocks++;
            while (blocks > 1 && level[blocks - 2] > level[blocks - 1]) {
                int w = weight[blocks - 2] + weight[blocks - 1];
                level[blocks - 2] = (level[blocks - 2] * weight[blocks - 2] + level[blocks - 1] * weight[blocks - 1]) / w;
                weight[blocks - 2] = w;
                blocks--;
            }
        }
        int k = 0;
        for (int b = 0; b < blocks; b++) {
            for (int j = 0; j < weight[b]; j++) {
                out[index[k++]] = level[b];
            }
        }
        return out;
    }

    /**
     * Where a non-decreasing path first reaches {@code budget}: the metric interpolated linearly
     * between the two points around the crossing ({@code x} is the fitted KL, in evaluation order).
     * NaN when the path never reaches the budget; the first value when it starts at or above it.
     */
    public static double atLevel(double[] fitted, double[] metric, double budget) {
        for (int i = 0; i < fitted.length; i++) {
            if (!Double.isFinite(fitted[i]) || fitted[i] < budget) {
                continue;
            }
            if (i == 0) {
                return metric[0];
            }
            int j = i - 1;
            while (j >= 0 && !Double.isFinite(fitted[j])) {
                j--;
            }
            if (j < 0 || fitted[i] == fitted[j]) {
                return metric[i];
            }
            double t = (budget - fitted[j]) / (fitted[i] - fitted[j]);
            return metric[j] + t * (metric[i] - metric[j]);
        }
        return Double.NaN;
    }
}

package io.dpo4j.bench.stats;

import java.util.Arrays;
import java.util.Random;

/**
 * Percentile bootstrap confidence intervals of a mean: resample the values with replacement
 * {@code resamples} times, take the mean of each resample, and report the (α/2, 1−α/2) quantiles.
 * Deterministic for a seed.
 */
public final class Bootstrap {

    private Bootstrap() {
    }

    /**
     * A mean with its interval.
     *
     * @param mean the sample mean
     * @param low the lower bound
     * @param high the upper bound
     * @param n the number of values
     */
    public record Interval(double mean, double low, double high, int n) {
        /** {@code 0.812 [0.790, 0.833]}. */
        public String format(int digits) {
            String f = "%." + digits + "f";
            return String.format(java.util.Locale.ROOT, f + " [" + f + ", " + f + "]", mean, low, high);
        }
    }

    /** The 95% percentile-bootstrap interval of the mean of {@code values}. */
    public static Interval mean(double[] values, long seed) {
        return mean(values, 0.05, 2000, seed);
    }

    /** The {@code 1−alpha} percentile-bootstrap interval of the mean of {@code values}. */
    public static Interval mean(double[] values, double alpha, int resamples, long seed) {
        int n = values.length;
        if (n == 0) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        if (n == 1) {
            return new Interval(mean, mean, mean, 1);
        }
        Random rng = new Random(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += values[rng.nextInt(n)];
            }
            means[r] = s / n;
        }
        Arrays.sort(means);
        return new Interval(mean, quantile(means, alpha / 2), quantile(means, 1 - alpha / 2), n);
    }

    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}

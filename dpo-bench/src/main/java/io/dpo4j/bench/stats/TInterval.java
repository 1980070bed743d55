package io.dpo4j.bench.stats;

import java.util.Arrays;
import java.util.Locale;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Student-t confidence intervals over seeds (Commons Math's t distribution): of a mean,
 * {@code x̄ ± t(1−α/2, n−1)·s/√n}, and — the benchmark's comparisons — of a <b>paired</b> mean
 * difference, the same interval over the per-seed differences {@code a_i − b_i} of two arms that
 * share seed i's data, reference model and evaluation prompts. Each seed is one independent
 * replication of the whole protocol (data sampling, training, evaluation sampling), so the interval
 * covers at its nominal level when the per-seed values are roughly normal; pairing removes the
 * between-seed variance the arms share. With fewer than two values there is no interval (NaN bounds).
 */
public final class TInterval {

    /** The benchmark's confidence level. */
    public static final double LEVEL = 0.95;

    private TInterval() {
    }

    /** The 95% t-interval of the mean of {@code values} (NaN values are an error). */
    public static Interval mean(double[] values) {
        return mean(values, LEVEL);
    }

    /** The {@code level} t-interval of the mean of {@code values}. */
    public static Interval mean(double[] values, double level) {
        if (level <= 0 || level >= 1) {
            throw new IllegalArgumentException("level must be in (0, 1), got " + level);
        }
        int n = values.length;
        String method = String.format(Locale.ROOT, "t, %.0f%%, %d seeds", level * 100, n);
        if (n == 0) {
            return Interval.undefined(Double.NaN, 0, method);
        }
        double mean = Arrays.stream(values).average().orElse(Double.NaN);
        if (n < 2 || !Double.isFinite(mean)) {
            return Interval.undefined(mean, n, method);
        }
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double se = Math.sqrt(ss / (n - 1) / n);
        double t = new TDistribution(null, n - 1).inverseCumulativeProbability(1 - (1 - level) / 2);
        return new Interval(mean, mean - t * se, mean + t * se, n, method);
    }

    /** The 95% paired t-interval of the mean of {@code a[i] − b[i]}. */
    public static Interval paired(double[] a, double[] b) {
        return paired(a, b, LEVEL);
    }

    /** The {@code level} paired t-interval of the mean of {@code a[i] − b[i]}. */
    public static Interval paired(double[] a, double[] b, double level) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired samples need equal sizes: " + a.length + " and " + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        Interval i = mean(d, level);
        return new Interval(i.mean(), i.low(), i.high(), i.n(), "paired " + i.method());
    }
}

package io.dpo4j.bench.stats;

import java.util.Locale;

/**
 * An estimate with its confidence interval, and how the interval was computed.
 *
 * @param mean the point estimate (a mean, or a mean difference)
 * @param low the lower bound (NaN when it cannot be computed, e.g. from one value)
 * @param high the upper bound
 * @param n the number of independent values behind it (seeds)
 * @param method how the interval was computed, e.g. "paired t, 95%, 5 seeds"
 */
public record Interval(double mean, double low, double high, int n, String method) {

    /** An interval that could not be computed. */
    public static Interval undefined(double mean, int n, String method) {
        return new Interval(mean, Double.NaN, Double.NaN, n, method);
    }

    /** True when both bounds are finite. */
    public boolean defined() {
        return Double.isFinite(low) && Double.isFinite(high);
    }

    /** {@code 0.812 [0.790, 0.833]} (the bounds as "n/a" when undefined). */
    public String format(int digits) {
        String f = "%." + digits + "f";
        if (!Double.isFinite(mean)) {
            return "n/a";
        }
        if (!defined()) {
            return String.format(Locale.ROOT, f + " [n/a]", mean);
        }
        return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", mean, low, high);
    }

    /** {@code +0.012 [−0.004, +0.028]}: signed, for differences. */
    public String formatSigned(int digits) {
        String f = "%+." + digits + "f";
        if (!Double.isFinite(mean)) {
            return "n/a";
        }
        if (!defined()) {
            return String.format(Locale.ROOT, f + " [n/a]", mean);
        }
        return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", mean, low, high);
    }
}

package io.dpo4j.api;

import java.util.Locale;

/**
 * A closed, open or half-open interval of real numbers that a numeric hyperparameter must lie in.
 * Infinite bounds are allowed; NaN is never in range.
 *
 * @param lower lower bound (may be {@code Double.NEGATIVE_INFINITY})
 * @param lowerInclusive whether {@code lower} itself is allowed
 * @param upper upper bound (may be {@code Double.POSITIVE_INFINITY})
 * @param upperInclusive whether {@code upper} itself is allowed
 */
public record Range(double lower, boolean lowerInclusive, double upper, boolean upperInclusive) {

    public Range {
        if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
            throw new IllegalArgumentException("invalid range [" + lower + ", " + upper + "]");
        }
    }

    /** Every finite real number. */
    public static Range any() {
        return new Range(Double.NEGATIVE_INFINITY, false, Double.POSITIVE_INFINITY, false);
    }

    /** {@code x > 0}. */
    public static Range positive() {
        return new Range(0, false, Double.POSITIVE_INFINITY, false);
    }

    /** {@code x >= 0}. */
    public static Range nonNegative() {
        return new Range(0, true, Double.POSITIVE_INFINITY, false);
    }

    /** {@code lower <= x < upper}. */
    public static Range closedOpen(double lower, double upper) {
        return new Range(lower, true, upper, false);
    }

    /** {@code lower <= x <= upper}. */
    public static Range closed(double lower, double upper) {
        return new Range(lower, true, upper, true);
    }

    /** True when {@code x} is a finite number inside the interval. */
    public boolean contains(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return false;
        }
        boolean aboveLower = lowerInclusive ? x >= lower : x > lower;
        boolean belowUpper = upperInclusive ? x <= upper : x < upper;
        return aboveLower && belowUpper;
    }

    /** The rule in words, e.g. {@code > 0}, {@code in [0, 0.5)}, {@code any finite number}. */
    public String describe() {
        boolean noLower = lower == Double.NEGATIVE_INFINITY;
        boolean noUpper = upper == Double.POSITIVE_INFINITY;
        if (noLower && noUpper) {
            return "any finite number";
        }
        if (noUpper) {
            return (lowerInclusive ? ">= " : "> ") + format(lower);
        }
        if (noLower) {
            return (upperInclusive ? "<= " : "< ") + format(upper);
        }
        return "in " + (lowerInclusive ? "[" : "(") + format(lower) + ", " + format(upper)
                + (upperInclusive ? "]" : ")");
    }

    /** Formats a number without a trailing {@code .0} for integers. */
    static String format(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) {
            return String.format(Locale.ROOT, "%d", (long) x);
        }
        return Double.toString(x);
    }
}

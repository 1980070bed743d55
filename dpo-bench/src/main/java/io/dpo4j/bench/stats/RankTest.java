package io.dpo4j.bench.stats;

import org.apache.commons.math3.stat.inference.MannWhitneyUTest;

/**
 * The two-sided Mann–Whitney U test (Commons Math) between the per-seed results of two objectives:
 * no normality assumption, which suits a handful of seeds. With very few values the p-value cannot
 * be small (with 3 vs 3 seeds the smallest two-sided p is 0.1), and the report says so.
 */
public final class RankTest {

    private RankTest() {
    }

    /**
     * The test's result.
     *
     * @param u the U statistic
     * @param p the two-sided p-value (normal approximation, as Commons Math computes it)
     */
    public record Result(double u, double p) {
    }

    /** Compares two samples. */
    public static Result mannWhitney(double[] a, double[] b) {
        if (a.length == 0 || b.length == 0) {
            return new Result(Double.NaN, Double.NaN);
        }
        MannWhitneyUTest test = new MannWhitneyUTest();
        return new Result(test.mannWhitneyU(a, b), test.mannWhitneyUTest(a, b));
    }
}

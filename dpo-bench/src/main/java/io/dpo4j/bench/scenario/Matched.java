package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.stats.Interval;
import io.dpo4j.bench.stats.TInterval;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Paired comparisons of two arms' runs, seed by seed: at the end of training, or at matched KL — for
 * each seed the budget is the smaller of the two runs' fitted final KLs (so both reach it), and each
 * run's metric is read where its monotone (isotonic) KL path first reaches that budget.
 */
final class Matched {

    /**
     * A paired comparison.
     *
     * @param a arm A's per-seed values
     * @param b arm B's per-seed values
     * @param budgets the per-seed KL budgets (NaN for end-of-training comparisons)
     * @param delta the paired t-interval of A − B
     */
    record Comparison(double[] a, double[] b, double[] budgets, Interval delta) {

        Interval meanA() {
            return TInterval.mean(a);
        }

        Interval meanB() {
            return TInterval.mean(b);
        }

        double meanBudget() {
            return java.util.Arrays.stream(budgets).average().orElse(Double.NaN);
        }
    }

    private Matched() {
    }

    /** {@code metric} at the end of training, A − B paired by seed. */
    static Comparison atEnd(List<Run> a, List<Run> b, ToDoubleFunction<Run> metric) {
        double[] x = a.stream().mapToDouble(metric).toArray();
        double[] y = b.stream().mapToDouble(metric).toArray();
        double[] none = new double[x.length];
        java.util.Arrays.fill(none, Double.NaN);
        return new Comparison(x, y, none, TInterval.paired(x, y));
    }

    /** An evaluation metric at matched KL, A − B paired by seed. */
    static Comparison atKl(List<Run> a, List<Run> b, ToDoubleFunction<Run.Eval> metric) {
        int n = Math.min(a.size(), b.size());
        double[] x = new double[n];
        double[] y = new double[n];
        double[] budgets = new double[n];
        for (int i = 0; i < n; i++) {
            double budget = Math.min(a.get(i).finalKl(), b.get(i).finalKl());
            budgets[i] = budget;
            x[i] = a.get(i).atKl(budget, metric);
            y[i] = b.get(i).atKl(budget, metric);
        }
        return new Comparison(x, y, budgets, TInterval.paired(x, y));
    }

    /** Per-seed values of A − B for two value arrays. */
    static Comparison of(double[] x, double[] y) {
        double[] none = new double[x.length];
        java.util.Arrays.fill(none, Double.NaN);
        return new Comparison(x, y, none, TInterval.paired(x, y));
    }
}

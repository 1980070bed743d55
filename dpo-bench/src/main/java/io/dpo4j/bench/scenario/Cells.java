package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.stats.Bootstrap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Runs grouped into cells (objective × hyperparameters), one run per seed, with per-cell summaries:
 * bootstrap confidence intervals over seeds, trajectories averaged over seeds, and cost columns.
 */
final class Cells {

    private final Map<String, List<Run>> byCell = new LinkedHashMap<>();

    void add(String cell, Run run) {
        byCell.computeIfAbsent(cell, k -> new ArrayList<>()).add(run);
    }

    Map<String, List<Run>> all() {
        return byCell;
    }

    List<Run> runs(String cell) {
        return byCell.getOrDefault(cell, List.of());
    }

    List<Run> every() {
        List<Run> out = new ArrayList<>();
        byCell.values().forEach(out::addAll);
        return out;
    }

    /** One value per seed of the cell. */
    double[] values(String cell, ToDoubleFunction<Run> metric) {
        return runs(cell).stream().mapToDouble(metric).toArray();
    }

    /** The 95% bootstrap interval of a per-seed metric. */
    Bootstrap.Interval interval(String cell, ToDoubleFunction<Run> metric) {
        return Bootstrap.mean(values(cell, metric), cell.hashCode());
    }

    /** The seed-mean of an evaluation metric at every evaluation step, with 95% intervals. */
    Chart.Series trajectory(String cell, ToDoubleFunction<Run.Eval> metric) {
        List<Run> runs = runs(cell);
        int n = runs.stream().mapToInt(r -> r.evals().size()).min().orElse(0);
        double[] x = new double[n];
        double[] y = new double[n];
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            final int k = i;
            x[i] = runs.get(0).evals().get(i).step();
            double[] v = runs.stream().mapToDouble(r -> metric.applyAsDouble(r.evals().get(k))).toArray();
            Bootstrap.Interval ci = Bootstrap.mean(v, 31L * i + cell.hashCode());
            y[i] = ci.mean();
            lo[i] = ci.low();
            hi[i] = ci.high();
        }
        return new Chart.Series(cell, x, y, lo, hi);
    }

    /** Cost columns of a cell: mean wall time, tokens/s and peak memory over its runs. */
    List<String> costs(String cell) {
        List<Run> runs = runs(cell);
        return List.of(f1(runs.stream().mapToDouble(Run::seconds).average().orElse(Double.NaN)) + " s",
                String.format(Locale.ROOT, "%.0f", runs.stream().mapToDouble(Run::tokensPerSecond).average()
                        .orElse(Double.NaN)),
                String.format(Locale.ROOT, "%.0f MiB", runs.stream().mapToDouble(Run::peakMib).max()
                        .orElse(Double.NaN)));
    }

    static String f1(double x) {
        return String.format(Locale.ROOT, "%.1f", x);
    }

    static String f3(double x) {
        return String.format(Locale.ROOT, "%.3f", x);
    }
}

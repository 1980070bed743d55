package io.dpo4j.bench.scenario;

import io.dpo4j.bench.lab.Run;
import io.dpo4j.bench.stats.Interval;
import io.dpo4j.bench.stats.TInterval;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Formatting and small summaries shared by the scenarios' reports. */
final class Fmt {

    private Fmt() {
    }

    static String f1(double x) {
        return String.format(Locale.ROOT, "%.1f", x);
    }

    static String f2(double x) {
        return String.format(Locale.ROOT, "%.2f", x);
    }

    static String f3(double x) {
        return String.format(Locale.ROOT, "%.3f", x);
    }

    /** The t-interval over seeds of a per-run metric. */
    static Interval over(List<Run> runs, ToDoubleFunction<Run> metric) {
        return TInterval.mean(runs.stream().mapToDouble(metric).toArray());
    }

    /** Cost columns of some runs: mean CPU seconds and wall time per run, tokens/s, peak RSS. */
    static List<String> costs(List<Run> runs) {
        return List.of(f1(runs.stream().mapToDouble(Run::cpuSeconds).average().orElse(Double.NaN)) + " s",
                f1(runs.stream().mapToDouble(Run::seconds).average().orElse(Double.NaN)) + " s",
                String.format(Locale.ROOT, "%.0f", runs.stream().mapToDouble(Run::tokensPerSecond).average()
                        .orElse(Double.NaN)),
                String.format(Locale.ROOT, "%.0f MiB", runs.stream().mapToDouble(Run::peakMib).max()
                        .orElse(Double.NaN)));
    }

    /** The cost columns' headers. */
    static List<String> costHeader() {
        return List.of("CPU per run", "wall per run", "tokens/s", "peak RSS");
    }

    /** A header followed by the cost headers. */
    static List<String> withCosts(String... header) {
        List<String> h = new ArrayList<>(List.of(header));
        h.addAll(costHeader());
        return h;
    }

    /** A row followed by the cost columns of {@code runs}. */
    static List<String> withCosts(List<Run> runs, String... cells) {
        List<String> r = new ArrayList<>(List.of(cells));
        r.addAll(costs(runs));
        return r;
    }

    /** The learning-rate sweep table of some arms. */
    static Table sweep(String scenario, List<Arm> arms) {
        List<List<String>> rows = new ArrayList<>();
        arms.forEach(a -> rows.addAll(a.sweepRows()));
        int sweep = arms.stream().mapToInt(Arm::sweepSeeds).min().orElse(0);
        return new Table("Learning-rate sweep (" + scenario + "): every variant on the first " + sweep + " seeds (the "
                + "sweep seeds); each arm keeps the variant with the highest mean true reward on the validation "
                + "prompts (never the test prompts) over those seeds, and runs it on every other seed too",
                Arm.sweepHeader(), rows);
    }

    /** The seed-mean trajectory of an evaluation metric, with 95% t-intervals. */
    static Chart.Series trajectory(String name, List<Run> runs, ToDoubleFunction<Run.Eval> metric) {
        int n = runs.stream().mapToInt(r -> r.evals().size()).min().orElse(0);
        double[] x = new double[n];
        double[] y = new double[n];
        double[] lo = new double[n];
        double[] hi = new double[n];
        for (int i = 0; i < n; i++) {
            final int k = i;
            x[i] = runs.get(0).evals().get(i).step();
            Interval ci = TInterval.mean(runs.stream().mapToDouble(r -> metric.applyAsDouble(r.evals().get(k)))
                    .toArray());
            y[i] = ci.mean();
            lo[i] = ci.defined() ? ci.low() : ci.mean();
            hi[i] = ci.defined() ? ci.high() : ci.mean();
        }
        return new Chart.Series(name, x, y, lo, hi);
    }

    /** Rows of every arm, for the results files. */
    static List<Map<String, Object>> rows(String scenario, List<Arm> arms) {
        List<Map<String, Object>> out = new ArrayList<>();
        arms.forEach(a -> out.addAll(a.rows(scenario)));
        return out;
    }
}

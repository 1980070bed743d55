package io.dpo4j.cli.step;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The step benchmark's table: one line per row (shape, step, implementation, allocator), with the steady
 * tokens/s (the median timed step), CPU user and system time per step, minor page faults per step, peak
 * resident memory, the GEMM rate measured in the row's process and the share of the 6·N·tokens FLOP bound
 * at that rate; then the ratios measured in the same run: this project over PyTorch eager, DPO over SFT.
 */
final class StepReport {

    /** One measured row, as the row processes print it (both implementations write the same fields). */
    record Row(String implementation, String shape, String kind, String allocator, int round, long tokensPerStep,
            long parameters, int threads, double[] stepSeconds, double[] userSeconds, double[] systemSeconds,
            double[] minorFaults, long peakRssBytes, double gemmFlopsPerSecond, String loadBefore, String loadAfter) {

        static Row of(JsonNode j) {
            return new Row(j.path("implementation").asText(), j.path("shape").asText(), j.path("kind").asText(),
                    j.path("allocator").asText("launcher"), j.path("round").asInt(1), j.path("tokens_per_step").asLong(),
                    j.path("parameters").asLong(), j.path("threads").asInt(), doubles(j.path("step_seconds")),
                    doubles(j.path("user_seconds")), doubles(j.path("system_seconds")), doubles(j.path("minor_faults")),
                    j.path("peak_rss_bytes").asLong(), j.path("gemm_flops_per_second").asDouble(),
                    j.path("load_before").asText("n/a"), j.path("load_after").asText("n/a"));
        }

        /** The median timed step. */
        double steadySeconds() {
            return median(stepSeconds);
        }

        double tokensPerSecond() {
            return tokensPerStep / steadySeconds();
        }

        /** Tokens/s if every one of the 6·N FLOPs per token ran at the measured GEMM rate. */
        double boundTokensPerSecond() {
            return gemmFlopsPerSecond / (6.0 * parameters);
        }

        double boundShare() {
            return tokensPerSecond() / boundTokensPerSecond();
        }

        double systemShare() {
            double u = mean(userSeconds);
            double s = mean(systemSeconds);
            return u + s > 0 ? s / (u + s) : Double.NaN;
        }
    }

    private StepReport() {
    }

    static final String HEADER = "| shape | step | implementation | allocator | threads | round | tokens/s | s/step | user s/step "
            + "| sys s/step (share) | minor faults/step | peak RSS | GEMM GFLOP/s | FLOP bound tok/s | of bound | "
            + "load avg before → after |";

    /** The table's lines (header, rule, rows). */
    static List<String> table(List<Row> rows) {
        List<String> out = new ArrayList<>();
        out.add(HEADER);
        out.add("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (Row r : rows) {
            out.add(line(r));
        }
        return out;
    }

    static String line(Row r) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d | %.1f | %.2f | %.2f | %.2f (%.0f%%) | %,.0f | "
                + "%.2f GiB | %.1f | %.0f | %.0f%% | %s → %s |", r.shape(), r.kind().toUpperCase(Locale.ROOT),
                r.implementation().equals("pytorch") ? "PyTorch eager" : "dpo4j", r.allocator(), r.threads(), r.round(),
                r.tokensPerSecond(), r.steadySeconds(), mean(r.userSeconds()), mean(r.systemSeconds()),
                100 * r.systemShare(), mean(r.minorFaults()), r.peakRssBytes() / (double) (1L << 30),
                r.gemmFlopsPerSecond() / 1e9, r.boundTokensPerSecond(), 100 * r.boundShare(), r.loadBefore(),
                r.loadAfter());
    }

    /**
     * The ratios of rows measured in the same run, per shape and thread count (of several allocator variants,
     * the first is compared). With several rounds each side pools its rows: tokens/s from the median of all their
     * timed steps, the FLOP bound at the best GEMM rate any of them measured; each round's own DPO ratio follows.
     */
    static List<String> ratios(List<Row> rows) {
        List<String> out = new ArrayList<>();
        boolean severalThreadCounts = rows.stream().map(Row::threads).distinct().count() > 1;
        for (String shape : rows.stream().map(Row::shape).distinct().toList()) {
            for (int n : rows.stream().filter(r -> r.shape().equals(shape)).map(Row::threads).distinct().toList()) {
                String label = severalThreadCounts ? shape + " (" + n + (n == 1 ? " thread)" : " threads)") : shape;
                List<Integer> roundsRun = rows.stream().filter(r -> r.shape().equals(shape) && r.threads() == n)
                        .map(Row::round).distinct().sorted().toList();
                ratios(label, pooled(rows, shape, n, "dpo4j", "dpo"), pooled(rows, shape, n, "dpo4j", "sft"),
                        pooled(rows, shape, n, "pytorch", "dpo"), pooled(rows, shape, n, "pytorch", "sft"),
                        roundsRun.size(), out);
                if (roundsRun.size() > 1) {
                    List<String> each = new ArrayList<>();
                    for (int round : roundsRun) {
                        List<Row> inRound = rows.stream().filter(r -> r.round() == round).toList();
                        Optional<Row> a = pooled(inRound, shape, n, "dpo4j", "dpo");
                        Optional<Row> b = pooled(inRound, shape, n, "pytorch", "dpo");
                        if (a.isPresent() && b.isPresent()) {
                            each.add(String.format(Locale.ROOT, "round %d %.2f×", round,
                                    a.get().tokensPerSecond() / b.get().tokensPerSecond()));
                        }
                    }
                    if (!each.isEmpty()) {
                        out.add(label + ": DPO step, dpo4j / PyTorch eager tokens/s in each round alone: "
                                + String.join(", ", each));
                    }
                }
            }
        }
        return out;
    }

    private static void ratios(String label, Optional<Row> dpo, Optional<Row> sft, Optional<Row> peerDpo,
            Optional<Row> peerSft, int rounds, List<String> out) {
        if (dpo.isPresent() && peerDpo.isPresent()) {
            out.add(String.format(Locale.ROOT, "%s: DPO step, dpo4j / PyTorch eager tokens/s = %.2f×%s", label,
                    dpo.get().tokensPerSecond() / peerDpo.get().tokensPerSecond(), pooledNote(dpo.get(), peerDpo.get(), rounds)));
        }
        if (sft.isPresent() && peerSft.isPresent()) {
            out.add(String.format(Locale.ROOT, "%s: SFT step, dpo4j / PyTorch eager tokens/s = %.2f×%s", label,
                    sft.get().tokensPerSecond() / peerSft.get().tokensPerSecond(), pooledNote(sft.get(), peerSft.get(), rounds)));
        }
        if (dpo.isPresent()) {
            out.add(String.format(Locale.ROOT, "%s: DPO step, dpo4j at %.0f%% of the FLOP bound", label,
                    100 * dpo.get().boundShare()));
        }
        if (dpo.isPresent() && sft.isPresent()) {
            out.add(String.format(Locale.ROOT, "%s: DPO step time / SFT step time, dpo4j = %.2f×", label,
                    dpo.get().steadySeconds() / sft.get().steadySeconds()));
        }
        if (peerDpo.isPresent() && peerSft.isPresent()) {
            out.add(String.format(Locale.ROOT, "%s: DPO step time / SFT step time, PyTorch eager = %.2f×", label,
                    peerDpo.get().steadySeconds() / peerSft.get().steadySeconds()));
        }
    }

    /** " (medians of 10 and 10 timed steps over 2 rounds)" with several rounds, else nothing. */
    private static String pooledNote(Row a, Row b, int rounds) {
        if (rounds <= 1) {
            return "";
        }
        return String.format(Locale.ROOT, " (medians of %d and %d timed steps over %d rounds)", a.stepSeconds().length,
                b.stepSeconds().length, rounds);
    }

    /**
     * One side's rows (one shape, thread count, implementation, step, and that side's first allocator variant) as
     * one: every timed step, the best GEMM rate, the largest peak (the first row's round and load before, the
     * last row's load after).
     */
    static Optional<Row> pooled(List<Row> rows, String shape, int threads, String implementation, String kind) {
        List<Row> side = rows.stream().filter(r -> r.shape().equals(shape) && r.threads() == threads
                && r.implementation().equals(implementation) && r.kind().equals(kind)).toList();
        if (side.isEmpty()) {
            return Optional.empty();
        }
        String allocator = side.get(0).allocator();
        side = side.stream().filter(r -> r.allocator().equals(allocator)).toList();
        if (side.size() == 1) {
            return Optional.of(side.get(0));
        }
        Row first = side.get(0);
        return Optional.of(new Row(implementation, shape, kind, allocator, first.round(), first.tokensPerStep(),
                first.parameters(), threads, concat(side, Row::stepSeconds), concat(side, Row::userSeconds),
                concat(side, Row::systemSeconds), concat(side, Row::minorFaults),
                side.stream().mapToLong(Row::peakRssBytes).max().orElse(0),
                side.stream().mapToDouble(Row::gemmFlopsPerSecond).max().orElse(Double.NaN), first.loadBefore(),
                side.get(side.size() - 1).loadAfter()));
    }

    private static double[] concat(List<Row> rows, java.util.function.Function<Row, double[]> field) {
        return rows.stream().flatMapToDouble(r -> Arrays.stream(field.apply(r))).toArray();
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double mean(double[] values) {
        return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(Double.NaN);
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }
}
